//! Background jobs run inside `offimic-api serve`: the retention purge of per-device rows.

use std::time::Duration;

use jiff::Timestamp;
use offimic_store::{PurgeReport, StoreResult};

use crate::app::AppState;

const PURGE_EVERY: Duration = Duration::from_secs(6 * 3600);

/// Deletes sightings and pseudonyms older than the configured retention; counts stay.
pub async fn purge_device_rows(state: &AppState, now: Timestamp) -> StoreResult<PurgeReport> {
    let retention = jiff::SignedDuration::from_hours(i64::from(state.config.retention_days) * 24);
    let cutoff = now.checked_sub(retention).unwrap_or(Timestamp::MIN);
    state.store.purge_device_rows(cutoff).await
}

/// Runs the purge at start and every six hours until the task is dropped.
pub async fn run(state: AppState) {
    let mut tick = tokio::time::interval(PURGE_EVERY);
    loop {
        tick.tick().await;
        match purge_device_rows(&state, Timestamp::now()).await {
            Ok(report) => tracing::info!(
                sightings = report.sightings,
                devices = report.devices,
                "retention purge"
            ),
            Err(error) => tracing::warn!(%error, "retention purge failed; will retry"),
        }
    }
}
