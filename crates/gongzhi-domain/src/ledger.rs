//! The community fund's double-entry ledger, after TigerBeetle's model
//! (`shared/reference/ledger-and-contracting.md`): accounts keep four running totals (debits and
//! credits, pending and posted); a transfer moves an integer amount of fen from one account to
//! another and is never edited; a *pending* transfer holds money until it is posted (in full or in
//! part, the rest returning) or voided, exactly once. An account flagged `limited` can never be
//! debited beyond its posted credits, counting money on hold — so no sequence of transfers
//! overdraws a fund.
//!
//! Everything here is pure: the app loads the two accounts a transfer touches, applies it with
//! [`apply`], and writes them back in the same transaction; `gongzhi ledger check` replays every
//! stored transfer through [`Ledger`] and compares the result with the stored totals.

use std::collections::HashMap;
use std::hash::Hash;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// What an account stands for. The kind decides its flag and how it is exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// Where money comes from outside the community: a city or district allocation, residents'
    /// co-funding, donations. Debited when money arrives; no limit.
    Source,
    /// A community fund for one programme and year (保障资金 2026, 激励资金 2026, a donated fund…).
    Fund,
    /// A project's budget, reserved from a fund when the project is approved.
    Project,
    /// Someone paid: a supplier, a hospital. Credited when an expense is posted; debited by refunds.
    Payee,
}

impl AccountKind {
    pub const ALL: [AccountKind; 4] = [
        AccountKind::Source,
        AccountKind::Fund,
        AccountKind::Project,
        AccountKind::Payee,
    ];

    pub fn key(self) -> &'static str {
        match self {
            AccountKind::Source => "source",
            AccountKind::Fund => "fund",
            AccountKind::Project => "project",
            AccountKind::Payee => "payee",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == s)
    }

    /// Debits may not exceed posted credits (pending debits included). Only sources are exempt:
    /// their balance is how much came in from outside.
    pub fn limited(self) -> bool {
        !matches!(self, AccountKind::Source)
    }

    /// Money on hold (a pending debit) is only ever taken from a fund or a project budget.
    pub fn can_hold(self) -> bool {
        matches!(self, AccountKind::Fund | AccountKind::Project)
    }
}

/// The four running totals of an account, in fen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Balance {
    pub debits_pending: i64,
    pub debits_posted: i64,
    pub credits_pending: i64,
    pub credits_posted: i64,
}

impl Balance {
    /// What may still be debited: posted credits less everything debited or on hold.
    pub fn available(&self) -> i64 {
        self.credits_posted - self.debits_posted - self.debits_pending
    }
    /// Posted credits less posted debits (what the account holds, holds included).
    pub fn posted(&self) -> i64 {
        self.credits_posted - self.debits_posted
    }
}

/// An account as a transfer sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountState {
    pub limited: bool,
    pub can_hold: bool,
    pub balance: Balance,
}

impl AccountState {
    pub fn new(kind: AccountKind) -> Self {
        AccountState {
            limited: kind.limited(),
            can_hold: kind.can_hold(),
            balance: Balance::default(),
        }
    }
}

/// The phase of a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Moves money at once.
    Posted,
    /// Holds money on the debit account until posted or voided.
    Pending,
    /// Settles a pending transfer: `amount` (≤ the held amount) moves; the rest returns.
    PostPending,
    /// Cancels a pending transfer: everything held returns.
    VoidPending,
}

impl Phase {
    pub fn key(self) -> &'static str {
        match self {
            Phase::Posted => "posted",
            Phase::Pending => "pending",
            Phase::PostPending => "post_pending",
            Phase::VoidPending => "void_pending",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            Phase::Posted,
            Phase::Pending,
            Phase::PostPending,
            Phase::VoidPending,
        ]
        .into_iter()
        .find(|p| p.key() == s)
    }
}

/// Why each transfer was made. A closed list, so statements can group by it.
pub const TRANSFER_CODES: &[&str] = &[
    "allocation",
    "cofunding",
    "donation",
    "carry_over",
    "reserve",
    "expense",
    "release",
    "refund",
    "correction",
];

