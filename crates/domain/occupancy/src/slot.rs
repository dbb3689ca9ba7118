//! The agent measures once per 10-minute slot; a slot is named by its start, in UTC seconds.

use jiff::Timestamp;

/// Length of a measurement slot.
pub const SLOT_SECONDS: i64 = 600;

/// The start of the slot holding `at`.
pub fn slot_start(at: Timestamp) -> Timestamp {
    let seconds = at.as_second().div_euclid(SLOT_SECONDS) * SLOT_SECONDS;
    Timestamp::from_second(seconds).expect("flooring a valid timestamp stays in range")
}

/// Whether `at` is exactly on a slot boundary.
pub fn is_slot_start(at: Timestamp) -> bool {
    at.subsec_nanosecond() == 0 && at.as_second().rem_euclid(SLOT_SECONDS) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_floor_to_ten_minutes() {
        let at: Timestamp = "2026-11-27T23:49:59.9Z".parse().unwrap();
        assert_eq!(slot_start(at).to_string(), "2026-11-27T23:40:00Z");
        let before_epoch: Timestamp = "1969-12-31T23:55:00Z".parse().unwrap();
        assert_eq!(slot_start(before_epoch).to_string(), "1969-12-31T23:50:00Z");
        assert!(is_slot_start(slot_start(at)));
        assert!(!is_slot_start(at));
    }
}
