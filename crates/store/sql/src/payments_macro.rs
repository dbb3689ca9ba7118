//! [`impl_payment_store!`]: bank statements, the ledger, the payment run and the outbox, written
//! once for both backends.

/// Implements `PaymentStore` for a backend struct with `read` and `write` pools.
///
/// `lock_person` is the suffix that locks a person's row for the rest of a transaction
/// (`" FOR UPDATE"` on PostgreSQL; SQLite's single writer serialises by itself and passes `""`),
/// so that two servers cannot both spend the same balance.
#[macro_export]
macro_rules! impl_payment_store {
    ($store:ty, db = $db:ty, lock_person = $lock:literal) => {
        const _: () = {
            use $crate::reexports::async_trait::async_trait;
            use $crate::reexports::jiff::Timestamp;
            use $crate::reexports::offimic_dues::TierPrice;
            use $crate::reexports::offimic_dues::payment_run::{self, Action, OldTier, Profile, RunState};
            use $crate::reexports::offimic_store::{
                ComposedEmail, Composer, CreditAssignment, Delivery, EmailDraft, LedgerEntry, MemberRun,
                MemberStatus, OutboxEntry, OutgoingEmail, PaymentStore, RunSettings, StatementImport,
                StatementSummary, StoreError, StoreResult, UnmatchedCredit,
            };
            use $crate::reexports::sqlx::{self, Row};
            use $crate::{backend_error, timestamp_from_db};

            type Tx<'a> = sqlx::Transaction<'a, $db>;

            /// A ledger entry's identity is (person, time, amount), which the space file relies
            /// on; a second entry of the same amount in the same second moves on a second.
            const LEDGER_SECONDS_TRIED: i64 = 60;

            const DAY: i64 = 86_400;

            /// An email claimed by a sender that has not finished with it after this long (a
            /// crash, a restart) may be claimed again; far longer than one SMTP conversation.
            const CLAIM_LEASE: i64 = 15 * 60;

            const MEMBER_STATUS: &str = "SELECT p.id, p.parent_id, p.name, p.email, p.created_at, p.end_date, \
                 p.concession, p.dob, p.tier_id, t.name, t.price_p, t.concessions_allowed, t.donor, \
                 p.payment_override_p, p.voucher_code, p.voucher_start, \
                 (SELECT MAX(expires_on) FROM payments WHERE person_id = p.id), \
                 (SELECT COUNT(*) FROM payments WHERE person_id = p.id AND paid_on <= $1 AND expires_on >= $1), \
                 (SELECT paid_on FROM payments WHERE person_id = p.id ORDER BY paid_on DESC LIMIT 1), \
                 (SELECT expires_on FROM payments WHERE person_id = p.id ORDER BY paid_on DESC LIMIT 1), \
                 (SELECT amount_p FROM payments WHERE person_id = p.id ORDER BY paid_on DESC LIMIT 1) \
                 FROM people p LEFT JOIN tiers t ON t.id = p.tier_id";

            fn optional_time(seconds: Option<i64>) -> StoreResult<Option<Timestamp>> {
                seconds.map(timestamp_from_db).transpose()
            }

            fn status_from_row(row: &<$db as sqlx::Database>::Row) -> Result<MemberStatus, StoreError> {
                let get = |e: sqlx::Error| backend_error(e);
                let price: Option<i64> = row.try_get(10).map_err(get)?;
                let tier = match price {
                    Some(price) => Some(TierPrice {
                        price_p: price as f64,
                        concessions_allowed: row.try_get::<Option<bool>, _>(11).map_err(get)?.unwrap_or(true),
                        donor: row.try_get::<Option<bool>, _>(12).map_err(get)?.unwrap_or(false),
                    }),
                    None => None,
                };
                let last_paid: Option<i64> = row.try_get(18).map_err(get)?;
                let last_expires: Option<i64> = row.try_get(19).map_err(get)?;
                let last_amount: Option<i64> = row.try_get(20).map_err(get)?;
                let last_payment = match (last_paid, last_expires, last_amount) {
                    (Some(paid), Some(expires), Some(amount)) => {
                        Some((timestamp_from_db(paid)?, timestamp_from_db(expires)?, amount))
                    }
                    _ => None,
                };
                Ok(MemberStatus {
                    id: row.try_get(0).map_err(get)?,
                    parent_id: row.try_get(1).map_err(get)?,
                    name: row.try_get(2).map_err(get)?,
                    email: row.try_get(3).map_err(get)?,
                    created_at: timestamp_from_db(row.try_get(4).map_err(get)?)?,
                    end_date: optional_time(row.try_get(5).map_err(get)?)?,
                    concession: row.try_get(6).map_err(get)?,
                    dob: row.try_get(7).map_err(get)?,
                    tier_id: row.try_get(8).map_err(get)?,
                    tier_name: row.try_get(9).map_err(get)?,
                    tier,
                    payment_override_p: row.try_get::<Option<i64>, _>(13).map_err(get)?.map(|p| p as f64),
                    voucher_code: row.try_get(14).map_err(get)?,
                    voucher_start: optional_time(row.try_get(15).map_err(get)?)?,
                    valid_until: optional_time(row.try_get(16).map_err(get)?)?,
                    paid_now: row.try_get::<i64, _>(17).map_err(get)? > 0,
                    last_payment,
                })
            }

            async fn balance_in(tx: &mut Tx<'_>, person: i64) -> StoreResult<i64> {
                sqlx::query_scalar("SELECT CAST(COALESCE(SUM(amount_p), 0) AS BIGINT) FROM transactions WHERE person_id = $1")
                    .bind(person)
                    .fetch_one(&mut **tx)
                    .await
                    .map_err(backend_error)
            }

            /// Locks the person's row (on backends that need it); false when there is no such person.
            async fn lock_person(tx: &mut Tx<'_>, person: i64) -> StoreResult<bool> {
                let found: Option<i64> = sqlx::query_scalar(concat!("SELECT id FROM people WHERE id = $1", $lock))
                    .bind(person)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(backend_error)?;
                Ok(found.is_some())
            }

            /// Adds a ledger entry and returns its id.
            async fn add_ledger_entry(tx: &mut Tx<'_>, person: i64, at: Timestamp, amount_p: i64, reason: &str) -> StoreResult<i64> {
                for offset in 0..LEDGER_SECONDS_TRIED {
                    let id: Option<i64> = sqlx::query_scalar(
                        "INSERT INTO transactions (person_id, added_on, amount_p, reason) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (person_id, added_on, amount_p) DO NOTHING RETURNING id",
                    )
                    .bind(person).bind(at.as_second() + offset).bind(amount_p).bind(reason)
                    .fetch_optional(&mut **tx).await.map_err(backend_error)?;
                    if let Some(id) = id {
                        return Ok(id);
                    }
                }
                Err(StoreError::Conflict(format!(
                    "person {person} already has {LEDGER_SECONDS_TRIED} ledger entries of {amount_p}p within a minute"
                )))
            }

            async fn queue_email_in(
                tx: &mut Tx<'_>,
                person: Option<i64>,
                kind: &str,
                email: &ComposedEmail,
                forced: bool,
                at: Timestamp,
            ) -> StoreResult<bool> {
                if let Some(person) = person {
                    lock_person(tx, person).await?;
                }
                if forced {
                    sqlx::query("DELETE FROM communications WHERE person_id = $1 AND type = $2")
                        .bind(person).bind(kind).execute(&mut **tx).await.map_err(backend_error)?;
                } else {
                    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM communications WHERE person_id = $1 AND type = $2")
                        .bind(person).bind(kind).fetch_one(&mut **tx).await.map_err(backend_error)?;
                    if existing > 0 {
                        return Ok(false);
                    }
                }
                sqlx::query(
                    "INSERT INTO communications (person_id, type, status, subject, plain_text, html, created_at) \
                     VALUES ($1, $2, 'unsent', $3, $4, $5, $6)",
                )
                .bind(person).bind(kind).bind(&email.subject).bind(&email.plain_text).bind(&email.html).bind(at.as_second())
                .execute(&mut **tx).await.map_err(backend_error)?;
                Ok(true)
            }

            async fn tier_price_in(tx: &mut Tx<'_>, tier: i64) -> StoreResult<Option<TierPrice>> {
                let row: Option<(i64, bool, bool)> =
                    sqlx::query_as("SELECT price_p, concessions_allowed, donor FROM tiers WHERE id = $1")
                        .bind(tier).fetch_optional(&mut **tx).await.map_err(backend_error)?;
                Ok(row.map(|(price, concessions_allowed, donor)| TierPrice { price_p: price as f64, concessions_allowed, donor }))
            }

            fn old_tier_token(person: i64) -> String {
                format!("{person}_old_tier")
            }

            /// Everything the run looks at for one member, read inside its transaction.
            async fn run_state(tx: &mut Tx<'_>, person: i64, now: Timestamp) -> StoreResult<Option<(String, RunState)>> {
                let row = sqlx::query(&format!("{MEMBER_STATUS} WHERE p.id = $2"))
                .bind(now.as_second()).bind(person)
                .fetch_optional(&mut **tx).await.map_err(backend_error)?;
                let Some(row) = row else { return Ok(None) };
                let status = status_from_row(&row)?;
                let balance_p = balance_in(tx, person).await?;
                let stored: Option<String> = sqlx::query_scalar("SELECT storage FROM confirmations WHERE token = $1")
                    .bind(old_tier_token(person)).fetch_optional(&mut **tx).await.map_err(backend_error)?;
                let old_tier = match stored {
                    Some(text) => {
                        let value: $crate::reexports::serde_json::Value = $crate::reexports::serde_json::from_str(&text)
                            .map_err(|e| StoreError::Corrupt(format!("old tier of person {person}: {e}")))?;
                        let tier_id = value.get("tier_id").and_then(|v| v.as_i64());
                        let changed_on = value.get("changed_on").and_then(|v| v.as_i64()).map(timestamp_from_db).transpose()?;
                        match (tier_id, changed_on) {
                            (Some(tier_id), Some(changed_on)) => tier_price_in(tx, tier_id).await?.map(|tier| OldTier {
                                tier_id,
                                tier,
                                fees_p: value.get("fees").and_then(|v| v.as_f64()),
                                changed_on,
                            }),
                            _ => None,
                        }
                    }
                    None => None,
                };
                let donor_tiers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tiers WHERE donor = $1")
                    .bind(true).fetch_one(&mut **tx).await.map_err(backend_error)?;
                let last_usage: Option<i64> = sqlx::query_scalar("SELECT MAX(accessed_at) FROM usage_log WHERE person_id = $1")
                    .bind(person).fetch_one(&mut **tx).await.map_err(backend_error)?;
                let state = RunState {
                    profile: Profile {
                        tier_id: status.tier_id,
                        tier: status.tier,
                        is_child: status.parent_id.is_some(),
                        concession: status.concession,
                        dob: status.dob,
                        payment_override_p: status.payment_override_p,
                        voucher_code: status.voucher_code,
                        voucher_start: status.voucher_start,
                    },
                    valid_until: status.valid_until,
                    last_payment: status.last_payment.map(|(paid, expires, _)| (paid, expires)),
                    balance_p,
                    old_tier,
                    last_usage: optional_time(last_usage)?,
                    donor_tier: donor_tiers > 0,
                };
                Ok(Some((status.name, state)))
            }

            /// Carries out one action of the plan; false when it could not (no door thing).
            async fn apply(
                tx: &mut Tx<'_>,
                person: i64,
                name: &str,
                action: &Action,
                settings: &RunSettings<'_>,
                compose: &Composer,
            ) -> StoreResult<bool> {
                let now = settings.now.as_second();
                match action {
                    Action::StartVoucher(at) => {
                        sqlx::query("UPDATE people SET voucher_start = $2 WHERE id = $1")
                            .bind(person).bind(at.as_second()).execute(&mut **tx).await.map_err(backend_error)?;
                    }
                    Action::RevertTier { tier_id, payment_override_p } => {
                        sqlx::query("UPDATE people SET tier_id = $2, payment_override_p = $3 WHERE id = $1")
                            .bind(person).bind(tier_id).bind(payment_override_p.round() as i64)
                            .execute(&mut **tx).await.map_err(backend_error)?;
                    }
                    Action::Donorify { old_tier_id, old_fees_p, changed_on } => {
                        let donor_tier: Option<i64> = sqlx::query_scalar("SELECT id FROM tiers WHERE donor = $1 ORDER BY id LIMIT 1")
                            .bind(true).fetch_optional(&mut **tx).await.map_err(backend_error)?;
                        let Some(donor_tier) = donor_tier else { return Ok(true) };
                        let storage = $crate::reexports::serde_json::json!({
                            "tier_id": old_tier_id, "fees": old_fees_p, "changed_on": changed_on.as_second(),
                        });
                        sqlx::query(
                            "INSERT INTO confirmations (token, person_id, storage, created_at) VALUES ($1, $2, $3, $4) \
                             ON CONFLICT (token) DO UPDATE SET storage = excluded.storage, created_at = excluded.created_at",
                        )
                        .bind(old_tier_token(person)).bind(person).bind(storage.to_string()).bind(now)
                        .execute(&mut **tx).await.map_err(backend_error)?;
                        sqlx::query("UPDATE people SET tier_id = $2, payment_override_p = 0 WHERE id = $1")
                            .bind(person).bind(donor_tier).execute(&mut **tx).await.map_err(backend_error)?;
                    }
                    Action::Email { kind, forced, vars } => {
                        let draft = EmailDraft {
                            person,
                            name: name.to_owned(),
                            kind: (*kind).to_owned(),
                            vars: vars.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect(),
                        };
                        queue_email_in(tx, Some(person), kind, &compose(&draft), *forced, settings.now).await?;
                    }
                    Action::DropEmail(kind) => {
                        sqlx::query("DELETE FROM communications WHERE person_id = $1 AND type = $2")
                            .bind(person).bind(*kind).execute(&mut **tx).await.map_err(backend_error)?;
                    }
                    Action::OpenDoor => {
                        let door: Option<String> = sqlx::query_scalar("SELECT id FROM things WHERE name = $1")
                            .bind(settings.door).fetch_optional(&mut **tx).await.map_err(backend_error)?;
                        let Some(door) = door else { return Ok(false) };
                        sqlx::query(
                            "INSERT INTO allowed (person_id, thing_id, inductor, pending, accepted_on, added_on) \
                             VALUES ($1, $2, $3, $4, $5, $5) \
                             ON CONFLICT (person_id, thing_id) DO UPDATE SET pending = excluded.pending, accepted_on = excluded.accepted_on",
                        )
                        .bind(person).bind(door).bind(false).bind(false).bind(now)
                        .execute(&mut **tx).await.map_err(backend_error)?;
                    }
                    Action::Pay { paid_on, expires_on, amount_p, reason } => {
                        add_ledger_entry(tx, person, *paid_on, -amount_p, reason).await?;
                        sqlx::query(
                            "INSERT INTO payments (person_id, paid_on, expires_on, amount_p, added_on) VALUES ($1, $2, $3, $4, $5)",
                        )
                        .bind(person).bind(paid_on.as_second()).bind(expires_on.as_second()).bind(amount_p).bind(now)
                        .execute(&mut **tx).await.map_err(backend_error)?;
                    }
                }
                Ok(true)
            }

            #[async_trait]
            impl PaymentStore for $store {
                async fn import_statement(&self, statement: &StatementImport) -> StoreResult<StatementSummary> {
                    let mut tx = self.write.begin().await.map_err(backend_error)?;
                    let import: i64 = sqlx::query_scalar(
                        "INSERT INTO bank_imports (imported_at, source, format, lines, new_lines) VALUES ($1, $2, $3, $4, 0) RETURNING id",
                    )
                    .bind(statement.at.as_second()).bind(&statement.source).bind(&statement.format)
                    .bind(statement.lines.len() as i64)
                    .fetch_one(&mut *tx).await.map_err(backend_error)?;
                    let reason = format!(
                        "Bank transfer, imported from {} on {}",
                        statement.format,
                        statement.at.strftime("%Y-%m-%d")
                    );
                    let mut summary = StatementSummary { lines: statement.lines.len(), ..StatementSummary::default() };
                    for line in &statement.lines {
                        let id: Option<i64> = sqlx::query_scalar(
                            "INSERT INTO bank_lines (import_id, dedupe_key, bank_id, posted_at, amount_p, text) \
                             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
                        )
                        .bind(import).bind(&line.dedupe_key).bind(&line.bank_id).bind(line.posted.as_second())
                        .bind(line.amount_p).bind(&line.text)
                        .fetch_optional(&mut *tx).await.map_err(backend_error)?;
                        let Some(id) = id else { continue };
                        summary.new_lines += 1;
                        if line.amount_p <= 0 {
                            continue;
                        }
                        let member = match line.member {
                            Some(member) if lock_person(&mut tx, member).await? => member,
                            _ => {
                                summary.unmatched += 1;
                                continue;
                            }
                        };
                        // A credit of this amount on that day that no statement line accounts
                        // for (history brought over from an earlier system) is this line.
                        let day = line.posted.as_second().div_euclid(DAY) * DAY;
                        let earlier: Option<i64> = sqlx::query_scalar(
                            "SELECT t.id FROM transactions t WHERE t.person_id = $1 AND t.amount_p = $2 \
                             AND t.added_on >= $3 AND t.added_on < $4 \
                             AND NOT EXISTS (SELECT 1 FROM bank_lines b WHERE b.transaction_id = t.id) \
                             ORDER BY t.added_on LIMIT 1",
                        )
                        .bind(member).bind(line.amount_p).bind(day).bind(day + DAY)
                        .fetch_optional(&mut *tx).await.map_err(backend_error)?;
                        let entry = match earlier {
                            Some(entry) => {
                                summary.already_credited += 1;
                                entry
                            }
                            None => {
                                summary.credited += 1;
                                summary.credited_p = summary.credited_p.saturating_add(line.amount_p);
                                add_ledger_entry(&mut tx, member, line.posted, line.amount_p, &reason).await?
                            }
                        };
                        sqlx::query("UPDATE bank_lines SET transaction_id = $2, credited = $3 WHERE id = $1")
                            .bind(id).bind(entry).bind(true).execute(&mut *tx).await.map_err(backend_error)?;
                    }
                    sqlx::query("UPDATE bank_imports SET new_lines = $2 WHERE id = $1")
                        .bind(import).bind(summary.new_lines as i64).execute(&mut *tx).await.map_err(backend_error)?;
                    tx.commit().await.map_err(backend_error)?;
                    Ok(summary)
                }

                async fn last_statement_import(&self) -> StoreResult<Option<Timestamp>> {
                    let at: Option<i64> = sqlx::query_scalar("SELECT MAX(imported_at) FROM bank_imports WHERE new_lines > 0")
                        .fetch_one(&self.read).await.map_err(backend_error)?;
                    optional_time(at)
                }

                async fn unmatched_credits(&self) -> StoreResult<Vec<UnmatchedCredit>> {
                    let rows: Vec<(i64, i64, i64, String, String, i64)> = sqlx::query_as(
                        "SELECT l.id, l.posted_at, l.amount_p, l.text, i.source, i.imported_at \
                         FROM bank_lines l JOIN bank_imports i ON i.id = l.import_id \
                         WHERE NOT l.credited AND l.amount_p > 0 ORDER BY l.posted_at, l.id",
                    )
                    .fetch_all(&self.read).await.map_err(backend_error)?;
                    rows.into_iter()
                        .map(|(id, posted, amount_p, text, source, imported)| {
                            Ok(UnmatchedCredit {
                                id,
                                posted: timestamp_from_db(posted)?,
                                amount_p,
                                text,
                                source,
                                imported_at: timestamp_from_db(imported)?,
                            })
                        })
                        .collect()
                }

                async fn assign_credit(&self, credit: i64, person: i64, at: Timestamp) -> StoreResult<CreditAssignment> {
                    let mut tx = self.write.begin().await.map_err(backend_error)?;
                    let line: Option<(i64, i64, bool)> = sqlx::query_as(concat!(
                        "SELECT posted_at, amount_p, credited FROM bank_lines WHERE id = $1 AND amount_p > 0",
                        $lock
                    ))
                    .bind(credit).fetch_optional(&mut *tx).await.map_err(backend_error)?;
                    let Some((posted, amount_p, credited)) = line else { return Ok(CreditAssignment::NoSuchCredit) };
                    if credited {
                        return Ok(CreditAssignment::AlreadyAssigned);
                    }
                    if !lock_person(&mut tx, person).await? {
                        return Ok(CreditAssignment::NoSuchPerson);
                    }
                    let reason = format!("Bank transfer, assigned by the treasurer on {}", at.strftime("%Y-%m-%d"));
                    let entry = add_ledger_entry(&mut tx, person, timestamp_from_db(posted)?, amount_p, &reason).await?;
                    sqlx::query("UPDATE bank_lines SET transaction_id = $2, credited = $3 WHERE id = $1")
                        .bind(credit).bind(entry).bind(true).execute(&mut *tx).await.map_err(backend_error)?;
                    let balance_p = balance_in(&mut tx, person).await?;
                    tx.commit().await.map_err(backend_error)?;
                    Ok(CreditAssignment::Assigned { balance_p })
                }

                async fn payment_run_members(&self) -> StoreResult<Vec<i64>> {
                    sqlx::query_scalar("SELECT id FROM people WHERE parent_id IS NULL ORDER BY id")
                        .fetch_all(&self.read).await.map_err(backend_error)
                }

                async fn run_payment(&self, person: i64, settings: RunSettings<'_>, compose: &Composer) -> StoreResult<MemberRun> {
                    let mut tx = self.write.begin().await.map_err(backend_error)?;
                    let mut run = MemberRun { person, actions: Vec::new(), door_missing: false };
                    if !lock_person(&mut tx, person).await? {
                        return Ok(run);
                    }
                    let Some((name, state)) = run_state(&mut tx, person, settings.now).await? else { return Ok(run) };
                    run.actions = payment_run::plan(&state, settings.now, settings.feed);
                    for action in &run.actions {
                        if !apply(&mut tx, person, &name, action, &settings, compose).await? {
                            run.door_missing = true;
                        }
                    }
                    tx.commit().await.map_err(backend_error)?;
                    Ok(run)
                }

                async fn balance(&self, person: i64) -> StoreResult<i64> {
                    sqlx::query_scalar("SELECT CAST(COALESCE(SUM(amount_p), 0) AS BIGINT) FROM transactions WHERE person_id = $1")
                        .bind(person).fetch_one(&self.read).await.map_err(backend_error)
                }

                async fn debit(&self, person: i64, amount_p: i64, reason: &str, floor_p: i64, at: Timestamp) -> StoreResult<Option<i64>> {
                    let mut tx = self.write.begin().await.map_err(backend_error)?;
                    if !lock_person(&mut tx, person).await? {
                        return Ok(None);
                    }
                    let balance = balance_in(&mut tx, person).await?;
                    let Some(after) = balance.checked_sub(amount_p).filter(|after| *after >= floor_p) else {
                        return Ok(None);
                    };
                    add_ledger_entry(&mut tx, person, at, -amount_p, reason).await?;
                    tx.commit().await.map_err(backend_error)?;
                    Ok(Some(after))
                }

                async fn ledger(&self, person: i64, count: u32) -> StoreResult<Vec<LedgerEntry>> {
                    let rows: Vec<(i64, i64, String)> = sqlx::query_as(
                        "SELECT added_on, amount_p, reason FROM transactions WHERE person_id = $1 \
                         ORDER BY added_on DESC, id DESC LIMIT $2",
                    )
                    .bind(person).bind(i64::from(count)).fetch_all(&self.read).await.map_err(backend_error)?;
                    rows.into_iter()
                        .map(|(at, amount_p, reason)| Ok(LedgerEntry { added_on: timestamp_from_db(at)?, amount_p, reason }))
                        .collect()
                }

                async fn login_tokens(&self) -> StoreResult<Vec<(i64, String)>> {
                    sqlx::query_as("SELECT person_id, login_token FROM login_tokens")
                        .fetch_all(&self.read).await.map_err(backend_error)
                }

                async fn ensure_login_token(&self, person: i64, fresh: &str) -> StoreResult<String> {
                    let mut tx = self.write.begin().await.map_err(backend_error)?;
                    lock_person(&mut tx, person).await?;
                    let existing: Option<String> = sqlx::query_scalar(
                        "SELECT login_token FROM login_tokens WHERE person_id = $1 ORDER BY login_token LIMIT 1",
                    )
                    .bind(person).fetch_optional(&mut *tx).await.map_err(backend_error)?;
                    if let Some(token) = existing {
                        return Ok(token);
                    }
                    sqlx::query("INSERT INTO login_tokens (person_id, login_token) VALUES ($1, $2)")
                        .bind(person).bind(fresh).execute(&mut *tx).await.map_err(backend_error)?;
                    tx.commit().await.map_err(backend_error)?;
                    Ok(fresh.to_owned())
                }

                async fn member_status(&self, person: i64, now: Timestamp) -> StoreResult<Option<MemberStatus>> {
                    let row = sqlx::query(&format!("{MEMBER_STATUS} WHERE p.id = $2"))
                        .bind(now.as_second()).bind(person)
                        .fetch_optional(&self.read).await.map_err(backend_error)?;
                    row.as_ref().map(status_from_row).transpose()
                }

                async fn member_statuses(&self, now: Timestamp) -> StoreResult<Vec<MemberStatus>> {
                    let rows = sqlx::query(&format!("{MEMBER_STATUS} ORDER BY p.id"))
                        .bind(now.as_second())
                        .fetch_all(&self.read).await.map_err(backend_error)?;
                    rows.iter().map(status_from_row).collect()
                }

                async fn last_email(&self, person: i64, kind: &str) -> StoreResult<Option<Timestamp>> {
                    let at: Option<i64> = sqlx::query_scalar(
                        "SELECT MAX(COALESCE(sent_at, created_at)) FROM communications WHERE person_id = $1 AND type = $2",
                    )
                    .bind(person).bind(kind).fetch_one(&self.read).await.map_err(backend_error)?;
                    optional_time(at)
                }

                async fn queue_email(&self, person: Option<i64>, kind: &str, email: &ComposedEmail, forced: bool, at: Timestamp) -> StoreResult<bool> {
                    let mut tx = self.write.begin().await.map_err(backend_error)?;
                    let queued = queue_email_in(&mut tx, person, kind, email, forced, at).await?;
                    tx.commit().await.map_err(backend_error)?;
                    Ok(queued)
                }

                async fn remove_inductions_of_members_expired_between(&self, from: Timestamp, to: Timestamp) -> StoreResult<u64> {
                    let done = sqlx::query(
                        "DELETE FROM allowed WHERE person_id IN (SELECT person_id FROM payments GROUP BY person_id \
                         HAVING MAX(expires_on) BETWEEN $1 AND $2)",
                    )
                    .bind(from.as_second()).bind(to.as_second())
                    .execute(&self.write).await.map_err(backend_error)?;
                    Ok(done.rows_affected())
                }

                async fn claim_outgoing(&self, now: Timestamp, limit: u32) -> StoreResult<Vec<OutgoingEmail>> {
                    let expired = now.as_second() - CLAIM_LEASE;
                    let due: Vec<i64> = sqlx::query_scalar(
                        "SELECT id FROM communications WHERE (status = 'unsent' \
                         AND (next_attempt_at IS NULL OR next_attempt_at <= $1)) \
                         OR (status = 'sending' AND claimed_at < $3) ORDER BY id LIMIT $2",
                    )
                    .bind(now.as_second()).bind(i64::from(limit)).bind(expired)
                    .fetch_all(&self.write).await.map_err(backend_error)?;
                    let mut claimed = Vec::new();
                    for id in due {
                        let taken = sqlx::query(
                            "UPDATE communications SET status = 'sending', claimed_at = $2 WHERE id = $1 \
                             AND (status = 'unsent' OR (status = 'sending' AND claimed_at < $3))",
                        )
                        .bind(id).bind(now.as_second()).bind(expired)
                        .execute(&self.write).await.map_err(backend_error)?;
                        if taken.rows_affected() != 1 {
                            continue;
                        }
                        let row: (i64, Option<i64>, Option<String>, Option<String>, String, String, String, Option<String>, i64) = sqlx::query_as(
                            "SELECT c.id, c.person_id, p.email, p.name, c.type, c.subject, c.plain_text, c.html, c.attempts \
                             FROM communications c LEFT JOIN people p ON p.id = c.person_id WHERE c.id = $1",
                        )
                        .bind(id).fetch_one(&self.write).await.map_err(backend_error)?;
                        let (id, person, to, name, kind, subject, plain_text, html, attempts) = row;
                        claimed.push(OutgoingEmail {
                            id,
                            person,
                            to: to.filter(|address| !address.trim().is_empty()),
                            name: name.unwrap_or_default(),
                            kind,
                            subject,
                            plain_text,
                            html,
                            attempts,
                        });
                    }
                    Ok(claimed)
                }

                async fn finish_outgoing(&self, id: i64, delivery: &Delivery) -> StoreResult<()> {
                    let query = match delivery {
                        Delivery::Sent(at) => sqlx::query(
                            "UPDATE communications SET status = 'sent', sent_at = $2, attempts = attempts + 1, last_error = NULL WHERE id = $1",
                        )
                        .bind(id).bind(at.as_second()),
                        Delivery::Retry { error, retry_at } => sqlx::query(
                            "UPDATE communications SET status = 'unsent', next_attempt_at = $2, attempts = attempts + 1, \
                             last_error = $3 WHERE id = $1",
                        )
                        .bind(id).bind(retry_at.as_second()).bind(error),
                        Delivery::Failed(error) => sqlx::query(
                            "UPDATE communications SET status = 'failed', attempts = attempts + 1, last_error = $2 WHERE id = $1",
                        )
                        .bind(id).bind(error),
                    };
                    query.execute(&self.write).await.map_err(backend_error)?;
                    Ok(())
                }

                async fn outbox(&self, limit: u32) -> StoreResult<Vec<OutboxEntry>> {
                    let rows: Vec<(i64, Option<i64>, String, String, String, i64, Option<i64>, i64, Option<String>)> = sqlx::query_as(
                        "SELECT id, person_id, type, status, subject, created_at, sent_at, attempts, last_error \
                         FROM communications ORDER BY id DESC LIMIT $1",
                    )
                    .bind(i64::from(limit)).fetch_all(&self.read).await.map_err(backend_error)?;
                    rows.into_iter()
                        .map(|(id, person, kind, status, subject, created, sent, attempts, last_error)| {
                            Ok(OutboxEntry {
                                id,
                                person,
                                kind,
                                status,
                                subject,
                                created_at: timestamp_from_db(created)?,
                                sent_at: optional_time(sent)?,
                                attempts,
                                last_error,
                            })
                        })
                        .collect()
                }
            }
        };
    };
}
