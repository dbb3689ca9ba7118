//! The treasurer's JSON API (admin token): upload a bank statement, see and assign the credits
//! no reference matched, run the payment run, and look at the email outbox.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use jiff::Timestamp;
use offimic_store::CreditAssignment;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::{ApiJson, ApiPath, ApiQuery, AppState};
use crate::auth::Admin;
use crate::error::{ApiError, ApiResult};
use crate::money::{self, StatementFormat};
use crate::routes::ok_body;

/// Largest statement file accepted over HTTP.
const MAX_STATEMENT: usize = 16 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/bank/statements",
            post(upload_statement).layer(DefaultBodyLimit::max(MAX_STATEMENT + 1)),
        )
        .route("/api/v1/bank/unmatched", get(unmatched))
        .route("/api/v1/bank/unmatched/{id}", post(assign))
        .route("/api/v1/payments/run", post(run))
        .route("/api/v1/outbox", get(outbox))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatementQuery {
    /// `ofx`, `camt053`, `barclays` or `csv`; detected from the content when absent.
    format: Option<String>,
    /// A name to remember the file by.
    source: Option<String>,
}

fn format(name: &str) -> Result<offimic_bank::Format, ApiError> {
    use clap::ValueEnum;
    StatementFormat::from_str(name, true)
        .map(Into::into)
        .map_err(|_| {
            ApiError::bad_request(format!(
                "format {name:?} is not one of ofx, camt053, barclays, csv"
            ))
        })
}

async fn upload_statement(
    _: Admin,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<StatementQuery>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    if body.len() > MAX_STATEMENT {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the statement is larger than 16 MiB",
        ));
    }
    let format = query.format.as_deref().map(format).transpose()?;
    let now = Timestamp::now();
    let source = query
        .source
        .unwrap_or_else(|| format!("upload {}", now.strftime("%Y-%m-%d %H:%M:%S")));
    let statement = money::parse_statement(&source, &body, format, &state.config.payments, now)
        .map_err(ApiError::bad_request)?;
    let summary = state.store.import_statement(&statement).await?;
    Ok((
        StatusCode::CREATED,
        Json(ok_body(json!({
            "source": statement.source,
            "format": statement.format,
            "lines": summary.lines,
            "new_lines": summary.new_lines,
            "credited": summary.credited,
            "credited_p": summary.credited_p,
            "unmatched": summary.unmatched,
            "already_credited": summary.already_credited,
        }))),
    ))
}

async fn unmatched(_: Admin, State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let credits: Vec<Value> = state
        .store
        .unmatched_credits()
        .await?
        .into_iter()
        .map(|c| {
            json!({
                "id": c.id,
                "posted": c.posted.to_string(),
                "amount_p": c.amount_p,
                "text": c.text,
                "source": c.source,
                "imported_at": c.imported_at.to_string(),
            })
        })
        .collect();
    Ok(Json(ok_body(credits)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Assignment {
    person: i64,
}

async fn assign(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(assignment): ApiJson<Assignment>,
) -> ApiResult<Json<Value>> {
    match state
        .store
        .assign_credit(id, assignment.person, Timestamp::now())
        .await?
    {
        CreditAssignment::Assigned { balance_p } => Ok(Json(ok_body(
            json!({"person": assignment.person, "balance_p": balance_p}),
        ))),
        CreditAssignment::NoSuchCredit => Err(ApiError::not_found(format!("no credit {id}"))),
        CreditAssignment::AlreadyAssigned => Err(ApiError::new(
            StatusCode::CONFLICT,
            format!("credit {id} is already on a member's balance"),
        )),
        CreditAssignment::NoSuchPerson => Err(ApiError::not_found(format!(
            "no person {}",
            assignment.person
        ))),
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RunRequest {
    as_of: Option<Timestamp>,
}

async fn run(_: Admin, State(state): State<AppState>, body: Bytes) -> ApiResult<Json<Value>> {
    let request: RunRequest = if body.iter().all(u8::is_ascii_whitespace) {
        RunRequest::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request(format!("the request body: {e}")))?
    };
    let report = money::run_payments(&state, request.as_of.unwrap_or_else(Timestamp::now)).await?;
    Ok(Json(ok_body(json!({
        "members": report.members,
        "payments": report.payments,
        "paid_p": report.paid_p,
        "emails": report.emails,
        "moved_to_donor": report.donors,
        "back_from_donor": report.returned,
        "stale_feed": report.stale,
        "last_import": report.last_import.map(|t| t.to_string()),
        "door_missing": report.door_missing,
        "failures": report.failures.iter().map(|(person, error)| json!({"person": person, "error": error})).collect::<Vec<_>>(),
        "summary": report.summary(&state.config.payments.door),
    }))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OutboxQuery {
    limit: Option<u32>,
}

async fn outbox(
    _: Admin,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<OutboxQuery>,
) -> ApiResult<Json<Value>> {
    let rows: Vec<Value> = state
        .store
        .outbox(query.limit.unwrap_or(100).min(1000))
        .await?
        .into_iter()
        .map(|row| {
            json!({
                "id": row.id,
                "person": row.person,
                "kind": row.kind,
                "status": row.status,
                "subject": row.subject,
                "created_at": row.created_at.to_string(),
                "sent_at": row.sent_at.map(|t| t.to_string()),
                "attempts": row.attempts,
                "last_error": row.last_error,
            })
        })
        .collect();
    Ok(Json(ok_body(rows)))
}
