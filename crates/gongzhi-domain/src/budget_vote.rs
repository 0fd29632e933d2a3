//! Resident-wide budget votes (居民投票决定资金用途): a pot of money, projects with costs, and one
//! secret ballot per eligible resident or household. The ballot form says what a ballot may hold;
//! the count turns the ballot box into a Pabulib election and runs the vote's rule from
//! [`crate::allocation`], so a community's vote is counted exactly as the research reference
//! counts a city's, and can be exported as a `.pb` file.

use num_traits::ToPrimitive;
use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::allocation::rules::{self, Completion, Rule};
use crate::allocation::{Decimal, Election, Project, VoteType};
use crate::money::Fen;

/// What a ballot may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum BallotForm {
    /// Approve up to `k` projects.
    ApproveK { k: u32 },
    /// Approve projects whose costs together stay within the pot (a knapsack ballot).
    ApproveBudget,
    /// Spread up to `total` points over projects.
    Points { total: u32 },
}

/// The ballot forms' names, as staff choose them.
pub const BALLOT_KINDS: [&str; 3] = ["approve_k", "approve_budget", "points"];

impl BallotForm {
    pub fn from_parts(kind: &str, number: u32) -> Result<BallotForm, DomainError> {
        let form = match kind {
            "approve_k" => BallotForm::ApproveK { k: number },
            "approve_budget" => BallotForm::ApproveBudget,
            "points" => BallotForm::Points { total: number },
            _ => {
                return Err(DomainError::field(
                    "budget_vote_form_unknown",
                    "ballot_kind",
                ));
            }
        };
        if matches!(
            form,
            BallotForm::ApproveK { k: 0 } | BallotForm::Points { total: 0 }
        ) {
            return Err(DomainError::field(
                "budget_vote_form_number",
                "ballot_number",
            ));
        }
        Ok(form)
    }

    pub fn kind(self) -> &'static str {
        match self {
            BallotForm::ApproveK { .. } => "approve_k",
            BallotForm::ApproveBudget => "approve_budget",
            BallotForm::Points { .. } => "points",
        }
    }

    pub fn vote_type(self) -> VoteType {
        match self {
            BallotForm::Points { .. } => VoteType::Cumulative,
            _ => VoteType::Approval,
        }
    }
}

/// Who holds a ballot in a budget vote.
pub const VOTE_UNITS: [&str; 2] = ["resident", "household"];

/// The rulebook's `budget_vote.rule`: how votes are counted and who holds a ballot. A vote pins
/// both when it opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetVoteRule {
    /// A rule of the PB engine by its reference name (`greedy_cost`, `mes_cost_then_greedy_cost`,
    /// `mes_cost_add1_checker`, `seq_phragmen`, …).
    pub rule: String,
    /// `resident` or `household`.
    pub per: String,
    /// For an add-one rule (`mes_cost_add1`, …): how many reruns it may take. Required for those
    /// rules, so that no residents' vote is counted by a rule without a bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add_one_rounds: Option<u64>,
}

/// The most add-one reruns a rulebook may allow a residents' vote.
pub const MAX_ADD_ONE_ROUNDS: u64 = 1_000_000;

impl BudgetVoteRule {
    pub fn validate(&self) -> Result<(), DomainError> {
        let rule = Rule::parse(&self.rule, None)
            .map_err(|_| DomainError::field("budget_vote_rule_unknown", "rule"))?;
        match (rule.reruns(), self.add_one_rounds) {
            (true, Some(n)) if (1..=MAX_ADD_ONE_ROUNDS).contains(&n) => {}
            (true, _) => {
                return Err(
                    DomainError::field("budget_vote_rule_unbounded", "add_one_rounds")
                        .arg("max", MAX_ADD_ONE_ROUNDS),
                );
            }
            (false, Some(_)) => {
                return Err(DomainError::field(
                    "budget_vote_rounds_need_add_one",
                    "add_one_rounds",
                ));
            }
            (false, None) => {}
        }
        if !VOTE_UNITS.contains(&self.per.as_str()) {
            return Err(DomainError::field("budget_vote_unit_unknown", "per"));
        }
        Ok(())
    }
}

