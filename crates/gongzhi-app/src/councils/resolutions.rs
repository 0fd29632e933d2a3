//! Resolutions as the public sees them, with their notice state computed from the clock, and
//! the objections residents file during the notice: the rule for who may object, answers, review.

use super::*;
use gongzhi_domain::notification::{MessageKind, Subject};

/// A resolution with its tenant and the council that passed it.
pub(super) async fn find_resolution(
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

pub(super) fn state_of(
    now: Instant,
    r: &ResolutionRow,
    objections: &[repo_c::ObjectionRow],
) -> NoticeState {
    if r.returned_at.is_some() {
        return NoticeState::Returned;
    }
    match r.notice_end {
        None => NoticeState::InForce(Instant::from_micros(r.created_at)),
        Some(end) => {
            let o: Vec<_> = objections
                .iter()
                .map(|o| {
                    (
                        Instant::from_micros(o.filed_at),
                        o.answered_at.map(Instant::from_micros),
                        o.upheld == Some(true),
                    )
                })
                .collect();
            council::notice_state(now, Instant::from_micros(end), &o)
        }
    }
}

/// Every resolution of a place's councils, newest first, with its state now: a community's (or a
/// place above it) all of its chain, a courtyard's or a resident group's those of the councils
/// at or under it.
pub async fn notice_board(app: &App, place: Uuid) -> Result<Vec<PublicResolution>, AppError> {
    let mut tx = app.db.reads().await?;
    let (community, area) = crate::places::area_of(&mut tx, place).await?;
    let mut councils = repo_c::councils(&mut tx, community).await?;
    if let Some(area) = &area {
        councils.retain(|c| area.contains(&c.jurisdiction_id));
    }
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
pub(super) async fn objection_refused(
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
            ("filed_at", app.now().micros().into()),
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
    let now = app.now().micros();
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
    cmd.notify(
        [o.account_id],
        MessageKind::ObjectionAnswered,
        (Subject::Resolution, resolution),
        json!({"label": r.label, "upheld": upheld}),
    )
    .await?;
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
            ("reviewed_at", app.now().micros().into()),
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

/// What a resolution's public page shows, read on one connection: the resolution with its notice
/// state, its motion's stored result, and its community's chain head for the printed sheet.
pub struct ResolutionSheet {
    pub resolution: PublicResolution,
    /// The motion's stored result (the vote's figures), if it parses.
    pub result: Option<serde_json::Value>,
    /// The community's chain head, printed on the sheet.
    pub head: Option<gongzhi_store::audit::Head>,
    /// The meeting the motion was voted in, if it was (a page links back to it).
    pub meeting: Option<Uuid>,
    /// The project the resolution decides a step of, if any: (id, title).
    pub project: Option<(Uuid, String)>,
}

pub async fn resolution_sheet(app: &App, id: Uuid) -> Result<ResolutionSheet, AppError> {
    // No transaction: BEGIN and ROLLBACK would be two more round trips, and the head may be a
    // moment newer than the resolution without harm (it anchors the record as of printing).
    let mut tx = app.db.reads().await?;
    let (tenant, r) = resolution_in(&mut tx, app.now(), id).await?;
    let motion = repo_c::motion(&mut tx, tenant, r.row.motion_id).await?;
    let meeting = motion.as_ref().and_then(|m| m.meeting_id);
    let result = motion
        .and_then(|m| m.result_json)
        .and_then(|j| serde_json::from_str(&j).ok());
    let project =
        match gongzhi_store::projects::project_of_motion(&mut tx, tenant, r.row.motion_id).await? {
            Some((project, _)) => gongzhi_store::projects::project(&mut tx, tenant, project)
                .await?
                .map(|p| (p.id, p.title)),
            None => None,
        };
    let head = gongzhi_store::audit::head(&mut tx, tenant).await?;
    Ok(ResolutionSheet {
        resolution: r,
        result,
        head,
        meeting,
        project,
    })
}
