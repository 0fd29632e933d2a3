//! The API of expenses: submitting one, its sign-off (sign, reassign signers), paying it, and reversing a transfer.

use crate::AppState;
use crate::api::{ApiResult, created, err, ok};
use crate::extract::{ApiJson, Authed};
use crate::i18n::Lang;
use axum::extract::{Path, State};
use gongzhi_app::AppError;
use gongzhi_app::ledger::{self, Decision, ExpenseState, NewExpense};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::*;

#[derive(Deserialize)]
pub(super) struct ExpenseBody {
    id: Option<Uuid>,
    budget_id: Uuid,
    payee_id: Uuid,
    amount: String,
    description: String,
    document_sha256: String,
}

pub(super) async fn submit_expense(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<ExpenseBody>,
) -> ApiResult {
    let amount = yuan(&b.amount, "amount").map_err(err(lang))?;
    let id = ledger::submit_expense(
        &state.app,
        &v.actor,
        &NewExpense {
            id: b.id,
            budget_id: b.budget_id,
            payee_id: b.payee_id,
            amount,
            description: &b.description,
            document_sha256: &b.document_sha256,
        },
    )
    .await
    .map_err(err(lang))?;
    created(json!({"id": id}))
}

pub(super) async fn expense(
    State(state): State<AppState>,
    lang: Lang,
    Path(id): Path<Uuid>,
) -> ApiResult {
    let (_, v) = ledger::expense_view(&state.app, id)
        .await
        .map_err(err(lang))?;
    ok(expense_json(&v))
}

#[derive(Deserialize)]
pub(super) struct SignBody {
    decision: String,
    #[serde(default)]
    reason: String,
    settle_amount: Option<String>,
}

pub(crate) fn state_json(s: &ExpenseState) -> Value {
    match s {
        ExpenseState::Waiting(step) => json!({"status": "held", "waiting_step": step}),
        ExpenseState::Approved => json!({"status": "approved"}),
        ExpenseState::Posted(paid) => json!({"status": "posted", "paid": money(*paid)}),
        ExpenseState::Rejected => json!({"status": "rejected"}),
    }
}

/// Parses the sign form's decision and optional settled amount (shared with the page).
pub(crate) fn decision<'a>(
    decision: &str,
    reason: &'a str,
    settle: Option<&str>,
) -> Result<(Decision<'a>, Option<i64>), AppError> {
    let d = match decision {
        "sign" => Decision::Sign,
        "reject" => Decision::Reject(reason),
        _ => return Err(AppError::invalid("signoff_decision_unknown", "decision")),
    };
    let settle = settle
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| yuan(s, "settle_amount"))
        .transpose()?;
    Ok((d, settle))
}

pub(super) async fn sign_expense(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<SignBody>,
) -> ApiResult {
    let (d, settle) =
        decision(&b.decision, &b.reason, b.settle_amount.as_deref()).map_err(err(lang))?;
    let s = ledger::sign_expense(&state.app, &v.actor, id, d, settle)
        .await
        .map_err(err(lang))?;
    ok(state_json(&s))
}

#[derive(Deserialize)]
pub(super) struct ReassignBody {
    reason: String,
}

pub(super) async fn reassign_signers(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<ReassignBody>,
) -> ApiResult {
    ledger::reassign_signers(&state.app, &v.actor, id, &b.reason)
        .await
        .map_err(err(lang))?;
    ok(json!({"id": id}))
}

#[derive(Deserialize)]
pub(super) struct PayBody {
    settle_amount: Option<String>,
}

pub(super) async fn pay_expense(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<PayBody>,
) -> ApiResult {
    let settle = b
        .settle_amount
        .as_deref()
        .map(|s| yuan(s, "settle_amount"))
        .transpose()
        .map_err(err(lang))?;
    let paid = ledger::pay_expense(&state.app, &v.actor, id, settle)
        .await
        .map_err(err(lang))?;
    ok(json!({"status": "posted", "paid": money(paid)}))
}

#[derive(Deserialize)]
pub(super) struct ReverseBody {
    reason: String,
}

pub(super) async fn reverse_transfer(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<ReverseBody>,
) -> ApiResult {
    let t = ledger::reverse_transfer(&state.app, &v.actor, id, &b.reason)
        .await
        .map_err(err(lang))?;
    created(json!({"transfer_id": t}))
}
