//! The audit log table: appending an event to a tenant's chain (serialised on the chain head),
//! reading heads, and the per-tenant salts for personal-data hashes.

use gongzhi_domain::audit::{EventFields, GENESIS};
use uuid::Uuid;

use crate::StoreError;
use crate::db::Tx;
use crate::schema::ColType;
use crate::value::Value;

/// An event to append; the store assigns `seq`, `prev_hash` and `hash`.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub tenant_id: Uuid,
    pub event_id: Uuid,
    pub occurred_at: i64,
    pub actor_id: Option<Uuid>,
    pub on_behalf_of: Option<Uuid>,
    pub channel: &'a str,
    pub command: &'a str,
    pub payload: &'a str,
}

/// A chain head: the last sequence number and hash of a tenant's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub tenant_id: Uuid,
    pub seq: i64,
    pub hash: String,
}

/// Takes the tenant's chain-head lock for the rest of the transaction (creating the head if
/// needed). Every command does this first, so commands in one community are serialised: their
/// events chain in commit order and per-community counters (resolution numbers) have no gaps.
pub async fn lock_head(tx: &mut Tx, tenant_id: Uuid, now: i64) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO audit_heads (tenant_id, seq, hash, updated_at) VALUES ($1, 0, $2, $3) ON CONFLICT (tenant_id) DO NOTHING",
        &[tenant_id.into(), GENESIS.into(), now.into()],
    )
    .await?;
    tx.exec(
        "UPDATE audit_heads SET updated_at = $2 WHERE tenant_id = $1",
        &[tenant_id.into(), now.into()],
    )
    .await?;
    Ok(())
}

/// Appends an event. Concurrent writers serialise on the chain-head row: the `UPDATE … RETURNING`
/// takes its row lock on PostgreSQL, and SQLite write transactions are already exclusive.
pub async fn append(tx: &mut Tx, ev: &NewEvent<'_>) -> Result<Head, StoreError> {
    tx.exec(
        "INSERT INTO audit_heads (tenant_id, seq, hash, updated_at) VALUES ($1, 0, $2, $3) ON CONFLICT (tenant_id) DO NOTHING",
        &[ev.tenant_id.into(), GENESIS.into(), ev.occurred_at.into()],
    )
    .await?;
    let head = tx
        .row(
            "UPDATE audit_heads SET seq = seq + 1, updated_at = $2 WHERE tenant_id = $1 RETURNING seq, hash",
            &[ev.tenant_id.into(), ev.occurred_at.into()],
            &[ColType::Int, ColType::Text],
        )
        .await?
        .ok_or_else(|| StoreError::Data("audit head vanished".into()))?;
    let seq = head.int(0)?;
    let prev_hash = head.text(1)?;
    let tenant = ev.tenant_id.hyphenated().to_string();
    let event_id = ev.event_id.hyphenated().to_string();
    let actor = ev
        .actor_id
        .map(|a| a.hyphenated().to_string())
        .unwrap_or_default();
    let behalf = ev
        .on_behalf_of
        .map(|a| a.hyphenated().to_string())
        .unwrap_or_default();
    let hash = EventFields {
        tenant_id: &tenant,
        seq,
        event_id: &event_id,
        occurred_at: ev.occurred_at,
        actor_id: &actor,
        on_behalf_of: &behalf,
        channel: ev.channel,
        command: ev.command,
        payload: ev.payload,
        prev_hash: &prev_hash,
    }
    .hash();
    tx.exec(
        "INSERT INTO audit_events (tenant_id, seq, id, occurred_at, actor_id, on_behalf_of, channel, command, payload, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &[
            ev.tenant_id.into(),
            seq.into(),
            ev.event_id.into(),
            ev.occurred_at.into(),
            ev.actor_id.into(),
            ev.on_behalf_of.into(),
            ev.channel.into(),
            ev.command.into(),
            ev.payload.into(),
            prev_hash.into(),
            hash.clone().into(),
        ],
    )
    .await?;
    tx.exec(
        "UPDATE audit_heads SET hash = $2 WHERE tenant_id = $1",
        &[ev.tenant_id.into(), hash.clone().into()],
    )
    .await?;
    Ok(Head {
        tenant_id: ev.tenant_id,
        seq,
        hash,
    })
}

pub async fn head(tx: &mut Tx, tenant_id: Uuid) -> Result<Option<Head>, StoreError> {
    let row = tx
        .row(
            "SELECT seq, hash FROM audit_heads WHERE tenant_id = $1",
            &[tenant_id.into()],
            &[ColType::Int, ColType::Text],
        )
        .await?;
    row.map(|r| {
        Ok(Head {
            tenant_id,
            seq: r.int(0)?,
            hash: r.text(1)?,
        })
    })
    .transpose()
}

