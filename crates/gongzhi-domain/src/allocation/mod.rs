//! Sharing a limited fund between projects that residents voted on (participatory budgeting).
//!
//! An [`Election`] is a budget, projects with costs and one ballot per voter, read from and written to
//! the Pabulib `.pb` format ([`pabulib`]) that the research community's data library and its Python
//! reference, `pabutools`, use. The rules ([`rules`]) are greedy utilitarian welfare, the Method of
//! Equal Shares (plain, completed by greedy, and pabutools' "add one") and sequential Phragmén, each
//! with pabutools' satisfaction functions and its default tie-breaking (smallest project id, compared
//! by Unicode code point). Arithmetic is exact: money and points are scaled to integers and every
//! comparison between fractions is exact, so results equal pabutools' (checked by a data-driven test
//! over real city elections).

mod mes;
pub mod pabulib;
mod phragmen;
mod profile;
pub mod rules;

pub use profile::{Profile, Satisfaction};
pub use rules::{Outcome, Rule, RuleError};

use std::fmt;

/// How voters filled in their ballots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoteType {
    /// Approve any number of projects.
    Approval,
    /// Approve exactly one project.
    Choose1,
    /// Spread a fixed number of points over projects.
    Cumulative,
    /// Give each project a score.
    Scoring,
    /// Rank projects, most preferred first.
    Ordinal,
}

impl VoteType {
    pub const ALL: [VoteType; 5] = [
        VoteType::Approval,
        VoteType::Choose1,
        VoteType::Cumulative,
        VoteType::Scoring,
        VoteType::Ordinal,
    ];

    /// The spelling in a `.pb` file's META section.
    pub fn as_str(self) -> &'static str {
        match self {
            VoteType::Approval => "approval",
            VoteType::Choose1 => "choose-1",
            VoteType::Cumulative => "cumulative",
            VoteType::Scoring => "scoring",
            VoteType::Ordinal => "ordinal",
        }
    }

    pub fn parse(s: &str) -> Option<VoteType> {
        VoteType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Whether ballots carry points (one number per listed project).
    pub fn has_points(self) -> bool {
        matches!(self, VoteType::Cumulative | VoteType::Scoring)
    }

    /// Whether a ballot is a plain set of approved projects.
    pub fn is_approval(self) -> bool {
        matches!(self, VoteType::Approval | VoteType::Choose1)
    }
}

/// An exact decimal number as written in a file: `mantissa × 10^-scale`. `106165.64` is
/// (10616564, 2); nothing is ever rounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Decimal {
    mantissa: i128,
    scale: u32,
}

/// More decimal places than any currency or score needs; beyond this a number is refused, which
/// keeps every scaled value far inside `i128`.
const MAX_SCALE: u32 = 12;
/// Largest magnitude of a mantissa: 10^26, so scaling by 10^12 still fits `i128` with room for sums.
const MAX_MANTISSA: i128 = 100_000_000_000_000_000_000_000_000;

impl Decimal {
    pub const ZERO: Decimal = Decimal {
        mantissa: 0,
        scale: 0,
    };

    pub fn from_int(value: i64) -> Decimal {
        Decimal {
            mantissa: value as i128,
            scale: 0,
        }
    }

    /// Parses `123`, `-4`, `106165.64` and, as pabutools does, a decimal comma (`106165,64`).
    /// Exponents, fractions and thousands separators are refused.
    pub fn parse(text: &str) -> Option<Decimal> {
        let text = text.trim();
        let (negative, digits) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let mut mantissa: i128 = 0;
        let mut scale: Option<u32> = None;
        let mut seen_digit = false;
        for b in digits.bytes() {
            match b {
                b'0'..=b'9' => {
                    seen_digit = true;
                    mantissa = mantissa.checked_mul(10)?.checked_add((b - b'0') as i128)?;
                    if mantissa > MAX_MANTISSA {
                        return None;
                    }
                    if let Some(s) = scale.as_mut() {
                        *s += 1;
                        if *s > MAX_SCALE {
                            return None;
                        }
                    }
                }
                b'.' | b',' if scale.is_none() => scale = Some(0),
                _ => return None,
            }
        }
        if !seen_digit {
            return None;
        }
        Some(
            Decimal {
                mantissa: if negative { -mantissa } else { mantissa },
                scale: scale.unwrap_or(0),
            }
            .normalized(),
        )
    }

