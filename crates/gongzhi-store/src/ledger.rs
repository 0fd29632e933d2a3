//! Reads for the fund ledger: accounts, funds, project budgets, transfers, expenses and their
//! signatures, donations and statements. Rows are selected with the registry's column list, so a
//! struct's fields follow the table's column order.

use gongzhi_domain::ledger::Balance;
use gongzhi_domain::lifecycle::{BudgetStatus, ExpenseStatus};
use uuid::Uuid;

use crate::StoreError;
use crate::db::Tx;
use crate::rows::{all, one, select};
use crate::schema::{ColType, table};
use crate::value::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: Uuid,
    pub kind: String,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub balance: Balance,
    pub created_at: i64,
}

fn account_row(r: &Row) -> Result<AccountRow, StoreError> {
    Ok(AccountRow {
        id: r.id(1)?,
        kind: r.text(2)?,
        code: r.text(3)?,
        name_zh: r.text(4)?,
        name_en: r.text(5)?,
        balance: Balance {
            debits_pending: r.int(6)?,
            debits_posted: r.int(7)?,
            credits_pending: r.int(8)?,
            credits_posted: r.int(9)?,
        },
        created_at: r.int(10)?,
    })
}

pub async fn account(
    tx: &mut Tx,
    tenant: Uuid,
    id: Uuid,
) -> Result<Option<AccountRow>, StoreError> {
    one(
        select(
            tx,
            "ledger_accounts",
            "tenant_id = $1 AND id = $2",
            &[tenant.into(), id.into()],
            "",
        )
        .await,
        account_row,
    )
    .await
}

pub async fn account_by_code(
    tx: &mut Tx,
    tenant: Uuid,
    code: &str,
) -> Result<Option<AccountRow>, StoreError> {
    one(
        select(
            tx,
            "ledger_accounts",
            "tenant_id = $1 AND code = $2",
            &[tenant.into(), code.into()],
            "",
        )
        .await,
        account_row,
    )
    .await
}

/// Accounts by id, in bulk (missing ones are left out).
pub async fn accounts_by_id(
    tx: &mut Tx,
    tenant: Uuid,
    ids: &[Uuid],
) -> Result<Vec<AccountRow>, StoreError> {
    all(
        crate::rows::get_many_by_id(tx, "ledger_accounts", tenant, ids).await?,
        account_row,
    )
}

/// Transfers by id, in bulk (for idempotent batches; missing ones are left out).
pub async fn transfers_by_id(
    tx: &mut Tx,
    tenant: Uuid,
    ids: &[Uuid],
) -> Result<Vec<TransferRow>, StoreError> {
    all(
        crate::rows::get_many_by_id(tx, "ledger_transfers", tenant, ids).await?,
        transfer_row,
    )
}

pub async fn accounts(tx: &mut Tx, tenant: Uuid) -> Result<Vec<AccountRow>, StoreError> {
    all(
        select(
            tx,
            "ledger_accounts",
            "tenant_id = $1",
            &[tenant.into()],
            "ORDER BY id",
        )
        .await?,
        account_row,
    )
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub jurisdiction_id: Uuid,
    pub programme: String,
    pub year: i64,
    pub name_zh: String,
    pub name_en: String,
    pub account_id: Uuid,
    pub custodian: Option<String>,
    pub created_at: i64,
    /// The custodian organisation (funds opened before migration 11 name it only in words).
    pub custodian_org_id: Option<Uuid>,
}

fn fund_row(r: &Row) -> Result<FundRow, StoreError> {
    Ok(FundRow {
        tenant_id: r.id(0)?,
        id: r.id(1)?,
        jurisdiction_id: r.id(2)?,
        programme: r.text(3)?,
        year: r.int(4)?,
        name_zh: r.text(5)?,
        name_en: r.text(6)?,
        account_id: r.id(7)?,
        custodian: r.opt_text(8)?,
        created_at: r.int(9)?,
        custodian_org_id: r.opt_id(10)?,
    })
}

