//! Meetings: scheduling, attendance and the running count of members present, minutes and
//! their signatures, the chair's roll call, and extraordinary meetings members ask for.

use super::*;
use gongzhi_domain::lifecycle::MeetingStatus;

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
    let id = insert_meeting(&mut cmd, council, &title, at).await?;
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
    if m.status == MeetingStatus::Closed {
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
    let now = app.now().micros();
    let delta = i64::from(present) - i64::from(was_present);
    let mut meeting_sets: Vec<(&str, Value)> =
        vec![("present_count", (current.present_count + delta).into())];
    if current.status == MeetingStatus::Scheduled {
        meeting_sets.push(("status", MeetingStatus::Open.into()));
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

pub(super) async fn find_meeting(
    tx: &mut Tx,
    meeting: Uuid,
) -> Result<(Uuid, repo_c::MeetingRow), AppError> {
    let tenant = Record::Meeting.tenant(tx, meeting).await?;
    Ok((
        tenant,
        repo_c::meeting(tx, tenant, meeting)
            .await?
            .ok_or(AppError::NotFound("meeting"))?,
    ))
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
    let now = app.now().micros();
    cmd.update(
        "meetings",
        &[tenant.into(), meeting.into()],
        &[
            ("minutes", minutes.into()),
            ("minutes_written_at", now.into()),
            ("status", MeetingStatus::Closed.into()),
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
            ("signed_at", app.now().micros().into()),
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
        &format_date(Instant::from_micros(m.scheduled_for).china_date()),
    )
    .await?;
    let present = repo_c::present_seats(&mut tx, tenant, meeting).await?;
    let signed = repo_c::minute_signatures(&mut tx, tenant, meeting).await?;
    let minutes = repo_c::minutes(&mut tx, tenant, meeting)
        .await?
        .map(|(t, at)| (t, Instant::from_micros(at)));
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
        &format_date(Instant::from_micros(m.scheduled_for).china_date()),
    )
    .await?;
    let present = repo_c::present_seats(&mut tx, tenant, meeting).await?;
    let mut motions = Vec::new();
    for (id, title, status) in repo_c::motions_of_meeting(&mut tx, tenant, meeting).await? {
        let votes = repo_c::votes(&mut tx, tenant, id).await?;
        motions.push(RollMotion {
            id,
            title,
            open: status.is_open(),
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

/// The member behind a seat must be the one acting (requests and supports are personal).
pub(super) async fn own_seat(
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
    let now = app.now().micros();
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

pub(super) async fn find_request(
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
            ("supported_at", app.now().micros().into()),
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
    let id = insert_meeting(&mut cmd, council, &title, at).await?;
    cmd.update(
        "meeting_requests",
        &[tenant.into(), request.into()],
        &[("meeting_id", id.into())],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

/// Writes a scheduled meeting of `council` (a meeting staff schedule, or one members called).
async fn insert_meeting(
    cmd: &mut Command<'_>,
    council: Uuid,
    title: &str,
    at: Instant,
) -> Result<Uuid, AppError> {
    let id = new_id();
    let now = cmd.now();
    cmd.insert(
        "meetings",
        &[
            ("tenant_id", cmd.tenant_id().into()),
            ("id", id.into()),
            ("council_id", council.into()),
            ("title", title.into()),
            ("scheduled_for", at.micros().into()),
            ("status", MeetingStatus::Scheduled.into()),
            ("created_at", now.micros().into()),
            ("present_count", 0i64.into()),
        ],
    )
    .await?;
    Ok(id)
}
