//! Who the devices are: regulars vs occasional visitors per pseudonym over a sliding 28-day
//! window, infrastructure devices to propose for the ignore-list, and event days (many more
//! first-seen devices than expected).
//!
//! Rules (spec §5.5):
//! - **regular** ⇔ seen on ≥ 3 distinct ISO weeks and ≥ 6 distinct days in the window;
//!   **occasional** ⇔ seen on ≤ 2 days; **other** otherwise. Days and ISO weeks are local
//!   (in the space's time zone).
//! - Locally administered (randomised) MACs rotate (iOS "Rotating", Android non-persistent,
//!   Windows daily), so their long-term regularity is unreliable: they are counted in their own
//!   `local` bucket, never as regular / occasional / other (their [`DeviceStats::class`] is
//!   still computed, for information).
//! - **dwell**: a device's sightings are cut into sessions — runs of slots where consecutive
//!   sightings are at most 2 slots apart (one missed scan is tolerated); a session of `k`
//!   slots from first to last lasts `10·k` minutes; the median over sessions is reported.
//! - **infrastructure** ⇔ present in ≥ 95 % of the successful slots of the last 7 days,
//!   nights included — see [`infrastructure`]. Such devices also look like regulars here;
//!   callers should put them on the ignore-list and drop their sightings.
//! - **event day** ⇔ the day's count of first-seen devices exceeds an expected upper band —
//!   see [`event_days`] and [`first_seen_band`].

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::quantiles::{Band, band};
use crate::slots::{
    SLOTS_PER_DAY, SLOTS_PER_WEEK, date_of, epoch_day, local_day_slot, slot_at, slot_index,
};

/// Length of the classification window, in local days ending with today.
pub const WINDOW_DAYS: i64 = 28;

/// Slots of day before 06:00 local: the night.
const NIGHT_SLOTS: usize = 36;

/// One device seen in one slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Sighting {
    pub device: u32,
    /// The slot (any timestamp inside it).
    pub slot: Timestamp,
}

/// Visitor class of a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Visitor {
    Regular,
    Occasional,
    Other,
}

/// Per-device statistics over the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DeviceStats {
    pub device: u32,
    /// Distinct local days seen.
    pub days: usize,
    /// Distinct ISO weeks (of local days) seen.
    pub weeks: usize,
    pub median_dwell_minutes: u32,
    /// By the rules alone, also for local devices.
    pub class: Visitor,
    /// Locally administered (randomised) address.
    pub local: bool,
}

/// The window's summary; `regulars + occasional + other + local == devices.len()`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Classification {
    pub regulars: usize,
    pub occasional: usize,
    pub other: usize,
    /// Locally administered devices, whatever their class.
    pub local: usize,
    /// Devices seen in the window, by device id.
    pub devices: Vec<DeviceStats>,
}

/// The class of a device seen on `days` distinct days in `weeks` distinct ISO weeks.
pub fn visitor_class(days: usize, weeks: usize) -> Visitor {
    if weeks >= 3 && days >= 6 {
        Visitor::Regular
    } else if days <= 2 {
        Visitor::Occasional
    } else {
        Visitor::Other
    }
}

/// Median session length in minutes of a device's slot numbers (any order, duplicates
/// allowed); 0 without slots. Even counts take the mean of the two middle sessions (floored).
pub fn median_dwell_minutes(slots: &mut Vec<i64>) -> u32 {
    slots.sort_unstable();
    slots.dedup();
    let Some(&first) = slots.first() else {
        return 0;
    };
    let mut sessions = Vec::new();
    let (mut start, mut previous) = (i128::from(first), i128::from(first));
    for &slot in &slots[1..] {
        let slot = i128::from(slot);
        if slot - previous > 2 {
            sessions.push(previous - start + 1);
            start = slot;
        }
        previous = slot;
    }
    sessions.push(previous - start + 1);
    sessions.sort_unstable();
    let mid = sessions.len() / 2;
    let minutes = if sessions.len() % 2 == 1 {
        sessions[mid].saturating_mul(10)
    } else {
        sessions[mid - 1]
            .saturating_add(sessions[mid])
            .saturating_mul(5)
    };
    u32::try_from(minutes).unwrap_or(u32::MAX)
}

