//! Store contract tests: the schema both backends build, the tenancy rule, migrations, and
//! constraint names. The backend under test comes from `GONGZHI_TEST_BACKEND`; the parity test
//! always uses both.

use gongzhi_store::migrate::{describe, migrate, render};
use gongzhi_store::schema::{ColType, TABLES, Tenancy};
use gongzhi_store::testing::{fresh_db, fresh_db_on};
use gongzhi_store::{Backend, StoreError, Value, rows};

#[tokio::test]
async fn both_backends_build_the_same_schema() {
    let sqlite = describe(&fresh_db_on(Backend::Sqlite).await).await.unwrap();
    let pg = describe(&fresh_db_on(Backend::Postgres).await)
        .await
        .unwrap();
    for (a, b) in sqlite.tables.iter().zip(&pg.tables) {
        assert_eq!(
            a, b,
            "table {} differs between SQLite and PostgreSQL",
            a.name
        );
    }
    assert_eq!(sqlite, pg);
    // And it is the registry's schema, not just the same mistake twice.
    for (t, d) in TABLES.iter().zip(&sqlite.tables) {
        let cols: Vec<&str> = d.columns.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(
            cols,
            t.columns.iter().map(|c| c.name).collect::<Vec<_>>(),
            "{}",
            t.name
        );
        assert_eq!(d.primary_key, t.primary_key.to_vec(), "{}", t.name);
        assert_eq!(d.uniques.len(), t.uniques.len(), "{}", t.name);
        assert_eq!(d.foreign_keys.len(), t.foreign_keys.len(), "{}", t.name);
    }
}

/// Every tenant-owned table leads its primary key, unique constraints and foreign keys to other
/// tenant tables with `tenant_id` (the Citus distribution column); reference tables have none.
#[test]
fn tenancy_rule() {
    for t in TABLES {
        let is_tenant_table = |name: &str| {
            TABLES
                .iter()
                .any(|o| o.name == name && o.tenancy == Tenancy::Tenant)
        };
        match t.tenancy {
            Tenancy::Tenant => {
                assert_eq!(
                    t.columns[0].name, "tenant_id",
                    "{}: tenant_id is the first column",
                    t.name
                );
                assert_eq!(t.columns[0].ty, ColType::Id, "{}", t.name);
                assert_eq!(
                    t.primary_key[0], "tenant_id",
                    "{}: primary key leads with tenant_id",
                    t.name
                );
                for u in t.uniques {
                    assert_eq!(
                        u.columns[0], "tenant_id",
                        "{}: {} leads with tenant_id",
                        t.name, u.name
                    );
                }
                for fk in t.foreign_keys.iter().filter(|fk| is_tenant_table(fk.table)) {
                    assert_eq!(
                        fk.columns[0], "tenant_id",
                        "{}: {} leads with tenant_id",
                        t.name, fk.name
                    );
                    assert_eq!(fk.references[0], "tenant_id", "{}: {}", t.name, fk.name);
                }
            }
            Tenancy::Reference => {
                assert!(
                    t.column("tenant_id").is_none(),
                    "{}: a reference table has no tenant",
                    t.name
                );
                for fk in t.foreign_keys {
                    assert!(
                        !is_tenant_table(fk.table),
                        "{}: reference tables may not point into tenant tables",
                        t.name
                    );
                }
            }
        }
        // Every constraint is named, so errors map to fields on both backends.
        for u in t.uniques {
            assert!(u.name.starts_with("uq_"), "{}", u.name);
        }
    }
}

