//! Property tests of the election count: whatever the ballots, nobody is elected below the rule,
//! no more than the seats are filled, and nobody left out has more votes than somebody elected.

use gongzhi_domain::election::{ElectionRule, Share, count};
use gongzhi_domain::threshold::Bound;
use proptest::prelude::*;

fn share() -> impl Strategy<Value = Share> {
    (1u32..5, 1u32..6, any::<bool>()).prop_map(|(num, extra, at_least)| Share {
        num,
        den: num + extra - 1,
        bound: if at_least {
            Bound::AtLeast
        } else {
            Bound::MoreThan
        },
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn the_count_keeps_the_rule(
        turnout in share(),
        winner in share(),
        seats in 1u32..5,
        candidates in 1usize..7,
        extra_electors in 0u64..20,
        ballots in proptest::collection::vec(proptest::collection::btree_set(0usize..7, 0..5), 0..30),
    ) {
        let rule = ElectionRule { turnout, winner };
        let names: Vec<usize> = (0..candidates).collect();
        let ballots: Vec<Vec<usize>> = ballots
            .into_iter()
            .map(|b| b.into_iter().filter(|c| *c < candidates).take(seats as usize).collect())
            .collect();
        let electorate = ballots.len() as u64 + extra_electors;
        let r = count(&rule, seats, electorate, &names, &ballots);
        let votes = |c: &usize| r.votes.iter().find(|(n, _)| n == c).map(|v| v.1).unwrap_or(0);
        prop_assert!(r.elected.len() <= seats as usize);
        prop_assert_eq!(r.valid, turnout.met(ballots.len() as u64, electorate));
        if !r.valid {
            prop_assert!(r.elected.is_empty());
        }
        for e in &r.elected {
            prop_assert!(winner.met(votes(e), ballots.len() as u64));
            prop_assert!(votes(e) >= r.min_votes);
            for other in names.iter().filter(|n| !r.elected.contains(n)) {
                prop_assert!(votes(other) <= votes(e));
            }
        }
        // Seats left free while a qualified candidate is out happen only through a tie.
        let qualified = names.iter().filter(|c| votes(c) > 0 && winner.met(votes(c), ballots.len() as u64)).count();
        if r.valid && r.elected.len() < seats as usize && r.elected.len() < qualified {
            prop_assert!(!r.tied.is_empty());
        }
        let total: u64 = r.votes.iter().map(|v| v.1).sum();
        prop_assert_eq!(total, ballots.iter().map(|b| b.len() as u64).sum::<u64>());
    }
}