/// Classify the devices seen in the 28 local days ending with `now`'s local day (sightings
/// after `now` ignored). `local(device)` tells whether a device's address is locally
/// administered (first octet & 0x02).
pub fn classify(
    sightings: &[Sighting],
    now: Timestamp,
    tz: &TimeZone,
    local: &dyn Fn(u32) -> bool,
) -> Classification {
    let (today, _) = local_day_slot(now, tz);
    let first_day = today - (WINDOW_DAYS - 1);
    let now_slot = slot_index(now);
    #[derive(Default)]
    struct Seen {
        slots: Vec<i64>,
        days: HashSet<i64>,
        weeks: HashSet<(i16, i8)>,
    }
    let mut by_device: BTreeMap<u32, Seen> = BTreeMap::new();
    for s in sightings {
        let slot = slot_index(s.slot);
        if slot > now_slot {
            continue;
        }
        let (day, _) = local_day_slot(s.slot, tz);
        if day < first_day {
            continue;
        }
        let seen = by_device.entry(s.device).or_default();
        seen.slots.push(slot);
        if seen.days.insert(day)
            && let Some(date) = date_of(day)
        {
            let week = date.iso_week_date();
            seen.weeks.insert((week.year(), week.week()));
        }
    }
    let mut out = Classification::default();
    for (device, mut seen) in by_device {
        let (days, weeks) = (seen.days.len(), seen.weeks.len());
        let stats = DeviceStats {
            device,
            days,
            weeks,
            median_dwell_minutes: median_dwell_minutes(&mut seen.slots),
            class: visitor_class(days, weeks),
            local: local(device),
        };
        match (stats.local, stats.class) {
            (true, _) => out.local += 1,
            (false, Visitor::Regular) => out.regulars += 1,
            (false, Visitor::Occasional) => out.occasional += 1,
            (false, Visitor::Other) => out.other += 1,
        }
        out.devices.push(stats);
    }
    out
}

/// The infrastructure window: the 1008 slots (7 × 24 h) ending with `now`'s slot, as slot
/// numbers.
fn infra_window(now: Timestamp) -> (i64, i64) {
    let last = slot_index(now);
    (last - (SLOTS_PER_WEEK as i64 - 1), last)
}

/// Whether the last 7 days are *covered* by data, as [`infrastructure`] requires: each of the
/// seven consecutive 24-hour periods of the window (the 1008 slots ending with `now`'s slot)
/// has at least half of its 144 slots successful **and** at least one successful night slot
/// (local 00:00–06:00). So "always there" is judged on evenings and nights, not just while
/// the space is open.
pub fn infrastructure_covered(ok_slots: &[Timestamp], now: Timestamp, tz: &TimeZone) -> bool {
    let (first, last) = infra_window(now);
    let mut ok = [0usize; 7];
    let mut night = [false; 7];
    let unique: HashSet<i64> = ok_slots
        .iter()
        .map(|&t| slot_index(t))
        .filter(|s| (first..=last).contains(s))
        .collect();
    for slot in unique {
        let period = usize::try_from((slot - first) / SLOTS_PER_DAY as i64).unwrap_or(0);
        if let Some(count) = ok.get_mut(period) {
            *count += 1;
            if slot_at(slot).is_some_and(|at| local_day_slot(at, tz).1 < NIGHT_SLOTS) {
                night[period] = true;
            }
        }
    }
    ok.iter().all(|&n| n >= SLOTS_PER_DAY / 2) && night.iter().all(|&n| n)
}

