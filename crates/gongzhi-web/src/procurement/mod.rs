//! Government purchase pages: the public call board, a call's notice (terms and criteria; a bid
//! form for an organisation's staff while it is open; a scoring screen for panelists once it has
//! closed; every bid, score and the ranking once decided; for a venture-philanthropy round, its
//! themes, the grants and an adoption form for the buyer's staff), a contract's page and an
//! organisation's public profile. Works without JavaScript.

mod contracts;
mod organisations;

use contracts::*;
use gongzhi_domain::lifecycle::CallStatus;
use organisations::*;

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongzhi_app::authz::Permission;
use gongzhi_app::procurement::{self as pr, CallView, NewBid};
use gongzhi_domain::Fen;
use gongzhi_domain::time::Instant;
use uuid::Uuid;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiForm, PageContext, SignedInPage, Visitor};
use crate::i18n::Lang;
use crate::pages::{Page, error_page, render};
use crate::procurement_staff::Typed;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/calls", get(board))
        .route("/call/{id}", get(call_page))
        .route("/call/{id}/bid", post(bid))
        .route("/call/{id}/score", post(score))
        .route("/call/{id}/adopt", post(adopt))
        .route("/call/{id}/decide", post(decide))
        .route("/call/{id}/panel", post(seat_panel))
        .route("/call/{id}/rerun", post(rerun))
        .route("/call/{id}/contract", post(sign))
        .route("/contract/{id}", get(contract_page))
        .route("/contract/{id}/delivered", post(delivered))
        .route(
            "/contract/{id}/pay",
            post(pay).layer(axum::extract::DefaultBodyLimit::max(
                gongzhi_app::uploads::MAX_FILE_BYTES + 64 * 1024,
            )),
        )
        .route("/contract/{id}/evaluate", post(evaluate))
        .route("/contract/{id}/complete", post(complete))
        .route("/org/{id}", get(org_page))
        .route("/org/{id}/blacklist", post(blacklist))
        .route("/org/{id}/lift", post(lift))
}

fn fen(v: i64) -> String {
    Fen::new(v).to_string()
}

fn name(lang: Lang, zh: &str, en: &str) -> String {
    if lang == Lang::En && !en.is_empty() {
        en.to_string()
    } else {
        zh.to_string()
    }
}

pub struct CallLine {
    pub id: String,
    pub title: String,
    pub item: String,
    pub value: String,
    pub closes: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "calls.html")]
struct BoardPage {
    page: Page,
    open: Vec<CallLine>,
    decided: Vec<CallLine>,
    /// Links to the staff forms the visitor may use.
    may_buy: bool,
    may_register: bool,
}

fn call_line(lang: Lang, c: &gongzhi_app::records::CallSummary) -> CallLine {
    CallLine {
        id: c.id.to_string(),
        title: c.title.clone(),
        item: c.catalogue_code.clone(),
        value: fen(c.value),
        closes: lang.minute(Instant::from_micros(c.closes_at)),
        status: lang.t(&format!("call-status-{}", c.status)),
    }
}

async fn board(
    State(state): State<AppState>,
    PageContext(lang, visitor, page): PageContext,
) -> Response {
    match pr::call_board(&state.app, 100).await {
        Ok((open, decided)) => render(&BoardPage {
            page,
            open: open.iter().map(|c| call_line(lang, c)).collect(),
            decided: decided.iter().map(|c| call_line(lang, c)).collect(),
            may_buy: !visitor
                .actor
                .granted_places(Permission::ManagePurchases)
                .is_empty(),
            may_register: !visitor
                .actor
                .granted_places(Permission::ManageOrganisations)
                .is_empty(),
        }),
        Err(e) => error_page(ApiError::from_app(e, lang), page),
    }
}

