//! Admin routes for device pseudonyms: what has been seen, and the server-side ignore-list that
//! removes an always-on printer or router from the counts after the fact.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use jiff::Timestamp;
use offimic_presence::Pseudonym;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::{ApiJson, ApiPath, ApiQuery, AppState};
use crate::auth::Admin;
use crate::error::{ApiError, ApiResult};
use crate::routes::ok_body;
use crate::timefmt::rfc3339;

const DEFAULT_LIMIT: u32 = 1000;
const MAX_LIMIT: u32 = 100_000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/occupancy/devices", get(list_devices))
        .route("/api/v1/occupancy/ignored", get(list_ignored))
        .route(
            "/api/v1/occupancy/ignored/{pseudonym}",
            axum::routing::put(ignore).delete(unignore),
        )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    limit: Option<u32>,
}

async fn list_devices(
    State(state): State<AppState>,
    _admin: Admin,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<Value>> {
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT);
    let tz = state.config.tz();
    let devices: Vec<Value> = state
        .store
        .devices(limit)
        .await?
        .into_iter()
        .map(|d| {
            json!({
                "pseudonym": d.pseudonym,
                "local": d.local,
                "first_seen": rfc3339(d.first_seen, tz),
                "last_seen": rfc3339(d.last_seen, tz),
                "ignored": d.ignored,
            })
        })
        .collect();
    Ok(Json(ok_body(devices)))
}

async fn list_ignored(State(state): State<AppState>, _admin: Admin) -> ApiResult<Json<Value>> {
    let tz = state.config.tz();
    let ignored: Vec<Value> = state
        .store
        .ignored_devices()
        .await?
        .into_iter()
        .map(|d| json!({"pseudonym": d.pseudonym, "note": d.note, "created_at": rfc3339(d.created_at, tz)}))
        .collect();
    Ok(Json(ok_body(ignored)))
}

fn pseudonym(text: &str) -> ApiResult<Pseudonym> {
    text.parse()
        .map_err(|e| ApiError::bad_request(format!("pseudonym: {e}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IgnoreRequest {
    #[serde(default)]
    note: String,
}

const MAX_NOTE_CHARS: usize = 200;

async fn ignore(
    State(state): State<AppState>,
    _admin: Admin,
    ApiPath(raw): ApiPath<String>,
    ApiJson(request): ApiJson<IgnoreRequest>,
) -> ApiResult<Json<Value>> {
    let pseudonym = pseudonym(&raw)?;
    if request.note.contains('\0') {
        return Err(ApiError::bad_request(
            "note: must not contain NUL characters",
        ));
    }
    if request.note.chars().count() > MAX_NOTE_CHARS {
        return Err(ApiError::bad_request(format!(
            "note: at most {MAX_NOTE_CHARS} characters"
        )));
    }
    let change = state
        .store
        .ignore_device(&pseudonym, request.note.trim(), Timestamp::now())
        .await?;
    Ok(Json(ok_body(json!({
        "pseudonym": pseudonym,
        "changed": change.changed,
        "scans_adjusted": change.scans_adjusted,
    }))))
}

async fn unignore(
    State(state): State<AppState>,
    _admin: Admin,
    ApiPath(raw): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    let pseudonym = pseudonym(&raw)?;
    let change = state.store.unignore_device(&pseudonym).await?;
    if !change.changed {
        return Err(ApiError::not_found(
            "this pseudonym is not on the ignore-list",
        ));
    }
    Ok(Json(ok_body(json!({
        "pseudonym": pseudonym,
        "changed": true,
        "scans_adjusted": change.scans_adjusted,
    }))))
}
