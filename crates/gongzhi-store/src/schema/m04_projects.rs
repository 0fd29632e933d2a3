//! Migration 4: the needs ledger and projects.

use super::*;

/// A projects table: tenant-owned, audited, added by migration 4.
pub(super) const fn project_table(
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

pub(super) const fn ix(name: &'static str, columns: &'static [&'static str]) -> Index {
    Index { name, columns }
}

pub(super) const PROJECT_TABLES: [Table; PROJECT_COUNT] = [
    project_table(
        "needs",
        &[
            col("tenant_id", Id).since(4),
            col("id", Id).since(4),
            col("number", Int).since(4),
            col("jurisdiction_id", Id).since(4),
            opt("building_id", Id).since(4),
            col("category", Text).since(4),
            col("channel", Text).since(4),
            col("title", Text).since(4),
            // The details may name people and flats: kept out of the public record.
            Column {
                since: 4,
                ..personal("body", Text, false)
            },
            opt("reporter_id", Id).since(4),
            opt("reporter_account_id", Id).since(4),
            opt("entered_by", Id).since(4),
            col("status", Text).since(4),
            opt("assigned_to", Id).since(4),
            col("reply_due", Text).since(4),
            opt("reply", Text).since(4),
            opt("replied_at", Int).since(4),
            opt("merged_into", Id).since(4),
            opt("project_id", Id).since(4),
            col("created_at", Int).since(4),
            col("updated_at", Int).since(4),
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
            col("tenant_id", Id).since(4),
            col("need_id", Id).since(4),
            col("sha256", Text).since(4),
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
            col("tenant_id", Id).since(4),
            col("id", Id).since(4),
            col("number", Int).since(4),
            col("jurisdiction_id", Id).since(4),
            col("title", Text).since(4),
            col("scope", Text).since(4),
            col("category", Text).since(4),
            col("total", Int).since(4),
            col("fund_share", Int).since(4),
            col("cofunding_share", Int).since(4),
            col("other_share", Int).since(4),
            col("cofunding_source", Text).since(4),
            col("opinions", Text).since(4),
            col("implementer_plan", Text).since(4),
            col("pipeline_json", Text).since(4),
            col("step_index", Int).since(4),
            col("status", Text).since(4),
            opt("screening_json", Text).since(4),
            opt("budget_id", Id).since(4),
            opt("motion_id", Id).since(4),
            opt("implement_mode", Text).since(4),
            opt("payee_id", Id).since(4),
            opt("contract_amount", Int).since(4),
            opt("contract_sha256", Text).since(4),
            opt("rating_from", Int).since(4),
            opt("rating_until", Int).since(4),
            opt("decline_reason", Text).since(4),
            opt("proposed_by", Id).since(4),
            col("submitted_at", Int).since(4),
            col("updated_at", Int).since(4),
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
            col("tenant_id", Id).since(4),
            col("project_id", Id).since(4),
            col("need_id", Id).since(4),
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
            col("tenant_id", Id).since(4),
            col("project_id", Id).since(4),
            col("seq", Int).since(4),
            col("step_id", Text).since(4),
            col("kind", Text).since(4),
            col("action", Text).since(4),
            opt("resolution_id", Id).since(4),
            opt("reference", Text).since(4),
            opt("note", Text).since(4),
            opt("evidence_json", Text).since(4),
            opt("actor_id", Id).since(4),
            col("at", Int).since(4),
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
            col("tenant_id", Id).since(4),
            col("motion_id", Id).since(4),
            col("project_id", Id).since(4),
            col("step_id", Text).since(4),
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
            col("tenant_id", Id).since(4),
            col("id", Id).since(4),
            col("project_id", Id).since(4),
            col("supplier", Text).since(4),
            col("amount", Int).since(4),
            col("document_sha256", Text).since(4),
            col("selected", Bool).since(4),
            col("created_at", Int).since(4),
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
            col("tenant_id", Id).since(4),
            col("id", Id).since(4),
            col("project_id", Id).since(4),
            col("kind", Text).since(4),
            col("body", Text).since(4),
            opt("photo_sha256", Text).since(4),
            opt("score", Int).since(4),
            opt("passed", Bool).since(4),
            opt("panel_json", Text).since(4),
            col("created_at", Int).since(4),
            opt("created_by", Id).since(4),
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
            col("tenant_id", Id).since(4),
            col("project_id", Id).since(4),
            col("resident_id", Id).since(4),
            col("score", Int).since(4),
            opt("comment", Text).since(4),
            col("rated_at", Int).since(4),
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
            col("tenant_id", Id).since(4),
            col("id", Id).since(4),
            col("project_id", Id).since(4),
            col("claimant", Text).since(4),
            col("claimant_kind", Text).since(4),
            col("offer", Text).since(4),
            opt("account_id", Id).since(4),
            col("status", Text).since(4),
            col("created_at", Int).since(4),
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
            col("tenant_id", Id).since(4),
            col("id", Id).since(4),
            col("fund_id", Id).since(4),
            col("rule", Text).since(4),
            col("available", Int).since(4),
            col("outcome_json", Text).since(4),
            col("created_at", Int).since(4),
            opt("created_by", Id).since(4),
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
