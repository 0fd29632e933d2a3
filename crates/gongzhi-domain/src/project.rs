//! Needs and projects: the needs ledger's statuses, a project's funding split, screening against
//! the rulebook's lists, the pipeline a project walks (its steps are data, pinned on the project
//! when it is proposed), and the allocation of a fund between approved projects.

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::lifecycle::MotionStatus;

/// Where a need was heard (the channels named in the seeds).
pub const NEED_CHANNELS: [&str; 6] = [
    "yard_meeting",  // 坝坝会
    "petition_drop", // 民情专递
    "evening_talk",  // 玉林夜话
    "home_visit",    // 家访
    "phone",
    "online",
];

/// A need's statuses, as stored (see `lifecycle::NeedStatus`).
pub const NEED_STATUSES: &[&str] =
    <crate::lifecycle::NeedStatus as crate::vocabulary::Vocabulary>::WORDS;

/// Whether a need may move from one status to another (`NeedStatus::may_move_to`), as the
/// refusal a command gives.
pub fn need_transition(
    from: crate::lifecycle::NeedStatus,
    to: crate::lifecycle::NeedStatus,
) -> Result<(), DomainError> {
    if from.may_move_to(to) {
        Ok(())
    } else {
        Err(DomainError::field("need_status_move_refused", "status")
            .arg("from", from)
            .arg("to", to))
    }
}

/// Why a project may not be put to its council again for `step`, given its decisions as (step,
/// motion status, whether an upheld objection sent the resolution back): a motion for the step
/// still open, or one passed whose resolution stands. A failed motion may be put again.
/// `table_project` refuses by it; the project page shows the tabling form by it.
pub fn tabling_refused<'a>(
    step: &str,
    decisions: impl IntoIterator<Item = (&'a str, MotionStatus, bool)>,
) -> Option<&'static str> {
    decisions
        .into_iter()
        .filter(|(s, _, _)| *s == step)
        .find_map(|(_, status, returned)| match status {
            MotionStatus::Open => Some("project_already_tabled"),
            MotionStatus::Passed if !returned => Some("project_step_already_decided"),
            _ => None,
        })
}

/// How a project is paid for, in fen: from the fund, co-funded by residents (自筹), and from
/// other sources (a donor, a party unit, a company claiming the project).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundingSplit {
    pub total: i64,
    pub fund: i64,
    pub cofunding: i64,
    pub other: i64,
}

impl FundingSplit {
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.total <= 0 {
            return Err(DomainError::field("amount_not_positive", "total"));
        }
        if self.fund < 0 || self.cofunding < 0 || self.other < 0 {
            return Err(DomainError::field("amount_not_positive", "fund"));
        }
        let sum = self
            .fund
            .checked_add(self.cofunding)
            .and_then(|s| s.checked_add(self.other));
        if sum != Some(self.total) {
            return Err(DomainError::field("funding_split_mismatch", "total")
                .arg("total", crate::Fen::new(self.total))
                .arg("sum", crate::Fen::new(sum.unwrap_or(i64::MAX))));
        }
        Ok(())
    }
}

/// One entry of a list (清单): a category code, its names, what the rule says, and words that
/// betray it in a proposal's title or scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListEntry {
    pub category: String,
    pub zh: String,
    pub en: String,
    #[serde(default)]
    pub words: Vec<String>,
}

/// The priority list and the prohibited list (三个清单, rule `project.lists`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lists {
    pub priority: Vec<ListEntry>,
    pub prohibited: Vec<ListEntry>,
}

impl Lists {
    pub fn validate(&self) -> Result<(), DomainError> {
        let mut seen = Vec::new();
        for e in self.priority.iter().chain(&self.prohibited) {
            let ok = !e.category.is_empty()
                && e.category
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
                && !e.zh.trim().is_empty()
                && !e.en.trim().is_empty()
                && e.words.iter().all(|w| !w.trim().is_empty());
            if !ok || seen.contains(&e.category.as_str()) {
                return Err(
                    DomainError::field("rule_out_of_range", "value").arg("key", "project.lists")
                );
            }
            seen.push(e.category.as_str());
        }
        Ok(())
    }

    /// The categories a proposal may choose: the priority list's, and `other`.
    pub fn categories(&self) -> impl Iterator<Item = &ListEntry> {
        self.priority.iter()
    }
}

/// What screening found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Screening {
    /// The prohibited entries hit, each with the word (or the category) that hit it.
    pub prohibited: Vec<(String, String)>,
    /// The priority entry the project's category is on, if any.
    pub priority: Option<String>,
}

