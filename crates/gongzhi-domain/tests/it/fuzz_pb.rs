//! Bounded fuzzing of the `.pb` reader: arbitrary bytes and mutations of a real file never make
//! it panic; it answers with an election or an error naming where. Runs a few hundred cases in
//! the suite (proptest shrinks any failure to a small file and keeps it in proptest-regressions).

use gongzhi_domain::allocation::pabulib;
use gongzhi_domain::allocation::rules::{self, Limits, Rule};
use proptest::prelude::*;

const SEED: &str = "META\nkey;value\ndescription;fuzz\nnum_projects;3\nnum_votes;3\nbudget;100\nvote_type;approval\nrule;greedy\nPROJECTS\nproject_id;cost;name\na;50;A\nb;40;B\nc;30;C\nVOTES\nvoter_id;vote\n1;a,b\n2;b,c\n3;a\n";

/// A mutation: replace, insert or delete a byte at a position (taken modulo the length).
#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, u8),
    Insert(usize, u8),
    Delete(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let interesting = prop_oneof![
        any::<u8>(),
        Just(b';'),
        Just(b','),
        Just(b'\n'),
        Just(b'"'),
        Just(b'-'),
        Just(b'9'),
        Just(b'.'),
    ];
    prop_oneof![
        (any::<usize>(), interesting.clone()).prop_map(|(i, b)| Edit::Replace(i, b)),
        (any::<usize>(), interesting).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Delete),
    ]
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let n = bytes.len().max(1);
        match *e {
            Edit::Replace(i, b) if !bytes.is_empty() => bytes[i % n] = b,
            Edit::Insert(i, b) => bytes.insert(i % (bytes.len() + 1), b),
            Edit::Delete(i) if !bytes.is_empty() => {
                bytes.remove(i % n);
            }
            _ => {}
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic_the_reader(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = pabulib::parse(&bytes);
    }

    #[test]
    fn mutated_files_are_read_or_refused_and_counted_within_limits(
        edits in proptest::collection::vec(edit(), 1..12)
    ) {
        let bytes = apply(SEED.as_bytes().to_vec(), &edits);
        if let Ok(election) = pabulib::parse(&bytes) {
            for rule in ["greedy_cost", "mes_cost_add1", "seq_phragmen"] {
                let limits = Limits { rounds: 200, deadline: None };
                let _ = rules::run_within(&election, Rule::parse(rule, None).unwrap(), limits);
            }
        }
    }
}