pub struct BidLine {
    pub id: Uuid,
    pub org_id: String,
    pub org: String,
    pub price: String,
    pub cofunding: String,
    pub mean: String,
    pub rank: String,
    /// Each panelist's weighted total, in the panel's order ("—" for a tied panelist).
    pub totals: Vec<String>,
    /// The round's theme (venture rounds).
    pub theme: String,
    /// Awarded: the purchase's winner, or a grant the round's pool funds.
    pub funded: bool,
    /// Adopted by a donor: "adopted by" the donor's masked name.
    pub adopted_by: Option<String>,
}

pub struct Choice {
    pub id: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "call.html")]
struct CallPage {
    page: Page,
    id: String,
    title: String,
    buyer: String,
    description: String,
    facts: Vec<String>,
    catalogue: Vec<String>,
    criteria: Vec<(String, String, u32)>,
    decided: bool,
    result: Option<String>,
    bids_received: usize,
    bids: Vec<BidLine>,
    panel: Vec<String>,
    /// Organisations the visitor may bid for, while the call is open.
    bid_for: Vec<Choice>,
    /// Bids the visitor, a panelist, may score now.
    to_score: Vec<Choice>,
    /// Each contract's id and link text (a round's name their grantees).
    contracts: Vec<Choice>,
    /// A venture round: its themes (the bid form asks for one).
    themes: Vec<String>,
    /// Ranked applications the buyer's staff may record a donor's adoption of.
    adoptable: Vec<Choice>,
    /// The buyer's staff run the call from this page.
    staff: Option<CallForms>,
    /// What was typed into the bid or contract form, when refused.
    typed: Typed,
}

/// What the buyer's staff may do on a call's page now.
pub struct CallForms {
    /// No panel is seated yet and the call is open: the panel form is shown.
    pub seat_panel: bool,
    /// The call has closed and waits for its decision.
    pub decide: bool,
    /// The call failed and may be run again.
    pub rerun: bool,
    /// Funded or adopted bids still without a contract.
    pub to_contract: Vec<Choice>,
    /// Today, for the contract form's start date.
    pub today: String,
}

/// Payment milestone rows on the contract form.
const MILESTONE_ROWS: [u8; 4] = [1, 2, 3, 4];

/// Shows a staff form's outcome on the page it came from: the flash, or the error in the
/// page's language.
fn outcome<T: Into<String>>(lang: Lang, page: &mut Page, result: Result<T, gongzhi_app::AppError>) {
    match result {
        Ok(flash) => page.flash = Some(flash.into()),
        Err(e) => page.error = Some(ApiError::from_app(e, lang).message()),
    }
}

/// "2.5" points from hundredths.
fn points(centi: i64) -> String {
    format!("{}.{:02}", centi / 100, centi % 100)
}

async fn call_view_page(
    state: &AppState,
    lang: Lang,
    page: Page,
    visitor: &Visitor,
    id: Uuid,
) -> Response {
    call_view_page_typed(state, lang, page, visitor, id, Typed::default()).await
}

