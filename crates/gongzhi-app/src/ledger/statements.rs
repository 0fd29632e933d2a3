//! Financial disclosure (财务公开): statements per fund and period, the schedule that makes them
//! due, and their tables for spreadsheets.

use std::collections::HashMap;

use gongzhi_domain::ledger::{DisclosureSchedule, Phase, StatementLine};
use gongzhi_domain::rulebook::RuleValue;
use gongzhi_domain::time::{Instant, format_date, parse_date};
use gongzhi_store::ledger::{self as repo_l, AccountRow, BudgetRow, FundRow, TransferRow};
use serde_json::json;
use uuid::Uuid;

use crate::authz::Actor;
use crate::command::{Command, Record, Target};
use crate::rules::rule_in_force;
use crate::{App, AppError, new_id};

use super::*;

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
                "transfer": t.id, "seq": t.seq, "at": Instant::from_micros(t.created_at).china_minute(),
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

pub(super) fn day_start(date: &str) -> Result<i64, AppError> {
    let d = parse_date(date).ok_or_else(|| invalid("date_invalid", "period_start"))?;
    Ok(Instant::china_midnight(d).micros())
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
    if end > app.now().micros() {
        return Err(invalid("statement_period_not_over", "period_end"));
    }
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Fund, fund_id),
        "statement.post",
    )
    .await?;
    let (tenant, fund) = managed_fund(&mut cmd.tx, actor, fund_id).await?;
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
            ("posted_at", app.now().micros().into()),
            ("posted_by", actor.account_id.into()),
        ],
    )
    .await?;
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
        let mut day = Instant::from_micros(f.created_at).china_date();
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
                    let d = Instant::from_micros(t.created_at).china_date();
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
                let d = Instant::from_micros(t.created_at).china_date();
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
    let tenant = Record::Statement.tenant(&mut tx, id).await?;
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
        let _ = w.write_record(
            r.iter()
                .map(|c| crate::spreadsheet::inert_cell(c).into_owned()),
        );
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

/// Posts every statement the disclosure schedule says is due, in every community, as Gongzhi
/// itself. `serve` runs it hourly (with the chain anchoring), so statements appear on schedule
/// even if nobody clicks; staff may post a due statement earlier from the funds page. Returns how
/// many were posted.
pub async fn post_due_statements(app: &App) -> Result<usize, AppError> {
    let mut read = app.db.read().await?;
    let communities: Vec<Uuid> = gongzhi_store::repo::all_jurisdictions(&mut read)
        .await?
        .into_iter()
        .filter(|j| j.level == "community")
        .map(|j| j.id)
        .collect();
    read.rollback().await?;
    let system = Actor::system();
    let mut posted = 0;
    for c in communities {
        for d in due_statements(app, c).await? {
            post_statement(
                app,
                &system,
                d.fund_id,
                &d.period_start,
                &d.period_end,
                d.reason,
            )
            .await?;
            posted += 1;
        }
    }
    Ok(posted)
}
