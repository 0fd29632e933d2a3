//! Reads for government purchase of services: the supplier directory (organisations, their
//! qualifications, staff seats and sanctions), purchase plans, calls with their bids, panels and
//! scores, contracts with their items and evaluations. Rows are selected with the registry's
//! column list (`rows::select`), so each struct follows its table's column order; column 0 is
//! always `tenant_id`.

use gongzhi_domain::lifecycle::CallStatus;
use uuid::Uuid;

use crate::StoreError;
use crate::db::Tx;
use crate::rows::{all, one, select};
use crate::schema::ColType;
use crate::value::Row;

mod contracts;
pub use contracts::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub name_zh: String,
    pub name_en: String,
    pub kind: String,
    pub credit_code: Option<String>,
    pub registered_with: Uuid,
    pub registered_on: Option<String>,
    pub business_scope: String,
    pub capacity: String,
    pub incubator_id: Option<Uuid>,
    pub incubator_level: Option<String>,
    pub created_at: i64,
}

fn org_row(r: &Row) -> Result<OrgRow, StoreError> {
    Ok(OrgRow {
        tenant_id: r.id(0)?,
        id: r.id(1)?,
        name_zh: r.text(2)?,
        name_en: r.text(3)?,
        kind: r.text(4)?,
        credit_code: r.opt_text(5)?,
        registered_with: r.id(6)?,
        registered_on: r.opt_text(7)?,
        business_scope: r.text(8)?,
        capacity: r.text(9)?,
        incubator_id: r.opt_id(10)?,
        incubator_level: r.opt_text(11)?,
        created_at: r.int(12)?,
    })
}

/// An organisation by id alone (the directory is one tenant, but callers need not know which).
pub async fn organisation(tx: &mut Tx, id: Uuid) -> Result<Option<OrgRow>, StoreError> {
    one(
        select(tx, "organisations", "id = $1", &[id.into()], "").await,
        org_row,
    )
    .await
}

pub async fn organisation_by_code(
    tx: &mut Tx,
    tenant: Uuid,
    code: &str,
) -> Result<Option<OrgRow>, StoreError> {
    one(
        select(
            tx,
            "organisations",
            "tenant_id = $1 AND credit_code = $2",
            &[tenant.into(), code.into()],
            "",
        )
        .await,
        org_row,
    )
    .await
}

/// Organisations of the city's directory registered with one of these places (a community and
/// the places above it: those working there), oldest first, at most `limit`.
pub async fn organisations_registered_with(
    tx: &mut Tx,
    city: Uuid,
    places: &[Uuid],
    limit: i64,
) -> Result<Vec<OrgRow>, StoreError> {
    if places.is_empty() {
        return Ok(Vec::new());
    }
    let mut args: Vec<crate::Value> = vec![city.into()];
    args.extend(places.iter().map(|p| crate::Value::from(*p)));
    let list: Vec<String> = (2..=args.len()).map(|i| format!("${i}")).collect();
    let rows = select(
        tx,
        "organisations",
        &format!(
            "tenant_id = $1 AND registered_with IN ({})",
            list.join(", ")
        ),
        &args,
        &format!("ORDER BY id LIMIT {}", limit.clamp(1, 200)),
    )
    .await?;
    all(rows, org_row)
}

