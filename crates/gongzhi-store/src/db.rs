use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Postgres, Row as _, Sqlite, Transaction};
use uuid::Uuid;

use crate::StoreError;
use crate::schema::ColType;
use crate::value::{Row, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The database: one pool of either backend, chosen by the URL's scheme. All SQL in Gongzhi is
/// written once in the portable subset both typed drivers accept (`$1` placeholders work on
/// SQLite too) and dispatched here.
#[derive(Clone, Debug)]
pub enum Db {
    /// The pool, and the lock that queues write transactions in this process: SQLite has one
    /// writer at a time, and waiting in line here is cheaper and fairer than SQLite's busy handler,
    /// which sleeps and retries (BENCHMARKS.md, votes).
    Sqlite(sqlx::SqlitePool, std::sync::Arc<tokio::sync::Mutex<()>>),
    Pg(sqlx::PgPool),
}

/// How to open a database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Open {
    /// Create a missing SQLite file (demo, migrate, init).
    CreateIfMissing,
    /// The database must already exist.
    MustExist,
}

impl Db {
    pub async fn connect(url: &str, open: Open) -> Result<Db, StoreError> {
        let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or("");
        match scheme {
            "sqlite" => {
                let options = SqliteConnectOptions::from_str(url)
                    .map_err(|e| StoreError::BadUrl(url.to_string(), e.to_string()))?
                    .create_if_missing(open == Open::CreateIfMissing)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    // Rows cross from SQLite's worker thread in a channel; a deeper buffer means
                    // fewer wake-ups on long reads (exports, verification). Measured in BENCHMARKS.md.
                    .row_buffer_size(1024);
                let pool = SqlitePoolOptions::new()
                    .max_connections(8)
                    .connect_with(options)
                    .await
                    .map_err(|e| StoreError::Unreachable(redact(url), e.to_string()))?;
                Ok(Db::Sqlite(pool, Default::default()))
            }
            "postgres" | "postgresql" => {
                let options = PgConnectOptions::from_str(url)
                    .map_err(|e| StoreError::BadUrl(redact(url), e.to_string()))?;
                let pool = PgPoolOptions::new()
                    .max_connections(pg_pool_size())
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(options)
                    .await
                    .map_err(|e| StoreError::Unreachable(redact(url), e.to_string()))?;
                Ok(Db::Pg(pool))
            }
            _ => Err(StoreError::UnknownScheme(redact(url))),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(..) => Backend::Sqlite,
            Db::Pg(_) => Backend::Postgres,
        }
    }

    /// A write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), so two
    /// writers never deadlock upgrading a read lock.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(pool, writer) => {
                let turn = writer.clone().lock_owned().await;
                Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?, Some(turn))
            }
            Db::Pg(pool) => Tx::Pg(pool.begin().await?),
        })
    }

    /// A read-only unit of work whose reads all see one snapshot: a deferred transaction on
    /// SQLite (its first read fixes the snapshot), `REPEATABLE READ, READ ONLY` on PostgreSQL,
    /// whose default (`READ COMMITTED`) gives each statement a snapshot of its own, so a page
    /// reading a budget and then its payments could show a payment committed in between.
    pub async fn read(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(pool, _) => Tx::Sqlite(pool.begin().await?, None),
            Db::Pg(pool) => Tx::Pg(
                pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .await?,
            ),
        })
    }

    /// Reads without a transaction: for pages whose few reads need not share one snapshot, where
    /// BEGIN and ROLLBACK would be two more round trips on PostgreSQL than the reads themselves.
    pub async fn reads(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(pool, _) => Tx::SqliteConn(pool.acquire().await?),
            Db::Pg(pool) => Tx::PgConn(pool.acquire().await?),
        })
    }

    /// Refreshes the planner's statistics after a bulk load (the demo, an import, a benchmark's
    /// fill). PostgreSQL plans by them: with none, it took 37 named votes through nested loops
    /// over whole-community scans (1.1 ms against 0.25 ms planned on statistics, BENCHMARKS.md).
    /// Autovacuum refreshes them in time where it runs, but a database that was just filled, or
    /// a server configured without it, has none yet. SQLite keeps none unless asked and plans by
    /// its indexes' shape, which the schema's indexes are laid out for: nothing to do there.
    pub async fn refresh_statistics(&self) -> Result<(), StoreError> {
        if let Db::Pg(pool) = self {
            sqlx::query("ANALYZE").execute(pool).await?;
        }
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool, _) => pool.close().await,
            Db::Pg(pool) => pool.close().await,
        }
    }
}