impl Screening {
    pub fn passed(&self) -> bool {
        self.prohibited.is_empty()
    }
}

/// Screens a proposal against the lists: its category, and the words of every prohibited entry
/// in its title and scope.
pub fn screen(lists: &Lists, category: &str, texts: &[&str]) -> Screening {
    let mut prohibited = Vec::new();
    for e in &lists.prohibited {
        if e.category == category {
            prohibited.push((e.category.clone(), e.category.clone()));
            continue;
        }
        if let Some(w) = e
            .words
            .iter()
            .find(|w| texts.iter().any(|t| t.contains(w.as_str())))
        {
            prohibited.push((e.category.clone(), w.clone()));
        }
    }
    Screening {
        prohibited,
        priority: lists
            .priority
            .iter()
            .find(|e| e.category == category)
            .map(|e| e.category.clone()),
    }
}

/// What a step is; the app knows how to carry out and check each kind. Which steps a project
/// walks, in which order and with which parameters, is the rulebook's `project.pipeline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// The party organisation or the community office checks the proposal against the lists.
    Screening,
    /// A council votes on the project; its resolution must be in force (its notice over).
    CouncilDecision,
    /// The street office files (备案) the decision.
    Filing,
    /// The fund's money is reserved for the project (an allocation round).
    Allocation,
    /// Self-implementation, comparison of quotes (比选), a public call, or a claim.
    ImplementerSelection,
    /// Works or services under way; progress updates with photos.
    Implementation,
    /// A panel scores the project halfway.
    MidtermReview,
    /// A panel of council members, supervisors and residents accepts the work (验收).
    Acceptance,
    /// The budget is closed and what was not spent returns to the fund.
    CloseOut,
    /// The project's accounts are disclosed.
    Disclosure,
    /// The residents of the place rate the project within a window.
    Rating,
}

impl StepKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Screening => "screening",
            StepKind::CouncilDecision => "council_decision",
            StepKind::Filing => "filing",
            StepKind::Allocation => "allocation",
            StepKind::ImplementerSelection => "implementer_selection",
            StepKind::Implementation => "implementation",
            StepKind::MidtermReview => "midterm_review",
            StepKind::Acceptance => "acceptance",
            StepKind::CloseOut => "close_out",
            StepKind::Disclosure => "disclosure",
            StepKind::Rating => "rating",
        }
    }
}

/// Which council decides at a council step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CouncilAt {
    /// The council nearest the project's place (a courtyard's or resident group's council). When
    /// that is the community's own council, the step does not apply and is skipped.
    Nearest,
    /// The community's council (the roadshow).
    Community,
}

/// One step of the pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// A name for this step, unique in the pipeline (`group_resolution`, `roadshow`…).
    pub id: String,
    pub kind: StepKind,
    /// For a council decision: which council.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub council: Option<CouncilAt>,
    /// For a council decision: a roadshow (the project is presented with its budget, co-funding
    /// source and residents' opinions).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub roadshow: bool,
    /// For a council decision: whether its resolution is posted for objections first (the
    /// rulebook's `notice.period`). Defaults to yes.
    #[serde(default = "yes", skip_serializing_if = "Clone::clone")]
    pub notice: bool,
    /// For implementer selection: how many quotes a comparison needs (比选).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_quotes: Option<u32>,
    /// For a rating: how many days residents have to rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
}

impl Step {
    /// How many quotes a comparison at this step needs: its own number, else three (the usual
    /// 比选 of three suppliers).
    pub fn quotes_needed(&self) -> u32 {
        self.min_quotes.unwrap_or(3)
    }
}

fn yes() -> bool {
    true
}

/// The pipeline (rule `project.pipeline`): the steps every project walks, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pipeline {
    pub steps: Vec<Step>,
}

