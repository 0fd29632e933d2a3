//! The allocation rules, exactly as pabutools 1.2.3 defines them (see the shared data README for
//! the precise semantics), but fast.
//!
//! Why it is fast without giving up exactness: in the Method of Equal Shares every supporter of a
//! chosen project either pays all they have left or pays the same multiple of their satisfaction, so
//! voters' remaining budgets take few distinct values. Each voter points at a *budget class* (an
//! exact fraction shared by every voter with the same history); a round aggregates a project's
//! supporters by (class, satisfaction) with integer counts and does exact arithmetic once per group,
//! not once per voter. Grouping is exact: identical voters either all pay in full or all fail to.
//! Sequential Phragmén does the same with loads: a voter's load is the load of the last round that
//! touched them.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::Zero;

use super::profile::{Profile, Satisfaction};
use super::{Decimal, Election, VoteType};

/// An exact fraction.
pub type Fraction = BigRational;

fn frac(n: i128) -> Fraction {
    Fraction::from_integer(BigInt::from(n))
}

/// What completes a Method of Equal Shares outcome that leaves money unspent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Completion {
    /// Plain MES.
    None,
    /// pabutools' `completion_by_rule_combination` with greedy: fill the rest greedily.
    Greedy,
    /// pabutools' `voter_budget_increment = 1`: raise every voter's budget by one currency unit and
    /// rerun until the outcome is exhaustive, or return the last outcome before one overspends.
    AddOne,
}

/// A rule and its parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    Greedy(Satisfaction),
    Mes(Satisfaction, Completion),
    Phragmen,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleError {
    Unknown(String),
    NeedsPoints(VoteType),
    NeedsOrdinal(VoteType),
    NeedsApproval(VoteType),
    TooLarge(String),
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleError::Unknown(name) => write!(
                f,
                "unknown rule \"{name}\" (greedy-cost, greedy-card, greedy-score, greedy-borda, mes-cost, mes-card, mes-score, mes-borda, phragmen; completions greedy, add1) / 未知的分配规则“{name}”"
            ),
            RuleError::NeedsPoints(t) => write!(
                f,
                "score satisfaction needs cumulative or scoring ballots, this election has {} ballots / 按分数计算满意度需要积分或评分选票，本次为 {} 选票",
                t.as_str(),
                t.as_str()
            ),
            RuleError::NeedsOrdinal(t) => write!(
                f,
                "Borda satisfaction needs ordinal ballots, this election has {} ballots / 博尔达满意度需要排序选票，本次为 {} 选票",
                t.as_str(),
                t.as_str()
            ),
            RuleError::NeedsApproval(t) => write!(
                f,
                "sequential Phragmén needs approval or choose-1 ballots, this election has {} ballots / 序贯 Phragmén 法需要赞成制选票，本次为 {} 选票",
                t.as_str(),
                t.as_str()
            ),
            RuleError::TooLarge(v) => write!(
                f,
                "the number {v} is too large to count exactly / 数值 {v} 过大，无法精确计算"
            ),
        }
    }
}

impl std::error::Error for RuleError {}

impl Rule {
    /// Reads a rule name: ours (`greedy-cost`, `mes-card`, `phragmen`) or the reference data's
    /// (`greedy_cost`, `mes_cost_then_greedy_cost`, `mes_cost_add1`, `seq_phragmen`), with an
    /// optional completion (`greedy`, `add1`) for MES.
    pub fn parse(name: &str, completion: Option<&str>) -> Result<Rule, RuleError> {
        let unknown = || RuleError::Unknown(name.to_string());
        let normal = name.trim().to_ascii_lowercase().replace('_', "-");
        let rule = if normal == "phragmen" || normal == "seq-phragmen" {
            Rule::Phragmen
        } else if let Some(sat) = normal.strip_prefix("greedy-") {
            Rule::Greedy(Satisfaction::parse(sat).ok_or_else(unknown)?)
        } else if let Some(rest) = normal.strip_prefix("mes-") {
            if let Some(sat) = rest.strip_suffix("-add1") {
                Rule::Mes(
                    Satisfaction::parse(sat).ok_or_else(unknown)?,
                    Completion::AddOne,
                )
            } else if let Some((sat, then)) = rest.split_once("-then-greedy-") {
                if sat != then {
                    return Err(unknown());
                }
                Rule::Mes(
                    Satisfaction::parse(sat).ok_or_else(unknown)?,
                    Completion::Greedy,
                )
            } else {
                Rule::Mes(
                    Satisfaction::parse(rest).ok_or_else(unknown)?,
                    Completion::None,
                )
            }
        } else {
            return Err(unknown());
        };
        match (rule, completion.map(|c| c.trim().to_ascii_lowercase())) {
            (rule, None) => Ok(rule),
            (Rule::Mes(sat, Completion::None), Some(c)) => match c.as_str() {
                "greedy" => Ok(Rule::Mes(sat, Completion::Greedy)),
                "add1" | "add-one" | "add_one" => Ok(Rule::Mes(sat, Completion::AddOne)),
                "none" => Ok(rule),
                _ => Err(RuleError::Unknown(format!("{name} --completion {c}"))),
            },
            (_, Some(c)) => Err(RuleError::Unknown(format!("{name} --completion {c}"))),
        }
    }

