//! Occupancy storage: head counts, the agent's scans with the pseudonyms they saw, the
//! server-side ignore-list, and the retention purge of per-device rows.

use async_trait::async_trait;
use futures::stream::BoxStream;
use jiff::Timestamp;
use offimic_occupancy::{HistoryRange, Sample, ValidScan};
use offimic_presence::Pseudonym;

use crate::StoreResult;

/// What storing a scan did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanRecorded {
    /// The stored count for the slot (`None` for a failed scan).
    pub count: Option<u32>,
    /// The slot had already been reported by this agent; nothing changed.
    pub duplicate: bool,
}

/// A device pseudonym with the span it was seen over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    pub pseudonym: Pseudonym,
    pub local: bool,
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    pub ignored: bool,
}

/// An entry of the server-side ignore-list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredDevice {
    pub pseudonym: Pseudonym,
    pub note: String,
    pub created_at: Timestamp,
}

/// What changing the ignore-list did to the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IgnoreChange {
    /// False when the list already had (or lacked) the pseudonym: nothing changed.
    pub changed: bool,
    /// Stored scans whose count was corrected.
    pub scans_adjusted: u64,
}

/// What the retention purge removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PurgeReport {
    pub sightings: u64,
    pub devices: u64,
}

#[async_trait]
pub trait OccupancyStore {
    /// Records a head count given at `at`.
    async fn record_count(&self, at: Timestamp, count: u32) -> StoreResult<()>;

    /// Records an agent's scan, once per (agent, slot): a retried upload changes nothing and
    /// reports the count stored the first time. Devices on the ignore-list are stored as
    /// sightings but not counted.
    async fn record_scan(&self, agent: &str, scan: &ValidScan) -> StoreResult<ScanRecorded>;

    /// Samples in `range`, oldest first, at most `limit`, streamed from the database.
    fn history(
        &self,
        range: HistoryRange,
        limit: Option<u64>,
    ) -> BoxStream<'static, StoreResult<Sample>>;

    /// Devices seen, most recently seen first.
    async fn devices(&self, limit: u32) -> StoreResult<Vec<DeviceRecord>>;

    /// Puts a pseudonym on the ignore-list and removes it from every stored count that still has
    /// its sightings.
    async fn ignore_device(
        &self,
        pseudonym: &Pseudonym,
        note: &str,
        at: Timestamp,
    ) -> StoreResult<IgnoreChange>;

    /// Takes a pseudonym off the ignore-list and counts it again where its sightings remain.
    async fn unignore_device(&self, pseudonym: &Pseudonym) -> StoreResult<IgnoreChange>;

    async fn ignored_devices(&self) -> StoreResult<Vec<IgnoredDevice>>;

    /// Deletes sightings older than `before`, and devices not seen since then (unless ignored).
    /// Counts are kept.
    async fn purge_device_rows(&self, before: Timestamp) -> StoreResult<PurgeReport>;
}
