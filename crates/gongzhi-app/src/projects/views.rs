//! What the public sees of a project: one page telling the whole story, from the needs behind it
//! to the rating: the votes (council members named, as office-holders acting in office), the
//! notice and its objections, the contract, every payment, the acceptance and the accounts.

use gongzhi_domain::lifecycle::{ExpenseStatus, MotionStatus, NeedStatus, ProjectStatus};
use gongzhi_domain::project::{PanelMember, Pipeline, StepKind};
use gongzhi_domain::time::Instant;
use gongzhi_store::councils as repo_c;
use gongzhi_store::ledger as repo_l;
use gongzhi_store::projects::{
    self as repo_p, ClaimRow, MoveRow, ProjectRow, QuoteRow, RoundRow, UpdateRow,
};
use uuid::Uuid;

use crate::councils::PublicResolution;
use crate::{App, AppError};

use super::{RoundLine, load_project};

/// A step of the pipeline as the page shows it.
#[derive(Debug, Clone)]
pub struct StepView {
    pub id: String,
    pub kind: StepKind,
    /// `done`, `skipped`, `current`, `waiting` or `declined`.
    pub state: &'static str,
    pub moves: Vec<MoveRow>,
}

/// A council's decision on the project.
#[derive(Debug, Clone)]
pub struct DecisionView {
    pub step_id: String,
    pub motion_id: Uuid,
    pub title: String,
    pub status: MotionStatus,
    pub council: String,
    /// (name, seat role, choice).
    pub votes: Vec<(String, String, String)>,
    pub resolution: Option<PublicResolution>,
}

/// A payment (or hold) from the project's budget.
#[derive(Debug, Clone)]
pub struct PaymentView {
    pub expense_id: Uuid,
    pub payee: String,
    pub description: String,
    pub amount: i64,
    pub status: ExpenseStatus,
    pub submitted_at: i64,
}

#[derive(Debug, Clone)]
pub struct ProjectStory {
    pub project: ProjectRow,
    /// The community the project belongs to.
    pub tenant: Uuid,
    /// The project's place and its ancestors, nearest first.
    pub chain: Vec<gongzhi_store::repo::JurisdictionRow>,
    pub place: String,
    pub steps: Vec<StepView>,
    /// (number, title, status) of the needs behind it; what residents wrote stays private.
    pub needs: Vec<(i64, String, NeedStatus)>,
    pub decisions: Vec<DecisionView>,
    pub rounds: Vec<(RoundRow, Vec<RoundLine>)>,
    pub quotes: Vec<QuoteRow>,
    pub claims: Vec<ClaimRow>,
    pub contractor: Option<String>,
    pub updates: Vec<UpdateRow>,
    pub budget: Option<repo_l::BudgetRow>,
    pub payments: Vec<PaymentView>,
    pub ratings: Vec<(i64, Option<String>, i64)>,
    /// Rating comments not yet reviewed, as residents wrote them: (resident, comment, rated at).
    /// Private: only `comments_awaiting_review` hands them out, to those who may manage.
    awaiting_review: Vec<(Uuid, String, i64)>,
    /// Whether residents may rate now.
    pub rating_open: bool,
    /// The step the project stands at, if active.
    pub current: Option<String>,
    /// As people see it: a project whose rating window has closed is done (`display_status`).
    pub status: ProjectStatus,
    /// Whether it takes a claim now, by `claim_project`'s own rule (the claimant must also be
    /// signed in).
    pub takes_claims: bool,
    /// How many quotes choosing the implementer by comparison needs at the step it stands at
    /// (the number `advance` checks).
    pub quotes_needed: u32,
}

impl ProjectStory {
    /// Whether `actor` may manage this project, decided on the chain the story already read
    /// (the page shows staff forms by it; every command checks again).
    pub fn may_manage(&self, actor: &crate::authz::Actor) -> bool {
        actor
            .require_in(&self.chain, crate::authz::Permission::ManageProjects)
            .is_ok()
    }

    /// The rating comments waiting for staff review, for an actor who may manage this project
    /// (read with the story: no second read for the staff's view of the page); `None` for
    /// anyone else.
    pub fn comments_awaiting_review(
        &self,
        actor: &crate::authz::Actor,
    ) -> Option<&[(Uuid, String, i64)]> {
        self.may_manage(actor)
            .then_some(self.awaiting_review.as_slice())
    }

    /// Mean rating in tenths (4.3 → 43), if any.
    pub fn rating_tenths(&self) -> Option<i64> {
        if self.ratings.is_empty() {
            return None;
        }
        let sum: i64 = self.ratings.iter().map(|r| r.0).sum();
        Some(sum * 10 / self.ratings.len() as i64)
    }
}

