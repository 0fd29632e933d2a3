//! The Method of Equal Shares, exactly as pabutools 1.2.3 defines it (see the shared data README,
//! section 3), and fast.
//!
//! Why it is fast without giving up exactness:
//! - Every supporter of a chosen project either pays all they have left or pays the same multiple
//!   of their satisfaction, so voters' remaining budgets take few distinct values. Each voter points
//!   at a *budget class*, and a project's supporters are counted by (class, satisfaction): the
//!   arithmetic is per group, not per voter. Grouping is exact: identical voters either all pay in
//!   full or all pay in part.
//! - Every class is an integer numerator over one common denominator ([`Purses`]), so sums and
//!   comparisons are big-integer additions and multiplications, never a gcd per step; widening
//!   the denominator after a purchase costs one multiplication per round, not per class.
//! - Every class also carries its value as an `f64` within a few units in the last place. Each
//!   decision (can the supporters afford it? which project has the smallest ρ?) is first taken in
//!   `f64` with a proven error bound, and taken again in exact integers only when the bound does not
//!   separate the answers. The exact path decides every tie, so results equal pabutools'.

use std::cmp::Ordering;

use num_bigint::{BigInt, Sign};
use num_integer::Integer;
use num_traits::{One, ToPrimitive, Zero};
use rustc_hash::FxHashMap;

use super::profile::Profile;
use super::rules::{Fraction, frac};

/// One run of the Method of Equal Shares.
pub(crate) struct MesRun {
    pub per_voter: Fraction,
    pub order: Vec<usize>,
    /// Projects bought by equal shares, with their ρ.
    pub rounds: Vec<(usize, Fraction)>,
    /// Budget values, numerators over `class_denominator`; class 0 is an empty purse.
    pub class_numerators: Vec<BigInt>,
    pub class_denominator: BigInt,
    pub voter_class: Vec<u32>,
}

/// Relative error of one `f64` rounding.
const EPS: f64 = f64::EPSILON;
/// Relative error bound of a class value or a group key as stored (a conversion from exact
/// integers plus a division): a few ulps, taken generously.
const KEY_ERROR: f64 = 8.0 * EPS;

/// `n / d` as an `f64` within about two ulps, however many bits `n` and `d` have (`d > 0`).
pub(crate) fn ratio_f64(n: &BigInt, d: &BigInt) -> f64 {
    if n.is_zero() {
        return 0.0;
    }
    // The top 128 bits of a number and the power of two they stand for; what lies below changes
    // the f64 by less than 2^-64 of its value.
    let top = |x: &BigInt| -> (f64, i64) {
        let mut digits = x.magnitude().iter_u64_digits();
        let len = digits.len() as i64;
        if len <= 2 {
            return (x.to_f64().unwrap_or(f64::NAN), 0);
        }
        let hi = digits.next_back().unwrap_or(0) as f64;
        let lo = digits.next_back().unwrap_or(0) as f64;
        (hi * 18_446_744_073_709_551_616.0 + lo, 64 * (len - 2))
    };
    let ((nf, ns), (df, ds)) = (top(n), top(d));
    let exponent = (ns - ds).clamp(-2000, 2000) as i32;
    // Two steps so that an exponent beyond f64's range saturates instead of becoming NaN.
    let half = exponent / 2;
    nf / df * 2f64.powi(half) * 2f64.powi(exponent - half)
}

/// Voters' remaining budgets as classes of equal value over one common denominator.
///
/// The denominator only ever grows by whole factors, so a class keeps the numerator it was made
/// with and the *epoch* (the denominator then); its value over today's denominator is that
/// numerator times the epoch's factor. Widening the denominator multiplies one factor per epoch
/// (one per round), not every class, and the exact paths multiply a class by its factor only when
/// they read it.
struct Purses {
    denominator: BigInt,
    numerator: Vec<BigInt>,
    epoch: Vec<u32>,
    /// For each epoch, today's denominator divided by the denominator of that epoch.
    factor: Vec<BigInt>,
    approx: Vec<f64>,
    population: Vec<u64>,
    free: Vec<u32>,
    voter_class: Vec<u32>,
}

