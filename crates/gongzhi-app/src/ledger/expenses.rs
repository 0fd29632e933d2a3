//! Expenses held the moment they are submitted and settled by the rulebook's sign-off chain;
//! custody payments; holds that lapse; corrections by reversing transfers.

use gongzhi_domain::DomainError;
use gongzhi_domain::ledger::{self, AccountKind, Phase, SignoffChain, SignoffProgress};
use gongzhi_domain::lifecycle::{BudgetStatus, CouncilKind, ExpenseStatus};
use gongzhi_domain::rulebook::RuleValue;
use gongzhi_domain::time::Instant;
use gongzhi_domain::time::format_date;
use gongzhi_store::ledger::{self as repo_l, BudgetRow, ExpenseRow, SignatureRow};
use gongzhi_store::{Tx, Value, repo};
use uuid::Uuid;

use crate::authz::{Actor, Permission};
use crate::command::{Command, Record, Target};
use crate::councils::resolution_in;
use crate::rules::rule_in_force;
use crate::{App, AppError, new_id};

use super::*;

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
    let mut cmd = on_swept(app, actor, Record::Budget, new.budget_id, "expense.submit").await?;
    let (tenant, _) = managed_budget(&mut cmd.tx, actor, new.budget_id).await?;
    let id = new.id.unwrap_or_else(new_id);
    if let Some(e) = repo_l::expense(&mut cmd.tx, tenant, id).await? {
        cmd.tx.rollback().await?;
        if e.amount != new.amount || e.budget_id != new.budget_id || e.payee_id != new.payee_id {
            return Err(invalid("ledger_transfer_id_reused", "id"));
        }
        return Ok(e.id);
    }
    let checked = NewExpense {
        description: &description,
        document_sha256: &sha,
        ..*new
    };
    submit_in(&mut cmd, app, actor, id, &checked).await?;
    cmd.commit().await?;
    Ok(id)
}

/// Submits an expense inside a larger command (a contract's milestone payment), after the caller
/// has checked the actor keeps the budget's funds and trimmed the description and the document
/// hash. Holds the money and pins the sign-off chain.
pub(crate) async fn submit_in(
    cmd: &mut Command<'_>,
    app: &App,
    actor: &Actor,
    id: Uuid,
    new: &NewExpense<'_>,
) -> Result<(), AppError> {
    let tenant = cmd.tenant_id();
    let (description, sha) = (new.description, new.document_sha256);
    let b = repo_l::budget(&mut cmd.tx, tenant, new.budget_id)
        .await?
        .ok_or(AppError::NotFound("budget"))?;
    if b.status != BudgetStatus::Open {
        return Err(invalid("budget_closed", "budget_id"));
    }
    let (_, r) = resolution_in(&mut cmd.tx, app.now(), b.resolution_id).await?;
    if !matches!(r.state, gongzhi_domain::council::NoticeState::InForce(_)) {
        return Err(AppError::Invalid(
            DomainError::field("budget_resolution_not_in_force", "budget_id")
                .arg("state", r.state.key()),
        ));
    }
    if gongzhi_store::repo::upload(&mut cmd.tx, tenant, sha)
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
    // Who signs is pinned now, with the chain.
    let today = format_date(app.now().china_date());
    let signers = step_members(&mut cmd.tx, tenant, b.jurisdiction_id, &chain, &today).await?;
    let now = app.now();
    let expires = now.micros() + i64::from(chain.window_days) * 86_400_000_000;
    let transfer = new_id();
    let mut ts = Transfers::new(tenant);
    ts.add(
        &mut cmd.tx,
        TransferSpec {
            id: transfer,
            phase: Phase::Pending,
            budget_id: Some(b.id),
            expense_id: Some(id),
            ..TransferSpec::posted(b.account_id, payee.id, new.amount, "expense", description)
        },
    )
    .await?;
    ts.flush(cmd, actor).await?;
    cmd.insert(
        "expenses",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("budget_id", b.id.into()),
            ("payee_id", payee.id.into()),
            ("amount", new.amount.into()),
            ("description", description.to_string().into()),
            ("document_sha256", sha.to_string().into()),
            ("transfer_id", transfer.into()),
            ("status", ExpenseStatus::Held.into()),
            (
                "chain_json",
                serde_json::to_string(&chain).unwrap_or_default().into(),
            ),
            ("submitted_by", actor.account_id.into()),
            ("submitted_at", now.micros().into()),
            ("expires_at", expires.into()),
            ("settled_amount", Value::Int(None)),
            ("closed_at", Value::Int(None)),
            ("reason", Value::Text(None)),
            ("signers_json", pinned_signers_json(&signers).into()),
        ],
    )
    .await?;
    Ok(())
}

