//! [`impl_web_store!`]: registration, login links, sessions, admins and the audit log, written
//! once for both backends.

/// Implements `WebStore` for a backend struct with `read` and `write` pools; `new_person_id`
/// as for `impl_access_store!`; `lock_email` serialises registrations of one address for the
/// rest of a transaction (an advisory lock on PostgreSQL; SQLite's single writer needs none).
#[macro_export]
macro_rules! impl_web_store {
    ($store:ty, new_person_id = $new_person_id:literal, lock_email = $lock_email:literal) => {
        const _: () = {
            use $crate::reexports::async_trait::async_trait;
            use $crate::reexports::jiff::Timestamp;
            use $crate::reexports::offimic_store::{
                AuditEntry, OfferedTier, PersonSummary, ProfileEdit, Registration, StoreError, StoreResult, WebStore,
            };
            use $crate::reexports::sqlx;
            use $crate::{backend_error, timestamp_from_db};

            #[async_trait]
            impl WebStore for $store {
                async fn register(&self, r: &Registration) -> StoreResult<i64> {
                    let mut tx = self.write.begin().await.map_err(backend_error)?;
                    let at = r.at.as_second();
                    // A double-clicked "Join" must not make two people with one address.
                    if let Some(email) = &r.email {
                        sqlx::query($lock_email).bind(email).execute(&mut *tx).await.map_err(backend_error)?;
                        let taken: i64 = sqlx::query_scalar(
                            "SELECT COUNT(*) FROM people WHERE lower(email) = lower($1) AND end_date IS NULL",
                        )
                        .bind(email).fetch_one(&mut *tx).await.map_err(backend_error)?;
                        if taken > 0 {
                            return Err(StoreError::Conflict(format!("{email} is already registered")));
                        }
                    }
                    let id: i64 = sqlx::query_scalar(concat!(
                        "INSERT INTO people (id, name, email, address, dob, tier_id, concession, payment_override_p, \
                           door_colour, opt_in, how_found_us, voucher_code, parent_id, created_at, \
                           guide_accepted_at, safety_accepted_at, github_user) \
                         VALUES (", $new_person_id, ", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
                    ))
                    .bind(&r.name).bind(&r.email).bind(&r.address).bind(&r.dob).bind(r.tier_id)
                    .bind(&r.concession).bind(r.payment_override_p).bind(&r.door_colour).bind(r.opt_in)
                    .bind(&r.how_found_us).bind(&r.voucher_code).bind(r.parent_id).bind(at)
                    .bind(r.guide_accepted_at.map(|t| t.as_second())).bind(r.safety_accepted_at.as_second())
                    .bind(&r.github_user)
                    .fetch_one(&mut *tx).await.map_err(backend_error)?;
                    if let Some(plate) = &r.plate {
                        sqlx::query("INSERT INTO vehicles (person_id, plate, added_on) VALUES ($1, $2, $3)")
                            .bind(id).bind(plate).bind(at)
                            .execute(&mut *tx).await.map_err(backend_error)?;
                    }
                    for (thing, pending) in [(&r.door, true), (&r.safety_thing, false)] {
                        sqlx::query(
                            "INSERT INTO allowed (person_id, thing_id, inductor, pending, accepted_on, added_on) \
                             SELECT $1, id, $2, $3, $4, $5 FROM things WHERE name = $6",
                        )
                        .bind(id).bind(false).bind(pending).bind((!pending).then_some(at)).bind(at).bind(thing)
                        .execute(&mut *tx).await.map_err(backend_error)?;
                    }
                    tx.commit().await.map_err(backend_error)?;
                    Ok(id)
                }

                async fn offered_tiers(&self) -> StoreResult<Vec<OfferedTier>> {
                    let rows: Vec<(i64, String, String, i64, bool, bool)> = sqlx::query_as(
                        "SELECT id, name, description, price_p, concessions_allowed, donor FROM tiers \
                         WHERE in_use = $1 ORDER BY id",
                    )
                    .bind(true).fetch_all(&self.read).await.map_err(backend_error)?;
                    Ok(rows
                        .into_iter()
                        .map(|(id, name, description, price_p, concessions_allowed, donor)| OfferedTier {
                            id,
                            name,
                            description,
                            price: $crate::reexports::offimic_dues::TierPrice { price_p: price_p as f64, concessions_allowed, donor },
                        })
                        .collect())
                }

                async fn email_taken(&self, email: &str) -> StoreResult<bool> {
                    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE lower(email) = lower($1) AND end_date IS NULL")
                        .bind(email).fetch_one(&self.read).await.map_err(backend_error)?;
                    Ok(n > 0)
                }

                async fn login_candidate(&self, email: &str) -> StoreResult<Option<(i64, String)>> {
                    let rows: Vec<(i64, String)> = sqlx::query_as(
                        "SELECT id, name FROM people WHERE lower(email) = lower($1) AND parent_id IS NULL \
                         AND end_date IS NULL ORDER BY id LIMIT 2",
                    )
                    .bind(email).fetch_all(&self.read).await.map_err(backend_error)?;
                    // Two adults sharing an address cannot tell the link apart: neither gets one.
                    Ok(match rows.as_slice() {
                        [one] => Some(one.clone()),
                        _ => None,
                    })
                }

                async fn create_login_link(&self, hash: &str, person: i64, at: Timestamp, expires: Timestamp) -> StoreResult<()> {
                    sqlx::query("INSERT INTO login_links (token_hash, person_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                        .bind(hash).bind(person).bind(at.as_second()).bind(expires.as_second())
                        .execute(&self.write).await.map_err(backend_error)?;
                    Ok(())
                }

                async fn use_login_link(&self, hash: &str, now: Timestamp) -> StoreResult<Option<i64>> {
                    let mut tx = self.write.begin().await.map_err(backend_error)?;
                    let person: Option<i64> = sqlx::query_scalar(
                        "UPDATE login_links SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL \
                         AND expires_at > $2 RETURNING person_id",
                    )
                    .bind(hash).bind(now.as_second())
                    .fetch_optional(&mut *tx).await.map_err(backend_error)?;
                    // One link logs in; the others the person asked for stop working.
                    if let Some(person) = person {
                        sqlx::query("UPDATE login_links SET used_at = $2 WHERE person_id = $1 AND used_at IS NULL")
                            .bind(person).bind(now.as_second())
                            .execute(&mut *tx).await.map_err(backend_error)?;
                    }
                    tx.commit().await.map_err(backend_error)?;
                    Ok(person)
                }

                async fn create_session(&self, hash: &str, person: i64, at: Timestamp, expires: Timestamp) -> StoreResult<()> {
                    sqlx::query("INSERT INTO sessions (token_hash, person_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                        .bind(hash).bind(person).bind(at.as_second()).bind(expires.as_second())
                        .execute(&self.write).await.map_err(backend_error)?;
                    Ok(())
                }

                async fn session_person(&self, hash: &str, now: Timestamp) -> StoreResult<Option<i64>> {
                    sqlx::query_scalar(
                        "SELECT s.person_id FROM sessions s JOIN people p ON p.id = s.person_id \
                         WHERE s.token_hash = $1 AND s.expires_at > $2 AND p.end_date IS NULL",
                    )
                    .bind(hash).bind(now.as_second())
                    .fetch_optional(&self.read).await.map_err(backend_error)
                }

                async fn delete_session(&self, hash: &str) -> StoreResult<()> {
                    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                        .bind(hash).execute(&self.write).await.map_err(backend_error)?;
                    Ok(())
                }

                async fn make_admin(&self, email: &str, at: Timestamp) -> StoreResult<Option<i64>> {
                    let Some((person, _)) = self.login_candidate(email).await? else { return Ok(None) };
                    sqlx::query("INSERT INTO admins (person_id, created_at) VALUES ($1, $2) ON CONFLICT (person_id) DO NOTHING")
                        .bind(person).bind(at.as_second())
                        .execute(&self.write).await.map_err(backend_error)?;
                    Ok(Some(person))
                }

                async fn is_admin(&self, person: i64) -> StoreResult<bool> {
                    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM admins WHERE person_id = $1")
                        .bind(person).fetch_one(&self.read).await.map_err(backend_error)?;
                    Ok(n > 0)
                }

                async fn audit(&self, admin: i64, action: &str, subject: Option<i64>, at: Timestamp) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO audit_log (at, admin_id, admin_name, action, subject_id) \
                         SELECT $1, id, name, $3, $4 FROM people WHERE id = $2",
                    )
                    .bind(at.as_second()).bind(admin).bind(action).bind(subject)
                    .execute(&self.write).await.map_err(backend_error)?;
                    Ok(())
                }

                async fn audit_log(&self, limit: u32) -> StoreResult<Vec<AuditEntry>> {
                    let rows: Vec<(i64, i64, String, String, Option<i64>)> = sqlx::query_as(
                        "SELECT at, admin_id, admin_name, action, subject_id FROM audit_log ORDER BY id DESC LIMIT $1",
                    )
                    .bind(i64::from(limit)).fetch_all(&self.read).await.map_err(backend_error)?;
                    rows.into_iter()
                        .map(|(at, admin, admin_name, action, subject)| {
                            Ok(AuditEntry { at: timestamp_from_db(at)?, admin, admin_name, action, subject })
                        })
                        .collect()
                }

                async fn search_people(&self, query: &str, _now: Timestamp, limit: u32) -> StoreResult<Vec<PersonSummary>> {
                    let escaped = query.trim().to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                    let pattern = format!("%{escaped}%");
                    let number: i64 = query.trim().trim_start_matches(|c: char| c.is_ascii_alphabetic()).parse().unwrap_or(-1);
                    let rows: Vec<(i64, String, Option<String>, Option<String>, Option<i64>, Option<i64>)> = sqlx::query_as(
                        "SELECT p.id, p.name, p.email, t.name, p.parent_id, \
                           (SELECT MAX(expires_on) FROM payments WHERE person_id = p.id) \
                         FROM people p LEFT JOIN tiers t ON t.id = p.tier_id \
                         WHERE lower(p.name) LIKE $1 ESCAPE '\\' OR lower(COALESCE(p.email, '')) LIKE $1 ESCAPE '\\' OR p.id = $2 \
                         ORDER BY p.name, p.id LIMIT $3",
                    )
                    .bind(pattern).bind(number).bind(i64::from(limit))
                    .fetch_all(&self.read).await.map_err(backend_error)?;
                    rows.into_iter()
                        .map(|(id, name, email, tier, parent_id, until)| {
                            Ok(PersonSummary {
                                id, name, email, tier, parent_id,
                                valid_until: until.map(timestamp_from_db).transpose()?,
                            })
                        })
                        .collect()
                }

                async fn edit_profile(&self, person: i64, edit: &ProfileEdit) -> StoreResult<()> {
                    sqlx::query(
                        "UPDATE people SET name = $2, address = $3, opt_in = $4, door_colour = $5, payment_override_p = $6 \
                         WHERE id = $1",
                    )
                    .bind(person).bind(&edit.name).bind(&edit.address).bind(edit.opt_in).bind(&edit.door_colour)
                    .bind(edit.payment_override_p)
                    .execute(&self.write).await.map_err(backend_error)?;
                    Ok(())
                }

                async fn create_email_confirmation(&self, token: &str, person: i64, at: Timestamp) -> StoreResult<()> {
                    sqlx::query("INSERT INTO confirmations (token, person_id, storage, created_at) VALUES ($1, $2, $3, $4)")
                        .bind(token).bind(person).bind(r#"{"confirm":"email"}"#).bind(at.as_second())
                        .execute(&self.write).await.map_err(backend_error)?;
                    Ok(())
                }

                async fn use_email_confirmation(&self, token: &str, at: Timestamp) -> StoreResult<Option<i64>> {
                    let mut tx = self.write.begin().await.map_err(backend_error)?;
                    let person: Option<i64> = sqlx::query_scalar(
                        "DELETE FROM confirmations WHERE token = $1 AND storage = $2 RETURNING person_id",
                    )
                    .bind(token).bind(r#"{"confirm":"email"}"#)
                    .fetch_optional(&mut *tx).await.map_err(backend_error)?;
                    if let Some(person) = person {
                        sqlx::query("UPDATE people SET email_confirmed_at = $2 WHERE id = $1 AND email_confirmed_at IS NULL")
                            .bind(person).bind(at.as_second())
                            .execute(&mut *tx).await.map_err(backend_error)?;
                    }
                    tx.commit().await.map_err(backend_error)?;
                    Ok(person)
                }

                async fn pending_confirmations(&self, person: i64) -> StoreResult<Vec<(String, String)>> {
                    let rows: Vec<(String, String)> = sqlx::query_as(
                        "SELECT token, storage FROM confirmations WHERE person_id = $1 ORDER BY created_at, token",
                    )
                    .bind(person).fetch_all(&self.read).await.map_err(backend_error)?;
                    Ok(rows
                        .into_iter()
                        .filter_map(|(token, storage)| {
                            let value: $crate::reexports::serde_json::Value = $crate::reexports::serde_json::from_str(&storage).ok()?;
                            let thing = value.get("thing_id")?.as_str()?.to_owned();
                            Some((token, thing))
                        })
                        .collect())
                }

                async fn confirm_email(&self, person: i64, at: Timestamp) -> StoreResult<()> {
                    sqlx::query("UPDATE people SET email_confirmed_at = $2 WHERE id = $1 AND email_confirmed_at IS NULL")
                        .bind(person).bind(at.as_second())
                        .execute(&self.write).await.map_err(backend_error)?;
                    Ok(())
                }
            }
        };
    };
}
