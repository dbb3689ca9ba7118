//! Presence windows: turning per-slot device sightings into a per-slot device count that
//! tolerates a phone sleeping through a scan. Every hackerspace presence system surveyed uses
//! such a window (seen within the last 3–30 minutes) rather than a single scan.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};

use crate::slots::{slot_at, slot_index};

/// Default presence window: a device seen in this slot or the previous one (a phone asleep for
/// one scan still counts).
pub const DEFAULT_WINDOW: SignedDuration = SignedDuration::from_mins(15);

/// Per slot of `slots` (in the given order, output timestamps being slot starts): the number
/// of distinct devices seen in any **successful** slot whose start lies in `(s − window, s]`;
/// `None` for a failed slot.
///
/// Sightings and slots are matched by slot start (a timestamp inside a slot counts for that
/// slot). A sighting counts only when its slot is listed in `slots` as successful — sightings
/// in failed or unlisted slots are ignored. A window of zero or less is treated as "this slot
/// only". If a slot is listed twice, a failure wins.
pub fn windowed_counts(
    slots: &[(Timestamp, bool)],
    sightings: &[(Timestamp, u32)],
    window: SignedDuration,
) -> Vec<(Timestamp, Option<u32>)> {
    let mut ok: HashMap<i64, bool> = HashMap::with_capacity(slots.len());
    for &(at, success) in slots {
        ok.entry(slot_index(at))
            .and_modify(|o| *o &= success)
            .or_insert(success);
    }
    let mut seen: Vec<(i64, u32)> = sightings
        .iter()
        .map(|&(at, device)| (slot_index(at), device))
        .filter(|(slot, _)| ok.get(slot) == Some(&true))
        .collect();
    seen.sort_unstable();
    seen.dedup();

    // Window in nanoseconds, at least 1 so the slot itself is always included.
    let window = window.as_nanos().max(1);
    let mut devices = Vec::new();
    slots
        .iter()
        .map(|&(at, _)| {
            let slot = slot_index(at);
            let start = slot_at(slot).unwrap_or(at);
            if ok.get(&slot) != Some(&true) {
                return (start, None);
            }
            // Slots t with t·600 s > s·600 s − window, i.e. t > s − window / 600 s.
            let slot_ns = 600_000_000_000i128;
            let lowest = i128::from(slot) - window / slot_ns + i128::from(window % slot_ns == 0);
            let lowest = i64::try_from(lowest).unwrap_or(i64::MIN);
            let from = seen.partition_point(|&(t, _)| t < lowest);
            let to = seen.partition_point(|&(t, _)| t <= slot);
            devices.clear();
            devices.extend(seen.get(from..to).unwrap_or(&[]).iter().map(|&(_, d)| d));
            devices.sort_unstable();
            devices.dedup();
            (
                start,
                Some(u32::try_from(devices.len()).unwrap_or(u32::MAX)),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(minutes: i64) -> Timestamp {
        Timestamp::from_second(1_767_571_200 + minutes * 60).unwrap()
    }

    #[test]
    fn sleeping_phone_still_counts_with_default_window() {
        // Device 1 seen at 0 and 20 (asleep at 10); device 2 only at 0.
        let slots: Vec<_> = (0..5).map(|i| (t(10 * i), true)).collect();
        let seen = [(t(0), 1), (t(0), 2), (t(20), 1)];
        let counts = windowed_counts(&slots, &seen, DEFAULT_WINDOW);
        let values: Vec<_> = counts.iter().map(|c| c.1).collect();
        assert_eq!(values, [Some(2), Some(2), Some(1), Some(1), Some(0)]);
        assert_eq!(counts[3].0, t(30));
    }

    #[test]
    fn failed_slots_are_none_and_their_sightings_ignored() {
        let slots = [(t(0), true), (t(10), false), (t(20), true)];
        let seen = [(t(10), 7), (t(20), 8)];
        let counts = windowed_counts(&slots, &seen, DEFAULT_WINDOW);
        assert_eq!(counts, [(t(0), Some(0)), (t(10), None), (t(20), Some(1))]);
    }

    #[test]
    fn window_bounds() {
        let slots: Vec<_> = (0..4).map(|i| (t(10 * i), true)).collect();
        let seen = [(t(0), 1)];
        // Exactly 20 min: (s − 20 min, s] excludes the slot 20 minutes earlier.
        let at = |w: i64| {
            windowed_counts(&slots, &seen, SignedDuration::from_mins(w))
                .iter()
                .map(|c| c.1.unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(at(20), [1, 1, 0, 0]);
        assert_eq!(at(21), [1, 1, 1, 0]);
        assert_eq!(at(0), [1, 0, 0, 0]);
        assert_eq!(at(-5), [1, 0, 0, 0]);
        assert_eq!(at(10), [1, 0, 0, 0]);
        assert_eq!(at(11), [1, 1, 0, 0]);
        let huge = windowed_counts(&slots, &seen, SignedDuration::MAX);
        assert!(huge.iter().all(|c| c.1 == Some(1)));
    }

    #[test]
    fn unaligned_unsorted_and_empty_inputs() {
        assert!(windowed_counts(&[], &[(t(0), 1)], DEFAULT_WINDOW).is_empty());
        let slots = [(t(23), true), (t(3), true)];
        let seen = [(t(27), 4), (t(5), 4), (t(5), 4), (t(1), 5), (t(40), 6)];
        let counts = windowed_counts(&slots, &seen, DEFAULT_WINDOW);
        assert_eq!(counts, [(t(20), Some(1)), (t(0), Some(2))]);
        let extreme = [(Timestamp::MIN, true), (Timestamp::MAX, true)];
        let counts = windowed_counts(&extreme, &[(Timestamp::MAX, 1)], SignedDuration::MIN);
        assert_eq!(counts[1].1, Some(1));
    }
}