pub async fn project_story(app: &App, id: Uuid) -> Result<ProjectStory, AppError> {
    let mut tx = app.db.read().await?;
    let (tenant, p, pipeline) = load_project(&mut tx, id).await?;
    // The place and its ancestors (one read, or the process's copy: chains never change): the
    // name for the page, the chain for deciding whether a signed-in visitor sees staff forms
    // (`may_manage`) without another read.
    let chain = app
        .reference
        .chain_of_place(&mut tx, p.jurisdiction_id)
        .await?
        .to_vec();
    let place = chain.first().map(|j| j.name_zh.clone()).unwrap_or_default();
    let moves = repo_p::moves(&mut tx, tenant, p.id).await?;
    let status = display_status(&p, app.now());
    let steps = step_views(&p, status, &pipeline, &moves);
    let needs = repo_p::needs_of_project(&mut tx, tenant, p.id)
        .await?
        .into_iter()
        .map(|n| {
            (
                n.number,
                gongzhi_domain::person::redact_numbers(&n.title),
                n.status,
            )
        })
        .collect();
    // The decisions, their votes and the objections to their resolutions: three reads for all,
    // one for a project no council has taken up yet (votes and objections reach a project only
    // through its motions, in the same snapshot).
    let decided = repo_p::decisions_of_project(&mut tx, tenant, p.id).await?;
    let (mut votes, mut objections) = if decided.is_empty() {
        Default::default()
    } else {
        (
            repo_p::votes_named_of_project(&mut tx, tenant, p.id).await?,
            repo_c::objections_of_project(&mut tx, tenant, p.id).await?,
        )
    };
    let decisions = decided
        .into_iter()
        .map(|d| DecisionView {
            votes: votes.remove(&d.motion_id).unwrap_or_default(),
            council: d
                .council
                .as_ref()
                .map(|c| c.name_zh.clone())
                .unwrap_or_default(),
            resolution: match (d.resolution, d.council) {
                (Some(r), Some(c)) => {
                    let o = objections.remove(&r.id).unwrap_or_default();
                    Some(PublicResolution::at(app.now(), r, c, o))
                }
                _ => None,
            },
            step_id: d.step_id,
            motion_id: d.motion_id,
            title: d.title,
            status: d.status,
        })
        .collect();
    let mut rounds = Vec::new();
    for m in moves.iter().filter(|m| m.kind == "allocation") {
        let Some(round) = m
            .evidence_json
            .as_deref()
            .and_then(|e| serde_json::from_str::<serde_json::Value>(e).ok())
            .and_then(|e| e["round"].as_str().and_then(|s| s.parse::<Uuid>().ok()))
        else {
            continue;
        };
        if rounds.iter().any(|(r, _): &(RoundRow, _)| r.id == round) {
            continue;
        }
        if let Some(r) = repo_p::round(&mut tx, tenant, round).await? {
            let lines = serde_json::from_str(&r.outcome_json).unwrap_or_default();
            rounds.push((r, lines));
        }
    }
    let contractor = match p.payee_id {
        Some(a) => repo_l::account(&mut tx, tenant, a)
            .await?
            .map(|a| a.name_zh),
        None => None,
    };
    let budget = match p.budget_id {
        Some(b) => repo_l::budget(&mut tx, tenant, b).await?,
        None => None,
    };
    let mut payments = Vec::new();
    if let Some(b) = &budget {
        for (e, payee) in repo_l::expenses_of_budget_with_payees(&mut tx, tenant, b.id).await? {
            payments.push(PaymentView {
                expense_id: e.id,
                payee,
                description: e.description,
                amount: e.settled_amount.unwrap_or(e.amount),
                status: e.status,
                submitted_at: e.submitted_at,
            });
        }
    }
    let now = app.now().micros();
    let rating_open = p.status.is_active()
        && pipeline
            .steps
            .get(p.step_index as usize)
            .is_some_and(|s| s.kind == StepKind::Rating)
        && gongzhi_domain::project::rating_open(p.rating_from, p.rating_until, now);
    let ratings = repo_p::ratings(&mut tx, tenant, p.id).await?;
    let takes_claims = super::pipeline::claim_refused(&p, &pipeline).is_ok();
    let quotes_needed = pipeline
        .steps
        .get(p.step_index as usize)
        .map(|s| s.quotes_needed())
        .unwrap_or_default();
    let story = ProjectStory {
        takes_claims,
        quotes_needed,
        tenant,
        chain,
        place,
        steps,
        needs,
        decisions,
        rounds,
        quotes: repo_p::quotes(&mut tx, tenant, p.id).await?,
        claims: repo_p::claims(&mut tx, tenant, p.id).await?,
        contractor,
        updates: repo_p::updates(&mut tx, tenant, p.id)
            .await?
            .into_iter()
            .map(public_update)
            .collect(),
        budget,
        payments,
        awaiting_review: ratings.iter().filter_map(awaiting_review).collect(),
        ratings: ratings.into_iter().map(public_rating).collect(),
        rating_open,
        status,
        current: status
            .is_active()
            .then(|| {
                pipeline
                    .steps
                    .get(p.step_index as usize)
                    .map(|s| s.id.clone())
            })
            .flatten(),
        project: p,
    };
    tx.rollback().await?;
    Ok(story)
}

