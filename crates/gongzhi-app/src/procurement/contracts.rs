//! Contracts from awarded calls: term within the pinned rule, deliverables (catalogue items or
//! tasks) and payment milestones that add up to the contract's value, milestone payments as fund
//! expenses (held at once, signed off by the rulebook's chain, paid by the fund keeper), and the
//! performance evaluation whose score sets the final payment and joins the supplier's record.

use gongzhi_domain::DomainError;
use gongzhi_domain::ledger::AccountKind;
use gongzhi_domain::lifecycle::{CallStatus, ContractStatus, ExpenseStatus, ItemKind};
use gongzhi_domain::procurement::PaymentRule;
use gongzhi_domain::time::{format_date, parse_date};
use gongzhi_store::procurement::{self as repo_p, ContractRow, EvaluationRow, ItemRow};
use gongzhi_store::{Tx, Value};
use uuid::Uuid;

use super::{criteria_of, load_call, rule_of};
use crate::authz::{Actor, Permission};
use crate::command::{Command, Record, Target};
use crate::input::{invalid, text};
use crate::ledger::{NewExpense, open_account};
use crate::{App, AppError, new_id};

/// One deliverable or payment milestone of a new contract.
#[derive(Debug, Clone)]
pub struct NewItem {
    /// `deliverable` or `milestone`.
    pub kind: String,
    pub catalogue_code: Option<String>,
    pub title: String,
    pub due_on: Option<String>,
    /// Fen; milestones only.
    pub amount: i64,
    /// The milestone paid at the share the evaluation earns.
    pub final_payment: bool,
}

pub struct NewContract<'a> {
    pub call_id: Uuid,
    /// The funded bid to contract with: a venture round funds several (and donors may adopt
    /// more). Default: the call's winner.
    pub bid_id: Option<Uuid>,
    pub starts_on: &'a str,
    pub ends_on: &'a str,
    pub items: &'a [NewItem],
    /// Default: the pinned default bands (`PaymentRule::default`).
    pub payment_rule: Option<PaymentRule>,
    /// The contract this one renews; it must have been evaluated.
    pub renews_id: Option<Uuid>,
}

