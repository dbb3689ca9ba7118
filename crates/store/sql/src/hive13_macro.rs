//! [`impl_hive13_store!`]: the Hive13 storage trait, written once for both backends.

/// Implements `Hive13Store` for a backend struct with `read` and `write` pools.
#[macro_export]
macro_rules! impl_hive13_store {
    ($store:ty) => {
        const _: () = {
            use $crate::reexports::async_trait::async_trait;
            use $crate::reexports::jiff::Timestamp;
            use $crate::reexports::offimic_store::{HiveDevice, Hive13Store, ItemRecord, Reading, StoreResult, Vend};
            use $crate::reexports::sqlx;
            use $crate::{backend_error, timestamp_from_db};

            #[async_trait]
            impl Hive13Store for $store {
                async fn hive_device(&self, name: &str) -> StoreResult<Option<HiveDevice>> {
                    let row: Option<(i64, String, Vec<u8>, Vec<u8>, i64, i64, i64)> = sqlx::query_as(
                        "SELECT id, name, key, nonce, min_version, max_version, \
                           (SELECT version FROM access_version WHERE id = 1) FROM controllers WHERE name = $1",
                    )
                    .bind(name).fetch_optional(&self.read).await.map_err(backend_error)?;
                    Ok(row.map(|(id, name, key, nonce, min_version, max_version, access_version)| HiveDevice {
                        id, name, key, nonce, min_version, max_version, access_version,
                    }))
                }

                async fn rotate_nonce(&self, device: i64, expected: &[u8], new: &[u8]) -> StoreResult<bool> {
                    self.nonces.push((device, expected.to_vec(), new.to_vec())).await
                }

                async fn item_for_device(&self, device: i64, name: &str) -> StoreResult<Option<ItemRecord>> {
                    let row: Option<(String, String, bool)> = sqlx::query_as(
                        "SELECT t.id, t.name, EXISTS (SELECT 1 FROM controller_things c \
                           WHERE c.controller_id = $1 AND c.thing_id = t.id) FROM things t WHERE t.name = $2",
                    )
                    .bind(device).bind(name.trim_end_matches(' ')).fetch_optional(&self.read).await.map_err(backend_error)?;
                    Ok(row.map(|(id, name, served)| ItemRecord { id, name, served }))
                }

                async fn vend(&self, device: i64, person: i64, badge: &str, at: Timestamp) -> StoreResult<Vend> {
                    let mut tx = self.write.begin().await.map_err(backend_error)?;
                    let spent: Option<(i64, Option<i64>, bool, bool)> = sqlx::query_as(
                        "UPDATE people SET vend_credits = vend_credits - 1 WHERE id = $1 AND vend_credits >= 1 \
                         RETURNING vend_credits, alert_credits, alert_email, alert_machine",
                    )
                    .bind(person).fetch_optional(&mut *tx).await.map_err(backend_error)?;
                    sqlx::query("INSERT INTO vend_log (controller_id, person_id, badge, vended, at) VALUES ($1, $2, $3, $4, $5)")
                        .bind(device).bind(person).bind(badge).bind(spent.is_some()).bind(at.as_second())
                        .execute(&mut *tx).await.map_err(backend_error)?;
                    tx.commit().await.map_err(backend_error)?;
                    Ok(match spent {
                        Some((credits, alert_credits, alert_email, alert_machine)) => {
                            Vend::Vended { credits, alert_credits, alert_email, alert_machine }
                        }
                        None => Vend::NoCredits,
                    })
                }

                async fn record_reading(&self, device: i64, thing: &str, value: i64, at: Timestamp) -> StoreResult<String> {
                    let id = $crate::reexports::offimic_store::new_thing_id();
                    sqlx::query("INSERT INTO telemetry (id, thing_id, controller_id, value, at) VALUES ($1, $2, $3, $4, $5)")
                        .bind(&id).bind(thing).bind(device).bind(value).bind(at.as_second())
                        .execute(&self.write).await.map_err(backend_error)?;
                    Ok(id)
                }

                async fn record_device_message(&self, device: i64, severity: i64, message: &str, at: Timestamp) -> StoreResult<()> {
                    sqlx::query("INSERT INTO device_messages (controller_id, severity, message, at) VALUES ($1, $2, $3, $4)")
                        .bind(device).bind(severity).bind(message).bind(at.as_second())
                        .execute(&self.write).await.map_err(backend_error)?;
                    Ok(())
                }

                async fn set_soda_status(&self, slots: &[(i64, bool)]) -> StoreResult<bool> {
                    let mut tx = self.write.begin().await.map_err(backend_error)?;
                    for (slot, sold_out) in slots {
                        let done = sqlx::query("UPDATE soda_slots SET sold_out = $2 WHERE slot = $1")
                            .bind(slot).bind(sold_out).execute(&mut *tx).await.map_err(backend_error)?;
                        if done.rows_affected() == 0 {
                            return Ok(false);
                        }
                    }
                    tx.commit().await.map_err(backend_error)?;
                    Ok(true)
                }

                async fn soda_slots(&self) -> StoreResult<Vec<(i64, String, bool)>> {
                    sqlx::query_as("SELECT slot, name, sold_out FROM soda_slots ORDER BY slot")
                        .fetch_all(&self.read).await.map_err(backend_error)
                }

                async fn latest_readings(&self) -> StoreResult<Vec<Reading>> {
                    let rows: Vec<(String, Option<String>, i64, Option<i64>, Option<String>, i64)> = sqlx::query_as(
                        "SELECT t.name, t.display_name, r.value, t.scale, t.unit, r.at FROM telemetry r \
                         JOIN things t ON t.id = r.thing_id \
                         WHERE r.id = (SELECT r2.id FROM telemetry r2 WHERE r2.thing_id = r.thing_id \
                                       ORDER BY r2.at DESC, r2.id DESC LIMIT 1) \
                         ORDER BY t.name",
                    )
                    .fetch_all(&self.read).await.map_err(backend_error)?;
                    rows.into_iter()
                        .map(|(name, display_name, value, scale, unit, at)| {
                            Ok(Reading { name, display_name, value, scale, unit, at: timestamp_from_db(at)? })
                        })
                        .collect()
                }

                async fn set_light_states(&self, name: &str, states: &[bool]) -> StoreResult<bool> {
                    let text = $crate::reexports::serde_json::to_string(states)
                        .map_err(|e| $crate::reexports::offimic_store::StoreError::Corrupt(e.to_string()))?;
                    $crate::delete_where!(self, "UPDATE controllers SET light_states = $2 WHERE name = $1", name, text)
                }

                async fn light_states(&self, device: i64) -> StoreResult<Vec<bool>> {
                    let row: Option<(String,)> = sqlx::query_as("SELECT light_states FROM controllers WHERE id = $1")
                        .bind(device).fetch_optional(&self.read).await.map_err(backend_error)?;
                    let text = row.map_or_else(|| "[]".to_owned(), |(t,)| t);
                    $crate::reexports::serde_json::from_str(&text)
                        .map_err(|e| $crate::reexports::offimic_store::StoreError::Corrupt(format!("light states: {e}")))
                }
            }
        };
    };
}
