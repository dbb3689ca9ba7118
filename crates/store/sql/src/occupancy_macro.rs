//! [`impl_shared_store!`]: the token and occupancy storage traits, written once for both backends.

/// Implements `HealthStore`, `ApiTokenStore` and `OccupancyStore` for a backend struct with fields
/// `read: sqlx::Pool<DB>` (queries) and `write: sqlx::Pool<DB>` (changes).
///
/// `lock` is a statement run first in every transaction that changes counts, so that concurrent
/// writers (several servers on one PostgreSQL database) apply ignore-list changes and new scans
/// in one order. SQLite serialises writers by itself and passes a no-op. `string_agg` names the
/// backend's ordered string aggregate (`group_concat` or `string_agg`), used to fetch history
/// in packed pages.
#[macro_export]
macro_rules! impl_shared_store {
    ($store:ty, backend = $backend:expr, lock = $lock:expr, string_agg = $string_agg:literal) => {
        const _: () = {
            use $crate::reexports::async_trait::async_trait;
            use $crate::reexports::futures::{StreamExt as _, stream::BoxStream};
            use $crate::reexports::sqlx;
            use $crate::{backend_error, count_from_db, scopes_from_db, scopes_to_db, timestamp_from_db};
            use $crate::reexports::offimic_store::{
                ApiTokenRecord, ApiTokenStore, DeviceRecord, IgnoreChange, IgnoredDevice,
                NewApiToken, OccupancyStore, PurgeReport, ScanRecorded, StoreError, StoreResult,
            };

            fn token_record(row: (i64, String, String, i64)) -> StoreResult<ApiTokenRecord> {
                let (id, name, scopes, created_at) = row;
                Ok(ApiTokenRecord {
                    id,
                    name,
                    scopes: scopes_from_db(&scopes),
                    created_at: timestamp_from_db(created_at)?,
                })
            }

            fn pseudonym_from_db(text: String) -> StoreResult<$crate::reexports::offimic_presence::Pseudonym> {
                text.parse()
                    .map_err(|e| StoreError::Corrupt(format!("pseudonym: {e}")))
            }

            impl $store {
                /// Puts `pseudonym` on the ignore-list (with a note and time) or takes it off
                /// (`None`), and corrects every stored count that still has its sightings, in one
                /// transaction.
                async fn change_ignore_list(
                    &self,
                    pseudonym: &$crate::reexports::offimic_presence::Pseudonym,
                    entry: Option<(&str, $crate::reexports::jiff::Timestamp)>,
                ) -> StoreResult<IgnoreChange> {
                    let mut tx = self.write.begin().await.map_err(backend_error)?;
                    sqlx::query($lock).execute(&mut *tx).await.map_err(backend_error)?;
                    let listed = match entry {
                        Some((note, at)) => sqlx::query(
                            "INSERT INTO ignored_devices (pseudonym, note, created_at) VALUES ($1, $2, $3) \
                             ON CONFLICT (pseudonym) DO NOTHING",
                        )
                        .bind(pseudonym.as_str())
                        .bind(note)
                        .bind(at.as_second())
                        .execute(&mut *tx)
                        .await,
                        None => sqlx::query("DELETE FROM ignored_devices WHERE pseudonym = $1")
                            .bind(pseudonym.as_str())
                            .execute(&mut *tx)
                            .await,
                    }
                    .map_err(backend_error)?
                    .rows_affected();
                    if listed == 0 {
                        return Ok(IgnoreChange { changed: false, scans_adjusted: 0 });
                    }
                    let delta: i64 = if entry.is_some() { -1 } else { 1 };
                    let adjusted = sqlx::query(
                        "UPDATE samples SET count = count + $2 \
                         WHERE count IS NOT NULL AND count + $2 >= 0 \
                           AND id IN (SELECT sample_id FROM sightings WHERE pseudonym = $1)",
                    )
                    .bind(pseudonym.as_str())
                    .bind(delta)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_error)?
                    .rows_affected();
                    tx.commit().await.map_err(backend_error)?;
                    Ok(IgnoreChange { changed: true, scans_adjusted: adjusted })
                }
            }

            #[async_trait]
            impl $crate::reexports::offimic_store::HealthStore for $store {
                fn backend(&self) -> $crate::reexports::offimic_store::Backend {
                    $backend
                }

                async fn ping(&self) -> StoreResult<()> {
                    sqlx::query("SELECT 1").execute(&self.read).await.map_err(backend_error)?;
                    Ok(())
                }
            }

            #[async_trait]
            impl ApiTokenStore for $store {
                async fn create_api_token(&self, token: NewApiToken) -> StoreResult<ApiTokenRecord> {
                    let row: Option<(i64,)> = sqlx::query_as(
                        "INSERT INTO api_tokens (name, token_hash, scopes, created_at) \
                         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id",
                    )
                    .bind(&token.name)
                    .bind(&token.token_hash)
                    .bind(scopes_to_db(&token.scopes))
                    .bind(token.created_at.as_second())
                    .fetch_optional(&self.write)
                    .await
                    .map_err(backend_error)?;
                    let (id,) = row.ok_or_else(|| {
                        StoreError::Conflict(format!("an API token named {:?} already exists", token.name))
                    })?;
                    Ok(ApiTokenRecord {
                        id,
                        name: token.name,
                        scopes: token.scopes,
                        created_at: token.created_at,
                    })
                }

                async fn find_api_token(&self, token_hash: &str) -> StoreResult<Option<ApiTokenRecord>> {
                    sqlx::query_as(
                        "SELECT id, name, scopes, created_at FROM api_tokens WHERE token_hash = $1",
                    )
                    .bind(token_hash)
                    .fetch_optional(&self.read)
                    .await
                    .map_err(backend_error)?
                    .map(token_record)
                    .transpose()
                }

                async fn list_api_tokens(&self) -> StoreResult<Vec<ApiTokenRecord>> {
                    sqlx::query_as("SELECT id, name, scopes, created_at FROM api_tokens ORDER BY name")
                        .fetch_all(&self.read)
                        .await
                        .map_err(backend_error)?
                        .into_iter()
                        .map(token_record)
                        .collect()
                }

                async fn revoke_api_token(&self, name: &str) -> StoreResult<bool> {
                    let done = sqlx::query("DELETE FROM api_tokens WHERE name = $1")
                        .bind(name)
                        .execute(&self.write)
                        .await
                        .map_err(backend_error)?;
                    Ok(done.rows_affected() > 0)
                }
            }

            #[async_trait]
            impl OccupancyStore for $store {
                async fn record_count(&self, at: $crate::reexports::jiff::Timestamp, count: u32) -> StoreResult<()> {
                    sqlx::query("INSERT INTO samples (scan_time, count, source) VALUES ($1, $2, 'count')")
                        .bind(at.as_second())
                        .bind(i64::from(count))
                        .execute(&self.write)
                        .await
                        .map_err(backend_error)?;
                    Ok(())
                }

                async fn record_scan(
                    &self,
                    agent: &str,
                    scan: &$crate::reexports::offimic_occupancy::ValidScan,
                ) -> StoreResult<ScanRecorded> {
                    use $crate::reexports::offimic_occupancy::report::ScanOutcome;
                    let mut tx = self.write.begin().await.map_err(backend_error)?;
                    sqlx::query($lock).execute(&mut *tx).await.map_err(backend_error)?;
                    let (devices_seen, failure) = match &scan.outcome {
                        ScanOutcome::Seen(devices) => (Some(devices.len() as i64), None),
                        ScanOutcome::Failed(reason) => (None, Some(reason.as_str())),
                    };
                    let inserted: Option<(i64,)> = sqlx::query_as(
                        "INSERT INTO samples (scan_time, count, source, agent, slot, devices_seen, failure) \
                         VALUES ($1, $2, 'scan', $3, $4, $2, $5) \
                         ON CONFLICT (agent, slot) DO NOTHING RETURNING id",
                    )
                    .bind(scan.scanned_at.as_second())
                    .bind(devices_seen)
                    .bind(agent)
                    .bind(scan.slot.as_second())
                    .bind(failure)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(backend_error)?;
                    let Some((sample_id,)) = inserted else {
                        let (count,): (Option<i64>,) =
                            sqlx::query_as("SELECT count FROM samples WHERE agent = $1 AND slot = $2")
                                .bind(agent)
                                .bind(scan.slot.as_second())
                                .fetch_one(&mut *tx)
                                .await
                                .map_err(backend_error)?;
                        return Ok(ScanRecorded {
                            count: count.map(count_from_db).transpose()?,
                            duplicate: true,
                        });
                    };
                    let ScanOutcome::Seen(devices) = &scan.outcome else {
                        tx.commit().await.map_err(backend_error)?;
                        return Ok(ScanRecorded { count: None, duplicate: false });
                    };
                    let seen_at = scan.scanned_at.as_second();
                    for device in devices {
                        sqlx::query(
                            "INSERT INTO sightings (sample_id, pseudonym, seen_at) VALUES ($1, $2, $3)",
                        )
                        .bind(sample_id)
                        .bind(device.pseudonym.as_str())
                        .bind(seen_at)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_error)?;
                        sqlx::query(
                            "INSERT INTO devices (pseudonym, local, first_seen, last_seen) \
                             VALUES ($1, $2, $3, $3) \
                             ON CONFLICT (pseudonym) DO UPDATE SET \
                               local = excluded.local, \
                               first_seen = CASE WHEN excluded.first_seen < devices.first_seen \
                                            THEN excluded.first_seen ELSE devices.first_seen END, \
                               last_seen = CASE WHEN excluded.last_seen > devices.last_seen \
                                           THEN excluded.last_seen ELSE devices.last_seen END",
                        )
                        .bind(device.pseudonym.as_str())
                        .bind(device.local)
                        .bind(seen_at)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_error)?;
                    }
                    let (count,): (i64,) = sqlx::query_as(
                        "UPDATE samples SET count = (SELECT COUNT(*) FROM sightings s \
                           WHERE s.sample_id = $1 AND NOT EXISTS \
                             (SELECT 1 FROM ignored_devices i WHERE i.pseudonym = s.pseudonym)) \
                         WHERE id = $1 RETURNING count",
                    )
                    .bind(sample_id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(backend_error)?;
                    tx.commit().await.map_err(backend_error)?;
                    Ok(ScanRecorded {
                        count: Some(count_from_db(count)?),
                        duplicate: false,
                    })
                }

                fn history(
                    &self,
                    range: $crate::reexports::offimic_occupancy::HistoryRange,
                    limit: Option<u64>,
                ) -> BoxStream<'static, StoreResult<$crate::reexports::offimic_occupancy::Sample>> {
                    let pool = self.read.clone();
                    let from = range.from.map_or(i64::MIN, |t| t.as_second());
                    let to = range.to.map_or(i64::MAX, |t| t.as_second());
                    let mut remaining = limit.unwrap_or(u64::MAX);
                    $crate::reexports::async_stream::try_stream! {
                        let mut after = (i64::MIN, i64::MIN);
                        while remaining > 0 {
                            let page = remaining.min($crate::HISTORY_PAGE);
                            let packed: (Option<String>, Option<String>, Option<String>) = sqlx::query_as(concat!(
                                "SELECT ", $string_agg, "(CAST(scan_time AS TEXT), ' '), \
                                   ", $string_agg, "(CAST(id AS TEXT), ' '), \
                                   ", $string_agg, "(CAST(COALESCE(count, -1) AS TEXT), ' ') \
                                 FROM (SELECT scan_time, id, count FROM samples \
                                       WHERE scan_time >= $1 AND scan_time < $2 \
                                         AND (scan_time, id) > ($3, $4) \
                                       ORDER BY scan_time, id LIMIT $5) page"
                            ))
                            .bind(from.max(after.0))
                            .bind(to)
                            .bind(after.0)
                            .bind(after.1)
                            .bind(page as i64)
                            .fetch_one(&pool)
                            .await
                            .map_err(backend_error)?;
                            let (Some(times), Some(ids), Some(counts)) = packed else { break };
                            let rows = $crate::unpack_samples(&times, &ids, &counts)?;
                            let fetched = rows.len() as u64;
                            for (sample, id) in rows {
                                after = (sample.scan_time.as_second(), id);
                                yield sample;
                            }
                            remaining = remaining.saturating_sub(fetched);
                            if fetched < page {
                                break;
                            }
                        }
                    }
                    .boxed()
                }

                async fn devices(&self, limit: u32) -> StoreResult<Vec<DeviceRecord>> {
                    let rows: Vec<(String, bool, i64, i64, bool)> = sqlx::query_as(
                        "SELECT d.pseudonym, d.local, d.first_seen, d.last_seen, \
                           EXISTS (SELECT 1 FROM ignored_devices i WHERE i.pseudonym = d.pseudonym) \
                         FROM devices d ORDER BY d.last_seen DESC, d.pseudonym LIMIT $1",
                    )
                    .bind(i64::from(limit))
                    .fetch_all(&self.read)
                    .await
                    .map_err(backend_error)?;
                    rows.into_iter()
                        .map(|(pseudonym, local, first_seen, last_seen, ignored)| {
                            Ok(DeviceRecord {
                                pseudonym: pseudonym_from_db(pseudonym)?,
                                local,
                                first_seen: timestamp_from_db(first_seen)?,
                                last_seen: timestamp_from_db(last_seen)?,
                                ignored,
                            })
                        })
                        .collect()
                }

                async fn ignore_device(
                    &self,
                    pseudonym: &$crate::reexports::offimic_presence::Pseudonym,
                    note: &str,
                    at: $crate::reexports::jiff::Timestamp,
                ) -> StoreResult<IgnoreChange> {
                    self.change_ignore_list(pseudonym, Some((note, at))).await
                }

                async fn unignore_device(
                    &self,
                    pseudonym: &$crate::reexports::offimic_presence::Pseudonym,
                ) -> StoreResult<IgnoreChange> {
                    self.change_ignore_list(pseudonym, None).await
                }

                async fn ignored_devices(&self) -> StoreResult<Vec<IgnoredDevice>> {
                    let rows: Vec<(String, String, i64)> = sqlx::query_as(
                        "SELECT pseudonym, note, created_at FROM ignored_devices ORDER BY created_at, pseudonym",
                    )
                    .fetch_all(&self.read)
                    .await
                    .map_err(backend_error)?;
                    rows.into_iter()
                        .map(|(pseudonym, note, created_at)| {
                            Ok(IgnoredDevice {
                                pseudonym: pseudonym_from_db(pseudonym)?,
                                note,
                                created_at: timestamp_from_db(created_at)?,
                            })
                        })
                        .collect()
                }

                async fn purge_device_rows(&self, before: $crate::reexports::jiff::Timestamp) -> StoreResult<PurgeReport> {
                    let mut tx = self.write.begin().await.map_err(backend_error)?;
                    let sightings = sqlx::query("DELETE FROM sightings WHERE seen_at < $1")
                        .bind(before.as_second())
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_error)?
                        .rows_affected();
                    let devices = sqlx::query(
                        "DELETE FROM devices WHERE last_seen < $1 \
                         AND pseudonym NOT IN (SELECT pseudonym FROM ignored_devices)",
                    )
                    .bind(before.as_second())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_error)?
                    .rows_affected();
                    tx.commit().await.map_err(backend_error)?;
                    Ok(PurgeReport { sightings, devices })
                }
            }
        };
    };
}
