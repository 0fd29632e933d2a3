//! Councils that deliberate and vote (还权): councils and their seats, meetings with attendance and
//! quorum, motions with the threshold the rulebook sets for their kind (pinned when the motion
//! opens), roll-call votes with recusal, resolutions with gapless numbers, and the public notice
//! residents can object to. A resolution's effect is computed from the clock when read, so nothing
//! depends on a scheduled job.

use gongzhi_domain::DomainError;
use gongzhi_domain::council::{self, Choice, NoticeState};
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

pub const COUNCIL_KINDS: &[&str] = &["council", "supervisory_board"];
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
    if !COUNCIL_KINDS.contains(&new.kind) {
        return Err(invalid("council_kind_unknown", "kind"));
    }
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
            ("kind", new.kind.into()),
            ("name_zh", name_zh.into()),
            ("name_en", name_en.into()),
            ("short_name", short.into()),
            ("created_at", app.now().0.into()),
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
    if c.kind == "supervisory_board" && seat_role != "invitee" {
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

pub async fn schedule_meeting(
    app: &App,
    actor: &Actor,
    council: Uuid,
    title: &str,
    at: Instant,
) -> Result<Uuid, AppError> {
    let title = text(title, "title", 120)?;
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Council, council),
        "meeting.schedule",
    )
    .await?;
    let read = &mut cmd.tx;
    let (tenant, c) = load_council(read, council).await?;
    let today = format_date(app.now().china_date());
    require_chair_or_staff(read, actor, tenant, &c, &today).await?;
    let id = new_id();
    cmd.insert(
        "meetings",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("council_id", council.into()),
            ("title", title.into()),
            ("scheduled_for", at.0.into()),
            ("status", "scheduled".into()),
            ("created_at", app.now().0.into()),
            ("present_count", 0i64.into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

/// Records who is present. The first record opens the meeting.
pub async fn record_attendance(
    app: &App,
    actor: &Actor,
    meeting: Uuid,
    seat: Uuid,
    present: bool,
) -> Result<(), AppError> {
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Meeting, meeting),
        "meeting.attendance",
    )
    .await?;
    let read = &mut cmd.tx;
    let (tenant, m) = find_meeting(read, meeting).await?;
    let (_, c) = load_council(read, m.council_id).await?;
    let today = format_date(app.now().china_date());
    require_chair_or_staff(read, actor, tenant, &c, &today).await?;
    if m.status == "closed" {
        return Err(invalid("meeting_closed", "meeting_id"));
    }
    if repo_c::seat(read, tenant, c.id, seat, &today)
        .await?
        .is_none()
    {
        return Err(invalid("seat_not_in_council", "seat_id"));
    }
    // Read inside the write transaction (serialised per community), so the running count of
    // members present stays exact however many secretaries record at once.
    let current = repo_c::meeting(&mut cmd.tx, tenant, meeting)
        .await?
        .ok_or(AppError::NotFound("meeting"))?;
    let was_present = repo_c::is_present(&mut cmd.tx, tenant, meeting, seat).await?;
    let now = app.now().0;
    let delta = i64::from(present) - i64::from(was_present);
    let mut meeting_sets: Vec<(&str, Value)> =
        vec![("present_count", (current.present_count + delta).into())];
    if current.status == "scheduled" {
        meeting_sets.push(("status", "open".into()));
        meeting_sets.push(("opened_at", now.into()));
    }
    cmd.update("meetings", &[tenant.into(), meeting.into()], &meeting_sets)
        .await?;
    let values: [(&str, Value); 3] = [
        ("present", present.into()),
        ("recorded_at", now.into()),
        ("recorded_by", actor.account_id.into()),
    ];
    cmd.upsert(
        "attendance",
        &[
            ("tenant_id", tenant.into()),
            ("meeting_id", meeting.into()),
            ("seat_id", seat.into()),
        ],
        &values,
    )
    .await?;
    cmd.commit().await?;
    Ok(())
}

async fn find_meeting(tx: &mut Tx, meeting: Uuid) -> Result<(Uuid, repo_c::MeetingRow), AppError> {
    let tenant = Record::Meeting.tenant(tx, meeting).await?;
    Ok((
        tenant,
        repo_c::meeting(tx, tenant, meeting)
            .await?
            .ok_or(AppError::NotFound("meeting"))?,
    ))
}

async fn find_motion(tx: &mut Tx, motion: Uuid) -> Result<(Uuid, MotionRow), AppError> {
    let tenant = Record::Motion.tenant(tx, motion).await?;
    Ok((
        tenant,
        repo_c::motion(tx, tenant, motion)
            .await?
            .ok_or(AppError::NotFound("motion"))?,
    ))
}

pub struct NewMotion<'a> {
    pub council_id: Uuid,
    pub meeting_id: Option<Uuid>,
    pub kind: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub needs_notice: bool,
    /// For a convention: which one and the full text proposed (adopted as its next version if
    /// the motion passes).
    pub convention: Option<(Uuid, &'a str)>,
    /// For a project approval without a project in the pipeline: what it approves from the
    /// fund, in fen (budgets on its resolution reserve no more in total).
    pub approved_fund: Option<i64>,
}

/// Puts a motion to the vote. The rulebook is pinned at this instant for everything the vote needs.
pub async fn open_motion(app: &App, actor: &Actor, new: &NewMotion<'_>) -> Result<Uuid, AppError> {
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Council, new.council_id),
        "motion.open",
    )
    .await?;
    let id = open_motion_in(&mut cmd, app, actor, new).await?;
    cmd.commit().await?;
    Ok(id)
}

