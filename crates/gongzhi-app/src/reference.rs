//! Per-process copies of the reference data that staff pages read on every request: a
//! community's chain of places (itself, then each place above it), the places below it, and the
//! rule versions its chain records.
//!
//! Why: on PostgreSQL every statement is a round trip, and under load the round trips, not the
//! queries, are what a page costs. The needs ledger made five statements a request, three of
//! them for these; with the copies it makes two (the session and the page of needs).
//!
//! When a copy may be stale, and for how long:
//! - A chain of places never changes: places are created, never moved, renamed or deleted (the
//!   only write to `jurisdictions` is `jurisdiction.create`), so a chain found by a code is kept
//!   for the life of the process. A code not found is never kept: a community created a moment
//!   later is found at once.
//! - The places below a community and the rule versions change by commands (`jurisdiction.create`,
//!   `rule.set`, `setup.init`). A command that writes either table moves the cache's generation
//!   on when it commits (`Command::commit`), so this process reads its own change at once.
//!   Another process writing the same database (a second server, a command-line tool) is seen
//!   when the copy expires: `reference_cache_seconds` (`Settings::reference_cache_secs`, 5 by
//!   default; 0 turns every copy off).
//!
//! Commands never read through these copies: what a command decides on is read in its own
//! transaction. Only pages do, through reads that hold no writes (`Db::reads`, `Db::read`), so
//! nothing uncommitted is ever copied. The public project page takes its chain of places from
//! here too (by the place's id).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use gongzhi_store::repo::{self, JurisdictionRow};
use gongzhi_store::{StoreError, Tx};
use uuid::Uuid;

/// One stored version of a rule: (key, owner, value JSON, effective from, recorded at).
pub type StoredRule = (String, Uuid, String, String, i64);

/// The tables whose rows the copies hold; a command writing any of them changes the generation.
pub const COPIED_TABLES: [&str; 2] = ["jurisdictions", "rule_versions"];

#[derive(Debug)]
pub struct ReferenceCache {
    ttl: Duration,
    /// Moved on by every committed command that wrote one of `COPIED_TABLES`.
    generation: AtomicU64,
    /// Chains by the code, and by the id, of the place they start from.
    chains: RwLock<HashMap<String, Arc<[JurisdictionRow]>>>,
    chains_by_id: RwLock<HashMap<Uuid, Arc<[JurisdictionRow]>>>,
    below: RwLock<HashMap<Uuid, Copy<Arc<[JurisdictionRow]>>>>,
    rules: RwLock<HashMap<Uuid, Copy<Arc<[StoredRule]>>>>,
}

#[derive(Debug)]
struct Copy<T> {
    generation: u64,
    taken: Instant,
    value: T,
}

impl ReferenceCache {
    /// Copies that expire after `ttl` (zero: no copies, every read goes to the database).
    pub fn new(ttl: Duration) -> Self {
        ReferenceCache {
            ttl,
            generation: AtomicU64::new(0),
            chains: RwLock::default(),
            chains_by_id: RwLock::default(),
            below: RwLock::default(),
            rules: RwLock::default(),
        }
    }

    fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    /// Called after a command that wrote places or rules has committed.
    pub fn changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// The place with this code and every place above it, nearest first; empty if no place has
    /// the code.
    pub async fn chain_of_code(
        &self,
        read: &mut Tx,
        code: &str,
    ) -> Result<Arc<[JurisdictionRow]>, StoreError> {
        if let Some(chain) = self.kept_chain(&self.chains, code) {
            return Ok(chain);
        }
        let chain: Arc<[JurisdictionRow]> = repo::ancestors_of_code(read, code).await?.into();
        self.keep_chain(&self.chains, code.to_string(), &chain);
        Ok(chain)
    }

    /// The place and every place above it, nearest first; empty if there is no such place.
    pub async fn chain_of_place(
        &self,
        read: &mut Tx,
        place: Uuid,
    ) -> Result<Arc<[JurisdictionRow]>, StoreError> {
        if let Some(chain) = self.kept_chain(&self.chains_by_id, &place) {
            return Ok(chain);
        }
        let chain: Arc<[JurisdictionRow]> = repo::ancestors(read, place).await?.into();
        self.keep_chain(&self.chains_by_id, place, &chain);
        Ok(chain)
    }

    fn kept_chain<K: Eq + Hash + std::borrow::Borrow<Q>, Q: Eq + Hash + ?Sized>(
        &self,
        map: &RwLock<HashMap<K, Arc<[JurisdictionRow]>>>,
        key: &Q,
    ) -> Option<Arc<[JurisdictionRow]>> {
        if !self.enabled() {
            return None;
        }
        map.read().expect("not poisoned").get(key).cloned()
    }

    /// Keeps a chain for good (chains never change), unless it is empty: a place not found now
    /// may be created a moment later.
    fn keep_chain<K: Eq + Hash>(
        &self,
        map: &RwLock<HashMap<K, Arc<[JurisdictionRow]>>>,
        key: K,
        chain: &Arc<[JurisdictionRow]>,
    ) {
        if self.enabled() && !chain.is_empty() {
            map.write()
                .expect("not poisoned")
                .insert(key, chain.clone());
        }
    }

    /// The place and every place below it (a community's groups and courtyards), top first.
    pub async fn places_below(
        &self,
        read: &mut Tx,
        place: Uuid,
    ) -> Result<Arc<[JurisdictionRow]>, StoreError> {
        if let Some(v) = self.fresh(&self.below, &place) {
            return Ok(v);
        }
        let generation = self.generation.load(Ordering::Acquire);
        let v: Arc<[JurisdictionRow]> = repo::descendants(read, place).await?.into();
        self.keep(&self.below, place, generation, v.clone());
        Ok(v)
    }

    /// Every version of every rule recorded by the places of this chain (nearest first).
    pub async fn rules_of_chain(
        &self,
        read: &mut Tx,
        chain: &[JurisdictionRow],
    ) -> Result<Arc<[StoredRule]>, StoreError> {
        let Some(head) = chain.first().map(|j| j.id) else {
            return Ok(Arc::from([]));
        };
        if let Some(v) = self.fresh(&self.rules, &head) {
            return Ok(v);
        }
        let generation = self.generation.load(Ordering::Acquire);
        let ids: Vec<Uuid> = chain.iter().map(|j| j.id).collect();
        let v: Arc<[StoredRule]> = repo::rule_versions_of_chain(read, &ids).await?.into();
        self.keep(&self.rules, head, generation, v.clone());
        Ok(v)
    }

    fn fresh<K: Eq + Hash, T: Clone>(
        &self,
        map: &RwLock<HashMap<K, Copy<T>>>,
        key: &K,
    ) -> Option<T> {
        if !self.enabled() {
            return None;
        }
        let now = self.generation.load(Ordering::Acquire);
        let map = map.read().expect("not poisoned");
        let copy = map.get(key)?;
        (copy.generation == now && copy.taken.elapsed() < self.ttl).then(|| copy.value.clone())
    }

    /// Keeps a value read at `generation` (the generation seen *before* the read, so a command
    /// committing during the read leaves the copy already stale).
    fn keep<K: Eq + Hash, T>(
        &self,
        map: &RwLock<HashMap<K, Copy<T>>>,
        key: K,
        generation: u64,
        value: T,
    ) {
        if self.enabled() {
            map.write().expect("not poisoned").insert(
                key,
                Copy {
                    generation,
                    taken: Instant::now(),
                    value,
                },
            );
        }
    }
}