/// A page of the directory in id order (ids are time-ordered: oldest first), after `after`.
pub async fn organisations(
    tx: &mut Tx,
    tenant: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<OrgRow>, StoreError> {
    let rows = match after {
        None => {
            select(
                tx,
                "organisations",
                "tenant_id = $1",
                &[tenant.into(), limit.into()],
                "ORDER BY id LIMIT $2",
            )
            .await?
        }
        Some(a) => {
            select(
                tx,
                "organisations",
                "tenant_id = $1 AND id > $2",
                &[tenant.into(), a.into(), limit.into()],
                "ORDER BY id LIMIT $3",
            )
            .await?
        }
    };
    all(rows, org_row)
}

/// Organisations of a directory by id, in the order of `ids` (unknown ids are left out).
pub async fn organisations_by_id(
    tx: &mut Tx,
    tenant: Uuid,
    ids: &[Uuid],
) -> Result<Vec<OrgRow>, StoreError> {
    all(
        crate::rows::get_many_by_id(tx, "organisations", tenant, ids).await?,
        org_row,
    )
}

/// Every organisation of a directory, for exports and reports.
pub async fn all_organisations(tx: &mut Tx, tenant: Uuid) -> Result<Vec<OrgRow>, StoreError> {
    all(
        select(tx, "organisations", "tenant_id = $1", &[tenant.into()], "").await?,
        org_row,
    )
}

pub async fn qualifications(
    tx: &mut Tx,
    tenant: Uuid,
    org: Uuid,
) -> Result<Vec<String>, StoreError> {
    tx.rows(
        "SELECT catalogue_code FROM organisation_qualifications \
             WHERE tenant_id = $1 AND organisation_id = $2 ORDER BY catalogue_code",
        &[tenant.into(), org.into()],
        &[ColType::Text],
    )
    .await?
    .iter()
    .map(|r| r.text(0))
    .collect()
}

/// The organisations an account holds a staff seat in.
pub async fn organisations_of_account(tx: &mut Tx, account: Uuid) -> Result<Vec<Uuid>, StoreError> {
    tx.rows(
        "SELECT organisation_id FROM organisation_staff WHERE account_id = $1 \
             ORDER BY organisation_id",
        &[account.into()],
        &[ColType::Id],
    )
    .await?
    .iter()
    .map(|r| r.id(0))
    .collect()
}

/// An organisation's staff: (account, role).
pub async fn staff(
    tx: &mut Tx,
    tenant: Uuid,
    org: Uuid,
) -> Result<Vec<(Uuid, String)>, StoreError> {
    tx.rows(
        "SELECT account_id, role FROM organisation_staff WHERE tenant_id = $1 \
         AND organisation_id = $2 ORDER BY since, account_id",
        &[tenant.into(), org.into()],
        &[ColType::Id, ColType::Text],
    )
    .await?
    .iter()
    .map(|r| Ok((r.id(0)?, r.text(1)?)))
    .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SanctionRow {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub reason: String,
    pub starts_on: String,
    pub ends_on: Option<String>,
    pub decided_by: Uuid,
    pub created_at: i64,
    pub lifted_at: Option<i64>,
    pub lift_reason: Option<String>,
}

fn sanction_row(r: &Row) -> Result<SanctionRow, StoreError> {
    Ok(SanctionRow {
        id: r.id(1)?,
        organisation_id: r.id(2)?,
        reason: r.text(3)?,
        starts_on: r.text(4)?,
        ends_on: r.opt_text(5)?,
        decided_by: r.id(6)?,
        created_at: r.int(7)?,
        lifted_at: r.opt_int(8)?,
        lift_reason: r.opt_text(9)?,
    })
}

pub async fn sanctions(
    tx: &mut Tx,
    tenant: Uuid,
    org: Uuid,
) -> Result<Vec<SanctionRow>, StoreError> {
    all(
        select(
            tx,
            "organisation_sanctions",
            "tenant_id = $1 AND organisation_id = $2",
            &[tenant.into(), org.into()],
            "ORDER BY starts_on DESC, id",
        )
        .await?,
        sanction_row,
    )
}

pub async fn sanction(
    tx: &mut Tx,
    tenant: Uuid,
    id: Uuid,
) -> Result<Option<SanctionRow>, StoreError> {
    one(
        select(
            tx,
            "organisation_sanctions",
            "tenant_id = $1 AND id = $2",
            &[tenant.into(), id.into()],
            "",
        )
        .await,
        sanction_row,
    )
    .await
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub buyer_id: Uuid,
    pub year: i64,
    pub title: String,
    pub lines_json: String,
    pub created_at: i64,
}

fn plan_row(r: &Row) -> Result<PlanRow, StoreError> {
    Ok(PlanRow {
        tenant_id: r.id(0)?,
        id: r.id(1)?,
        buyer_id: r.id(2)?,
        year: r.int(3)?,
        title: r.text(4)?,
        lines_json: r.text(5)?,
        created_at: r.int(6)?,
    })
}

pub async fn plan(tx: &mut Tx, id: Uuid) -> Result<Option<PlanRow>, StoreError> {
    one(
        select(tx, "purchase_plans", "id = $1", &[id.into()], "").await,
        plan_row,
    )
    .await
}

pub async fn plan_of(
    tx: &mut Tx,
    tenant: Uuid,
    buyer: Uuid,
    year: i64,
) -> Result<Option<PlanRow>, StoreError> {
    one(
        select(
            tx,
            "purchase_plans",
            "tenant_id = $1 AND buyer_id = $2 AND year = $3",
            &[tenant.into(), buyer.into(), year.into()],
            "",
        )
        .await,
        plan_row,
    )
    .await
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub number: String,
    pub buyer_id: Uuid,
    pub plan_id: Option<Uuid>,
    pub title: String,
    pub description: String,
    pub catalogue_code: String,
    pub method: String,
    pub justification: Option<String>,
    pub value: i64,
    pub new_service: bool,
    pub eligible_kinds: String,
    pub opens_at: i64,
    pub closes_at: i64,
    pub contract_months: i64,
    pub stable: bool,
    pub rule_json: String,
    pub criteria_json: String,
    pub status: CallStatus,
    pub budget_id: Option<Uuid>,
    pub rerun_of: Option<Uuid>,
    pub created_at: i64,
    pub created_by: Option<Uuid>,
    pub decided_at: Option<i64>,
    pub result_json: Option<String>,
    /// A venture-philanthropy round's terms (`GrantRound` as JSON); none for a purchase.
    pub round_json: Option<String>,
}

fn call_row(r: &Row) -> Result<CallRow, StoreError> {
    Ok(CallRow {
        tenant_id: r.id(0)?,
        id: r.id(1)?,
        number: r.text(2)?,
        buyer_id: r.id(3)?,
        plan_id: r.opt_id(4)?,
        title: r.text(5)?,
        description: r.text(6)?,
        catalogue_code: r.text(7)?,
        method: r.text(8)?,
        justification: r.opt_text(9)?,
        value: r.int(10)?,
        new_service: r.bool(11)?,
        eligible_kinds: r.text(12)?,
        opens_at: r.int(13)?,
        closes_at: r.int(14)?,
        contract_months: r.int(15)?,
        stable: r.bool(16)?,
        rule_json: r.text(17)?,
        criteria_json: r.text(18)?,
        status: r.word(19)?,
        budget_id: r.opt_id(20)?,
        rerun_of: r.opt_id(21)?,
        created_at: r.int(22)?,
        created_by: r.opt_id(23)?,
        decided_at: r.opt_int(24)?,
        result_json: r.opt_text(25)?,
        round_json: r.opt_text(26)?,
    })
}

/// A call by id alone, with its tenant.
pub async fn call(tx: &mut Tx, id: Uuid) -> Result<Option<CallRow>, StoreError> {
    one(
        select(tx, "purchase_calls", "id = $1", &[id.into()], "").await,
        call_row,
    )
    .await
}

/// What the call board shows of a call: no texts, rules or results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallSummary {
    pub id: Uuid,
    pub number: String,
    pub title: String,
    pub catalogue_code: String,
    pub method: String,
    pub value: i64,
    pub status: CallStatus,
    pub opens_at: i64,
    pub closes_at: i64,
}

impl CallRow {
    pub fn summary(&self) -> CallSummary {
        CallSummary {
            id: self.id,
            number: self.number.clone(),
            title: self.title.clone(),
            catalogue_code: self.catalogue_code.clone(),
            method: self.method.clone(),
            value: self.value,
            status: self.status,
            opens_at: self.opens_at,
            closes_at: self.closes_at,
        }
    }
}

const SUMMARY_COLUMNS: &str =
    "id, number, title, catalogue_code, method, value, status, opens_at, closes_at";
const SUMMARY_TYPES: &[ColType] = &[
    ColType::Id,
    ColType::Text,
    ColType::Text,
    ColType::Text,
    ColType::Text,
    ColType::Int,
    ColType::Text,
    ColType::Int,
    ColType::Int,
];

async fn summaries(
    tx: &mut Tx,
    filter_and_order: &str,
    args: &[crate::Value],
) -> Result<Vec<CallSummary>, StoreError> {
    tx.rows(
        &format!("SELECT {SUMMARY_COLUMNS} FROM purchase_calls WHERE {filter_and_order}"),
        args,
        SUMMARY_TYPES,
    )
    .await?
    .iter()
    .map(|r| {
        Ok(CallSummary {
            id: r.id(0)?,
            number: r.text(1)?,
            title: r.text(2)?,
            catalogue_code: r.text(3)?,
            method: r.text(4)?,
            value: r.int(5)?,
            status: r.word(6)?,
            opens_at: r.int(7)?,
            closes_at: r.int(8)?,
        })
    })
    .collect()
}

/// Calls taking bids (`status = 'open'`), soonest closing first, across every buyer.
pub async fn open_calls(tx: &mut Tx, limit: i64) -> Result<Vec<CallSummary>, StoreError> {
    summaries(
        tx,
        "status = $1 ORDER BY closes_at, id LIMIT $2",
        &["open".into(), limit.into()],
    )
    .await
}

/// The calls decided (awarded, failed or cancelled), newest first.
pub async fn decided_calls(tx: &mut Tx, limit: i64) -> Result<Vec<CallSummary>, StoreError> {
    summaries(
        tx,
        "decided_at IS NOT NULL ORDER BY decided_at DESC LIMIT $1",
        &[limit.into()],
    )
    .await
}

/// Every call, for the OCDS export.
pub async fn all_calls(tx: &mut Tx) -> Result<Vec<CallRow>, StoreError> {
    all(
        select(
            tx,
            "purchase_calls",
            "1 = 1",
            &[],
            "ORDER BY created_at, id",
        )
        .await?,
        call_row,
    )
}

/// The calls of one buyer in a tenant.
pub async fn calls_of_buyer(
    tx: &mut Tx,
    tenant: Uuid,
    buyer: Uuid,
) -> Result<Vec<CallRow>, StoreError> {
    all(
        select(
            tx,
            "purchase_calls",
            "tenant_id = $1 AND buyer_id = $2",
            &[tenant.into(), buyer.into()],
            "ORDER BY created_at DESC, id",
        )
        .await?,
        call_row,
    )
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BidRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub call_id: Uuid,
    pub organisation_id: Uuid,
    pub price: i64,
    pub cofunding: i64,
    pub plan: String,
    pub submitted_at: i64,
    pub submitted_by: Option<Uuid>,
    /// The round's theme the application comes under (venture rounds).
    pub theme: Option<String>,
}

fn bid_row(r: &Row) -> Result<BidRow, StoreError> {
    Ok(BidRow {
        tenant_id: r.id(0)?,
        id: r.id(1)?,
        call_id: r.id(2)?,
        organisation_id: r.id(3)?,
        price: r.int(4)?,
        cofunding: r.int(5)?,
        plan: r.text(6)?,
        submitted_at: r.int(7)?,
        submitted_by: r.opt_id(8)?,
        theme: r.opt_text(9)?,
    })
}

pub async fn bids(tx: &mut Tx, tenant: Uuid, call: Uuid) -> Result<Vec<BidRow>, StoreError> {
    all(
        select(
            tx,
            "call_bids",
            "tenant_id = $1 AND call_id = $2",
            &[tenant.into(), call.into()],
            "ORDER BY submitted_at, id",
        )
        .await?,
        bid_row,
    )
}

pub async fn all_bids(tx: &mut Tx) -> Result<Vec<BidRow>, StoreError> {
    all(
        select(tx, "call_bids", "1 = 1", &[], "ORDER BY submitted_at, id").await?,
        bid_row,
    )
}

/// A donor's adoption of an application the round's pool did not fund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdoptionRow {
    pub bid_id: Uuid,
    pub call_id: Uuid,
    pub donor_name: String,
    pub amount: i64,
    pub transfer_id: Option<Uuid>,
    pub adopted_at: i64,
}