/// Devices present in ≥ 95 % of the successful slots of the last 7 days (the 1008 slots ending
/// with `now`'s slot), ascending — proposals for the ignore-list. Empty unless the window is
/// [covered](infrastructure_covered). Sightings in slots not listed in `ok_slots` are ignored.
pub fn infrastructure(
    sightings: &[Sighting],
    ok_slots: &[Timestamp],
    now: Timestamp,
    tz: &TimeZone,
) -> Vec<u32> {
    if !infrastructure_covered(ok_slots, now, tz) {
        return Vec::new();
    }
    let (first, last) = infra_window(now);
    let ok: HashSet<i64> = ok_slots
        .iter()
        .map(|&t| slot_index(t))
        .filter(|s| (first..=last).contains(s))
        .collect();
    let mut present: HashSet<(u32, i64)> = HashSet::new();
    for s in sightings {
        let slot = slot_index(s.slot);
        if ok.contains(&slot) {
            present.insert((s.device, slot));
        }
    }
    let mut per_device: HashMap<u32, usize> = HashMap::new();
    for (device, _) in present {
        *per_device.entry(device).or_default() += 1;
    }
    let mut devices: Vec<u32> = per_device
        .into_iter()
        .filter(|&(_, n)| n * 20 >= ok.len() * 19)
        .map(|(d, _)| d)
        .collect();
    devices.sort_unstable();
    devices
}

/// Per local day, how many devices had their first sighting ever (in `sightings`) on that day;
/// ascending, days without a first sighting omitted.
pub fn daily_first_seen(sightings: &[Sighting], tz: &TimeZone) -> Vec<(Date, u32)> {
    let mut first: HashMap<u32, Timestamp> = HashMap::new();
    for s in sightings {
        first
            .entry(s.device)
            .and_modify(|t| *t = (*t).min(s.slot))
            .or_insert(s.slot);
    }
    let mut per_day: BTreeMap<i64, u32> = BTreeMap::new();
    for at in first.into_values() {
        *per_day.entry(local_day_slot(at, tz).0).or_default() += 1;
    }
    per_day
        .into_iter()
        .filter_map(|(day, n)| Some((date_of(day)?, n)))
        .collect()
}

/// Days whose count of first-seen devices is strictly above `expected_upper(day)`; days for
/// which it is `None` (no expectation yet) are never flagged. Counts listed twice for one day
/// are added. Ascending.
///
/// The caller picks the band from [`first_seen_band`] (or its own forecast of daily
/// first-seen counts). Note that a plain p90 is exceeded on about one ordinary day in ten by
/// construction; the spec's p95, or a margin such as `p90 + (p90 − p50)` (what the tests use),
/// keeps ordinary busy days out.
pub fn event_days(
    first_seen: &[(Date, u32)],
    expected_upper: &dyn Fn(Date) -> Option<f64>,
) -> Vec<Date> {
    let mut per_day: BTreeMap<Date, u64> = BTreeMap::new();
    for &(date, n) in first_seen {
        *per_day.entry(date).or_default() += u64::from(n);
    }
    per_day
        .into_iter()
        .filter(|&(date, n)| expected_upper(date).is_some_and(|upper| n as f64 > upper))
        .map(|(date, _)| date)
        .collect()
}