/// The same, as part of a larger command (a project tabled at a council meeting).
pub(crate) async fn open_motion_in(
    cmd: &mut Command<'_>,
    app: &App,
    actor: &Actor,
    new: &NewMotion<'_>,
) -> Result<Uuid, AppError> {
    if !gongzhi_domain::rulebook::MOTION_KINDS.contains(&new.kind) {
        return Err(invalid("motion_kind_unknown", "kind"));
    }
    let title = text(new.title, "title", 200)?;
    let body = text(new.body, "body", 20_000)?;
    let convention = match (new.kind, new.convention) {
        ("convention", Some((id, proposed))) => {
            Some((id, text(proposed, "proposed_text", 50_000)?))
        }
        ("convention", None) => return Err(invalid("convention_text_required", "proposed_text")),
        (_, Some(_)) => return Err(invalid("convention_needs_convention_motion", "kind")),
        (_, None) => None,
    };
    match (new.kind, new.approved_fund) {
        (_, None) => {}
        ("project_approval", Some(a)) => {
            gongzhi_domain::ledger::check_amount(a, "approved_fund")?;
        }
        (_, Some(_)) => return Err(invalid("approved_fund_needs_project_approval", "kind")),
    }
    let expected = cmd.tenant_id();
    let read = &mut cmd.tx;
    let (tenant, c) = load_council(read, new.council_id).await?;
    if tenant != expected {
        return Err(AppError::NotFound("council"));
    }
    if let Some((id, _)) = &convention
        && repo_c::convention(read, tenant, *id).await?.is_none()
    {
        return Err(invalid("convention_not_found", "convention_id"));
    }
    let today = format_date(app.now().china_date());
    require_chair_or_staff(read, actor, tenant, &c, &today).await?;
    if let Some(m) = new.meeting_id {
        let meeting = repo_c::meeting(read, tenant, m)
            .await?
            .ok_or(AppError::NotFound("meeting"))?;
        if meeting.council_id != c.id || meeting.status == "closed" {
            return Err(invalid("meeting_closed", "meeting_id"));
        }
    }
    let voting = repo_c::count_voting_seats(read, tenant, c.id, &today).await?;
    let rules = resolve_pinned(read, &c, new.kind, app).await?;
    let size = size_rule(read, app, &c, app.now()).await?;
    if voting < size.min {
        return Err(AppError::Invalid(
            DomainError::field("council_too_small", "council_id")
                .arg("min", size.min)
                .arg("seated", voting),
        ));
    }
    let id = new_id();
    cmd.insert(
        "motions",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("council_id", c.id.into()),
            ("meeting_id", Value::from(new.meeting_id)),
            ("kind", new.kind.into()),
            ("title", title.into()),
            ("body", body.into()),
            ("needs_notice", new.needs_notice.into()),
            ("status", "open".into()),
            ("opened_at", app.now().0.into()),
            (
                "rules_json",
                serde_json::to_string(&rules).unwrap_or_default().into(),
            ),
            ("seated", i64::from(voting).into()),
            ("approved_fund", Value::from(new.approved_fund)),
            (
                "convention_id",
                Value::from(convention.as_ref().map(|(id, _)| *id)),
            ),
            ("proposed_text", Value::from(convention.map(|(_, t)| t))),
        ],
    )
    .await?;
    Ok(id)
}

/// A member declares a conflict of interest (or the chair records it): their vote will not count.
pub async fn recuse(
    app: &App,
    actor: &Actor,
    motion: Uuid,
    seat: Uuid,
    reason: &str,
) -> Result<(), AppError> {
    let reason = text(reason, "reason", 500)?;
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Motion, motion),
        "motion.recuse",
    )
    .await?;
    let read = &mut cmd.tx;
    let (tenant, m) = find_motion(read, motion).await?;
    let (_, c) = load_council(read, m.council_id).await?;
    let today = format_date(app.now().china_date());
    let s = repo_c::seat(read, tenant, c.id, seat, &today)
        .await?
        .ok_or_else(|| invalid("seat_not_in_council", "seat_id"))?;
    if s.account_id != actor.account_id || actor.account_id.is_none() {
        require_chair_or_staff(read, actor, tenant, &c, &today).await?;
    }
    if m.status != "open" {
        return Err(invalid("motion_closed", "motion_id"));
    }
    let already_voted = repo_c::vote_exists(read, tenant, motion, seat).await?;
    cmd.insert(
        "recusals",
        &[
            ("tenant_id", tenant.into()),
            ("motion_id", motion.into()),
            ("seat_id", seat.into()),
            ("reason", reason.into()),
        ],
    )
    .await?;
    if already_voted {
        // A vote cast before the declaration is withdrawn, not counted.
        cmd.detail("withdrawn_vote", seat.to_string());
        cmd.update(
            "votes",
            &[tenant.into(), motion.into(), seat.into()],
            &[("choice", "recused".into())],
        )
        .await?;
    }
    cmd.commit().await?;
    Ok(())
}

