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

/// Every table, in dependency order (a table only references tables before it).
const FOUNDATION_TABLES: [Table; FOUNDATION_COUNT] = [
    Table {
        name: "jurisdictions",
        columns: &[
            col("id", Id),
            opt("parent_id", Id),
            col("level", Text),
            col("code", Text),
            col("name_zh", Text),
            col("name_en", Text),
            col("created_at", Int),
        ],
        primary_key: &["id"],
        uniques: &[Unique {
            name: "uq_jurisdictions_code",
            columns: &["code"],
        }],
        foreign_keys: &[ForeignKey {
            name: "fk_jurisdictions_parent",
            columns: &["parent_id"],
            table: "jurisdictions",
            references: &["id"],
        }],
        indexes: &[Index {
            name: "ix_jurisdictions_parent",
            columns: &["parent_id"],
        }],
        tenancy: Tenancy::Reference,
        kind: Kind::Audited,
        since: 1,
    },
    Table {
        name: "accounts",
        columns: &[
            col("id", Id),
            opt("username", Text),
            personal("phone", Text, true),
            personal("display_name", Text, false),
            personal("password_hash", Text, false),
            col("locale", Text),
            col("disabled", Bool),
            col("created_at", Int),
        ],
        primary_key: &["id"],
        uniques: &[Unique {
            name: "uq_accounts_username",
            columns: &["username"],
        }],
        foreign_keys: &[],
        indexes: &[Index {
            name: "ix_accounts_phone",
            columns: &["phone"],
        }],
        tenancy: Tenancy::Reference,
        kind: Kind::Audited,
        since: 1,
    },
    Table {
        name: "tenant_salts",
        columns: &[col("tenant_id", Id), col("salt", Bytes)],
        primary_key: &["tenant_id"],
        uniques: &[],
        foreign_keys: &[ForeignKey {
            name: "fk_tenant_salts_tenant",
            columns: &["tenant_id"],
            table: "jurisdictions",
            references: &["id"],
        }],
        indexes: &[],
        tenancy: Tenancy::Tenant,
        kind: Kind::Secret,
        since: 1,
    },
    Table {
        name: "role_grants",
        columns: &[
            col("tenant_id", Id),
            col("id", Id),
            col("account_id", Id),
            col("jurisdiction_id", Id),
            col("role", Text),
            col("granted_at", Int),
            opt("voided_at", Int),
            opt("void_reason", Text),
        ],
        primary_key: &["tenant_id", "id"],
        uniques: &[],
        foreign_keys: &[
            ForeignKey {
                name: "fk_role_grants_account",
                columns: &["account_id"],
                table: "accounts",
                references: &["id"],
            },
            ForeignKey {
                name: "fk_role_grants_jurisdiction",
                columns: &["jurisdiction_id"],
                table: "jurisdictions",
                references: &["id"],
            },
        ],
        indexes: &[Index {
            name: "ix_role_grants_account",
            columns: &["account_id"],
        }],
        tenancy: Tenancy::Tenant,
        kind: Kind::Audited,
        since: 1,
    },
    Table {
        name: "residents",
        columns: &[
            col("tenant_id", Id),
            col("id", Id),
            personal("name", Text, false),
            personal("phone", Text, true),
            personal("id_number", Text, true),
            opt("courtyard_id", Id),
            opt("account_id", Id),
            opt("merged_into", Id),
            col("created_at", Int),
            opt("voided_at", Int),
            opt("void_reason", Text),
        ],
        primary_key: &["tenant_id", "id"],
        uniques: &[],
        foreign_keys: &[
            ForeignKey {
                name: "fk_residents_courtyard",
                columns: &["courtyard_id"],
                table: "jurisdictions",
                references: &["id"],
            },
            ForeignKey {
                name: "fk_residents_account",
                columns: &["account_id"],
                table: "accounts",
                references: &["id"],
            },
            ForeignKey {
                name: "fk_residents_merged_into",
                columns: &["tenant_id", "merged_into"],
                table: "residents",
                references: &["tenant_id", "id"],
            },
        ],
        indexes: &[Index {
            name: "ix_residents_phone",
            columns: &["tenant_id", "phone"],
        }],
        tenancy: Tenancy::Tenant,
        kind: Kind::Audited,
        since: 1,
    },
    Table {
        name: "offices",
        columns: &[
            col("tenant_id", Id),
            col("id", Id),
            col("jurisdiction_id", Id),
            col("office", Text),
            col("account_id", Id),
            col("term_start", Text),
            opt("term_end", Text),
            opt("voided_at", Int),
            opt("void_reason", Text),
        ],
        primary_key: &["tenant_id", "id"],
        uniques: &[],
        foreign_keys: &[
            ForeignKey {
                name: "fk_offices_account",
                columns: &["account_id"],
                table: "accounts",
                references: &["id"],
            },
            ForeignKey {
                name: "fk_offices_jurisdiction",
                columns: &["jurisdiction_id"],
                table: "jurisdictions",
                references: &["id"],
            },
        ],
        indexes: &[],
        tenancy: Tenancy::Tenant,
        kind: Kind::Audited,
        since: 1,
    },
    Table {
        name: "buildings",
        columns: &[
            col("tenant_id", Id),
            col("id", Id),
            col("courtyard_id", Id),
            col("label", Text),
        ],
        primary_key: &["tenant_id", "id"],
        uniques: &[Unique {
            name: "uq_buildings_label",
            columns: &["tenant_id", "courtyard_id", "label"],
        }],
        foreign_keys: &[ForeignKey {
            name: "fk_buildings_courtyard",
            columns: &["courtyard_id"],
            table: "jurisdictions",
            references: &["id"],
        }],
        indexes: &[],
        tenancy: Tenancy::Tenant,
        kind: Kind::Audited,
        since: 1,
    },
    Table {
        name: "households",
        columns: &[
            col("tenant_id", Id),
            col("id", Id),
            col("building_id", Id),
            col("unit", Text),
            col("room", Text),
            opt("voided_at", Int),
            opt("void_reason", Text),
        ],
        primary_key: &["tenant_id", "id"],
        uniques: &[Unique {
            name: "uq_households_address",
            columns: &["tenant_id", "building_id", "unit", "room"],
        }],
        foreign_keys: &[ForeignKey {
            name: "fk_households_building",
            columns: &["tenant_id", "building_id"],
            table: "buildings",
            references: &["tenant_id", "id"],
        }],
        indexes: &[],
        tenancy: Tenancy::Tenant,
        kind: Kind::Audited,
        since: 1,
    },
    Table {
        name: "household_members",
        columns: &[
            col("tenant_id", Id),
            col("id", Id),
            col("household_id", Id),
            col("resident_id", Id),
            col("representative", Bool),
            col("from_date", Text),
            opt("to_date", Text),
        ],
        primary_key: &["tenant_id", "id"],
        uniques: &[],
        foreign_keys: &[
            ForeignKey {
                name: "fk_household_members_household",
                columns: &["tenant_id", "household_id"],
                table: "households",
                references: &["tenant_id", "id"],
            },
            ForeignKey {
                name: "fk_household_members_resident",
                columns: &["tenant_id", "resident_id"],
                table: "residents",
                references: &["tenant_id", "id"],
            },
        ],
        indexes: &[Index {
            name: "ix_household_members_household",
            columns: &["tenant_id", "household_id"],
        }],
        tenancy: Tenancy::Tenant,
        kind: Kind::Audited,
        since: 1,
    },
    Table {
        name: "rule_versions",
        columns: &[
            col("tenant_id", Id),
            col("id", Id),
            col("rule_key", Text),
            col("value_json", Text),
            col("effective_from", Text),
            col("recorded_at", Int),
            opt("author_id", Id),
            col("reason", Text),
        ],
        primary_key: &["tenant_id", "id"],
        uniques: &[],
        foreign_keys: &[ForeignKey {
            name: "fk_rule_versions_author",
            columns: &["author_id"],
            table: "accounts",
            references: &["id"],
        }],
        indexes: &[Index {
            name: "ix_rule_versions_key",
            columns: &["tenant_id", "rule_key"],
        }],
        tenancy: Tenancy::Tenant,
        kind: Kind::Audited,
        since: 1,
    },
    Table {
        name: "uploads",
        columns: &[
            col("tenant_id", Id),
            col("sha256", Text),
            col("media_type", Text),
            col("size", Int),
            content("content"),
            col("uploaded_at", Int),
            opt("uploaded_by", Id),
        ],
        primary_key: &["tenant_id", "sha256"],
        uniques: &[],
        foreign_keys: &[ForeignKey {
            name: "fk_uploads_uploaded_by",
            columns: &["uploaded_by"],
            table: "accounts",
            references: &["id"],
        }],
        indexes: &[],
        tenancy: Tenancy::Tenant,
        kind: Kind::Audited,
        since: 1,
    },
];