/// One mark on a ballot: a project (its index in the vote's list) and points (1 for approvals).
pub type Mark = (usize, u32);

/// Checks a ballot against the form: known projects, each once, within the form's limits. An empty
/// ballot is a valid blank ballot.
pub fn check_ballot(
    form: BallotForm,
    costs: &[Fen],
    budget: Fen,
    marks: &[Mark],
) -> Result<(), DomainError> {
    for (i, &(p, points)) in marks.iter().enumerate() {
        if p >= costs.len() {
            return Err(DomainError::field(
                "budget_ballot_unknown_project",
                "choices",
            ));
        }
        if marks[..i].iter().any(|&(q, _)| q == p) {
            return Err(DomainError::field("budget_ballot_duplicate", "choices"));
        }
        if points == 0 {
            return Err(DomainError::field("budget_ballot_zero_points", "choices"));
        }
        // An approval is one mark: any other weight would count one resident many times.
        if !matches!(form, BallotForm::Points { .. }) && points != 1 {
            return Err(
                DomainError::field("budget_ballot_approval_is_one", "choices").arg("given", points),
            );
        }
    }
    match form {
        BallotForm::ApproveK { k } if marks.len() > k as usize => {
            Err(DomainError::field("budget_ballot_too_many", "choices")
                .arg("k", k)
                .arg("chosen", marks.len()))
        }
        BallotForm::ApproveBudget => {
            let chosen: i64 = marks.iter().map(|&(p, _)| costs[p].fen()).sum();
            if chosen > budget.fen() {
                return Err(DomainError::field("budget_ballot_over_budget", "choices")
                    .arg("budget", budget)
                    .arg("chosen", Fen::new(chosen)));
            }
            Ok(())
        }
        BallotForm::Points { total } => {
            let given: u64 = marks.iter().map(|&(_, x)| u64::from(x)).sum();
            if given > u64::from(total) {
                return Err(DomainError::field("budget_ballot_points_over", "choices")
                    .arg("total", total)
                    .arg("given", given));
            }
            Ok(())
        }
        BallotForm::ApproveK { .. } => Ok(()),
    }
}

/// The vote as a Pabulib election: costs and budget in yuan, voters as pseudonyms `v1`, `v2`, … in
/// the order of the (shuffled) ballot box, so nothing in the file leads back to a resident.
pub fn to_election(
    title: &str,
    budget: Fen,
    form: BallotForm,
    projects: &[(String, Fen)],
    ballots: &[Vec<Mark>],
) -> Election {
    let yuan = |f: Fen| Decimal::from_scaled(i128::from(f.fen()), 2);
    let mut meta: Vec<(String, String)> = vec![
        ("description".into(), title.into()),
        ("country".into(), "China".into()),
        ("currency".into(), "CNY".into()),
        ("language".into(), "zh".into()),
    ];
    match form {
        BallotForm::ApproveK { k } => meta.push(("max_length".into(), k.to_string())),
        BallotForm::Points { total } => meta.push(("max_sum_points".into(), total.to_string())),
        BallotForm::ApproveBudget => meta.push(("max_sum_cost".into(), yuan(budget).to_string())),
    }
    let mut election = Election::default();
    election.meta = meta;
    election.vote_type = Some(form.vote_type());
    election.budget = yuan(budget);
    election.project_columns = vec!["name".into()];
    election.projects = projects
        .iter()
        .enumerate()
        .map(|(i, (name, cost))| Project {
            id: (i + 1).to_string(),
            cost: yuan(*cost),
            fields: vec![name.clone()],
        })
        .collect();
    let points_form = form.vote_type().has_points();
    for (v, ballot) in ballots.iter().enumerate() {
        let projects: Vec<u32> = ballot.iter().map(|&(p, _)| p as u32).collect();
        let points: Vec<Decimal> = if points_form {
            ballot
                .iter()
                .map(|&(_, x)| Decimal::from_int(i64::from(x)))
                .collect()
        } else {
            Vec::new()
        };
        election.push_voter(&format!("v{}", v + 1), &projects, &points, []);
    }
    election
}

