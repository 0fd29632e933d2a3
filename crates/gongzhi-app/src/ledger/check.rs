//! `gongzhi ledger check` (replay every transfer and compare) and the Beancount / hledger
//! journals.

use std::collections::HashMap;

use gongzhi_domain::ledger::{self, AccountKind, Balance, Phase, StatementLine};
use gongzhi_domain::time::{Instant, format_date};
use gongzhi_store::ledger::{self as repo_l};
use gongzhi_store::repo;
use uuid::Uuid;

use crate::{App, AppError};

use super::*;

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
            opened: format_date(Instant::from_micros(a.created_at).china_date()),
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
                date: format_date(Instant::from_micros(t.created_at).china_date()),
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
