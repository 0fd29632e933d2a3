//! The ledger as a Beancount or hledger journal, so that the real tools (`bean-check`,
//! `hledger check -s`) can check it and anyone can reproduce our balances with them.
//!
//! Mapping (see `shared/reference/ledger-and-contracting.md`): a posting's amount is + when our
//! transfer credits the account and − when it debits it, so Assets (funds, project budgets) are
//! positive, Income (sources) negative and Expenses (payees) positive, as both tools expect.
//! Accounts that can hold money have two leaves: `:Available` and `:Held`. A pending transfer is a
//! flagged (`!`) move from Available to Held; posting it moves the settled amount from Held to
//! the payee and the rest back; voiding moves it all back. The journal ends with an exact balance
//! assertion for every leaf (`~ 0` in Beancount, whose assertions otherwise tolerate 0.01), so a
//! tool that accepts the journal has reproduced every one of our balances.

use std::io::{self, Write};

use crate::ledger::{AccountKind, Balance, Phase};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JournalFormat {
    Beancount,
    Hledger,
}

impl JournalFormat {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "beancount" => Some(JournalFormat::Beancount),
            "hledger" => Some(JournalFormat::Hledger),
            _ => None,
        }
    }
}

/// An account of the journal.
#[derive(Debug, Clone)]
pub struct JournalAccount {
    /// `Assets:Fund:A1b2…` (built by [`account_name`]).
    pub name: String,
    pub kind: AccountKind,
    /// Human name, written as metadata.
    pub label: String,
    /// `YYYY-MM-DD` of its opening.
    pub opened: String,
    /// Our stored totals at the end: asserted at the end of the journal.
    pub balance: Balance,
}

/// One transfer, resolved to account positions in the journal's account list.
#[derive(Debug, Clone)]
pub struct JournalEntry<'a> {
    pub date: String,
    pub id: String,
    pub code: &'a str,
    pub memo: &'a str,
    pub phase: Phase,
    pub debit: usize,
    pub credit: usize,
    pub amount: i64,
    /// For post/void: the amount that was held.
    pub held: i64,
}

/// A journal account name from the kind and an ASCII code (letters, digits, dashes).
pub fn account_name(kind: AccountKind, code: &str) -> String {
    let code: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    match kind {
        AccountKind::Source => format!("Income:{code}"),
        AccountKind::Fund => format!("Assets:Fund:{code}"),
        AccountKind::Project => format!("Assets:Project:{code}"),
        AccountKind::Payee => format!("Expenses:{code}"),
    }
}

/// `12345` fen → `123.45`.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

fn quoted(s: &str) -> String {
    s.replace(['"', '\\', '\n', '\r'], " ")
}

fn leaves(a: &JournalAccount) -> Vec<(String, i64)> {
    if a.kind.can_hold() {
        vec![
            (format!("{}:Available", a.name), a.balance.available()),
            (format!("{}:Held", a.name), a.balance.debits_pending),
        ]
    } else {
        vec![(a.name.clone(), a.balance.posted())]
    }
}

fn leaf(a: &JournalAccount) -> String {
    if a.kind.can_hold() {
        format!("{}:Available", a.name)
    } else {
        a.name.clone()
    }
}

pub struct JournalWriter<W: Write> {
    out: W,
    format: JournalFormat,
    accounts: Vec<JournalAccount>,
    last_date: String,
}

impl<W: Write> JournalWriter<W> {
    /// Writes the header and opens every account.
    pub fn new(
        mut out: W,
        format: JournalFormat,
        title: &str,
        accounts: Vec<JournalAccount>,
    ) -> io::Result<Self> {
        let first = accounts
            .iter()
            .map(|a| a.opened.clone())
            .min()
            .unwrap_or_else(|| "2000-01-01".into());
        match format {
            JournalFormat::Beancount => {
                writeln!(out, "option \"title\" \"{}\"", quoted(title))?;
                writeln!(out, "option \"operating_currency\" \"CNY\"")?;
                writeln!(out, "\n{first} commodity CNY")?;
                for a in &accounts {
                    for (l, _) in leaves(a) {
                        writeln!(out, "{} open {l} CNY", a.opened)?;
                        writeln!(out, "  name: \"{}\"", quoted(&a.label))?;
                    }
                }
            }
            JournalFormat::Hledger => {
                writeln!(out, "; {}", title.replace('\n', " "))?;
                writeln!(out, "commodity 1000.00 CNY")?;
                for a in &accounts {
                    for (l, _) in leaves(a) {
                        writeln!(out, "account {l}  ; name: {}", a.label.replace('\n', " "))?;
                    }
                }
            }
        }
        Ok(JournalWriter {
            out,
            format,
            accounts,
            last_date: first,
        })
    }

    fn posting(&mut self, account: &str, fen: i64) -> io::Result<()> {
        writeln!(self.out, "    {account}  {} CNY", yuan(fen))
    }

