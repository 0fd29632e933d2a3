//! The JSON API of government purchase of services: the supplier directory, calls and bids,
//! panel scoring, decisions, venture-philanthropy rounds and adoptions, contracts, milestone payments and evaluations, and the social
//! organisations' share.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use gongzhi_app::procurement::{
    self as pr, NewBid, NewCall, NewContract, NewEvaluation, NewItem, NewOrganisation, Panelist,
};
use gongzhi_app::records::OrgRow;
use gongzhi_domain::procurement::{Criterion, GrantRound, PaymentRule};
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
        method: "get",
        path: "/organisations",
        handler: || get(directory),
        operation: "directory",
        summary: "The city's supplier directory, oldest first (`after`, `limit`; `at` names any jurisdiction of the city)",
        body: None,
    },
    Route {
        method: "post",
        path: "/organisations",
        handler: || post(register),
        operation: "register_organisation",
        summary: "Register (civil affairs, district or city) or file (community or street) an organisation with its qualifications",
        body: Some(|| {
            obj(
                &["name_zh", "kind", "registered_with", "business_scope"],
                &[
                    ("name_zh", "string"),
                    ("name_en", "string"),
                    ("kind", "string"),
                    ("credit_code", "string"),
                    ("registered_with", "string"),
                    ("registered_on", "string"),
                    ("business_scope", "string"),
                    ("capacity", "string"),
                    ("qualifications", "array"),
                ],
            )
        }),
    },
    Route {
        method: "get",
        path: "/organisations/{id}",
        handler: || get(organisation),
        operation: "organisation",
        summary: "An organisation's public profile: qualifications, contracts, evaluations, blacklisting",
        body: None,
    },
    Route {
        method: "post",
        path: "/organisations/{id}/blacklist",
        handler: || post(blacklist),
        operation: "blacklist",
        summary: "Blacklist an organisation with a reason and a period (civil affairs)",
        body: Some(|| {
            obj(
                &["reason", "starts_on"],
                &[
                    ("reason", "string"),
                    ("starts_on", "string"),
                    ("ends_on", "string"),
                ],
            )
        }),
    },
    Route {
        method: "get",
        path: "/calls",
        handler: || get(call_board),
        operation: "call_board",
        summary: "The public call board: open calls soonest closing first, and recent decisions",
        body: None,
    },
    Route {
        method: "post",
        path: "/calls",
        handler: || post(open_call),
        operation: "open_call",
        summary: "Open a call for bids; the procurement rules in force are pinned on it",
        body: Some(|| {
            obj(
                &[
                    "buyer_id",
                    "title",
                    "description",
                    "catalogue_code",
                    "method",
                    "value",
                    "closes_at",
                    "contract_months",
                    "criteria",
                ],
                &[
                    ("buyer_id", "string"),
                    ("title", "string"),
                    ("description", "string"),
                    ("catalogue_code", "string"),
                    ("method", "string"),
                    ("justification", "string"),
                    ("value", "integer"),
                    ("new_service", "boolean"),
                    ("eligible_kinds", "array"),
                    ("closes_at", "string"),
                    ("contract_months", "integer"),
                    ("stable", "boolean"),
                    ("criteria", "array"),
                    ("budget_id", "string"),
                    ("round", "object"),
                ],
            )
        }),
    },
    Route {
        method: "get",
        path: "/calls/{id}",
        handler: || get(call),
        operation: "call",
        summary: "A call: terms and rules; once decided, every bid, score and the ranking",
        body: None,
    },
    Route {
        method: "post",
        path: "/calls/{id}/bids",
        handler: || post(submit_bid),
        operation: "submit_bid",
        summary: "Submit a bid for an organisation (its staff, or the buyer's staff for a paper bid)",
        body: Some(|| {
            obj(
                &["organisation_id", "price", "plan"],
                &[
                    ("organisation_id", "string"),
                    ("price", "integer"),
                    ("cofunding", "integer"),
                    ("plan", "string"),
                    ("theme", "string"),
                ],
            )
        }),
    },
    Route {
        method: "post",
        path: "/calls/{id}/panel",
        handler: || post(seat_panel),
        operation: "seat_panel",
        summary: "Seat the scoring panel, with each member's declared ties",
        body: Some(|| obj(&["members"], &[("members", "array")])),
    },
    Route {
        method: "post",
        path: "/bids/{id}/scores",
        handler: || post(score_bid),
        operation: "score_bid",
        summary: "A panelist scores a bid after the call closes (0–100 per criterion)",
        body: Some(|| obj(&["scores"], &[("scores", "object")])),
    },
    Route {
        method: "post",
        path: "/calls/{id}/decide",
        handler: || post(decide),
        operation: "decide_call",
        summary: "Decide a closed call: failed (too few bids) or awarded to the best-ranked bid",
        body: None,
    },
    Route {
        method: "post",
        path: "/calls/{id}/rerun",
        handler: || post(rerun),
        operation: "rerun_call",
        summary: "Run a failed call again with a new closing time",
        body: Some(|| obj(&["closes_at"], &[("closes_at", "string")])),
    },
    Route {
        method: "post",
        path: "/calls/{id}/contract",
        handler: || post(sign_contract),
        operation: "sign_contract",
        summary: "Sign the awarded call's contract: term, deliverables and payment milestones",
        body: Some(|| {
            obj(
                &["starts_on", "ends_on", "items"],
                &[
                    ("bid_id", "string"),
                    ("starts_on", "string"),
                    ("ends_on", "string"),
                    ("items", "array"),
                    ("payment_rule", "object"),
                    ("renews_id", "string"),
                ],
            )
        }),
    },
    Route {
        method: "post",
        path: "/bids/{id}/adopt",
        handler: || post(adopt),
        operation: "adopt_bid",
        summary: "A donor adopts a venture round's application the pool did not fund (15+N); the gift goes into the round's budget",
        body: Some(|| obj(&["donor_name"], &[("donor_name", "string")])),
    },
    Route {
        method: "get",
        path: "/contracts/{id}",
        handler: || get(contract),
        operation: "contract",
        summary: "A contract: items, milestone payments and their expenses, evaluations",
        body: None,
    },
    Route {
        method: "post",
        path: "/contracts/{id}/payments",
        handler: || post(pay),
        operation: "pay_milestone",
        summary: "Pay a milestone through the fund (an expense, signed off by the rulebook's chain)",
        body: Some(|| {
            obj(
                &["position", "document_sha256"],
                &[
                    ("position", "integer"),
                    ("amount", "integer"),
                    ("document_sha256", "string"),
                ],
            )
        }),
    },
    Route {
        method: "post",
        path: "/contracts/{id}/evaluations",
        handler: || post(evaluate),
        operation: "evaluate_contract",
        summary: "Record a performance evaluation (0–100): it sets the final payment",
        body: Some(|| {
            obj(
                &["score", "evaluator_name", "summary"],
                &[
                    ("score", "integer"),
                    ("evaluator_org_id", "string"),
                    ("evaluator_name", "string"),
                    ("summary", "string"),
                ],
            )
        }),
    },
    Route {
        method: "get",
        path: "/purchase-share",
        handler: || get(share),
        operation: "social_org_share",
        summary: "Social organisations' share of a buyer's new public-service purchases in a year (`buyer`, `year`)",
        body: None,
    },
];

