//! Conversions between database values and domain values, shared by both backends.

use jiff::Timestamp;
use offimic_store::StoreError;

/// Wraps a driver error; unique-key violations become `Conflict` with `what` as the message.
pub fn backend_error(error: sqlx::Error) -> StoreError {
    StoreError::Backend(Box::new(error))
}

/// A stored UTC second back to a timestamp.
pub fn timestamp_from_db(seconds: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_second(seconds)
        .map_err(|_| StoreError::Corrupt(format!("time {seconds} is out of range")))
}

/// A stored count back to `u32`.
pub fn count_from_db(count: i64) -> Result<u32, StoreError> {
    u32::try_from(count).map_err(|_| StoreError::Corrupt(format!("count {count} is out of range")))
}

/// Scopes are stored as one space-separated column.
pub fn scopes_to_db(scopes: &[String]) -> String {
    scopes.join(" ")
}

pub fn scopes_from_db(scopes: &str) -> Vec<String> {
    scopes.split_whitespace().map(str::to_owned).collect()
}
