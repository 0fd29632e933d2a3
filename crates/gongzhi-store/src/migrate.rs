//! Migrations rendered from the schema registry for each backend, applied in order, with the
//! rendered SQL's checksum stored so that an edited migration is caught instead of silently
//! diverging. Also the schema introspection that tests use to prove both backends agree.

use sha2::{Digest, Sha256};

use crate::StoreError;
use crate::db::{Backend, Db};
use crate::schema::{ColType, MIGRATION_NAMES, TABLES, Table};
use crate::value::Value;

fn column_ddl(backend: Backend, c: &crate::schema::Column) -> String {
    let ty = match backend {
        Backend::Postgres => c.ty.postgres(),
        Backend::Sqlite => c.ty.sqlite(),
    };
    format!(
        "{} {}{}",
        c.name,
        ty,
        if c.nullable { "" } else { " NOT NULL" }
    )
}

fn create_table(backend: Backend, t: &Table, version: u32) -> Vec<String> {
    let mut parts: Vec<String> = t
        .columns
        .iter()
        .filter(|c| c.since <= version)
        .map(|c| column_ddl(backend, c))
        .collect();
    parts.push(format!(
        "CONSTRAINT pk_{} PRIMARY KEY ({})",
        t.name,
        t.primary_key.join(", ")
    ));
    for u in t.uniques {
        parts.push(format!(
            "CONSTRAINT {} UNIQUE ({})",
            u.name,
            u.columns.join(", ")
        ));
    }
    for fk in t.foreign_keys {
        parts.push(format!(
            "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({})",
            fk.name,
            fk.columns.join(", "),
            fk.table,
            fk.references.join(", ")
        ));
    }
    // STRICT makes SQLite enforce the declared column types, as PostgreSQL does.
    let suffix = match (backend, t.kind) {
        // Sealed ballots are stored in key (random id) order, never in the order they were cast.
        (Backend::Sqlite, crate::schema::Kind::Sealed) => " STRICT, WITHOUT ROWID",
        (Backend::Sqlite, _) => " STRICT",
        (Backend::Postgres, _) => "",
    };
    let mut out = vec![format!(
        "CREATE TABLE {} (\n  {}\n){}",
        t.name,
        parts.join(",\n  "),
        suffix
    )];
    for ix in t.indexes {
        out.push(format!(
            "CREATE INDEX {} ON {} ({})",
            ix.name,
            t.name,
            ix.columns.join(", ")
        ));
    }
    out
}

/// The SQL statements of migration `version` for `backend`.
pub fn render(backend: Backend, version: u32) -> Vec<String> {
    let mut out = Vec::new();
    for t in TABLES.iter().filter(|t| t.since == version) {
        out.extend(create_table(backend, t, version));
    }
    for t in TABLES.iter().filter(|t| t.since < version) {
        for c in t.columns.iter().filter(|c| c.since == version) {
            out.push(format!(
                "ALTER TABLE {} ADD COLUMN {}",
                t.name,
                column_ddl(backend, c)
            ));
        }
    }
    for (_, table_name, ix) in crate::schema::LATER_INDEXES
        .iter()
        .filter(|(v, _, _)| *v == version)
    {
        out.push(format!(
            "CREATE INDEX {} ON {} ({})",
            ix.name,
            table_name,
            ix.columns.join(", ")
        ));
    }
    out
}

fn checksum(statements: &[String]) -> String {
    let mut h = Sha256::new();
    for s in statements {
        h.update(s.as_bytes());
        h.update(b";\n");
    }
    hex::encode(h.finalize())
}

/// Brings the database up to the latest migration; returns how many were applied. Each migration
/// runs in its own transaction together with its bookkeeping row.
pub async fn migrate(db: &Db) -> Result<u32, StoreError> {
    let backend = db.backend();
    let mut tx = db.begin().await?;
    tx.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        &[],
    )
    .await?;
    tx.commit().await?;
    let mut applied = 0;
    for (version, name) in MIGRATION_NAMES {
        let statements = render(backend, *version);
        let sum = checksum(&statements);
        let mut tx = db.begin().await?;
        let existing = tx
            .row(
                "SELECT checksum FROM schema_migrations WHERE version = $1",
                &[Value::from(i64::from(*version))],
                &[ColType::Text],
            )
            .await?;
        match existing {
            Some(row) if row.text(0)? == sum => {
                tx.rollback().await?;
                continue;
            }
            Some(_) => {
                return Err(StoreError::Migration(format!(
                    "migration {version} ({name}) differs from the one applied to this database; never edit an applied migration, add a new one"
                )));
            }
            None => {}
        }
        for s in &statements {
            tx.exec(s, &[]).await?;
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        tx.exec(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
            &[i64::from(*version).into(), (*name).into(), sum.into(), now.into()],
        )
        .await?;
        tx.commit().await?;
        applied += 1;
    }
    let mut tx = db.read().await?;
    let newest = tx
        .row(
            "SELECT MAX(version) FROM schema_migrations",
            &[],
            &[ColType::Int],
        )
        .await?
        .and_then(|r| r.opt_int(0).ok().flatten())
        .unwrap_or(0);
    tx.rollback().await?;
    if newest > i64::from(crate::schema::LATEST) {
        return Err(StoreError::Migration(format!(
            "this database was migrated by a newer Gongzhi (migration {newest}); upgrade the binary"
        )));
    }
    Ok(applied)
}

