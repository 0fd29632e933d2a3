//! The community fund (赋能 + 监督): funds per programme and year, money received, donations held
//! by a custodian, project budgets reserved on an effective resolution, expenses held the moment
//! they are submitted and settled only when the rulebook's sign-off chain is complete, close-out
//! releasing what was not spent, corrections as reversing transfers, and disclosure statements.
//!
//! Every transfer goes through [`Transfers`]: it loads the accounts a command touches once, applies
//! each transfer with the pure ledger rule (`gongzhi_domain::ledger::apply`), and writes each
//! touched account once with the transfers, all inside the command's transaction. A transfer's id
//! may be chosen by the caller: a retry with the same id returns the first result and posts
//! nothing.

use std::collections::HashMap;

use gongzhi_domain::ledger::{
    self, AccountKind, AccountState, Balance, DisclosureSchedule, Phase, SignoffChain,
    SignoffProgress, StatementLine,
};
use gongzhi_domain::rulebook::RuleValue;
use gongzhi_domain::time::{Instant, format_date, parse_date};
use gongzhi_domain::{DomainError, Fen};
use gongzhi_store::ledger::{
    self as repo_l, AccountRow, BudgetRow, ExpenseRow, FundRow, SignatureRow, TransferRow,
};
use gongzhi_store::{Tx, Value, repo};
use serde_json::json;
use uuid::Uuid;

use crate::authz::{Actor, Permission};
use crate::command::{Command, tenant_of};
use crate::councils::resolution_in;
use crate::rules::rule_in_force;
use crate::{App, AppError, new_id};

/// Fund programmes (资金类别).
pub const PROGRAMMES: &[&str] = &["base", "incentive", "cofunding", "donation", "carry_over"];

/// Where money comes from: each is one source account per community.
pub const SOURCES: &[(&str, &str, &str)] = &[
    ("city", "市级财政", "City budget"),
    ("district", "区（市）县财政", "District budget"),
    ("street", "街道", "Street office"),
    ("residents", "居民自筹", "Residents' co-funding"),
    ("donors", "社会捐赠", "Donations"),
    ("carry_over", "上年结转", "Carried over"),
    ("other", "其他收入", "Other income"),
];

fn invalid(code: &'static str, field: &'static str) -> AppError {
    AppError::invalid(code, field)
}

fn text(value: &str, field: &'static str, max: usize) -> Result<String, AppError> {
    let t = value.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(invalid("text_length_invalid", field));
    }
    Ok(t.to_string())
}

fn amount(fen: i64, field: &'static str) -> Result<i64, AppError> {
    Ok(ledger::check_amount(fen, field)?)
}

/// `Y2026`-style short code of an id: its last eight hex digits (the random part of a UUIDv7).
fn short(id: Uuid) -> String {
    let s = id.simple().to_string();
    s[s.len() - 8..].to_ascii_uppercase()
}

fn kind_of(a: &AccountRow) -> Result<AccountKind, AppError> {
    AccountKind::parse(&a.kind).ok_or(AppError::NotFound("account kind"))
}

// ---- transfers ----

/// What a caller asks to move.
#[derive(Debug, Clone)]
pub struct TransferSpec {
    pub id: Uuid,
    pub debit: Uuid,
    pub credit: Uuid,
    pub amount: i64,
    pub phase: Phase,
    pub pending_id: Option<Uuid>,
    pub code: &'static str,
    pub memo: String,
    pub budget_id: Option<Uuid>,
    pub expense_id: Option<Uuid>,
    pub resolution_id: Option<Uuid>,
    pub reverses_id: Option<Uuid>,
}

impl TransferSpec {
    pub fn posted(debit: Uuid, credit: Uuid, amount: i64, code: &'static str, memo: &str) -> Self {
        TransferSpec {
            id: new_id(),
            debit,
            credit,
            amount,
            phase: Phase::Posted,
            pending_id: None,
            code,
            memo: memo.to_string(),
            budget_id: None,
            expense_id: None,
            resolution_id: None,
            reverses_id: None,
        }
    }
}

/// The transfers of one command: applied in memory as they are added, written at `flush`.
pub struct Transfers {
    tenant: Uuid,
    accounts: HashMap<Uuid, AccountState>,
    /// Pending transfers loaded or created in this command: id → (debit, credit, amount).
    pending: HashMap<Uuid, (Uuid, Uuid, i64)>,
    settled: Vec<Uuid>,
    staged: Vec<TransferSpec>,
}

impl Transfers {
    pub fn new(tenant: Uuid) -> Self {
        Transfers {
            tenant,
            accounts: HashMap::new(),
            pending: HashMap::new(),
            settled: Vec::new(),
            staged: Vec::new(),
        }
    }

    async fn load(&mut self, tx: &mut Tx, id: Uuid) -> Result<AccountState, AppError> {
        if let Some(a) = self.accounts.get(&id) {
            return Ok(*a);
        }
        let row = repo_l::account(tx, self.tenant, id)
            .await?
            .ok_or_else(|| invalid("ledger_account_unknown", "account_id"))?;
        let mut state = AccountState::new(kind_of(&row)?);
        state.balance = row.balance;
        self.accounts.insert(id, state);
        Ok(state)
    }

    /// Adds a transfer: refused at once (and nothing staged) if the ledger rule refuses it.
    pub async fn add(&mut self, tx: &mut Tx, t: TransferSpec) -> Result<(), AppError> {
        if t.debit == t.credit {
            return Err(invalid("ledger_same_account", "account_id"));
        }
        if self.staged.iter().any(|s| s.id == t.id) {
            return Err(invalid("ledger_transfer_id_reused", "id"));
        }
        let mut debit = self.load(tx, t.debit).await?;
        let mut credit = self.load(tx, t.credit).await?;
        let held = match t.phase {
            Phase::PostPending | Phase::VoidPending => {
                let pid = t
                    .pending_id
                    .ok_or_else(|| invalid("ledger_not_pending", "pending_id"))?;
                let held = match self.pending.get(&pid) {
                    Some(p) => *p,
                    None => {
                        let p = repo_l::transfer(tx, self.tenant, pid)
                            .await?
                            .filter(|p| p.phase == "pending")
                            .ok_or_else(|| invalid("ledger_not_pending", "pending_id"))?;
                        if repo_l::settlement_of(tx, self.tenant, pid).await?.is_some() {
                            return Err(invalid("ledger_not_pending", "pending_id"));
                        }
                        (p.debit_id, p.credit_id, p.amount)
                    }
                };
                if self.settled.contains(&pid) || (held.0, held.1) != (t.debit, t.credit) {
                    return Err(invalid("ledger_not_pending", "pending_id"));
                }
                Some(held.2)
            }
            _ => None,
        };
        ledger::apply(t.phase, t.amount, held, &mut debit, &mut credit)?;
        self.accounts.insert(t.debit, debit);
        self.accounts.insert(t.credit, credit);
        match t.phase {
            Phase::Pending => {
                self.pending.insert(t.id, (t.debit, t.credit, t.amount));
            }
            Phase::PostPending | Phase::VoidPending => {
                if let Some(p) = t.pending_id {
                    self.settled.push(p);
                }
            }
            Phase::Posted => {}
        }
        self.staged.push(t);
        Ok(())
    }

    pub fn balance(&self, account: Uuid) -> Option<Balance> {
        self.accounts.get(&account).map(|a| a.balance)
    }

