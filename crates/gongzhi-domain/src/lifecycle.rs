//! Where each record stands in its life, and the kinds of record whose rules differ: one enum per
//! stored status or kind, with the questions commands and pages ask of it. A command refuses on
//! the same predicate a page uses to decide whether to show the form.

use crate::time::Instant;
use crate::vocabulary;

vocabulary! {
    /// A council meeting: scheduled, in session, closed with its minutes.
    pub enum MeetingStatus("status") {
        Scheduled = "scheduled",
        Open = "open",
        Closed = "closed",
    }
}

impl MeetingStatus {
    /// Motions may be tabled in a meeting, and votes recorded for others, until it closes.
    pub fn is_closed(self) -> bool {
        self == MeetingStatus::Closed
    }
}

vocabulary! {
    /// A motion before a council: open for votes, then passed or failed when closed.
    pub enum MotionStatus("status") {
        Open = "open",
        Passed = "passed",
        Failed = "failed",
    }
}

impl MotionStatus {
    pub fn is_open(self) -> bool {
        self == MotionStatus::Open
    }

    /// The status a motion closes with.
    pub fn closed(passed: bool) -> Self {
        if passed {
            MotionStatus::Passed
        } else {
            MotionStatus::Failed
        }
    }
}

vocabulary! {
    /// A budget drawn from a fund: open for pledges and expenses, then closed.
    pub enum BudgetStatus("status") {
        Open = "open",
        Closed = "closed",
    }
}

impl BudgetStatus {
    pub fn is_open(self) -> bool {
        self == BudgetStatus::Open
    }
}

vocabulary! {
    /// An expense: its money held while the sign-off chain signs, approved, then posted (paid),
    /// rejected or expired (the hold lapsed unsigned).
    pub enum ExpenseStatus("status") {
        Held = "held",
        Approved = "approved",
        Posted = "posted",
        Rejected = "rejected",
        Expired = "expired",
    }
}

impl ExpenseStatus {
    /// Its money is still held on the budget: waiting for signatures or for payment.
    pub fn holds_money(self) -> bool {
        matches!(self, ExpenseStatus::Held | ExpenseStatus::Approved)
    }

    /// The hold has run out at `now` but has not yet been swept (released by the system).
    pub fn is_lapsed(self, expires_at: Instant, now: Instant) -> bool {
        self.holds_money() && expires_at < now
    }

    /// Settled without paying: the money went back to the budget.
    pub fn is_refused(self) -> bool {
        matches!(self, ExpenseStatus::Rejected | ExpenseStatus::Expired)
    }
}

vocabulary! {
    /// A need in the needs ledger, from new to resolved or declined.
    pub enum NeedStatus("status") {
        New = "new",
        Assigned = "assigned",
        InProject = "in_project",
        Resolved = "resolved",
        Declined = "declined",
        Merged = "merged",
    }
}

impl NeedStatus {
    /// Waiting for an answer from the community (new or assigned): the reply clock runs.
    pub fn awaits_answer(self) -> bool {
        matches!(self, NeedStatus::New | NeedStatus::Assigned)
    }

    /// Resolved, declined or merged: nothing more happens to it.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            NeedStatus::Resolved | NeedStatus::Declined | NeedStatus::Merged
        )
    }

    /// Past its reply date (`YYYY-MM-DD`, compared as text) while still waiting for an answer.
    pub fn is_overdue(self, reply_due: &str, today: &str) -> bool {
        self.awaits_answer() && reply_due < today
    }

    /// Whether a need may move from this status to `to`. Closed needs stay closed; a need taken
    /// into a project goes back to `assigned` if the project is declined.
    pub fn may_move_to(self, to: NeedStatus) -> bool {
        use NeedStatus::*;
        match self {
            New | Assigned => matches!(to, Assigned | InProject | Resolved | Declined | Merged),
            InProject => matches!(to, Resolved | Assigned),
            Resolved | Declined | Merged => false,
        }
    }
}

vocabulary! {
    /// A project walking its pipeline: active, then done or declined.
    pub enum ProjectStatus("status") {
        Active = "active",
        Done = "done",
        Declined = "declined",
    }
}

impl ProjectStatus {
    pub fn is_active(self) -> bool {
        self == ProjectStatus::Active
    }
}

vocabulary! {
    /// An offer to take part in a project (认领): offered, then accepted by staff.
    pub enum ClaimStatus("status") {
        Offered = "offered",
        Accepted = "accepted",
    }
}

vocabulary! {
    /// A ballot box (an election's, a residents' budget vote's): open until counted, then closed.
    /// Whether it still takes ballots also depends on the clock: see `election::BoxState`.
    pub enum BallotBoxStatus("status") {
        Open = "open",
        Closed = "closed",
    }
}

vocabulary! {
    /// A call for proposals (a government purchase): open, then awarded or failed.
    pub enum CallStatus("status") {
        Open = "open",
        Awarded = "awarded",
        Failed = "failed",
    }
}

impl CallStatus {
    /// Bids are taken while the call is open and before it closes.
    pub fn accepts_bids(self, closes_at: Instant, now: Instant) -> bool {
        self == CallStatus::Open && now < closes_at
    }