pub async fn fund(tx: &mut Tx, tenant: Uuid, id: Uuid) -> Result<Option<FundRow>, StoreError> {
    one(
        select(
            tx,
            "funds",
            "tenant_id = $1 AND id = $2",
            &[tenant.into(), id.into()],
            "",
        )
        .await,
        fund_row,
    )
    .await
}

pub async fn funds(tx: &mut Tx, tenant: Uuid) -> Result<Vec<FundRow>, StoreError> {
    all(
        select(
            tx,
            "funds",
            "tenant_id = $1",
            &[tenant.into()],
            "ORDER BY year DESC, id",
        )
        .await?,
        fund_row,
    )
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub jurisdiction_id: Uuid,
    pub resolution_id: Uuid,
    pub fund_id: Uuid,
    pub account_id: Uuid,
    pub title: String,
    pub reserved: i64,
    pub cofunding_expected: i64,
    pub status: BudgetStatus,
    pub created_at: i64,
    pub closed_at: Option<i64>,
    pub released: Option<i64>,
    /// Why a second budget was reserved on the same resolution.
    pub reason: Option<String>,
}

fn budget_row(r: &Row) -> Result<BudgetRow, StoreError> {
    Ok(BudgetRow {
        tenant_id: r.id(0)?,
        id: r.id(1)?,
        jurisdiction_id: r.id(2)?,
        resolution_id: r.id(3)?,
        fund_id: r.id(4)?,
        account_id: r.id(5)?,
        title: r.text(6)?,
        reserved: r.int(7)?,
        cofunding_expected: r.int(8)?,
        status: r.word(9)?,
        created_at: r.int(10)?,
        closed_at: r.opt_int(11)?,
        released: r.opt_int(12)?,
        reason: r.opt_text(13)?,
    })
}

/// What a project-approval resolution approves: from the fund and from households'
/// co-funding, in fen. A project's motion approves the project's funding split; a motion
/// without a project, what it stated (`approved_fund`, no co-funding bound); `None` when the
/// resolution states no amount.
pub async fn approved_amounts(
    tx: &mut Tx,
    tenant: Uuid,
    resolution: Uuid,
) -> Result<Option<(i64, Option<i64>)>, StoreError> {
    let row = tx
        .row(
            "SELECT m.approved_fund, p.fund_share, p.cofunding_share \
             FROM resolutions r JOIN motions m ON m.tenant_id = r.tenant_id AND m.id = r.motion_id \
             LEFT JOIN project_motions pm ON pm.tenant_id = m.tenant_id AND pm.motion_id = m.id \
             LEFT JOIN projects p ON p.tenant_id = pm.tenant_id AND p.id = pm.project_id \
             WHERE r.tenant_id = $1 AND r.id = $2",
            &[tenant.into(), resolution.into()],
            &[ColType::Int, ColType::Int, ColType::Int],
        )
        .await?;
    let Some(r) = row else {
        return Ok(None);
    };
    Ok(match (r.opt_int(1)?, r.opt_int(2)?, r.opt_int(0)?) {
        (Some(fund), cofunding, _) => Some((fund, cofunding)),
        (None, _, Some(stated)) => Some((stated, None)),
        _ => None,
    })
}

/// The budgets already reserved on a resolution: (how many, fen reserved, co-funding expected).
pub async fn budgets_on_resolution(
    tx: &mut Tx,
    tenant: Uuid,
    resolution: Uuid,
) -> Result<(i64, i64, i64), StoreError> {
    let r = tx
        .row(
            "SELECT COUNT(*), CAST(COALESCE(SUM(reserved), 0) AS BIGINT), \
                    CAST(COALESCE(SUM(cofunding_expected), 0) AS BIGINT) \
             FROM budgets WHERE tenant_id = $1 AND resolution_id = $2",
            &[tenant.into(), resolution.into()],
            &[ColType::Int, ColType::Int, ColType::Int],
        )
        .await?
        .ok_or_else(|| StoreError::Data("an aggregate returned no row".into()))?;
    Ok((r.int(0)?, r.int(1)?, r.int(2)?))
}