    /// Drops trailing zero decimals so equal numbers have one representation.
    fn normalized(mut self) -> Decimal {
        while self.scale > 0 && self.mantissa % 10 == 0 {
            self.mantissa /= 10;
            self.scale -= 1;
        }
        self
    }

    pub fn scale(self) -> u32 {
        self.scale
    }

    pub fn is_negative(self) -> bool {
        self.mantissa < 0
    }

    pub fn is_zero(self) -> bool {
        self.mantissa == 0
    }

    /// The integer `self × 10^scale`; `scale` must be at least `self.scale()`.
    pub fn scaled_to(self, scale: u32) -> i128 {
        debug_assert!(scale >= self.scale && scale <= MAX_SCALE);
        self.mantissa * 10i128.pow(scale - self.scale)
    }

    /// The number `value × 10^-scale`.
    pub fn from_scaled(value: i128, scale: u32) -> Decimal {
        Decimal {
            mantissa: value,
            scale,
        }
        .normalized()
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scale == 0 {
            return write!(f, "{}", self.mantissa);
        }
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let magnitude = self.mantissa.unsigned_abs();
        let unit = 10u128.pow(self.scale);
        write!(
            f,
            "{sign}{}.{:0width$}",
            magnitude / unit,
            magnitude % unit,
            width = self.scale as usize
        )
    }
}

/// A project up for funding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    /// Its identity: compared by Unicode code point for tie-breaking (`"10" < "9"`).
    pub id: String,
    pub cost: Decimal,
    /// Values of the other PROJECTS columns (name, category, votes, selected, …), as written.
    pub fields: Vec<String>,
}

/// One budget decision: the budget, the projects, and every voter's ballot.
///
/// Ballots are stored flat (one list of project indices with offsets per voter) because real
/// elections have 100,000+ voters and the rules walk them many times.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Election {
    /// META rows in file order (budget and vote_type included).
    pub meta: Vec<(String, String)>,
    pub vote_type: Option<VoteType>,
    pub budget: Decimal,
    /// Names of the PROJECTS columns after `project_id` and `cost`.
    pub project_columns: Vec<String>,
    pub projects: Vec<Project>,
    /// Names of the VOTES columns after `voter_id`, `vote` and (for points ballots) `points`.
    pub voter_columns: Vec<String>,
    /// Every voter id, end to end, and where each ends: one allocation for 100,000 ids.
    voter_id_text: String,
    voter_id_end: Vec<u32>,
    /// `voter_columns.len()` values per voter, stored the same way.
    voter_field_text: String,
    voter_field_end: Vec<u32>,
    ballot_start: Vec<u32>,
    ballot_projects: Vec<u32>,
    /// One per entry of `ballot_projects` for cumulative and scoring ballots; empty otherwise.
    ballot_points: Vec<Decimal>,
}

/// One voter's ballot: project indices (in ballot order: preference order for ordinal ballots) and,
/// for points ballots, the points given to each.
#[derive(Clone, Copy, Debug)]
pub struct Ballot<'a> {
    pub projects: &'a [u32],
    pub points: &'a [Decimal],
}

impl Election {
    pub fn vote_type(&self) -> VoteType {
        self.vote_type.unwrap_or(VoteType::Approval)
    }

    pub fn voter_count(&self) -> usize {
        self.voter_id_end.len()
    }

    pub fn voter_id(&self, voter: usize) -> &str {
        let start = match voter {
            0 => 0,
            _ => self.voter_id_end[voter - 1] as usize,
        };
        &self.voter_id_text[start..self.voter_id_end[voter] as usize]
    }

