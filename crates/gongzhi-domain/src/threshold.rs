use serde::{Deserialize, Serialize};

use crate::DomainError;

/// What a vote threshold is a fraction of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Base {
    /// Members present at the meeting (after recusals, when the rulebook says so).
    Present,
    /// Yes + no votes cast (abstentions do not count).
    Cast,
    /// All seated members of the council, present or not.
    Seated,
}

/// "at least" includes the bound (Chinese 以上 includes it: 2/3以上 of 37 is 25); "more than" does not
/// (过半数: more than 1/2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    AtLeast,
    MoreThan,
}

/// A vote threshold as an exact fraction `num/den` of a base. Majority of those present, 2/3 of all
/// seated members, 3/4, unanimity: all are data. Arithmetic is integer only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    pub num: u32,
    pub den: u32,
    pub base: Base,
    pub bound: Bound,
}

/// A share `num/den` of a whole, with "at least" (以上, includes the bound) or "more than" (过半数).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Share {
    pub num: u32,
    pub den: u32,
    pub bound: Bound,
}

impl Share {
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.den == 0 || self.num > self.den {
            return Err(DomainError::new("threshold_invalid_fraction")
                .arg("num", self.num)
                .arg("den", self.den));
        }
        Ok(())
    }

    /// Whether `part` of `whole` meets the share, in integers.
    pub fn met(&self, part: u64, whole: u64) -> bool {
        let lhs = part * u64::from(self.den);
        let rhs = u64::from(self.num) * whole;
        match self.bound {
            Bound::AtLeast => lhs >= rhs,
            Bound::MoreThan => lhs > rhs,
        }
    }

    /// The smallest part of `whole` that meets the share.
    pub fn min_part(&self, whole: u64) -> u64 {
        let need = u64::from(self.num) * whole;
        let den = u64::from(self.den);
        match self.bound {
            Bound::AtLeast => need.div_ceil(den),
            Bound::MoreThan => need / den + 1,
        }
    }
}

/// The counts a tally is judged on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub yes: u32,
    pub no: u32,
    pub present: u32,
    pub seated: u32,
}

impl Threshold {
    /// The fraction and bound without the base.
    pub fn share(&self) -> Share {
        Share {
            num: self.num,
            den: self.den,
            bound: self.bound,
        }
    }

    pub fn validate(&self) -> Result<(), DomainError> {
        self.share().validate()
    }

    /// The smallest number of yes votes that passes against a base of `base` voters.
    pub fn min_yes(&self, base: u32) -> u32 {
        u32::try_from(self.share().min_part(u64::from(base))).unwrap_or(u32::MAX)
    }

    pub fn base_count(&self, counts: &Counts) -> u32 {
        match self.base {
            Base::Present => counts.present,
            Base::Cast => counts.yes + counts.no,
            Base::Seated => counts.seated,
        }
    }

    pub fn passes(&self, counts: &Counts) -> bool {
        let meets = self
            .share()
            .met(u64::from(counts.yes), u64::from(self.base_count(counts)));
        // A vote with nobody in the base passes nothing, even "at least 0/1".
        meets && counts.yes > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TWO_THIRDS_SEATED: Threshold = Threshold {
        num: 2,
        den: 3,
        base: Base::Seated,
        bound: Bound::AtLeast,
    };

    #[test]
    fn community_council_needs_25_of_37() {
        let with = |yes| Counts {
            yes,
            no: 37 - yes,
            present: 37,
            seated: 37,
        };
        assert!(TWO_THIRDS_SEATED.passes(&with(25)));
        assert!(!TWO_THIRDS_SEATED.passes(&with(24)));
        assert_eq!(TWO_THIRDS_SEATED.min_yes(37), 25);
    }

    #[test]
    fn majority_of_present_is_more_than_half() {
        let majority = Threshold {
            num: 1,
            den: 2,
            base: Base::Present,
            bound: Bound::MoreThan,
        };
        assert!(!majority.passes(&Counts {
            yes: 2,
            no: 2,
            present: 4,
            seated: 5
        }));
        assert!(majority.passes(&Counts {
            yes: 3,
            no: 1,
            present: 4,
            seated: 5
        }));
        assert_eq!(majority.min_yes(4), 3);
        assert_eq!(majority.min_yes(5), 3);
    }

    #[test]
    fn unanimity_and_bad_fractions() {
        let all = Threshold {
            num: 1,
            den: 1,
            base: Base::Seated,
            bound: Bound::AtLeast,
        };
        assert!(all.passes(&Counts {
            yes: 5,
            no: 0,
            present: 5,
            seated: 5
        }));
        assert!(!all.passes(&Counts {
            yes: 4,
            no: 0,
            present: 4,
            seated: 5
        }));
        assert!(
            Threshold {
                num: 3,
                den: 2,
                ..all
            }
            .validate()
            .is_err()
        );
        assert!(
            Threshold {
                num: 1,
                den: 0,
                ..all
            }
            .validate()
            .is_err()
        );
    }

    proptest! {
        /// `min_yes` and `passes` agree for every fraction and base size.
        #[test]
        fn min_yes_is_the_exact_boundary(num in 0u32..12, den in 1u32..12, base in 1u32..500, strict in any::<bool>()) {
            prop_assume!(num <= den);
            let t = Threshold { num, den, base: Base::Seated,
                bound: if strict { Bound::MoreThan } else { Bound::AtLeast } };
            let min = t.min_yes(base);
            let counts = |yes| Counts { yes, no: 0, present: base, seated: base };
            if min >= 1 && min <= base { prop_assert!(t.passes(&counts(min))); }
            if min >= 2 && min - 1 <= base { prop_assert!(!t.passes(&counts(min - 1))); }
        }
    }
}
