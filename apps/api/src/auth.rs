//! Who may write: API tokens with scopes for agents and scripts, and the trusted-network rule
//! that lets a counter on the same machine record counts without one.
//!
//! A token is `om_` followed by 64 hex digits (256 random bits). Only its SHA-256 is stored; a
//! token is shown once, when it is created.

use std::str::FromStr;

use axum::extract::{FromRequestParts, Query};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use offimic_store::ApiTokenRecord;
use serde::Deserialize;

use crate::app::AppState;
use crate::client_ip::ClientIp;
use crate::error::ApiError;

const TOKEN_PREFIX: &str = "om_";

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Record counts and scans (the presence agent).
    Measure,
    /// Everything, including the admin API.
    Admin,
    /// Read the allow-lists of things (door and tool controllers).
    Device,
}

/// Every scope a token may carry.
pub const KNOWN_SCOPES: &[&str] = &["measure", "admin", "device"];

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Measure => "measure",
            Scope::Admin => "admin",
            Scope::Device => "device",
        }
    }
}

impl FromStr for Scope {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "measure" => Ok(Scope::Measure),
            "admin" => Ok(Scope::Admin),
            "device" => Ok(Scope::Device),
            other => Err(format!(
                "unknown scope {other:?} (expected measure, device or admin)"
            )),
        }
    }
}

/// A new random token.
pub fn generate_token() -> String {
    format!("{TOKEN_PREFIX}{}", hex::encode(rand::random::<[u8; 32]>()))
}

/// The stored form of a token.
pub use offimic_store::api_token_hash as hash_token;

fn grants(record: &ApiTokenRecord, scope: Scope) -> bool {
    record
        .scopes
        .iter()
        .any(|s| s == scope.as_str() || s == Scope::Admin.as_str())
}

#[derive(Deserialize)]
struct TokenParam {
    token: Option<String>,
}

/// The token presented as `Authorization: Bearer …` or `?token=…`, if any.
fn presented_token(parts: &Parts) -> Result<Option<String>, ApiError> {
    if let Some(header) = parts.headers.get(AUTHORIZATION) {
        let value = header
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ApiError::unauthorized("Authorization must be \"Bearer <token>\""))?;
        return Ok(Some(value.to_owned()));
    }
    Ok(Query::<TokenParam>::try_from_uri(&parts.uri)
        .ok()
        .and_then(|q| q.0.token)
        .filter(|t| !t.is_empty()))
}

async fn token_record(state: &AppState, token: &str) -> Result<ApiTokenRecord, ApiError> {
    state
        .store
        .find_api_token(&hash_token(token))
        .await?
        .ok_or_else(|| ApiError::unauthorized("invalid API token"))
}

/// The scopes of the token the request presents; `None` when it presents none. A token that
/// is presented but unknown is refused.
pub async fn presented_scopes(
    parts: &Parts,
    state: &AppState,
) -> Result<Option<Vec<Scope>>, ApiError> {
    let Some(token) = presented_token(parts)? else {
        return Ok(None);
    };
    let record = token_record(state, &token).await?;
    Ok(Some(
        record
            .scopes
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect(),
    ))
}

/// A caller allowed to record counts and scans; `agent` names it in the history.
#[derive(Debug, Clone)]
pub struct MeasureWriter {
    pub agent: String,
}

impl FromRequestParts<AppState> for MeasureWriter {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(token) = presented_token(parts)? {
            let record = token_record(state, &token).await?;
            if !grants(&record, Scope::Measure) {
                return Err(ApiError::forbidden(
                    "this API token lacks the measure scope",
                ));
            }
            return Ok(MeasureWriter { agent: record.name });
        }
        match ClientIp::from_request_parts(parts, state).await {
            Ok(ClientIp(Some(ip))) if state.config.is_trusted_writer(ip) => Ok(MeasureWriter {
                agent: "trusted".into(),
            }),
            _ => Err(ApiError::unauthorized(
                "an API token with the measure scope is required (Authorization: Bearer <token> or ?token=<token>)",
            )),
        }
    }
}

/// A caller holding an admin token.
#[derive(Debug, Clone)]
pub struct Admin {
    pub name: String,
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = presented_token(parts)?.ok_or_else(|| {
            ApiError::unauthorized(
                "an API token with the admin scope is required (Authorization: Bearer <token>)",
            )
        })?;
        let record = token_record(state, &token).await?;
        if !grants(&record, Scope::Admin) {
            return Err(ApiError::forbidden("this API token lacks the admin scope"));
        }
        Ok(Admin { name: record.name })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = generate_token();
        let b = generate_token();
        assert_ne!(a, b);
        assert!(a.starts_with("om_") && a.len() == 67);
        assert_eq!(hash_token(&a).len(), 64);
        assert_ne!(hash_token(&a), hash_token(&b));
        assert!(!hash_token(&a).contains(&a[3..]));
    }

    #[test]
    fn admin_implies_measure() {
        let record = |scopes: &[&str]| ApiTokenRecord {
            id: 1,
            name: "t".into(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            created_at: jiff::Timestamp::UNIX_EPOCH,
        };
        assert!(grants(&record(&["admin"]), Scope::Measure));
        assert!(grants(&record(&["measure"]), Scope::Measure));
        assert!(!grants(&record(&["measure"]), Scope::Admin));
        assert!("root".parse::<Scope>().is_err());
        for scope in KNOWN_SCOPES {
            assert_eq!(scope.parse::<Scope>().unwrap().as_str(), *scope);
        }
    }
}