/// A backend-neutral description of the migrated schema, for comparing the two backends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaDescription {
    pub tables: Vec<TableDescription>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDescription {
    pub name: String,
    /// (column, logical type, nullable)
    pub columns: Vec<(String, String, bool)>,
    pub primary_key: Vec<String>,
    /// Unique constraints as column lists, sorted.
    pub uniques: Vec<Vec<String>>,
    /// (columns, referenced table, referenced columns), sorted.
    pub foreign_keys: Vec<(Vec<String>, String, Vec<String>)>,
}

fn logical_pg(ty: &str) -> String {
    match ty {
        "uuid" => "id",
        "bigint" => "int",
        "text" => "text",
        "boolean" => "bool",
        "bytea" => "bytes",
        other => other,
    }
    .to_string()
}

/// Reads the live schema back from the database catalogue (not from the registry), so a test can
/// compare what the two backends really built.
pub async fn describe(db: &Db) -> Result<SchemaDescription, StoreError> {
    let mut tx = db.read().await?;
    let mut tables = Vec::new();
    for t in TABLES {
        let name = t.name;
        let mut d = TableDescription {
            name: name.into(),
            columns: vec![],
            primary_key: vec![],
            uniques: vec![],
            foreign_keys: vec![],
        };
        match db.backend() {
            Backend::Sqlite => {
                use ColType::{Int, Text};
                let cols = tx
                    .rows(
                        "SELECT name, type, \"notnull\", pk FROM pragma_table_info($1) ORDER BY cid",
                        &[name.into()],
                        &[Text, Text, Int, Int],
                    )
                    .await?;
                let mut pk: Vec<(i64, String)> = vec![];
                for c in &cols {
                    let col = c.text(0)?;
                    // SQLite's declared types are shared by several logical types; the registry
                    // disambiguates, and the PostgreSQL side is read from its own catalogue.
                    let declared = c.text(1)?;
                    let logical = match (declared.as_str(), t.column(&col).map(|c| c.ty)) {
                        ("BLOB", Some(ColType::Id)) => "id",
                        ("BLOB", _) => "bytes",
                        ("INTEGER", Some(ColType::Bool)) => "bool",
                        ("INTEGER", _) => "int",
                        ("TEXT", _) => "text",
                        (other, _) => other,
                    }
                    .to_string();
                    d.columns.push((col.clone(), logical, c.int(2)? == 0));
                    if c.int(3)? > 0 {
                        pk.push((c.int(3)?, col));
                    }
                }
                pk.sort();
                d.primary_key = pk.into_iter().map(|(_, c)| c).collect();
                let indexes = tx
                    .rows(
                        "SELECT name FROM pragma_index_list($1) WHERE \"unique\" = 1 AND origin = 'u'",
                        &[name.into()],
                        &[Text],
                    )
                    .await?;
                for ix in indexes {
                    let cols = tx
                        .rows(
                            "SELECT name FROM pragma_index_info($1) ORDER BY seqno",
                            &[ix.text(0)?.into()],
                            &[Text],
                        )
                        .await?;
                    d.uniques
                        .push(cols.iter().map(|c| c.text(0)).collect::<Result<_, _>>()?);
                }
                let fks = tx
                    .rows(
                        "SELECT id, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list($1) ORDER BY id, seq",
                        &[name.into()],
                        &[Int, Text, Text, Text],
                    )
                    .await?;
                let mut current: Option<(i64, Vec<String>, String, Vec<String>)> = None;
                for fk in fks {
                    let id = fk.int(0)?;
                    match &mut current {
                        Some((cid, from, _, to)) if *cid == id => {
                            from.push(fk.text(2)?);
                            to.push(fk.text(3)?);
                        }
                        _ => {
                            if let Some((_, from, table, to)) = current.take() {
                                d.foreign_keys.push((from, table, to));
                            }
                            current = Some((id, vec![fk.text(2)?], fk.text(1)?, vec![fk.text(3)?]));
                        }
                    }
                }
                if let Some((_, from, table, to)) = current {
                    d.foreign_keys.push((from, table, to));
                }
            }
            Backend::Postgres => {
                use ColType::{Int, Text};
                let cols = tx
                    .rows(
                        "SELECT column_name::text, data_type::text, is_nullable::text FROM information_schema.columns \
                         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
                        &[name.into()],
                        &[Text, Text, Text],
                    )
                    .await?;
                for c in cols {
                    d.columns
                        .push((c.text(0)?, logical_pg(&c.text(1)?), c.text(2)? == "YES"));
                }
                let constraints = tx
                    .rows(
                        "SELECT con.contype::text, con.conname::text, \
                           (SELECT string_agg(a.attname::text, ',' ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord) \
                              JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum), \
                           COALESCE(ref.relname::text, ''), \
                           COALESCE((SELECT string_agg(a.attname::text, ',' ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord) \
                              JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum), '') \
                         FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid \
                         LEFT JOIN pg_class ref ON ref.oid = con.confrelid \
                         WHERE rel.relname = $1 AND rel.relnamespace = current_schema()::regnamespace ORDER BY con.conname",
                        &[name.into()],
                        &[Text, Text, Text, Text, Text],
                    )
                    .await?;
                let _ = Int;
                for c in constraints {
                    let cols: Vec<String> = c.text(2)?.split(',').map(str::to_string).collect();
                    match c.text(0)?.as_str() {
                        "p" => d.primary_key = cols,
                        "u" => d.uniques.push(cols),
                        "f" => d.foreign_keys.push((
                            cols,
                            c.text(3)?,
                            c.text(4)?.split(',').map(str::to_string).collect(),
                        )),
                        _ => {}
                    }
                }
            }
        }
        d.uniques.sort();
        d.foreign_keys.sort();
        tables.push(d);
    }
    tx.rollback().await?;
    Ok(SchemaDescription { tables })
}
