//! What the pages and the API show: funds, project money pages, expenses with their sign-off.

use gongzhi_domain::lifecycle::ExpenseStatus;
use gongzhi_domain::time::Instant;
use std::collections::HashMap;

use gongzhi_domain::ledger::{AccountKind, SignoffChain, SignoffProgress};
use gongzhi_domain::time::format_date;
use gongzhi_store::Tx;
use gongzhi_store::ledger::{
    self as repo_l, AccountRow, BudgetRow, ExpenseRow, FundRow, SignatureRow, TransferRow,
};
use uuid::Uuid;

use crate::authz::{Actor, Permission};
use crate::councils::resolution_in;
use crate::{App, AppError};

use super::*;

/// A fund as the public sees it.
#[derive(Debug, Clone)]
pub struct FundView {
    pub fund: FundRow,
    pub account: AccountRow,
    pub budgets: Vec<(BudgetRow, AccountRow)>,
    pub transfers: Vec<TransferRow>,
    /// Account id → name, for the transfers' other sides.
    pub names: HashMap<Uuid, (String, String)>,
    /// Donations with the donor's name masked.
    pub donations: Vec<(Uuid, String, i64, i64)>,
    pub statements: Vec<gongzhi_store::ledger::StatementRow>,
}

pub async fn funds_of(app: &App, community: Uuid) -> Result<Vec<(FundRow, AccountRow)>, AppError> {
    let mut tx = app.db.read().await?;
    let funds = repo_l::funds(&mut tx, community).await?;
    let accounts = repo_l::accounts(&mut tx, community).await?;
    tx.rollback().await?;
    Ok(funds
        .into_iter()
        .filter_map(|f| {
            let a = accounts.iter().find(|a| a.id == f.account_id)?.clone();
            Some((f, a))
        })
        .collect())
}

pub async fn fund_view(app: &App, fund_id: Uuid) -> Result<FundView, AppError> {
    let mut tx = app.db.read().await?;
    let (tenant, fund) = load_fund(&mut tx, fund_id).await?;
    let accounts = repo_l::accounts(&mut tx, tenant).await?;
    let budgets: Vec<(BudgetRow, AccountRow)> = repo_l::budgets(&mut tx, tenant)
        .await?
        .into_iter()
        .filter(|b| b.fund_id == fund_id)
        .filter_map(|b| {
            let a = accounts.iter().find(|a| a.id == b.account_id)?.clone();
            Some((b, a))
        })
        .collect();
    let transfers = repo_l::transfers_of_account(&mut tx, tenant, fund.account_id).await?;
    let donations = repo_l::donations(&mut tx, tenant, fund_id)
        .await?
        .into_iter()
        .map(|d| {
            (
                d.id,
                gongzhi_domain::person::mask_name(&d.donor_name),
                d.amount,
                d.received_at,
            )
        })
        .collect();
    let statements = repo_l::statements(&mut tx, tenant)
        .await?
        .into_iter()
        .filter(|s| s.fund_id == fund_id)
        .collect();
    tx.rollback().await?;
    let account = accounts
        .iter()
        .find(|a| a.id == fund.account_id)
        .cloned()
        .ok_or(AppError::NotFound("account"))?;
    Ok(FundView {
        names: accounts
            .iter()
            .map(|a| (a.id, (a.name_zh.clone(), a.name_en.clone())))
            .collect(),
        fund,
        account,
        budgets,
        transfers,
        donations,
        statements,
    })
}

/// An expense with its sign-off progress as it stands now.
#[derive(Debug, Clone)]
pub struct ExpenseView {
    pub expense: ExpenseRow,
    pub payee: String,
    pub chain: SignoffChain,
    pub signatures: Vec<SignatureRow>,
    /// Per step: who belongs to it now and whether they signed.
    pub steps: Vec<Vec<(Signer, bool)>>,
    /// The step waiting, if any.
    pub waiting_step: Option<usize>,
    /// The hold lapsed (its window ended) but has not been swept yet.
    pub lapsed: bool,
}