/// Casts or changes a vote. A member casts their own (in or outside a meeting); in a meeting the
/// chair or secretary may record a present member's vote, stored with who recorded it. Every check
/// is a single-row lookup or a count, so a vote costs the same in a council of 5 and in a
/// residents' assembly of 16,000.
pub async fn cast_vote(
    app: &App,
    actor: &Actor,
    motion: Uuid,
    seat: Uuid,
    choice: &str,
) -> Result<(), AppError> {
    let choice = Choice::parse(choice)?;
    let today = format_date(app.now().china_date());
    // A motion's community never changes: found first; everything the decision rests on is read
    // again in the command's own transaction, after the community's commands before it.
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Motion, motion),
        "vote.cast",
    )
    .await?;
    let tenant = cmd.tenant_id();
    let read = &mut cmd.tx;
    let (_, m) = find_motion(read, motion).await?;
    let (_, c) = load_council(read, m.council_id).await?;
    // Authorised before anything of the motion is told: a member votes in her own seat; the
    // chair or staff record a member's vote in a meeting. (The permission check is cheap, grants
    // are in memory; the chair and member lookups are queries.)
    let may_record = actor
        .can(read, Permission::ManageCouncils, c.jurisdiction_id)
        .await?
        || match actor.account_id {
            Some(a) => repo_c::is_chair(read, tenant, c.id, a, &today).await?,
            None => false,
        };
    if !may_record {
        let member = match actor.account_id {
            Some(a) => repo_c::seats(read, tenant, c.id, &today)
                .await?
                .iter()
                .any(|s| s.account_id == Some(a)),
            None => false,
        };
        if !member {
            return Err(AppError::Forbidden);
        }
    }
    if m.status != "open" {
        return Err(invalid("motion_closed", "motion_id"));
    }
    let s = repo_c::seat(read, tenant, c.id, seat, &today)
        .await?
        .ok_or_else(|| invalid("seat_not_in_council", "seat_id"))?;
    if s.seat_role == "invitee" {
        return Err(invalid("invitee_cannot_vote", "seat_id"));
    }
    let own = actor.account_id.is_some() && s.account_id == actor.account_id;
    if !own && (m.meeting_id.is_none() || !may_record) {
        return Err(invalid("vote_for_another", "seat_id"));
    }
    if repo_c::is_recused(read, tenant, motion, seat).await? {
        return Err(invalid("member_recused", "seat_id"));
    }
    if let Some(meeting) = m.meeting_id {
        // A motion tabled in a meeting is voted in it: once the minutes close the meeting, no
        // vote is taken, neither a member's own nor one the chair or staff record (the motion
        // can still be closed, counting the votes cast while the meeting sat).
        if repo_c::meeting(read, tenant, meeting)
            .await?
            .is_none_or(|x| x.status == "closed")
        {
            return Err(invalid("meeting_closed", "motion_id"));
        }
        if !repo_c::is_present(read, tenant, meeting, seat).await? {
            return Err(invalid("member_not_present", "seat_id"));
        }
        let quorum = pinned_of(&m)?.quorum;
        // O(1): the seated count was pinned when the motion opened; the meeting keeps its count of
        // members present.
        let seated = u32::try_from(m.seated).unwrap_or(0);
        let here = repo_c::meeting(read, tenant, meeting)
            .await?
            .map(|mt| u32::try_from(mt.present_count).unwrap_or(0))
            .unwrap_or(0);
        if !council::quorum_met(&quorum, here, seated) {
            return Err(AppError::Invalid(
                DomainError::field("quorum_not_met", "meeting_id")
                    .arg("present", here)
                    .arg("seated", seated),
            ));
        }
    }
    // An upsert inside the write transaction (serialised per community): two clients voting for one
    // seat at once never make two rows.
    let values: [(&str, Value); 3] = [
        ("choice", choice.as_str().into()),
        ("cast_at", app.now().0.into()),
        (
            "recorded_by",
            Value::from(if own { None } else { actor.account_id }),
        ),
    ];
    cmd.upsert(
        "votes",
        &[
            ("tenant_id", tenant.into()),
            ("motion_id", motion.into()),
            ("seat_id", seat.into()),
        ],
        &values,
    )
    .await?;
    cmd.commit().await?;
    Ok(())
}

/// The running count of each choice on a motion (for the chair's screen and benchmarks).
pub async fn vote_counts(app: &App, motion: Uuid) -> Result<Vec<(String, i64)>, AppError> {
    let mut tx = app.db.read().await?;
    let (tenant, _) = find_motion(&mut tx, motion).await?;
    let counts = repo_c::vote_counts(&mut tx, tenant, motion).await?;
    tx.rollback().await?;
    Ok(counts)
}

/// The rules a motion is judged by, resolved once when it opens and stored with it (pinned by
/// value): later rule changes never reach a vote already under way.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PinnedRules {
    pub threshold: Threshold,
    pub quorum: Threshold,
    pub recused_in_base: bool,
    pub number_template: String,
}

async fn resolve_pinned(
    tx: &mut Tx,
    c: &CouncilRow,
    kind: &str,
    app: &App,
) -> Result<PinnedRules, AppError> {
    let (today, now) = (app.now().china_date(), app.now());
    let threshold = match rule_in_force(
        tx,
        c.jurisdiction_id,
        &format!("vote.threshold.{kind}"),
        today,
        now,
    )
    .await?
    {
        RuleValue::Threshold(t) => t,
        _ => return Err(invalid("rule_missing", "kind")),
    };
    let quorum = match rule_in_force(tx, c.jurisdiction_id, "council.quorum", today, now).await? {
        RuleValue::Threshold(t) => t,
        _ => return Err(invalid("rule_missing", "council.quorum")),
    };
    let recused_in_base = matches!(
        rule_in_force(tx, c.jurisdiction_id, "vote.recused_in_base", today, now).await?,
        RuleValue::Flag(true)
    );
    let number_template = match rule_in_force(
        tx,
        c.jurisdiction_id,
        "resolution.number_template",
        today,
        now,
    )
    .await?
    {
        RuleValue::Template(t) => t,
        _ => return Err(invalid("rule_missing", "resolution.number_template")),
    };
    Ok(PinnedRules {
        threshold,
        quorum,
        recused_in_base,
        number_template,
    })
}

fn pinned_of(m: &MotionRow) -> Result<PinnedRules, AppError> {
    serde_json::from_str(&m.rules_json).map_err(|_| AppError::Corrupt("motion's pinned rules"))
}

/// The outcome of closing a vote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    pub passed: bool,
    pub tally: council::Tally,
    pub resolution: Option<(Uuid, String)>,
}

