//! What the space looks like now, from the latest slot of the analysis series (presence window
//! applied, agents summed): devices present, and whether the space is open and since when.
//! SpaceAPI, the dashboard and the metrics read it.

use jiff::{SignedDuration, Timestamp};
use offimic_store::StoreResult;

use crate::analysis::series;
use crate::app::AppState;

/// A measurement older than this says nothing about now.
pub const FRESH: SignedDuration = SignedDuration::from_mins(30);

/// The space as last measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    /// The slot measured last.
    pub at: Timestamp,
    /// Devices present then.
    pub devices: u32,
    /// Open (at least `open_threshold` devices), and since when as far as the series shows.
    pub open: bool,
    pub since: Timestamp,
}

/// The space now, or `None` when nothing was measured in the last half hour.
pub async fn now(state: &AppState, at: Timestamp, open_threshold: u32) -> StoreResult<Option<Now>> {
    let series = series(state, at).await?;
    let Some((last, devices)) = series.latest() else {
        return Ok(None);
    };
    if last < at - FRESH {
        return Ok(None);
    }
    let is_open = |count: f64| count >= f64::from(open_threshold);
    let open = is_open(devices);
    let since = series
        .slots
        .iter()
        .rev()
        .filter_map(|(slot, value)| value.map(|v| (*slot, v)))
        .take_while(|(_, value)| is_open(*value) == open)
        .last()
        .map_or(last, |(slot, _)| slot);
    Ok(Some(Now {
        at: last,
        devices: devices.round() as u32,
        open,
        since,
    }))
}
