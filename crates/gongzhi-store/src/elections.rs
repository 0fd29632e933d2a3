//! Reads for elections, their electorates and sealed ballot boxes, and meeting calendars.

use gongzhi_domain::lifecycle::{BallotBoxStatus, ElectionKind};
use uuid::Uuid;

use crate::StoreError;
use crate::db::Tx;
use crate::schema::ColType::{Id, Int, Text};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElectionRow {
    pub id: Uuid,
    pub council_id: Uuid,
    pub kind: ElectionKind,
    pub title: String,
    pub seats: i64,
    pub opened_at: i64,
    pub closes_at: i64,
    pub term_end: Option<String>,
    pub status: BallotBoxStatus,
    pub electorate: i64,
    pub ballots_cast: i64,
    pub rule_json: String,
    pub closed_at: Option<i64>,
    pub result_json: Option<String>,
}

const ELECTION_COLUMNS: &str = "id, council_id, kind, title, seats, opened_at, closes_at, term_end, status, \
     electorate, ballots_cast, rule_json, closed_at, result_json";
const ELECTION_TYPES: &[crate::schema::ColType] = &[
    Id, Id, Text, Text, Int, Int, Int, Text, Text, Int, Int, Text, Int, Text,
];

fn election_of(r: crate::Row) -> Result<ElectionRow, StoreError> {
    Ok(ElectionRow {
        id: r.id(0)?,
        council_id: r.id(1)?,
        kind: r.word(2)?,
        title: r.text(3)?,
        seats: r.int(4)?,
        opened_at: r.int(5)?,
        closes_at: r.int(6)?,
        term_end: r.opt_text(7)?,
        status: r.word(8)?,
        electorate: r.int(9)?,
        ballots_cast: r.int(10)?,
        rule_json: r.text(11)?,
        closed_at: r.opt_int(12)?,
        result_json: r.opt_text(13)?,
    })
}

pub async fn election(
    tx: &mut Tx,
    tenant: Uuid,
    id: Uuid,
) -> Result<Option<ElectionRow>, StoreError> {
    tx.row(
        &format!("SELECT {ELECTION_COLUMNS} FROM elections WHERE tenant_id = $1 AND id = $2"),
        &[tenant.into(), id.into()],
        ELECTION_TYPES,
    )
    .await?
    .map(election_of)
    .transpose()
}

/// A council's elections, newest first.
pub async fn elections_of(
    tx: &mut Tx,
    tenant: Uuid,
    council: Uuid,
) -> Result<Vec<ElectionRow>, StoreError> {
    tx.rows(
        &format!(
            "SELECT {ELECTION_COLUMNS} FROM elections WHERE tenant_id = $1 AND council_id = $2 \
             ORDER BY opened_at DESC, id"
        ),
        &[tenant.into(), council.into()],
        ELECTION_TYPES,
    )
    .await?
    .into_iter()
    .map(election_of)
    .collect()
}

/// Elections not yet counted in a community (open for voting, or waiting for the count).
pub async fn open_elections(tx: &mut Tx, tenant: Uuid) -> Result<Vec<ElectionRow>, StoreError> {
    tx.rows(
        &format!(
            "SELECT {ELECTION_COLUMNS} FROM elections WHERE tenant_id = $1 AND status = 'open' \
             ORDER BY closes_at, id"
        ),
        &[tenant.into()],
        ELECTION_TYPES,
    )
    .await?
    .into_iter()
    .map(election_of)
    .collect()
}

