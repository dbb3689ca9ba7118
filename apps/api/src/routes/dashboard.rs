//! `GET /dashboard`: the public occupancy page — people now, today against a typical day, the
//! forecast band for the next days and the typical week as a weekday × hour heatmap — as SVG
//! drawn by the server, readable without JavaScript.

use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use jiff::{SignedDuration, Timestamp};
use minijinja::{Environment, context};
use offimic_analytics::forecast::forecast;
use offimic_analytics::people::people;
use offimic_analytics::typical::typical_week;
use offimic_charts::{Axis, BandPoint, Point, big_number, day_chart, forecast_chart, heatmap};

use crate::analysis::series;
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::now::now;
use crate::routes::insights::{SLOTS_PER_DAY, WEEKDAYS, ratio};

const PAGE: &str = include_str!("../../templates/web/dashboard.html");
/// Days of forecast shown.
const FORECAST_DAYS: usize = 3;
const DAY_MINUTES: f64 = 24.0 * 60.0;

pub fn routes() -> Router<AppState> {
    Router::new().route("/dashboard", get(dashboard))
}

fn hour_axis() -> Axis {
    Axis::new(
        (0..=24)
            .step_by(3)
            .map(|h| (f64::from(h) * 60.0, format!("{h:02}:00"))),
    )
}

async fn dashboard(State(state): State<AppState>) -> ApiResult<Html<String>> {
    let at = Timestamp::now();
    let tz = state.config.tz();
    let history = series(&state, at).await?;
    let week = typical_week(&history.slots, tz);
    let open_threshold = state
        .config
        .spaceapi
        .as_ref()
        .map_or(1, |c| c.open_threshold);
    let ratio = ratio(&state).await?;

    // Now.
    let current = now(&state, at, open_threshold).await?;
    let (label, value, unit_note) = match &ratio {
        Some(ratio) => (
            "people (estimated)",
            current.map(|c| people(f64::from(c.devices), ratio).people.round()),
            format!(
                "People are estimated from devices with a ratio of {:.2} devices per person, from {} head counts; the charts show devices.",
                ratio.ratio, ratio.samples
            ),
        ),
        None => (
            "devices present",
            current.map(|c| f64::from(c.devices)),
            "The charts count devices (phones, laptops); a person often brings more than one."
                .to_owned(),
        ),
    };
    let sub = match current {
        Some(c) => format!(
            "as of {}, {}",
            c.at.to_zoned(tz.clone()).strftime("%H:%M"),
            if c.open { "open" } else { "closed" }
        ),
        None => "no measurement in the last half hour".to_owned(),
    };
    let now_svg = big_number(label, value, &sub);

    // Today against the typical day of this weekday.
    let local = at.to_zoned(tz.clone());
    let midnight = local
        .start_of_day()
        .map_err(|e| ApiError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
        .timestamp();
    let minutes_since = |t: Timestamp| t.duration_since(midnight).as_secs_f64() / 60.0;
    let today: Vec<Point> = history
        .slots
        .iter()
        .filter(|(t, _)| *t >= midnight)
        .map(|(t, v)| Point {
            x: minutes_since(*t),
            y: *v,
        })
        .collect();
    let typical: Vec<BandPoint> = week
        .day(local.weekday())
        .into_iter()
        .enumerate()
        .filter_map(|(slot, band)| {
            band.map(|b| BandPoint {
                x: slot as f64 * 10.0,
                low: b.p10,
                mid: b.p50,
                high: b.p90,
            })
        })
        .collect();
    let today_svg = day_chart(
        "Devices present today",
        &today,
        &typical,
        &hour_axis(),
        DAY_MINUTES,
    );

    // The last day and the forecast.
    let start = at - SignedDuration::from_hours(24);
    let from_start = |t: Timestamp| t.duration_since(start).as_secs_f64() / 60.0;
    let recent: Vec<Point> = history
        .slots
        .iter()
        .filter(|(t, _)| *t >= start)
        .map(|(t, v)| Point {
            x: from_start(*t),
            y: *v,
        })
        .collect();
    let predicted: Vec<BandPoint> = forecast(&history.slots, tz, at, FORECAST_DAYS * SLOTS_PER_DAY)
        .into_iter()
        .filter(|p| p.samples > 0)
        .map(|p| BandPoint {
            x: from_start(p.at),
            low: p.p10,
            mid: p.p50,
            high: p.p90,
        })
        .collect();
    let day_labels = (0..=FORECAST_DAYS as i64 + 1).filter_map(|d| {
        let day = local.date().checked_add(jiff::Span::new().days(d)).ok()?;
        let noon = day.at(12, 0, 0, 0).to_zoned(tz.clone()).ok()?.timestamp();
        Some((from_start(noon), day.strftime("%a %-d").to_string()))
    });
    let x_max = DAY_MINUTES * (FORECAST_DAYS as f64 + 1.0);
    let forecast_svg = forecast_chart(
        "Devices: the last day and the forecast (p10–p90)",
        &recent,
        &predicted,
        &Axis::new(day_labels.filter(|(x, _)| (0.0..=x_max).contains(x))),
        x_max,
    );

    // The typical week.
    let rows: Vec<(String, Vec<Option<f64>>)> = WEEKDAYS
        .iter()
        .map(|(weekday, name)| {
            (
                (*name).to_owned(),
                (0..24).map(|h| week.hour(*weekday, h)).collect(),
            )
        })
        .collect();
    let columns: Vec<String> = (0..24).map(|h| format!("{h:02}")).collect();
    let week_svg = heatmap(
        "Typical devices present by weekday and hour",
        &rows,
        &columns,
    );

    let space = state
        .config
        .spaceapi
        .as_ref()
        .map_or(state.config.email.space_name.clone(), |s| s.space.clone());
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    let html = env
        .render_str(
            PAGE,
            context! {
                space, now_svg, today_svg, forecast_svg, week_svg, unit_note,
                weekday => local.strftime("%A").to_string(),
                forecast_days => FORECAST_DAYS,
                base => state.config.path.0.clone(),
            },
        )
        .map_err(|e| ApiError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(Html(html))
}
