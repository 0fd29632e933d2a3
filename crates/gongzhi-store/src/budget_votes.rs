//! Reads for resident-wide budget votes: the vote, its projects, its roll and marks. Ballots are
//! in `sealed_ballots` under the vote's id (see `elections::take_ballots` and `opened_ballots`).

use gongzhi_domain::lifecycle::BallotBoxStatus;
use uuid::Uuid;

use crate::StoreError;
use crate::db::Tx;
use crate::schema::ColType::{Id, Int, Text};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetVoteRow {
    pub id: Uuid,
    pub place_id: Uuid,
    pub title: String,
    pub budget_fen: i64,
    pub form_json: String,
    pub rule: String,
    pub per: String,
    pub opens_at: i64,
    pub closes_at: i64,
    pub status: BallotBoxStatus,
    pub electorate: i64,
    pub ballots_cast: i64,
    pub result_json: Option<String>,
    pub closed_at: Option<i64>,
    /// The add-one completion's rounds, pinned with the rule.
    pub add_one_rounds: Option<i64>,
}

const VOTE_COLUMNS: &str = "id, place_id, title, budget_fen, form_json, rule, per, opens_at, \
     closes_at, status, electorate, ballots_cast, result_json, closed_at, add_one_rounds";
const VOTE_TYPES: &[crate::schema::ColType] = &[
    Id, Id, Text, Int, Text, Text, Text, Int, Int, Text, Int, Int, Text, Int, Int,
];

fn vote_of(r: crate::Row) -> Result<BudgetVoteRow, StoreError> {
    Ok(BudgetVoteRow {
        id: r.id(0)?,
        place_id: r.id(1)?,
        title: r.text(2)?,
        budget_fen: r.int(3)?,
        form_json: r.text(4)?,
        rule: r.text(5)?,
        per: r.text(6)?,
        opens_at: r.int(7)?,
        closes_at: r.int(8)?,
        status: r.word(9)?,
        electorate: r.int(10)?,
        ballots_cast: r.int(11)?,
        result_json: r.opt_text(12)?,
        closed_at: r.opt_int(13)?,
        add_one_rounds: r.opt_int(14)?,
    })
}

pub async fn vote(
    tx: &mut Tx,
    tenant: Uuid,
    id: Uuid,
) -> Result<Option<BudgetVoteRow>, StoreError> {
    tx.row(
        &format!("SELECT {VOTE_COLUMNS} FROM budget_votes WHERE tenant_id = $1 AND id = $2"),
        &[tenant.into(), id.into()],
        VOTE_TYPES,
    )
    .await?
    .map(vote_of)
    .transpose()
}

/// A community's votes, latest closing first.
pub async fn votes_of(tx: &mut Tx, tenant: Uuid) -> Result<Vec<BudgetVoteRow>, StoreError> {
    tx.rows(
        &format!(
            "SELECT {VOTE_COLUMNS} FROM budget_votes WHERE tenant_id = $1 \
             ORDER BY closes_at DESC, id"
        ),
        &[tenant.into()],
        VOTE_TYPES,
    )
    .await?
    .into_iter()
    .map(vote_of)
    .collect()
}

/// The projects on the ballot, in ballot order: (title, cost in fen).
pub async fn projects(
    tx: &mut Tx,
    tenant: Uuid,
    vote: Uuid,
) -> Result<Vec<(String, i64)>, StoreError> {
    tx.rows(
        "SELECT title, cost_fen FROM budget_vote_projects WHERE tenant_id = $1 AND vote_id = $2 \
         ORDER BY position",
        &[tenant.into(), vote.into()],
        &[Text, Int],
    )
    .await?
    .into_iter()
    .map(|r| Ok((r.text(0)?, r.int(1)?)))
    .collect()
}

/// Whether `voter` is on the roll (Some) and when they voted (Some(Some)).
pub async fn voter(
    tx: &mut Tx,
    tenant: Uuid,
    vote: Uuid,
    voter: Uuid,
) -> Result<Option<Option<i64>>, StoreError> {
    tx.row(
        "SELECT voted_at FROM budget_vote_voters WHERE tenant_id = $1 AND vote_id = $2 AND voter_id = $3",
        &[tenant.into(), vote.into(), voter.into()],
        &[Int],
    )
    .await?
    .map(|r| r.opt_int(0))
    .transpose()
}

/// Voters marked by channel: (online, assisted, paper).
pub async fn channels(
    tx: &mut Tx,
    tenant: Uuid,
    vote: Uuid,
) -> Result<(i64, i64, i64), StoreError> {
    let mut out = (0, 0, 0);
    for r in tx
        .rows(
            "SELECT channel, COUNT(*) FROM budget_vote_voters WHERE tenant_id = $1 \
             AND vote_id = $2 AND voted_at IS NOT NULL GROUP BY channel",
            &[tenant.into(), vote.into()],
            &[Text, Int],
        )
        .await?
    {
        match r.opt_text(0)?.as_deref() {
            Some("paper") => out.2 = r.int(1)?,
            Some("assisted") => out.1 = r.int(1)?,
            _ => out.0 = r.int(1)?,
        }
    }
    Ok(out)
}

/// Paper-ballot entries: (sheet, entry 1 or 2, choices, clerk), by sheet and entry.
pub async fn sheets(
    tx: &mut Tx,
    tenant: Uuid,
    vote: Uuid,
) -> Result<Vec<(String, i64, String, Uuid)>, StoreError> {
    tx.rows(
        "SELECT sheet, entry, choices, entered_by FROM budget_vote_sheets \
         WHERE tenant_id = $1 AND vote_id = $2 ORDER BY sheet, entry",
        &[tenant.into(), vote.into()],
        &[Text, Int, Text, Id],
    )
    .await?
    .into_iter()
    .map(|r| Ok((r.text(0)?, r.int(1)?, r.text(2)?, r.id(3)?)))
    .collect()
}

/// The households that residents on a roll currently belong to, each once.
pub async fn households_of(
    tx: &mut Tx,
    tenant: Uuid,
    residents: &[Uuid],
) -> Result<Vec<Uuid>, StoreError> {
    let mut out = Vec::new();
    for r in residents {
        for row in tx
            .rows(
                "SELECT household_id FROM household_members WHERE tenant_id = $1 \
                 AND resident_id = $2 AND to_date IS NULL",
                &[tenant.into(), (*r).into()],
                &[Id],
            )
            .await?
        {
            out.push(row.id(0)?);
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}