const AUDIT_AND_OPERATIONAL_TABLES: [Table; 4] = [
    Table {
        name: "audit_events",
        columns: &[
            col("tenant_id", Id),
            col("seq", Int),
            col("id", Id),
            col("occurred_at", Int),
            opt("actor_id", Id),
            opt("on_behalf_of", Id),
            col("channel", Text),
            col("command", Text),
            col("payload", Text),
            col("prev_hash", Text),
            col("hash", Text),
        ],
        primary_key: &["tenant_id", "seq"],
        uniques: &[Unique {
            name: "uq_audit_events_id",
            columns: &["tenant_id", "id"],
        }],
        foreign_keys: &[],
        indexes: &[],
        tenancy: Tenancy::Tenant,
        kind: Kind::AuditLog,
        since: 1,
    },
    Table {
        name: "audit_heads",
        columns: &[
            col("tenant_id", Id),
            col("seq", Int),
            col("hash", Text),
            col("updated_at", Int),
        ],
        primary_key: &["tenant_id"],
        uniques: &[],
        foreign_keys: &[],
        indexes: &[],
        tenancy: Tenancy::Tenant,
        kind: Kind::AuditLog,
        since: 1,
    },
    Table {
        name: "sessions",
        columns: &[
            col("token_hash", Text),
            col("account_id", Id),
            col("created_at", Int),
            col("expires_at", Int),
            opt("acting_for", Id),
        ],
        primary_key: &["token_hash"],
        uniques: &[],
        foreign_keys: &[ForeignKey {
            name: "fk_sessions_account",
            columns: &["account_id"],
            table: "accounts",
            references: &["id"],
        }],
        indexes: &[],
        tenancy: Tenancy::Reference,
        kind: Kind::Operational,
        since: 1,
    },
    Table {
        name: "login_throttle",
        columns: &[
            col("throttle_key", Text),
            col("failures", Int),
            col("window_start", Int),
            opt("locked_until", Int),
        ],
        primary_key: &["throttle_key"],
        uniques: &[],
        foreign_keys: &[],
        indexes: &[],
        tenancy: Tenancy::Reference,
        kind: Kind::Operational,
        since: 1,
    },
];

// ---- migration 2: councils, meetings, votes, resolutions and their public notice ----

const fn col2(name: &'static str, ty: ColType) -> Column {
    Column {
        since: 2,
        ..col(name, ty)
    }
}
const fn opt2(name: &'static str, ty: ColType) -> Column {
    Column {
        since: 2,
        ..opt(name, ty)
    }
}

const fn fk(
    name: &'static str,
    columns: &'static [&'static str],
    table: &'static str,
    references: &'static [&'static str],
) -> ForeignKey {
    ForeignKey {
        name,
        columns,
        table,
        references,
    }
}

const fn tenant_table(
    name: &'static str,
    columns: &'static [Column],
    primary_key: &'static [&'static str],
    uniques: &'static [Unique],
    foreign_keys: &'static [ForeignKey],
) -> Table {
    Table {
        name,
        columns,
        primary_key,
        uniques,
        foreign_keys,
        indexes: &[],
        tenancy: Tenancy::Tenant,
        kind: Kind::Audited,
        since: 2,
    }
}

/// The same, with an index on `id` alone: these records are addressed by id in the API.
const fn addressed_table(
    name: &'static str,
    columns: &'static [Column],
    uniques: &'static [Unique],
    foreign_keys: &'static [ForeignKey],
    id_index: &'static [Index],
) -> Table {
    Table {
        indexes: id_index,
        ..tenant_table(name, columns, &["tenant_id", "id"], uniques, foreign_keys)
    }
}

