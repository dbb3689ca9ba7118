//! What occupancy analysis reads: the scans of a period slot by slot, which devices each saw
//! (ignored devices left out), and the manual head counts that calibrate devices per person.

use async_trait::async_trait;
use jiff::Timestamp;

use crate::StoreResult;

/// One stored measurement of a slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotMeasurement {
    pub slot: Timestamp,
    /// `None` for a failed scan.
    pub count: Option<u32>,
    /// Whether the agent reported the devices it saw (a scan), not only a number (a head count).
    pub scanned: bool,
}

/// A device seen in a slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotSighting {
    pub slot: Timestamp,
    pub pseudonym: String,
    /// A locally administered (randomised) address.
    pub local: bool,
}

/// A manual head count.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    pub at: Timestamp,
    pub people: u32,
    /// Devices present in the slot of the count, when one was measured.
    pub devices: Option<u32>,
}

#[async_trait]
pub trait AnalysisStore {
    /// Every measurement of `[from, to)`, oldest first.
    async fn measurements(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<SlotMeasurement>>;

    /// Every device seen in `[from, to)`, oldest first, without ignored devices.
    async fn sightings(&self, from: Timestamp, to: Timestamp) -> StoreResult<Vec<SlotSighting>>;

    /// Records a head count.
    async fn add_calibration(&self, calibration: &Calibration) -> StoreResult<()>;

    /// Every head count, oldest first.
    async fn calibrations(&self) -> StoreResult<Vec<Calibration>>;
}
