//! The JSON API of resident-wide budget votes: open (staff), the secret ballot (a resident for
//! themselves; staff for an assisted ballot), paper voters and the double entry of paper sheets,
//! the count, and the public result with every project's reason.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use gongzhi_app::budget_votes::{self, BudgetVoteView, NewBudgetVote};
use gongzhi_domain::Fen;
use gongzhi_domain::budget_vote::BallotForm;
use gongzhi_domain::time::{Instant, parse_china_minute};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::AppState;
use crate::api::{ApiResult, Route, created, err, obj, ok};
use crate::error::ApiError;
use crate::extract::{ApiJson, Authed};
use crate::i18n::Lang;

pub const ROUTES: &[Route] = &[
    Route {
        method: "post",
        path: "/budget-votes",
        handler: || post(open_vote),
        operation: "open_budget_vote",
        summary: "Put a pot of money to a vote of all residents (or households) of a place: projects with costs in yuan, a ballot form (approve_k with `number` = k, approve_budget, or points with `number` = points), a closing time; the rulebook's budget_vote.rule is pinned (staff)",
        body: Some(|| {
            obj(
                &[
                    "place_id",
                    "title",
                    "budget_yuan",
                    "ballot_kind",
                    "projects",
                    "closes_at",
                ],
                &[
                    ("place_id", "string"),
                    ("title", "string"),
                    ("budget_yuan", "string"),
                    ("ballot_kind", "string"),
                    ("number", "integer"),
                    ("projects", "array"),
                    ("closes_at", "string"),
                ],
            )
        }),
    },
    Route {
        method: "get",
        path: "/budget-votes/{id}",
        handler: || get(vote),
        operation: "budget_vote",
        summary: "A budget vote: projects and costs, turnout by channel, and once counted every project's votes, result and reason",
        body: None,
    },
    Route {
        method: "post",
        path: "/budget-votes/{id}/ballots",
        handler: || post(cast),
        operation: "cast_budget_ballot",
        summary: "Cast a secret ballot: `marks` are [project position, points] pairs (points 1 on approval ballots); staff enter an assisted ballot with `resident_id`",
        body: Some(|| obj(&["marks"], &[("marks", "array"), ("resident_id", "string")])),
    },
    Route {
        method: "post",
        path: "/budget-votes/{id}/paper-voters",
        handler: || post(paper_voter),
        operation: "mark_paper_voter",
        summary: "Mark a resident as voting on paper at the polling table (staff); the sheet is entered after the close",
        body: Some(|| obj(&["resident_id"], &[("resident_id", "string")])),
    },
    Route {
        method: "post",
        path: "/budget-votes/{id}/sheets",
        handler: || post(sheet),
        operation: "enter_paper_sheet",
        summary: "After the close, enter a paper sheet by its printed number as entry 1 or 2 (two different clerks); retyping an entry corrects a disagreement",
        body: Some(|| {
            obj(
                &["sheet", "entry", "marks"],
                &[
                    ("sheet", "string"),
                    ("entry", "integer"),
                    ("marks", "array"),
                ],
            )
        }),
    },
    Route {
        method: "get",
        path: "/budget-votes/{id}/paper",
        handler: || get(paper),
        operation: "paper_reconciliation",
        summary: "Where the double entry stands: paper voters marked, sheets agreed, sheets whose entries differ, sheets entered once",
        body: None,
    },
    Route {
        method: "post",
        path: "/budget-votes/{id}/close",
        handler: || post(close),
        operation: "close_budget_vote",
        summary: "After voting closes and every paper sheet is reconciled: open the box and count by the pinned rule (staff)",
        body: None,
    },
];

#[derive(Deserialize)]
struct ProjectBody {
    title: String,
    cost_yuan: String,
}

#[derive(Deserialize)]
struct OpenBody {
    place_id: Uuid,
    title: String,
    budget_yuan: String,
    ballot_kind: String,
    number: Option<u32>,
    projects: Vec<ProjectBody>,
    closes_at: String,
}

fn yuan(text: &str, lang: Lang) -> Result<Fen, ApiError> {
    Fen::parse_yuan(text).map_err(|d| ApiError::from_app(gongzhi_app::AppError::Invalid(d), lang))
}