/// Checks an amount typed by a person or sent by a client: positive fen.
pub fn check_amount(amount: i64, field: &'static str) -> Result<i64, DomainError> {
    if amount <= 0 {
        return Err(DomainError::field("amount_not_positive", field));
    }
    Ok(amount)
}

/// Applies one transfer to the accounts it debits and credits. For `PostPending` and
/// `VoidPending`, `held` is the pending transfer's amount (the caller has checked it is still
/// pending and names the same accounts). On error neither account is changed.
pub fn apply(
    phase: Phase,
    amount: i64,
    held: Option<i64>,
    debit: &mut AccountState,
    credit: &mut AccountState,
) -> Result<(), DomainError> {
    let (mut d, mut c) = (debit.balance, credit.balance);
    let overflow = || DomainError::new("amount_too_large");
    let add = |a: i64, b: i64| a.checked_add(b).ok_or_else(overflow);
    match phase {
        Phase::Posted | Phase::Pending => {
            check_amount(amount, "amount")?;
            if phase == Phase::Pending && !debit.can_hold {
                return Err(DomainError::new("ledger_hold_not_allowed"));
            }
            if debit.limited && amount > d.available() {
                return Err(DomainError::field("ledger_insufficient_funds", "amount")
                    .arg("available", crate::Fen::new(d.available()))
                    .arg("amount", crate::Fen::new(amount)));
            }
            if phase == Phase::Posted {
                d.debits_posted = add(d.debits_posted, amount)?;
                c.credits_posted = add(c.credits_posted, amount)?;
            } else {
                d.debits_pending = add(d.debits_pending, amount)?;
                c.credits_pending = add(c.credits_pending, amount)?;
            }
        }
        Phase::PostPending | Phase::VoidPending => {
            let held = held.ok_or_else(|| DomainError::new("ledger_not_pending"))?;
            let settled = if phase == Phase::VoidPending {
                0
            } else {
                amount
            };
            if settled < 0 || settled > held || (phase == Phase::PostPending && settled == 0) {
                return Err(DomainError::field("ledger_settle_over_hold", "amount")
                    .arg("held", crate::Fen::new(held)));
            }
            d.debits_pending -= held;
            c.credits_pending -= held;
            d.debits_posted = add(d.debits_posted, settled)?;
            c.credits_posted = add(c.credits_posted, settled)?;
        }
    }
    debit.balance = d;
    credit.balance = c;
    Ok(())
}

/// A transfer as the replaying ledger sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transfer<K> {
    pub id: K,
    pub debit: K,
    pub credit: K,
    pub amount: i64,
    pub phase: Phase,
    /// For `PostPending` and `VoidPending`: the pending transfer settled.
    pub pending_id: Option<K>,
}

/// An in-memory ledger: the model the stored one must agree with. Used to replay every stored
/// transfer (`gongzhi ledger check`) and by the property tests.
#[derive(Debug, Clone, Default)]
pub struct Ledger<K: Eq + Hash + Copy> {
    pub accounts: HashMap<K, AccountState>,
    /// Pending transfers not yet settled: id → (debit, credit, amount).
    pub pending: HashMap<K, (K, K, i64)>,
    /// Transfers applied so far, for idempotency: a repeated id is refused.
    seen: std::collections::HashSet<K>,
}

impl<K: Eq + Hash + Copy> Ledger<K> {
    pub fn open(&mut self, id: K, kind: AccountKind) {
        self.accounts.entry(id).or_insert(AccountState::new(kind));
    }

    pub fn balance(&self, id: K) -> Option<Balance> {
        self.accounts.get(&id).map(|a| a.balance)
    }

