//! Opening the configured database: the URL's scheme picks the backend.

use std::sync::Arc;

use offimic_store::{Store, StoreResult};
use offimic_store_postgres::PostgresStore;
use offimic_store_sqlite::SqliteStore;

/// Connects to `url` and applies the backend's migrations. For an SQLite file, its directory is
/// created first.
pub async fn open(url: &str) -> StoreResult<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Arc::new(PostgresStore::connect(url).await?));
    }
    if let Some(parent) = sqlite_file(url).and_then(|f| f.parent().map(|p| p.to_path_buf()))
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(&parent).map_err(|e| {
            offimic_store::StoreError::Backend(format!("creating {}: {e}", parent.display()).into())
        })?;
    }
    Ok(Arc::new(SqliteStore::connect(url).await?))
}

fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then(|| path.into())
}