/// Hides a password in a URL before it goes into an error message or a log.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(start), Some(at)) if at > start => {
            let userinfo = &url[start + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..start + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// A transaction on either backend.
pub enum Tx {
    /// A SQLite transaction and, for writes, this process's writer turn (released when it ends).
    Sqlite(
        Transaction<'static, Sqlite>,
        Option<tokio::sync::OwnedMutexGuard<()>>,
    ),
    Pg(Transaction<'static, Postgres>),
    /// A pooled connection with no transaction open (`Db::reads`): each statement sees its own
    /// snapshot. Committing or rolling it back just returns it to the pool.
    SqliteConn(sqlx::pool::PoolConnection<Sqlite>),
    PgConn(sqlx::pool::PoolConnection<Postgres>),
}

/// Connections the server keeps to PostgreSQL: four per core (8 on a 2-core machine), between 4
/// and 32. Each connection is a PostgreSQL process competing for the same cores; a page holds its
/// connection for all the reads of its transaction, so more connections than the cores can serve
/// only lengthen the tail. Measured side by side on 2 cores (BENCHMARKS.md, the core loop): the
/// public project page's p99 at `wrk -c64` fell from 44–59 ms with 16 to 36–38 ms with 8, at the
/// same throughput; the needs ledger did not move.
fn pg_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
    (4 * cores).clamp(4, 32)
}

/// On PostgreSQL, statements with more parameters than this are bulk statements (multi-row
/// inserts, `IN` lists) and are not kept as prepared statements: a kept statement is soon planned
/// once for all values (a generic plan), and planned while a table was small, an `IN` lookup
/// became a sequential scan for the life of the connection (measured: 0.4 s per lookup at 150,000
/// rows). Unprepared, each is planned with its values. SQLite has no such plans and keeps all.
const PG_PREPARED_MAX_ARGS: usize = 64;

macro_rules! bind_all {
    ($query:expr, $args:expr) => {{ bind_all!($query, $args, true) }};
    ($query:expr, $args:expr, $keep:expr) => {{
        let mut q = $query.persistent($keep);
        for arg in $args {
            q = match arg {
                Value::Id(v) => q.bind(*v),
                Value::Int(v) => q.bind(*v),
                Value::Text(v) => q.bind(v.clone()),
                Value::Bool(v) => q.bind(*v),
                Value::Bytes(v) => q.bind(v.clone()),
            };
        }
        q
    }};
}

/// Decodes a row of either backend by the expected column types (the same code for both, written
/// once as a macro because the two row types share no trait with the `try_get` we need).
macro_rules! decode_row {
    ($name:ident, $row:ty) => {
        fn $name(row: &$row, types: &[ColType]) -> Result<Row, sqlx::Error> {
            let mut out = Vec::with_capacity(types.len());
            for (i, ty) in types.iter().enumerate() {
                out.push(match ty {
                    ColType::Id => Value::Id(row.try_get::<Option<Uuid>, _>(i)?),
                    ColType::Int => Value::Int(row.try_get::<Option<i64>, _>(i)?),
                    ColType::Text => Value::Text(row.try_get::<Option<String>, _>(i)?),
                    ColType::Bool => Value::Bool(row.try_get::<Option<bool>, _>(i)?),
                    ColType::Bytes => Value::Bytes(row.try_get::<Option<Vec<u8>>, _>(i)?),
                });
            }
            Ok(Row(out))
        }
    };
}

decode_row!(decode_sqlite, SqliteRow);
decode_row!(decode_pg, PgRow);

impl Db {
    /// Runs one query outside any transaction (a single statement sees one snapshot by itself):
    /// for the lookups every request makes, where BEGIN and ROLLBACK would be two more round
    /// trips on PostgreSQL.
    pub async fn rows_now(
        &self,
        sql: &str,
        args: &[Value],
        types: &[ColType],
    ) -> Result<Vec<Row>, StoreError> {
        let sql = AssertSqlSafe(sql.to_string());
        let rows = match self {
            Db::Sqlite(pool, _) => bind_all!(sqlx::query(sql), args)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| decode_sqlite(r, types))
                .collect::<Result<Vec<_>, _>>()?,
            Db::Pg(pool) => bind_all!(sqlx::query(sql), args, args.len() <= PG_PREPARED_MAX_ARGS)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| decode_pg(r, types))
                .collect::<Result<Vec<_>, _>>()?,
        };
        Ok(rows)
    }
}

