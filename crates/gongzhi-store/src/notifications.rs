//! Follows, the inbox and the outbox (migration 13). Messages and deliveries are written by the
//! command whose event they report, in its transaction (`insert_messages`); the delivery worker
//! claims due deliveries one at a time (`claim`) and records each outcome (`settle`).

use gongzhi_domain::notification::{Channel, DeliveryStatus, MessageKind, Subject};
use uuid::Uuid;

use crate::StoreError;
use crate::db::Tx;
use crate::rows::{self, all, select};
use crate::schema::ColType;
use crate::value::{Row, Value};

/// The accounts following `subject` `id` in community `tenant`.
pub async fn followers(
    tx: &mut Tx,
    tenant: Uuid,
    subject: Subject,
    id: Uuid,
) -> Result<Vec<Uuid>, StoreError> {
    let rows = tx
        .rows(
            "SELECT account_id FROM follows WHERE tenant_id = $1 AND subject = $2 AND subject_id = $3 AND following",
            &[tenant.into(), subject.into(), id.into()],
            &[ColType::Id],
        )
        .await?;
    rows.iter().map(|r| r.id(0)).collect()
}

/// Whether `account` follows `subject` `id`.
pub async fn follows(
    tx: &mut Tx,
    tenant: Uuid,
    account: Uuid,
    subject: Subject,
    id: Uuid,
) -> Result<bool, StoreError> {
    rows::exists(
        tx,
        "follows",
        "tenant_id = $1 AND subject = $2 AND subject_id = $3 AND account_id = $4 AND following",
        &[tenant.into(), subject.into(), id.into(), account.into()],
    )
    .await
}

/// A message to write: to whom, why, about what, with what in it.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub id: Uuid,
    pub account_id: Uuid,
    pub kind: MessageKind,
    pub subject: Subject,
    pub subject_id: Uuid,
    pub params_json: String,
}

/// Writes messages and, for each, one pending delivery per channel in `channels` whose address
/// its account has (e-mail: an e-mail address; SMS: a phone; WeChat: never yet, no address is
/// kept). Ids of deliveries are made by `new_id`.
pub async fn insert_messages(
    tx: &mut Tx,
    tenant: Uuid,
    now: i64,
    messages: &[NewMessage],
    channels: &[Channel],
    mut new_id: impl FnMut() -> Uuid,
) -> Result<(), StoreError> {
    if messages.is_empty() {
        return Ok(());
    }
    let rows: Vec<Vec<Value>> = messages
        .iter()
        .map(|m| {
            vec![
                tenant.into(),
                m.id.into(),
                m.account_id.into(),
                m.kind.into(),
                m.subject.into(),
                m.subject_id.into(),
                m.params_json.clone().into(),
                now.into(),
            ]
        })
        .collect();
    rows::insert_many(
        tx,
        "messages",
        &[
            "tenant_id",
            "id",
            "account_id",
            "kind",
            "subject",
            "subject_id",
            "params_json",
            "created_at",
        ],
        &rows,
    )
    .await?;
    let mut deliveries = Vec::new();
    for channel in channels {
        let column = match channel {
            Channel::Email => "email",
            Channel::Sms => "phone",
            Channel::Wechat => continue,
        };
        // The recipients with an address on this channel: one statement per 500 of them (a
        // vote's roll can hold thousands).
        let mut reachable = std::collections::HashSet::new();
        for chunk in messages.chunks(500) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let ids: Vec<Value> = chunk.iter().map(|m| m.account_id.into()).collect();
            for r in tx
                .rows(
                    &format!(
                        "SELECT id FROM accounts WHERE id IN ({}) AND {column} IS NOT NULL AND {column} <> ''",
                        marks.join(", ")
                    ),
                    &ids,
                    &[ColType::Id],
                )
                .await?
            {
                reachable.insert(r.id(0)?);
            }
        }
        for m in messages
            .iter()
            .filter(|m| reachable.contains(&m.account_id))
        {
            deliveries.push(vec![
                tenant.into(),
                new_id().into(),
                m.id.into(),
                (*channel).into(),
                DeliveryStatus::Pending.into(),
                0i64.into(),
                now.into(),
            ]);
        }
    }
    if !deliveries.is_empty() {
        rows::insert_many(
            tx,
            "deliveries",
            &[
                "tenant_id",
                "id",
                "message_id",
                "channel",
                "status",
                "attempts",
                "next_attempt_at",
            ],
            &deliveries,
        )
        .await?;
    }
    Ok(())
}