const COUNCIL_TABLES: [Table; COUNCIL_COUNT] = [
    addressed_table(
        "councils",
        &[
            col2("tenant_id", Id),
            col2("id", Id),
            col2("jurisdiction_id", Id),
            col2("kind", Text),
            col2("name_zh", Text),
            col2("name_en", Text),
            col2("short_name", Text),
            col2("created_at", Int),
        ],
        &[],
        &[fk(
            "fk_councils_jurisdiction",
            &["jurisdiction_id"],
            "jurisdictions",
            &["id"],
        )],
        &[Index {
            name: "ix_councils_id",
            columns: &["id"],
        }],
    ),
    tenant_table(
        "council_seats",
        &[
            col2("tenant_id", Id),
            col2("id", Id),
            col2("council_id", Id),
            col2("resident_id", Id),
            col2("seat_role", Text),
            col2("term_start", Text),
            opt2("term_end", Text),
            opt2("voided_at", Int),
            opt2("void_reason", Text),
            opt5("end_reason", Text),
        ],
        &["tenant_id", "id"],
        &[],
        &[
            fk(
                "fk_council_seats_council",
                &["tenant_id", "council_id"],
                "councils",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_council_seats_resident",
                &["tenant_id", "resident_id"],
                "residents",
                &["tenant_id", "id"],
            ),
        ],
    ),
    addressed_table(
        "meetings",
        &[
            col2("tenant_id", Id),
            col2("id", Id),
            col2("council_id", Id),
            col2("title", Text),
            col2("scheduled_for", Int),
            col2("status", Text),
            opt2("opened_at", Int),
            opt2("closed_at", Int),
            col2("created_at", Int),
            opt2("minutes", Text),
            opt2("minutes_written_at", Int),
            col2("present_count", Int),
            opt5("series_id", Id),
        ],
        &[],
        &[fk(
            "fk_meetings_council",
            &["tenant_id", "council_id"],
            "councils",
            &["tenant_id", "id"],
        )],
        &[Index {
            name: "ix_meetings_id",
            columns: &["id"],
        }],
    ),
    tenant_table(
        "attendance",
        &[
            col2("tenant_id", Id),
            col2("meeting_id", Id),
            col2("seat_id", Id),
            col2("present", Bool),
            col2("recorded_at", Int),
            opt2("recorded_by", Id),
        ],
        &["tenant_id", "meeting_id", "seat_id"],
        &[],
        &[
            fk(
                "fk_attendance_meeting",
                &["tenant_id", "meeting_id"],
                "meetings",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_attendance_seat",
                &["tenant_id", "seat_id"],
                "council_seats",
                &["tenant_id", "id"],
            ),
        ],
    ),
    tenant_table(
        "minute_signatures",
        &[
            col2("tenant_id", Id),
            col2("meeting_id", Id),
            col2("seat_id", Id),
            col2("signed_at", Int),
        ],
        &["tenant_id", "meeting_id", "seat_id"],
        &[],
        &[
            fk(
                "fk_minute_signatures_meeting",
                &["tenant_id", "meeting_id"],
                "meetings",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_minute_signatures_seat",
                &["tenant_id", "seat_id"],
                "council_seats",
                &["tenant_id", "id"],
            ),
        ],
    ),
    addressed_table(
        "motions",
        &[
            col2("tenant_id", Id),
            col2("id", Id),
            col2("council_id", Id),
            opt2("meeting_id", Id),
            col2("kind", Text),
            col2("title", Text),
            col2("body", Text),
            col2("needs_notice", Bool),
            col2("status", Text),
            col2("opened_at", Int),
            opt2("closed_at", Int),
            opt2("result_json", Text),
            col2("rules_json", Text),
            col2("seated", Int),
            opt2("convention_id", Id),
            opt2("proposed_text", Text),
            // What a project approval approves from the fund, in fen, when no project states
            // it (migration 11): budgets on its resolution never reserve more in total.
            Column {
                since: 11,
                ..opt("approved_fund", Int)
            },
        ],
        &[],
        &[
            fk(
                "fk_motions_council",
                &["tenant_id", "council_id"],
                "councils",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_motions_meeting",
                &["tenant_id", "meeting_id"],
                "meetings",
                &["tenant_id", "id"],
            ),
        ],
        &[Index {
            name: "ix_motions_id",
            columns: &["id"],
        }],
    ),
    tenant_table(
        "recusals",
        &[
            col2("tenant_id", Id),
            col2("motion_id", Id),
            col2("seat_id", Id),
            col2("reason", Text),
        ],
        &["tenant_id", "motion_id", "seat_id"],
        &[],
        &[
            fk(
                "fk_recusals_motion",
                &["tenant_id", "motion_id"],
                "motions",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_recusals_seat",
                &["tenant_id", "seat_id"],
                "council_seats",
                &["tenant_id", "id"],
            ),
        ],
    ),
    tenant_table(
        "votes",
        &[
            col2("tenant_id", Id),
            col2("motion_id", Id),
            col2("seat_id", Id),
            col2("choice", Text),
            col2("cast_at", Int),
            opt2("recorded_by", Id),
        ],
        &["tenant_id", "motion_id", "seat_id"],
        &[],
        &[
            fk(
                "fk_votes_motion",
                &["tenant_id", "motion_id"],
                "motions",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_votes_seat",
                &["tenant_id", "seat_id"],
                "council_seats",
                &["tenant_id", "id"],
            ),
        ],
    ),
    addressed_table(
        "resolutions",
        &[
            col2("tenant_id", Id),
            col2("id", Id),
            col2("council_id", Id),
            col2("motion_id", Id),
            col2("year", Int),
            col2("number", Int),
            col2("label", Text),
            opt2("notice_start", Int),
            opt2("notice_end", Int),
            opt2("returned_at", Int),
            col2("created_at", Int),
        ],
        &[
            Unique {
                name: "uq_resolutions_number",
                columns: &["tenant_id", "council_id", "year", "number"],
            },
            Unique {
                name: "uq_resolutions_motion",
                columns: &["tenant_id", "motion_id"],
            },
        ],
        &[
            fk(
                "fk_resolutions_council",
                &["tenant_id", "council_id"],
                "councils",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_resolutions_motion",
                &["tenant_id", "motion_id"],
                "motions",
                &["tenant_id", "id"],
            ),
        ],
        &[Index {
            name: "ix_resolutions_id",
            columns: &["id"],
        }],
    ),
    tenant_table(
        "objections",
        &[
            col2("tenant_id", Id),
            col2("id", Id),
            col2("resolution_id", Id),
            col2("account_id", Id),
            Column {
                since: 2,
                ..personal("body", Text, false)
            },
            col2("lang", Text),
            col2("filed_at", Int),
            opt2("answer", Text),
            opt2("upheld", Bool),
            opt2("answered_at", Int),
            opt2("answered_by", Id),
            // The resident's words reach public pages only once staff published them (numbers
            // still redacted there): NULL while they wait, then `published` or `withheld`
            // (migration 10), as a rating's comment.
            Column {
                since: 10,
                ..opt("body_review", Text)
            },
            Column {
                since: 10,
                ..opt("reviewed_at", Int)
            },
        ],
        &["tenant_id", "id"],
        &[],
        &[
            fk(
                "fk_objections_resolution",
                &["tenant_id", "resolution_id"],
                "resolutions",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_objections_account",
                &["account_id"],
                "accounts",
                &["id"],
            ),
        ],
    ),
    addressed_table(
        "conventions",
        &[
            col2("tenant_id", Id),
            col2("id", Id),
            col2("jurisdiction_id", Id),
            col2("title", Text),
            col2("created_at", Int),
        ],
        &[],
        &[fk(
            "fk_conventions_jurisdiction",
            &["jurisdiction_id"],
            "jurisdictions",
            &["id"],
        )],
        &[Index {
            name: "ix_conventions_id",
            columns: &["id"],
        }],
    ),
    tenant_table(
        "convention_versions",
        &[
            col2("tenant_id", Id),
            col2("convention_id", Id),
            col2("version", Int),
            col2("body", Text),
            col2("motion_id", Id),
            col2("adopted_at", Int),
        ],
        &["tenant_id", "convention_id", "version"],
        &[],
        &[
            fk(
                "fk_convention_versions_convention",
                &["tenant_id", "convention_id"],
                "conventions",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_convention_versions_motion",
                &["tenant_id", "motion_id"],
                "motions",
                &["tenant_id", "id"],
            ),
        ],
    ),
    tenant_table(
        "declared_relatives",
        &[
            col2("tenant_id", Id),
            col2("id", Id),
            col2("resident_id", Id),
            col2("relative_id", Id),
            col2("relation", Text),
            col2("declared_at", Int),
            opt2("voided_at", Int),
            opt2("void_reason", Text),
        ],
        &["tenant_id", "id"],
        &[],
        &[
            fk(
                "fk_declared_relatives_resident",
                &["tenant_id", "resident_id"],
                "residents",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_declared_relatives_relative",
                &["tenant_id", "relative_id"],
                "residents",
                &["tenant_id", "id"],
            ),
        ],
    ),
    addressed_table(
        "meeting_requests",
        &[
            col2("tenant_id", Id),
            col2("id", Id),
            col2("council_id", Id),
            col2("reason", Text),
            col2("created_at", Int),
            opt2("meeting_id", Id),
        ],
        &[],
        &[
            fk(
                "fk_meeting_requests_council",
                &["tenant_id", "council_id"],
                "councils",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_meeting_requests_meeting",
                &["tenant_id", "meeting_id"],
                "meetings",
                &["tenant_id", "id"],
            ),
        ],
        &[Index {
            name: "ix_meeting_requests_id",
            columns: &["id"],
        }],
    ),
    tenant_table(
        "meeting_request_supports",
        &[
            col2("tenant_id", Id),
            col2("request_id", Id),
            col2("seat_id", Id),
            col2("supported_at", Int),
        ],
        &["tenant_id", "request_id", "seat_id"],
        &[],
        &[
            fk(
                "fk_meeting_request_supports_request",
                &["tenant_id", "request_id"],
                "meeting_requests",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_meeting_request_supports_seat",
                &["tenant_id", "seat_id"],
                "council_seats",
                &["tenant_id", "id"],
            ),
        ],
    ),
];

// ---- migration 3: the community fund ledger ----

const fn col3(name: &'static str, ty: ColType) -> Column {
    Column {
        since: 3,
        ..col(name, ty)
    }
}
const fn opt3(name: &'static str, ty: ColType) -> Column {
    Column {
        since: 3,
        ..opt(name, ty)
    }
}

/// A ledger table: tenant-owned, audited, added by migration 3, addressed by id where `id_index`
/// is given.
const fn ledger_table(
    name: &'static str,
    columns: &'static [Column],
    primary_key: &'static [&'static str],
    uniques: &'static [Unique],
    foreign_keys: &'static [ForeignKey],
    indexes: &'static [Index],
) -> Table {
    Table {
        indexes,
        since: 3,
        ..tenant_table(name, columns, primary_key, uniques, foreign_keys)
    }
}

const TENANT_ID: [&str; 2] = ["tenant_id", "id"];

