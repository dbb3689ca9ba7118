//! Access storage: the facts decisions are made from, the space file in and out, the logs every
//! device conversation writes, and the small changes devices make (inductions, new tokens).

use async_trait::async_trait;
use jiff::Timestamp;
use offimic_access::Facts;
use offimic_access::model::Member;
use offimic_spacefile::{Existing, ImportError, Resolved, SpaceFile};

use crate::{StoreError, StoreResult};

/// Turns a parsed file into rows, given what the database holds; run inside the import's
/// transaction so that the check and the write see the same data.
pub type Resolver = Box<dyn FnOnce(&Existing) -> Result<Resolved, ImportError> + Send>;

/// Why an import did not happen. Nothing was written either way.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    #[error(transparent)]
    Invalid(#[from] ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How many rows of each kind an import touched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub tiers: usize,
    pub things: usize,
    pub groups: usize,
    pub people: usize,
    pub allowed: usize,
    pub devices: usize,
    pub api_tokens: usize,
}

/// A thing as devices and the Swindon endpoints need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThingRecord {
    pub id: String,
    pub name: String,
    pub assigned_ip: Option<String>,
}

/// One line of the access log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionLog {
    pub at: Timestamp,
    /// `swindon`, `hive13` or `allowlist`.
    pub protocol: String,
    pub thing: String,
    pub token: String,
    pub person: Option<i64>,
    pub granted: bool,
    /// `granted` or the denial's code.
    pub reason: String,
    pub message: String,
}

/// Everyone who could be granted a thing, with the tokens they hold: what an allow-list is
/// computed from.
#[derive(Debug, Clone, Default)]
pub struct Roster {
    /// Each member with every token they hold.
    pub members: Vec<(Member, Vec<String>)>,
    pub things: std::collections::HashMap<String, offimic_access::Thing>,
}

impl Roster {
    /// Every token held by someone on the roster, sorted, once.
    pub fn tokens(&self) -> Vec<String> {
        let mut tokens: Vec<String> = self
            .members
            .iter()
            .flat_map(|(_, t)| t.iter().cloned())
            .collect();
        tokens.sort();
        tokens.dedup();
        tokens
    }

    /// The facts `decide` needs for `token`.
    pub fn facts_for(&self, token: &str) -> Facts {
        Facts {
            holders: self
                .members
                .iter()
                .filter(|(_, tokens)| tokens.iter().any(|t| t == token))
                .map(|(member, _)| member.clone())
                .collect(),
            things: self.things.clone(),
        }
    }
}

/// A usage row to write for `/verify` and `/tool_access`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageUpdate {
    pub person: i64,
    pub thing: String,
    pub token: String,
    /// Seconds the tool has been on, as the controller reports.
    pub active_time: i64,
    pub running: bool,
    pub at: Timestamp,
}

/// What assigning a token to a person did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenAssignment {
    Assigned { name: String, tokens: i64 },
    TokenInUse,
    NoSuchPerson,
}

#[async_trait]
pub trait AccessStore {
    /// Loads what the database holds, resolves the file against it and upserts the result, all
    /// in one transaction.
    async fn import_space(&self, resolver: Resolver) -> Result<ImportSummary, ImportFailure>;

    /// The whole space as a space file, in a stable order.
    async fn export_space(&self) -> StoreResult<SpaceFile>;

    /// The counter bumped by every change to the data decisions are made from: facts cached
    /// under one value are current as long as it stays.
    async fn access_version(&self) -> StoreResult<i64>;

    /// The facts to decide whether the holder of `token` may use the thing `thing` (an id).
    async fn decision_facts(&self, token: &str, thing: &str) -> StoreResult<Facts>;

    /// Everyone with an induction on `thing` or a group granting it, with all their tokens.
    async fn thing_roster(&self, thing: &str) -> StoreResult<Roster>;

    async fn log_decision(&self, entry: &DecisionLog) -> StoreResult<()>;

