//! [`impl_analysis_store!`]: what occupancy analysis reads, written once for both backends.

/// Implements `AnalysisStore` for a backend struct with `read` and `write` pools.
#[macro_export]
macro_rules! impl_analysis_store {
    ($store:ty) => {
        const _: () = {
            use $crate::reexports::async_trait::async_trait;
            use $crate::reexports::jiff::Timestamp;
            use $crate::reexports::offimic_occupancy::slot_start;
            use $crate::reexports::offimic_store::{
                AnalysisStore, Calibration, SlotMeasurement, SlotSighting, StoreResult,
            };
            use $crate::reexports::sqlx;
            use $crate::{backend_error, count_from_db, timestamp_from_db};

            #[async_trait]
            impl AnalysisStore for $store {
                async fn measurements(&self, from: Timestamp, to: Timestamp) -> StoreResult<Vec<SlotMeasurement>> {
                    let rows: Vec<(i64, Option<i64>, bool)> = sqlx::query_as(
                        "SELECT scan_time, count, source = 'scan' FROM samples \
                         WHERE scan_time >= $1 AND scan_time < $2 ORDER BY scan_time, id",
                    )
                    .bind(from.as_second()).bind(to.as_second())
                    .fetch_all(&self.read).await.map_err(backend_error)?;
                    rows.into_iter()
                        .map(|(at, count, scanned)| {
                            Ok(SlotMeasurement {
                                slot: slot_start(timestamp_from_db(at)?),
                                count: count.map(count_from_db).transpose()?,
                                scanned,
                            })
                        })
                        .collect()
                }

                async fn sightings(&self, from: Timestamp, to: Timestamp) -> StoreResult<Vec<SlotSighting>> {
                    let rows: Vec<(i64, String, Option<bool>)> = sqlx::query_as(
                        "SELECT m.scan_time, s.pseudonym, d.local FROM sightings s \
                         JOIN samples m ON m.id = s.sample_id \
                         LEFT JOIN devices d ON d.pseudonym = s.pseudonym \
                         WHERE m.scan_time >= $1 AND m.scan_time < $2 \
                         AND NOT EXISTS (SELECT 1 FROM ignored_devices i WHERE i.pseudonym = s.pseudonym) \
                         ORDER BY m.scan_time",
                    )
                    .bind(from.as_second()).bind(to.as_second())
                    .fetch_all(&self.read).await.map_err(backend_error)?;
                    rows.into_iter()
                        .map(|(at, pseudonym, local)| {
                            Ok(SlotSighting {
                                slot: slot_start(timestamp_from_db(at)?),
                                pseudonym,
                                local: local.unwrap_or(false),
                            })
                        })
                        .collect()
                }

                async fn add_calibration(&self, calibration: &Calibration) -> StoreResult<()> {
                    sqlx::query("INSERT INTO calibrations (at, people, devices) VALUES ($1, $2, $3)")
                        .bind(calibration.at.as_second())
                        .bind(i64::from(calibration.people))
                        .bind(calibration.devices.map(i64::from))
                        .execute(&self.write).await.map_err(backend_error)?;
                    Ok(())
                }

                async fn calibrations(&self) -> StoreResult<Vec<Calibration>> {
                    let rows: Vec<(i64, i64, Option<i64>)> =
                        sqlx::query_as("SELECT at, people, devices FROM calibrations ORDER BY at, id")
                            .fetch_all(&self.read).await.map_err(backend_error)?;
                    rows.into_iter()
                        .map(|(at, people, devices)| {
                            Ok(Calibration {
                                at: timestamp_from_db(at)?,
                                people: count_from_db(people)?,
                                devices: devices.map(count_from_db).transpose()?,
                            })
                        })
                        .collect()
                }
            }
        };
    };
}