const LEDGER_TABLES: [Table; LEDGER_COUNT] = [
    ledger_table(
        "ledger_accounts",
        &[
            col3("tenant_id", Id),
            col3("id", Id),
            col3("kind", Text),
            col3("code", Text),
            col3("name_zh", Text),
            col3("name_en", Text),
            col3("debits_pending", Int),
            col3("debits_posted", Int),
            col3("credits_pending", Int),
            col3("credits_posted", Int),
            col3("created_at", Int),
        ],
        &TENANT_ID,
        &[Unique {
            name: "uq_ledger_accounts_code",
            columns: &["tenant_id", "code"],
        }],
        &[],
        &[Index {
            name: "ix_ledger_accounts_id",
            columns: &["id"],
        }],
    ),
    ledger_table(
        "funds",
        &[
            col3("tenant_id", Id),
            col3("id", Id),
            col3("jurisdiction_id", Id),
            col3("programme", Text),
            col3("year", Int),
            col3("name_zh", Text),
            col3("name_en", Text),
            col3("account_id", Id),
            opt3("custodian", Text),
            col3("created_at", Int),
            // The custodian organisation in the city's directory (migration 11): only its
            // people, holding the custodian's office, move the fund's money.
            Column {
                since: 11,
                ..opt("custodian_org_id", Id)
            },
        ],
        &TENANT_ID,
        &[Unique {
            name: "uq_funds_account",
            columns: &["tenant_id", "account_id"],
        }],
        &[
            fk(
                "fk_funds_jurisdiction",
                &["jurisdiction_id"],
                "jurisdictions",
                &["id"],
            ),
            fk(
                "fk_funds_account",
                &["tenant_id", "account_id"],
                "ledger_accounts",
                &["tenant_id", "id"],
            ),
        ],
        &[Index {
            name: "ix_funds_id",
            columns: &["id"],
        }],
    ),
    ledger_table(
        "budgets",
        &[
            col3("tenant_id", Id),
            col3("id", Id),
            col3("jurisdiction_id", Id),
            col3("resolution_id", Id),
            col3("fund_id", Id),
            col3("account_id", Id),
            col3("title", Text),
            col3("reserved", Int),
            col3("cofunding_expected", Int),
            col3("status", Text),
            col3("created_at", Int),
            opt3("closed_at", Int),
            opt3("released", Int),
            // Why a second budget was reserved on a resolution that had one (migration 11).
            Column {
                since: 11,
                ..opt("reason", Text)
            },
        ],
        &TENANT_ID,
        &[Unique {
            name: "uq_budgets_account",
            columns: &["tenant_id", "account_id"],
        }],
        &[
            fk(
                "fk_budgets_resolution",
                &["tenant_id", "resolution_id"],
                "resolutions",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_budgets_fund",
                &["tenant_id", "fund_id"],
                "funds",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_budgets_account",
                &["tenant_id", "account_id"],
                "ledger_accounts",
                &["tenant_id", "id"],
            ),
        ],
        &[Index {
            name: "ix_budgets_id",
            columns: &["id"],
        }],
    ),
    ledger_table(
        "ledger_transfers",
        &[
            col3("tenant_id", Id),
            col3("id", Id),
            col3("seq", Int),
            col3("debit_id", Id),
            col3("credit_id", Id),
            col3("amount", Int),
            col3("phase", Text),
            opt3("pending_id", Id),
            col3("code", Text),
            col3("memo", Text),
            opt3("budget_id", Id),
            opt3("expense_id", Id),
            opt3("resolution_id", Id),
            opt3("reverses_id", Id),
            col3("created_at", Int),
            opt3("created_by", Id),
            // The household a co-funding payment came from (its receipt names the household).
            opt3("household_id", Id),
        ],
        &TENANT_ID,
        &[
            Unique {
                name: "uq_ledger_transfers_seq",
                columns: &["tenant_id", "seq"],
            },
            // A pending transfer is settled (posted or voided) exactly once.
            Unique {
                name: "uq_ledger_transfers_pending",
                columns: &["tenant_id", "pending_id"],
            },
            Unique {
                name: "uq_ledger_transfers_reverses",
                columns: &["tenant_id", "reverses_id"],
            },
        ],
        &[
            fk(
                "fk_ledger_transfers_debit",
                &["tenant_id", "debit_id"],
                "ledger_accounts",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_ledger_transfers_credit",
                &["tenant_id", "credit_id"],
                "ledger_accounts",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_ledger_transfers_budget",
                &["tenant_id", "budget_id"],
                "budgets",
                &["tenant_id", "id"],
            ),
        ],
        &[
            Index {
                name: "ix_ledger_transfers_id",
                columns: &["id"],
            },
            Index {
                name: "ix_ledger_transfers_budget",
                columns: &["tenant_id", "budget_id"],
            },
            Index {
                name: "ix_ledger_transfers_debit",
                columns: &["tenant_id", "debit_id"],
            },
            Index {
                name: "ix_ledger_transfers_credit",
                columns: &["tenant_id", "credit_id"],
            },
        ],
    ),
    ledger_table(
        "cofunding_pledges",
        &[
            col3("tenant_id", Id),
            col3("budget_id", Id),
            col3("household_id", Id),
            col3("expected", Int),
            col3("paid", Int),
        ],
        &["tenant_id", "budget_id", "household_id"],
        &[],
        &[
            fk(
                "fk_cofunding_pledges_budget",
                &["tenant_id", "budget_id"],
                "budgets",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_cofunding_pledges_household",
                &["tenant_id", "household_id"],
                "households",
                &["tenant_id", "id"],
            ),
        ],
        &[],
    ),
    ledger_table(
        "expenses",
        &[
            col3("tenant_id", Id),
            col3("id", Id),
            col3("budget_id", Id),
            col3("payee_id", Id),
            col3("amount", Int),
            col3("description", Text),
            col3("document_sha256", Text),
            col3("transfer_id", Id),
            col3("status", Text),
            col3("chain_json", Text),
            opt3("submitted_by", Id),
            col3("submitted_at", Int),
            col3("expires_at", Int),
            opt3("settled_amount", Int),
            opt3("closed_at", Int),
            opt3("reason", Text),
            // Who signs each step, pinned when the expense was submitted (migration 11): a
            // change of office holders reaches it only by an explicit, recorded re-assignment.
            Column {
                since: 11,
                ..opt("signers_json", Text)
            },
        ],
        &TENANT_ID,
        &[],
        &[
            fk(
                "fk_expenses_budget",
                &["tenant_id", "budget_id"],
                "budgets",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_expenses_payee",
                &["tenant_id", "payee_id"],
                "ledger_accounts",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_expenses_document",
                &["tenant_id", "document_sha256"],
                "uploads",
                &["tenant_id", "sha256"],
            ),
        ],
        &[Index {
            name: "ix_expenses_id",
            columns: &["id"],
        }],
    ),
    ledger_table(
        "expense_signatures",
        &[
            col3("tenant_id", Id),
            col3("expense_id", Id),
            col3("step", Int),
            col3("account_id", Id),
            col3("decision", Text),
            opt3("reason", Text),
            col3("signed_at", Int),
        ],
        &["tenant_id", "expense_id", "step", "account_id"],
        &[],
        &[
            fk(
                "fk_expense_signatures_expense",
                &["tenant_id", "expense_id"],
                "expenses",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_expense_signatures_account",
                &["account_id"],
                "accounts",
                &["id"],
            ),
        ],
        &[],
    ),
    ledger_table(
        "donations",
        &[
            col3("tenant_id", Id),
            col3("id", Id),
            col3("fund_id", Id),
            Column {
                since: 3,
                ..personal("donor_name", Text, false)
            },
            col3("amount", Int),
            col3("transfer_id", Id),
            col3("received_at", Int),
        ],
        &TENANT_ID,
        &[],
        &[fk(
            "fk_donations_fund",
            &["tenant_id", "fund_id"],
            "funds",
            &["tenant_id", "id"],
        )],
        &[Index {
            name: "ix_donations_id",
            columns: &["id"],
        }],
    ),
    ledger_table(
        "statements",
        &[
            col3("tenant_id", Id),
            col3("id", Id),
            col3("fund_id", Id),
            col3("period_start", Text),
            col3("period_end", Text),
            col3("reason", Text),
            col3("body_json", Text),
            col3("posted_at", Int),
            opt3("posted_by", Id),
        ],
        &TENANT_ID,
        &[Unique {
            name: "uq_statements_period",
            columns: &[
                "tenant_id",
                "fund_id",
                "period_start",
                "period_end",
                "reason",
            ],
        }],
        &[fk(
            "fk_statements_fund",
            &["tenant_id", "fund_id"],
            "funds",
            &["tenant_id", "id"],
        )],
        &[Index {
            name: "ix_statements_id",
            columns: &["id"],
        }],
    ),
];

