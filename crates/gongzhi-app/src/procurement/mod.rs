//! Government purchase of services (政府购买服务, 三社联动): the supplier directory, purchase plans,
//! calls with their bids and scoring panels, venture-philanthropy rounds (公益创投) with their
//! grants and donors' adoptions, contracts paid through the fund ledger, evaluations
//! that set the final payment and build each supplier's record, and the Open Contracting export.
//!
//! **Where records live.** The supplier directory is one for the whole city: organisations,
//! their qualifications, staff seats and sanctions are in the city's tenant, so a credit code is
//! unique and a blacklisting bars a supplier everywhere. A buyer's plans, calls, bids, panels,
//! contracts and evaluations are in the buyer's tenant (a district, a street or a community),
//! and name a supplier by id.
//!
//! **Rules are data.** `procurement.rules` (applicants, co-funding, contract terms, the social
//! organisations' share) is pinned on a call when it opens; `procurement.catalogue` is read at
//! the buyer's jurisdiction.

use gongzhi_domain::lifecycle::BudgetStatus;
use gongzhi_domain::procurement::{Catalogue, ProcurementRule};
use gongzhi_domain::rulebook::RuleValue;
use gongzhi_domain::time::Instant;
use gongzhi_store::{Tx, repo};
use uuid::Uuid;

use crate::AppError;
use crate::input::invalid;
use crate::rules::rule_in_force;

mod calls;
mod contracts;
mod ocds;
mod rounds;
mod suppliers;

pub use calls::*;
pub use contracts::*;
pub use ocds::*;
pub use rounds::*;
pub use suppliers::*;

pub(crate) use crate::ledger::short as short_code;

/// The city: the tenant that keeps the supplier directory.
pub async fn city_of(tx: &mut Tx, jurisdiction: Uuid) -> Result<Uuid, AppError> {
    repo::ancestors(tx, jurisdiction)
        .await?
        .into_iter()
        .find(|j| j.level == "city")
        .map(|j| j.id)
        .ok_or(AppError::NotFound("city"))
}

pub(crate) async fn procurement_rule(
    tx: &mut Tx,
    jurisdiction: Uuid,
    now: Instant,
) -> Result<ProcurementRule, AppError> {
    match rule_in_force(tx, jurisdiction, "procurement.rules", now.china_date(), now).await? {
        RuleValue::Procurement(r) => Ok(r),
        _ => Err(invalid("rule_missing", "procurement.rules")),
    }
}

/// The open project budgets of a buyer's tenant, which its calls may name to pay their contracts
/// through the fund ledger (for forms that offer them).
pub async fn open_budgets_for(
    app: &crate::App,
    buyer: Uuid,
) -> Result<Vec<gongzhi_store::ledger::BudgetRow>, AppError> {
    let mut tx = app.db.read().await?;
    let tenant = crate::command::tenant_of(&mut tx, buyer).await?;
    let all = gongzhi_store::ledger::budgets(&mut tx, tenant).await?;
    tx.rollback().await?;
    Ok(all
        .into_iter()
        .filter(|b| b.status == BudgetStatus::Open)
        .collect())
}

/// The purchase catalogue in force at a place, for forms that list its items.
pub async fn catalogue_at(app: &crate::App, jurisdiction: Uuid) -> Result<Catalogue, AppError> {
    let mut tx = app.db.read().await?;
    let c = catalogue(&mut tx, jurisdiction, app.now()).await?;
    tx.rollback().await?;
    Ok(c)
}

pub async fn catalogue(
    tx: &mut Tx,
    jurisdiction: Uuid,
    now: Instant,
) -> Result<Catalogue, AppError> {
    let chain = repo::ancestors(tx, jurisdiction).await?;
    catalogue_in_chain(tx, &chain, now).await
}

/// The catalogue in force at `at` for a place whose chain (itself, then its ancestors) the caller
/// has read already.
pub(crate) async fn catalogue_in_chain(
    tx: &mut Tx,
    chain: &[repo::JurisdictionRow],
    at: Instant,
) -> Result<Catalogue, AppError> {
    match crate::rules::rule_in_chain(tx, chain, "procurement.catalogue", at.china_date(), at)
        .await?
    {
        RuleValue::Catalogue(c) => Ok(c),
        _ => Err(invalid("rule_missing", "procurement.catalogue")),
    }
}
