//! `gongzhi audit verify`. Recomputes every chain from its first event and checks that every
//! business row in the database equals the last image the chain recorded for it. Works from the
//! live database or from an export file (a full one, or an auditor's with personal data hashed).

use std::collections::HashMap;

use gongzhi_domain::audit::EventFields;
use gongzhi_store::audit::StoredEvent;
use gongzhi_store::dump::{Line, parse_line, row_values};
use gongzhi_store::rows::image;
use gongzhi_store::schema::{Kind, TABLES, Table, Tenancy};
use gongzhi_store::{Db, Row, StoreError, Value, repo};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// What verification found. `problems` is empty when everything checks; the first one is the
/// place to start looking.
#[derive(Debug, Default)]
pub struct Report {
    pub chains: usize,
    pub events: u64,
    pub rows: u64,
    pub problems: Vec<String>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
    fn problem(&mut self, p: String) {
        if self.problems.len() < 100 {
            self.problems.push(p);
        }
    }
}

fn digest(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// The incremental verifier: feed it events in chain order, then rows.
#[derive(Default)]
pub struct Verifier {
    report: Report,
    /// The chain being read: tenant, last sequence number, last stored hash (raw bytes).
    current: Option<(Uuid, i64, [u8; 32])>,
    heads: HashMap<Uuid, (i64, [u8; 32])>,
    /// Last image per row key: (event id, which orders images across chains; digest of the image).
    images: HashMap<String, (Uuid, [u8; 32])>,
    seen_rows: HashMap<String, ()>,
    /// Ballot boxes whose ballots were imaged when opened (an event's `details.opened_box`).
    opened_boxes: std::collections::HashSet<String>,
    /// Whether sealed rows are part of what is verified (not in an auditor's export).
    pub check_sealed: bool,
    buf: Vec<u8>,
}

impl Verifier {
    pub fn event(&mut self, e: &StoredEvent) {
        self.report.events += 1;
        let (expected_seq, prev) = match &self.current {
            Some((t, seq, hash)) if *t == e.tenant_id => (seq + 1, *hash),
            _ => {
                if let Some((t, seq, hash)) = self.current.take() {
                    self.heads.insert(t, (seq, hash));
                }
                self.report.chains += 1;
                (1, [0u8; 32])
            }
        };
        if e.seq != expected_seq {
            self.report.problem(format!(
                "chain {}: event {} found where {} was expected (an event is missing or inserted)",
                e.tenant_id, e.seq, expected_seq
            ));
        }
        if hex_bytes(&e.prev_hash) != Some(prev) {
            self.report.problem(format!(
                "chain {} event {}: prev_hash does not match the previous event's hash",
                e.tenant_id, e.seq
            ));
        }
        // Ids formatted into stack buffers: this loop runs a million times in a city's verify.
        let mut bufs = [[0u8; 36]; 4];
        let [b_tenant, b_id, b_actor, b_behalf] = &mut bufs;
        let tenant = e.tenant_id.hyphenated().encode_lower(b_tenant);
        let id = e.id.hyphenated().encode_lower(b_id);
        let actor: &str = match e.actor_id {
            Some(a) => a.hyphenated().encode_lower(b_actor),
            None => "",
        };
        let behalf: &str = match e.on_behalf_of {
            Some(a) => a.hyphenated().encode_lower(b_behalf),
            None => "",
        };
        EventFields {
            tenant_id: tenant,
            seq: e.seq,
            event_id: id,
            occurred_at: e.occurred_at,
            actor_id: actor,
            on_behalf_of: behalf,
            channel: &e.channel,
            command: &e.command,
            payload: &e.payload,
            prev_hash: &e.prev_hash,
        }
        .encode_into(&mut self.buf);
        let computed: [u8; 32] = Sha256::digest(&self.buf).into();
        let stored = hex_bytes(&e.hash);
        if stored != Some(computed) {
            self.report.problem(format!(
                "chain {} event {} ({}): hash does not match its content (the event was altered)",
                e.tenant_id, e.seq, e.command
            ));
        }
        // Continue the chain from the stored hash, so one altered event is reported once.
        self.current = Some((e.tenant_id, e.seq, stored.unwrap_or([0xFF; 32])));
        if e.payload.contains("\"writes\":[{") {
            match serde_json::from_str::<Json>(&e.payload) {
                Ok(p) => {
                    if let Some(b) = p
                        .get("details")
                        .and_then(|d| d.get("opened_box"))
                        .and_then(Json::as_str)
                    {
                        self.opened_boxes.insert(b.to_string());
                    }
                    for w in p
                        .get("writes")
                        .and_then(Json::as_array)
                        .into_iter()
                        .flatten()
                    {
                        let (Some(t), Some(k), Some(r)) =
                            (w.get("t").and_then(Json::as_str), w.get("k"), w.get("r"))
                        else {
                            continue;
                        };
                        let key = format!("{t}:{k}");
                        let d = digest(&r.to_string());
                        match self.images.get(&key) {
                            Some((prev_id, _)) if *prev_id > e.id => {}
                            _ => {
                                self.images.insert(key, (e.id, d));
                            }
                        }
                    }
                }
                Err(_) => self.report.problem(format!(
                    "chain {} event {}: payload is not JSON",
                    e.tenant_id, e.seq
                )),
            }
        }
    }

    /// Closes the chain being read (its last event becomes its head).
    pub fn end_chain(&mut self) {
        if let Some((t, seq, hash)) = self.current.take() {
            self.heads.insert(t, (seq, hash));
        }
    }

    /// Folds in a verifier that read other chains.
    fn merge(&mut self, mut other: Verifier) {
        other.end_chain();
        self.end_chain();
        self.report.chains += other.report.chains;
        self.report.events += other.report.events;
        for p in other.report.problems {
            self.report.problem(p);
        }
        self.heads.extend(other.heads);
        self.opened_boxes.extend(other.opened_boxes);
        for (key, (id, digest)) in other.images {
            match self.images.get(&key) {
                Some((mine, _)) if *mine > id => {}
                _ => {
                    self.images.insert(key, (id, digest));
                }
            }
        }
    }

    /// The recorded chain head (from `audit_heads`) must equal the last event of its chain.
    pub fn head(&mut self, tenant: Uuid, seq: i64, hash: &str) {
        if let Some((t, s, h)) = self.current.take() {
            self.heads.insert(t, (s, h));
        }
        match self.heads.get(&tenant) {
            Some((s, h)) if *s == seq && Some(*h) == hex_bytes(hash) => {}
            _ => self.report.problem(format!("chain {tenant}: recorded head #{seq} is not the chain's last event (events were removed or the head edited)")),
        }
    }

    /// A current row, already imaged (personal fields hashed).
    pub fn row_image(&mut self, t: &Table, key: String, image: &Json) {
        self.report.rows += 1;
        if t.kind == Kind::Sealed && !self.images.contains_key(&key) {
            // A ballot in a box still sealed has no image yet; once its box is opened, every
            // ballot in it must have one.
            let in_box = key
                .split_once(':')
                .and_then(|(_, k)| serde_json::from_str::<Vec<Json>>(k).ok())
                .and_then(|k| k.get(1).and_then(Json::as_str).map(str::to_string));
            if in_box.is_some_and(|b| self.opened_boxes.contains(&b)) {
                self.report.problem(format!("{key}: ballot found in a box opened before it (added behind the application's back)"));
            }
            return;
        }
        if !matches!(t.kind, Kind::Audited | Kind::Sealed) {
            return;
        }
        match self.images.get(&key) {
            None => self.report.problem(format!("{key}: row exists but no audit event recorded it (written behind the application's back)")),
            Some((_, d)) if *d != digest(&image.to_string()) => {
                self.report.problem(format!("{key}: row differs from its last recorded image (changed behind the application's back)"))
            }
            Some(_) => {}
        }
        self.seen_rows.insert(key, ());
    }

    /// A current row as stored: imaged with its owner's salt (the city's for reference tables).
    pub fn current_row(
        &mut self,
        t: &Table,
        row: &Row,
        root: Option<Uuid>,
        salts: &HashMap<Uuid, Vec<u8>>,
    ) {
        let owner = match t.tenancy {
            Tenancy::Tenant => row.id(0).ok(),
            Tenancy::Reference => root,
        };
        let salt = owner
            .and_then(|o| salts.get(&o))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let key = row_key_json(t, &row.0);
        self.row_image(t, key, &image(t, row, salt));
    }

    pub fn finish(mut self) -> Report {
        let missing: Vec<String> = self
            .images
            .keys()
            .filter(|k| !self.seen_rows.contains_key(*k))
            .filter(|k| {
                TABLES.iter().any(|t| {
                    (t.kind == Kind::Audited || (t.kind == Kind::Sealed && self.check_sealed))
                        && k.starts_with(&format!("{}:", t.name))
                })
            })
            .take(10)
            .cloned()
            .collect();
        for k in missing {
            self.report.problem(format!(
                "{k}: recorded in the audit chain but missing from the database (deleted)"
            ));
        }
        self.report
    }
}

/// 64 hex digits as 32 bytes; `None` for anything else.
fn hex_bytes(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(text, &mut out).ok()?;
    Some(out)
}

fn row_key_json(t: &Table, values: &[Value]) -> String {
    let key: Vec<Json> = t
        .pk_positions()
        .into_iter()
        .map(|i| values[i].to_json())
        .collect();
    format!("{}:{}", t.name, Json::Array(key))
}

/// Verifies the live database.
pub async fn verify_database(db: &Db) -> Result<Report, StoreError> {
    let mut v = Verifier {
        check_sealed: true,
        ..Verifier::default()
    };
    let mut tx = db.read().await?;
    let heads = gongzhi_store::audit::heads(&mut tx).await?;
    // Chains are independent: verify them on parallel connections, largest first, then merge.
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 8);
    let mut groups: Vec<(i64, Vec<Uuid>)> = vec![(0, Vec::new()); workers];
    let mut by_size: Vec<_> = heads.iter().map(|h| (h.seq, h.tenant_id)).collect();
    by_size.sort_by(|a, b| b.cmp(a));
    for (size, tenant) in by_size {
        if let Some(g) = groups.iter_mut().min_by_key(|g| g.0) {
            g.0 += size;
            g.1.push(tenant);
        }
    }
    let mut tasks = tokio::task::JoinSet::new();
    let head_seq: HashMap<Uuid, i64> = heads.iter().map(|h| (h.tenant_id, h.seq)).collect();
    for (_, tenants) in groups.into_iter().filter(|g| !g.1.is_empty()) {
        let db = db.clone();
        let head_seq = head_seq.clone();
        tasks.spawn(async move {
            let mut part = Verifier::default();
            for tenant in tenants {
                // Only up to the head read above: events appended while we verify are not ours to judge.
                let up_to = head_seq.get(&tenant).copied().unwrap_or(0);
                gongzhi_store::bulk::for_each_event_of(&db, tenant, up_to, |e| {
                    part.event(&e);
                    Ok(())
                })
                .await?;
                part.end_chain();
            }
            Ok::<_, StoreError>(part)
        });
    }
    while let Some(part) = tasks.join_next().await {
        let part =
            part.map_err(|e| StoreError::Data(format!("verification task failed: {e}")))??;
        v.merge(part);
    }
    let stored = gongzhi_store::audit::count_events(&mut tx).await?;
    if u64::try_from(stored).unwrap_or(0) != v.report.events {
        v.report.problem(format!(
            "{} events are stored but only {} belong to a recorded chain head (events were inserted behind the application's back)",
            stored, v.report.events
        ));
    }
    for h in heads {
        v.head(h.tenant_id, h.seq, &h.hash);
    }
    let root = repo::root_jurisdiction(&mut tx).await?.map(|j| j.id);
    let salts = gongzhi_store::audit::salts(&mut tx).await?;
    for t in TABLES
        .iter()
        .filter(|t| matches!(t.kind, Kind::Audited | Kind::Sealed))
    {
        gongzhi_store::rows::for_each_row(&mut tx, t, |row: Row| {
            v.current_row(t, &row, root, &salts);
            Ok(())
        })
        .await?;
    }
    tx.rollback().await?;
    Ok(v.finish())
}

