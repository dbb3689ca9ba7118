//! How times are shown: RFC 3339 with the offset of the space's time zone.

use jiff::Timestamp;
use jiff::tz::TimeZone;

const RFC3339: &str = "%Y-%m-%dT%H:%M:%S%:z";

/// `2026-11-27T23:40:00+01:00` for the given zone.
pub fn rfc3339(at: Timestamp, tz: &TimeZone) -> String {
    at.to_zoned(tz.clone()).strftime(RFC3339).to_string()
}

/// Appends the RFC 3339 form of `at` to `out`.
pub fn write_rfc3339(out: &mut String, at: Timestamp, tz: &TimeZone) {
    use std::fmt::Write as _;
    // Writing into a String cannot fail.
    let _ = write!(out, "{}", at.to_zoned(tz.clone()).strftime(RFC3339));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_follow_the_zone_and_season() {
        let paris = TimeZone::get("Europe/Paris").unwrap();
        let winter: Timestamp = "2026-11-27T22:40:00Z".parse().unwrap();
        let summer: Timestamp = "2026-07-01T10:00:00Z".parse().unwrap();
        assert_eq!(rfc3339(winter, &paris), "2026-11-27T23:40:00+01:00");
        assert_eq!(rfc3339(summer, &paris), "2026-07-01T12:00:00+02:00");
        assert_eq!(rfc3339(summer, &TimeZone::UTC), "2026-07-01T10:00:00+00:00");
    }
}
