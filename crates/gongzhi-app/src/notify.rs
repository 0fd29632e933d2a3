//! Notifications (DESIGN.md §8, issue 23): residents follow a place, a project or their own need;
//! the command that changes what they follow writes their messages in its own transaction
//! (`Command::notify`), so a message exists exactly when its event does. Each message waits in
//! the person's inbox, and in the outbox once per channel the server delivers by and she has an
//! address for. `deliver_due` sends what is due through a `Sender` (e-mail over SMTP, in the
//! binary; no SMS or WeChat sender exists yet), with retries on the configured schedule.
//!
//! Delivery is at least once: a delivery is claimed (its attempt counted, its next attempt moved
//! a lease ahead) and committed before it is sent, and marked sent in a second transaction. A
//! process killed between the provider's acceptance and that mark sends it again after the
//! lease, under the same Message-ID (`message_key`), so mail clients show it once; a process
//! killed at any other moment neither loses nor repeats it.

use gongzhi_domain::error::DomainError;
use gongzhi_domain::notification::{Channel, MessageKind, Subject, retry_after};
use gongzhi_domain::time::Instant;
use gongzhi_store::notifications::{self as repo_n, MessageRow, NewMessage, Outcome};
use serde_json::Value as Json;
use uuid::Uuid;

use crate::authz::Actor;
use crate::command::{Command, Record, Target};
use crate::{App, AppError, new_id};

/// A message as its reader (a page, the API, a sender) sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub id: Uuid,
    pub kind: MessageKind,
    /// What it is about (its page).
    pub subject: Subject,
    pub subject_id: Uuid,
    /// What its words are made from (a title, a date, a number…), by kind.
    pub params: Json,
    pub created_at: Instant,
    pub read: bool,
}

impl From<MessageRow> for Message {
    fn from(m: MessageRow) -> Self {
        Message {
            id: m.id,
            kind: m.kind,
            subject: m.subject,
            subject_id: m.subject_id,
            // Written by `Command::notify` from a JSON value: unreadable only if edited by hand,
            // and then the words fall back to the kind's without parameters.
            params: serde_json::from_str(&m.params_json).unwrap_or(Json::Null),
            created_at: Instant::from_micros(m.created_at),
            read: m.read_at.is_some(),
        }
    }
}

/// A delivery a sender is asked to make: where to, in which language, and the message.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The delivery's id: the same on every attempt (see `message_key`).
    pub id: Uuid,
    pub channel: Channel,
    pub address: Option<String>,
    pub locale: String,
    pub message: Message,
}

impl Command<'_> {
    /// Writes `kind` about `subject` to each of `recipients` (once each, never to the person
    /// acting), in this command's transaction, with a pending delivery per channel the server
    /// delivers by and the recipient has an address for.
    pub async fn notify(
        &mut self,
        recipients: impl IntoIterator<Item = Uuid>,
        kind: MessageKind,
        (subject, subject_id): (Subject, Uuid),
        params: Json,
    ) -> Result<(), AppError> {
        let me = self.actor().account_id;
        let mut to: Vec<Uuid> = recipients.into_iter().filter(|a| Some(*a) != me).collect();
        to.sort_unstable();
        to.dedup();
        let params_json = params.to_string();
        let messages: Vec<NewMessage> = to
            .into_iter()
            .map(|account_id| NewMessage {
                id: new_id(),
                account_id,
                kind,
                subject,
                subject_id,
                params_json: params_json.clone(),
            })
            .collect();
        let tenant = self.tenant_id();
        let now = self.now().micros();
        let channels = self.app().settings.delivery_channels.clone();
        repo_n::insert_messages(&mut self.tx, tenant, now, &messages, &channels, new_id).await?;
        Ok(())
    }
}

/// Where a followed subject is: its community's chain, found by the subject's own id.
fn target(subject: Subject, id: Uuid) -> Result<Target, AppError> {
    Ok(match subject {
        Subject::Place => Target::Place(id),
        Subject::Project => Target::Record(Record::Project, id),
        Subject::Need => Target::Record(Record::Need, id),
        _ => return Err(AppError::invalid("follow_subject_unknown", "subject")),
    })
}