/// Signs the contract of an awarded call with the winning bidder, at the winning price (for a
/// venture round: a grant agreement with a funded or adopted applicant, at the grant it asked
/// for). The milestones must add up to that price; at most one is the final,
/// evaluation-dependent one. If the call names a fund budget, a payee account for the supplier
/// is opened in the same command.
pub async fn sign_contract(
    app: &App,
    actor: &Actor,
    new: &NewContract<'_>,
) -> Result<Uuid, AppError> {
    let starts =
        parse_date(new.starts_on.trim()).ok_or_else(|| invalid("date_invalid", "starts_on"))?;
    let ends = parse_date(new.ends_on.trim()).ok_or_else(|| invalid("date_invalid", "ends_on"))?;
    let rule = new.payment_rule.clone().unwrap_or_default();
    rule.validate()?;
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Call, new.call_id),
        "contract.sign",
    )
    .await?;
    let read = &mut cmd.tx;
    let c = load_call(read, new.call_id).await?;
    actor
        .require(read, Permission::ManagePurchases, c.buyer_id)
        .await?;
    let cat = super::catalogue(read, c.buyer_id, app.now()).await?;
    if c.status != CallStatus::Awarded {
        return Err(invalid("call_not_awarded", "call_id"));
    }
    rule_of(&c)?.check_term(starts, ends, c.stable)?;
    gongzhi_domain::procurement::check_term_within_call(
        starts,
        ends,
        u32::try_from(c.contract_months).unwrap_or(0),
    )?;
    let mut milestones = 0i64;
    let mut finals = 0;
    if new.items.is_empty() {
        return Err(invalid("contract_items_missing", "items"));
    }
    for item in new.items {
        text(&item.title, "items", 200)?;
        match item.kind.as_str() {
            "deliverable" if item.amount == 0 && !item.final_payment => {}
            "milestone" if item.amount > 0 => {
                milestones = milestones
                    .checked_add(item.amount)
                    .ok_or_else(|| invalid("amount_too_large", "items"))?;
                finals += usize::from(item.final_payment);
            }
            _ => return Err(invalid("contract_item_invalid", "items")),
        }
        if let Some(code) = &item.catalogue_code {
            cat.get(code).ok_or_else(|| {
                DomainError::field("catalogue_code_unknown", "items").arg("code", code)
            })?;
        }
        if let Some(d) = &item.due_on {
            parse_date(d).ok_or_else(|| invalid("date_invalid", "items"))?;
        }
    }
    if finals > 1 {
        return Err(invalid("contract_two_final_payments", "items"));
    }
    let result: super::CallResult = serde_json::from_str(
        c.result_json
            .as_deref()
            .ok_or(AppError::NotFound("call result"))?,
    )
    .map_err(|_| AppError::Corrupt("call result"))?;
    let chosen = match new.bid_id {
        Some(b) => b,
        None => result.winner.ok_or(AppError::NotFound("winning bid"))?,
    };
    let tenant = c.tenant_id;
    let adopted = repo_p::adoptions(&mut cmd.tx, tenant, c.id).await?;
    if !result.funded().contains(&chosen) && !adopted.iter().any(|a| a.bid_id == chosen) {
        return Err(invalid("bid_not_funded", "bid_id"));
    }
    let bid = repo_p::bid(&mut cmd.tx, tenant, chosen)
        .await?
        .ok_or(AppError::NotFound("bid"))?;
    if milestones != bid.price {
        return Err(AppError::Invalid(
            DomainError::field("contract_milestones_mismatch", "items")
                .arg("milestones", gongzhi_domain::Fen::new(milestones))
                .arg("value", gongzhi_domain::Fen::new(bid.price)),
        ));
    }
    if repo_p::contracts_of_call(&mut cmd.tx, tenant, c.id)
        .await?
        .iter()
        .any(|k| k.bid_id == bid.id)
    {
        return Err(invalid("contract_exists", "call_id"));
    }
    let org = repo_p::organisation(&mut cmd.tx, bid.organisation_id)
        .await?
        .ok_or(AppError::NotFound("organisation"))?;
    // A round's grants share its title; each agreement names its grantee.
    let title: String = if c.round_json.is_some() {
        format!("{} · {}", c.title, org.name_zh)
            .chars()
            .take(200)
            .collect()
    } else {
        c.title.clone()
    };
    if let Some(prev) = new.renews_id {
        let p = repo_p::contract(&mut cmd.tx, prev)
            .await?
            .filter(|p| p.tenant_id == tenant && p.organisation_id == org.id)
            .ok_or_else(|| invalid("renewal_of_other_supplier", "renews_id"))?;
        if repo_p::evaluations_of_contract(&mut cmd.tx, tenant, p.id)
            .await?
            .is_empty()
        {
            return Err(invalid("renewal_needs_evaluation", "renews_id"));
        }
    }
    let payee = match c.budget_id {
        Some(_) => {
            let code = format!("Y-{}", super::short_code(new_id()));
            Some(
                open_account(
                    &mut cmd,
                    AccountKind::Payee,
                    &code,
                    &org.name_zh,
                    &org.name_en,
                )
                .await?,
            )
        }
        None => None,
    };
    let id = new_id();
    cmd.insert(
        "contracts",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("call_id", c.id.into()),
            ("bid_id", bid.id.into()),
            ("organisation_id", org.id.into()),
            ("title", title.into()),
            ("value", bid.price.into()),
            ("starts_on", format_date(starts).into()),
            ("ends_on", format_date(ends).into()),
            ("stable", c.stable.into()),
            ("budget_id", c.budget_id.into()),
            ("payee_id", payee.into()),
            (
                "payment_rule_json",
                serde_json::to_string(&rule).unwrap_or_default().into(),
            ),
            ("status", ContractStatus::Active.into()),
            ("renews_id", new.renews_id.into()),
            ("signed_at", cmd.now().micros().into()),
            ("signed_by", actor.account_id.into()),
        ],
    )
    .await?;
    for (i, item) in new.items.iter().enumerate() {
        cmd.insert(
            "contract_items",
            &[
                ("tenant_id", tenant.into()),
                ("contract_id", id.into()),
                ("position", (i as i64 + 1).into()),
                ("kind", item.kind.clone().into()),
                ("catalogue_code", Value::Text(item.catalogue_code.clone())),
                ("title", item.title.trim().to_string().into()),
                ("due_on", Value::Text(item.due_on.clone())),
                ("amount", item.amount.into()),
                ("final_payment", item.final_payment.into()),
                ("done_at", Value::Int(None)),
                ("expense_id", Value::Id(None)),
                ("paid_amount", Value::Int(None)),
            ],
        )
        .await?;
    }
    cmd.commit().await?;
    Ok(id)
}

