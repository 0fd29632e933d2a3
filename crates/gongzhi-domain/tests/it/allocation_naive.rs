//! The fast rules against a plain transcription of pabutools' pseudo-code (shared data README,
//! sections 3 and 5): one exact fraction per voter, no grouping, no f64. Small random elections
//! with small integer costs make exact ties and boundary cases common, which is where the fast
//! code's f64 filters hand over to exact arithmetic.

use std::cmp::Ordering;

use gongzhi_domain::allocation::rules::{self, Rule};
use gongzhi_domain::allocation::{Election, pabulib};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::Zero;
use proptest::prelude::*;

type Q = BigRational;

fn q(n: i64) -> Q {
    Q::from_integer(BigInt::from(n))
}

/// A random election: up to `max_projects` projects (fewer than ten) costing up to `max_cost`
/// (some halves), a budget up to `4 × max_cost`, and up to `max_voters` voters.
#[derive(Clone, Debug)]
struct Small {
    costs: Vec<(i64, bool)>,
    budget: i64,
    /// Per voter: (project, points) pairs.
    ballots: Vec<Vec<(usize, i64)>>,
}

fn election(max_projects: usize, max_cost: i64, max_voters: usize) -> impl Strategy<Value = Small> {
    (1usize..=max_projects, 1i64..4 * max_cost).prop_flat_map(move |(m, budget)| {
        (
            prop::collection::vec((0i64..max_cost, prop::bool::weighted(0.2)), m),
            Just(budget),
            prop::collection::vec(
                prop::collection::btree_map(0..m, 1i64..4, 0..=m)
                    .prop_map(|b| b.into_iter().collect::<Vec<_>>()),
                1..max_voters,
            ),
        )
            .prop_map(|(costs, budget, ballots)| Small {
                costs,
                budget,
                ballots,
            })
    })
}

impl Small {
    /// Project ids `p0`, `p1`, … compare like their indices (fewer than ten projects).
    fn cost(&self, p: usize) -> Q {
        let (c, half) = self.costs[p];
        if half { q(2 * c + 1) / q(2) } else { q(c) }
    }

    fn to_pb(&self, vote_type: &str) -> Election {
        let mut text = format!(
            "META\nkey;value\nbudget;{}\nvote_type;{vote_type}\nPROJECTS\nproject_id;cost\n",
            self.budget
        );
        for p in 0..self.costs.len() {
            let c = self.cost(p);
            let cost = if c.is_integer() {
                c.to_string()
            } else {
                format!("{}.5", c.floor())
            };
            text += &format!("p{p};{cost}\n");
        }
        text += if vote_type == "approval" {
            "VOTES\nvoter_id;vote\n"
        } else {
            "VOTES\nvoter_id;vote;points\n"
        };
        for (v, ballot) in self.ballots.iter().enumerate() {
            let ids: Vec<String> = ballot.iter().map(|(p, _)| format!("p{p}")).collect();
            text += &format!("v{v};{}", ids.join(","));
            if vote_type != "approval" {
                let points: Vec<String> = ballot.iter().map(|(_, x)| x.to_string()).collect();
                text += &format!(";{}", points.join(","));
            }
            text += "\n";
        }
        pabulib::parse(text.as_bytes()).expect("a valid generated file")
    }

    fn sat(&self, kind: &str, v: usize, p: usize) -> Q {
        match self.ballots[v].iter().find(|(x, _)| *x == p) {
            None => Q::zero(),
            Some((_, points)) => match kind {
                "cost" => self.cost(p),
                "card" => q(1),
                _ => q(*points),
            },
        }
    }