    /// The reference data's name for the rule (`mes_cost_then_greedy_cost`, `seq_phragmen`).
    pub fn key(self) -> String {
        match self {
            Rule::Greedy(s) => format!("greedy_{}", s.as_str()),
            Rule::Mes(s, Completion::None) => format!("mes_{}", s.as_str()),
            Rule::Mes(s, Completion::Greedy) => {
                format!("mes_{}_then_greedy_{}", s.as_str(), s.as_str())
            }
            Rule::Mes(s, Completion::AddOne) => format!("mes_{}_add1", s.as_str()),
            Rule::Phragmen => "seq_phragmen".into(),
        }
    }

    fn satisfaction(self) -> Satisfaction {
        match self {
            Rule::Greedy(s) | Rule::Mes(s, _) => s,
            Rule::Phragmen => Satisfaction::Cardinality,
        }
    }
}

/// The result of a rule, with what is needed to explain it.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Project indices in the order the rule chose them (sequential Phragmén: pick order too,
    /// although pabutools returns its list sorted by id).
    pub selection_order: Vec<usize>,
    /// The same projects, sorted by project id.
    pub winners: Vec<usize>,
    pub total_cost: Decimal,
    /// For the Method of Equal Shares: the rounds and every voter's remaining budget.
    pub equal_shares: Option<EqualShares>,
}

/// How a Method of Equal Shares outcome came about.
#[derive(Clone, Debug)]
pub struct EqualShares {
    /// Each voter's starting budget, in currency units.
    pub budget_per_voter: Fraction,
    /// Projects bought by equal shares, with ρ: a supporter pays min(budget left, ρ × satisfaction).
    /// Zero-cost projects and projects added by a completion are not rounds.
    pub rounds: Vec<(usize, Fraction)>,
    unit: Fraction,
    classes: Vec<Fraction>,
    voter_class: Vec<u32>,
}

impl EqualShares {
    /// What voter `v` has left at the end of equal shares, in currency units.
    pub fn remaining(&self, voter: usize) -> Fraction {
        &self.classes[self.voter_class[voter] as usize] / &self.unit
    }
}

/// Runs `rule` on `election`.
pub fn run(election: &Election, rule: Rule) -> Result<Outcome, RuleError> {
    if rule == Rule::Phragmen && !election.vote_type().is_approval() {
        return Err(RuleError::NeedsApproval(election.vote_type()));
    }
    let profile = Profile::new(election, rule.satisfaction())?;
    Ok(run_on(election, &profile, rule))
}

/// Runs `rule` on a prepared profile (its satisfaction must be the rule's).
pub fn run_on(election: &Election, profile: &Profile, rule: Rule) -> Outcome {
    let (order, equal_shares) = match rule {
        Rule::Greedy(_) => (greedy(profile, &[]), None),
        Rule::Phragmen => (phragmen(election, profile), None),
        Rule::Mes(_, completion) => {
            let run = match completion {
                Completion::AddOne => mes_add_one(profile),
                _ => mes(
                    profile,
                    &(frac(profile.budget) / frac(profile.voters.max(1) as i128)),
                ),
            };
            let mut order = run.order.clone();
            if completion == Completion::Greedy
                && !profile.is_exhaustive(&order, 0..profile.projects())
            {
                let more = greedy(profile, &order);
                order.extend(more);
            }
            let unit = frac(10i128.pow(profile.cost_scale));
            let shares = EqualShares {
                budget_per_voter: &run.per_voter / &unit,
                rounds: run.rounds,
                unit,
                classes: run.classes,
                voter_class: run.voter_class,
            };
            (order, Some(shares))
        }
    };
    let mut winners = order.clone();
    winners.sort_by_key(|&p| profile.rank[p]);
    Outcome {
        total_cost: election.total_cost(&order),
        selection_order: order,
        winners,
        equal_shares,
    }
}

