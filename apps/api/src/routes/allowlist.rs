//! `GET /api/v1/things/{id}/allowlist`: every token the decision function grants on a thing
//! right now, computed by the same function as `/verify`, so that a controller working from
//! its list and the server never disagree. The list carries a version (also the ETag); a
//! controller sending it back in `If-None-Match` gets 304 while nothing changed.

use axum::Json;
use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::header::{ETAG, IF_NONE_MATCH};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::Timestamp;
use offimic_access::{Clock, Outcome, decide};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::app::{ApiPath, AppState};
use crate::auth::{Scope, presented_scopes};
use crate::client_ip::ClientIp;
use crate::error::{ApiError, ApiResult};
use crate::routes::ok_body;
use crate::timefmt::rfc3339;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/things/{id}/allowlist", get(allowlist))
}

/// Who may read a thing's allow-list: an admin or device token, or the thing's own
/// controller at its pinned address.
struct ListReader {
    by_token: bool,
}

impl FromRequestParts<AppState> for ListReader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match presented_scopes(parts, state).await? {
            Some(scopes)
                if scopes
                    .iter()
                    .any(|s| *s == Scope::Admin || *s == Scope::Device) =>
            {
                Ok(ListReader { by_token: true })
            }
            Some(_) => Err(ApiError::forbidden("this API token lacks the device scope")),
            None => Ok(ListReader { by_token: false }),
        }
    }
}

async fn allowlist(
    State(state): State<AppState>,
    reader: ListReader,
    ip: ClientIp,
    headers: HeaderMap,
    ApiPath(thing): ApiPath<String>,
) -> ApiResult<Response> {
    let record = state
        .store
        .find_thing(&thing)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no thing with id {thing:?}")))?;
    let pinned = record
        .assigned_ip
        .as_deref()
        .is_some_and(|assigned| ip.is(assigned));
    if !reader.by_token && !pinned {
        return Err(ApiError::unauthorized(
            "an API token with the device scope is required, or a request from the thing's assigned address",
        ));
    }
    let roster = state.store.thing_roster(&thing).await?;
    let now = Timestamp::now();
    let clock = Clock {
        now,
        tz: state.config.tz(),
        holidays: &state.holidays,
    };
    let mut entries = Vec::new();
    let mut fingerprint = Sha256::new();
    for token in roster.tokens() {
        let decision = decide(&token, &thing, &roster.facts_for(&token), &clock);
        if let Outcome::Granted {
            inductor,
            cacheable,
            valid_until,
        } = decision.outcome
        {
            let valid_until = valid_until.map(|t| rfc3339(t, state.config.tz()));
            fingerprint.update(format!(
                "{token}\t{valid_until:?}\t{inductor}\t{cacheable}\n"
            ));
            entries.push(json!({
                "token": token,
                "valid_until": valid_until,
                "inductor": inductor,
                "cacheable": cacheable,
            }));
        }
    }
    let version = hex::encode(&fingerprint.finalize()[..16]);
    let etag = HeaderValue::from_str(&format!("\"{version}\""))
        .map_err(|_| ApiError::bad_request("unrepresentable version"))?;
    let unchanged = headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|tag| tag.trim().trim_start_matches("W/") == etag)
        });
    if unchanged {
        return Ok((StatusCode::NOT_MODIFIED, [(ETAG, etag)]).into_response());
    }
    let body = ok_body(json!({
        "thing": record.id,
        "name": record.name,
        "version": version,
        "generated_at": rfc3339(now, state.config.tz()),
        "tokens": entries,
    }));
    Ok(([(ETAG, etag)], Json(body)).into_response())
}
