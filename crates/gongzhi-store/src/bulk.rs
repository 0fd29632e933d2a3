//! Bulk reads of the audit log. On SQLite, sqlx hands every row from its worker thread to the
//! async reader separately, which costs two thread wake-ups per row (BENCHMARKS.md: 8.8 s of kernel
//! time to read a million events that the sqlite3 shell reads in 2 s). For the verifier's full scan
//! we read SQLite synchronously with rusqlite (linked to the same bundled libsqlite3) on a blocking
//! thread and pass events over in batches. PostgreSQL streams through sqlx as usual.

use uuid::Uuid;

use crate::StoreError;
use crate::audit::StoredEvent;
use crate::db::Db;

const BATCH: usize = 1024;
const COLUMNS: &str = "tenant_id, seq, id, occurred_at, actor_id, on_behalf_of, channel, command, payload, prev_hash, hash";

fn sqlite_error(e: rusqlite::Error) -> StoreError {
    StoreError::Data(format!("reading the audit log: {e}"))
}

fn uuid_of(bytes: Option<Vec<u8>>) -> Result<Option<Uuid>, rusqlite::Error> {
    bytes
        .map(|b| {
            Uuid::from_slice(&b).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    0,
                    rusqlite::types::Type::Blob,
                    Box::new(e),
                )
            })
        })
        .transpose()
}

fn read_sqlite_chain(
    path: std::path::PathBuf,
    tenant: Uuid,
    up_to_seq: i64,
    out: tokio::sync::mpsc::Sender<Result<Vec<StoredEvent>, StoreError>>,
) -> Result<(), StoreError> {
    use rusqlite::{Connection, OpenFlags};
    let conn = Connection::open_with_flags(
        &path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite_error)?;
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {COLUMNS} FROM audit_events WHERE tenant_id = ?1 AND seq <= ?2 ORDER BY seq"
        ))
        .map_err(sqlite_error)?;
    let mut rows = stmt
        .query(rusqlite::params![tenant.as_bytes().as_slice(), up_to_seq])
        .map_err(sqlite_error)?;
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(r) = rows.next().map_err(sqlite_error)? {
        let event = (|| -> Result<StoredEvent, rusqlite::Error> {
            Ok(StoredEvent {
                tenant_id: uuid_of(r.get(0)?)?.unwrap_or_default(),
                seq: r.get(1)?,
                id: uuid_of(r.get(2)?)?.unwrap_or_default(),
                occurred_at: r.get(3)?,
                actor_id: uuid_of(r.get(4)?)?,
                on_behalf_of: uuid_of(r.get(5)?)?,
                channel: r.get(6)?,
                command: r.get(7)?,
                payload: r.get(8)?,
                prev_hash: r.get(9)?,
                hash: r.get(10)?,
            })
        })()
        .map_err(sqlite_error)?;
        batch.push(event);
        if batch.len() == BATCH
            && out
                .blocking_send(Ok(std::mem::replace(&mut batch, Vec::with_capacity(BATCH))))
                .is_err()
        {
            return Ok(());
        }
    }
    if !batch.is_empty() {
        let _ = out.blocking_send(Ok(batch));
    }
    Ok(())
}

/// Streams one chain's events, in order, up to and including `up_to_seq`, into `f`.
pub async fn for_each_event_of(
    db: &Db,
    tenant: Uuid,
    up_to_seq: i64,
    mut f: impl FnMut(StoredEvent) -> Result<(), StoreError>,
) -> Result<u64, StoreError> {
    match db {
        Db::Sqlite(pool, _) => {
            let path = pool.connect_options().get_filename().to_path_buf();
            let (tx, mut rx) = tokio::sync::mpsc::channel(4);
            let errors = tx.clone();
            let reader = tokio::task::spawn_blocking(move || {
                if let Err(e) = read_sqlite_chain(path, tenant, up_to_seq, tx) {
                    let _ = errors.blocking_send(Err(e));
                }
            });
            let mut n = 0;
            while let Some(batch) = rx.recv().await {
                for e in batch? {
                    f(e)?;
                    n += 1;
                }
            }
            reader
                .await
                .map_err(|e| StoreError::Data(format!("reader failed: {e}")))?;
            Ok(n)
        }
        Db::Pg(_) => {
            let mut tx = db.read().await?;
            let n = tx
                .for_each(
                    &format!("SELECT {COLUMNS} FROM audit_events WHERE tenant_id = $1 AND seq <= $2 ORDER BY seq"),
                    &[tenant.into(), up_to_seq.into()],
                    &crate::audit::EVENT_TYPES,
                    |row| f(StoredEvent::from_row(row)?),
                )
                .await?;
            tx.rollback().await?;
            Ok(n)
        }
    }
}

/// A transfer as the ledger check replays it (no memo or links).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerTransfer {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub seq: i64,
    pub debit_id: Uuid,
    pub credit_id: Uuid,
    pub amount: i64,
    pub phase: gongzhi_domain::ledger::Phase,
    pub pending_id: Option<Uuid>,
    pub created_at: i64,
}

/// One item of a ledger snapshot: every account first, then every transfer in tenant and
/// sequence order.
#[derive(Debug, Clone)]
pub enum LedgerItem {
    Account(Uuid, crate::ledger::AccountRow),
    Transfer(LedgerTransfer),
}

const TRANSFER_COLUMNS: &str =
    "tenant_id, id, seq, debit_id, credit_id, amount, phase, pending_id, created_at";
const TRANSFER_TYPES: [crate::schema::ColType; 9] = {
    use crate::schema::ColType::{Id, Int, Text};
    [Id, Id, Int, Id, Id, Int, Text, Id, Int]
};
const ACCOUNT_SQL: &str = "SELECT tenant_id, id, kind, code, name_zh, name_en, debits_pending, debits_posted, credits_pending, credits_posted, created_at FROM ledger_accounts ORDER BY tenant_id, id";

