//! Migration 13: notifications. A resident follows a place, a project or her own need; a command
//! that changes what she follows writes her a message in its own transaction (the inbox), and one
//! delivery per outside channel she has given an address for (the outbox). A delivery worker
//! sends them with retries; a delivery is marked sent in the same row it was claimed from, so a
//! restart neither loses nor repeats one it knows was sent.

use super::*;

/// A notification table: tenant-owned, added by migration 13.
const fn notify_table(
    name: &'static str,
    columns: &'static [Column],
    primary_key: &'static [&'static str],
    foreign_keys: &'static [ForeignKey],
    indexes: &'static [Index],
    kind: Kind,
) -> Table {
    Table {
        indexes,
        kind,
        since: 13,
        ..tenant_table(name, columns, primary_key, &[], foreign_keys)
    }
}

pub(super) const NOTIFY_TABLES: [Table; NOTIFY_COUNT] = [
    // Who follows what: a resident's own choice, audited like any other record she makes.
    notify_table(
        "follows",
        &[
            col("tenant_id", Id).since(13),
            col("account_id", Id).since(13),
            // `place`, `project` or `need`.
            col("subject", Text).since(13),
            col("subject_id", Id).since(13),
            // Unfollowing keeps the row (the chain records both choices) with this false.
            col("following", Bool).since(13),
            col("changed_at", Int).since(13),
        ],
        &["tenant_id", "subject", "subject_id", "account_id"],
        &[fk(
            "fk_follows_account",
            &["account_id"],
            "accounts",
            &["id"],
        )],
        &[ix("ix_follows_account", &["account_id"])],
        Kind::Audited,
    ),
    // The inbox: one message to one account, written by the command whose event it reports.
    // Its words are made when it is read, in the reader's language, from `kind` and `params_json`.
    // Operational: a private copy of what the audited event already records, marked read without
    // an event of its own.
    notify_table(
        "messages",
        &[
            col("tenant_id", Id).since(13),
            col("id", Id).since(13),
            col("account_id", Id).since(13),
            col("kind", Text).since(13),
            col("subject", Text).since(13),
            col("subject_id", Id).since(13),
            col("params_json", Text).since(13),
            col("created_at", Int).since(13),
            opt("read_at", Int).since(13),
        ],
        &TENANT_ID,
        &[fk(
            "fk_messages_account",
            &["account_id"],
            "accounts",
            &["id"],
        )],
        &[ix("ix_messages_account", &["account_id", "created_at"])],
        Kind::Operational,
    ),
    // The outbox: a message to send by `channel` (`email`, `sms`, `wechat`). `next_attempt_at`
    // is both the retry time and the claim: a worker moves it forward before sending, so another
    // worker (or the same one after a restart) tries again only once that lease has passed.
    notify_table(
        "deliveries",
        &[
            col("tenant_id", Id).since(13),
            col("id", Id).since(13),
            col("message_id", Id).since(13),
            col("channel", Text).since(13),
            // `pending`, `sent` or `failed` (gave up after the configured attempts).
            col("status", Text).since(13),
            col("attempts", Int).since(13),
            col("next_attempt_at", Int).since(13),
            opt("last_error", Text).since(13),
            opt("sent_at", Int).since(13),
        ],
        &TENANT_ID,
        &[fk(
            "fk_deliveries_message",
            &["tenant_id", "message_id"],
            "messages",
            &["tenant_id", "id"],
        )],
        &[ix("ix_deliveries_due", &["status", "next_attempt_at"])],
        Kind::Operational,
    ),
];
