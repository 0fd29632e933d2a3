//! Staff pages of government purchase: registering or filing an organisation in the directory,
//! and opening a call or a venture-philanthropy round. Each form is shown again with what was
//! typed and the error when a command refuses it, so nothing typed is lost. Works without
//! JavaScript.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use gongzhi_app::authz::Permission;
use gongzhi_app::procurement::{self as pr, NewCall, NewOrganisation};
use gongzhi_app::{AppError, places};
use gongzhi_domain::procurement::{Criterion, GrantRound, METHODS, ORG_KINDS};
use gongzhi_domain::time::parse_china_minute;
use uuid::Uuid;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiForm, DisplayPrefs, SignedInPage, SignedInVisitor, Visitor};
use crate::i18n::Lang;
use crate::pages::{Page, render};
use crate::procurement::Choice;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/calls/new", get(new_call).post(open_call))
        .route("/orgs/new", get(new_org).post(register_org))
        .route("/purchase-share", get(share_page))
}

/// Rows of scoring criteria on the call form.
const CRITERIA_ROWS: [u8; 4] = [1, 2, 3, 4];

/// A browser's `datetime-local` value ("2026-12-02T17:00"), or the same typed with a space, as
/// a China-time minute.
pub(crate) fn datetime_local(text: &str) -> Option<gongzhi_domain::time::Instant> {
    parse_china_minute(&text.trim().replace('T', " "))
}

pub use crate::form::Typed;

/// The places where the visitor may act with `perm`, named in the page's language.
pub(crate) async fn places_for(
    state: &AppState,
    visitor: &Visitor,
    lang: Lang,
    perm: Permission,
) -> Vec<Choice> {
    let ids = visitor.actor.granted_places(perm);
    if ids.is_empty() {
        return Vec::new();
    }
    let all = places::jurisdictions(&state.app).await.unwrap_or_default();
    ids.iter()
        .filter_map(|id| all.iter().find(|j| j.id == *id))
        .map(|j| Choice {
            id: j.id.to_string(),
            label: if lang == Lang::En {
                j.name_en.clone()
            } else {
                j.name_zh.clone()
            },
        })
        .collect()
}

/// The catalogue's items (third level) at the first of `places`, as choices.
async fn items_at(state: &AppState, lang: Lang, places: &[Choice]) -> Vec<Choice> {
    let Some(first) = places.first().and_then(|p| Uuid::parse_str(&p.id).ok()) else {
        return Vec::new();
    };
    let Ok(cat) = pr::catalogue_at(&state.app, first).await else {
        return Vec::new();
    };
    cat.items
        .iter()
        .filter(|i| i.code.contains('-'))
        .map(|i| Choice {
            id: i.code.clone(),
            label: format!(
                "{} {}",
                i.code,
                if lang == Lang::En { &i.en } else { &i.zh }
            ),
        })
        .collect()
}

// ---- opening a call ----

#[derive(Template)]
#[template(path = "call_new.html")]
struct NewCallPage {
    page: Page,
    buyers: Vec<Choice>,
    /// Open fund budgets at the buyers, to pay the contract through the ledger.
    budgets: Vec<Choice>,
    items: Vec<Choice>,
    methods: Vec<Choice>,
    typed: Typed,
}

async fn call_form(
    state: &AppState,
    lang: Lang,
    page: Page,
    visitor: &Visitor,
    typed: Typed,
) -> Response {
    let buyers = places_for(state, visitor, lang, Permission::ManagePurchases).await;
    if buyers.is_empty() {
        return crate::pages::forbidden_page(lang, page);
    }
    let items = items_at(state, lang, &buyers).await;
    let mut budgets = Vec::new();
    for b in &buyers {
        let Ok(id) = Uuid::parse_str(&b.id) else {
            continue;
        };
        for budget in pr::open_budgets_for(&state.app, id)
            .await
            .unwrap_or_default()
        {
            budgets.push(Choice {
                id: budget.id.to_string(),
                label: format!(
                    "{} · {} · {}",
                    b.label,
                    budget.title,
                    gongzhi_domain::Fen::new(budget.reserved)
                ),
            });
        }
    }
    let methods = METHODS
        .iter()
        .map(|m| Choice {
            id: m.key().to_string(),
            label: lang.t(&format!("call-method-{}", m.key())),
        })
        .collect();
    render(&NewCallPage {
        page,
        buyers,
        budgets,
        items,
        methods,
        typed,
    })
}

