use std::fmt;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// An amount of renminbi in fen (分, 1/100 yuan). Never a float. Serialised as the integer.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(i64);

impl Fen {
    pub const ZERO: Fen = Fen(0);

    /// An amount of `fen` fen.
    pub const fn new(fen: i64) -> Self {
        Fen(fen)
    }

    /// The amount in fen (how it is stored, summed and compared).
    pub const fn fen(self) -> i64 {
        self.0
    }

    pub fn from_yuan(yuan: i64) -> Option<Fen> {
        yuan.checked_mul(100).map(Fen)
    }

    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }

    pub fn checked_sub(self, other: Fen) -> Option<Fen> {
        self.0.checked_sub(other.0).map(Fen)
    }

    /// Parses an amount as people write it: `36000`, `36,000.5`, `¥1.05`, `1.5元`. At most two decimals.
    pub fn parse_yuan(text: &str) -> Result<Fen, DomainError> {
        let bad = || DomainError::new("money_invalid").arg("value", text);
        let cleaned: String = text
            .trim()
            .trim_start_matches(['¥', '￥'])
            .trim_end_matches('元')
            .chars()
            .filter(|c| *c != ',' && *c != '，')
            .collect();
        let (negative, digits) = match cleaned.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, cleaned.as_str()),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let whole: i64 = whole.parse().map_err(|_| bad())?;
        let frac_fen: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| bad())? * 10,
            _ => frac.parse().map_err(|_| bad())?,
        };
        let fen = whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(frac_fen))
            .ok_or_else(bad)?;
        Ok(Fen::new(if negative { -fen } else { fen }))
    }
}

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];

impl Fen {
    /// The amount in capital Chinese numerals as receipts and vouchers write it (大写金额), so
    /// that it cannot be altered: 18,000.00 → 壹万捌仟元整, 1,005.50 → 壹仟零伍元伍角.
    pub fn to_capital(self) -> String {
        let mut out = String::new();
        if self.0 < 0 {
            out.push('负');
        }
        let abs = self.0.unsigned_abs();
        let (yuan, jiao, fen) = (abs / 100, (abs / 10) % 10, abs % 10);
        if yuan > 0 {
            // Groups of four digits from the top, with 万/亿 after each non-empty group.
            let mut groups = Vec::new();
            let mut y = yuan;
            while y > 0 {
                groups.push(y % 10_000);
                y /= 10_000;
            }
            let mut zero_pending = false;
            for (g, &group) in groups.iter().enumerate().rev() {
                if group == 0 {
                    zero_pending = true;
                    continue;
                }
                let digits = [
                    group / 1000,
                    (group / 100) % 10,
                    (group / 10) % 10,
                    group % 10,
                ];
                let mut started = false;
                for (i, d) in digits.iter().enumerate() {
                    if *d == 0 {
                        if started || !out.is_empty() && !out.ends_with('负') {
                            zero_pending = true;
                        }
                        continue;
                    }
                    if zero_pending && (!out.is_empty() && !out.ends_with('负')) {
                        out.push('零');
                    }
                    zero_pending = false;
                    started = true;
                    out.push(DIGITS[*d as usize]);
                    out.push_str(["仟", "佰", "拾", ""][i]);
                }
                out.push_str(["", "万", "亿", "万亿", "亿亿"][g.min(4)]);
            }
            out.push('元');
        }
        match (jiao, fen) {
            (0, 0) => {
                if yuan == 0 {
                    out.push_str("零元");
                }
                out.push('整');
            }
            (j, f) => {
                if j > 0 {
                    out.push(DIGITS[j as usize]);
                    out.push('角');
                } else if yuan > 0 {
                    out.push('零');
                }
                if f > 0 {
                    out.push(DIGITS[f as usize]);
                    out.push('分');
                }
            }
        }
        out
    }
}

impl fmt::Display for Fen {
    /// `¥36,000.00`: grouped yuan, always two decimals.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let yuan = (abs / 100).to_string();
        let mut grouped = String::with_capacity(yuan.len() + yuan.len() / 3);
        for (i, ch) in yuan.chars().enumerate() {
            if i > 0 && (yuan.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        write!(f, "{sign}¥{grouped}.{:02}", abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_ways_people_write_amounts() {
        assert_eq!(Fen::parse_yuan("36000").unwrap(), Fen::new(3_600_000));
        assert_eq!(Fen::parse_yuan("36,000.5").unwrap(), Fen::new(3_600_050));
        assert_eq!(Fen::parse_yuan("¥1.05").unwrap(), Fen::new(105));
        assert_eq!(Fen::parse_yuan("1.5元").unwrap(), Fen::new(150));
        assert_eq!(Fen::parse_yuan("-2").unwrap(), Fen::new(-200));
        for bad in ["", "1.234", "abc", "1e5", ".5", "99999999999999999999"] {
            assert_eq!(
                Fen::parse_yuan(bad).unwrap_err().code.0,
                "money_invalid",
                "{bad}"
            );
        }
    }

    #[test]
    fn capital_numerals_as_receipts_write_them() {
        for (fen, text) in [
            (18_000_00, "壹万捌仟元整"),
            (3_600_00, "叁仟陆佰元整"),
            (1_005_50, "壹仟零伍元伍角"),
            (100_000_01, "壹拾万元零壹分"),
            (10_00, "壹拾元整"),
            (0, "零元整"),
            (5, "伍分"),
            (1_000_000_00, "壹佰万元整"),
            (100_010_00, "壹拾万零壹拾元整"),
            (1_0001_0000_00, "壹亿零壹万元整"),
            (34_500_00, "叁万肆仟伍佰元整"),
            (603_00, "陆佰零叁元整"),
            (-1_500_00, "负壹仟伍佰元整"),
        ] {
            assert_eq!(Fen::new(fen).to_capital(), text, "{fen}");
        }
    }

    #[test]
    fn displays_grouped_yuan() {
        assert_eq!(Fen::new(3_600_000).to_string(), "¥36,000.00");
        assert_eq!(Fen::new(150_000).to_string(), "¥1,500.00");
        assert_eq!(Fen::new(-5).to_string(), "-¥0.05");
    }

    proptest! {
        #[test]
        fn display_then_parse_round_trips(fen in -10_000_000_000_000i64..10_000_000_000_000) {
            let shown = Fen::new(fen).to_string().replace('¥', "");
            prop_assert_eq!(Fen::parse_yuan(&shown).unwrap(), Fen::new(fen));
        }
    }
}
