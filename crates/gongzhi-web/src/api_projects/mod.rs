//! The JSON API of the core loop: the needs ledger (intake, import, assignment, replies,
//! merging) and projects (proposal, tabling at a council, each step with its evidence,
//! allocation rounds, quotes, progress, claims, ratings) and the public project story.
//! Amounts go in as yuan written as text and come out as fen and display text.

use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use gongzhi_app::projects::{self, Advanced, NewProject, StepInput};
use gongzhi_app::records::ProjectRow;
use gongzhi_app::{AppError, places};
use gongzhi_domain::project::FundingSplit;
use gongzhi_domain::time::Instant;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::AppState;
use crate::api::{ApiResult, Route, created, err, obj, ok};
use crate::api_ledger::{money, yuan};
use crate::extract::{ApiJson, Authed};
use crate::i18n::Lang;

mod needs;
pub(crate) use needs::*;

pub const ROUTES: &[Route] = &[
    Route {
        method: "post",
        path: "/needs",
        handler: || post(report_need),
        operation: "report_need",
        summary: "Record a need (staff on any channel for a resident; a resident online for themselves)",
        body: Some(|| {
            obj(
                &["place_id", "category", "title"],
                &[
                    ("place_id", "string"),
                    ("building_id", "string"),
                    ("category", "string"),
                    ("channel", "string"),
                    ("title", "string"),
                    ("body", "string"),
                    ("photos", "array"),
                    ("reporter_id", "string"),
                ],
            )
        }),
    },
    Route {
        method: "get",
        path: "/communities/{id}/needs",
        handler: || get(list_needs),
        operation: "list_needs",
        summary: "The needs ledger, newest first: filter by status, category, channel, place, overdue; page with `before` (staff)",
        body: None,
    },
    Route {
        method: "post",
        path: "/communities/{id}/needs/import",
        handler: || post(import_needs),
        operation: "import_needs",
        summary: "Bulk import needs from a CSV or XLSX body; all or nothing with a row-by-row report",
        body: None,
    },
    Route {
        method: "get",
        path: "/me/needs",
        handler: || get(my_needs),
        operation: "my_needs",
        summary: "The needs the signed-in resident raised, with their status and reply",
        body: None,
    },
    Route {
        method: "get",
        path: "/needs/{id}",
        handler: || get(need),
        operation: "need",
        summary: "One need (staff, or the resident who raised it)",
        body: None,
    },
    Route {
        method: "post",
        path: "/needs/{id}/assign",
        handler: || post(assign_need),
        operation: "assign_need",
        summary: "Assign a need to a colleague",
        body: Some(|| obj(&["account_id"], &[("account_id", "string")])),
    },
    Route {
        method: "post",
        path: "/needs/{id}/reply",
        handler: || post(reply_need),
        operation: "reply_need",
        summary: "Answer the resident; optionally close the need as resolved or declined",
        body: Some(|| obj(&["reply"], &[("reply", "string"), ("close", "string")])),
    },
    Route {
        method: "post",
        path: "/needs/{id}/merge",
        handler: || post(merge_need),
        operation: "merge_need",
        summary: "Merge a duplicate need into another",
        body: Some(|| obj(&["into"], &[("into", "string")])),
    },
    Route {
        method: "post",
        path: "/projects",
        handler: || post(propose_project),
        operation: "propose_project",
        summary: "Propose a project from needs; screened against the lists at once",
        body: Some(|| {
            obj(
                &[
                    "place_id",
                    "title",
                    "scope",
                    "category",
                    "total",
                    "fund",
                    "implementer_plan",
                ],
                &[
                    ("place_id", "string"),
                    ("title", "string"),
                    ("scope", "string"),
                    ("category", "string"),
                    ("total", "string"),
                    ("fund", "string"),
                    ("cofunding", "string"),
                    ("other", "string"),
                    ("cofunding_source", "string"),
                    ("opinions", "string"),
                    ("implementer_plan", "string"),
                    ("needs", "array"),
                ],
            )
        }),
    },
    Route {
        method: "get",
        path: "/communities/{code}/projects",
        handler: || get(list_projects),
        operation: "list_projects",
        summary: "A community's project list, newest first (public)",
        body: None,
    },
    Route {
        method: "get",
        path: "/projects/{id}",
        handler: || get(project),
        operation: "project",
        summary: "A project's whole story: needs, steps, votes by name, notice, contract, payments, acceptance, rating (public)",
        body: None,
    },
    Route {
        method: "post",
        path: "/projects/{id}/table",
        handler: || post(table_project),
        operation: "table_project",
        summary: "Put the project on a council meeting's agenda at its current council step",
        body: Some(|| {
            obj(
                &["meeting_id"],
                &[("meeting_id", "string"), ("presenter", "string")],
            )
        }),
    },
    Route {
        method: "post",
        path: "/projects/{id}/steps/{step}",
        handler: || post(complete_step),
        operation: "complete_step",
        summary: "Complete the project's current step with its evidence (a project cannot skip a step)",
        body: Some(|| {
            obj(
                &[],
                &[
                    ("note", "string"),
                    ("resolution_id", "string"),
                    ("reference", "string"),
                    ("mode", "string"),
                    ("quote_id", "string"),
                    ("claim_id", "string"),
                    ("contractor", "string"),
                    ("contract_amount", "string"),
                    ("contract_sha256", "string"),
                    ("panel", "array"),
                    ("passed", "boolean"),
                    ("document_sha256", "string"),
                ],
            )
        }),
    },
    Route {
        method: "post",
        path: "/projects/{id}/decline",
        handler: || post(decline_project),
        operation: "decline_project",
        summary: "Decline a project before money is reserved; its needs return to the ledger",
        body: Some(|| obj(&["reason"], &[("reason", "string")])),
    },
    Route {
        method: "post",
        path: "/projects/{id}/quotes",
        handler: || post(add_quote),
        operation: "add_quote",
        summary: "Add a quote to the comparison (比选)",
        body: Some(|| {
            obj(
                &["supplier", "amount", "document_sha256"],
                &[
                    ("supplier", "string"),
                    ("amount", "string"),
                    ("document_sha256", "string"),
                ],
            )
        }),
    },
    Route {
        method: "post",
        path: "/projects/{id}/updates",
        handler: || post(post_update),
        operation: "post_update",
        summary: "A progress update with an optional photo",
        body: Some(|| obj(&["body"], &[("body", "string"), ("photo_sha256", "string")])),
    },
    Route {
        method: "post",
        path: "/projects/{id}/claims",
        handler: || post(claim_project),
        operation: "claim_project",
        summary: "Claim a project on the list (项目认领) as an organisation, party unit or company",
        body: Some(|| {
            obj(
                &["claimant", "claimant_kind", "offer"],
                &[
                    ("claimant", "string"),
                    ("claimant_kind", "string"),
                    ("offer", "string"),
                ],
            )
        }),
    },
    Route {
        method: "post",
        path: "/projects/{id}/ratings",
        handler: || post(rate_project),
        operation: "rate_project",
        summary: "Rate a project 1–5 (residents of its place, within the window)",
        body: Some(|| obj(&["score"], &[("score", "integer"), ("comment", "string")])),
    },
    Route {
        method: "get",
        path: "/projects/{id}/ratings/awaiting",
        handler: || get(comments_awaiting_review),
        operation: "comments_awaiting_review",
        summary: "Rating comments waiting for staff review (staff of the project's place)",
        body: None,
    },
    Route {
        method: "post",
        path: "/projects/{id}/ratings/{resident}/review",
        handler: || post(review_rating_comment),
        operation: "review_rating_comment",
        summary: "Publish a resident's rating comment (phone and ID numbers redacted) or withhold it",
        body: Some(|| obj(&["publish"], &[("publish", "boolean")])),
    },
    Route {
        method: "post",
        path: "/funds/{id}/rounds",
        handler: || post(allocation_round),
        operation: "allocation_round",
        summary: "Share a fund between projects at their allocation step by the rulebook's allocation rule",
        body: Some(|| {
            obj(
                &["projects"],
                &[("projects", "array"), ("ranking", "array")],
            )
        }),
    },
    Route {
        method: "post",
        path: "/budgets/{id}/pledges",
        handler: || post(pledge_cofunding),
        operation: "pledge_cofunding",
        summary: "Record (or raise) a household's co-funding pledge for a project budget",
        body: Some(|| {
            obj(
                &["household_id", "amount"],
                &[("household_id", "string"), ("amount", "string")],
            )
        }),
    },
];