fn pinned_signers_json(signers: &[Vec<Signer>]) -> String {
    serde_json::to_string(signers).unwrap_or_default()
}

/// Who signs each step of an expense: the signers pinned when it was submitted, or for an
/// expense submitted before signers were pinned, the office holders of `today`.
pub(super) async fn signers_of(
    tx: &mut Tx,
    tenant: Uuid,
    b: &BudgetRow,
    e: &ExpenseRow,
    chain: &SignoffChain,
    today: &str,
) -> Result<Vec<Vec<Signer>>, AppError> {
    match &e.signers_json {
        Some(json) => {
            let pinned: Vec<Vec<Signer>> =
                serde_json::from_str(json).map_err(|_| AppError::Corrupt("pinned signers"))?;
            if pinned.len() != chain.steps.len() {
                return Err(AppError::Corrupt("pinned signers"));
            }
            Ok(pinned)
        }
        None => step_members(tx, tenant, b.jurisdiction_id, chain, today).await,
    }
}

/// Re-pins who signs a held expense to today's office holders and board members: the one way a
/// change of office holders reaches an expense in flight, recorded with its reason. Signatures
/// already given stay; nobody who signed one step may sign another (`check_separation`).
pub async fn reassign_signers(
    app: &App,
    actor: &Actor,
    expense_id: Uuid,
    reason: &str,
) -> Result<(), AppError> {
    let reason = text(reason, "reason", 500)?;
    let (mut cmd, tenant, e) =
        begin_on_expense(app, actor, expense_id, "expense.reassign_signers").await?;
    let b = repo_l::budget(&mut cmd.tx, tenant, e.budget_id)
        .await?
        .ok_or(AppError::NotFound("budget"))?;
    let chain_of_place = repo::ancestors(&mut cmd.tx, b.jurisdiction_id).await?;
    actor.require_in(&chain_of_place, Permission::ManageFunds)?;
    if e.status != ExpenseStatus::Held {
        return Err(AppError::Invalid(
            DomainError::field("expense_not_waiting", "expense_id").arg("status", e.status),
        ));
    }
    let chain = pinned_chain(&e)?;
    let today = format_date(app.now().china_date());
    let signers = step_members(&mut cmd.tx, tenant, b.jurisdiction_id, &chain, &today).await?;
    cmd.update(
        "expenses",
        &[tenant.into(), expense_id.into()],
        &[("signers_json", pinned_signers_json(&signers).into())],
    )
    .await?;
    cmd.detail("reason", reason);
    cmd.commit().await?;
    Ok(())
}