/// Follows (or stops following) a place, a project or one's own need. One audited command; the
/// same choice twice changes nothing the second time.
pub async fn set_following(
    app: &App,
    actor: &Actor,
    subject: Subject,
    id: Uuid,
    following: bool,
) -> Result<(), AppError> {
    let account = actor.account_id.ok_or(AppError::Unauthenticated)?;
    if !subject.may_be_followed() {
        return Err(AppError::invalid("follow_subject_unknown", "subject"));
    }
    let mut cmd = Command::on(app, actor, target(subject, id)?, "notify.follow").await?;
    let tenant = cmd.tenant_id();
    if subject == Subject::Need {
        let (_, need) = crate::projects::load_need(&mut cmd.tx, id).await?;
        if need.reporter_account_id != Some(account) {
            return Err(AppError::Forbidden);
        }
    }
    if repo_n::follows(&mut cmd.tx, tenant, account, subject, id).await? == following {
        return Ok(());
    }
    cmd.upsert(
        "follows",
        &[
            ("tenant_id", tenant.into()),
            ("subject", subject.into()),
            ("subject_id", id.into()),
            ("account_id", account.into()),
        ],
        &[
            ("following", following.into()),
            ("changed_at", app.now().micros().into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(())
}

/// Whether the person follows the subject (for the page's follow button).
pub async fn is_following(
    app: &App,
    actor: &Actor,
    subject: Subject,
    id: Uuid,
) -> Result<bool, AppError> {
    let Some(account) = actor.account_id else {
        return Ok(false);
    };
    let mut read = app.db.read().await?;
    let tenant = match target(subject, id)? {
        Target::Place(place) => crate::command::tenant_of(&mut read, place).await?,
        Target::Record(kind, id) => kind.tenant(&mut read, id).await?,
        _ => return Ok(false),
    };
    Ok(repo_n::follows(&mut read, tenant, account, subject, id).await?)
}

/// The person's newest messages (at most `limit`) and how many are unread.
pub async fn inbox(app: &App, actor: &Actor, limit: i64) -> Result<(Vec<Message>, i64), AppError> {
    let account = actor.account_id.ok_or(AppError::Unauthenticated)?;
    let mut read = app.db.read().await?;
    let messages = repo_n::inbox(&mut read, account, limit).await?;
    let unread = repo_n::unread(&mut read, account).await?;
    Ok((messages.into_iter().map(Message::from).collect(), unread))
}

/// The e-mail address the person gave for notifications (shown to her alone).
pub async fn email(app: &App, actor: &Actor) -> Result<Option<String>, AppError> {
    let account = actor.account_id.ok_or(AppError::Unauthenticated)?;
    let mut read = app.db.read().await?;
    Ok(repo_n::email_of(&mut read, account).await?)
}

/// How many of the person's messages are unread (the line at the top of her to-do list).
pub async fn unread(app: &App, actor: &Actor) -> Result<i64, AppError> {
    let Some(account) = actor.account_id else {
        return Ok(0);
    };
    let mut read = app.db.read().await?;
    Ok(repo_n::unread(&mut read, account).await?)
}

/// Marks the person's messages read. Operational (like a session), not an audited event: the
/// messages are a private copy of events already on the chain.
pub async fn mark_read(app: &App, actor: &Actor) -> Result<u64, AppError> {
    let account = actor.account_id.ok_or(AppError::Unauthenticated)?;
    let mut tx = app.db.begin().await?;
    let n = repo_n::mark_read(&mut tx, account, app.now().micros()).await?;
    tx.commit().await?;
    Ok(n)
}

/// Sets (or, with an empty string, removes) the e-mail address notifications are sent to.
pub async fn set_email(app: &App, actor: &Actor, email: &str) -> Result<(), AppError> {
    let account = actor.account_id.ok_or(AppError::Unauthenticated)?;
    let email = email.trim();
    if !email.is_empty() && !plausible_email(email) {
        return Err(AppError::Invalid(DomainError::field(
            "email_invalid",
            "email",
        )));
    }
    // The city (the chain account records go to) never changes: found before the command.
    let mut read = app.db.read().await?;
    let root = gongzhi_store::repo::root_jurisdiction(&mut read)
        .await?
        .ok_or(AppError::NotFound("jurisdiction"))?;
    read.rollback().await?;
    let mut cmd = Command::begin(app, actor, root.id, "account.set_email").await?;
    let value: Option<&str> = (!email.is_empty()).then_some(email);
    cmd.update("accounts", &[account.into()], &[("email", value.into())])
        .await?;
    cmd.commit().await?;
    Ok(())
}

/// One `@`, something before it, a dot in a domain after it, no spaces, at most 254 characters:
/// enough to catch a phone number typed in the wrong box; the mail server says the rest.
fn plausible_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    s.chars().count() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c == '<' || c == '>')
        && !domain.contains('@')
}

/// The stable key of a delivery (an e-mail's Message-ID): the same on every attempt, so a
/// message sent twice after a crash is shown once.
pub fn message_key(delivery: Uuid) -> String {
    format!("{}@gongzhi", delivery.simple())
}

/// Sends one delivery by its channel. An error is what the provider said, kept on the delivery.
pub trait Sender: Send + Sync {
    fn channels(&self) -> &[Channel];
    fn send(
        &self,
        delivery: &Outgoing,
    ) -> impl std::future::Future<Output = Result<(), String>> + Send;
}

/// What one round of delivery did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub retried: usize,
    pub gave_up: usize,
}

