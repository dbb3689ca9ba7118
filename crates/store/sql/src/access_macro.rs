//! [`impl_access_store!`]: the access storage trait, written once for both backends.

/// Implements `AccessStore` for a backend struct with `read` and `write` pools.
///
/// `resync` lists statements run at the end of an import that wrote explicit ids, so that a
/// backend with sequences (PostgreSQL) hands out the next free id afterwards; SQLite passes none.
/// `new_person_id` is the SQL expression that numbers a new person: a number is never reused,
/// because it is the member's bank reference.
#[macro_export]
macro_rules! impl_access_store {
    ($store:ty, db = $db:ty, resync = [$($resync:expr),* $(,)?], new_person_id = $new_person_id:literal) => {
        const _: () = {
            use std::collections::{BTreeMap, HashMap};

            use $crate::reexports::async_trait::async_trait;
            use $crate::reexports::jiff::Timestamp;
            use $crate::reexports::offimic_access::model::{Induction, Member, Membership, Payment, PersonId};
            use $crate::reexports::offimic_access::{Facts, Restrictions, Thing};
            use $crate::reexports::offimic_spacefile as space;
            use $crate::reexports::offimic_store::{
                AccessStore, DecisionLog, ImportFailure, ImportSummary, Resolver, Roster, StoreError,
                StoreResult, ThingRecord, TokenAssignment, UsageUpdate,
            };
            use $crate::reexports::sqlx;
            use $crate::{backend_error, timestamp_from_db};

            fn time(seconds: i64) -> StoreResult<space::Time> {
                timestamp_from_db(seconds).map(space::Time)
            }

            fn restrictions(text: Option<&str>) -> StoreResult<Restrictions> {
                let Some(text) = text else { return Ok(Restrictions::default()) };
                let value: $crate::reexports::serde_json::Value = $crate::reexports::serde_json::from_str(text)
                    .map_err(|e| StoreError::Corrupt(format!("tier restrictions: {e}")))?;
                Restrictions::from_json(&value).map_err(|e| StoreError::Corrupt(format!("tier restrictions: {e}")))
            }

            /// Unique-key clashes during an import are the file's fault, not the database's.
            fn import_error(error: sqlx::Error) -> ImportFailure {
                match error.as_database_error() {
                    Some(db) if db.is_unique_violation() => ImportFailure::Invalid(space::ImportError::new(
                        "",
                        format!("a value that must be unique is already in use: {}", db.message()),
                    )),
                    _ => ImportFailure::Store(backend_error(error)),
                }
            }

            impl $store {
                /// The group-commit queue that writes the access log, on the write pool.
                fn decision_queue(write: sqlx::Pool<$db>) -> $crate::BatchQueue<DecisionLog> {
                    $crate::BatchQueue::start(move |rows: Vec<DecisionLog>| {
                        let write = write.clone();
                        async move {
                            let sql = format!(
                                "INSERT INTO access_log (at, protocol, thing, token, person_id, granted, reason, message) VALUES {}",
                                $crate::placeholders(rows.len(), 8)
                            );
                            let mut query = sqlx::query(&sql);
                            for row in &rows {
                                query = query
                                    .bind(row.at.as_second()).bind(&row.protocol).bind(&row.thing).bind(&row.token)
                                    .bind(row.person).bind(row.granted).bind(&row.reason).bind(&row.message);
                            }
                            query.execute(&write).await.map_err(backend_error)?;
                            Ok(vec![(); rows.len()])
                        }
                    })
                }

                /// The group-commit queue that rotates Hive13 nonces: each row is a compare-and-swap
                /// (device, expected, new) answered with whether it won. One statement per round;
                /// a round holds at most one row per device, so rows for one device stay in order.
                fn nonce_queue(write: sqlx::Pool<$db>) -> $crate::BatchQueue<(i64, Vec<u8>, Vec<u8>), bool> {
                    $crate::BatchQueue::start(move |rows: Vec<(i64, Vec<u8>, Vec<u8>)>| {
                        let write = write.clone();
                        async move {
                            let mut answers = vec![false; rows.len()];
                            let mut pending: Vec<usize> = (0..rows.len()).collect();
                            while !pending.is_empty() {
                                let mut round = Vec::new();
                                let mut later = Vec::new();
                                for index in pending {
                                    if round.iter().any(|&r: &usize| rows[r].0 == rows[index].0) {
                                        later.push(index);
                                    } else {
                                        round.push(index);
                                    }
                                }
                                let cases: String = (0..round.len()).map(|i| format!(" WHEN ${} THEN ${}", 3 * i + 1, 3 * i + 3)).collect();
                                let matches: Vec<String> = (0..round.len()).map(|i| format!("(id = ${} AND nonce = ${})", 3 * i + 1, 3 * i + 2)).collect();
                                let sql = format!(
                                    "UPDATE controllers SET nonce = CASE id{cases} END WHERE {} RETURNING id",
                                    matches.join(" OR ")
                                );
                                let mut query = sqlx::query_as::<_, (i64,)>(&sql);
                                for &index in &round {
                                    let (device, expected, new) = &rows[index];
                                    query = query.bind(*device).bind(expected).bind(new);
                                }
                                let won: Vec<(i64,)> = query.fetch_all(&write).await.map_err(backend_error)?;
                                for &index in &round {
                                    answers[index] = won.iter().any(|(id,)| *id == rows[index].0);
                                }
                                pending = later;
                            }
                            Ok(answers)
                        }
                    })
                }

                async fn membership(&self, person: PersonId, donor: bool) -> StoreResult<Membership> {
                    let rows: Vec<(i64, i64)> =
                        sqlx::query_as("SELECT paid_on, expires_on FROM payments WHERE person_id = $1")
                            .bind(person)
                            .fetch_all(&self.read)
                            .await
                            .map_err(backend_error)?;
                    let payments = rows
                        .into_iter()
                        .map(|(paid_on, expires_on)| {
                            Ok(Payment { paid_on: timestamp_from_db(paid_on)?, expires_on: timestamp_from_db(expires_on)? })
                        })
                        .collect::<StoreResult<_>>()?;
                    Ok(Membership { donor, payments })
                }

                /// A member's facts from their people row (id, name, parent, tier donor flag,
                /// tier restrictions).
                async fn member(
                    &self,
                    (id, name, parent, donor, tier_restrictions): (i64, String, Option<i64>, Option<bool>, Option<String>),
                ) -> StoreResult<Member> {
                    let membership = self.membership(id, donor.unwrap_or(false)).await?;
                    let parent = match parent {
                        None => None,
                        Some(parent) => {
                            let donor: Option<(Option<bool>,)> = sqlx::query_as(
                                "SELECT t.donor FROM people p LEFT JOIN tiers t ON t.id = p.tier_id WHERE p.id = $1",
                            )
                            .bind(parent)
                            .fetch_optional(&self.read)
                            .await
                            .map_err(backend_error)?;
                            let donor = donor.and_then(|(d,)| d).unwrap_or(false);
                            Some(self.membership(parent, donor).await?)
                        }
                    };
                    let inductions: Vec<(String, bool, bool)> =
                        sqlx::query_as("SELECT thing_id, inductor, pending FROM allowed WHERE person_id = $1")
                            .bind(id)
                            .fetch_all(&self.read)
                            .await
                            .map_err(backend_error)?;
                    let granted: Vec<(String,)> = sqlx::query_as(
                        "SELECT DISTINCT gt.thing_id FROM group_members gm \
                         JOIN group_things gt ON gt.group_id = gm.group_id WHERE gm.person_id = $1",
                    )
                    .bind(id)
                    .fetch_all(&self.read)
                    .await
                    .map_err(backend_error)?;
                    Ok(Member {
                        id,
                        name,
                        membership,
                        parent,
                        restrictions: restrictions(tier_restrictions.as_deref())?,
                        inductions: inductions
                            .into_iter()
                            .map(|(thing, inductor, pending)| (thing, Induction { inductor, pending }))
                            .collect(),
                        group_things: granted.into_iter().map(|(t,)| t).collect(),
                    })
                }

                /// `thing` and, transitively, its prerequisites.
                async fn thing_closure(&self, thing: &str) -> StoreResult<HashMap<String, Thing>> {
                    let mut things = HashMap::new();
                    let mut queue = vec![thing.to_owned()];
                    while let Some(id) = queue.pop() {
                        if things.contains_key(&id) {
                            continue;
                        }
                        let row: Option<(String,)> = sqlx::query_as("SELECT name FROM things WHERE id = $1")
                            .bind(&id)
                            .fetch_optional(&self.read)
                            .await
                            .map_err(backend_error)?;
                        let Some((name,)) = row else { continue };
                        let requires: Vec<(String,)> = sqlx::query_as(
                            "SELECT required_id FROM thing_requirements WHERE thing_id = $1 ORDER BY required_id",
                        )
                        .bind(&id)
                        .fetch_all(&self.read)
                        .await
                        .map_err(backend_error)?;
                        let requires: Vec<String> = requires.into_iter().map(|(r,)| r).collect();
                        queue.extend(requires.iter().cloned());
                        things.insert(id.clone(), Thing { id, name, requires });
                    }
                    Ok(things)
                }
            }

            const PERSON_FACTS: &str = "SELECT p.id, p.name, p.parent_id, t.donor, t.restrictions \
                                        FROM people p LEFT JOIN tiers t ON t.id = p.tier_id";

            #[async_trait]
            impl AccessStore for $store {
                async fn import_space(&self, resolver: Resolver) -> Result<ImportSummary, ImportFailure> {
                    let mut tx = self.write.begin().await.map_err(backend_error)?;
                    let things: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM things")
                        .fetch_all(&mut *tx).await.map_err(backend_error)?;
                    let people: Vec<(i64,)> = sqlx::query_as("SELECT id FROM people")
                        .fetch_all(&mut *tx).await.map_err(backend_error)?;
                    let tiers: Vec<(i64,)> = sqlx::query_as("SELECT id FROM tiers")
                        .fetch_all(&mut *tx).await.map_err(backend_error)?;
                    let groups: Vec<(String,)> = sqlx::query_as("SELECT name FROM groups")
                        .fetch_all(&mut *tx).await.map_err(backend_error)?;
                    let existing = space::Existing {
                        things: things.into_iter().collect(),
                        people: people.into_iter().map(|(id,)| id).collect(),
                        tiers: tiers.into_iter().map(|(id,)| id).collect(),
                        groups: groups.into_iter().map(|(name,)| name).collect(),
                    };
                    let resolved = resolver(&existing)?;
                    let now = Timestamp::now().as_second();

                    for tier in &resolved.tiers {
                        sqlx::query(
                            "INSERT INTO tiers (id, name, description, price_p, concessions_allowed, in_use, donor, restrictions) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO UPDATE SET \
                             name = excluded.name, description = excluded.description, price_p = excluded.price_p, \
                             concessions_allowed = excluded.concessions_allowed, in_use = excluded.in_use, \
                             donor = excluded.donor, restrictions = excluded.restrictions",
                        )
                        .bind(tier.id).bind(&tier.name).bind(&tier.description).bind(tier.price_p)
                        .bind(tier.concessions_allowed).bind(tier.in_use).bind(tier.donor)
                        .bind(tier.restrictions.to_string())
                        .execute(&mut *tx).await.map_err(import_error)?;
                    }
                    for thing in &resolved.things {
                        sqlx::query(
                            "INSERT INTO things (id, name, display_name, assigned_ip, requires_induction, \
                               lone_working_allowed, team, unit, scale) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO UPDATE SET \
                             name = excluded.name, display_name = excluded.display_name, \
                             assigned_ip = excluded.assigned_ip, requires_induction = excluded.requires_induction, \
                             lone_working_allowed = excluded.lone_working_allowed, team = excluded.team, \
                             unit = excluded.unit, scale = excluded.scale",
                        )
                        .bind(&thing.id).bind(&thing.name).bind(&thing.display_name).bind(&thing.assigned_ip)
                        .bind(thing.requires_induction).bind(thing.lone_working_allowed).bind(&thing.team)
                        .bind(&thing.unit).bind(thing.scale)
                        .execute(&mut *tx).await.map_err(import_error)?;
                    }
                    for thing in &resolved.things {
                        sqlx::query("DELETE FROM thing_requirements WHERE thing_id = $1")
                            .bind(&thing.id).execute(&mut *tx).await.map_err(backend_error)?;
                        for required in &thing.requires {
                            sqlx::query("INSERT INTO thing_requirements (thing_id, required_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                                .bind(&thing.id).bind(required).execute(&mut *tx).await.map_err(import_error)?;
                        }
                    }
                    let mut group_ids: HashMap<String, i64> = HashMap::new();
                    for (name, thing_ids) in &resolved.groups {
                        sqlx::query("INSERT INTO groups (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
                            .bind(name).execute(&mut *tx).await.map_err(import_error)?;
                        let (id,): (i64,) = sqlx::query_as("SELECT id FROM groups WHERE name = $1")
                            .bind(name).fetch_one(&mut *tx).await.map_err(backend_error)?;
                        sqlx::query("DELETE FROM group_things WHERE group_id = $1")
                            .bind(id).execute(&mut *tx).await.map_err(backend_error)?;
                        for thing in thing_ids {
                            sqlx::query("INSERT INTO group_things (group_id, thing_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                                .bind(id).bind(thing).execute(&mut *tx).await.map_err(import_error)?;
                        }
                        group_ids.insert(name.clone(), id);
                    }
                    for person in &resolved.people {
                        let created = person.created.map_or(now, |t| t.0.as_second());
                        sqlx::query(
                            "INSERT INTO people (id, name, email, address, dob, tier_id, concession, payment_override_p, \
                               door_colour, opt_in, created_at, end_date, vend_credits, alert_credits, alert_email, \
                               alert_machine, telegram_chatid, telegram_username) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) \
                             ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email, \
                               address = excluded.address, dob = excluded.dob, tier_id = excluded.tier_id, \
                               concession = excluded.concession, payment_override_p = excluded.payment_override_p, \
                               door_colour = excluded.door_colour, opt_in = excluded.opt_in, \
                               created_at = excluded.created_at, end_date = excluded.end_date, \
                               vend_credits = excluded.vend_credits, alert_credits = excluded.alert_credits, \
                               alert_email = excluded.alert_email, alert_machine = excluded.alert_machine, \
                               telegram_chatid = excluded.telegram_chatid, telegram_username = excluded.telegram_username",
                        )
                        .bind(person.id).bind(&person.name).bind(&person.email).bind(&person.address)
                        .bind(&person.dob).bind(person.tier).bind(&person.concession).bind(person.payment_override_p)
                        .bind(&person.door_colour).bind(person.opt_in).bind(created)
                        .bind(person.end_date.map(|t| t.0.as_second())).bind(person.vend_credits)
                        .bind(person.alert_credits).bind(person.alert_email).bind(person.alert_machine)
                        .bind(person.telegram_chatid).bind(&person.telegram_username)
                        .execute(&mut *tx).await.map_err(import_error)?;
                    }
                    for person in &resolved.people {
                        sqlx::query("UPDATE people SET parent_id = $2 WHERE id = $1")
                            .bind(person.id).bind(person.parent).execute(&mut *tx).await.map_err(backend_error)?;
                        for token in &person.tokens {
                            sqlx::query(
                                "INSERT INTO tokens (id, person_id, type) VALUES ($1, $2, $3) \
                                 ON CONFLICT (person_id, id) DO UPDATE SET type = excluded.type",
                            )
                            .bind(&token.id).bind(person.id).bind(&token.kind)
                            .execute(&mut *tx).await.map_err(import_error)?;
                        }
                        for login in &person.login_tokens {
                            sqlx::query("INSERT INTO login_tokens (person_id, login_token) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                                .bind(person.id).bind(login).execute(&mut *tx).await.map_err(import_error)?;
                        }
                        for group in &person.groups {
                            sqlx::query(
                                "INSERT INTO group_members (group_id, person_id) \
                                 SELECT id, $2 FROM groups WHERE name = $1 ON CONFLICT DO NOTHING",
                            )
                            .bind(group).bind(person.id).execute(&mut *tx).await.map_err(import_error)?;
                        }
                        for payment in &person.payments {
                            sqlx::query(
                                "INSERT INTO payments (person_id, paid_on, expires_on, amount_p, added_on) \
                                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (person_id, paid_on) DO UPDATE SET \
                                 expires_on = excluded.expires_on, amount_p = excluded.amount_p",
                            )
                            .bind(person.id).bind(payment.paid_on.0.as_second()).bind(payment.expires_on.0.as_second())
                            .bind(payment.amount_p).bind(now)
                            .execute(&mut *tx).await.map_err(import_error)?;
                        }
                        for entry in &person.transactions {
                            sqlx::query(
                                "INSERT INTO transactions (person_id, added_on, amount_p, reason) VALUES ($1, $2, $3, $4) \
                                 ON CONFLICT (person_id, added_on, amount_p) DO UPDATE SET reason = excluded.reason",
                            )
                            .bind(person.id).bind(entry.added_on.0.as_second()).bind(entry.amount_p).bind(&entry.reason)
                            .execute(&mut *tx).await.map_err(import_error)?;
                        }
                    }
                    for (person, thing, inductor, pending, inducted_by) in &resolved.allowed {
                        sqlx::query(
                            "INSERT INTO allowed (person_id, thing_id, inductor, pending, inducted_by, added_on) \
                             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (person_id, thing_id) DO UPDATE SET \
                             inductor = excluded.inductor, pending = excluded.pending, inducted_by = excluded.inducted_by",
                        )
                        .bind(person).bind(thing).bind(inductor).bind(pending).bind(inducted_by).bind(now)
                        .execute(&mut *tx).await.map_err(import_error)?;
                    }
                    for device in &resolved.devices {
                        sqlx::query(
                            "INSERT INTO controllers (name, key, nonce, min_version, max_version) VALUES ($1, $2, $3, $4, $5) \
                             ON CONFLICT (name) DO UPDATE SET key = excluded.key, min_version = excluded.min_version, \
                             max_version = excluded.max_version, \
                             nonce = CASE WHEN $6 THEN excluded.nonce ELSE controllers.nonce END",
                        )
                        .bind(&device.name).bind(&device.key).bind(device.nonce.to_vec())
                        .bind(device.min_version).bind(device.max_version).bind(device.nonce_given)
                        .execute(&mut *tx).await.map_err(import_error)?;
                        let (id,): (i64,) = sqlx::query_as("SELECT id FROM controllers WHERE name = $1")
                            .bind(&device.name).fetch_one(&mut *tx).await.map_err(backend_error)?;
                        sqlx::query("DELETE FROM controller_things WHERE controller_id = $1")
                            .bind(id).execute(&mut *tx).await.map_err(backend_error)?;
                        for thing in &device.thing_ids {
                            sqlx::query("INSERT INTO controller_things (controller_id, thing_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                                .bind(id).bind(thing).execute(&mut *tx).await.map_err(import_error)?;
                        }
                    }
                    for slot in &resolved.soda_slots {
                        sqlx::query(
                            "INSERT INTO soda_slots (slot, name, sold_out) VALUES ($1, $2, $3) \
                             ON CONFLICT (slot) DO UPDATE SET name = excluded.name, sold_out = excluded.sold_out",
                        )
                        .bind(slot.slot).bind(&slot.name).bind(slot.sold_out)
                        .execute(&mut *tx).await.map_err(import_error)?;
                    }
                    for (name, hash, scopes) in &resolved.api_tokens {
                        sqlx::query(
                            "INSERT INTO api_tokens (name, token_hash, scopes, created_at) VALUES ($1, $2, $3, $4) \
                             ON CONFLICT (name) DO UPDATE SET token_hash = excluded.token_hash, scopes = excluded.scopes",
                        )
                        .bind(name).bind(hash).bind($crate::scopes_to_db(scopes)).bind(now)
                        .execute(&mut *tx).await.map_err(import_error)?;
                    }
                    let resync: &[&str] = &[$($resync),*];
                    for statement in resync {
                        sqlx::query(statement).execute(&mut *tx).await.map_err(backend_error)?;
                    }
                    tx.commit().await.map_err(backend_error)?;
                    Ok(ImportSummary {
                        tiers: resolved.tiers.len(),
                        things: resolved.things.len(),
                        groups: resolved.groups.len(),
                        people: resolved.people.len(),
                        allowed: resolved.allowed.len(),
                        devices: resolved.devices.len(),
                        api_tokens: resolved.api_tokens.len(),
                    })
                }

                async fn export_space(&self) -> StoreResult<space::SpaceFile> {
                    let pool = &self.read;
                    let tiers: Vec<(i64, String, String, i64, bool, bool, bool, String)> = sqlx::query_as(
                        "SELECT id, name, description, price_p, concessions_allowed, in_use, donor, restrictions FROM tiers ORDER BY id",
                    )
                    .fetch_all(pool).await.map_err(backend_error)?;
                    let tiers = tiers
                        .into_iter()
                        .map(|(id, name, description, price_p, concessions_allowed, in_use, donor, restrictions)| {
                            let restrictions = $crate::reexports::serde_json::from_str(&restrictions)
                                .map_err(|e| StoreError::Corrupt(format!("tier {id} restrictions: {e}")))?;
                            Ok(space::TierEntry { id, name, description, price_p, concessions_allowed, in_use, donor, restrictions })
                        })
                        .collect::<StoreResult<Vec<_>>>()?;

                    let requirements: Vec<(String, String)> = sqlx::query_as(
                        "SELECT thing_id, required_id FROM thing_requirements ORDER BY thing_id, required_id",
                    )
                    .fetch_all(pool).await.map_err(backend_error)?;
                    let mut requires: HashMap<String, Vec<String>> = HashMap::new();
                    for (thing, required) in requirements {
                        requires.entry(thing).or_default().push(required);
                    }
                    #[allow(clippy::type_complexity)]
                    let things: Vec<(String, String, Option<String>, Option<String>, bool, bool, String, Option<String>, Option<i64>)> =
                        sqlx::query_as(
                            "SELECT id, name, display_name, assigned_ip, requires_induction, lone_working_allowed, team, unit, scale \
                             FROM things ORDER BY id",
                        )
                        .fetch_all(pool).await.map_err(backend_error)?;
                    let things = things
                        .into_iter()
                        .map(|(id, name, display_name, assigned_ip, requires_induction, lone_working_allowed, team, unit, scale)| {
                            space::ThingEntry {
                                requires: requires.remove(&id).unwrap_or_default(),
                                id: Some(id), name, display_name, assigned_ip, requires_induction,
                                lone_working_allowed, team, unit, scale,
                            }
                        })
                        .collect();

                    let group_rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM groups ORDER BY name")
                        .fetch_all(pool).await.map_err(backend_error)?;
                    let granted: Vec<(i64, String)> = sqlx::query_as("SELECT group_id, thing_id FROM group_things ORDER BY thing_id")
                        .fetch_all(pool).await.map_err(backend_error)?;
                    let groups = group_rows
                        .iter()
                        .map(|(id, name)| space::GroupEntry {
                            name: name.clone(),
                            things: granted.iter().filter(|(g, _)| g == id).map(|(_, t)| t.clone()).collect(),
                        })
                        .collect();

                    let mut tokens: BTreeMap<i64, Vec<space::TokenEntry>> = BTreeMap::new();
                    let rows: Vec<(i64, String, String)> = sqlx::query_as("SELECT person_id, id, type FROM tokens ORDER BY person_id, id")
                        .fetch_all(pool).await.map_err(backend_error)?;
                    for (person, id, kind) in rows {
                        tokens.entry(person).or_default().push(space::TokenEntry { id, kind });
                    }
                    let mut logins: BTreeMap<i64, Vec<String>> = BTreeMap::new();
                    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT person_id, login_token FROM login_tokens ORDER BY person_id, login_token")
                        .fetch_all(pool).await.map_err(backend_error)?;
                    for (person, login) in rows {
                        logins.entry(person).or_default().push(login);
                    }
                    let mut memberships: BTreeMap<i64, Vec<String>> = BTreeMap::new();
                    let rows: Vec<(i64, String)> = sqlx::query_as(
                        "SELECT gm.person_id, g.name FROM group_members gm JOIN groups g ON g.id = gm.group_id ORDER BY gm.person_id, g.name",
                    )
                    .fetch_all(pool).await.map_err(backend_error)?;
                    for (person, group) in rows {
                        memberships.entry(person).or_default().push(group);
                    }
                    let mut payments: BTreeMap<i64, Vec<space::PaymentEntry>> = BTreeMap::new();
                    let rows: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
                        "SELECT person_id, paid_on, expires_on, amount_p FROM payments ORDER BY person_id, paid_on",
                    )
                    .fetch_all(pool).await.map_err(backend_error)?;
                    for (person, paid_on, expires_on, amount_p) in rows {
                        payments.entry(person).or_default().push(space::PaymentEntry {
                            paid_on: time(paid_on)?, expires_on: time(expires_on)?, amount_p,
                        });
                    }
                    let mut ledger: BTreeMap<i64, Vec<space::TransactionEntry>> = BTreeMap::new();
                    let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(
                        "SELECT person_id, added_on, amount_p, reason FROM transactions ORDER BY person_id, added_on, amount_p",
                    )
                    .fetch_all(pool).await.map_err(backend_error)?;
                    for (person, added_on, amount_p, reason) in rows {
                        ledger.entry(person).or_default().push(space::TransactionEntry { added_on: time(added_on)?, amount_p, reason });
                    }
                    let rows = sqlx::query(
                        "SELECT id, name, email, address, dob, tier_id, concession, payment_override_p, door_colour, \
                           parent_id, created_at, end_date, opt_in, vend_credits, alert_credits, alert_email, \
                           alert_machine, telegram_chatid, telegram_username FROM people ORDER BY id",
                    )
                    .fetch_all(pool).await.map_err(backend_error)?;
                    let mut people = Vec::with_capacity(rows.len());
                    for row in rows {
                        use sqlx::Row as _;
                        let id: i64 = row.try_get(0).map_err(backend_error)?;
                        let created: i64 = row.try_get(10).map_err(backend_error)?;
                        let end_date: Option<i64> = row.try_get(11).map_err(backend_error)?;
                        people.push(space::PersonEntry {
                            id,
                            name: row.try_get(1).map_err(backend_error)?,
                            email: row.try_get(2).map_err(backend_error)?,
                            address: row.try_get(3).map_err(backend_error)?,
                            dob: row.try_get(4).map_err(backend_error)?,
                            tier: row.try_get(5).map_err(backend_error)?,
                            concession: row.try_get(6).map_err(backend_error)?,
                            payment_override_p: row.try_get(7).map_err(backend_error)?,
                            door_colour: row.try_get(8).map_err(backend_error)?,
                            parent: row.try_get(9).map_err(backend_error)?,
                            created: Some(time(created)?),
                            end_date: end_date.map(time).transpose()?,
                            opt_in: row.try_get(12).map_err(backend_error)?,
                            tokens: tokens.remove(&id).unwrap_or_default(),
                            login_tokens: logins.remove(&id).unwrap_or_default(),
                            groups: memberships.remove(&id).unwrap_or_default(),
                            payments: payments.remove(&id).unwrap_or_default(),
                            transactions: ledger.remove(&id).unwrap_or_default(),
                            vend_credits: row.try_get(13).map_err(backend_error)?,
                            alert_credits: row.try_get(14).map_err(backend_error)?,
                            alert_email: row.try_get(15).map_err(backend_error)?,
                            alert_machine: row.try_get(16).map_err(backend_error)?,
                            telegram_chatid: row.try_get(17).map_err(backend_error)?,
                            telegram_username: row.try_get(18).map_err(backend_error)?,
                        });
                    }

                    let rows: Vec<(i64, String, bool, bool, Option<i64>)> = sqlx::query_as(
                        "SELECT person_id, thing_id, inductor, pending, inducted_by FROM allowed ORDER BY person_id, thing_id",
                    )
                    .fetch_all(pool).await.map_err(backend_error)?;
                    let allowed = rows
                        .into_iter()
                        .map(|(person, thing, inductor, pending, inducted_by)| space::AllowedEntry { person, thing, inductor, pending, inducted_by })
                        .collect();

                    let rows: Vec<(i64, String, Vec<u8>, Vec<u8>, i64, i64)> = sqlx::query_as(
                        "SELECT id, name, key, nonce, min_version, max_version FROM controllers ORDER BY name",
                    )
                    .fetch_all(pool).await.map_err(backend_error)?;
                    let served: Vec<(i64, String)> = sqlx::query_as("SELECT controller_id, thing_id FROM controller_things ORDER BY thing_id")
                        .fetch_all(pool).await.map_err(backend_error)?;
                    let devices = rows
                        .into_iter()
                        .map(|(id, name, key, nonce, min_version, max_version)| space::DeviceEntry {
                            name,
                            key: None,
                            key_hex: Some($crate::reexports::hex::encode(key)),
                            min_version,
                            max_version,
                            nonce_hex: Some($crate::reexports::hex::encode_upper(nonce)),
                            things: served.iter().filter(|(c, _)| *c == id).map(|(_, t)| t.clone()).collect(),
                        })
                        .collect();

                    let rows: Vec<(i64, String, bool)> = sqlx::query_as("SELECT slot, name, sold_out FROM soda_slots ORDER BY slot")
                        .fetch_all(pool).await.map_err(backend_error)?;
                    let soda_slots = rows.into_iter().map(|(slot, name, sold_out)| space::SodaSlotEntry { slot, name, sold_out }).collect();

                    let rows: Vec<(String, String, String)> = sqlx::query_as("SELECT name, token_hash, scopes FROM api_tokens ORDER BY name")
                        .fetch_all(pool).await.map_err(backend_error)?;
                    let api_tokens = rows
                        .into_iter()
                        .map(|(name, hash, scopes)| space::ApiTokenEntry {
                            name, token: None, token_sha256: Some(hash), scopes: $crate::scopes_from_db(&scopes),
                        })
                        .collect();

                    Ok(space::SpaceFile { tiers, things, groups, people, allowed, devices, soda_slots, api_tokens })
                }

                async fn access_version(&self) -> StoreResult<i64> {
                    let (version,): (i64,) = sqlx::query_as("SELECT version FROM access_version WHERE id = 1")
                        .fetch_one(&self.read).await.map_err(backend_error)?;
                    Ok(version)
                }

                async fn decision_facts(&self, token: &str, thing: &str) -> StoreResult<Facts> {
                    let rows: Vec<(i64, String, Option<i64>, Option<bool>, Option<String>)> = sqlx::query_as(&format!(
                        "{PERSON_FACTS} WHERE p.id IN (SELECT person_id FROM tokens WHERE id = $1) ORDER BY p.id"
                    ))
                    .bind(token)
                    .fetch_all(&self.read)
                    .await
                    .map_err(backend_error)?;
                    let mut holders = Vec::with_capacity(rows.len());
                    for row in rows {
                        holders.push(self.member(row).await?);
                    }
                    Ok(Facts { holders, things: self.thing_closure(thing).await? })
                }

                async fn thing_roster(&self, thing: &str) -> StoreResult<Roster> {
                    let rows: Vec<(i64, String, Option<i64>, Option<bool>, Option<String>)> = sqlx::query_as(&format!(
                        "{PERSON_FACTS} WHERE p.id IN (SELECT k2.person_id FROM tokens k2 WHERE k2.id IN ( \
                           SELECT k.id FROM tokens k WHERE k.person_id IN ( \
                             SELECT person_id FROM allowed WHERE thing_id = $1 \
                             UNION SELECT gm.person_id FROM group_members gm \
                               JOIN group_things gt ON gt.group_id = gm.group_id WHERE gt.thing_id = $1))) \
                         ORDER BY p.id"
                    ))
                    .bind(thing)
                    .fetch_all(&self.read)
                    .await
                    .map_err(backend_error)?;
                    let mut members = Vec::with_capacity(rows.len());
                    for row in rows {
                        let id = row.0;
                        let member = self.member(row).await?;
                        let tokens: Vec<(String,)> = sqlx::query_as("SELECT id FROM tokens WHERE person_id = $1 ORDER BY id")
                            .bind(id).fetch_all(&self.read).await.map_err(backend_error)?;
                        members.push((member, tokens.into_iter().map(|(t,)| t).collect()));
                    }
                    Ok(Roster { members, things: self.thing_closure(thing).await? })
                }

                async fn log_decision(&self, entry: &DecisionLog) -> StoreResult<()> {
                    self.decisions.push(entry.clone()).await
                }

                async fn recent_decisions(&self, person: Option<i64>, limit: u32) -> StoreResult<Vec<DecisionLog>> {
                    let rows: Vec<(i64, String, String, String, Option<i64>, bool, String, String)> = sqlx::query_as(
                        "SELECT at, protocol, thing, token, person_id, granted, reason, message FROM access_log \
                         WHERE ($1 IS NULL OR person_id = $1) ORDER BY at DESC, id DESC LIMIT $2",
                    )
                    .bind(person).bind(i64::from(limit))
                    .fetch_all(&self.read).await.map_err(backend_error)?;
                    rows.into_iter()
                        .map(|(at, protocol, thing, token, person, granted, reason, message)| {
                            Ok(DecisionLog {
                                at: timestamp_from_db(at)?,
                                protocol, thing, token, person, granted, reason, message,
                            })
                        })
                        .collect()
                }

                async fn find_thing(&self, id: &str) -> StoreResult<Option<ThingRecord>> {
                    let row: Option<(String, String, Option<String>)> =
                        sqlx::query_as("SELECT id, name, assigned_ip FROM things WHERE id = $1")
                            .bind(id).fetch_optional(&self.read).await.map_err(backend_error)?;
                    Ok(row.map(|(id, name, assigned_ip)| ThingRecord { id, name, assigned_ip }))
                }

                async fn token_holders(&self, token: &str) -> StoreResult<Vec<(i64, String)>> {
                    sqlx::query_as(
                        "SELECT p.id, p.name FROM tokens k JOIN people p ON p.id = k.person_id WHERE k.id = $1 ORDER BY p.id",
                    )
                    .bind(token).fetch_all(&self.read).await.map_err(backend_error)
                }

                async fn log_usage(&self, person: Option<i64>, thing: &str, token: &str, granted: bool, at: Timestamp) -> StoreResult<()> {
                    sqlx::query("INSERT INTO usage_log (person_id, thing_id, token, status, accessed_at) VALUES ($1, $2, $3, $4, $5)")
                        .bind(person).bind(thing).bind(token).bind(if granted { "started" } else { "rejected" }).bind(at.as_second())
                        .execute(&self.write).await.map_err(backend_error)?;
                    Ok(())
                }

                async fn update_tool_usage(&self, update: &UsageUpdate) -> StoreResult<()> {
                    let mut tx = self.write.begin().await.map_err(backend_error)?;
                    let open: Option<(i64,)> = sqlx::query_as(
                        "SELECT id FROM usage_log WHERE person_id = $1 AND token = $2 AND thing_id = $3 \
                         AND status <> 'finished' AND running_for <= $4 ORDER BY accessed_at DESC, id DESC LIMIT 1",
                    )
                    .bind(update.person).bind(&update.token).bind(&update.thing).bind(update.active_time)
                    .fetch_optional(&mut *tx).await.map_err(backend_error)?;
                    let id = match open {
                        Some((id,)) => id,
                        None => {
                            let (id,): (i64,) = sqlx::query_as(
                                "INSERT INTO usage_log (person_id, thing_id, token, status, accessed_at) \
                                 VALUES ($1, $2, $3, 'started', $4) RETURNING id",
                            )
                            .bind(update.person).bind(&update.thing).bind(&update.token).bind(update.at.as_second())
                            .fetch_one(&mut *tx).await.map_err(backend_error)?;
                            id
                        }
                    };
                    sqlx::query("UPDATE usage_log SET running_for = $1, status = $2 WHERE id = $3")
                        .bind(update.active_time).bind(if update.running { "running" } else { "finished" }).bind(id)
                        .execute(&mut *tx).await.map_err(backend_error)?;
                    tx.commit().await.map_err(backend_error)
                }

                async fn log_message(&self, thing: &str, message: &str, from_ip: &str, at: Timestamp) -> StoreResult<()> {
                    sqlx::query("INSERT INTO message_log (thing_id, message, from_ip, written_at) VALUES ($1, $2, $3, $4)")
                        .bind(thing).bind(message).bind(from_ip).bind(at.as_second())
                        .execute(&self.write).await.map_err(backend_error)?;
                    Ok(())
                }

                async fn induct(&self, student: i64, thing: &str, trainer: i64, at: Timestamp) -> StoreResult<bool> {
                    sqlx::query(
                        "INSERT INTO allowed (person_id, thing_id, inductor, pending, inducted_by, added_on) \
                         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (person_id, thing_id) DO NOTHING",
                    )
                    .bind(student).bind(thing).bind(false).bind(true).bind(trainer).bind(at.as_second())
                    .execute(&self.write).await.map_err(backend_error)?;
                    let (pending,): (bool,) = sqlx::query_as("SELECT pending FROM allowed WHERE person_id = $1 AND thing_id = $2")
                        .bind(student).bind(thing).fetch_one(&self.write).await.map_err(backend_error)?;
                    Ok(pending)
                }

                async fn tier_price(&self, id: i64) -> StoreResult<Option<(i64, bool, bool)>> {
                    sqlx::query_as("SELECT price_p, concessions_allowed, donor FROM tiers WHERE id = $1")
                        .bind(id).fetch_optional(&self.read).await.map_err(backend_error)
                }

                async fn is_controller_address(&self, ip: &str) -> StoreResult<bool> {
                    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM things WHERE assigned_ip = $1 LIMIT 1")
                        .bind(ip).fetch_optional(&self.read).await.map_err(backend_error)?;
                    Ok(row.is_some())
                }

                async fn reserve_person(&self, name: &str, at: Timestamp) -> StoreResult<i64> {
                    let (id,): (i64,) = sqlx::query_as(concat!("INSERT INTO people (id, name, created_at) VALUES (", $new_person_id, ", $1, $2) RETURNING id"))
                        .bind(name).bind(at.as_second()).fetch_one(&self.write).await.map_err(backend_error)?;
                    Ok(id)
                }

                async fn assign_token(&self, person: i64, token: &str, kind: &str) -> StoreResult<TokenAssignment> {
                    let mut tx = self.write.begin().await.map_err(backend_error)?;
                    let taken: Option<(i64,)> = sqlx::query_as("SELECT person_id FROM tokens WHERE id = $1 LIMIT 1")
                        .bind(token).fetch_optional(&mut *tx).await.map_err(backend_error)?;
                    if taken.is_some() {
                        return Ok(TokenAssignment::TokenInUse);
                    }
                    let name: Option<(String,)> = sqlx::query_as("SELECT name FROM people WHERE id = $1")
                        .bind(person).fetch_optional(&mut *tx).await.map_err(backend_error)?;
                    let Some((name,)) = name else { return Ok(TokenAssignment::NoSuchPerson) };
                    sqlx::query("INSERT INTO tokens (id, person_id, type) VALUES ($1, $2, $3)")
                        .bind(token).bind(person).bind(kind).execute(&mut *tx).await.map_err(backend_error)?;
                    let (tokens,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM tokens WHERE person_id = $1")
                        .bind(person).fetch_one(&mut *tx).await.map_err(backend_error)?;
                    tx.commit().await.map_err(backend_error)?;
                    Ok(TokenAssignment::Assigned { name, tokens })
                }

                async fn delete_person(&self, id: i64) -> StoreResult<bool> {
                    $crate::delete_where!(self, "DELETE FROM people WHERE id = $1", id)
                }

                async fn delete_token(&self, person: i64, token: &str) -> StoreResult<bool> {
                    $crate::delete_where!(self, "DELETE FROM tokens WHERE person_id = $1 AND id = $2", person, token)
                }

                async fn delete_thing(&self, id: &str) -> StoreResult<bool> {
                    $crate::delete_where!(self, "DELETE FROM things WHERE id = $1", id)
                }

                async fn delete_group(&self, name: &str) -> StoreResult<bool> {
                    $crate::delete_where!(self, "DELETE FROM groups WHERE name = $1", name)
                }

                async fn remove_group_member(&self, group: &str, person: i64) -> StoreResult<bool> {
                    $crate::delete_where!(
                        self,
                        "DELETE FROM group_members WHERE person_id = $2 AND group_id IN (SELECT id FROM groups WHERE name = $1)",
                        group,
                        person
                    )
                }

                async fn delete_induction(&self, person: i64, thing: &str) -> StoreResult<bool> {
                    $crate::delete_where!(self, "DELETE FROM allowed WHERE person_id = $1 AND thing_id = $2", person, thing)
                }

                async fn delete_device(&self, name: &str) -> StoreResult<bool> {
                    $crate::delete_where!(self, "DELETE FROM controllers WHERE name = $1", name)
                }

                async fn set_device_key(&self, name: &str, key: &[u8]) -> StoreResult<bool> {
                    $crate::delete_where!(self, "UPDATE controllers SET key = $2 WHERE name = $1", name, key)
                }

                async fn badge(&self, person: i64) -> StoreResult<Option<$crate::reexports::offimic_store::Badge>> {
                    let row: Option<(Option<String>, String, Option<String>)> = sqlx::query_as(
                        "SELECT t.name, p.door_colour, p.email FROM people p LEFT JOIN tiers t ON t.id = p.tier_id WHERE p.id = $1",
                    )
                    .bind(person).fetch_optional(&self.read).await.map_err(backend_error)?;
                    Ok(row.map(|(tier, door_colour, email)| $crate::reexports::offimic_store::Badge { tier, door_colour, email }))
                }

                async fn queue_communication(&self, email: &$crate::reexports::offimic_store::NewCommunication) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO communications (person_id, type, status, subject, plain_text, html, created_at) \
                         VALUES ($1, $2, 'unsent', $3, $4, $5, $6)",
                    )
                    .bind(email.person).bind(&email.kind).bind(&email.subject).bind(&email.plain_text)
                    .bind(&email.html).bind(email.at.as_second())
                    .execute(&self.write).await.map_err(backend_error)?;
                    Ok(())
                }

                async fn create_induction_confirmation(&self, token: &str, person: i64, thing: &str, at: Timestamp) -> StoreResult<()> {
                    let storage = $crate::reexports::serde_json::json!({"thing_id": thing, "person_id": person}).to_string();
                    sqlx::query("INSERT INTO confirmations (token, person_id, storage, created_at) VALUES ($1, $2, $3, $4)")
                        .bind(token).bind(person).bind(storage).bind(at.as_second())
                        .execute(&self.write).await.map_err(backend_error)?;
                    Ok(())
                }

                async fn confirm_induction(&self, token: &str, at: Timestamp) -> StoreResult<bool> {
                    let mut tx = self.write.begin().await.map_err(backend_error)?;
                    let row: Option<(i64, String)> = sqlx::query_as("SELECT person_id, storage FROM confirmations WHERE token = $1")
                        .bind(token).fetch_optional(&mut *tx).await.map_err(backend_error)?;
                    let Some((person, storage)) = row else { return Ok(false) };
                    let storage: $crate::reexports::serde_json::Value = $crate::reexports::serde_json::from_str(&storage)
                        .map_err(|e| StoreError::Corrupt(format!("confirmation storage: {e}")))?;
                    let Some(thing) = storage.get("thing_id").and_then(|t| t.as_str()) else { return Ok(false) };
                    sqlx::query("UPDATE allowed SET pending = $3, accepted_on = $4 WHERE person_id = $1 AND thing_id = $2")
                        .bind(person).bind(thing).bind(false).bind(at.as_second())
                        .execute(&mut *tx).await.map_err(backend_error)?;
                    sqlx::query("DELETE FROM confirmations WHERE token = $1")
                        .bind(token).execute(&mut *tx).await.map_err(backend_error)?;
                    tx.commit().await.map_err(backend_error)?;
                    Ok(true)
                }

                async fn recent_messages(&self, limit: u32) -> StoreResult<Vec<$crate::reexports::offimic_store::MessageRecord>> {
                    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
                        "SELECT thing_id, message, from_ip, written_at FROM message_log ORDER BY written_at DESC, id DESC LIMIT $1",
                    )
                    .bind(i64::from(limit)).fetch_all(&self.read).await.map_err(backend_error)?;
                    rows.into_iter()
                        .map(|(thing, message, from_ip, at)| {
                            Ok($crate::reexports::offimic_store::MessageRecord { thing, message, from_ip, at: timestamp_from_db(at)? })
                        })
                        .collect()
                }

                async fn recent_usage(&self, limit: u32) -> StoreResult<Vec<$crate::reexports::offimic_store::UsageRecord>> {
                    let rows: Vec<(Option<i64>, String, String, String, i64, i64)> = sqlx::query_as(
                        "SELECT person_id, thing_id, token, status, running_for, accessed_at FROM usage_log \
                         ORDER BY accessed_at DESC, id DESC LIMIT $1",
                    )
                    .bind(i64::from(limit)).fetch_all(&self.read).await.map_err(backend_error)?;
                    rows.into_iter()
                        .map(|(person, thing, token, status, running_for, at)| {
                            Ok($crate::reexports::offimic_store::UsageRecord {
                                person, thing, token, status, running_for, at: timestamp_from_db(at)?,
                            })
                        })
                        .collect()
                }

                async fn recent_communications(&self, limit: u32) -> StoreResult<Vec<$crate::reexports::offimic_store::CommunicationRecord>> {
                    let rows: Vec<(i64, Option<i64>, String, String, String, String, i64)> = sqlx::query_as(
                        "SELECT id, person_id, type, status, subject, plain_text, created_at FROM communications \
                         ORDER BY created_at DESC, id DESC LIMIT $1",
                    )
                    .bind(i64::from(limit)).fetch_all(&self.read).await.map_err(backend_error)?;
                    rows.into_iter()
                        .map(|(id, person, kind, status, subject, plain_text, created_at)| {
                            Ok($crate::reexports::offimic_store::CommunicationRecord {
                                id, person, kind, status, subject, plain_text, created_at: timestamp_from_db(created_at)?,
                            })
                        })
                        .collect()
                }

            }
        };
    };
}

/// Runs a single-row change and reports whether a row was affected.
#[macro_export]
#[doc(hidden)]
macro_rules! delete_where {
    ($store:expr, $sql:literal $(, $bind:expr)*) => {{
        let done = $crate::reexports::sqlx::query($sql)
            $(.bind($bind))*
            .execute(&$store.write)
            .await
            .map_err($crate::backend_error)?;
        Ok(done.rows_affected() > 0)
    }};
}
