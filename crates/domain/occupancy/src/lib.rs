//! Occupancy domain: what a sample is, how time is cut into slots and buckets, how a history
//! range is read from a query, and what the agent's scan report must contain. Shared by the
//! server (`offimic-api`) and the agent (`offimic-measure`); no I/O.

pub mod bucket;
pub mod count;
pub mod range;
pub mod report;
pub mod sample;
pub mod slot;

pub use bucket::{BucketSize, BucketSummary, Bucketer};
pub use count::{CountError, parse_count};
pub use range::{HistoryRange, RangeError};
pub use report::{DeviceSighting, ReportError, ScanOutcome, ScanReport, ScanStatus, ValidScan};
pub use sample::Sample;
pub use slot::{SLOT_SECONDS, slot_start};
