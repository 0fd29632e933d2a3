use time::{Date, OffsetDateTime, UtcOffset};

/// China Standard Time. China has no daylight saving, so a fixed offset is exact.
pub const CHINA: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => panic!("UTC+8 is a valid offset"),
};

/// An instant, stored as integer microseconds since the Unix epoch (UTC) on both backends, so that
/// ordering in SQL is numeric ordering (text timestamps sort wrongly in SQLite).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(i64);

impl Instant {
    /// The instant `micros` microseconds after the Unix epoch (how it is stored).
    pub const fn from_micros(micros: i64) -> Self {
        Instant(micros)
    }

    /// Microseconds since the Unix epoch (how it is stored and compared in SQL).
    pub const fn micros(self) -> i64 {
        self.0
    }

    pub fn from_offset_datetime(at: OffsetDateTime) -> Self {
        let micros = at.unix_timestamp_nanos() / 1_000;
        Instant::from_micros(i64::try_from(micros).unwrap_or(i64::MAX))
    }

    pub fn to_offset_datetime(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
            .to_offset(CHINA)
    }

    /// The calendar date in China at this instant: notices and rules run on Chinese dates.
    pub fn china_date(self) -> Date {
        self.to_offset_datetime().date()
    }

    /// `2026-11-22 13:05` in China Standard Time.
    pub fn china_minute(self) -> String {
        let t = self.to_offset_datetime();
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        )
    }

    /// An end instant as notices write it: midnight is `24:00` of the day before
    /// (`2026-11-30 24:00`, not `2026-12-01 00:00`).
    pub fn china_end_label(self) -> String {
        let t = self.to_offset_datetime();
        if t.hour() == 0 && t.minute() == 0 {
            let last = Instant::from_micros(self.0 - 1).china_date();
            format!("{} 24:00", format_date(last))
        } else {
            self.china_minute()
        }
    }

    /// 00:00 China time on `date`: the start of a Chinese calendar day.
    pub fn china_midnight(date: Date) -> Instant {
        Instant::from_offset_datetime(date.midnight().assume_offset(CHINA))
    }

    pub fn plus_seconds(self, seconds: i64) -> Instant {
        Instant::from_micros(self.0.saturating_add(seconds.saturating_mul(1_000_000)))
    }
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), &format).ok()
}

/// Parses `YYYY-MM-DD HH:MM` as China Standard Time.
pub fn parse_china_minute(text: &str) -> Option<Instant> {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    let t = time::PrimitiveDateTime::parse(text.trim(), &format).ok()?;
    Some(Instant::from_offset_datetime(t.assume_offset(CHINA)))
}

pub fn format_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_date_turns_at_midnight_beijing_time() {
        // 2026-11-21T16:00:00Z is midnight of the 22nd in Beijing.
        let midnight = Instant::from_micros(1_763_740_800_000_000 + 365 * 86_400_000_000);
        let before = Instant::from_micros(midnight.0 - 1);
        assert_eq!(format_date(midnight.china_date()), "2026-11-22");
        assert_eq!(format_date(before.china_date()), "2026-11-21");
        assert_eq!(midnight.china_minute(), "2026-11-22 00:00");
        assert_eq!(midnight.china_end_label(), "2026-11-21 24:00");
        assert_eq!(before.china_end_label(), "2026-11-21 23:59");
    }

    #[test]
    fn minutes_in_china_time() {
        let at = parse_china_minute("2026-12-10 19:30").unwrap();
        assert_eq!(at.china_minute(), "2026-12-10 19:30");
        assert!(parse_china_minute("2026-12-10").is_none());
    }

    #[test]
    fn dates_round_trip() {
        let d = parse_date("2026-02-28").unwrap();
        assert_eq!(format_date(d), "2026-02-28");
        assert!(parse_date("2026-02-30").is_none());
        assert!(parse_date("26-2-3").is_none());
    }
}
