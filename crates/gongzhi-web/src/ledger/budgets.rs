//! A budget's page: what was pledged and spent, its expenses, receipts and the form to submit one.

use crate::AppState;
use crate::api_ledger::yuan;
use crate::error::ApiError;
use crate::extract::{PageContext, SignedInPage, Visitor};
use crate::i18n::Lang;
use crate::pages::{Page, error_page, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use gongzhi_app::ledger::{self, NewExpense};
use gongzhi_app::uploads;
use gongzhi_domain::Fen;
use gongzhi_domain::audit::short_head;
use gongzhi_domain::time::Instant;
use uuid::Uuid;

use super::*;

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
pub(super) struct BudgetPage {
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

pub(super) async fn budget_page(
    State(state): State<AppState>,
    PageContext(lang, visitor, page): PageContext,
    Path(id): Path<Uuid>,
) -> Response {
    budget_view(&state, lang, page, &visitor, id).await
}

pub(super) async fn budget_view(
    state: &AppState,
    lang: Lang,
    mut page: Page,
    visitor: &Visitor,
    id: Uuid,
) -> Response {
    let v = match ledger::budget_view(&state.app, id).await {
        Ok(v) => v,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    // The way back: the community and the place, then the project the money is for.
    page.trail_to(state, v.budget.jurisdiction_id).await;
    if let Some((project, number, title)) = &v.project {
        page.then(
            format!("{} {number} · {title}", lang.t("project-no")),
            format!("/p/{project}"),
        );
    }
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
pub(super) struct ReceiptPage {
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

pub(super) async fn receipt_page(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, page): SignedInPage,
    Path(id): Path<Uuid>,
) -> Response {
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

pub(super) fn expense_status(lang: Lang, e: &ledger::ExpenseView) -> String {
    if e.lapsed {
        return lang.t("expense-lapsed");
    }
    match e.waiting_step {
        Some(step) => lang.t_args("expense-waiting", &[("n", (step + 1).to_string())]),
        None => lang.t(&format!("expense-{}", e.expense.status)),
    }
}

pub(super) async fn submit_expense(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path(id): Path<Uuid>,
    form: axum::extract::Multipart,
) -> Response {
    // The page the form was on.
    page.path = format!("/budget/{id}");
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