fn adoption_row(r: &Row) -> Result<AdoptionRow, StoreError> {
    Ok(AdoptionRow {
        bid_id: r.id(1)?,
        call_id: r.id(2)?,
        donor_name: r.text(3)?,
        amount: r.int(4)?,
        transfer_id: r.opt_id(5)?,
        adopted_at: r.int(6)?,
    })
}

/// The adoptions of a round's applications, in the order they were made.
pub async fn adoptions(
    tx: &mut Tx,
    tenant: Uuid,
    call: Uuid,
) -> Result<Vec<AdoptionRow>, StoreError> {
    all(
        select(
            tx,
            "bid_adoptions",
            "tenant_id = $1 AND call_id = $2",
            &[tenant.into(), call.into()],
            "ORDER BY adopted_at, bid_id",
        )
        .await?,
        adoption_row,
    )
}

/// Every adoption, for the OCDS export.
pub async fn all_adoptions(tx: &mut Tx) -> Result<Vec<AdoptionRow>, StoreError> {
    all(
        select(
            tx,
            "bid_adoptions",
            "1 = 1",
            &[],
            "ORDER BY adopted_at, bid_id",
        )
        .await?,
        adoption_row,
    )
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelistRow {
    pub call_id: Uuid,
    pub account_id: Uuid,
    pub name: String,
    pub ties_json: String,
}

fn panelist_row(r: &Row) -> Result<PanelistRow, StoreError> {
    Ok(PanelistRow {
        call_id: r.id(1)?,
        account_id: r.id(2)?,
        name: r.text(3)?,
        ties_json: r.text(4)?,
    })
}

pub async fn panel(tx: &mut Tx, tenant: Uuid, call: Uuid) -> Result<Vec<PanelistRow>, StoreError> {
    all(
        select(
            tx,
            "call_panelists",
            "tenant_id = $1 AND call_id = $2",
            &[tenant.into(), call.into()],
            "ORDER BY name, account_id",
        )
        .await?,
        panelist_row,
    )
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreRow {
    pub bid_id: Uuid,
    pub account_id: Uuid,
    pub scores_json: String,
    pub total: i64,
    pub scored_at: i64,
}

fn score_row(r: &Row) -> Result<ScoreRow, StoreError> {
    Ok(ScoreRow {
        bid_id: r.id(1)?,
        account_id: r.id(2)?,
        scores_json: r.text(4)?,
        total: r.int(5)?,
        scored_at: r.int(6)?,
    })
}

pub async fn scores(tx: &mut Tx, tenant: Uuid, call: Uuid) -> Result<Vec<ScoreRow>, StoreError> {
    all(
        select(
            tx,
            "bid_scores",
            "tenant_id = $1 AND call_id = $2",
            &[tenant.into(), call.into()],
            "ORDER BY bid_id, account_id",
        )
        .await?,
        score_row,
    )
}