    /// The latest access decisions, newest first; only those about `person` when given.
    async fn recent_decisions(
        &self,
        person: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<DecisionLog>>;

    async fn find_thing(&self, id: &str) -> StoreResult<Option<ThingRecord>>;

    /// People holding `token`: id and name.
    async fn token_holders(&self, token: &str) -> StoreResult<Vec<(i64, String)>>;

    /// A usage row `started` (granted) or `rejected` for a `/verify`.
    async fn log_usage(
        &self,
        person: Option<i64>,
        thing: &str,
        token: &str,
        granted: bool,
        at: Timestamp,
    ) -> StoreResult<()>;

    /// `/tool_access`: updates the open usage row of this person, token and thing (opening one
    /// if there is none) with the tool's running time.
    async fn update_tool_usage(&self, update: &UsageUpdate) -> StoreResult<()>;

    async fn log_message(
        &self,
        thing: &str,
        message: &str,
        from_ip: &str,
        at: Timestamp,
    ) -> StoreResult<()>;

    /// Creates a pending induction of `student` on `thing` by `trainer`, unless one exists;
    /// true when the student's induction is (still) waiting for confirmation.
    async fn induct(
        &self,
        student: i64,
        thing: &str,
        trainer: i64,
        at: Timestamp,
    ) -> StoreResult<bool>;

    /// A tier's price, whether it allows concessions, and whether it is the donor tier.
    async fn tier_price(&self, id: i64) -> StoreResult<Option<(i64, bool, bool)>>;

    /// Whether `ip` is the pinned address of some thing (a controller of this space).
    async fn is_controller_address(&self, ip: &str) -> StoreResult<bool>;

    /// Creates a bare person with a fresh id, to be filled in by an import.
    async fn reserve_person(&self, name: &str, at: Timestamp) -> StoreResult<i64>;

    /// Gives `token` to `person` unless anyone holds it already.
    async fn assign_token(
        &self,
        person: i64,
        token: &str,
        kind: &str,
    ) -> StoreResult<TokenAssignment>;

    async fn delete_person(&self, id: i64) -> StoreResult<bool>;
    async fn delete_token(&self, person: i64, token: &str) -> StoreResult<bool>;
    async fn delete_thing(&self, id: &str) -> StoreResult<bool>;
    async fn delete_group(&self, name: &str) -> StoreResult<bool>;
    async fn remove_group_member(&self, group: &str, person: i64) -> StoreResult<bool>;
    async fn delete_induction(&self, person: i64, thing: &str) -> StoreResult<bool>;
    async fn delete_device(&self, name: &str) -> StoreResult<bool>;

    /// Replaces a device's key; false when there is no such device.
    async fn set_device_key(&self, name: &str, key: &[u8]) -> StoreResult<bool>;

    /// What a door shows for a person: their tier's name and their door colour.
    async fn badge(&self, person: i64) -> StoreResult<Option<Badge>>;

    /// Queues an email for `person` in the outbox.
    async fn queue_communication(&self, email: &NewCommunication) -> StoreResult<()>;

    /// Records that `person` must confirm their induction on `thing` with `token`.
    async fn create_induction_confirmation(
        &self,
        token: &str,
        person: i64,
        thing: &str,
        at: Timestamp,
    ) -> StoreResult<()>;

    /// Confirms the induction behind `token` (used once); false for an unknown token.
    async fn confirm_induction(&self, token: &str, at: Timestamp) -> StoreResult<bool>;

    /// The latest controller messages, newest first.
    async fn recent_messages(&self, limit: u32) -> StoreResult<Vec<MessageRecord>>;

    /// The latest usage rows, newest first.
    async fn recent_usage(&self, limit: u32) -> StoreResult<Vec<UsageRecord>>;

    /// The outbox, newest first.
    async fn recent_communications(&self, limit: u32) -> StoreResult<Vec<CommunicationRecord>>;
}

/// A line of the message log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRecord {
    pub thing: String,
    pub message: String,
    pub from_ip: String,
    pub at: Timestamp,
}

/// A line of the usage log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRecord {
    pub person: Option<i64>,
    pub thing: String,
    pub token: String,
    pub status: String,
    pub running_for: i64,
    pub at: Timestamp,
}

/// An email in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommunicationRecord {
    pub id: i64,
    pub person: Option<i64>,
    pub kind: String,
    pub status: String,
    pub subject: String,
    pub plain_text: String,
    pub created_at: Timestamp,
}

/// A person's tier name and door colour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Badge {
    pub tier: Option<String>,
    pub door_colour: String,
    pub email: Option<String>,
}

/// An email to put in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCommunication {
    pub person: i64,
    /// What kind of email (`inducted_on`, `reminder_email`, …).
    pub kind: String,
    pub subject: String,
    pub plain_text: String,
    pub html: Option<String>,
    pub at: Timestamp,
}

/// The SHA-256 of an API token, in hex: the only form in which tokens are stored.
pub fn api_token_hash(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new thing id: a random UUID in upper case, as Swindon's tools have.
pub fn new_thing_id() -> String {
    let mut bytes: [u8; 16] = rand::random();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex::encode_upper(bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// The resolver an import uses: new things get random UUIDs, devices without a nonce get a
/// random one, API token secrets are hashed, and `scopes` are the ones tokens may carry.
pub fn space_resolver(
    file: offimic_spacefile::SpaceFile,
    known_scopes: &'static [&'static str],
    now: Timestamp,
) -> Resolver {
    Box::new(move |existing| {
        offimic_spacefile::resolve(
            file,
            existing,
            offimic_spacefile::Options {
                new_thing_id: &mut new_thing_id,
                new_nonce: &mut rand::random::<[u8; 16]>,
                hash_token: &api_token_hash,
                known_scopes,
                now,
            },
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thing_ids_look_like_swindon_uuids() {
        let id = new_thing_id();
        assert_eq!(id.len(), 36);
        assert_eq!(id, id.to_uppercase());
        assert_eq!(&id[14..15], "4");
        assert_ne!(id, new_thing_id());
    }

    #[test]
    fn token_hashes_are_sha256_hex() {
        assert_eq!(
            api_token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