    /// Writes one transfer. Entries must come in the order they were applied.
    pub fn entry(&mut self, e: &JournalEntry<'_>) -> io::Result<()> {
        let flag = if e.phase == Phase::Pending { "!" } else { "*" };
        match self.format {
            JournalFormat::Beancount => writeln!(
                self.out,
                "\n{} {flag} \"{}\" \"{}\"\n  transfer: \"{}\"\n  phase: \"{}\"",
                e.date,
                e.code,
                quoted(e.memo),
                e.id,
                e.phase.key()
            )?,
            JournalFormat::Hledger => writeln!(
                self.out,
                "\n{} {flag} {} | {}  ; transfer: {}, phase: {}",
                e.date,
                e.code,
                e.memo.replace(['\n', '|', ';'], " "),
                e.id,
                e.phase.key()
            )?,
        }
        let debit = self.accounts[e.debit].clone();
        let credit = self.accounts[e.credit].clone();
        let held = format!("{}:Held", debit.name);
        match e.phase {
            Phase::Posted => {
                self.posting(&leaf(&debit), -e.amount)?;
                self.posting(&leaf(&credit), e.amount)?;
            }
            Phase::Pending => {
                self.posting(&leaf(&debit), -e.amount)?;
                self.posting(&held, e.amount)?;
            }
            Phase::PostPending => {
                self.posting(&held, -e.held)?;
                self.posting(&leaf(&credit), e.amount)?;
                if e.held > e.amount {
                    self.posting(&leaf(&debit), e.held - e.amount)?;
                }
            }
            Phase::VoidPending => {
                self.posting(&held, -e.held)?;
                self.posting(&leaf(&debit), e.held)?;
            }
        }
        if e.date > self.last_date {
            self.last_date.clone_from(&e.date);
        }
        Ok(())
    }

    /// Asserts every leaf's balance (our stored totals) on the day after the last entry, and
    /// returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        let on = crate::time::parse_date(&self.last_date)
            .and_then(|d| d.next_day())
            .map(crate::time::format_date)
            .unwrap_or_else(|| self.last_date.clone());
        let all: Vec<(String, i64)> = self.accounts.iter().flat_map(leaves).collect();
        match self.format {
            JournalFormat::Beancount => {
                // A balance directive checks the start of its day, hence the day after.
                writeln!(self.out)?;
                for (l, v) in all {
                    writeln!(self.out, "{on} balance {l}  {} ~ 0 CNY", yuan(v))?;
                }
            }
            JournalFormat::Hledger => {
                writeln!(self.out, "\n{on} * balances recorded by Gongzhi")?;
                for (l, v) in all {
                    writeln!(self.out, "    {l}  0 CNY = {} CNY", yuan(v))?;
                }
            }
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_names() {
        assert_eq!(yuan(12345), "123.45");
        assert_eq!(yuan(-5), "-0.05");
        assert_eq!(yuan(0), "0.00");
        assert_eq!(
            account_name(AccountKind::Fund, "A-01ff 中"),
            "Assets:Fund:A-01ff"
        );
    }

    #[test]
    fn a_hold_then_partial_post_balances_in_both_formats() {
        let acc = |name: &str, kind, balance| JournalAccount {
            name: account_name(kind, name),
            kind,
            label: name.into(),
            opened: "2026-01-01".into(),
            balance,
        };
        let accounts = vec![
            acc(
                "S",
                AccountKind::Source,
                Balance {
                    debits_posted: 100,
                    ..Default::default()
                },
            ),
            acc(
                "F",
                AccountKind::Fund,
                Balance {
                    credits_posted: 100,
                    debits_posted: 40,
                    ..Default::default()
                },
            ),
            acc(
                "P",
                AccountKind::Payee,
                Balance {
                    credits_posted: 40,
                    ..Default::default()
                },
            ),
        ];
        for format in [JournalFormat::Beancount, JournalFormat::Hledger] {
            let mut w = JournalWriter::new(Vec::new(), format, "t", accounts.clone()).unwrap();
            let base = JournalEntry {
                date: "2026-02-01".into(),
                id: "x".into(),
                code: "allocation",
                memo: "m",
                phase: Phase::Posted,
                debit: 0,
                credit: 1,
                amount: 100,
                held: 0,
            };
            w.entry(&base).unwrap();
            w.entry(&JournalEntry {
                phase: Phase::Pending,
                debit: 1,
                credit: 2,
                amount: 50,
                ..base.clone()
            })
            .unwrap();
            w.entry(&JournalEntry {
                phase: Phase::PostPending,
                debit: 1,
                credit: 2,
                amount: 40,
                held: 50,
                ..base.clone()
            })
            .unwrap();
            let text = String::from_utf8(w.finish().unwrap()).unwrap();
            // Sum every posting: each transaction balances, so the total is zero.
            let total: i64 = text
                .lines()
                .filter(|l| l.starts_with("    ") && l.contains(" CNY") && !l.contains('='))
                .map(|l| {
                    let n = l.split_whitespace().nth(1).unwrap();
                    let (y, f) = n.trim_start_matches('-').split_once('.').unwrap();
                    let v = y.parse::<i64>().unwrap() * 100 + f.parse::<i64>().unwrap();
                    if n.starts_with('-') { -v } else { v }
                })
                .sum();
            assert_eq!(total, 0, "{text}");
            let expected = match format {
                JournalFormat::Beancount => "balance Assets:Fund:F:Available  0.60 ~ 0 CNY",
                JournalFormat::Hledger => "Assets:Fund:F:Available  0 CNY = 0.60 CNY",
            };
            assert!(text.contains(expected), "{text}");
        }
    }
}
