//! Occupancy forecasts: empirical seasonal quantiles, plus the seasonal-naive baseline they
//! must beat.
//!
//! # Method
//!
//! For each future slot (local weekday `w`, slot of day `k`), collect the values of the same
//! weekday at slots `k - 1 ..= k + 1` (the ±[`Method::neighbours`] slots of day, wrapping
//! across midnight) in the last [`Method::weeks`] weeks (6) *before `from`* — fewer when there
//! is less history — leaving out gaps and [closure days](crate::closure) (judged over the same
//! window). The forecast is the p10 / p50 / p90 of those values ([`crate::quantiles`]), so up
//! to 18 values per slot.
//!
//! Tuning (rolling-origin backtest, 30 synthetic 16-week histories, 24 origins, horizons 1 and
//! 7 days): the ±1 neighbours matter most — without them the band is too narrow (coverage
//! 0.62–0.77), ±2 over-covers (0.80–0.89). With ±1, 6 weeks gives coverage 0.78–0.85 on every
//! seed; 8 weeks is 1–2 % better in MAE and pinball loss but over-covers (up to 0.855), largely
//! because counts are integers and a value equal to p10 or p90 counts as inside.
//!
//! Fallbacks, in order:
//! 1. less than one week between the first successful scan and `from`: the same slot of day
//!    (±neighbours) over all days of the last week;
//! 2. no usable value for a slot (all gaps or closures): the same, for that slot;
//! 3. still nothing (no data at all): `0 / 0 / 0` with [`ForecastPoint::samples`] `== 0`.
//!
//! Guarantees for any input: exactly `slots` points at consecutive slot starts from
//! `slot_start(from)` (as long as the timestamps are representable, i.e. before year 10000),
//! every value finite and `0 <= p10 <= p50 <= p90`. History at or after `from` is ignored.
//!
//! # Why not Holt-Winters / MSTL?
//!
//! A maintained crate such as `augurs` (MSTL with periods 144 and 1008 plus an AutoETS trend)
//! is heavy for a 1008-slot season, needs gap-free input (so failed scans would have to be
//! invented), and gives Gaussian intervals that go negative at night and ignore the many
//! zeros. Empirical seasonal quantiles are cheap (≤ 18 values per slot), explainable ("the
//! middle of the last 6 Tuesdays around 19:00"), never negative, robust to zeros, gaps and outliers
//! (a one-off event day moves a median little), and closure days can simply be left out. The
//! rolling-origin [backtest](mod@crate::backtest) checks they beat seasonal naive and that the
//! p10–p90 band covers about 80 % of actual values.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::closure::DayIndex;
use crate::quantiles::{Band, band};
use crate::slots::{
    DAY_SECONDS, SLOTS_PER_DAY, SLOTS_PER_WEEK, WEEK_SECONDS, clean, local_day_slot, slot_at,
    slot_index, start_slot_index,
};

/// One forecast slot.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ForecastPoint {
    /// Slot start.
    pub at: Timestamp,
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
    /// How many past values the quantiles came from (0: no data, all three are 0).
    pub samples: usize,
}

impl ForecastPoint {
    pub fn band(&self) -> Band {
        Band {
            p10: self.p10,
            p50: self.p50,
            p90: self.p90,
        }
    }
}

/// Tuning of the forecaster; [`Method::default`] is what [`forecast`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Method {
    /// Weeks of history per weekday (clamped to `1..=520`; default 6).
    pub weeks: usize,
    /// Neighbouring slots of day on each side (clamped to `0..=72`; default 1).
    pub neighbours: usize,
}

impl Default for Method {
    fn default() -> Self {
        Method {
            weeks: 6,
            neighbours: 1,
        }
    }
}

/// Forecast `slots` slots from `slot_start(from)` with the default [`Method`]; see the module
/// docs.
pub fn forecast(
    history: &[(Timestamp, Option<f64>)],
    tz: &TimeZone,
    from: Timestamp,
    slots: usize,
) -> Vec<ForecastPoint> {
    forecast_with(Method::default(), history, tz, from, slots)
}