/// Why a project won or lost, in words a resident can check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Why {
    /// Chosen by most support per yuan while money remained (greedy).
    MostSupport,
    /// Bought by equal shares: its supporters paid for it from their equal shares, none more
    /// than `max_payment` (rounded up to the fen).
    EqualShares { max_payment: Fen },
    /// Added after equal shares to spend what was left, by most support per yuan.
    Completion,
    /// Not chosen: it costs more than the `left` that remained once the chosen were paid for.
    DidNotFit { left: Fen },
    /// Not chosen: its supporters had only `left` of their equal shares when money ran out.
    SupportersRanOut { left: Fen },
    /// Nobody voted for it.
    NoSupport,
}

/// One project's line in the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectResult {
    /// Ballots that chose it.
    pub votes: u64,
    /// Points given to it (equal to `votes` on approval ballots).
    pub points: u64,
    /// Its place in the order of choosing (1 = first), if chosen.
    pub chosen: Option<u32>,
    pub why: Why,
}

/// The count of a closed vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetCount {
    /// The rule's name (`greedy_cost`, `mes_cost_then_greedy_cost`, …).
    pub rule: String,
    pub ballots: u64,
    pub spent: Fen,
    /// Every project in the vote's order.
    pub projects: Vec<ProjectResult>,
}

