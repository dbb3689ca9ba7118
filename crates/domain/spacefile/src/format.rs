//! The document's shape, with the defaults `import.md` promises for every optional key.

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A time: RFC 3339, or a bare date meaning 00:00 UTC. Written back as RFC 3339 in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(pub Timestamp);

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if let Ok(at) = text.parse::<Timestamp>() {
            return Ok(Time(at));
        }
        text.parse::<jiff::civil::Date>()
            .ok()
            .and_then(|date| date.to_zoned(jiff::tz::TimeZone::UTC).ok())
            .map(|zoned| Time(zoned.timestamp()))
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "{text:?} is not an RFC 3339 time or a YYYY-MM-DD date"
                ))
            })
    }
}

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.to_string())
    }
}

fn yes() -> bool {
    true
}

fn is_false(value: &bool) -> bool {
    !value
}

fn green() -> String {
    "green".into()
}

fn first_version() -> i64 {
    1
}

fn second_version() -> i64 {
    2
}

fn empty_object() -> serde_json::Value {
    serde_json::json!({})
}

/// The whole document. Every section is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpaceFile {
    #[serde(default)]
    pub tiers: Vec<TierEntry>,
    #[serde(default)]
    pub things: Vec<ThingEntry>,
    #[serde(default)]
    pub groups: Vec<GroupEntry>,
    #[serde(default)]
    pub people: Vec<PersonEntry>,
    #[serde(default)]
    pub allowed: Vec<AllowedEntry>,
    #[serde(default)]
    pub devices: Vec<DeviceEntry>,
    #[serde(default)]
    pub soda_slots: Vec<SodaSlotEntry>,
    #[serde(default)]
    pub api_tokens: Vec<ApiTokenEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierEntry {
    pub id: i64,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub price_p: i64,
    #[serde(default = "yes")]
    pub concessions_allowed: bool,
    #[serde(default = "yes")]
    pub in_use: bool,
    #[serde(default)]
    pub donor: bool,
    #[serde(default = "empty_object")]
    pub restrictions: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThingEntry {
    /// Defaults to the id of an existing thing of the same name, else a new upper-case UUID.
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub assigned_ip: Option<String>,
    #[serde(default)]
    pub requires_induction: bool,
    #[serde(default = "yes")]
    pub lone_working_allowed: bool,
    #[serde(default)]
    pub team: String,
    /// Prerequisite things, by id or name.
    #[serde(default)]
    pub requires: Vec<String>,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub scale: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupEntry {
    pub name: String,
    /// Things the group grants, by id or name.
    #[serde(default)]
    pub things: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenEntry {
    pub id: String,
    #[serde(default, rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentEntry {
    pub paid_on: Time,
    pub expires_on: Time,
    pub amount_p: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransactionEntry {
    pub added_on: Time,
    pub amount_p: i64,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonEntry {
    pub id: i64,
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub address: String,
    /// `YYYY-MM`.
    #[serde(default)]
    pub dob: Option<String>,
    #[serde(default)]
    pub tier: Option<i64>,
    #[serde(default)]
    pub concession: String,
    #[serde(default)]
    pub payment_override_p: Option<i64>,
    #[serde(default = "green")]
    pub door_colour: String,
    #[serde(default)]
    pub parent: Option<i64>,
    #[serde(default)]
    pub created: Option<Time>,
    #[serde(default)]
    pub end_date: Option<Time>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub opt_in: bool,
    #[serde(default)]
    pub tokens: Vec<TokenEntry>,
    #[serde(default)]
    pub login_tokens: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub payments: Vec<PaymentEntry>,
    #[serde(default)]
    pub transactions: Vec<TransactionEntry>,
    #[serde(default)]
    pub vend_credits: i64,
    #[serde(default)]
    pub alert_credits: Option<i64>,
    #[serde(default)]
    pub alert_email: bool,
    #[serde(default)]
    pub alert_machine: bool,
    #[serde(default)]
    pub telegram_chatid: Option<i64>,
    #[serde(default)]
    pub telegram_username: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowedEntry {
    pub person: i64,
    /// By id or name.
    pub thing: String,
    #[serde(default)]
    pub inductor: bool,
    #[serde(default)]
    pub pending: bool,
    #[serde(default)]
    pub inducted_by: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceEntry {
    pub name: String,
    /// The key as the bytes of this string (exactly one of `key` and `key_hex`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_hex: Option<String>,
    #[serde(default = "first_version")]
    pub min_version: i64,
    #[serde(default = "second_version")]
    pub max_version: i64,
    /// 16 bytes in hex; a random nonce when absent.
    #[serde(default)]
    pub nonce_hex: Option<String>,
    #[serde(default)]
    pub things: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SodaSlotEntry {
    pub slot: i64,
    pub name: String,
    #[serde(default)]
    pub sold_out: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiTokenEntry {
    pub name: String,
    /// The secret (stored hashed); an export carries `token_sha256` instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_sha256: Option<String>,
    #[serde(default)]
    pub scopes: Vec<String>,
}
