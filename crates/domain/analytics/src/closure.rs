//! Closure days, and the per-local-day index of a series they are detected on.
//!
//! **Definition.** A local day is a *closure day* when
//! 1. it is *observed*: at least [`MIN_OBSERVED_SLOTS`] (half) of its 144 slots of day hold a
//!    successful scan (so a partly-scanned day — e.g. today so far — never qualifies), and
//! 2. every observed value of the day is zero, and
//! 3. its weekday is *normally open*: among the **other** observed days of the same weekday in
//!    the data considered, strictly more than half have some non-zero value (at least one such
//!    other day must exist).
//!
//! So a space that is always closed on Mondays keeps its zero Mondays (they are the pattern),
//! while a holiday Monday in a normally busy Monday series is excluded from profiles and
//! forecasts. A weekday that is open only every other week is treated as normally open, so its
//! closed weeks are excluded too — acceptable for a profile of "when open" but worth knowing.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::slots::{clean, date_of, local_day_slot, weekday_index};

/// Observed slots of day a day needs before it can be called a closure day.
pub const MIN_OBSERVED_SLOTS: u32 = 72;

#[derive(Debug, Clone, Copy)]
struct Cell {
    mean: f64,
    n: u32,
}

#[derive(Debug, Clone, Copy, Default)]
struct DayStat {
    observed: u32,
    nonzero: bool,
}

/// Cleaned values keyed by (local epoch day, slot of day); DST fall-back duplicates are
/// averaged. Sparse, so memory follows the number of points, not the time span.
#[derive(Debug, Default)]
pub(crate) struct DayIndex {
    cells: HashMap<(i64, u16), Cell>,
    days: HashMap<i64, DayStat>,
}

impl DayIndex {
    /// Index the non-gap points of `series` accepted by `keep` (checked before the time zone
    /// conversion, so it can cheaply cut a time window).
    pub(crate) fn build(
        series: &[(Timestamp, Option<f64>)],
        tz: &TimeZone,
        keep: impl Fn(Timestamp) -> bool,
    ) -> Self {
        let mut index = DayIndex::default();
        for &(at, value) in series {
            let Some(value) = clean(value) else { continue };
            if !keep(at) {
                continue;
            }
            let (day, slot) = local_day_slot(at, tz);
            let key = (day, u16::try_from(slot).unwrap_or(0));
            let stat = index.days.entry(day).or_default();
            stat.nonzero |= value > 0.0;
            match index.cells.get_mut(&key) {
                Some(cell) => {
                    cell.n = cell.n.saturating_add(1);
                    cell.mean += (value - cell.mean) / f64::from(cell.n);
                }
                None => {
                    stat.observed += 1;
                    index.cells.insert(key, Cell { mean: value, n: 1 });
                }
            }
        }
        index
    }

    pub(crate) fn value(&self, day: i64, slot: usize) -> Option<f64> {
        let slot = u16::try_from(slot).ok()?;
        self.cells.get(&(day, slot)).map(|c| c.mean)
    }

    pub(crate) fn cells(&self) -> impl Iterator<Item = (i64, usize, f64)> + '_ {
        self.cells
            .iter()
            .map(|(&(day, slot), c)| (day, usize::from(slot), c.mean))
    }

    /// Epoch days that are closure days (see the module docs).
    pub(crate) fn closures(&self) -> HashSet<i64> {
        // Per weekday: observed days, and how many of them had a non-zero value.
        let mut total = [0u32; 7];
        let mut nonzero = [0u32; 7];
        for (&day, stat) in &self.days {
            if stat.observed >= MIN_OBSERVED_SLOTS {
                let w = weekday_index(day);
                total[w] += 1;
                nonzero[w] += u32::from(stat.nonzero);
            }
        }
        self.days
            .iter()
            .filter(|(day, stat)| {
                let w = weekday_index(**day);
                let others = total[w].saturating_sub(1);
                stat.observed >= MIN_OBSERVED_SLOTS
                    && !stat.nonzero
                    && others >= 1
                    && 2 * nonzero[w] > others
            })
            .map(|(&day, _)| day)
            .collect()
    }
}

/// The closure days of `series` in `tz` (see the module docs), ascending.
pub fn closure_days(series: &[(Timestamp, Option<f64>)], tz: &TimeZone) -> Vec<Date> {
    let mut days: Vec<i64> = DayIndex::build(series, tz, |_| true)
        .closures()
        .into_iter()
        .collect();
    days.sort_unstable();
    days.into_iter().filter_map(date_of).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slots::SLOT_SECONDS;

    /// `weeks` weeks from Monday 2026-01-05 UTC; `value(day, slot)`.
    fn series(
        weeks: i64,
        value: impl Fn(i64, i64) -> Option<f64>,
    ) -> Vec<(Timestamp, Option<f64>)> {
        let start = Timestamp::from_second(1_767_571_200).unwrap(); // 2026-01-05T00:00Z, Monday
        (0..weeks * 1008)
            .map(|i| {
                let at = start.checked_add(jiff::SignedDuration::from_secs(i * SLOT_SECONDS));
                (at.unwrap(), value(i / 144, i % 144))
            })
            .collect()
    }

    #[test]
    fn holiday_on_a_busy_weekday_is_a_closure() {
        // Open every day 10:00-20:00; day 14 (a Monday) closed.
        let s = series(4, |d, s| {
            Some(if d != 14 && (60..120).contains(&s) {
                5.0
            } else {
                0.0
            })
        });
        let days = closure_days(&s, &TimeZone::UTC);
        assert_eq!(days, vec![Date::constant(2026, 1, 19)]);
    }

    #[test]
    fn regularly_closed_weekday_is_not_a_closure() {
        // Closed every Sunday (day % 7 == 6).
        let s = series(4, |d, s| {
            Some(if d % 7 != 6 && (60..120).contains(&s) {
                5.0
            } else {
                0.0
            })
        });
        assert!(closure_days(&s, &TimeZone::UTC).is_empty());
    }

    #[test]
    fn mostly_gaps_day_is_not_a_closure() {
        // Day 14: only 50 slots observed (zeros), the rest failed scans.
        let s = series(3, |d, s| match d {
            14 if s < 50 => Some(0.0),
            14 => None,
            _ if (60..120).contains(&s) => Some(5.0),
            _ => Some(0.0),
        });
        assert!(closure_days(&s, &TimeZone::UTC).is_empty());
    }

    #[test]
    fn empty_and_all_gaps() {
        assert!(closure_days(&[], &TimeZone::UTC).is_empty());
        assert!(closure_days(&series(2, |_, _| None), &TimeZone::UTC).is_empty());
    }
}