// ---- migration 4: the needs ledger and projects ----

const fn col4(name: &'static str, ty: ColType) -> Column {
    Column {
        since: 4,
        ..col(name, ty)
    }
}
const fn opt4(name: &'static str, ty: ColType) -> Column {
    Column {
        since: 4,
        ..opt(name, ty)
    }
}

/// A projects table: tenant-owned, audited, added by migration 4.
const fn project_table(
    name: &'static str,
    columns: &'static [Column],
    primary_key: &'static [&'static str],
    uniques: &'static [Unique],
    foreign_keys: &'static [ForeignKey],
    indexes: &'static [Index],
) -> Table {
    Table {
        since: 4,
        ..ledger_table(name, columns, primary_key, uniques, foreign_keys, indexes)
    }
}

const fn ix(name: &'static str, columns: &'static [&'static str]) -> Index {
    Index { name, columns }
}

const PROJECT_TABLES: [Table; PROJECT_COUNT] = [
    project_table(
        "needs",
        &[
            col4("tenant_id", Id),
            col4("id", Id),
            col4("number", Int),
            col4("jurisdiction_id", Id),
            opt4("building_id", Id),
            col4("category", Text),
            col4("channel", Text),
            col4("title", Text),
            // The details may name people and flats: kept out of the public record.
            Column {
                since: 4,
                ..personal("body", Text, false)
            },
            opt4("reporter_id", Id),
            opt4("reporter_account_id", Id),
            opt4("entered_by", Id),
            col4("status", Text),
            opt4("assigned_to", Id),
            col4("reply_due", Text),
            opt4("reply", Text),
            opt4("replied_at", Int),
            opt4("merged_into", Id),
            opt4("project_id", Id),
            col4("created_at", Int),
            col4("updated_at", Int),
        ],
        &TENANT_ID,
        &[Unique {
            name: "uq_needs_number",
            columns: &["tenant_id", "number"],
        }],
        &[
            fk(
                "fk_needs_jurisdiction",
                &["jurisdiction_id"],
                "jurisdictions",
                &["id"],
            ),
            fk(
                "fk_needs_building",
                &["tenant_id", "building_id"],
                "buildings",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_needs_reporter",
                &["tenant_id", "reporter_id"],
                "residents",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_needs_merged_into",
                &["tenant_id", "merged_into"],
                "needs",
                &["tenant_id", "id"],
            ),
        ],
        &[
            ix("ix_needs_id", &["id"]),
            // One index per filter of the ledger, each ending in `number`, so a filtered page
            // is read in order from its index and stops after one page.
            ix("ix_needs_status", &["tenant_id", "status", "number"]),
            ix("ix_needs_category", &["tenant_id", "category", "number"]),
            ix("ix_needs_channel", &["tenant_id", "channel", "number"]),
            ix(
                "ix_needs_place",
                &["tenant_id", "jurisdiction_id", "number"],
            ),
            ix("ix_needs_reporter", &["reporter_account_id"]),
            // With `number` last, a project's needs come in order straight from the index
            // (SQLite otherwise walks the whole ledger by number).
            ix("ix_needs_project", &["tenant_id", "project_id", "number"]),
        ],
    ),
    project_table(
        "need_photos",
        &[
            col4("tenant_id", Id),
            col4("need_id", Id),
            col4("sha256", Text),
        ],
        &["tenant_id", "need_id", "sha256"],
        &[],
        &[
            fk(
                "fk_need_photos_need",
                &["tenant_id", "need_id"],
                "needs",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_need_photos_upload",
                &["tenant_id", "sha256"],
                "uploads",
                &["tenant_id", "sha256"],
            ),
        ],
        &[],
    ),
    project_table(
        "projects",
        &[
            col4("tenant_id", Id),
            col4("id", Id),
            col4("number", Int),
            col4("jurisdiction_id", Id),
            col4("title", Text),
            col4("scope", Text),
            col4("category", Text),
            col4("total", Int),
            col4("fund_share", Int),
            col4("cofunding_share", Int),
            col4("other_share", Int),
            col4("cofunding_source", Text),
            col4("opinions", Text),
            col4("implementer_plan", Text),
            col4("pipeline_json", Text),
            col4("step_index", Int),
            col4("status", Text),
            opt4("screening_json", Text),
            opt4("budget_id", Id),
            opt4("motion_id", Id),
            opt4("implement_mode", Text),
            opt4("payee_id", Id),
            opt4("contract_amount", Int),
            opt4("contract_sha256", Text),
            opt4("rating_from", Int),
            opt4("rating_until", Int),
            opt4("decline_reason", Text),
            opt4("proposed_by", Id),
            col4("submitted_at", Int),
            col4("updated_at", Int),
        ],
        &TENANT_ID,
        &[Unique {
            name: "uq_projects_number",
            columns: &["tenant_id", "number"],
        }],
        &[
            fk(
                "fk_projects_jurisdiction",
                &["jurisdiction_id"],
                "jurisdictions",
                &["id"],
            ),
            fk(
                "fk_projects_budget",
                &["tenant_id", "budget_id"],
                "budgets",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_projects_payee",
                &["tenant_id", "payee_id"],
                "ledger_accounts",
                &["tenant_id", "id"],
            ),
        ],
        &[
            ix("ix_projects_id", &["id"]),
            ix("ix_projects_status", &["tenant_id", "status", "number"]),
        ],
    ),
    project_table(
        "project_needs",
        &[
            col4("tenant_id", Id),
            col4("project_id", Id),
            col4("need_id", Id),
        ],
        &["tenant_id", "project_id", "need_id"],
        &[],
        &[
            fk(
                "fk_project_needs_project",
                &["tenant_id", "project_id"],
                "projects",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_project_needs_need",
                &["tenant_id", "need_id"],
                "needs",
                &["tenant_id", "id"],
            ),
        ],
        &[],
    ),
    project_table(
        "project_moves",
        &[
            col4("tenant_id", Id),
            col4("project_id", Id),
            col4("seq", Int),
            col4("step_id", Text),
            col4("kind", Text),
            col4("action", Text),
            opt4("resolution_id", Id),
            opt4("reference", Text),
            opt4("note", Text),
            opt4("evidence_json", Text),
            opt4("actor_id", Id),
            col4("at", Int),
        ],
        &["tenant_id", "project_id", "seq"],
        // A resolution decides one project's step.
        &[Unique {
            name: "uq_project_moves_resolution",
            columns: &["tenant_id", "resolution_id"],
        }],
        &[
            fk(
                "fk_project_moves_project",
                &["tenant_id", "project_id"],
                "projects",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_project_moves_resolution",
                &["tenant_id", "resolution_id"],
                "resolutions",
                &["tenant_id", "id"],
            ),
        ],
        &[],
    ),
    project_table(
        "project_motions",
        &[
            col4("tenant_id", Id),
            col4("motion_id", Id),
            col4("project_id", Id),
            col4("step_id", Text),
        ],
        &["tenant_id", "motion_id"],
        &[],
        &[
            fk(
                "fk_project_motions_motion",
                &["tenant_id", "motion_id"],
                "motions",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_project_motions_project",
                &["tenant_id", "project_id"],
                "projects",
                &["tenant_id", "id"],
            ),
        ],
        &[ix(
            "ix_project_motions_project",
            &["tenant_id", "project_id"],
        )],
    ),
    project_table(
        "project_quotes",
        &[
            col4("tenant_id", Id),
            col4("id", Id),
            col4("project_id", Id),
            col4("supplier", Text),
            col4("amount", Int),
            col4("document_sha256", Text),
            col4("selected", Bool),
            col4("created_at", Int),
        ],
        &TENANT_ID,
        &[],
        &[
            fk(
                "fk_project_quotes_project",
                &["tenant_id", "project_id"],
                "projects",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_project_quotes_document",
                &["tenant_id", "document_sha256"],
                "uploads",
                &["tenant_id", "sha256"],
            ),
        ],
        &[ix(
            "ix_project_quotes_project",
            &["tenant_id", "project_id"],
        )],
    ),
    project_table(
        "project_updates",
        &[
            col4("tenant_id", Id),
            col4("id", Id),
            col4("project_id", Id),
            col4("kind", Text),
            col4("body", Text),
            opt4("photo_sha256", Text),
            opt4("score", Int),
            opt4("passed", Bool),
            opt4("panel_json", Text),
            col4("created_at", Int),
            opt4("created_by", Id),
        ],
        &TENANT_ID,
        &[],
        &[
            fk(
                "fk_project_updates_project",
                &["tenant_id", "project_id"],
                "projects",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_project_updates_photo",
                &["tenant_id", "photo_sha256"],
                "uploads",
                &["tenant_id", "sha256"],
            ),
        ],
        &[ix(
            "ix_project_updates_project",
            &["tenant_id", "project_id"],
        )],
    ),
    project_table(
        "project_ratings",
        &[
            col4("tenant_id", Id),
            col4("project_id", Id),
            col4("resident_id", Id),
            col4("score", Int),
            opt4("comment", Text),
            col4("rated_at", Int),
            // A comment reaches public pages only once staff published it: NULL while it waits,
            // then `published` or `withheld` (migration 9).
            Column {
                since: 9,
                ..opt("comment_review", Text)
            },
            Column {
                since: 9,
                ..opt("reviewed_at", Int)
            },
        ],
        &["tenant_id", "project_id", "resident_id"],
        &[],
        &[
            fk(
                "fk_project_ratings_project",
                &["tenant_id", "project_id"],
                "projects",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_project_ratings_resident",
                &["tenant_id", "resident_id"],
                "residents",
                &["tenant_id", "id"],
            ),
        ],
        &[],
    ),
    project_table(
        "project_claims",
        &[
            col4("tenant_id", Id),
            col4("id", Id),
            col4("project_id", Id),
            col4("claimant", Text),
            col4("claimant_kind", Text),
            col4("offer", Text),
            opt4("account_id", Id),
            col4("status", Text),
            col4("created_at", Int),
        ],
        &TENANT_ID,
        &[],
        &[fk(
            "fk_project_claims_project",
            &["tenant_id", "project_id"],
            "projects",
            &["tenant_id", "id"],
        )],
        &[ix(
            "ix_project_claims_project",
            &["tenant_id", "project_id"],
        )],
    ),
    project_table(
        "allocation_rounds",
        &[
            col4("tenant_id", Id),
            col4("id", Id),
            col4("fund_id", Id),
            col4("rule", Text),
            col4("available", Int),
            col4("outcome_json", Text),
            col4("created_at", Int),
            opt4("created_by", Id),
        ],
        &TENANT_ID,
        &[],
        &[fk(
            "fk_allocation_rounds_fund",
            &["tenant_id", "fund_id"],
            "funds",
            &["tenant_id", "id"],
        )],
        &[ix("ix_allocation_rounds_id", &["id"])],
    ),
];

const fn col5(name: &'static str, ty: ColType) -> Column {
    Column {
        since: 5,
        ..col(name, ty)
    }
}
const fn opt5(name: &'static str, ty: ColType) -> Column {
    Column {
        since: 5,
        ..opt(name, ty)
    }
}

/// An elections table: tenant-owned, audited, added by migration 5.
const fn election_table(
    name: &'static str,
    columns: &'static [Column],
    primary_key: &'static [&'static str],
    foreign_keys: &'static [ForeignKey],
    indexes: &'static [Index],
) -> Table {
    Table {
        since: 5,
        ..ledger_table(name, columns, primary_key, &[], foreign_keys, indexes)
    }
}