/// Compares a×b with c×d exactly.
fn cmp_products(a: i128, b: i128, c: i128, d: i128) -> Ordering {
    match (a.checked_mul(b), c.checked_mul(d)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => (BigInt::from(a) * BigInt::from(b)).cmp(&(BigInt::from(c) * BigInt::from(d))),
    }
}

/// Greedy's satisfaction per unit of cost.
#[derive(Clone, Copy)]
enum Density {
    Zero,
    Ratio(i128, i128),
    Infinite,
}

fn density(profile: &Profile, p: usize) -> Density {
    let (s, c) = (profile.welfare[p], profile.costs[p]);
    match (s > 0, c > 0) {
        (false, _) => Density::Zero,
        (true, true) => Density::Ratio(s, c),
        (true, false) => Density::Infinite,
    }
}

fn cmp_density(a: Density, b: Density) -> Ordering {
    use Density::*;
    match (a, b) {
        (Ratio(s1, c1), Ratio(s2, c2)) => cmp_products(s1, c2, s2, c1),
        (Zero, Zero) | (Infinite, Infinite) => Ordering::Equal,
        (Zero, _) | (_, Infinite) => Ordering::Less,
        (Infinite, _) | (_, Zero) => Ordering::Greater,
    }
}

/// Greedy utilitarian welfare after `initial`: projects by satisfaction per cost (highest first,
/// ties by id), each taken if it still fits; projects nobody supports come last and are taken too
/// if money remains. Returns the projects it adds.
fn greedy(profile: &Profile, initial: &[usize]) -> Vec<usize> {
    let mut taken = vec![false; profile.projects()];
    for &p in initial {
        taken[p] = true;
    }
    let mut order: Vec<usize> = (0..profile.projects()).filter(|&p| !taken[p]).collect();
    order.sort_by(|&a, &b| {
        cmp_density(density(profile, b), density(profile, a))
            .then(profile.rank[a].cmp(&profile.rank[b]))
    });
    let mut remaining = profile.budget - profile.cost_of(initial);
    let mut picked = Vec::new();
    for p in order {
        if profile.costs[p] <= remaining {
            remaining -= profile.costs[p];
            picked.push(p);
        }
    }
    picked
}

/// One run of the Method of Equal Shares.
struct MesRun {
    per_voter: Fraction,
    order: Vec<usize>,
    rounds: Vec<(usize, Fraction)>,
    /// Budget values; class 0 is an empty purse.
    classes: Vec<Fraction>,
    voter_class: Vec<u32>,
}

/// Supporters of one project who share a budget class and a satisfaction.
struct Group {
    class: u32,
    sat: i128,
    count: u64,
}

/// Reusable scratch space for grouping supporters.
#[derive(Default)]
struct Scratch {
    counts: Vec<u64>,
    touched: Vec<u32>,
    pairs: HashMap<(u32, i128), u64>,
}

impl Scratch {
    fn groups(
        &mut self,
        profile: &Profile,
        p: usize,
        voter_class: &[u32],
        classes: usize,
    ) -> Vec<Group> {
        let (voters, sats) = profile.supporters_of(p);
        if let Some(sat) = profile.uniform[p] {
            self.counts.resize(classes, 0);
            for &v in voters {
                let c = voter_class[v as usize];
                if self.counts[c as usize] == 0 {
                    self.touched.push(c);
                }
                self.counts[c as usize] += 1;
            }
            return self
                .touched
                .drain(..)
                .map(|class| Group {
                    class,
                    sat,
                    count: std::mem::take(&mut self.counts[class as usize]),
                })
                .collect();
        }
        self.pairs.clear();
        for (&v, &sat) in voters.iter().zip(sats) {
            *self
                .pairs
                .entry((voter_class[v as usize], sat))
                .or_default() += 1;
        }
        self.pairs
            .drain()
            .map(|((class, sat), count)| Group { class, sat, count })
            .collect()
    }
}