    /// Writes the staged transfers (numbered in order) and every touched account once.
    pub async fn flush(self, cmd: &mut Command<'_>, actor: &Actor) -> Result<Vec<Uuid>, AppError> {
        let now = cmd_now(cmd);
        let mut seq = repo_l::next_seq(&mut cmd.tx, self.tenant).await?;
        let mut ids = Vec::with_capacity(self.staged.len());
        for t in &self.staged {
            cmd.insert(
                "ledger_transfers",
                &[
                    ("tenant_id", self.tenant.into()),
                    ("id", t.id.into()),
                    ("seq", seq.into()),
                    ("debit_id", t.debit.into()),
                    ("credit_id", t.credit.into()),
                    ("amount", t.amount.into()),
                    ("phase", t.phase.key().into()),
                    ("pending_id", t.pending_id.into()),
                    ("code", t.code.into()),
                    ("memo", t.memo.clone().into()),
                    ("budget_id", t.budget_id.into()),
                    ("expense_id", t.expense_id.into()),
                    ("resolution_id", t.resolution_id.into()),
                    ("reverses_id", t.reverses_id.into()),
                    ("created_at", now.into()),
                    ("created_by", actor.account_id.into()),
                ],
            )
            .await?;
            seq += 1;
            ids.push(t.id);
        }
        let mut touched: Vec<(&Uuid, &AccountState)> = self.accounts.iter().collect();
        touched.sort_by_key(|(id, _)| **id);
        for (id, a) in touched {
            let b = a.balance;
            cmd.update(
                "ledger_accounts",
                &[self.tenant.into(), (*id).into()],
                &[
                    ("debits_pending", b.debits_pending.into()),
                    ("debits_posted", b.debits_posted.into()),
                    ("credits_pending", b.credits_pending.into()),
                    ("credits_posted", b.credits_posted.into()),
                ],
            )
            .await?;
        }
        cmd.detail("transfers", ids.len());
        Ok(ids)
    }
}

fn cmd_now(cmd: &Command<'_>) -> i64 {
    cmd.now().0
}

/// Opens a ledger account inside a command.
async fn open_account(
    cmd: &mut Command<'_>,
    kind: AccountKind,
    code: &str,
    name_zh: &str,
    name_en: &str,
) -> Result<Uuid, AppError> {
    let id = new_id();
    let tenant = cmd.tenant_id();
    let now = cmd_now(cmd);
    cmd.insert(
        "ledger_accounts",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("kind", kind.key().into()),
            ("code", code.into()),
            ("name_zh", name_zh.into()),
            ("name_en", name_en.into()),
            ("debits_pending", 0i64.into()),
            ("debits_posted", 0i64.into()),
            ("credits_pending", 0i64.into()),
            ("credits_posted", 0i64.into()),
            ("created_at", now.into()),
        ],
    )
    .await?;
    Ok(id)
}

/// The community's account for a source of money, opened the first time it is used.
async fn source_account(cmd: &mut Command<'_>, source: &str) -> Result<Uuid, AppError> {
    let (key, zh, en) = SOURCES
        .iter()
        .find(|(k, _, _)| *k == source)
        .ok_or_else(|| invalid("ledger_source_unknown", "source"))?;
    let code = format!("S-{}", key.replace('_', "-").to_ascii_uppercase());
    let tenant = cmd.tenant_id();
    if let Some(a) = repo_l::account_by_code(&mut cmd.tx, tenant, &code).await? {
        return Ok(a.id);
    }
    open_account(cmd, AccountKind::Source, &code, zh, en).await
}

/// A caller-chosen transfer id seen before: the same request returns the first result; a
/// different request with the same id is refused.
async fn replayed(
    tx: &mut Tx,
    tenant: Uuid,
    id: Uuid,
    debit: Option<Uuid>,
    credit: Uuid,
    amount: i64,
) -> Result<Option<TransferRow>, AppError> {
    let Some(t) = repo_l::transfer(tx, tenant, id).await? else {
        return Ok(None);
    };
    if t.credit_id != credit || t.amount != amount || debit.is_some_and(|d| d != t.debit_id) {
        return Err(invalid("ledger_transfer_id_reused", "id"));
    }
    Ok(Some(t))
}

/// A transfer's outcome: its id and whether this call created it (false: a retry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posted {
    pub transfer_id: Uuid,
    pub created: bool,
}

// ---- funds ----

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

async fn load_fund(tx: &mut Tx, id: Uuid) -> Result<(Uuid, FundRow), AppError> {
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

// ---- project budgets ----

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
}

/// Reserves an approved project's budget from a fund: the resolution must be a project approval
/// in force, and the fund must have the money available (holds counted).
pub async fn reserve_budget(
    app: &App,
    actor: &Actor,
    new: &NewBudget<'_>,
) -> Result<Uuid, AppError> {
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
    let mut read = app.db.read().await?;
    let (tenant, fund) = load_fund(&mut read, new.fund_id).await?;
    actor
        .require(&mut read, Permission::ManageFunds, fund.jurisdiction_id)
        .await?;
    read.rollback().await?;
    let mut cmd = Command::begin(app, actor, tenant, "budget.reserve").await?;
    let id = new.id.unwrap_or_else(new_id);
    if let Some(b) = repo_l::budget(&mut cmd.tx, tenant, id).await? {
        cmd.tx.rollback().await?;
        if b.reserved != new.reserved || b.fund_id != new.fund_id {
            return Err(invalid("ledger_transfer_id_reused", "id"));
        }
        return Ok(b.id);
    }
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
    for (h, _) in new.pledges {
        if !household_exists(&mut cmd.tx, tenant, *h).await? {
            return Err(invalid("household_not_found", "pledges"));
        }
    }
    let code = format!("P-{}", short(id));
    let account = open_account(&mut cmd, AccountKind::Project, &code, &title, &title).await?;
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
            ("status", "open".into()),
            ("created_at", app.now().0.into()),
            ("closed_at", Value::Int(None)),
            ("released", Value::Int(None)),
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
    ts.flush(&mut cmd, actor).await?;
    cmd.commit().await?;
    Ok(id)
}

async fn household_exists(tx: &mut Tx, tenant: Uuid, id: Uuid) -> Result<bool, AppError> {
    Ok(
        gongzhi_store::rows::get(tx, "households", &[tenant.into(), id.into()])
            .await?
            .is_some(),
    )
}

