//! Generic row access driven by the schema registry: select a table's rows with its column list
//! and decode one or all of them, insert, update by primary key, read a row, and the canonical
//! after-image of a row that audit events record. Every module's reads are built from these.

use gongzhi_domain::person::personal_hash;
use serde_json::{Map, Value as Json};

use crate::StoreError;
use crate::db::Tx;
use crate::schema::{ColType, Table, table};
use crate::value::{Row, Value};

/// Every column of `table_name`, for the rows matching `filter` (SQL after WHERE), in `order`.
pub(crate) async fn select(
    tx: &mut Tx,
    table_name: &str,
    filter: &str,
    args: &[Value],
    order: &str,
) -> Result<Vec<Row>, StoreError> {
    let t = table(table_name).ok_or_else(|| StoreError::Data(format!("no table {table_name}")))?;
    let types: Vec<ColType> = t.columns.iter().map(|c| c.ty).collect();
    tx.rows(
        &format!(
            "SELECT {} FROM {} WHERE {filter} {order}",
            t.select_list(),
            t.name
        ),
        args,
        &types,
    )
    .await
}

/// Whether any row of `table_name` matches `filter` (SQL after WHERE): one `SELECT … LIMIT 1`
/// (the constant is cast so that PostgreSQL returns the 64-bit integer both backends decode).
pub(crate) async fn exists(
    tx: &mut Tx,
    table_name: &str,
    filter: &str,
    args: &[Value],
) -> Result<bool, StoreError> {
    let t = registered(table_name)?;
    Ok(tx
        .row(
            &format!(
                "SELECT CAST(1 AS BIGINT) FROM {} WHERE {filter} LIMIT 1",
                t.name
            ),
            args,
            &[ColType::Int],
        )
        .await?
        .is_some())
}

/// The first row decoded, if any.
pub(crate) async fn one<T>(
    rows: Result<Vec<Row>, StoreError>,
    decode: fn(&Row) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError> {
    rows?.first().map(decode).transpose()
}

/// Every row decoded.
pub(crate) fn all<T>(
    rows: Vec<Row>,
    decode: fn(&Row) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    rows.iter().map(decode).collect()
}

fn registered(name: &str) -> Result<&'static Table, StoreError> {
    table(name).ok_or_else(|| StoreError::Data(format!("unknown table {name}")))
}

fn insert_sql(t: &Table, values: &[(&str, Value)]) -> Result<(String, Vec<Value>), StoreError> {
    for (c, _) in values {
        if t.column(c).is_none() {
            return Err(StoreError::Data(format!("unknown column {}.{c}", t.name)));
        }
    }
    let cols: Vec<&str> = values.iter().map(|(c, _)| *c).collect();
    let params: Vec<String> = (1..=values.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        t.name,
        cols.join(", "),
        params.join(", ")
    );
    Ok((sql, values.iter().map(|(_, v)| v.clone()).collect()))
}

/// Inserts a row given as (column, value) pairs; columns left out are NULL.
pub async fn insert(
    tx: &mut Tx,
    table_name: &str,
    values: &[(&str, Value)],
) -> Result<(), StoreError> {
    let (sql, args) = insert_sql(registered(table_name)?, values)?;
    tx.exec(&sql, &args).await?;
    Ok(())
}

/// Inserts a row and returns it as stored (`RETURNING`, every column in registry order): what
/// its audit image is made from, without reading it back.
pub async fn insert_returning(
    tx: &mut Tx,
    table_name: &str,
    values: &[(&str, Value)],
) -> Result<Row, StoreError> {
    let t = registered(table_name)?;
    let (sql, args) = insert_sql(t, values)?;
    let types: Vec<_> = t.columns.iter().map(|c| c.ty).collect();
    tx.row(
        &format!("{sql} RETURNING {}", t.select_list()),
        &args,
        &types,
    )
    .await?
    .ok_or_else(|| StoreError::Data(format!("{table_name}: insert returned no row")))
}