/// Closes the vote: tallies it by the rule pinned when the motion opened, stores the result with
/// that rule, and turns a passed motion into a resolution with the council's next number for the
/// year (in the same transaction), posting it for notice when the motion says so.
pub async fn close_motion(app: &App, actor: &Actor, motion: Uuid) -> Result<Closed, AppError> {
    // A motion's community never changes: found first; everything the decision rests on is read
    // again in the command's own transaction, after the community's commands before it.
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Motion, motion),
        "motion.close",
    )
    .await?;
    let tenant = cmd.tenant_id();
    let read = &mut cmd.tx;
    let (_, m) = find_motion(read, motion).await?;
    let (_, c) = load_council(read, m.council_id).await?;
    let today = format_date(app.now().china_date());
    // Who may close it is decided before anything about it is told.
    require_chair_or_staff(read, actor, tenant, &c, &today).await?;
    if m.status != "open" {
        return Err(invalid("motion_closed", "motion_id"));
    }
    let today = app.now().china_date();
    let rules = pinned_of(&m)?;
    let (threshold, recused_in_base) = (rules.threshold, rules.recused_in_base);
    // "All seated members" are those seated when the vote opened: the base does not move under a vote.
    let seated = u32::try_from(m.seated).unwrap_or(0);
    let present = match m.meeting_id {
        Some(meeting) => repo_c::count_present(read, tenant, meeting).await?,
        None => seated,
    };
    let recused =
        u32::try_from(repo_c::recused_seats(read, tenant, motion).await?.len()).unwrap_or(0);
    let choices: Vec<Choice> = repo_c::votes(read, tenant, motion)
        .await?
        .iter()
        .filter_map(|(_, c)| Choice::parse(c).ok())
        .collect();
    let tally = council::tally(
        &threshold,
        &choices,
        seated,
        present,
        recused,
        recused_in_base,
    );
    let template = rules.number_template.clone();
    let notice = if m.needs_notice {
        let period = match rule_in_force(read, c.jurisdiction_id, "notice.period", today, app.now())
            .await?
        {
            RuleValue::NoticePeriod(p) => p,
            _ => return Err(invalid("rule_missing", "notice.period")),
        };
        let calendar = match rule_in_force(
            read,
            c.jurisdiction_id,
            "calendar.official",
            today,
            app.now(),
        )
        .await?
        {
            RuleValue::Calendar(cal) => cal,
            _ => Default::default(),
        };
        Some(council::notice_end(app.now(), &period, &calendar))
    } else {
        None
    };

    let now = app.now();
    let result = json!({
        "yes": tally.counts.yes, "no": tally.counts.no, "abstain": tally.abstain, "recused": tally.recused,
        "present": tally.counts.present, "seated": tally.counts.seated, "base": tally.base, "min_yes": tally.min_yes,
        "passed": tally.passed,
        "rule": {"key": format!("vote.threshold.{}", m.kind), "value": RuleValue::Threshold(threshold).to_json(), "recused_in_base": recused_in_base},
    });
    cmd.update(
        "motions",
        &[tenant.into(), motion.into()],
        &[
            (
                "status",
                if tally.passed { "passed" } else { "failed" }.into(),
            ),
            ("closed_at", now.0.into()),
            ("result_json", result.to_string().into()),
        ],
    )
    .await?;
    let mut resolution = None;
    if tally.passed {
        let year = i64::from(now.china_date().year());
        let number = repo_c::next_resolution_number(&mut cmd.tx, tenant, c.id, year).await?;
        let label =
            council::resolution_label(&template, &c.short_name, now.china_date().year(), number);
        let id = new_id();
        cmd.insert(
            "resolutions",
            &[
                ("tenant_id", tenant.into()),
                ("id", id.into()),
                ("council_id", c.id.into()),
                ("motion_id", motion.into()),
                ("year", year.into()),
                ("number", number.into()),
                ("label", label.clone().into()),
                ("notice_start", Value::from(notice.map(|_| now.0))),
                ("notice_end", Value::from(notice.map(|e| e.0))),
                ("created_at", now.0.into()),
            ],
        )
        .await?;
        if let (Some(conv), Some(body)) = (m.convention_id, m.proposed_text.clone()) {
            // The convention's next version, adopted with the resolution, in the same transaction.
            let version = repo_c::next_convention_version(&mut cmd.tx, tenant, conv).await?;
            cmd.insert(
                "convention_versions",
                &[
                    ("tenant_id", tenant.into()),
                    ("convention_id", conv.into()),
                    ("version", version.into()),
                    ("body", body.into()),
                    ("motion_id", motion.into()),
                    ("adopted_at", now.0.into()),
                ],
            )
            .await?;
        }
        resolution = Some((id, label));
    }
    cmd.commit().await?;
    Ok(Closed {
        passed: tally.passed,
        tally,
        resolution,
    })
}

/// A resolution with its tenant and the council that passed it.
async fn find_resolution(
    tx: &mut Tx,
    id: Uuid,
) -> Result<(Uuid, ResolutionRow, CouncilRow), AppError> {
    let tenant = Record::Resolution.tenant(tx, id).await?;
    let r = repo_c::resolution(tx, tenant, id)
        .await?
        .ok_or(AppError::NotFound("resolution"))?;
    let c = repo_c::council(tx, tenant, r.council_id)
        .await?
        .ok_or(AppError::NotFound("council"))?;
    Ok((tenant, r, c))
}

/// A resolution as the public sees it: its notice state computed at `now`.
#[derive(Debug, Clone)]
pub struct PublicResolution {
    pub row: ResolutionRow,
    pub council: CouncilRow,
    pub state: NoticeState,
    pub objections: Vec<repo_c::ObjectionRow>,
}

impl PublicResolution {
    /// A resolution already read, with its council and objections, in its state at `now`.
    pub fn at(
        now: Instant,
        row: ResolutionRow,
        council: CouncilRow,
        objections: Vec<repo_c::ObjectionRow>,
    ) -> Self {
        PublicResolution {
            state: state_of(now, &row, &objections),
            row,
            council,
            objections,
        }
    }
}

fn state_of(now: Instant, r: &ResolutionRow, objections: &[repo_c::ObjectionRow]) -> NoticeState {
    if r.returned_at.is_some() {
        return NoticeState::Returned;
    }
    match r.notice_end {
        None => NoticeState::InForce(Instant(r.created_at)),
        Some(end) => {
            let o: Vec<_> = objections
                .iter()
                .map(|o| {
                    (
                        Instant(o.filed_at),
                        o.answered_at.map(Instant),
                        o.upheld == Some(true),
                    )
                })
                .collect();
            council::notice_state(now, Instant(end), &o)
        }
    }
}

/// Every resolution of a community, newest first, with its state now.
pub async fn notice_board(app: &App, community: Uuid) -> Result<Vec<PublicResolution>, AppError> {
    let mut tx = app.db.reads().await?;
    let councils = repo_c::councils(&mut tx, community).await?;
    let mut all_objections = repo_c::objections_of_community(&mut tx, community).await?;
    let mut out = Vec::new();
    for r in repo_c::resolutions(&mut tx, community).await? {
        let objections = all_objections.remove(&r.id).unwrap_or_default();
        let Some(c) = councils.iter().find(|c| c.id == r.council_id).cloned() else {
            continue;
        };
        out.push(PublicResolution::at(app.now(), r, c, objections));
    }
    tx.rollback().await?;
    Ok(out)
}

