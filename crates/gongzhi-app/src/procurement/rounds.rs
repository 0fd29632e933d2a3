//! Venture-philanthropy rounds (公益创投): the parts a purchase does not have. A round is a call
//! with method `venture` (see `calls.rs` for applications, the panel and the decision that funds
//! the best-ranked applications fitting the pool). After the decision, a donor may adopt a ranked
//! application the pool did not fund — the province's "15+N", where a 公益评审团 adopts projects
//! on the spot at the roadshow. The donor's gift goes into the round's budget in the same
//! command, and the grant agreement is then signed and paid like any other contract.

use gongzhi_domain::lifecycle::CallStatus;
use gongzhi_store::Value;
use gongzhi_store::procurement::{self as repo_p, AdoptionRow};
use uuid::Uuid;

use super::{CallResult, load_call, round_of};
use crate::authz::{Actor, Permission};
use crate::command::{Command, Record, Target};
use crate::input::{invalid, text};
use crate::{App, AppError};

/// A donor adopts a round's application that the pool did not fund, for the grant it asked for.
/// The donor's name is personal data (public pages mask it, as for any donation). When the round
/// names a budget, the gift is posted into it now, so the grant can be paid from it.
pub async fn adopt_bid(
    app: &App,
    actor: &Actor,
    bid: Uuid,
    donor_name: &str,
) -> Result<AdoptionRow, AppError> {
    let donor = text(donor_name, "donor_name", 60)?;
    let mut cmd = Command::on(app, actor, Target::Record(Record::Bid, bid), "round.adopt").await?;
    let tenant = cmd.tenant_id();
    let b = repo_p::bid(&mut cmd.tx, tenant, bid)
        .await?
        .ok_or(AppError::NotFound("bid"))?;
    let c = load_call(&mut cmd.tx, b.call_id).await?;
    actor
        .require(&mut cmd.tx, Permission::ManagePurchases, c.buyer_id)
        .await?;
    if round_of(&c)?.is_none() {
        return Err(invalid("adoption_only_for_rounds", "bid_id"));
    }
    let result: Option<CallResult> = c
        .result_json
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok());
    let Some(result) = result.filter(|r| r.outcome == CallStatus::Awarded) else {
        return Err(invalid("call_not_awarded", "bid_id"));
    };
    if result.funded().contains(&b.id) {
        return Err(invalid("bid_already_funded", "bid_id"));
    }
    if repo_p::adoptions(&mut cmd.tx, tenant, c.id)
        .await?
        .iter()
        .any(|a| a.bid_id == b.id)
    {
        return Err(invalid("bid_already_adopted", "bid_id"));
    }
    let transfer = match c.budget_id {
        Some(budget) => {
            let memo = format!("{} · 认领", c.title);
            Some(crate::ledger::gift_into_budget(&mut cmd, actor, budget, b.price, &memo).await?)
        }
        None => None,
    };
    let now = cmd.now();
    cmd.detail("amount", gongzhi_domain::Fen::new(b.price).to_string());
    cmd.insert(
        "bid_adoptions",
        &[
            ("tenant_id", tenant.into()),
            ("bid_id", b.id.into()),
            ("call_id", c.id.into()),
            ("donor_name", donor.clone().into()),
            ("amount", b.price.into()),
            ("transfer_id", Value::Id(transfer)),
            ("adopted_at", now.micros().into()),
            ("recorded_by", actor.account_id.into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(AdoptionRow {
        bid_id: b.id,
        call_id: c.id,
        donor_name: donor,
        amount: b.price,
        transfer_id: transfer,
        adopted_at: now.micros(),
    })
}

/// Whether a round's application may still be adopted (the round is awarded, and the
/// application neither funded by the pool nor adopted already), for pages to offer it.
pub fn adoptable(result: Option<&CallResult>, adopted: &[AdoptionRow], bid: Uuid) -> bool {
    result.is_some_and(|r| {
        r.outcome == CallStatus::Awarded
            && !r.funded().contains(&bid)
            && !adopted.iter().any(|a| a.bid_id == bid)
    })
}
