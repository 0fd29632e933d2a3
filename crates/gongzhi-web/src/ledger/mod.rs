//! The fund's pages: a community's funds (public), a fund, a project's money page, an expense with
//! its sign-off (sign, reject, pay as a form), a printable statement with CSV and XLSX downloads.
//! Office-holders acting in office (supervisors, the director, the accountant) are named; donors
//! are masked.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongzhi_app::ledger::{self};
use gongzhi_app::{places, uploads};
use gongzhi_domain::Fen;
use gongzhi_domain::time::Instant;
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiForm, DisplayPrefs, PageContext, SignedInPage, SignedInVisitor, Visitor};
use crate::i18n::Lang;
use crate::pages::{Page, error_page, render};

mod budgets;
pub(crate) use budgets::*;
mod expenses;
pub(crate) use expenses::*;
mod statements;
pub(crate) use statements::*;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/c/{code}/funds", get(funds_page))
        .route(
            "/c/{code}/funds/vouchers",
            post(import_vouchers).layer(axum::extract::DefaultBodyLimit::max(8 * 1024 * 1024)),
        )
        .route("/fund/{id}", get(fund_page))
        .route("/fund/{id}/statement", post(post_statement))
        .route("/budget/{id}", get(budget_page))
        .route(
            "/budget/{id}/expense",
            post(submit_expense).layer(axum::extract::DefaultBodyLimit::max(
                uploads::MAX_FILE_BYTES + 64 * 1024,
            )),
        )
        .route("/receipt/{id}", get(receipt_page))
        .route("/expense/{id}", get(expense_page))
        .route("/expense/{id}/sign", post(sign))
        .route("/expense/{id}/pay", post(pay))
        .route("/statement/{id}", get(statement_page))
        .route("/statement/{id}/csv", get(statement_csv))
        .route("/statement/{id}/xlsx", get(statement_xlsx))
}

fn fen(v: i64) -> String {
    Fen::new(v).to_string()
}

/// One transfer as a row: (time, what, memo, from, to, amount).
pub struct TransferLine {
    pub at: String,
    pub what: String,
    pub memo: String,
    pub from: String,
    pub to: String,
    pub amount: String,
}

fn transfer_lines(
    lang: Lang,
    transfers: &[gongzhi_app::records::TransferRow],
    names: &std::collections::HashMap<Uuid, (String, String)>,
) -> Vec<TransferLine> {
    let name = |id: &Uuid| {
        names
            .get(id)
            .map(|n| {
                if lang == Lang::En {
                    n.1.clone()
                } else {
                    n.0.clone()
                }
            })
            .unwrap_or_default()
    };
    transfers
        .iter()
        .map(|t| TransferLine {
            at: lang.minute(Instant::from_micros(t.created_at)),
            what: format!(
                "{} · {}",
                lang.t(&format!("code-{}", t.code)),
                lang.t(&format!("phase-{}", t.phase))
            ),
            memo: t.memo.clone(),
            from: name(&t.debit_id),
            to: name(&t.credit_id),
            amount: fen(t.amount),
        })
        .collect()
}

// ---- a community's funds ----

pub struct FundLine {
    pub id: String,
    pub name: String,
    pub programme: String,
    pub custodian: Option<String>,
    pub available: String,
    pub held: String,
    pub received: String,
}

pub struct DueLine {
    pub fund_id: String,
    pub fund: String,
    pub start: String,
    /// The first day after the period (what the command takes).
    pub end: String,
    /// The period's last day (what people read).
    pub last: String,
    pub reason: String,
    pub reason_key: String,
}

pub struct WaitingLine {
    pub id: String,
    pub title: String,
    pub description: String,
    pub amount: String,
}

#[derive(Template)]
#[template(path = "funds.html")]
struct FundsPage {
    page: Page,
    name: String,
    funds: Vec<FundLine>,
    due: Vec<DueLine>,
    can_post: bool,
    waiting: Vec<WaitingLine>,
    code: String,
    row_errors: Vec<String>,
}

async fn funds_page(
    State(state): State<AppState>,
    PageContext(lang, visitor, page): PageContext,
    Path(code): Path<String>,
) -> Response {
    funds_view(&state, lang, page, &visitor, &code, Vec::new()).await
}

