//! Motions and votes: opening with the rules pinned, recusal, votes cast or recorded, and the
//! close that tallies by the pinned rule and numbers the resolution.

use super::*;
use gongzhi_domain::lifecycle::{MeetingStatus, MotionStatus};

pub(super) async fn find_motion(tx: &mut Tx, motion: Uuid) -> Result<(Uuid, MotionRow), AppError> {
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
        if meeting.council_id != c.id || meeting.status == MeetingStatus::Closed {
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
            ("status", MotionStatus::Open.into()),
            ("opened_at", app.now().micros().into()),
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
    if m.status != MotionStatus::Open {
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
    if m.status != MotionStatus::Open {
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
            .is_none_or(|x| x.status == MeetingStatus::Closed)
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
        ("cast_at", app.now().micros().into()),
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

pub(super) async fn resolve_pinned(
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

pub(super) fn pinned_of(m: &MotionRow) -> Result<PinnedRules, AppError> {
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
    if m.status != MotionStatus::Open {
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
            ("status", MotionStatus::closed(tally.passed).into()),
            ("closed_at", now.micros().into()),
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
                ("notice_start", Value::from(notice.map(|_| now.micros()))),
                ("notice_end", Value::from(notice.map(|e| e.micros()))),
                ("created_at", now.micros().into()),
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
                    ("adopted_at", now.micros().into()),
                ],
            )
            .await?;
        }
        if let Some(end) = notice {
            notify_notice(
                &mut cmd,
                tenant,
                c.jurisdiction_id,
                (id, &label, &m.title),
                end,
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

/// Tells those who follow the council's place, or a place around it in the community, that a
/// resolution is on notice and until when it may be objected to.
async fn notify_notice(
    cmd: &mut Command<'_>,
    tenant: Uuid,
    place: Uuid,
    (resolution, label, title): (Uuid, &str, &str),
    notice_end: Instant,
) -> Result<(), AppError> {
    use gongzhi_domain::notification::{MessageKind, Subject};
    let mut to = Vec::new();
    for around in repo::ancestors(&mut cmd.tx, place).await? {
        to.extend(
            gongzhi_store::notifications::followers(&mut cmd.tx, tenant, Subject::Place, around.id)
                .await?,
        );
        if around.id == tenant {
            break;
        }
    }
    cmd.notify(
        to,
        MessageKind::NoticePosted,
        (Subject::Resolution, resolution),
        json!({"label": label, "title": title, "notice_end": notice_end.micros()}),
    )
    .await
}
