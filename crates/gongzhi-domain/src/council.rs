//! Councils' decisions: quorum, tallies with recusals, resolution numbers, and the public-notice
//! window with its effect computed from the clock (no scheduled job is needed for correctness).

use serde::{Deserialize, Serialize};
use time::Duration;

use crate::DomainError;
use crate::rulebook::{Calendar, NoticePeriod};
use crate::threshold::{Counts, Threshold};
use crate::time::{CHINA, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    Yes,
    No,
    Abstain,
}

impl Choice {
    pub fn parse(text: &str) -> Result<Choice, DomainError> {
        match text {
            "yes" => Ok(Choice::Yes),
            "no" => Ok(Choice::No),
            "abstain" => Ok(Choice::Abstain),
            _ => Err(DomainError::field("vote_choice_invalid", "choice").arg("value", text)),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Choice::Yes => "yes",
            Choice::No => "no",
            Choice::Abstain => "abstain",
        }
    }
}

/// Whether enough seated members are present to vote at all.
pub fn quorum_met(quorum: &Threshold, present: u32, seated: u32) -> bool {
    quorum.share().met(u64::from(present), u64::from(seated))
}

/// The result of a vote, with everything needed to explain it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub counts: Counts,
    pub abstain: u32,
    pub recused: u32,
    pub base: u32,
    pub min_yes: u32,
    pub passed: bool,
}

/// Tallies roll-call votes. `seated` and `present` count every voting member; recused members'
/// votes are not counted, and they leave the base when `recused_in_base` is false.
pub fn tally(
    threshold: &Threshold,
    choices: &[Choice],
    seated: u32,
    present: u32,
    recused: u32,
    recused_in_base: bool,
) -> Tally {
    let count =
        |c: Choice| u32::try_from(choices.iter().filter(|x| **x == c).count()).unwrap_or(u32::MAX);
    let (seated, present) = if recused_in_base {
        (seated, present)
    } else {
        (
            seated.saturating_sub(recused),
            present.saturating_sub(recused),
        )
    };
    let counts = Counts {
        yes: count(Choice::Yes),
        no: count(Choice::No),
        present,
        seated,
    };
    let base = threshold.base_count(&counts);
    Tally {
        counts,
        abstain: count(Choice::Abstain),
        recused,
        base,
        min_yes: threshold.min_yes(base),
        passed: threshold.passes(&counts),
    }
}

/// Formats a resolution number from the rulebook's template: `{council}`, `{year}` and `{n}`
/// are replaced (e.g. `{council}议〔{year}〕{n}号` → 晋阳社区议〔2026〕3号).
pub fn resolution_label(template: &str, council: &str, year: i32, n: i64) -> String {
    template
        .replace("{council}", council)
        .replace("{year}", &year.to_string())
        .replace("{n}", &n.to_string())
}

/// When a notice posted at `posted` ends: 24:00 China time of its last day.
pub fn notice_end(posted: Instant, period: &NoticePeriod, calendar: &Calendar) -> Instant {
    let last = period.last_day(posted.china_date(), calendar);
    let midnight = last
        .saturating_add(Duration::days(1))
        .midnight()
        .assume_offset(CHINA);
    Instant::from_offset_datetime(midnight)
}

/// What a resolution's notice has come to, at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeState {
    /// Residents may object until the end.
    Open,
    /// The period is over but an objection still waits for its answer.
    AwaitingAnswers,
    /// In force since the given instant.
    InForce(Instant),
    /// Sent back by an upheld objection.
    Returned,
}

impl NoticeState {
    pub fn key(&self) -> &'static str {
        match self {
            NoticeState::Open => "open",
            NoticeState::AwaitingAnswers => "awaiting_answers",
            NoticeState::InForce(_) => "in_force",
            NoticeState::Returned => "returned",
        }
    }
}

