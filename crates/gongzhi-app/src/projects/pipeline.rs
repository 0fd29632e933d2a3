//! Proposals and the pipeline: propose, table at a council, advance one step with its evidence,
//! allocation rounds, quotes, claims, progress, rating, decline.

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
    let now = app.now().0;
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
            ("status", "active".into()),
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
        need_transition(&need.status, "in_project")?;
        cmd.update(
            "needs",
            &[tenant.into(), (*n).into()],
            &[
                ("status", "in_project".into()),
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
    let at = cmd.now().0;
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
        .filter(|c| c.kind == "council")
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
    let at = cmd.now().0;
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
    let mut sets: Vec<(&str, Value)> = vec![("updated_at", now.0.into())];
    loop {
        let Some(step) = pipeline.steps.get(index) else {
            sets.push(("status", "done".into()));
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
                sets.push(("rating_from", now.0.into()));
                sets.push(("rating_until", now.plus_seconds(days * 86_400).0.into()));
                break;
            }
            _ => break,
        }
    }
    sets.push(("step_index", (index as i64).into()));
    cmd.update("projects", &[tenant.into(), p.id.into()], &sets)
        .await?;
    Ok(index)
}

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
    if let Some(m) = p.motion_id
        && repo_c::motion(&mut cmd.tx, tenant, m)
            .await?
            .is_some_and(|m| m.status == "open")
    {
        return Err(invalid("project_already_tabled", "project_id"));
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
            ("updated_at", app.now().0.into()),
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
        Fen(p.total),
        Fen(p.fund_share),
        Fen(p.cofunding_share),
        Fen(p.other_share)
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
    if p.status != "active" {
        return Err(AppError::Invalid(
            DomainError::field("project_not_active", "project_id").arg("status", &p.status),
        ));
    }
    pipeline
        .steps
        .get(p.step_index as usize)
        .ok_or_else(|| invalid("project_finished", "step"))
}

/// How the implementer is chosen.
#[derive(Debug, Clone, Default)]
pub struct Implementer<'a> {
    /// `self`, `quotes`, `call` or `claim`.
    pub mode: &'a str,
    /// The quote chosen, for `quotes`.
    pub quote_id: Option<Uuid>,
    /// The claim accepted, for `claim`.
    pub claim_id: Option<Uuid>,
    /// The contractor's name, for `call`.
    pub contractor: Option<&'a str>,
    /// The public call's reference, for `call`.
    pub reference: Option<&'a str>,
    pub contract_amount: Option<i64>,
    /// The signed contract (an upload).
    pub contract_sha256: Option<&'a str>,
}

/// What a step needs to be done.
#[derive(Debug, Clone)]
pub enum Evidence<'a> {
    Screening {
        note: &'a str,
    },
    /// The council's resolution on the motion tabled for this project, in force.
    Resolution(Uuid),
    /// The street office's filing reference (备案号).
    Filing {
        reference: &'a str,
    },
    Implementer(Implementer<'a>),
    /// The works are finished.
    Finished {
        note: &'a str,
    },
    /// A mid-term review or an acceptance: the panel, its verdict and an optional document.
    Review {
        panel: &'a [PanelMember],
        passed: bool,
        note: &'a str,
        document_sha256: Option<&'a str>,
    },
    CloseOut,
    Disclosure {
        note: &'a str,
    },
}

/// What a step command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Advanced {
    /// The step is done; the project now stands at this step (None when finished).
    Moved(Option<String>),
    /// Screening found a prohibited item: the project is declined with this reason.
    Declined(String),
    /// An acceptance that did not pass is recorded; the project stays at acceptance.
    NotAccepted,
}

