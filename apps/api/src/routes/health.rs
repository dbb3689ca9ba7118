//! `GET /healthz` (200 once the database answers, 503 while it does not), `GET /metrics`
//! (Prometheus, for the networks and tokens that may write measurements), and the API's own
//! description, `GET /api/v1/openapi.json`.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::{Value, json};

use crate::app::AppState;
use crate::auth::MeasureWriter;
use crate::error::{ApiResult, error_body};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/metrics", get(metrics))
}

async fn metrics(_: MeasureWriter, State(state): State<AppState>) -> ApiResult<impl IntoResponse> {
    let open_threshold = state
        .config
        .spaceapi
        .as_ref()
        .map_or(1, |c| c.open_threshold);
    let devices = crate::now::now(&state, jiff::Timestamp::now(), open_threshold)
        .await?
        .map(|now| now.devices);
    Ok((
        [(
            CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(devices),
    ))
}

async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({"status": "ok"}))),
        Err(error) => {
            tracing::warn!(%error, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(error_body("the database is unreachable")),
            )
        }
    }
}

/// The OpenAPI 3.1 description of the JSON API, compiled into the binary.
pub const OPENAPI: &str = include_str!("../openapi.json");

async fn openapi() -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], OPENAPI)
}