/// An organisation as the public sees it: no staff, no personal data.
pub(crate) fn org_json(o: &OrgRow) -> Value {
    json!({
        "id": o.id,
        "name_zh": o.name_zh,
        "name_en": o.name_en,
        "kind": o.kind,
        "social_organisation": pr::is_social_org(&o.kind),
        "credit_code": o.credit_code,
        "registered_with": o.registered_with,
        "business_scope": o.business_scope,
        "capacity": o.capacity,
    })
}

#[derive(Deserialize)]
struct DirectoryQuery {
    at: Uuid,
    after: Option<Uuid>,
    limit: Option<i64>,
}

async fn directory(
    State(state): State<AppState>,
    lang: Lang,
    Query(q): Query<DirectoryQuery>,
) -> ApiResult {
    let list = pr::directory(&state.app, q.at, q.after, q.limit.unwrap_or(50))
        .await
        .map_err(err(lang))?;
    ok(json!({"organisations": list.iter().map(org_json).collect::<Vec<_>>()}))
}

#[derive(Deserialize)]
struct RegisterBody {
    name_zh: String,
    #[serde(default)]
    name_en: String,
    kind: String,
    credit_code: Option<String>,
    registered_with: Uuid,
    registered_on: Option<String>,
    business_scope: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    qualifications: Vec<String>,
}

async fn register(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<RegisterBody>,
) -> ApiResult {
    let id = pr::register_organisation(
        &state.app,
        &v.actor,
        &NewOrganisation {
            name_zh: &b.name_zh,
            name_en: &b.name_en,
            kind: &b.kind,
            credit_code: b.credit_code.as_deref(),
            registered_with: b.registered_with,
            registered_on: b.registered_on.as_deref(),
            business_scope: &b.business_scope,
            capacity: &b.capacity,
            incubator_id: None,
            incubator_level: None,
            qualifications: &b.qualifications,
        },
    )
    .await
    .map_err(err(lang))?;
    created(json!({"id": id}))
}

