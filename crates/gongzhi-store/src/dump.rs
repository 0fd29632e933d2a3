//! Logical export and import (JSON Lines). This is how a community grows from SQLite to
//! PostgreSQL, how backups are made, and what an auditor receives. The format:
//!
//! ```text
//! {"format":"gongzhi-export","version":1,"schema":1,"personal":"full"}
//! {"table":"jurisdictions","row":{"id":"…","parent_id":null,…}}
//! …
//! ```
//!
//! Tables come in registry (dependency) order, rows in primary-key order, columns in registry
//! order, so the same data exports to the same bytes from either backend. In an auditor's export
//! (`"personal":"hashed"`) personal fields are replaced by their salted hashes and the salts are
//! left out: the chains and row images still verify, and no personal data leaves.

use std::io::{BufRead, Write};

use serde_json::{Map, Value as Json, json};

use crate::StoreError;
use crate::db::Db;
use crate::rows::image;
use crate::schema::{Kind, TABLES, Table};
use crate::value::{Row, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportMode {
    /// Everything needed to restore the database (a backup, or SQLite → PostgreSQL).
    Full,
    /// For auditors and the public record: personal fields hashed, salts left out.
    Auditor,
}

pub const FORMAT: &str = "gongzhi-export";
pub const FORMAT_VERSION: i64 = 1;

fn exported(t: &Table, mode: ExportMode) -> bool {
    match t.kind {
        Kind::Audited | Kind::AuditLog => true,
        Kind::Secret | Kind::Sealed => mode == ExportMode::Full,
        Kind::Operational => false,
    }
}

/// The primary key as an ORDER BY that sorts byte-wise on both backends (PostgreSQL's text
/// ordering follows the database collation; SQLite's is byte-wise), so exports are identical.
fn order_by(backend: crate::Backend, t: &Table) -> String {
    t.primary_key
        .iter()
        .map(|k| match (backend, t.column(k).map(|c| c.ty)) {
            (crate::Backend::Postgres, Some(crate::schema::ColType::Text)) => {
                format!("{k} COLLATE \"C\"")
            }
            _ => (*k).to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes the export to `out`; returns the number of rows written.
pub async fn export(db: &Db, mode: ExportMode, out: &mut dyn Write) -> Result<u64, StoreError> {
    let io = |e: std::io::Error| StoreError::Data(format!("write failed: {e}"));
    let mut tx = db.read().await?;
    let personal = if mode == ExportMode::Full {
        "full"
    } else {
        "hashed"
    };
    let header = json!({"format": FORMAT, "version": FORMAT_VERSION, "schema": crate::schema::LATEST, "personal": personal});
    writeln!(out, "{header}").map_err(io)?;
    let salts = if mode == ExportMode::Auditor {
        crate::audit::salts(&mut tx).await?
    } else {
        Default::default()
    };
    // Reference-table rows (accounts, jurisdictions) are hashed with the city's salt.
    let root = crate::repo::root_jurisdiction(&mut tx).await?.map(|j| j.id);
    let mut total = 0;
    for t in TABLES.iter().filter(|t| exported(t, mode)) {
        let types: Vec<_> = t.columns.iter().map(|c| c.ty).collect();
        let sql = format!(
            "SELECT {} FROM {} ORDER BY {}",
            t.select_list(),
            t.name,
            order_by(db.backend(), t)
        );
        let tenant_pos = t.columns.iter().position(|c| c.name == "tenant_id");
        let mut line = String::with_capacity(512);
        total += tx
            .for_each(&sql, &[], &types, |row: Row| {
                let fields = if mode == ExportMode::Auditor && t.columns.iter().any(|c| c.personal)
                {
                    let tenant = tenant_pos.and_then(|p| match &row.0[p] {
                        Value::Id(Some(id)) => Some(*id),
                        _ => None,
                    });
                    let salt = tenant.or(root).and_then(|id| salts.get(&id));
                    image(t, &row, salt.map(Vec::as_slice).unwrap_or(&[]))
                } else {
                    let mut m = Map::with_capacity(t.columns.len());
                    for (c, v) in t.columns.iter().zip(&row.0) {
                        m.insert(c.name.to_string(), v.to_json());
                    }
                    Json::Object(m)
                };
                line.clear();
                line.push_str("{\"table\":");
                line.push_str(&Json::String(t.name.to_string()).to_string());
                line.push_str(",\"row\":");
                line.push_str(&fields.to_string());
                line.push('}');
                writeln!(out, "{line}").map_err(io)
            })
            .await?;
    }
    tx.rollback().await?;
    Ok(total)
}

/// One parsed line of an export.
pub enum Line {
    Header {
        version: i64,
        schema: i64,
        personal_hashed: bool,
    },
    Row {
        table: &'static Table,
        row: Json,
    },
}

/// Parses one line, naming the line number in errors.
pub fn parse_line(n: usize, text: &str) -> Result<Line, StoreError> {
    let bad = |what: String| StoreError::Data(format!("line {n}: {what}"));
    let v: Json = serde_json::from_str(text).map_err(|e| bad(format!("not JSON ({e})")))?;
    if v.get("format").and_then(Json::as_str) == Some(FORMAT) {
        let version = v
            .get("version")
            .and_then(Json::as_i64)
            .ok_or_else(|| bad("header without version".into()))?;
        let schema = v
            .get("schema")
            .and_then(Json::as_i64)
            .ok_or_else(|| bad("header without schema".into()))?;
        let personal_hashed = v.get("personal").and_then(Json::as_str) == Some("hashed");
        return Ok(Line::Header {
            version,
            schema,
            personal_hashed,
        });
    }
    let name = v
        .get("table")
        .and_then(Json::as_str)
        .ok_or_else(|| bad("no \"table\"".into()))?;
    let table = crate::schema::table(name).ok_or_else(|| bad(format!("unknown table {name}")))?;
    let row = v
        .get("row")
        .cloned()
        .ok_or_else(|| bad("no \"row\"".into()))?;
    Ok(Line::Row { table, row })
}

/// Converts a row's JSON into values in registry order.
pub fn row_values(n: usize, t: &Table, row: &Json) -> Result<Vec<Value>, StoreError> {
    let obj = row
        .as_object()
        .ok_or_else(|| StoreError::Data(format!("line {n}: row is not an object")))?;
    if let Some(extra) = obj.keys().find(|k| t.column(k).is_none()) {
        return Err(StoreError::Data(format!(
            "line {n}: unknown column {}.{extra}",
            t.name
        )));
    }
    t.columns
        .iter()
        .map(|c| {
            let j = obj.get(c.name).unwrap_or(&Json::Null);
            if j.is_null() && !c.nullable {
                return Err(StoreError::Data(format!(
                    "line {n}: {}.{} is required",
                    t.name, c.name
                )));
            }
            Value::from_json(c.ty, j).ok_or_else(|| {
                StoreError::Data(format!(
                    "line {n}: {}.{} has the wrong type",
                    t.name, c.name
                ))
            })
        })
        .collect()
}

/// A row's self-references, set after all rows are in: (table, primary key, column values).
type Deferred = (&'static Table, Vec<Value>, Vec<(&'static str, Value)>);

/// Imports a full export into an empty, migrated database, in one transaction: either everything
/// is imported or nothing is. Returns the number of rows imported.
pub async fn import(db: &Db, input: &mut dyn BufRead) -> Result<u64, StoreError> {
    let mut tx = db.begin().await?;
    let existing = tx
        .row(
            "SELECT COUNT(*) FROM jurisdictions",
            &[],
            &[crate::schema::ColType::Int],
        )
        .await?;
    if existing.map(|r| r.int(0)).transpose()?.unwrap_or(0) > 0 {
        return Err(StoreError::Data(
            "the target database is not empty; import needs a fresh, migrated database".into(),
        ));
    }
    let mut header_seen = false;
    let mut total = 0;
    // Self-references (a parent jurisdiction, a merged resident) may point forward in key order:
    // insert them as NULL and set them once every row is in.
    let mut deferred: Vec<Deferred> = Vec::new();
    let mut buf = String::new();
    let mut n = 0;
    loop {
        buf.clear();
        let read = input
            .read_line(&mut buf)
            .map_err(|e| StoreError::Data(format!("read failed: {e}")))?;
        if read == 0 {
            break;
        }
        n += 1;
        let text = buf.trim_end_matches(['\n', '\r']);
        if text.is_empty() {
            continue;
        }
        match parse_line(n, text)? {
            Line::Header {
                version,
                schema,
                personal_hashed,
            } => {
                if version != FORMAT_VERSION || schema > i64::from(crate::schema::LATEST) {
                    return Err(StoreError::Data(format!(
                        "line {n}: export format {version}, schema {schema} is newer than this Gongzhi understands"
                    )));
                }
                if personal_hashed {
                    return Err(StoreError::Data(
                        "this is an auditor's export (personal data hashed); it can be verified but not restored".into(),
                    ));
                }
                header_seen = true;
            }
            Line::Row { table, row } => {
                if !header_seen {
                    return Err(StoreError::Data(format!(
                        "line {n}: rows before the header line"
                    )));
                }
                if !exported(table, ExportMode::Full) {
                    return Err(StoreError::Data(format!(
                        "line {n}: table {} is not importable",
                        table.name
                    )));
                }
                let mut values = row_values(n, table, &row)?;
                let mut later = Vec::new();
                for fk in table
                    .foreign_keys
                    .iter()
                    .filter(|fk| fk.table == table.name)
                {
                    let col = fk.columns[fk.columns.len() - 1];
                    if let Some(i) = table.columns.iter().position(|c| c.name == col)
                        && !values[i].is_null()
                    {
                        later.push((
                            col,
                            std::mem::replace(&mut values[i], Value::null(table.columns[i].ty)),
                        ));
                    }
                }
                let pairs: Vec<(&str, Value)> = table
                    .columns
                    .iter()
                    .map(|c| c.name)
                    .zip(values.iter().cloned())
                    .collect();
                crate::rows::insert(&mut tx, table.name, &pairs).await?;
                if !later.is_empty() {
                    let pk = table
                        .pk_positions()
                        .into_iter()
                        .map(|i| values[i].clone())
                        .collect();
                    deferred.push((table, pk, later));
                }
                total += 1;
            }
        }
    }
    if !header_seen {
        return Err(StoreError::Data(
            "no export header: is this a gongzhi export file?".into(),
        ));
    }
    for (table, pk, sets) in deferred {
        crate::rows::update(&mut tx, table.name, &pk, &sets).await?;
    }
    tx.commit().await?;
    Ok(total)
}