/// Verifies an export file. Rows of a full export are hashed with the salts it carries; an
/// auditor's export already carries the hashed images.
pub fn verify_export(input: &mut dyn std::io::BufRead) -> Result<Report, StoreError> {
    let mut v = Verifier::default();
    let mut hashed = false;
    let mut salts: HashMap<Uuid, Vec<u8>> = HashMap::new();
    let mut root: Option<Uuid> = None;
    let mut heads = Vec::new();
    let mut rows: Vec<(&'static Table, Vec<Value>)> = Vec::new();
    let mut hashed_images: Vec<(&'static Table, String, Json)> = Vec::new();
    let mut line = String::new();
    let mut n = 0;
    loop {
        line.clear();
        if input
            .read_line(&mut line)
            .map_err(|e| StoreError::Data(e.to_string()))?
            == 0
        {
            break;
        }
        n += 1;
        let text = line.trim_end();
        if text.is_empty() {
            continue;
        }
        match parse_line(n, text)? {
            Line::Header {
                personal_hashed, ..
            } => {
                hashed = personal_hashed;
                // A full export carries the ballots; an auditor's reads opened ones from the chain.
                v.check_sealed = !personal_hashed;
            }
            Line::Row { table, row } => {
                let values = if hashed && table.kind == Kind::Audited {
                    // Personal columns hold hashes (text) in an auditor's export.
                    let obj = row.as_object().cloned().unwrap_or_default();
                    let image = Json::Object(obj);
                    let key_vals: Vec<Value> = table
                        .primary_key
                        .iter()
                        .map(|k| {
                            let c = table
                                .column(k)
                                .ok_or_else(|| StoreError::Data(format!("line {n}: bad key")))?;
                            Value::from_json(c.ty, image.get(*k).unwrap_or(&Json::Null))
                                .ok_or_else(|| StoreError::Data(format!("line {n}: bad key")))
                        })
                        .collect::<Result<_, _>>()?;
                    let key: Vec<Json> = key_vals.iter().map(Value::to_json).collect();
                    // Rows come before the events in an export: compare once all events are read.
                    hashed_images.push((
                        table,
                        format!("{}:{}", table.name, Json::Array(key)),
                        image,
                    ));
                    continue;
                } else {
                    row_values(n, table, &row)?
                };
                match table.name {
                    "audit_events" => v.event(&StoredEvent::from_row(Row(values))?),
                    "audit_heads" => {
                        let r = Row(values);
                        heads.push((r.id(0)?, r.int(1)?, r.text(2)?));
                    }
                    "tenant_salts" => {
                        let r = Row(values);
                        salts.insert(r.id(0)?, r.bytes(1)?);
                    }
                    _ => {
                        if table.name == "jurisdictions"
                            && values.get(1).is_some_and(Value::is_null)
                            && root.is_none()
                        {
                            root = Row(values.clone()).id(0).ok();
                        }
                        rows.push((table, values));
                    }
                }
            }
        }
    }
    for (t, s, h) in heads {
        v.head(t, s, &h);
    }
    for (t, key, image) in hashed_images {
        v.row_image(t, key, &image);
    }
    for (t, values) in rows {
        v.current_row(t, &Row(values), root, &salts);
    }
    Ok(v.finish())
}

/// An event of the record as its reader needs it: who did what, for whom, with what details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedEvent {
    pub command: String,
    pub actor_id: Option<uuid::Uuid>,
    pub on_behalf_of: Option<uuid::Uuid>,
    /// The event's payload as recorded (row images with personal fields hashed, details).
    pub payload: String,
}

/// The first `limit` events of every chain, in chain order: the record as an auditor's export
/// holds it (no personal data in it), for the operator's tools and the tests of the layers above.
pub async fn recorded_events(
    app: &crate::App,
    limit: i64,
) -> Result<Vec<RecordedEvent>, crate::AppError> {
    let mut tx = app.db.read().await?;
    let events = gongzhi_store::audit::events_after(&mut tx, None, limit).await?;
    tx.rollback().await?;
    Ok(events
        .into_iter()
        .map(|e| RecordedEvent {
            command: e.command,
            actor_id: e.actor_id,
            on_behalf_of: e.on_behalf_of,
            payload: e.payload,
        })
        .collect())
}