/// The expected band of first-seen devices on `day`, from the days before it: the same
/// weekday in the previous 8 weeks when at least 4 of them are known, else every day of the
/// previous 28. Days between the first listed day and `day` that are not listed count as 0;
/// days before the first listed one are unknown. `None` with fewer than 7 earlier days (no
/// meaningful expectation yet).
///
/// The first days of data collection see every device for the first time; keep them out of
/// the lookback (skip the first weeks) or they inflate the band.
pub fn first_seen_band(first_seen: &[(Date, u32)], day: Date) -> Option<Band> {
    let target = epoch_day(day);
    let mut counts: HashMap<i64, f64> = HashMap::new();
    for &(date, n) in first_seen {
        *counts.entry(epoch_day(date)).or_default() += f64::from(n);
    }
    let start = *counts.keys().filter(|&&d| d < target).min()?;
    let value = |d: i64| counts.get(&d).copied().unwrap_or(0.0);
    let mut same: Vec<f64> = (1..=8)
        .map(|j| target - 7 * j)
        .filter(|&d| d >= start)
        .map(value)
        .collect();
    if same.len() >= 4 {
        return band(&mut same);
    }
    let mut all: Vec<f64> = (1..=WINDOW_DAYS)
        .map(|j| target - j)
        .filter(|&d| d >= start)
        .map(value)
        .collect();
    if all.len() < 7 {
        return None;
    }
    band(&mut all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").unwrap()
    }

    fn at(d: Date, hour: i8, minute: i8) -> Timestamp {
        d.to_datetime(time(hour, minute, 0, 0))
            .to_zoned(berlin())
            .unwrap()
            .timestamp()
    }

    /// Sightings of `device` every slot from `from` (inclusive) to `to` (exclusive), local time,
    /// skipping slots listed in `missed` (as "HH:MM").
    fn visit(
        device: u32,
        d: Date,
        from: (i8, i8),
        to: (i8, i8),
        missed: &[(i8, i8)],
    ) -> Vec<Sighting> {
        let (mut h, mut m) = from;
        let mut out = Vec::new();
        while (h, m) < to {
            if !missed.contains(&(h, m)) {
                out.push(Sighting {
                    device,
                    slot: at(d, h, m),
                });
            }
            m += 10;
            if m == 60 {
                (h, m) = (h + 1, 0);
            }
        }
        out
    }

    /// Window: Monday 2026-02-02 … Sunday 2026-03-01 (ISO weeks 6–9), now = Sunday 23:00.
    fn now() -> Timestamp {
        at(date(2026, 3, 1), 23, 0)
    }

    fn history() -> Vec<Sighting> {
        let mut s = Vec::new();
        let tue_thu = |week: i8| [date(2026, 2, 3 + 7 * week), date(2026, 2, 5 + 7 * week)];
        for week in 0..4 {
            for d in tue_thu(week) {
                // Regular: 18:00–21:00, one missed scan at 19:30 (same session).
                s.extend(visit(1, d, (18, 0), (21, 0), &[(19, 30)]));
                if week < 3 {
                    // Local (randomised MAC) with a regular pattern too.
                    s.extend(visit(6, d, (18, 0), (20, 0), &[]));
                }
            }
        }
        // Outside the window / after now: must not count.
        s.extend(visit(1, date(2026, 1, 27), (18, 0), (21, 0), &[]));
        s.extend(visit(7, date(2026, 1, 30), (18, 0), (19, 0), &[]));
        s.extend(visit(8, date(2026, 3, 2), (10, 0), (11, 0), &[]));
        // Occasional: two afternoons.
        s.extend(visit(2, date(2026, 2, 10), (14, 0), (15, 0), &[]));
        s.extend(visit(2, date(2026, 2, 24), (14, 0), (15, 0), &[]));
        // Other: six days, but all in one ISO week.
        for day in 2..=7 {
            s.extend(visit(3, date(2026, 2, day), (10, 0), (10, 30), &[]));
        }
        // Other: three weeks, but only five days.
        for day in [2, 3, 9, 10, 16] {
            s.extend(visit(4, date(2026, 2, day), (10, 0), (10, 30), &[]));
        }
        // Regular at the boundary: six days in exactly three weeks.
        for day in [2, 3, 9, 10, 16, 17] {
            s.extend(visit(5, date(2026, 2, day), (10, 0), (10, 30), &[]));
        }
        // Local-day boundary: 00:30 on Monday 2026-02-02 is in the window (UTC: Feb 1).
        s.extend(visit(9, date(2026, 2, 2), (0, 30), (0, 40), &[]));
        // ... 23:50 on Sunday 2026-02-01 is not (UTC: Feb 1 too).
        s.extend(visit(10, date(2026, 2, 1), (23, 50), (24, 0), &[]));
        // Sessions split by two missed scans: 10:00–10:20 and 10:40–10:50 → 20 and 10 min.
        s.extend(visit(
            11,
            date(2026, 2, 20),
            (10, 0),
            (11, 0),
            &[(10, 20), (10, 30), (10, 50)],
        ));
        s
    }

    fn stats(c: &Classification, device: u32) -> Option<DeviceStats> {
        c.devices.iter().find(|d| d.device == device).copied()
    }

    #[test]
    fn classification_rules() {
        let c = classify(&history(), now(), &berlin(), &|d| d == 6);
        let ids: Vec<u32> = c.devices.iter().map(|d| d.device).collect();
        assert_eq!(ids, [1, 2, 3, 4, 5, 6, 9, 11]);

        let regular = stats(&c, 1).unwrap();
        assert_eq!((regular.days, regular.weeks), (8, 4));
        assert_eq!(regular.class, Visitor::Regular);
        assert_eq!(regular.median_dwell_minutes, 180);
        assert!(!regular.local);

        let occasional = stats(&c, 2).unwrap();
        assert_eq!(
            (occasional.days, occasional.weeks, occasional.class),
            (2, 2, Visitor::Occasional)
        );
        assert_eq!(occasional.median_dwell_minutes, 60);

        assert_eq!(stats(&c, 3).unwrap().class, Visitor::Other);
        assert_eq!(
            (stats(&c, 3).unwrap().days, stats(&c, 3).unwrap().weeks),
            (6, 1)
        );
        assert_eq!(stats(&c, 4).unwrap().class, Visitor::Other);
        assert_eq!(
            (stats(&c, 4).unwrap().days, stats(&c, 4).unwrap().weeks),
            (5, 3)
        );
        assert_eq!(stats(&c, 5).unwrap().class, Visitor::Regular);

        let local = stats(&c, 6).unwrap();
        assert!(local.local);
        assert_eq!(local.class, Visitor::Regular);

        assert_eq!(stats(&c, 9).unwrap().days, 1);
        assert_eq!(stats(&c, 11).unwrap().median_dwell_minutes, 15);

        // 1, 5 regular; 2, 9, 11 occasional; 3, 4 other; 6 local.
        assert_eq!((c.regulars, c.occasional, c.other, c.local), (2, 3, 2, 1));
        assert_eq!(
            c.regulars + c.occasional + c.other + c.local,
            c.devices.len()
        );
    }

    #[test]
    fn window_slides() {
        // A week later, the first week (device 3's only week) has left the window.
        let later = at(date(2026, 3, 8), 12, 0);
        let c = classify(&history(), later, &berlin(), &|_| false);
        assert!(stats(&c, 3).is_none());
        let regular = stats(&c, 1).unwrap();
        assert_eq!((regular.days, regular.weeks), (6, 3));
        assert_eq!(regular.class, Visitor::Regular);
        assert!(stats(&c, 8).is_some());
        assert_eq!(
            classify(&[], later, &berlin(), &|_| true),
            Classification::default()
        );
    }

    #[test]
    fn rule_table_and_dwell() {
        assert_eq!(visitor_class(6, 3), Visitor::Regular);
        assert_eq!(visitor_class(5, 3), Visitor::Other);
        assert_eq!(visitor_class(20, 2), Visitor::Other);
        assert_eq!(visitor_class(2, 2), Visitor::Occasional);
        assert_eq!(visitor_class(1, 1), Visitor::Occasional);
        assert_eq!(visitor_class(3, 1), Visitor::Other);
        assert_eq!(median_dwell_minutes(&mut vec![]), 0);
        assert_eq!(median_dwell_minutes(&mut vec![5]), 10);
        assert_eq!(median_dwell_minutes(&mut vec![7, 5, 5]), 30); // one missed scan
        assert_eq!(median_dwell_minutes(&mut vec![5, 8]), 10); // two missed: two sessions
        assert_eq!(median_dwell_minutes(&mut vec![i64::MIN, i64::MAX]), 10);
    }

    /// All slots of the 7 days before `now`, minus every 97th (a failed scan).
    fn ok_slots(now: Timestamp, keep: impl Fn(Timestamp) -> bool) -> Vec<Timestamp> {
        let last = slot_index(now);
        (last - 1007..=last)
            .filter(|i| i % 97 != 0)
            .filter_map(slot_at)
            .filter(|&t| keep(t))
            .collect()
    }

    #[test]
    fn infrastructure_devices() {
        let tz = berlin();
        let now = at(date(2026, 3, 1), 23, 5);
        let ok = ok_slots(now, |_| true);
        let mut s = Vec::new();
        for (i, &t) in ok.iter().enumerate() {
            // 100: a printer, missing 3 % of scans. 101: a NAS asleep 10 % of the time.
            if i % 33 != 0 {
                s.push(Sighting {
                    device: 100,
                    slot: t,
                });
            }
            if i % 10 != 0 {
                s.push(Sighting {
                    device: 101,
                    slot: t,
                });
            }
            // 102: a member's laptop, there every day 06:00–24:00 but not at night.
            if slot_of_day_berlin(t) >= 36 {
                s.push(Sighting {
                    device: 102,
                    slot: t,
                });
            }
        }
        // Sightings in failed or out-of-window slots do not count.
        s.push(Sighting {
            device: 103,
            slot: at(date(2026, 2, 1), 12, 0),
        });
        assert!(infrastructure_covered(&ok, now, &tz));
        assert_eq!(infrastructure(&s, &ok, now, &tz), [100]);

        // Not covered: only daytime scans succeeded.
        let day_only = ok_slots(now, |t| slot_of_day_berlin(t) >= 36);
        assert!(!infrastructure_covered(&day_only, now, &tz));
        assert!(infrastructure(&s, &day_only, now, &tz).is_empty());
        // Not covered: one 24-hour period with less than half its scans.
        let holey = ok_slots(now, |t| {
            let back = slot_index(now) - slot_index(t);
            !(300..400).contains(&back)
        });
        assert!(!infrastructure_covered(&holey, now, &tz));
        assert!(infrastructure(&[], &[], now, &tz).is_empty());
    }

    fn slot_of_day_berlin(t: Timestamp) -> usize {
        crate::slots::slot_of_day(t, &berlin())
    }

    #[test]
    fn event_day_from_first_seen_devices() {
        // 30 members first seen in week 0; then 1–4 new visitors a day; 25 on 2026-03-14.
        let tz = berlin();
        let start = date(2026, 1, 5);
        let event = date(2026, 3, 14);
        let mut s = Vec::new();
        let mut next = 0u32;
        let mut lcg = 12345u64;
        for offset in 0..84 {
            let d = start.checked_add(jiff::Span::new().days(offset)).unwrap();
            lcg = lcg
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let new = if offset < 7 {
                5
            } else if d == event {
                25
            } else {
                1 + (lcg >> 33) % 4
            };
            for _ in 0..new {
                s.extend(visit(next, d, (18, 0), (19, 0), &[]));
                next += 1;
            }
            // Returning members are not first-seen.
            s.extend(visit(0, d, (18, 0), (19, 0), &[]));
        }
        let first_seen = daily_first_seen(&s, &tz);
        assert_eq!(first_seen.len(), 84);
        assert_eq!(first_seen[0], (start, 5));
        assert!(first_seen.contains(&(event, 25)));
        let warm_up = start.checked_add(jiff::Span::new().days(14)).unwrap();
        let after_warm_up: Vec<_> = first_seen
            .iter()
            .copied()
            .filter(|(x, _)| *x >= warm_up)
            .collect();
        let band_on = |d: Date| {
            (d >= warm_up)
                .then(|| first_seen_band(&after_warm_up, d))
                .flatten()
        };
        // p90 alone flags about one ordinary day in ten, by construction ...
        let p90 = |d: Date| band_on(d).map(|b| b.p90);
        let flagged = event_days(&first_seen, &p90);
        assert!(flagged.contains(&event) && flagged.len() > 1, "{flagged:?}");
        // ... so give it a margin: p90 + (p90 − p50).
        let upper = |d: Date| band_on(d).map(|b| 2.0 * b.p90 - b.p50);
        assert_eq!(event_days(&first_seen, &upper), [event]);
        assert!(event_days(&[], &upper).is_empty());
        assert!(event_days(&first_seen, &|_| None).is_empty());
        // Counts listed twice are added.
        assert_eq!(
            event_days(&[(event, 2), (event, 2)], &|_| Some(3.0)),
            [event]
        );
    }

    #[test]
    fn first_seen_band_fallbacks() {
        assert_eq!(first_seen_band(&[], date(2026, 1, 1)), None);
        let d = date(2026, 1, 10);
        // Too little history.
        assert_eq!(first_seen_band(&[(date(2026, 1, 7), 6)], d), None);
        // One listed day a week before: all days since it, the missing ones counting 0.
        let b = first_seen_band(&[(date(2026, 1, 3), 6)], d).unwrap();
        assert_eq!((b.p10, b.p50), (0.0, 0.0));
        assert!((b.p90 - 2.4).abs() < 1e-9);
        assert_eq!(first_seen_band(&[(d, 6)], d), None);
    }
}