async fn organisation(
    State(state): State<AppState>,
    lang: Lang,
    Path(id): Path<Uuid>,
) -> ApiResult {
    let p = pr::org_profile(&state.app, id).await.map_err(err(lang))?;
    ok(json!({
        "organisation": org_json(&p.org),
        "qualifications": p.qualifications.iter().map(|(c, zh, en)| json!({"code": c, "zh": zh, "en": en})).collect::<Vec<_>>(),
        "barred": p.barred.as_ref().map(|s| json!({"reason": s.reason, "starts_on": s.starts_on, "ends_on": s.ends_on})),
        "contracts": p.contracts.iter().map(|k| json!({"id": k.id, "title": k.title, "value": k.value, "starts_on": k.starts_on, "ends_on": k.ends_on, "status": k.status})).collect::<Vec<_>>(),
        "evaluations": p.evaluations.iter().map(|e| json!({"contract_id": e.contract_id, "score": e.score, "evaluator": e.evaluator_name, "summary": e.summary})).collect::<Vec<_>>(),
        "mean_score": p.mean_score,
    }))
}

#[derive(Deserialize)]
struct BlacklistBody {
    reason: String,
    starts_on: String,
    ends_on: Option<String>,
}

async fn blacklist(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<BlacklistBody>,
) -> ApiResult {
    let s = pr::blacklist(
        &state.app,
        &v.actor,
        id,
        &b.reason,
        &b.starts_on,
        b.ends_on.as_deref(),
    )
    .await
    .map_err(err(lang))?;
    created(json!({"id": s}))
}

fn call_summary(c: &gongzhi_app::records::CallSummary) -> Value {
    json!({
        "id": c.id,
        "number": c.number,
        "title": c.title,
        "catalogue_code": c.catalogue_code,
        "method": c.method,
        "value": c.value,
        "status": c.status,
        "opens_at": Instant::from_micros(c.opens_at).china_minute(),
        "closes_at": Instant::from_micros(c.closes_at).china_minute(),
    })
}

async fn call_board(State(state): State<AppState>, lang: Lang) -> ApiResult {
    let (open, decided) = pr::call_board(&state.app, 50).await.map_err(err(lang))?;
    ok(json!({
        "open": open.iter().map(call_summary).collect::<Vec<_>>(),
        "decided": decided.iter().map(call_summary).collect::<Vec<_>>(),
    }))
}

#[derive(Deserialize)]
struct CallBody {
    buyer_id: Uuid,
    plan_id: Option<Uuid>,
    title: String,
    description: String,
    catalogue_code: String,
    method: String,
    justification: Option<String>,
    value: i64,
    #[serde(default)]
    new_service: bool,
    #[serde(default)]
    eligible_kinds: Vec<String>,
    closes_at: String,
    contract_months: u32,
    #[serde(default)]
    stable: bool,
    criteria: Vec<Criterion>,
    budget_id: Option<Uuid>,
    /// A venture-philanthropy round's terms (method `venture`).
    round: Option<RoundBody>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoundBody {
    themes: Vec<String>,
    max_awards: u32,
    /// China minute, like `closes_at`.
    roadshow_at: Option<String>,
    roadshow_place: Option<String>,
}

impl RoundBody {
    fn terms(self, lang: Lang) -> Result<GrantRound, ApiError> {
        Ok(GrantRound {
            themes: self.themes.iter().map(|t| t.trim().to_string()).collect(),
            max_awards: self.max_awards,
            roadshow_at: match self.roadshow_at.as_deref() {
                Some(t) => Some(minute(t, lang)?.micros()),
                None => None,
            },
            roadshow_place: self.roadshow_place,
        })
    }
}

fn minute(text: &str, lang: Lang) -> Result<Instant, ApiError> {
    parse_china_minute(text).ok_or_else(|| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "datetime_invalid").lang(lang)
    })
}

async fn open_call(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<CallBody>,
) -> ApiResult {
    let id = pr::open_call(
        &state.app,
        &v.actor,
        &NewCall {
            buyer_id: b.buyer_id,
            plan_id: b.plan_id,
            title: &b.title,
            description: &b.description,
            catalogue_code: &b.catalogue_code,
            method: &b.method,
            justification: b.justification.as_deref(),
            value: b.value,
            new_service: b.new_service,
            eligible_kinds: &b.eligible_kinds,
            closes_at: minute(&b.closes_at, lang)?,
            contract_months: b.contract_months,
            stable: b.stable,
            criteria: &b.criteria,
            budget_id: b.budget_id,
            round: b.round.map(|r| r.terms(lang)).transpose()?,
        },
    )
    .await
    .map_err(err(lang))?;
    created(json!({"id": id}))
}

