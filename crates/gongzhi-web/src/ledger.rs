//! The fund's pages: a community's funds (public), a fund, a project's money page, an expense with
//! its sign-off (sign, reject, pay as a form), a printable statement with CSV and XLSX downloads.
//! Office-holders acting in office (supervisors, the director, the accountant) are named; donors
//! are masked.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongzhi_app::ledger::{self, NewExpense};
use gongzhi_app::{places, uploads};
use gongzhi_domain::Fen;
use gongzhi_domain::audit::short_head;
use gongzhi_domain::lifecycle::ExpenseStatus;
use gongzhi_domain::time::Instant;
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::api_ledger::{decision, yuan};
use crate::error::ApiError;
use crate::extract::{ApiForm, DisplayPrefs, SignedInVisitor, Visitor};
use crate::i18n::Lang;
use crate::pages::{Page, error_page, qr_svg, render};

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
    lang: Lang,
    large: DisplayPrefs,
    visitor: Visitor,
    Path(code): Path<String>,
) -> Response {
    let page = Page::new(lang, &large, &visitor, &format!("/c/{code}/funds"));
    funds_view(&state, lang, page, &visitor, &code, Vec::new()).await
}

async fn funds_view(
    state: &AppState,
    lang: Lang,
    page: Page,
    visitor: &Visitor,
    code: &str,
    row_errors: Vec<String>,
) -> Response {
    let j = match places::jurisdiction_by_code(&state.app, code).await {
        Ok(j) => j,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
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
    lang: Lang,
    large: DisplayPrefs,
    SignedInVisitor(visitor): SignedInVisitor,
    Path(code): Path<String>,
    form: axum::extract::Multipart,
) -> Response {
    let mut page = Page::new(lang, &large, &visitor, &format!("/c/{code}/funds"));
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
    lang: Lang,
    large: DisplayPrefs,
    visitor: Visitor,
    Path(id): Path<Uuid>,
) -> Response {
    let page = Page::new(lang, &large, &visitor, &format!("/fund/{id}"));
    fund_view(&state, lang, page, id).await
}

async fn fund_view(state: &AppState, lang: Lang, page: Page, id: Uuid) -> Response {
    let v = match ledger::fund_view(&state.app, id).await {
        Ok(v) => v,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
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
                    format!("{} – {}", s.period_start, last_day(&s.period_end)),
                    lang.t(&format!("statement-{}", s.reason)),
                )
            })
            .collect(),
        transfers: transfer_lines(lang, &v.transfers, &v.names),
        page,
    })
}

// ---- a project's money ----

pub struct ExpenseLine {
    pub id: String,
    pub description: String,
    pub payee: String,
    pub amount: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "budget.html")]
struct BudgetPage {
    page: Page,
    id: String,
    title: String,
    fund_id: String,
    fund: String,
    resolution_id: String,
    resolution: String,
    status: String,
    reserved: String,
    available: String,
    held: String,
    spent: String,
    released: Option<String>,
    cofunding: Option<String>,
    expenses: Vec<ExpenseLine>,
    transfers: Vec<TransferLine>,
    /// Staff may submit an expense: the payees to choose from.
    payees: Option<Vec<(String, String)>>,
    /// Staff see the co-funding receipts: (transfer id, household, amount, when).
    receipts: Vec<(String, String, String, String)>,
}

async fn budget_page(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    visitor: Visitor,
    Path(id): Path<Uuid>,
) -> Response {
    let page = Page::new(lang, &large, &visitor, &format!("/budget/{id}"));
    budget_view(&state, lang, page, &visitor, id).await
}

async fn budget_view(
    state: &AppState,
    lang: Lang,
    page: Page,
    visitor: &Visitor,
    id: Uuid,
) -> Response {
    let v = match ledger::budget_view(&state.app, id).await {
        Ok(v) => v,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let b = v.account.balance;
    let (households, paid_in_full, expected, paid) = v.cofunding;
    let payees = if v.budget.status.is_open()
        && ledger::can_manage_funds(&state.app, &visitor.actor, v.budget.jurisdiction_id).await
    {
        Some(
            ledger::payees(&state.app, v.fund.tenant_id)
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|(id, name)| (id.to_string(), name))
                .collect(),
        )
    } else {
        None
    };
    render(&BudgetPage {
        id: id.to_string(),
        title: v.budget.title.clone(),
        fund_id: v.fund.id.to_string(),
        fund: v.fund.name_zh.clone(),
        resolution_id: v.budget.resolution_id.to_string(),
        resolution: v.resolution_label.clone(),
        status: lang.t(&format!("budget-{}", v.budget.status)),
        reserved: fen(v.budget.reserved),
        available: fen(b.available()),
        held: fen(b.debits_pending),
        spent: fen(ledger::budget_spent(v.budget.released, &b)),
        released: v.budget.released.map(fen),
        cofunding: (households > 0).then(|| {
            lang.t_args(
                "money-cofunding",
                &[
                    ("households", households.to_string()),
                    ("paid_in_full", paid_in_full.to_string()),
                    ("paid", fen(paid)),
                    ("expected", fen(expected)),
                ],
            )
        }),
        expenses: v
            .expenses
            .iter()
            .map(|e| ExpenseLine {
                id: e.expense.id.to_string(),
                description: e.expense.description.clone(),
                payee: e.payee.clone(),
                amount: fen(e.expense.amount),
                status: expense_status(lang, e),
            })
            .collect(),
        transfers: transfer_lines(lang, &v.transfers, &v.names),
        payees,
        receipts: ledger::cofunding_receipts(&state.app, &visitor.actor, id)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|(t, h, amount, at)| {
                (
                    t.to_string(),
                    h,
                    fen(amount),
                    lang.minute(Instant::from_micros(at)),
                )
            })
            .collect(),
        page,
    })
}

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptPage {
    page: Page,
    number: String,
    date: String,
    household: String,
    project: String,
    budget_id: String,
    amount: String,
    capital: String,
    head: String,
}

