//! Purchase plans and calls: a call is opened with its rules pinned, takes bids from eligible
//! suppliers until it closes, is scored by a panel whose members cannot score organisations they
//! are tied to, and is then decided: it fails with too few bids (and may be run again), or is
//! awarded to the best-ranked bid with every score published.
//!
//! A venture-philanthropy round (公益创投, method `venture`) is a call with a `GrantRound`: the
//! call's value is the pool, applications name one of the round's themes, and the decision funds
//! the best-ranked applications that fit the pool, up to the round's number of grants.

use gongzhi_domain::DomainError;
use gongzhi_domain::lifecycle::{BudgetStatus, CallStatus};
use gongzhi_domain::procurement::{
    self as dp, Criterion, GrantRound, Method, OrgKind, ProcurementRule, ShareReport,
};
use gongzhi_domain::time::{Instant, format_date};
use gongzhi_store::procurement::{
    self as repo_p, BidRow, CallRow, CallSummary, PanelistRow, ScoreRow,
};
use gongzhi_store::{Tx, Value, repo};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{barring, catalogue, procurement_rule};
use crate::authz::{Actor, Permission};
use crate::command::{Command, Record, Target, tenant_of};
use crate::input::{invalid, text};
use crate::{App, AppError, new_id};

mod decision;
pub use decision::*;

/// One line of a purchase plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanLine {
    pub catalogue_code: String,
    pub description: String,
    /// Fen.
    pub amount: i64,
    /// A new public service (counts in the social organisations' share).
    pub new_service: bool,
}