/// A project budget's money page.
#[derive(Debug, Clone)]
pub struct BudgetView {
    pub budget: BudgetRow,
    pub account: AccountRow,
    pub fund: FundRow,
    pub resolution_label: String,
    pub transfers: Vec<TransferRow>,
    pub names: HashMap<Uuid, (String, String)>,
    pub expenses: Vec<ExpenseView>,
    /// Co-funding: households pledged, households paid in full, expected, paid.
    pub cofunding: (usize, usize, i64, i64),
    /// The project the budget pays for, if any: (id, number, title), for the page's way back.
    pub project: Option<(Uuid, i64, String)>,
}

/// What a project budget paid out: its posted debits less what close-out returned to the fund
/// (the return is a posted debit of the project's account too, but nobody spent it).
pub fn budget_spent(released: Option<i64>, balance: &gongzhi_domain::ledger::Balance) -> i64 {
    balance.debits_posted - released.unwrap_or(0)
}

pub(super) async fn expense_view_in(
    tx: &mut Tx,
    app: &App,
    tenant: Uuid,
    e: ExpenseRow,
    b: &BudgetRow,
    accounts: &[AccountRow],
) -> Result<ExpenseView, AppError> {
    let chain = pinned_chain(&e)?;
    let today = format_date(app.now().china_date());
    let members = signers_of(tx, tenant, b, &e, &chain, &today).await?;
    let sigs = repo_l::signatures(tx, tenant, e.id).await?;
    let waiting_step = match (e.status, progress_of(&chain, &members, &sigs)) {
        (ExpenseStatus::Held, SignoffProgress::Waiting { step, .. }) => Some(step),
        _ => None,
    };
    let steps = members
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            m.into_iter()
                .map(|s| {
                    let signed = sigs.iter().any(|g| {
                        g.step == i as i64 && g.account_id == s.id && g.decision == "signed"
                    });
                    (s, signed)
                })
                .collect()
        })
        .collect();
    Ok(ExpenseView {
        payee: accounts
            .iter()
            .find(|a| a.id == e.payee_id)
            .map(|a| a.name_zh.clone())
            .unwrap_or_default(),
        lapsed: e
            .status
            .is_lapsed(Instant::from_micros(e.expires_at), app.now()),
        expense: e,
        chain,
        signatures: sigs,
        steps,
        waiting_step,
    })
}

pub async fn budget_view(app: &App, budget_id: Uuid) -> Result<BudgetView, AppError> {
    let mut tx = app.db.read().await?;
    let (tenant, budget) = load_budget(&mut tx, budget_id).await?;
    let accounts = repo_l::accounts(&mut tx, tenant).await?;
    let fund = repo_l::fund(&mut tx, tenant, budget.fund_id)
        .await?
        .ok_or(AppError::NotFound("fund"))?;
    let (_, r) = resolution_in(&mut tx, app.now(), budget.resolution_id).await?;
    let transfers = repo_l::transfers_of_account(&mut tx, tenant, budget.account_id).await?;
    let mut expenses = Vec::new();
    for e in repo_l::expenses(&mut tx, tenant)
        .await?
        .into_iter()
        .filter(|e| e.budget_id == budget_id)
    {
        expenses.push(expense_view_in(&mut tx, app, tenant, e, &budget, &accounts).await?);
    }
    let pledges = repo_l::pledges(&mut tx, tenant, budget_id).await?;
    let project = gongzhi_store::projects::project_of_budget(&mut tx, tenant, budget_id)
        .await?
        .map(|p| (p.id, p.number, p.title));
    tx.rollback().await?;
    let account = accounts
        .iter()
        .find(|a| a.id == budget.account_id)
        .cloned()
        .ok_or(AppError::NotFound("account"))?;
    Ok(BudgetView {
        cofunding: (
            pledges.len(),
            pledges.iter().filter(|p| p.3 >= p.2).count(),
            pledges.iter().map(|p| p.2).sum(),
            pledges.iter().map(|p| p.3).sum(),
        ),
        names: accounts
            .iter()
            .map(|a| (a.id, (a.name_zh.clone(), a.name_en.clone())))
            .collect(),
        resolution_label: r.row.label,
        project,
        budget,
        account,
        fund,
        transfers,
        expenses,
    })
}