async fn new_call(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, page): SignedInPage,
) -> Response {
    let typed = Typed(HashMap::from([
        ("contract_months".to_string(), "12".to_string()),
        ("c1_name".to_string(), lang.t("call-new-criterion-plan")),
        ("c1_weight".to_string(), "60".to_string()),
        ("c2_name".to_string(), lang.t("call-new-criterion-price")),
        ("c2_weight".to_string(), "40".to_string()),
        ("max_awards".to_string(), "3".to_string()),
    ]));
    call_form(&state, lang, page, &visitor, typed).await
}

/// The call form's fields that are not plain text.
struct CallTerms {
    buyer: Uuid,
    budget: Option<Uuid>,
    value: i64,
    closes: gongzhi_domain::time::Instant,
    criteria: Vec<Criterion>,
    round: Option<GrantRound>,
}

/// Reads the call form into the command's terms; `Err` names the field a person must fix.
fn call_terms(t: &Typed) -> Result<CallTerms, AppError> {
    let buyer = Uuid::parse_str(&t.trimmed("buyer_id"))
        .map_err(|_| AppError::invalid("jurisdiction_not_found", "buyer_id"))?;
    let value = crate::api_ledger::yuan(&t.trimmed("value"), "value")?;
    let budget = match t.trimmed("budget_id").as_str() {
        "" => None,
        b => Some(
            Uuid::parse_str(b).map_err(|_| AppError::invalid("budget_not_found", "budget_id"))?,
        ),
    };
    let minute = |key: &'static str| {
        datetime_local(&t.trimmed(key)).ok_or_else(|| AppError::invalid("datetime_invalid", key))
    };
    let closes = minute("closes_at")?;
    let mut criteria = Vec::new();
    for n in CRITERIA_ROWS {
        let name = t.trimmed(&format!("c{n}_name"));
        let weight = t.trimmed(&format!("c{n}_weight"));
        if name.is_empty() && weight.is_empty() {
            continue;
        }
        // Keys are letters only (`criterion_a`…), as the criteria rule asks.
        let letter = char::from(b'a' + n - 1);
        criteria.push(Criterion {
            key: format!("criterion_{letter}"),
            en: name.clone(),
            zh: name,
            weight: weight
                .parse()
                .map_err(|_| AppError::invalid("criterion_invalid", "criteria"))?,
        });
    }
    let round = if t.is("method", "venture") {
        let themes = t
            .get("themes")
            .split(['\n', '、', ',', '，'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        let roadshow = match t.trimmed("roadshow_at").as_str() {
            "" => None,
            _ => Some(minute("roadshow_at")?.micros()),
        };
        let place = t.trimmed("roadshow_place");
        Some(GrantRound {
            themes,
            max_awards: t
                .trimmed("max_awards")
                .parse()
                .map_err(|_| AppError::invalid("round_max_awards_invalid", "max_awards"))?,
            roadshow_at: roadshow,
            roadshow_place: (!place.is_empty()).then_some(place),
        })
    } else {
        None
    };
    Ok(CallTerms {
        buyer,
        budget,
        value,
        closes,
        criteria,
        round,
    })
}

async fn open_call(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    ApiForm(f): ApiForm<HashMap<String, String>>,
) -> Response {
    // The page the form was on.
    page.path = "/calls/new".to_string();
    let t = Typed(f);
    let result = async {
        let CallTerms {
            buyer,
            budget,
            value,
            closes,
            criteria,
            round,
        } = call_terms(&t)?;
        let kinds: Vec<String> = Vec::new();
        pr::open_call(
            &state.app,
            &visitor.actor,
            &NewCall {
                buyer_id: buyer,
                plan_id: None,
                title: t.get("title"),
                description: t.get("description"),
                catalogue_code: t.get("catalogue_code"),
                method: t.get("method"),
                justification: Some(t.get("justification")),
                value,
                new_service: t.checked("new_service"),
                eligible_kinds: &kinds,
                closes_at: closes,
                contract_months: t
                    .trimmed("contract_months")
                    .parse()
                    .map_err(|_| AppError::invalid("contract_term_too_long", "contract_months"))?,
                stable: t.checked("stable"),
                criteria: &criteria,
                budget_id: budget,
                round,
            },
        )
        .await
    }
    .await;
    match result {
        Ok(id) => Redirect::to(&format!("/call/{id}")).into_response(),
        Err(e) => {
            page.error = Some(ApiError::from_app(e, lang).message());
            call_form(&state, lang, page, &visitor, t).await
        }
    }
}

// ---- registering an organisation ----

#[derive(Template)]
#[template(path = "org_new.html")]
struct NewOrgPage {
    page: Page,
    places: Vec<Choice>,
    kinds: Vec<Choice>,
    items: Vec<Choice>,
    typed: Typed,
    /// Qualifications ticked.
    quals: Vec<String>,
}

async fn org_form(
    state: &AppState,
    lang: Lang,
    page: Page,
    visitor: &Visitor,
    typed: Typed,
    quals: Vec<String>,
) -> Response {
    let places = places_for(state, visitor, lang, Permission::ManageOrganisations).await;
    if places.is_empty() {
        return crate::pages::forbidden_page(lang, page);
    }
    let items = items_at(state, lang, &places).await;
    let kinds = ORG_KINDS
        .iter()
        .map(|k| Choice {
            id: k.key().to_string(),
            label: lang.t(&format!("org-kind-{}", k.key())),
        })
        .collect();
    render(&NewOrgPage {
        page,
        places,
        kinds,
        items,
        typed,
        quals,
    })
}

async fn new_org(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, page): SignedInPage,
) -> Response {
    org_form(
        &state,
        lang,
        page,
        &visitor,
        Typed(HashMap::new()),
        Vec::new(),
    )
    .await
}

