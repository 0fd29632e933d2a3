//! Proposals and the pipeline: propose, table at a council, advance one step with its evidence,
//! allocation rounds, quotes, claims, progress, rating, decline.

mod participation;
mod rounds;
mod steps;

pub use participation::*;
pub use rounds::*;
pub use steps::*;

use gongzhi_domain::lifecycle::{CouncilKind, NeedStatus, ProjectStatus};
use gongzhi_domain::project::{
    AllocationRule, Candidate, CouncilAt, FundingSplit, Pipeline, Step, StepKind, allocate,
    check_panel, check_score, need_transition, rating_open, screen,
};
use gongzhi_domain::rulebook::RuleValue;
use gongzhi_domain::{DomainError, Fen};
use gongzhi_store::councils::{self as repo_c, CouncilRow};
use gongzhi_store::projects::{self as repo_p, ProjectRow};
use gongzhi_store::{Tx, Value};
use serde_json::{Value as Json, json};
use uuid::Uuid;

use crate::authz::{Actor, Permission};
use crate::command::{Command, Record, Target};
use crate::councils::{NewMotion, open_motion_in, resolution_in};
use crate::input::{invalid, text};
use crate::ledger::{NewBudget, check_new_budget, close_in, managed_fund, reserve_in};
use crate::{App, AppError, new_id};

use super::{lists_in_force, load_project, pipeline_in_force, rule, within};

pub use gongzhi_domain::project::{CLAIMANT_KINDS, IMPLEMENTER_PLANS, PANEL_ROLES, PanelMember};

pub struct NewProject<'a> {
    pub place_id: Uuid,
    pub title: &'a str,
    pub scope: &'a str,
    pub category: &'a str,
    pub split: FundingSplit,
    /// Where the residents' share comes from (shown at the roadshow).
    pub cofunding_source: &'a str,
    /// What residents said about it (shown at the roadshow).
    pub opinions: &'a str,
    pub implementer_plan: &'a str,
    /// The needs this project answers.
    pub needs: &'a [Uuid],
}

/// Turns needs into a project proposal. The proposal is screened against the lists in force at
/// once: a prohibited item is refused with the list's reason and nothing is stored. The rulebook's
/// pipeline is pinned on the project.
pub async fn propose_project(
    app: &App,
    actor: &Actor,
    new: &NewProject<'_>,
) -> Result<Uuid, AppError> {
    let title = text(new.title, "title", 120)?;
    let scope = text(new.scope, "scope", 4_000)?;
    new.split.validate()?;
    if new.split.fund == 0 {
        return Err(invalid("project_fund_share_zero", "fund"));
    }
    if !IMPLEMENTER_PLANS.contains(&new.implementer_plan) {
        return Err(invalid("implementer_plan_unknown", "implementer_plan"));
    }
    let cofunding_source = optional_text(new.cofunding_source, "cofunding_source", 500)?;
    if new.split.cofunding > 0 && cofunding_source.is_empty() {
        return Err(invalid("cofunding_source_missing", "cofunding_source"));
    }
    let opinions = optional_text(new.opinions, "opinions", 2_000)?;
    let mut cmd = super::command_at(app, actor, new.place_id, "project.propose").await?;
    let tenant = cmd.tenant_id();
    let read = &mut cmd.tx;
    actor
        .require(read, Permission::ManageProjects, new.place_id)
        .await?;
    let lists = lists_in_force(read, app, new.place_id).await?;
    if new.category != "other" && !lists.categories().any(|e| e.category == new.category) {
        return Err(AppError::Invalid(
            DomainError::field("category_unknown", "category").arg("value", new.category),
        ));
    }
    let screening = screen(&lists, new.category, &[&title, &scope]);
    if let Some(refusal) = prohibited_error(&lists, &screening) {
        return Err(refusal);
    }
    let pipeline = pipeline_in_force(read, app, new.place_id).await?;
    let id = new_id();
    let number = repo_p::next_number(&mut cmd.tx, "projects", tenant).await?;
    let now = app.now().micros();
    cmd.insert(
        "projects",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("number", number.into()),
            ("jurisdiction_id", new.place_id.into()),
            ("title", title.into()),
            ("scope", scope.into()),
            ("category", new.category.into()),
            ("total", new.split.total.into()),
            ("fund_share", new.split.fund.into()),
            ("cofunding_share", new.split.cofunding.into()),
            ("other_share", new.split.other.into()),
            ("cofunding_source", cofunding_source.into()),
            ("opinions", opinions.into()),
            ("implementer_plan", new.implementer_plan.into()),
            (
                "pipeline_json",
                serde_json::to_string(&pipeline).unwrap_or_default().into(),
            ),
            ("step_index", 0i64.into()),
            ("status", ProjectStatus::Active.into()),
            ("screening_json", Value::Text(None)),
            ("budget_id", Value::Id(None)),
            ("motion_id", Value::Id(None)),
            ("implement_mode", Value::Text(None)),
            ("payee_id", Value::Id(None)),
            ("contract_amount", Value::Int(None)),
            ("contract_sha256", Value::Text(None)),
            ("rating_from", Value::Int(None)),
            ("rating_until", Value::Int(None)),
            ("decline_reason", Value::Text(None)),
            ("proposed_by", Value::from(actor.account_id)),
            ("submitted_at", now.into()),
            ("updated_at", now.into()),
        ],
    )
    .await?;
    for (i, n) in new.needs.iter().enumerate() {
        if new.needs[..i].contains(n) {
            continue;
        }
        let need = repo_p::need(&mut cmd.tx, tenant, *n)
            .await?
            .ok_or_else(|| invalid("need_not_found", "needs"))?;
        need_transition(need.status, NeedStatus::InProject)?;
        cmd.update(
            "needs",
            &[tenant.into(), (*n).into()],
            &[
                ("status", NeedStatus::InProject.into()),
                ("project_id", id.into()),
                ("updated_at", now.into()),
            ],
        )
        .await?;
        cmd.insert(
            "project_needs",
            &[
                ("tenant_id", tenant.into()),
                ("project_id", id.into()),
                ("need_id", (*n).into()),
            ],
        )
        .await?;
    }
    let project = repo_p::project(&mut cmd.tx, tenant, id)
        .await?
        .ok_or(AppError::NotFound("project"))?;
    settle(&mut cmd, app, actor, &project, &pipeline, 0).await?;
    cmd.commit().await?;
    Ok(id)
}

