//! Route modules: each exports `routes()` and keeps its handlers thin (parse, call the store or
//! the domain, render).

pub mod admin;
pub mod allowlist;
pub mod dashboard;
pub mod dues;
pub mod health;
pub mod hive13;
pub mod insights;
pub mod occupancy;
pub mod pseudonyms;
pub mod spaceapi;
pub mod swindon;
pub mod treasury;

use serde::Serialize;
use serde_json::{Value, json};

/// The success envelope `{"status":"ok","body":…}`.
pub fn ok_body(body: impl Serialize) -> Value {
    json!({"status": "ok", "body": body})
}
