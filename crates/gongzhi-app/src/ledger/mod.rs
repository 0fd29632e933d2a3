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

use gongzhi_domain::ledger::{self, AccountKind, AccountState, Balance, Phase};
use gongzhi_store::Tx;
use gongzhi_store::ledger::{self as repo_l, AccountRow, TransferRow};
use uuid::Uuid;

use crate::authz::Actor;
use crate::command::Command;
use crate::{AppError, new_id};

mod budgets;
mod check;
mod expenses;
mod funds;
mod statements;
mod views;

pub use budgets::*;
pub use check::*;
pub use expenses::*;
pub use funds::*;
pub use statements::*;
pub use views::*;

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

use crate::input::{invalid, text};

fn amount(fen: i64, field: &'static str) -> Result<i64, AppError> {
    Ok(ledger::check_amount(fen, field)?)
}

/// `Y2026`-style short code of an id: its last eight hex digits (the random part of a UUIDv7).
pub(crate) fn short(id: Uuid) -> String {
    let s = id.simple().to_string();
    s[s.len() - 8..].to_ascii_uppercase()
}

fn kind_of(a: &AccountRow) -> Result<AccountKind, AppError> {
    AccountKind::parse(&a.kind).ok_or(AppError::NotFound("account kind"))
}

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
    pub household_id: Option<Uuid>,
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
            household_id: None,
        }
    }
}

/// The columns of a transfer row, in the order `Transfers::flush` writes them.
const TRANSFER_COLUMNS: [&str; 17] = [
    "tenant_id",
    "id",
    "seq",
    "debit_id",
    "credit_id",
    "amount",
    "phase",
    "pending_id",
    "code",
    "memo",
    "budget_id",
    "expense_id",
    "resolution_id",
    "reverses_id",
    "created_at",
    "created_by",
    "household_id",
];

/// The transfers of one command: applied in memory as they are added, written at `flush`.
pub struct Transfers {
    tenant: Uuid,
    accounts: HashMap<Uuid, AccountState>,
    /// Each account's totals as loaded, so only changed accounts are written.
    loaded: HashMap<Uuid, Balance>,
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
            loaded: HashMap::new(),
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
        self.remember(&row)
    }

    fn remember(&mut self, row: &AccountRow) -> Result<AccountState, AppError> {
        let mut state = AccountState::new(kind_of(row)?);
        state.balance = row.balance;
        self.accounts.insert(row.id, state);
        self.loaded.insert(row.id, row.balance);
        Ok(state)
    }

    /// Loads many accounts in bulk before a batch (one query per 900 accounts).
    pub async fn preload(&mut self, tx: &mut Tx, ids: &[Uuid]) -> Result<(), AppError> {
        let missing: Vec<Uuid> = {
            let mut m: Vec<Uuid> = ids
                .iter()
                .copied()
                .filter(|i| !self.accounts.contains_key(i))
                .collect();
            m.sort();
            m.dedup();
            m
        };
        for row in repo_l::accounts_by_id(tx, self.tenant, &missing).await? {
            self.remember(&row)?;
        }
        Ok(())
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
        let mut rows = Vec::with_capacity(self.staged.len());
        for t in &self.staged {
            rows.push(vec![
                self.tenant.into(),
                t.id.into(),
                seq.into(),
                t.debit.into(),
                t.credit.into(),
                t.amount.into(),
                t.phase.key().into(),
                t.pending_id.into(),
                t.code.into(),
                t.memo.clone().into(),
                t.budget_id.into(),
                t.expense_id.into(),
                t.resolution_id.into(),
                t.reverses_id.into(),
                now.into(),
                actor.account_id.into(),
                t.household_id.into(),
            ]);
            seq += 1;
            ids.push(t.id);
        }
        cmd.insert_many("ledger_transfers", &TRANSFER_COLUMNS, &rows)
            .await?;
        let mut touched: Vec<(Uuid, Vec<gongzhi_store::Value>)> = self
            .accounts
            .iter()
            .filter(|(id, a)| self.loaded.get(*id) != Some(&a.balance))
            .map(|(id, a)| {
                let b = a.balance;
                (
                    *id,
                    vec![
                        b.debits_pending.into(),
                        b.debits_posted.into(),
                        b.credits_pending.into(),
                        b.credits_posted.into(),
                    ],
                )
            })
            .collect();
        touched.sort_by_key(|(id, _)| *id);
        cmd.update_many(
            "ledger_accounts",
            &[
                "debits_pending",
                "debits_posted",
                "credits_pending",
                "credits_posted",
            ],
            &touched,
        )
        .await?;
        cmd.detail("transfers", ids.len());
        Ok(ids)
    }
}

fn cmd_now(cmd: &Command<'_>) -> i64 {
    cmd.now().micros()
}

/// Opens a ledger account inside a command.
pub(crate) async fn open_account(
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