/// One message in an inbox.
#[derive(Debug, Clone)]
pub struct MessageRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub account_id: Uuid,
    pub kind: MessageKind,
    pub subject: Subject,
    pub subject_id: Uuid,
    pub params_json: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

fn message(r: &Row) -> Result<MessageRow, StoreError> {
    Ok(MessageRow {
        tenant_id: r.id(0)?,
        id: r.id(1)?,
        account_id: r.id(2)?,
        kind: r.word(3)?,
        subject: r.word(4)?,
        subject_id: r.id(5)?,
        params_json: r.text(6)?,
        created_at: r.int(7)?,
        read_at: r.opt_int(8)?,
    })
}

/// An account's newest messages, at most `limit`.
pub async fn inbox(tx: &mut Tx, account: Uuid, limit: i64) -> Result<Vec<MessageRow>, StoreError> {
    let rows = select(
        tx,
        "messages",
        "account_id = $1",
        &[account.into(), limit.into()],
        "ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .await?;
    all(rows, message)
}

/// How many of an account's messages are unread.
pub async fn unread(tx: &mut Tx, account: Uuid) -> Result<i64, StoreError> {
    let row = tx
        .row(
            "SELECT COUNT(*) FROM messages WHERE account_id = $1 AND read_at IS NULL",
            &[account.into()],
            &[ColType::Int],
        )
        .await?;
    row.map(|r| r.int(0)).transpose().map(|n| n.unwrap_or(0))
}

/// Marks an account's messages read; returns how many were unread.
pub async fn mark_read(tx: &mut Tx, account: Uuid, now: i64) -> Result<u64, StoreError> {
    tx.exec(
        "UPDATE messages SET read_at = $2 WHERE account_id = $1 AND read_at IS NULL",
        &[account.into(), now.into()],
    )
    .await
}

/// A delivery due for an attempt, with what the sender needs: the message and the address.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub channel: Channel,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub message: MessageRow,
    /// The account's address on this channel (e-mail or phone), its language and name.
    pub address: Option<String>,
    pub locale: String,
}

/// Deliveries due at `now` (pending, their next attempt time passed), oldest first.
pub async fn due(tx: &mut Tx, now: i64, limit: i64) -> Result<Vec<DueDelivery>, StoreError> {
    let types = [
        ColType::Id,
        ColType::Id,
        ColType::Text,
        ColType::Int,
        ColType::Int,
        ColType::Id,
        ColType::Id,
        ColType::Id,
        ColType::Text,
        ColType::Text,
        ColType::Id,
        ColType::Text,
        ColType::Int,
        ColType::Text,
        ColType::Text,
        ColType::Text,
    ];
    let rows = tx
        .rows(
            "SELECT d.tenant_id, d.id, d.channel, d.attempts, d.next_attempt_at, \
                    m.tenant_id, m.id, m.account_id, m.kind, m.subject, m.subject_id, m.params_json, m.created_at, \
                    a.email, a.phone, a.locale \
               FROM deliveries d \
               JOIN messages m ON m.tenant_id = d.tenant_id AND m.id = d.message_id \
               JOIN accounts a ON a.id = m.account_id \
              WHERE d.status = $1 AND d.next_attempt_at <= $2 \
              ORDER BY d.next_attempt_at, d.id LIMIT $3",
            &[DeliveryStatus::Pending.into(), now.into(), limit.into()],
            &types,
        )
        .await?;
    rows.iter()
        .map(|r| {
            let channel: Channel = r.word(2)?;
            Ok(DueDelivery {
                tenant_id: r.id(0)?,
                id: r.id(1)?,
                channel,
                attempts: r.int(3)?,
                next_attempt_at: r.int(4)?,
                message: MessageRow {
                    tenant_id: r.id(5)?,
                    id: r.id(6)?,
                    account_id: r.id(7)?,
                    kind: r.word(8)?,
                    subject: r.word(9)?,
                    subject_id: r.id(10)?,
                    params_json: r.text(11)?,
                    created_at: r.int(12)?,
                    read_at: None,
                },
                address: match channel {
                    Channel::Email => r.opt_text(13)?,
                    Channel::Sms => r.opt_text(14)?,
                    Channel::Wechat => None,
                },
                locale: r.text(15)?,
            })
        })
        .collect()
}