async fn call(State(state): State<AppState>, lang: Lang, Path(id): Path<Uuid>) -> ApiResult {
    let v = pr::call_view(&state.app, id).await.map_err(err(lang))?;
    let mut out = call_summary(&v.call.summary());
    out["buyer"] = json!(v.buyer);
    out["description"] = json!(v.call.description);
    out["catalogue"] = json!(v.catalogue);
    out["criteria"] = json!(v.criteria);
    out["rule"] = json!(v.rule);
    out["bids_received"] = json!(v.bids.len());
    if let Some(r) = &v.round {
        out["round"] = json!({
            "themes": r.themes,
            "max_awards": r.max_awards,
            "roadshow_at": r.roadshow_at.map(|at| Instant::from_micros(at).china_minute()),
            "roadshow_place": r.roadshow_place,
        });
    }
    if v.decided() {
        // Bids, every score and the ranking are published once the call is decided.
        out["bids"] = json!(
            v.bids
                .iter()
                .map(|(b, o)| json!({"id": b.id, "organisation": org_json(o), "price": b.price, "cofunding": b.cofunding, "theme": b.theme}))
                .collect::<Vec<_>>()
        );
        out["scores"] = json!(
            v.scores
                .iter()
                .map(|s| {
                    let name = v.panel.iter().find(|p| p.account_id == s.account_id).map(|p| p.name.clone());
                    json!({"bid_id": s.bid_id, "panelist": name, "total_centi": s.total, "scores": serde_json::from_str::<Value>(&s.scores_json).unwrap_or(Value::Null)})
                })
                .collect::<Vec<_>>()
        );
        out["result"] = json!(v.result);
        // Donors' names come masked from the app's public view of the call.
        out["adoptions"] = json!(
            v.adoptions
                .iter()
                .map(|a| json!({"bid_id": a.bid_id, "donor": a.donor_name, "amount": a.amount}))
                .collect::<Vec<_>>()
        );
        out["contracts"] = json!(v.contracts.iter().map(|k| k.id).collect::<Vec<_>>());
    }
    ok(out)
}

#[derive(Deserialize)]
struct BidBody {
    organisation_id: Uuid,
    price: i64,
    #[serde(default)]
    cofunding: i64,
    plan: String,
    theme: Option<String>,
}

async fn submit_bid(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<BidBody>,
) -> ApiResult {
    let bid = pr::submit_bid(
        &state.app,
        &v.actor,
        &NewBid {
            call_id: id,
            organisation_id: b.organisation_id,
            price: b.price,
            cofunding: b.cofunding,
            plan: &b.plan,
            theme: b.theme.as_deref(),
        },
    )
    .await
    .map_err(err(lang))?;
    created(json!({"id": bid}))
}

#[derive(Deserialize)]
struct PanelMember {
    account_id: Uuid,
    name: String,
    #[serde(default)]
    ties: Vec<Uuid>,
}

#[derive(Deserialize)]
struct PanelBody {
    members: Vec<PanelMember>,
}

async fn seat_panel(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<PanelBody>,
) -> ApiResult {
    let members: Vec<Panelist> = b
        .members
        .into_iter()
        .map(|m| Panelist {
            account_id: m.account_id,
            name: m.name,
            ties: m.ties,
        })
        .collect();
    pr::seat_panel(&state.app, &v.actor, id, &members)
        .await
        .map_err(err(lang))?;
    created(json!({"seated": members.len()}))
}

#[derive(Deserialize)]
struct ScoreBody {
    scores: std::collections::BTreeMap<String, u32>,
}

async fn score_bid(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<ScoreBody>,
) -> ApiResult {
    let scores: Vec<(String, u32)> = b.scores.into_iter().collect();
    let total = pr::score_bid(&state.app, &v.actor, id, &scores)
        .await
        .map_err(err(lang))?;
    created(json!({"total_centi": total}))
}

async fn decide(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
) -> ApiResult {
    let r = pr::decide_call(&state.app, &v.actor, id)
        .await
        .map_err(err(lang))?;
    ok(json!(r))
}

#[derive(Deserialize)]
struct RerunBody {
    closes_at: String,
}

async fn rerun(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<RerunBody>,
) -> ApiResult {
    let at = minute(&b.closes_at, lang)?;
    let new = pr::rerun_call(&state.app, &v.actor, id, at)
        .await
        .map_err(err(lang))?;
    created(json!({"id": new}))
}