/// The last general election of a council that elected anybody, if any.
pub async fn last_general_election(
    tx: &mut Tx,
    tenant: Uuid,
    council: Uuid,
) -> Result<Option<ElectionRow>, StoreError> {
    tx.row(
        &format!(
            "SELECT {ELECTION_COLUMNS} FROM elections WHERE tenant_id = $1 AND council_id = $2 \
             AND kind = 'general' AND status = 'closed' ORDER BY closed_at DESC, id LIMIT 1"
        ),
        &[tenant.into(), council.into()],
        ELECTION_TYPES,
    )
    .await?
    .map(election_of)
    .transpose()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateRow {
    pub resident_id: Uuid,
    pub name: String,
    pub position: i64,
    pub votes: Option<i64>,
    pub outcome: Option<String>,
    pub seat_id: Option<Uuid>,
}

/// Candidates in ballot order.
pub async fn candidates(
    tx: &mut Tx,
    tenant: Uuid,
    election: Uuid,
) -> Result<Vec<CandidateRow>, StoreError> {
    tx.rows(
        "SELECT c.resident_id, r.name, c.position, c.votes, c.outcome, c.seat_id \
         FROM election_candidates c JOIN residents r ON r.tenant_id = c.tenant_id AND r.id = c.resident_id \
         WHERE c.tenant_id = $1 AND c.election_id = $2 ORDER BY c.position",
        &[tenant.into(), election.into()],
        &[Id, Text, Int, Int, Text, Id],
    )
    .await?
    .into_iter()
    .map(|r| {
        Ok(CandidateRow {
            resident_id: r.id(0)?,
            name: r.text(1)?,
            position: r.int(2)?,
            votes: r.opt_int(3)?,
            outcome: r.opt_text(4)?,
            seat_id: r.opt_id(5)?,
        })
    })
    .collect()
}

/// Whether a resident is on an election's roll: `None` if not; `Some(voted_at)` if so.
pub async fn voter(
    tx: &mut Tx,
    tenant: Uuid,
    election: Uuid,
    resident: Uuid,
) -> Result<Option<Option<i64>>, StoreError> {
    tx.row(
        "SELECT voted_at FROM election_voters WHERE tenant_id = $1 AND election_id = $2 AND resident_id = $3",
        &[tenant.into(), election.into(), resident.into()],
        &[Int],
    )
    .await?
    .map(|r| r.opt_int(0))
    .transpose()
}

/// Residents on the roll of an area: not voided or merged, living in one of `places`, or with no
/// courtyard recorded when `with_unplaced` (a community-wide roll).
pub async fn roll(
    tx: &mut Tx,
    tenant: Uuid,
    places: &[Uuid],
    with_unplaced: bool,
) -> Result<Vec<Uuid>, StoreError> {
    let mut out = Vec::new();
    if with_unplaced {
        for r in tx
            .rows(
                "SELECT id FROM residents WHERE tenant_id = $1 AND courtyard_id IS NULL \
                 AND merged_into IS NULL AND voided_at IS NULL",
                &[tenant.into()],
                &[Id],
            )
            .await?
        {
            out.push(r.id(0)?);
        }
    }
    for p in places {
        for r in tx
            .rows(
                "SELECT id FROM residents WHERE tenant_id = $1 AND courtyard_id = $2 \
                 AND merged_into IS NULL AND voided_at IS NULL",
                &[tenant.into(), (*p).into()],
                &[Id],
            )
            .await?
        {
            out.push(r.id(0)?);
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Ballots in a sealed box (a count only: nothing is read from them while the box is sealed).
pub async fn sealed_count(tx: &mut Tx, tenant: Uuid, ballot_box: Uuid) -> Result<i64, StoreError> {
    Ok(tx
        .row(
            "SELECT COUNT(*) FROM sealed_ballots WHERE tenant_id = $1 AND box_id = $2",
            &[tenant.into(), ballot_box.into()],
            &[Int],
        )
        .await?
        .map(|r| r.int(0))
        .transpose()?
        .unwrap_or(0))
}

/// Takes every ballot out of a box, to be counted and put back in the order of their random ids
/// (on PostgreSQL the heap keeps insertion order; rewriting the rows removes it from the live
/// table).
pub async fn take_ballots(
    tx: &mut Tx,
    tenant: Uuid,
    ballot_box: Uuid,
) -> Result<Vec<(Uuid, String)>, StoreError> {
    let mut out: Vec<(Uuid, String)> = tx
        .rows(
            "DELETE FROM sealed_ballots WHERE tenant_id = $1 AND box_id = $2 RETURNING id, choices",
            &[tenant.into(), ballot_box.into()],
            &[Id, Text],
        )
        .await?
        .into_iter()
        .map(|r| Ok((r.id(0)?, r.text(1)?)))
        .collect::<Result<_, StoreError>>()?;
    out.sort_by_key(|b| b.0);
    Ok(out)
}

/// Opened ballots of a box, in id order (for the public count).
pub async fn opened_ballots(
    tx: &mut Tx,
    tenant: Uuid,
    ballot_box: Uuid,
) -> Result<Vec<(Uuid, String)>, StoreError> {
    tx.rows(
        "SELECT id, choices FROM sealed_ballots WHERE tenant_id = $1 AND box_id = $2 ORDER BY id",
        &[tenant.into(), ballot_box.into()],
        &[Id, Text],
    )
    .await?
    .into_iter()
    .map(|r| Ok((r.id(0)?, r.text(1)?)))
    .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesRow {
    pub id: Uuid,
    pub title: String,
    pub day_of_month: i64,
    pub minute_of_day: i64,
    pub first_date: String,
    pub meetings: i64,
}

pub async fn series_of(
    tx: &mut Tx,
    tenant: Uuid,
    council: Uuid,
) -> Result<Vec<SeriesRow>, StoreError> {
    tx.rows(
        "SELECT id, title, day_of_month, minute_of_day, first_date, meetings FROM meeting_series \
         WHERE tenant_id = $1 AND council_id = $2 ORDER BY first_date, id",
        &[tenant.into(), council.into()],
        &[Id, Text, Int, Int, Text, Int],
    )
    .await?
    .into_iter()
    .map(|r| {
        Ok(SeriesRow {
            id: r.id(0)?,
            title: r.text(1)?,
            day_of_month: r.int(2)?,
            minute_of_day: r.int(3)?,
            first_date: r.text(4)?,
            meetings: r.int(5)?,
        })
    })
    .collect()
}

/// A seat with its council, whatever its dates (for ending it).
pub async fn seat_any(
    tx: &mut Tx,
    tenant: Uuid,
    seat: Uuid,
) -> Result<Option<(Uuid, Uuid, String, String, Option<String>, Option<String>)>, StoreError> {
    tx.row(
        "SELECT council_id, resident_id, seat_role, term_start, term_end, end_reason FROM council_seats \
         WHERE tenant_id = $1 AND id = $2 AND voided_at IS NULL",
        &[tenant.into(), seat.into()],
        &[Id, Id, Text, Text, Text, Text],
    )
    .await?
    .map(|r| {
        Ok((
            r.id(0)?,
            r.id(1)?,
            r.text(2)?,
            r.text(3)?,
            r.opt_text(4)?,
            r.opt_text(5)?,
        ))
    })
    .transpose()
}

/// Voting seats left before their term ended (resigned, removed, moved away, deceased) whose last
/// day is on or after `since` and before `today`: the vacancies of the current term.
pub async fn seats_left_early(
    tx: &mut Tx,
    tenant: Uuid,
    council: Uuid,
    since: &str,
    today: &str,
) -> Result<i64, StoreError> {
    Ok(tx
        .row(
            "SELECT COUNT(*) FROM council_seats WHERE tenant_id = $1 AND council_id = $2 \
             AND voided_at IS NULL AND seat_role <> 'invitee' \
             AND end_reason IN ('resigned', 'removed', 'moved_away', 'deceased') \
             AND term_end >= $3 AND term_end < $4",
            &[tenant.into(), council.into(), since.into(), today.into()],
            &[Int],
        )
        .await?
        .map(|r| r.int(0))
        .transpose()?
        .unwrap_or(0))
}