/// Elections with secret ballots (migration 5), and monthly meeting calendars.
const ELECTION_TABLES: [Table; ELECTION_COUNT] = [
    election_table(
        "meeting_series",
        &[
            col5("tenant_id", Id),
            col5("id", Id),
            col5("council_id", Id),
            col5("title", Text),
            col5("day_of_month", Int),
            col5("minute_of_day", Int),
            col5("first_date", Text),
            col5("meetings", Int),
            col5("created_at", Int),
        ],
        &TENANT_ID,
        &[fk(
            "fk_meeting_series_council",
            &["tenant_id", "council_id"],
            "councils",
            &["tenant_id", "id"],
        )],
        &[],
    ),
    election_table(
        "elections",
        &[
            col5("tenant_id", Id),
            col5("id", Id),
            col5("council_id", Id),
            col5("kind", Text),
            col5("title", Text),
            col5("seats", Int),
            col5("opened_at", Int),
            col5("closes_at", Int),
            opt5("term_end", Text),
            col5("status", Text),
            col5("electorate", Int),
            col5("ballots_cast", Int),
            col5("rule_json", Text),
            opt5("closed_at", Int),
            opt5("result_json", Text),
            opt5("opened_by", Id),
        ],
        &TENANT_ID,
        &[fk(
            "fk_elections_council",
            &["tenant_id", "council_id"],
            "councils",
            &["tenant_id", "id"],
        )],
        &[
            ix("ix_elections_id", &["id"]),
            ix("ix_elections_council", &["tenant_id", "council_id"]),
        ],
    ),
    election_table(
        "election_candidates",
        &[
            col5("tenant_id", Id),
            col5("election_id", Id),
            col5("resident_id", Id),
            col5("position", Int),
            opt5("votes", Int),
            opt5("outcome", Text),
            opt5("seat_id", Id),
        ],
        &["tenant_id", "election_id", "resident_id"],
        &[
            fk(
                "fk_election_candidates_election",
                &["tenant_id", "election_id"],
                "elections",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_election_candidates_resident",
                &["tenant_id", "resident_id"],
                "residents",
                &["tenant_id", "id"],
            ),
        ],
        &[],
    ),
    // The electorate as a snapshot of the roll when voting opened, and who has voted. What they
    // voted is in `sealed_ballots`, with nothing that leads back here.
    election_table(
        "election_voters",
        &[
            col5("tenant_id", Id),
            col5("election_id", Id),
            col5("resident_id", Id),
            opt5("voted_at", Int),
            opt5("entered_by", Id),
        ],
        &["tenant_id", "election_id", "resident_id"],
        &[
            fk(
                "fk_election_voters_election",
                &["tenant_id", "election_id"],
                "elections",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_election_voters_resident",
                &["tenant_id", "resident_id"],
                "residents",
                &["tenant_id", "id"],
            ),
        ],
        &[],
    ),
    // A ballot box may belong to an election or, later, to a resident-wide budget vote: `box_id`
    // names it without a foreign key for that reason.
    Table {
        kind: Kind::Sealed,
        ..election_table(
            "sealed_ballots",
            &[
                col5("tenant_id", Id),
                col5("box_id", Id),
                col5("id", Id),
                col5("choices", Text),
            ],
            &["tenant_id", "box_id", "id"],
            &[],
            &[],
        )
    },
];

// ---- migration 6: government purchase of services ----
// ---- migration 7: venture-philanthropy rounds (公益创投) on the same calls ----

const fn col6(name: &'static str, ty: ColType) -> Column {
    Column {
        since: 6,
        ..col(name, ty)
    }
}
const fn opt6(name: &'static str, ty: ColType) -> Column {
    Column {
        since: 6,
        ..opt(name, ty)
    }
}

const fn opt7(name: &'static str, ty: ColType) -> Column {
    Column {
        since: 7,
        ..opt(name, ty)
    }
}
const fn col7(name: &'static str, ty: ColType) -> Column {
    Column {
        since: 7,
        ..col(name, ty)
    }
}