/// ρ for a project: the smallest factor such that supporters paying min(budget, ρ × sat) cover the
/// cost; `None` when all their money together does not.
fn affordability(
    classes: &[Fraction],
    groups: &mut [Group],
    cost: i128,
    total_sat: i128,
) -> Option<Fraction> {
    let mut available = Fraction::zero();
    for g in groups.iter() {
        let b = &classes[g.class as usize];
        if !b.is_zero() {
            available += b * frac(g.count as i128);
        }
    }
    let cost = frac(cost);
    if available < cost {
        return None;
    }
    // Poorest first, measured as budget per unit of satisfaction.
    groups.sort_by(|a, b| {
        let (x, y) = (&classes[a.class as usize], &classes[b.class as usize]);
        if a.sat == b.sat {
            x.cmp(y)
        } else {
            (x * frac(b.sat)).cmp(&(y * frac(a.sat)))
        }
    });
    let mut paid = Fraction::zero();
    let mut denominator = total_sat;
    for g in groups.iter() {
        let b = &classes[g.class as usize];
        let rho = (&cost - &paid) / frac(denominator);
        if &rho * frac(g.sat) <= *b {
            return Some(rho);
        }
        paid += b * frac(g.count as i128);
        denominator -= g.count as i128 * g.sat;
    }
    None
}

fn mes(profile: &Profile, per_voter: &Fraction) -> MesRun {
    let m = profile.projects();
    let mut by_id: Vec<usize> = (0..m).collect();
    by_id.sort_by_key(|&p| profile.rank[p]);
    // Supported projects that cost nothing are in before the first round.
    let mut order: Vec<usize> = by_id
        .iter()
        .copied()
        .filter(|&p| profile.support_total[p] > 0 && profile.costs[p] == 0)
        .collect();
    let mut candidates: Vec<usize> = by_id
        .iter()
        .copied()
        .filter(|&p| profile.support_total[p] > 0 && profile.costs[p] > 0)
        .collect();
    let mut lower_bound: Vec<Fraction> = (0..m)
        .map(|p| {
            if profile.support_total[p] > 0 {
                frac(profile.costs[p]) / frac(profile.support_total[p])
            } else {
                Fraction::zero()
            }
        })
        .collect();
    let mut classes = vec![Fraction::zero(), per_voter.clone()];
    let mut voter_class = vec![1u32; profile.voters];
    let mut rounds = Vec::new();
    let mut scratch = Scratch::default();
    loop {
        candidates.sort_by(|&a, &b| {
            lower_bound[a]
                .cmp(&lower_bound[b])
                .then(profile.rank[a].cmp(&profile.rank[b]))
        });
        let mut best: Option<Fraction> = None;
        let mut tied: Vec<(usize, Vec<Group>)> = Vec::new();
        let mut dropped: Vec<usize> = Vec::new();
        for &p in &candidates {
            if best.as_ref().is_some_and(|b| lower_bound[p] > *b) {
                // ρ only grows as budgets shrink: nobody further on can beat the best.
                break;
            }
            let mut groups = scratch.groups(profile, p, &voter_class, classes.len());
            let Some(rho) = affordability(
                &classes,
                &mut groups,
                profile.costs[p],
                profile.support_total[p],
            ) else {
                dropped.push(p);
                continue;
            };
            lower_bound[p] = rho.clone();
            match best.as_ref().map(|b| rho.cmp(b)) {
                None | Some(Ordering::Less) => {
                    best = Some(rho);
                    tied.clear();
                    tied.push((p, groups));
                }
                Some(Ordering::Equal) => tied.push((p, groups)),
                Some(Ordering::Greater) => {}
            }
        }
        candidates.retain(|p| !dropped.contains(p));
        let Some(rho) = best else { break };
        let (winner, groups) = tied
            .into_iter()
            .min_by_key(|(p, _)| profile.rank[*p])
            .expect("a best project");
        // Every (class, satisfaction) group moves to one new class.
        let mut moves: HashMap<(u32, i128), u32> = HashMap::with_capacity(groups.len());
        for g in &groups {
            let b = &classes[g.class as usize];
            let pay = &rho * frac(g.sat);
            let next = if *b <= pay {
                0
            } else {
                classes.push(b - pay);
                (classes.len() - 1) as u32
            };
            moves.insert((g.class, g.sat), next);
        }
        let (voters, sats) = profile.supporters_of(winner);
        for (&v, &sat) in voters.iter().zip(sats) {
            let c = &mut voter_class[v as usize];
            *c = moves[&(*c, sat)];
        }
        candidates.retain(|&p| p != winner);
        order.push(winner);
        rounds.push((winner, rho));
    }
    MesRun {
        per_voter: per_voter.clone(),
        order,
        rounds,
        classes,
        voter_class,
    }
}

