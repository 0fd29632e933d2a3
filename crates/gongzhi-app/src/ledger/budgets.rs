//! Project budgets: reserved from a fund on an effective project-approval resolution, co-funded
//! by households, closed out with what was not spent returned to the fund.

use gongzhi_domain::ledger::AccountKind;
use gongzhi_domain::lifecycle::BudgetStatus;
use gongzhi_domain::{DomainError, Fen};
use gongzhi_store::ledger::{self as repo_l, BudgetRow};
use gongzhi_store::{Tx, Value, repo};
use uuid::Uuid;

use crate::authz::{Actor, Permission};
use crate::command::{Command, Record, Target};
use crate::councils::resolution_in;
use crate::{App, AppError, new_id};

use super::*;

pub struct NewBudget<'a> {
    pub id: Option<Uuid>,
    pub resolution_id: Uuid,
    /// Where the project is (北苑 for a project the community council approved at its roadshow):
    /// the supervisory board nearest this place signs its expenses. Defaults to the deciding
    /// council's place; must lie within it.
    pub jurisdiction_id: Option<Uuid>,
    pub fund_id: Uuid,
    pub title: &'a str,
    /// Reserved from the fund now.
    pub reserved: i64,
    /// Co-funding expected from households: (household, fen).
    pub pledges: &'a [(Uuid, i64)],
    /// Why: required for a second budget on a resolution that has one already.
    pub reason: Option<&'a str>,
}

/// Reserves an approved project's budget from a fund: the resolution must be a project approval
/// in force, and the fund must have the money available (holds counted).
pub async fn reserve_budget(
    app: &App,
    actor: &Actor,
    new: &NewBudget<'_>,
) -> Result<Uuid, AppError> {
    let (title, cofunding) = check_new_budget(new)?;
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Fund, new.fund_id),
        "budget.reserve",
    )
    .await?;
    let (tenant, fund) = managed_fund(&mut cmd.tx, actor, new.fund_id).await?;
    let id = new.id.unwrap_or_else(new_id);
    if let Some(b) = repo_l::budget(&mut cmd.tx, tenant, id).await? {
        cmd.tx.rollback().await?;
        if b.reserved != new.reserved || b.fund_id != new.fund_id {
            return Err(invalid("ledger_transfer_id_reused", "id"));
        }
        return Ok(b.id);
    }
    reserve_in(&mut cmd, app, actor, &fund, id, &title, cofunding, new).await?;
    cmd.commit().await?;
    Ok(id)
}

/// Checks the title, the amounts and the pledges of a new budget; returns the title and the
/// co-funding expected.
pub(crate) fn check_new_budget(new: &NewBudget<'_>) -> Result<(String, i64), AppError> {
    amount(new.reserved, "reserved")?;
    let title = text(new.title, "title", 120)?;
    let mut cofunding = 0i64;
    for (i, (h, p)) in new.pledges.iter().enumerate() {
        amount(*p, "pledges")?;
        if new.pledges[..i].iter().any(|(o, _)| o == h) {
            return Err(invalid("pledge_household_repeated", "pledges"));
        }
        cofunding = cofunding
            .checked_add(*p)
            .ok_or_else(|| invalid("amount_too_large", "pledges"))?;
    }
    Ok((title, cofunding))
}