#[derive(Deserialize)]
pub(crate) struct ProjectBody {
    pub place_id: Uuid,
    pub title: String,
    pub scope: String,
    pub category: String,
    pub total: String,
    pub fund: String,
    #[serde(default)]
    pub cofunding: String,
    #[serde(default)]
    pub other: String,
    #[serde(default)]
    pub cofunding_source: String,
    #[serde(default)]
    pub opinions: String,
    pub implementer_plan: String,
    #[serde(default)]
    pub needs: Vec<Uuid>,
}

/// Yuan text to fen; an empty field is zero.
fn yuan_or_zero(text: &str, field: &'static str) -> Result<i64, AppError> {
    if text.trim().is_empty() {
        Ok(0)
    } else {
        yuan(text, field)
    }
}

pub(crate) async fn propose(
    state: &AppState,
    actor: &gongzhi_app::authz::Actor,
    b: &ProjectBody,
) -> Result<Uuid, AppError> {
    let split = FundingSplit {
        total: yuan(&b.total, "total")?,
        fund: yuan_or_zero(&b.fund, "fund")?,
        cofunding: yuan_or_zero(&b.cofunding, "cofunding")?,
        other: yuan_or_zero(&b.other, "other")?,
    };
    projects::propose_project(
        &state.app,
        actor,
        &NewProject {
            place_id: b.place_id,
            title: &b.title,
            scope: &b.scope,
            category: &b.category,
            split,
            cofunding_source: &b.cofunding_source,
            opinions: &b.opinions,
            implementer_plan: &b.implementer_plan,
            needs: &b.needs,
        },
    )
    .await
}

