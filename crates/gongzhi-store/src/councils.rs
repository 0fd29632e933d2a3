//! Reads for councils, meetings, motions, votes, resolutions and objections.

use gongzhi_domain::lifecycle::{CouncilKind, MeetingStatus, MotionStatus};
use uuid::Uuid;

use crate::StoreError;
use crate::db::Tx;
use crate::rows::exists;
use crate::schema::ColType::{self, Bool, Id, Int, Text};
use crate::value::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CouncilRow {
    pub id: Uuid,
    pub jurisdiction_id: Uuid,
    pub kind: CouncilKind,
    pub name_zh: String,
    pub name_en: String,
    pub short_name: String,
}

pub async fn council(
    tx: &mut Tx,
    tenant: Uuid,
    id: Uuid,
) -> Result<Option<CouncilRow>, StoreError> {
    tx.row(
        "SELECT id, jurisdiction_id, kind, name_zh, name_en, short_name FROM councils WHERE tenant_id = $1 AND id = $2",
        &[tenant.into(), id.into()],
        &[Id, Id, Text, Text, Text, Text],
    )
    .await?
    .map(|r| {
        Ok(CouncilRow {
            id: r.id(0)?,
            jurisdiction_id: r.id(1)?,
            kind: r.word(2)?,
            name_zh: r.text(3)?,
            name_en: r.text(4)?,
            short_name: r.text(5)?,
        })
    })
    .transpose()
}