/// A procurement table: tenant-owned, audited, added by migration 6.
const fn purchase_table(
    name: &'static str,
    columns: &'static [Column],
    primary_key: &'static [&'static str],
    uniques: &'static [Unique],
    foreign_keys: &'static [ForeignKey],
    indexes: &'static [Index],
) -> Table {
    Table {
        since: 6,
        ..ledger_table(name, columns, primary_key, uniques, foreign_keys, indexes)
    }
}

/// Suppliers and their records live in the city's tenant (one directory for the whole city, so a
/// credit code is unique and a blacklisting bars everywhere); calls, bids, contracts and
/// evaluations live in the buyer's tenant and name a supplier by id (a cross-tenant reference,
/// without a foreign key, like an account id).
const PURCHASE_TABLES: [Table; PURCHASE_COUNT] = [
    purchase_table(
        "organisations",
        &[
            col6("tenant_id", Id),
            col6("id", Id),
            col6("name_zh", Text),
            col6("name_en", Text),
            col6("kind", Text),
            opt6("credit_code", Text),
            col6("registered_with", Id),
            opt6("registered_on", Text),
            col6("business_scope", Text),
            col6("capacity", Text),
            opt6("incubator_id", Id),
            opt6("incubator_level", Text),
            col6("created_at", Int),
            opt6("created_by", Id),
        ],
        &TENANT_ID,
        &[Unique {
            name: "uq_organisations_credit_code",
            columns: &["tenant_id", "credit_code"],
        }],
        &[],
        &[ix("ix_organisations_id", &["id"])],
    ),
    purchase_table(
        "organisation_qualifications",
        &[
            col6("tenant_id", Id),
            col6("organisation_id", Id),
            col6("catalogue_code", Text),
            col6("granted_at", Int),
        ],
        &["tenant_id", "organisation_id", "catalogue_code"],
        &[],
        &[fk(
            "fk_organisation_qualifications_org",
            &["tenant_id", "organisation_id"],
            "organisations",
            &["tenant_id", "id"],
        )],
        &[],
    ),
    purchase_table(
        "organisation_staff",
        &[
            col6("tenant_id", Id),
            col6("organisation_id", Id),
            col6("account_id", Id),
            col6("role", Text),
            col6("since", Int),
        ],
        &["tenant_id", "organisation_id", "account_id"],
        &[],
        &[fk(
            "fk_organisation_staff_org",
            &["tenant_id", "organisation_id"],
            "organisations",
            &["tenant_id", "id"],
        )],
        &[ix("ix_organisation_staff_account", &["account_id"])],
    ),
    // The blacklist (黑名单): a sanction bars its organisation from calls from `starts_on` to
    // `ends_on` (open-ended when empty), unless lifted.
    purchase_table(
        "organisation_sanctions",
        &[
            col6("tenant_id", Id),
            col6("id", Id),
            col6("organisation_id", Id),
            col6("reason", Text),
            col6("starts_on", Text),
            opt6("ends_on", Text),
            col6("decided_by", Id),
            col6("created_at", Int),
            opt6("lifted_at", Int),
            opt6("lift_reason", Text),
        ],
        &TENANT_ID,
        &[],
        &[fk(
            "fk_organisation_sanctions_org",
            &["tenant_id", "organisation_id"],
            "organisations",
            &["tenant_id", "id"],
        )],
        &[ix(
            "ix_organisation_sanctions_org",
            &["tenant_id", "organisation_id"],
        )],
    ),
    purchase_table(
        "purchase_plans",
        &[
            col6("tenant_id", Id),
            col6("id", Id),
            col6("buyer_id", Id),
            col6("year", Int),
            col6("title", Text),
            col6("lines_json", Text),
            col6("created_at", Int),
        ],
        &TENANT_ID,
        &[Unique {
            name: "uq_purchase_plans_buyer_year",
            columns: &["tenant_id", "buyer_id", "year"],
        }],
        &[],
        &[ix("ix_purchase_plans_id", &["id"])],
    ),
    purchase_table(
        "purchase_calls",
        &[
            col6("tenant_id", Id),
            col6("id", Id),
            col6("number", Text),
            col6("buyer_id", Id),
            opt6("plan_id", Id),
            col6("title", Text),
            col6("description", Text),
            col6("catalogue_code", Text),
            col6("method", Text),
            opt6("justification", Text),
            col6("value", Int),
            col6("new_service", Bool),
            col6("eligible_kinds", Text),
            col6("opens_at", Int),
            col6("closes_at", Int),
            col6("contract_months", Int),
            col6("stable", Bool),
            col6("rule_json", Text),
            col6("criteria_json", Text),
            col6("status", Text),
            opt6("budget_id", Id),
            opt6("rerun_of", Id),
            col6("created_at", Int),
            opt6("created_by", Id),
            opt6("decided_at", Int),
            opt6("result_json", Text),
            // A venture-philanthropy round's themes, award count and roadshow (`GrantRound`).
            opt7("round_json", Text),
        ],
        &TENANT_ID,
        &[Unique {
            name: "uq_purchase_calls_number",
            columns: &["tenant_id", "number"],
        }],
        &[],
        &[
            ix("ix_purchase_calls_id", &["id"]),
            ix("ix_purchase_calls_status", &["status", "closes_at"]),
            ix("ix_purchase_calls_decided", &["decided_at"]),
        ],
    ),
    purchase_table(
        "call_bids",
        &[
            col6("tenant_id", Id),
            col6("id", Id),
            col6("call_id", Id),
            col6("organisation_id", Id),
            col6("price", Int),
            col6("cofunding", Int),
            col6("plan", Text),
            col6("submitted_at", Int),
            opt6("submitted_by", Id),
            // The round's theme an application comes under (venture rounds only).
            opt7("theme", Text),
        ],
        &TENANT_ID,
        &[Unique {
            name: "uq_call_bids_org",
            columns: &["tenant_id", "call_id", "organisation_id"],
        }],
        &[fk(
            "fk_call_bids_call",
            &["tenant_id", "call_id"],
            "purchase_calls",
            &["tenant_id", "id"],
        )],
        &[ix("ix_call_bids_org", &["organisation_id"])],
    ),
    // The scoring panel: each member declares the organisations they are tied to (their employer
    // is always one); they cannot score those organisations' bids.
    purchase_table(
        "call_panelists",
        &[
            col6("tenant_id", Id),
            col6("call_id", Id),
            col6("account_id", Id),
            col6("name", Text),
            col6("ties_json", Text),
        ],
        &["tenant_id", "call_id", "account_id"],
        &[],
        &[fk(
            "fk_call_panelists_call",
            &["tenant_id", "call_id"],
            "purchase_calls",
            &["tenant_id", "id"],
        )],
        &[],
    ),
    purchase_table(
        "bid_scores",
        &[
            col6("tenant_id", Id),
            col6("bid_id", Id),
            col6("account_id", Id),
            col6("call_id", Id),
            col6("scores_json", Text),
            col6("total", Int),
            col6("scored_at", Int),
        ],
        &["tenant_id", "bid_id", "account_id"],
        &[],
        &[fk(
            "fk_bid_scores_bid",
            &["tenant_id", "bid_id"],
            "call_bids",
            &["tenant_id", "id"],
        )],
        &[ix("ix_bid_scores_call", &["tenant_id", "call_id"])],
    ),
    purchase_table(
        "contracts",
        &[
            col6("tenant_id", Id),
            col6("id", Id),
            col6("call_id", Id),
            col6("bid_id", Id),
            col6("organisation_id", Id),
            col6("title", Text),
            col6("value", Int),
            col6("starts_on", Text),
            col6("ends_on", Text),
            col6("stable", Bool),
            opt6("budget_id", Id),
            opt6("payee_id", Id),
            col6("payment_rule_json", Text),
            col6("status", Text),
            opt6("renews_id", Id),
            col6("signed_at", Int),
            opt6("signed_by", Id),
        ],
        &TENANT_ID,
        &[],
        &[
            fk(
                "fk_contracts_call",
                &["tenant_id", "call_id"],
                "purchase_calls",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_contracts_bid",
                &["tenant_id", "bid_id"],
                "call_bids",
                &["tenant_id", "id"],
            ),
        ],
        &[
            ix("ix_contracts_id", &["id"]),
            ix("ix_contracts_org", &["organisation_id"]),
            ix("ix_contracts_call", &["tenant_id", "call_id"]),
        ],
    ),
    // A contract's deliverables (catalogue items or tasks) and payment milestones. A milestone
    // with `final_payment` is paid at the share its evaluation earns.
    purchase_table(
        "contract_items",
        &[
            col6("tenant_id", Id),
            col6("contract_id", Id),
            col6("position", Int),
            col6("kind", Text),
            opt6("catalogue_code", Text),
            col6("title", Text),
            opt6("due_on", Text),
            col6("amount", Int),
            col6("final_payment", Bool),
            opt6("done_at", Int),
            opt6("expense_id", Id),
            opt6("paid_amount", Int),
        ],
        &["tenant_id", "contract_id", "position"],
        &[],
        &[fk(
            "fk_contract_items_contract",
            &["tenant_id", "contract_id"],
            "contracts",
            &["tenant_id", "id"],
        )],
        &[],
    ),
    purchase_table(
        "contract_evaluations",
        &[
            col6("tenant_id", Id),
            col6("id", Id),
            col6("contract_id", Id),
            col6("organisation_id", Id),
            opt6("evaluator_org_id", Id),
            col6("evaluator_name", Text),
            col6("score", Int),
            col6("summary", Text),
            col6("evaluated_at", Int),
            opt6("recorded_by", Id),
        ],
        &TENANT_ID,
        &[],
        &[fk(
            "fk_contract_evaluations_contract",
            &["tenant_id", "contract_id"],
            "contracts",
            &["tenant_id", "id"],
        )],
        &[
            ix("ix_contract_evaluations_org", &["organisation_id"]),
            ix(
                "ix_contract_evaluations_contract",
                &["tenant_id", "contract_id"],
            ),
        ],
    ),
    // A donor adopts a ranked application the round's pool did not fund (the province's "+N"):
    // the donor's gift goes into the round's budget in the same command, so the grant is paid
    // through the ledger like any other.
    Table {
        since: 7,
        ..purchase_table(
            "bid_adoptions",
            &[
                col7("tenant_id", Id),
                col7("bid_id", Id),
                col7("call_id", Id),
                Column {
                    since: 7,
                    ..personal("donor_name", Text, false)
                },
                col7("amount", Int),
                opt7("transfer_id", Id),
                col7("adopted_at", Int),
                opt7("recorded_by", Id),
            ],
            &["tenant_id", "bid_id"],
            &[],
            &[fk(
                "fk_bid_adoptions_bid",
                &["tenant_id", "bid_id"],
                "call_bids",
                &["tenant_id", "id"],
            )],
            &[ix("ix_bid_adoptions_call", &["tenant_id", "call_id"])],
        )
    },
];