pub async fn expense_view(
    app: &App,
    expense_id: Uuid,
) -> Result<(BudgetRow, ExpenseView), AppError> {
    let mut tx = app.db.read().await?;
    let (tenant, e) = load_expense(&mut tx, expense_id).await?;
    let b = repo_l::budget(&mut tx, tenant, e.budget_id)
        .await?
        .ok_or(AppError::NotFound("budget"))?;
    let accounts = repo_l::accounts(&mut tx, tenant).await?;
    let v = expense_view_in(&mut tx, app, tenant, e, &b, &accounts).await?;
    tx.rollback().await?;
    Ok((b, v))
}

/// Expenses waiting for this account's signature now (for a signer's home page).
pub async fn expenses_awaiting(
    app: &App,
    actor: &Actor,
    community: Uuid,
) -> Result<Vec<(BudgetRow, ExpenseView)>, AppError> {
    let Some(me) = actor.account_id else {
        return Ok(vec![]);
    };
    let mut tx = app.db.read().await?;
    let accounts = repo_l::accounts(&mut tx, community).await?;
    let budgets = repo_l::budgets(&mut tx, community).await?;
    let mut out = Vec::new();
    for e in repo_l::expenses(&mut tx, community)
        .await?
        .into_iter()
        .filter(|e| e.status == ExpenseStatus::Held)
    {
        let Some(b) = budgets.iter().find(|b| b.id == e.budget_id).cloned() else {
            continue;
        };
        let v = expense_view_in(&mut tx, app, community, e, &b, &accounts).await?;
        if let Some(step) = v.waiting_step
            && v.steps[step]
                .iter()
                .any(|(s, signed)| s.id == me && !signed)
        {
            out.push((b, v));
        }
    }
    tx.rollback().await?;
    Ok(out)
}

/// The payees a community has registered: (account id, name).
pub async fn payees(app: &App, community: Uuid) -> Result<Vec<(Uuid, String)>, AppError> {
    let mut tx = app.db.read().await?;
    let accounts = repo_l::accounts(&mut tx, community).await?;
    tx.rollback().await?;
    Ok(accounts
        .into_iter()
        .filter(|a| a.kind == AccountKind::Payee.key())
        .map(|a| (a.id, a.name_zh))
        .collect())
}

/// Whether the actor keeps the funds at this jurisdiction (for showing staff forms).
pub async fn can_manage_funds(app: &App, actor: &Actor, jurisdiction: Uuid) -> bool {
    actor.may(app, Permission::ManageFunds, jurisdiction).await
}

/// Whether this account holds the custodian office for a fund today.
pub async fn is_custodian_of(app: &App, fund_id: Uuid, account: Option<Uuid>) -> bool {
    let Some(account) = account else {
        return false;
    };
    let Ok(mut tx) = app.db.read().await else {
        return false;
    };
    let found = match load_fund(&mut tx, fund_id).await {
        Ok((tenant, f)) => {
            f.custodian.is_some()
                && is_custodian(&mut tx, tenant, &f, account, app)
                    .await
                    .unwrap_or(false)
        }
        Err(_) => false,
    };
    let _ = tx.rollback().await;
    found
}

/// A community's posted statements, newest period first, with their fund's name (for the notice
/// board: disclosure is a public notice too).
pub async fn statements_of(
    app: &App,
    community: Uuid,
) -> Result<Vec<(FundRow, gongzhi_store::ledger::StatementRow)>, AppError> {
    let mut tx = app.db.reads().await?;
    let funds = repo_l::funds(&mut tx, community).await?;
    let statements = repo_l::statements(&mut tx, community).await?;
    tx.rollback().await?;
    Ok(statements
        .into_iter()
        .filter_map(|s| Some((funds.iter().find(|f| f.id == s.fund_id)?.clone(), s)))
        .collect())
}