    /// The voter's values of `voter_columns`, in order.
    pub fn voter_fields(&self, voter: usize) -> impl Iterator<Item = &str> + '_ {
        let width = self.voter_columns.len();
        (voter * width..(voter + 1) * width).map(move |i| {
            let start = match i {
                0 => 0,
                _ => self.voter_field_end[i - 1] as usize,
            };
            &self.voter_field_text[start..self.voter_field_end[i] as usize]
        })
    }

    pub fn ballot(&self, voter: usize) -> Ballot<'_> {
        let (start, end) = (
            self.ballot_start[voter] as usize,
            self.ballot_start[voter + 1] as usize,
        );
        Ballot {
            projects: &self.ballot_projects[start..end],
            points: if self.ballot_points.is_empty() {
                &[]
            } else {
                &self.ballot_points[start..end]
            },
        }
    }

    /// Adds a voter. `projects` are indices into `projects`; `points` is empty unless the vote type
    /// has points, and then has one value per project. The caller has checked both.
    ///
    /// Text beyond 4 GB in ids or fields is refused by the parser before it gets here.
    pub fn push_voter<'f>(
        &mut self,
        id: &str,
        projects: &[u32],
        points: &[Decimal],
        fields: impl IntoIterator<Item = &'f str>,
    ) {
        if self.ballot_start.is_empty() {
            self.ballot_start.push(0);
        }
        self.voter_id_text.push_str(id);
        self.voter_id_end.push(self.voter_id_text.len() as u32);
        for field in fields {
            self.voter_field_text.push_str(field);
            self.voter_field_end
                .push(self.voter_field_text.len() as u32);
        }
        debug_assert_eq!(
            self.voter_field_end.len(),
            self.voter_count() * self.voter_columns.len()
        );
        self.ballot_projects.extend_from_slice(projects);
        self.ballot_points.extend_from_slice(points);
        self.ballot_start.push(self.ballot_projects.len() as u32);
    }

    /// Makes room for `voters` more voters and `entries` more ballot entries (a capacity hint).
    pub fn reserve_voters(&mut self, voters: usize, entries: usize) {
        self.voter_id_end.reserve(voters);
        self.voter_id_text.reserve(voters * 8);
        self.ballot_start.reserve(voters + 1);
        self.ballot_projects.reserve(entries);
    }

    /// Index of the project with this id.
    pub fn project_index(&self, id: &str) -> Option<usize> {
        self.projects.iter().position(|p| p.id == id)
    }

    /// Records an outcome in the file's own terms: the PROJECTS column `selected` is 1 for the
    /// winners and 0 for the rest (added if the file has none), and META `rule` names the rule.
    pub fn mark_selected(&mut self, winners: &[usize], rule: &str) {
        let column = match self.project_columns.iter().position(|c| c == "selected") {
            Some(i) => i,
            None => {
                self.project_columns.push("selected".into());
                for p in &mut self.projects {
                    p.fields.push(String::new());
                }
                self.project_columns.len() - 1
            }
        };
        for (i, p) in self.projects.iter_mut().enumerate() {
            p.fields[column] = if winners.contains(&i) { "1" } else { "0" }.into();
        }
        match self.meta.iter_mut().find(|(k, _)| k == "rule") {
            Some(row) => row.1 = rule.into(),
            None => self.meta.push(("rule".into(), rule.into())),
        }
    }

    /// Total cost of a set of projects, exactly.
    pub fn total_cost(&self, projects: &[usize]) -> Decimal {
        let scale = projects
            .iter()
            .map(|&p| self.projects[p].cost.scale())
            .max()
            .unwrap_or(0);
        let sum: i128 = projects
            .iter()
            .map(|&p| self.projects[p].cost.scaled_to(scale))
            .sum();
        Decimal::from_scaled(sum, scale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_exactly_and_print_canonically() {
        let d = Decimal::parse("106165.64").unwrap();
        assert_eq!(d.to_string(), "106165.64");
        assert_eq!(d.scaled_to(4), 1_061_656_400);
        assert_eq!(Decimal::parse("106165,64"), Some(d));
        assert_eq!(Decimal::parse(" 7.50 ").unwrap().to_string(), "7.5");
        assert_eq!(Decimal::parse("-0.05").unwrap().to_string(), "-0.05");
        assert_eq!(Decimal::parse("12").unwrap().to_string(), "12");
        for bad in [
            "",
            "-",
            "1e5",
            "1.2.3",
            "1,000,000",
            "abc",
            "1/2",
            "0.0000000000001",
        ] {
            assert_eq!(Decimal::parse(bad), None, "{bad}");
        }
    }
}
