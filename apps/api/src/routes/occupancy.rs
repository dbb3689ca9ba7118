//! Occupancy routes: `GET /count/{value}` (a head count, phase I/IV), `GET /history` and
//! `/history.csv`, and `POST /api/v1/scans` for the presence agent.

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures::StreamExt;
use jiff::Timestamp;
use offimic_occupancy::{BucketSize, HistoryRange, ScanReport, parse_count};
use serde::Deserialize;
use serde_json::json;

use crate::app::{ApiJson, ApiPath, ApiQuery, AppState};
use crate::auth::MeasureWriter;
use crate::error::{ApiError, ApiResult};
use crate::history::HistoryView;
use crate::negotiate::{Format, preferred};
use crate::routes::ok_body;
use crate::timefmt::rfc3339;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/count/{value}", get(count))
        .route("/history", get(history))
        .route("/history.csv", get(history_csv))
        .route("/api/v1/scans", post(upload_scan))
}

/// Records a head count. Answers JSON, or `OK`/`ERROR` to a client that asks for text/plain.
async fn count(
    State(state): State<AppState>,
    headers: HeaderMap,
    writer: Result<MeasureWriter, ApiError>,
    ApiPath(value): ApiPath<String>,
) -> Response {
    let format = preferred(&headers, &[Format::Json, Format::Text]);
    let recorded = async {
        writer?;
        let count = parse_count(&value, state.config.max_count)
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        let now = Timestamp::now();
        state.store.record_count(now, count).await?;
        state.series.invalidate();
        Ok::<_, ApiError>((now, count))
    }
    .await;
    match (format, recorded) {
        (Format::Text, Ok(_)) => (StatusCode::OK, "OK").into_response(),
        (Format::Text, Err(error)) => (error.status, "ERROR").into_response(),
        (_, Ok((at, count))) => Json(ok_body(json!({
            "scan_time": rfc3339(at, state.config.tz()),
            "count": count,
        })))
        .into_response(),
        (_, Err(error)) => error.into_response(),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryParams {
    from: Option<String>,
    to: Option<String>,
    limit: Option<u64>,
    bucket: Option<String>,
    format: Option<String>,
    /// Accepted and ignored, so that scripts can reuse one URL for writing and reading; the
    /// history is public.
    #[serde(rename = "token")]
    _token: Option<serde::de::IgnoredAny>,
}

async fn history(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<HistoryParams>,
) -> ApiResult<Response> {
    let format = match params.format.as_deref() {
        None => preferred(&headers, &[Format::Json, Format::Csv]),
        Some("json") => Format::Json,
        Some("csv") => Format::Csv,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "format: expected json or csv, got {:?}",
                other.chars().take(20).collect::<String>()
            )));
        }
    };
    respond_history(state, params, format).await
}

async fn history_csv(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<HistoryParams>,
) -> ApiResult<Response> {
    respond_history(state, params, Format::Csv).await
}

async fn respond_history(
    state: AppState,
    params: HistoryParams,
    format: Format,
) -> ApiResult<Response> {
    let tz = state.config.tz().clone();
    let range = HistoryRange::parse(params.from.as_deref(), params.to.as_deref(), &tz)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let bucket = params
        .bucket
        .as_deref()
        .map(str::parse::<BucketSize>)
        .transpose()
        .map_err(ApiError::bad_request)?;
    let row_limit = if bucket.is_some() { None } else { params.limit };
    let mut samples = crate::history::prefetch(state.store.history(range, row_limit))
        .boxed()
        .peekable();
    // A database that fails before the first row gets a proper error answer.
    if let Some(Err(_)) = std::pin::Pin::new(&mut samples).peek().await
        && let Some(Err(error)) = samples.next().await
    {
        return Err(error.into());
    }
    let view = HistoryView {
        format,
        bucket,
        bucket_limit: bucket.and(params.limit),
        tz,
    };
    let content_type = view.content_type();
    Ok((
        [(CONTENT_TYPE, content_type)],
        Body::from_stream(view.render(samples)),
    )
        .into_response())
}

/// Stores the agent's report for one slot. 201 the first time, 200 with `duplicate: true` for a
/// retry of a slot already stored (the count stays the one first reported).
async fn upload_scan(
    State(state): State<AppState>,
    writer: MeasureWriter,
    ApiJson(report): ApiJson<ScanReport>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let scan = report
        .validate(state.config.max_count, Timestamp::now())
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let recorded = state.store.record_scan(&writer.agent, &scan).await?;
    state.series.invalidate();
    state
        .metrics
        .scan(match (recorded.duplicate, recorded.count) {
            (true, _) => "duplicate",
            (false, Some(_)) => "recorded",
            (false, None) => "failed",
        });
    let status = if recorded.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let tz = state.config.tz();
    Ok((
        status,
        Json(ok_body(json!({
            "agent": writer.agent,
            "slot": rfc3339(scan.slot, tz),
            "scan_time": rfc3339(scan.scanned_at, tz),
            "count": recorded.count,
            "duplicate": recorded.duplicate,
        }))),
    ))
}
