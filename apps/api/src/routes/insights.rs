//! Occupancy analysis over HTTP: the forecast and the typical week (public, as the dashboard
//! shows them), manual head counts that calibrate devices per person, and the admin's analysis
//! of devices (regulars, occasional visitors, randomised addresses, event days, and
//! infrastructure to put on the ignore-list).

use std::collections::{HashMap, HashSet};

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use jiff::civil::Weekday;
use jiff::{SignedDuration, Timestamp};
use offimic_analytics::classify::{
    Sighting, classify, daily_first_seen, event_days, first_seen_band, infrastructure,
};
use offimic_analytics::forecast::forecast;
use offimic_analytics::people::{Calibration as Ratio, calibrate};
use offimic_analytics::typical::typical_week;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::analysis::series;
use crate::app::{ApiJson, ApiQuery, AppState};
use crate::auth::Admin;
use crate::error::{ApiError, ApiResult};
use crate::routes::ok_body;
use crate::timefmt::rfc3339;

/// Slots in a day.
pub const SLOTS_PER_DAY: usize = 144;
/// The longest forecast offered.
const MAX_DAYS: usize = 14;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/occupancy/forecast", get(get_forecast))
        .route("/api/v1/occupancy/typical-week", get(get_typical_week))
        .route(
            "/api/v1/occupancy/calibrations",
            get(list_calibrations).post(add_calibration),
        )
        .route("/api/v1/occupancy/analysis", get(get_analysis))
}

/// The devices-per-person ratio from every head count, when there is one.
pub async fn ratio(state: &AppState) -> ApiResult<Option<Ratio>> {
    let pairs: Vec<(f64, f64)> = state
        .store
        .calibrations()
        .await?
        .into_iter()
        .filter_map(|c| Some((f64::from(c.devices?), f64::from(c.people))))
        .collect();
    Ok(calibrate(&pairs))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ForecastQuery {
    days: Option<String>,
}

async fn get_forecast(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ForecastQuery>,
) -> ApiResult<Json<Value>> {
    let days = match query.days.as_deref() {
        None => 7,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|d| (1..=MAX_DAYS).contains(d))
            .ok_or_else(|| {
                ApiError::bad_request(format!("days must be a whole number from 1 to {MAX_DAYS}"))
            })?,
    };
    let now = Timestamp::now();
    let history = series(&state, now).await?;
    let tz = state.config.tz();
    let points: Vec<Value> = forecast(&history.slots, tz, now, days * SLOTS_PER_DAY)
        .into_iter()
        .map(|p| {
            json!({
                "at": rfc3339(p.at, tz),
                "p10": round1(p.p10),
                "p50": round1(p.p50),
                "p90": round1(p.p90),
                "samples": p.samples,
            })
        })
        .collect();
    Ok(Json(ok_body(json!({
        "unit": "devices",
        "slot_minutes": 10,
        "devices_per_person": ratio(&state).await?,
        "points": points,
    }))))
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

pub const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Monday, "Mon"),
    (Weekday::Tuesday, "Tue"),
    (Weekday::Wednesday, "Wed"),
    (Weekday::Thursday, "Thu"),
    (Weekday::Friday, "Fri"),
    (Weekday::Saturday, "Sat"),
    (Weekday::Sunday, "Sun"),
];