async fn propose_project(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<ProjectBody>,
) -> ApiResult {
    let id = propose(&state, &v.actor, &b).await.map_err(err(lang))?;
    created(json!({"id": id}))
}

fn project_json(p: &ProjectRow) -> Value {
    json!({
        "id": p.id, "number": p.number, "place_id": p.jurisdiction_id, "title": p.title,
        "scope": p.scope, "category": p.category, "status": p.status,
        "total": money(p.total), "fund": money(p.fund_share), "cofunding": money(p.cofunding_share),
        "other": money(p.other_share), "cofunding_source": p.cofunding_source,
        "opinions": p.opinions, "implementer_plan": p.implementer_plan,
        "budget_id": p.budget_id, "decline_reason": p.decline_reason,
        // The contractor's payee account, once the project has one: pay expenses to it rather
        // than registering the contractor again.
        "payee_id": p.payee_id, "contract_amount": p.contract_amount.map(money),
        "submitted_at": Instant::from_micros(p.submitted_at).china_minute(),
    })
}

#[derive(Deserialize)]
struct PageQuery {
    before: Option<i64>,
    limit: Option<i64>,
}

async fn list_projects(
    State(state): State<AppState>,
    lang: Lang,
    Path(code): Path<String>,
    Query(q): Query<PageQuery>,
) -> ApiResult {
    let j = places::jurisdiction_by_code(&state.app, &code)
        .await
        .map_err(err(lang))?;
    let rows = projects::projects_of(&state.app, j.id, q.before, q.limit.unwrap_or(50))
        .await
        .map_err(err(lang))?;
    ok(Value::Array(rows.iter().map(project_json).collect()))
}