pub(super) async fn signoff_chain(
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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Signer {
    pub id: Uuid,
    pub name: String,
    pub has_account: bool,
}

/// Who belongs to each step's groups today, at the expense's jurisdiction and above (within its
/// community).
pub(super) async fn step_members(
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
            .find(|c| c.kind == CouncilKind::SupervisoryBoard && c.jurisdiction_id == *j)
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

pub(super) fn progress_of(
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

pub(super) async fn load_expense(tx: &mut Tx, id: Uuid) -> Result<(Uuid, ExpenseRow), AppError> {
    let tenant = Record::Expense.tenant(tx, id).await?;
    let e = repo_l::expense(tx, tenant, id)
        .await?
        .ok_or(AppError::NotFound("expense"))?;
    Ok((tenant, e))
}

/// Opens a command on an expense: lapsed holds are released first, then the expense is read
/// inside the command's transaction.
async fn begin_on_expense<'a>(
    app: &'a App,
    actor: &'a Actor,
    expense_id: Uuid,
    name: &'static str,
) -> Result<(Command<'a>, Uuid, ExpenseRow), AppError> {
    let mut cmd = on_swept(app, actor, Record::Expense, expense_id, name).await?;
    let (tenant, e) = load_expense(&mut cmd.tx, expense_id).await?;
    Ok((cmd, tenant, e))
}

/// What signing an expense rests on, read in one transaction.
struct Signing {
    budget: BudgetRow,
    chain: SignoffChain,
    members: Vec<Vec<Signer>>,
    signatures: Vec<SignatureRow>,
    /// The step `me` would sign.
    step: usize,
}

/// Whether `me` may sign the expense now, and what that rests on: the rule `sign_expense`
/// applies inside its command and the expense page asks before it shows the buttons. A signer
/// holds an office on the expense's pinned chain, the expense is held and waiting for a step of
/// theirs, and separation of duties holds (not the submitter nor a declared relative of them,
/// not twice).
async fn signing(
    tx: &mut Tx,
    app: &App,
    tenant: Uuid,
    e: &ExpenseRow,
    me: Uuid,
) -> Result<Signing, AppError> {
    let b = repo_l::budget(tx, tenant, e.budget_id)
        .await?
        .ok_or(AppError::NotFound("budget"))?;
    let chain = pinned_chain(e)?;
    let today = format_date(app.now().china_date());
    let members = signers_of(tx, tenant, &b, e, &chain, &today).await?;
    // Whoever signs none of its steps learns nothing about the expense, not even its state.
    if !members.iter().flatten().any(|s| s.id == me) {
        return Err(invalid("signoff_not_a_signer", "expense_id"));
    }
    if e.status != ExpenseStatus::Held
        || e.status
            .is_lapsed(Instant::from_micros(e.expires_at), app.now())
    {
        // A hold whose window ended is swept before a command reads it; a page may see it first.
        return Err(AppError::Invalid(
            DomainError::field("expense_not_waiting", "expense_id").arg("status", e.status),
        ));
    }
    let sigs = repo_l::signatures(tx, tenant, e.id).await?;
    let SignoffProgress::Waiting { step, .. } = progress_of(&chain, &members, &sigs) else {
        return Err(invalid("expense_not_waiting", "expense_id"));
    };
    // Who already signed hears so, whichever step the expense has moved on to.
    check_separation(tx, tenant, e, &sigs, step, me).await?;
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
    Ok(Signing {
        budget: b,
        chain,
        members,
        signatures: sigs,
        step,
    })
}

/// Whether `actor` may sign (or reject) the expense now: the page's hint, by the command's rule.
pub async fn may_sign(app: &App, actor: &Actor, expense_id: Uuid) -> Result<bool, AppError> {
    let Some(me) = actor.account_id else {
        return Ok(false);
    };
    let mut tx = app.db.read().await?;
    let (tenant, e) = load_expense(&mut tx, expense_id).await?;
    let refused = signing(&mut tx, app, tenant, &e, me).await;
    tx.rollback().await?;
    match refused {
        Ok(_) => Ok(true),
        Err(AppError::Invalid(_)) => Ok(false),
        Err(other) => Err(other),
    }
}

/// Separation of duties on one expense: whoever submitted it signs none of it, nor does a
/// declared close relative of theirs, and nobody signs two of its steps (a person holding two
/// offices on the chain still counts as one pair of eyes).
async fn check_separation(
    tx: &mut Tx,
    tenant: Uuid,
    e: &ExpenseRow,
    sigs: &[SignatureRow],
    step: usize,
    me: Uuid,
) -> Result<(), AppError> {
    if e.submitted_by == Some(me) {
        return Err(invalid("signoff_own_expense", "expense_id"));
    }
    if let Some(earlier) = sigs.iter().find(|s| s.account_id == me) {
        return Err(if earlier.step == step as i64 {
            invalid("signoff_already_signed", "expense_id")
        } else {
            AppError::Invalid(
                DomainError::field("signoff_signed_another_step", "expense_id")
                    .arg("step", earlier.step + 1),
            )
        });
    }
    if let Some(submitter) = e.submitted_by
        && repo_l::accounts_related(tx, tenant, submitter, me).await?
    {
        return Err(invalid("signoff_relative_of_submitter", "expense_id"));
    }
    Ok(())
}

pub(super) fn pinned_chain(e: &ExpenseRow) -> Result<SignoffChain, AppError> {
    serde_json::from_str(&e.chain_json).map_err(|_| AppError::Corrupt("sign-off chain"))
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
    let (mut cmd, tenant, e) = begin_on_expense(app, actor, expense_id, "expense.sign").await?;
    let Signing {
        budget: b,
        chain,
        members,
        signatures: sigs,
        step,
    } = signing(&mut cmd.tx, app, tenant, &e, me).await?;
    let now = app.now().micros();
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
        settle_expense(
            &mut cmd,
            actor,
            &e,
            &b,
            None,
            ExpenseStatus::Rejected,
            reason,
        )
        .await?;
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
                    &[("status", ExpenseStatus::Approved.into())],
                )
                .await?;
                ExpenseState::Approved
            } else {
                let paid = settle.unwrap_or(e.amount);
                settle_expense(
                    &mut cmd,
                    actor,
                    &e,
                    &b,
                    Some(paid),
                    ExpenseStatus::Posted,
                    None,
                )
                .await?;
                ExpenseState::Posted(paid)
            }
        }
    };
    cmd.commit().await?;
    Ok(state)
}