impl Purses {
    fn new(per_voter: &Fraction, voters: usize) -> Purses {
        let (n, d) = (per_voter.numer().clone(), per_voter.denom().clone());
        let approx = ratio_f64(&n, &d);
        Purses {
            denominator: d,
            numerator: vec![BigInt::zero(), n],
            epoch: vec![0, 0],
            factor: vec![BigInt::one()],
            approx: vec![0.0, approx],
            population: vec![0, voters as u64],
            free: Vec::new(),
            voter_class: vec![1; voters],
        }
    }

    /// A class's numerator over today's denominator.
    fn scaled(&self, class: u32) -> std::borrow::Cow<'_, BigInt> {
        let c = class as usize;
        let factor = &self.factor[self.epoch[c] as usize];
        if factor.is_one() {
            std::borrow::Cow::Borrowed(&self.numerator[c])
        } else {
            std::borrow::Cow::Owned(&self.numerator[c] * factor)
        }
    }

    /// A new class whose numerator is over today's denominator.
    fn add_class(&mut self, numerator: BigInt) -> u32 {
        let approx = ratio_f64(&numerator, &self.denominator);
        let epoch = (self.factor.len() - 1) as u32;
        match self.free.pop() {
            Some(c) => {
                self.numerator[c as usize] = numerator;
                self.epoch[c as usize] = epoch;
                self.approx[c as usize] = approx;
                c
            }
            None => {
                self.numerator.push(numerator);
                self.epoch.push(epoch);
                self.approx.push(approx);
                self.population.push(0);
                (self.numerator.len() - 1) as u32
            }
        }
    }

    /// Multiplies the common denominator by `factor` (no value changes): a new epoch begins.
    fn rescale(&mut self, factor: &BigInt) {
        self.denominator *= factor;
        for f in &mut self.factor {
            *f *= factor;
        }
        self.factor.push(BigInt::one());
    }

    /// Every class's numerator over today's denominator.
    fn into_numerators(self) -> (Vec<BigInt>, BigInt) {
        let numerators = (0..self.numerator.len())
            .map(|c| self.scaled(c as u32).into_owned())
            .collect();
        (numerators, self.denominator)
    }
}

/// Supporters of one project who share a budget class and a satisfaction.
struct Group {
    class: u32,
    sat: i128,
    count: u64,
    /// Budget per unit of satisfaction, in `f64` (the order in which supporters run out).
    key: f64,
}

/// Reusable scratch space for grouping supporters.
#[derive(Default)]
struct Scratch {
    counts: Vec<u64>,
    touched: Vec<u32>,
    pairs: FxHashMap<(u32, i128), u64>,
}

impl Scratch {
    fn groups(&mut self, profile: &Profile, p: usize, purses: &Purses) -> Vec<Group> {
        let (voters, sats) = profile.supporters_of(p);
        let group = |class: u32, sat: i128, count: u64| Group {
            class,
            sat,
            count,
            key: purses.approx[class as usize] / sat as f64,
        };
        if let Some(sat) = profile.uniform[p] {
            self.counts.resize(purses.numerator.len(), 0);
            for &v in voters {
                let c = purses.voter_class[v as usize];
                if self.counts[c as usize] == 0 {
                    self.touched.push(c);
                }
                self.counts[c as usize] += 1;
            }
            let counts = &mut self.counts;
            return self
                .touched
                .drain(..)
                .map(|class| group(class, sat, std::mem::take(&mut counts[class as usize])))
                .collect();
        }
        self.pairs.clear();
        for (&v, &sat) in voters.iter().zip(sats) {
            *self
                .pairs
                .entry((purses.voter_class[v as usize], sat))
                .or_default() += 1;
        }
        self.pairs
            .drain()
            .map(|((class, sat), count)| group(class, sat, count))
            .collect()
    }
}

/// ρ exactly: `numerator / (common denominator × sat_left)`.
#[derive(Clone)]
struct ExactRho {
    numerator: BigInt,
    sat_left: i128,
}

