//! DateTime's `add(months => m, days => d)` in "wrap" mode.

use jiff::civil::{Date, DateTime};
use jiff::{Timestamp, ToSpan, tz::TimeZone};

/// Adds `days` calendar days, then `months` months, to `at` (read in UTC). A day past the end
/// of the target month spills over into the next one: Jan 31 + 1 month is Mar 3 (Mar 2 in a
/// leap year). Twelve months make a year.
pub fn add_days_then_months(at: Timestamp, days: i64, months: i64) -> Option<Timestamp> {
    let start = at.to_zoned(TimeZone::UTC).datetime();
    let shifted = start.checked_add(days.days()).ok()?;
    let total = i64::from(shifted.year()) * 12 + i64::from(shifted.month() - 1) + months;
    let year = i16::try_from(total.div_euclid(12)).ok()?;
    let month = i8::try_from(total.rem_euclid(12) + 1).ok()?;
    let first = Date::new(year, month, 1).ok()?;
    let spill = i64::from(shifted.day()) - 1;
    let date = first.checked_add(spill.days()).ok()?;
    let result = DateTime::from_parts(date, shifted.time());
    result.to_zoned(TimeZone::UTC).ok().map(|z| z.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn add(text: &str, days: i64, months: i64) -> String {
        add_days_then_months(at(text), days, months)
            .unwrap()
            .to_string()
    }

    #[test]
    fn days_first_then_months() {
        // Jan 20 + 14 days = Feb 3, + 1 month = Mar 3.
        assert_eq!(add("2026-01-20T10:00:00Z", 14, 1), "2026-03-03T10:00:00Z");
        assert_eq!(add("2026-01-20T10:00:00Z", 14, 12), "2027-02-03T10:00:00Z");
    }

    #[test]
    fn a_day_past_the_month_end_spills_over() {
        assert_eq!(add("2026-01-31T09:00:00Z", 0, 1), "2026-03-03T09:00:00Z");
        assert_eq!(
            add("2028-01-31T09:00:00Z", 0, 1),
            "2028-03-02T09:00:00Z",
            "leap year"
        );
        assert_eq!(add("2026-03-31T00:00:00Z", 0, 1), "2026-05-01T00:00:00Z");
        assert_eq!(add("2026-01-25T00:00:00Z", 0, 12), "2027-01-25T00:00:00Z");
        assert_eq!(
            add("2026-12-15T00:00:00Z", 0, 1),
            "2027-01-15T00:00:00Z",
            "across a year"
        );
    }

    #[test]
    fn leap_days_renewals_and_going_back() {
        assert_eq!(
            add("2028-02-29T12:00:00Z", 0, 12),
            "2029-03-01T12:00:00Z",
            "no Feb 29 next year"
        );
        assert_eq!(add("2028-01-30T00:00:00Z", 0, 1), "2028-03-01T00:00:00Z");
        assert_eq!(add("2026-12-31T10:00:00Z", 14, 1), "2027-02-14T10:00:00Z");
        assert_eq!(
            add("2026-02-15T00:00:00Z", 14, 1),
            "2026-04-01T00:00:00Z",
            "Mar 1 + 1 month"
        );
        assert_eq!(
            add("2026-03-31T00:00:00Z", 0, -1),
            "2026-03-03T00:00:00Z",
            "Feb 31 spills too"
        );
        assert_eq!(add("2026-01-15T00:00:00Z", 0, -3), "2025-10-15T00:00:00Z");
    }
}