/// Posts (`paid` = Some) or voids (None) an expense's hold and records the outcome.
pub(super) async fn settle_expense(
    cmd: &mut Command<'_>,
    actor: &Actor,
    e: &ExpenseRow,
    b: &BudgetRow,
    paid: Option<i64>,
    status: ExpenseStatus,
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
    let (mut cmd, tenant, e) = begin_on_expense(app, actor, expense_id, "expense.pay").await?;
    let b = repo_l::budget(&mut cmd.tx, tenant, e.budget_id)
        .await?
        .ok_or(AppError::NotFound("budget"))?;
    let fund = repo_l::fund(&mut cmd.tx, tenant, b.fund_id)
        .await?
        .ok_or(AppError::NotFound("fund"))?;
    // Who may pay is decided before anything about the fund is told.
    if !is_custodian(&mut cmd.tx, tenant, &fund, me, app).await? {
        return Err(invalid("custodian_only", "expense_id"));
    }
    if fund.custodian.is_none() {
        return Err(invalid("fund_not_in_custody", "expense_id"));
    }
    if e.status != ExpenseStatus::Approved {
        return Err(AppError::Invalid(
            DomainError::field("expense_not_approved", "expense_id").arg("status", e.status),
        ));
    }
    let paid = settle.unwrap_or(e.amount);
    settle_expense(
        &mut cmd,
        actor,
        &e,
        &b,
        Some(paid),
        ExpenseStatus::Posted,
        None,
    )
    .await?;
    cmd.commit().await?;
    Ok(paid)
}

/// Whether `account` acts as the fund's custodian: one of the custodian organisation's people
/// who holds the custodian's office where the fund is. (A fund opened before the custodian was
/// named by organisation is checked by the office alone.)
pub(super) async fn is_custodian(
    tx: &mut Tx,
    tenant: Uuid,
    fund: &gongzhi_store::ledger::FundRow,
    account: Uuid,
    app: &App,
) -> Result<bool, AppError> {
    if let Some(org) = fund.custodian_org_id {
        let Some(o) = gongzhi_store::procurement::organisation(tx, org).await? else {
            return Ok(false);
        };
        let people = gongzhi_store::procurement::staff(tx, o.tenant_id, o.id).await?;
        if !people.iter().any(|(a, _)| *a == account) {
            return Ok(false);
        }
    }
    let today = format_date(app.now().china_date());
    let up: Vec<Uuid> = repo::ancestors(tx, fund.jurisdiction_id)
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

/// Opens a command on a ledger record once the lapsed holds of its community are released. The
/// release is Gongzhi's own command, before this one: it is due whoever asks and tells the caller
/// nothing. The record's community is read first (it never changes); everything else is read by
/// the caller inside the command.
pub(crate) async fn on_swept<'a>(
    app: &'a App,
    actor: &'a Actor,
    record: Record,
    id: Uuid,
    name: &'static str,
) -> Result<Command<'a>, AppError> {
    let tenant = {
        let mut read = app.db.read().await?;
        let tenant = record.tenant(&mut read, id).await?;
        read.rollback().await?;
        tenant
    };
    sweep_lapsed(app, tenant).await?;
    Command::on(app, actor, Target::Tenant(tenant), name).await
}

/// Voids every hold whose sign-off window has ended, as one command by Gongzhi itself. Runs before
/// the commands that depend on what is held, so a lapsed expense never blocks money; pages compute
/// "lapsed" from the clock for what has not been swept yet.
pub async fn sweep_lapsed(app: &App, tenant: Uuid) -> Result<usize, AppError> {
    let mut read = app.db.read().await?;
    let lapsed = repo_l::lapsed_expenses(&mut read, tenant, app.now().micros()).await?;
    read.rollback().await?;
    if lapsed.is_empty() {
        return Ok(0);
    }
    let system = Actor::system();
    let mut cmd = Command::begin(app, &system, tenant, "expense.lapse").await?;
    let lapsed = repo_l::lapsed_expenses(&mut cmd.tx, tenant, app.now().micros()).await?;
    for e in &lapsed {
        let b = repo_l::budget(&mut cmd.tx, tenant, e.budget_id)
            .await?
            .ok_or(AppError::NotFound("budget"))?;
        settle_expense(&mut cmd, &system, e, &b, None, ExpenseStatus::Expired, None).await?;
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
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Transfer, transfer_id),
        "transfer.reverse",
    )
    .await?;
    let read = &mut cmd.tx;
    let tenant = Record::Transfer.tenant(read, transfer_id).await?;
    actor.require(read, Permission::ManageFunds, tenant).await?;
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
    ts.flush(&mut cmd, actor).await?;
    cmd.commit().await?;
    Ok(id)
}