/// Inserts many rows with the same columns in multi-row statements (bulk commands). Each row's
/// values are in `columns` order. Returns the rows as stored (`RETURNING`, every column in
/// registry order, in insertion order), which is what audit images are made from.
pub async fn insert_many(
    tx: &mut Tx,
    table_name: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
) -> Result<Vec<Row>, StoreError> {
    let t = registered(table_name)?;
    for c in columns {
        if t.column(c).is_none() {
            return Err(StoreError::Data(format!("unknown column {table_name}.{c}")));
        }
    }
    let mut stored = Vec::with_capacity(rows.len());
    if columns.is_empty() {
        return Ok(stored);
    }
    let types: Vec<_> = t.columns.iter().map(|c| c.ty).collect();
    // Small statements: sqlx binds many parameters slowly on SQLite (measured: 1,000-row
    // statements insert 4x slower than 50-row ones).
    let per = (800 / columns.len()).max(1);
    for chunk in rows.chunks(per) {
        let mut args = Vec::with_capacity(chunk.len() * columns.len());
        let mut tuples = Vec::with_capacity(chunk.len());
        for row in chunk {
            if row.len() != columns.len() {
                return Err(StoreError::Data(format!("{table_name}: row width differs")));
            }
            let start = args.len();
            tuples.push(format!(
                "({})",
                (1..=row.len())
                    .map(|i| format!("${}", start + i))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            args.extend(row.iter().cloned());
        }
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {} RETURNING {}",
            t.name,
            columns.join(", "),
            tuples.join(", "),
            t.select_list()
        );
        stored.extend(tx.rows(&sql, &args, &types).await?);
    }
    Ok(stored)
}

/// Sets columns of many rows of a table keyed by (`tenant_id`, `id`) in one statement per chunk:
/// `UPDATE … FROM (VALUES …)`, which both backends accept. `rows` are (id, values in `columns`
/// order). Returns the changed rows as stored (`RETURNING`, every column in registry order).
pub async fn update_many(
    tx: &mut Tx,
    table_name: &str,
    tenant: uuid::Uuid,
    columns: &[&str],
    rows: &[(uuid::Uuid, Vec<Value>)],
) -> Result<Vec<Row>, StoreError> {
    let t = registered(table_name)?;
    if t.primary_key != ["tenant_id", "id"] {
        return Err(StoreError::Data(format!("{table_name} is not keyed by id")));
    }
    for c in columns {
        if t.column(c).is_none() || *c == "id" || *c == "tenant_id" {
            return Err(StoreError::Data(format!("cannot set {table_name}.{c}")));
        }
    }
    let width = columns.len() + 1;
    let per = (800 / width).max(1);
    let sets: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = v.column{}", i + 2))
        .collect();
    let types: Vec<_> = t.columns.iter().map(|c| c.ty).collect();
    let returning: Vec<String> = t
        .columns
        .iter()
        .map(|c| format!("{}.{}", t.name, c.name))
        .collect();
    let mut changed = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(per) {
        let mut args: Vec<Value> = vec![tenant.into()];
        let mut tuples = Vec::with_capacity(chunk.len());
        for (id, values) in chunk {
            if values.len() != columns.len() {
                return Err(StoreError::Data(format!("{table_name}: row width differs")));
            }
            let start = args.len();
            tuples.push(format!(
                "({})",
                (1..=width)
                    .map(|i| format!("${}", start + i))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            args.push((*id).into());
            args.extend(values.iter().cloned());
        }
        let sql = format!(
            "UPDATE {t} SET {} FROM (VALUES {}) AS v WHERE {t}.tenant_id = $1 AND {t}.id = v.column1 RETURNING {}",
            sets.join(", "),
            tuples.join(", "),
            returning.join(", "),
            t = t.name,
        );
        changed.extend(tx.rows(&sql, &args, &types).await?);
    }
    Ok(changed)
}

/// The tenant owning a record addressed by its id alone (commands and pages address records by
/// id; a record never moves to another tenant). Only tenant tables found by an index led by `id`
/// answer (`Table::indexed_by_id`), so the lookup never scans.
pub async fn tenant_of(
    tx: &mut Tx,
    table_name: &str,
    id: uuid::Uuid,
) -> Result<Option<uuid::Uuid>, StoreError> {
    let t = registered(table_name)?;
    if t.tenancy != crate::schema::Tenancy::Tenant || !t.indexed_by_id() {
        return Err(StoreError::Data(format!("no id lookup for {table_name}")));
    }
    tx.row(
        &format!("SELECT tenant_id FROM {} WHERE id = $1", t.name),
        &[id.into()],
        &[crate::schema::ColType::Id],
    )
    .await?
    .map(|r| r.id(0))
    .transpose()
}

/// Reads rows of a table keyed by (`tenant_id`, `id`), all columns in registry order, in the
/// order of `ids` (missing rows are left out).
pub async fn get_many_by_id(
    tx: &mut Tx,
    table_name: &str,
    tenant: uuid::Uuid,
    ids: &[uuid::Uuid],
) -> Result<Vec<Row>, StoreError> {
    let t = registered(table_name)?;
    if t.primary_key != ["tenant_id", "id"] {
        return Err(StoreError::Data(format!("{table_name} is not keyed by id")));
    }
    let types: Vec<_> = t.columns.iter().map(|c| c.ty).collect();
    let id_pos = t.columns.iter().position(|c| c.name == "id").unwrap_or(1);
    let mut found: std::collections::HashMap<uuid::Uuid, Row> =
        std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(900) {
        let marks: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
        let mut args: Vec<Value> = vec![tenant.into()];
        args.extend(chunk.iter().map(|i| Value::from(*i)));
        let sql = format!(
            "SELECT {} FROM {} WHERE tenant_id = $1 AND id IN ({})",
            t.select_list(),
            t.name,
            marks.join(", ")
        );
        for r in tx.rows(&sql, &args, &types).await? {
            found.insert(r.id(id_pos)?, r);
        }
    }
    Ok(ids.iter().filter_map(|i| found.remove(i)).collect())
}

/// Updates columns of the row with primary key `pk` (values in primary-key order). Returns whether
/// a row was changed.
pub async fn update(
    tx: &mut Tx,
    table_name: &str,
    pk: &[Value],
    sets: &[(&str, Value)],
) -> Result<bool, StoreError> {
    let (sql, args) = update_sql(registered(table_name)?, pk, sets);
    Ok(tx.exec(&sql, &args).await? == 1)
}

/// Updates the row with primary key `pk` and returns it as stored (`RETURNING`), or `None` when
/// there is no such row.
pub async fn update_returning(
    tx: &mut Tx,
    table_name: &str,
    pk: &[Value],
    sets: &[(&str, Value)],
) -> Result<Option<Row>, StoreError> {
    let t = registered(table_name)?;
    let (sql, args) = update_sql(t, pk, sets);
    let types: Vec<_> = t.columns.iter().map(|c| c.ty).collect();
    tx.row(
        &format!("{sql} RETURNING {}", t.select_list()),
        &args,
        &types,
    )
    .await
}

fn update_sql(t: &Table, pk: &[Value], sets: &[(&str, Value)]) -> (String, Vec<Value>) {
    let mut args: Vec<Value> = sets.iter().map(|(_, v)| v.clone()).collect();
    let set_sql: Vec<String> = sets
        .iter()
        .enumerate()
        .map(|(i, (c, _))| format!("{c} = ${}", i + 1))
        .collect();
    let where_sql: Vec<String> = t
        .primary_key
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", sets.len() + i + 1))
        .collect();
    args.extend(pk.iter().cloned());
    let sql = format!(
        "UPDATE {} SET {} WHERE {}",
        t.name,
        set_sql.join(", "),
        where_sql.join(" AND ")
    );
    (sql, args)
}

/// Reads one row by primary key, all columns in registry order.
pub async fn get(tx: &mut Tx, table_name: &str, pk: &[Value]) -> Result<Option<Row>, StoreError> {
    let t = registered(table_name)?;
    let where_sql: Vec<String> = t
        .primary_key
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", i + 1))
        .collect();
    let types: Vec<_> = t.columns.iter().map(|c| c.ty).collect();
    let sql = format!(
        "SELECT {} FROM {} WHERE {}",
        t.select_list(),
        t.name,
        where_sql.join(" AND ")
    );
    tx.row(&sql, pk, &types).await
}

/// The canonical image of a row: its columns in registry order as JSON, with personal fields
/// replaced by their salted hash. Deterministic, so `audit verify` can recompute it from the
/// current row and compare it with the last image recorded in the chain.
pub fn image(t: &Table, row: &Row, salt: &[u8]) -> Json {
    let mut out = Map::with_capacity(t.columns.len());
    for (c, v) in t.columns.iter().zip(&row.0) {
        let json = if c.content {
            match v {
                Value::Bytes(Some(b)) => Json::String(format!(
                    "sha256:{}",
                    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b))
                )),
                _ => Json::Null,
            }
        } else if c.personal {
            match v.hash_input() {
                Some(text) => Json::String(personal_hash(salt, &text)),
                None => Json::Null,
            }
        } else {
            v.to_json()
        };
        out.insert(c.name.to_string(), json);
    }
    Json::Object(out)
}

/// The key under which a row's images are matched: table name and primary-key values.
pub fn row_key(t: &Table, row: &Row) -> String {
    let key: Vec<Json> = t
        .pk_positions()
        .into_iter()
        .map(|i| row.0[i].to_json())
        .collect();
    format!("{}:{}", t.name, Json::Array(key))
}

/// Streams every row of a table, all columns in registry order, into `f`.
pub async fn for_each_row(
    tx: &mut Tx,
    t: &Table,
    f: impl FnMut(Row) -> Result<(), StoreError>,
) -> Result<u64, StoreError> {
    let types: Vec<_> = t.columns.iter().map(|c| c.ty).collect();
    tx.for_each(
        &format!("SELECT {} FROM {}", t.select_list(), t.name),
        &[],
        &types,
        f,
    )
    .await
}