    /// pabutools' method_of_equal_shares, voter by voter.
    fn naive_mes(&self, kind: &str) -> Vec<usize> {
        let (m, n) = (self.costs.len(), self.ballots.len());
        let mut budget: Vec<Q> = vec![q(self.budget) / q(n as i64); n];
        let support = |p: usize| (0..n).map(|v| self.sat(kind, v, p)).sum::<Q>();
        let mut order: Vec<usize> = (0..m)
            .filter(|&p| support(p) > Q::zero() && self.cost(p).is_zero())
            .collect();
        let mut candidates: Vec<usize> = (0..m)
            .filter(|&p| support(p) > Q::zero() && !self.cost(p).is_zero())
            .collect();
        let mut rho_hat: Vec<Q> = (0..m)
            .map(|p| {
                if support(p).is_zero() {
                    Q::zero()
                } else {
                    self.cost(p) / support(p)
                }
            })
            .collect();
        loop {
            candidates.sort_by(|&a, &b| rho_hat[a].cmp(&rho_hat[b]).then(a.cmp(&b)));
            let mut best: Option<Q> = None;
            let mut tied: Vec<usize> = Vec::new();
            let mut dropped = Vec::new();
            for &p in &candidates {
                let supporters: Vec<usize> = (0..n)
                    .filter(|&v| self.sat(kind, v, p) > Q::zero())
                    .collect();
                let available: Q = supporters.iter().map(|&v| budget[v].clone()).sum();
                if available < self.cost(p) {
                    dropped.push(p);
                    continue;
                }
                if best.as_ref().is_some_and(|b| rho_hat[p] > *b) {
                    break;
                }
                let mut sorted = supporters.clone();
                sorted.sort_by(|&a, &b| {
                    (&budget[a] / self.sat(kind, a, p)).cmp(&(&budget[b] / self.sat(kind, b, p)))
                });
                let (mut paid, mut denominator) = (Q::zero(), support(p));
                let mut rho = None;
                for &v in &sorted {
                    let r = (self.cost(p) - &paid) / &denominator;
                    if &r * self.sat(kind, v, p) <= budget[v] {
                        rho = Some(r);
                        break;
                    }
                    paid += &budget[v];
                    denominator -= self.sat(kind, v, p);
                }
                let rho = rho.expect("affordable");
                rho_hat[p] = rho.clone();
                match best.as_ref().map(|b| rho.cmp(b)) {
                    None | Some(Ordering::Less) => {
                        best = Some(rho);
                        tied = vec![p];
                    }
                    Some(Ordering::Equal) => tied.push(p),
                    Some(Ordering::Greater) => {}
                }
            }
            candidates.retain(|p| !dropped.contains(p));
            let Some(rho) = best else { break };
            let winner = *tied.iter().min().unwrap();
            for (v, b) in budget.iter_mut().enumerate() {
                let pay = &rho * self.sat(kind, v, winner);
                *b -= if pay < *b { pay } else { b.clone() };
            }
            candidates.retain(|&p| p != winner);
            order.push(winner);
        }
        order
    }

    /// pabutools' sequential_phragmen, voter by voter (approval ballots).
    fn naive_phragmen(&self) -> Vec<usize> {
        let (m, n) = (self.costs.len(), self.ballots.len());
        let budget = q(self.budget);
        let approves = |v: usize, p: usize| self.ballots[v].iter().any(|(x, _)| *x == p);
        let mut load: Vec<Q> = vec![Q::zero(); n];
        let mut candidates: Vec<usize> = (0..m).filter(|&p| self.cost(p) <= budget).collect();
        let (mut spent, mut order) = (Q::zero(), Vec::new());
        while !candidates.is_empty() {
            let t = |p: usize| -> Option<Q> {
                let approvers: Vec<usize> = (0..n).filter(|&v| approves(v, p)).collect();
                (!approvers.is_empty()).then(|| {
                    (approvers.iter().map(|&v| load[v].clone()).sum::<Q>() + self.cost(p))
                        / q(approvers.len() as i64)
                })
            };
            // None is +∞, larger than every number.
            let key = |p: usize| (t(p).is_none(), t(p));
            let best = candidates.iter().map(|&p| key(p)).min().unwrap();
            let tied: Vec<usize> = candidates
                .iter()
                .copied()
                .filter(|&p| key(p) == best)
                .collect();
            if tied.iter().any(|&p| &spent + self.cost(p) > budget) {
                break;
            }
            let winner = *tied.iter().min().unwrap();
            spent += self.cost(winner);
            if let (false, Some(t)) = best {
                for (v, l) in load.iter_mut().enumerate() {
                    if approves(v, winner) {
                        *l = t.clone();
                    }
                }
            }
            candidates.retain(|&p| p != winner);
            order.push(winner);
        }
        order
    }
}

fn fast(election: &Election, rule: &str) -> Vec<usize> {
    rules::run(election, Rule::parse(rule, None).unwrap())
        .unwrap()
        .selection_order
}

/// Few voters and cheap projects: exact ties everywhere.
fn small() -> impl Strategy<Value = Small> {
    election(5, 12, 12)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// More voters and rounds: many budget classes, mostly decided by the f64 filters.
    #[test]
    fn mes_on_larger_elections_equals_the_plain_transcription(e in election(9, 90, 80)) {
        prop_assert_eq!(fast(&e.to_pb("approval"), "mes-cost"), e.naive_mes("cost"));
        prop_assert_eq!(fast(&e.to_pb("cumulative"), "mes-score"), e.naive_mes("score"));
        prop_assert_eq!(fast(&e.to_pb("approval"), "phragmen"), e.naive_phragmen());
    }

    #[test]
    fn mes_with_cost_satisfaction_equals_the_plain_transcription(e in small()) {
        prop_assert_eq!(fast(&e.to_pb("approval"), "mes-cost"), e.naive_mes("cost"));
    }

    #[test]
    fn mes_with_cardinality_satisfaction_equals_the_plain_transcription(e in small()) {
        prop_assert_eq!(fast(&e.to_pb("approval"), "mes-card"), e.naive_mes("card"));
    }

    #[test]
    fn mes_with_points_equals_the_plain_transcription(e in small()) {
        prop_assert_eq!(fast(&e.to_pb("cumulative"), "mes-score"), e.naive_mes("score"));
    }

    #[test]
    fn phragmen_equals_the_plain_transcription(e in small()) {
        prop_assert_eq!(fast(&e.to_pb("approval"), "phragmen"), e.naive_phragmen());
    }
}