/// A council's resolutions with their notice state, for its page.
pub async fn resolutions_of_council(
    app: &App,
    council: Uuid,
) -> Result<Vec<PublicResolution>, AppError> {
    let mut tx = app.db.reads().await?;
    let (tenant, c) = load_council(&mut tx, council).await?;
    let mut all_objections = repo_c::objections_of_community(&mut tx, tenant).await?;
    let mut out = Vec::new();
    for r in repo_c::resolutions(&mut tx, tenant).await? {
        if r.council_id != c.id {
            continue;
        }
        let objections = all_objections.remove(&r.id).unwrap_or_default();
        out.push(PublicResolution::at(app.now(), r, c.clone(), objections));
    }
    tx.rollback().await?;
    Ok(out)
}

pub async fn resolution(app: &App, id: Uuid) -> Result<PublicResolution, AppError> {
    let mut tx = app.db.read().await?;
    let (_, r) = resolution_in(&mut tx, app.now(), id).await?;
    tx.rollback().await?;
    Ok(r)
}

/// A resolution and its tenant, read inside a caller's transaction (commands that depend on a
/// resolution being in force check it in their own write transaction).
pub(crate) async fn resolution_in(
    tx: &mut Tx,
    now: Instant,
    id: Uuid,
) -> Result<(Uuid, PublicResolution), AppError> {
    let (tenant, r, c) = find_resolution(tx, id).await?;
    let objections = repo_c::objections(tx, tenant, r.id).await?;
    Ok((tenant, PublicResolution::at(now, r, c, objections)))
}

/// Why `actor` may not object to a resolution now, if they may not: the rule `file_objection`
/// applies inside its command, and the page asks before it shows the form. An objector is
/// signed in and lives in the council's area (a resident grant at its place or below, or, for
/// staff acting for a resident with her consent, that resident's courtyard), while the notice
/// is open.
async fn objection_refused(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    resolution: Uuid,
) -> Result<(), AppError> {
    actor.account_id.ok_or(AppError::Unauthenticated)?;
    let (tenant, r, c) = find_resolution(tx, resolution).await?;
    let homes: Vec<Uuid> = match actor.on_behalf_of {
        Some(resident) => repo::resident_anywhere(tx, resident)
            .await?
            .filter(|(t, _, _)| *t == tenant)
            .and_then(|(_, _, courtyard)| courtyard)
            .into_iter()
            .collect(),
        None => actor
            .grants
            .iter()
            .filter(|(role, _)| role == "resident")
            .map(|(_, j)| *j)
            .collect(),
    };
    let mut lives_here = false;
    for j in homes {
        if repo::ancestors(tx, j)
            .await?
            .iter()
            .any(|a| a.id == c.jurisdiction_id)
        {
            lives_here = true;
        }
    }
    if !lives_here {
        return Err(invalid("objection_not_resident", "resolution_id"));
    }
    let objections = repo_c::objections(tx, tenant, resolution).await?;
    match state_of(app.now(), &r, &objections) {
        NoticeState::Open => Ok(()),
        _ if r.notice_end.is_none() => Err(invalid("resolution_not_on_notice", "resolution_id")),
        _ => Err(invalid("notice_period_over", "resolution_id")),
    }
}

/// Whether `actor` may object to the resolution now: the page's hint, by the command's rule.
pub async fn may_object(app: &App, actor: &Actor, resolution: Uuid) -> Result<bool, AppError> {
    let mut tx = app.db.read().await?;
    let refused = objection_refused(&mut tx, app, actor, resolution).await;
    tx.rollback().await?;
    match refused {
        Ok(()) => Ok(true),
        Err(AppError::Invalid(_) | AppError::Unauthenticated) => Ok(false),
        Err(other) => Err(other),
    }
}

/// A resident of the council's area objects to a resolution during its notice.
pub async fn file_objection(
    app: &App,
    actor: &Actor,
    resolution: Uuid,
    body: &str,
) -> Result<Uuid, AppError> {
    let body = text(body, "body", 2_000)?;
    let account = actor.account_id.ok_or(AppError::Unauthenticated)?;
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Resolution, resolution),
        "objection.file",
    )
    .await?;
    let tenant = cmd.tenant_id();
    objection_refused(&mut cmd.tx, app, actor, resolution).await?;
    let lang = if body
        .chars()
        .any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch))
    {
        "zh"
    } else {
        "en"
    };
    let id = new_id();
    cmd.insert(
        "objections",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("resolution_id", resolution.into()),
            ("account_id", account.into()),
            ("body", body.into()),
            ("lang", lang.into()),
            ("filed_at", app.now().0.into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

/// The council answers an objection. An upheld objection sends the resolution back (it keeps its
/// number, marked returned); a dismissed one lets it take effect when the notice ends.
pub async fn answer_objection(
    app: &App,
    actor: &Actor,
    resolution: Uuid,
    objection: Uuid,
    answer: &str,
    upheld: bool,
) -> Result<(), AppError> {
    let answer = text(answer, "answer", 2_000)?;
    // Its community never changes: found first; everything the decision rests on is read again
    // in the command's own transaction, after the community's commands before it.
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Resolution, resolution),
        "objection.answer",
    )
    .await?;
    let tenant = cmd.tenant_id();
    let read = &mut cmd.tx;
    let (_, r, c) = find_resolution(read, resolution).await?;
    let today = format_date(app.now().china_date());
    require_chair_or_staff(read, actor, tenant, &c, &today).await?;
    let o = repo_c::objections(read, tenant, resolution)
        .await?
        .into_iter()
        .find(|o| o.id == objection)
        .ok_or(AppError::NotFound("objection"))?;
    if o.answered_at.is_some() {
        return Err(invalid("objection_already_answered", "objection_id"));
    }
    let now = app.now().0;
    cmd.update(
        "objections",
        &[tenant.into(), objection.into()],
        &[
            ("answer", answer.into()),
            ("upheld", upheld.into()),
            ("answered_at", now.into()),
            ("answered_by", actor.account_id.into()),
        ],
    )
    .await?;
    if upheld && r.returned_at.is_none() {
        cmd.update(
            "resolutions",
            &[tenant.into(), resolution.into()],
            &[("returned_at", now.into())],
        )
        .await?;
    }
    cmd.commit().await?;
    Ok(())
}

