//! The typical week: a p10/p50/p90 [`Band`] per local weekday × slot of day (1008 cells) over a
//! whole series, for "when is it usually busy" views and the hourly heatmap.
//!
//! Gaps are ignored and [closure days](crate::closure) are left out, so a holiday does not
//! drag the profile down. Slots are assigned by local time of day, so on DST days the skipped
//! hour simply contributes nothing and the repeated hour contributes the mean of its two scans.

use jiff::Timestamp;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;

use crate::closure::DayIndex;
use crate::quantiles::{Band, band};
use crate::slots::{SLOTS_PER_DAY, SLOTS_PER_WEEK, date_of, weekday_index, weekday_offset};

/// Bands per weekday × slot of day. Build with [`typical_week`].
#[derive(Debug, Clone, PartialEq)]
pub struct TypicalWeek {
    cells: Vec<Option<Band>>,
    samples: Vec<usize>,
    closure_days: Vec<Date>,
}

/// The typical week of `series` in `tz` (gaps ignored, closure days excluded).
pub fn typical_week(series: &[(Timestamp, Option<f64>)], tz: &TimeZone) -> TypicalWeek {
    let index = DayIndex::build(series, tz, |_| true);
    let closures = index.closures();
    let mut values: Vec<Vec<f64>> = vec![Vec::new(); SLOTS_PER_WEEK];
    for (day, slot, value) in index.cells() {
        if !closures.contains(&day) {
            values[weekday_index(day) * SLOTS_PER_DAY + slot].push(value);
        }
    }
    let samples = values.iter().map(Vec::len).collect();
    let cells = values.iter_mut().map(|v| band(v)).collect();
    let mut closure_days: Vec<i64> = closures.into_iter().collect();
    closure_days.sort_unstable();
    TypicalWeek {
        cells,
        samples,
        closure_days: closure_days.into_iter().filter_map(date_of).collect(),
    }
}

impl TypicalWeek {
    fn index(weekday: Weekday, slot: usize) -> Option<usize> {
        (slot < SLOTS_PER_DAY).then(|| weekday_offset(weekday) * SLOTS_PER_DAY + slot)
    }

    /// The band of one weekday × slot of day (`slot` in `0..144`); `None` without data.
    pub fn cell(&self, weekday: Weekday, slot: usize) -> Option<&Band> {
        self.cells.get(Self::index(weekday, slot)?)?.as_ref()
    }

    /// How many values (one per local day) went into a cell.
    pub fn samples(&self, weekday: Weekday, slot: usize) -> usize {
        Self::index(weekday, slot)
            .and_then(|i| self.samples.get(i).copied())
            .unwrap_or(0)
    }

    /// The 144 cells of one weekday.
    pub fn day(&self, weekday: Weekday) -> Vec<Option<Band>> {
        (0..SLOTS_PER_DAY)
            .map(|slot| self.cell(weekday, slot).copied())
            .collect()
    }

    /// Hourly value for a heatmap: the mean of the p50s of the six slots of `hour` (`0..24`)
    /// that have data; `None` when none has.
    pub fn hour(&self, weekday: Weekday, hour: u8) -> Option<f64> {
        if hour >= 24 {
            return None;
        }
        let first = usize::from(hour) * 6;
        let p50s: Vec<f64> = (first..first + 6)
            .filter_map(|slot| self.cell(weekday, slot).map(|b| b.p50))
            .collect();
        if p50s.is_empty() {
            return None;
        }
        let n = p50s.len() as f64;
        let mean = p50s.iter().sum::<f64>() / n;
        // Dividing first cannot overflow; only needed for absurd magnitudes.
        Some(if mean.is_finite() {
            mean
        } else {
            p50s.iter().map(|v| v / n).sum()
        })
    }

