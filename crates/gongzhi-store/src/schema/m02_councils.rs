//! Migration 2: councils, meetings, votes, resolutions and their public notice.

use super::*;

pub(super) const fn fk(
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

pub(super) const fn tenant_table(
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
pub(super) const fn addressed_table(
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

pub(super) const COUNCIL_TABLES: [Table; COUNCIL_COUNT] = [
    addressed_table(
        "councils",
        &[
            col("tenant_id", Id).since(2),
            col("id", Id).since(2),
            col("jurisdiction_id", Id).since(2),
            col("kind", Text).since(2),
            col("name_zh", Text).since(2),
            col("name_en", Text).since(2),
            col("short_name", Text).since(2),
            col("created_at", Int).since(2),
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
            col("tenant_id", Id).since(2),
            col("id", Id).since(2),
            col("council_id", Id).since(2),
            col("resident_id", Id).since(2),
            col("seat_role", Text).since(2),
            col("term_start", Text).since(2),
            opt("term_end", Text).since(2),
            opt("voided_at", Int).since(2),
            opt("void_reason", Text).since(2),
            opt("end_reason", Text).since(5),
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
            col("tenant_id", Id).since(2),
            col("id", Id).since(2),
            col("council_id", Id).since(2),
            col("title", Text).since(2),
            col("scheduled_for", Int).since(2),
            col("status", Text).since(2),
            opt("opened_at", Int).since(2),
            opt("closed_at", Int).since(2),
            col("created_at", Int).since(2),
            opt("minutes", Text).since(2),
            opt("minutes_written_at", Int).since(2),
            col("present_count", Int).since(2),
            opt("series_id", Id).since(5),
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
            col("tenant_id", Id).since(2),
            col("meeting_id", Id).since(2),
            col("seat_id", Id).since(2),
            col("present", Bool).since(2),
            col("recorded_at", Int).since(2),
            opt("recorded_by", Id).since(2),
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
            col("tenant_id", Id).since(2),
            col("meeting_id", Id).since(2),
            col("seat_id", Id).since(2),
            col("signed_at", Int).since(2),
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
            col("tenant_id", Id).since(2),
            col("id", Id).since(2),
            col("council_id", Id).since(2),
            opt("meeting_id", Id).since(2),
            col("kind", Text).since(2),
            col("title", Text).since(2),
            col("body", Text).since(2),
            col("needs_notice", Bool).since(2),
            col("status", Text).since(2),
            col("opened_at", Int).since(2),
            opt("closed_at", Int).since(2),
            opt("result_json", Text).since(2),
            col("rules_json", Text).since(2),
            col("seated", Int).since(2),
            opt("convention_id", Id).since(2),
            opt("proposed_text", Text).since(2),
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
            col("tenant_id", Id).since(2),
            col("motion_id", Id).since(2),
            col("seat_id", Id).since(2),
            col("reason", Text).since(2),
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
            col("tenant_id", Id).since(2),
            col("motion_id", Id).since(2),
            col("seat_id", Id).since(2),
            col("choice", Text).since(2),
            col("cast_at", Int).since(2),
            opt("recorded_by", Id).since(2),
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
            col("tenant_id", Id).since(2),
            col("id", Id).since(2),
            col("council_id", Id).since(2),
            col("motion_id", Id).since(2),
            col("year", Int).since(2),
            col("number", Int).since(2),
            col("label", Text).since(2),
            opt("notice_start", Int).since(2),
            opt("notice_end", Int).since(2),
            opt("returned_at", Int).since(2),
            col("created_at", Int).since(2),
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
            col("tenant_id", Id).since(2),
            col("id", Id).since(2),
            col("resolution_id", Id).since(2),
            col("account_id", Id).since(2),
            Column {
                since: 2,
                ..personal("body", Text, false)
            },
            col("lang", Text).since(2),
            col("filed_at", Int).since(2),
            opt("answer", Text).since(2),
            opt("upheld", Bool).since(2),
            opt("answered_at", Int).since(2),
            opt("answered_by", Id).since(2),
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
            col("tenant_id", Id).since(2),
            col("id", Id).since(2),
            col("jurisdiction_id", Id).since(2),
            col("title", Text).since(2),
            col("created_at", Int).since(2),
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
            col("tenant_id", Id).since(2),
            col("convention_id", Id).since(2),
            col("version", Int).since(2),
            col("body", Text).since(2),
            col("motion_id", Id).since(2),
            col("adopted_at", Int).since(2),
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
            col("tenant_id", Id).since(2),
            col("id", Id).since(2),
            col("resident_id", Id).since(2),
            col("relative_id", Id).since(2),
            col("relation", Text).since(2),
            col("declared_at", Int).since(2),
            opt("voided_at", Int).since(2),
            opt("void_reason", Text).since(2),
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
            col("tenant_id", Id).since(2),
            col("id", Id).since(2),
            col("council_id", Id).since(2),
            col("reason", Text).since(2),
            col("created_at", Int).since(2),
            opt("meeting_id", Id).since(2),
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
            col("tenant_id", Id).since(2),
            col("request_id", Id).since(2),
            col("seat_id", Id).since(2),
            col("supported_at", Int).since(2),
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
