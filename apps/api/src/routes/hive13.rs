//! Hive13's signed-JSON device protocol (`POST /api/access`), answered as HiveWeb does with
//! these hardenings no device can observe: the nonce rotates only after a valid checksum, in one
//! atomic step (so a replayed or concurrent request is refused even across servers); checksums
//! compare in constant time; `get_light_state` works; a device not serving an item is told the
//! item's name; and no input yields a 500. Also the public `GET /api/status` and the unsigned
//! `/api/access/quiet_hours`.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{CONTENT_TYPE, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use offimic_access::{Denial, Outcome};
use offimic_hive13::canon::check_integers;
use offimic_hive13::rules::{entry_time, protocol_version, quiet_hours};
use offimic_hive13::{checksum, checksums_match, sign};
use offimic_store::{HiveDevice, NewCommunication, StoreError, Vend};
use serde_json::{Map, Value, json};

use crate::access;
use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/access", post(access_request))
        .route(
            "/api/access/quiet_hours",
            get(public_quiet_hours).post(public_quiet_hours),
        )
        .route("/api/access/{*rest}", post(access_request))
        .route("/api/status", get(status))
}

/// Whether any key or string in `value` holds a NUL, which no real device sends and PostgreSQL
/// cannot store.
fn has_nul(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains('\0'),
        Value::Array(items) => items.iter().any(has_nul),
        Value::Object(map) => map
            .iter()
            .any(|(key, item)| key.contains('\0') || has_nul(item)),
        _ => false,
    }
}

/// Perl truthiness of a JSON value.
fn truthy(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => !s.is_empty() && s != "0",
        Some(_) => true,
    }
}

fn json_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

fn cannot_find_device(http: bool) -> Response {
    let status = if http {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    json_response(
        status,
        json!({"data": "Cannot find device.", "response": false, "version": 1}).to_string(),
    )
}

/// A reply in the making: the `data` object and the status `data.http` would ask for.
struct Reply {
    out: Map<String, Value>,
    status: StatusCode,
}

impl Reply {
    fn new() -> Self {
        let mut out = Map::new();
        out.insert("response".into(), false.into());
        out.insert("version".into(), 1.into());
        Self {
            out,
            status: StatusCode::OK,
        }
    }

    fn set(&mut self, key: &str, value: impl Into<Value>) -> &mut Self {
        self.out.insert(key.into(), value.into());
        self
    }

    fn fail(&mut self, status: StatusCode) -> &mut Self {
        self.status = status;
        self
    }

    /// Signs the reply with the device's key; 16 random bytes make every reply unique.
    fn sign(mut self, key: &[u8], http: bool) -> Response {
        let random: Vec<Value> = rand::random::<[u8; 16]>()
            .iter()
            .map(|b| Value::from(*b))
            .collect();
        self.out.insert("random".into(), random.into());
        let status = if http { self.status } else { StatusCode::OK };
        match sign(key, Value::Object(self.out)) {
            Ok(body) => json_response(status, body),
            Err(_) => json_response(
                status,
                json!({"data": "Cannot sign the response.", "response": false, "version": 1})
                    .to_string(),
            ),
        }
    }
}

async fn access_request(State(state): State<AppState>, body: Bytes) -> Response {
    let Some((text, request)) = std::str::from_utf8(&body)
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(text).ok().map(|v| (text, v)))
    else {
        return cannot_find_device(false);
    };
    let data = request.get("data").cloned().unwrap_or(Value::Null);
    let http = truthy(data.get("http"));
    let Some(name) = request
        .get("device")
        .and_then(Value::as_str)
        .filter(|n| !n.contains('\0'))
    else {
        return cannot_find_device(http);
    };
    let device = match state.store.hive_device(name).await {
        Ok(Some(device)) => device,
        Ok(None) => return cannot_find_device(http),
        Err(error) => return unavailable(error),
    };
    match handle(&state, &device, text, &request, &data).await {
        Ok(reply) => reply.sign(&device.key, http),
        Err(error) => unavailable(error),
    }
}