    /// Closed for bids, not yet decided: a panel may score and the buyer decide.
    pub fn awaits_decision(self, closes_at: Instant, now: Instant) -> bool {
        self == CallStatus::Open && now >= closes_at
    }
}

vocabulary! {
    /// A contract from an awarded call: active while delivered and paid, then completed.
    pub enum ContractStatus("status") {
        Active = "active",
        Completed = "completed",
    }
}

impl ContractStatus {
    pub fn is_active(self) -> bool {
        self == ContractStatus::Active
    }
}

vocabulary! {
    /// What a council is: a residents' council (议事会) that deliberates and votes, or a
    /// supervisory board (监委会) that signs money and is not bound by the council's motions.
    pub enum CouncilKind("kind") {
        Council = "council",
        SupervisoryBoard = "supervisory_board",
    }
}

vocabulary! {
    /// The kinds of election: a general election fills the council for a term; a by-election
    /// (补选) fills vacant seats for the rest of the term.
    pub enum ElectionKind("kind") {
        General = "general",
        ByElection = "by_election",
    }
}

vocabulary! {
    /// A line of a contract: something delivered, or a milestone that releases a payment.
    pub enum ItemKind("kind") {
        Deliverable = "deliverable",
        Milestone = "milestone",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::Vocabulary;

    fn round_trips<V: Vocabulary + std::str::FromStr + serde::Serialize>() {
        assert_eq!(V::ALL.len(), V::WORDS.len());
        for (m, w) in V::ALL.iter().zip(V::WORDS) {
            assert_eq!(m.as_str(), *w);
            assert_eq!(V::parse(w), Some(*m));
            assert_eq!(serde_json::to_string(m).unwrap(), format!("\"{w}\""), "{w}");
        }
        assert_eq!(V::parse("no-such-word"), None);
        assert!("no-such-word".parse::<V>().is_err());
    }

    #[test]
    fn every_vocabulary_round_trips_through_its_stored_word() {
        round_trips::<MeetingStatus>();
        round_trips::<MotionStatus>();
        round_trips::<BudgetStatus>();
        round_trips::<ExpenseStatus>();
        round_trips::<NeedStatus>();
        round_trips::<ProjectStatus>();
        round_trips::<ClaimStatus>();
        round_trips::<BallotBoxStatus>();
        round_trips::<CallStatus>();
        round_trips::<ContractStatus>();
        round_trips::<CouncilKind>();
        round_trips::<ElectionKind>();
        round_trips::<ItemKind>();
    }

    #[test]
    fn an_unknown_word_names_the_words_allowed() {
        let err = "paid".parse::<ExpenseStatus>().unwrap_err();
        assert_eq!(err.code.0, "unknown_word");
        let allowed = err.args.iter().find(|(k, _)| *k == "allowed").unwrap();
        assert!(allowed.1.contains("held") && allowed.1.contains("expired"));
        let back: Result<NeedStatus, _> = serde_json::from_str("\"in_project\"");
        assert_eq!(back.unwrap(), NeedStatus::InProject);
        assert!(serde_json::from_str::<NeedStatus>("\"lost\"").is_err());
    }

    #[test]
    fn a_call_takes_bids_until_it_closes_then_awaits_its_decision() {
        let closes = Instant::from_micros(1_000);
        for s in CallStatus::ALL.iter().copied() {
            let before = s.accepts_bids(closes, Instant::from_micros(999));
            let at = s.awaits_decision(closes, Instant::from_micros(1_000));
            assert_eq!(before, s == CallStatus::Open);
            assert_eq!(at, s == CallStatus::Open);
            assert!(!s.accepts_bids(closes, Instant::from_micros(1_000)));
            assert!(!s.awaits_decision(closes, Instant::from_micros(999)));
        }
    }

    #[test]
    fn only_a_held_or_approved_expense_can_lapse() {
        let expires = Instant::from_micros(10);
        for s in ExpenseStatus::ALL.iter().copied() {
            assert!(
                !s.is_lapsed(expires, Instant::from_micros(10)),
                "{s} at the deadline"
            );
            assert_eq!(
                s.is_lapsed(expires, Instant::from_micros(11)),
                s.holds_money(),
                "{s}"
            );
        }
    }

    #[test]
    fn closed_needs_stay_closed_and_open_ones_wait_for_an_answer() {
        for from in NeedStatus::ALL.iter().copied() {
            assert_eq!(
                from.is_closed(),
                !from.awaits_answer() && from != NeedStatus::InProject
            );
            for to in NeedStatus::ALL.iter().copied() {
                if from.is_closed() {
                    assert!(!from.may_move_to(to), "{from} → {to}");
                }
            }
        }
        assert!(NeedStatus::InProject.may_move_to(NeedStatus::Assigned));
        assert!(!NeedStatus::InProject.may_move_to(NeedStatus::Declined));
        assert!(NeedStatus::New.is_overdue("2026-01-01", "2026-01-02"));
        assert!(!NeedStatus::Resolved.is_overdue("2026-01-01", "2026-01-02"));
        assert!(!NeedStatus::New.is_overdue("2026-01-02", "2026-01-02"));
    }
}
