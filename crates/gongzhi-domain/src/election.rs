//! Elections of council members by secret ballot, and the monthly meeting calendar.
//!
//! An election has a number of seats, a list of candidates and an electorate (the roll when voting
//! opened). A ballot names at most as many candidates as there are seats (a blank ballot is valid).
//! The count is pure: given the rule, the seats, the electorate size and the ballots, it says
//! whether the election is valid, how many votes each candidate got, who is elected and who is left
//! tied for the last seat. Arithmetic is exact integers, as for council votes.

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::DomainError;
pub use crate::threshold::Share;

/// When an election counts, and when a candidate is elected (the rulebook's `election.rule`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElectionRule {
    /// Ballots cast, as a share of the electorate, for the election to be valid.
    pub turnout: Share,
    /// Votes, as a share of the ballots cast, for a candidate to be elected.
    pub winner: Share,
}

impl ElectionRule {
    pub fn validate(&self) -> Result<(), DomainError> {
        self.turnout.validate()?;
        self.winner.validate()
    }
}

/// The kinds of election, as stored (see `lifecycle::ElectionKind`).
pub const ELECTION_KINDS: &[&str] =
    <crate::lifecycle::ElectionKind as crate::vocabulary::Vocabulary>::WORDS;

/// Where a ballot box (an election's, a residents' budget vote's) stands at an instant: taking
/// ballots until it closes, then closed and waiting for its count, then counted. Casting needs
/// `Voting`, counting and entering paper sheets `AwaitingCount`; pages show the same states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoxState {
    Voting,
    AwaitingCount,
    Counted,
}

impl BoxState {
    /// From the box's stored status (`open` until its count) and closing time.
    pub fn of(
        status: crate::lifecycle::BallotBoxStatus,
        closes_at: crate::time::Instant,
        now: crate::time::Instant,
    ) -> Self {
        let open = status == crate::lifecycle::BallotBoxStatus::Open;
        match (open, now < closes_at) {
            (false, _) => BoxState::Counted,
            (true, true) => BoxState::Voting,
            (true, false) => BoxState::AwaitingCount,
        }
    }

    /// The message id of the state for lists of votes (`election-state-…`).
    pub fn key(self) -> &'static str {
        match self {
            BoxState::Voting => "election-state-open",
            BoxState::AwaitingCount => "election-state-counting",
            BoxState::Counted => "election-state-closed",
        }
    }
}

/// Checks one ballot: known candidates, each at most once, no more than `seats` of them.
pub fn check_ballot<T: PartialEq>(
    choices: &[T],
    candidates: &[T],
    seats: u32,
) -> Result<(), DomainError> {
    if choices.len() > seats as usize {
        return Err(DomainError::field("ballot_too_many_choices", "choices")
            .arg("seats", seats)
            .arg("chosen", choices.len()));
    }
    for (i, c) in choices.iter().enumerate() {
        if !candidates.contains(c) {
            return Err(DomainError::field("ballot_unknown_candidate", "choices"));
        }
        if choices[..i].contains(c) {
            return Err(DomainError::field("ballot_duplicate_choice", "choices"));
        }
    }
    Ok(())
}

/// The outcome of a count, with what is needed to explain it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElectionCount<T> {
    pub electorate: u64,
    pub ballots: u64,
    /// Ballots needed for the election to be valid.
    pub min_ballots: u64,
    pub valid: bool,
    /// Votes needed to be elected.
    pub min_votes: u64,
    /// Every candidate with their votes, most votes first (ties in candidate order).
    pub votes: Vec<(T, u64)>,
    pub elected: Vec<T>,
    /// Candidates tied for the last seat(s): none of them is elected, and the seats stay vacant
    /// for a run-off or a by-election.
    pub tied: Vec<T>,
}