async fn managed_contract(
    tx: &mut Tx,
    actor: &Actor,
    id: Uuid,
) -> Result<(ContractRow, Uuid), AppError> {
    let k = repo_p::contract(tx, id)
        .await?
        .ok_or(AppError::NotFound("contract"))?;
    let c = load_call(tx, k.call_id).await?;
    actor
        .require(tx, Permission::ManagePurchases, c.buyer_id)
        .await?;
    Ok((k, c.buyer_id))
}

/// Records a deliverable (or a milestone's work) as done.
pub async fn record_delivery(
    app: &App,
    actor: &Actor,
    contract: Uuid,
    position: i64,
) -> Result<(), AppError> {
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Contract, contract),
        "contract.delivered",
    )
    .await?;
    let read = &mut cmd.tx;
    let (k, _) = managed_contract(read, actor, contract).await?;
    let item = item_at(&mut cmd.tx, &k, position).await?;
    if item.done_at.is_some() {
        return Err(invalid("contract_item_already_done", "position"));
    }
    let now = cmd.now();
    cmd.update(
        "contract_items",
        &[k.tenant_id.into(), k.id.into(), position.into()],
        &[("done_at", now.micros().into())],
    )
    .await?;
    cmd.commit().await?;
    Ok(())
}

async fn item_at(tx: &mut Tx, k: &ContractRow, position: i64) -> Result<ItemRow, AppError> {
    repo_p::items(tx, k.tenant_id, k.id)
        .await?
        .into_iter()
        .find(|i| i.position == position)
        .ok_or_else(|| invalid("contract_item_not_found", "position"))
}

/// Whether a contract line may be paid now: a milestone whose payment was never asked for, or
/// was rejected or expired. `pay_milestone` refuses by it; the contract page lists by it.
pub fn awaits_payment(
    item: &gongzhi_store::procurement::ItemRow,
    expense: Option<&gongzhi_store::ledger::ExpenseRow>,
) -> bool {
    item.kind == ItemKind::Milestone && expense.is_none_or(|e| e.status.is_refused())
}