async fn funds_view(
    state: &AppState,
    lang: Lang,
    mut page: Page,
    visitor: &Visitor,
    code: &str,
    row_errors: Vec<String>,
) -> Response {
    let j = match places::jurisdiction_by_code(&state.app, code).await {
        Ok(j) => j,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    page.trail_to(state, j.id).await;
    let funds = match ledger::funds_of(&state.app, j.id).await {
        Ok(f) => f,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let due = ledger::due_statements(&state.app, j.id)
        .await
        .unwrap_or_default();
    let can_post = ledger::can_manage_funds(&state.app, &visitor.actor, j.id).await;
    let waiting = ledger::expenses_awaiting(&state.app, &visitor.actor, j.id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(b, v)| WaitingLine {
            id: v.expense.id.to_string(),
            title: b.title,
            description: v.expense.description,
            amount: fen(v.expense.amount),
        })
        .collect();
    render(&FundsPage {
        name: if lang == Lang::En {
            j.name_en
        } else {
            j.name_zh
        },
        funds: funds
            .into_iter()
            .map(|(f, a)| FundLine {
                id: f.id.to_string(),
                name: if lang == Lang::En {
                    f.name_en
                } else {
                    f.name_zh
                },
                programme: lang.t(&format!("programme-{}", f.programme)),
                custodian: f.custodian,
                available: fen(a.balance.available()),
                held: fen(a.balance.debits_pending),
                received: fen(a.balance.credits_posted),
            })
            .collect(),
        due: due
            .into_iter()
            .map(|d| DueLine {
                fund_id: d.fund_id.to_string(),
                fund: d.fund_name,
                reason: lang.t(&format!("statement-{}", d.reason)),
                reason_key: d.reason.to_string(),
                last: last_day(&d.period_end),
                start: d.period_start,
                end: d.period_end,
            })
            .collect(),
        can_post,
        waiting,
        code: code.to_string(),
        row_errors,
        page,
    })
}

async fn import_vouchers(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path(code): Path<String>,
    form: axum::extract::Multipart,
) -> Response {
    // The page the form was on.
    page.path = format!("/c/{code}/funds");
    // Authorised before a byte of the file is read.
    let authorised = match places::jurisdiction_by_code(&state.app, &code).await {
        Ok(j) => ledger::authorize_voucher_import(&state.app, &visitor.actor, j.id).await,
        Err(e) => Err(e),
    };
    if let Err(e) = authorised {
        return crate::pages::error_page(ApiError::from_app(e, lang), page);
    }
    let file = match crate::extract::MultipartForm::read(form, lang).await {
        Ok(f) => f.file,
        Err(e) => return crate::pages::error_page(e, page),
    };
    let mut row_errors = Vec::new();
    let mut refusal = None;
    let result = match places::jurisdiction_by_code(&state.app, &code).await {
        Ok(j) => ledger::import_vouchers(&state.app, &visitor.actor, j.id, &file).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(r) => {
            page.flash = Some(lang.t_args(
                "vouchers-imported",
                &[
                    ("vouchers", r.vouchers.to_string()),
                    ("transfers", r.transfers.to_string()),
                ],
            ))
        }
        Err(gongzhi_app::AppError::Rows(rows)) => {
            page.error = Some(lang.t("import_rows_invalid"));
            row_errors = crate::pages::row_messages(lang, &rows);
            refusal = Some(axum::http::StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(e) => {
            let e = ApiError::from_app(e, lang);
            refusal = Some(e.status);
            page.error = Some(e.message());
        }
    }
    let shown = funds_view(&state, lang, page, &visitor, &code, row_errors).await;
    crate::pages::with_refusal_status(shown, refusal)
}

#[derive(Deserialize)]
struct StatementForm {
    period_start: String,
    period_end: String,
    reason: String,
}

async fn post_statement(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    SignedInVisitor(visitor): SignedInVisitor,
    Path(id): Path<Uuid>,
    ApiForm(f): ApiForm<StatementForm>,
) -> Response {
    match ledger::post_statement(
        &state.app,
        &visitor.actor,
        id,
        &f.period_start,
        &f.period_end,
        &f.reason,
    )
    .await
    {
        Ok(s) => Redirect::to(&format!("/statement/{s}")).into_response(),
        Err(e) => {
            let mut page = Page::new(lang, &large, &visitor, &format!("/fund/{id}"));
            page.error = Some(ApiError::from_app(e, lang).message());
            fund_view(&state, lang, page, id).await
        }
    }
}

// ---- a fund ----

#[derive(Template)]
#[template(path = "fund.html")]
struct FundPage {
    page: Page,
    name: String,
    programme: String,
    custodian: Option<String>,
    available: String,
    held: String,
    received: String,
    /// (id, title, status, reserved, available)
    budgets: Vec<(String, String, String, String, String)>,
    /// (masked donor, amount, when)
    donations: Vec<(String, String, String)>,
    /// (id, period, reason)
    statements: Vec<(String, String, String)>,
    transfers: Vec<TransferLine>,
}

async fn fund_page(
    State(state): State<AppState>,
    PageContext(lang, _, page): PageContext,
    Path(id): Path<Uuid>,
) -> Response {
    fund_view(&state, lang, page, id).await
}

async fn fund_view(state: &AppState, lang: Lang, mut page: Page, id: Uuid) -> Response {
    let v = match ledger::fund_view(&state.app, id).await {
        Ok(v) => v,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    // The way back: the community, then its funds.
    page.trail_to(state, v.fund.jurisdiction_id).await;
    if let Some((_, community)) = page.trail.first().cloned() {
        page.then(lang.t("money-funds-title"), format!("{community}/funds"));
    }
    let b = v.account.balance;
    render(&FundPage {
        name: if lang == Lang::En {
            v.fund.name_en.clone()
        } else {
            v.fund.name_zh.clone()
        },
        programme: lang.t(&format!("programme-{}", v.fund.programme)),
        custodian: v.fund.custodian.clone(),
        available: fen(b.available()),
        held: fen(b.debits_pending),
        received: fen(b.credits_posted),
        budgets: v
            .budgets
            .iter()
            .map(|(bu, a)| {
                (
                    bu.id.to_string(),
                    bu.title.clone(),
                    lang.t(&format!("budget-{}", bu.status)),
                    fen(bu.reserved),
                    fen(a.balance.available()),
                )
            })
            .collect(),
        donations: v
            .donations
            .iter()
            .map(|(_, donor, amount, at)| {
                (
                    donor.clone(),
                    fen(*amount),
                    lang.minute(Instant::from_micros(*at)),
                )
            })
            .collect(),
        statements: v
            .statements
            .iter()
            .map(|s| {
                (
                    s.id.to_string(),
                    period(lang, &s.period_start, &s.period_end),
                    lang.t(&format!("statement-{}", s.reason)),
                )
            })
            .collect(),
        transfers: transfer_lines(lang, &v.transfers, &v.names),
        page,
    })
}
