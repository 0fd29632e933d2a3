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
use std::fmt;

use num_bigint::BigInt;
use num_rational::BigRational;

use super::profile::{Profile, Satisfaction};
use super::{Decimal, Election, VoteType};
use super::{mes, phragmen};

/// An exact fraction.
pub type Fraction = BigRational;

pub(crate) fn frac(n: i128) -> Fraction {
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
    /// The Pabulib checker's add-one, which some cities' results follow (Wieliczka 2023): whole
    /// currency units, ties to the cheaper project and then the more approved, and the per-voter
    /// budget raised until the next step would overspend.
    AddOneChecker,
}

/// A rule and its parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    Greedy(Satisfaction),
    Mes(Satisfaction, Completion),
    Phragmen,
}

/// The add-one completion reruns MES once per currency unit per voter until it stops, which on
/// a crafted file may be never in practice. So a count runs within limits: at most `rounds`
/// reruns (deterministic, so a residents' vote is counted the same everywhere; the largest real
/// election in the shared Pabulib data needs 3,244), and for the command line optionally before
/// a deadline.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub rounds: u64,
    pub deadline: Option<std::time::Instant>,
}

/// Add-one reruns allowed by default: three times the most a real election of the shared data
/// needs.
pub const DEFAULT_ADD_ONE_ROUNDS: u64 = 10_000;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            rounds: DEFAULT_ADD_ONE_ROUNDS,
            deadline: None,
        }
    }
}

impl Limits {
    /// Takes one rerun from the allowance; false when none is left or the deadline passed.
    pub(crate) fn take_round(&mut self) -> bool {
        if self.rounds == 0 || self.deadline.is_some_and(|d| std::time::Instant::now() > d) {
            return false;
        }
        self.rounds -= 1;
        true
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleError {
    /// The add-one completion did not finish within its limits (rounds allowed).
    Unfinished(u64),
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
                "unknown rule \"{name}\" (greedy-cost, greedy-card, greedy-score, greedy-borda, mes-cost, mes-card, mes-score, mes-borda, phragmen; completions greedy, add1, add1-checker) / 未知的分配规则“{name}”"
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
            RuleError::Unfinished(rounds) => write!(
                f,
                "the add-one completion did not finish within {rounds} rounds (or the time allowed); raise the limit only for a file you trust / 逐一加额补充在 {rounds} 轮（或限定时间）内未完成；只有对可信的文件才应提高上限"
            ),
        }
    }
}

impl std::error::Error for RuleError {}

impl Rule {
    /// Whether the rule reruns MES until it stops (the add-one completions), so that it needs a
    /// bound on its rounds.
    pub fn reruns(self) -> bool {
        matches!(
            self,
            Rule::Mes(_, Completion::AddOne | Completion::AddOneChecker)
        )
    }

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
            if let Some(sat) = rest.strip_suffix("-add1-checker") {
                Rule::Mes(
                    Satisfaction::parse(sat).ok_or_else(unknown)?,
                    Completion::AddOneChecker,
                )
            } else if let Some(sat) = rest.strip_suffix("-add1") {
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
                "add1-checker" | "add1_checker" => Ok(Rule::Mes(sat, Completion::AddOneChecker)),
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
            Rule::Mes(s, Completion::AddOneChecker) => format!("mes_{}_add1_checker", s.as_str()),
            Rule::Phragmen => "seq_phragmen".into(),
        }
    }

    /// The name Pabulib files use in META `rule` for this rule on these ballots, where the Pabulib
    /// checker can verify it; `unknown` (a value the format allows) otherwise.
    pub fn pabulib_name(self, vote_type: VoteType) -> &'static str {
        if !vote_type.is_approval() {
            return "unknown";
        }
        match self {
            // Greedy by number of approvals, skipping what does not fit.
            Rule::Greedy(Satisfaction::Cost) => "greedy",
            Rule::Mes(Satisfaction::Cost, Completion::None) => "equalshares",
            Rule::Mes(Satisfaction::Cost, Completion::AddOneChecker) => "equalshares/add1",
            _ => "unknown",
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
    /// For each round, the most any one supporter paid, in currency units (ρ × the largest
    /// satisfaction among the project's supporters).
    pub max_payment: Vec<Fraction>,
    unit: Fraction,
    /// Budget classes as numerators over one denominator (a fraction is made only when asked for).
    class_numerators: Vec<BigInt>,
    class_denominator: BigInt,
    voter_class: Vec<u32>,
}

impl EqualShares {
    /// What voter `v` has left at the end of equal shares, in currency units.
    pub fn remaining(&self, voter: usize) -> Fraction {
        let class = self.voter_class[voter] as usize;
        Fraction::new(
            self.class_numerators[class].clone(),
            self.class_denominator.clone(),
        ) / &self.unit
    }
}

/// Runs `rule` on `election` within the default [`Limits`].
pub fn run(election: &Election, rule: Rule) -> Result<Outcome, RuleError> {
    run_within(election, rule, Limits::default())
}

/// Runs `rule` on `election` within `limits`.
pub fn run_within(election: &Election, rule: Rule, limits: Limits) -> Result<Outcome, RuleError> {
    if rule == Rule::Phragmen && !election.vote_type().is_approval() {
        return Err(RuleError::NeedsApproval(election.vote_type()));
    }
    let profile = Profile::new(election, rule.satisfaction())?;
    run_on(election, &profile, rule, limits)
}

/// Runs `rule` on a prepared profile (its satisfaction must be the rule's).
pub fn run_on(
    election: &Election,
    profile: &Profile,
    rule: Rule,
    limits: Limits,
) -> Result<Outcome, RuleError> {
    let allowed = limits.rounds;
    let mut limits = limits;
    let (order, equal_shares) = match rule {
        Rule::Greedy(_) => (greedy(profile, &[]), None),
        Rule::Phragmen => (phragmen::phragmen(election, profile), None),
        Rule::Mes(_, completion) => {
            let run = match completion {
                Completion::AddOne => {
                    mes::mes_add_one(profile, &mut limits).ok_or(RuleError::Unfinished(allowed))?
                }
                Completion::AddOneChecker => mes::mes_add_one_checker(profile, &mut limits)
                    .ok_or(RuleError::Unfinished(allowed))?,
                _ => mes::mes(
                    profile,
                    &(frac(profile.budget) / frac(profile.voters.max(1) as i128)),
                    &profile.rank,
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
            let max_payment = run
                .rounds
                .iter()
                .map(|(p, rho)| {
                    let (_, sats) = profile.supporters_of(*p);
                    let top = sats.iter().copied().max().unwrap_or(0);
                    rho * frac(top) / &unit
                })
                .collect();
            let shares = EqualShares {
                budget_per_voter: &run.per_voter / &unit,
                rounds: run.rounds,
                max_payment,
                unit,
                class_numerators: run.class_numerators,
                class_denominator: run.class_denominator,
                voter_class: run.voter_class,
            };
            (order, Some(shares))
        }
    };
    let mut winners = order.clone();
    winners.sort_by_key(|&p| profile.rank[p]);
    Ok(Outcome {
        total_cost: election.total_cost(&order),
        selection_order: order,
        winners,
        equal_shares,
    })
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
