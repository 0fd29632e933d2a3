//! Migration 8: resident-wide budget votes.

use super::*;

impl Table {
    /// The same table with these indexes.
    pub(super) const fn indexed(self, indexes: &'static [Index]) -> Table {
        Table { indexes, ..self }
    }
}

/// A budget-vote table: tenant-owned, audited, added by migration 8.
pub(super) const fn vote_table(
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
pub(super) const VOTE_TABLES: [Table; VOTE_COUNT] = [
    vote_table(
        "budget_votes",
        &[
            col("tenant_id", Id).since(8),
            col("id", Id).since(8),
            col("place_id", Id).since(8),
            col("title", Text).since(8),
            col("budget_fen", Int).since(8),
            // The ballot form (approve up to k, approve within the budget, points), as JSON.
            col("form_json", Text).since(8),
            // The counting rule, by its Pabulib key (greedy_cost, mes_cost_then_greedy_cost, …).
            col("rule", Text).since(8),
            // One ballot per `resident` or per `household`.
            col("per", Text).since(8),
            col("opens_at", Int).since(8),
            col("closes_at", Int).since(8),
            col("status", Text).since(8),
            col("electorate", Int).since(8),
            col("ballots_cast", Int).since(8),
            opt("result_json", Text).since(8),
            opt("closed_at", Int).since(8),
            col("opened_by", Id).since(8),
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
            col("tenant_id", Id).since(8),
            col("vote_id", Id).since(8),
            col("position", Int).since(8),
            col("title", Text).since(8),
            col("cost_fen", Int).since(8),
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
            col("tenant_id", Id).since(8),
            col("vote_id", Id).since(8),
            col("voter_id", Id).since(8),
            opt("voted_at", Int).since(8),
            opt("entered_by", Id).since(8),
            // `online`, `assisted` (entered by staff with the voter) or `paper` (a paper ballot
            // handed out at the polling table, entered later from the sheet).
            opt("channel", Text).since(8),
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
            col("tenant_id", Id).since(8),
            col("vote_id", Id).since(8),
            col("sheet", Text).since(8),
            col("entry", Int).since(8),
            col("choices", Text).since(8),
            col("entered_by", Id).since(8),
            col("entered_at", Int).since(8),
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