/// Reserves the budget inside a larger command (an allocation round reserves several). The
/// caller has checked the actor keeps `fund`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn reserve_in(
    cmd: &mut Command<'_>,
    app: &App,
    actor: &Actor,
    fund: &gongzhi_store::ledger::FundRow,
    id: Uuid,
    title: &str,
    cofunding: i64,
    new: &NewBudget<'_>,
) -> Result<(), AppError> {
    let tenant = cmd.tenant_id();
    let title = title.to_string();
    let (res_tenant, r) = resolution_in(&mut cmd.tx, app.now(), new.resolution_id).await?;
    if res_tenant != tenant {
        return Err(invalid("budget_resolution_elsewhere", "resolution_id"));
    }
    let motion = gongzhi_store::councils::motion(&mut cmd.tx, tenant, r.row.motion_id)
        .await?
        .ok_or(AppError::NotFound("motion"))?;
    if motion.kind != "project_approval" {
        return Err(invalid("budget_resolution_not_project", "resolution_id"));
    }
    if !matches!(r.state, gongzhi_domain::council::NoticeState::InForce(_)) {
        return Err(AppError::Invalid(
            DomainError::field("budget_resolution_not_in_force", "resolution_id")
                .arg("state", r.state.key()),
        ));
    }
    let place = match new.jurisdiction_id {
        None => r.council.jurisdiction_id,
        Some(j) => {
            let up = repo::ancestors(&mut cmd.tx, j).await?;
            if !up.iter().any(|a| a.id == r.council.jurisdiction_id) {
                return Err(invalid("budget_place_outside_council", "jurisdiction_id"));
            }
            j
        }
    };
    let reason = within_approval(&mut cmd.tx, tenant, new, cofunding).await?;
    for (h, _) in new.pledges {
        if !household_exists(&mut cmd.tx, tenant, *h).await? {
            return Err(invalid("household_not_found", "pledges"));
        }
    }
    let code = format!("P-{}", short(id));
    let account = open_account(cmd, AccountKind::Project, &code, &title, &title).await?;
    cmd.insert(
        "budgets",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("jurisdiction_id", place.into()),
            ("resolution_id", new.resolution_id.into()),
            ("fund_id", fund.id.into()),
            ("account_id", account.into()),
            ("title", title.clone().into()),
            ("reserved", new.reserved.into()),
            ("cofunding_expected", cofunding.into()),
            ("status", BudgetStatus::Open.into()),
            ("created_at", app.now().micros().into()),
            ("closed_at", Value::Int(None)),
            ("released", Value::Int(None)),
            ("reason", Value::from(reason)),
        ],
    )
    .await?;
    for (h, p) in new.pledges {
        cmd.insert(
            "cofunding_pledges",
            &[
                ("tenant_id", tenant.into()),
                ("budget_id", id.into()),
                ("household_id", (*h).into()),
                ("expected", (*p).into()),
                ("paid", 0i64.into()),
            ],
        )
        .await?;
    }
    let mut ts = Transfers::new(tenant);
    ts.add(
        &mut cmd.tx,
        TransferSpec {
            budget_id: Some(id),
            resolution_id: Some(new.resolution_id),
            ..TransferSpec::posted(fund.account_id, account, new.reserved, "reserve", &title)
        },
    )
    .await?;
    ts.flush(cmd, actor).await?;
    Ok(())
}

/// Keeps the budgets on a resolution within what it approved, read in the command's own
/// transaction: the fund's share in total, and the households' co-funding where the resolution
/// approved a project's split. A second budget on the same resolution needs a reason (returned,
/// to be stored with it) and fits in what the first left.
async fn within_approval(
    tx: &mut Tx,
    tenant: Uuid,
    new: &NewBudget<'_>,
    cofunding: i64,
) -> Result<Option<String>, AppError> {
    let Some((fund, cofunding_approved)) =
        repo_l::approved_amounts(tx, tenant, new.resolution_id).await?
    else {
        return Err(invalid(
            "budget_resolution_states_no_amount",
            "resolution_id",
        ));
    };
    let (count, reserved, expected) =
        repo_l::budgets_on_resolution(tx, tenant, new.resolution_id).await?;
    let reason = match new.reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Some(text(r, "reason", 500)?),
        None if count > 0 => {
            return Err(AppError::Invalid(
                DomainError::field("budget_second_needs_reason", "reason").arg("count", count),
            ));
        }
        None => None,
    };
    if reserved.saturating_add(new.reserved) > fund {
        return Err(AppError::Invalid(
            DomainError::field("budget_exceeds_approved", "reserved")
                .arg("approved", Fen::new(fund))
                .arg("reserved", Fen::new(reserved))
                .arg("left", Fen::new((fund - reserved).max(0))),
        ));
    }
    if let Some(approved) = cofunding_approved
        && expected.saturating_add(cofunding) > approved
    {
        return Err(AppError::Invalid(
            DomainError::field("budget_cofunding_exceeds_approved", "pledges")
                .arg("approved", Fen::new(approved))
                .arg("left", Fen::new((approved - expected).max(0))),
        ));
    }
    Ok(reason)
}

pub(super) async fn household_exists(
    tx: &mut Tx,
    tenant: Uuid,
    id: Uuid,
) -> Result<bool, AppError> {
    Ok(
        gongzhi_store::rows::get(tx, "households", &[tenant.into(), id.into()])
            .await?
            .is_some(),
    )
}

/// A budget and its tenant, read in `tx` (a command's, on the budget), after checking the actor
/// keeps the funds where the project is.
pub(super) async fn managed_budget(
    tx: &mut Tx,
    actor: &Actor,
    id: Uuid,
) -> Result<(Uuid, BudgetRow), AppError> {
    let (tenant, b) = load_budget(tx, id).await?;
    actor
        .require(tx, Permission::ManageFunds, b.jurisdiction_id)
        .await?;
    Ok((tenant, b))
}

pub(super) async fn load_budget(tx: &mut Tx, id: Uuid) -> Result<(Uuid, BudgetRow), AppError> {
    let tenant = Record::Budget.tenant(tx, id).await?;
    let b = repo_l::budget(tx, tenant, id)
        .await?
        .ok_or(AppError::NotFound("budget"))?;
    Ok((tenant, b))
}