/// [`forecast`] with an explicit [`Method`].
pub fn forecast_with(
    method: Method,
    history: &[(Timestamp, Option<f64>)],
    tz: &TimeZone,
    from: Timestamp,
    slots: usize,
) -> Vec<ForecastPoint> {
    let weeks = i64::try_from(method.weeks.clamp(1, 520)).unwrap_or(6);
    let neighbours = i64::try_from(method.neighbours.min(72)).unwrap_or(1);
    let start_index = start_slot_index(from);
    let Some(start) = slot_at(start_index) else {
        return Vec::new();
    };
    let slots = slots.min(representable_slots(start_index));
    let (from_day, _) = local_day_slot(start, tz);

    // Only the window the lookups can reach is indexed (plus margin for the time zone).
    let window_start = start
        .as_second()
        .saturating_sub((7 * weeks + 10) * DAY_SECONDS);
    let index = DayIndex::build(history, tz, |at| {
        at < start && at.as_second() >= window_start
    });
    let closures = index.closures();
    let earliest = history
        .iter()
        .filter(|(at, v)| *at < start && clean(*v).is_some())
        .map(|(at, _)| at.as_second())
        .min();
    let weekly = earliest.is_some_and(|e| start.as_second() - e >= WEEK_SECONDS);

    let gather = |samples: &mut Vec<f64>, day: i64, slot: usize| {
        for d in -neighbours..=neighbours {
            let t = slot as i64 + d;
            let day = day + t.div_euclid(SLOTS_PER_DAY as i64);
            let slot = t.rem_euclid(SLOTS_PER_DAY as i64) as usize;
            if !closures.contains(&day)
                && let Some(v) = index.value(day, slot)
            {
                samples.push(v);
            }
        }
    };

    let mut samples = Vec::new();
    let mut out = Vec::with_capacity(slots.min(16 * SLOTS_PER_WEEK));
    for i in 0..slots {
        let Some(at) = slot_at(start_index + i as i64) else {
            break;
        };
        let (day, slot) = local_day_slot(at, tz);
        samples.clear();
        if weekly {
            // Same weekday, the `weeks` most recent ones that are not after `from`'s day.
            let first = ((day - from_day + 6).div_euclid(7)).max(1);
            for j in first..first + weeks {
                gather(&mut samples, day - 7 * j, slot);
            }
        }
        if samples.is_empty() {
            for back in 0..7 {
                gather(&mut samples, from_day - back, slot);
            }
        }
        let count = samples.len();
        let b = band(&mut samples).unwrap_or(Band::point(0.0));
        out.push(ForecastPoint {
            at,
            p10: b.p10,
            p50: b.p50,
            p90: b.p90,
            samples: count,
        });
    }
    out
}

/// Seasonal naive: for each of `slots` slots from `slot_start(from)`, the value of the same
/// slot one week (604 800 s) earlier — for horizons beyond a week, the last week before `from`
/// repeated. `None` where that scan failed or is missing. (Being time-zone-free, it is one hour
/// off in local time across a DST change, as the textbook method on a UTC series is.)
pub fn seasonal_naive(
    history: &[(Timestamp, Option<f64>)],
    from: Timestamp,
    slots: usize,
) -> Vec<Option<f64>> {
    let start_index = start_slot_index(from);
    let week = SLOTS_PER_WEEK as i64;
    let mut last_week: Vec<Option<f64>> = vec![None; SLOTS_PER_WEEK];
    for &(at, value) in history {
        let offset = slot_index(at) - (start_index - week);
        if let Some(cell) = usize::try_from(offset)
            .ok()
            .and_then(|o| last_week.get_mut(o))
            && let Some(v) = clean(value)
        {
            *cell = Some(v);
        }
    }
    let slots = slots.min(representable_slots(start_index));
    (0..slots).map(|i| last_week[i % SLOTS_PER_WEEK]).collect()
}

