//! The schema as data. Every table is described once here; the DDL for each backend, the
//! export/import format, audit after-images and the tenancy lint are all derived from it.
//! To change the schema, add a migration number to `MIGRATIONS`, mark new tables or columns with
//! `since` = that number, and never change what an applied migration renders (its checksum is
//! stored and checked at start-up).

/// Logical column types and how each backend stores them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColType {
    /// UUID (v7 when made by the app): native `UUID` on PostgreSQL, 16-byte `BLOB` on SQLite.
    Id,
    /// 64-bit integer: fen, microsecond instants, counters.
    Int,
    Text,
    Bool,
    Bytes,
}

impl ColType {
    pub fn postgres(self) -> &'static str {
        match self {
            ColType::Id => "UUID",
            ColType::Int => "BIGINT",
            ColType::Text => "TEXT",
            ColType::Bool => "BOOLEAN",
            ColType::Bytes => "BYTEA",
        }
    }
    pub fn sqlite(self) -> &'static str {
        match self {
            ColType::Id | ColType::Bytes => "BLOB",
            ColType::Int | ColType::Bool => "INTEGER",
            ColType::Text => "TEXT",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub ty: ColType,
    pub nullable: bool,
    /// Personal data: shown to entitled staff only, replaced by a salted hash in audit events.
    pub personal: bool,
    /// File content: recorded in audit events as its SHA-256, not byte for byte.
    pub content: bool,
    pub since: u32,
}

const fn col(name: &'static str, ty: ColType) -> Column {
    Column {
        name,
        ty,
        nullable: false,
        personal: false,
        content: false,
        since: 1,
    }
}
const fn opt(name: &'static str, ty: ColType) -> Column {
    Column {
        name,
        ty,
        nullable: true,
        personal: false,
        content: false,
        since: 1,
    }
}
const fn personal(name: &'static str, ty: ColType, nullable: bool) -> Column {
    Column {
        name,
        ty,
        nullable,
        personal: true,
        content: false,
        since: 1,
    }
}

const fn content(name: &'static str) -> Column {
    Column {
        name,
        ty: ColType::Bytes,
        nullable: false,
        personal: false,
        content: true,
        since: 1,
    }
}

#[derive(Debug, Clone, Copy)]
pub struct ForeignKey {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    pub table: &'static str,
    pub references: &'static [&'static str],
}

#[derive(Debug, Clone, Copy)]
pub struct Unique {
    pub name: &'static str,
    pub columns: &'static [&'static str],
}

#[derive(Debug, Clone, Copy)]
pub struct Index {
    pub name: &'static str,
    pub columns: &'static [&'static str],
}

/// Who owns a table's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tenancy {
    /// Owned by one jurisdiction: `tenant_id` leads the primary key, every unique index and every
    /// foreign key to another tenant table (the Citus distribution column).
    Tenant,
    /// City-wide reference data (jurisdictions, accounts): replicated to every shard later.
    Reference,
}

/// What happens to a table's rows in exports and the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Business records: every write is imaged in an audit event; exported.
    Audited,
    /// The audit log itself and its chain heads: exported, verified by hash.
    AuditLog,
    /// Secrets needed to verify personal-data hashes: in a full backup, never in an auditor's export.
    Secret,
    /// Sessions, login throttles, migrations bookkeeping: neither audited nor exported.
    Operational,
    /// Secret ballots: written without an image while their ballot box is open, so that no event
    /// pairs a voter with a ballot; the command that opens the box images them all at once, in the
    /// order of their random ids. The first three key columns are tenant, box and ballot id. On
    /// SQLite the table is `WITHOUT ROWID`, so rows are stored in key order, not insertion order.
    /// Exported in full backups only (an auditor reads opened ballots from the chain).
    Sealed,
}