async fn receipt_page(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    SignedInVisitor(visitor): SignedInVisitor,
    Path(id): Path<Uuid>,
) -> Response {
    let page = Page::new(lang, &large, &visitor, &format!("/receipt/{id}"));
    let r = match ledger::cofunding_receipt(&state.app, &visitor.actor, id).await {
        Ok(r) => r,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    render(&ReceiptPage {
        number: format!("{:06}", r.transfer.seq),
        date: gongzhi_domain::time::format_date(
            Instant::from_micros(r.transfer.created_at).china_date(),
        ),
        household: r.household,
        project: r.project,
        budget_id: r.budget_id.to_string(),
        amount: fen(r.transfer.amount),
        capital: Fen::new(r.transfer.amount).to_capital(),
        head: r
            .head
            .map(|h| short_head(h.seq, &h.hash))
            .unwrap_or_default(),
        page,
    })
}

fn expense_status(lang: Lang, e: &ledger::ExpenseView) -> String {
    if e.lapsed {
        return lang.t("expense-lapsed");
    }
    match e.waiting_step {
        Some(step) => lang.t_args("expense-waiting", &[("n", (step + 1).to_string())]),
        None => lang.t(&format!("expense-{}", e.expense.status)),
    }
}

async fn submit_expense(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    SignedInVisitor(visitor): SignedInVisitor,
    Path(id): Path<Uuid>,
    form: axum::extract::Multipart,
) -> Response {
    let mut page = Page::new(lang, &large, &visitor, &format!("/budget/{id}"));
    let form = match crate::extract::MultipartForm::read(form, lang).await {
        Ok(f) => f,
        Err(e) => return crate::pages::error_page(e, page),
    };
    let (get, file) = (|k: &str| form.get(k), &form.file);
    let result = async {
        let amount = yuan(&get("amount"), "amount")?;
        let payee = Uuid::parse_str(get("payee_id").trim())
            .map_err(|_| gongzhi_app::AppError::invalid("payee_unknown", "payee_id"))?;
        let budget = ledger::budget_view(&state.app, id).await?;
        let sha = uploads::store_attached(&state.app, &visitor.actor, budget.fund.tenant_id, file)
            .await?;
        ledger::submit_expense(
            &state.app,
            &visitor.actor,
            &NewExpense {
                id: None,
                budget_id: id,
                payee_id: payee,
                amount,
                description: &get("description"),
                document_sha256: &sha,
            },
        )
        .await
    }
    .await;
    match result {
        Ok(e) => Redirect::to(&format!("/expense/{e}")).into_response(),
        Err(e) => {
            page.error = Some(ApiError::from_app(e, lang).message());
            budget_view(&state, lang, page, &visitor, id).await
        }
    }
}

// ---- an expense and its sign-off ----

pub struct StepLine {
    pub n: usize,
    pub groups: String,
    pub rule: String,
    /// (name, signed, has account)
    pub people: Vec<(String, bool, bool)>,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "expense.html")]
