//! Tier time windows (`{"times":[{"from":"D:H:M","to":"D:H:M"}]}`, D = ISO weekday 1–7), read
//! and evaluated as Swindon's original does: a time matches a window when its weekday, hour and
//! minute each lie within the window's bounds, compared independently. So `3:18:30`–`3:23:59`
//! admits minutes 30–59 of each hour from 18:00 on Wednesdays; imported tiers keep behaving as
//! their members know them.

use std::fmt;

use jiff::civil::{DateTime, Weekday};
use serde::{Deserialize, Serialize};

/// One `D:H:M` bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayTime {
    pub weekday: i8,
    pub hour: i8,
    pub minute: i8,
}

impl DayTime {
    pub fn parse(text: &str) -> Result<Self, String> {
        let parts: Vec<&str> = text.split(':').collect();
        let field = |i: usize, max: i8| -> Option<i8> {
            let value: i8 = parts.get(i)?.trim().parse().ok()?;
            (0..=max).contains(&value).then_some(value)
        };
        match (parts.len(), field(0, 7), field(1, 23), field(2, 59)) {
            (3, Some(weekday), Some(hour), Some(minute)) if weekday >= 1 => Ok(DayTime {
                weekday,
                hour,
                minute,
            }),
            _ => Err(format!(
                "{text:?} is not D:H:M (weekday 1-7 from Monday, hour 0-23, minute 0-59)"
            )),
        }
    }
}

impl fmt::Display for DayTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{:02}:{:02}", self.weekday, self.hour, self.minute)
    }
}

/// A window between two bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeWindow {
    pub from: DayTime,
    pub to: DayTime,
}

impl TimeWindow {
    /// The original's independent comparison of weekday, hour and minute.
    pub fn admits(&self, local: DateTime) -> bool {
        let weekday = local.weekday().to_monday_one_offset();
        let (hour, minute) = (local.hour(), local.minute());
        (self.from.weekday..=self.to.weekday).contains(&weekday)
            && (self.from.hour..=self.to.hour).contains(&hour)
            && (self.from.minute..=self.to.minute).contains(&minute)
    }
}