/// A household pledges (or raises its pledge of) co-funding for a project's budget.
pub async fn pledge_cofunding(
    app: &App,
    actor: &Actor,
    budget_id: Uuid,
    household: Uuid,
    expected: i64,
) -> Result<(), AppError> {
    amount(expected, "expected")?;
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Budget, budget_id),
        "budget.pledge",
    )
    .await?;
    let (tenant, b) = managed_budget(&mut cmd.tx, actor, budget_id).await?;
    if b.status != BudgetStatus::Open {
        return Err(invalid("budget_closed", "budget_id"));
    }
    if !household_exists(&mut cmd.tx, tenant, household).await? {
        return Err(invalid("household_not_found", "household_id"));
    }
    let key = [tenant.into(), budget_id.into(), household.into()];
    let paid = match gongzhi_store::rows::get(&mut cmd.tx, "cofunding_pledges", &key).await? {
        Some(row) => row.int(4)?,
        None => 0,
    };
    if expected < paid {
        return Err(AppError::Invalid(
            DomainError::field("pledge_below_paid", "expected").arg("paid", Fen::new(paid)),
        ));
    }
    cmd.upsert(
        "cofunding_pledges",
        &[
            ("tenant_id", tenant.into()),
            ("budget_id", budget_id.into()),
            ("household_id", household.into()),
        ],
        &[("expected", expected.into()), ("paid", paid.into())],
    )
    .await?;
    cmd.commit().await?;
    Ok(())
}

/// A household pays (part of) its co-funding pledge into the project's budget; the receipt is the
/// transfer.
pub async fn receive_cofunding(
    app: &App,
    actor: &Actor,
    id: Option<Uuid>,
    budget_id: Uuid,
    household: Uuid,
    fen: i64,
) -> Result<Posted, AppError> {
    amount(fen, "amount")?;
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Budget, budget_id),
        "budget.cofunding",
    )
    .await?;
    let (tenant, b) = managed_budget(&mut cmd.tx, actor, budget_id).await?;
    let id = id.unwrap_or_else(new_id);
    if let Some(t) = replayed(&mut cmd.tx, tenant, id, None, b.account_id, fen).await? {
        cmd.tx.rollback().await?;
        return Ok(Posted {
            transfer_id: t.id,
            created: false,
        });
    }
    let pledge = gongzhi_store::rows::get(
        &mut cmd.tx,
        "cofunding_pledges",
        &[tenant.into(), budget_id.into(), household.into()],
    )
    .await?
    .ok_or_else(|| invalid("pledge_not_found", "household_id"))?;
    let (expected, paid) = (pledge.int(3)?, pledge.int(4)?);
    if paid + fen > expected {
        return Err(AppError::Invalid(
            DomainError::field("cofunding_over_pledge", "amount")
                .arg("left", Fen::new(expected - paid)),
        ));
    }
    let source = source_account(&mut cmd, "residents").await?;
    let mut ts = Transfers::new(tenant);
    ts.add(
        &mut cmd.tx,
        TransferSpec {
            id,
            budget_id: Some(budget_id),
            household_id: Some(household),
            ..TransferSpec::posted(source, b.account_id, fen, "cofunding", &b.title)
        },
    )
    .await?;
    ts.flush(&mut cmd, actor).await?;
    cmd.update(
        "cofunding_pledges",
        &[tenant.into(), budget_id.into(), household.into()],
        &[("paid", (paid + fen).into())],
    )
    .await?;
    cmd.commit().await?;
    Ok(Posted {
        transfer_id: id,
        created: true,
    })
}

/// A donor's gift into an open project budget, inside a larger command (a donor adopting a
/// venture round's application): posted from the donors' source, so the budget can pay what the
/// gift was for. Returns the transfer's id.
pub(crate) async fn gift_into_budget(
    cmd: &mut Command<'_>,
    actor: &Actor,
    budget_id: Uuid,
    fen: i64,
    memo: &str,
) -> Result<Uuid, AppError> {
    amount(fen, "amount")?;
    let tenant = cmd.tenant_id();
    let b = repo_l::budget(&mut cmd.tx, tenant, budget_id)
        .await?
        .ok_or(AppError::NotFound("budget"))?;
    if b.status != BudgetStatus::Open {
        return Err(invalid("budget_closed", "budget_id"));
    }
    let source = source_account(cmd, "donors").await?;
    let id = new_id();
    let mut ts = Transfers::new(tenant);
    ts.add(
        &mut cmd.tx,
        TransferSpec {
            id,
            budget_id: Some(budget_id),
            ..TransferSpec::posted(source, b.account_id, fen, "donation", memo)
        },
    )
    .await?;
    ts.flush(cmd, actor).await?;
    Ok(id)
}

