//! The storage boundary of offimic.
//!
//! `Store` is the one trait the server talks to. It is assembled from capability traits (health,
//! API tokens, occupancy, …) so that each area of the product reads as its own small interface,
//! while a backend implements them all and the server holds a single `Arc<dyn Store>`. The SQLite
//! and PostgreSQL crates implement it; neither SQL nor a driver appears here.

mod access;
mod analysis;
mod error;
mod hive13;
mod occupancy;
mod payments;
mod tokens;
mod web;

pub use access::{
    AccessStore, Badge, CommunicationRecord, DecisionLog, ImportFailure, ImportSummary,
    MessageRecord, NewCommunication, Resolver, Roster, ThingRecord, TokenAssignment, UsageRecord,
    UsageUpdate, api_token_hash, new_thing_id, space_resolver,
};
pub use analysis::{AnalysisStore, Calibration, SlotMeasurement, SlotSighting};
pub use error::{StoreError, StoreResult};
pub use hive13::{Hive13Store, HiveDevice, ItemRecord, Reading, Vend};
pub use occupancy::{
    DeviceRecord, IgnoreChange, IgnoredDevice, OccupancyStore, PurgeReport, ScanRecorded,
};
pub use payments::{
    BankLine, ComposedEmail, Composer, CreditAssignment, Delivery, EmailDraft, LedgerEntry,
    MemberRun, MemberStatus, OutboxEntry, OutgoingEmail, PaymentStore, RunSettings,
    StatementImport, StatementSummary, UnmatchedCredit,
};
pub use tokens::{ApiTokenRecord, ApiTokenStore, NewApiToken};
pub use web::{AuditEntry, OfferedTier, PersonSummary, ProfileEdit, Registration, WebStore};

use async_trait::async_trait;

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Liveness of the database.
#[async_trait]
pub trait HealthStore {
    fn backend(&self) -> Backend;

    /// Succeeds once the database answers a query.
    async fn ping(&self) -> StoreResult<()>;
}

/// Everything the server needs from its database.
pub trait Store:
    HealthStore
    + ApiTokenStore
    + OccupancyStore
    + AccessStore
    + Hive13Store
    + PaymentStore
    + AnalysisStore
    + WebStore
    + Send
    + Sync
    + 'static
{
}

impl<T> Store for T where
    T: HealthStore
        + ApiTokenStore
        + OccupancyStore
        + AccessStore
        + Hive13Store
        + PaymentStore
        + AnalysisStore
        + WebStore
        + Send
        + Sync
        + 'static
{
}
