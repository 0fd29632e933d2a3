//! Notifications: what a resident may follow, the kinds of message the platform writes her, the
//! channels a message leaves by, and the retry schedule of a delivery that failed.

use crate::vocabulary;

vocabulary! {
    /// What a message is about (its page), and what a resident may follow: a place (its
    /// notices), a project (its steps) or a need she reported (its answer).
    pub enum Subject("subject") {
        Place = "place",
        Project = "project",
        Need = "need",
        Resolution = "resolution",
        Election = "election",
        BudgetVote = "budget_vote",
    }
}

impl Subject {
    /// Whether a resident may follow it (the others are what a message links to).
    pub fn may_be_followed(self) -> bool {
        matches!(self, Subject::Place | Subject::Project | Subject::Need)
    }
}

vocabulary! {
    /// Why a message was written; its words are made from this and its parameters when read.
    pub enum MessageKind("kind") {
        /// Staff answered a need (a reply, or it was closed).
        NeedAnswered = "need_answered",
        /// The council answered the resident's objection to a resolution.
        ObjectionAnswered = "objection_answered",
        /// An election or a residents' budget vote opened, and she is on its roll.
        VoteOpened = "vote_opened",
        /// A resolution of a place she follows was put on notice (公示) and may be objected to.
        NoticePosted = "notice_posted",
        /// A project she follows moved to another step.
        ProjectMoved = "project_moved",
    }
}

vocabulary! {
    /// How a message leaves the platform besides the inbox.
    pub enum Channel("channel") {
        Email = "email",
        Sms = "sms",
        Wechat = "wechat",
    }
}

vocabulary! {
    /// A delivery waits (and is retried) until sent, or until its attempts run out.
    pub enum DeliveryStatus("status") {
        Pending = "pending",
        Sent = "sent",
        Failed = "failed",
    }
}

/// When a delivery that failed for the `attempts`-th time is tried again: the schedule's entry
/// for that attempt (its last entry for any later one), in seconds; `None` when `attempts` has
/// reached `max_attempts` and the delivery is given up.
pub fn retry_after(attempts: u32, max_attempts: u32, schedule_secs: &[u64]) -> Option<u64> {
    if attempts >= max_attempts || schedule_secs.is_empty() {
        return None;
    }
    let i = (attempts.max(1) as usize - 1).min(schedule_secs.len() - 1);
    Some(schedule_secs[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_follow_the_schedule_then_give_up() {
        let schedule = [60, 300, 1800];
        assert_eq!(retry_after(1, 5, &schedule), Some(60));
        assert_eq!(retry_after(2, 5, &schedule), Some(300));
        assert_eq!(retry_after(4, 5, &schedule), Some(1800));
        assert_eq!(retry_after(5, 5, &schedule), None);
        assert_eq!(retry_after(1, 5, &[]), None);
    }

    #[test]
    fn words_round_trip() {
        for k in MessageKind::WORDS {
            assert_eq!(MessageKind::parse(k).unwrap().as_str(), *k);
        }
        assert!(Subject::parse("council").is_none());
        assert!(Subject::Place.may_be_followed() && !Subject::Resolution.may_be_followed());
    }
}
