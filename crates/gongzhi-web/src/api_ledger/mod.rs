//! The JSON API of the community fund: funds, receipts, donations, payees, project budgets,
//! co-funding, expenses and their sign-off, custody payments, refunds, corrections and
//! statements. Amounts go in as yuan written as text (`"36000"`, `"1,500.50"`; at most two
//! decimals) and come out both as integer fen (`*_fen`) and as display text.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use gongzhi_app::ledger::{self, NewBudget, NewFund, Receipt};
use gongzhi_app::{AppError, places};
use gongzhi_domain::time::Instant;
use gongzhi_domain::{DomainError, Fen};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::AppState;
use crate::api::{ApiResult, Route, created, err, obj, ok};
use crate::extract::{ApiJson, Authed};
use crate::i18n::Lang;

mod expenses;
pub(crate) use expenses::*;

/// Parses yuan as people write them into fen, naming the field at fault.
pub fn yuan(text: &str, field: &'static str) -> Result<i64, AppError> {
    Fen::parse_yuan(text).map(|f| f.fen()).map_err(|e| {
        AppError::Invalid(DomainError {
            field: Some(field),
            ..e
        })
    })
}

pub(crate) fn money(fen: i64) -> Value {
    json!({"fen": fen, "text": Fen::new(fen).to_string()})
}