#[tokio::test]
async fn migrations_are_idempotent_and_edits_are_caught() {
    let db = fresh_db().await;
    assert_eq!(migrate(&db).await.unwrap(), 0, "already migrated");
    let mut tx = db.begin().await.unwrap();
    tx.exec(
        "UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1",
        &[],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    match migrate(&db).await {
        Err(StoreError::Migration(m)) => {
            assert!(m.contains("never edit an applied migration"), "{m}")
        }
        other => panic!("expected a migration error, got {other:?}"),
    }
}

#[test]
fn rendered_sql_differs_only_in_types() {
    let pg = render(Backend::Postgres, 1).join(";\n");
    let sqlite = render(Backend::Sqlite, 1).join(";\n");
    assert!(
        pg.contains("CONSTRAINT uq_households_address UNIQUE (tenant_id, building_id, unit, room)")
    );
    assert!(
        sqlite.contains(
            "CONSTRAINT uq_households_address UNIQUE (tenant_id, building_id, unit, room)"
        )
    );
    assert!(sqlite.contains(") STRICT"));
    let normalise = |s: &str| {
        s.replace(" STRICT", "")
            .replace("UUID", "T")
            .replace("BLOB", "T")
            .replace("BYTEA", "T")
            .replace("BIGINT", "I")
            .replace("INTEGER", "I")
            .replace("BOOLEAN", "I")
    };
    assert_eq!(normalise(&pg), normalise(&sqlite));
}

#[tokio::test]
async fn constraint_violations_carry_their_name_on_both_backends() {
    let db = fresh_db().await;
    let mut tx = db.begin().await.unwrap();
    let j = uuid::Uuid::now_v7();
    let j_row = |code: &str, id: uuid::Uuid| {
        vec![
            ("id", Value::from(id)),
            ("level", "city".into()),
            ("code", code.into()),
            ("name_zh", "市".into()),
            ("name_en", "city".into()),
            ("created_at", 0i64.into()),
        ]
    };
    rows::insert(&mut tx, "jurisdictions", &j_row("c1", j))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    match rows::insert(&mut tx, "jurisdictions", &j_row("c1", uuid::Uuid::now_v7())).await {
        Err(StoreError::Unique(name)) => assert_eq!(name, "uq_jurisdictions_code"),
        other => panic!("{other:?}"),
    }
    tx.rollback().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    let missing_parent = vec![
        ("id", Value::from(uuid::Uuid::now_v7())),
        ("parent_id", Value::from(uuid::Uuid::now_v7())),
    ]
    .into_iter()
    .chain(j_row("c2", j).into_iter().skip(1))
    .collect::<Vec<_>>();
    assert!(matches!(
        rows::insert(&mut tx, "jurisdictions", &missing_parent).await,
        Err(StoreError::ForeignKey)
    ));
}

#[tokio::test]
async fn bad_urls_and_unreachable_servers_are_named() {
    use gongzhi_store::{Db, Open};
    assert!(matches!(
        Db::connect("mysql://x/y", Open::MustExist).await,
        Err(StoreError::UnknownScheme(_))
    ));
    assert!(matches!(
        Db::connect("gongzhi.db", Open::MustExist).await,
        Err(StoreError::UnknownScheme(_))
    ));
    assert!(
        matches!(Db::connect("postgres://u:pw@127.0.0.1:1/db", Open::MustExist).await, Err(StoreError::Unreachable(url, _)) if !url.contains("pw"))
    );
    assert!(matches!(
        Db::connect("postgres://u@host:notaport/db", Open::MustExist).await,
        Err(StoreError::BadUrl(..))
    ));
    let missing = std::env::temp_dir().join("gongzhi-tests/does-not-exist/x.db");
    assert!(matches!(
        Db::connect(&format!("sqlite://{}", missing.display()), Open::MustExist).await,
        Err(StoreError::Unreachable(..))
    ));
}

/// Only this crate contains SQL (ARCHITECTURE.md invariant).
#[test]
fn no_sql_outside_the_store() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut offenders = Vec::new();
    fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    for krate in ["gongzhi-domain", "gongzhi-app", "gongzhi-web", "gongzhi"] {
        files(&root.join(krate).join("src"), &mut paths);
    }
    assert!(paths.len() > 30, "the scan found the sources");
    {
        for path in paths {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for (n, line) in text.lines().enumerate() {
                let l = line.to_ascii_uppercase();
                if ["SELECT ", "INSERT INTO", "DELETE FROM", "CREATE TABLE"]
                    .iter()
                    .any(|k| l.contains(&format!("\"{k}")))
                    || (l.contains("\"UPDATE ") && l.contains(" SET "))
                {
                    offenders.push(format!("{}:{}", path.display(), n + 1));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "SQL outside gongzhi-store: {offenders:?}"
    );
}

/// A read unit of work sees one snapshot: a row committed by a writer between its two reads
/// is not there for the second (PostgreSQL's default would show it: a statement, a snapshot),
/// and a read unit refuses to write.
#[tokio::test]
async fn a_read_sees_one_snapshot_and_writes_nothing() {
    let db = fresh_db().await;
    let city = |code: &str| {
        vec![
            ("id", Value::from(uuid::Uuid::now_v7())),
            ("level", "city".into()),
            ("code", code.into()),
            ("name_zh", "市".into()),
            ("name_en", "city".into()),
            ("created_at", 0i64.into()),
        ]
    };
    let count = "SELECT COUNT(*) FROM jurisdictions";
    let mut read = db.read().await.unwrap();
    let before = read.rows(count, &[], &[ColType::Int]).await.unwrap()[0]
        .int(0)
        .unwrap();
    let mut write = db.begin().await.unwrap();
    rows::insert(&mut write, "jurisdictions", &city("c1"))
        .await
        .unwrap();
    write.commit().await.unwrap();
    let during = read.rows(count, &[], &[ColType::Int]).await.unwrap()[0]
        .int(0)
        .unwrap();
    assert_eq!(during, before, "the read saw a commit made after it began");
    read.rollback().await.unwrap();
    let mut after = db.reads().await.unwrap();
    let now = after.rows(count, &[], &[ColType::Int]).await.unwrap()[0]
        .int(0)
        .unwrap();
    assert_eq!(now, before + 1);
    after.rollback().await.unwrap();
    if db.backend() == Backend::Postgres {
        let mut read = db.read().await.unwrap();
        assert!(
            rows::insert(&mut read, "jurisdictions", &city("c2"))
                .await
                .is_err(),
            "a read unit wrote"
        );
    }
}

/// A record is found by its id alone only in a tenant table indexed by `id` (the index of
/// migration 12 included), so the lookup every command opens with never scans; any other table is
/// refused by name.
#[tokio::test]
async fn records_are_found_by_id_only_through_an_index() {
    let db = gongzhi_store::testing::fresh_db().await;
    let mut tx = db.read().await.unwrap();
    let unknown = uuid::Uuid::new_v4();
    for table in [
        "motions",
        "council_seats",
        "call_bids",
        "expenses",
        "budget_votes",
    ] {
        assert!(
            gongzhi_store::schema::table(table).unwrap().indexed_by_id(),
            "{table} is indexed by id"
        );
        assert_eq!(
            gongzhi_store::rows::tenant_of(&mut tx, table, unknown)
                .await
                .unwrap(),
            None
        );
    }
    // A reference table (accounts), a table without an id (attendance) and an unknown name.
    for table in ["accounts", "attendance", "no_such_table"] {
        let refused = gongzhi_store::rows::tenant_of(&mut tx, table, unknown).await;
        assert!(refused.is_err(), "{table}: {refused:?}");
    }
    tx.rollback().await.unwrap();
}

/// Rows are never deleted: the only `DELETE` statements in the store are on operational tables
/// (sessions, sign-in throttles) and on the sealed ballot box, whose ballots the command that
/// opens it images in its event. Business and audit rows have no delete path at all (benchmarks'
/// bare baselines roll back instead).
#[test]
fn nothing_deletes_business_rows() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut deletes = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, _) in text.match_indices("DELETE FROM ") {
                let table: String = text[i + "DELETE FROM ".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                deletes.push((path.display().to_string(), table));
            }
        }
    }
    assert!(!deletes.is_empty(), "the scan found the deletes");
    for (file, table) in deletes {
        let kind = gongzhi_store::schema::table(&table)
            .unwrap_or_else(|| panic!("{file}: DELETE FROM {table}: not a table"))
            .kind;
        assert!(
            matches!(
                kind,
                gongzhi_store::schema::Kind::Operational | gongzhi_store::schema::Kind::Sealed
            ),
            "{file}: DELETE FROM {table} ({kind:?})"
        );
    }
}