pub async fn councils(tx: &mut Tx, tenant: Uuid) -> Result<Vec<CouncilRow>, StoreError> {
    tx.rows(
        "SELECT id, jurisdiction_id, kind, name_zh, name_en, short_name FROM councils WHERE tenant_id = $1 ORDER BY id",
        &[tenant.into()],
        &[Id, Id, Text, Text, Text, Text],
    )
    .await?
    .into_iter()
    .map(|r| {
        Ok(CouncilRow {
            id: r.id(0)?,
            jurisdiction_id: r.id(1)?,
            kind: r.word(2)?,
            name_zh: r.text(3)?,
            name_en: r.text(4)?,
            short_name: r.text(5)?,
        })
    })
    .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatRow {
    pub id: Uuid,
    pub resident_id: Uuid,
    pub resident_name: String,
    pub account_id: Option<Uuid>,
    pub seat_role: String,
    pub term_start: String,
    pub term_end: Option<String>,
}

/// Seats in force on `date` (YYYY-MM-DD), not voided.
pub async fn seats(
    tx: &mut Tx,
    tenant: Uuid,
    council: Uuid,
    date: &str,
) -> Result<Vec<SeatRow>, StoreError> {
    tx.rows(
        "SELECT s.id, s.resident_id, r.name, r.account_id, s.seat_role, s.term_start, s.term_end \
         FROM council_seats s JOIN residents r ON r.tenant_id = s.tenant_id AND r.id = s.resident_id \
         WHERE s.tenant_id = $1 AND s.council_id = $2 AND s.voided_at IS NULL AND s.term_start <= $3 \
           AND (s.term_end IS NULL OR s.term_end >= $3) ORDER BY s.id",
        &[tenant.into(), council.into(), date.into()],
        &[Id, Id, Text, Id, Text, Text, Text],
    )
    .await?
    .into_iter()
    .map(|r| {
        Ok(SeatRow {
            id: r.id(0)?,
            resident_id: r.id(1)?,
            resident_name: r.text(2)?,
            account_id: r.opt_id(3)?,
            seat_role: r.text(4)?,
            term_start: r.text(5)?,
            term_end: r.opt_text(6)?,
        })
    })
    .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingRow {
    pub id: Uuid,
    pub council_id: Uuid,
    pub title: String,
    pub scheduled_for: i64,
    pub status: MeetingStatus,
    /// Members recorded present, kept by the attendance command in the same transaction.
    pub present_count: i64,
}

pub async fn meeting(
    tx: &mut Tx,
    tenant: Uuid,
    id: Uuid,
) -> Result<Option<MeetingRow>, StoreError> {
    tx.row(
        "SELECT id, council_id, title, scheduled_for, status, present_count FROM meetings WHERE tenant_id = $1 AND id = $2",
        &[tenant.into(), id.into()],
        &[Id, Id, Text, Int, Text, Int],
    )
    .await?
    .map(|r| Ok(MeetingRow { id: r.id(0)?, council_id: r.id(1)?, title: r.text(2)?, scheduled_for: r.int(3)?, status: r.word(4)?, present_count: r.int(5)? }))
    .transpose()
}

pub async fn meetings_of(
    tx: &mut Tx,
    tenant: Uuid,
    council: Uuid,
) -> Result<Vec<MeetingRow>, StoreError> {
    tx.rows(
        "SELECT id, council_id, title, scheduled_for, status, present_count FROM meetings WHERE tenant_id = $1 AND council_id = $2 ORDER BY scheduled_for, id",
        &[tenant.into(), council.into()],
        &[Id, Id, Text, Int, Text, Int],
    )
    .await?
    .into_iter()
    .map(|r| Ok(MeetingRow { id: r.id(0)?, council_id: r.id(1)?, title: r.text(2)?, scheduled_for: r.int(3)?, status: r.word(4)?, present_count: r.int(5)? }))
    .collect()
}

/// The meetings not yet closed of a community's councils (not its supervisory boards), for forms
/// that table an item: (meeting, council's name, meeting's title), council by council, in
/// the order of their dates. One statement where a council-by-council read would be several.
pub async fn open_council_meetings(
    tx: &mut Tx,
    tenant: Uuid,
) -> Result<Vec<(Uuid, String, String)>, StoreError> {
    tx.rows(
        "SELECT m.id, c.name_zh, m.title FROM meetings m JOIN councils c ON c.tenant_id = m.tenant_id AND c.id = m.council_id \
         WHERE m.tenant_id = $1 AND c.kind = 'council' AND m.status <> 'closed' ORDER BY c.id, m.scheduled_for, m.id",
        &[tenant.into()],
        &[Id, Text, Text],
    )
    .await?
    .into_iter()
    .map(|r| Ok((r.id(0)?, r.text(1)?, r.text(2)?)))
    .collect()
}

/// Seats marked present at a meeting.
pub async fn present_seats(
    tx: &mut Tx,
    tenant: Uuid,
    meeting: Uuid,
) -> Result<Vec<Uuid>, StoreError> {
    tx.rows(
        "SELECT seat_id FROM attendance WHERE tenant_id = $1 AND meeting_id = $2 AND present = $3 ORDER BY seat_id",
        &[tenant.into(), meeting.into(), true.into()],
        &[Id],
    )
    .await?
    .into_iter()
    .map(|r| r.id(0))
    .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MotionRow {
    pub id: Uuid,
    pub council_id: Uuid,
    pub meeting_id: Option<Uuid>,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub needs_notice: bool,
    pub status: MotionStatus,
    pub opened_at: i64,
    pub result_json: Option<String>,
    /// The rules the vote is judged by, resolved when the motion opened (pinned by value).
    pub rules_json: String,
    /// Voting members seated when the motion opened: the base of "all seated members".
    pub seated: i64,
    /// For a motion adopting or revising a convention: which one, and the text proposed.
    pub convention_id: Option<Uuid>,
    pub proposed_text: Option<String>,
}

pub async fn motion(tx: &mut Tx, tenant: Uuid, id: Uuid) -> Result<Option<MotionRow>, StoreError> {
    tx.row(
        "SELECT id, council_id, meeting_id, kind, title, body, needs_notice, status, opened_at, result_json, rules_json, seated, convention_id, proposed_text FROM motions WHERE tenant_id = $1 AND id = $2",
        &[tenant.into(), id.into()],
        &[Id, Id, Id, Text, Text, Text, Bool, Text, Int, Text, Text, Int, Id, Text],
    )
    .await?
    .map(|r| {
        Ok(MotionRow {
            id: r.id(0)?,
            council_id: r.id(1)?,
            meeting_id: r.opt_id(2)?,
            kind: r.text(3)?,
            title: r.text(4)?,
            body: r.text(5)?,
            needs_notice: r.bool(6)?,
            status: r.word(7)?,
            opened_at: r.int(8)?,
            result_json: r.opt_text(9)?,
            rules_json: r.text(10)?,
            seated: r.int(11)?,
            convention_id: r.opt_id(12)?,
            proposed_text: r.opt_text(13)?,
        })
    })
    .transpose()
}

/// The motions put to a meeting, in the order they were opened: (id, title, status).
pub async fn motions_of_meeting(
    tx: &mut Tx,
    tenant: Uuid,
    meeting: Uuid,
) -> Result<Vec<(Uuid, String, MotionStatus)>, StoreError> {
    tx.rows(
        "SELECT id, title, status FROM motions WHERE tenant_id = $1 AND meeting_id = $2 ORDER BY opened_at, id",
        &[tenant.into(), meeting.into()],
        &[Id, Text, Text],
    )
    .await?
    .into_iter()
    .map(|r| Ok((r.id(0)?, r.text(1)?, r.word(2)?)))
    .collect()
}

/// (seat, choice) of every vote on a motion.
pub async fn votes(
    tx: &mut Tx,
    tenant: Uuid,
    motion: Uuid,
) -> Result<Vec<(Uuid, String)>, StoreError> {
    tx.rows(
        "SELECT seat_id, choice FROM votes WHERE tenant_id = $1 AND motion_id = $2 ORDER BY seat_id",
        &[tenant.into(), motion.into()],
        &[Id, Text],
    )
    .await?
    .into_iter()
    .map(|r| Ok((r.id(0)?, r.text(1)?)))
    .collect()
}

pub async fn recused_seats(
    tx: &mut Tx,
    tenant: Uuid,
    motion: Uuid,
) -> Result<Vec<Uuid>, StoreError> {
    tx.rows(
        "SELECT seat_id FROM recusals WHERE tenant_id = $1 AND motion_id = $2",
        &[tenant.into(), motion.into()],
        &[Id],
    )
    .await?
    .into_iter()
    .map(|r| r.id(0))
    .collect()
}

/// The next resolution number of a council in a year. Safe without gaps or duplicates because a
/// command holds its community's chain-head lock for its whole transaction.
pub async fn next_resolution_number(
    tx: &mut Tx,
    tenant: Uuid,
    council: Uuid,
    year: i64,
) -> Result<i64, StoreError> {
    let r = tx
        .row(
            "SELECT COALESCE(MAX(number), 0) FROM resolutions WHERE tenant_id = $1 AND council_id = $2 AND year = $3",
            &[tenant.into(), council.into(), year.into()],
            &[Int],
        )
        .await?;
    Ok(r.map(|r| r.int(0)).transpose()?.unwrap_or(0) + 1)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolutionRow {
    pub id: Uuid,
    pub council_id: Uuid,
    pub motion_id: Uuid,
    pub label: String,
    pub title: String,
    pub notice_start: Option<i64>,
    pub notice_end: Option<i64>,
    pub returned_at: Option<i64>,
    pub created_at: i64,
}

const RES_SQL: &str = "SELECT r.id, r.council_id, r.motion_id, r.label, m.title, r.notice_start, r.notice_end, r.returned_at, r.created_at \
     FROM resolutions r JOIN motions m ON m.tenant_id = r.tenant_id AND m.id = r.motion_id WHERE r.tenant_id = $1";

fn resolution_row(r: crate::Row) -> Result<ResolutionRow, StoreError> {
    Ok(ResolutionRow {
        id: r.id(0)?,
        council_id: r.id(1)?,
        motion_id: r.id(2)?,
        label: r.text(3)?,
        title: r.text(4)?,
        notice_start: r.opt_int(5)?,
        notice_end: r.opt_int(6)?,
        returned_at: r.opt_int(7)?,
        created_at: r.int(8)?,
    })
}

pub async fn resolutions(tx: &mut Tx, tenant: Uuid) -> Result<Vec<ResolutionRow>, StoreError> {
    tx.rows(
        &format!("{RES_SQL} ORDER BY r.created_at DESC, r.id DESC"),
        &[tenant.into()],
        &[Id, Id, Id, Text, Text, Int, Int, Int, Int],
    )
    .await?
    .into_iter()
    .map(resolution_row)
    .collect()
}

pub async fn resolution(
    tx: &mut Tx,
    tenant: Uuid,
    id: Uuid,
) -> Result<Option<ResolutionRow>, StoreError> {
    tx.row(
        &format!("{RES_SQL} AND r.id = $2"),
        &[tenant.into(), id.into()],
        &[Id, Id, Id, Text, Text, Int, Int, Int, Int],
    )
    .await?
    .map(resolution_row)
    .transpose()
}

/// The resolution a motion became, if it passed (one per motion: `uq_resolutions_motion`).
pub async fn resolution_of_motion(
    tx: &mut Tx,
    tenant: Uuid,
    motion: Uuid,
) -> Result<Option<ResolutionRow>, StoreError> {
    tx.row(
        &format!("{RES_SQL} AND r.motion_id = $2"),
        &[tenant.into(), motion.into()],
        &[Id, Id, Id, Text, Text, Int, Int, Int, Int],
    )
    .await?
    .map(resolution_row)
    .transpose()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectionRow {
    pub id: Uuid,
    pub account_id: Uuid,
    pub body: String,
    pub filed_at: i64,
    pub answer: Option<String>,
    pub upheld: Option<bool>,
    pub answered_at: Option<i64>,
    /// `published` or `withheld` once staff reviewed the resident's words; `None` while they wait.
    pub body_review: Option<String>,
}

impl ObjectionRow {
    /// The resident's words as public pages may show them: only once staff published them.
    pub fn published_body(&self) -> Option<&str> {
        (self.body_review.as_deref() == Some("published")).then_some(self.body.as_str())
    }
}

const OBJECTION_COLUMNS: &str =
    "id, account_id, body, filed_at, answer, upheld, answered_at, resolution_id, body_review";
const OBJECTION_TYPES: &[ColType] = &[Id, Id, Text, Int, Text, Bool, Int, Id, Text];

fn objection_row(r: &crate::Row) -> Result<(Uuid, ObjectionRow), StoreError> {
    Ok((
        r.id(7)?,
        ObjectionRow {
            id: r.id(0)?,
            account_id: r.id(1)?,
            body: r.text(2)?,
            filed_at: r.int(3)?,
            answer: r.opt_text(4)?,
            upheld: match &r.0[5] {
                Value::Bool(b) => *b,
                _ => None,
            },
            answered_at: r.opt_int(6)?,
            body_review: r.opt_text(8)?,
        },
    ))
}

pub async fn objections(
    tx: &mut Tx,
    tenant: Uuid,
    resolution: Uuid,
) -> Result<Vec<ObjectionRow>, StoreError> {
    tx.rows(
        &format!("SELECT {OBJECTION_COLUMNS} FROM objections WHERE tenant_id = $1 AND resolution_id = $2 ORDER BY filed_at, id"),
        &[tenant.into(), resolution.into()],
        OBJECTION_TYPES,
    )
    .await?
    .iter()
    .map(|r| objection_row(r).map(|(_, o)| o))
    .collect()
}

/// Every objection filed in a community, by resolution, each resolution's oldest first: one
/// statement for a notice board (one a resolution would grow with the board).
pub async fn objections_of_community(
    tx: &mut Tx,
    tenant: Uuid,
) -> Result<std::collections::HashMap<Uuid, Vec<ObjectionRow>>, StoreError> {
    objections_by_resolution(tx, "", &[tenant.into()]).await
}

/// Every objection to the resolutions a project's motions became, by resolution: one statement
/// for a project's page.
pub async fn objections_of_project(
    tx: &mut Tx,
    tenant: Uuid,
    project: Uuid,
) -> Result<std::collections::HashMap<Uuid, Vec<ObjectionRow>>, StoreError> {
    objections_by_resolution(
        tx,
        " AND resolution_id IN (SELECT r.id FROM project_motions pm JOIN resolutions r \
           ON r.tenant_id = pm.tenant_id AND r.motion_id = pm.motion_id \
           WHERE pm.tenant_id = $1 AND pm.project_id = $2)",
        &[tenant.into(), project.into()],
    )
    .await
}

/// A community's objections (`$1`) that also meet `and_where`, by resolution, oldest first.
async fn objections_by_resolution(
    tx: &mut Tx,
    and_where: &str,
    args: &[Value],
) -> Result<std::collections::HashMap<Uuid, Vec<ObjectionRow>>, StoreError> {
    let mut out: std::collections::HashMap<Uuid, Vec<ObjectionRow>> = Default::default();
    for r in tx
        .rows(
            &format!("SELECT {OBJECTION_COLUMNS} FROM objections WHERE tenant_id = $1{and_where} ORDER BY filed_at, id"),
            args,
            OBJECTION_TYPES,
        )
        .await?
    {
        let (resolution, o) = objection_row(&r)?;
        out.entry(resolution).or_default().push(o);
    }
    Ok(out)
}

/// One seat in force on `date`, with its resident's name and account.
pub async fn seat(
    tx: &mut Tx,
    tenant: Uuid,
    council: Uuid,
    seat: Uuid,
    date: &str,
) -> Result<Option<SeatRow>, StoreError> {
    tx.row(
        "SELECT s.id, s.resident_id, r.name, r.account_id, s.seat_role, s.term_start, s.term_end \
         FROM council_seats s JOIN residents r ON r.tenant_id = s.tenant_id AND r.id = s.resident_id \
         WHERE s.tenant_id = $1 AND s.council_id = $2 AND s.id = $3 AND s.voided_at IS NULL AND s.term_start <= $4 \
           AND (s.term_end IS NULL OR s.term_end >= $4)",
        &[tenant.into(), council.into(), seat.into(), date.into()],
        &[Id, Id, Text, Id, Text, Text, Text],
    )
    .await?
    .map(|r| {
        Ok(SeatRow {
            id: r.id(0)?,
            resident_id: r.id(1)?,
            resident_name: r.text(2)?,
            account_id: r.opt_id(3)?,
            seat_role: r.text(4)?,
            term_start: r.text(5)?,
            term_end: r.opt_text(6)?,
        })
    })
    .transpose()
}

/// Whether `account` holds the chair of the council on `date`.
pub async fn is_chair(
    tx: &mut Tx,
    tenant: Uuid,
    council: Uuid,
    account: Uuid,
    date: &str,
) -> Result<bool, StoreError> {
    Ok(tx
        .row(
            "SELECT s.id FROM council_seats s JOIN residents r ON r.tenant_id = s.tenant_id AND r.id = s.resident_id \
             WHERE s.tenant_id = $1 AND s.council_id = $2 AND r.account_id = $3 AND s.seat_role = 'chair' AND s.voided_at IS NULL \
               AND s.term_start <= $4 AND (s.term_end IS NULL OR s.term_end >= $4) LIMIT 1",
            &[tenant.into(), council.into(), account.into(), date.into()],
            &[Id],
        )
        .await?
        .is_some())
}

async fn count(tx: &mut Tx, sql: &str, args: &[Value]) -> Result<u32, StoreError> {
    let n = tx
        .row(sql, args, &[Int])
        .await?
        .map(|r| r.int(0))
        .transpose()?
        .unwrap_or(0);
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Voting members (not invitees) seated on `date`.
pub async fn count_voting_seats(
    tx: &mut Tx,
    tenant: Uuid,
    council: Uuid,
    date: &str,
) -> Result<u32, StoreError> {
    count(
        tx,
        "SELECT COUNT(*) FROM council_seats WHERE tenant_id = $1 AND council_id = $2 AND seat_role <> 'invitee' AND voided_at IS NULL \
         AND term_start <= $3 AND (term_end IS NULL OR term_end >= $3)",
        &[tenant.into(), council.into(), date.into()],
    )
    .await
}

pub async fn count_present(tx: &mut Tx, tenant: Uuid, meeting: Uuid) -> Result<u32, StoreError> {
    count(
        tx,
        "SELECT COUNT(*) FROM attendance WHERE tenant_id = $1 AND meeting_id = $2 AND present = $3",
        &[tenant.into(), meeting.into(), true.into()],
    )
    .await
}

pub async fn is_present(
    tx: &mut Tx,
    tenant: Uuid,
    meeting: Uuid,
    seat: Uuid,
) -> Result<bool, StoreError> {
    exists(
        tx,
        "attendance",
        "tenant_id = $1 AND meeting_id = $2 AND seat_id = $3 AND present = $4",
        &[tenant.into(), meeting.into(), seat.into(), true.into()],
    )
    .await
}

pub async fn is_recused(
    tx: &mut Tx,
    tenant: Uuid,
    motion: Uuid,
    seat: Uuid,
) -> Result<bool, StoreError> {
    exists(
        tx,
        "recusals",
        "tenant_id = $1 AND motion_id = $2 AND seat_id = $3",
        &[tenant.into(), motion.into(), seat.into()],
    )
    .await
}

pub async fn vote_exists(
    tx: &mut Tx,
    tenant: Uuid,
    motion: Uuid,
    seat: Uuid,
) -> Result<bool, StoreError> {
    exists(
        tx,
        "votes",
        "tenant_id = $1 AND motion_id = $2 AND seat_id = $3",
        &[tenant.into(), motion.into(), seat.into()],
    )
    .await
}

/// Counts of each choice on a motion.
pub async fn vote_counts(
    tx: &mut Tx,
    tenant: Uuid,
    motion: Uuid,
) -> Result<Vec<(String, i64)>, StoreError> {
    tx.rows(
        "SELECT choice, COUNT(*) FROM votes WHERE tenant_id = $1 AND motion_id = $2 GROUP BY choice ORDER BY choice",
        &[tenant.into(), motion.into()],
        &[Text, Int],
    )
    .await?
    .into_iter()
    .map(|r| Ok((r.text(0)?, r.int(1)?)))
    .collect()
}

/// Whether a resident already holds a seat on the council on `date`.
pub async fn resident_seated(
    tx: &mut Tx,
    tenant: Uuid,
    council: Uuid,
    resident: Uuid,
    date: &str,
) -> Result<bool, StoreError> {
    exists(
        tx,
        "council_seats",
        "tenant_id = $1 AND council_id = $2 AND resident_id = $3 AND voided_at IS NULL \
         AND term_start <= $4 AND (term_end IS NULL OR term_end >= $4)",
        &[tenant.into(), council.into(), resident.into(), date.into()],
    )
    .await
}

/// A meeting's minutes and when they were written.
pub async fn minutes(
    tx: &mut Tx,
    tenant: Uuid,
    meeting: Uuid,
) -> Result<Option<(String, i64)>, StoreError> {
    let r = tx
        .row(
            "SELECT minutes, minutes_written_at FROM meetings WHERE tenant_id = $1 AND id = $2",
            &[tenant.into(), meeting.into()],
            &[Text, Int],
        )
        .await?;
    Ok(match r {
        Some(r) => match (r.opt_text(0)?, r.opt_int(1)?) {
            (Some(m), Some(at)) => Some((m, at)),
            _ => None,
        },
        None => None,
    })
}

/// Seats that signed a meeting's minutes.
pub async fn minute_signatures(
    tx: &mut Tx,
    tenant: Uuid,
    meeting: Uuid,
) -> Result<Vec<Uuid>, StoreError> {
    tx.rows("SELECT seat_id FROM minute_signatures WHERE tenant_id = $1 AND meeting_id = $2 ORDER BY seat_id", &[tenant.into(), meeting.into()], &[Id])
        .await?
        .into_iter()
        .map(|r| r.id(0))
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConventionRow {
    pub id: Uuid,
    pub jurisdiction_id: Uuid,
    pub title: String,
}

pub async fn convention(
    tx: &mut Tx,
    tenant: Uuid,
    id: Uuid,
) -> Result<Option<ConventionRow>, StoreError> {
    tx.row(
        "SELECT id, jurisdiction_id, title FROM conventions WHERE tenant_id = $1 AND id = $2",
        &[tenant.into(), id.into()],
        &[Id, Id, Text],
    )
    .await?
    .map(|r| {
        Ok(ConventionRow {
            id: r.id(0)?,
            jurisdiction_id: r.id(1)?,
            title: r.text(2)?,
        })
    })
    .transpose()
}

/// (version, body, adopted_at, resolution label) of every version, oldest first.
/// A convention's versions in order, each with its resolution's label and id.
pub async fn convention_versions(
    tx: &mut Tx,
    tenant: Uuid,
    convention: Uuid,
) -> Result<Vec<(i64, String, i64, Option<String>, Option<Uuid>)>, StoreError> {
    tx.rows(
        "SELECT v.version, v.body, v.adopted_at, r.label, r.id FROM convention_versions v \
         LEFT JOIN resolutions r ON r.tenant_id = v.tenant_id AND r.motion_id = v.motion_id \
         WHERE v.tenant_id = $1 AND v.convention_id = $2 ORDER BY v.version",
        &[tenant.into(), convention.into()],
        &[Int, Text, Int, Text, Id],
    )
    .await?
    .into_iter()
    .map(|r| {
        Ok((
            r.int(0)?,
            r.text(1)?,
            r.int(2)?,
            r.opt_text(3)?,
            r.opt_id(4)?,
        ))
    })
    .collect()
}

pub async fn next_convention_version(
    tx: &mut Tx,
    tenant: Uuid,
    convention: Uuid,
) -> Result<i64, StoreError> {
    let n = tx
        .row("SELECT COALESCE(MAX(version), 0) FROM convention_versions WHERE tenant_id = $1 AND convention_id = $2", &[tenant.into(), convention.into()], &[Int])
        .await?
        .map(|r| r.int(0))
        .transpose()?
        .unwrap_or(0);
    Ok(n + 1)
}

pub async fn conventions_of(tx: &mut Tx, tenant: Uuid) -> Result<Vec<ConventionRow>, StoreError> {
    tx.rows(
        "SELECT id, jurisdiction_id, title FROM conventions WHERE tenant_id = $1 ORDER BY id",
        &[tenant.into()],
        &[Id, Id, Text],
    )
    .await?
    .into_iter()
    .map(|r| {
        Ok(ConventionRow {
            id: r.id(0)?,
            jurisdiction_id: r.id(1)?,
            title: r.text(2)?,
        })
    })
    .collect()
}

/// Accounts holding a community-committee office in the tenant on `date`.
pub async fn committee_accounts(
    tx: &mut Tx,
    tenant: Uuid,
    date: &str,
) -> Result<Vec<Uuid>, StoreError> {
    tx.rows(
        "SELECT account_id FROM offices WHERE tenant_id = $1 AND office IN ('committee_director', 'committee_member') \
         AND voided_at IS NULL AND term_start <= $2 AND (term_end IS NULL OR term_end >= $2)",
        &[tenant.into(), date.into()],
        &[Id],
    )
    .await?
    .into_iter()
    .map(|r| r.id(0))
    .collect()
}

/// A resident's declared close relatives (either direction), with each relative's account and
/// the relation as declared.
pub async fn relatives_of(
    tx: &mut Tx,
    tenant: Uuid,
    resident: Uuid,
) -> Result<Vec<(Uuid, Option<Uuid>, String)>, StoreError> {
    tx.rows(
        "SELECT r.id, r.account_id, d.relation FROM declared_relatives d \
         JOIN residents r ON r.tenant_id = d.tenant_id AND r.id = CASE WHEN d.resident_id = $2 THEN d.relative_id ELSE d.resident_id END \
         WHERE d.tenant_id = $1 AND (d.resident_id = $2 OR d.relative_id = $2) AND d.voided_at IS NULL",
        &[tenant.into(), resident.into()],
        &[Id, Id, Text],
    )
    .await?
    .into_iter()
    .map(|r| Ok((r.id(0)?, r.opt_id(1)?, r.text(2)?)))
    .collect()
}

/// The account a resident signs in with, if any.
pub async fn resident_account(
    tx: &mut Tx,
    tenant: Uuid,
    resident: Uuid,
) -> Result<Option<Uuid>, StoreError> {
    Ok(tx
        .row(
            "SELECT account_id FROM residents WHERE tenant_id = $1 AND id = $2",
            &[tenant.into(), resident.into()],
            &[Id],
        )
        .await?
        .and_then(|r| r.opt_id(0).ok().flatten()))
}

/// A member's meetings: (title, scheduled_for, present) for every meeting of the council.
pub async fn member_meetings(
    tx: &mut Tx,
    tenant: Uuid,
    council: Uuid,
    seat: Uuid,
) -> Result<Vec<(String, i64, bool)>, StoreError> {
    tx.rows(
        "SELECT m.title, m.scheduled_for, a.present FROM meetings m \
         LEFT JOIN attendance a ON a.tenant_id = m.tenant_id AND a.meeting_id = m.id AND a.seat_id = $3 \
         WHERE m.tenant_id = $1 AND m.council_id = $2 ORDER BY m.scheduled_for, m.id",
        &[tenant.into(), council.into(), seat.into()],
        &[Text, Int, Bool],
    )
    .await?
    .into_iter()
    .map(|r| {
        let present = matches!(r.0.get(2), Some(Value::Bool(Some(true))));
        Ok((r.text(0)?, r.int(1)?, present))
    })
    .collect()
}

/// A member's votes on the council's closed motions: (title, motion status, choice or None if missed).
pub async fn member_votes(
    tx: &mut Tx,
    tenant: Uuid,
    council: Uuid,
    seat: Uuid,
) -> Result<Vec<(String, String, Option<String>)>, StoreError> {
    tx.rows(
        "SELECT mo.title, mo.status, v.choice FROM motions mo \
         LEFT JOIN votes v ON v.tenant_id = mo.tenant_id AND v.motion_id = mo.id AND v.seat_id = $3 \
         WHERE mo.tenant_id = $1 AND mo.council_id = $2 AND mo.status <> 'open' ORDER BY mo.opened_at, mo.id",
        &[tenant.into(), council.into(), seat.into()],
        &[Text, Text, Text],
    )
    .await?
    .into_iter()
    .map(|r| Ok((r.text(0)?, r.text(1)?, r.opt_text(2)?)))
    .collect()
}

/// A meeting request: (council, reason, the meeting it led to) and its supporting seats.
pub async fn meeting_request(
    tx: &mut Tx,
    tenant: Uuid,
    id: Uuid,
) -> Result<Option<(Uuid, String, Option<Uuid>, Vec<Uuid>)>, StoreError> {
    let Some(r) = tx
        .row("SELECT council_id, reason, meeting_id FROM meeting_requests WHERE tenant_id = $1 AND id = $2", &[tenant.into(), id.into()], &[Id, Text, Id])
        .await?
    else {
        return Ok(None);
    };
    let supports = tx
        .rows("SELECT seat_id FROM meeting_request_supports WHERE tenant_id = $1 AND request_id = $2 ORDER BY seat_id", &[tenant.into(), id.into()], &[Id])
        .await?
        .into_iter()
        .map(|s| s.id(0))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some((r.id(0)?, r.text(1)?, r.opt_id(2)?, supports)))
}