#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [Column],
    pub primary_key: &'static [&'static str],
    pub uniques: &'static [Unique],
    pub foreign_keys: &'static [ForeignKey],
    pub indexes: &'static [Index],
    pub tenancy: Tenancy,
    pub kind: Kind,
    pub since: u32,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
    pub fn pk_positions(&self) -> Vec<usize> {
        self.primary_key
            .iter()
            .filter_map(|k| self.columns.iter().position(|c| c.name == *k))
            .collect()
    }
    pub fn select_list(&self) -> String {
        self.columns
            .iter()
            .map(|c| c.name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

use ColType::{Bool, Bytes, Id, Int, Text};

mod m01_foundation;
mod m02_councils;
mod m03_ledger;
mod m04_projects;
mod m05_elections;
mod m06_procurement;
mod m08_budget_votes;
mod m13_notifications;

use m01_foundation::*;
use m02_councils::*;
use m03_ledger::*;
use m04_projects::*;
use m05_elections::*;
use m06_procurement::*;
use m08_budget_votes::*;
use m13_notifications::*;

impl Column {
    /// The same column, added by migration `since` (the one column builder: `col`, `opt`,
    /// `personal` and `content` make a column of the first migration).
    pub(crate) const fn since(self, since: u32) -> Column {
        Column { since, ..self }
    }
}

const FOUNDATION_COUNT: usize = 11;
const COUNCIL_COUNT: usize = 15;
const LEDGER_COUNT: usize = 9;
const PROJECT_COUNT: usize = 11;
const ELECTION_COUNT: usize = 5;
const PURCHASE_COUNT: usize = 13;
const VOTE_COUNT: usize = 4;
const NOTIFY_COUNT: usize = 3;
const BUSINESS_COUNT: usize = FOUNDATION_COUNT
    + COUNCIL_COUNT
    + LEDGER_COUNT
    + PROJECT_COUNT
    + ELECTION_COUNT
    + PURCHASE_COUNT
    + VOTE_COUNT
    + NOTIFY_COUNT;

/// Every table, in dependency order (a table only references tables before it). The audit log and
/// operational tables come last, so exports list business rows first.
pub const TABLES: &[Table] = &concat_tables();

const fn concat_tables() -> [Table; BUSINESS_COUNT + 4] {
    let mut out = [FOUNDATION_TABLES[0]; BUSINESS_COUNT + 4];
    let mut i = 0;
    while i < FOUNDATION_COUNT {
        out[i] = FOUNDATION_TABLES[i];
        i += 1;
    }
    let mut k = 0;
    while k < COUNCIL_COUNT {
        out[FOUNDATION_COUNT + k] = COUNCIL_TABLES[k];
        k += 1;
    }
    let mut l = 0;
    while l < LEDGER_COUNT {
        out[FOUNDATION_COUNT + COUNCIL_COUNT + l] = LEDGER_TABLES[l];
        l += 1;
    }
    let mut p = 0;
    while p < PROJECT_COUNT {
        out[FOUNDATION_COUNT + COUNCIL_COUNT + LEDGER_COUNT + p] = PROJECT_TABLES[p];
        p += 1;
    }
    let mut e = 0;
    while e < ELECTION_COUNT {
        out[FOUNDATION_COUNT + COUNCIL_COUNT + LEDGER_COUNT + PROJECT_COUNT + e] =
            ELECTION_TABLES[e];
        e += 1;
    }
    let mut q = 0;
    while q < PURCHASE_COUNT {
        out[BUSINESS_COUNT - NOTIFY_COUNT - VOTE_COUNT - PURCHASE_COUNT + q] = PURCHASE_TABLES[q];
        q += 1;
    }
    let mut b = 0;
    while b < VOTE_COUNT {
        out[BUSINESS_COUNT - NOTIFY_COUNT - VOTE_COUNT + b] = VOTE_TABLES[b];
        b += 1;
    }
    let mut n = 0;
    while n < NOTIFY_COUNT {
        out[BUSINESS_COUNT - NOTIFY_COUNT + n] = NOTIFY_TABLES[n];
        n += 1;
    }
    let mut m = 0;
    while m < 4 {
        out[BUSINESS_COUNT + m] = AUDIT_AND_OPERATIONAL_TABLES[m];
        m += 1;
    }
    out
}

/// What a duplicate means to the person who caused it, by constraint: the error code (a message
/// id) and the field it is about. A unique or primary key constraint that two people acting at
/// once can both reach is listed here, so the loser hears what happened instead of an internal
/// error; one not listed still ends as `already_recorded` (`duplicate_error`). Primary keys are
/// named `pk_{table}`.
pub const DUPLICATES: &[(&str, &str, &str)] = &[
    ("uq_households_address", "household_duplicate", "room"),
    ("uq_buildings_label", "building_duplicate", "label"),
    ("uq_accounts_username", "username_taken", "username"),
    ("uq_jurisdictions_code", "jurisdiction_code_taken", "code"),
    ("uq_resolutions_motion", "motion_closed", "motion_id"),
    (
        "uq_organisations_credit_code",
        "credit_code_taken",
        "credit_code",
    ),
    (
        "uq_purchase_plans_buyer_year",
        "purchase_plan_exists",
        "year",
    ),
    (
        "uq_call_bids_org",
        "bid_already_submitted",
        "organisation_id",
    ),
    (
        "pk_minute_signatures",
        "minutes_already_signed_by_you",
        "meeting_id",
    ),
    ("pk_recusals", "recusal_already_declared", "seat_id"),
    (
        "pk_expense_signatures",
        "signoff_already_signed",
        "expense_id",
    ),
    ("uq_statements_period", "statement_exists", "period_start"),
    (
        "uq_ledger_transfers_reverses",
        "transfer_already_reversed",
        "transfer_id",
    ),
];

/// The error a duplicate on `constraint` means: its listed code and field, or `already_recorded`
/// — the same thing was recorded a moment ago, most likely by someone acting at the same time.
pub fn duplicate_error(constraint: &str) -> (&'static str, &'static str) {
    DUPLICATES
        .iter()
        .find(|(name, ..)| *name == constraint)
        .map(|(_, code, field)| (*code, *field))
        .unwrap_or(("already_recorded", "id"))
}

pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

/// Indexes added to tables that already existed, with the migration that adds each.
pub const LATER_INDEXES: &[(u32, &str, Index)] = &[
    // A command addressed by a seat's or a bid's id alone finds its community without a scan.
    (
        12,
        "council_seats",
        Index {
            name: "ix_council_seats_id",
            columns: &["id"],
        },
    ),
    (
        12,
        "call_bids",
        Index {
            name: "ix_call_bids_id",
            columns: &["id"],
        },
    ),
];

impl Table {
    /// Whether a record of this table can be found by its `id` alone through an index: the
    /// tables whose records commands and pages address by id (see `rows::tenant_of`).
    pub fn indexed_by_id(&self) -> bool {
        let led_by_id = |cols: &[&str]| cols.first() == Some(&"id");
        self.column("id").is_some()
            && (led_by_id(self.primary_key)
                || self.uniques.iter().any(|u| led_by_id(u.columns))
                || self.indexes.iter().any(|i| led_by_id(i.columns))
                || LATER_INDEXES
                    .iter()
                    .any(|(_, t, i)| *t == self.name && led_by_id(i.columns)))
    }
}

/// The latest migration number. Each number is one migration; see `migrate.rs`.
pub const LATEST: u32 = 13;

/// Names of the migrations, by number.
pub const MIGRATION_NAMES: &[(u32, &str)] = &[
    (1, "foundation"),
    (2, "councils"),
    (3, "ledger"),
    (4, "projects"),
    (5, "elections"),
    (6, "procurement"),
    (7, "grant_rounds"),
    (8, "budget_votes"),
    (9, "comment_review"),
    (10, "objection_review"),
    (11, "approved_amounts"),
    (12, "id_lookups"),
    (13, "notifications"),
];
