//! The HTTP application: shared state, the router with every route under the configured prefix,
//! the one-line-per-request log, and JSON answers for unknown routes and methods.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, MatchedPath, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use offimic_access::HolidayCalendar;
use offimic_store::Store;
use serde::de::DeserializeOwned;

use crate::config::ApiConfig;
use crate::error::ApiError;
use crate::mail::MailService;
use crate::metrics::Metrics;
use crate::routes;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<ApiConfig>,
    /// The bank holidays of `config`, read once.
    pub holidays: Arc<HolidayCalendar>,
    /// Decision facts, cached per access version.
    pub facts: Arc<crate::access::FactsCache>,
    /// Email templates, the outbox's sender, and its wake-up bell.
    pub mail: Arc<MailService>,
    /// Prometheus counters.
    pub metrics: Arc<Metrics>,
    /// The occupancy series analysis reads, rebuilt at most once a minute.
    pub series: Arc<crate::analysis::SeriesCache>,
    /// The web pages' templates.
    pub pages: Arc<crate::web::Pages>,
    /// Recent login requests, to refuse bursts.
    pub logins: Arc<crate::web::LoginLimiter>,
    /// Who underpays their dues, for the fee warning at the door.
    pub fees: Arc<routes::swindon::FeeCache>,
}

impl AppState {
    /// The state for `config`; fails, naming the setting, when its email settings or
    /// templates are unusable.
    pub fn new(store: Arc<dyn Store>, config: ApiConfig) -> Result<Self, String> {
        Ok(Self {
            holidays: Arc::new(config.holidays()),
            facts: Arc::default(),
            mail: Arc::new(MailService::new(&config)?),
            metrics: Arc::default(),
            series: Arc::default(),
            pages: Arc::default(),
            logins: Arc::default(),
            fees: Arc::default(),
            store,
            config: Arc::new(config),
        })
    }
}

/// The complete application, every route under `config.path`.
pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .merge(routes::health::routes())
        .merge(routes::occupancy::routes())
        .merge(routes::pseudonyms::routes())
        .merge(routes::swindon::routes())
        .merge(routes::allowlist::routes())
        .merge(routes::admin::routes())
        .merge(routes::hive13::routes())
        .merge(routes::dues::routes())
        .merge(routes::treasury::routes())
        .merge(routes::spaceapi::routes())
        .merge(routes::insights::routes())
        .merge(routes::dashboard::routes())
        .merge(crate::web::routes())
        .fallback(unknown_route)
        .method_not_allowed_fallback(wrong_method)
        .with_state(state.clone());
    let prefix = state.config.path.0.as_str();
    let app = if prefix.is_empty() {
        routes
    } else {
        Router::new().nest(prefix, routes).fallback(unknown_route)
    };
    app.layer(middleware::from_fn(refuse_nul_in_path))
        .layer(middleware::from_fn_with_state(state, log_request))
}

/// A path naming something with a NUL in it names nothing offimic can store; refusing it here
/// keeps it away from PostgreSQL, which would fail the query.
async fn refuse_nul_in_path(request: Request, next: Next) -> Response {
    if request.uri().path().to_ascii_lowercase().contains("%00") {
        return ApiError::bad_request("the path must not contain NUL characters").into_response();
    }
    next.run(request).await
}

/// One log line and one metrics observation per request: method, route, status and latency. The
/// route is the matched template (`/count/{value}`), never the raw URL, so no token or
/// identifier reaches the log or the metrics.
async fn log_request(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let response = next.run(request).await;
    let route = route.as_deref().unwrap_or("<unmatched>");
    let elapsed = started.elapsed();
    tracing::info!(
        method = %method,
        route,
        status = response.status().as_u16(),
        latency_us = elapsed.as_micros() as u64,
        "request"
    );
    state.metrics.request(
        method.as_str(),
        route,
        response.status().as_u16(),
        elapsed.as_secs_f64(),
    );
    response
}

async fn unknown_route() -> ApiError {
    ApiError::not_found("no such route")
}

async fn wrong_method() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method not allowed on this route",
    )
}

/// `axum::Json` whose rejections are offimic's JSON errors.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        axum::Json::<T>::from_request(request, state)
            .await
            .map(|axum::Json(value)| ApiJson(value))
            .map_err(|rejection| {
                // A body that parses but does not fit (422 in axum) is a bad request like any other.
                let status = match rejection.status() {
                    StatusCode::UNPROCESSABLE_ENTITY => StatusCode::BAD_REQUEST,
                    other => other,
                };
                ApiError::new(status, rejection.body_text())
            })
    }
}

/// `axum::extract::Query` whose rejections are offimic's JSON errors.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| ApiQuery(value))
            .map_err(|rejection| ApiError::bad_request(rejection.body_text()))
    }
}

/// `axum::extract::Path` whose rejections are offimic's JSON errors.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| ApiPath(value))
            .map_err(|rejection| ApiError::bad_request(rejection.body_text()))
    }
}