/// Pays a milestone through the fund: submits an expense on the contract's budget to the
/// supplier's payee account, held at once and settled when the sign-off chain completes. The
/// final milestone is paid at the share its latest evaluation earns. `amount` may ask for less
/// than the milestone (a partial payment); never more, and never past the contract's value.
pub async fn pay_milestone(
    app: &App,
    actor: &Actor,
    contract: Uuid,
    position: i64,
    amount: Option<i64>,
    document_sha256: &str,
) -> Result<Uuid, AppError> {
    let mut cmd =
        crate::ledger::on_swept(app, actor, Record::Contract, contract, "contract.pay").await?;
    let (k, _) = managed_contract(&mut cmd.tx, actor, contract).await?;
    let budget_id = k
        .budget_id
        .ok_or_else(|| invalid("contract_no_budget", "contract_id"))?;
    let payee = k
        .payee_id
        .ok_or_else(|| invalid("contract_no_budget", "contract_id"))?;
    let items = repo_p::items(&mut cmd.tx, k.tenant_id, k.id).await?;
    let item = items
        .iter()
        .find(|i| i.position == position)
        .ok_or_else(|| invalid("contract_item_not_found", "position"))?;
    if item.kind != ItemKind::Milestone {
        return Err(invalid("contract_item_not_milestone", "position"));
    }
    let expense = match item.expense_id {
        Some(e) => gongzhi_store::ledger::expense(&mut cmd.tx, k.tenant_id, e).await?,
        None => None,
    };
    if !awaits_payment(item, expense.as_ref()) {
        return Err(invalid("milestone_already_paid", "position"));
    }
    let owed = if item.final_payment {
        let evals = repo_p::evaluations_of_contract(&mut cmd.tx, k.tenant_id, k.id).await?;
        let last = evals
            .last()
            .ok_or_else(|| invalid("final_payment_needs_evaluation", "position"))?;
        let rule: PaymentRule = serde_json::from_str(&k.payment_rule_json)
            .map_err(|_| AppError::Corrupt("payment rule"))?;
        rule.final_amount(item.amount, u32::try_from(last.score).unwrap_or(0))
    } else {
        item.amount
    };
    let pay = amount.unwrap_or(owed);
    if pay <= 0 {
        return Err(invalid("amount_not_positive", "amount"));
    }
    let committed: i64 = items
        .iter()
        .filter(|i| i.position != position)
        .filter_map(|i| i.paid_amount)
        .sum();
    if committed + pay > k.value {
        return Err(AppError::Invalid(
            DomainError::field("payment_above_contract_value", "amount")
                .arg("value", gongzhi_domain::Fen::new(k.value))
                .arg("paid", gongzhi_domain::Fen::new(committed)),
        ));
    }
    if pay > owed {
        return Err(AppError::Invalid(
            DomainError::field("payment_above_milestone", "amount")
                .arg("owed", gongzhi_domain::Fen::new(owed)),
        ));
    }
    let sha = document_sha256.trim().to_ascii_lowercase();
    if sha.is_empty() {
        return Err(invalid("expense_document_missing", "document_sha256"));
    }
    let org = repo_p::organisation(&mut cmd.tx, k.organisation_id)
        .await?
        .ok_or(AppError::NotFound("organisation"))?;
    // The keeper of the budget's funds submits it, as for any expense.
    let b = gongzhi_store::ledger::budget(&mut cmd.tx, k.tenant_id, budget_id)
        .await?
        .ok_or(AppError::NotFound("budget"))?;
    actor
        .require(&mut cmd.tx, Permission::ManageFunds, b.jurisdiction_id)
        .await?;
    let description = format!("{} · {} · {}", k.title, item.title, org.name_zh);
    let description: String = description.chars().take(200).collect();
    let expense = new_id();
    let new = NewExpense {
        id: Some(expense),
        budget_id,
        payee_id: payee,
        amount: pay,
        description: &description,
        document_sha256: &sha,
    };
    crate::ledger::submit_in(&mut cmd, app, actor, expense, &new).await?;
    cmd.update(
        "contract_items",
        &[k.tenant_id.into(), k.id.into(), position.into()],
        &[("expense_id", expense.into()), ("paid_amount", pay.into())],
    )
    .await?;
    cmd.commit().await?;
    Ok(expense)
}

pub struct NewEvaluation<'a> {
    pub contract_id: Uuid,
    /// 0–100.
    pub score: u32,
    /// The third-party evaluator, if an organisation in the directory.
    pub evaluator_org_id: Option<Uuid>,
    pub evaluator_name: &'a str,
    pub summary: &'a str,
}