impl Pipeline {
    /// A pipeline must be walkable: unique step names, at least one council decision before the
    /// money is allocated, and the money steps in their natural order (allocation → implementer
    /// → implementation → acceptance → close-out), each exactly once; a rating, if any, last.
    pub fn validate(&self) -> Result<(), DomainError> {
        let bad =
            |why: &str| DomainError::field("pipeline_invalid", "value").arg("why", why.to_string());
        for (i, s) in self.steps.iter().enumerate() {
            let name_ok = !s.id.is_empty()
                && s.id.len() <= 40
                && s.id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit());
            if !name_ok || self.steps[..i].iter().any(|o| o.id == s.id) {
                return Err(bad("step ids must be unique snake_case names"));
            }
            match s.kind {
                StepKind::CouncilDecision if s.council.is_none() => {
                    return Err(bad("a council decision names its council"));
                }
                StepKind::ImplementerSelection if s.min_quotes.is_some_and(|n| n == 0) => {
                    return Err(bad("min_quotes must be at least 1"));
                }
                StepKind::Rating if s.days.is_none_or(|d| d == 0 || d > 366) => {
                    return Err(bad("a rating window is 1 to 366 days"));
                }
                _ => {}
            }
        }
        let order = [
            StepKind::Allocation,
            StepKind::ImplementerSelection,
            StepKind::Implementation,
            StepKind::Acceptance,
            StepKind::CloseOut,
        ];
        let mut last = None;
        for kind in order {
            let at: Vec<usize> = self.positions(kind);
            if at.len() != 1 {
                return Err(bad(&format!("{} must appear exactly once", kind.as_str())));
            }
            if last.is_some_and(|l| at[0] < l) {
                return Err(bad(
                    "allocation, implementer, implementation, acceptance and close-out must come in that order",
                ));
            }
            last = Some(at[0]);
        }
        let allocation = self.positions(StepKind::Allocation)[0];
        if !self.steps[..allocation]
            .iter()
            .any(|s| s.kind == StepKind::CouncilDecision)
        {
            return Err(bad("a council must decide before money is allocated"));
        }
        if let Some(r) = self.positions(StepKind::Rating).first()
            && *r != self.steps.len() - 1
        {
            return Err(bad("the rating comes last"));
        }
        Ok(())
    }

    fn positions(&self, kind: StepKind) -> Vec<usize> {
        self.steps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind == kind)
            .map(|(i, _)| i)
            .collect()
    }

    /// The step at `index` if `named` is it: a project moves only to its next step.
    pub fn expect(&self, index: usize, named: &str) -> Result<&Step, DomainError> {
        match self.steps.get(index) {
            Some(s) if s.id == named => Ok(s),
            Some(s) => Err(DomainError::field("project_step_out_of_order", "step")
                .arg("expected", &s.id)
                .arg("given", named)),
            None => Err(DomainError::field("project_finished", "step")),
        }
    }

    pub fn index_of(&self, kind: StepKind) -> Option<usize> {
        self.steps.iter().position(|s| s.kind == kind)
    }
}

/// How the fund is shared when the approved projects cost more than it holds (rule
/// `allocation.rule`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AllocationRule {
    /// Most yes-votes first, ties broken by earlier submission; a project that does not fit is
    /// passed over and the next one tried (greedy, as pabutools' `greedy_utilitarian_welfare`
    /// with approval satisfaction).
    GreedyVotes,
    /// The council's ranking (1 first), ties by earlier submission; the same passing over.
    CouncilRanking,
    /// The Method of Equal Shares over the council's yes votes, completed by votes: each member
    /// who voted yes on a project approves it, every member holds an equal share of the fund,
    /// and a project is funded when its supporters' shares can pay for it (pabutools'
    /// `mes_cost_then_greedy_cost`). Proportional: a minority's projects get their share.
    EqualShares,
}

/// A project competing for the fund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate<K> {
    pub key: K,
    /// What the fund must pay (the fund share of the project).
    pub cost: i64,
    pub yes_votes: u32,
    pub rank: Option<u32>,
    pub submitted_at: i64,
}

/// Why a candidate was or was not funded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome<K> {
    pub key: K,
    /// 1-based position in the rule's order.
    pub position: usize,
    pub funded: bool,
    /// What was left in the fund when this project's turn came.
    pub available_before: i64,
}

/// Funds candidates in the rule's order while money remains, passing over those that no longer
/// fit. Exact in fen; deterministic (ties end on the submission instant, then on the input order).
///
/// `approvals` lists, for each council member, the candidates (by index) they voted yes on; only
/// equal shares reads it.
pub fn allocate<K: Clone>(
    rule: AllocationRule,
    available: i64,
    candidates: &[Candidate<K>],
    approvals: &[Vec<usize>],
) -> Vec<Outcome<K>> {
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&candidates[a], &candidates[b]);
        let primary = match rule {
            AllocationRule::GreedyVotes | AllocationRule::EqualShares => {
                y.yes_votes.cmp(&x.yes_votes)
            }
            AllocationRule::CouncilRanking => {
                x.rank.unwrap_or(u32::MAX).cmp(&y.rank.unwrap_or(u32::MAX))
            }
        };
        primary
            .then(x.submitted_at.cmp(&y.submitted_at))
            .then(a.cmp(&b))
    });
    if rule == AllocationRule::EqualShares {
        // Chosen projects in the order equal shares chose them, then the rest by votes.
        let chosen = equal_shares_order(available, candidates, approvals);
        order.retain(|c| !chosen.contains(c));
        let mut all = chosen;
        all.extend(order);
        order = all;
    }
    let mut left = available;
    order
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let cand = &candidates[c];
            let funded = cand.cost <= left;
            let before = left;
            if funded {
                left -= cand.cost;
            }
            Outcome {
                key: cand.key.clone(),
                position: i + 1,
                funded,
                available_before: before,
            }
        })
        .collect()
}

