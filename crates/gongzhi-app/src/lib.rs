//! Use cases. Every state change is a command: check permission, apply the domain rule, write
//! state and its audit event in one transaction. Queries for pages live here too. Nothing here
//! knows HTTP.

/// Accounts, login with throttling, sessions, passwords.
pub mod accounts;
/// Who may do what where: roles as permission sets on a jurisdiction and below.
pub mod authz;
/// The sealed ballot box that elections and budget votes share.
mod ballot_box;
/// Resident-wide budget votes: open, cast (secret, assisted), close and count by the PB engine.
pub mod budget_votes;
/// The command helper: one transaction, its row images, one audit event.
pub mod command;
/// Councils, meetings, motions and votes, resolutions and their public notice.
pub mod councils;
/// Council elections by secret ballot, by-elections, resignations and meeting calendars.
pub mod elections;
mod error;
/// Checks of typed input shared by the use cases.
mod input;
/// The community fund: funds, transfers, project budgets, expenses and sign-off, custody,
/// statements.
pub mod ledger;
/// Residents, households, duplicates and merges, bulk import.
/// Follows, the inbox, and delivery of notifications through the outbox.
pub mod notify;
pub mod people;
/// Jurisdictions, buildings, households.
pub mod places;
/// The public portal: search across a community's record.
pub mod portal;
/// Government purchase of services: suppliers, plans, calls, bids, panels, contracts paid through
/// the fund, evaluations, the social organisations' share, the OCDS export.
pub mod procurement;
/// The needs ledger and the project pipeline (the core loop).
pub mod projects;
/// Stored records the app shows as they are (the web layer names them from here).
pub mod records;
/// Per-process copies of places and rule versions for pages (see its module doc for staleness).
pub mod reference;
/// The rulebook: setting rules and reading the rule in force.
pub mod rules;
/// First administrator and city; the default rulebook.
pub mod setup;
/// Reading uploaded spreadsheets (CSV, XLSX) within fixed bounds.
pub mod spreadsheet;
/// A person's to-do list: what waits for them now, found by the functions the commands refuse by.
/// A fresh database for the tests of the layers above.
pub mod testing;
pub mod todo;
/// Uploaded files: content-addressed, location data stripped.
pub mod uploads;
/// `audit verify`: recompute every chain and compare every row with its last image.
pub mod verify;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

pub use error::{AppError, duplicate_codes};
use gongzhi_domain::time::Instant;
pub use gongzhi_store::{Db, StoreError};

/// Where time comes from. Injected so tests and demos can move it.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> Instant;
    /// Moves a manual clock forward; the system clock refuses.
    fn advance(&self, _seconds: i64) -> Result<Instant, AppError> {
        Err(AppError::forbidden())
    }
    fn is_manual(&self) -> bool {
        false
    }
}

#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::from_offset_datetime(time::OffsetDateTime::now_utc())
    }
}

/// A clock that starts at real time (or a given instant) and moves only forward, by command.
/// Offered by `gongzhi demo --clock manual` and tests; `serve` never offers it.
#[derive(Debug)]
pub struct ManualClock {
    micros: AtomicI64,
}

impl ManualClock {
    pub fn starting_at(at: Instant) -> Self {
        ManualClock {
            micros: AtomicI64::new(at.micros()),
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        Instant::from_micros(self.micros.load(Ordering::SeqCst))
    }
    fn advance(&self, seconds: i64) -> Result<Instant, AppError> {
        if seconds <= 0 || seconds > 400 * 86_400 {
            return Err(AppError::invalid("clock_bad_step", "seconds"));
        }
        let step = seconds * 1_000_000;
        Ok(Instant::from_micros(
            self.micros.fetch_add(step, Ordering::SeqCst) + step,
        ))
    }
    fn is_manual(&self) -> bool {
        true
    }
}

/// Settings the use cases need (the binary builds them from configuration).
#[derive(Debug, Clone)]
pub struct Settings {
    pub password_min_chars: usize,
    /// Argon2id memory cost in KiB and iterations. Tests use tiny values; production the defaults.
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    /// Failed logins allowed per account, and per client address, within `login_window_secs`.
    pub login_max_failures_account: i64,
    pub login_max_failures_address: i64,
    pub login_window_secs: i64,
    pub login_lockout_secs: i64,
    pub session_ttl_secs: i64,
    /// How long a page may use a copy of a community's places and rule versions written by
    /// another process (this process's own commands refresh them at once); 0: no copies.
    pub reference_cache_secs: u64,
    /// Bytes one account, and one community in all, may upload in 24 hours.
    pub upload_quota_account_bytes: i64,
    pub upload_quota_community_bytes: i64,
    /// The channels notifications leave by besides the inbox (those the server is configured to
    /// deliver by); a message gets a delivery on each its recipient has an address for.
    pub delivery_channels: Vec<gongzhi_domain::notification::Channel>,
    /// Attempts before a delivery is given up, and the waits between them (seconds; the last
    /// repeats).
    pub delivery_max_attempts: u32,
    pub delivery_retry_secs: Vec<u64>,
    /// How long a claimed delivery is left to its sender before another attempt may take it.
    pub delivery_lease_secs: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            password_min_chars: 8,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            login_max_failures_account: 5,
            login_max_failures_address: 20,
            login_window_secs: 15 * 60,
            login_lockout_secs: 15 * 60,
            session_ttl_secs: 7 * 86_400,
            reference_cache_secs: 5,
            upload_quota_account_bytes: 200 * 1024 * 1024,
            upload_quota_community_bytes: 2 * 1024 * 1024 * 1024,
            delivery_channels: Vec::new(),
            delivery_max_attempts: 8,
            delivery_retry_secs: vec![60, 300, 1_800, 7_200, 21_600],
            delivery_lease_secs: 120,
        }
    }
}

/// The application: the database, the clock, the settings and the copies of reference data
/// its pages read. Cheap to clone (clones share the copies).
#[derive(Clone, Debug)]
pub struct App {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    pub reference: Arc<reference::ReferenceCache>,
    /// Password hashes (Argon2id) that may run at once: one core is always left for the rest.
    password_slots: Arc<tokio::sync::Semaphore>,
    /// The hash verified when a login names nobody, made once per process.
    pub(crate) dummy_password_hash: Arc<std::sync::OnceLock<String>>,
}

impl App {
    pub fn new(db: Db, clock: Arc<dyn Clock>, settings: Settings) -> Self {
        let ttl = std::time::Duration::from_secs(settings.reference_cache_secs);
        App {
            db,
            clock,
            settings: Arc::new(settings),
            reference: Arc::new(reference::ReferenceCache::new(ttl)),
            password_slots: Arc::new(tokio::sync::Semaphore::new(password_slots())),
            dummy_password_hash: Arc::default(),
        }
    }

    /// Waits for a slot to hash a password in; the slot is freed when the guard drops.
    pub(crate) async fn password_slot(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        self.password_slots.acquire().await.ok()
    }

    pub fn now(&self) -> Instant {
        self.clock.now()
    }
}

/// How many password hashes may run at once: all cores but one, at least one.
fn password_slots() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get().saturating_sub(1))
        .unwrap_or(1)
        .max(1)
}

/// A fresh UUIDv7 (time-ordered, so keys insert in order and sort by creation).
pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}
