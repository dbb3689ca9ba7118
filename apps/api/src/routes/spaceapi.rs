//! `GET /spaceapi.json`: the space's SpaceAPI v15 document. The fixed keys come from the
//! configuration; `state.open` and `sensors.people_now_present` from the latest occupancy
//! measurement; `sensors.temperature` from the Hive13 devices' readings in temperature units.
//! Readable from any web page (`Access-Control-Allow-Origin: *`).

use axum::Router;
use axum::extract::State;
use axum::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::Timestamp;
use serde_json::{Value, json};

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::now::now;

/// The temperature units SpaceAPI v15 accepts.
const TEMPERATURE_UNITS: [&str; 8] = ["°C", "°F", "K", "°De", "°N", "°R", "°Ré", "°Rø"];

pub fn routes() -> Router<AppState> {
    Router::new().route("/spaceapi.json", get(spaceapi))
}

async fn spaceapi(State(state): State<AppState>) -> ApiResult<Response> {
    let Some(config) = &state.config.spaceapi else {
        return Err(ApiError::not_found(
            "SpaceAPI is not configured (add a spaceapi section to api.json)",
        ));
    };
    let at = Timestamp::now();
    let mut document = json!({
        "api_compatibility": ["15"],
        "space": config.space,
        "logo": config.logo,
        "url": config.url,
        "contact": config.contact,
    });
    if let Some(location) = config.location.as_ref().filter(|l| !l.is_empty()) {
        document["location"] = Value::Object(location.clone());
    }
    let mut sensors = serde_json::Map::new();
    if let Some(now) = now(&state, at, config.open_threshold).await? {
        document["state"] = json!({"open": now.open, "lastchange": now.since.as_second()});
        let mut people = json!({
            "value": now.devices,
            "lastchange": now.at.as_second(),
            "description": "devices present on the space's network, infrastructure excluded",
        });
        if let Some(room) = &config.sensor_location {
            people["location"] = json!(room);
        }
        sensors.insert("people_now_present".into(), json!([people]));
    }
    let temperatures: Vec<Value> = state
        .store
        .latest_readings()
        .await?
        .into_iter()
        .filter_map(|reading| {
            let unit = reading
                .unit
                .filter(|u| TEMPERATURE_UNITS.contains(&u.as_str()))?;
            let value =
                reading.value as f64 * 10f64.powi(reading.scale.unwrap_or(0).clamp(-9, 9) as i32);
            Some(json!({
                "value": value,
                "unit": unit,
                "location": reading.display_name.unwrap_or(reading.name),
                "lastchange": reading.at.as_second(),
            }))
        })
        .collect();
    if !temperatures.is_empty() {
        sensors.insert("temperature".into(), Value::from(temperatures));
    }
    if !sensors.is_empty() {
        document["sensors"] = Value::Object(sensors);
    }
    for (key, value) in &config.more {
        document[key] = value.clone();
    }
    let body = serde_json::to_string(&document).unwrap_or_else(|_| "{}".into());
    Ok((
        [
            (CONTENT_TYPE, "application/json; charset=utf-8"),
            (ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        body,
    )
        .into_response())
}
