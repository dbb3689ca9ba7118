//! How times are shown: RFC 3339 with the offset of the space's time zone.

use jiff::Timestamp;
use jiff::tz::TimeZone;

const RFC3339: &str = "%Y-%m-%dT%H:%M:%S%:z";

/// `2026-11-27T23:40:00+01:00` for the given zone.
pub fn rfc3339(at: Timestamp, tz: &TimeZone) -> String {
    at.to_zoned(tz.clone()).strftime(RFC3339).to_string()
}

/// Appends the RFC 3339 form of `at` to `out`. This runs once per history row, so it writes
/// the digits directly instead of going through a format string.
pub fn write_rfc3339(out: &mut String, at: Timestamp, tz: &TimeZone) {
    let offset = tz.to_offset(at);
    let local = offset.to_datetime(at);
    let year = local.year();
    if !(0..=9999).contains(&year) {
        out.push_str(&rfc3339(at, tz));
        return;
    }
    let year = year as u32;
    push2(out, year / 100);
    push2(out, year % 100);
    out.push('-');
    push2(out, local.month() as u32);
    out.push('-');
    push2(out, local.day() as u32);
    out.push('T');
    push2(out, local.hour() as u32);
    out.push(':');
    push2(out, local.minute() as u32);
    out.push(':');
    push2(out, local.second() as u32);
    let seconds = offset.seconds();
    out.push(if seconds < 0 { '-' } else { '+' });
    let minutes = seconds.unsigned_abs() / 60;
    push2(out, minutes / 60);
    out.push(':');
    push2(out, minutes % 60);
}

fn push2(out: &mut String, value: u32) {
    out.push(char::from(b'0' + (value / 10 % 10) as u8));
    out.push(char::from(b'0' + (value % 10) as u8));
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

    #[test]
    fn the_fast_writer_agrees_with_strftime() {
        let zones = [
            "UTC",
            "Europe/Paris",
            "America/St_Johns",
            "Asia/Kathmandu",
            "Pacific/Chatham",
        ];
        for zone in zones {
            let tz = TimeZone::get(zone).unwrap();
            for at in [
                "2026-03-29T00:59:59Z",
                "2026-03-29T01:00:00Z",
                "1970-01-01T00:00:00Z",
                "2026-11-27T23:59:59Z",
            ] {
                let at: Timestamp = at.parse().unwrap();
                let mut fast = String::new();
                write_rfc3339(&mut fast, at, &tz);
                assert_eq!(fast, rfc3339(at, &tz), "{zone} {at}");
            }
        }
    }
}