impl ExactRho {
    fn approx(&self, purses: &Purses) -> f64 {
        ratio_f64(
            &self.numerator,
            &(&purses.denominator * BigInt::from(self.sat_left)),
        )
    }

    /// Compares two values of ρ taken over the same denominator.
    fn cmp(&self, other: &ExactRho) -> Ordering {
        (&self.numerator * BigInt::from(other.sat_left))
            .cmp(&(&other.numerator * BigInt::from(self.sat_left)))
    }
}

/// What a visit learns of a project's ρ.
enum Estimate {
    /// Its supporters together cannot pay for it, now or later.
    Unaffordable,
    /// ρ lies in `[lo, hi]`; `split` groups (in key order) pay all they have.
    Within { lo: f64, hi: f64, split: usize },
    /// Too close to call in `f64`: computed exactly.
    Exact(ExactRho),
}

/// Whether `groups` can pay `cost` and, if so, ρ (see [`Estimate`]). Sorts `groups` by key.
fn estimate(purses: &Purses, groups: &mut [Group], cost: i128, total_sat: i128) -> Estimate {
    let sum_error = (groups.len() as f64 + 8.0) * 2.0 * EPS + KEY_ERROR;
    let cost_f = cost as f64;
    let available: f64 = groups
        .iter()
        .map(|g| g.count as f64 * purses.approx[g.class as usize])
        .sum();
    if available * (1.0 + sum_error) < cost_f * (1.0 - 2.0 * EPS) {
        return Estimate::Unaffordable;
    }
    let surely_affordable = available * (1.0 - sum_error) >= cost_f * (1.0 + 2.0 * EPS);
    if !surely_affordable && !affordable_exactly(purses, groups, cost) {
        return Estimate::Unaffordable;
    }
    groups.sort_unstable_by(|a, b| a.key.total_cmp(&b.key));
    let (mut paid, mut sat_left) = (0.0f64, total_sat);
    for (i, g) in groups.iter().enumerate() {
        let left = cost_f - paid;
        let rho = left / sat_left as f64;
        if rho * g.sat as f64 <= purses.approx[g.class as usize] {
            // Error of ρ: from the sum paid, the subtraction, the division.
            let error = 2.0
                * ((paid * sum_error + cost_f * 2.0 * EPS + left.abs() * 2.0 * EPS)
                    / sat_left as f64
                    + rho.abs() * 4.0 * EPS);
            let (lo, hi) = (rho - error, rho + error);
            // The split is right if the groups on either side of it are clearly on that side.
            let below = i == 0 || groups[i - 1].key * (1.0 + KEY_ERROR) < lo;
            let above = g.key * (1.0 - KEY_ERROR) > hi;
            if below && above && lo > 0.0 {
                return Estimate::Within { lo, hi, split: i };
            }
            return Estimate::Exact(exact_rho(purses, groups, cost, total_sat, i));
        }
        paid += g.count as f64 * purses.approx[g.class as usize];
        sat_left -= g.count as i128 * g.sat;
    }
    // Everyone would pay in full: only when the money is just enough, decided exactly.
    Estimate::Exact(exact_rho(
        purses,
        groups,
        cost,
        total_sat,
        groups.len().saturating_sub(1),
    ))
}

fn affordable_exactly(purses: &Purses, groups: &[Group], cost: i128) -> bool {
    let mut available = BigInt::zero();
    for g in groups {
        let x = purses.scaled(g.class);
        if !x.is_zero() {
            available += x.as_ref() * BigInt::from(g.count);
        }
    }
    available >= BigInt::from(cost) * &purses.denominator
}