/// Counts the ballots. An invalid election (turnout below the rule) elects nobody. Candidates that
/// reach the winner share are elected by most votes until the seats are filled; when candidates
/// tied at the boundary would overfill the seats, none of the tied is elected.
pub fn count<T: Clone + PartialEq>(
    rule: &ElectionRule,
    seats: u32,
    electorate: u64,
    candidates: &[T],
    ballots: &[Vec<T>],
) -> ElectionCount<T> {
    let mut votes: Vec<(T, u64)> = candidates.iter().map(|c| (c.clone(), 0)).collect();
    for b in ballots {
        for choice in b {
            if let Some(v) = votes.iter_mut().find(|(c, _)| c == choice) {
                v.1 += 1;
            }
        }
    }
    // Stable: equal votes keep candidate order.
    votes.sort_by_key(|v| std::cmp::Reverse(v.1));
    let cast = ballots.len() as u64;
    let valid = rule.turnout.met(cast, electorate);
    let min_votes = rule.winner.min_part(cast).max(1);
    let mut elected = Vec::new();
    let mut tied = Vec::new();
    if valid {
        let qualified: Vec<&(T, u64)> = votes
            .iter()
            .filter(|(_, v)| rule.winner.met(*v, cast) && *v > 0)
            .collect();
        let seats = seats as usize;
        if qualified.len() <= seats {
            elected = qualified.iter().map(|(c, _)| c.clone()).collect();
        } else {
            let boundary = qualified[seats - 1].1;
            let above: Vec<_> = qualified.iter().filter(|(_, v)| *v > boundary).collect();
            let at: Vec<_> = qualified.iter().filter(|(_, v)| *v == boundary).collect();
            elected = above.iter().map(|(c, _)| c.clone()).collect();
            if above.len() + at.len() <= seats {
                elected.extend(at.iter().map(|(c, _)| c.clone()));
            } else {
                tied = at.iter().map(|(c, _)| c.clone()).collect();
            }
        }
    }
    ElectionCount {
        electorate,
        ballots: cast,
        min_ballots: rule.turnout.min_part(electorate),
        valid,
        min_votes,
        votes,
        elected,
        tied,
    }
}

/// A monthly meeting calendar: the same day each month (e.g. the 10th, as 北苑's council meets),
/// at a time of day. A day past a month's end falls on its last day (the 31st → 30 April).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonthlySchedule {
    pub day: u8,
    /// Minutes after midnight, Beijing time.
    pub minute_of_day: u16,
}

impl MonthlySchedule {
    pub fn validate(&self) -> Result<(), DomainError> {
        if !(1..=31).contains(&self.day) {
            return Err(DomainError::field("schedule_day_invalid", "day").arg("value", self.day));
        }
        if self.minute_of_day >= 24 * 60 {
            return Err(DomainError::field("schedule_time_invalid", "time"));
        }
        Ok(())
    }

    /// The next `count` meeting dates on or after `from`.
    pub fn dates(&self, from: Date, count: usize) -> Vec<Date> {
        let mut out = Vec::with_capacity(count);
        let (mut year, mut month) = (from.year(), from.month());
        while out.len() < count {
            let last = month.length(year);
            let day = self.day.min(last);
            if let Ok(d) = Date::from_calendar_date(year, month, day)
                && d >= from
            {
                out.push(d);
            }
            if month == Month::December {
                year += 1;
            }
            month = month.next();
            if year > from.year() + 100 {
                break;
            }
        }
        out
    }
}