/// Staff publish an objection's words beside the council's answer (phone and ID numbers are
/// still redacted on the page) or withhold them; either way once, as one audited command. Until
/// then the public sees only that an objection was filed, and the answer.
pub async fn review_objection(
    app: &App,
    actor: &Actor,
    resolution: Uuid,
    objection: Uuid,
    publish: bool,
) -> Result<(), AppError> {
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Resolution, resolution),
        "objection.review",
    )
    .await?;
    let read = &mut cmd.tx;
    let (tenant, _, c) = find_resolution(read, resolution).await?;
    actor
        .require(read, Permission::ManageCouncils, c.jurisdiction_id)
        .await?;
    // Read again inside the command, so two staff reviewing at once cannot both succeed.
    let o = repo_c::objections(&mut cmd.tx, tenant, resolution)
        .await?
        .into_iter()
        .find(|o| o.id == objection)
        .ok_or(AppError::NotFound("objection"))?;
    if o.body_review.is_some() {
        return Err(invalid("objection_already_reviewed", "objection_id"));
    }
    cmd.update(
        "objections",
        &[tenant.into(), objection.into()],
        &[
            (
                "body_review",
                if publish { "published" } else { "withheld" }.into(),
            ),
            ("reviewed_at", app.now().0.into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(())
}

/// The objections to a resolution with the residents' own words, for those who deal with them:
/// the council's chair answers, staff answer and review. `None` for anyone else.
pub struct ObjectionDesk {
    pub objections: Vec<repo_c::ObjectionRow>,
    pub may_review: bool,
}

pub async fn objection_desk(
    app: &App,
    actor: &Actor,
    resolution: Uuid,
) -> Result<Option<ObjectionDesk>, AppError> {
    if actor.account_id.is_none() {
        return Ok(None);
    }
    let mut read = app.db.reads().await?;
    let (tenant, _, c) = find_resolution(&mut read, resolution).await?;
    let may_review = actor
        .can(&mut read, Permission::ManageCouncils, c.jurisdiction_id)
        .await?;
    let today = format_date(app.now().china_date());
    let chair = match actor.account_id {
        Some(a) => repo_c::is_chair(&mut read, tenant, c.id, a, &today).await?,
        None => false,
    };
    if !(may_review || chair) {
        read.rollback().await?;
        return Ok(None);
    }
    let objections = repo_c::objections(&mut read, tenant, resolution).await?;
    read.rollback().await?;
    Ok(Some(ObjectionDesk {
        objections,
        may_review,
    }))
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

/// What a resolution's public page shows, read on one connection: the resolution with its notice
/// state, its motion's stored result, and its community's chain head for the printed sheet.
pub async fn resolution_sheet(
    app: &App,
    id: Uuid,
) -> Result<
    (
        PublicResolution,
        Option<serde_json::Value>,
        Option<gongzhi_store::audit::Head>,
    ),
    AppError,
> {
    // No transaction: BEGIN and ROLLBACK would be two more round trips, and the head may be a
    // moment newer than the resolution without harm (it anchors the record as of printing).
    let mut tx = app.db.reads().await?;
    let (tenant, r) = resolution_in(&mut tx, app.now(), id).await?;
    let result = repo_c::motion(&mut tx, tenant, r.row.motion_id)
        .await?
        .and_then(|m| m.result_json)
        .and_then(|j| serde_json::from_str(&j).ok());
    let head = gongzhi_store::audit::head(&mut tx, tenant).await?;
    Ok((r, result, head))
}

/// The secretary writes the minutes after the meeting; the meeting closes with them.
pub async fn write_minutes(
    app: &App,
    actor: &Actor,
    meeting: Uuid,
    minutes: &str,
) -> Result<(), AppError> {
    let minutes = text(minutes, "minutes", 50_000)?;
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Meeting, meeting),
        "meeting.minutes",
    )
    .await?;
    let read = &mut cmd.tx;
    let (tenant, m) = find_meeting(read, meeting).await?;
    let (_, c) = load_council(read, m.council_id).await?;
    require_chair_or_staff(
        read,
        actor,
        tenant,
        &c,
        &format_date(app.now().china_date()),
    )
    .await?;
    if !repo_c::minute_signatures(read, tenant, meeting)
        .await?
        .is_empty()
    {
        // Signed minutes are part of the record: corrections go through a new motion.
        return Err(invalid("minutes_already_signed", "meeting_id"));
    }
    let now = app.now().0;
    cmd.update(
        "meetings",
        &[tenant.into(), meeting.into()],
        &[
            ("minutes", minutes.into()),
            ("minutes_written_at", now.into()),
            ("status", "closed".into()),
            ("closed_at", now.into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(())
}

/// An attendee signs the minutes, as themselves. Members who were absent cannot sign.
pub async fn sign_minutes(
    app: &App,
    actor: &Actor,
    meeting: Uuid,
    seat: Uuid,
) -> Result<(), AppError> {
    // Its community never changes: found first; everything the decision rests on is read again
    // in the command's own transaction, after the community's commands before it.
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Meeting, meeting),
        "meeting.sign_minutes",
    )
    .await?;
    let tenant = cmd.tenant_id();
    let read = &mut cmd.tx;
    let (_, m) = find_meeting(read, meeting).await?;
    let today = format_date(app.now().china_date());
    let s = repo_c::seat(read, tenant, m.council_id, seat, &today)
        .await?
        .ok_or_else(|| invalid("seat_not_in_council", "seat_id"))?;
    if actor.account_id.is_none() || s.account_id != actor.account_id {
        return Err(invalid("sign_for_another", "seat_id"));
    }
    if repo_c::minutes(read, tenant, meeting).await?.is_none() {
        return Err(invalid("minutes_not_written", "meeting_id"));
    }
    if !repo_c::is_present(read, tenant, meeting, seat).await? {
        return Err(invalid("minutes_signer_absent", "seat_id"));
    }
    if repo_c::minute_signatures(read, tenant, meeting)
        .await?
        .contains(&seat)
    {
        return Err(invalid("minutes_already_signed_by_you", "seat_id"));
    }
    cmd.insert(
        "minute_signatures",
        &[
            ("tenant_id", tenant.into()),
            ("meeting_id", meeting.into()),
            ("seat_id", seat.into()),
            ("signed_at", app.now().0.into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(())
}

/// A meeting as the public record shows it: attendance, minutes, who signed, whether approved.
#[derive(Debug, Clone)]
pub struct MeetingView {
    pub meeting: repo_c::MeetingRow,
    pub council: CouncilRow,
    /// (member name, present, signed)
    pub attendance: Vec<(String, bool, bool)>,
    pub minutes: Option<(String, Instant)>,
    /// Minutes are approved once every member present has signed them.
    pub approved: bool,
}

pub async fn meeting_view(app: &App, meeting: Uuid) -> Result<MeetingView, AppError> {
    let mut tx = app.db.read().await?;
    let (tenant, m) = find_meeting(&mut tx, meeting).await?;
    let (_, c) = load_council(&mut tx, m.council_id).await?;
    let seats = repo_c::seats(
        &mut tx,
        tenant,
        c.id,
        &format_date(Instant(m.scheduled_for).china_date()),
    )
    .await?;
    let present = repo_c::present_seats(&mut tx, tenant, meeting).await?;
    let signed = repo_c::minute_signatures(&mut tx, tenant, meeting).await?;
    let minutes = repo_c::minutes(&mut tx, tenant, meeting)
        .await?
        .map(|(t, at)| (t, Instant(at)));
    tx.rollback().await?;
    let attendance = seats
        .iter()
        .filter(|s| s.seat_role != "invitee" || present.contains(&s.id))
        .map(|s| {
            (
                s.resident_name.clone(),
                present.contains(&s.id),
                signed.contains(&s.id),
            )
        })
        .collect();
    let approved =
        minutes.is_some() && !present.is_empty() && present.iter().all(|p| signed.contains(p));
    Ok(MeetingView {
        meeting: m,
        council: c,
        attendance,
        minutes,
        approved,
    })
}

/// The chair's roll-call screen: every voting member with their attendance, and each motion of
/// the meeting with every member's vote so far.
#[derive(Debug, Clone)]
pub struct RollCall {
    pub meeting: repo_c::MeetingRow,
    /// Whether the actor may record attendance and votes here (the chair, or staff with council
    /// duties).
    pub can_run: bool,
    /// (seat, name, present)
    pub members: Vec<(Uuid, String, bool)>,
    pub motions: Vec<RollMotion>,
}

/// A motion on the roll-call screen with the votes recorded so far.
#[derive(Debug, Clone)]
pub struct RollMotion {
    pub id: Uuid,
    pub title: String,
    pub open: bool,
    /// (seat, choice)
    pub votes: Vec<(Uuid, String)>,
}

/// Whether the actor may run the council's business (chair, or staff with council duties): pages
/// use it to show the controls; the commands check again.
pub async fn may_run_council(app: &App, actor: &Actor, council: Uuid) -> Result<bool, AppError> {
    if actor.account_id.is_none() {
        return Ok(false);
    }
    let mut tx = app.db.read().await?;
    let (tenant, c) = load_council(&mut tx, council).await?;
    let today = format_date(app.now().china_date());
    let ok = require_chair_or_staff(&mut tx, actor, tenant, &c, &today)
        .await
        .is_ok();
    tx.rollback().await?;
    Ok(ok)
}

pub async fn roll_call(app: &App, actor: &Actor, meeting: Uuid) -> Result<RollCall, AppError> {
    let mut tx = app.db.read().await?;
    let (tenant, m) = find_meeting(&mut tx, meeting).await?;
    let (_, c) = load_council(&mut tx, m.council_id).await?;
    let today = format_date(app.now().china_date());
    let can_run = actor.account_id.is_some()
        && require_chair_or_staff(&mut tx, actor, tenant, &c, &today)
            .await
            .is_ok();
    let seats = repo_c::seats(
        &mut tx,
        tenant,
        c.id,
        &format_date(Instant(m.scheduled_for).china_date()),
    )
    .await?;
    let present = repo_c::present_seats(&mut tx, tenant, meeting).await?;
    let mut motions = Vec::new();
    for (id, title, status) in repo_c::motions_of_meeting(&mut tx, tenant, meeting).await? {
        let votes = repo_c::votes(&mut tx, tenant, id).await?;
        motions.push(RollMotion {
            id,
            title,
            open: status == "open",
            votes,
        });
    }
    tx.rollback().await?;
    Ok(RollCall {
        meeting: m,
        can_run,
        members: seats
            .into_iter()
            .filter(|s| s.seat_role != "invitee")
            .map(|s| (s.id, s.resident_name, present.contains(&s.id)))
            .collect(),
        motions,
    })
}

/// Creates a convention (its text comes with the first motion that adopts it).
pub async fn create_convention(
    app: &App,
    actor: &Actor,
    jurisdiction: Uuid,
    title: &str,
) -> Result<Uuid, AppError> {
    let title = text(title, "title", 120)?;
    let mut cmd = Command::on(app, actor, Target::Place(jurisdiction), "convention.create").await?;
    let read = &mut cmd.tx;
    actor
        .require(read, Permission::ManageCouncils, jurisdiction)
        .await?;
    let tenant = tenant_of(read, jurisdiction).await?;
    let id = new_id();
    cmd.insert(
        "conventions",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("jurisdiction_id", jurisdiction.into()),
            ("title", title.into()),
            ("created_at", app.now().0.into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

/// A convention with every version: (version, text, adopted at, resolution label).
pub struct ConventionView {
    pub convention: repo_c::ConventionRow,
    /// Every version in order: (version, text, adopted at, resolution label).
    pub versions: Vec<(i64, String, Instant, Option<String>)>,
    /// Each version's standing, by its resolution's notice: `in_force`, or while its resolution
    /// is on notice `open` / `awaiting_answers`, or `returned` when an objection was upheld.
    pub states: Vec<&'static str>,
    /// The version in force now (an index into `versions`): the latest whose resolution is in
    /// force. A revision on notice, or sent back, leaves the previous text in force.
    pub current: Option<usize>,
}

pub async fn convention_view(app: &App, id: Uuid) -> Result<ConventionView, AppError> {
    let mut tx = app.db.read().await?;
    let tenant = Record::Convention.tenant(&mut tx, id).await?;
    let convention = repo_c::convention(&mut tx, tenant, id)
        .await?
        .ok_or(AppError::NotFound("convention"))?;
    let mut versions = Vec::new();
    let mut states = Vec::new();
    for (v, body, at, label, resolution) in repo_c::convention_versions(&mut tx, tenant, id).await?
    {
        let state = match resolution {
            Some(r) => match repo_c::resolution(&mut tx, tenant, r).await? {
                Some(row) => {
                    let objections = repo_c::objections(&mut tx, tenant, r).await?;
                    state_of(app.now(), &row, &objections).key()
                }
                None => "in_force",
            },
            None => "in_force",
        };
        versions.push((v, body, Instant(at), label));
        states.push(state);
    }
    tx.rollback().await?;
    let current = states.iter().rposition(|s| *s == "in_force");
    Ok(ConventionView {
        convention,
        versions,
        states,
        current,
    })
}

/// The conventions of a community (public).
pub async fn conventions_of(
    app: &App,
    community: Uuid,
) -> Result<Vec<repo_c::ConventionRow>, AppError> {
    let mut tx = app.db.reads().await?;
    let c = repo_c::conventions_of(&mut tx, community).await?;
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
            ("declared_at", app.now().0.into()),
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
        .map(|(t, at, p)| (t, Instant(at), p))
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

/// The member behind a seat must be the one acting (requests and supports are personal).
async fn own_seat(
    tx: &mut Tx,
    actor: &Actor,
    tenant: Uuid,
    council: Uuid,
    seat: Uuid,
    today: &str,
) -> Result<SeatRow, AppError> {
    let s = repo_c::seat(tx, tenant, council, seat, today)
        .await?
        .ok_or_else(|| invalid("seat_not_in_council", "seat_id"))?;
    if s.seat_role == "invitee" {
        return Err(invalid("invitee_cannot_vote", "seat_id"));
    }
    if actor.account_id.is_none() || s.account_id != actor.account_id {
        return Err(invalid("request_for_another", "seat_id"));
    }
    Ok(s)
}

/// A member asks for an extraordinary meeting (their own support comes with the request).
pub async fn request_meeting(
    app: &App,
    actor: &Actor,
    council: Uuid,
    seat: Uuid,
    reason: &str,
) -> Result<Uuid, AppError> {
    let reason = text(reason, "reason", 2_000)?;
    let today = format_date(app.now().china_date());
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Council, council),
        "meeting.request",
    )
    .await?;
    let read = &mut cmd.tx;
    let (tenant, c) = load_council(read, council).await?;
    own_seat(read, actor, tenant, c.id, seat, &today).await?;
    let id = new_id();
    let now = app.now().0;
    cmd.insert(
        "meeting_requests",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("council_id", c.id.into()),
            ("reason", reason.into()),
            ("created_at", now.into()),
        ],
    )
    .await?;
    cmd.insert(
        "meeting_request_supports",
        &[
            ("tenant_id", tenant.into()),
            ("request_id", id.into()),
            ("seat_id", seat.into()),
            ("supported_at", now.into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

async fn find_request(
    tx: &mut Tx,
    id: Uuid,
) -> Result<(Uuid, (Uuid, String, Option<Uuid>, Vec<Uuid>)), AppError> {
    let tenant = Record::MeetingRequest.tenant(tx, id).await?;
    Ok((
        tenant,
        repo_c::meeting_request(tx, tenant, id)
            .await?
            .ok_or(AppError::NotFound("request"))?,
    ))
}

/// Another member supports a request.
pub async fn support_request(
    app: &App,
    actor: &Actor,
    request: Uuid,
    seat: Uuid,
) -> Result<(), AppError> {
    let today = format_date(app.now().china_date());
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::MeetingRequest, request),
        "meeting.support_request",
    )
    .await?;
    let read = &mut cmd.tx;
    let (tenant, (council, _, meeting, supports)) = find_request(read, request).await?;
    own_seat(read, actor, tenant, council, seat, &today).await?;
    if meeting.is_some() {
        return Err(invalid("request_already_called", "request_id"));
    }
    if supports.contains(&seat) {
        return Err(invalid("request_already_supported", "seat_id"));
    }
    cmd.insert(
        "meeting_request_supports",
        &[
            ("tenant_id", tenant.into()),
            ("request_id", request.into()),
            ("seat_id", seat.into()),
            ("supported_at", app.now().0.into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(())
}

/// A supporting member calls the extraordinary meeting once the rulebook's share of seated members
/// supports the request. (The convener and the secretary can always schedule meetings.)
pub async fn call_requested_meeting(
    app: &App,
    actor: &Actor,
    request: Uuid,
    seat: Uuid,
    title: &str,
    at: Instant,
) -> Result<Uuid, AppError> {
    let title = text(title, "title", 120)?;
    let today = format_date(app.now().china_date());
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::MeetingRequest, request),
        "meeting.call_extraordinary",
    )
    .await?;
    let read = &mut cmd.tx;
    let (tenant, (council, _, meeting, supports)) = find_request(read, request).await?;
    own_seat(read, actor, tenant, council, seat, &today).await?;
    if !supports.contains(&seat) {
        return Err(invalid("request_not_supported_by_you", "seat_id"));
    }
    if meeting.is_some() {
        return Err(invalid("request_already_called", "request_id"));
    }
    let (_, c) = load_council(read, council).await?;
    let share = match rule_in_force(
        read,
        c.jurisdiction_id,
        "council.extraordinary_request",
        app.now().china_date(),
        app.now(),
    )
    .await?
    {
        RuleValue::Threshold(t) => t,
        _ => return Err(invalid("rule_missing", "council.extraordinary_request")),
    };
    let seated = repo_c::count_voting_seats(read, tenant, council, &today).await?;
    let support = u32::try_from(supports.len()).unwrap_or(u32::MAX);
    // Exact integers: supporters × den ≥ num × seated.
    if !council::quorum_met(&share, support, seated) {
        return Err(AppError::Invalid(
            DomainError::field("request_share_not_met", "request_id")
                .arg("support", support)
                .arg("needed", share.min_yes(seated))
                .arg("seated", seated),
        ));
    }
    let id = new_id();
    cmd.insert(
        "meetings",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("council_id", council.into()),
            ("title", title.into()),
            ("scheduled_for", at.0.into()),
            ("status", "scheduled".into()),
            ("created_at", app.now().0.into()),
            ("present_count", 0i64.into()),
        ],
    )
    .await?;
    cmd.update(
        "meeting_requests",
        &[tenant.into(), request.into()],
        &[("meeting_id", id.into())],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}