/// How many slots from `start_index` on still have a representable start.
fn representable_slots(start_index: i64) -> usize {
    let last = slot_index(Timestamp::MAX);
    usize::try_from(last.saturating_sub(start_index).saturating_add(1)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slots::{SLOT, slot_start};

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    /// Slots from `from` for `days` days, `value(local datetime)`.
    fn series(
        from: &str,
        days: i64,
        tz: &TimeZone,
        value: impl Fn(jiff::civil::DateTime) -> Option<f64>,
    ) -> Vec<(Timestamp, Option<f64>)> {
        let start = ts(from);
        (0..days * 144)
            .map(|i| {
                let at = start.checked_add(SLOT * i as i32).unwrap();
                (at, value(tz.to_datetime(at)))
            })
            .collect()
    }

    fn check(points: &[ForecastPoint], from: Timestamp, slots: usize) {
        assert_eq!(points.len(), slots);
        for (i, p) in points.iter().enumerate() {
            assert_eq!(p.at, slot_start(from).checked_add(SLOT * i as i32).unwrap());
            assert!(p.p10.is_finite() && p.p50.is_finite() && p.p90.is_finite());
            assert!(0.0 <= p.p10 && p.p10 <= p.p50 && p.p50 <= p.p90, "{p:?}");
        }
    }

    #[test]
    fn empty_history_gives_zeros() {
        let from = ts("2026-05-04T10:03:00Z");
        let f = forecast(&[], &TimeZone::UTC, from, 30);
        check(&f, from, 30);
        assert!(f.iter().all(|p| p.samples == 0 && p.p90 == 0.0));
        assert!(forecast(&[], &TimeZone::UTC, from, 0).is_empty());
    }

    #[test]
    fn all_gaps_gives_zeros() {
        let s = series("2026-04-01T00:00Z", 30, &TimeZone::UTC, |_| None);
        let from = ts("2026-05-01T00:00Z");
        let f = forecast(&s, &TimeZone::UTC, from, 144);
        check(&f, from, 144);
        assert!(f.iter().all(|p| p.samples == 0));
    }

    #[test]
    fn weekly_pattern_is_followed() {
        // Tuesdays 18:00-22:00 local have 10 devices, all else 1; Europe/Berlin across DST.
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let s = series("2026-02-01T00:00Z", 70, &tz, |dt| {
            let busy =
                dt.weekday() == jiff::civil::Weekday::Tuesday && (18..22).contains(&dt.hour());
            Some(if busy { 10.0 } else { 1.0 })
        });
        let from = ts("2026-04-12T00:00Z");
        let f = forecast(&s, &tz, from, 1008);
        check(&f, from, 1008);
        for p in &f {
            let dt = tz.to_datetime(p.at);
            let inner = dt.weekday() == jiff::civil::Weekday::Tuesday
                && (18..22).contains(&dt.hour())
                && !(dt.hour() == 18 && dt.minute() == 0)
                && !(dt.hour() == 21 && dt.minute() == 50);
            if inner {
                assert_eq!(p.band(), Band::point(10.0), "{dt}");
            } else if dt.weekday() != jiff::civil::Weekday::Tuesday {
                assert_eq!(p.band(), Band::point(1.0), "{dt}");
            }
            // 18 = 6 weeks × 3 slots, except where the spring-forward Sunday has no 02:xx.
            assert!(
                p.samples == 18 || (p.samples >= 15 && (1..=3).contains(&dt.hour())),
                "{dt}"
            );
        }
    }

    #[test]
    fn closure_days_are_excluded() {
        // Open 10:00-20:00 every day at 6 devices; the last two Mondays before `from` closed.
        let closed = [
            jiff::civil::date(2026, 4, 20),
            jiff::civil::date(2026, 4, 27),
        ];
        let s = series("2026-03-02T00:00Z", 63, &TimeZone::UTC, |dt| {
            let open = (10..20).contains(&dt.hour()) && !closed.contains(&dt.date());
            Some(if open { 6.0 } else { 0.0 })
        });
        let from = ts("2026-05-04T00:00Z"); // Monday
        let f = forecast(&s, &TimeZone::UTC, from, 144);
        check(&f, from, 144);
        let noon = &f[72];
        assert_eq!(noon.band(), Band::point(6.0));
        assert_eq!(noon.samples, 4 * 3);
        // Without closure exclusion, 2 of 6 Mondays at 0 would pull p10 down to 0.
    }

    #[test]
    fn short_history_falls_back_to_slot_of_day() {
        let s = series("2026-05-01T00:00Z", 3, &TimeZone::UTC, |dt| {
            Some(if dt.hour() == 12 { 4.0 } else { 0.0 })
        });
        let from = ts("2026-05-04T00:00Z");
        let f = forecast(&s, &TimeZone::UTC, from, 288);
        check(&f, from, 288);
        assert_eq!(f[75].band(), Band::point(4.0));
        assert_eq!(f[75].samples, 9);
        assert_eq!(f[144 + 75].band(), Band::point(4.0));
        assert_eq!(f[3].band(), Band::point(0.0));
    }

    #[test]
    fn future_history_is_ignored_and_values_are_cleaned() {
        let from = ts("2026-05-04T00:00Z");
        let s = vec![
            (ts("2026-05-03T12:00Z"), Some(-5.0)),
            (ts("2026-05-03T12:10Z"), Some(f64::INFINITY)),
            (ts("2026-05-04T12:00Z"), Some(99.0)),
        ];
        let f = forecast(&s, &TimeZone::UTC, from, 144);
        check(&f, from, 144);
        assert_eq!(f[72].band(), Band::point(0.0));
        assert_eq!(f[72].samples, 1);
    }

    #[test]
    fn far_timestamps_do_not_panic() {
        let s = vec![
            (Timestamp::MIN, Some(1.0)),
            (Timestamp::MAX, Some(f64::MAX)),
            (ts("2026-01-01T00:00Z"), Some(f64::MAX)),
        ];
        let near_end = Timestamp::MAX.checked_sub(SLOT * 3).unwrap();
        let f = forecast(&s, &TimeZone::UTC, near_end, 10);
        assert!(f.len() <= 4);
        let f = forecast(&s, &TimeZone::UTC, Timestamp::MIN, 10);
        check(&f, Timestamp::MIN, 10);
        let f = forecast(&s, &TimeZone::UTC, ts("2026-01-08T00:00Z"), 10);
        check(&f, ts("2026-01-08T00:00Z"), 10);
        assert_eq!(seasonal_naive(&s, near_end, 10).len(), 4);
    }

    #[test]
    fn seasonal_naive_repeats_last_week() {
        let s = series("2026-04-20T00:00Z", 14, &TimeZone::UTC, |dt| {
            (dt.hour() != 3).then_some(f64::from(dt.day()))
        });
        let from = ts("2026-05-04T00:00Z");
        let naive = seasonal_naive(&s, from, 2016);
        assert_eq!(naive.len(), 2016);
        assert_eq!(naive[0], Some(27.0)); // 2026-04-27
        assert_eq!(naive[18], None); // 03:00 failed
        assert_eq!(naive[1008 + 144], Some(28.0));
        assert!(seasonal_naive(&[], from, 5).iter().all(Option::is_none));
    }
}