/// Completes the project's current step, which must be `step_id` (a project cannot skip a
/// step), with the evidence that step needs.
pub async fn advance(
    app: &App,
    actor: &Actor,
    project_id: Uuid,
    step_id: &str,
    evidence: Evidence<'_>,
) -> Result<Advanced, AppError> {
    let mut read = app.db.read().await?;
    let (tenant, p, pipeline) = load_project(&mut read, project_id).await?;
    let step = pipeline.expect(p.step_index as usize, step_id)?.clone();
    let permission = if step.kind == StepKind::Filing {
        Permission::FileProjects
    } else {
        Permission::ManageProjects
    };
    actor
        .require(&mut read, permission, p.jurisdiction_id)
        .await?;
    read.rollback().await?;
    // Read before the lock, to authorise first and to release lapsed holds before a close-out:
    // the step the caller names. The project is read again inside the command, and a step taken
    // meanwhile fails there (`expect` checks the named step is still the current one).
    if step.kind == StepKind::CloseOut {
        crate::ledger::sweep_lapsed(app, tenant).await?;
    }
    let mut cmd = Command::begin(app, actor, tenant, "project.advance").await?;
    let (p, pipeline) = reload(&mut cmd, project_id).await?;
    current_step(&p, &pipeline)?;
    let step = pipeline.expect(p.step_index as usize, step_id)?.clone();
    cmd.detail("step", step.id.clone());
    let index = p.step_index as usize;
    let outcome = match (step.kind, evidence) {
        (StepKind::Screening, Evidence::Screening { note }) => {
            let lists = lists_in_force(&mut cmd.tx, app, p.jurisdiction_id).await?;
            let s = screen(&lists, &p.category, &[&p.title, &p.scope]);
            let note = optional_text(note, "note", 1_000)?;
            let evidence = serde_json::to_value(&s).unwrap_or_default();
            cmd.update(
                "projects",
                &[tenant.into(), p.id.into()],
                &[("screening_json", evidence.to_string().into())],
            )
            .await?;
            if let Some(AppError::Invalid(e)) = prohibited_error(&lists, &s) {
                let reason = e
                    .args
                    .iter()
                    .find(|(k, _)| *k == "reason_zh")
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default();
                record_move(
                    &mut cmd,
                    actor,
                    p.id,
                    Move {
                        note: Some(&reason),
                        ..Move::new(&step, "declined")
                    }
                    .evidence(evidence),
                )
                .await?;
                decline_in(&mut cmd, app, &p, &reason).await?;
                Advanced::Declined(reason)
            } else {
                record_move(
                    &mut cmd,
                    actor,
                    p.id,
                    Move::done(&step).note(&note).evidence(evidence),
                )
                .await?;
                moved(&mut cmd, app, actor, &p, &pipeline, index).await?
            }
        }
        (StepKind::CouncilDecision, Evidence::Resolution(rid)) => {
            let (res_tenant, r) = resolution_in(&mut cmd.tx, app.now(), rid).await?;
            let tabled = repo_p::project_of_motion(&mut cmd.tx, tenant, r.row.motion_id).await?;
            if res_tenant != tenant || tabled != Some((p.id, step.id.clone())) {
                return Err(invalid("resolution_not_for_project", "resolution_id"));
            }
            if !matches!(r.state, gongzhi_domain::council::NoticeState::InForce(_)) {
                return Err(AppError::Invalid(
                    DomainError::field("project_resolution_not_in_force", "resolution_id")
                        .arg("state", r.state.key()),
                ));
            }
            let yes = yes_votes(&mut cmd.tx, tenant, r.row.motion_id).await?;
            record_move(
                &mut cmd,
                actor,
                p.id,
                Move {
                    resolution: Some(rid),
                    reference: Some(&r.row.label),
                    ..Move::done(&step)
                }
                .evidence(json!({"council": r.council.name_zh, "yes": yes})),
            )
            .await?;
            cmd.update(
                "projects",
                &[tenant.into(), p.id.into()],
                &[("motion_id", Value::Id(None))],
            )
            .await?;
            moved(&mut cmd, app, actor, &p, &pipeline, index).await?
        }
        (StepKind::Filing, Evidence::Filing { reference }) => {
            let reference = text(reference, "reference", 60)?;
            record_move(
                &mut cmd,
                actor,
                p.id,
                Move {
                    reference: Some(&reference),
                    ..Move::done(&step)
                },
            )
            .await?;
            moved(&mut cmd, app, actor, &p, &pipeline, index).await?
        }
        (StepKind::Allocation, _) => {
            return Err(invalid("project_needs_allocation_round", "step"));
        }
        (StepKind::ImplementerSelection, Evidence::Implementer(imp)) => {
            choose_implementer(&mut cmd, actor, &p, &step, &imp).await?;
            moved(&mut cmd, app, actor, &p, &pipeline, index).await?
        }
        (StepKind::Implementation, Evidence::Finished { note }) => {
            let progress = repo_p::updates(&mut cmd.tx, tenant, p.id)
                .await?
                .iter()
                .filter(|u| u.kind == "progress")
                .count();
            if progress == 0 {
                return Err(invalid("project_no_progress", "step"));
            }
            let note = optional_text(note, "note", 1_000)?;
            record_move(&mut cmd, actor, p.id, Move::done(&step).note(&note)).await?;
            moved(&mut cmd, app, actor, &p, &pipeline, index).await?
        }
        (
            kind @ (StepKind::MidtermReview | StepKind::Acceptance),
            Evidence::Review {
                panel,
                passed,
                note,
                document_sha256,
            },
        ) => {
            let score = check_panel(kind, panel)?;
            let panel_json = serde_json::to_string(panel).unwrap_or_default();
            let note = optional_text(note, "note", 2_000)?;
            require_upload(&mut cmd.tx, tenant, document_sha256, "document_sha256").await?;
            let kind_name = if kind == StepKind::Acceptance {
                "acceptance"
            } else {
                "midterm"
            };
            let update = insert_update(
                &mut cmd,
                actor,
                p.id,
                UpdateRecord {
                    kind: kind_name,
                    body: &note,
                    file: document_sha256,
                    score,
                    passed: Some(passed),
                    panel_json: Some(panel_json),
                },
            )
            .await?;
            if passed {
                record_move(
                    &mut cmd,
                    actor,
                    p.id,
                    Move::done(&step)
                        .note(&note)
                        .evidence(json!({"update": update, "score": score})),
                )
                .await?;
                moved(&mut cmd, app, actor, &p, &pipeline, index).await?
            } else if kind == StepKind::Acceptance {
                Advanced::NotAccepted
            } else {
                // A mid-term review that finds problems is recorded; the project goes on.
                record_move(
                    &mut cmd,
                    actor,
                    p.id,
                    Move::done(&step)
                        .note(&note)
                        .evidence(json!({"update": update, "score": score, "passed": false})),
                )
                .await?;
                moved(&mut cmd, app, actor, &p, &pipeline, index).await?
            }
        }
        (StepKind::CloseOut, Evidence::CloseOut) => {
            let budget = p
                .budget_id
                .ok_or_else(|| invalid("project_no_budget", "step"))?;
            actor
                .require(&mut cmd.tx, Permission::ManageFunds, p.jurisdiction_id)
                .await?;
            let released = close_in(&mut cmd, app, actor, budget).await?;
            for n in repo_p::needs_of_project(&mut cmd.tx, tenant, p.id).await? {
                if n.status == "in_project" {
                    cmd.update(
                        "needs",
                        &[tenant.into(), n.id.into()],
                        &[
                            ("status", "resolved".into()),
                            ("updated_at", app.now().0.into()),
                        ],
                    )
                    .await?;
                }
            }
            record_move(
                &mut cmd,
                actor,
                p.id,
                Move::done(&step).evidence(json!({"released": released})),
            )
            .await?;
            moved(&mut cmd, app, actor, &p, &pipeline, index).await?
        }
        (StepKind::Disclosure, Evidence::Disclosure { note }) => {
            let note = optional_text(note, "note", 1_000)?;
            let accounts = final_accounts(&mut cmd.tx, tenant, &p).await?;
            record_move(
                &mut cmd,
                actor,
                p.id,
                Move::done(&step).note(&note).evidence(accounts),
            )
            .await?;
            moved(&mut cmd, app, actor, &p, &pipeline, index).await?
        }
        (StepKind::Rating, _) => return Err(invalid("project_rating_runs_by_itself", "step")),
        (kind, _) => {
            return Err(AppError::Invalid(
                DomainError::field("project_evidence_mismatch", "step").arg("kind", kind.as_str()),
            ));
        }
    };
    cmd.commit().await?;
    Ok(outcome)
}