const FOUNDATION_COUNT: usize = 11;
const COUNCIL_COUNT: usize = 15;
// ---- migration 8: resident-wide budget votes ----

const fn col8(name: &'static str, ty: ColType) -> Column {
    Column {
        since: 8,
        ..col(name, ty)
    }
}
const fn opt8(name: &'static str, ty: ColType) -> Column {
    Column {
        since: 8,
        ..opt(name, ty)
    }
}

impl Table {
    /// The same table with these indexes.
    const fn indexed(self, indexes: &'static [Index]) -> Table {
        Table { indexes, ..self }
    }
}

/// A budget-vote table: tenant-owned, audited, added by migration 8.
const fn vote_table(
    name: &'static str,
    columns: &'static [Column],
    primary_key: &'static [&'static str],
    foreign_keys: &'static [ForeignKey],
) -> Table {
    Table {
        since: 8,
        ..ledger_table(name, columns, primary_key, &[], foreign_keys, &[])
    }
}

/// A pot of money put to a vote of all residents (or households) of a place. Who voted is in
/// `budget_vote_voters`; what they voted is in `sealed_ballots` under the vote's id, as for
/// elections.
const VOTE_TABLES: [Table; VOTE_COUNT] = [
    vote_table(
        "budget_votes",
        &[
            col8("tenant_id", Id),
            col8("id", Id),
            col8("place_id", Id),
            col8("title", Text),
            col8("budget_fen", Int),
            // The ballot form (approve up to k, approve within the budget, points), as JSON.
            col8("form_json", Text),
            // The counting rule, by its Pabulib key (greedy_cost, mes_cost_then_greedy_cost, …).
            col8("rule", Text),
            // One ballot per `resident` or per `household`.
            col8("per", Text),
            col8("opens_at", Int),
            col8("closes_at", Int),
            col8("status", Text),
            col8("electorate", Int),
            col8("ballots_cast", Int),
            opt8("result_json", Text),
            opt8("closed_at", Int),
            col8("opened_by", Id),
            // How many reruns the add-one completion may take, pinned with the rule
            // (migration 11; NULL for other rules).
            Column {
                since: 11,
                ..opt("add_one_rounds", Int)
            },
        ],
        &TENANT_ID,
        &[],
    )
    .indexed(&[ix("ix_budget_votes_id", &["id"])]),
    vote_table(
        "budget_vote_projects",
        &[
            col8("tenant_id", Id),
            col8("vote_id", Id),
            col8("position", Int),
            col8("title", Text),
            col8("cost_fen", Int),
        ],
        &["tenant_id", "vote_id", "position"],
        &[fk(
            "fk_budget_vote_projects_vote",
            &["tenant_id", "vote_id"],
            "budget_votes",
            &["tenant_id", "id"],
        )],
    ),
    // The roll: residents or households, snapshotted when the vote opened, and their marks.
    // `voter_id` is a resident's or a household's id, by the vote's `per`.
    vote_table(
        "budget_vote_voters",
        &[
            col8("tenant_id", Id),
            col8("vote_id", Id),
            col8("voter_id", Id),
            opt8("voted_at", Int),
            opt8("entered_by", Id),
            // `online`, `assisted` (entered by staff with the voter) or `paper` (a paper ballot
            // handed out at the polling table, entered later from the sheet).
            opt8("channel", Text),
        ],
        &["tenant_id", "vote_id", "voter_id"],
        &[fk(
            "fk_budget_vote_voters_vote",
            &["tenant_id", "vote_id"],
            "budget_votes",
            &["tenant_id", "id"],
        )],
    ),
    // Paper ballots as two clerks typed them, by the number printed on the sheet (not the
    // voter's: sheets are handed out from a stack). A sheet goes into the count only when both
    // entries agree.
    vote_table(
        "budget_vote_sheets",
        &[
            col8("tenant_id", Id),
            col8("vote_id", Id),
            col8("sheet", Text),
            col8("entry", Int),
            col8("choices", Text),
            col8("entered_by", Id),
            col8("entered_at", Int),
        ],
        &["tenant_id", "vote_id", "sheet", "entry"],
        &[fk(
            "fk_budget_vote_sheets_vote",
            &["tenant_id", "vote_id"],
            "budget_votes",
            &["tenant_id", "id"],
        )],
    ),
];

const LEDGER_COUNT: usize = 9;
const PROJECT_COUNT: usize = 11;
const ELECTION_COUNT: usize = 5;
const PURCHASE_COUNT: usize = 13;
const VOTE_COUNT: usize = 4;
const BUSINESS_COUNT: usize = FOUNDATION_COUNT
    + COUNCIL_COUNT
    + LEDGER_COUNT
    + PROJECT_COUNT
    + ELECTION_COUNT
    + PURCHASE_COUNT
    + VOTE_COUNT;

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
        out[BUSINESS_COUNT - VOTE_COUNT - PURCHASE_COUNT + q] = PURCHASE_TABLES[q];
        q += 1;
    }
    let mut b = 0;
    while b < VOTE_COUNT {
        out[BUSINESS_COUNT - VOTE_COUNT + b] = VOTE_TABLES[b];
        b += 1;
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
pub const LATEST: u32 = 12;

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
];