pub const ROUTES: &[Route] = &[
    Route {
        method: "post",
        path: "/funds",
        handler: || post(create_fund),
        operation: "create_fund",
        summary: "Open a community fund for a programme and year (optionally held by a custodian)",
        body: Some(|| {
            obj(
                &["community_id", "programme", "year", "name_zh"],
                &[
                    ("community_id", "string"),
                    ("programme", "string"),
                    ("year", "integer"),
                    ("name_zh", "string"),
                    ("name_en", "string"),
                    ("custodian_organisation_id", "string"),
                ],
            )
        }),
    },
    Route {
        method: "get",
        path: "/communities/{code}/funds",
        handler: || get(list_funds),
        operation: "list_funds",
        summary: "A community's funds with their balances (public)",
        body: None,
    },
    Route {
        method: "get",
        path: "/funds/{id}",
        handler: || get(fund),
        operation: "fund",
        summary: "A fund: balance, budgets, transfers, masked donations, statements (public)",
        body: None,
    },
    Route {
        method: "post",
        path: "/funds/{id}/receipts",
        handler: || post(receive),
        operation: "receive",
        summary: "Record money received into a fund (allocation or carry-over); idempotent by id",
        body: Some(|| {
            obj(
                &["source", "amount", "code", "memo"],
                &[
                    ("id", "string"),
                    ("source", "string"),
                    ("amount", "string"),
                    ("code", "string"),
                    ("memo", "string"),
                ],
            )
        }),
    },
    Route {
        method: "post",
        path: "/funds/{id}/allocations",
        handler: || post(allocate),
        operation: "allocate",
        summary: "Record an allocation into a fund, split between the paying budgets by the rulebook's shares (fund.allocation_shares); idempotent by id",
        body: Some(|| {
            obj(
                &["amount", "memo"],
                &[("id", "string"), ("amount", "string"), ("memo", "string")],
            )
        }),
    },
    Route {
        method: "post",
        path: "/funds/{id}/donations",
        handler: || post(donation),
        operation: "record_donation",
        summary: "Record a donation into a fund (the donor's name is masked on public pages)",
        body: Some(|| {
            obj(
                &["donor_name", "amount"],
                &[
                    ("id", "string"),
                    ("donor_name", "string"),
                    ("amount", "string"),
                ],
            )
        }),
    },
    Route {
        method: "post",
        path: "/funds/{id}/refunds",
        handler: || post(refund),
        operation: "refund",
        summary: "Money a payee returns to the fund (custodian only for a custodian-held fund)",
        body: Some(|| {
            obj(
                &["payee_id", "amount", "memo"],
                &[
                    ("id", "string"),
                    ("payee_id", "string"),
                    ("amount", "string"),
                    ("memo", "string"),
                ],
            )
        }),
    },
    Route {
        method: "post",
        path: "/funds/{id}/statements",
        handler: || post(post_statement),
        operation: "post_statement",
        summary: "Post a fund's statement for an ended period (financial disclosure)",
        body: Some(|| {
            obj(
                &["period_start", "period_end", "reason"],
                &[
                    ("period_start", "string"),
                    ("period_end", "string"),
                    ("reason", "string"),
                ],
            )
        }),
    },
    Route {
        method: "get",
        path: "/communities/{code}/statements/due",
        handler: || get(due_statements),
        operation: "due_statements",
        summary: "Statements the rulebook's disclosure schedule asks for that are not posted",
        body: None,
    },
    Route {
        method: "get",
        path: "/statements/{id}",
        handler: || get(statement),
        operation: "statement",
        summary: "A posted statement (public)",
        body: None,
    },
    Route {
        method: "post",
        path: "/communities/{id}/payees",
        handler: || post(register_payee),
        operation: "register_payee",
        summary: "Register someone the community pays (a contractor, a hospital)",
        body: Some(|| {
            obj(
                &["name_zh"],
                &[("name_zh", "string"), ("name_en", "string")],
            )
        }),
    },
    Route {
        method: "post",
        path: "/communities/{id}/vouchers",
        handler: || post(import_vouchers),
        operation: "import_vouchers",
        summary: "Post vouchers from a CSV or XLSX body (voucher, memo, account, in, out, code): balanced vouchers only; all or nothing with a row-by-row report",
        body: None,
    },
    Route {
        method: "post",
        path: "/budgets",
        handler: || post(reserve_budget),
        operation: "reserve_budget",
        summary: "Reserve a project's budget from a fund on a project-approval resolution in force",
        body: Some(|| {
            json!({
                "type": "object",
                "required": ["resolution_id", "fund_id", "title", "reserved"],
                "properties": {
                    "id": {"type": "string"},
                    "resolution_id": {"type": "string"},
                    "jurisdiction_id": {"type": "string", "description": "where the project is (defaults to the deciding council's place)"},
                    "fund_id": {"type": "string"},
                    "title": {"type": "string"},
                    "reserved": {"type": "string"},
                    "reason": {"type": "string", "description": "required for a second budget on the same resolution"},
                    "pledges": {"type": "array", "items": {"type": "object", "required": ["household_id", "amount"],
                        "properties": {"household_id": {"type": "string"}, "amount": {"type": "string"}}}}
                }
            })
        }),
    },
    Route {
        method: "get",
        path: "/budgets/{id}",
        handler: || get(budget),
        operation: "budget",
        summary: "A project's money: reservation, co-funding, expenses with sign-off, transfers (public)",
        body: None,
    },
    Route {
        method: "post",
        path: "/budgets/{id}/cofunding",
        handler: || post(cofunding),
        operation: "receive_cofunding",
        summary: "A household pays its co-funding pledge; idempotent by id",
        body: Some(|| {
            obj(
                &["household_id", "amount"],
                &[
                    ("id", "string"),
                    ("household_id", "string"),
                    ("amount", "string"),
                ],
            )
        }),
    },
    Route {
        method: "post",
        path: "/budgets/{id}/close",
        handler: || post(close_budget),
        operation: "close_budget",
        summary: "Close a project's budget: what was not spent goes back to the fund",
        body: None,
    },
    Route {
        method: "post",
        path: "/expenses",
        handler: || post(submit_expense),
        operation: "submit_expense",
        summary: "Submit an expense with its uploaded invoice: the money is held at once",
        body: Some(|| {
            obj(
                &[
                    "budget_id",
                    "payee_id",
                    "amount",
                    "description",
                    "document_sha256",
                ],
                &[
                    ("id", "string"),
                    ("budget_id", "string"),
                    ("payee_id", "string"),
                    ("amount", "string"),
                    ("description", "string"),
                    ("document_sha256", "string"),
                ],
            )
        }),
    },
    Route {
        method: "get",
        path: "/expenses/{id}",
        handler: || get(expense),
        operation: "expense",
        summary: "An expense with its sign-off chain and who has signed (public)",
        body: None,
    },
    Route {
        method: "post",
        path: "/expenses/{id}/signers",
        handler: || post(reassign_signers),
        operation: "reassign_signers",
        summary: "Re-pin who signs a held expense to today's office holders (an explicit, recorded re-assignment, with its reason)",
        body: Some(|| obj(&["reason"], &[("reason", "string")])),
    },
    Route {
        method: "post",
        path: "/expenses/{id}/sign",
        handler: || post(sign_expense),
        operation: "sign_expense",
        summary: "Sign or reject an expense at its current step (the last signer may settle less)",
        body: Some(|| {
            obj(
                &["decision"],
                &[
                    ("decision", "string"),
                    ("reason", "string"),
                    ("settle_amount", "string"),
                ],
            )
        }),
    },
    Route {
        method: "post",
        path: "/expenses/{id}/pay",
        handler: || post(pay_expense),
        operation: "pay_expense",
        summary: "The custodian pays an approved expense from a custodian-held fund",
        body: Some(|| obj(&[], &[("settle_amount", "string")])),
    },
    Route {
        method: "post",
        path: "/transfers/{id}/reverse",
        handler: || post(reverse_transfer),
        operation: "reverse_transfer",
        summary: "Correct a posted transfer with a reversing transfer (never an edit)",
        body: Some(|| obj(&["reason"], &[("reason", "string")])),
    },
];