fn phase_of(s: &str) -> Result<gongzhi_domain::ledger::Phase, StoreError> {
    gongzhi_domain::ledger::Phase::parse(s)
        .ok_or_else(|| StoreError::Data(format!("unknown transfer phase {s}")))
}

fn read_sqlite_ledger(
    path: std::path::PathBuf,
    out: tokio::sync::mpsc::Sender<Result<Vec<LedgerItem>, StoreError>>,
) -> Result<(), StoreError> {
    use rusqlite::{Connection, OpenFlags};
    let conn = Connection::open_with_flags(
        &path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite_error)?;
    // One read transaction: accounts and transfers come from the same snapshot.
    conn.execute_batch("BEGIN").map_err(sqlite_error)?;
    let mut batch = Vec::with_capacity(BATCH);
    let send = |batch: &mut Vec<LedgerItem>, force: bool| -> bool {
        if batch.len() >= BATCH || (force && !batch.is_empty()) {
            return out
                .blocking_send(Ok(std::mem::replace(batch, Vec::with_capacity(BATCH))))
                .is_ok();
        }
        true
    };
    {
        let mut stmt = conn.prepare(ACCOUNT_SQL).map_err(sqlite_error)?;
        let mut rows = stmt.query([]).map_err(sqlite_error)?;
        while let Some(r) = rows.next().map_err(sqlite_error)? {
            let item = (|| -> Result<LedgerItem, rusqlite::Error> {
                Ok(LedgerItem::Account(
                    uuid_of(r.get(0)?)?.unwrap_or_default(),
                    crate::ledger::AccountRow {
                        id: uuid_of(r.get(1)?)?.unwrap_or_default(),
                        kind: r.get(2)?,
                        code: r.get(3)?,
                        name_zh: r.get(4)?,
                        name_en: r.get(5)?,
                        balance: gongzhi_domain::ledger::Balance {
                            debits_pending: r.get(6)?,
                            debits_posted: r.get(7)?,
                            credits_pending: r.get(8)?,
                            credits_posted: r.get(9)?,
                        },
                        created_at: r.get(10)?,
                    },
                ))
            })()
            .map_err(sqlite_error)?;
            batch.push(item);
            if !send(&mut batch, false) {
                return Ok(());
            }
        }
    }
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {TRANSFER_COLUMNS} FROM ledger_transfers ORDER BY tenant_id, seq"
        ))
        .map_err(sqlite_error)?;
    let mut rows = stmt.query([]).map_err(sqlite_error)?;
    while let Some(r) = rows.next().map_err(sqlite_error)? {
        let phase: String = r.get(6).map_err(sqlite_error)?;
        let t = (|| -> Result<LedgerTransfer, rusqlite::Error> {
            Ok(LedgerTransfer {
                tenant_id: uuid_of(r.get(0)?)?.unwrap_or_default(),
                id: uuid_of(r.get(1)?)?.unwrap_or_default(),
                seq: r.get(2)?,
                debit_id: uuid_of(r.get(3)?)?.unwrap_or_default(),
                credit_id: uuid_of(r.get(4)?)?.unwrap_or_default(),
                amount: r.get(5)?,
                phase: gongzhi_domain::ledger::Phase::Posted,
                pending_id: uuid_of(r.get(7)?)?,
                created_at: r.get(8)?,
            })
        })()
        .map_err(sqlite_error)?;
        batch.push(LedgerItem::Transfer(LedgerTransfer {
            phase: phase_of(&phase)?,
            ..t
        }));
        if !send(&mut batch, false) {
            return Ok(());
        }
    }
    send(&mut batch, true);
    Ok(())
}

/// Streams a consistent snapshot of the whole ledger (every account, then every transfer in
/// order) into `f`.
pub async fn for_each_ledger_item(
    db: &Db,
    mut f: impl FnMut(LedgerItem) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    match db {
        Db::Sqlite(pool, _) => {
            let path = pool.connect_options().get_filename().to_path_buf();
            let (tx, mut rx) = tokio::sync::mpsc::channel(4);
            let errors = tx.clone();
            let reader = tokio::task::spawn_blocking(move || {
                if let Err(e) = read_sqlite_ledger(path, tx) {
                    let _ = errors.blocking_send(Err(e));
                }
            });
            while let Some(batch) = rx.recv().await {
                for item in batch? {
                    f(item)?;
                }
            }
            reader
                .await
                .map_err(|e| StoreError::Data(format!("reader failed: {e}")))?;
            Ok(())
        }
        Db::Pg(_) => {
            let mut tx = db.read().await?;
            tx.exec(
                "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
                &[],
            )
            .await?;
            for (tenant, a) in crate::ledger::all_accounts(&mut tx).await? {
                f(LedgerItem::Account(tenant, a))?;
            }
            tx.for_each(
                &format!("SELECT {TRANSFER_COLUMNS} FROM ledger_transfers ORDER BY tenant_id, seq"),
                &[],
                &TRANSFER_TYPES,
                |r| {
                    f(LedgerItem::Transfer(LedgerTransfer {
                        tenant_id: r.id(0)?,
                        id: r.id(1)?,
                        seq: r.int(2)?,
                        debit_id: r.id(3)?,
                        credit_id: r.id(4)?,
                        amount: r.int(5)?,
                        phase: phase_of(&r.text(6)?)?,
                        pending_id: r.opt_id(7)?,
                        created_at: r.int(8)?,
                    }))
                },
            )
            .await?;
            tx.rollback().await?;
            Ok(())
        }
    }
}