/// A tier's restrictions; no windows means 24x7.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Restrictions {
    pub times: Vec<TimeWindow>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RestrictionsJson {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    times: Vec<WindowJson>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WindowJson {
    from: String,
    to: String,
}

impl Restrictions {
    pub fn is_unrestricted(&self) -> bool {
        self.times.is_empty()
    }

    pub fn admits(&self, local: DateTime) -> bool {
        self.is_unrestricted() || self.times.iter().any(|w| w.admits(local))
    }

    /// Reads the stored JSON form, `{}` or `{"times":[…]}`.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, String> {
        let parsed: RestrictionsJson =
            serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
        let times = parsed
            .times
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let bound = |text: &str, key: &str| {
                    DayTime::parse(text).map_err(|e| format!("times[{i}].{key}: {e}"))
                };
                Ok(TimeWindow {
                    from: bound(&w.from, "from")?,
                    to: bound(&w.to, "to")?,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Restrictions { times })
    }

    pub fn to_json(&self) -> serde_json::Value {
        let json = RestrictionsJson {
            times: self
                .times
                .iter()
                .map(|w| WindowJson {
                    from: w.from.to_string(),
                    to: w.to.to_string(),
                })
                .collect(),
        };
        serde_json::to_value(json).unwrap_or_else(|_| serde_json::json!({}))
    }

    /// `access: from: Sat 00:00 to Sun 23:59; …`, or `24x7`, as the membership email shows it.
    pub fn describe(&self) -> String {
        if self.is_unrestricted() {
            return "24x7".into();
        }
        let day = |d: i8| {
            Weekday::from_monday_one_offset(d)
                .map(|w| match w {
                    Weekday::Monday => "Mon",
                    Weekday::Tuesday => "Tue",
                    Weekday::Wednesday => "Wed",
                    Weekday::Thursday => "Thu",
                    Weekday::Friday => "Fri",
                    Weekday::Saturday => "Sat",
                    Weekday::Sunday => "Sun",
                })
                .unwrap_or("?")
        };
        let windows: Vec<String> = self
            .times
            .iter()
            .map(|w| {
                format!(
                    "from: {} {:02}:{:02} to {} {:02}:{:02}",
                    day(w.from.weekday),
                    w.from.hour,
                    w.from.minute,
                    day(w.to.weekday),
                    w.to.hour,
                    w.to.minute
                )
            })
            .collect();
        format!("access: {}", windows.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::datetime;
    use serde_json::json;

    fn restrictions(value: serde_json::Value) -> Restrictions {
        Restrictions::from_json(&value).unwrap()
    }

    #[test]
    fn the_fixture_weekend_window_is_all_of_saturday_and_sunday() {
        let weekend = restrictions(json!({"times": [{"from": "6:00:00", "to": "7:23:59"}]}));
        assert!(
            weekend.admits(datetime(2026, 1, 24, 0, 0, 0, 0)),
            "Saturday midnight"
        );
        assert!(
            weekend.admits(datetime(2026, 1, 25, 23, 59, 0, 0)),
            "Sunday late"
        );
        assert!(
            !weekend.admits(datetime(2026, 1, 23, 23, 59, 0, 0)),
            "Friday night"
        );
        assert!(!weekend.admits(datetime(2026, 1, 26, 9, 0, 0, 0)), "Monday");
    }

    #[test]
    fn fields_are_compared_independently_as_the_original_does() {
        // The production seed: Saturday and Sunday at hh:00 are refused (minute 0 < 1).
        let production = restrictions(json!({"times": [
            {"from": "3:18:00", "to": "3:23:59"}, {"from": "6:00:01", "to": "6:23:59"}, {"from": "7:00:01", "to": "7:23:59"}]}));
        assert!(!production.admits(datetime(2026, 1, 24, 14, 0, 0, 0)));
        assert!(production.admits(datetime(2026, 1, 24, 14, 1, 0, 0)));
        assert!(
            production.admits(datetime(2026, 1, 21, 19, 0, 0, 0)),
            "Wednesday evening"
        );
        assert!(!production.admits(datetime(2026, 1, 21, 17, 59, 0, 0)));
        // The notes' variant admits only minutes 30-59 of each hour.
        let variant = restrictions(json!({"times": [{"from": "3:18:30", "to": "3:23:59"}]}));
        assert!(!variant.admits(datetime(2026, 1, 21, 19, 15, 0, 0)));
        assert!(variant.admits(datetime(2026, 1, 21, 19, 45, 0, 0)));
    }

    #[test]
    fn no_windows_is_24x7() {
        let none = restrictions(json!({}));
        assert!(none.is_unrestricted());
        assert!(none.admits(datetime(2026, 1, 21, 3, 0, 0, 0)));
        assert_eq!(none.describe(), "24x7");
        assert_eq!(none.to_json(), json!({}));
    }

    #[test]
    fn description_and_round_trip() {
        let weekend = restrictions(json!({"times": [{"from": "6:00:00", "to": "7:23:59"}]}));
        assert_eq!(weekend.describe(), "access: from: Sat 00:00 to Sun 23:59");
        assert_eq!(
            weekend.to_json(),
            json!({"times": [{"from": "6:00:00", "to": "7:23:59"}]})
        );
    }

    #[test]
    fn malformed_windows_are_named() {
        for (value, expected) in [
            (
                json!({"times": [{"from": "8:00:00", "to": "7:23:59"}]}),
                "times[0].from",
            ),
            (
                json!({"times": [{"from": "6:00", "to": "7:23:59"}]}),
                "times[0].from",
            ),
            (
                json!({"times": [{"from": "6:00:00", "to": "7:24:00"}]}),
                "times[0].to",
            ),
            (json!({"days": []}), "unknown field `days`"),
        ] {
            let error = Restrictions::from_json(&value).unwrap_err();
            assert!(error.contains(expected), "{value}: {error}");
        }
    }
}
