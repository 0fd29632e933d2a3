//! Migration 5: elections with secret ballots, and meeting calendars.

use super::*;

/// An elections table: tenant-owned, audited, added by migration 5.
pub(super) const fn election_table(
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
pub(super) const ELECTION_TABLES: [Table; ELECTION_COUNT] = [
    election_table(
        "meeting_series",
        &[
            col("tenant_id", Id).since(5),
            col("id", Id).since(5),
            col("council_id", Id).since(5),
            col("title", Text).since(5),
            col("day_of_month", Int).since(5),
            col("minute_of_day", Int).since(5),
            col("first_date", Text).since(5),
            col("meetings", Int).since(5),
            col("created_at", Int).since(5),
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
            col("tenant_id", Id).since(5),
            col("id", Id).since(5),
            col("council_id", Id).since(5),
            col("kind", Text).since(5),
            col("title", Text).since(5),
            col("seats", Int).since(5),
            col("opened_at", Int).since(5),
            col("closes_at", Int).since(5),
            opt("term_end", Text).since(5),
            col("status", Text).since(5),
            col("electorate", Int).since(5),
            col("ballots_cast", Int).since(5),
            col("rule_json", Text).since(5),
            opt("closed_at", Int).since(5),
            opt("result_json", Text).since(5),
            opt("opened_by", Id).since(5),
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
            col("tenant_id", Id).since(5),
            col("election_id", Id).since(5),
            col("resident_id", Id).since(5),
            col("position", Int).since(5),
            opt("votes", Int).since(5),
            opt("outcome", Text).since(5),
            opt("seat_id", Id).since(5),
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
            col("tenant_id", Id).since(5),
            col("election_id", Id).since(5),
            col("resident_id", Id).since(5),
            opt("voted_at", Int).since(5),
            opt("entered_by", Id).since(5),
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
                col("tenant_id", Id).since(5),
                col("box_id", Id).since(5),
                col("id", Id).since(5),
                col("choices", Text).since(5),
            ],
            &["tenant_id", "box_id", "id"],
            &[],
            &[],
        )
    },
];
