//! The `from`/`to` window of a history query. Each bound is an RFC 3339 timestamp, a local date
//! and time without offset, or a bare date, read in the space's time zone. `from` is inclusive and
//! `to` exclusive, except that a bare date as `to` includes that whole day.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// A half-open interval `[from, to)`; a missing bound is open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HistoryRange {
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

/// A query bound that could not be read, naming the parameter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    #[error(
        "{param}: expected an RFC 3339 time (2026-11-27T09:00:00+01:00) or a date (2026-11-27), got {value:?}"
    )]
    Unreadable { param: &'static str, value: String },
    #[error("from ({from}) is after to ({to})")]
    Inverted { from: Timestamp, to: Timestamp },
}

enum Bound {
    Start,
    End,
}

impl HistoryRange {
    pub fn parse(from: Option<&str>, to: Option<&str>, tz: &TimeZone) -> Result<Self, RangeError> {
        let from = from
            .map(|v| parse_bound("from", v, tz, Bound::Start))
            .transpose()?;
        let to = to
            .map(|v| parse_bound("to", v, tz, Bound::End))
            .transpose()?;
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(RangeError::Inverted { from, to });
        }
        Ok(Self { from, to })
    }

    pub fn contains(&self, at: Timestamp) -> bool {
        self.from.is_none_or(|from| at >= from) && self.to.is_none_or(|to| at < to)
    }
}

fn parse_bound(
    param: &'static str,
    value: &str,
    tz: &TimeZone,
    bound: Bound,
) -> Result<Timestamp, RangeError> {
    let unreadable = || RangeError::Unreadable {
        param,
        value: value.chars().take(60).collect(),
    };
    if let Ok(at) = value.parse::<Timestamp>() {
        return Ok(at);
    }
    if let Ok(local) = value.parse::<DateTime>()
        && value.contains(['T', ' '])
    {
        return local
            .to_zoned(tz.clone())
            .map(|z| z.timestamp())
            .map_err(|_| unreadable());
    }
    let date: Date = value.parse().map_err(|_| unreadable())?;
    let day = match bound {
        Bound::Start => date,
        Bound::End => date.checked_add(1.day()).map_err(|_| unreadable())?,
    };
    day.to_zoned(tz.clone())
        .map(|z| z.timestamp())
        .map_err(|_| unreadable())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paris() -> TimeZone {
        TimeZone::get("Europe/Paris").unwrap()
    }

    #[test]
    fn rfc3339_bounds_are_exact() {
        let range = HistoryRange::parse(
            Some("2026-11-27T09:00:00+01:00"),
            Some("2026-11-27T10:00:00Z"),
            &paris(),
        )
        .unwrap();
        assert_eq!(range.from.unwrap().to_string(), "2026-11-27T08:00:00Z");
        assert_eq!(range.to.unwrap().to_string(), "2026-11-27T10:00:00Z");
    }

    #[test]
    fn dates_cover_whole_local_days() {
        let range = HistoryRange::parse(Some("2026-11-27"), Some("2026-11-27"), &paris()).unwrap();
        assert_eq!(range.from.unwrap().to_string(), "2026-11-26T23:00:00Z");
        assert_eq!(range.to.unwrap().to_string(), "2026-11-27T23:00:00Z");
        assert!(range.contains("2026-11-27T22:59:59Z".parse().unwrap()));
        assert!(!range.contains("2026-11-27T23:00:00Z".parse().unwrap()));
    }

    #[test]
    fn local_times_without_offset_use_the_space_zone() {
        let range = HistoryRange::parse(Some("2026-07-01T12:00:00"), None, &paris()).unwrap();
        assert_eq!(range.from.unwrap().to_string(), "2026-07-01T10:00:00Z");
        assert_eq!(range.to, None);
    }

    #[test]
    fn errors_name_the_parameter() {
        let error = HistoryRange::parse(None, Some("yesterday"), &paris()).unwrap_err();
        assert!(error.to_string().starts_with("to:"), "{error}");
        let error =
            HistoryRange::parse(Some("2026-11-28"), Some("2026-11-01"), &paris()).unwrap_err();
        assert!(matches!(error, RangeError::Inverted { .. }));
    }
}