/// ρ exactly, for groups sorted by their `f64` key. `split` is the `f64` guess of how many groups
/// pay in full; it is checked exactly, and if it is wrong the groups are sorted exactly and walked.
fn exact_rho(
    purses: &Purses,
    groups: &mut [Group],
    cost: i128,
    total_sat: i128,
    split: usize,
) -> ExactRho {
    let owed = BigInt::from(cost) * &purses.denominator;
    let at_split = |groups: &[Group], split: usize| -> ExactRho {
        let mut numerator = owed.clone();
        let mut sat_left = total_sat;
        for g in &groups[..split] {
            numerator -= purses.scaled(g.class).as_ref() * BigInt::from(g.count);
            sat_left -= g.count as i128 * g.sat;
        }
        ExactRho {
            numerator,
            sat_left,
        }
    };
    // budget/sat against ρ: x / L / sat vs N / (L × D)  ⇔  x × D vs N × sat.
    let side = |rho: &ExactRho, g: &Group| -> Ordering {
        (purses.scaled(g.class).as_ref() * BigInt::from(rho.sat_left))
            .cmp(&(&rho.numerator * BigInt::from(g.sat)))
    };
    let guess = at_split(groups, split);
    if guess.sat_left > 0 && guess.numerator.sign() == Sign::Plus {
        let rho_f = guess.approx(purses);
        let consistent = groups.iter().enumerate().all(|(i, g)| {
            let full = i < split;
            let margin = rho_f * 1e-12;
            if full && g.key < rho_f - margin {
                return true;
            }
            if !full && g.key > rho_f + margin {
                return true;
            }
            match side(&guess, g) {
                Ordering::Less => full,
                Ordering::Equal => true,
                Ordering::Greater => !full,
            }
        });
        if consistent {
            return guess;
        }
    }
    // The f64 order misled us (values equal or within rounding): sort and walk exactly.
    groups.sort_by(|a, b| {
        let (x, y) = (purses.scaled(a.class), purses.scaled(b.class));
        (x.as_ref() * BigInt::from(b.sat)).cmp(&(y.as_ref() * BigInt::from(a.sat)))
    });
    let mut rho = ExactRho {
        numerator: owed,
        sat_left: total_sat,
    };
    for g in groups.iter() {
        if side(&rho, g) != Ordering::Less {
            return rho;
        }
        rho.numerator -= purses.scaled(g.class).as_ref() * BigInt::from(g.count);
        rho.sat_left -= g.count as i128 * g.sat;
    }
    unreachable!("an affordable project has a supporter who pays in part")
}

/// A project seen in this round.
struct Visit {
    project: usize,
    groups: Vec<Group>,
    lo: f64,
    split: usize,
    exact: Option<ExactRho>,
}