fn unavailable(error: StoreError) -> Response {
    tracing::error!(%error, "storage failure on a Hive13 request");
    json_response(
        StatusCode::SERVICE_UNAVAILABLE,
        json!({"data": "Server busy, try again.", "response": false, "version": 1}).to_string(),
    )
}

async fn handle(
    state: &AppState,
    device: &HiveDevice,
    text: &str,
    request: &Value,
    data: &Value,
) -> Result<Reply, StoreError> {
    let mut reply = Reply::new();
    let version = protocol_version(data.get("version"));
    if version < device.min_version || version > device.max_version {
        reply
            .set("data", "Invalid version for device.")
            .fail(StatusCode::FORBIDDEN);
        return Ok(reply);
    }
    let operation = match data.get("operation") {
        None | Some(Value::Null) => "access".to_owned(),
        Some(Value::String(op)) => op.to_lowercase(),
        Some(other) => other.to_string(),
    };
    let nonced = version >= 2;
    let expected_nonce = hex::encode_upper(&device.nonce);
    if nonced
        && operation != "get_nonce"
        && data.get("nonce").and_then(Value::as_str) != Some(expected_nonce.as_str())
    {
        reply
            .set("data", "Invalid nonce.")
            .set("nonce_valid", false)
            .set("new_nonce", expected_nonce)
            .fail(StatusCode::FORBIDDEN);
        return Ok(reply);
    }
    let given = request
        .get("checksum")
        .and_then(Value::as_str)
        .unwrap_or("");
    let valid = !has_nul(data)
        && check_integers(text).is_ok()
        && checksum(&device.key, data).is_ok_and(|expected| checksums_match(&expected, given));
    if !valid {
        reply
            .set("data", "Invalid checksum.")
            .fail(StatusCode::BAD_REQUEST);
        if nonced {
            reply
                .set("new_nonce", expected_nonce)
                .set("nonce_valid", true);
        }
        return Ok(reply);
    }
    if nonced && operation == "get_nonce" {
        // Asking for the nonce changes nothing, so a replayed get_nonce cannot knock a device
        // out of step (HiveWeb rotated here).
        reply
            .set("new_nonce", expected_nonce)
            .set("nonce_valid", true);
    } else if nonced {
        let fresh: [u8; 16] = rand::random();
        if !state
            .store
            .rotate_nonce(device.id, &device.nonce, &fresh)
            .await?
        {
            // Another request used this nonce first: this one is a replay (or lost the race).
            reply
                .set("data", "Invalid nonce.")
                .set("nonce_valid", false)
                .fail(StatusCode::FORBIDDEN);
            let current = state
                .store
                .hive_device(&device.name)
                .await?
                .map(|d| hex::encode_upper(d.nonce));
            reply.set("new_nonce", current.unwrap_or_default());
            return Ok(reply);
        }
        reply
            .set("new_nonce", hex::encode_upper(fresh))
            .set("nonce_valid", true);
    }
    reply.set(
        "random_response",
        data.get("random_response").cloned().unwrap_or(Value::Null),
    );
    match operation.as_str() {
        "get_nonce" => {
            reply.set("response", true);
        }
        "access" => access_item(state, device, data, &mut reply).await?,
        "vend" => vend(state, device, data, &mut reply).await?,
        "log" => log(state, device, data, &mut reply).await?,
        "soda_status" => soda_status(state, data, &mut reply).await?,
        "quiet_hours" => {
            for (key, value) in quiet_hours_now(state) {
                reply.set(&key, value);
            }
        }
        "get_light_state" => {
            let states = state.store.light_states(device.id).await?;
            reply.set("states", states).set("response", true);
        }
        _ => {
            reply
                .set("error", "Invalid operation.")
                .fail(StatusCode::BAD_REQUEST);
        }
    }
    Ok(reply)
}