/// Records a performance evaluation: its score sets the final payment and joins the supplier's
/// record that later calls and renewals read.
pub async fn evaluate_contract(
    app: &App,
    actor: &Actor,
    new: &NewEvaluation<'_>,
) -> Result<Uuid, AppError> {
    if new.score > gongzhi_domain::procurement::SCORE_SCALE {
        return Err(AppError::Invalid(
            DomainError::field("score_out_of_scale", "score")
                .arg("max", gongzhi_domain::procurement::SCORE_SCALE),
        ));
    }
    let name = text(new.evaluator_name, "evaluator_name", 80)?;
    let summary = text(new.summary, "summary", 2000)?;
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Contract, new.contract_id),
        "contract.evaluate",
    )
    .await?;
    let read = &mut cmd.tx;
    let (k, _) = managed_contract(read, actor, new.contract_id).await?;
    if let Some(e) = new.evaluator_org_id {
        if e == k.organisation_id {
            return Err(invalid("evaluator_is_supplier", "evaluator_org_id"));
        }
        if repo_p::organisation(read, e).await?.is_none() {
            return Err(invalid("organisation_not_found", "evaluator_org_id"));
        }
    }
    let id = new_id();
    let now = cmd.now();
    cmd.insert(
        "contract_evaluations",
        &[
            ("tenant_id", k.tenant_id.into()),
            ("id", id.into()),
            ("contract_id", k.id.into()),
            ("organisation_id", k.organisation_id.into()),
            ("evaluator_org_id", new.evaluator_org_id.into()),
            ("evaluator_name", name.into()),
            ("score", i64::from(new.score).into()),
            ("summary", summary.into()),
            ("evaluated_at", now.micros().into()),
            ("recorded_by", actor.account_id.into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

/// Closes a contract once every milestone's payment has settled or lapsed for good.
pub async fn complete_contract(app: &App, actor: &Actor, contract: Uuid) -> Result<(), AppError> {
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Contract, contract),
        "contract.complete",
    )
    .await?;
    let read = &mut cmd.tx;
    let (k, _) = managed_contract(read, actor, contract).await?;
    if k.status != ContractStatus::Active {
        return Err(invalid("contract_not_active", "contract_id"));
    }
    for i in repo_p::items(&mut cmd.tx, k.tenant_id, k.id).await? {
        let settled = match i.expense_id {
            Some(e) => gongzhi_store::ledger::expense(&mut cmd.tx, k.tenant_id, e)
                .await?
                .is_some_and(|e| e.status == ExpenseStatus::Posted),
            None => false,
        };
        if i.kind == ItemKind::Milestone && !settled {
            return Err(AppError::Invalid(
                DomainError::field("contract_milestone_unpaid", "contract_id")
                    .arg("milestone", i.title),
            ));
        }
    }
    cmd.update(
        "contracts",
        &[k.tenant_id.into(), k.id.into()],
        &[("status", ContractStatus::Completed.into())],
    )
    .await?;
    cmd.commit().await?;
    Ok(())
}

/// A contract with its items, evaluations and what each milestone's expense came to.
#[derive(Debug, Clone)]
pub struct ContractView {
    pub contract: ContractRow,
    pub organisation: gongzhi_store::procurement::OrgRow,
    /// The buyer (whose staff manage the contract).
    pub buyer_id: Uuid,
    pub call_title: String,
    pub call_number: String,
    pub items: Vec<(ItemRow, Option<gongzhi_store::ledger::ExpenseRow>)>,
    pub evaluations: Vec<EvaluationRow>,
    pub payment_rule: PaymentRule,
    pub criteria: Vec<gongzhi_domain::procurement::Criterion>,
}

pub async fn contract_view(app: &App, id: Uuid) -> Result<ContractView, AppError> {
    let mut tx = app.db.read().await?;
    let contract = repo_p::contract(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("contract"))?;
    let call = load_call(&mut tx, contract.call_id).await?;
    let organisation = repo_p::organisation(&mut tx, contract.organisation_id)
        .await?
        .ok_or(AppError::NotFound("organisation"))?;
    let mut items = Vec::new();
    for i in repo_p::items(&mut tx, contract.tenant_id, contract.id).await? {
        let e = match i.expense_id {
            Some(e) => gongzhi_store::ledger::expense(&mut tx, contract.tenant_id, e).await?,
            None => None,
        };
        items.push((i, e));
    }
    let evaluations =
        repo_p::evaluations_of_contract(&mut tx, contract.tenant_id, contract.id).await?;
    tx.rollback().await?;
    Ok(ContractView {
        payment_rule: serde_json::from_str(&contract.payment_rule_json).unwrap_or_default(),
        criteria: criteria_of(&call)?,
        buyer_id: call.buyer_id,
        call_title: call.title,
        call_number: call.number,
        contract,
        organisation,
        items,
        evaluations,
    })
}