/// Closes a project's budget: no expense may still be on hold; whatever was not spent goes back to
/// its fund (北苑: 36,000 reserved and co-funded, 34,500 spent, 1,500 back).
pub async fn close_budget(app: &App, actor: &Actor, budget_id: Uuid) -> Result<i64, AppError> {
    let mut cmd = on_swept(app, actor, Record::Budget, budget_id, "budget.close").await?;
    managed_budget(&mut cmd.tx, actor, budget_id).await?;
    let left = close_in(&mut cmd, app, actor, budget_id).await?;
    cmd.commit().await?;
    Ok(left)
}

/// Closes the budget inside a larger command (a project's close-out step). The caller has
/// checked the actor keeps the funds and swept lapsed holds.
pub(crate) async fn close_in(
    cmd: &mut Command<'_>,
    app: &App,
    actor: &Actor,
    budget_id: Uuid,
) -> Result<i64, AppError> {
    let tenant = cmd.tenant_id();
    let b = repo_l::budget(&mut cmd.tx, tenant, budget_id)
        .await?
        .ok_or(AppError::NotFound("budget"))?;
    if b.status != BudgetStatus::Open {
        return Err(invalid("budget_closed", "budget_id"));
    }
    let open = repo_l::expenses(&mut cmd.tx, tenant)
        .await?
        .into_iter()
        .filter(|e| e.budget_id == budget_id && e.status.holds_money())
        .count();
    if open > 0 {
        return Err(AppError::Invalid(
            DomainError::field("budget_expenses_open", "budget_id").arg("count", open),
        ));
    }
    let fund = repo_l::fund(&mut cmd.tx, tenant, b.fund_id)
        .await?
        .ok_or(AppError::NotFound("fund"))?;
    let mut ts = Transfers::new(tenant);
    let left = ts
        .load(&mut cmd.tx, b.account_id)
        .await?
        .balance
        .available();
    if left > 0 {
        ts.add(
            &mut cmd.tx,
            TransferSpec {
                budget_id: Some(budget_id),
                ..TransferSpec::posted(b.account_id, fund.account_id, left, "release", &b.title)
            },
        )
        .await?;
    }
    ts.flush(cmd, actor).await?;
    cmd.update(
        "budgets",
        &[tenant.into(), budget_id.into()],
        &[
            ("status", BudgetStatus::Closed.into()),
            ("closed_at", app.now().micros().into()),
            ("released", left.into()),
        ],
    )
    .await?;
    Ok(left)
}

/// A co-funding receipt (收据): who paid, how much (also in capital numerals), for which project.
/// For staff only: the household's address is personal.
#[derive(Debug, Clone)]
pub struct CofundingReceipt {
    pub transfer: TransferRow,
    pub household: String,
    pub project: String,
    pub budget_id: Uuid,
    pub head: Option<gongzhi_store::audit::Head>,
}

pub async fn cofunding_receipt(
    app: &App,
    actor: &Actor,
    transfer_id: Uuid,
) -> Result<CofundingReceipt, AppError> {
    let mut tx = app.db.read().await?;
    let tenant = Record::Transfer.tenant(&mut tx, transfer_id).await?;
    let t = repo_l::transfer(&mut tx, tenant, transfer_id)
        .await?
        .ok_or(AppError::NotFound("transfer"))?;
    let (Some(household), Some(budget_id)) = (t.household_id, t.budget_id) else {
        return Err(AppError::NotFound("receipt"));
    };
    let b = repo_l::budget(&mut tx, tenant, budget_id)
        .await?
        .ok_or(AppError::NotFound("budget"))?;
    actor
        .require(&mut tx, Permission::ManageFunds, b.jurisdiction_id)
        .await?;
    let label = repo_l::household_label(&mut tx, tenant, household)
        .await?
        .unwrap_or_default();
    let head = gongzhi_store::audit::head(&mut tx, tenant).await?;
    tx.rollback().await?;
    Ok(CofundingReceipt {
        transfer: t,
        household: label,
        project: b.title,
        budget_id,
        head,
    })
}

/// The co-funding receipts of a budget, for staff: (transfer id, household, amount, when).
pub async fn cofunding_receipts(
    app: &App,
    actor: &Actor,
    budget_id: Uuid,
) -> Result<Vec<(Uuid, String, i64, i64)>, AppError> {
    let mut tx = app.db.read().await?;
    let (tenant, b) = managed_budget(&mut tx, actor, budget_id).await?;
    let mut out = Vec::new();
    for t in repo_l::transfers_of_account(&mut tx, tenant, b.account_id).await? {
        if let Some(h) = t.household_id {
            let label = repo_l::household_label(&mut tx, tenant, h)
                .await?
                .unwrap_or_default();
            out.push((t.id, label, t.amount, t.created_at));
        }
    }
    tx.rollback().await?;
    Ok(out)
}