pub async fn heads(tx: &mut Tx) -> Result<Vec<Head>, StoreError> {
    let rows = tx
        .rows(
            "SELECT tenant_id, seq, hash FROM audit_heads ORDER BY tenant_id",
            &[],
            &[ColType::Id, ColType::Int, ColType::Text],
        )
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Head {
                tenant_id: r.id(0)?,
                seq: r.int(1)?,
                hash: r.text(2)?,
            })
        })
        .collect()
}

/// The tenant's salt for personal-data hashes, created on first use from `fresh`.
pub async fn salt(tx: &mut Tx, tenant_id: Uuid, fresh: [u8; 16]) -> Result<Vec<u8>, StoreError> {
    tx.exec(
        "INSERT INTO tenant_salts (tenant_id, salt) VALUES ($1, $2) ON CONFLICT (tenant_id) DO NOTHING",
        &[tenant_id.into(), Value::from(fresh.to_vec())],
    )
    .await?;
    let row = tx
        .row(
            "SELECT salt FROM tenant_salts WHERE tenant_id = $1",
            &[tenant_id.into()],
            &[ColType::Bytes],
        )
        .await?
        .ok_or_else(|| StoreError::Data("salt vanished".into()))?;
    row.bytes(0)
}

/// One stored event, as read for verification and export.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub tenant_id: Uuid,
    pub seq: i64,
    pub id: Uuid,
    pub occurred_at: i64,
    pub actor_id: Option<Uuid>,
    pub on_behalf_of: Option<Uuid>,
    pub channel: String,
    pub command: String,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

pub(crate) const EVENT_TYPES: [ColType; 11] = [
    ColType::Id,
    ColType::Int,
    ColType::Id,
    ColType::Int,
    ColType::Id,
    ColType::Id,
    ColType::Text,
    ColType::Text,
    ColType::Text,
    ColType::Text,
    ColType::Text,
];

/// Reads events in chain order, `limit` at a time after (tenant, seq), for streaming verification.
pub async fn events_after(
    tx: &mut Tx,
    after: Option<(Uuid, i64)>,
    limit: i64,
) -> Result<Vec<StoredEvent>, StoreError> {
    let cols = "tenant_id, seq, id, occurred_at, actor_id, on_behalf_of, channel, command, payload, prev_hash, hash";
    let rows = match after {
        None => {
            tx.rows(
                &format!("SELECT {cols} FROM audit_events ORDER BY tenant_id, seq LIMIT $1"),
                &[limit.into()],
                &EVENT_TYPES,
            )
            .await?
        }
        Some((tenant, seq)) => {
            tx.rows(
                &format!(
                    "SELECT {cols} FROM audit_events WHERE tenant_id > $1 OR (tenant_id = $1 AND seq > $2) ORDER BY tenant_id, seq LIMIT $3"
                ),
                &[tenant.into(), seq.into(), limit.into()],
                &EVENT_TYPES,
            )
            .await?
        }
    };
    rows.into_iter().map(StoredEvent::from_row).collect()
}

impl StoredEvent {
    /// Reads an event from a row of `audit_events` in registry column order.
    pub fn from_row(mut r: crate::Row) -> Result<Self, StoreError> {
        Ok(StoredEvent {
            tenant_id: r.id(0)?,
            seq: r.int(1)?,
            id: r.id(2)?,
            occurred_at: r.int(3)?,
            actor_id: r.opt_id(4)?,
            on_behalf_of: r.opt_id(5)?,
            channel: r.take_text(6)?,
            command: r.take_text(7)?,
            payload: r.take_text(8)?,
            prev_hash: r.take_text(9)?,
            hash: r.take_text(10)?,
        })
    }
}

/// Streams every event in chain order (tenant, then sequence number) into `f`.
pub async fn for_each_event(
    tx: &mut Tx,
    mut f: impl FnMut(StoredEvent) -> Result<(), StoreError>,
) -> Result<u64, StoreError> {
    let cols = "tenant_id, seq, id, occurred_at, actor_id, on_behalf_of, channel, command, payload, prev_hash, hash";
    tx.for_each(
        &format!("SELECT {cols} FROM audit_events ORDER BY tenant_id, seq"),
        &[],
        &EVENT_TYPES,
        |row| f(StoredEvent::from_row(row)?),
    )
    .await
}

/// Every tenant's salt.
pub async fn salts(tx: &mut Tx) -> Result<std::collections::HashMap<Uuid, Vec<u8>>, StoreError> {
    let rows = tx
        .rows(
            "SELECT tenant_id, salt FROM tenant_salts",
            &[],
            &[ColType::Id, ColType::Bytes],
        )
        .await?;
    rows.into_iter()
        .map(|r| Ok((r.id(0)?, r.bytes(1)?)))
        .collect()
}

/// How many events are stored, in all chains.
pub async fn count_events(tx: &mut Tx) -> Result<i64, StoreError> {
    let r = tx
        .row("SELECT COUNT(*) FROM audit_events", &[], &[ColType::Int])
        .await?;
    r.map(|r| r.int(0))
        .transpose()
        .map(Option::unwrap_or_default)
}