    /// Applies a transfer, or refuses it and changes nothing.
    pub fn apply(&mut self, t: &Transfer<K>) -> Result<(), DomainError> {
        if self.seen.contains(&t.id) {
            return Err(DomainError::new("ledger_transfer_exists"));
        }
        if t.debit == t.credit {
            return Err(DomainError::new("ledger_same_account"));
        }
        let held = match t.phase {
            Phase::PostPending | Phase::VoidPending => {
                let p = t
                    .pending_id
                    .and_then(|p| self.pending.get(&p).copied())
                    .ok_or_else(|| DomainError::new("ledger_not_pending"))?;
                if (p.0, p.1) != (t.debit, t.credit) {
                    return Err(DomainError::new("ledger_not_pending"));
                }
                Some(p.2)
            }
            _ => None,
        };
        let mut d = *self
            .accounts
            .get(&t.debit)
            .ok_or_else(|| DomainError::new("ledger_account_unknown"))?;
        let mut c = *self
            .accounts
            .get(&t.credit)
            .ok_or_else(|| DomainError::new("ledger_account_unknown"))?;
        apply(t.phase, t.amount, held, &mut d, &mut c)?;
        self.accounts.insert(t.debit, d);
        self.accounts.insert(t.credit, c);
        match t.phase {
            Phase::Pending => {
                self.pending.insert(t.id, (t.debit, t.credit, t.amount));
            }
            Phase::PostPending | Phase::VoidPending => {
                if let Some(p) = t.pending_id {
                    self.pending.remove(&p);
                }
            }
            Phase::Posted => {}
        }
        self.seen.insert(t.id);
        Ok(())
    }

    /// Applies a batch all or nothing (TigerBeetle's linked transfers).
    pub fn apply_linked(&mut self, batch: &[Transfer<K>]) -> Result<(), DomainError> {
        let mut trial = self.clone();
        for t in batch {
            trial.apply(t)?;
        }
        *self = trial;
        Ok(())
    }

    /// Σ posted debits = Σ posted credits and Σ pending debits = Σ pending credits.
    pub fn balanced(&self) -> bool {
        let mut sums = [0i128; 4];
        for a in self.accounts.values() {
            let b = a.balance;
            sums[0] += i128::from(b.debits_posted);
            sums[1] += i128::from(b.credits_posted);
            sums[2] += i128::from(b.debits_pending);
            sums[3] += i128::from(b.credits_pending);
        }
        sums[0] == sums[1] && sums[2] == sums[3]
    }
}

// ---- sign-off (报账) ----

/// Who may sign at a step: the supervisory board (its seated voting members) or the holders of an
/// office at the expense's jurisdiction or above.
pub const SIGNER_GROUPS: &[&str] = &[
    "supervisory_board",
    "supervisor",
    "committee_director",
    "party_secretary",
    "committee_member",
    "accountant",
    "custodian",
];

/// One step of an expense's sign-off chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignoffStep {
    /// The groups whose members sign at this step (e.g. `["committee_director",
    /// "party_secretary"]`: the director approves, the party secretary co-signs).
    pub signers: Vec<String>,
    /// Every member of every group must sign (a person in two groups signs once); otherwise one
    /// signature from any member suffices.
    pub all: bool,
}

/// The expense sign-off chain (报账): ordered steps, and how many days the money may stay on hold
/// before the expense lapses and the hold is released.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignoffChain {
    pub steps: Vec<SignoffStep>,
    pub window_days: u32,
}

impl SignoffChain {
    pub fn validate(&self) -> Result<(), DomainError> {
        let bad = || DomainError::field("rule_out_of_range", "value").arg("key", "expense.signoff");
        if self.steps.is_empty() || self.steps.len() > 8 || self.window_days == 0 {
            return Err(bad());
        }
        if self.window_days > 366 {
            return Err(bad());
        }
        for s in &self.steps {
            if s.signers.is_empty() {
                return Err(bad());
            }
            for g in &s.signers {
                if !SIGNER_GROUPS.contains(&g.as_str()) {
                    return Err(
                        DomainError::field("signoff_group_unknown", "value").arg("group", g)
                    );
                }
            }
        }
        Ok(())
    }
}

/// Where an expense stands in its chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignoffProgress<A> {
    /// Waiting at step `step` (0-based) for these people (for an `all` step) or any of them.
    Waiting { step: usize, missing: Vec<A> },
    /// Every step is satisfied.
    Complete,
}

