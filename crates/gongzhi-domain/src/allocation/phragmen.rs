//! Sequential Phragmén (approval ballots), exactly as pabutools 1.2.3 defines it: each round picks
//! the project whose approvers would carry the smallest maximal load, and the rule stops when a
//! project tied for that load does not fit.
//!
//! Why it is fast: a voter's load is the load set by the last round that touched them, so loads are
//! a short list of classes. Every load, and every project's sum of its approvers' loads, is an
//! integer numerator over one common denominator, so a round is integer additions and
//! multiplications by small counts, never a gcd per step.

use std::cmp::Ordering;

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, ToPrimitive, Zero};

use super::Election;
use super::profile::Profile;

pub(crate) fn phragmen(election: &Election, profile: &Profile) -> Vec<usize> {
    let m = profile.projects();
    let mut candidates: Vec<usize> = (0..m)
        .filter(|&p| profile.costs[p] <= profile.budget)
        .collect();
    candidates.sort_by_key(|&p| profile.rank[p]);
    let mut denominator = BigInt::one();
    // Load classes (class 0: no load yet), numerators over `denominator`.
    let mut loads: Vec<BigInt> = vec![BigInt::zero()];
    let mut voter_load = vec![0u32; profile.voters];
    // Σ of each project's approvers' loads, over `denominator`.
    let mut load_sum: Vec<BigInt> = vec![BigInt::zero(); m];
    let mut in_play = vec![false; m];
    for &p in &candidates {
        in_play[p] = true;
    }
    let mut spent = 0i128;
    let mut order = Vec::new();
    // How many approvers of each project in play moved from each load class this round: a
    // dense table, since there are at most as many classes as rounds (one per project).
    let classes_max = m + 1;
    let mut shifts = vec![0u64; m * classes_max];
    let mut touched: Vec<(u32, u32)> = Vec::new();
    while !candidates.is_empty() {
        // t(p) = (load_sum + cost) / approvals = top / (denominator × approvals); +∞ without approvals.
        let top = |p: usize| &load_sum[p] + BigInt::from(profile.costs[p]) * &denominator;
        let mut best: Option<(BigInt, u64)> = None;
        let mut best_infinite = false;
        let mut tied: Vec<usize> = Vec::new();
        for &p in &candidates {
            let approvals = profile.listed[p];
            let ordering = if approvals == 0 {
                match (&best, best_infinite) {
                    (None, false) => Ordering::Less,
                    (_, true) => Ordering::Equal,
                    (Some(_), false) => Ordering::Greater,
                }
            } else {
                let t = top(p);
                let ordering = match &best {
                    None => Ordering::Less,
                    Some((b, a)) => (&t * BigInt::from(*a)).cmp(&(b * BigInt::from(approvals))),
                };
                if ordering == Ordering::Less {
                    best = Some((t, approvals));
                    best_infinite = false;
                }
                ordering
            };
            match ordering {
                Ordering::Less => {
                    if approvals == 0 {
                        best_infinite = true;
                    }
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
        if best_infinite {
            continue;
        }
        let Some((t, approvals)) = best else { continue };
        // The new load is t / (denominator × approvals); widen the denominator just enough.
        let remainder = (&t % BigInt::from(approvals)).to_u64().unwrap_or(0);
        let widen = approvals / approvals.gcd(&remainder);
        let new_load = if widen > 1 {
            let widen = BigInt::from(widen);
            denominator *= &widen;
            for x in loads.iter_mut().chain(load_sum.iter_mut()) {
                if !x.is_zero() {
                    *x *= &widen;
                }
            }
            t * widen / BigInt::from(approvals)
        } else {
            t / BigInt::from(approvals)
        };
        loads.push(new_load);
        let new_class = (loads.len() - 1) as u32;
        let (voters, _) = profile.supporters_of(winner);
        for &v in voters {
            let old = voter_load[v as usize];
            voter_load[v as usize] = new_class;
            for &q in election.ballot(v as usize).projects {
                if in_play[q as usize] {
                    let cell = &mut shifts[q as usize * classes_max + old as usize];
                    if *cell == 0 {
                        touched.push((q, old));
                    }
                    *cell += 1;
                }
            }
        }
        for (q, old) in touched.drain(..) {
            let count = std::mem::take(&mut shifts[q as usize * classes_max + old as usize]);
            let delta = (&loads[new_class as usize] - &loads[old as usize]) * BigInt::from(count);
            load_sum[q as usize] += delta;
        }
    }
    order
}
