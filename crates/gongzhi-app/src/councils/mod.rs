//! Councils that deliberate and vote (还权): councils and their seats, meetings with attendance and
//! quorum, motions with the threshold the rulebook sets for their kind (pinned when the motion
//! opens), roll-call votes with recusal, resolutions with gapless numbers, and the public notice
//! residents can object to. A resolution's effect is computed from the clock when read, so nothing
//! depends on a scheduled job.

mod conventions;
mod meetings;
mod motions;
mod resolutions;

pub use conventions::*;
pub use meetings::*;
pub use motions::*;
pub use resolutions::*;

use gongzhi_domain::DomainError;
use gongzhi_domain::council::{self, Choice, NoticeState};
use gongzhi_domain::lifecycle::CouncilKind;
use gongzhi_domain::rulebook::RuleValue;
use gongzhi_domain::threshold::Threshold;
use gongzhi_domain::time::{Instant, format_date, parse_date};
use gongzhi_store::councils::{self as repo_c, CouncilRow, MotionRow, ResolutionRow, SeatRow};
use gongzhi_store::{Tx, Value, repo};
use serde_json::json;
use uuid::Uuid;

use crate::authz::{Actor, Permission};
use crate::command::{Command, Record, Target, tenant_of};
use crate::rules::rule_in_force;
use crate::{App, AppError, new_id};

pub const COUNCIL_KINDS: &[&str] = CouncilKind::WORDS;
pub const SEAT_ROLES: &[&str] = &["member", "chair", "invitee"];

use crate::input::{invalid, text};

/// A council and the tenant that owns it.
pub(crate) async fn load_council(
    tx: &mut Tx,
    council: Uuid,
) -> Result<(Uuid, CouncilRow), AppError> {
    let tenant = Record::Council.tenant(tx, council).await?;
    let c = repo_c::council(tx, tenant, council)
        .await?
        .ok_or(AppError::NotFound("council"))?;
    Ok((tenant, c))
}

/// The chair, or staff with council duties there, may run the council's business.
pub(crate) async fn require_chair_or_staff(
    tx: &mut Tx,
    actor: &Actor,
    tenant: Uuid,
    c: &CouncilRow,
    today: &str,
) -> Result<(), AppError> {
    if let Some(a) = actor.account_id
        && repo_c::is_chair(tx, tenant, c.id, a, today).await?
    {
        return Ok(());
    }
    actor
        .require(tx, Permission::ManageCouncils, c.jurisdiction_id)
        .await
}

pub struct NewCouncil<'a> {
    pub jurisdiction_id: Uuid,
    pub kind: &'a str,
    pub name_zh: &'a str,
    pub name_en: &'a str,
    /// Used in resolution numbers (e.g. 晋阳社区 in 晋阳社区议〔2026〕3号).
    pub short_name: &'a str,
}