struct ExpensePage {
    page: Page,
    id: String,
    budget_id: String,
    budget: String,
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

async fn expense_page(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    visitor: Visitor,
    Path(id): Path<Uuid>,
) -> Response {
    let page = Page::new(lang, &large, &visitor, &format!("/expense/{id}"));
    expense_view(&state, lang, page, &visitor, id).await
}

async fn expense_view(
    state: &AppState,
    lang: Lang,
    page: Page,
    visitor: &Visitor,
    id: Uuid,
) -> Response {
    let (b, v) = match ledger::expense_view(&state.app, id).await {
        Ok(v) => v,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
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
        budget_id: b.id.to_string(),
        budget: b.title.clone(),
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
                n: i + 1,
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
struct SignForm {
    decision: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    settle_amount: String,
}

async fn sign(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    SignedInVisitor(visitor): SignedInVisitor,
    Path(id): Path<Uuid>,
    ApiForm(f): ApiForm<SignForm>,
) -> Response {
    let mut page = Page::new(lang, &large, &visitor, &format!("/expense/{id}"));
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
struct PayForm {
    #[serde(default)]
    settle_amount: String,
}

async fn pay(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    SignedInVisitor(visitor): SignedInVisitor,
    Path(id): Path<Uuid>,
    ApiForm(f): ApiForm<PayForm>,
) -> Response {
    let mut page = Page::new(lang, &large, &visitor, &format!("/expense/{id}"));
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

// ---- statements ----

#[derive(Template)]
#[template(path = "statement.html")]
struct StatementPage {
    page: Page,
    id: String,
    title: String,
    fund_id: String,
    reason: String,
    posted: String,
    /// (account, opening, in, out, closing, held)
    lines: Vec<(String, String, String, String, String, String)>,
    /// (no., time, what, memo, from, to, amount)
    items: Vec<Vec<String>>,
    head: String,
    qr: String,
    url: String,
}

async fn statement_page(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    visitor: Visitor,
    Path(id): Path<Uuid>,
) -> Response {
    let page = Page::new(lang, &large, &visitor, &format!("/statement/{id}"));
    let (fund, s, head) = match ledger::statement_view(&state.app, id).await {
        Ok(v) => v,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let body: serde_json::Value = serde_json::from_str(&s.body_json).unwrap_or_default();
    let y = |v: &serde_json::Value| fen(v.as_i64().unwrap_or(0));
    let url = format!(
        "{}/statement/{id}",
        state.public_base_url.trim_end_matches('/')
    );
    render(&StatementPage {
        id: id.to_string(),
        title: lang.t_args(
            "statement-title",
            &[
                (
                    "fund",
                    if lang == Lang::En {
                        fund.name_en.clone()
                    } else {
                        fund.name_zh.clone()
                    },
                ),
                ("start", s.period_start.clone()),
                ("end", last_day(&s.period_end)),
            ],
        ),
        fund_id: fund.id.to_string(),
        reason: lang.t(&format!("statement-{}", s.reason)),
        posted: lang.minute(Instant::from_micros(s.posted_at)),
        lines: body["lines"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|l| {
                let x = &l["line"];
                (
                    l["name"].as_str().unwrap_or("").to_string(),
                    y(&x["opening"]),
                    y(&x["inflows"]),
                    y(&x["outflows"]),
                    y(&x["closing"]),
                    y(&x["held"]),
                )
            })
            .collect(),
        items: body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|i| {
                vec![
                    i["seq"].to_string(),
                    i["at"].as_str().unwrap_or("").to_string(),
                    lang.t(&format!("code-{}", i["code"].as_str().unwrap_or(""))),
                    i["memo"].as_str().unwrap_or("").to_string(),
                    i["from"].as_str().unwrap_or("").to_string(),
                    i["to"].as_str().unwrap_or("").to_string(),
                    y(&i["amount"]),
                ]
            })
            .collect(),
        head: head.map(|h| short_head(h.seq, &h.hash)).unwrap_or_default(),
        qr: qr_svg(&url),
        url,
        page,
    })
}

/// The last day of a period given by its first day after (`2026-10-01` → `2026-09-30`).
pub(crate) fn last_day(end: &str) -> String {
    gongzhi_domain::time::parse_date(end)
        .and_then(|d| d.previous_day())
        .map(gongzhi_domain::time::format_date)
        .unwrap_or_else(|| end.to_string())
}

async fn statement_file(state: &AppState, lang: Lang, id: Uuid, xlsx: bool) -> Response {
    let (_, s, _) = match ledger::statement_view(&state.app, id).await {
        Ok(v) => v,
        Err(e) => return ApiError::from_app(e, lang).into_response(),
    };
    let name = format!("statement-{}-{}", s.period_start, s.period_end);
    let (bytes, mime, ext) = if xlsx {
        match ledger::statement_xlsx(&s.body_json) {
            Ok(b) => (
                b,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            ),
            Err(e) => return ApiError::from_app(e, lang).into_response(),
        }
    } else {
        (
            ledger::statement_csv(&s.body_json),
            "text/csv; charset=utf-8",
            "csv",
        )
    };
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.{ext}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

async fn statement_csv(
    State(state): State<AppState>,
    lang: Lang,
    Path(id): Path<Uuid>,
) -> Response {
    statement_file(&state, lang, id, false).await
}

async fn statement_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    Path(id): Path<Uuid>,
) -> Response {
    statement_file(&state, lang, id, true).await
}
