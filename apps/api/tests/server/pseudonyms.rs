//! The admin ignore-list API on both backends.

use offimic_testkit::{TestDatabase, on_both_backends};
use serde_json::json;

use crate::harness::TestServer;

async fn the_ignore_list_corrects_counts_and_needs_an_admin(db: TestDatabase) {
    let server = TestServer::start(db, json!({})).await;
    let measure = server.token("agent", &["measure"]).await;
    let admin = server.token("operator", &["admin"]).await;
    let printer = "c".repeat(64);
    let slot = offimic_occupancy::slot_start(jiff::Timestamp::now()).to_string();
    let report = json!({"slot": slot, "status": "ok", "devices": [
        {"pseudonym": printer}, {"pseudonym": "d".repeat(64), "local": true}]});
    let stored = server
        .client
        .post(server.url("/api/v1/scans"))
        .bearer_auth(&measure)
        .json(&report)
        .send()
        .await
        .unwrap();
    assert_eq!(stored.status(), 201);

    let path = format!("/api/v1/occupancy/ignored/{printer}");
    let as_measure = server
        .client
        .put(server.url(&path))
        .bearer_auth(&measure)
        .json(&json!({"note": "printer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(as_measure.status(), 403);
    let anonymous = server
        .client
        .put(server.url(&path))
        .json(&json!({"note": "printer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        anonymous.status(),
        401,
        "loopback is trusted for counts, never for admin"
    );

    let ignored = server
        .client
        .put(server.url(&path))
        .bearer_auth(&admin)
        .json(&json!({"note": "printer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(ignored.status(), 200);
    let ignored: serde_json::Value = ignored.json().await.unwrap();
    assert_eq!(ignored["body"]["scans_adjusted"], 1);
    let (_, history) = server.get_json("/history").await;
    assert_eq!(history["body"][0]["count"], 1);

    let list: serde_json::Value = server
        .client
        .get(server.url("/api/v1/occupancy/ignored"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["body"][0]["pseudonym"], printer.as_str());
    assert_eq!(list["body"][0]["note"], "printer");
    let devices: serde_json::Value = server
        .client
        .get(server.url("/api/v1/occupancy/devices"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(devices["body"].as_array().unwrap().len(), 2);
    assert!(
        devices["body"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["ignored"] == true && d["pseudonym"] == printer.as_str())
    );
    assert!(
        devices["body"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["local"] == true)
    );

    let bad = server
        .client
        .put(server.url("/api/v1/occupancy/ignored/00:1b:63:12:34:56"))
        .bearer_auth(&admin)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);

    let removed = server
        .client
        .delete(server.url(&path))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 200);
    let again = server
        .client
        .delete(server.url(&path))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404);
    let (_, history) = server.get_json("/history").await;
    assert_eq!(history["body"][0]["count"], 2);
    server.stop().await;
}

on_both_backends!(the_ignore_list_corrects_counts_and_needs_an_admin);
