//! Fresh databases for tests on either backend. The backend comes from `GONGZHI_TEST_BACKEND`
//! (`sqlite`, the default, or `postgres`); PostgreSQL is reached at `GONGZHI_TEST_PG` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`) and each test gets its own database
//! `gz_t_<uuid>`. An unreachable PostgreSQL fails the test: it is never silently skipped.

use crate::db::{Backend, Db, Open};

pub fn pg_admin_url() -> String {
    std::env::var("GONGZHI_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub fn backend() -> Backend {
    match std::env::var("GONGZHI_TEST_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

/// A fresh, migrated database on the backend under test.
pub async fn fresh_db() -> Db {
    fresh_db_on(backend()).await
}

/// A fresh, migrated database on a given backend.
pub async fn fresh_db_on(backend: Backend) -> Db {
    let db = empty_db_on(backend).await;
    crate::migrate::migrate(&db)
        .await
        .expect("migrations apply");
    db
}

/// A fresh database without migrations.
pub async fn empty_db_on(backend: Backend) -> Db {
    let name = format!("gz_t_{}", uuid::Uuid::new_v4().simple());
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join("gongzhi-tests");
            std::fs::create_dir_all(&dir).expect("temp dir");
            let url = format!("sqlite://{}", dir.join(format!("{name}.db")).display());
            Db::connect(&url, Open::CreateIfMissing)
                .await
                .expect("sqlite opens")
        }
        Backend::Postgres => {
            let admin_url = pg_admin_url();
            let admin = Db::connect(&admin_url, Open::MustExist)
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL is required for this test and is unreachable at {admin_url}: {e}"));
            let mut tx = match &admin {
                Db::Pg(pool) => pool.acquire().await.expect("pg connection"),
                Db::Sqlite(..) => unreachable!("the admin URL is a PostgreSQL URL"),
            };
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut *tx)
                .await
                .expect("create database");
            drop(tx);
            admin.close().await;
            let base = admin_url
                .rsplit_once('/')
                .map(|(b, _)| b)
                .unwrap_or(&admin_url)
                .to_string();
            Db::connect(&format!("{base}/{name}"), Open::MustExist)
                .await
                .expect("test database opens")
        }
    }
}
