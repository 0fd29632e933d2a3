//! An election prepared for the rules: costs and satisfactions as exact integers, supporters of
//! each project listed together.

use super::rules::RuleError;
use super::{Decimal, Election, VoteType};

/// How much a voter is satisfied by a project on their ballot (pabutools' satisfaction classes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Satisfaction {
    /// `Cost_Sat`: the project's cost.
    Cost,
    /// `Cardinality_Sat`: 1.
    Cardinality,
    /// `Additive_Cardinal_Sat`: the points given (cumulative and scoring ballots).
    Score,
    /// `Additive_Borda_Sat`: `len(ballot) − position − 1` (ordinal ballots).
    Borda,
}

impl Satisfaction {
    /// The short name used in rule names (`greedy-cost`, `mes_card`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Satisfaction::Cost => "cost",
            Satisfaction::Cardinality => "card",
            Satisfaction::Score => "score",
            Satisfaction::Borda => "borda",
        }
    }

    pub fn parse(s: &str) -> Option<Satisfaction> {
        [
            Satisfaction::Cost,
            Satisfaction::Cardinality,
            Satisfaction::Score,
            Satisfaction::Borda,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// Scaled costs and satisfactions stay below this, so that sums over millions of voters and
/// cross-multiplied comparisons fit `i128` (and fall back to big integers when they would not).
const MAX_SCALED: i128 = 1_000_000_000_000_000_000;

/// An election prepared for one satisfaction function.
///
/// Every cost and the budget are multiplied by `10^cost_scale` (the most decimals any of them has)
/// and every point by `10^points_scale`: a common positive factor changes no comparison any rule
/// makes, so the rules work on exact integers and fractions of them.
#[derive(Clone, Debug)]
pub struct Profile {
    pub(crate) satisfaction: Satisfaction,
    pub(crate) voters: usize,
    pub(crate) cost_scale: u32,
    pub(crate) costs: Vec<i128>,
    pub(crate) budget: i128,
    /// S(p): satisfaction summed over every ballot that lists p (greedy's welfare).
    pub(crate) welfare: Vec<i128>,
    /// Supporters of p (satisfaction > 0), as `supporters[start[p]..start[p + 1]]`.
    pub(crate) start: Vec<usize>,
    pub(crate) supporters: Vec<u32>,
    pub(crate) support_sat: Vec<i128>,
    /// Σ satisfaction over p's supporters (MES's total).
    pub(crate) support_total: Vec<i128>,
    /// Some(s) when every supporter of p has the same satisfaction s (approval ballots).
    pub(crate) uniform: Vec<Option<i128>>,
    /// Number of ballots listing p.
    pub(crate) listed: Vec<u64>,
    /// Position of each project in project-id order (pabutools' tie-breaking).
    pub(crate) rank: Vec<u32>,
}

/// What `Profile::new` builds from the ballots: welfare, listings, and supporters per project.
type Support = (
    Vec<i128>,
    Vec<u64>,
    Vec<usize>,
    Vec<u32>,
    Vec<i128>,
    Vec<i128>,
    Vec<Option<i128>>,
);

/// The common case, cost or cardinality satisfaction: a project's satisfaction is the same for
/// every ballot that lists it, so supporters are counted straight from the flat ballot list.
fn supporters_by_project(
    election: &Election,
    costs: &[i128],
    satisfaction: Satisfaction,
) -> Support {
    let m = costs.len();
    let sat = |p: usize| match satisfaction {
        Satisfaction::Cost => costs[p],
        _ => 1,
    };
    let mut listed = vec![0u64; m];
    for &p in &election.ballot_projects {
        listed[p as usize] += 1;
    }
    let counts: Vec<usize> = (0..m)
        .map(|p| if sat(p) > 0 { listed[p] as usize } else { 0 })
        .collect();
    let mut start = Vec::with_capacity(m + 1);
    start.push(0);
    for p in 0..m {
        start.push(start[p] + counts[p]);
    }
    let mut supporters = vec![0u32; start[m]];
    let mut next = start.clone();
    for v in 0..election.voter_count() {
        for &p in election.ballot(v).projects {
            let p = p as usize;
            if counts[p] > 0 {
                supporters[next[p]] = v as u32;
                next[p] += 1;
            }
        }
    }
    let mut support_sat = vec![0i128; start[m]];
    for p in 0..m {
        support_sat[start[p]..start[p + 1]].fill(sat(p));
    }
    let welfare = (0..m).map(|p| sat(p) * listed[p] as i128).collect();
    let support_total = (0..m).map(|p| sat(p) * counts[p] as i128).collect();
    let uniform = (0..m).map(|p| (counts[p] > 0).then(|| sat(p))).collect();
    (
        welfare,
        listed,
        start,
        supporters,
        support_sat,
        support_total,
        uniform,
    )
}

impl Profile {
    pub fn new(election: &Election, satisfaction: Satisfaction) -> Result<Profile, RuleError> {
        let vote_type = election.vote_type();
        match satisfaction {
            Satisfaction::Score if !vote_type.has_points() => {
                return Err(RuleError::NeedsPoints(vote_type));
            }
            Satisfaction::Borda if vote_type != VoteType::Ordinal => {
                return Err(RuleError::NeedsOrdinal(vote_type));
            }
            _ => {}
        }
        let m = election.projects.len();
        let cost_scale = election
            .projects
            .iter()
            .map(|p| p.cost.scale())
            .chain([election.budget.scale()])
            .max()
            .unwrap_or(0);
        let points_scale = election
            .ballot_points
            .iter()
            .map(|d| d.scale())
            .max()
            .unwrap_or(0);
        let scale_checked = |d: Decimal, scale: u32| -> Result<i128, RuleError> {
            let v = d.scaled_to(scale);
            if v.abs() > MAX_SCALED {
                return Err(RuleError::TooLarge(d.to_string()));
            }
            Ok(v)
        };
        let costs: Vec<i128> = election
            .projects
            .iter()
            .map(|p| scale_checked(p.cost, cost_scale))
            .collect::<Result<_, _>>()?;
        let budget = scale_checked(election.budget, cost_scale)?;
        let (welfare, listed, start, supporters, support_sat, support_total, uniform) =
            match satisfaction {
                Satisfaction::Cost | Satisfaction::Cardinality => {
                    supporters_by_project(election, &costs, satisfaction)
                }
                _ => {
                    let mut welfare = vec![0i128; m];
                    let mut listed = vec![0u64; m];
                    // Count supporters first so the flat lists are allocated once.
                    let mut count = vec![0usize; m];
                    let sat_of = |ballot: &super::Ballot, i: usize| -> Result<i128, RuleError> {
                        let p = ballot.projects[i] as usize;
                        Ok(match satisfaction {
                            Satisfaction::Cost => costs[p],
                            Satisfaction::Cardinality => 1,
                            Satisfaction::Score => scale_checked(ballot.points[i], points_scale)?,
                            Satisfaction::Borda => (ballot.projects.len() - i - 1) as i128,
                        })
                    };
                    for v in 0..election.voter_count() {
                        let ballot = election.ballot(v);
                        for i in 0..ballot.projects.len() {
                            let p = ballot.projects[i] as usize;
                            let s = sat_of(&ballot, i)?;
                            welfare[p] += s;
                            listed[p] += 1;
                            if s > 0 {
                                count[p] += 1;
                            }
                        }
                    }
                    let mut start = Vec::with_capacity(m + 1);
                    start.push(0);
                    for p in 0..m {
                        start.push(start[p] + count[p]);
                    }
                    let total = start[m];
                    let mut supporters = vec![0u32; total];
                    let mut support_sat = vec![0i128; total];
                    let mut next = start.clone();
                    for v in 0..election.voter_count() {
                        let ballot = election.ballot(v);
                        for i in 0..ballot.projects.len() {
                            let p = ballot.projects[i] as usize;
                            let s = sat_of(&ballot, i)?;
                            if s > 0 {
                                supporters[next[p]] = v as u32;
                                support_sat[next[p]] = s;
                                next[p] += 1;
                            }
                        }
                    }
                    let mut support_total = vec![0i128; m];
                    let mut uniform = vec![None; m];
                    for p in 0..m {
                        let sats = &support_sat[start[p]..start[p + 1]];
                        support_total[p] = sats.iter().sum();
                        if let Some(&first) = sats.first() {
                            uniform[p] = sats.iter().all(|&s| s == first).then_some(first);
                        }
                    }
                    (
                        welfare,
                        listed,
                        start,
                        supporters,
                        support_sat,
                        support_total,
                        uniform,
                    )
                }
            };
        let mut by_id: Vec<usize> = (0..m).collect();
        by_id.sort_by(|&a, &b| election.projects[a].id.cmp(&election.projects[b].id));
        let mut rank = vec![0u32; m];
        for (r, &p) in by_id.iter().enumerate() {
            rank[p] = r as u32;
        }
        Ok(Profile {
            satisfaction,
            voters: election.voter_count(),
            cost_scale,
            costs,
            budget,
            welfare,
            start,
            supporters,
            support_sat,
            support_total,
            uniform,
            listed,
            rank,
        })
    }

    /// The Pabulib checker's view of the election: costs and the budget floored to whole currency
    /// units (cost satisfactions follow the floored costs), and a project that then costs nothing
    /// is never chosen, as in `pabulib-checker`'s equal shares.
    pub(crate) fn floored(&self) -> Profile {
        let unit = 10i128.pow(self.cost_scale);
        let mut floored = self.clone();
        floored.budget = self.budget / unit * unit;
        for p in 0..self.projects() {
            let cost = self.costs[p] / unit * unit;
            floored.costs[p] = cost;
            let range = self.start[p]..self.start[p + 1];
            if self.satisfaction == Satisfaction::Cost {
                floored.support_sat[range.clone()].fill(cost);
                floored.uniform[p] = (!range.is_empty()).then_some(cost);
                floored.support_total[p] = cost * range.len() as i128;
            }
            if cost == 0 {
                floored.support_total[p] = 0;
            }
        }
        floored
    }

    /// The checker's order among projects tied for ρ: lower cost, then more approvals, then (where
    /// the checker gives up) the smaller id.
    pub(crate) fn checker_rank(&self) -> Vec<u32> {
        let mut order: Vec<usize> = (0..self.projects()).collect();
        order.sort_by(|&a, &b| {
            self.costs[a]
                .cmp(&self.costs[b])
                .then(self.listed[b].cmp(&self.listed[a]))
                .then(self.rank[a].cmp(&self.rank[b]))
        });
        let mut rank = vec![0u32; order.len()];
        for (r, &p) in order.iter().enumerate() {
            rank[p] = r as u32;
        }
        rank
    }

    pub fn satisfaction(&self) -> Satisfaction {
        self.satisfaction
    }

    pub(crate) fn projects(&self) -> usize {
        self.costs.len()
    }

    pub(crate) fn supporters_of(&self, p: usize) -> (&[u32], &[i128]) {
        let range = self.start[p]..self.start[p + 1];
        (&self.supporters[range.clone()], &self.support_sat[range])
    }

    pub(crate) fn cost_of(&self, projects: &[usize]) -> i128 {
        projects.iter().map(|&p| self.costs[p]).sum()
    }

    /// No project outside `chosen` (among `among`) still fits in the budget.
    pub(crate) fn is_exhaustive(
        &self,
        chosen: &[usize],
        among: impl Iterator<Item = usize>,
    ) -> bool {
        let spent = self.cost_of(chosen);
        let mut taken = vec![false; self.projects()];
        for &p in chosen {
            taken[p] = true;
        }
        among
            .into_iter()
            .all(|p| taken[p] || spent + self.costs[p] > self.budget)
    }
}
