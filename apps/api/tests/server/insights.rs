//! Occupancy analysis over HTTP and the public dashboard: the forecast's guarantees, the typical
//! week, head-count calibration, the admin's device analysis, and the dashboard with no data,
//! one day of data and a year of data — each page also photographed in headless Chromium for a
//! person to look at (`target/screenshots/`).

use jiff::{SignedDuration, Timestamp};
use offimic_testkit::{TestDatabase, on_both_backends};
use serde_json::{Value, json};

use crate::chromium::{browser, snap};
use crate::harness::TestServer;

/// The devices present at `at` in a made-up space: busy weekday evenings, quiet nights.
fn busy(at: Timestamp) -> u32 {
    let hour = at.to_zoned(jiff::tz::TimeZone::UTC).hour();
    match hour {
        0..=7 => 0,
        8..=16 => 4 + (at.as_second() / 600 % 3) as u32,
        17..=21 => 12 + (at.as_second() / 600 % 5) as u32,
        _ => 2,
    }
}

/// Records a count every `step` from `from` to now.
async fn record(server: &TestServer, from: Timestamp, step: SignedDuration) {
    let mut at = offimic_occupancy::slot_start(from);
    let now = Timestamp::now();
    while at <= now {
        server.store.record_count(at, busy(at)).await.unwrap();
        at += step;
    }
}

/// Photographs `path` of the running server in headless Chromium into `target/screenshots`.
async fn screenshot(server: &TestServer, path: &str, name: &str) {
    let browser = browser().await;
    browser.client.goto(&server.url(path)).await.unwrap();
    snap(&browser.client, name).await;
    browser.client.close().await.unwrap();
}

async fn dashboard(server: &TestServer) -> String {
    let response = server.get("/dashboard").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = response.text().await.unwrap();
    assert!(!page.contains("<script"), "readable without JavaScript");
    assert_eq!(
        page.matches("<svg").count(),
        4,
        "now, today, forecast, week"
    );
    page
}

async fn forecast(server: &TestServer, days: u32) -> Vec<Value> {
    let (status, body) = server
        .get_json(&format!("/api/v1/occupancy/forecast?days={days}"))
        .await;
    assert_eq!(status, 200, "{body}");
    body["body"]["points"].as_array().unwrap().clone()
}

async fn the_dashboard_with_no_data(db: TestDatabase) {
    let server = TestServer::start(db, json!({})).await;
    let page = dashboard(&server).await;
    assert!(page.contains("No data yet"));
    assert!(page.contains("no measurement in the last half hour"));
    let points = forecast(&server, 1).await;
    assert_eq!(points.len(), 144);
    assert!(
        points.iter().all(|p| p["p90"] == 0.0),
        "nothing known: zero, never negative"
    );
    let (status, error) = server.get_json("/api/v1/occupancy/forecast?days=0").await;
    assert_eq!(status, 400);
    assert!(error["error"].as_str().unwrap().contains("days"));
    screenshot(&server, "/dashboard", "dashboard-no-data").await;
    server.stop().await;
}

async fn the_dashboard_with_one_day_of_data(db: TestDatabase) {
    let server = TestServer::start(db, json!({"spaceapi": {
        "space": "Test Makerspace", "logo": "https://x.example/l.png", "url": "https://x.example/"}})).await;
    record(
        &server,
        Timestamp::now() - SignedDuration::from_hours(24),
        SignedDuration::from_mins(10),
    )
    .await;
    let page = dashboard(&server).await;
    assert!(page.contains("Who is in at Test Makerspace"));
    assert!(!page.contains("no measurement in the last half hour"));

    let points = forecast(&server, 7).await;
    assert_eq!(points.len(), 7 * 144);
    for p in &points {
        let (p10, p50, p90) = (
            p["p10"].as_f64().unwrap(),
            p["p50"].as_f64().unwrap(),
            p["p90"].as_f64().unwrap(),
        );
        assert!(0.0 <= p10 && p10 <= p50 && p50 <= p90, "{p}");
    }
    assert!(
        points.iter().any(|p| p["p50"].as_f64().unwrap() >= 10.0),
        "evenings are busy"
    );
    let (_, week) = server.get_json("/api/v1/occupancy/typical-week").await;
    assert_eq!(week["body"]["days"]["Mon"].as_array().unwrap().len(), 144);

    // A head count calibrates devices per person.
    let admin = server.token("staff", &["admin"]).await;
    // The last 18:00 UTC, a busy evening slot whatever the time of day the test runs.
    let now = Timestamp::now();
    let evening =
        now - SignedDuration::from_hours(
            (i64::from(now.to_zoned(jiff::tz::TimeZone::UTC).hour()) + 6) % 24,
        ) - SignedDuration::from_secs(now.as_second() % 3600);
    let latest = offimic_occupancy::slot_start(evening);
    let devices = busy(latest);
    assert!(devices >= 12);
    let response = server
        .client
        .post(server.url("/api/v1/occupancy/calibrations"))
        .bearer_auth(&admin)
        .json(&json!({"count": 2, "at": latest.to_string()}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["body"]["devices"], devices);
    assert_eq!(
        body["body"]["devices_per_person"]["ratio"],
        f64::from(devices) / 2.0
    );
    let refused = server
        .client
        .post(server.url("/api/v1/occupancy/calibrations"))
        .json(&json!({"count": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let analysis: Value = server
        .client
        .get(server.url("/api/v1/occupancy/analysis"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(analysis["body"]["window_days"], 28, "{analysis}");
    assert!(dashboard(&server).await.contains("people (estimated)"));
    screenshot(&server, "/dashboard", "dashboard-one-day").await;
    server.stop().await;
}

async fn the_dashboard_with_a_year_of_data(db: TestDatabase) {
    let server = TestServer::start(db, json!({})).await;
    let now = Timestamp::now();
    // Hourly for the year, every ten minutes for the eight weeks the analysis reads.
    let eight_weeks = now - SignedDuration::from_hours(24 * 56);
    let year_ago = now - SignedDuration::from_hours(24 * 365);
    let on_the_hour = year_ago - SignedDuration::from_secs(year_ago.as_second() % 3600);
    record(&server, on_the_hour, SignedDuration::from_hours(1)).await;
    let mut at = offimic_occupancy::slot_start(eight_weeks);
    while at <= now {
        if at.as_second() % 3600 != 0 {
            server.store.record_count(at, busy(at)).await.unwrap();
        }
        at += SignedDuration::from_mins(10);
    }
    let page = dashboard(&server).await;
    assert!(!page.contains("No data yet"));
    let points = forecast(&server, 2).await;
    let evening = points
        .iter()
        .find(|p| p["at"].as_str().unwrap().contains("T19:00"))
        .unwrap();
    assert!(evening["p50"].as_f64().unwrap() >= 12.0, "{evening}");
    let night = points
        .iter()
        .find(|p| p["at"].as_str().unwrap().contains("T03:00"))
        .unwrap();
    assert_eq!(night["p90"], 0.0, "{night}");
    screenshot(&server, "/dashboard", "dashboard-a-year").await;
    server.stop().await;
}

on_both_backends!(
    the_dashboard_with_no_data,
    the_dashboard_with_one_day_of_data
);

/// A year of rows is written one by one; SQLite takes seconds where PostgreSQL's round trips
/// would take a minute, and the page reads the same eight weeks either way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_year_of_data_on_sqlite() {
    the_dashboard_with_a_year_of_data(TestDatabase::sqlite()).await
}