async fn register_org(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    axum::extract::RawForm(body): axum::extract::RawForm,
) -> Response {
    // The page the form was on.
    page.path = "/orgs/new".to_string();
    // Qualifications are repeated checkboxes (`q=A6-1&q=A6-2`), so the form is read pair by pair.
    let mut fields = HashMap::new();
    let mut quals = Vec::new();
    for (k, v) in form_urlencoded::parse(&body) {
        if k == "q" {
            quals.push(v.into_owned());
        } else {
            fields.insert(k.into_owned(), v.into_owned());
        }
    }
    let t = Typed(fields);
    let result = async {
        let at = Uuid::parse_str(&t.trimmed("registered_with"))
            .map_err(|_| AppError::invalid("jurisdiction_not_found", "registered_with"))?;
        let code = t.trimmed("credit_code");
        pr::register_organisation(
            &state.app,
            &visitor.actor,
            &NewOrganisation {
                name_zh: t.get("name_zh"),
                name_en: t.get("name_en"),
                kind: t.get("kind"),
                credit_code: (!code.is_empty()).then_some(code.as_str()),
                registered_with: at,
                registered_on: None,
                business_scope: t.get("business_scope"),
                capacity: t.get("capacity"),
                incubator_id: None,
                incubator_level: None,
                qualifications: &quals,
            },
        )
        .await
    }
    .await;
    match result {
        Ok(id) => Redirect::to(&format!("/org/{id}")).into_response(),
        Err(e) => {
            page.error = Some(ApiError::from_app(e, lang).message());
            org_form(&state, lang, page, &visitor, t, quals).await
        }
    }
}

// ---- the social organisations' share ----

/// One buyer's line of the share report.
pub struct ShareLine {
    pub buyer: String,
    pub total: String,
    pub to_social: String,
    pub share: String,
    pub minimum: String,
    pub met: bool,
}

#[derive(Template)]
#[template(path = "purchase_share.html")]
struct SharePage {
    page: Page,
    year: i32,
    lines: Vec<ShareLine>,
}

#[derive(serde::Deserialize)]
struct ShareQuery {
    year: Option<i32>,
}

/// The share of each buyer's new public-service purchases (contracts signed in the year) that
/// went to social organisations, against the rulebook's minimum, for every place the visitor
/// buys for.
async fn share_page(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    SignedInVisitor(visitor): SignedInVisitor,
    Query(q): Query<ShareQuery>,
) -> Response {
    let buyers = places_for(&state, &visitor, lang, Permission::ManagePurchases).await;
    let mut page = Page::new(lang, &large, &visitor, "/purchase-share");
    if buyers.is_empty() {
        return crate::pages::forbidden_page(lang, page);
    }
    let year = q
        .year
        .unwrap_or_else(|| state.app.now().china_date().year());
    let percent = |bp: u32| format!("{}.{:02}%", bp / 100, bp % 100);
    let mut lines = Vec::new();
    for b in buyers {
        let Ok(id) = Uuid::parse_str(&b.id) else {
            continue;
        };
        match pr::social_org_share_report(&state.app, &visitor.actor, id, year).await {
            Ok((r, rule)) => {
                let min = rule.social_org_share;
                let min_bp = u32::try_from(i64::from(min.num) * 10_000 / i64::from(min.den.max(1)))
                    .unwrap_or(0);
                lines.push(ShareLine {
                    buyer: b.label,
                    total: gongzhi_domain::Fen::new(r.total).to_string(),
                    to_social: gongzhi_domain::Fen::new(r.to_social_orgs).to_string(),
                    share: percent(r.basis_points),
                    minimum: percent(min_bp),
                    met: r.met,
                });
            }
            Err(e) => page.error = Some(ApiError::from_app(e, lang).message()),
        }
    }
    render(&SharePage { page, year, lines })
}