async fn moved(
    cmd: &mut Command<'_>,
    app: &App,
    actor: &Actor,
    p: &ProjectRow,
    pipeline: &Pipeline,
    index: usize,
) -> Result<Advanced, AppError> {
    let at = settle(cmd, app, actor, p, pipeline, index + 1).await?;
    Ok(Advanced::Moved(
        pipeline.steps.get(at).map(|s| s.id.clone()),
    ))
}

async fn yes_votes(tx: &mut Tx, tenant: Uuid, motion: Uuid) -> Result<u32, AppError> {
    Ok(repo_c::vote_counts(tx, tenant, motion)
        .await?
        .into_iter()
        .find(|(c, _)| c == "yes")
        .map(|(_, n)| n as u32)
        .unwrap_or(0))
}

async fn choose_implementer(
    cmd: &mut Command<'_>,
    actor: &Actor,
    p: &ProjectRow,
    step: &Step,
    imp: &Implementer<'_>,
) -> Result<(), AppError> {
    let tenant = cmd.tenant_id();
    if !IMPLEMENTER_PLANS.contains(&imp.mode) {
        return Err(invalid("implementer_plan_unknown", "mode"));
    }
    require_upload(&mut cmd.tx, tenant, imp.contract_sha256, "contract_sha256").await?;
    let mut contractor: Option<String> = None;
    let mut amount = imp.contract_amount;
    let mut evidence = json!({"mode": imp.mode});
    match imp.mode {
        "self" => {}
        "quotes" => {
            let quotes = repo_p::quotes(&mut cmd.tx, tenant, p.id).await?;
            let min = step.quotes_needed() as usize;
            if quotes.len() < min {
                return Err(AppError::Invalid(
                    DomainError::field("project_quotes_too_few", "quote_id")
                        .arg("min", min)
                        .arg("have", quotes.len()),
                ));
            }
            let chosen = imp
                .quote_id
                .and_then(|q| quotes.iter().find(|x| x.id == q))
                .ok_or_else(|| invalid("quote_not_found", "quote_id"))?;
            cmd.update(
                "project_quotes",
                &[tenant.into(), chosen.id.into()],
                &[("selected", true.into())],
            )
            .await?;
            contractor = Some(chosen.supplier.clone());
            amount = amount.or(Some(chosen.amount));
            evidence = json!({
                "mode": "quotes",
                "chosen": chosen.id,
                "compared": quotes.iter().map(|q| json!({"supplier": q.supplier, "amount": q.amount})).collect::<Vec<_>>(),
            });
        }
        "call" => {
            let reference = text(imp.reference.unwrap_or(""), "reference", 60)?;
            contractor = Some(text(imp.contractor.unwrap_or(""), "contractor", 80)?);
            evidence = json!({"mode": "call", "reference": reference});
        }
        _ => {
            let claims = repo_p::claims(&mut cmd.tx, tenant, p.id).await?;
            let claim = imp
                .claim_id
                .and_then(|c| claims.iter().find(|x| x.id == c))
                .ok_or_else(|| invalid("claim_not_found", "claim_id"))?;
            cmd.update(
                "project_claims",
                &[tenant.into(), claim.id.into()],
                &[("status", "accepted".into())],
            )
            .await?;
            contractor = Some(claim.claimant.clone());
            evidence = json!({"mode": "claim", "claim": claim.id});
        }
    }
    if contractor.is_some()
        && matches!(imp.mode, "quotes" | "call")
        && imp.contract_sha256.is_none()
    {
        return Err(invalid("project_contract_missing", "contract_sha256"));
    }
    if let Some(a) = amount {
        if a <= 0 {
            return Err(invalid("amount_not_positive", "contract_amount"));
        }
        if a > p.total {
            return Err(AppError::Invalid(
                DomainError::field("project_contract_over_budget", "contract_amount")
                    .arg("total", Fen(p.total)),
            ));
        }
    }
    let payee = match &contractor {
        Some(name) => {
            let code = format!("Y-{}", crate::ledger::short(new_id()));
            Some(
                crate::ledger::open_account(
                    cmd,
                    gongzhi_domain::ledger::AccountKind::Payee,
                    &code,
                    name,
                    name,
                )
                .await?,
            )
        }
        None => None,
    };
    cmd.update(
        "projects",
        &[tenant.into(), p.id.into()],
        &[
            ("implement_mode", imp.mode.into()),
            ("payee_id", Value::from(payee)),
            ("contract_amount", Value::from(amount)),
            (
                "contract_sha256",
                Value::from(imp.contract_sha256.map(str::to_string)),
            ),
        ],
    )
    .await?;
    record_move(
        cmd,
        actor,
        p.id,
        Move {
            reference: contractor.as_deref(),
            ..Move::done(step)
        }
        .evidence(evidence),
    )
    .await
}