/// A badge as the token string it is stored as: an integer's decimal digits (or a string).
fn badge_token(data: &Value) -> Option<String> {
    match data.get("badge")? {
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

async fn access_item(
    state: &AppState,
    device: &HiveDevice,
    data: &Value,
    reply: &mut Reply,
) -> Result<(), StoreError> {
    reply.set("access", false);
    let asked = data.get("location").or_else(|| data.get("item"));
    let name = asked.and_then(Value::as_str).unwrap_or("");
    let Some(item) = state.store.item_for_device(device.id, name).await? else {
        reply
            .set("error", format!("Cannot find item {name}"))
            .fail(StatusCode::UNAUTHORIZED);
        return Ok(());
    };
    reply.set("response", true);
    if !item.served {
        reply
            .set("error", format!("Device not authorized for {}", item.name))
            .fail(StatusCode::UNAUTHORIZED);
        return Ok(());
    }
    let token = badge_token(data).unwrap_or_default();
    let decision = access::decide(
        state,
        "hive13",
        &token,
        &item.id,
        Some(device.access_version),
    )
    .await?;
    match decision.outcome {
        Outcome::Granted { .. } => {
            reply.set("access", true);
        }
        Outcome::Denied(Denial::UnknownToken { .. }) => {
            reply
                .set("error", "Unknown badge ")
                .fail(StatusCode::UNAUTHORIZED);
        }
        Outcome::Denied(_) => {
            reply
                .set("error", "Access denied")
                .fail(StatusCode::UNAUTHORIZED);
        }
    }
    Ok(())
}

async fn vend(
    state: &AppState,
    device: &HiveDevice,
    data: &Value,
    reply: &mut Reply,
) -> Result<(), StoreError> {
    reply
        .set("response", true)
        .set("vend", false)
        .set("error", "Cannot find member associated with this badge.");
    let Some(token) = badge_token(data) else {
        return Ok(());
    };
    let Some((person, name)) = state.store.token_holders(&token).await?.into_iter().next() else {
        return Ok(());
    };
    let now = Timestamp::now();
    match state.store.vend(device.id, person, &token, now).await? {
        Vend::NoCredits => {
            reply.set("error", "You have no soda credits.");
        }
        Vend::Vended {
            credits,
            alert_credits,
            alert_email,
            alert_machine,
        } => {
            reply.set("vend", true).set("error", "Have a soda.");
            if alert_credits.is_some_and(|threshold| credits <= threshold) {
                if alert_machine {
                    reply.set("alert", true);
                }
                if alert_email {
                    let email = NewCommunication {
                        person,
                        kind: "member.alert_credit".into(),
                        subject: "Hive13 Soda Credit Alert".into(),
                        plain_text: format!(
                            "Hello {name},\n\nyou have {credits} soda credits left.\n"
                        ),
                        html: None,
                        at: now,
                    };
                    // The credit is spent and the soda is due: a failed email must not undo that.
                    if let Err(error) = state.store.queue_communication(&email).await {
                        tracing::warn!(%error, "could not queue the low-credit email");
                    }
                }
            }
        }
    }
    Ok(())
}

/// An integer field of a log entry.
fn integer(value: Option<&Value>) -> Option<i64> {
    value.and_then(Value::as_i64)
}

async fn log(
    state: &AppState,
    device: &HiveDevice,
    data: &Value,
    reply: &mut Reply,
) -> Result<(), StoreError> {
    let now = Timestamp::now();
    if let Some(log_data) = data.get("log_data") {
        let name = log_data.get("item").and_then(Value::as_str).unwrap_or("");
        let Some(item) = state.store.item_for_device(device.id, name).await? else {
            reply
                .set("error", format!("Unknown item {name}"))
                .fail(StatusCode::UNAUTHORIZED);
            return Ok(());
        };
        if !item.served {
            reply
                .set("error", format!("Device not authorized for {}", item.name))
                .fail(StatusCode::UNAUTHORIZED);
            return Ok(());
        }
        let Some(value) = integer(log_data.get("temperature")) else {
            reply
                .set("error", "Could not log temperature.")
                .fail(StatusCode::BAD_REQUEST);
            return Ok(());
        };
        let id = state
            .store
            .record_reading(device.id, &item.id, value, now)
            .await?;
        reply.set("temp_log_id", id);
    }
    let current = integer(data.get("current_timestamp"));
    let when = |entry: &Value| {
        entry_time(
            now,
            current,
            integer(entry.get("absolute_timestamp")),
            integer(entry.get("relative_timestamp")),
        )
    };
    let mut messages = 0;
    for entry in data
        .get("messages")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let Some(text) = entry.get("data").and_then(Value::as_str) else {
            continue;
        };
        let severity = match entry.get("severity") {
            None => 6,
            Some(value) => match value.as_i64() {
                Some(level @ 0..=7) => level,
                _ => continue,
            },
        };
        state
            .store
            .record_device_message(device.id, severity, text, when(entry))
            .await?;
        messages += 1;
    }
    let mut readings = 0;
    for entry in data
        .get("temperatures")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let (Some(name), Some(value)) = (
            entry.get("item").and_then(Value::as_str),
            integer(entry.get("temperature")),
        ) else {
            continue;
        };
        let Some(item) = state.store.item_for_device(device.id, name).await? else {
            continue;
        };
        if !item.served {
            continue;
        }
        state
            .store
            .record_reading(device.id, &item.id, value, when(entry))
            .await?;
        readings += 1;
    }
    reply
        .set("response", true)
        .set("error", "Data logged.")
        .set("messages_logged", messages)
        .set("temperatures_logged", readings);
    Ok(())
}