async fn get_typical_week(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let history = series(&state, Timestamp::now()).await?;
    let week = typical_week(&history.slots, state.config.tz());
    let mut body = serde_json::Map::new();
    for (weekday, name) in WEEKDAYS {
        let slots: Vec<Value> = week
            .day(weekday)
            .into_iter()
            .enumerate()
            .map(|(slot, band)| {
                let time = format!("{:02}:{:02}", slot / 6, slot % 6 * 10);
                match band {
                    Some(b) => json!({"time": time, "p10": round1(b.p10), "p50": round1(b.p50), "p90": round1(b.p90)}),
                    None => json!({"time": time, "p10": null, "p50": null, "p90": null}),
                }
            })
            .collect();
        body.insert(name.to_owned(), Value::from(slots));
    }
    let closures: Vec<String> = week.closure_days().iter().map(|d| d.to_string()).collect();
    Ok(Json(ok_body(
        json!({"unit": "devices", "days": body, "closure_days": closures}),
    )))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewCalibration {
    /// People counted.
    count: u32,
    /// When (default now).
    at: Option<Timestamp>,
}

async fn add_calibration(
    _: Admin,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<NewCalibration>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let now = Timestamp::now();
    let at = body.at.unwrap_or(now);
    if at > now + SignedDuration::from_mins(5) {
        return Err(ApiError::bad_request(
            "at: a head count cannot be in the future",
        ));
    }
    if body.count > state.config.max_count {
        return Err(ApiError::bad_request(format!(
            "count: {} is above max_count ({})",
            body.count, state.config.max_count
        )));
    }
    let history = series(&state, now).await?;
    let slot = offimic_occupancy::slot_start(at);
    let devices = history
        .slots
        .iter()
        .find(|(s, _)| *s == slot)
        .and_then(|(_, value)| *value)
        .map(|v| v.round() as u32);
    state
        .store
        .add_calibration(&offimic_store::Calibration {
            at,
            people: body.count,
            devices,
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ok_body(json!({
            "at": rfc3339(at, state.config.tz()),
            "people": body.count,
            "devices": devices,
            "devices_per_person": ratio(&state).await?,
        }))),
    ))
}

async fn list_calibrations(_: Admin, State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let tz = state.config.tz();
    let counts: Vec<Value> = state
        .store
        .calibrations()
        .await?
        .into_iter()
        .map(|c| json!({"at": rfc3339(c.at, tz), "people": c.people, "devices": c.devices}))
        .collect();
    Ok(Json(ok_body(json!({
        "counts": counts,
        "devices_per_person": ratio(&state).await?,
    }))))
}

/// The devices of the last 28 days, as the admin sees them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeviceAnalysis {
    pub regulars: usize,
    pub occasional: usize,
    pub other: usize,
    pub locally_administered: usize,
    pub event_days: Vec<String>,
    /// Pseudonyms present in nearly every slot, nights included: printers, access points.
    pub infrastructure_suggestions: Vec<String>,
}

/// Classifies the devices seen in the analysis series as of `now`.
pub async fn device_analysis(state: &AppState, now: Timestamp) -> ApiResult<DeviceAnalysis> {
    let tz = state.config.tz();
    let history = series(state, now).await?;
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let mut local: HashSet<u32> = HashSet::new();
    let sightings: Vec<Sighting> = history
        .sightings
        .iter()
        .map(|s| {
            let next = ids.len() as u32;
            let device = *ids.entry(s.pseudonym.as_str()).or_insert(next);
            if s.local {
                local.insert(device);
            }
            Sighting {
                device,
                slot: s.slot,
            }
        })
        .collect();
    let names: HashMap<u32, &str> = ids.iter().map(|(name, id)| (*id, *name)).collect();
    let classes = classify(&sightings, now, tz, &|d| local.contains(&d));
    let ok_slots: Vec<Timestamp> = history
        .slots
        .iter()
        .filter(|(_, v)| v.is_some())
        .map(|(at, _)| *at)
        .collect();
    let infrastructure_suggestions = infrastructure(&sightings, &ok_slots, now, tz)
        .into_iter()
        .filter_map(|d| names.get(&d).map(|name| (*name).to_owned()))
        .collect();
    let first_seen = daily_first_seen(&sightings, tz);
    let event_days = event_days(&first_seen, &|day| {
        // A p90 alone is exceeded one ordinary day in ten; an event stands out further.
        first_seen_band(&first_seen, day).map(|band| band.p90 + (band.p90 - band.p50))
    })
    .into_iter()
    .map(|d| d.to_string())
    .collect();
    Ok(DeviceAnalysis {
        regulars: classes.regulars,
        occasional: classes.occasional,
        other: classes.other,
        locally_administered: classes.local,
        event_days,
        infrastructure_suggestions,
    })
}

async fn get_analysis(_: Admin, State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let analysis = device_analysis(&state, Timestamp::now()).await?;
    let mut body = serde_json::to_value(&analysis).unwrap_or_else(|_| json!({}));
    body["window_days"] = json!(offimic_analytics::classify::WINDOW_DAYS);
    body["devices_per_person"] = json!(ratio(&state).await?);
    Ok(Json(ok_body(body)))
}
