//! SQL shared by the SQLite and PostgreSQL backends.
//!
//! Both databases accept the same statements when they use `$N` placeholders, `ON CONFLICT`,
//! `RETURNING` and portable expressions, and both schemas use 64-bit integers for times (UTC
//! seconds) and ids. [`impl_shared_store!`] writes the trait implementations once; each backend
//! crate instantiates it (and [`impl_access_store!`]) for its own pool type and supplies what genuinely differs (migrations,
//! connection set-up, and the statement that serialises occupancy writes).

#[doc(hidden)]
pub mod reexports {
    pub use async_stream;
    pub use async_trait;
    pub use futures;
    pub use hex;
    pub use jiff;
    pub use offimic_access;
    pub use offimic_dues;
    pub use offimic_occupancy;
    pub use offimic_presence;
    pub use offimic_spacefile;
    pub use offimic_store;
    pub use serde_json;
    pub use sqlx;
    pub use tokio;
}

mod access_macro;
mod analysis_macro;
mod batch;
mod convert;
mod hive13_macro;
mod occupancy_macro;
mod payments_macro;
mod web_macro;

pub use batch::{BATCH_LIMIT, BatchQueue, placeholders};
pub use convert::{
    HISTORY_PAGE, backend_error, count_from_db, scopes_from_db, scopes_to_db, timestamp_from_db,
    unpack_samples,
};