/// Runs the Method of Equal Shares with `per_voter` (in scaled currency) for every voter; ties go to
/// the lowest `rank`.
pub(crate) fn mes(profile: &Profile, per_voter: &Fraction, rank: &[u32]) -> MesRun {
    let m = profile.projects();
    let mut by_rank: Vec<usize> = (0..m).collect();
    by_rank.sort_by_key(|&p| rank[p]);
    // Supported projects that cost nothing are in before the first round.
    let mut order: Vec<usize> = by_rank
        .iter()
        .copied()
        .filter(|&p| profile.support_total[p] > 0 && profile.costs[p] == 0)
        .collect();
    let mut candidates: Vec<usize> = by_rank
        .iter()
        .copied()
        .filter(|&p| profile.support_total[p] > 0 && profile.costs[p] > 0)
        .collect();
    // A lower bound of ρ, kept a hair below the exact value so it stays a bound.
    let mut lower_bound: Vec<f64> = (0..m)
        .map(|p| {
            let total = profile.support_total[p].max(1) as f64;
            profile.costs[p] as f64 / total * (1.0 - KEY_ERROR)
        })
        .collect();
    let mut purses = Purses::new(per_voter, profile.voters);
    let mut rounds = Vec::new();
    let mut scratch = Scratch::default();
    loop {
        candidates.sort_by(|&a, &b| {
            lower_bound[a]
                .total_cmp(&lower_bound[b])
                .then(rank[a].cmp(&rank[b]))
        });
        let mut best_hi = f64::INFINITY;
        let mut visits: Vec<Visit> = Vec::new();
        let mut dropped: Vec<usize> = Vec::new();
        for &p in &candidates {
            if lower_bound[p] > best_hi {
                // ρ only grows as budgets shrink: nobody further on can reach the best.
                break;
            }
            let mut groups = scratch.groups(profile, p, &purses);
            let (cost, total) = (profile.costs[p], profile.support_total[p]);
            let (lo, hi, split, exact) = match estimate(&purses, &mut groups, cost, total) {
                Estimate::Unaffordable => {
                    dropped.push(p);
                    continue;
                }
                Estimate::Within { lo, hi, split } => (lo, hi, split, None),
                Estimate::Exact(rho) => {
                    let f = rho.approx(&purses);
                    (f * (1.0 - KEY_ERROR), f * (1.0 + KEY_ERROR), 0, Some(rho))
                }
            };
            lower_bound[p] = lower_bound[p].max(lo);
            best_hi = best_hi.min(hi);
            visits.push(Visit {
                project: p,
                groups,
                lo,
                split,
                exact,
            });
        }
        if !dropped.is_empty() {
            candidates.retain(|p| !dropped.contains(p));
        }
        // Every project that may have the smallest ρ is settled exactly.
        let mut contenders: Vec<Visit> = visits.into_iter().filter(|v| v.lo <= best_hi).collect();
        if contenders.is_empty() {
            break;
        }
        for v in &mut contenders {
            if v.exact.is_none() {
                let (cost, total) = (profile.costs[v.project], profile.support_total[v.project]);
                v.exact = Some(exact_rho(&purses, &mut v.groups, cost, total, v.split));
            }
        }
        let winner = contenders
            .into_iter()
            .min_by(|a, b| {
                let (x, y) = (a.exact.as_ref().unwrap(), b.exact.as_ref().unwrap());
                x.cmp(y).then(rank[a.project].cmp(&rank[b.project]))
            })
            .expect("a contender");
        let rho = winner.exact.clone().expect("settled exactly");
        rounds.push((
            winner.project,
            Fraction::new(
                rho.numerator.clone(),
                &purses.denominator * BigInt::from(rho.sat_left),
            ),
        ));
        pay(profile, &mut purses, winner.project, &winner.groups, &rho);
        candidates.retain(|&p| p != winner.project);
        order.push(winner.project);
    }
    let voter_class = std::mem::take(&mut purses.voter_class);
    let (class_numerators, class_denominator) = purses.into_numerators();
    MesRun {
        per_voter: per_voter.clone(),
        order,
        rounds,
        class_numerators,
        class_denominator,
        voter_class,
    }
}

/// The winner's supporters pay `min(budget, ρ × sat)`; every (class, satisfaction) group moves to
/// one new class.
fn pay(profile: &Profile, purses: &mut Purses, winner: usize, groups: &[Group], rho: &ExactRho) {
    let d = BigInt::from(rho.sat_left);
    // Who pays in part (budget/sat above ρ): decided in f64 away from ρ, exactly near it.
    let rho_f = rho.approx(purses);
    let margin = rho_f * 1e-12;
    let pays_part: Vec<bool> = groups
        .iter()
        .map(|g| {
            if g.key > rho_f + margin {
                true
            } else if g.key < rho_f - margin {
                false
            } else {
                (purses.scaled(g.class).as_ref() * &d) > (&rho.numerator * BigInt::from(g.sat))
            }
        })
        .collect();
    // Payments are N × sat / (L × D). Over the new denominator L × q, with h = D / q dividing
    // N × sat for every partial payer, a payment's numerator is the integer N × sat / h.
    let sat_gcd = groups
        .iter()
        .zip(&pays_part)
        .filter(|(_, part)| **part)
        .fold(0i128, |acc, (g, _)| acc.gcd(&g.sat));
    let h = if sat_gcd == 0 {
        d.clone()
    } else {
        d.gcd(&(&rho.numerator * BigInt::from(sat_gcd)))
    };
    let q = &d / &h;
    if !q.is_one() {
        purses.rescale(&q);
    }
    // One payment per satisfaction (approval ballots have one).
    let mut payments: FxHashMap<i128, BigInt> = FxHashMap::default();
    let mut moves: FxHashMap<(u32, i128), u32> = FxHashMap::default();
    for (g, part) in groups.iter().zip(&pays_part) {
        let next = if *part {
            let payment = payments
                .entry(g.sat)
                .or_insert_with(|| &rho.numerator * BigInt::from(g.sat) / &h);
            let left = purses.scaled(g.class).into_owned() - &*payment;
            purses.add_class(left)
        } else {
            0
        };
        moves.insert((g.class, g.sat), next);
    }
    let (voters, sats) = profile.supporters_of(winner);
    for (&v, &sat) in voters.iter().zip(sats) {
        let class = &mut purses.voter_class[v as usize];
        let next = moves[&(*class, sat)];
        purses.population[*class as usize] -= 1;
        purses.population[next as usize] += 1;
        *class = next;
    }
    for g in groups {
        let c = g.class as usize;
        if c != 0 && purses.population[c] == 0 && !purses.numerator[c].is_zero() {
            purses.numerator[c] = BigInt::zero();
            purses.approx[c] = 0.0;
            purses.free.push(g.class);
        }
    }
}