/// Computes the progress of a chain. `members(step)` lists who belongs to a step's groups now
/// (deduplicated by the caller or not: a person counts once); `signed(step)` who has signed it.
/// A step whose groups have nobody in office cannot be satisfied and waits with no one missing,
/// which the caller reports as a gap in the offices.
pub fn progress<A: PartialEq + Clone>(
    chain: &SignoffChain,
    members: impl Fn(usize) -> Vec<A>,
    signed: impl Fn(usize) -> Vec<A>,
) -> SignoffProgress<A> {
    for (i, step) in chain.steps.iter().enumerate() {
        let mut who = members(i);
        let mut unique: Vec<A> = Vec::with_capacity(who.len());
        for a in who.drain(..) {
            if !unique.contains(&a) {
                unique.push(a);
            }
        }
        let have = signed(i);
        let done = if unique.is_empty() {
            false
        } else if step.all {
            unique.iter().all(|a| have.contains(a))
        } else {
            have.iter().any(|a| unique.contains(a))
        };
        if !done {
            let missing = unique.into_iter().filter(|a| !have.contains(a)).collect();
            return SignoffProgress::Waiting { step: i, missing };
        }
    }
    SignoffProgress::Complete
}

// ---- allocation shares (按比例分担) ----

/// How an allocation is shared between the budgets that pay it (city and district "按一定比例"):
/// each part names a source and its whole-number share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllocationShares {
    pub parts: Vec<SharePart>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharePart {
    pub source: String,
    pub share: u32,
}

impl AllocationShares {
    pub fn validate(&self) -> Result<(), DomainError> {
        let bad = || {
            DomainError::field("rule_out_of_range", "value").arg("key", "fund.allocation_shares")
        };
        if self.parts.is_empty() || self.parts.len() > 10 {
            return Err(bad());
        }
        for (i, p) in self.parts.iter().enumerate() {
            if p.share == 0
                || p.source.is_empty()
                || self.parts[..i].iter().any(|q| q.source == p.source)
            {
                return Err(bad());
            }
        }
        Ok(())
    }

    /// Splits `total` fen by the shares, exactly: each part gets its floor, and the fen left over
    /// go one each to the parts with the largest remainders (ties to the earlier part).
    pub fn split(&self, total: i64) -> Vec<(String, i64)> {
        let sum: i128 = self.parts.iter().map(|p| i128::from(p.share)).sum();
        if sum == 0 {
            return vec![];
        }
        let t = i128::from(total);
        let mut out: Vec<(String, i64, i128)> = self
            .parts
            .iter()
            .map(|p| {
                let exact = t * i128::from(p.share);
                (p.source.clone(), (exact / sum) as i64, exact % sum)
            })
            .collect();
        let given: i64 = out.iter().map(|o| o.1).sum();
        let mut order: Vec<usize> = (0..out.len()).collect();
        order.sort_by(|a, b| out[*b].2.cmp(&out[*a].2).then(a.cmp(b)));
        for i in order.into_iter().take((total - given) as usize) {
            out[i].1 += 1;
        }
        out.into_iter().map(|(s, v, _)| (s, v)).collect()
    }
}

// ---- disclosure (财务公开) ----

/// The disclosure schedule: statements every `period_months` (3 = quarterly), monthly instead when
/// a fund had more than `busy_over` posted transfers in the last period, and a statement at once
/// for any single posted item of `immediate_over_fen` or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisclosureSchedule {
    pub period_months: u32,
    pub busy_over: u32,
    pub immediate_over_fen: i64,
}

impl DisclosureSchedule {
    pub fn validate(&self) -> Result<(), DomainError> {
        if ![1, 2, 3, 4, 6, 12].contains(&self.period_months) || self.immediate_over_fen <= 0 {
            return Err(
                DomainError::field("rule_out_of_range", "value").arg("key", "disclosure.schedule")
            );
        }
        Ok(())
    }