/// pabutools' add-one completion: rerun MES with one more currency unit per voter until the
/// outcome is exhaustive among the projects MES could buy, or the next one would overspend.
fn mes_add_one(profile: &Profile) -> MesRun {
    let n = frac(profile.voters.max(1) as i128);
    let unit = frac(10i128.pow(profile.cost_scale));
    let buyable: Vec<usize> = (0..profile.projects())
        .filter(|&p| profile.support_total[p] > 0 && profile.costs[p] > 0)
        .collect();
    let mut per_voter = frac(profile.budget) / n;
    let mut previous: Option<MesRun> = None;
    loop {
        let run = mes(profile, &per_voter);
        if profile.cost_of(&run.order) > profile.budget {
            // Cannot happen at the first step (voters hold exactly the budget); pabutools would
            // return the projects that cost nothing.
            return previous.unwrap_or_else(|| {
                let mut free = run;
                free.order.retain(|&p| profile.costs[p] == 0);
                free.rounds.clear();
                free
            });
        }
        if profile.is_exhaustive(&run.order, buyable.iter().copied()) {
            return run;
        }
        per_voter += &unit;
        previous = Some(run);
    }
}

/// Sequential Phragmén (approval ballots): each round picks the project whose approvers would
/// carry the smallest maximal load; stops when a project tied for that load does not fit.
fn phragmen(election: &Election, profile: &Profile) -> Vec<usize> {
    let m = profile.projects();
    let mut candidates: Vec<usize> = (0..m)
        .filter(|&p| profile.costs[p] <= profile.budget)
        .collect();
    candidates.sort_by_key(|&p| profile.rank[p]);
    // A voter's load is the load of the last round that chose a project they approved.
    let mut loads: Vec<Fraction> = vec![Fraction::zero()];
    let mut voter_load = vec![0u32; profile.voters];
    // Σ of approvers' loads for each project.
    let mut load_sum: Vec<Fraction> = vec![Fraction::zero(); m];
    let mut in_play = vec![false; m];
    for &p in &candidates {
        in_play[p] = true;
    }
    let mut spent = 0i128;
    let mut order = Vec::new();
    let mut shifts: HashMap<(u32, u32), u64> = HashMap::new();
    while !candidates.is_empty() {
        // (new max load or None for +∞, project)
        let mut best: Option<Option<Fraction>> = None;
        let mut tied: Vec<usize> = Vec::new();
        for &p in &candidates {
            let approvals = profile.listed[p];
            let t = (approvals > 0)
                .then(|| (&load_sum[p] + frac(profile.costs[p])) / frac(approvals as i128));
            let ordering = match (&best, &t) {
                (None, _) => Ordering::Less,
                (Some(None), None) => Ordering::Equal,
                (Some(None), Some(_)) => Ordering::Less,
                (Some(Some(_)), None) => Ordering::Greater,
                (Some(Some(b)), Some(t)) => t.cmp(b),
            };
            match ordering {
                Ordering::Less => {
                    best = Some(t);
                    tied.clear();
                    tied.push(p);
                }
                Ordering::Equal => tied.push(p),
                Ordering::Greater => {}
            }
        }
        if tied
            .iter()
            .any(|&p| spent + profile.costs[p] > profile.budget)
        {
            break;
        }
        let winner = *tied
            .iter()
            .min_by_key(|&&p| profile.rank[p])
            .expect("a candidate");
        spent += profile.costs[winner];
        candidates.retain(|&p| p != winner);
        in_play[winner] = false;
        order.push(winner);
        let Some(Some(new_load)) = best else { continue };
        loads.push(new_load);
        let new_class = (loads.len() - 1) as u32;
        shifts.clear();
        let (voters, _) = profile.supporters_of(winner);
        for &v in voters {
            let old = voter_load[v as usize];
            voter_load[v as usize] = new_class;
            for &q in election.ballot(v as usize).projects {
                if in_play[q as usize] {
                    *shifts.entry((q, old)).or_default() += 1;
                }
            }
        }
        for (&(q, old), &count) in &shifts {
            let delta = (&loads[new_class as usize] - &loads[old as usize]) * frac(count as i128);
            load_sum[q as usize] += delta;
        }
    }
    order
}
