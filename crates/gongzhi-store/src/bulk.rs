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
