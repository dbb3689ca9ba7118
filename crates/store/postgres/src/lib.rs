//! PostgreSQL backend: one pool shared by reads and writes; several `offimic-api` processes may
//! use the same database at once. Migrations take PostgreSQL's advisory lock, so instances that
//! start together apply them once.

use offimic_store::{Backend, StoreResult};
use offimic_store_sql::backend_error;
use sqlx::postgres::{PgPool, PgPoolOptions};

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

const CONNECTIONS: u32 = 10;

/// Serialises transactions that change occupancy counts across every server on the database.
const OCCUPANCY_LOCK: &str = "SELECT pg_advisory_xact_lock(7301001)";

/// An offimic database on a PostgreSQL server.
#[derive(Clone)]
pub struct PostgresStore {
    read: PgPool,
    write: PgPool,
    /// The access log, written in batches (group commit).
    decisions: offimic_store_sql::BatchQueue<offimic_store::DecisionLog>,
    /// Hive13 nonce rotations, compare-and-swapped in batches.
    nonces: offimic_store_sql::BatchQueue<(i64, Vec<u8>, Vec<u8>), bool>,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://…`) and applies migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(CONNECTIONS)
            .connect(url)
            .await
            .map_err(backend_error)?;
        MIGRATIONS
            .run(&pool)
            .await
            .map_err(|e| offimic_store::StoreError::Backend(Box::new(e)))?;
        Ok(Self {
            read: pool.clone(),
            decisions: Self::decision_queue(pool.clone()),
            nonces: Self::nonce_queue(pool.clone()),
            write: pool,
        })
    }
}

offimic_store_sql::impl_shared_store!(
    PostgresStore,
    backend = Backend::Postgres,
    lock = OCCUPANCY_LOCK,
    string_agg = "string_agg"
);
offimic_store_sql::impl_access_store!(
    PostgresStore,
    db = sqlx::Postgres,
    resync = [
        "SELECT setval(pg_get_serial_sequence('people', 'id'), GREATEST((SELECT MAX(id) FROM people), 1))",
        "SELECT setval(pg_get_serial_sequence('tiers', 'id'), GREATEST((SELECT MAX(id) FROM tiers), 1))",
    ],
    new_person_id = "nextval(pg_get_serial_sequence('people', 'id'))"
);
offimic_store_sql::impl_hive13_store!(PostgresStore);
offimic_store_sql::impl_analysis_store!(PostgresStore);
offimic_store_sql::impl_web_store!(
    PostgresStore,
    new_person_id = "nextval(pg_get_serial_sequence('people', 'id'))",
    lock_email = "SELECT pg_advisory_xact_lock(hashtext(lower($1)))"
);
offimic_store_sql::impl_payment_store!(
    PostgresStore,
    db = sqlx::Postgres,
    lock_person = " FOR UPDATE"
);
