//! Small rules of the Hive13 operations: how HiveWeb reads a `version`, when the air compressor
//! must be quiet, and when a logged reading or message happened.

use jiff::civil::Time;
use jiff::{SignedDuration, Timestamp, ToSpan, Zoned};
use serde_json::Value;

/// `int($data->{version} || 1)`: missing, false, `0` and `""` read as 1; numbers are truncated;
/// strings are read up to their first non-digit (`"2abc"` is 2, `"abc"` is 0).
pub fn protocol_version(value: Option<&Value>) -> i64 {
    match value {
        None | Some(Value::Null) | Some(Value::Bool(false)) => 1,
        Some(Value::Bool(true)) => 1,
        Some(Value::Number(n)) => match n.as_i64() {
            Some(0) => 1,
            Some(i) => i,
            None => match n.as_f64() {
                Some(0.0) => 1,
                Some(f) => f.trunc().clamp(i64::MIN as f64, i64::MAX as f64) as i64,
                None => 1,
            },
        },
        Some(Value::String(s)) if s.is_empty() || s == "0" => 1,
        Some(Value::String(s)) => {
            let trimmed = s.trim_start();
            let (sign, digits) = match trimmed.strip_prefix('-') {
                Some(rest) => (-1, rest),
                None => (1, trimmed.strip_prefix('+').unwrap_or(trimmed)),
            };
            let digits: String = digits.chars().take_while(|c| c.is_ascii_digit()).collect();
            digits.parse::<i64>().map_or(0, |d| sign * d)
        }
        Some(Value::Array(_) | Value::Object(_)) => 0,
    }
}

/// The compressor's answer: milliseconds until quiet hours start and end, and whether they are
/// on now (the start is further away than the end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start_ms: i64,
    pub end_ms: i64,
    pub in_quiet: bool,
}

/// Quiet hours from `start` to `end` (local times) as seen at `now`.
pub fn quiet_hours(now: &Zoned, start: Time, end: Time) -> QuietHours {
    let until = |at: Time| -> i64 {
        let now = now.clone();
        let mut day = now.date();
        for _ in 0..3 {
            if let Ok(event) = day.to_datetime(at).to_zoned(now.time_zone().clone()) {
                let ms = event.timestamp().as_millisecond() - now.timestamp().as_millisecond();
                if ms >= 0 {
                    return ms;
                }
            }
            day = day.checked_add(1.day()).unwrap_or(day);
        }
        0
    };
    let (start_ms, end_ms) = (until(start), until(end));
    QuietHours {
        start_ms,
        end_ms,
        in_quiet: start_ms > end_ms,
    }
}

/// When a logged entry happened: `absolute_timestamp` is on the device's clock, compared with its
/// `current_timestamp`; `relative_timestamp` is milliseconds ago; otherwise now. Times in the
/// future are brought back to now.
pub fn entry_time(
    now: Timestamp,
    current: Option<i64>,
    absolute: Option<i64>,
    relative: Option<i64>,
) -> Timestamp {
    let ago_ms = match (absolute, current, relative) {
        (Some(absolute), Some(current), _) => current.saturating_sub(absolute),
        (_, _, Some(relative)) => relative,
        _ => 0,
    };
    now.checked_sub(SignedDuration::from_millis(ago_ms.max(0)))
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::time;
    use serde_json::json;

    #[test]
    fn versions_read_as_perl_reads_them() {
        let cases = [
            (None, 1),
            (Some(json!(null)), 1),
            (Some(json!(0)), 1),
            (Some(json!("")), 1),
            (Some(json!("0")), 1),
            (Some(json!(2)), 2),
            (Some(json!(2.7)), 2),
            (Some(json!("2abc")), 2),
            (Some(json!("abc")), 0),
            (Some(json!(false)), 1),
            (Some(json!(-3)), -3),
            (Some(json!([2])), 0),
        ];
        for (value, expected) in cases {
            assert_eq!(protocol_version(value.as_ref()), expected, "{value:?}");
        }
    }

    fn at(local: &str) -> Zoned {
        local.parse().unwrap()
    }

    #[test]
    fn quiet_hours_count_to_the_next_start_and_end() {
        let (start, end) = (time(22, 30, 0, 0), time(7, 0, 0, 0));
        let night = quiet_hours(&at("2026-11-27T23:00:00[America/New_York]"), start, end);
        assert_eq!(
            night,
            QuietHours {
                start_ms: 84_600_000,
                end_ms: 28_800_000,
                in_quiet: true
            }
        );
        let day = quiet_hours(&at("2026-11-27T12:00:00[America/New_York]"), start, end);
        assert_eq!(
            day,
            QuietHours {
                start_ms: 37_800_000,
                end_ms: 68_400_000,
                in_quiet: false
            }
        );
        let edge = quiet_hours(&at("2026-11-27T22:30:00[America/New_York]"), start, end);
        assert_eq!(
            (edge.start_ms, edge.in_quiet),
            (0, false),
            "at exactly the start, not yet quiet"
        );
    }

    #[test]
    fn entry_times() {
        let now: Timestamp = "2026-11-27T12:00:00Z".parse().unwrap();
        assert_eq!(entry_time(now, None, None, None), now);
        assert_eq!(
            entry_time(now, Some(100_000), Some(40_000), None).to_string(),
            "2026-11-27T11:59:00Z"
        );
        assert_eq!(
            entry_time(now, None, None, Some(5_000)).to_string(),
            "2026-11-27T11:59:55Z"
        );
        assert_eq!(
            entry_time(now, Some(1_000), Some(5_000), None),
            now,
            "a time ahead of the device's clock is now"
        );
        assert_eq!(
            entry_time(now, None, Some(5), None),
            now,
            "absolute without current cannot be placed"
        );
    }
}