/// The connection a `Tx` runs its statements on, whichever kind of `Tx` it is.
enum Conn<'a> {
    Sqlite(&'a mut sqlx::SqliteConnection),
    Pg(&'a mut sqlx::PgConnection),
}

impl Tx {
    fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(tx, _) => Conn::Sqlite(tx),
            Tx::SqliteConn(c) => Conn::Sqlite(c),
            Tx::Pg(tx) => Conn::Pg(tx),
            Tx::PgConn(c) => Conn::Pg(c),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(..) | Tx::SqliteConn(_) => Backend::Sqlite,
            Tx::Pg(_) | Tx::PgConn(_) => Backend::Postgres,
        }
    }

    /// Runs a statement; returns the number of rows it affected.
    pub async fn exec(&mut self, sql: &str, args: &[Value]) -> Result<u64, StoreError> {
        let sql = AssertSqlSafe(sql.to_string());
        let affected = match self.conn() {
            Conn::Sqlite(c) => bind_all!(sqlx::query(sql), args)
                .execute(c)
                .await?
                .rows_affected(),
            Conn::Pg(c) => bind_all!(sqlx::query(sql), args, args.len() <= PG_PREPARED_MAX_ARGS)
                .execute(c)
                .await?
                .rows_affected(),
        };
        Ok(affected)
    }

    /// Runs a query and decodes each row by the given column types.
    pub async fn rows(
        &mut self,
        sql: &str,
        args: &[Value],
        types: &[ColType],
    ) -> Result<Vec<Row>, StoreError> {
        let sql = AssertSqlSafe(sql.to_string());
        let rows = match self.conn() {
            Conn::Sqlite(c) => bind_all!(sqlx::query(sql), args)
                .fetch_all(c)
                .await?
                .iter()
                .map(|r| decode_sqlite(r, types))
                .collect::<Result<Vec<_>, _>>()?,
            Conn::Pg(c) => bind_all!(sqlx::query(sql), args, args.len() <= PG_PREPARED_MAX_ARGS)
                .fetch_all(c)
                .await?
                .iter()
                .map(|r| decode_pg(r, types))
                .collect::<Result<Vec<_>, _>>()?,
        };
        Ok(rows)
    }

    /// Streams a query's rows into `f` without holding them all in memory (exports, verification).
    pub async fn for_each(
        &mut self,
        sql: &str,
        args: &[Value],
        types: &[ColType],
        mut f: impl FnMut(Row) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        use futures_util::TryStreamExt;
        let sql = AssertSqlSafe(sql.to_string());
        let mut n = 0;
        match self.conn() {
            Conn::Sqlite(c) => {
                let mut s = bind_all!(sqlx::query(sql), args).fetch(c);
                while let Some(r) = s.try_next().await? {
                    f(decode_sqlite(&r, types)?)?;
                    n += 1;
                }
            }
            Conn::Pg(c) => {
                let mut s = bind_all!(sqlx::query(sql), args).fetch(c);
                while let Some(r) = s.try_next().await? {
                    f(decode_pg(&r, types)?)?;
                    n += 1;
                }
            }
        }
        Ok(n)
    }

    pub async fn row(
        &mut self,
        sql: &str,
        args: &[Value],
        types: &[ColType],
    ) -> Result<Option<Row>, StoreError> {
        Ok(self.rows(sql, args, types).await?.into_iter().next())
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(tx, _) => tx.commit().await?,
            Tx::Pg(tx) => tx.commit().await?,
            Tx::SqliteConn(_) | Tx::PgConn(_) => {}
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(tx, _) => tx.rollback().await?,
            Tx::Pg(tx) => tx.rollback().await?,
            Tx::SqliteConn(_) | Tx::PgConn(_) => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://gongzhi.db"), "sqlite://gongzhi.db");
    }
}