/// pabutools' add-one completion: rerun MES with one more currency unit per voter until the
/// outcome is exhaustive among the projects MES could buy, or the next one would overspend.
/// `None` once `limits` is spent before that (each rerun is a round).
pub(crate) fn mes_add_one(profile: &Profile, limits: &mut super::rules::Limits) -> Option<MesRun> {
    let n = frac(profile.voters.max(1) as i128);
    let unit = frac(10i128.pow(profile.cost_scale));
    let buyable: Vec<usize> = (0..profile.projects())
        .filter(|&p| profile.support_total[p] > 0 && profile.costs[p] > 0)
        .collect();
    let mut per_voter = frac(profile.budget) / n;
    let mut previous: Option<MesRun> = None;
    loop {
        if !limits.take_round() {
            return None;
        }
        let run = mes(profile, &per_voter, &profile.rank);
        if profile.cost_of(&run.order) > profile.budget {
            // Cannot happen at the first step (voters hold exactly the budget); pabutools would
            // return the projects that cost nothing.
            return Some(previous.unwrap_or_else(|| {
                let mut free = run;
                free.order.retain(|&p| profile.costs[p] == 0);
                free.rounds.clear();
                free
            }));
        }
        if profile.is_exhaustive(&run.order, buyable.iter().copied()) {
            return Some(run);
        }
        per_voter += &unit;
        previous = Some(run);
    }
}

/// The Pabulib checker's add-one (`equalshares/add1` in `pabulib-checker` 1.0.8; Wieliczka 2023's
/// result follows it, where Assen's and Świecie's follow pabutools'). On the checker's view of the
/// election ([`Profile::floored`], ties by [`Profile::checker_rank`]): MES with budget / n per
/// voter, then with ⌊budget / n⌋ + 1, + 2, … whole units; the last outcome that does not
/// overspend. It never stops at an exhaustive outcome, so it stops instead once every project it
/// could buy is bought (more money can change nothing then; the checker itself would loop).
pub(crate) fn mes_add_one_checker(
    profile: &Profile,
    limits: &mut super::rules::Limits,
) -> Option<MesRun> {
    let floored = profile.floored();
    let rank = floored.checker_rank();
    let n = floored.voters.max(1) as i128;
    let unit = 10i128.pow(floored.cost_scale);
    let buyable = (0..floored.projects())
        .filter(|&p| floored.support_total[p] > 0 && floored.costs[p] > 0)
        .count();
    let mut best = mes(&floored, &(frac(floored.budget) / frac(n)), &rank);
    let whole = floored.budget / (n * unit);
    for step in 1.. {
        if best.order.len() >= buyable {
            break;
        }
        if !limits.take_round() {
            return None;
        }
        let next = mes(&floored, &frac((whole + step) * unit), &rank);
        if floored.cost_of(&next.order) > floored.budget {
            break;
        }
        best = next;
    }
    Some(best)
}