    /// The period (first day, first day after) containing `date`, `months` long, aligned to the
    /// calendar year.
    pub fn period_of(months: u32, date: time::Date) -> (time::Date, time::Date) {
        let m0 = (u32::from(u8::from(date.month())) - 1) / months * months;
        let start = first_of(date.year(), m0);
        let end = first_of(date.year(), m0 + months);
        (start, end)
    }
}

fn first_of(year: i32, month0: u32) -> time::Date {
    let (y, m) = (year + (month0 / 12) as i32, month0 % 12);
    let month = time::Month::try_from((m + 1) as u8).unwrap_or(time::Month::January);
    time::Date::from_calendar_date(y, month, 1).unwrap_or(time::Date::MIN)
}

/// What a statement says about one account over a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StatementLine {
    pub opening: i64,
    pub inflows: i64,
    pub outflows: i64,
    pub closing: i64,
    /// On hold at the end of the period.
    pub held: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger() -> Ledger<u32> {
        let mut l = Ledger::default();
        l.open(1, AccountKind::Source);
        l.open(2, AccountKind::Fund);
        l.open(3, AccountKind::Project);
        l.open(4, AccountKind::Payee);
        l
    }

    fn t(id: u32, debit: u32, credit: u32, amount: i64, phase: Phase) -> Transfer<u32> {
        Transfer {
            id,
            debit,
            credit,
            amount,
            phase,
            pending_id: None,
        }
    }

    #[test]
    fn beiyuan_money_story() {
        // 36,000 yuan project: 18,000 reserved from the fund, 18,000 co-funded; 34,500 spent.
        let mut l = ledger();
        l.open(5, AccountKind::Source);
        l.apply(&t(10, 1, 2, 40_000_00, Phase::Posted)).unwrap();
        l.apply(&t(11, 2, 3, 18_000_00, Phase::Posted)).unwrap();
        l.apply(&t(12, 5, 3, 18_000_00, Phase::Posted)).unwrap();
        l.apply(&t(13, 3, 4, 20_000_00, Phase::Pending)).unwrap();
        assert_eq!(l.balance(3).unwrap().available(), 16_000_00);
        let mut post = t(14, 3, 4, 19_000_00, Phase::PostPending);
        post.pending_id = Some(13);
        l.apply(&post).unwrap();
        l.apply(&t(15, 3, 4, 15_500_00, Phase::Posted)).unwrap();
        assert_eq!(l.balance(3).unwrap().available(), 1_500_00);
        l.apply(&t(16, 3, 2, 1_500_00, Phase::Posted)).unwrap();
        assert_eq!(l.balance(3).unwrap().available(), 0);
        assert_eq!(l.balance(2).unwrap().available(), 23_500_00);
        assert_eq!(l.balance(4).unwrap().posted(), 34_500_00);
        assert!(l.balanced());
    }

    #[test]
    fn holds_count_against_the_limit_and_settle_once() {
        let mut l = ledger();
        l.apply(&t(1, 1, 2, 100, Phase::Posted)).unwrap();
        l.apply(&t(2, 2, 4, 60, Phase::Pending)).unwrap();
        let e = l.apply(&t(3, 2, 4, 41, Phase::Pending)).unwrap_err();
        assert_eq!(e.code.0, "ledger_insufficient_funds");
        let mut void = t(4, 2, 4, 0, Phase::VoidPending);
        void.pending_id = Some(2);
        l.apply(&void).unwrap();
        let mut again = void;
        again.id = 5;
        assert_eq!(l.apply(&again).unwrap_err().code.0, "ledger_not_pending");
        assert_eq!(l.balance(2).unwrap().available(), 100);
        assert_eq!(
            l.apply(&t(1, 1, 2, 5, Phase::Posted)).unwrap_err().code.0,
            "ledger_transfer_exists"
        );
        assert_eq!(
            l.apply(&t(6, 4, 2, 1, Phase::Pending)).unwrap_err().code.0,
            "ledger_hold_not_allowed"
        );
    }

    #[test]
    fn linked_transfers_fail_together() {
        let mut l = ledger();
        l.apply(&t(1, 1, 2, 100, Phase::Posted)).unwrap();
        let before = l.balance(2);
        let e = l
            .apply_linked(&[t(2, 2, 3, 60, Phase::Posted), t(3, 2, 4, 60, Phase::Posted)])
            .unwrap_err();
        assert_eq!(e.code.0, "ledger_insufficient_funds");
        assert_eq!(l.balance(2), before);
        assert_eq!(l.balance(3).unwrap(), Balance::default());
    }

    #[test]
    fn signoff_steps_in_order_and_a_person_in_two_offices_signs_once() {
        let chain = SignoffChain {
            steps: vec![
                SignoffStep {
                    signers: vec!["supervisory_board".into()],
                    all: true,
                },
                SignoffStep {
                    signers: vec!["committee_director".into(), "party_secretary".into()],
                    all: true,
                },
                SignoffStep {
                    signers: vec!["accountant".into()],
                    all: false,
                },
            ],
            window_days: 30,
        };
        chain.validate().unwrap();
        let members = |s: usize| match s {
            0 => vec!["a", "b", "c"],
            1 => vec!["d", "d"], // one person is director and party secretary
            _ => vec!["e", "f"],
        };
        let signed0 = |s: usize| if s == 0 { vec!["a", "b"] } else { vec![] };
        assert_eq!(
            progress(&chain, members, signed0),
            SignoffProgress::Waiting {
                step: 0,
                missing: vec!["c"]
            }
        );
        let signed = |s: usize| match s {
            0 => vec!["a", "b", "c"],
            1 => vec!["d"],
            _ => vec!["f"],
        };
        assert_eq!(progress(&chain, members, signed), SignoffProgress::Complete);
        // Nobody in office: never complete.
        let empty = |s: usize| if s == 2 { vec![] } else { members(s) };
        assert!(matches!(
            progress(&chain, empty, signed),
            SignoffProgress::Waiting { step: 2, .. }
        ));
        let mut bad = chain.clone();
        bad.steps[0].signers = vec!["mayor".into()];
        assert_eq!(bad.validate().unwrap_err().code.0, "signoff_group_unknown");
    }

    #[test]
    fn shares_split_exactly() {
        let shares = |parts: &[(&str, u32)]| AllocationShares {
            parts: parts
                .iter()
                .map(|(s, n)| SharePart {
                    source: (*s).into(),
                    share: *n,
                })
                .collect(),
        };
        let half = shares(&[("city", 1), ("district", 1)]);
        assert_eq!(
            half.split(100_000_01),
            vec![("city".into(), 50_000_01), ("district".into(), 50_000_00)]
        );
        let thirds = shares(&[("city", 1), ("district", 1), ("street", 1)]);
        let parts = thirds.split(100);
        assert_eq!(
            parts.iter().map(|p| p.1).collect::<Vec<_>>(),
            vec![34, 33, 33]
        );
        let s = shares(&[("city", 3), ("district", 2)]);
        assert_eq!(s.split(1_000).iter().map(|p| p.1).sum::<i64>(), 1_000);
        assert_eq!(s.split(1_000)[0].1, 600);
        assert!(shares(&[("city", 1), ("city", 2)]).validate().is_err());
        assert!(shares(&[("city", 0)]).validate().is_err());
    }

    #[test]
    fn periods_align_to_the_calendar_year() {
        let d = time::Date::from_calendar_date(2026, time::Month::August, 15).unwrap();
        let (s, e) = DisclosureSchedule::period_of(3, d);
        assert_eq!(
            (s.to_string(), e.to_string()),
            ("2026-07-01".into(), "2026-10-01".into())
        );
        let d = time::Date::from_calendar_date(2026, time::Month::December, 31).unwrap();
        let (s, e) = DisclosureSchedule::period_of(3, d);
        assert_eq!(
            (s.to_string(), e.to_string()),
            ("2026-10-01".into(), "2027-01-01".into())
        );
        let (s, e) = DisclosureSchedule::period_of(1, d);
        assert_eq!(
            (s.to_string(), e.to_string()),
            ("2026-12-01".into(), "2027-01-01".into())
        );
    }
}