/// Counts the ballots with `rule` and explains every project's result.
pub fn count(
    title: &str,
    budget: Fen,
    form: BallotForm,
    projects: &[(String, Fen)],
    ballots: &[Vec<Mark>],
    rule: Rule,
    limits: rules::Limits,
) -> Result<BudgetCount, DomainError> {
    let election = to_election(title, budget, form, projects, ballots);
    let outcome = rules::run_within(&election, rule, limits).map_err(|e| {
        DomainError::field("budget_vote_rule_unfit", "rule").arg("reason", e.to_string())
    })?;
    let mut votes = vec![0u64; projects.len()];
    let mut points = vec![0u64; projects.len()];
    for ballot in ballots {
        for &(p, x) in ballot {
            votes[p] += 1;
            points[p] += u64::from(x);
        }
    }
    let spent: i64 = outcome
        .selection_order
        .iter()
        .map(|&p| projects[p].1.fen())
        .sum();
    let left = Fen::new(budget.fen() - spent);
    let fen_up = |yuan: &rules::Fraction| -> Fen {
        let fen = (yuan * rules::Fraction::from_integer(100.into())).ceil();
        Fen::new(fen.to_integer().to_i64().unwrap_or(i64::MAX))
    };
    let fen_down = |yuan: &rules::Fraction| -> Fen {
        let fen = (yuan * rules::Fraction::from_integer(100.into())).floor();
        Fen::new(fen.to_integer().to_i64().unwrap_or(i64::MAX))
    };
    let equal_shares = outcome.equal_shares.as_ref();
    let lines = (0..projects.len())
        .map(|p| {
            let chosen = outcome.selection_order.iter().position(|&q| q == p);
            let round = equal_shares.and_then(|s| s.rounds.iter().position(|(q, _)| *q == p));
            let why = match (chosen, round, equal_shares) {
                (Some(_), Some(r), Some(s)) => Why::EqualShares {
                    max_payment: fen_up(&s.max_payment[r]),
                },
                (Some(_), None, Some(_)) if projects[p].1.fen() > 0 => Why::Completion,
                (Some(_), _, _) => Why::MostSupport,
                (None, _, _) if votes[p] == 0 => Why::NoSupport,
                (None, _, Some(s)) if matches!(rule, Rule::Mes(_, Completion::None)) => {
                    let mut held = rules::Fraction::from_integer(0.into());
                    for (v, ballot) in ballots.iter().enumerate() {
                        if ballot.iter().any(|&(q, _)| q == p) {
                            held += s.remaining(v);
                        }
                    }
                    Why::SupportersRanOut {
                        left: fen_down(&held),
                    }
                }
                (None, _, _) => Why::DidNotFit { left },
            };
            ProjectResult {
                votes: votes[p],
                points: points[p],
                chosen: chosen.map(|i| i as u32 + 1),
                why,
            }
        })
        .collect();
    Ok(BudgetCount {
        rule: rule.key(),
        ballots: ballots.len() as u64,
        spent: Fen::new(spent),
        projects: lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn costs() -> Vec<Fen> {
        vec![Fen::new(300_000), Fen::new(200_000), Fen::new(150_000)]
    }

    #[test]
    fn ballots_are_checked_against_their_form() {
        let budget = Fen::new(400_000);
        let k2 = BallotForm::ApproveK { k: 2 };
        assert!(check_ballot(k2, &costs(), budget, &[(0, 1), (2, 1)]).is_ok());
        assert!(check_ballot(k2, &costs(), budget, &[]).is_ok());
        let code = |r: Result<(), DomainError>| r.unwrap_err().code.0;
        assert_eq!(
            code(check_ballot(
                k2,
                &costs(),
                budget,
                &[(0, 1), (1, 1), (2, 1)]
            )),
            "budget_ballot_too_many"
        );
        assert_eq!(
            code(check_ballot(k2, &costs(), budget, &[(0, 1), (0, 1)])),
            "budget_ballot_duplicate"
        );
        assert_eq!(
            code(check_ballot(k2, &costs(), budget, &[(3, 1)])),
            "budget_ballot_unknown_project"
        );
        let knapsack = BallotForm::ApproveBudget;
        assert!(check_ballot(knapsack, &costs(), budget, &[(1, 1), (2, 1)]).is_ok());
        // An approval weighs one: 4,294,967,295 "points" on an approval ballot is refused.
        for form in [k2, knapsack] {
            assert_eq!(
                code(check_ballot(form, &costs(), budget, &[(1, u32::MAX)])),
                "budget_ballot_approval_is_one"
            );
        }
        assert_eq!(
            code(check_ballot(knapsack, &costs(), budget, &[(0, 1), (1, 1)])),
            "budget_ballot_over_budget"
        );
        let points = BallotForm::Points { total: 10 };
        assert!(check_ballot(points, &costs(), budget, &[(0, 6), (1, 4)]).is_ok());
        assert_eq!(
            code(check_ballot(points, &costs(), budget, &[(0, 6), (1, 5)])),
            "budget_ballot_points_over"
        );
        assert_eq!(
            code(check_ballot(points, &costs(), budget, &[(0, 0)])),
            "budget_ballot_zero_points"
        );
        assert!(BallotForm::from_parts("approve_k", 0).is_err());
        assert!(BallotForm::from_parts("ranked", 3).is_err());
    }

    /// Five ballots on a ¥4,000 pot: greedy funds the two most-voted; equal shares funds what the
    /// voters' equal shares can buy, and says how much each supporter paid and what was left.
    #[test]
    fn a_residents_vote_never_uses_an_add_one_rule_without_a_bound() {
        let rule = |json: &str| -> Result<(), DomainError> {
            serde_json::from_str::<BudgetVoteRule>(json)
                .unwrap()
                .validate()
        };
        let code = |r: Result<(), DomainError>| r.err().map(|e| e.code.0).unwrap_or("ok");
        assert_eq!(
            code(rule(r#"{"rule":"mes_cost_add1","per":"resident"}"#)),
            "budget_vote_rule_unbounded"
        );
        assert_eq!(
            code(rule(
                r#"{"rule":"mes_cost_add1","per":"resident","add_one_rounds":0}"#
            )),
            "budget_vote_rule_unbounded"
        );
        assert_eq!(
            code(rule(
                r#"{"rule":"mes_cost_add1","per":"resident","add_one_rounds":5000}"#
            )),
            "ok"
        );
        assert_eq!(
            code(rule(
                r#"{"rule":"greedy_cost","per":"resident","add_one_rounds":5000}"#
            )),
            "budget_vote_rounds_need_add_one"
        );
        // A count that runs out of rounds is refused, not cut short.
        let projects: Vec<(String, Fen)> = vec![
            ("a".into(), Fen::new(300_000)),
            ("b".into(), Fen::new(200_000)),
        ];
        let ballots: Vec<Vec<Mark>> = vec![vec![(0, 1)], vec![(1, 1)], vec![(0, 1), (1, 1)]];
        let add_one = Rule::parse("mes_cost_add1", None).unwrap();
        let none_left = rules::Limits {
            rounds: 0,
            deadline: None,
        };
        let e = count(
            "t",
            Fen::new(400_000),
            BallotForm::ApproveK { k: 2 },
            &projects,
            &ballots,
            add_one,
            none_left,
        )
        .err()
        .unwrap();
        assert_eq!(e.code.0, "budget_vote_rule_unfit");
        assert!(
            count(
                "t",
                Fen::new(400_000),
                BallotForm::ApproveK { k: 2 },
                &projects,
                &ballots,
                add_one,
                rules::Limits::default()
            )
            .is_ok()
        );
    }

    #[test]
    fn the_count_explains_greedy_and_equal_shares() {
        let projects: Vec<(String, Fen)> = vec![
            ("路灯".into(), Fen::new(300_000)),
            ("座椅".into(), Fen::new(100_000)),
            ("花园".into(), Fen::new(100_000)),
            ("无人投".into(), Fen::new(50_000)),
        ];
        let ballots: Vec<Vec<Mark>> = vec![
            vec![(0, 1), (1, 1)],
            vec![(0, 1), (1, 1)],
            vec![(0, 1), (1, 1)],
            vec![(0, 1), (1, 1)],
            vec![(2, 1)],
        ];
        let form = BallotForm::ApproveK { k: 2 };
        let greedy = count(
            "t",
            Fen::new(400_000),
            form,
            &projects,
            &ballots,
            Rule::Greedy(crate::allocation::Satisfaction::Cost),
            rules::Limits::default(),
        )
        .unwrap();
        assert_eq!(greedy.projects[0].chosen, Some(1));
        assert_eq!(greedy.projects[1].chosen, Some(2));
        assert_eq!(greedy.projects[2].why, Why::DidNotFit { left: Fen::new(0) });
        assert_eq!(greedy.projects[3].why, Why::NoSupport);
        assert_eq!(greedy.spent, Fen::new(400_000));
        let mes = count(
            "t",
            Fen::new(400_000),
            form,
            &projects,
            &ballots,
            Rule::Mes(crate::allocation::Satisfaction::Cost, Completion::None),
            rules::Limits::default(),
        )
        .unwrap();
        // Each voter holds ¥800. The four share the lamps (¥750 each; the lamps tie with the
        // bench at ρ = 1/4 and have the smaller id); then the bench is too dear for their ¥50
        // each, and the fifth voter's ¥800 cannot buy the ¥1,000 garden alone.
        assert_eq!(
            mes.projects[0].why,
            Why::EqualShares {
                max_payment: Fen::new(75_000)
            }
        );
        assert_eq!(
            mes.projects[1].why,
            Why::SupportersRanOut {
                left: Fen::new(20_000)
            }
        );
        assert_eq!(
            mes.projects[2].why,
            Why::SupportersRanOut {
                left: Fen::new(80_000)
            }
        );
        assert_eq!(mes.spent, Fen::new(300_000));
    }
}