pub async fn budget(tx: &mut Tx, tenant: Uuid, id: Uuid) -> Result<Option<BudgetRow>, StoreError> {
    one(
        select(
            tx,
            "budgets",
            "tenant_id = $1 AND id = $2",
            &[tenant.into(), id.into()],
            "",
        )
        .await,
        budget_row,
    )
    .await
}

pub async fn budgets(tx: &mut Tx, tenant: Uuid) -> Result<Vec<BudgetRow>, StoreError> {
    all(
        select(
            tx,
            "budgets",
            "tenant_id = $1",
            &[tenant.into()],
            "ORDER BY id",
        )
        .await?,
        budget_row,
    )
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRow {
    pub id: Uuid,
    pub seq: i64,
    pub debit_id: Uuid,
    pub credit_id: Uuid,
    pub amount: i64,
    pub phase: String,
    pub pending_id: Option<Uuid>,
    pub code: String,
    pub memo: String,
    pub budget_id: Option<Uuid>,
    pub expense_id: Option<Uuid>,
    pub resolution_id: Option<Uuid>,
    pub reverses_id: Option<Uuid>,
    pub created_at: i64,
    pub created_by: Option<Uuid>,
    pub household_id: Option<Uuid>,
}

fn transfer_row(r: &Row) -> Result<TransferRow, StoreError> {
    Ok(TransferRow {
        id: r.id(1)?,
        seq: r.int(2)?,
        debit_id: r.id(3)?,
        credit_id: r.id(4)?,
        amount: r.int(5)?,
        phase: r.text(6)?,
        pending_id: r.opt_id(7)?,
        code: r.text(8)?,
        memo: r.text(9)?,
        budget_id: r.opt_id(10)?,
        expense_id: r.opt_id(11)?,
        resolution_id: r.opt_id(12)?,
        reverses_id: r.opt_id(13)?,
        created_at: r.int(14)?,
        created_by: r.opt_id(15)?,
        household_id: r.opt_id(16)?,
    })
}

pub async fn transfer(
    tx: &mut Tx,
    tenant: Uuid,
    id: Uuid,
) -> Result<Option<TransferRow>, StoreError> {
    one(
        select(
            tx,
            "ledger_transfers",
            "tenant_id = $1 AND id = $2",
            &[tenant.into(), id.into()],
            "",
        )
        .await,
        transfer_row,
    )
    .await
}

/// The transfer that settled a pending one, if any.
pub async fn settlement_of(
    tx: &mut Tx,
    tenant: Uuid,
    pending: Uuid,
) -> Result<Option<TransferRow>, StoreError> {
    one(
        select(
            tx,
            "ledger_transfers",
            "tenant_id = $1 AND pending_id = $2",
            &[tenant.into(), pending.into()],
            "",
        )
        .await,
        transfer_row,
    )
    .await
}

/// The next transfer sequence number of a tenant. Called inside a command, which holds the
/// tenant's chain-head lock, so numbers are gapless.
pub async fn next_seq(tx: &mut Tx, tenant: Uuid) -> Result<i64, StoreError> {
    let r = tx
        .row(
            "SELECT COALESCE(MAX(seq), 0) FROM ledger_transfers WHERE tenant_id = $1",
            &[tenant.into()],
            &[ColType::Int],
        )
        .await?;
    Ok(r.map(|r| r.int(0)).transpose()?.unwrap_or(0) + 1)
}

/// Every transfer of a tenant in the order it was applied.
pub async fn transfers(tx: &mut Tx, tenant: Uuid) -> Result<Vec<TransferRow>, StoreError> {
    all(
        select(
            tx,
            "ledger_transfers",
            "tenant_id = $1",
            &[tenant.into()],
            "ORDER BY seq",
        )
        .await?,
        transfer_row,
    )
}

/// Transfers touching one account (either side), in order.
pub async fn transfers_of_account(
    tx: &mut Tx,
    tenant: Uuid,
    account: Uuid,
) -> Result<Vec<TransferRow>, StoreError> {
    all(
        select(
            tx,
            "ledger_transfers",
            "tenant_id = $1 AND (debit_id = $2 OR credit_id = $2)",
            &[tenant.into(), account.into()],
            "ORDER BY seq",
        )
        .await?,
        transfer_row,
    )
}

/// Calls `f` for every transfer of every tenant, in tenant then sequence order, without holding
/// them all in memory.
pub async fn for_each_transfer(
    tx: &mut Tx,
    mut f: impl FnMut(Uuid, TransferRow) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let t = table("ledger_transfers").ok_or_else(|| StoreError::Data("ledger_transfers".into()))?;
    let types: Vec<ColType> = t.columns.iter().map(|c| c.ty).collect();
    tx.for_each(
        &format!(
            "SELECT {} FROM ledger_transfers ORDER BY tenant_id, seq",
            t.select_list()
        ),
        &[],
        &types,
        |r| f(r.id(0)?, transfer_row(&r)?),
    )
    .await
    .map(|_| ())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpenseRow {
    pub id: Uuid,
    pub budget_id: Uuid,
    pub payee_id: Uuid,
    pub amount: i64,
    pub description: String,
    pub document_sha256: String,
    pub transfer_id: Uuid,
    pub status: ExpenseStatus,
    pub chain_json: String,
    pub submitted_by: Option<Uuid>,
    pub submitted_at: i64,
    pub expires_at: i64,
    pub settled_amount: Option<i64>,
    pub closed_at: Option<i64>,
    pub reason: Option<String>,
    /// The signers of each step, pinned at submission (NULL for expenses submitted before
    /// migration 11, whose signers are the office holders of the day).
    pub signers_json: Option<String>,
}

fn expense_row(r: &Row) -> Result<ExpenseRow, StoreError> {
    Ok(ExpenseRow {
        id: r.id(1)?,
        budget_id: r.id(2)?,
        payee_id: r.id(3)?,
        amount: r.int(4)?,
        description: r.text(5)?,
        document_sha256: r.text(6)?,
        transfer_id: r.id(7)?,
        status: r.word(8)?,
        chain_json: r.text(9)?,
        submitted_by: r.opt_id(10)?,
        submitted_at: r.int(11)?,
        expires_at: r.int(12)?,
        settled_amount: r.opt_int(13)?,
        closed_at: r.opt_int(14)?,
        reason: r.opt_text(15)?,
        signers_json: r.opt_text(16)?,
    })
}

pub async fn expense(
    tx: &mut Tx,
    tenant: Uuid,
    id: Uuid,
) -> Result<Option<ExpenseRow>, StoreError> {
    one(
        select(
            tx,
            "expenses",
            "tenant_id = $1 AND id = $2",
            &[tenant.into(), id.into()],
            "",
        )
        .await,
        expense_row,
    )
    .await
}

pub async fn expenses(tx: &mut Tx, tenant: Uuid) -> Result<Vec<ExpenseRow>, StoreError> {
    all(
        select(
            tx,
            "expenses",
            "tenant_id = $1",
            &[tenant.into()],
            "ORDER BY id",
        )
        .await?,
        expense_row,
    )
}

/// A budget's expenses, each with its payee's name, oldest first: one statement for the
/// payments of a project's page.
pub async fn expenses_of_budget_with_payees(
    tx: &mut Tx,
    tenant: Uuid,
    budget: Uuid,
) -> Result<Vec<(ExpenseRow, String)>, StoreError> {
    let t = table("expenses").ok_or_else(|| StoreError::Data("no table expenses".into()))?;
    let mut types: Vec<ColType> = t.columns.iter().map(|c| c.ty).collect();
    types.push(ColType::Text);
    let columns: Vec<String> = t.columns.iter().map(|c| format!("e.{}", c.name)).collect();
    tx.rows(
        &format!(
            "SELECT {}, a.name_zh FROM expenses e LEFT JOIN ledger_accounts a ON a.tenant_id = e.tenant_id AND a.id = e.payee_id \
             WHERE e.tenant_id = $1 AND e.budget_id = $2 ORDER BY e.submitted_at, e.id",
            columns.join(", ")
        ),
        &[tenant.into(), budget.into()],
        &types,
    )
    .await?
    .iter()
    .map(|r| Ok((expense_row(r)?, r.opt_text(t.columns.len())?.unwrap_or_default())))
    .collect()
}

/// Expenses still holding money whose window ended before `now`.
pub async fn lapsed_expenses(
    tx: &mut Tx,
    tenant: Uuid,
    now: i64,
) -> Result<Vec<ExpenseRow>, StoreError> {
    all(
        select(
            tx,
            "expenses",
            "tenant_id = $1 AND status IN ('held', 'approved') AND expires_at < $2",
            &[tenant.into(), now.into()],
            "ORDER BY id",
        )
        .await?,
        expense_row,
    )
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureRow {
    pub step: i64,
    pub account_id: Uuid,
    pub display_name: String,
    pub decision: String,
    pub reason: Option<String>,
    pub signed_at: i64,
}

pub async fn signatures(
    tx: &mut Tx,
    tenant: Uuid,
    expense: Uuid,
) -> Result<Vec<SignatureRow>, StoreError> {
    tx.rows(
        "SELECT s.step, s.account_id, a.display_name, s.decision, s.reason, s.signed_at \
         FROM expense_signatures s JOIN accounts a ON a.id = s.account_id \
         WHERE s.tenant_id = $1 AND s.expense_id = $2 ORDER BY s.signed_at, s.step",
        &[tenant.into(), expense.into()],
        &[
            ColType::Int,
            ColType::Id,
            ColType::Text,
            ColType::Text,
            ColType::Text,
            ColType::Int,
        ],
    )
    .await?
    .into_iter()
    .map(|r| {
        Ok(SignatureRow {
            step: r.int(0)?,
            account_id: r.id(1)?,
            display_name: r.text(2)?,
            decision: r.text(3)?,
            reason: r.opt_text(4)?,
            signed_at: r.int(5)?,
        })
    })
    .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DonationRow {
    pub id: Uuid,
    pub fund_id: Uuid,
    pub donor_name: String,
    pub amount: i64,
    pub transfer_id: Uuid,
    pub received_at: i64,
}

fn donation_row(r: &Row) -> Result<DonationRow, StoreError> {
    Ok(DonationRow {
        id: r.id(1)?,
        fund_id: r.id(2)?,
        donor_name: r.text(3)?,
        amount: r.int(4)?,
        transfer_id: r.id(5)?,
        received_at: r.int(6)?,
    })
}

pub async fn donation(
    tx: &mut Tx,
    tenant: Uuid,
    id: Uuid,
) -> Result<Option<DonationRow>, StoreError> {
    one(
        select(
            tx,
            "donations",
            "tenant_id = $1 AND id = $2",
            &[tenant.into(), id.into()],
            "",
        )
        .await,
        donation_row,
    )
    .await
}

pub async fn donations(
    tx: &mut Tx,
    tenant: Uuid,
    fund: Uuid,
) -> Result<Vec<DonationRow>, StoreError> {
    all(
        select(
            tx,
            "donations",
            "tenant_id = $1 AND fund_id = $2",
            &[tenant.into(), fund.into()],
            "ORDER BY id",
        )
        .await?,
        donation_row,
    )
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRow {
    pub id: Uuid,
    pub fund_id: Uuid,
    pub period_start: String,
    pub period_end: String,
    pub reason: String,
    pub body_json: String,
    pub posted_at: i64,
    pub posted_by: Option<Uuid>,
}

fn statement_row(r: &Row) -> Result<StatementRow, StoreError> {
    Ok(StatementRow {
        id: r.id(1)?,
        fund_id: r.id(2)?,
        period_start: r.text(3)?,
        period_end: r.text(4)?,
        reason: r.text(5)?,
        body_json: r.text(6)?,
        posted_at: r.int(7)?,
        posted_by: r.opt_id(8)?,
    })
}

pub async fn statement(
    tx: &mut Tx,
    tenant: Uuid,
    id: Uuid,
) -> Result<Option<StatementRow>, StoreError> {
    one(
        select(
            tx,
            "statements",
            "tenant_id = $1 AND id = $2",
            &[tenant.into(), id.into()],
            "",
        )
        .await,
        statement_row,
    )
    .await
}

pub async fn statements(tx: &mut Tx, tenant: Uuid) -> Result<Vec<StatementRow>, StoreError> {
    all(
        select(
            tx,
            "statements",
            "tenant_id = $1",
            &[tenant.into()],
            "ORDER BY period_start DESC, id",
        )
        .await?,
        statement_row,
    )
}

/// Every statement of every tenant (for `ledger check`).
pub async fn all_statements(tx: &mut Tx) -> Result<Vec<(Uuid, StatementRow)>, StoreError> {
    let rows = select(tx, "statements", "1 = 1", &[], "ORDER BY tenant_id, id").await?;
    rows.iter()
        .map(|r| Ok((r.id(0)?, statement_row(r)?)))
        .collect()
}

/// Every account of every tenant (for `ledger check`).
pub async fn all_accounts(tx: &mut Tx) -> Result<Vec<(Uuid, AccountRow)>, StoreError> {
    let rows = select(
        tx,
        "ledger_accounts",
        "1 = 1",
        &[],
        "ORDER BY tenant_id, id",
    )
    .await?;
    rows.iter()
        .map(|r| Ok((r.id(0)?, account_row(r)?)))
        .collect()
}

/// Co-funding pledges of a budget: (household id, household label, expected, paid).
pub async fn pledges(
    tx: &mut Tx,
    tenant: Uuid,
    budget: Uuid,
) -> Result<Vec<(Uuid, String, i64, i64)>, StoreError> {
    tx.rows(
        "SELECT p.household_id, b.label || '-' || h.unit || '-' || h.room, p.expected, p.paid \
         FROM cofunding_pledges p \
         JOIN households h ON h.tenant_id = p.tenant_id AND h.id = p.household_id \
         JOIN buildings b ON b.tenant_id = h.tenant_id AND b.id = h.building_id \
         WHERE p.tenant_id = $1 AND p.budget_id = $2 ORDER BY b.label, h.unit, h.room",
        &[tenant.into(), budget.into()],
        &[ColType::Id, ColType::Text, ColType::Int, ColType::Int],
    )
    .await?
    .into_iter()
    .map(|r| Ok((r.id(0)?, r.text(1)?, r.int(2)?, r.int(3)?)))
    .collect()
}

/// A household's label as its address reads (`1栋-1-101`).
pub async fn household_label(
    tx: &mut Tx,
    tenant: Uuid,
    household: Uuid,
) -> Result<Option<String>, StoreError> {
    tx.row(
        "SELECT b.label || '-' || h.unit || '-' || h.room FROM households h \
         JOIN buildings b ON b.tenant_id = h.tenant_id AND b.id = h.building_id \
         WHERE h.tenant_id = $1 AND h.id = $2",
        &[tenant.into(), household.into()],
        &[ColType::Text],
    )
    .await?
    .map(|r| r.text(0))
    .transpose()
}

/// Whether two accounts belong to residents declared close relatives (in either direction, not
/// voided): a relative of whoever submitted an expense signs none of it.
pub async fn accounts_related(
    tx: &mut Tx,
    tenant: Uuid,
    a: Uuid,
    b: Uuid,
) -> Result<bool, StoreError> {
    Ok(tx
        .row(
            "SELECT CAST(1 AS BIGINT) FROM declared_relatives d \
             JOIN residents r1 ON r1.tenant_id = d.tenant_id AND r1.id = d.resident_id \
             JOIN residents r2 ON r2.tenant_id = d.tenant_id AND r2.id = d.relative_id \
             WHERE d.tenant_id = $1 AND d.voided_at IS NULL \
               AND ((r1.account_id = $2 AND r2.account_id = $3) \
                 OR (r1.account_id = $3 AND r2.account_id = $2))",
            &[tenant.into(), a.into(), b.into()],
            &[ColType::Int],
        )
        .await?
        .is_some())
}