async fn soda_status(state: &AppState, data: &Value, reply: &mut Reply) -> Result<(), StoreError> {
    let entries = data
        .get("soda_status")
        .or_else(|| data.get("sodas"))
        .and_then(Value::as_array);
    let slots: Option<Vec<(i64, bool)>> = entries
        .map(|entries| {
            entries
                .iter()
                .map(|entry| Some((entry.get("slot")?.as_i64()?, truthy(entry.get("sold_out")))))
                .collect::<Option<Vec<_>>>()
        })
        .unwrap_or(None);
    let stored = match slots {
        Some(slots) if !slots.is_empty() => state.store.set_soda_status(&slots).await?,
        _ => false,
    };
    reply.set("response", stored);
    Ok(())
}

fn quiet_hours_now(state: &AppState) -> Vec<(String, Value)> {
    let now = Timestamp::now().to_zoned(state.config.tz().clone());
    let window = quiet_hours(
        &now,
        state.config.quiet_hours.start,
        state.config.quiet_hours.end,
    );
    vec![
        ("end_ms".into(), window.end_ms.into()),
        ("in_quiet".into(), window.in_quiet.into()),
        ("response".into(), true.into()),
        ("start_ms".into(), window.start_ms.into()),
    ]
}

/// `GET|POST /api/access/quiet_hours`: the compressor's question, unsigned.
async fn public_quiet_hours(State(state): State<AppState>) -> Response {
    let mut body: Map<String, Value> = quiet_hours_now(&state).into_iter().collect();
    body.insert("version".into(), 1.into());
    json_response(
        StatusCode::OK,
        offimic_hive13::canon::canonical_text(&Value::Object(body)),
    )
}

/// `GET /api/status`: the soda slots and the latest reading of every thing, in its unit.
async fn status(State(state): State<AppState>) -> Result<Json<Value>, crate::error::ApiError> {
    let sodas: Vec<Value> = state
        .store
        .soda_slots()
        .await?
        .into_iter()
        .map(|(slot, name, sold_out)| json!({"slot": slot, "name": name, "sold_out": sold_out}))
        .collect();
    let temps: Vec<Value> = state
        .store
        .latest_readings()
        .await?
        .into_iter()
        .map(|r| {
            let scale = r.scale.unwrap_or(0).clamp(-12, 12) as i32;
            json!({
                "name": r.name,
                "display_name": r.display_name,
                "value": r.value as f64 * 10f64.powi(scale),
                "unit": r.unit,
                "at": crate::timefmt::rfc3339(r.at, state.config.tz()),
            })
        })
        .collect();
    Ok(Json(
        json!({"response": true, "sodas": sodas, "temps": temps}),
    ))
}
