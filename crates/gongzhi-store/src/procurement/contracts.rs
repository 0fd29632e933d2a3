//! Contracts from awarded calls: their items (deliverables and paid milestones), evaluations and
//! the payments settled against them.

use gongzhi_domain::lifecycle::{ContractStatus, ItemKind};
use uuid::Uuid;

use super::*;
use crate::StoreError;
use crate::db::Tx;
use crate::rows::{all, one, select};
use crate::schema::ColType;
use crate::value::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub call_id: Uuid,
    pub bid_id: Uuid,
    pub organisation_id: Uuid,
    pub title: String,
    pub value: i64,
    pub starts_on: String,
    pub ends_on: String,
    pub stable: bool,
    pub budget_id: Option<Uuid>,
    pub payee_id: Option<Uuid>,
    pub payment_rule_json: String,
    pub status: ContractStatus,
    pub renews_id: Option<Uuid>,
    pub signed_at: i64,
    pub signed_by: Option<Uuid>,
}

fn contract_row(r: &Row) -> Result<ContractRow, StoreError> {
    Ok(ContractRow {
        tenant_id: r.id(0)?,
        id: r.id(1)?,
        call_id: r.id(2)?,
        bid_id: r.id(3)?,
        organisation_id: r.id(4)?,
        title: r.text(5)?,
        value: r.int(6)?,
        starts_on: r.text(7)?,
        ends_on: r.text(8)?,
        stable: r.bool(9)?,
        budget_id: r.opt_id(10)?,
        payee_id: r.opt_id(11)?,
        payment_rule_json: r.text(12)?,
        status: r.word(13)?,
        renews_id: r.opt_id(14)?,
        signed_at: r.int(15)?,
        signed_by: r.opt_id(16)?,
    })
}

/// A contract by id alone, with its tenant.
pub async fn contract(tx: &mut Tx, id: Uuid) -> Result<Option<ContractRow>, StoreError> {
    one(
        select(tx, "contracts", "id = $1", &[id.into()], "").await,
        contract_row,
    )
    .await
}

pub async fn contracts_of_call(
    tx: &mut Tx,
    tenant: Uuid,
    call: Uuid,
) -> Result<Vec<ContractRow>, StoreError> {
    all(
        select(
            tx,
            "contracts",
            "tenant_id = $1 AND call_id = $2",
            &[tenant.into(), call.into()],
            "ORDER BY signed_at, id",
        )
        .await?,
        contract_row,
    )
}

/// An organisation's contracts with every buyer, newest first.
pub async fn contracts_of_org(tx: &mut Tx, org: Uuid) -> Result<Vec<ContractRow>, StoreError> {
    all(
        select(
            tx,
            "contracts",
            "organisation_id = $1",
            &[org.into()],
            "ORDER BY signed_at DESC, id",
        )
        .await?,
        contract_row,
    )
}