async fn open_vote(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<OpenBody>,
) -> ApiResult {
    let closes_at = parse_china_minute(&b.closes_at).ok_or_else(|| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "datetime_invalid").lang(lang)
    })?;
    let form = BallotForm::from_parts(&b.ballot_kind, b.number.unwrap_or(0))
        .map_err(|d| ApiError::from_app(gongzhi_app::AppError::Invalid(d), lang))?;
    let mut projects = Vec::with_capacity(b.projects.len());
    for p in &b.projects {
        projects.push((p.title.clone(), yuan(&p.cost_yuan, lang)?));
    }
    let id = budget_votes::open_vote(
        &state.app,
        &v.actor,
        &NewBudgetVote {
            place_id: b.place_id,
            title: &b.title,
            budget: yuan(&b.budget_yuan, lang)?,
            form,
            projects: &projects,
            closes_at,
        },
    )
    .await
    .map_err(err(lang))?;
    created(json!({"id": id}))
}

/// A vote as JSON: nothing in it names a voter.
pub(crate) fn vote_json(v: &BudgetVoteView) -> Value {
    let r = &v.vote;
    let projects: Vec<Value> = v
        .projects
        .iter()
        .enumerate()
        .map(|(i, (title, cost))| {
            let line = v.result.as_ref().map(|res| &res.projects[i]);
            json!({"position": i, "title": title, "cost_fen": cost.fen(), "result": line})
        })
        .collect();
    json!({
        "id": r.id,
        "place_id": r.place_id,
        "title": r.title,
        "budget_fen": r.budget_fen,
        "form": v.form,
        "rule": r.rule,
        "per": r.per,
        "opens_at": Instant::from_micros(r.opens_at).china_minute(),
        "closes_at": Instant::from_micros(r.closes_at).china_minute(),
        "status": r.status,
        "voting_open": v.voting_open,
        "electorate": r.electorate,
        "voted": {"online": v.channels.0, "assisted": v.channels.1, "paper": v.channels.2},
        "projects": projects,
        "result": v.result.as_ref().map(|c| json!({"rule": c.rule, "ballots": c.ballots, "spent_fen": c.spent.fen()})),
    })
}

async fn vote(State(state): State<AppState>, lang: Lang, Path(id): Path<Uuid>) -> ApiResult {
    let v = budget_votes::vote_view(&state.app, id)
        .await
        .map_err(err(lang))?;
    ok(vote_json(&v))
}

#[derive(Deserialize)]
struct BallotBody {
    marks: Vec<(usize, u32)>,
    resident_id: Option<Uuid>,
}

async fn cast(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<BallotBody>,
) -> ApiResult {
    budget_votes::cast_vote(&state.app, &v.actor, id, &b.marks, b.resident_id)
        .await
        .map_err(err(lang))?;
    created(json!({"cast": true}))
}

#[derive(Deserialize)]
struct PaperVoterBody {
    resident_id: Uuid,
}

async fn paper_voter(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<PaperVoterBody>,
) -> ApiResult {
    budget_votes::mark_paper_voter(&state.app, &v.actor, id, b.resident_id)
        .await
        .map_err(err(lang))?;
    created(json!({"marked": true}))
}

#[derive(Deserialize)]
struct SheetBody {
    sheet: String,
    entry: u8,
    marks: Vec<(usize, u32)>,
}

async fn sheet(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<SheetBody>,
) -> ApiResult {
    budget_votes::enter_paper_sheet(&state.app, &v.actor, id, &b.sheet, &b.marks, b.entry)
        .await
        .map_err(err(lang))?;
    created(json!({"entered": true}))
}

async fn paper(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
) -> ApiResult {
    let c = budget_votes::paper_reconciliation(&state.app, &v.actor, id)
        .await
        .map_err(err(lang))?;
    ok(json!({
        "marked": c.marked,
        "agreed": c.agreed.len(),
        "disagree": c.disagree,
        "single": c.single,
    }))
}

async fn close(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
) -> ApiResult {
    let count = budget_votes::close_vote(&state.app, &v.actor, id)
        .await
        .map_err(err(lang))?;
    ok(json!(count))
}