    /// The closure days that were left out, ascending.
    pub fn closure_days(&self) -> &[Date] {
        &self.closure_days
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slots::SLOT;
    use jiff::civil::Weekday::*;

    fn every_slot(
        from: &str,
        to: &str,
        value: impl Fn(Timestamp) -> Option<f64>,
    ) -> Vec<(Timestamp, Option<f64>)> {
        let (mut at, end): (Timestamp, Timestamp) = (from.parse().unwrap(), to.parse().unwrap());
        let mut out = Vec::new();
        while at < end {
            out.push((at, value(at)));
            at = at.checked_add(SLOT).unwrap();
        }
        out
    }

    #[test]
    fn empty_series_has_no_cells() {
        let week = typical_week(&[], &TimeZone::UTC);
        assert_eq!(week.cell(Monday, 0), None);
        assert_eq!(week.day(Sunday).len(), 144);
        assert!(week.day(Sunday).iter().all(Option::is_none));
        assert_eq!(week.hour(Monday, 3), None);
        assert_eq!(week.hour(Monday, 24), None);
        assert_eq!(week.cell(Monday, 144), None);
        assert_eq!(week.samples(Monday, 500), 0);
    }

    #[test]
    fn gaps_are_ignored_not_zero() {
        // Two weeks of 6.0 at every slot, but every odd slot index failed.
        let s = every_slot("2026-03-02T00:00Z", "2026-03-16T00:00Z", |at| {
            (at.as_second() / 600 % 2 == 0).then_some(6.0)
        });
        let week = typical_week(&s, &TimeZone::UTC);
        assert_eq!(week.cell(Tuesday, 0), Some(&Band::point(6.0)));
        assert_eq!(week.cell(Tuesday, 1), None);
        assert_eq!(week.hour(Tuesday, 0), Some(6.0));
    }

    #[test]
    fn dst_days_map_by_local_time_of_day() {
        // Europe/Berlin: 2026-03-29 02:00 → 03:00 (138 slots), 2026-10-25 03:00 → 02:00 (150).
        // Each range is two whole local weeks (Monday 00:00 local to Monday 00:00 local).
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let value = |at: Timestamp| {
            let dt = tz.to_datetime(at);
            Some(f64::from(dt.hour()) * 10.0 + f64::from(dt.minute() / 10))
        };
        for (from, to, sunday) in [
            (
                "2026-03-22T23:00Z",
                "2026-04-05T22:00Z",
                Date::constant(2026, 3, 29),
            ),
            (
                "2026-10-18T22:00Z",
                "2026-11-01T23:00Z",
                Date::constant(2026, 10, 25),
            ),
        ] {
            let s = every_slot(from, to, value);
            let spring = sunday.month() == 3;
            let on_dst_day = s
                .iter()
                .filter(|(at, _)| tz.to_datetime(*at).date() == sunday)
                .count();
            assert_eq!(on_dst_day, if spring { 138 } else { 150 });
            let week = typical_week(&s, &tz);
            // Every cell's value is its own local time: slots did not shift by an hour.
            for slot in 0..144 {
                let expected = (slot / 6) as f64 * 10.0 + (slot % 6) as f64;
                let cell = week.cell(Sunday, slot);
                if spring && (12..18).contains(&slot) {
                    // 02:00-02:59 does not exist on that Sunday; only the other Sunday has it.
                    assert_eq!(week.samples(Sunday, slot), 1);
                } else {
                    assert_eq!(week.samples(Sunday, slot), 2, "slot {slot}");
                }
                assert_eq!(cell, Some(&Band::point(expected)), "slot {slot}");
            }
            assert_eq!(week.hour(Sunday, 2), Some(20.0 + 2.5));
        }
    }

    #[test]
    fn closure_days_are_left_out() {
        // Busy 10:00-20:00 UTC every day for 3 weeks, except Wednesday 2026-03-11.
        let closed = Date::constant(2026, 3, 11);
        let s = every_slot("2026-03-02T00:00Z", "2026-03-23T00:00Z", |at| {
            let dt = TimeZone::UTC.to_datetime(at);
            Some(if dt.date() != closed && (10..20).contains(&dt.hour()) {
                8.0
            } else {
                0.0
            })
        });
        let week = typical_week(&s, &TimeZone::UTC);
        assert_eq!(week.closure_days(), &[closed]);
        assert_eq!(week.samples(Wednesday, 70), 2);
        assert_eq!(week.cell(Wednesday, 70), Some(&Band::point(8.0)));
        assert_eq!(week.hour(Wednesday, 3), Some(0.0));
    }
}
