//! Background jobs run inside `offimic-api serve`: the retention purge of per-device rows, the
//! outbox's delivery, and (when enabled) the daily payment run.

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

/// Runs every background job until the task is dropped.
pub async fn run(state: AppState) {
    tokio::join!(
        purge_regularly(state.clone()),
        deliver_email(state.clone()),
        daily_payment_run(state)
    );
}

/// How often the outbox is looked at when nobody rings.
const OUTBOX_EVERY: Duration = Duration::from_secs(30);

/// Sends due emails whenever one is queued, and every half minute for retries.
async fn deliver_email(state: AppState) {
    loop {
        match state
            .mail
            .mailer
            .deliver_due(&*state.store, Timestamp::now())
            .await
        {
            Ok(report) if report != Default::default() => tracing::info!(
                sent = report.sent,
                retried = report.retried,
                failed = report.failed,
                "outbox delivered"
            ),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "outbox delivery failed; will retry"),
        }
        let _ = tokio::time::timeout(OUTBOX_EVERY, state.mail.queued.notified()).await;
    }
}

/// The payment run, every day at `payments.run_at` in the space's time zone.
async fn daily_payment_run(state: AppState) {
    if !state.config.payments.daily {
        return;
    }
    loop {
        let now = Timestamp::now();
        let wait = until_next(now, state.config.payments.run_at, state.config.tz());
        tokio::time::sleep(wait).await;
        match crate::money::run_payments(&state, Timestamp::now()).await {
            Ok(report) => tracing::info!("{}", report.summary(&state.config.payments.door)),
            Err(error) => tracing::error!(%error, "the payment run failed"),
        }
    }
}

/// How long from `now` until the next `at` o'clock in `tz`.
fn until_next(now: Timestamp, at: jiff::civil::Time, tz: &jiff::tz::TimeZone) -> Duration {
    let local = now.to_zoned(tz.clone());
    let today = local.date().to_datetime(at).to_zoned(tz.clone());
    let next = match today {
        Ok(next) if next.timestamp() > now => Ok(next),
        _ => local
            .date()
            .tomorrow()
            .and_then(|day| day.to_datetime(at).to_zoned(tz.clone())),
    };
    next.ok()
        .and_then(|next| Duration::try_from(next.timestamp().duration_since(now)).ok())
        .unwrap_or(Duration::from_secs(24 * 3600))
}

/// Runs the purge at start and every six hours.
async fn purge_regularly(state: AppState) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_daily_run_waits_for_the_next_local_run_time() {
        let paris = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
        let four = jiff::civil::time(4, 0, 0, 0);
        // 02:00 UTC is 03:00 in Paris in winter: one hour to go.
        let now: Timestamp = "2026-01-20T02:00:00Z".parse().unwrap();
        assert_eq!(until_next(now, four, &paris), Duration::from_secs(3600));
        // Just after four: tomorrow.
        let now: Timestamp = "2026-01-20T03:00:01Z".parse().unwrap();
        assert_eq!(
            until_next(now, four, &paris),
            Duration::from_secs(24 * 3600 - 1)
        );
        // The night the clocks go forward has 23 hours.
        let now: Timestamp = "2026-03-28T03:00:00Z".parse().unwrap();
        assert_eq!(
            until_next(now, four, &paris),
            Duration::from_secs(23 * 3600)
        );
    }
}