/// The notice's state at `now`, from its end and its objections: `(filed_at, answered_at, upheld)`.
/// A resolution takes effect at the end of its notice, or when the last objection is answered
/// (dismissed) if that is later.
pub fn notice_state(
    now: Instant,
    end: Instant,
    objections: &[(Instant, Option<Instant>, bool)],
) -> NoticeState {
    if objections
        .iter()
        .any(|(_, answered, upheld)| answered.is_some() && *upheld)
    {
        return NoticeState::Returned;
    }
    if now < end {
        return NoticeState::Open;
    }
    if objections.iter().any(|(_, answered, _)| answered.is_none()) {
        return NoticeState::AwaitingAnswers;
    }
    let last_answer = objections
        .iter()
        .filter_map(|(_, a, _)| *a)
        .max()
        .unwrap_or(end);
    NoticeState::InForce(last_answer.max(end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rulebook::DayCounting;
    use crate::threshold::{Base, Bound};
    use proptest::prelude::*;

    const TWO_THIRDS: Threshold = Threshold {
        num: 2,
        den: 3,
        base: Base::Seated,
        bound: Bound::AtLeast,
    };

    fn votes(yes: usize, no: usize, abstain: usize) -> Vec<Choice> {
        let mut v = vec![Choice::Yes; yes];
        v.extend(vec![Choice::No; no]);
        v.extend(vec![Choice::Abstain; abstain]);
        v
    }

    #[test]
    fn jinyang_council_of_37() {
        assert!(tally(&TWO_THIRDS, &votes(25, 10, 2), 37, 37, 0, true).passed);
        let t = tally(&TWO_THIRDS, &votes(24, 11, 2), 37, 37, 0, true);
        assert!(!t.passed);
        assert_eq!(t.min_yes, 25);
    }

    #[test]
    fn recusal_and_the_base() {
        // 5 seated, 1 recused: with the recused out of the base, 3 of 4 is 2/3 or more.
        assert!(tally(&TWO_THIRDS, &votes(3, 1, 0), 5, 5, 1, false).passed);
        assert!(
            !tally(&TWO_THIRDS, &votes(3, 1, 0), 5, 5, 1, true).passed,
            "3 of 5 is less than 2/3"
        );
    }

    #[test]
    fn quorum() {
        let q = Threshold {
            num: 2,
            den: 3,
            base: Base::Seated,
            bound: Bound::AtLeast,
        };
        assert!(quorum_met(&q, 4, 5));
        assert!(!quorum_met(&q, 3, 5));
        assert!(quorum_met(&q, 25, 37));
        assert!(!quorum_met(&q, 24, 37));
    }

    #[test]
    fn numbers_and_notice_windows() {
        assert_eq!(
            resolution_label("{council}议〔{year}〕{n}号", "晋阳社区", 2026, 3),
            "晋阳社区议〔2026〕3号"
        );
        let posted = Instant::from_micros(1_795_276_800_000_000 + 10 * 3_600_000_000); // 2026-11-22 10:00 Beijing
        let week = NoticePeriod {
            days: 7,
            counting: DayCounting::Calendar,
        };
        let end = notice_end(posted, &week, &Calendar::default());
        // Posted Sunday 11-22; seven days later is Sunday 11-29, a rest day, so the notice runs to
        // the end (24:00) of Monday 11-30.
        assert_eq!(end.china_minute(), "2026-12-01 00:00");
        let friday = Instant::from_micros(posted.micros() - 2 * 86_400_000_000); // Friday 11-20 → Friday 11-27, 24:00
        assert_eq!(
            notice_end(friday, &week, &Calendar::default()).china_minute(),
            "2026-11-28 00:00"
        );
    }

    #[test]
    fn notice_states() {
        let end = Instant::from_micros(1_000);
        assert_eq!(
            notice_state(Instant::from_micros(999), end, &[]),
            NoticeState::Open
        );
        assert_eq!(
            notice_state(Instant::from_micros(1_000), end, &[]),
            NoticeState::InForce(end)
        );
        let open = [(Instant::from_micros(10), None, false)];
        assert_eq!(
            notice_state(Instant::from_micros(2_000), end, &open),
            NoticeState::AwaitingAnswers
        );
        let dismissed_late = [(
            Instant::from_micros(10),
            Some(Instant::from_micros(1_500)),
            false,
        )];
        assert_eq!(
            notice_state(Instant::from_micros(2_000), end, &dismissed_late),
            NoticeState::InForce(Instant::from_micros(1_500))
        );
        let upheld = [(
            Instant::from_micros(10),
            Some(Instant::from_micros(20)),
            true,
        )];
        assert_eq!(
            notice_state(Instant::from_micros(30), end, &upheld),
            NoticeState::Returned
        );
    }

    proptest! {
        /// A tally never passes a motion below its threshold and never fails one at or above it.
        #[test]
        fn tally_agrees_with_the_threshold(seated in 1u32..60, a in 0u32..1000, b in 0u32..1000, den in 1u32..6, n in 0u32..6, strict in any::<bool>()) {
            let yes = a % (seated + 1);
            let no = b % (seated - yes + 1);
            let num = n % den + 1;
            let t = Threshold { num, den, base: Base::Seated, bound: if strict { Bound::MoreThan } else { Bound::AtLeast } };
            let r = tally(&t, &votes(usize::try_from(yes).unwrap(), usize::try_from(no).unwrap(), 0), seated, seated, 0, true);
            let exact = if strict { u64::from(yes) * u64::from(den) > u64::from(num) * u64::from(seated) } else { u64::from(yes) * u64::from(den) >= u64::from(num) * u64::from(seated) };
            prop_assert_eq!(r.passed, exact && yes > 0);
            prop_assert_eq!(r.passed, yes >= r.min_yes && yes > 0);
        }
    }
}
