//! The time model: 10-minute slots, local slot of day, and the calendar arithmetic (epoch days,
//! weekdays) the other modules share. Also the one place that decides how raw values are
//! cleaned (non-finite ⇒ gap, negative ⇒ 0).

use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

/// Length of a measurement slot in seconds.
pub const SLOT_SECONDS: i64 = 600;
/// Length of a measurement slot.
pub const SLOT: SignedDuration = SignedDuration::from_secs(SLOT_SECONDS);
/// Slots of day (local time of day / 10 minutes). DST days have 138 or 150 real slots, but they
/// all map onto these 144 indices.
pub const SLOTS_PER_DAY: usize = 144;
/// Slots of week.
pub const SLOTS_PER_WEEK: usize = 7 * SLOTS_PER_DAY;

pub(crate) const DAY_SECONDS: i64 = 86_400;
pub(crate) const WEEK_SECONDS: i64 = 7 * DAY_SECONDS;

/// The start of the slot holding `at` (floored, also before the epoch). Near
/// [`Timestamp::MIN`], where the floor is not representable, the next slot start.
pub fn slot_start(at: Timestamp) -> Timestamp {
    slot_at(start_slot_index(at)).unwrap_or(at)
}

/// [`slot_index`], moved up by one when that slot's start is not representable.
pub(crate) fn start_slot_index(at: Timestamp) -> i64 {
    let index = slot_index(at);
    if slot_at(index).is_some() {
        index
    } else {
        index + 1
    }
}

/// Slot number since the epoch (floored).
pub(crate) fn slot_index(at: Timestamp) -> i64 {
    let mut seconds = at.as_second();
    if at.subsec_nanosecond() < 0 {
        // jiff keeps seconds and nanoseconds with the same sign: -0.5 s is (0 s, -500 ms).
        seconds -= 1;
    }
    seconds.div_euclid(SLOT_SECONDS)
}

/// The timestamp of slot number `index`, if representable.
pub(crate) fn slot_at(index: i64) -> Option<Timestamp> {
    Timestamp::from_second(index.checked_mul(SLOT_SECONDS)?).ok()
}

/// Local slot of day `(hour * 60 + minute) / 10`, in `0..144`.
pub fn slot_of_day(at: Timestamp, tz: &TimeZone) -> usize {
    local_slot(tz.to_datetime(at))
}

pub(crate) fn local_slot(dt: DateTime) -> usize {
    let minutes = i32::from(dt.hour()) * 60 + i32::from(dt.minute());
    usize::try_from(minutes / 10)
        .unwrap_or(0)
        .min(SLOTS_PER_DAY - 1)
}

/// Local (epoch day, slot of day) of a timestamp.
pub(crate) fn local_day_slot(at: Timestamp, tz: &TimeZone) -> (i64, usize) {
    let dt = tz.to_datetime(at);
    (epoch_day(dt.date()), local_slot(dt))
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
pub(crate) fn epoch_day(date: Date) -> i64 {
    // Howard Hinnant's days_from_civil.
    let (y, m, d) = (
        i64::from(date.year()),
        i64::from(date.month()),
        i64::from(date.day()),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of an epoch day, if representable by jiff (years -9999..=9999).
pub(crate) fn date_of(epoch_day: i64) -> Option<Date> {
    // Howard Hinnant's civil_from_days.
    let z = epoch_day.checked_add(719_468)?;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Date::new(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
    )
    .ok()
}

/// Monday = 0 … Sunday = 6 of an epoch day.
pub(crate) fn weekday_index(epoch_day: i64) -> usize {
    // 1970-01-01 was a Thursday (index 3).
    usize::try_from((epoch_day + 3).rem_euclid(7)).unwrap_or(0)
}

pub(crate) fn weekday_offset(weekday: Weekday) -> usize {
    usize::try_from(weekday.to_monday_zero_offset()).unwrap_or(0)
}

/// The crate-wide cleaning rule: non-finite ⇒ gap, negative ⇒ 0.
pub(crate) fn clean(value: Option<f64>) -> Option<f64> {
    value.filter(|v| v.is_finite()).map(|v| v.max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_floor_including_before_epoch() {
        let at: Timestamp = "2026-11-27T23:49:59.9Z".parse().unwrap();
        assert_eq!(slot_start(at).to_string(), "2026-11-27T23:40:00Z");
        let before: Timestamp = "1969-12-31T23:59:59.5Z".parse().unwrap();
        assert_eq!(slot_start(before).to_string(), "1969-12-31T23:50:00Z");
        assert!(slot_start(Timestamp::MIN) >= Timestamp::MIN);
        assert_eq!(slot_start(Timestamp::MIN).as_second() % 600, 0);
        assert!(slot_start(Timestamp::MAX) <= Timestamp::MAX);
    }

    #[test]
    fn epoch_days_round_trip() {
        for day in [-719_468 * 4, -1, 0, 1, 20_000, 2_932_896] {
            if let Some(date) = date_of(day) {
                assert_eq!(epoch_day(date), day);
                assert_eq!(weekday_index(day), weekday_offset(date.weekday()));
            }
        }
        assert_eq!(epoch_day(Date::constant(1970, 1, 1)), 0);
        assert_eq!(epoch_day(Date::constant(2000, 3, 1)), 11_017);
        assert!(date_of(i64::MAX).is_none());
        assert_eq!(
            epoch_day(Date::MIN),
            epoch_day(date_of(epoch_day(Date::MIN)).unwrap())
        );
    }

    #[test]
    fn slot_of_day_is_local() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let at: Timestamp = "2026-07-01T16:25:00Z".parse().unwrap();
        assert_eq!(slot_of_day(at, &tz), (18 * 60 + 20) / 10);
        assert_eq!(slot_of_day(at, &TimeZone::UTC), (16 * 60 + 20) / 10);
    }

    #[test]
    fn cleaning() {
        assert_eq!(clean(Some(f64::INFINITY)), None);
        assert_eq!(clean(Some(-3.0)), Some(0.0));
        assert_eq!(clean(Some(2.5)), Some(2.5));
        assert_eq!(clean(None), None);
    }
}