pub async fn all_contracts(tx: &mut Tx) -> Result<Vec<ContractRow>, StoreError> {
    all(
        select(tx, "contracts", "1 = 1", &[], "ORDER BY signed_at, id").await?,
        contract_row,
    )
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRow {
    pub tenant_id: Uuid,
    pub contract_id: Uuid,
    pub position: i64,
    pub kind: ItemKind,
    pub catalogue_code: Option<String>,
    pub title: String,
    pub due_on: Option<String>,
    pub amount: i64,
    pub final_payment: bool,
    pub done_at: Option<i64>,
    pub expense_id: Option<Uuid>,
    pub paid_amount: Option<i64>,
}

fn item_row(r: &Row) -> Result<ItemRow, StoreError> {
    Ok(ItemRow {
        tenant_id: r.id(0)?,
        contract_id: r.id(1)?,
        position: r.int(2)?,
        kind: r.word(3)?,
        catalogue_code: r.opt_text(4)?,
        title: r.text(5)?,
        due_on: r.opt_text(6)?,
        amount: r.int(7)?,
        final_payment: r.bool(8)?,
        done_at: r.opt_int(9)?,
        expense_id: r.opt_id(10)?,
        paid_amount: r.opt_int(11)?,
    })
}

pub async fn items(tx: &mut Tx, tenant: Uuid, contract: Uuid) -> Result<Vec<ItemRow>, StoreError> {
    all(
        select(
            tx,
            "contract_items",
            "tenant_id = $1 AND contract_id = $2",
            &[tenant.into(), contract.into()],
            "ORDER BY position",
        )
        .await?,
        item_row,
    )
}

pub async fn all_items(tx: &mut Tx) -> Result<Vec<ItemRow>, StoreError> {
    all(
        select(
            tx,
            "contract_items",
            "1 = 1",
            &[],
            "ORDER BY contract_id, position",
        )
        .await?,
        item_row,
    )
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluationRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub contract_id: Uuid,
    pub organisation_id: Uuid,
    pub evaluator_org_id: Option<Uuid>,
    pub evaluator_name: String,
    pub score: i64,
    pub summary: String,
    pub evaluated_at: i64,
}

fn evaluation_row(r: &Row) -> Result<EvaluationRow, StoreError> {
    Ok(EvaluationRow {
        tenant_id: r.id(0)?,
        id: r.id(1)?,
        contract_id: r.id(2)?,
        organisation_id: r.id(3)?,
        evaluator_org_id: r.opt_id(4)?,
        evaluator_name: r.text(5)?,
        score: r.int(6)?,
        summary: r.text(7)?,
        evaluated_at: r.int(8)?,
    })
}

pub async fn evaluations_of_contract(
    tx: &mut Tx,
    tenant: Uuid,
    contract: Uuid,
) -> Result<Vec<EvaluationRow>, StoreError> {
    all(
        select(
            tx,
            "contract_evaluations",
            "tenant_id = $1 AND contract_id = $2",
            &[tenant.into(), contract.into()],
            "ORDER BY evaluated_at, id",
        )
        .await?,
        evaluation_row,
    )
}

/// An organisation's evaluations from every buyer, newest first: its track record.
pub async fn evaluations_of_org(tx: &mut Tx, org: Uuid) -> Result<Vec<EvaluationRow>, StoreError> {
    all(
        select(
            tx,
            "contract_evaluations",
            "organisation_id = $1",
            &[org.into()],
            "ORDER BY evaluated_at DESC, id",
        )
        .await?,
        evaluation_row,
    )
}

/// Awarded contracts of new public services signed in `[from, to)` (µs) for a buyer: (value,
/// supplier kind).
pub async fn new_service_awards(
    tx: &mut Tx,
    tenant: Uuid,
    buyer: Uuid,
    from: i64,
    to: i64,
) -> Result<Vec<(i64, String)>, StoreError> {
    tx.rows(
        "SELECT k.value, o.kind FROM contracts k \
         JOIN purchase_calls c ON c.tenant_id = k.tenant_id AND c.id = k.call_id \
         JOIN organisations o ON o.id = k.organisation_id \
         WHERE k.tenant_id = $1 AND c.buyer_id = $2 AND c.new_service = $3 \
         AND k.signed_at >= $4 AND k.signed_at < $5 ORDER BY k.signed_at, k.id",
        &[
            tenant.into(),
            buyer.into(),
            true.into(),
            from.into(),
            to.into(),
        ],
        &[ColType::Int, ColType::Text],
    )
    .await?
    .iter()
    .map(|r| Ok((r.int(0)?, r.text(1)?)))
    .collect()
}

pub async fn bid(tx: &mut Tx, tenant: Uuid, id: Uuid) -> Result<Option<BidRow>, StoreError> {
    one(
        select(
            tx,
            "call_bids",
            "tenant_id = $1 AND id = $2",
            &[tenant.into(), id.into()],
            "",
        )
        .await,
        bid_row,
    )
    .await
}

/// A settled expense payment: the transfer that posted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    pub tenant_id: Uuid,
    pub expense_id: Uuid,
    pub transfer_id: Uuid,
    pub amount: i64,
    pub created_at: i64,
}

/// Every settled expense payment (a `post_pending` transfer), for the OCDS export's transactions.
pub async fn expense_settlements(tx: &mut Tx) -> Result<Vec<Settlement>, StoreError> {
    tx.rows(
        "SELECT tenant_id, expense_id, id, amount, created_at FROM ledger_transfers \
         WHERE phase = $1 AND expense_id IS NOT NULL ORDER BY tenant_id, seq",
        &["post_pending".into()],
        &[
            ColType::Id,
            ColType::Id,
            ColType::Id,
            ColType::Int,
            ColType::Int,
        ],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(Settlement {
            tenant_id: r.id(0)?,
            expense_id: r.id(1)?,
            transfer_id: r.id(2)?,
            amount: r.int(3)?,
            created_at: r.int(4)?,
        })
    })
    .collect()
}

/// Every evaluation, for the OCDS export.
pub async fn all_evaluations(tx: &mut Tx) -> Result<Vec<EvaluationRow>, StoreError> {
    all(
        select(
            tx,
            "contract_evaluations",
            "1 = 1",
            &[],
            "ORDER BY evaluated_at, id",
        )
        .await?,
        evaluation_row,
    )
}