/// A call's page with what was typed into its bid or contract form shown again.
async fn call_view_page_typed(
    state: &AppState,
    lang: Lang,
    page: Page,
    visitor: &Visitor,
    id: Uuid,
    typed: Typed,
) -> Response {
    let v: CallView = match pr::call_view(&state.app, id).await {
        Ok(v) => v,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let c = &v.call;
    let now = state.app.now();
    let open = pr::accepts_bids(c, now);
    let mut facts = vec![
        lang.t_args(
            "call-fact-method",
            &[("method", lang.t(&format!("call-method-{}", c.method)))],
        ),
        lang.t_args("call-fact-value", &[("value", fen(c.value))]),
        lang.t_args(
            "call-fact-window",
            &[
                ("opens", lang.minute(Instant::from_micros(c.opens_at))),
                ("closes", lang.minute(Instant::from_micros(c.closes_at))),
            ],
        ),
        lang.t_args(
            "call-fact-term",
            &[("months", c.contract_months.to_string())],
        ),
        lang.t_args(
            "call-fact-min-bids",
            &[(
                "n",
                v.rule
                    .min_bids(
                        gongzhi_domain::procurement::Method::parse(&c.method)
                            .unwrap_or(gongzhi_domain::procurement::Method::OpenTender),
                    )
                    .to_string(),
            )],
        ),
    ];
    if v.rule.min_cofunding.num > 0 {
        facts.push(lang.t_args(
            "call-fact-cofunding",
            &[(
                "share",
                format!("{}/{}", v.rule.min_cofunding.num, v.rule.min_cofunding.den),
            )],
        ));
    }
    if let Some(j) = &c.justification {
        facts.push(lang.t_args("call-fact-justification", &[("text", j.clone())]));
    }
    if let Some(r) = &v.round {
        let sep = if lang == Lang::En { ", " } else { "、" };
        facts.push(lang.t_args("call-round-themes", &[("themes", r.themes.join(sep))]));
        facts.push(lang.t_args(
            "call-round-grants",
            &[("n", r.max_awards.to_string()), ("pool", fen(c.value))],
        ));
        if let Some(at) = r.roadshow_at {
            facts.push(lang.t_args(
                "call-round-roadshow",
                &[
                    ("at", lang.minute(Instant::from_micros(at))),
                    ("place", r.roadshow_place.clone().unwrap_or_default()),
                ],
            ));
        }
    }
    let ranking: HashMap<Uuid, (u32, u32)> = v
        .result
        .iter()
        .flat_map(|r| r.ranking.iter().map(|x| (x.bid, (x.mean_centi, x.rank))))
        .collect();
    let funded = v.result.as_ref().map(|r| r.funded()).unwrap_or_default();
    let mut bids: Vec<BidLine> =
        if v.decided() {
            v.bids
                .iter()
                .map(|(b, o)| {
                    let (mean, rank) = ranking.get(&b.id).copied().unwrap_or_default();
                    BidLine {
                        id: b.id,
                        org_id: o.id.to_string(),
                        org: name(lang, &o.name_zh, &o.name_en),
                        price: fen(b.price),
                        cofunding: fen(b.cofunding),
                        mean: if rank > 0 {
                            points(i64::from(mean))
                        } else {
                            String::new()
                        },
                        rank: if rank > 0 {
                            rank.to_string()
                        } else {
                            String::new()
                        },
                        totals: v
                            .panel
                            .iter()
                            .map(|p| {
                                v.scores
                                    .iter()
                                    .find(|s| s.bid_id == b.id && s.account_id == p.account_id)
                                    .map(|s| points(s.total))
                                    .unwrap_or_else(|| "—".into())
                            })
                            .collect(),
                        theme: b.theme.clone().unwrap_or_default(),
                        funded: funded.contains(&b.id),
                        adopted_by: v.adoptions.iter().find(|a| a.bid_id == b.id).map(|a| {
                            lang.t_args("call-adopted", &[("donor", a.donor_name.clone())])
                        }),
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
    bids.sort_by_key(|b| b.rank.parse::<u32>().unwrap_or(u32::MAX));
    let result = v.result.as_ref().map(|r| {
        if r.outcome == CallStatus::Failed {
            lang.t_args(
                "call-result-failed",
                &[
                    ("bids", r.bids.to_string()),
                    ("min", r.min_bids.to_string()),
                ],
            )
        } else {
            lang.t_args("call-result-awarded", &[("bids", r.bids.to_string())])
        }
    });
    // Forms: an organisation's staff may bid while the call is open; a panelist may score once
    // it has closed and until it is decided. The commands check everything again.
    let mut bid_for = Vec::new();
    let mut to_score = Vec::new();
    if let Some(account) = visitor.actor.account_id {
        if open && let Ok(orgs) = pr::organisations_of(&state.app, account).await {
            bid_for = orgs
                .iter()
                .filter(|o| !v.bids.iter().any(|(b, _)| b.organisation_id == o.id))
                .map(|o| Choice {
                    id: o.id.to_string(),
                    label: name(lang, &o.name_zh, &o.name_en),
                })
                .collect();
        }
        let on_panel = v.panel.iter().any(|p| p.account_id == account);
        if on_panel && pr::awaits_decision(c, now) {
            to_score = v
                .bids
                .iter()
                .map(|(b, o)| {
                    let done = v
                        .scores
                        .iter()
                        .any(|s| s.bid_id == b.id && s.account_id == account);
                    Choice {
                        id: b.id.to_string(),
                        label: format!(
                            "{} · {}{}",
                            name(lang, &o.name_zh, &o.name_en),
                            fen(b.price),
                            if done { " ✓" } else { "" }
                        ),
                    }
                })
                .collect();
        }
    }
    let mut adoptable = Vec::new();
    let mut staff = None;
    if visitor
        .actor
        .may(&state.app, Permission::ManagePurchases, c.buyer_id)
        .await
    {
        if v.round.is_some() {
            adoptable = bids
                .iter()
                .filter(|b| pr::adoptable(v.result.as_ref(), &v.adoptions, b.id))
                .map(|b| Choice {
                    id: b.id.to_string(),
                    label: format!("{}. {} · {}", b.rank, b.org, b.price),
                })
                .collect();
        }
        // Funded or adopted bids without a contract yet.
        let to_contract = bids
            .iter()
            .filter(|b| b.funded || b.adopted_by.is_some())
            .filter(|b| !v.contracts.iter().any(|k| k.bid_id == b.id))
            .map(|b| Choice {
                id: b.id.to_string(),
                label: format!("{} · {}", b.org, b.price),
            })
            .collect();
        staff = Some(CallForms {
            seat_panel: c.status == CallStatus::Open && v.panel.is_empty(),
            decide: pr::awaits_decision(c, now),
            rerun: c.status == CallStatus::Failed,
            to_contract,
            today: gongzhi_domain::time::format_date(now.china_date()),
        });
    }
    render(&CallPage {
        page,
        id: c.id.to_string(),
        title: c.title.clone(),
        buyer: v.buyer.clone(),
        description: c.description.clone(),
        facts,
        catalogue: v
            .catalogue
            .iter()
            .map(|(code, zh, en)| format!("{code} {}", name(lang, zh, en)))
            .collect(),
        criteria: v
            .criteria
            .iter()
            .map(|k| (k.key.clone(), name(lang, &k.zh, &k.en), k.weight))
            .collect(),
        decided: v.decided(),
        result,
        bids_received: v.bids.len(),
        bids,
        panel: v.panel.iter().map(|p| p.name.clone()).collect(),
        bid_for,
        to_score,
        contracts: v
            .contracts
            .iter()
            .map(|k| {
                let mut label = lang.t("call-contract-link");
                if v.round.is_some()
                    && let Some((_, o)) = v.bids.iter().find(|(_, o)| o.id == k.organisation_id)
                {
                    label = format!("{label} · {}", name(lang, &o.name_zh, &o.name_en));
                }
                Choice {
                    id: k.id.to_string(),
                    label,
                }
            })
            .collect(),
        themes: v.round.map(|r| r.themes).unwrap_or_default(),
        adoptable,
        staff,
        typed,
    })
}

async fn decide(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path(id): Path<Uuid>,
) -> Response {
    // The page the form was on.
    page.path = format!("/call/{id}");
    let result = pr::decide_call(&state.app, &visitor.actor, id)
        .await
        .map(|r| lang.t(&format!("call-decided-{}", r.outcome)));
    outcome(lang, &mut page, result);
    call_view_page(&state, lang, page, &visitor, id).await
}

#[derive(serde::Deserialize)]
struct PanelForm {
    /// One member a line: the username they sign in with. Ties come from the members' staff
    /// seats here; declaring other ties needs the API.
    members: String,
}

/// Seats the panel from the usernames of its members, one a line. Each member's staff seats are
/// added to their ties by the command.
async fn seat_panel(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path(id): Path<Uuid>,
    ApiForm(f): ApiForm<PanelForm>,
) -> Response {
    // The page the form was on.
    page.path = format!("/call/{id}");
    let result = async {
        let mut members = Vec::new();
        for name in f.members.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (account_id, display) =
                gongzhi_app::accounts::account_by_username(&state.app, name)
                    .await?
                    .ok_or_else(|| {
                        gongzhi_app::AppError::Invalid(
                            gongzhi_domain::DomainError::field("panelist_unknown", "members")
                                .arg("username", name),
                        )
                    })?;
            members.push(pr::Panelist {
                account_id,
                name: display,
                ties: vec![],
            });
        }
        pr::seat_panel(&state.app, &visitor.actor, id, &members).await?;
        Ok(lang.t_args("call-panel-seated", &[("n", members.len().to_string())]))
    }
    .await;
    outcome(lang, &mut page, result);
    call_view_page(&state, lang, page, &visitor, id).await
}

#[derive(serde::Deserialize)]
struct RerunForm {
    /// "2026-12-02T17:00" from a `datetime-local` input.
    closes_at: String,
}

async fn rerun(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path(id): Path<Uuid>,
    ApiForm(f): ApiForm<RerunForm>,
) -> Response {
    // The page the form was on.
    page.path = format!("/call/{id}");
    // A browser's datetime-local sends "2026-12-02T17:00".
    let at = crate::procurement_staff::datetime_local(&f.closes_at);
    let result = match at {
        Some(at) => pr::rerun_call(&state.app, &visitor.actor, id, at).await,
        None => Err(gongzhi_app::AppError::invalid(
            "datetime_invalid",
            "closes_at",
        )),
    };
    match result {
        Ok(new) => Redirect::to(&format!("/call/{new}")).into_response(),
        Err(e) => {
            outcome(lang, &mut page, Err::<String, _>(e));
            call_view_page(&state, lang, page, &visitor, id).await
        }
    }
}

/// The contract form: the bid, the term, deliverables one per line (under the call's catalogue
/// item), and up to four payment milestones (`m{n}_title`, `m{n}_amount` in yuan, `m{n}_due`),
/// one of which may be the final, evaluation-based one (`final = n`).
async fn sign(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path(id): Path<Uuid>,
    ApiForm(f): ApiForm<HashMap<String, String>>,
) -> Response {
    // The page the form was on.
    page.path = format!("/call/{id}");
    let get = |k: &str| f.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let result = async {
        let view = pr::call_view(&state.app, id).await?;
        let bid = Uuid::parse_str(&get("bid"))
            .map_err(|_| gongzhi_app::AppError::invalid("bid_not_funded", "bid_id"))?;
        let mut items: Vec<pr::NewItem> = get("deliverables")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| pr::NewItem {
                kind: "deliverable".into(),
                catalogue_code: Some(view.call.catalogue_code.clone()),
                title: l.to_string(),
                due_on: None,
                amount: 0,
                final_payment: false,
            })
            .collect();
        for n in MILESTONE_ROWS {
            let title = get(&format!("m{n}_title"));
            let amount = get(&format!("m{n}_amount"));
            if title.is_empty() && amount.is_empty() {
                continue;
            }
            let due = get(&format!("m{n}_due"));
            items.push(pr::NewItem {
                kind: "milestone".into(),
                catalogue_code: None,
                title,
                due_on: (!due.is_empty()).then_some(due),
                amount: crate::api_ledger::yuan(&amount, "items")?,
                final_payment: get("final") == n.to_string(),
            });
        }
        pr::sign_contract(
            &state.app,
            &visitor.actor,
            &pr::NewContract {
                call_id: id,
                bid_id: Some(bid),
                starts_on: &get("starts_on"),
                ends_on: &get("ends_on"),
                items: &items,
                payment_rule: None,
                renews_id: None,
            },
        )
        .await
    }
    .await;
    match result {
        Ok(k) => Redirect::to(&format!("/contract/{k}")).into_response(),
        Err(e) => {
            outcome(lang, &mut page, Err::<String, _>(e));
            call_view_page_typed(&state, lang, page, &visitor, id, Typed(f)).await
        }
    }
}

async fn call_page(
    State(state): State<AppState>,
    PageContext(lang, visitor, page): PageContext,
    Path(id): Path<Uuid>,
) -> Response {
    call_view_page(&state, lang, page, &visitor, id).await
}

#[derive(serde::Deserialize)]
struct BidForm {
    organisation_id: Uuid,
    /// Yuan, as people write it ("86,400" or "86400.00").
    price: String,
    #[serde(default)]
    cofunding: String,
    plan: String,
    #[serde(default)]
    theme: String,
}

async fn bid(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path(id): Path<Uuid>,
    ApiForm(f): ApiForm<BidForm>,
) -> Response {
    // The page the form was on.
    page.path = format!("/call/{id}");
    let amounts = crate::api_ledger::yuan(&f.price, "price").and_then(|price| {
        let cofunding = match f.cofunding.trim() {
            "" => 0,
            c => crate::api_ledger::yuan(c, "cofunding")?,
        };
        Ok((price, cofunding))
    });
    let result = match amounts {
        Ok((price, cofunding)) => {
            pr::submit_bid(
                &state.app,
                &visitor.actor,
                &NewBid {
                    call_id: id,
                    organisation_id: f.organisation_id,
                    price,
                    cofunding,
                    plan: &f.plan,
                    theme: Some(f.theme.as_str()),
                },
            )
            .await
        }
        Err(e) => Err(e),
    };
    // A refused bid comes back with its plan and figures as typed.
    let keep = match &result {
        Ok(_) => Typed::default(),
        Err(_) => Typed(HashMap::from([
            ("organisation_id".to_string(), f.organisation_id.to_string()),
            ("price".to_string(), f.price.clone()),
            ("cofunding".to_string(), f.cofunding.clone()),
            ("plan".to_string(), f.plan.clone()),
            ("theme".to_string(), f.theme.clone()),
        ])),
    };
    outcome(lang, &mut page, result.map(|_| lang.t("call-bid-received")));
    call_view_page_typed(&state, lang, page, &visitor, id, keep).await
}

#[derive(serde::Deserialize)]
struct AdoptForm {
    bid: Uuid,
    donor_name: String,
}

/// The buyer's staff record a donor's adoption of a round's application (at the roadshow).
async fn adopt(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path(id): Path<Uuid>,
    ApiForm(f): ApiForm<AdoptForm>,
) -> Response {
    // The page the form was on.
    page.path = format!("/call/{id}");
    let result = pr::adopt_bid(&state.app, &visitor.actor, f.bid, &f.donor_name).await;
    outcome(lang, &mut page, result.map(|_| lang.t("call-adopt-done")));
    call_view_page(&state, lang, page, &visitor, id).await
}

/// The scoring screen's form: `bid` and one `s_{criterion}` field per criterion.
async fn score(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path(id): Path<Uuid>,
    ApiForm(f): ApiForm<HashMap<String, String>>,
) -> Response {
    // The page the form was on.
    page.path = format!("/call/{id}");
    let bid = f.get("bid").and_then(|b| Uuid::parse_str(b).ok());
    let mut scores = Vec::new();
    let mut bad = false;
    for (k, v) in &f {
        if let Some(key) = k.strip_prefix("s_") {
            match v.trim().parse::<u32>() {
                Ok(n) => scores.push((key.to_string(), n)),
                Err(_) => bad = true,
            }
        }
    }
    let result = match bid {
        None => Err(gongzhi_app::AppError::invalid("bid_not_found", "bid")),
        Some(_) if bad => Err(gongzhi_app::AppError::Invalid(
            gongzhi_domain::DomainError::field("score_out_of_scale", "scores").arg("max", 100),
        )),
        Some(b) => pr::score_bid(&state.app, &visitor.actor, b, &scores).await,
    };
    let saved =
        result.map(|total| lang.t_args("call-score-saved", &[("total", points(i64::from(total)))]));
    outcome(lang, &mut page, saved);
    call_view_page(&state, lang, page, &visitor, id).await
}

/// More deliverables than this are folded under a summary line.
const FOLD_AFTER: usize = 12;