/// Sends the deliveries due now (at most `batch`), each claimed in its own transaction before it
/// is sent and settled in another after.
pub async fn deliver_due<S: Sender>(app: &App, sender: &S, batch: i64) -> Result<Round, AppError> {
    let s = &app.settings;
    let now = app.now();
    let mut read = app.db.read().await?;
    let due = repo_n::due(&mut read, now.micros(), batch).await?;
    read.rollback().await?;
    let mut round = Round::default();
    for d in due {
        if !sender.channels().contains(&d.channel) {
            continue;
        }
        let mut tx = app.db.begin().await?;
        let lease_until = now.plus_seconds(s.delivery_lease_secs).micros();
        if !repo_n::claim(&mut tx, &d, lease_until).await? {
            tx.rollback().await?;
            continue;
        }
        tx.commit().await?;
        let attempts = u32::try_from(d.attempts + 1).unwrap_or(u32::MAX);
        let (tenant, id) = (d.tenant_id, d.id);
        let outgoing = Outgoing {
            id: d.id,
            channel: d.channel,
            address: d.address,
            locale: d.locale,
            message: Message::from(d.message),
        };
        let outcome = match outgoing.address {
            None => Outcome::GaveUp {
                error: "no address".into(),
            },
            Some(_) => match sender.send(&outgoing).await {
                Ok(()) => Outcome::Sent {
                    at: app.now().micros(),
                },
                Err(error) => {
                    match retry_after(attempts, s.delivery_max_attempts, &s.delivery_retry_secs) {
                        Some(secs) => Outcome::Retry {
                            at: app
                                .now()
                                .plus_seconds(i64::try_from(secs).unwrap_or(i64::MAX / 2))
                                .micros(),
                            error,
                        },
                        None => Outcome::GaveUp { error },
                    }
                }
            },
        };
        match outcome {
            Outcome::Sent { .. } => round.sent += 1,
            Outcome::Retry { .. } => round.retried += 1,
            Outcome::GaveUp { .. } => round.gave_up += 1,
        }
        let mut tx = app.db.begin().await?;
        repo_n::settle(&mut tx, tenant, id, &outcome).await?;
        tx.commit().await?;
    }
    Ok(round)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plausible_emails() {
        assert!(plausible_email("tian@example.cn"));
        assert!(!plausible_email("13800000001"));
        assert!(!plausible_email("a@b"));
        assert!(!plausible_email("a b@c.cn"));
        assert!(!plausible_email("@c.cn"));
    }
}
