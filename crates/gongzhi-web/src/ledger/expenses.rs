//! An expense's page: its sign-off chain, who signs next, and signing or paying it.

use crate::AppState;
use crate::api_ledger::{decision, yuan};
use crate::error::ApiError;
use crate::extract::{ApiForm, PageContext, SignedInPage, Visitor};
use crate::i18n::Lang;
use crate::pages::{Page, error_page, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use gongzhi_app::ledger::{self};
use gongzhi_app::uploads;
use gongzhi_domain::lifecycle::ExpenseStatus;
use gongzhi_domain::time::Instant;
use serde::Deserialize;
use uuid::Uuid;

use super::*;

// ---- an expense and its sign-off ----

pub struct StepLine {
    pub groups: String,
    pub rule: String,
    /// (name, signed, has account)
    pub people: Vec<(String, bool, bool)>,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "expense.html")]
pub(super) struct ExpensePage {
    page: Page,
    id: String,
    description: String,
    payee: String,
    amount: String,
    status: String,
    settled: Option<String>,
    reason: Option<String>,
    submitted: String,
    expires: String,
    document: Option<String>,
    steps: Vec<StepLine>,
    /// (who, decision, when, reason)
    signatures: Vec<(String, String, String, String)>,
    can_sign: bool,
    last_step: bool,
    can_pay: bool,
}

pub(super) async fn expense_page(
    State(state): State<AppState>,
    PageContext(lang, visitor, page): PageContext,
    Path(id): Path<Uuid>,
) -> Response {
    expense_view(&state, lang, page, &visitor, id).await
}

pub(super) async fn expense_view(
    state: &AppState,
    lang: Lang,
    mut page: Page,
    visitor: &Visitor,
    id: Uuid,
) -> Response {
    let (b, v) = match ledger::expense_view(&state.app, id).await {
        Ok(v) => v,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    // The way back: the community and the place, then the budget the expense is drawn on.
    page.trail_to(state, b.jurisdiction_id).await;
    page.then(b.title.clone(), format!("/budget/{}", b.id));
    let me = visitor.actor.account_id;
    // By the command's own rule (offices on the pinned chain, separation of duties, the hold's
    // window): the buttons show exactly when signing would be accepted.
    let can_sign = match ledger::may_sign(&state.app, &visitor.actor, id).await {
        Ok(may) => may,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let can_pay = v.expense.status == ExpenseStatus::Approved
        && !v.lapsed
        && ledger::is_custodian_of(&state.app, b.fund_id, me).await;
    let e = &v.expense;
    // The invoice is linked for those who may read it: its signers, the fund's keepers and
    // auditors (the same rule the file's address applies).
    let document =
        uploads::may_read_file(&state.app, &visitor.actor, b.tenant_id, &e.document_sha256)
            .await
            .then(|| {
                format!(
                    "/api/v1/communities/{}/uploads/{}",
                    b.tenant_id, e.document_sha256
                )
            });
    render(&ExpensePage {
        id: id.to_string(),
        description: e.description.clone(),
        payee: v.payee.clone(),
        amount: fen(e.amount),
        status: expense_status(lang, &v),
        settled: e.settled_amount.map(fen),
        reason: e.reason.clone(),
        submitted: lang.minute(Instant::from_micros(e.submitted_at)),
        expires: lang.minute(Instant::from_micros(e.expires_at)),
        document,
        steps: v
            .chain
            .steps
            .iter()
            .zip(&v.steps)
            .enumerate()
            .map(|(i, (step, people))| StepLine {
                groups: step
                    .signers
                    .iter()
                    .map(|g| lang.t(&format!("signer-{g}")))
                    .collect::<Vec<_>>()
                    .join(lang.t("list-and").as_str()),
                rule: lang.t(if step.all {
                    "signoff-all"
                } else {
                    "signoff-any"
                }),
                people: people
                    .iter()
                    .map(|(p, signed)| (p.name.clone(), *signed, p.has_account))
                    .collect(),
                current: v.waiting_step == Some(i),
            })
            .collect(),
        signatures: v
            .signatures
            .iter()
            .map(|s| {
                (
                    s.display_name.clone(),
                    lang.t(&format!("decision-{}", s.decision)),
                    lang.minute(Instant::from_micros(s.signed_at)),
                    s.reason.clone().unwrap_or_default(),
                )
            })
            .collect(),
        last_step: v.waiting_step == Some(v.chain.steps.len().saturating_sub(1)),
        can_sign,
        can_pay,
        page,
    })
}

#[derive(Deserialize)]
pub(super) struct SignForm {
    decision: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    settle_amount: String,
}

pub(super) async fn sign(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path(id): Path<Uuid>,
    ApiForm(f): ApiForm<SignForm>,
) -> Response {
    // The page the form was on.
    page.path = format!("/expense/{id}");
    let result = match decision(&f.decision, &f.reason, Some(&f.settle_amount)) {
        Ok((d, settle)) => ledger::sign_expense(&state.app, &visitor.actor, id, d, settle).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(s) => {
            page.flash = Some(lang.t(match s {
                ledger::ExpenseState::Rejected => "expense-rejected-flash",
                ledger::ExpenseState::Posted(_) => "expense-posted-flash",
                _ => "expense-signed-flash",
            }))
        }
        Err(e) => page.error = Some(ApiError::from_app(e, lang).message()),
    }
    expense_view(&state, lang, page, &visitor, id).await
}

#[derive(Deserialize)]
pub(super) struct PayForm {
    #[serde(default)]
    settle_amount: String,
}

pub(super) async fn pay(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path(id): Path<Uuid>,
    ApiForm(f): ApiForm<PayForm>,
) -> Response {
    // The page the form was on.
    page.path = format!("/expense/{id}");
    let settle = match f.settle_amount.trim() {
        "" => Ok(None),
        s => yuan(s, "settle_amount").map(Some),
    };
    let result = match settle {
        Ok(s) => ledger::pay_expense(&state.app, &visitor.actor, id, s).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => page.flash = Some(lang.t("expense-posted-flash")),
        Err(e) => page.error = Some(ApiError::from_app(e, lang).message()),
    }
    expense_view(&state, lang, page, &visitor, id).await
}