#[derive(Deserialize)]
struct FundBody {
    community_id: Uuid,
    programme: String,
    year: i64,
    name_zh: String,
    #[serde(default)]
    name_en: String,
    /// The custodian organisation (its id in the directory). A custodian named only in words,
    /// as before, is refused: only an organisation's people can be held to it.
    custodian: Option<String>,
    custodian_organisation_id: Option<Uuid>,
}

async fn create_fund(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<FundBody>,
) -> ApiResult {
    if b.custodian_organisation_id.is_none()
        && b.custodian.as_deref().is_some_and(|c| !c.trim().is_empty())
    {
        return Err(err(lang)(AppError::invalid(
            "custodian_needs_organisation",
            "custodian_organisation_id",
        )));
    }
    let id = ledger::create_fund(
        &state.app,
        &v.actor,
        &NewFund {
            community_id: b.community_id,
            programme: &b.programme,
            year: b.year,
            name_zh: &b.name_zh,
            name_en: &b.name_en,
            custodian: b.custodian_organisation_id,
        },
    )
    .await
    .map_err(err(lang))?;
    created(json!({"id": id}))
}

fn balance_json(b: &gongzhi_domain::ledger::Balance) -> Value {
    json!({
        "available": money(b.available()), "held": money(b.debits_pending),
        "received": money(b.credits_posted), "spent": money(b.debits_posted),
    })
}

/// A project budget's balance: what close-out returned to the fund is `released`, not spent.
fn budget_balance_json(released: Option<i64>, b: &gongzhi_domain::ledger::Balance) -> Value {
    let mut v = balance_json(b);
    v["spent"] = money(ledger::budget_spent(released, b));
    v
}

async fn list_funds(
    State(state): State<AppState>,
    lang: Lang,
    Path(code): Path<String>,
) -> ApiResult {
    let j = places::jurisdiction_by_code(&state.app, &code)
        .await
        .map_err(err(lang))?;
    let funds = ledger::funds_of(&state.app, j.id)
        .await
        .map_err(err(lang))?;
    ok(Value::Array(
        funds
            .iter()
            .map(|(f, a)| {
                json!({"id": f.id, "programme": f.programme, "year": f.year, "name_zh": f.name_zh,
                       "name_en": f.name_en, "custodian": f.custodian, "balance": balance_json(&a.balance)})
            })
            .collect(),
    ))
}

fn transfer_json(
    t: &gongzhi_app::records::TransferRow,
    names: &std::collections::HashMap<Uuid, (String, String)>,
) -> Value {
    let name = |id: &Uuid| names.get(id).map(|n| n.0.clone()).unwrap_or_default();
    json!({
        "id": t.id, "seq": t.seq, "at": Instant::from_micros(t.created_at).china_minute(), "phase": t.phase,
        "code": t.code, "memo": t.memo, "amount": money(t.amount),
        "from": name(&t.debit_id), "to": name(&t.credit_id), "pending_id": t.pending_id,
        "reverses_id": t.reverses_id,
    })
}

async fn fund(State(state): State<AppState>, lang: Lang, Path(id): Path<Uuid>) -> ApiResult {
    let v = ledger::fund_view(&state.app, id).await.map_err(err(lang))?;
    ok(json!({
        "id": v.fund.id, "programme": v.fund.programme, "year": v.fund.year,
        "name_zh": v.fund.name_zh, "name_en": v.fund.name_en, "custodian": v.fund.custodian,
        "balance": balance_json(&v.account.balance),
        "budgets": v.budgets.iter().map(|(b, a)| json!({"id": b.id, "title": b.title, "status": b.status,
            "reserved": money(b.reserved), "balance": budget_balance_json(b.released, &a.balance)})).collect::<Vec<_>>(),
        "donations": v.donations.iter().map(|(id, donor, amount, at)| json!({"id": id, "donor": donor,
            "amount": money(*amount), "at": Instant::from_micros(*at).china_minute()})).collect::<Vec<_>>(),
        "statements": v.statements.iter().map(|s| json!({"id": s.id, "period_start": s.period_start,
            "period_end": s.period_end, "reason": s.reason})).collect::<Vec<_>>(),
        "transfers": v.transfers.iter().map(|t| transfer_json(t, &v.names)).collect::<Vec<_>>(),
    }))
}