/// An uploaded file named by a form must be one of this community's uploads.
async fn require_upload(
    tx: &mut Tx,
    tenant: Uuid,
    sha256: Option<&str>,
    field: &'static str,
) -> Result<(), AppError> {
    match sha256 {
        Some(sha)
            if gongzhi_store::repo::upload(tx, tenant, sha)
                .await?
                .is_none() =>
        {
            Err(invalid("upload_not_found", field))
        }
        _ => Ok(()),
    }
}

/// A row of a project's record of progress, reviews and acceptances.
struct UpdateRecord<'a> {
    kind: &'a str,
    body: &'a str,
    file: Option<&'a str>,
    score: Option<i64>,
    passed: Option<bool>,
    panel_json: Option<String>,
}

async fn insert_update(
    cmd: &mut Command<'_>,
    actor: &Actor,
    project: Uuid,
    u: UpdateRecord<'_>,
) -> Result<Uuid, AppError> {
    let tenant = cmd.tenant_id();
    let id = new_id();
    let at = cmd.now().micros();
    cmd.insert(
        "project_updates",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("project_id", project.into()),
            ("kind", u.kind.into()),
            ("body", u.body.into()),
            ("photo_sha256", Value::from(u.file.map(str::to_string))),
            ("score", Value::from(u.score)),
            ("passed", Value::Bool(u.passed)),
            ("panel_json", Value::from(u.panel_json)),
            ("created_at", at.into()),
            ("created_by", Value::from(actor.account_id)),
        ],
    )
    .await?;
    Ok(id)
}

fn optional_text(value: &str, field: &'static str, max: usize) -> Result<String, AppError> {
    let t = value.trim();
    if t.chars().count() > max {
        return Err(invalid("text_length_invalid", field));
    }
    Ok(t.to_string())
}

/// The refusal for a screening that hit the prohibited list: the entry's reason in both
/// languages and the word that hit it.
fn prohibited_error(
    lists: &gongzhi_domain::project::Lists,
    s: &gongzhi_domain::project::Screening,
) -> Option<AppError> {
    let (category, word) = s.prohibited.first()?;
    let entry = lists.prohibited.iter().find(|e| &e.category == category)?;
    Some(AppError::Invalid(
        DomainError::field("project_prohibited", "scope")
            .arg("reason_zh", &entry.zh)
            .arg("reason_en", &entry.en)
            .arg("word", word),
    ))
}

