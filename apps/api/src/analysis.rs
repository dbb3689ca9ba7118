//! The occupancy series analysis works on: the last eight weeks slot by slot, each slot the
//! devices present with the presence window applied (a device seen within the window counts,
//! so a phone asleep for one scan is not lost), summed over the agents of several LANs; a slot
//! without any measurement, or with a failed scan, is a gap. Slots known only from head counts
//! (`/count`) keep their count. Built from the database at most once a minute (or after a new
//! measurement) and shared.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use jiff::{SignedDuration, Timestamp};
use offimic_analytics::presence::windowed_counts;
use offimic_occupancy::slot_start;
use offimic_store::{SlotSighting, StoreResult};

use crate::app::AppState;

/// How far back the series goes: the forecaster looks at the same slot in the last 8 weeks.
pub const HISTORY: SignedDuration = SignedDuration::from_hours(24 * 7 * 8);
/// How long a built series is reused.
const REUSE_FOR: SignedDuration = SignedDuration::from_secs(60);
const SLOT: SignedDuration = SignedDuration::from_mins(10);

/// A regular series of 10-minute slots.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    pub slots: Vec<(Timestamp, Option<f64>)>,
    /// The sightings it was built from, for the per-device analysis.
    pub sightings: Vec<SlotSighting>,
}

impl Series {
    /// The latest slot with a value.
    pub fn latest(&self) -> Option<(Timestamp, f64)> {
        self.slots
            .iter()
            .rev()
            .find_map(|(at, value)| value.map(|v| (*at, v)))
    }
}

/// The series, rebuilt when older than a minute.
#[derive(Default)]
pub struct SeriesCache {
    built: Mutex<Option<(Timestamp, Arc<Series>)>>,
}

impl SeriesCache {
    /// Forgets the built series: a measurement has just been recorded.
    pub fn invalidate(&self) {
        if let Ok(mut guard) = self.built.lock() {
            *guard = None;
        }
    }
}

/// The series ending now, from the cache when fresh.
pub async fn series(state: &AppState, now: Timestamp) -> StoreResult<Arc<Series>> {
    let cached = state
        .series
        .built
        .lock()
        .map(|guard| guard.clone())
        .unwrap_or(None);
    if let Some((at, series)) = cached
        && now >= at
        && now < at + REUSE_FOR
    {
        return Ok(series);
    }
    let series = Arc::new(build(state, now - HISTORY, now + SLOT).await?);
    if let Ok(mut guard) = state.series.built.lock() {
        *guard = Some((now, series.clone()));
    }
    Ok(series)
}

/// Builds the series of `[from, to)` from the stored measurements.
pub async fn build(state: &AppState, from: Timestamp, to: Timestamp) -> StoreResult<Series> {
    let from = slot_start(from);
    let measurements = state.store.measurements(from, to).await?;
    let sightings = state.store.sightings(from, to).await?;
    let window = state.config.presence_window();

    // Per slot: scans (ok or failed) and head counts.
    let mut scans: Vec<(Timestamp, bool)> = Vec::new();
    let mut head_counts: BTreeMap<Timestamp, u32> = BTreeMap::new();
    for m in &measurements {
        if m.scanned {
            scans.push((m.slot, m.count.is_some()));
        } else if let Some(count) = m.count {
            let total = head_counts.entry(m.slot).or_default();
            *total = total.saturating_add(count);
        }
    }
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let indexed: Vec<(Timestamp, u32)> = sightings
        .iter()
        .map(|s| {
            let next = ids.len() as u32;
            (s.slot, *ids.entry(s.pseudonym.as_str()).or_insert(next))
        })
        .collect();
    let windowed: BTreeMap<Timestamp, Option<u32>> = windowed_counts(&scans, &indexed, window)
        .into_iter()
        .collect();

    let mut slots = Vec::new();
    let mut at = from;
    let end = measurements.last().map_or(from, |m| m.slot);
    while at <= end {
        let value = match (windowed.get(&at), head_counts.get(&at)) {
            (Some(scanned), _) => scanned.map(f64::from),
            (None, Some(count)) => Some(f64::from(*count)),
            (None, None) => None,
        };
        slots.push((at, value));
        at += SLOT;
    }
    Ok(Series { slots, sightings })
}