/// The candidates equal shares funds, in the order it funds them. Projects are numbered by their
/// place in `candidates` (so ties between equally good projects go to the earlier one).
fn equal_shares_order<K>(
    available: i64,
    candidates: &[Candidate<K>],
    approvals: &[Vec<usize>],
) -> Vec<usize> {
    use crate::allocation::rules::{self, Completion, Rule};
    use crate::allocation::{Decimal, Election, Project, Satisfaction, VoteType};
    let fen = |f: i64| Decimal::from_scaled(i128::from(f), 2);
    let mut election = Election::default();
    election.vote_type = Some(VoteType::Approval);
    election.budget = fen(available.max(0));
    // Zero-padded ids compare by code point in candidate order.
    election.projects = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| Project {
            id: format!("{i:06}"),
            cost: fen(c.cost.max(0)),
            fields: Vec::new(),
        })
        .collect();
    for (m, ballot) in approvals.iter().enumerate() {
        let projects: Vec<u32> = ballot.iter().map(|&c| c as u32).collect();
        election.push_voter(&format!("m{m}"), &projects, &[], []);
    }
    let rule = Rule::Mes(Satisfaction::Cost, Completion::Greedy);
    match rules::run(&election, rule) {
        Ok(outcome) => outcome.selection_order,
        Err(_) => Vec::new(),
    }
}

/// How a project means to be carried out.
pub const IMPLEMENTER_PLANS: [&str; 4] = ["self", "quotes", "call", "claim"];

/// Who may claim a project (项目认领).
pub const CLAIMANT_KINDS: [&str; 5] = [
    "social_org",
    "party_unit",
    "company",
    "volunteer_team",
    "resident_group",
];

/// The roles a member of a review or acceptance panel may have.
pub const PANEL_ROLES: [&str; 5] = [
    "council_member",
    "supervisor",
    "resident_rep",
    "expert",
    "staff",
];

/// A member of a review or acceptance panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelMember {
    pub name: String,
    /// One of [`PANEL_ROLES`].
    pub role: String,
    /// A mid-term review's score, 0 to 100.
    #[serde(default)]
    pub score: Option<i64>,
}

impl PanelMember {
    /// The member as public pages show them: council members, supervisors, staff and experts act
    /// in an office or a profession and are named in full; a resident representative is a
    /// private person, masked (田*余).
    pub fn public(mut self) -> Self {
        if self.role == "resident_rep" {
            self.name = crate::person::mask_name(&self.name);
        }
        self
    }
}

/// Checks a panel: an acceptance needs council members, supervisors and resident
/// representatives; a mid-term review at least a supervisor and a score (0–100) from everyone.
/// Returns the mid-term review's mean score, rounded down.
pub fn check_panel(kind: StepKind, panel: &[PanelMember]) -> Result<Option<i64>, DomainError> {
    if panel.is_empty() || panel.len() > 30 {
        return Err(DomainError::field("panel_size_invalid", "panel"));
    }
    for m in panel {
        let name = m.name.trim();
        if name.is_empty() || name.chars().count() > 40 {
            return Err(DomainError::field("text_length_invalid", "panel"));
        }
        if !PANEL_ROLES.contains(&m.role.as_str()) {
            return Err(DomainError::field("panel_role_unknown", "panel").arg("value", &m.role));
        }
        if m.score.is_some_and(|s| !(0..=100).contains(&s)) {
            return Err(DomainError::field("panel_score_out_of_range", "panel"));
        }
    }
    let needed: &[&str] = if kind == StepKind::Acceptance {
        &["council_member", "supervisor", "resident_rep"]
    } else {
        &["supervisor"]
    };
    let missing: Vec<&str> = needed
        .iter()
        .filter(|r| !panel.iter().any(|m| m.role == **r))
        .copied()
        .collect();
    if !missing.is_empty() {
        return Err(
            DomainError::field("panel_incomplete", "panel").arg("missing", missing.join(", "))
        );
    }
    if kind != StepKind::MidtermReview {
        return Ok(None);
    }
    let scores: Vec<i64> = panel.iter().filter_map(|m| m.score).collect();
    if scores.len() != panel.len() {
        return Err(DomainError::field("panel_score_missing", "panel"));
    }
    Ok(Some(scores.iter().sum::<i64>() / scores.len() as i64))
}

