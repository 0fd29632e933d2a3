//! Who may record an office that signs money, and how far back a term may start.
//!
//! An office that signs an expense (the committee director, the accountant, the fund's
//! custodian, the supervisors) is the point of the sign-off chain: if whoever keeps a community's
//! records could give themselves or an account they just made any such office, one person could
//! pass every signature. So the rulebook names, for each office, the level of the body that
//! records it (the street records a community's director and accountant), or `election` where
//! only the residents' vote seats people (supervisors sit on the supervisory board by election,
//! never by appointment). Nobody records an office for themselves, and a term may start at most
//! `backdate_days` before the day it is recorded.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::place::Level;

/// Who records an office: a body at a level (its staff or officials, at that level or above),
/// or nobody, because the office is filled by election.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordedBy {
    Level(Level),
    Election,
}

/// The rulebook's `office.appointment`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppointmentRule {
    /// Office → the level whose body records it (`street`, `district`, …) or `election`.
    /// Offices not listed are recorded by whoever may record offices where they are held.
    pub recorded_by: BTreeMap<String, String>,
    /// How many days before the day it is recorded a term may start.
    pub backdate_days: u32,
}

impl AppointmentRule {
    pub fn validate(&self) -> Result<(), DomainError> {
        for by in self.recorded_by.values() {
            if by != "election" {
                Level::parse(by).map_err(|_| {
                    DomainError::field("rule_out_of_range", "value")
                        .arg("key", "office.appointment")
                })?;
            }
        }
        if self.backdate_days > 366 {
            return Err(
                DomainError::field("rule_out_of_range", "value").arg("key", "office.appointment")
            );
        }
        Ok(())
    }

    /// Who records `office`; `None`: anyone who may record offices at its place.
    pub fn recorded_by(&self, office: &str) -> Option<RecordedBy> {
        self.recorded_by.get(office).map(|by| match by.as_str() {
            "election" => RecordedBy::Election,
            level => Level::parse(level).map_or(RecordedBy::Election, RecordedBy::Level),
        })
    }

    /// Checks an appointment: `by_levels` are the levels at which the recorder holds the right
    /// to record offices over the office's place; `self_appointment` whether the recorder names
    /// themselves; `days_back` how many days before today the term starts (negative: later).
    pub fn check(
        &self,
        office: &str,
        by_levels: &[Level],
        self_appointment: bool,
        days_back: i64,
    ) -> Result<(), DomainError> {
        if self_appointment {
            return Err(DomainError::field("office_self_appointment", "account_id"));
        }
        match self.recorded_by(office) {
            Some(RecordedBy::Election) => {
                return Err(
                    DomainError::field("office_by_election_only", "office").arg("office", office)
                );
            }
            Some(RecordedBy::Level(level)) if !by_levels.iter().any(|l| *l <= level) => {
                return Err(DomainError::field("office_recorded_by_level", "office")
                    .arg("office", office)
                    .arg("level", level.as_str()));
            }
            _ => {}
        }
        if days_back > i64::from(self.backdate_days) {
            return Err(DomainError::field("office_backdated", "term_start")
                .arg("days", self.backdate_days));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> AppointmentRule {
        serde_json::from_str(
            r#"{"recorded_by":{"accountant":"street","supervisor":"election"},"backdate_days":7}"#,
        )
        .unwrap()
    }

    #[test]
    fn offices_that_sign_money_are_recorded_by_the_body_the_rulebook_names() {
        let r = rule();
        r.validate().unwrap();
        let code = |e: Result<(), DomainError>| e.err().map(|e| e.code.0).unwrap_or("ok");
        // Community staff cannot make anyone the accountant; the street or the district can.
        assert_eq!(
            code(r.check("accountant", &[Level::Community], false, 0)),
            "office_recorded_by_level"
        );
        assert_eq!(
            code(r.check("accountant", &[Level::Street], false, 0)),
            "ok"
        );
        assert_eq!(
            code(r.check("accountant", &[Level::District], false, 0)),
            "ok"
        );
        // Supervisors only by election; nobody names themselves; back-dating is bounded.
        assert_eq!(
            code(r.check("supervisor", &[Level::City], false, 0)),
            "office_by_election_only"
        );
        assert_eq!(
            code(r.check("evaluator", &[Level::Community], true, 0)),
            "office_self_appointment"
        );
        assert_eq!(
            code(r.check("evaluator", &[Level::Community], false, 7)),
            "ok"
        );
        assert_eq!(
            code(r.check("evaluator", &[Level::Community], false, 8)),
            "office_backdated"
        );
        let bad: AppointmentRule =
            serde_json::from_str(r#"{"recorded_by":{"accountant":"village"},"backdate_days":7}"#)
                .unwrap();
        assert!(bad.validate().is_err());
    }
}
