//! Generic row access driven by the schema registry: insert, update by primary key, read a row,
//! and the canonical after-image of a row that audit events record.

use gongzhi_domain::person::personal_hash;
use serde_json::{Map, Value as Json};

use crate::StoreError;
use crate::db::Tx;
use crate::schema::{Table, table};
use crate::value::{Row, Value};

fn registered(name: &str) -> Result<&'static Table, StoreError> {
    table(name).ok_or_else(|| StoreError::Data(format!("unknown table {name}")))
}

/// Inserts a row given as (column, value) pairs; columns left out are NULL.
pub async fn insert(
    tx: &mut Tx,
    table_name: &str,
    values: &[(&str, Value)],
) -> Result<(), StoreError> {
    let t = registered(table_name)?;
    for (c, _) in values {
        if t.column(c).is_none() {
            return Err(StoreError::Data(format!("unknown column {table_name}.{c}")));
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
    let args: Vec<Value> = values.iter().map(|(_, v)| v.clone()).collect();
    tx.exec(&sql, &args).await?;
    Ok(())
}

/// Updates columns of the row with primary key `pk` (values in primary-key order). Returns whether
/// a row was changed.
pub async fn update(
    tx: &mut Tx,
    table_name: &str,
    pk: &[Value],
    sets: &[(&str, Value)],
) -> Result<bool, StoreError> {
    let t = registered(table_name)?;
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
    Ok(tx.exec(&sql, &args).await? == 1)
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