/// The project's accounts as disclosed: received (fund and co-funding), spent, released.
async fn final_accounts(tx: &mut Tx, tenant: Uuid, p: &ProjectRow) -> Result<Json, AppError> {
    let Some(b) = p.budget_id else {
        return Ok(json!({}));
    };
    let budget = gongzhi_store::ledger::budget(tx, tenant, b)
        .await?
        .ok_or(AppError::NotFound("budget"))?;
    let account = gongzhi_store::ledger::account(tx, tenant, budget.account_id)
        .await?
        .ok_or(AppError::NotFound("account"))?;
    let released = budget.released.unwrap_or(0);
    Ok(json!({
        "reserved": budget.reserved,
        "received": account.balance.credits_posted,
        "spent": account.balance.debits_posted - released,
        "released": released,
    }))
}

async fn decline_in(
    cmd: &mut Command<'_>,
    app: &App,
    p: &ProjectRow,
    reason: &str,
) -> Result<(), AppError> {
    let tenant = cmd.tenant_id();
    let now = app.now().0;
    cmd.update(
        "projects",
        &[tenant.into(), p.id.into()],
        &[
            ("status", "declined".into()),
            ("decline_reason", reason.into()),
            ("updated_at", now.into()),
        ],
    )
    .await?;
    // Its needs go back to the ledger, to be answered another way.
    for n in repo_p::needs_of_project(&mut cmd.tx, tenant, p.id).await? {
        if n.status == "in_project" {
            cmd.update(
                "needs",
                &[tenant.into(), n.id.into()],
                &[
                    ("status", "assigned".into()),
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

/// One project's place in an allocation round.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RoundLine {
    pub project: Uuid,
    pub number: i64,
    pub title: String,
    pub cost: i64,
    pub yes: u32,
    pub rank: Option<u32>,
    pub position: usize,
    pub funded: bool,
    pub available_before: i64,
}

/// Shares a fund between projects waiting at their allocation step, by the rulebook's
/// `allocation.rule` (greedy by yes-votes, or the council's `ranking`): funded projects get a
/// budget reserved on their last council resolution and move on; the others stay, with the
/// reason recorded. Returns the round's id and its lines in the rule's order.
pub async fn allocate_round(
    app: &App,
    actor: &Actor,
    fund_id: Uuid,
    projects: &[Uuid],
    ranking: &[Uuid],
) -> Result<(Uuid, Vec<RoundLine>), AppError> {
    if projects.is_empty() {
        return Err(invalid("round_empty", "projects"));
    }
    let mut cmd =
        crate::ledger::on_swept(app, actor, Record::Fund, fund_id, "allocation.round").await?;
    let (tenant, fund) = managed_fund(&mut cmd.tx, actor, fund_id).await?;
    let rule_value = match rule(&mut cmd.tx, app, tenant, "allocation.rule").await? {
        RuleValue::Allocation(r) => r,
        _ => AllocationRule::GreedyVotes,
    };
    let mut loaded = Vec::new();
    let mut candidates = Vec::new();
    // For equal shares: each council seat's yes votes among the candidates.
    let mut ballots: Vec<(Uuid, Vec<usize>)> = Vec::new();
    for (i, id) in projects.iter().enumerate() {
        if projects[..i].contains(id) {
            return Err(invalid("round_project_repeated", "projects"));
        }
        let (p, pipeline) = reload(&mut cmd, *id).await?;
        let step = current_step(&p, &pipeline)?.clone();
        if step.kind != StepKind::Allocation {
            return Err(AppError::Invalid(
                DomainError::field("project_not_at_allocation", "projects")
                    .arg("number", p.number)
                    .arg("step", &step.id),
            ));
        }
        let last = repo_p::moves(&mut cmd.tx, tenant, p.id)
            .await?
            .into_iter()
            .rev()
            .find_map(|m| m.resolution_id)
            .ok_or_else(|| invalid("project_no_resolution", "projects"))?;
        let (_, r) = resolution_in(&mut cmd.tx, app.now(), last).await?;
        let yes = yes_votes(&mut cmd.tx, tenant, r.row.motion_id).await?;
        if rule_value == AllocationRule::EqualShares {
            for (seat, choice) in repo_c::votes(&mut cmd.tx, tenant, r.row.motion_id).await? {
                if choice == "yes" {
                    let member = match ballots.iter().position(|(s, _)| *s == seat) {
                        Some(m) => m,
                        None => {
                            ballots.push((seat, Vec::new()));
                            ballots.len() - 1
                        }
                    };
                    ballots[member].1.push(loaded.len());
                }
            }
        }
        if rule_value == AllocationRule::CouncilRanking && !ranking.contains(id) {
            return Err(invalid("round_ranking_incomplete", "ranking"));
        }
        candidates.push(Candidate {
            key: loaded.len(),
            cost: p.fund_share,
            yes_votes: yes,
            rank: ranking.iter().position(|r| r == id).map(|i| i as u32 + 1),
            submitted_at: p.submitted_at,
        });
        loaded.push((p, pipeline, last, step));
    }
    let available = gongzhi_store::ledger::account(&mut cmd.tx, tenant, fund.account_id)
        .await?
        .ok_or(AppError::NotFound("account"))?
        .balance
        .available();
    let approvals: Vec<Vec<usize>> = ballots.into_iter().map(|(_, b)| b).collect();
    let outcome = allocate(rule_value, available, &candidates, &approvals);
    let round_id = new_id();
    let lines: Vec<RoundLine> = outcome
        .iter()
        .map(|o| {
            let (p, ..) = &loaded[o.key];
            RoundLine {
                project: p.id,
                number: p.number,
                title: p.title.clone(),
                cost: p.fund_share,
                yes: candidates[o.key].yes_votes,
                rank: candidates[o.key].rank,
                position: o.position,
                funded: o.funded,
                available_before: o.available_before,
            }
        })
        .collect();
    cmd.insert(
        "allocation_rounds",
        &[
            ("tenant_id", tenant.into()),
            ("id", round_id.into()),
            ("fund_id", fund_id.into()),
            (
                "rule",
                serde_json::to_value(rule_value)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
                    .into(),
            ),
            ("available", available.into()),
            (
                "outcome_json",
                serde_json::to_string(&lines).unwrap_or_default().into(),
            ),
            ("created_at", app.now().0.into()),
            ("created_by", Value::from(actor.account_id)),
        ],
    )
    .await?;
    for o in &outcome {
        let (p, pipeline, resolution, step) = &loaded[o.key];
        let evidence = json!({"round": round_id, "position": o.position, "available_before": o.available_before, "cost": p.fund_share});
        if !o.funded {
            record_move(
                &mut cmd,
                actor,
                p.id,
                Move::new(step, "not_funded").evidence(evidence),
            )
            .await?;
            continue;
        }
        let budget_id = new_id();
        let new = NewBudget {
            id: Some(budget_id),
            resolution_id: *resolution,
            jurisdiction_id: Some(p.jurisdiction_id),
            fund_id,
            title: &p.title,
            reserved: p.fund_share,
            pledges: &[],
            reason: None,
        };
        let (title, _) = check_new_budget(&new)?;
        reserve_in(
            &mut cmd,
            app,
            actor,
            &fund,
            budget_id,
            &title,
            p.cofunding_share,
            &new,
        )
        .await?;
        cmd.update(
            "projects",
            &[tenant.into(), p.id.into()],
            &[("budget_id", budget_id.into())],
        )
        .await?;
        record_move(&mut cmd, actor, p.id, Move::done(step).evidence(evidence)).await?;
        settle(&mut cmd, app, actor, p, pipeline, p.step_index as usize + 1).await?;
    }
    cmd.commit().await?;
    Ok((round_id, lines))
}

/// A quote for the comparison (比选), while the project is choosing its implementer.
pub async fn add_quote(
    app: &App,
    actor: &Actor,
    project_id: Uuid,
    supplier: &str,
    amount: i64,
    document_sha256: &str,
) -> Result<Uuid, AppError> {
    let supplier = text(supplier, "supplier", 80)?;
    gongzhi_domain::ledger::check_amount(amount, "amount")?;
    let (tenant, p, mut cmd) = begin_on_project(
        app,
        actor,
        project_id,
        "project.quote",
        Permission::ManageProjects,
    )
    .await?;
    let pipeline = super::pinned(&p)?;
    let step = current_step(&p, &pipeline)?;
    if step.kind != StepKind::ImplementerSelection {
        return Err(AppError::Invalid(
            DomainError::field("project_not_choosing_implementer", "project_id")
                .arg("step", &step.id),
        ));
    }
    require_upload(
        &mut cmd.tx,
        tenant,
        Some(document_sha256),
        "document_sha256",
    )
    .await?;
    let id = new_id();
    cmd.insert(
        "project_quotes",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("project_id", p.id.into()),
            ("supplier", supplier.into()),
            ("amount", amount.into()),
            ("document_sha256", document_sha256.into()),
            ("selected", false.into()),
            ("created_at", app.now().0.into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
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

/// A progress update with an optional photo, from the implementer's choice until acceptance.
pub async fn post_update(
    app: &App,
    actor: &Actor,
    project_id: Uuid,
    body: &str,
    photo_sha256: Option<&str>,
) -> Result<Uuid, AppError> {
    let body = text(body, "body", 2_000)?;
    let (tenant, p, mut cmd) = begin_on_project(
        app,
        actor,
        project_id,
        "project.progress",
        Permission::ManageProjects,
    )
    .await?;
    let pipeline = super::pinned(&p)?;
    let step = current_step(&p, &pipeline)?;
    let started = pipeline
        .index_of(StepKind::ImplementerSelection)
        .is_some_and(|i| (p.step_index as usize) > i);
    let closed = pipeline
        .index_of(StepKind::CloseOut)
        .is_some_and(|i| (p.step_index as usize) >= i);
    if !started || closed {
        return Err(AppError::Invalid(
            DomainError::field("project_not_under_way", "project_id").arg("step", &step.id),
        ));
    }
    require_upload(&mut cmd.tx, tenant, photo_sha256, "photo_sha256").await?;
    let id = insert_update(
        &mut cmd,
        actor,
        p.id,
        UpdateRecord {
            kind: "progress",
            body: &body,
            file: photo_sha256,
            score: None,
            passed: None,
            panel_json: None,
        },
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

/// An organisation, party unit or company offers to resource or deliver a project on the list
/// (项目认领), before it is under way.
pub async fn claim_project(
    app: &App,
    actor: &Actor,
    project_id: Uuid,
    claimant: &str,
    claimant_kind: &str,
    offer: &str,
) -> Result<Uuid, AppError> {
    let account = actor.account_id.ok_or(AppError::Unauthenticated)?;
    let claimant = text(claimant, "claimant", 80)?;
    let offer = text(offer, "offer", 1_000)?;
    if !CLAIMANT_KINDS.contains(&claimant_kind) {
        return Err(invalid("claimant_kind_unknown", "claimant_kind"));
    }
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Project, project_id),
        "project.claim",
    )
    .await?;
    let tenant = cmd.tenant_id();
    let (p, pipeline) = reload(&mut cmd, project_id).await?;
    claim_refused(&p, &pipeline)?;
    let id = new_id();
    cmd.insert(
        "project_claims",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("project_id", p.id.into()),
            ("claimant", claimant.into()),
            ("claimant_kind", claimant_kind.into()),
            ("offer", offer.into()),
            ("account_id", account.into()),
            ("status", "offered".into()),
            ("created_at", app.now().0.into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

/// A resident of the project's place rates it, 1 to 5, once, while the rating window is open.
pub async fn rate_project(
    app: &App,
    actor: &Actor,
    project_id: Uuid,
    score: i64,
    comment: &str,
) -> Result<(), AppError> {
    check_score(score)?;
    let comment = optional_text(comment, "comment", 500)?;
    let account = actor.account_id.ok_or(AppError::Unauthenticated)?;
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Project, project_id),
        "project.rate",
    )
    .await?;
    let read = &mut cmd.tx;
    let (tenant, _, _) = load_project(read, project_id).await?;
    let (p, pipeline) = reload(&mut cmd, project_id).await?;
    // Who may rate is decided first (a resident of the project's place), then whether now.
    // The resident rating: the signed-in resident, or the one staff act for with their consent.
    let rater = match actor.on_behalf_of {
        Some(r) => gongzhi_store::repo::resident_anywhere(&mut cmd.tx, r)
            .await?
            .filter(|(t, _, _)| *t == tenant)
            .map(|(_, _, courtyard)| (r, courtyard)),
        None => repo_p::resident_by_account(&mut cmd.tx, tenant, account).await?,
    };
    let (resident, courtyard) =
        rater.ok_or_else(|| invalid("rating_not_resident_here", "project_id"))?;
    let lives_here = match courtyard {
        Some(c) => within(&mut cmd.tx, c, p.jurisdiction_id).await?,
        None => false,
    };
    if !lives_here {
        return Err(invalid("rating_not_resident_here", "project_id"));
    }
    let open = pipeline
        .steps
        .get(p.step_index as usize)
        .is_some_and(|s| s.kind == StepKind::Rating)
        && rating_open(p.rating_from, p.rating_until, app.now().0);
    if !open {
        return Err(invalid("rating_window_closed", "project_id"));
    }
    if gongzhi_store::rows::get(
        &mut cmd.tx,
        "project_ratings",
        &[tenant.into(), p.id.into(), resident.into()],
    )
    .await?
    .is_some()
    {
        return Err(invalid("rating_already_given", "project_id"));
    }
    cmd.insert(
        "project_ratings",
        &[
            ("tenant_id", tenant.into()),
            ("project_id", p.id.into()),
            ("resident_id", resident.into()),
            ("score", score.into()),
            (
                "comment",
                Value::from(Some(comment).filter(|c| !c.is_empty())),
            ),
            ("rated_at", app.now().0.into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(())
}

/// A project's community, once `actor` is found to manage projects at its place: the opening
/// of staff commands on a project that re-read it inside their own transaction.
async fn managed_project(app: &App, actor: &Actor, project_id: Uuid) -> Result<Uuid, AppError> {
    let mut read = app.db.read().await?;
    let (tenant, p, _) = load_project(&mut read, project_id).await?;
    actor
        .require(&mut read, Permission::ManageProjects, p.jurisdiction_id)
        .await?;
    read.rollback().await?;
    Ok(tenant)
}

/// Staff publish a resident's rating comment on the project's public page (numbers still
/// redacted there) or withhold it; either way once, as one audited command.
pub async fn review_rating_comment(
    app: &App,
    actor: &Actor,
    project_id: Uuid,
    resident_id: Uuid,
    publish: bool,
) -> Result<(), AppError> {
    let (tenant, _, mut cmd) = begin_on_project(
        app,
        actor,
        project_id,
        "project.review_comment",
        Permission::ManageProjects,
    )
    .await?;
    let key = [tenant.into(), project_id.into(), resident_id.into()];
    let rating = gongzhi_store::rows::get(&mut cmd.tx, "project_ratings", &key)
        .await?
        .ok_or(AppError::NotFound("rating"))?;
    // Columns by the registry's order: tenant, project, resident, score, comment, rated_at,
    // comment_review, reviewed_at.
    let comment = rating.opt_text(4)?;
    let review = rating.opt_text(6)?;
    if comment.is_none() {
        return Err(invalid("rating_has_no_comment", "resident_id"));
    }
    if review.is_some() {
        return Err(invalid("comment_already_reviewed", "resident_id"));
    }
    cmd.update(
        "project_ratings",
        &key,
        &[
            (
                "comment_review",
                if publish { "published" } else { "withheld" }.into(),
            ),
            ("reviewed_at", app.now().0.into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(())
}

/// Rating comments waiting for staff: (resident, comment, rated_at), oldest first. Staff of the
/// project's place only: residents' words are not public until reviewed.
pub async fn comments_awaiting_review(
    app: &App,
    actor: &Actor,
    project_id: Uuid,
) -> Result<Vec<(Uuid, String, i64)>, AppError> {
    let tenant = managed_project(app, actor, project_id).await?;
    let mut read = app.db.reads().await?;
    let out = repo_p::ratings(&mut read, tenant, project_id)
        .await?
        .iter()
        .filter_map(super::views::awaiting_review)
        .collect();
    read.rollback().await?;
    Ok(out)
}

/// A step's evidence as forms and the API send it: every field optional, read according to the
/// kind of the step named.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct StepInput {
    #[serde(default)]
    pub note: String,
    pub resolution_id: Option<Uuid>,
    pub reference: Option<String>,
    pub mode: Option<String>,
    pub quote_id: Option<Uuid>,
    pub claim_id: Option<Uuid>,
    pub contractor: Option<String>,
    /// Fen.
    #[serde(skip)]
    pub contract_amount: Option<i64>,
    pub contract_sha256: Option<String>,
    #[serde(default)]
    pub panel: Vec<PanelMember>,
    pub passed: Option<bool>,
    pub document_sha256: Option<String>,
}

/// Completes step `step_id` of a project with the evidence its kind needs, read from `input`.
pub async fn complete_step(
    app: &App,
    actor: &Actor,
    project_id: Uuid,
    step_id: &str,
    input: &StepInput,
) -> Result<Advanced, AppError> {
    let kind = {
        let mut read = app.db.read().await?;
        let (_, p, pipeline) = load_project(&mut read, project_id).await?;
        // Only those who may move some step of it learn anything of its steps (`advance` then
        // checks the permission of the step itself).
        if !actor
            .can(&mut read, Permission::FileProjects, p.jurisdiction_id)
            .await?
        {
            actor
                .require(&mut read, Permission::ManageProjects, p.jurisdiction_id)
                .await?;
        }
        read.rollback().await?;
        if !pipeline.steps.iter().any(|s| s.id == step_id) {
            return Err(AppError::Invalid(
                DomainError::field("project_step_unknown", "step").arg("step", step_id),
            ));
        }
        // Order first: a step out of turn is refused as such, whatever its evidence.
        current_step(&p, &pipeline)?;
        pipeline.expect(p.step_index as usize, step_id)?.kind
    };
    let evidence = match kind {
        StepKind::Screening => Evidence::Screening { note: &input.note },
        StepKind::CouncilDecision => Evidence::Resolution(
            input
                .resolution_id
                .ok_or_else(|| invalid("resolution_required", "resolution_id"))?,
        ),
        StepKind::Filing => Evidence::Filing {
            reference: input.reference.as_deref().unwrap_or(""),
        },
        StepKind::ImplementerSelection => Evidence::Implementer(Implementer {
            mode: input.mode.as_deref().unwrap_or(""),
            quote_id: input.quote_id,
            claim_id: input.claim_id,
            contractor: input.contractor.as_deref(),
            reference: input.reference.as_deref(),
            contract_amount: input.contract_amount,
            contract_sha256: input.contract_sha256.as_deref().filter(|s| !s.is_empty()),
        }),
        StepKind::Implementation => Evidence::Finished { note: &input.note },
        StepKind::MidtermReview | StepKind::Acceptance => Evidence::Review {
            panel: &input.panel,
            passed: input.passed.unwrap_or(true),
            note: &input.note,
            document_sha256: input.document_sha256.as_deref().filter(|s| !s.is_empty()),
        },
        StepKind::CloseOut => Evidence::CloseOut,
        StepKind::Disclosure => Evidence::Disclosure { note: &input.note },
        StepKind::Allocation | StepKind::Rating => Evidence::Finished { note: "" },
    };
    advance(app, actor, project_id, step_id, evidence).await
}
