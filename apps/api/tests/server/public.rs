//! What the space publishes: the SpaceAPI v15 document, validated against the official schema
//! with a JSON Schema validator, and the Prometheus metrics.

use jiff::Timestamp;
use offimic_testkit::{TestDatabase, on_both_backends};
use serde_json::{Value, json};

use crate::harness::TestServer;

const SCHEMA: &str = include_str!("../data/spaceapi-15.json");

fn validate(document: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(SCHEMA).unwrap();
    let validator = jsonschema::draft7::new(&schema).expect("the v15 schema compiles");
    validator
        .iter_errors(document)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn spaceapi_config() -> Value {
    json!({"spaceapi": {
        "space": "Test Makerspace", "logo": "https://makers.example.org/logo.png",
        "url": "https://makers.example.org/", "contact": {"email": "hello@makers.example.org"},
        "location": {"address": "1 Test Street, Swindon", "lat": 51.56, "lon": -1.78, "timezone": "Europe/London"},
        "more": {"projects": ["https://makers.example.org/projects"]},
        "open_threshold": 2, "sensor_location": "Workshop"
    }})
}

async fn spaceapi_is_valid_v15_with_live_state_and_sensors(db: TestDatabase) {
    let server = TestServer::start(db, spaceapi_config()).await;
    server
        .import(json!({
            "things": [{"id": "TEMP-1", "name": "workshop_thermometer", "display_name": "Workshop", "unit": "°F", "scale": -1}],
            "devices": [{"name": "sensor1", "key": "AAAAAAAAAAAAAAAA", "things": ["workshop_thermometer"]}]
        }))
        .await;

    // Nothing measured yet: still a valid document, without state or people.
    let response = server.get("/spaceapi.json").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    assert_eq!(
        response.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    let empty: Value = response.json().await.unwrap();
    assert_eq!(validate(&empty), Vec::<String>::new(), "{empty}");
    assert!(empty.get("state").is_none());

    assert_eq!(server.get("/count/5").await.status(), 200);
    let device = server.store.hive_device("sensor1").await.unwrap().unwrap();
    server
        .store
        .record_reading(device.id, "TEMP-1", 684, Timestamp::now())
        .await
        .unwrap();

    let live: Value = server.get("/spaceapi.json").await.json().await.unwrap();
    assert_eq!(validate(&live), Vec::<String>::new(), "{live}");
    assert_eq!(live["api_compatibility"], json!(["15"]));
    assert_eq!(
        live["state"]["open"], true,
        "5 devices is above the threshold of 2"
    );
    let people = &live["sensors"]["people_now_present"][0];
    assert_eq!(
        (people["value"].clone(), people["location"].clone()),
        (json!(5), json!("Workshop"))
    );
    let temperature = &live["sensors"]["temperature"][0];
    assert_eq!(temperature["value"], 68.4);
    assert_eq!(temperature["unit"], "°F");
    assert_eq!(live["projects"][0], "https://makers.example.org/projects");

    // A document the schema refuses is refused by this validator too (it is not a no-op).
    let mut broken = live.clone();
    broken["state"]["open"] = Value::Null;
    assert!(!validate(&broken).is_empty());
    server.stop().await;
}

async fn spaceapi_is_absent_until_configured(db: TestDatabase) {
    let server = TestServer::start(db, json!({})).await;
    let (status, body) = server.get_json("/spaceapi.json").await;
    assert_eq!(status, 404);
    assert!(body["error"].as_str().unwrap().contains("spaceapi"));
    server.stop().await;
}

async fn metrics_count_requests_decisions_scans_and_occupancy(db: TestDatabase) {
    let server = TestServer::start(db, json!({})).await;
    assert_eq!(server.get("/count/3").await.status(), 200);
    let (_, _) = server
        .device_get("/verify?token=nobody&thing=nothing")
        .await;
    let response = server.get("/metrics").await;
    assert_eq!(response.status(), 200, "localhost is a trusted writer");
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let text = response.text().await.unwrap();
    assert!(
        text.contains(
            r#"offimic_http_requests_total{method="GET",route="/count/{value}",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"offimic_access_decisions_total{protocol="swindon",outcome="unknown_thing"} 1"#
        ) || text.contains(
            r#"offimic_access_decisions_total{protocol="swindon",outcome="unknown_token"} 1"#
        ),
        "{text}"
    );
    assert!(text.contains("offimic_occupancy_devices 3"), "{text}");
    assert!(text.contains("offimic_http_request_duration_seconds_bucket"));
    server.stop().await;
}

on_both_backends!(
    spaceapi_is_valid_v15_with_live_state_and_sensors,
    spaceapi_is_absent_until_configured,
    metrics_count_requests_decisions_scans_and_occupancy,
);