async fn project(State(state): State<AppState>, lang: Lang, Path(id): Path<Uuid>) -> ApiResult {
    let s = projects::project_story(&state.app, id)
        .await
        .map_err(err(lang))?;
    let mut body = project_json(&s.project);
    body["place"] = json!(s.place);
    // Computed from the clock: a project whose rating window has closed is done.
    body["status"] = json!(s.status);
    body["current_step"] = json!(s.current);
    body["steps"] = s
        .steps
        .iter()
        .map(|st| {
            json!({"id": st.id, "kind": st.kind.as_str(), "state": st.state,
                "moves": st.moves.iter().map(|m| json!({"action": m.action, "reference": m.reference,
                    "note": m.note, "resolution_id": m.resolution_id, "at": Instant::from_micros(m.at).china_minute(),
                    "evidence": m.evidence_json.as_deref().and_then(|e| serde_json::from_str::<Value>(e).ok())})).collect::<Vec<_>>()})
        })
        .collect();
    body["needs"] = s
        .needs
        .iter()
        .map(|(n, t, st)| json!({"number": n, "title": t, "status": st}))
        .collect();
    body["decisions"] = s
        .decisions
        .iter()
        .map(|d| {
            json!({"step": d.step_id, "motion_id": d.motion_id, "council": d.council, "title": d.title,
                "status": d.status,
                "votes": d.votes.iter().map(|(n, r, c)| json!({"name": n, "role": r, "choice": c})).collect::<Vec<_>>(),
                "resolution": d.resolution.as_ref().map(|r| json!({"id": r.row.id, "label": r.row.label,
                    "state": r.state.key(), "objections": r.objections.iter().map(|o| json!({
                        "filed_at": Instant::from_micros(o.filed_at).china_minute(), "answer": o.answer, "upheld": o.upheld})).collect::<Vec<_>>()}))})
        })
        .collect();
    body["rounds"] = s
        .rounds
        .iter()
        .map(|(r, lines)| json!({"id": r.id, "rule": r.rule, "available": money(r.available), "lines": lines}))
        .collect();
    body["quotes"] = s
        .quotes
        .iter()
        .map(|q| json!({"id": q.id, "supplier": q.supplier, "amount": money(q.amount), "selected": q.selected}))
        .collect();
    body["claims"] = s
        .claims
        .iter()
        .map(|c| json!({"id": c.id, "claimant": c.claimant, "kind": c.claimant_kind, "offer": c.offer, "status": c.status}))
        .collect();
    body["contract"] = json!({"contractor": s.contractor, "mode": s.project.implement_mode,
        "amount": s.project.contract_amount.map(money), "document_sha256": s.project.contract_sha256});
    body["updates"] = s
        .updates
        .iter()
        .map(|u| {
            json!({"kind": u.kind, "body": u.body, "score": u.score, "passed": u.passed,
            "panel": u.panel_json.as_deref().and_then(|p| serde_json::from_str::<Value>(p).ok()),
            "at": Instant::from_micros(u.created_at).china_minute()})
        })
        .collect();
    body["budget"] = json!(
        s.budget
            .as_ref()
            .map(|b| json!({"id": b.id, "reserved": money(b.reserved),
        "status": b.status, "released": b.released.map(money)}))
    );
    body["payments"] = s
        .payments
        .iter()
        .map(|p| {
            json!({"expense_id": p.expense_id, "payee": p.payee, "description": p.description,
            "amount": money(p.amount), "status": p.status})
        })
        .collect();
    body["rating"] = json!({"count": s.ratings.len(), "mean_tenths": s.rating_tenths(), "open": s.rating_open,
        "until": s.project.rating_until.map(|u| Instant::from_micros(u).china_minute()),
        "comments": s.ratings.iter().filter_map(|r| r.1.clone()).collect::<Vec<_>>()});
    ok(body)
}

#[derive(Deserialize)]
struct TableBody {
    meeting_id: Uuid,
    #[serde(default)]
    presenter: String,
}

async fn table_project(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<TableBody>,
) -> ApiResult {
    let m = projects::table_project(&state.app, &v.actor, id, b.meeting_id, &b.presenter)
        .await
        .map_err(err(lang))?;
    created(json!({"motion_id": m}))
}

#[derive(Deserialize)]
struct StepBody {
    #[serde(flatten)]
    input: StepInput,
    contract_amount: Option<String>,
}

pub(crate) fn advanced_json(a: &Advanced) -> Value {
    match a {
        Advanced::Moved(next) => json!({"outcome": "moved", "current_step": next}),
        Advanced::Declined(reason) => json!({"outcome": "declined", "reason": reason}),
        Advanced::NotAccepted => json!({"outcome": "not_accepted"}),
    }
}