#[derive(Deserialize)]
struct ItemBody {
    kind: String,
    catalogue_code: Option<String>,
    title: String,
    due_on: Option<String>,
    #[serde(default)]
    amount: i64,
    #[serde(default)]
    final_payment: bool,
}

#[derive(Deserialize)]
struct ContractBody {
    /// A venture round's funded or adopted application; default: the call's winner.
    bid_id: Option<Uuid>,
    starts_on: String,
    ends_on: String,
    items: Vec<ItemBody>,
    payment_rule: Option<PaymentRule>,
    renews_id: Option<Uuid>,
}

async fn sign_contract(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<ContractBody>,
) -> ApiResult {
    let items: Vec<NewItem> = b
        .items
        .into_iter()
        .map(|i| NewItem {
            kind: i.kind,
            catalogue_code: i.catalogue_code,
            title: i.title,
            due_on: i.due_on,
            amount: i.amount,
            final_payment: i.final_payment,
        })
        .collect();
    let k = pr::sign_contract(
        &state.app,
        &v.actor,
        &NewContract {
            call_id: id,
            bid_id: b.bid_id,
            starts_on: &b.starts_on,
            ends_on: &b.ends_on,
            items: &items,
            payment_rule: b.payment_rule,
            renews_id: b.renews_id,
        },
    )
    .await
    .map_err(err(lang))?;
    created(json!({"id": k}))
}

#[derive(Deserialize)]
struct AdoptBody {
    donor_name: String,
}

async fn adopt(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<AdoptBody>,
) -> ApiResult {
    let a = pr::adopt_bid(&state.app, &v.actor, id, &b.donor_name)
        .await
        .map_err(err(lang))?;
    created(json!({"bid_id": a.bid_id, "amount": a.amount, "transfer_id": a.transfer_id}))
}

async fn contract(State(state): State<AppState>, lang: Lang, Path(id): Path<Uuid>) -> ApiResult {
    let v = pr::contract_view(&state.app, id).await.map_err(err(lang))?;
    let k = &v.contract;
    ok(json!({
        "id": k.id,
        "call_id": k.call_id,
        "call_number": v.call_number,
        "title": k.title,
        "organisation": org_json(&v.organisation),
        "value": k.value,
        "starts_on": k.starts_on,
        "ends_on": k.ends_on,
        "stable": k.stable,
        "status": k.status,
        "payment_rule": v.payment_rule,
        "items": v.items.iter().map(|(i, e)| json!({
            "position": i.position, "kind": i.kind, "catalogue_code": i.catalogue_code,
            "title": i.title, "due_on": i.due_on, "amount": i.amount,
            "final_payment": i.final_payment, "done": i.done_at.is_some(),
            "expense": e.as_ref().map(|e| json!({"id": e.id, "amount": e.amount, "status": e.status, "settled_amount": e.settled_amount})),
        })).collect::<Vec<_>>(),
        "evaluations": v.evaluations.iter().map(|e| json!({"score": e.score, "evaluator": e.evaluator_name, "summary": e.summary, "at": Instant::from_micros(e.evaluated_at).china_minute()})).collect::<Vec<_>>(),
    }))
}

#[derive(Deserialize)]
struct PayBody {
    position: i64,
    amount: Option<i64>,
    document_sha256: String,
}

async fn pay(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<PayBody>,
) -> ApiResult {
    let e = pr::pay_milestone(
        &state.app,
        &v.actor,
        id,
        b.position,
        b.amount,
        &b.document_sha256,
    )
    .await
    .map_err(err(lang))?;
    created(json!({"expense_id": e}))
}

#[derive(Deserialize)]
struct EvaluationBody {
    score: u32,
    evaluator_org_id: Option<Uuid>,
    evaluator_name: String,
    summary: String,
}

async fn evaluate(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<EvaluationBody>,
) -> ApiResult {
    let e = pr::evaluate_contract(
        &state.app,
        &v.actor,
        &NewEvaluation {
            contract_id: id,
            score: b.score,
            evaluator_org_id: b.evaluator_org_id,
            evaluator_name: &b.evaluator_name,
            summary: &b.summary,
        },
    )
    .await
    .map_err(err(lang))?;
    created(json!({"id": e}))
}

#[derive(Deserialize)]
struct ShareQuery {
    buyer: Uuid,
    year: i32,
}

async fn share(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Query(q): Query<ShareQuery>,
) -> ApiResult {
    let (r, rule) = pr::social_org_share_report(&state.app, &v.actor, q.buyer, q.year)
        .await
        .map_err(err(lang))?;
    ok(json!({"report": r, "minimum": rule.social_org_share}))
}