/// The council that decides at a council step for a project at `place`: the community's own
/// council, or the nearest council above the place (None when that is the community's).
async fn council_for(
    tx: &mut Tx,
    tenant: Uuid,
    place: Uuid,
    at: CouncilAt,
) -> Result<Option<CouncilRow>, AppError> {
    let councils: Vec<CouncilRow> = repo_c::councils(tx, tenant)
        .await?
        .into_iter()
        .filter(|c| c.kind == CouncilKind::Council)
        .collect();
    match at {
        CouncilAt::Community => Ok(councils.into_iter().find(|c| c.jurisdiction_id == tenant)),
        CouncilAt::Nearest => {
            for j in gongzhi_store::repo::ancestors(tx, place).await? {
                if j.id == tenant {
                    return Ok(None);
                }
                if let Some(c) = councils.iter().find(|c| c.jurisdiction_id == j.id) {
                    return Ok(Some(c.clone()));
                }
            }
            Ok(None)
        }
    }
}

/// A move in a project's history: what happened at which step, and its evidence.
struct Move<'a> {
    step: &'a Step,
    action: &'a str,
    resolution: Option<Uuid>,
    reference: Option<&'a str>,
    note: Option<&'a str>,
    evidence: Option<Json>,
}

impl<'a> Move<'a> {
    fn new(step: &'a Step, action: &'a str) -> Self {
        Move {
            step,
            action,
            resolution: None,
            reference: None,
            note: None,
            evidence: None,
        }
    }
    fn done(step: &'a Step) -> Self {
        Move::new(step, "done")
    }
    /// A note, unless it is empty.
    fn note(self, note: &'a str) -> Self {
        Move {
            note: Some(note).filter(|n| !n.is_empty()),
            ..self
        }
    }
    fn evidence(self, evidence: Json) -> Self {
        Move {
            evidence: Some(evidence),
            ..self
        }
    }
}

/// Records a move in the project's history.
async fn record_move(
    cmd: &mut Command<'_>,
    actor: &Actor,
    project: Uuid,
    m: Move<'_>,
) -> Result<(), AppError> {
    let tenant = cmd.tenant_id();
    let seq = repo_p::moves(&mut cmd.tx, tenant, project).await?.len() as i64 + 1;
    let at = cmd.now().micros();
    cmd.insert(
        "project_moves",
        &[
            ("tenant_id", tenant.into()),
            ("project_id", project.into()),
            ("seq", seq.into()),
            ("step_id", m.step.id.clone().into()),
            ("kind", m.step.kind.as_str().into()),
            ("action", m.action.into()),
            ("resolution_id", Value::from(m.resolution)),
            ("reference", Value::from(m.reference.map(str::to_string))),
            ("note", Value::from(m.note.map(str::to_string))),
            (
                "evidence_json",
                Value::from(m.evidence.map(|e| e.to_string())),
            ),
            ("actor_id", Value::from(actor.account_id)),
            ("at", at.into()),
        ],
    )
    .await?;
    Ok(())
}

/// Puts the project at step `index`, skipping steps that do not apply to it (a "nearest
/// council" step for a project whose nearest council is the community's), opening the rating
/// window when the rating step comes, and marking the project done after the last step.
async fn settle(
    cmd: &mut Command<'_>,
    app: &App,
    actor: &Actor,
    p: &ProjectRow,
    pipeline: &Pipeline,
    mut index: usize,
) -> Result<usize, AppError> {
    let tenant = cmd.tenant_id();
    let now = app.now();
    let mut sets: Vec<(&str, Value)> = vec![("updated_at", now.micros().into())];
    loop {
        let Some(step) = pipeline.steps.get(index) else {
            sets.push(("status", ProjectStatus::Done.into()));
            break;
        };
        match step.kind {
            StepKind::CouncilDecision
                if step.council == Some(CouncilAt::Nearest)
                    && council_for(&mut cmd.tx, tenant, p.jurisdiction_id, CouncilAt::Nearest)
                        .await?
                        .is_none() =>
            {
                record_move(
                    cmd,
                    actor,
                    p.id,
                    Move {
                        note: Some("no_local_council"),
                        ..Move::new(step, "skipped")
                    },
                )
                .await?;
                index += 1;
            }
            StepKind::Rating => {
                let days = i64::from(step.days.unwrap_or(30));
                sets.push(("rating_from", now.micros().into()));
                sets.push((
                    "rating_until",
                    now.plus_seconds(days * 86_400).micros().into(),
                ));
                break;
            }
            _ => break,
        }
    }
    sets.push(("step_index", (index as i64).into()));
    cmd.update("projects", &[tenant.into(), p.id.into()], &sets)
        .await?;
    let followers = gongzhi_store::notifications::followers(
        &mut cmd.tx,
        tenant,
        gongzhi_domain::notification::Subject::Project,
        p.id,
    )
    .await?;
    cmd.notify(
        followers,
        gongzhi_domain::notification::MessageKind::ProjectMoved,
        (gongzhi_domain::notification::Subject::Project, p.id),
        serde_json::json!({
            "title": p.title,
            "step": index + 1,
            "steps": pipeline.steps.len(),
            "done": index >= pipeline.steps.len(),
        }),
    )
    .await?;
    Ok(index)
}