/// Claims a due delivery for one attempt: counts the attempt and moves its next attempt to
/// `lease_until`, if nobody else claimed it since it was read. Returns whether this caller holds
/// it (and should send it).
pub async fn claim(tx: &mut Tx, d: &DueDelivery, lease_until: i64) -> Result<bool, StoreError> {
    let n = tx
        .exec(
            "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = $3 \
              WHERE tenant_id = $1 AND id = $2 AND status = $4 AND next_attempt_at = $5 AND attempts = $6",
            &[
                d.tenant_id.into(),
                d.id.into(),
                lease_until.into(),
                DeliveryStatus::Pending.into(),
                d.next_attempt_at.into(),
                d.attempts.into(),
            ],
        )
        .await?;
    Ok(n == 1)
}

/// What came of an attempt.
#[derive(Debug, Clone)]
pub enum Outcome {
    Sent { at: i64 },
    Retry { at: i64, error: String },
    GaveUp { error: String },
}

/// Records an attempt's outcome on the delivery it claimed.
pub async fn settle(
    tx: &mut Tx,
    tenant: Uuid,
    id: Uuid,
    outcome: &Outcome,
) -> Result<(), StoreError> {
    let (sql, args): (&str, Vec<Value>) = match outcome {
        Outcome::Sent { at } => (
            "UPDATE deliveries SET status = $3, sent_at = $4, last_error = NULL WHERE tenant_id = $1 AND id = $2",
            vec![DeliveryStatus::Sent.into(), (*at).into()],
        ),
        Outcome::Retry { at, error } => (
            "UPDATE deliveries SET next_attempt_at = $3, last_error = $4 WHERE tenant_id = $1 AND id = $2",
            vec![(*at).into(), error.clone().into()],
        ),
        Outcome::GaveUp { error } => (
            "UPDATE deliveries SET status = $3, last_error = $4 WHERE tenant_id = $1 AND id = $2",
            vec![DeliveryStatus::Failed.into(), error.clone().into()],
        ),
    };
    let mut all_args = vec![tenant.into(), id.into()];
    all_args.extend(args);
    tx.exec(sql, &all_args).await?;
    Ok(())
}

/// A delivery's state, for tests and the operator's view: (channel, status, attempts).
pub async fn deliveries_of(
    tx: &mut Tx,
    tenant: Uuid,
    message: Uuid,
) -> Result<Vec<(Channel, DeliveryStatus, i64)>, StoreError> {
    let rows = tx
        .rows(
            "SELECT channel, status, attempts FROM deliveries WHERE tenant_id = $1 AND message_id = $2 ORDER BY channel",
            &[tenant.into(), message.into()],
            &[ColType::Text, ColType::Text, ColType::Int],
        )
        .await?;
    rows.iter()
        .map(|r| Ok((r.word(0)?, r.word(1)?, r.int(2)?)))
        .collect()
}

/// The accounts of the people on a roll just snapshotted (`table(tenant_id, owner_column,
/// voter_column)`): voters who are residents with an account, and the current members with an
/// account of voters that are households.
pub async fn roll_accounts(
    tx: &mut Tx,
    table: &'static str,
    [_, owner, voter]: [&str; 3],
    tenant: Uuid,
    owner_id: Uuid,
) -> Result<Vec<Uuid>, StoreError> {
    crate::schema::table(table)
        .filter(|t| t.column(owner).is_some() && t.column(voter).is_some())
        .ok_or_else(|| StoreError::Data(format!("no roll {table}")))?;
    let rows = tx
        .rows(
            &format!(
                "SELECT r.account_id FROM {table} v \
                   JOIN residents r ON r.tenant_id = v.tenant_id AND r.id = v.{voter} \
                  WHERE v.tenant_id = $1 AND v.{owner} = $2 AND r.account_id IS NOT NULL AND r.voided_at IS NULL \
                 UNION \
                 SELECT r.account_id FROM {table} v \
                   JOIN household_members hm ON hm.tenant_id = v.tenant_id AND hm.household_id = v.{voter} AND hm.to_date IS NULL \
                   JOIN residents r ON r.tenant_id = hm.tenant_id AND r.id = hm.resident_id \
                  WHERE v.tenant_id = $1 AND v.{owner} = $2 AND r.account_id IS NOT NULL AND r.voided_at IS NULL"
            ),
            &[tenant.into(), owner_id.into()],
            &[ColType::Id],
        )
        .await?;
    rows.iter().map(|r| r.id(0)).collect()
}

/// The e-mail address an account gave for notifications.
pub async fn email_of(tx: &mut Tx, account: Uuid) -> Result<Option<String>, StoreError> {
    Ok(tx
        .row(
            "SELECT email FROM accounts WHERE id = $1",
            &[account.into()],
            &[ColType::Text],
        )
        .await?
        .map(|r| r.opt_text(0))
        .transpose()?
        .flatten())
}