fn step_views(
    p: &ProjectRow,
    status: ProjectStatus,
    pipeline: &Pipeline,
    moves: &[MoveRow],
) -> Vec<StepView> {
    let at = p.step_index as usize;
    pipeline
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mine: Vec<MoveRow> = moves
                .iter()
                .filter(|m| m.step_id == s.id)
                .cloned()
                .collect();
            let state = if mine.iter().any(|m| m.action == "declined") {
                "declined"
            } else if mine.iter().any(|m| m.action == "skipped") {
                "skipped"
            } else if i < at || status == ProjectStatus::Done {
                "done"
            } else if i == at && status.is_active() {
                "current"
            } else {
                "waiting"
            };
            StepView {
                id: s.id.clone(),
                kind: s.kind,
                state,
                moves: mine,
            }
        })
        .collect()
}

/// A community's projects, newest first.
pub async fn projects_of(
    app: &App,
    place: Uuid,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<ProjectRow>, AppError> {
    // No transaction around it (BEGIN and ROLLBACK would triple its round trips). A courtyard's
    // list is the projects at or under it; a community's, all of its chain.
    let mut tx = app.db.reads().await?;
    let (community, area) = crate::places::area_of(&mut tx, place).await?;
    let rows = repo_p::projects_page(&mut tx, community, area.as_deref(), before, limit).await?;
    tx.rollback().await?;
    Ok(rows)
}

/// Whether a rating window has ended (the project's story is complete).
pub fn rating_over(p: &ProjectRow, now: Instant) -> bool {
    p.rating_until.is_some_and(|u| now.micros() >= u)
}

/// A project's status as people see it: one whose rating window has closed is done, computed
/// from the clock (nothing needs to run when the window ends).
/// Where a project stands on its pinned pipeline: (the step it is at, counting from 1, or all of
/// them once done; how many steps), or `None` if its pipeline cannot be read.
pub fn progress(p: &ProjectRow) -> Option<(usize, usize)> {
    let steps = super::pinned(p).ok()?.steps.len();
    let at = if p.status == ProjectStatus::Active {
        (p.step_index.max(0) as usize + 1).min(steps)
    } else {
        p.step_index.max(0) as usize
    };
    Some((at.min(steps), steps))
}

pub fn display_status(p: &ProjectRow, now: Instant) -> ProjectStatus {
    match p.status {
        ProjectStatus::Active if rating_over(p, now) => ProjectStatus::Done,
        s => s,
    }
}

/// A rating as the public sees it: (score, comment, rated_at), the comment only once staff
/// published it, with phone and ID numbers redacted; who rated stays out of it.
/// A rating's comment that staff have not yet published or withheld.
pub(super) fn awaiting_review(r: &repo_p::RatingRow) -> Option<(Uuid, String, i64)> {
    match (&r.comment, &r.comment_review) {
        (Some(c), None) => Some((r.resident_id, c.clone(), r.rated_at)),
        _ => None,
    }
}

fn public_rating(r: repo_p::RatingRow) -> (i64, Option<String>, i64) {
    let comment = r
        .comment
        .filter(|_| r.comment_review.as_deref() == Some("published"))
        .map(|c| gongzhi_domain::person::redact_numbers(&c));
    (r.score, comment, r.rated_at)
}

/// A progress update as the public sees it: resident representatives on its panel masked.
fn public_update(mut u: UpdateRow) -> UpdateRow {
    if let Some(panel) = u
        .panel_json
        .as_deref()
        .and_then(|p| serde_json::from_str::<Vec<PanelMember>>(p).ok())
    {
        let public: Vec<PanelMember> = panel.into_iter().map(PanelMember::public).collect();
        u.panel_json = serde_json::to_string(&public).ok();
    }
    u
}

/// The community owning a place.
pub async fn tenant_of_place(app: &App, place: Uuid) -> Result<Uuid, AppError> {
    let mut tx = app.db.read().await?;
    let t = crate::command::tenant_of(&mut tx, place).await?;
    tx.rollback().await?;
    Ok(t)
}

/// A project tabled at a meeting (the roadshow's list): the project, its motion and what the
/// council reads on it (presenter, budget, co-funding source, residents' opinions).
#[derive(Debug, Clone)]
pub struct TabledProject {
    pub project_id: Uuid,
    pub title: String,
    pub motion_status: MotionStatus,
    pub text: String,
}

pub async fn projects_at_meeting(app: &App, meeting: Uuid) -> Result<Vec<TabledProject>, AppError> {
    let mut tx = app.db.read().await?;
    let Some(tenant) = gongzhi_store::rows::tenant_of(&mut tx, "meetings", meeting).await? else {
        return Err(AppError::NotFound("meeting"));
    };
    let mut out = Vec::new();
    for (motion, _, status) in repo_c::motions_of_meeting(&mut tx, tenant, meeting).await? {
        let Some((project, _)) = repo_p::project_of_motion(&mut tx, tenant, motion).await? else {
            continue;
        };
        let Some(m) = repo_c::motion(&mut tx, tenant, motion).await? else {
            continue;
        };
        out.push(TabledProject {
            project_id: project,
            title: m.title,
            motion_status: status,
            text: m.body,
        });
    }
    tx.rollback().await?;
    Ok(out)
}