async fn load_budget(tx: &mut Tx, id: Uuid) -> Result<(Uuid, BudgetRow), AppError> {
    let tenant = repo_l::tenant_of(tx, "budgets", id)
        .await?
        .ok_or(AppError::NotFound("budget"))?;
    let b = repo_l::budget(tx, tenant, id)
        .await?
        .ok_or(AppError::NotFound("budget"))?;
    Ok((tenant, b))
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
    let mut read = app.db.read().await?;
    let (tenant, b) = load_budget(&mut read, budget_id).await?;
    actor
        .require(&mut read, Permission::ManageFunds, b.jurisdiction_id)
        .await?;
    read.rollback().await?;
    let mut cmd = Command::begin(app, actor, tenant, "budget.cofunding").await?;
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
            DomainError::field("cofunding_over_pledge", "amount").arg("left", Fen(expected - paid)),
        ));
    }
    let source = source_account(&mut cmd, "residents").await?;
    let mut ts = Transfers::new(tenant);
    ts.add(
        &mut cmd.tx,
        TransferSpec {
            id,
            budget_id: Some(budget_id),
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

/// Closes a project's budget: no expense may still be on hold; whatever was not spent goes back to
/// its fund (北苑: 36,000 reserved and co-funded, 34,500 spent, 1,500 back).
pub async fn close_budget(app: &App, actor: &Actor, budget_id: Uuid) -> Result<i64, AppError> {
    let mut read = app.db.read().await?;
    let (tenant, b) = load_budget(&mut read, budget_id).await?;
    actor
        .require(&mut read, Permission::ManageFunds, b.jurisdiction_id)
        .await?;
    read.rollback().await?;
    sweep_lapsed(app, tenant).await?;
    let mut cmd = Command::begin(app, actor, tenant, "budget.close").await?;
    let b = repo_l::budget(&mut cmd.tx, tenant, budget_id)
        .await?
        .ok_or(AppError::NotFound("budget"))?;
    if b.status != "open" {
        return Err(invalid("budget_closed", "budget_id"));
    }
    let open = repo_l::expenses(&mut cmd.tx, tenant)
        .await?
        .into_iter()
        .filter(|e| e.budget_id == budget_id && matches!(e.status.as_str(), "held" | "approved"))
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
    ts.flush(&mut cmd, actor).await?;
    cmd.update(
        "budgets",
        &[tenant.into(), budget_id.into()],
        &[
            ("status", "closed".into()),
            ("closed_at", app.now().0.into()),
            ("released", left.into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(left)
}

// ---- expenses and sign-off ----

pub struct NewExpense<'a> {
    pub id: Option<Uuid>,
    pub budget_id: Uuid,
    pub payee_id: Uuid,
    pub amount: i64,
    pub description: &'a str,
    /// The invoice or receipt, uploaded first (`uploads::store`).
    pub document_sha256: &'a str,
}

/// Submits an expense: the money is held on the project's budget at once (a pending transfer to
/// the payee), so nobody can overspend while sign-off is outstanding. The sign-off chain in force
/// is pinned on the expense.
pub async fn submit_expense(
    app: &App,
    actor: &Actor,
    new: &NewExpense<'_>,
) -> Result<Uuid, AppError> {
    amount(new.amount, "amount")?;
    let description = text(new.description, "description", 200)?;
    let sha = new.document_sha256.trim().to_ascii_lowercase();
    if sha.is_empty() {
        return Err(invalid("expense_document_missing", "document_sha256"));
    }
    let mut read = app.db.read().await?;
    let (tenant, b) = load_budget(&mut read, new.budget_id).await?;
    actor
        .require(&mut read, Permission::ManageFunds, b.jurisdiction_id)
        .await?;
    read.rollback().await?;
    sweep_lapsed(app, tenant).await?;
    let mut cmd = Command::begin(app, actor, tenant, "expense.submit").await?;
    let id = new.id.unwrap_or_else(new_id);
    if let Some(e) = repo_l::expense(&mut cmd.tx, tenant, id).await? {
        cmd.tx.rollback().await?;
        if e.amount != new.amount || e.budget_id != new.budget_id || e.payee_id != new.payee_id {
            return Err(invalid("ledger_transfer_id_reused", "id"));
        }
        return Ok(e.id);
    }
    let b = repo_l::budget(&mut cmd.tx, tenant, new.budget_id)
        .await?
        .ok_or(AppError::NotFound("budget"))?;
    if b.status != "open" {
        return Err(invalid("budget_closed", "budget_id"));
    }
    let (_, r) = resolution_in(&mut cmd.tx, app.now(), b.resolution_id).await?;
    if !matches!(r.state, gongzhi_domain::council::NoticeState::InForce(_)) {
        return Err(AppError::Invalid(
            DomainError::field("budget_resolution_not_in_force", "budget_id")
                .arg("state", r.state.key()),
        ));
    }
    if gongzhi_store::repo::upload(&mut cmd.tx, tenant, &sha)
        .await?
        .is_none()
    {
        return Err(invalid("expense_document_missing", "document_sha256"));
    }
    let payee = repo_l::account(&mut cmd.tx, tenant, new.payee_id)
        .await?
        .ok_or_else(|| invalid("payee_unknown", "payee_id"))?;
    if payee.kind != AccountKind::Payee.key() {
        return Err(invalid("payee_unknown", "payee_id"));
    }
    let chain = signoff_chain(&mut cmd.tx, app, b.jurisdiction_id).await?;
    let now = app.now();
    let expires = now.0 + i64::from(chain.window_days) * 86_400_000_000;
    let transfer = new_id();
    let mut ts = Transfers::new(tenant);
    ts.add(
        &mut cmd.tx,
        TransferSpec {
            id: transfer,
            phase: Phase::Pending,
            budget_id: Some(b.id),
            expense_id: Some(id),
            ..TransferSpec::posted(b.account_id, payee.id, new.amount, "expense", &description)
        },
    )
    .await?;
    ts.flush(&mut cmd, actor).await?;
    cmd.insert(
        "expenses",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("budget_id", b.id.into()),
            ("payee_id", payee.id.into()),
            ("amount", new.amount.into()),
            ("description", description.into()),
            ("document_sha256", sha.into()),
            ("transfer_id", transfer.into()),
            ("status", "held".into()),
            (
                "chain_json",
                serde_json::to_string(&chain).unwrap_or_default().into(),
            ),
            ("submitted_by", actor.account_id.into()),
            ("submitted_at", now.0.into()),
            ("expires_at", expires.into()),
            ("settled_amount", Value::Int(None)),
            ("closed_at", Value::Int(None)),
            ("reason", Value::Text(None)),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

async fn signoff_chain(
    tx: &mut Tx,
    app: &App,
    jurisdiction: Uuid,
) -> Result<SignoffChain, AppError> {
    match rule_in_force(
        tx,
        jurisdiction,
        "expense.signoff",
        app.now().china_date(),
        app.now(),
    )
    .await?
    {
        RuleValue::Signoff(c) => Ok(c),
        _ => Err(invalid("rule_missing", "expense.signoff")),
    }
}

/// One person who may sign a step: identified by account (a board member without an account is
/// identified by their resident id, which no account matches, so the step waits for them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    pub id: Uuid,
    pub name: String,
    pub has_account: bool,
}

/// Who belongs to each step's groups today, at the expense's jurisdiction and above (within its
/// community).
async fn step_members(
    tx: &mut Tx,
    tenant: Uuid,
    jurisdiction: Uuid,
    chain: &SignoffChain,
    today: &str,
) -> Result<Vec<Vec<Signer>>, AppError> {
    let up: Vec<Uuid> = repo::ancestors(tx, jurisdiction)
        .await?
        .iter()
        .map(|j| j.id)
        .collect();
    let offices = repo::offices_in(tx, tenant).await?;
    let councils = gongzhi_store::councils::councils(tx, tenant).await?;
    // The supervisory board nearest the expense's jurisdiction.
    let board = up.iter().find_map(|j| {
        councils
            .iter()
            .find(|c| c.kind == "supervisory_board" && c.jurisdiction_id == *j)
    });
    let board_members: Vec<Signer> = match board {
        Some(c) => gongzhi_store::councils::seats(tx, tenant, c.id, today)
            .await?
            .into_iter()
            .filter(|s| s.seat_role != "invitee")
            .map(|s| Signer {
                id: s.account_id.unwrap_or(s.resident_id),
                name: s.resident_name,
                has_account: s.account_id.is_some(),
            })
            .collect(),
        None => vec![],
    };
    let mut out = Vec::with_capacity(chain.steps.len());
    for step in &chain.steps {
        let mut who: Vec<Signer> = Vec::new();
        for group in &step.signers {
            let members: Vec<Signer> = if group == "supervisory_board" {
                board_members.clone()
            } else {
                offices
                    .iter()
                    .filter(|o| {
                        o.office == *group
                            && up.contains(&o.jurisdiction_id)
                            && o.term_start.as_str() <= today
                            && o.term_end.as_deref().is_none_or(|e| e >= today)
                    })
                    .map(|o| Signer {
                        id: o.account_id,
                        name: o.holder_name.clone(),
                        has_account: true,
                    })
                    .collect()
            };
            for m in members {
                if !who.iter().any(|w| w.id == m.id) {
                    who.push(m);
                }
            }
        }
        out.push(who);
    }
    Ok(out)
}

fn progress_of(
    chain: &SignoffChain,
    members: &[Vec<Signer>],
    sigs: &[SignatureRow],
) -> SignoffProgress<Uuid> {
    ledger::progress(
        chain,
        |i| members[i].iter().map(|s| s.id).collect(),
        |i| {
            sigs.iter()
                .filter(|s| s.step == i as i64 && s.decision == "signed")
                .map(|s| s.account_id)
                .collect()
        },
    )
}

async fn load_expense(tx: &mut Tx, id: Uuid) -> Result<(Uuid, ExpenseRow), AppError> {
    let tenant = repo_l::tenant_of(tx, "expenses", id)
        .await?
        .ok_or(AppError::NotFound("expense"))?;
    let e = repo_l::expense(tx, tenant, id)
        .await?
        .ok_or(AppError::NotFound("expense"))?;
    Ok((tenant, e))
}

fn pinned_chain(e: &ExpenseRow) -> Result<SignoffChain, AppError> {
    serde_json::from_str(&e.chain_json).map_err(|_| AppError::NotFound("sign-off chain"))
}

/// What a signer decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision<'a> {
    Sign,
    Reject(&'a str),
}

/// Where an expense stands after a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpenseState {
    /// Waiting at a step (0-based).
    Waiting(usize),
    /// Every step signed; a custodian-held fund's custodian must now pay it.
    Approved,
    /// Settled: this amount was paid; the rest of the hold went back.
    Posted(i64),
    Rejected,
}

/// A signer signs or rejects the expense at its current step. The last signature posts the
/// transfer (`settle` may be less than held: the rest returns), unless the fund is held by a
/// custodian, who then pays it.
pub async fn sign_expense(
    app: &App,
    actor: &Actor,
    expense_id: Uuid,
    decision: Decision<'_>,
    settle: Option<i64>,
) -> Result<ExpenseState, AppError> {
    let me = actor.account_id.ok_or(AppError::Unauthenticated)?;
    let reason = match decision {
        Decision::Reject(r) => Some(text(r, "reason", 500)?),
        Decision::Sign => None,
    };
    if let Some(s) = settle {
        amount(s, "settle_amount")?;
    }
    let mut read = app.db.read().await?;
    let (tenant, _) = load_expense(&mut read, expense_id).await?;
    read.rollback().await?;
    sweep_lapsed(app, tenant).await?;
    let mut cmd = Command::begin(app, actor, tenant, "expense.sign").await?;
    let e = repo_l::expense(&mut cmd.tx, tenant, expense_id)
        .await?
        .ok_or(AppError::NotFound("expense"))?;
    if e.status != "held" {
        return Err(AppError::Invalid(
            DomainError::field("expense_not_waiting", "expense_id").arg("status", &e.status),
        ));
    }
    let b = repo_l::budget(&mut cmd.tx, tenant, e.budget_id)
        .await?
        .ok_or(AppError::NotFound("budget"))?;
    let chain = pinned_chain(&e)?;
    let today = format_date(app.now().china_date());
    let members = step_members(&mut cmd.tx, tenant, b.jurisdiction_id, &chain, &today).await?;
    let sigs = repo_l::signatures(&mut cmd.tx, tenant, expense_id).await?;
    let SignoffProgress::Waiting { step, .. } = progress_of(&chain, &members, &sigs) else {
        return Err(invalid("expense_not_waiting", "expense_id"));
    };
    if !members[step].iter().any(|s| s.id == me) {
        let later = members
            .iter()
            .skip(step + 1)
            .any(|m| m.iter().any(|s| s.id == me));
        return Err(invalid(
            if later {
                "signoff_not_your_turn"
            } else {
                "signoff_not_a_signer"
            },
            "expense_id",
        ));
    }
    if e.submitted_by == Some(me) {
        return Err(invalid("signoff_own_expense", "expense_id"));
    }
    if sigs
        .iter()
        .any(|s| s.step == step as i64 && s.account_id == me)
    {
        return Err(invalid("signoff_already_signed", "expense_id"));
    }
    let now = app.now().0;
    cmd.insert(
        "expense_signatures",
        &[
            ("tenant_id", tenant.into()),
            ("expense_id", expense_id.into()),
            ("step", (step as i64).into()),
            ("account_id", me.into()),
            (
                "decision",
                if reason.is_some() {
                    "rejected"
                } else {
                    "signed"
                }
                .into(),
            ),
            ("reason", reason.clone().into()),
            ("signed_at", now.into()),
        ],
    )
    .await?;
    cmd.detail("step", step);
    if reason.is_some() {
        settle_expense(&mut cmd, actor, &e, &b, None, "rejected", reason).await?;
        cmd.commit().await?;
        return Ok(ExpenseState::Rejected);
    }
    let mut sigs = sigs;
    sigs.push(SignatureRow {
        step: step as i64,
        account_id: me,
        display_name: String::new(),
        decision: "signed".into(),
        reason: None,
        signed_at: now,
    });
    let state = match progress_of(&chain, &members, &sigs) {
        SignoffProgress::Waiting { step, .. } => {
            if settle.is_some() {
                return Err(invalid("settle_only_at_last_step", "settle_amount"));
            }
            ExpenseState::Waiting(step)
        }
        SignoffProgress::Complete => {
            let fund = repo_l::fund(&mut cmd.tx, tenant, b.fund_id)
                .await?
                .ok_or(AppError::NotFound("fund"))?;
            if fund.custodian.is_some() {
                if settle.is_some() {
                    return Err(invalid("settle_only_at_last_step", "settle_amount"));
                }
                cmd.update(
                    "expenses",
                    &[tenant.into(), expense_id.into()],
                    &[("status", "approved".into())],
                )
                .await?;
                ExpenseState::Approved
            } else {
                let paid = settle.unwrap_or(e.amount);
                settle_expense(&mut cmd, actor, &e, &b, Some(paid), "posted", None).await?;
                ExpenseState::Posted(paid)
            }
        }
    };
    cmd.commit().await?;
    Ok(state)
}

/// Posts (`paid` = Some) or voids (None) an expense's hold and records the outcome.
async fn settle_expense(
    cmd: &mut Command<'_>,
    actor: &Actor,
    e: &ExpenseRow,
    b: &BudgetRow,
    paid: Option<i64>,
    status: &str,
    reason: Option<String>,
) -> Result<(), AppError> {
    let tenant = cmd.tenant_id();
    let mut ts = Transfers::new(tenant);
    ts.add(
        &mut cmd.tx,
        TransferSpec {
            phase: if paid.is_some() {
                Phase::PostPending
            } else {
                Phase::VoidPending
            },
            pending_id: Some(e.transfer_id),
            budget_id: Some(b.id),
            expense_id: Some(e.id),
            ..TransferSpec::posted(
                b.account_id,
                e.payee_id,
                paid.unwrap_or(0),
                "expense",
                &e.description,
            )
        },
    )
    .await?;
    ts.flush(cmd, actor).await?;
    let now = cmd_now(cmd);
    cmd.update(
        "expenses",
        &[tenant.into(), e.id.into()],
        &[
            ("status", status.into()),
            ("settled_amount", paid.into()),
            ("closed_at", now.into()),
            ("reason", reason.into()),
        ],
    )
    .await
}

/// The custodian of a foundation-held fund pays an approved expense straight to the payee
/// (管用分离): nobody else can move that money.
pub async fn pay_expense(
    app: &App,
    actor: &Actor,
    expense_id: Uuid,
    settle: Option<i64>,
) -> Result<i64, AppError> {
    let me = actor.account_id.ok_or(AppError::Unauthenticated)?;
    if let Some(s) = settle {
        amount(s, "settle_amount")?;
    }
    let mut read = app.db.read().await?;
    let (tenant, _) = load_expense(&mut read, expense_id).await?;
    read.rollback().await?;
    sweep_lapsed(app, tenant).await?;
    let mut cmd = Command::begin(app, actor, tenant, "expense.pay").await?;
    let e = repo_l::expense(&mut cmd.tx, tenant, expense_id)
        .await?
        .ok_or(AppError::NotFound("expense"))?;
    let b = repo_l::budget(&mut cmd.tx, tenant, e.budget_id)
        .await?
        .ok_or(AppError::NotFound("budget"))?;
    let fund = repo_l::fund(&mut cmd.tx, tenant, b.fund_id)
        .await?
        .ok_or(AppError::NotFound("fund"))?;
    if fund.custodian.is_none() {
        return Err(invalid("fund_not_in_custody", "expense_id"));
    }
    if !is_custodian(&mut cmd.tx, tenant, fund.jurisdiction_id, me, app).await? {
        return Err(invalid("custodian_only", "expense_id"));
    }
    if e.status != "approved" {
        return Err(AppError::Invalid(
            DomainError::field("expense_not_approved", "expense_id").arg("status", &e.status),
        ));
    }
    let paid = settle.unwrap_or(e.amount);
    settle_expense(&mut cmd, actor, &e, &b, Some(paid), "posted", None).await?;
    cmd.commit().await?;
    Ok(paid)
}

async fn is_custodian(
    tx: &mut Tx,
    tenant: Uuid,
    jurisdiction: Uuid,
    account: Uuid,
    app: &App,
) -> Result<bool, AppError> {
    let today = format_date(app.now().china_date());
    let up: Vec<Uuid> = repo::ancestors(tx, jurisdiction)
        .await?
        .iter()
        .map(|j| j.id)
        .collect();
    Ok(repo::offices_in(tx, tenant).await?.iter().any(|o| {
        o.office == "custodian"
            && o.account_id == account
            && up.contains(&o.jurisdiction_id)
            && o.term_start <= today
            && o.term_end.as_deref().is_none_or(|e| e >= today.as_str())
    }))
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

/// Voids every hold whose sign-off window has ended, as one command by Gongzhi itself. Runs before
/// the commands that depend on what is held, so a lapsed expense never blocks money; pages compute
/// "lapsed" from the clock for what has not been swept yet.
pub async fn sweep_lapsed(app: &App, tenant: Uuid) -> Result<usize, AppError> {
    let mut read = app.db.read().await?;
    let lapsed = repo_l::lapsed_expenses(&mut read, tenant, app.now().0).await?;
    read.rollback().await?;
    if lapsed.is_empty() {
        return Ok(0);
    }
    let system = Actor::system();
    let mut cmd = Command::begin(app, &system, tenant, "expense.lapse").await?;
    let lapsed = repo_l::lapsed_expenses(&mut cmd.tx, tenant, app.now().0).await?;
    for e in &lapsed {
        let b = repo_l::budget(&mut cmd.tx, tenant, e.budget_id)
            .await?
            .ok_or(AppError::NotFound("budget"))?;
        settle_expense(&mut cmd, &system, e, &b, None, "expired", None).await?;
    }
    cmd.detail("expired", lapsed.len());
    cmd.commit().await?;
    Ok(lapsed.len())
}

/// Corrects a posted transfer with a new one in the opposite direction (never an edit). A
/// transfer is reversed at most once.
pub async fn reverse_transfer(
    app: &App,
    actor: &Actor,
    transfer_id: Uuid,
    reason: &str,
) -> Result<Uuid, AppError> {
    let reason = text(reason, "reason", 200)?;
    let mut read = app.db.read().await?;
    let tenant = repo_l::tenant_of(&mut read, "ledger_transfers", transfer_id)
        .await?
        .ok_or(AppError::NotFound("transfer"))?;
    actor
        .require(&mut read, Permission::ManageFunds, tenant)
        .await?;
    read.rollback().await?;
    let mut cmd = Command::begin(app, actor, tenant, "transfer.reverse").await?;
    let t = repo_l::transfer(&mut cmd.tx, tenant, transfer_id)
        .await?
        .ok_or(AppError::NotFound("transfer"))?;
    if t.phase != "posted" || t.expense_id.is_some() {
        return Err(invalid("transfer_not_reversible", "transfer_id"));
    }
    let mut ts = Transfers::new(tenant);
    let id = new_id();
    ts.add(
        &mut cmd.tx,
        TransferSpec {
            id,
            reverses_id: Some(t.id),
            budget_id: t.budget_id,
            ..TransferSpec::posted(t.credit_id, t.debit_id, t.amount, "correction", &reason)
        },
    )
    .await?;
    ts.flush(&mut cmd, actor).await.map_err(|e| match e {
        AppError::Store(gongzhi_store::StoreError::Unique(ref n))
            if n == "uq_ledger_transfers_reverses" =>
        {
            invalid("transfer_already_reversed", "transfer_id")
        }
        other => other,
    })?;
    cmd.commit().await?;
    Ok(id)
}

// ---- statements (财务公开) ----

/// One statement's lines, accumulated from the tenant's transfers in order: the same code serves
/// posting a statement and `ledger check`'s recomputation.
pub struct StatementAcc {
    accounts: Vec<Uuid>,
    start: i64,
    end: i64,
    lines: HashMap<Uuid, StatementLine>,
    held: HashMap<Uuid, i64>,
    /// Holds on the statement's accounts not yet settled: pending id → (account, amount).
    pending: HashMap<Uuid, (Uuid, i64)>,
}

impl StatementAcc {
    pub fn new(accounts: Vec<Uuid>, start: i64, end: i64) -> Self {
        StatementAcc {
            lines: accounts
                .iter()
                .map(|a| (*a, StatementLine::default()))
                .collect(),
            accounts,
            start,
            end,
            held: HashMap::new(),
            pending: HashMap::new(),
        }
    }

    /// For a fund: its own account and the accounts of the project budgets it reserved.
    pub fn for_fund(fund: &FundRow, budgets: &[BudgetRow], start: i64, end: i64) -> Self {
        let mut ids = vec![fund.account_id];
        ids.extend(
            budgets
                .iter()
                .filter(|b| b.fund_id == fund.id)
                .map(|b| b.account_id),
        );
        StatementAcc::new(ids, start, end)
    }

    /// Feeds one transfer (in order). Returns the amount moved if the transfer is an item of the
    /// statement (posted in the period and touching one of its accounts).
    #[allow(clippy::too_many_arguments)]
    pub fn feed(
        &mut self,
        id: Uuid,
        debit: Uuid,
        credit: Uuid,
        amount: i64,
        phase: Phase,
        pending_id: Option<Uuid>,
        created_at: i64,
    ) -> Option<i64> {
        if created_at >= self.end {
            return None;
        }
        let ours = |a: &Uuid| self.lines.contains_key(a);
        match phase {
            Phase::Pending if ours(&debit) => {
                self.pending.insert(id, (debit, amount));
                *self.held.entry(debit).or_default() += amount;
            }
            Phase::PostPending | Phase::VoidPending => {
                if let Some((acc, h)) = pending_id.and_then(|p| self.pending.remove(&p)) {
                    *self.held.entry(acc).or_default() -= h;
                }
            }
            _ => {}
        }
        let moved = match phase {
            Phase::Posted | Phase::PostPending => amount,
            _ => 0,
        };
        if moved == 0 || !(ours(&debit) || ours(&credit)) {
            return None;
        }
        let in_period = created_at >= self.start;
        for (acc, sign) in [(debit, -1i64), (credit, 1i64)] {
            if let Some(l) = self.lines.get_mut(&acc) {
                if !in_period {
                    l.opening += sign * moved;
                } else if sign > 0 {
                    l.inflows += moved;
                } else {
                    l.outflows += moved;
                }
            }
        }
        in_period.then_some(moved)
    }

    pub fn lines(&self) -> Vec<(Uuid, StatementLine)> {
        self.accounts
            .iter()
            .map(|id| {
                let mut l = self.lines.get(id).copied().unwrap_or_default();
                l.closing = l.opening + l.inflows - l.outflows;
                l.held = self.held.get(id).copied().unwrap_or(0);
                (*id, l)
            })
            .collect()
    }
}

/// A fund's statement for a period: the fund's own account and each of its project budgets, with
/// every posted transfer in the period.
pub fn statement_body(
    fund: &FundRow,
    accounts: &[AccountRow],
    budgets: &[BudgetRow],
    transfers: &[TransferRow],
    start: i64,
    end: i64,
) -> serde_json::Value {
    let name = |id: Uuid| {
        accounts
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.name_zh.clone())
            .unwrap_or_default()
    };
    let mut acc = StatementAcc::for_fund(fund, budgets, start, end);
    let mut items = Vec::new();
    for t in transfers {
        let Some(phase) = Phase::parse(&t.phase) else {
            continue;
        };
        if let Some(moved) = acc.feed(
            t.id,
            t.debit_id,
            t.credit_id,
            t.amount,
            phase,
            t.pending_id,
            t.created_at,
        ) {
            items.push(json!({
                "transfer": t.id, "seq": t.seq, "at": Instant(t.created_at).china_minute(),
                "code": t.code, "memo": t.memo, "amount": moved,
                "from": name(t.debit_id), "to": name(t.credit_id),
            }));
        }
    }
    let lines: Vec<serde_json::Value> = acc
        .lines()
        .into_iter()
        .map(|(id, l)| json!({"account": id, "name": name(id), "line": l}))
        .collect();
    json!({"fund": fund.id, "lines": lines, "items": items})
}

// ---- the full check ----

/// What `ledger check` found. `problems` is empty when every stored total equals the replay of
/// the transfers and every posted statement equals its recomputation.
#[derive(Debug, Default)]
pub struct CheckReport {
    pub accounts: usize,
    pub transfers: u64,
    pub statements: usize,
    pub problems: Vec<String>,
}

/// Replays every transfer of every community through the ledger rule from zero, and compares the
/// result with the stored account totals and the posted statements' lines. Reads one consistent
/// snapshot; holds one running total per account and one entry per open hold.
pub async fn check(app: &App) -> Result<CheckReport, AppError> {
    let mut report = CheckReport::default();
    // Statements to recompute, with the accounts each covers.
    let mut tx = app.db.read().await?;
    let stored_statements = repo_l::all_statements(&mut tx).await?;
    let mut accs: Vec<(Uuid, gongzhi_store::ledger::StatementRow, StatementAcc)> = Vec::new();
    for (tenant, s) in stored_statements {
        let fund = repo_l::fund(&mut tx, tenant, s.fund_id)
            .await?
            .ok_or(AppError::NotFound("fund"))?;
        let budgets = repo_l::budgets(&mut tx, tenant).await?;
        let acc = StatementAcc::for_fund(
            &fund,
            &budgets,
            day_start(&s.period_start)?,
            day_start(&s.period_end)?,
        );
        accs.push((tenant, s, acc));
    }
    tx.rollback().await?;
    report.statements = accs.len();

    let mut ledgers: HashMap<Uuid, ledger::Ledger<Uuid>> = HashMap::new();
    let mut stored: HashMap<(Uuid, Uuid), Balance> = HashMap::new();
    let mut next_seq: HashMap<Uuid, i64> = HashMap::new();
    let problems = &mut report.problems;
    let (n_accounts, n_transfers) = (&mut report.accounts, &mut report.transfers);
    gongzhi_store::bulk::for_each_ledger_item(&app.db, |item| {
        match item {
            gongzhi_store::bulk::LedgerItem::Account(tenant, a) => {
                *n_accounts += 1;
                match AccountKind::parse(&a.kind) {
                    Some(k) => ledgers.entry(tenant).or_default().open(a.id, k),
                    None => {
                        problems.push(format!("account {} has unknown kind {}", a.code, a.kind))
                    }
                }
                stored.insert((tenant, a.id), a.balance);
            }
            gongzhi_store::bulk::LedgerItem::Transfer(t) => {
                *n_transfers += 1;
                let expected = next_seq.entry(t.tenant_id).or_insert(1);
                if t.seq != *expected {
                    problems.push(format!(
                        "community {}: transfer #{} follows #{} (numbers must be gapless)",
                        t.tenant_id,
                        t.seq,
                        *expected - 1
                    ));
                }
                *expected = t.seq + 1;
                let l = ledgers.entry(t.tenant_id).or_default();
                let transfer = ledger::Transfer {
                    id: t.id,
                    debit: t.debit_id,
                    credit: t.credit_id,
                    amount: t.amount,
                    phase: t.phase,
                    pending_id: t.pending_id,
                };
                if let Err(e) = l.apply(&transfer) {
                    problems.push(format!(
                        "community {}: transfer #{} ({}) is refused on replay: {}",
                        t.tenant_id, t.seq, t.id, e.code
                    ));
                }
                for (tenant, _, acc) in accs.iter_mut() {
                    if *tenant == t.tenant_id {
                        acc.feed(
                            t.id,
                            t.debit_id,
                            t.credit_id,
                            t.amount,
                            t.phase,
                            t.pending_id,
                            t.created_at,
                        );
                    }
                }
            }
        }
        Ok(())
    })
    .await?;
    let mut keys: Vec<_> = stored.keys().copied().collect();
    keys.sort();
    for (tenant, id) in keys {
        let replayed = ledgers
            .get(&tenant)
            .and_then(|l| l.balance(id))
            .unwrap_or_default();
        let kept = stored[&(tenant, id)];
        if replayed != kept {
            report.problems.push(format!(
                "community {tenant}: account {id} stores {kept:?} but its transfers give {replayed:?}"
            ));
        }
    }
    for (tenant, l) in &ledgers {
        if !l.balanced() {
            report.problems.push(format!(
                "community {tenant}: debits and credits do not balance"
            ));
        }
    }
    for (tenant, s, acc) in &accs {
        let body: serde_json::Value = serde_json::from_str(&s.body_json).unwrap_or_default();
        let recomputed = acc.lines();
        let stored_lines = body["lines"].as_array().cloned().unwrap_or_default();
        for line in &stored_lines {
            let id = line["account"]
                .as_str()
                .and_then(|i| Uuid::parse_str(i).ok());
            let kept: Option<StatementLine> = serde_json::from_value(line["line"].clone()).ok();
            let again = recomputed
                .iter()
                .find(|(a, _)| Some(*a) == id)
                .map(|(_, l)| *l);
            if kept.is_none() || kept != again {
                report.problems.push(format!(
                    "community {tenant}: statement {} ({} – {}) says {:?} for account {:?}, the ledger gives {:?}",
                    s.id, s.period_start, s.period_end, kept, id, again
                ));
            }
        }
        for (a, l) in &recomputed {
            let listed = stored_lines
                .iter()
                .any(|x| x["account"].as_str() == Some(a.to_string().as_str()));
            if !listed && *l != StatementLine::default() {
                report.problems.push(format!(
                    "community {tenant}: statement {} leaves out account {a}, which moved money in its period",
                    s.id
                ));
            }
        }
    }
    Ok(report)
}

fn day_start(date: &str) -> Result<i64, AppError> {
    let d = parse_date(date).ok_or_else(|| invalid("date_invalid", "period_start"))?;
    Ok(Instant::china_midnight(d).0)
}

/// Posts a fund's statement for a period (dates are first day and the day after the last, China
/// time). The body is computed from the ledger and stored; `ledger check` recomputes it.
pub async fn post_statement(
    app: &App,
    actor: &Actor,
    fund_id: Uuid,
    period_start: &str,
    period_end: &str,
    reason: &str,
) -> Result<Uuid, AppError> {
    if !matches!(reason, "scheduled" | "immediate") {
        return Err(invalid("statement_reason_unknown", "reason"));
    }
    let (start, end) = (day_start(period_start)?, day_start(period_end)?);
    if end <= start {
        return Err(invalid("period_end_before_start", "period_end"));
    }
    if end > app.now().0 {
        return Err(invalid("statement_period_not_over", "period_end"));
    }
    let mut read = app.db.read().await?;
    let (tenant, fund) = load_fund(&mut read, fund_id).await?;
    actor
        .require(&mut read, Permission::ManageFunds, fund.jurisdiction_id)
        .await?;
    read.rollback().await?;
    let mut cmd = Command::begin(app, actor, tenant, "statement.post").await?;
    let accounts = repo_l::accounts(&mut cmd.tx, tenant).await?;
    let budgets = repo_l::budgets(&mut cmd.tx, tenant).await?;
    let transfers = repo_l::transfers(&mut cmd.tx, tenant).await?;
    let body = statement_body(&fund, &accounts, &budgets, &transfers, start, end);
    let id = new_id();
    cmd.insert(
        "statements",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("fund_id", fund_id.into()),
            ("period_start", period_start.into()),
            ("period_end", period_end.into()),
            ("reason", reason.into()),
            ("body_json", body.to_string().into()),
            ("posted_at", app.now().0.into()),
            ("posted_by", actor.account_id.into()),
        ],
    )
    .await
    .map_err(|e| match e {
        AppError::Store(gongzhi_store::StoreError::Unique(ref n))
            if n == "uq_statements_period" =>
        {
            invalid("statement_exists", "period_start")
        }
        other => other,
    })?;
    cmd.commit().await?;
    Ok(id)
}

/// A statement the schedule asks for that has not been posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueStatement {
    pub fund_id: Uuid,
    pub fund_name: String,
    pub period_start: String,
    pub period_end: String,
    /// `scheduled`, or `immediate` for a single item at or above the rulebook's amount.
    pub reason: &'static str,
}

/// Statements due under the rulebook's disclosure schedule: every ended period since the fund
/// opened (monthly periods when the last period was busy), and at once for large items.
pub async fn due_statements(app: &App, community: Uuid) -> Result<Vec<DueStatement>, AppError> {
    let mut tx = app.db.read().await?;
    let schedule = match rule_in_force(
        &mut tx,
        community,
        "disclosure.schedule",
        app.now().china_date(),
        app.now(),
    )
    .await?
    {
        RuleValue::Disclosure(d) => d,
        _ => return Err(invalid("rule_missing", "disclosure.schedule")),
    };
    let funds = repo_l::funds(&mut tx, community).await?;
    let posted = repo_l::statements(&mut tx, community).await?;
    let transfers = repo_l::transfers(&mut tx, community).await?;
    let budgets = repo_l::budgets(&mut tx, community).await?;
    tx.rollback().await?;
    let today = app.now().china_date();
    let mut due = Vec::new();
    for f in &funds {
        let mut accounts = vec![f.account_id];
        accounts.extend(
            budgets
                .iter()
                .filter(|b| b.fund_id == f.id)
                .map(|b| b.account_id),
        );
        let touches =
            |t: &&TransferRow| accounts.contains(&t.debit_id) || accounts.contains(&t.credit_id);
        let have = |s: &str, e: &str| {
            posted.iter().any(|p| {
                p.fund_id == f.id && p.period_start.as_str() <= s && p.period_end.as_str() >= e
            })
        };
        let mut day = Instant(f.created_at).china_date();
        let mut months = schedule.period_months;
        while day < today {
            let (s, e) = DisclosureSchedule::period_of(months, day);
            if e > today {
                break;
            }
            let (ss, es) = (format_date(s), format_date(e));
            let busy = transfers
                .iter()
                .filter(touches)
                .filter(|t| {
                    let d = Instant(t.created_at).china_date();
                    d >= s && d < e
                })
                .count();
            if !have(&ss, &es) {
                due.push(DueStatement {
                    fund_id: f.id,
                    fund_name: f.name_zh.clone(),
                    period_start: ss,
                    period_end: es,
                    reason: "scheduled",
                });
            }
            months = if busy > schedule.busy_over as usize {
                1
            } else {
                schedule.period_months
            };
            day = e;
        }
        for t in transfers.iter().filter(touches) {
            if matches!(t.phase.as_str(), "posted" | "post_pending")
                && t.amount >= schedule.immediate_over_fen
                && matches!(t.code.as_str(), "expense" | "refund" | "correction")
            {
                let d = Instant(t.created_at).china_date();
                let (ss, es) = (format_date(d), format_date(d.next_day().unwrap_or(d)));
                if !posted
                    .iter()
                    .any(|p| p.fund_id == f.id && p.reason == "immediate" && p.period_start == ss)
                    && !have(&ss, &es)
                {
                    due.push(DueStatement {
                        fund_id: f.id,
                        fund_name: f.name_zh.clone(),
                        period_start: ss,
                        period_end: es,
                        reason: "immediate",
                    });
                }
            }
        }
    }
    due.dedup();
    Ok(due)
}

// ---- views ----

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
}

async fn expense_view_in(
    tx: &mut Tx,
    app: &App,
    tenant: Uuid,
    e: ExpenseRow,
    b: &BudgetRow,
    accounts: &[AccountRow],
) -> Result<ExpenseView, AppError> {
    let chain = pinned_chain(&e)?;
    let today = format_date(app.now().china_date());
    let members = step_members(tx, tenant, b.jurisdiction_id, &chain, &today).await?;
    let sigs = repo_l::signatures(tx, tenant, e.id).await?;
    let waiting_step = match (e.status.as_str(), progress_of(&chain, &members, &sigs)) {
        ("held", SignoffProgress::Waiting { step, .. }) => Some(step),
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
        lapsed: matches!(e.status.as_str(), "held" | "approved") && e.expires_at < app.now().0,
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
        .filter(|e| e.status == "held")
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

// ---- journals for Beancount and hledger ----

/// Writes the whole ledger (every community) as a Beancount or hledger journal that ends with an
/// exact balance assertion for every account, so `bean-check` / `hledger check` accepting it means
/// they reproduce our balances. Returns (accounts, transfers) written.
pub async fn export_journal<W: std::io::Write>(
    app: &App,
    format: gongzhi_domain::journal::JournalFormat,
    out: W,
) -> Result<(usize, u64), AppError> {
    use gongzhi_domain::journal::{JournalAccount, JournalEntry, JournalWriter, account_name};
    let io = |e: std::io::Error| {
        AppError::Store(gongzhi_store::StoreError::Data(format!(
            "writing the journal: {e}"
        )))
    };
    let mut tx = app.db.read().await?;
    let accounts = repo_l::all_accounts(&mut tx).await?;
    let places = repo::all_jurisdictions(&mut tx).await?;
    let mut index: HashMap<Uuid, usize> = HashMap::with_capacity(accounts.len());
    let mut list = Vec::with_capacity(accounts.len());
    for (tenant, a) in &accounts {
        let place = places.iter().find(|j| j.id == *tenant);
        let prefix: String = place
            .map(|j| j.code.as_str())
            .unwrap_or("X")
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|p| !p.is_empty())
            .map(|p| {
                let mut c = p.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect();
        index.insert(a.id, list.len());
        list.push(JournalAccount {
            name: account_name(kind_of(a)?, &format!("{prefix}-{}", a.code)),
            kind: kind_of(a)?,
            label: format!(
                "{} {}",
                place.map(|j| j.name_zh.as_str()).unwrap_or(""),
                a.name_zh
            ),
            opened: format_date(Instant(a.created_at).china_date()),
            balance: a.balance,
        });
    }
    let n_accounts = list.len();
    let mut w = JournalWriter::new(out, format, "共治 Gongzhi ledger", list).map_err(io)?;
    let mut held: HashMap<Uuid, i64> = HashMap::new();
    let mut n = 0u64;
    let mut failure: Option<std::io::Error> = None;
    repo_l::for_each_transfer(&mut tx, |_, t| {
        let phase = Phase::parse(&t.phase).unwrap_or(Phase::Posted);
        let h = match phase {
            Phase::Pending => {
                held.insert(t.id, t.amount);
                0
            }
            Phase::PostPending | Phase::VoidPending => {
                t.pending_id.and_then(|p| held.remove(&p)).unwrap_or(0)
            }
            Phase::Posted => 0,
        };
        let (Some(debit), Some(credit)) = (index.get(&t.debit_id), index.get(&t.credit_id)) else {
            return Err(gongzhi_store::StoreError::Data(format!(
                "transfer {} names an unknown account",
                t.id
            )));
        };
        if failure.is_none()
            && let Err(e) = w.entry(&JournalEntry {
                date: format_date(Instant(t.created_at).china_date()),
                id: t.id.to_string(),
                code: &t.code,
                memo: &t.memo,
                phase,
                debit: *debit,
                credit: *credit,
                amount: t.amount,
                held: h,
            })
        {
            failure = Some(e);
        }
        n += 1;
        Ok(())
    })
    .await?;
    tx.rollback().await?;
    if let Some(e) = failure {
        return Err(io(e));
    }
    w.finish().map_err(io)?;
    Ok((n_accounts, n))
}

/// A posted statement, its fund, and the community's chain head now (printed on the sheet).
pub async fn statement_view(
    app: &App,
    id: Uuid,
) -> Result<
    (
        FundRow,
        gongzhi_store::ledger::StatementRow,
        Option<gongzhi_store::audit::Head>,
    ),
    AppError,
> {
    let mut tx = app.db.read().await?;
    let tenant = repo_l::tenant_of(&mut tx, "statements", id)
        .await?
        .ok_or(AppError::NotFound("statement"))?;
    let s = repo_l::statement(&mut tx, tenant, id)
        .await?
        .ok_or(AppError::NotFound("statement"))?;
    let fund = repo_l::fund(&mut tx, tenant, s.fund_id)
        .await?
        .ok_or(AppError::NotFound("fund"))?;
    let head = gongzhi_store::audit::head(&mut tx, tenant).await?;
    tx.rollback().await?;
    Ok((fund, s, head))
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

/// A statement as a table for community staff's spreadsheets: the account lines, a blank row,
/// then every item. Amounts in yuan with two decimals.
pub fn statement_table(body_json: &str) -> Vec<Vec<String>> {
    let body: serde_json::Value = serde_json::from_str(body_json).unwrap_or_default();
    let y = |v: &serde_json::Value| gongzhi_domain::journal::yuan(v.as_i64().unwrap_or(0));
    let mut rows = vec![vec![
        "账户 account".to_string(),
        "期初 opening".into(),
        "收入 in".into(),
        "支出 out".into(),
        "期末 closing".into(),
        "冻结 on hold".into(),
    ]];
    for l in body["lines"].as_array().into_iter().flatten() {
        let line = &l["line"];
        rows.push(vec![
            l["name"].as_str().unwrap_or("").to_string(),
            y(&line["opening"]),
            y(&line["inflows"]),
            y(&line["outflows"]),
            y(&line["closing"]),
            y(&line["held"]),
        ]);
    }
    rows.push(vec![]);
    rows.push(vec![
        "序号 no.".to_string(),
        "时间 time".into(),
        "类别 code".into(),
        "摘要 memo".into(),
        "付方 from".into(),
        "收方 to".into(),
        "金额 amount".into(),
    ]);
    for i in body["items"].as_array().into_iter().flatten() {
        rows.push(vec![
            i["seq"].to_string(),
            i["at"].as_str().unwrap_or("").to_string(),
            i["code"].as_str().unwrap_or("").to_string(),
            i["memo"].as_str().unwrap_or("").to_string(),
            i["from"].as_str().unwrap_or("").to_string(),
            i["to"].as_str().unwrap_or("").to_string(),
            y(&i["amount"]),
        ]);
    }
    rows
}

/// The statement table as CSV (UTF-8 with a byte-order mark, which spreadsheet programs on
/// Chinese Windows need to read it as UTF-8).
pub fn statement_csv(body_json: &str) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(vec![0xEF, 0xBB, 0xBF]);
    for r in statement_table(body_json) {
        let _ = w.write_record(&r);
    }
    w.into_inner().unwrap_or_default()
}

/// The statement table as an XLSX workbook (amounts as numbers).
pub fn statement_xlsx(body_json: &str) -> Result<Vec<u8>, AppError> {
    let fail = |e: rust_xlsxwriter::XlsxError| {
        AppError::Store(gongzhi_store::StoreError::Data(format!(
            "writing XLSX: {e}"
        )))
    };
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in statement_table(body_json).iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell.parse::<f64>() {
                Ok(n) if cell.contains('.') => sheet.write_number(r, c, n).map_err(fail)?,
                _ => sheet.write_string(r, c, cell).map_err(fail)?,
            };
        }
    }
    book.save_to_buffer().map_err(fail)
}

/// Whether the actor keeps the funds at this jurisdiction (for showing staff forms).
pub async fn can_manage_funds(app: &App, actor: &Actor, jurisdiction: Uuid) -> bool {
    let Ok(mut tx) = app.db.read().await else {
        return false;
    };
    let can = actor
        .can(&mut tx, Permission::ManageFunds, jurisdiction)
        .await
        .unwrap_or(false);
    let _ = tx.rollback().await;
    can && actor.account_id.is_some()
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
                && is_custodian(&mut tx, tenant, f.jurisdiction_id, account, app)
                    .await
                    .unwrap_or(false)
        }
        Err(_) => false,
    };
    let _ = tx.rollback().await;
    found
}
