//! SQLite backend: the embedded default, one file and no server.
//!
//! Writes go through a single connection, so SQLite never has to arbitrate between writers and
//! nothing waits on a busy lock; reads use a separate pool that WAL mode lets run alongside the
//! writer. One `offimic-api` process owns a database file; several instances need PostgreSQL.

use std::str::FromStr;
use std::time::Duration;

use offimic_store::{Backend, StoreError, StoreResult};
use offimic_store_sql::backend_error;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

const READERS: u32 = 4;
const ROW_BUFFER: usize = 4096;

/// An offimic database in an SQLite file.
#[derive(Clone)]
pub struct SqliteStore {
    read: SqlitePool,
    write: SqlitePool,
    /// The access log, written in batches (group commit).
    decisions: offimic_store_sql::BatchQueue<offimic_store::DecisionLog>,
    /// Hive13 nonce rotations, compare-and-swapped in batches.
    nonces: offimic_store_sql::BatchQueue<(i64, Vec<u8>, Vec<u8>), bool>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` (`sqlite://FILE`) and applies migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Backend(format!("{url}: {e}").into()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .map_err(backend_error)?;
        MIGRATIONS
            .run(&write)
            .await
            .map_err(|e| StoreError::Backend(Box::new(e)))?;
        // Readers stream long histories: a deep row buffer lets the worker thread run ahead
        // instead of handing rows over one at a time.
        let read = SqlitePoolOptions::new()
            .max_connections(READERS)
            .connect_with(options.read_only(true).row_buffer_size(ROW_BUFFER))
            .await
            .map_err(backend_error)?;
        let decisions = Self::decision_queue(write.clone());
        let nonces = Self::nonce_queue(write.clone());
        Ok(Self {
            read,
            write,
            decisions,
            nonces,
        })
    }
}

offimic_store_sql::impl_shared_store!(
    SqliteStore,
    backend = Backend::Sqlite,
    lock = "SELECT 1",
    string_agg = "group_concat"
);
offimic_store_sql::impl_access_store!(
    SqliteStore,
    db = sqlx::Sqlite,
    resync = [],
    new_person_id = "(SELECT MAX(v) + 1 FROM (SELECT COALESCE(MAX(id), 0) AS v FROM people UNION ALL SELECT COALESCE(MAX(id), 0) AS v FROM retired_person_ids))"
);
offimic_store_sql::impl_hive13_store!(SqliteStore);
offimic_store_sql::impl_analysis_store!(SqliteStore);
offimic_store_sql::impl_web_store!(
    SqliteStore,
    new_person_id = "(SELECT MAX(v) + 1 FROM (SELECT COALESCE(MAX(id), 0) AS v FROM people UNION ALL SELECT COALESCE(MAX(id), 0) AS v FROM retired_person_ids))",
    lock_email = "SELECT $1"
);
offimic_store_sql::impl_payment_store!(SqliteStore, db = sqlx::Sqlite, lock_person = "");