/// Parses "HH:MM" into minutes after midnight.
pub fn parse_time_of_day(text: &str) -> Option<u16> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::threshold::Bound;
    use time::macros::date;

    fn majority() -> Share {
        Share {
            num: 1,
            den: 2,
            bound: Bound::MoreThan,
        }
    }

    fn rule() -> ElectionRule {
        ElectionRule {
            turnout: majority(),
            winner: majority(),
        }
    }

    #[test]
    fn the_most_votes_fill_the_seats() {
        let ballots = vec![
            vec!["a", "b"],
            vec!["a", "c"],
            vec!["a", "b"],
            vec!["b"],
            vec![],
        ];
        let r = count(&rule(), 2, 8, &["a", "b", "c"], &ballots);
        assert!(r.valid);
        assert_eq!(r.votes, vec![("a", 3), ("b", 3), ("c", 1)]);
        assert_eq!(r.elected, vec!["a", "b"]);
        assert_eq!(r.min_votes, 3);
    }

    #[test]
    fn a_turnout_at_half_is_not_more_than_half() {
        let ballots = vec![vec!["a"]; 4];
        let r = count(&rule(), 1, 8, &["a"], &ballots);
        assert!(!r.valid);
        assert!(r.elected.is_empty());
        assert_eq!(r.min_ballots, 5);
    }

    #[test]
    fn a_tie_for_the_last_seat_elects_neither() {
        // Half the ballots or more elects (以上): a 3, b 2, c 2 for two seats.
        let at_least_half = ElectionRule {
            winner: Share {
                num: 1,
                den: 2,
                bound: Bound::AtLeast,
            },
            ..rule()
        };
        let ballots = vec![vec!["a", "b"], vec!["a", "c"], vec!["b", "c"], vec!["a"]];
        let r = count(&at_least_half, 2, 4, &["a", "b", "c"], &ballots);
        assert_eq!(r.elected, vec!["a"]);
        assert_eq!(r.tied, vec!["b", "c"]);
    }

    #[test]
    fn below_the_winner_share_is_not_elected_even_with_seats_free() {
        let ballots = vec![vec!["a"], vec!["a"], vec!["a", "b"], vec![]];
        let r = count(&rule(), 2, 4, &["a", "b"], &ballots);
        assert_eq!(r.elected, vec!["a"]);
    }

    #[test]
    fn ballots_are_checked() {
        let cands = ["a", "b", "c"];
        assert!(check_ballot(&["a", "b"], &cands, 2).is_ok());
        assert!(check_ballot::<&str>(&[], &cands, 2).is_ok());
        let code = |r: Result<(), DomainError>| r.unwrap_err().code.0;
        assert_eq!(
            code(check_ballot(&["a", "b", "c"], &cands, 2)),
            "ballot_too_many_choices"
        );
        assert_eq!(
            code(check_ballot(&["a", "a"], &cands, 2)),
            "ballot_duplicate_choice"
        );
        assert_eq!(
            code(check_ballot(&["x"], &cands, 2)),
            "ballot_unknown_candidate"
        );
    }

    #[test]
    fn monthly_on_the_tenth_and_on_the_last_day() {
        let tenth = MonthlySchedule {
            day: 10,
            minute_of_day: 19 * 60,
        };
        assert_eq!(
            tenth.dates(date!(2026 - 11 - 24), 3),
            vec![
                date!(2026 - 12 - 10),
                date!(2027 - 01 - 10),
                date!(2027 - 02 - 10)
            ]
        );
        assert_eq!(
            tenth.dates(date!(2026 - 11 - 10), 1),
            vec![date!(2026 - 11 - 10)]
        );
        let end = MonthlySchedule {
            day: 31,
            minute_of_day: 0,
        };
        assert_eq!(
            end.dates(date!(2027 - 01 - 31), 3),
            vec![
                date!(2027 - 01 - 31),
                date!(2027 - 02 - 28),
                date!(2027 - 03 - 31)
            ]
        );
        assert_eq!(parse_time_of_day("19:30"), Some(1170));
        assert_eq!(parse_time_of_day("24:00"), None);
    }
}

#[cfg(test)]
mod box_state_tests {
    use super::BoxState;
    use crate::time::Instant;

    /// A box takes ballots until the instant it closes (not at it), then waits for its count
    /// until its status leaves `open`, whatever the clock says.
    #[test]
    fn a_box_votes_until_it_closes_then_waits_for_its_count() {
        let closes = Instant::from_micros(1_000);
        assert_eq!(
            BoxState::of(
                crate::lifecycle::BallotBoxStatus::Open,
                closes,
                Instant::from_micros(999)
            ),
            BoxState::Voting
        );
        assert_eq!(
            BoxState::of(
                crate::lifecycle::BallotBoxStatus::Open,
                closes,
                Instant::from_micros(1_000)
            ),
            BoxState::AwaitingCount
        );
        assert_eq!(
            BoxState::of(
                crate::lifecycle::BallotBoxStatus::Closed,
                closes,
                Instant::from_micros(5)
            ),
            BoxState::Counted
        );
        assert_eq!(BoxState::Counted.key(), "election-state-closed");
    }
}
