//! Property tests of the ledger model: whatever sequence of operations is tried, postings
//! balance, no limited account is ever overdrawn (holds counted), and replaying the accepted
//! transfers from nothing reproduces every balance.

use gongzhi_domain::ledger::{AccountKind, Ledger, Phase, Transfer};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Move {
        debit: u8,
        credit: u8,
        amount: i64,
        hold: bool,
    },
    Settle {
        which: u8,
        part: u8,
        void: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u8..6, 0u8..6, -5i64..2_000, any::<bool>())
            .prop_map(|(debit, credit, amount, hold)| Op::Move { debit, credit, amount, hold }),
        1 => (any::<u8>(), 0u8..=100, any::<bool>())
            .prop_map(|(which, part, void)| Op::Settle { which, part, void }),
    ]
}

const KINDS: [AccountKind; 6] = [
    AccountKind::Source,
    AccountKind::Source,
    AccountKind::Fund,
    AccountKind::Fund,
    AccountKind::Project,
    AccountKind::Payee,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn postings_balance_nothing_overdraws_and_replay_agrees(ops in proptest::collection::vec(op(), 1..80)) {
        let mut ledger: Ledger<u32> = Ledger::default();
        for (i, k) in KINDS.iter().enumerate() {
            ledger.open(i as u32, *k);
        }
        let mut accepted = Vec::new();
        for (next, op) in (101u32..).zip(ops) {
            let t = match op {
                Op::Move { debit, credit, amount, hold } => Transfer {
                    id: next,
                    debit: u32::from(debit),
                    credit: u32::from(credit),
                    amount,
                    phase: if hold { Phase::Pending } else { Phase::Posted },
                    pending_id: None,
                },
                Op::Settle { which, part, void } => {
                    let mut open: Vec<_> = ledger.pending.iter().map(|(k, v)| (*k, *v)).collect();
                    open.sort_by_key(|(k, _)| *k);
                    if open.is_empty() {
                        continue;
                    }
                    let (pid, (d, c, held)) = open[usize::from(which) % open.len()];
                    Transfer {
                        id: next,
                        debit: d,
                        credit: c,
                        amount: held * i64::from(part) / 100,
                        phase: if void { Phase::VoidPending } else { Phase::PostPending },
                        pending_id: Some(pid),
                    }
                }
            };
            let before = ledger.accounts.clone();
            match ledger.apply(&t) {
                Ok(()) => accepted.push(t),
                Err(_) => prop_assert_eq!(&before, &ledger.accounts, "a refused transfer changed nothing"),
            }
            prop_assert!(ledger.balanced());
            for (id, a) in &ledger.accounts {
                if a.limited {
                    prop_assert!(a.balance.available() >= 0, "account {} overdrawn", id);
                }
            }
        }
        let mut replay: Ledger<u32> = Ledger::default();
        for (i, k) in KINDS.iter().enumerate() {
            replay.open(i as u32, *k);
        }
        for t in &accepted {
            replay.apply(t).unwrap();
        }
        prop_assert_eq!(replay.accounts, ledger.accounts);
    }
}