pub async fn create_council(
    app: &App,
    actor: &Actor,
    new: &NewCouncil<'_>,
) -> Result<Uuid, AppError> {
    let Some(kind) = CouncilKind::parse(new.kind) else {
        return Err(invalid("council_kind_unknown", "kind"));
    };
    let name_zh = text(new.name_zh, "name_zh", 60)?;
    let name_en = if new.name_en.trim().is_empty() {
        name_zh.clone()
    } else {
        text(new.name_en, "name_en", 80)?
    };
    let short = text(new.short_name, "short_name", 20)?;
    let mut cmd = Command::on(
        app,
        actor,
        Target::Place(new.jurisdiction_id),
        "council.create",
    )
    .await?;
    let read = &mut cmd.tx;
    actor
        .require(read, Permission::ManageCouncils, new.jurisdiction_id)
        .await?;
    let j = repo::jurisdiction_by_id(read, new.jurisdiction_id)
        .await?
        .ok_or(AppError::NotFound("jurisdiction"))?;
    if !matches!(
        j.level.as_str(),
        "community" | "resident_group" | "courtyard"
    ) {
        return Err(invalid("council_level_invalid", "jurisdiction_id"));
    }
    let tenant = tenant_of(read, j.id).await?;
    let id = new_id();
    cmd.insert(
        "councils",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("jurisdiction_id", j.id.into()),
            ("kind", kind.into()),
            ("name_zh", name_zh.into()),
            ("name_en", name_en.into()),
            ("short_name", short.into()),
            ("created_at", app.now().micros().into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

/// The council-size rule for the level a council sits at.
pub(crate) async fn size_rule(
    tx: &mut Tx,
    app: &App,
    c: &CouncilRow,
    pinned: Instant,
) -> Result<gongzhi_domain::rulebook::SizeRange, AppError> {
    let j = repo::jurisdiction_by_id(tx, c.jurisdiction_id)
        .await?
        .ok_or(AppError::NotFound("jurisdiction"))?;
    match rule_in_force(
        tx,
        c.jurisdiction_id,
        &format!("council.size.{}", j.level),
        app.now().china_date(),
        pinned,
    )
    .await?
    {
        RuleValue::CouncilSize(s) => Ok(s),
        _ => Err(invalid("rule_missing", "council")),
    }
}

/// Seats a resident on a council for a term (after their election is recorded elsewhere).
pub async fn seat_member(
    app: &App,
    actor: &Actor,
    council: Uuid,
    resident: Uuid,
    seat_role: &str,
    term_start: &str,
    term_end: Option<&str>,
) -> Result<Uuid, AppError> {
    if !SEAT_ROLES.contains(&seat_role) {
        return Err(invalid("seat_role_unknown", "seat_role"));
    }
    let start = parse_date(term_start).ok_or_else(|| invalid("date_invalid", "term_start"))?;
    if let Some(end) = term_end {
        let end = parse_date(end).ok_or_else(|| invalid("date_invalid", "term_end"))?;
        if end < start {
            return Err(invalid("term_end_before_start", "term_end"));
        }
    }
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Council, council),
        "council.seat",
    )
    .await?;
    let read = &mut cmd.tx;
    let (tenant, c) = load_council(read, council).await?;
    actor
        .require(read, Permission::ManageCouncils, c.jurisdiction_id)
        .await?;
    repo::resident(read, tenant, resident)
        .await?
        .ok_or_else(|| invalid("resident_not_found", "resident_id"))?;
    if repo_c::resident_seated(read, tenant, council, resident, &format_date(start)).await? {
        return Err(invalid("seat_already_held", "resident_id"));
    }
    if c.kind == CouncilKind::SupervisoryBoard && seat_role != "invitee" {
        check_supervisor_eligible(read, tenant, resident, &format_date(start)).await?;
    }
    if seat_role != "invitee" {
        let voting = repo_c::count_voting_seats(read, tenant, council, &format_date(start)).await?;
        let size = size_rule(read, app, &c, app.now()).await?;
        if size.max.is_some_and(|max| voting + 1 > max) {
            return Err(AppError::Invalid(
                DomainError::field("council_full", "council_id")
                    .arg("max", size.max.unwrap_or_default()),
            ));
        }
    }
    let id = new_id();
    cmd.insert(
        "council_seats",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("council_id", council.into()),
            ("resident_id", resident.into()),
            ("seat_role", seat_role.into()),
            ("term_start", format_date(start).into()),
            ("term_end", Value::from(term_end)),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

/// A council's seats in force today, for pages and the API.
pub async fn council_view(
    app: &App,
    council: Uuid,
) -> Result<(CouncilRow, Vec<SeatRow>, Vec<repo_c::MeetingRow>), AppError> {
    let mut tx = app.db.reads().await?;
    let (tenant, c) = load_council(&mut tx, council).await?;
    let seats = repo_c::seats(
        &mut tx,
        tenant,
        council,
        &format_date(app.now().china_date()),
    )
    .await?;
    let meetings = repo_c::meetings_of(&mut tx, tenant, council).await?;
    tx.rollback().await?;
    Ok((c, seats, meetings))
}

/// The open meetings of a community's councils: (meeting, council's name, meeting's title).
pub async fn open_council_meetings(
    app: &App,
    community: Uuid,
) -> Result<Vec<(Uuid, String, String)>, AppError> {
    let mut tx = app.db.reads().await?;
    let m = repo_c::open_council_meetings(&mut tx, community).await?;
    tx.rollback().await?;
    Ok(m)
}

pub async fn councils_of(app: &App, community: Uuid) -> Result<Vec<CouncilRow>, AppError> {
    let mut tx = app.db.reads().await?;
    let c = repo_c::councils(&mut tx, community).await?;
    tx.rollback().await?;
    Ok(c)
}

/// Relations that count as close relatives for the supervisory board's independence.
pub const RELATIONS: &[&str] = &[
    "spouse",
    "parent",
    "child",
    "sibling",
    "grandparent",
    "grandchild",
    "parent_in_law",
    "child_in_law",
];

/// A supervisor may not be a member of the community committee, nor a declared close relative of
/// one: the board watches the committee's spending.
pub(crate) async fn check_supervisor_eligible(
    tx: &mut Tx,
    tenant: Uuid,
    resident: Uuid,
    date: &str,
) -> Result<(), AppError> {
    let committee = repo_c::committee_accounts(tx, tenant, date).await?;
    if let Some(account) = repo_c::resident_account(tx, tenant, resident).await?
        && committee.contains(&account)
    {
        return Err(invalid("supervisor_is_committee_member", "resident_id"));
    }
    for (_, account, relation) in repo_c::relatives_of(tx, tenant, resident).await? {
        if account.is_some_and(|a| committee.contains(&a)) {
            return Err(AppError::Invalid(
                DomainError::field("supervisor_relative_of_committee", "resident_id")
                    .arg("relation", relation),
            ));
        }
    }
    Ok(())
}

/// Records a declared close relationship between two residents of a community (staff enter what
/// residents declare; it is what the supervisory board's independence is checked against).
pub async fn declare_relative(
    app: &App,
    actor: &Actor,
    community: Uuid,
    resident: Uuid,
    relative: Uuid,
    relation: &str,
) -> Result<Uuid, AppError> {
    if !RELATIONS.contains(&relation) {
        return Err(invalid("relation_unknown", "relation"));
    }
    if resident == relative {
        return Err(invalid("relation_to_self", "relative_id"));
    }
    let mut cmd = Command::on(
        app,
        actor,
        Target::Tenant(community),
        "resident.declare_relative",
    )
    .await?;
    let read = &mut cmd.tx;
    actor
        .require(read, Permission::ManageResidents, community)
        .await?;
    for r in [resident, relative] {
        repo::resident(read, community, r)
            .await?
            .ok_or_else(|| invalid("resident_not_found", "resident_id"))?;
    }
    let id = new_id();
    cmd.insert(
        "declared_relatives",
        &[
            ("tenant_id", community.into()),
            ("id", id.into()),
            ("resident_id", resident.into()),
            ("relative_id", relative.into()),
            ("relation", relation.into()),
            ("declared_at", app.now().micros().into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

/// A member's public record on a council: meetings attended and votes cast or missed.
#[derive(Debug, Clone)]
pub struct MemberRecord {
    pub name: String,
    pub council: CouncilRow,
    /// (meeting, when, present)
    pub meetings: Vec<(String, Instant, bool)>,
    /// (motion, outcome, choice; `None` when the member did not vote)
    pub votes: Vec<(String, String, Option<String>)>,
}

pub async fn member_record(app: &App, council: Uuid, seat: Uuid) -> Result<MemberRecord, AppError> {
    let mut tx = app.db.read().await?;
    let (tenant, c) = load_council(&mut tx, council).await?;
    let s = repo_c::seat(
        &mut tx,
        tenant,
        council,
        seat,
        &format_date(app.now().china_date()),
    )
    .await?
    .ok_or(AppError::NotFound("seat"))?;
    let meetings = repo_c::member_meetings(&mut tx, tenant, council, seat)
        .await?
        .into_iter()
        .map(|(t, at, p)| (t, Instant::from_micros(at), p))
        .collect();
    let votes = repo_c::member_votes(&mut tx, tenant, council, seat).await?;
    tx.rollback().await?;
    Ok(MemberRecord {
        name: s.resident_name,
        council: c,
        meetings,
        votes,
    })
}