#[derive(Deserialize)]
struct ReceiptBody {
    id: Option<Uuid>,
    source: String,
    amount: String,
    code: String,
    memo: String,
}

fn posted_json(p: ledger::Posted) -> ApiResult {
    let body = json!({"transfer_id": p.transfer_id, "created": p.created});
    if p.created { created(body) } else { ok(body) }
}

async fn receive(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<ReceiptBody>,
) -> ApiResult {
    let amount = yuan(&b.amount, "amount").map_err(err(lang))?;
    let p = ledger::receive(
        &state.app,
        &v.actor,
        &Receipt {
            id: b.id,
            fund_id: id,
            source: &b.source,
            amount,
            code: &b.code,
            memo: &b.memo,
        },
    )
    .await
    .map_err(err(lang))?;
    posted_json(p)
}

#[derive(Deserialize)]
struct DonationBody {
    id: Option<Uuid>,
    donor_name: String,
    amount: String,
}

async fn donation(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<DonationBody>,
) -> ApiResult {
    let amount = yuan(&b.amount, "amount").map_err(err(lang))?;
    let d = ledger::record_donation(&state.app, &v.actor, b.id, id, &b.donor_name, amount)
        .await
        .map_err(err(lang))?;
    created(json!({"id": d}))
}

#[derive(Deserialize)]
struct RefundBody {
    id: Option<Uuid>,
    payee_id: Uuid,
    amount: String,
    memo: String,
}

async fn refund(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<RefundBody>,
) -> ApiResult {
    let amount = yuan(&b.amount, "amount").map_err(err(lang))?;
    let p = ledger::refund(&state.app, &v.actor, b.id, b.payee_id, id, amount, &b.memo)
        .await
        .map_err(err(lang))?;
    posted_json(p)
}

#[derive(Deserialize)]
struct StatementBody {
    period_start: String,
    period_end: String,
    reason: String,
}

async fn post_statement(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<StatementBody>,
) -> ApiResult {
    let s = ledger::post_statement(
        &state.app,
        &v.actor,
        id,
        &b.period_start,
        &b.period_end,
        &b.reason,
    )
    .await
    .map_err(err(lang))?;
    created(json!({"id": s}))
}

async fn due_statements(
    State(state): State<AppState>,
    lang: Lang,
    Path(code): Path<String>,
) -> ApiResult {
    let j = places::jurisdiction_by_code(&state.app, &code)
        .await
        .map_err(err(lang))?;
    let due = ledger::due_statements(&state.app, j.id)
        .await
        .map_err(err(lang))?;
    ok(Value::Array(
        due.iter()
            .map(|d| {
                json!({"fund_id": d.fund_id, "fund": d.fund_name, "period_start": d.period_start,
                       "period_end": d.period_end, "reason": d.reason})
            })
            .collect(),
    ))
}

async fn statement(State(state): State<AppState>, lang: Lang, Path(id): Path<Uuid>) -> ApiResult {
    let (fund, s, _) = ledger::statement_view(&state.app, id)
        .await
        .map_err(err(lang))?;
    let body: Value = serde_json::from_str(&s.body_json).unwrap_or_default();
    ok(json!({
        "id": s.id, "fund_id": fund.id, "fund": fund.name_zh, "period_start": s.period_start,
        "period_end": s.period_end, "reason": s.reason,
        "posted_at": Instant::from_micros(s.posted_at).china_minute(), "lines": body["lines"], "items": body["items"],
    }))
}

#[derive(Deserialize)]
struct PayeeBody {
    name_zh: String,
    #[serde(default)]
    name_en: String,
}

async fn register_payee(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<PayeeBody>,
) -> ApiResult {
    let p = ledger::register_payee(&state.app, &v.actor, id, &b.name_zh, &b.name_en)
        .await
        .map_err(err(lang))?;
    created(json!({"id": p}))
}

#[derive(Deserialize)]
struct PledgeBody {
    household_id: Uuid,
    amount: String,
}

#[derive(Deserialize)]
struct BudgetBody {
    id: Option<Uuid>,
    resolution_id: Uuid,
    jurisdiction_id: Option<Uuid>,
    fund_id: Uuid,
    title: String,
    reserved: String,
    #[serde(default)]
    pledges: Vec<PledgeBody>,
    /// Why a second budget is reserved on a resolution that has one.
    reason: Option<String>,
}

