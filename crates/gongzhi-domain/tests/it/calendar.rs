//! The shipped holiday calendar against an independent copy: PyPI's `chinese-calendar`, which
//! its maintainers transcribe from the same State Council notices.

use gongzhi_domain::rulebook::{self, RuleValue};
use gongzhi_domain::time::parse_date;
use time::{Date, Duration, Weekday};

/// `chinese-calendar`'s view of 2020–2026: weekdays off and weekends worked.
fn independent_copy() -> (Vec<String>, Vec<String>) {
    let python = std::env::var("GONGZHI_OCDS_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = r#"
import datetime as dt, json
import chinese_calendar as cc
off, worked = [], []
d = dt.date(2020, 1, 1)
while d <= dt.date(2026, 12, 31):
    weekend = d.weekday() >= 5
    if not weekend and not cc.is_workday(d): off.append(d.isoformat())
    if weekend and cc.is_workday(d): worked.append(d.isoformat())
    d += dt.timedelta(days=1)
print(json.dumps([off, worked]))
"#;
    let out = std::process::Command::new(&python)
        .args(["-c", script])
        .output()
        .expect("python runs (GONGZHI_OCDS_PYTHON)");
    assert!(
        out.status.success(),
        "chinese-calendar is needed: pip install chinese-calendar into GONGZHI_OCDS_PYTHON's environment ({})",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_official_calendar_agrees_with_an_independent_copy_for_2020_to_2026() {
    let RuleValue::Calendar(ours) =
        rulebook::parse_value("calendar.official", rulebook::OFFICIAL_CALENDAR).unwrap()
    else {
        panic!("calendar.official is a calendar");
    };
    let (their_off, their_worked) = independent_copy();
    assert!(their_off.len() > 7 * 15, "{} weekdays off", their_off.len());
    let (mut our_off, mut our_worked) = (Vec::new(), Vec::new());
    let mut day = parse_date("2020-01-01").unwrap();
    let last: Date = parse_date("2026-12-31").unwrap();
    while day <= last {
        let weekend = matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday);
        let working = ours.is_working_day(day);
        if !weekend && !working {
            our_off.push(day.to_string());
        }
        if weekend && working {
            our_worked.push(day.to_string());
        }
        day += Duration::days(1);
    }
    assert_eq!(our_off, their_off, "weekdays off");
    assert_eq!(our_worked, their_worked, "weekends worked");
    // The day the demo once got wrong: 27 September 2026 is the last day of the Mid-Autumn
    // holiday, not a working Sunday.
    assert!(!ours.is_working_day(parse_date("2026-09-27").unwrap()));
    assert!(ours.is_working_day(parse_date("2026-09-20").unwrap()));
}
