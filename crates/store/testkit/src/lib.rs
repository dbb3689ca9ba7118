//! Test databases. Every test gets its own: a fresh SQLite file in a temporary directory, or a
//! fresh database on the PostgreSQL server named by `OFFIMIC_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`), dropped when the test ends. Tests therefore run in
//! parallel and never see each other's rows. PostgreSQL being unreachable fails the test with the
//! reason: nothing is skipped.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use offimic_store::Store;
use offimic_store_postgres::PostgresStore;
use offimic_store_sqlite::SqliteStore;
use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// Where the PostgreSQL tests create their databases.
pub const POSTGRES_URL_VAR: &str = "OFFIMIC_TEST_POSTGRES_URL";
const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A database that exists for one test.
pub struct TestDatabase {
    /// The URL to give `offimic-api` (`sqlite://…` or `postgres://…`).
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite { _dir: tempfile::TempDir },
    Postgres { admin_url: String, name: String },
}

fn admin_url() -> String {
    std::env::var(POSTGRES_URL_VAR).unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
}

fn unique_name() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "offimic_test_{}_{}_{:08x}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        rand::random::<u32>()
    )
}

impl TestDatabase {
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory for the test database");
        let url = format!("sqlite://{}", dir.path().join("offimic.db").display());
        Self {
            url,
            cleanup: Cleanup::Sqlite { _dir: dir },
        }
    }

    pub async fn postgres() -> Self {
        let admin_url = admin_url();
        let name = unique_name();
        let mut admin = PgConnection::connect(&admin_url).await.unwrap_or_else(|e| {
            panic!("PostgreSQL is needed for this test and is not reachable at {admin_url} ({e}); start it or set {POSTGRES_URL_VAR}")
        });
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("CREATE DATABASE for the test");
        let mut url = admin_url.clone();
        let base = url.rfind('/').expect("a database URL has a path");
        url.truncate(base + 1);
        url.push_str(&name);
        Self {
            url,
            cleanup: Cleanup::Postgres { admin_url, name },
        }
    }

    /// Opens the database as the server would, applying migrations.
    pub async fn open(&self) -> Arc<dyn Store> {
        let store: Arc<dyn Store> = match self.cleanup {
            Cleanup::Sqlite { .. } => {
                Arc::new(SqliteStore::connect(&self.url).await.expect("open SQLite"))
            }
            Cleanup::Postgres { .. } => Arc::new(
                PostgresStore::connect(&self.url)
                    .await
                    .expect("open PostgreSQL"),
            ),
        };
        store
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Cleanup::Postgres { admin_url, name } = &self.cleanup else {
            return;
        };
        let (admin_url, name) = (admin_url.clone(), name.clone());
        // Drop may run inside a runtime; use a thread with its own to reach the server.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&admin_url).await.ok()?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await
                    .ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("note: could not drop the test database; it is left for inspection");
        }
    }
}

/// Runs each named async test function `fn(TestDatabase)` once on SQLite and once on
/// PostgreSQL, as `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::TestDatabase::sqlite()).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::TestDatabase::postgres().await).await
                }
            }
        )*
    };
}