async fn reserve_budget(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<BudgetBody>,
) -> ApiResult {
    let reserved = yuan(&b.reserved, "reserved").map_err(err(lang))?;
    let pledges = b
        .pledges
        .iter()
        .map(|p| Ok((p.household_id, yuan(&p.amount, "pledges")?)))
        .collect::<Result<Vec<_>, AppError>>()
        .map_err(err(lang))?;
    let id = ledger::reserve_budget(
        &state.app,
        &v.actor,
        &NewBudget {
            id: b.id,
            resolution_id: b.resolution_id,
            jurisdiction_id: b.jurisdiction_id,
            fund_id: b.fund_id,
            title: &b.title,
            reserved,
            pledges: &pledges,
            reason: b.reason.as_deref(),
        },
    )
    .await
    .map_err(err(lang))?;
    created(json!({"id": id}))
}

fn expense_json(v: &ledger::ExpenseView) -> Value {
    let e = &v.expense;
    json!({
        "id": e.id, "budget_id": e.budget_id, "payee": v.payee, "amount": money(e.amount),
        "description": e.description, "document_sha256": e.document_sha256, "status": e.status,
        "lapsed": v.lapsed, "submitted_at": Instant::from_micros(e.submitted_at).china_minute(),
        "expires_at": Instant::from_micros(e.expires_at).china_minute(),
        "settled": e.settled_amount.map(money), "reason": e.reason,
        "waiting_step": v.waiting_step,
        "chain": v.chain.steps.iter().zip(&v.steps).map(|(step, people)| json!({
            "signers": step.signers, "all": step.all,
            "people": people.iter().map(|(s, signed)| json!({"name": s.name, "signed": signed,
                "has_account": s.has_account})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "signatures": v.signatures.iter().map(|s| json!({"step": s.step, "name": s.display_name,
            "decision": s.decision, "reason": s.reason, "at": Instant::from_micros(s.signed_at).china_minute()}))
            .collect::<Vec<_>>(),
    })
}

async fn budget(State(state): State<AppState>, lang: Lang, Path(id): Path<Uuid>) -> ApiResult {
    let v = ledger::budget_view(&state.app, id)
        .await
        .map_err(err(lang))?;
    let (pledged, paid_in_full, expected, paid) = v.cofunding;
    ok(json!({
        "id": v.budget.id, "title": v.budget.title, "status": v.budget.status,
        "resolution": {"id": v.budget.resolution_id, "label": v.resolution_label},
        "fund": {"id": v.fund.id, "name": v.fund.name_zh},
        "reserved": money(v.budget.reserved), "released": v.budget.released.map(money),
        "balance": budget_balance_json(v.budget.released, &v.account.balance),
        "cofunding": {"households": pledged, "paid_in_full": paid_in_full, "expected": money(expected), "paid": money(paid)},
        "expenses": v.expenses.iter().map(expense_json).collect::<Vec<_>>(),
        "transfers": v.transfers.iter().map(|t| transfer_json(t, &v.names)).collect::<Vec<_>>(),
    }))
}

#[derive(Deserialize)]
struct CofundingBody {
    id: Option<Uuid>,
    household_id: Uuid,
    amount: String,
}

async fn cofunding(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<CofundingBody>,
) -> ApiResult {
    let amount = yuan(&b.amount, "amount").map_err(err(lang))?;
    let p = ledger::receive_cofunding(&state.app, &v.actor, b.id, id, b.household_id, amount)
        .await
        .map_err(err(lang))?;
    posted_json(p)
}

async fn close_budget(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
) -> ApiResult {
    let back = ledger::close_budget(&state.app, &v.actor, id)
        .await
        .map_err(err(lang))?;
    ok(json!({"released": money(back)}))
}

async fn import_vouchers(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    body: axum::body::Body,
) -> ApiResult {
    ledger::authorize_voucher_import(&state.app, &v.actor, id)
        .await
        .map_err(err(lang))?;
    let body = crate::extract::read_body(body, crate::IMPORT_BODY_LIMIT, lang).await?;
    let r = ledger::import_vouchers(&state.app, &v.actor, id, &body)
        .await
        .map_err(err(lang))?;
    created(json!({"vouchers": r.vouchers, "transfers": r.transfers}))
}

#[derive(Deserialize)]
struct AllocationBody {
    id: Option<Uuid>,
    amount: String,
    memo: String,
}

async fn allocate(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<AllocationBody>,
) -> ApiResult {
    let amount = yuan(&b.amount, "amount").map_err(err(lang))?;
    let parts = ledger::allocate(&state.app, &v.actor, b.id, id, amount, &b.memo)
        .await
        .map_err(err(lang))?;
    created(
        json!({"parts": parts.iter().map(|(source, fen)| json!({"source": source, "amount": money(*fen)})).collect::<Vec<_>>()}),
    )
}
