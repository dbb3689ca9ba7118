//! Storage for Hive13's device protocol: devices and their nonces, vending, telemetry, device
//! messages, soda slots and light states.

use async_trait::async_trait;
use jiff::Timestamp;

use crate::StoreResult;

/// A Hive13 device as the protocol needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HiveDevice {
    pub id: i64,
    pub name: String,
    pub key: Vec<u8>,
    pub nonce: Vec<u8>,
    pub min_version: i64,
    pub max_version: i64,
    /// The access data version, read with the device (see `AccessStore::access_version`).
    pub access_version: i64,
}

/// A thing found by its (item) name, and whether the asking device may serve it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRecord {
    pub id: String,
    pub name: String,
    pub served: bool,
}

/// What a vend did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vend {
    /// One credit was spent; `credits` are left.
    Vended {
        credits: i64,
        alert_credits: Option<i64>,
        alert_email: bool,
        alert_machine: bool,
    },
    NoCredits,
}

/// The latest reading of a thing, for `/api/status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    pub name: String,
    pub display_name: Option<String>,
    pub value: i64,
    pub scale: Option<i64>,
    pub unit: Option<String>,
    pub at: Timestamp,
}

#[async_trait]
pub trait Hive13Store {
    async fn hive_device(&self, name: &str) -> StoreResult<Option<HiveDevice>>;

    /// Replaces the device's nonce with `new` if it is still `expected`: one atomic step, so a
    /// request can be answered only once even with several servers on one database.
    async fn rotate_nonce(&self, device: i64, expected: &[u8], new: &[u8]) -> StoreResult<bool>;

    /// The thing called `name` (trailing spaces ignored, as HiveWeb's `char(32)` did), with
    /// whether `device` may serve it (`device_item`).
    async fn item_for_device(&self, device: i64, name: &str) -> StoreResult<Option<ItemRecord>>;

    /// Spends one soda credit of `person` if there is one, and logs the attempt.
    async fn vend(&self, device: i64, person: i64, badge: &str, at: Timestamp)
    -> StoreResult<Vend>;

    /// Stores a reading; returns its id (a UUID).
    async fn record_reading(
        &self,
        device: i64,
        thing: &str,
        value: i64,
        at: Timestamp,
    ) -> StoreResult<String>;

    async fn record_device_message(
        &self,
        device: i64,
        severity: i64,
        message: &str,
        at: Timestamp,
    ) -> StoreResult<()>;

    /// Sets several soda slots at once; false (and nothing changed) if any slot does not exist.
    async fn set_soda_status(&self, slots: &[(i64, bool)]) -> StoreResult<bool>;

    /// Every soda slot: number, name, sold out.
    async fn soda_slots(&self) -> StoreResult<Vec<(i64, String, bool)>>;

    /// The latest reading of every thing that has one.
    async fn latest_readings(&self) -> StoreResult<Vec<Reading>>;

    async fn light_states(&self, device: i64) -> StoreResult<Vec<bool>>;

    /// Sets the lounge lights' states (relay order) of the device called `name`; false when
    /// there is no such device.
    async fn set_light_states(&self, name: &str, states: &[bool]) -> StoreResult<bool>;
}