async fn complete_step(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path((id, step)): Path<(Uuid, String)>,
    ApiJson(b): ApiJson<StepBody>,
) -> ApiResult {
    let mut input = b.input;
    input.contract_amount = match b.contract_amount.as_deref() {
        Some(a) if !a.trim().is_empty() => Some(yuan(a, "contract_amount").map_err(err(lang))?),
        _ => None,
    };
    let a = projects::complete_step(&state.app, &v.actor, id, &step, &input)
        .await
        .map_err(err(lang))?;
    ok(advanced_json(&a))
}

#[derive(Deserialize)]
struct ReasonBody {
    reason: String,
}

async fn decline_project(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<ReasonBody>,
) -> ApiResult {
    projects::decline_project(&state.app, &v.actor, id, &b.reason)
        .await
        .map_err(err(lang))?;
    ok(json!({"ok": true}))
}

#[derive(Deserialize)]
struct QuoteBody {
    supplier: String,
    amount: String,
    document_sha256: String,
}

async fn add_quote(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<QuoteBody>,
) -> ApiResult {
    let amount = yuan(&b.amount, "amount").map_err(err(lang))?;
    let q = projects::add_quote(
        &state.app,
        &v.actor,
        id,
        &b.supplier,
        amount,
        &b.document_sha256,
    )
    .await
    .map_err(err(lang))?;
    created(json!({"id": q}))
}

#[derive(Deserialize)]
struct UpdateBody {
    body: String,
    photo_sha256: Option<String>,
}

async fn post_update(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<UpdateBody>,
) -> ApiResult {
    let u = projects::post_update(
        &state.app,
        &v.actor,
        id,
        &b.body,
        b.photo_sha256.as_deref().filter(|s| !s.is_empty()),
    )
    .await
    .map_err(err(lang))?;
    created(json!({"id": u}))
}

#[derive(Deserialize)]
struct ClaimBody {
    claimant: String,
    claimant_kind: String,
    offer: String,
}

async fn claim_project(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<ClaimBody>,
) -> ApiResult {
    let c = projects::claim_project(
        &state.app,
        &v.actor,
        id,
        &b.claimant,
        &b.claimant_kind,
        &b.offer,
    )
    .await
    .map_err(err(lang))?;
    created(json!({"id": c}))
}

#[derive(Deserialize)]
struct RatingBody {
    score: i64,
    #[serde(default)]
    comment: String,
}

async fn rate_project(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<RatingBody>,
) -> ApiResult {
    projects::rate_project(&state.app, &v.actor, id, b.score, &b.comment)
        .await
        .map_err(err(lang))?;
    created(json!({"ok": true}))
}

async fn comments_awaiting_review(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
) -> ApiResult {
    let awaiting = projects::comments_awaiting_review(&state.app, &v.actor, id)
        .await
        .map_err(err(lang))?;
    ok(json!(
        awaiting
            .iter()
            .map(
                |(resident, comment, at)| json!({"resident_id": resident, "comment": comment,
            "rated_at": Instant::from_micros(*at).china_minute()})
            )
            .collect::<Vec<_>>()
    ))
}

#[derive(Deserialize)]
struct ReviewBody {
    publish: bool,
}

async fn review_rating_comment(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path((id, resident)): Path<(Uuid, Uuid)>,
    ApiJson(b): ApiJson<ReviewBody>,
) -> ApiResult {
    projects::review_rating_comment(&state.app, &v.actor, id, resident, b.publish)
        .await
        .map_err(err(lang))?;
    ok(json!({"ok": true}))
}

#[derive(Deserialize)]
struct RoundBody {
    projects: Vec<Uuid>,
    #[serde(default)]
    ranking: Vec<Uuid>,
}

async fn allocation_round(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<RoundBody>,
) -> ApiResult {
    let (round, lines) =
        projects::allocate_round(&state.app, &v.actor, id, &b.projects, &b.ranking)
            .await
            .map_err(err(lang))?;
    created(json!({"round_id": round, "lines": lines}))
}

#[derive(Deserialize)]
struct PledgeBody {
    household_id: Uuid,
    amount: String,
}

async fn pledge_cofunding(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<PledgeBody>,
) -> ApiResult {
    let amount = yuan(&b.amount, "amount").map_err(err(lang))?;
    gongzhi_app::ledger::pledge_cofunding(&state.app, &v.actor, id, b.household_id, amount)
        .await
        .map_err(err(lang))?;
    created(json!({"ok": true}))
}