/// Records a buyer's purchase plan for a year (one per buyer and year).
pub async fn record_plan(
    app: &App,
    actor: &Actor,
    buyer: Uuid,
    year: i32,
    title: &str,
    lines: &[PlanLine],
) -> Result<Uuid, AppError> {
    let title = text(title, "title", 120)?;
    if !(2000..=2100).contains(&year) {
        return Err(invalid("plan_year_invalid", "year"));
    }
    if lines.is_empty() {
        return Err(invalid("plan_lines_missing", "lines"));
    }
    let now = app.now();
    let mut cmd = Command::on(app, actor, Target::Place(buyer), "purchase.plan").await?;
    let read = &mut cmd.tx;
    actor
        .require(read, Permission::ManagePurchases, buyer)
        .await?;
    let tenant = tenant_of(read, buyer).await?;
    let cat = catalogue(read, buyer, now).await?;
    for l in lines {
        cat.leaf(&l.catalogue_code)?;
        text(&l.description, "lines", 200)?;
        if l.amount <= 0 {
            return Err(invalid("amount_not_positive", "lines"));
        }
    }
    if repo_p::plan_of(&mut cmd.tx, tenant, buyer, i64::from(year))
        .await?
        .is_some()
    {
        return Err(invalid("plan_exists", "year"));
    }
    let id = new_id();
    cmd.insert(
        "purchase_plans",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("buyer_id", buyer.into()),
            ("year", i64::from(year).into()),
            ("title", title.into()),
            (
                "lines_json",
                serde_json::to_string(lines).unwrap_or_default().into(),
            ),
            ("created_at", now.micros().into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

#[derive(Clone)]
pub struct NewCall<'a> {
    pub buyer_id: Uuid,
    pub plan_id: Option<Uuid>,
    pub title: &'a str,
    pub description: &'a str,
    pub catalogue_code: &'a str,
    pub method: &'a str,
    /// Required for single source: why only this supplier.
    pub justification: Option<&'a str>,
    /// The most the buyer will pay, fen.
    pub value: i64,
    pub new_service: bool,
    /// Kinds of supplier that may bid (keys of `OrgKind`); empty means every kind.
    pub eligible_kinds: &'a [String],
    pub closes_at: Instant,
    pub contract_months: u32,
    /// The service is stable and its budget guaranteed: the contract may run longer.
    pub stable: bool,
    pub criteria: &'a [Criterion],
    /// The project budget (community fund) that will pay the contract, if any.
    pub budget_id: Option<Uuid>,
    /// A venture-philanthropy round's terms; required for method `venture`, refused otherwise.
    pub round: Option<GrantRound>,
}

/// Opens a call for bids: the procurement rules in force are pinned on it.
pub async fn open_call(app: &App, actor: &Actor, new: &NewCall<'_>) -> Result<Uuid, AppError> {
    open_call_as(app, actor, new, None).await
}

async fn open_call_as(
    app: &App,
    actor: &Actor,
    new: &NewCall<'_>,
    rerun_of: Option<Uuid>,
) -> Result<Uuid, AppError> {
    let title = text(new.title, "title", 120)?;
    let description = text(new.description, "description", 2000)?;
    let method = Method::parse(new.method)?;
    let justification = match new.justification.map(str::trim).filter(|s| !s.is_empty()) {
        Some(j) => Some(text(j, "justification", 1000)?),
        None if method == Method::SingleSource => {
            return Err(invalid(
                "single_source_needs_justification",
                "justification",
            ));
        }
        None => None,
    };
    if new.value <= 0 {
        return Err(invalid("amount_not_positive", "value"));
    }
    let mut kinds = Vec::new();
    for k in new.eligible_kinds {
        let kind = OrgKind::parse(k)?;
        if !kinds.contains(&kind.key()) {
            kinds.push(kind.key());
        }
    }
    if kinds.is_empty() {
        kinds = dp::ORG_KINDS.iter().map(|k| k.key()).collect();
    }
    dp::check_criteria(new.criteria)?;
    let now = app.now();
    if new.closes_at <= now {
        return Err(invalid("call_closes_in_past", "closes_at"));
    }
    let round = check_round(method, new.round.as_ref(), new.closes_at)?;
    let mut cmd = Command::on(app, actor, Target::Place(new.buyer_id), "call.open").await?;
    let read = &mut cmd.tx;
    actor
        .require(read, Permission::ManagePurchases, new.buyer_id)
        .await?;
    let tenant = tenant_of(read, new.buyer_id).await?;
    let cat = catalogue(read, new.buyer_id, now).await?;
    cat.leaf(new.catalogue_code)?;
    let rule = procurement_rule(read, new.buyer_id, now).await?;
    let max = if new.stable {
        rule.stable_max_months
    } else {
        rule.max_months
    };
    if new.contract_months == 0 || new.contract_months > max {
        return Err(AppError::Invalid(
            DomainError::field("contract_term_too_long", "contract_months")
                .arg("months", max)
                .arg("stable", new.stable),
        ));
    }
    if let Some(p) = new.plan_id {
        let plan = repo_p::plan(read, p)
            .await?
            .ok_or_else(|| invalid("plan_not_found", "plan_id"))?;
        if plan.buyer_id != new.buyer_id {
            return Err(invalid("plan_of_other_buyer", "plan_id"));
        }
    }
    if let Some(b) = new.budget_id {
        let budget = gongzhi_store::ledger::budget(read, tenant, b)
            .await?
            .ok_or_else(|| invalid("budget_not_found", "budget_id"))?;
        if budget.status != BudgetStatus::Open {
            return Err(invalid("budget_closed", "budget_id"));
        }
        if new.value > budget.reserved {
            return Err(AppError::Invalid(
                DomainError::field("call_value_above_budget", "value")
                    .arg("budget", gongzhi_domain::Fen::new(budget.reserved)),
            ));
        }
    }
    let id = new_id();
    let year = now.china_date().year();
    let number = format!("{}-{}", year, super::short_code(id));
    cmd.insert(
        "purchase_calls",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("number", number.into()),
            ("buyer_id", new.buyer_id.into()),
            ("plan_id", new.plan_id.into()),
            ("title", title.into()),
            ("description", description.into()),
            ("catalogue_code", new.catalogue_code.into()),
            ("method", method.key().into()),
            ("justification", Value::Text(justification)),
            ("value", new.value.into()),
            ("new_service", new.new_service.into()),
            (
                "eligible_kinds",
                serde_json::to_string(&kinds).unwrap_or_default().into(),
            ),
            ("opens_at", now.micros().into()),
            ("closes_at", new.closes_at.micros().into()),
            ("contract_months", i64::from(new.contract_months).into()),
            ("stable", new.stable.into()),
            (
                "rule_json",
                serde_json::to_string(&rule).unwrap_or_default().into(),
            ),
            (
                "criteria_json",
                serde_json::to_string(new.criteria)
                    .unwrap_or_default()
                    .into(),
            ),
            ("status", CallStatus::Open.into()),
            ("budget_id", new.budget_id.into()),
            ("rerun_of", rerun_of.into()),
            ("created_at", now.micros().into()),
            ("created_by", actor.account_id.into()),
            ("decided_at", Value::Int(None)),
            ("result_json", Value::Text(None)),
            ("round_json", Value::Text(round)),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

/// Checks a round's terms against the call's method and closing time; returns them as stored.
fn check_round(
    method: Method,
    round: Option<&GrantRound>,
    closes_at: Instant,
) -> Result<Option<String>, AppError> {
    let Some(r) = round else {
        return match method {
            Method::Venture => Err(invalid("round_themes_missing", "themes")),
            _ => Ok(None),
        };
    };
    if method != Method::Venture {
        return Err(invalid("round_only_for_venture", "method"));
    }
    r.validate()?;
    if r.roadshow_at.is_some_and(|at| at < closes_at.micros()) {
        return Err(invalid("roadshow_before_closing", "roadshow_at"));
    }
    if let Some(place) = &r.roadshow_place {
        text(place, "roadshow_place", 120)?;
    }
    Ok(Some(serde_json::to_string(r).unwrap_or_default()))
}

/// A call's round terms, if it is a venture-philanthropy round.
pub(crate) fn round_of(c: &CallRow) -> Result<Option<GrantRound>, AppError> {
    c.round_json
        .as_deref()
        .map(|r| serde_json::from_str(r).map_err(|_| AppError::Corrupt("round terms")))
        .transpose()
}

/// Runs a failed call again with a new closing time: same terms, new number, linked to the old.
pub async fn rerun_call(
    app: &App,
    actor: &Actor,
    call: Uuid,
    closes_at: Instant,
) -> Result<Uuid, AppError> {
    let mut read = app.db.reads().await?;
    let c = load_call(&mut read, call).await?;
    actor
        .require(&mut read, Permission::ManagePurchases, c.buyer_id)
        .await?;
    if c.status != CallStatus::Failed {
        return Err(invalid("call_not_failed", "call_id"));
    }
    let criteria = criteria_of(&c)?;
    let kinds: Vec<String> = serde_json::from_str(&c.eligible_kinds).unwrap_or_default();
    let new = NewCall {
        buyer_id: c.buyer_id,
        plan_id: c.plan_id,
        title: &c.title,
        description: &c.description,
        catalogue_code: &c.catalogue_code,
        method: &c.method,
        justification: c.justification.as_deref(),
        value: c.value,
        new_service: c.new_service,
        eligible_kinds: &kinds,
        closes_at,
        contract_months: u32::try_from(c.contract_months).unwrap_or(12),
        stable: c.stable,
        criteria: &criteria,
        budget_id: c.budget_id,
        round: round_of(&c)?,
    };
    open_call_as(app, actor, &new, Some(c.id)).await
}

/// Whether a call takes bids at `now`: open and before its closing time. `submit_bid` refuses by
/// it; the call page shows the bid form by it.
pub fn accepts_bids(c: &CallRow, now: Instant) -> bool {
    c.status
        .accepts_bids(Instant::from_micros(c.closes_at), now)
}

/// Whether a call is closed for bids and waits to be scored and decided at `now`. Scoring and
/// `decide_call` need it; the call page shows the panel's and the buyer's forms by it.
pub fn awaits_decision(c: &CallRow, now: Instant) -> bool {
    c.status
        .awaits_decision(Instant::from_micros(c.closes_at), now)
}

pub(crate) async fn load_call(tx: &mut Tx, id: Uuid) -> Result<CallRow, AppError> {
    repo_p::call(tx, id)
        .await?
        .ok_or(AppError::NotFound("call"))
}

pub(crate) fn criteria_of(c: &CallRow) -> Result<Vec<Criterion>, AppError> {
    serde_json::from_str(&c.criteria_json).map_err(|_| AppError::Corrupt("call criteria"))
}

pub(crate) fn rule_of(c: &CallRow) -> Result<ProcurementRule, AppError> {
    serde_json::from_str(&c.rule_json).map_err(|_| AppError::Corrupt("call rule"))
}

pub struct NewBid<'a> {
    pub call_id: Uuid,
    pub organisation_id: Uuid,
    /// Fen.
    pub price: i64,
    /// Co-funding the supplier brings, fen.
    pub cofunding: i64,
    pub plan: &'a str,
    /// The round's theme the application comes under (venture rounds; ignored otherwise).
    pub theme: Option<&'a str>,
}

/// Submits a bid for an organisation: by one of its staff, or entered by the buyer's staff from a
/// paper bid. Checks the deadline, eligibility, qualification, the blacklist, the ceiling and
/// the co-funding; one bid per organisation and call.
pub async fn submit_bid(app: &App, actor: &Actor, new: &NewBid<'_>) -> Result<Uuid, AppError> {
    let plan = text(new.plan, "plan", 4000)?;
    if new.price <= 0 {
        return Err(invalid("amount_not_positive", "price"));
    }
    if new.cofunding < 0 {
        return Err(invalid("amount_negative", "cofunding"));
    }
    let now = app.now();
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Call, new.call_id),
        "call.bid",
    )
    .await?;
    let read = &mut cmd.tx;
    let c = load_call(read, new.call_id).await?;
    let org = repo_p::organisation(read, new.organisation_id)
        .await?
        .ok_or_else(|| invalid("organisation_not_found", "organisation_id"))?;
    let is_staff = match actor.account_id {
        Some(a) => repo_p::organisations_of_account(read, a)
            .await?
            .contains(&org.id),
        None => false,
    };
    if !is_staff {
        actor
            .require(read, Permission::ManagePurchases, c.buyer_id)
            .await?;
    }
    if !accepts_bids(&c, now) {
        return Err(AppError::Invalid(
            DomainError::field("bid_after_deadline", "call_id")
                .arg("closed", Instant::from_micros(c.closes_at).china_minute()),
        ));
    }
    let kinds: Vec<String> = serde_json::from_str(&c.eligible_kinds).unwrap_or_default();
    if !kinds.contains(&org.kind) {
        return Err(AppError::Invalid(
            DomainError::field("bid_kind_not_eligible", "organisation_id").arg("kind", &org.kind),
        ));
    }
    let quals = repo_p::qualifications(read, org.tenant_id, org.id).await?;
    if !quals.contains(&c.catalogue_code) {
        return Err(AppError::Invalid(
            DomainError::field("bid_not_qualified", "organisation_id")
                .arg("item", &c.catalogue_code),
        ));
    }
    let sanctions = repo_p::sanctions(read, org.tenant_id, org.id).await?;
    if let Some(s) = barring(&sanctions, &format_date(now.china_date())) {
        return Err(AppError::Invalid(
            DomainError::field("bid_org_blacklisted", "organisation_id")
                .arg("reason", s.reason)
                .arg("until", s.ends_on.unwrap_or_else(|| "—".into())),
        ));
    }
    if new.price > c.value {
        return Err(AppError::Invalid(
            DomainError::field("bid_above_ceiling", "price")
                .arg("ceiling", gongzhi_domain::Fen::new(c.value)),
        ));
    }
    let theme = match round_of(&c)? {
        Some(round) => {
            let t = new.theme.map(str::trim).filter(|t| !t.is_empty());
            round.check_theme(t)?;
            t.map(String::from)
        }
        None => None,
    };
    let rule = rule_of(&c)?;
    let need = rule.min_cofunding_for(new.price);
    if new.cofunding < need {
        return Err(AppError::Invalid(
            DomainError::field("bid_cofunding_too_low", "cofunding")
                .arg("minimum", gongzhi_domain::Fen::new(need)),
        ));
    }
    // Re-read under the tenant's lock: the call may have been decided meanwhile.
    let c = load_call(&mut cmd.tx, c.id).await?;
    if c.status != CallStatus::Open {
        return Err(invalid("bid_after_deadline", "call_id"));
    }
    if repo_p::bids(&mut cmd.tx, c.tenant_id, c.id)
        .await?
        .iter()
        .any(|b| b.organisation_id == org.id)
    {
        return Err(invalid("bid_already_submitted", "organisation_id"));
    }
    let id = new_id();
    cmd.insert(
        "call_bids",
        &[
            ("tenant_id", c.tenant_id.into()),
            ("id", id.into()),
            ("call_id", c.id.into()),
            ("organisation_id", org.id.into()),
            ("price", new.price.into()),
            ("cofunding", new.cofunding.into()),
            ("plan", plan.into()),
            ("submitted_at", now.micros().into()),
            ("submitted_by", actor.account_id.into()),
            ("theme", Value::Text(theme)),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

/// A call with its bids (and their organisations), its panel and scores, and its contracts.
#[derive(Debug, Clone)]
pub struct CallView {
    pub call: CallRow,
    pub buyer: String,
    pub catalogue: Vec<(String, String, String)>,
    pub criteria: Vec<Criterion>,
    pub rule: ProcurementRule,
    pub bids: Vec<(BidRow, gongzhi_store::procurement::OrgRow)>,
    pub panel: Vec<PanelistRow>,
    pub scores: Vec<ScoreRow>,
    pub result: Option<CallResult>,
    pub contracts: Vec<gongzhi_store::procurement::ContractRow>,
    /// A venture round's terms, and the applications donors adopted.
    pub round: Option<GrantRound>,
    /// The adoptions, each donor's name masked (a donor is a person: the call's view is public).
    pub adoptions: Vec<gongzhi_store::procurement::AdoptionRow>,
}

impl CallView {
    /// Whether bids and scores may be shown: after the call is decided (before, the amounts
    /// bidders offered stay sealed from each other).
    pub fn decided(&self) -> bool {
        self.call.status != CallStatus::Open
    }
}

pub async fn call_view(app: &App, id: Uuid) -> Result<CallView, AppError> {
    let mut tx = app.db.read().await?;
    let call = load_call(&mut tx, id).await?;
    // One read of the buyer's chain serves its name, its city (whose directory the bidders are
    // in) and the catalogue in force when the call opened.
    let chain = repo::ancestors(&mut tx, call.buyer_id).await?;
    let buyer = chain.first().map(|j| j.name_zh.clone()).unwrap_or_default();
    let city = chain
        .iter()
        .find(|j| j.level == "city")
        .map(|j| j.id)
        .ok_or(AppError::NotFound("city"))?;
    let cat =
        super::catalogue_in_chain(&mut tx, &chain, Instant::from_micros(call.opens_at)).await?;
    let catalogue = cat
        .path(&call.catalogue_code)
        .into_iter()
        .map(|i| (i.code.clone(), i.zh.clone(), i.en.clone()))
        .collect();
    let bid_rows = repo_p::bids(&mut tx, call.tenant_id, call.id).await?;
    let ids: Vec<Uuid> = bid_rows.iter().map(|b| b.organisation_id).collect();
    let orgs = repo_p::organisations_by_id(&mut tx, city, &ids).await?;
    let bids = bid_rows
        .into_iter()
        .filter_map(|b| {
            let o = orgs.iter().find(|o| o.id == b.organisation_id)?.clone();
            Some((b, o))
        })
        .collect();
    let panel = repo_p::panel(&mut tx, call.tenant_id, call.id).await?;
    let scores = repo_p::scores(&mut tx, call.tenant_id, call.id).await?;
    let contracts = repo_p::contracts_of_call(&mut tx, call.tenant_id, call.id).await?;
    // Only a venture round's applications can be adopted: a purchase skips the read.
    let mut adoptions = match call.round_json {
        Some(_) => repo_p::adoptions(&mut tx, call.tenant_id, call.id).await?,
        None => Vec::new(),
    };
    for a in &mut adoptions {
        a.donor_name = gongzhi_domain::person::mask_name(&a.donor_name);
    }
    tx.rollback().await?;
    let result = call
        .result_json
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok());
    Ok(CallView {
        criteria: criteria_of(&call)?,
        rule: rule_of(&call)?,
        round: round_of(&call)?,
        adoptions,
        call,
        buyer,
        catalogue,
        bids,
        panel,
        scores,
        result,
        contracts,
    })
}

/// The public call board: open calls soonest closing first, then recent decisions.
pub async fn call_board(
    app: &App,
    limit: i64,
) -> Result<(Vec<CallSummary>, Vec<CallSummary>), AppError> {
    let mut tx = app.db.reads().await?;
    let open = repo_p::open_calls(&mut tx, limit).await?;
    let decided = repo_p::decided_calls(&mut tx, limit).await?;
    Ok((open, decided))
}

/// The social organisations' share of a buyer's new public-service purchases in a year
/// (contracts signed that year), against the rulebook's minimum.
pub async fn social_org_share_report(
    app: &App,
    actor: &Actor,
    buyer: Uuid,
    year: i32,
) -> Result<(ShareReport, dp::ProcurementRule), AppError> {
    let mut tx = app.db.read().await?;
    actor
        .require(&mut tx, Permission::ManagePurchases, buyer)
        .await?;
    let tenant = tenant_of(&mut tx, buyer).await?;
    let rule = procurement_rule(&mut tx, buyer, app.now()).await?;
    let start = time::Date::from_calendar_date(year, time::Month::January, 1)
        .map_err(|_| invalid("plan_year_invalid", "year"))?;
    let end = time::Date::from_calendar_date(year + 1, time::Month::January, 1)
        .map_err(|_| invalid("plan_year_invalid", "year"))?;
    let awards = repo_p::new_service_awards(
        &mut tx,
        tenant,
        buyer,
        Instant::china_midnight(start).micros(),
        Instant::china_midnight(end).micros(),
    )
    .await?;
    tx.rollback().await?;
    let pairs: Vec<(i64, bool)> = awards
        .iter()
        .map(|(v, k)| (*v, super::is_social_org(k)))
        .collect();
    Ok((dp::social_org_share(&pairs, rule.social_org_share), rule))
}