/// Whether a rating window `[from, until)` (µs) is open at `now`.
pub fn rating_open(from: Option<i64>, until: Option<i64>, now: i64) -> bool {
    from.is_some_and(|f| f <= now) && until.is_some_and(|u| now < u)
}

/// A satisfaction score, 1 to 5.
pub fn check_score(score: i64) -> Result<(), DomainError> {
    if (1..=5).contains(&score) {
        Ok(())
    } else {
        Err(DomainError::field("rating_score_out_of_range", "score"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rulebook::{RuleValue, parse_value, spec};

    fn default_pipeline() -> Pipeline {
        match parse_value(
            "project.pipeline",
            spec("project.pipeline").unwrap().default,
        )
        .unwrap()
        {
            RuleValue::Pipeline(p) => p,
            _ => unreachable!(),
        }
    }

    #[test]
    fn default_pipeline_follows_seed_002() {
        let p = default_pipeline();
        let ids: Vec<&str> = p.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "screening",
                "group_resolution",
                "roadshow",
                "allocation",
                "implementer",
                "implementation",
                "acceptance",
                "close_out",
                "disclosure",
                "rating"
            ]
        );
        assert!(p.expect(0, "screening").is_ok());
        let e = p.expect(1, "roadshow").unwrap_err();
        assert_eq!(e.code.0, "project_step_out_of_order");
        assert!(e.args.contains(&("expected", "group_resolution".into())));
        assert_eq!(
            p.expect(10, "rating").unwrap_err().code.0,
            "project_finished"
        );
    }

    #[test]
    fn unwalkable_pipelines_are_refused() {
        let mut p = default_pipeline();
        p.steps.retain(|s| s.kind != StepKind::CouncilDecision);
        assert_eq!(p.validate().unwrap_err().code.0, "pipeline_invalid");
        let mut p = default_pipeline();
        p.steps.swap(3, 4);
        assert!(p.validate().is_err());
        let mut p = default_pipeline();
        p.steps[2].id = "screening".into();
        assert!(p.validate().is_err());
        let mut p = default_pipeline();
        let rating = p.steps.pop().unwrap();
        p.steps.insert(5, rating);
        assert!(p.validate().is_err());
    }

    #[test]
    fn funding_split_must_add_up() {
        let ok = FundingSplit {
            total: 36_000_00,
            fund: 18_000_00,
            cofunding: 18_000_00,
            other: 0,
        };
        assert!(ok.validate().is_ok());
        let e = FundingSplit {
            cofunding: 17_000_00,
            ..ok
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.code.0, "funding_split_mismatch");
        assert!(e.args.contains(&("sum", "¥35,000.00".into())), "{e:?}");
        assert!(FundingSplit { fund: -1, ..ok }.validate().is_err());
        assert!(
            FundingSplit {
                fund: i64::MAX,
                cofunding: 1,
                ..ok
            }
            .validate()
            .is_err()
        );
    }

    #[test]
    fn screening_names_the_prohibited_entry_and_the_word() {
        let lists =
            match parse_value("project.lists", spec("project.lists").unwrap().default).unwrap() {
                RuleValue::Lists(l) => l,
                _ => unreachable!(),
            };
        let s = screen(&lists, "environment", &["院落改造", "补交拖欠的物业费"]);
        assert!(!s.passed());
        assert_eq!(s.prohibited[0].0, "private_costs");
        assert_eq!(s.prohibited[0].1, "物业费");
        assert_eq!(s.priority.as_deref(), Some("environment"));
        let s = screen(&lists, "environment", &["院落改造：路灯、围墙、车棚"]);
        assert!(s.passed());
        let s = screen(&lists, "staff_pay", &["社区活动"]);
        assert_eq!(s.prohibited[0].0, "staff_pay");
    }

    fn member(role: &str, score: Option<i64>) -> PanelMember {
        PanelMember {
            name: "田大山".into(),
            role: role.into(),
            score,
        }
    }

    #[test]
    fn resident_representatives_are_masked_office_holders_named() {
        assert_eq!(member("resident_rep", None).public().name, "田*山");
        for role in ["council_member", "supervisor", "staff", "expert"] {
            assert_eq!(member(role, None).public().name, "田大山", "{role}");
        }
    }

    #[test]
    fn panels_need_their_roles_and_a_review_needs_every_score() {
        let acceptance = [
            member("council_member", None),
            member("supervisor", None),
            member("resident_rep", None),
        ];
        assert_eq!(check_panel(StepKind::Acceptance, &acceptance), Ok(None));
        let e = check_panel(StepKind::Acceptance, &acceptance[..2]).unwrap_err();
        assert_eq!(e.code.0, "panel_incomplete");
        assert!(e.args.contains(&("missing", "resident_rep".into())));
        let review = [member("supervisor", Some(80)), member("expert", Some(91))];
        assert_eq!(check_panel(StepKind::MidtermReview, &review), Ok(Some(85)));
        let e = check_panel(StepKind::MidtermReview, &[member("supervisor", None)]).unwrap_err();
        assert_eq!(e.code.0, "panel_score_missing");
        let e = check_panel(StepKind::MidtermReview, &[member("mayor", Some(1))]).unwrap_err();
        assert_eq!(e.code.0, "panel_role_unknown");
        assert!(rating_open(Some(10), Some(20), 10) && !rating_open(Some(10), Some(20), 20));
        assert!(!rating_open(None, Some(20), 15));
    }

    #[test]
    fn needs_move_only_forward() {
        let w = |s: &str| s.parse::<crate::lifecycle::NeedStatus>().unwrap();
        assert!(need_transition(w("new"), w("in_project")).is_ok());
        assert!(need_transition(w("in_project"), w("resolved")).is_ok());
        assert!(need_transition(w("in_project"), w("assigned")).is_ok());
        assert!(need_transition(w("resolved"), w("new")).is_err());
        assert!(need_transition(w("merged"), w("assigned")).is_err());
        assert!(need_transition(w("in_project"), w("declined")).is_err());
    }

    fn cand(key: &'static str, cost: i64, yes: u32, at: i64) -> Candidate<&'static str> {
        Candidate {
            key,
            cost,
            yes_votes: yes,
            rank: None,
            submitted_at: at,
        }
    }

    #[test]
    fn greedy_by_votes_passes_over_what_no_longer_fits() {
        let c = [
            cand("a", 60, 20, 3),
            cand("b", 50, 30, 2),
            cand("c", 30, 20, 1),
            cand("d", 10, 5, 0),
        ];
        let out = allocate(AllocationRule::GreedyVotes, 100, &c, &[]);
        let funded: Vec<&str> = out.iter().filter(|o| o.funded).map(|o| o.key).collect();
        // b (30 votes) first; then c before a (same votes, earlier); a no longer fits; d fits.
        assert_eq!(funded, ["b", "c", "d"]);
        let a = out.iter().find(|o| o.key == "a").unwrap();
        assert_eq!((a.position, a.available_before), (3, 20));
    }

    #[test]
    fn council_ranking_orders_by_rank() {
        let mut c = [cand("a", 60, 0, 0), cand("b", 50, 0, 0)];
        c[0].rank = Some(2);
        c[1].rank = Some(1);
        let out = allocate(AllocationRule::CouncilRanking, 100, &c, &[]);
        assert_eq!(out[0].key, "b");
        assert!(out[0].funded && !out[1].funded);
    }

    /// Two members back three projects, the third member one of her own; the fund pays for
    /// three. By votes the majority takes all three; by equal shares the minority's project is
    /// funded with her third of the fund.
    #[test]
    fn equal_shares_funds_the_minoritys_project() {
        let cand = |key: &'static str, yes| Candidate {
            key,
            cost: 40,
            yes_votes: yes,
            rank: None,
            submitted_at: 0,
        };
        let c = [cand("a", 2), cand("b", 2), cand("c", 2), cand("d", 1)];
        let approvals = [vec![0, 1, 2], vec![0, 1, 2], vec![3]];
        let funded = |rule| -> Vec<&str> {
            allocate(rule, 120, &c, &approvals)
                .into_iter()
                .filter(|o| o.funded)
                .map(|o| o.key)
                .collect()
        };
        assert_eq!(funded(AllocationRule::GreedyVotes), ["a", "b", "c"]);
        assert_eq!(funded(AllocationRule::EqualShares), ["a", "b", "d"]);
    }
}
