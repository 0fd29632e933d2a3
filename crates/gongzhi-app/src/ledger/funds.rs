//! Funds: opening them, money received, donations, payees, refunds from payees, and bulk
//! postings from a voucher file.

use gongzhi_domain::ledger::AccountKind;
use gongzhi_store::Tx;
use gongzhi_store::ledger::{self as repo_l, FundRow};
use uuid::Uuid;

use crate::authz::{Actor, Permission};
use crate::command::{Command, tenant_of};
use crate::{App, AppError, new_id};

use super::*;

pub struct NewFund<'a> {
    pub community_id: Uuid,
    pub programme: &'a str,
    pub year: i64,
    pub name_zh: &'a str,
    pub name_en: &'a str,
    /// The foundation that holds the money (管用分离): only its custodian pays from the fund.
    pub custodian: Option<&'a str>,
}

pub async fn create_fund(app: &App, actor: &Actor, new: &NewFund<'_>) -> Result<Uuid, AppError> {
    if !PROGRAMMES.contains(&new.programme) {
        return Err(invalid("fund_programme_unknown", "programme"));
    }
    if !(2000..=2200).contains(&new.year) {
        return Err(invalid("fund_year_invalid", "year"));
    }
    let name_zh = text(new.name_zh, "name_zh", 60)?;
    let name_en = if new.name_en.trim().is_empty() {
        name_zh.clone()
    } else {
        text(new.name_en, "name_en", 80)?
    };
    let custodian = new
        .custodian
        .filter(|c| !c.trim().is_empty())
        .map(|c| text(c, "custodian", 80))
        .transpose()?;
    let mut read = app.db.read().await?;
    actor
        .require(&mut read, Permission::ManageFunds, new.community_id)
        .await?;
    if tenant_of(&mut read, new.community_id).await? != new.community_id {
        return Err(invalid("not_a_community", "community_id"));
    }
    read.rollback().await?;
    let mut cmd = Command::begin(app, actor, new.community_id, "fund.create").await?;
    let id = new_id();
    let code = format!(
        "F{}-{}-{}",
        new.year,
        new.programme.replace('_', "-").to_ascii_uppercase(),
        short(id)
    );
    let account = open_account(&mut cmd, AccountKind::Fund, &code, &name_zh, &name_en).await?;
    cmd.insert(
        "funds",
        &[
            ("tenant_id", new.community_id.into()),
            ("id", id.into()),
            ("jurisdiction_id", new.community_id.into()),
            ("programme", new.programme.into()),
            ("year", new.year.into()),
            ("name_zh", name_zh.into()),
            ("name_en", name_en.into()),
            ("account_id", account.into()),
            ("custodian", custodian.into()),
            ("created_at", app.now().0.into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

pub(super) async fn load_fund(tx: &mut Tx, id: Uuid) -> Result<(Uuid, FundRow), AppError> {
    let tenant = repo_l::tenant_of(tx, "funds", id)
        .await?
        .ok_or(AppError::NotFound("fund"))?;
    let f = repo_l::fund(tx, tenant, id)
        .await?
        .ok_or(AppError::NotFound("fund"))?;
    Ok((tenant, f))
}

/// Money received into a fund from a source (an allocation, carry-over, other income).
pub struct Receipt<'a> {
    pub id: Option<Uuid>,
    pub fund_id: Uuid,
    pub source: &'a str,
    pub amount: i64,
    pub code: &'a str,
    pub memo: &'a str,
}

pub async fn receive(app: &App, actor: &Actor, r: &Receipt<'_>) -> Result<Posted, AppError> {
    amount(r.amount, "amount")?;
    let code: &'static str = ["allocation", "carry_over"]
        .into_iter()
        .find(|c| *c == r.code)
        .ok_or_else(|| invalid("ledger_code_unknown", "code"))?;
    if !SOURCES.iter().any(|(k, _, _)| *k == r.source) || r.source == "donors" {
        return Err(invalid("ledger_source_unknown", "source"));
    }
    let memo = text(r.memo, "memo", 200)?;
    let mut read = app.db.read().await?;
    let (tenant, fund) = load_fund(&mut read, r.fund_id).await?;
    actor
        .require(&mut read, Permission::ManageFunds, fund.jurisdiction_id)
        .await?;
    read.rollback().await?;
    let mut cmd = Command::begin(app, actor, tenant, "fund.receive").await?;
    let id = r.id.unwrap_or_else(new_id);
    if let Some(t) = replayed(&mut cmd.tx, tenant, id, None, fund.account_id, r.amount).await? {
        cmd.tx.rollback().await?;
        return Ok(Posted {
            transfer_id: t.id,
            created: false,
        });
    }
    let source = source_account(&mut cmd, r.source).await?;
    let mut ts = Transfers::new(tenant);
    ts.add(
        &mut cmd.tx,
        TransferSpec {
            id,
            ..TransferSpec::posted(source, fund.account_id, r.amount, code, &memo)
        },
    )
    .await?;
    ts.flush(&mut cmd, actor).await?;
    cmd.commit().await?;
    Ok(Posted {
        transfer_id: id,
        created: true,
    })
}

/// A donation into a fund. The donor's name is personal data: public pages mask it.
pub async fn record_donation(
    app: &App,
    actor: &Actor,
    id: Option<Uuid>,
    fund_id: Uuid,
    donor_name: &str,
    fen: i64,
) -> Result<Uuid, AppError> {
    amount(fen, "amount")?;
    let donor = text(donor_name, "donor_name", 60)?;
    let mut read = app.db.read().await?;
    let (tenant, fund) = load_fund(&mut read, fund_id).await?;
    actor
        .require(&mut read, Permission::ManageFunds, fund.jurisdiction_id)
        .await?;
    read.rollback().await?;
    let mut cmd = Command::begin(app, actor, tenant, "fund.donation").await?;
    let id = id.unwrap_or_else(new_id);
    if let Some(d) = repo_l::donation(&mut cmd.tx, tenant, id).await? {
        cmd.tx.rollback().await?;
        if d.amount != fen || d.fund_id != fund_id {
            return Err(invalid("ledger_transfer_id_reused", "id"));
        }
        return Ok(d.id);
    }
    let source = source_account(&mut cmd, "donors").await?;
    let mut ts = Transfers::new(tenant);
    let transfer = new_id();
    ts.add(
        &mut cmd.tx,
        TransferSpec {
            id: transfer,
            ..TransferSpec::posted(source, fund.account_id, fen, "donation", "社会捐赠")
        },
    )
    .await?;
    ts.flush(&mut cmd, actor).await?;
    cmd.insert(
        "donations",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("fund_id", fund_id.into()),
            ("donor_name", donor.into()),
            ("amount", fen.into()),
            ("transfer_id", transfer.into()),
            ("received_at", app.now().0.into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

/// Opens an account for someone the community pays (a contractor, a hospital).
pub async fn register_payee(
    app: &App,
    actor: &Actor,
    community: Uuid,
    name_zh: &str,
    name_en: &str,
) -> Result<Uuid, AppError> {
    let name_zh = text(name_zh, "name_zh", 80)?;
    let name_en = if name_en.trim().is_empty() {
        name_zh.clone()
    } else {
        text(name_en, "name_en", 80)?
    };
    let mut read = app.db.read().await?;
    actor
        .require(&mut read, Permission::ManageFunds, community)
        .await?;
    if tenant_of(&mut read, community).await? != community {
        return Err(invalid("not_a_community", "community_id"));
    }
    read.rollback().await?;
    let mut cmd = Command::begin(app, actor, community, "payee.register").await?;
    let code = format!("Y-{}", short(new_id()));
    let id = open_account(&mut cmd, AccountKind::Payee, &code, &name_zh, &name_en).await?;
    cmd.commit().await?;
    Ok(id)
}

/// Money a payee returns (a hospital refunding what a treatment did not use) goes back to the
/// fund. From a custodian-held fund only the custodian records it.
pub async fn refund(
    app: &App,
    actor: &Actor,
    id: Option<Uuid>,
    payee_id: Uuid,
    fund_id: Uuid,
    fen: i64,
    memo: &str,
) -> Result<Posted, AppError> {
    amount(fen, "amount")?;
    let memo = text(memo, "memo", 200)?;
    let mut read = app.db.read().await?;
    let (tenant, fund) = load_fund(&mut read, fund_id).await?;
    if fund.custodian.is_none() {
        actor
            .require(&mut read, Permission::ManageFunds, fund.jurisdiction_id)
            .await?;
    }
    read.rollback().await?;
    let mut cmd = Command::begin(app, actor, tenant, "fund.refund").await?;
    if fund.custodian.is_some() {
        let me = actor.account_id.ok_or(AppError::Unauthenticated)?;
        if !is_custodian(&mut cmd.tx, tenant, fund.jurisdiction_id, me, app).await? {
            return Err(invalid("custodian_only", "fund_id"));
        }
    }
    let id = id.unwrap_or_else(new_id);
    if let Some(t) = replayed(
        &mut cmd.tx,
        tenant,
        id,
        Some(payee_id),
        fund.account_id,
        fen,
    )
    .await?
    {
        cmd.tx.rollback().await?;
        return Ok(Posted {
            transfer_id: t.id,
            created: false,
        });
    }
    let payee = repo_l::account(&mut cmd.tx, tenant, payee_id)
        .await?
        .filter(|a| a.kind == AccountKind::Payee.key())
        .ok_or_else(|| invalid("payee_unknown", "payee_id"))?;
    let mut ts = Transfers::new(tenant);
    ts.add(
        &mut cmd.tx,
        TransferSpec {
            id,
            ..TransferSpec::posted(payee.id, fund.account_id, fen, "refund", &memo)
        },
    )
    .await?;
    ts.flush(&mut cmd, actor).await?;
    cmd.commit().await?;
    Ok(Posted {
        transfer_id: id,
        created: true,
    })
}