pub use gongzhi_domain::project::tabling_refused;

/// Puts a project on a meeting's agenda at its current council step: a project-approval motion
/// is opened (the rulebook pinned as for any motion) with who presents it, the project's budget,
/// co-funding source and residents' opinions, for the roadshow.
pub async fn table_project(
    app: &App,
    actor: &Actor,
    project_id: Uuid,
    meeting_id: Uuid,
    presenter: &str,
) -> Result<Uuid, AppError> {
    let presenter = optional_text(presenter, "presenter", 80)?;
    let (tenant, _, mut cmd) = begin_on_project(
        app,
        actor,
        project_id,
        "project.table",
        Permission::ManageProjects,
    )
    .await?;
    let (p, pipeline) = reload(&mut cmd, project_id).await?;
    let step = current_step(&p, &pipeline)?;
    let Some(at) = step
        .council
        .filter(|_| step.kind == StepKind::CouncilDecision)
    else {
        return Err(AppError::Invalid(
            DomainError::field("project_step_not_council", "step").arg("step", &step.id),
        ));
    };
    let council = council_for(&mut cmd.tx, tenant, p.jurisdiction_id, at)
        .await?
        .ok_or_else(|| invalid("council_not_found", "meeting_id"))?;
    let meeting = repo_c::meeting(&mut cmd.tx, tenant, meeting_id)
        .await?
        .ok_or(AppError::NotFound("meeting"))?;
    if meeting.council_id != council.id {
        return Err(AppError::Invalid(
            DomainError::field("meeting_wrong_council", "meeting_id")
                .arg("council", &council.name_zh),
        ));
    }
    let decisions = repo_p::decisions_of_project(&mut cmd.tx, tenant, p.id).await?;
    if let Some(code) = tabling_refused(
        &step.id,
        decisions.iter().map(|d| {
            let returned = d
                .resolution
                .as_ref()
                .is_some_and(|r| r.returned_at.is_some());
            (d.step_id.as_str(), d.status, returned)
        }),
    ) {
        return Err(invalid(code, "project_id"));
    }
    let body = roadshow_text(&p, &presenter);
    let motion = open_motion_in(
        &mut cmd,
        app,
        actor,
        &NewMotion {
            council_id: council.id,
            meeting_id: Some(meeting_id),
            kind: "project_approval",
            title: &p.title,
            body: &body,
            needs_notice: step.notice,
            convention: None,
            approved_fund: None,
        },
    )
    .await?;
    cmd.insert(
        "project_motions",
        &[
            ("tenant_id", tenant.into()),
            ("motion_id", motion.into()),
            ("project_id", p.id.into()),
            ("step_id", step.id.clone().into()),
        ],
    )
    .await?;
    cmd.update(
        "projects",
        &[tenant.into(), p.id.into()],
        &[
            ("motion_id", motion.into()),
            ("updated_at", app.now().micros().into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(motion)
}

/// What the council reads on the motion: scope, budget and its split, where the residents'
/// money comes from and what residents said.
fn roadshow_text(p: &ProjectRow, presenter: &str) -> String {
    let mut s = String::new();
    if !presenter.is_empty() {
        s.push_str(&format!("汇报人 Presenter: {presenter}\n"));
    }
    s += &format!(
        "{}\n\n预算 Budget: {}（社区资金 fund {}，居民自筹 co-funding {}，其他 other {}）",
        p.scope,
        Fen::new(p.total),
        Fen::new(p.fund_share),
        Fen::new(p.cofunding_share),
        Fen::new(p.other_share)
    );
    if !p.cofunding_source.is_empty() {
        s.push_str(&format!("\n自筹来源 Co-funding: {}", p.cofunding_source));
    }
    if !p.opinions.is_empty() {
        s.push_str(&format!("\n居民意见 Residents' opinions: {}", p.opinions));
    }
    s
}

async fn reload(cmd: &mut Command<'_>, id: Uuid) -> Result<(ProjectRow, Pipeline), AppError> {
    let (tenant, p, pipeline) = load_project(&mut cmd.tx, id).await?;
    if tenant != cmd.tenant_id() {
        return Err(AppError::NotFound("project"));
    }
    Ok((p, pipeline))
}

/// Why a project takes no claim now, if it does not: it is active and has not gone past choosing
/// who carries it out. `claim_project` refuses by it; the project page shows the claim form by it.
pub(crate) fn claim_refused(p: &ProjectRow, pipeline: &Pipeline) -> Result<(), AppError> {
    current_step(p, pipeline)?;
    if pipeline
        .index_of(StepKind::ImplementerSelection)
        .is_some_and(|i| (p.step_index as usize) > i)
    {
        return Err(invalid("project_already_under_way", "project_id"));
    }
    Ok(())
}

fn current_step<'p>(p: &ProjectRow, pipeline: &'p Pipeline) -> Result<&'p Step, AppError> {
    if p.status != ProjectStatus::Active {
        return Err(AppError::Invalid(
            DomainError::field("project_not_active", "project_id").arg("status", p.status),
        ));
    }
    pipeline
        .steps
        .get(p.step_index as usize)
        .ok_or_else(|| invalid("project_finished", "step"))
}

async fn decline_in(
    cmd: &mut Command<'_>,
    app: &App,
    p: &ProjectRow,
    reason: &str,
) -> Result<(), AppError> {
    let tenant = cmd.tenant_id();
    let now = app.now().micros();
    cmd.update(
        "projects",
        &[tenant.into(), p.id.into()],
        &[
            ("status", ProjectStatus::Declined.into()),
            ("decline_reason", reason.into()),
            ("updated_at", now.into()),
        ],
    )
    .await?;
    // Its needs go back to the ledger, to be answered another way.
    for n in repo_p::needs_of_project(&mut cmd.tx, tenant, p.id).await? {
        if n.status == NeedStatus::InProject {
            cmd.update(
                "needs",
                &[tenant.into(), n.id.into()],
                &[
                    ("status", NeedStatus::Assigned.into()),
                    ("project_id", Value::Id(None)),
                    ("updated_at", now.into()),
                ],
            )
            .await?;
        }
    }
    Ok(())
}

/// Declines a project before any money is reserved for it (a council voted it down, the
/// proposers withdrew it). Its needs return to the ledger.
pub async fn decline_project(
    app: &App,
    actor: &Actor,
    project_id: Uuid,
    reason: &str,
) -> Result<(), AppError> {
    let reason = text(reason, "reason", 500)?;
    let (_, _, mut cmd) = begin_on_project(
        app,
        actor,
        project_id,
        "project.decline",
        Permission::ManageProjects,
    )
    .await?;
    let (p, pipeline) = reload(&mut cmd, project_id).await?;
    let step = current_step(&p, &pipeline)?.clone();
    if p.budget_id.is_some() {
        return Err(invalid("project_has_budget", "project_id"));
    }
    record_move(
        &mut cmd,
        actor,
        p.id,
        Move {
            note: Some(&reason),
            ..Move::new(&step, "declined")
        },
    )
    .await?;
    decline_in(&mut cmd, app, &p, &reason).await?;
    cmd.commit().await?;
    Ok(())
}

/// Opens a command on a project: reads it inside the command and checks the actor's permission
/// on its place before anything else.
async fn begin_on_project<'a>(
    app: &'a App,
    actor: &'a Actor,
    project_id: Uuid,
    name: &'static str,
    permission: Permission,
) -> Result<(Uuid, ProjectRow, Command<'a>), AppError> {
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Project, project_id),
        name,
    )
    .await?;
    let (tenant, p, _) = load_project(&mut cmd.tx, project_id).await?;
    actor
        .require(&mut cmd.tx, permission, p.jurisdiction_id)
        .await?;
    Ok((tenant, p, cmd))
}
