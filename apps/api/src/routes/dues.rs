//! `GET /get_dues`: the registration form's live preview of what a newcomer would pay, as plain
//! text pounds in Perl's formatting (`30`, `12.5`), as Swindon's page expects.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use jiff::Timestamp;
use offimic_dues::{Member, TierPrice, pounds};
use serde::Deserialize;

use crate::app::{ApiQuery, AppState};
use crate::error::ApiResult;

/// The tier the registration form starts on.
const DEFAULT_TIER: i64 = 3;

pub fn routes() -> Router<AppState> {
    Router::new().route("/get_dues", get(get_dues))
}

#[derive(Deserialize)]
struct DuesQuery {
    dob: Option<String>,
    concessionary_rate_override: Option<String>,
    tier: Option<String>,
}

async fn get_dues(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<DuesQuery>,
) -> ApiResult<String> {
    let tier_id = query
        .tier
        .as_deref()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(DEFAULT_TIER);
    let tier =
        state
            .store
            .tier_price(tier_id)
            .await?
            .map(|(price_p, concessions_allowed, donor)| TierPrice {
                price_p: price_p as f64,
                concessions_allowed,
                donor,
            });
    let member = Member {
        tier,
        concession: query.concessionary_rate_override.as_deref().unwrap_or(""),
        dob: query.dob.as_deref().filter(|d| !d.is_empty()),
        ..Default::default()
    };
    Ok(pounds(member.dues(Timestamp::now())))
}
