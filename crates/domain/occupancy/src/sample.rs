//! One point of the occupancy history.

use jiff::Timestamp;

/// A measurement: how many people at `scan_time`, or `None` when the scan failed. A failed scan
/// is a gap in the history, never a zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    pub scan_time: Timestamp,
    pub count: Option<u32>,
}
