//! `/count`, `/history` and `/api/v1/scans` on both backends.

use offimic_testkit::{TestDatabase, on_both_backends};
use serde_json::json;

use crate::harness::TestServer;

fn paris() -> serde_json::Value {
    json!({"timezone": "Europe/Paris"})
}

async fn history_counts(server: &TestServer) -> Vec<serde_json::Value> {
    let (status, body) = server.get_json("/history").await;
    assert_eq!(status, 200);
    body["body"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["count"].clone())
        .collect()
}

async fn count_records_and_answers_json_or_text(db: TestDatabase) {
    let server = TestServer::start(db, paris()).await;
    let (status, body) = server.get_json("/count/5").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["body"]["count"], 5);
    let scan_time = body["body"]["scan_time"].as_str().unwrap();
    let parsed: jiff::Timestamp = scan_time.parse().unwrap();
    assert!((jiff::Timestamp::now() - parsed).get_seconds().abs() < 60);
    assert!(
        scan_time.ends_with("+01:00") || scan_time.ends_with("+02:00"),
        "{scan_time}"
    );
    assert_eq!(body.as_object().unwrap().keys().next().unwrap(), "status");

    let text = server
        .client
        .get(server.url("/count/7"))
        .header("Accept", "text/plain")
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), 200);
    assert_eq!(text.text().await.unwrap(), "OK");
    assert_eq!(history_counts(&server).await, [json!(5), json!(7)]);
    server.stop().await;
}

async fn invalid_counts_are_refused_and_not_stored(db: TestDatabase) {
    let server = TestServer::start(db, json!({"max_count": 50})).await;
    for bad in ["abc", "-1", "1.5", "51", "99999999999999999999", "%20"] {
        let (status, body) = server.get_json(&format!("/count/{bad}")).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(body["status"], "error");
        assert!(body["error"].as_str().unwrap().contains("count"), "{body}");
    }
    let text = server
        .client
        .get(server.url("/count/x"))
        .header("Accept", "text/plain")
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), 400);
    assert_eq!(text.text().await.unwrap(), "ERROR");
    assert_eq!(server.get_json("/count/50").await.0, 200);
    assert_eq!(history_counts(&server).await, [json!(50)]);
    server.stop().await;
}

async fn writes_need_a_token_outside_trusted_networks(db: TestDatabase) {
    let server = TestServer::start(db, json!({"trusted_writers": []})).await;
    let (status, body) = server.get_json("/count/3").await;
    assert_eq!(status, 401);
    assert!(body["error"].as_str().unwrap().contains("measure"));
    let wrong = server
        .client
        .get(server.url("/count/3"))
        .bearer_auth("om_wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let malformed = server
        .client
        .get(server.url("/count/3"))
        .header("Authorization", "Basic eA==")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 401);
    let text = server
        .client
        .get(server.url("/count/3"))
        .header("Accept", "text/plain")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (text.status().as_u16(), text.text().await.unwrap()),
        (401, "ERROR".into())
    );
    assert!(
        history_counts(&server).await.is_empty(),
        "nothing stored without credentials"
    );

    let measure = server.token("agent", &["measure"]).await;
    let admin = server.token("treasurer", &["admin"]).await;
    let by_header = server
        .client
        .get(server.url("/count/3"))
        .bearer_auth(&measure)
        .send()
        .await
        .unwrap();
    assert_eq!(by_header.status(), 200);
    assert_eq!(
        server
            .get_json(&format!("/count/4?token={measure}"))
            .await
            .0,
        200
    );
    let by_admin = server
        .client
        .get(server.url("/count/5"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(by_admin.status(), 200);
    let scan = server
        .client
        .post(server.url("/api/v1/scans"))
        .json(&json!({"slot": "2026-11-27T10:00:00Z", "status": "ok"}))
        .send()
        .await
        .unwrap();
    assert_eq!(scan.status(), 401);
    assert_eq!(
        history_counts(&server).await,
        [json!(3), json!(4), json!(5)]
    );
    server.stop().await;
}

async fn forwarded_addresses_count_only_from_trusted_proxies(db: TestDatabase) {
    let direct = TestServer::start(db, json!({})).await;
    let forged = direct
        .client
        .get(direct.url("/count/1"))
        .header("X-Forwarded-For", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(
        forged.status(),
        200,
        "the header is ignored: the caller is loopback"
    );
    direct.stop().await;
    let behind_proxy = TestServer::start(
        TestDatabase::sqlite(),
        json!({"trusted_proxies": ["127.0.0.1/32"]}),
    )
    .await;
    let outside = behind_proxy
        .client
        .get(behind_proxy.url("/count/1"))
        .header("X-Forwarded-For", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(
        outside.status(),
        401,
        "the proxy says the caller is outside"
    );
    let nul = behind_proxy.get("/api/v1/things/a%00b/allowlist").await;
    assert_eq!(nul.status(), 400);
    let who = behind_proxy.get("/who?token=04a1b2c3").await;
    assert_eq!(
        who.status(),
        403,
        "names are only for the space's controllers"
    );
    behind_proxy.stop().await;
}

async fn seed_history(server: &TestServer) {
    let token = server.token("agent", &["measure"]).await;
    for (slot, devices, status) in [
        ("2026-11-26T08:00:00Z", 1, "ok"),
        ("2026-11-27T08:00:00Z", 2, "ok"),
        ("2026-11-27T08:10:00Z", 0, "failed"),
        ("2026-11-27T08:20:00Z", 4, "ok"),
        ("2026-11-27T09:00:00Z", 3, "ok"),
    ] {
        let devices: Vec<_> = (0..devices)
            .map(|i| json!({"pseudonym": format!("{i:064x}")}))
            .collect();
        let mut report = json!({"slot": slot, "status": status, "devices": devices});
        if status == "failed" {
            report["reason"] = "arp-scan exited with status 1".into();
        }
        let response = server
            .client
            .post(server.url("/api/v1/scans"))
            .bearer_auth(&token)
            .json(&report)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    }
}

async fn history_in_json_and_csv_with_ranges_and_buckets(db: TestDatabase) {
    let server = TestServer::start(db, json!({"timezone": "Europe/Paris"})).await;
    assert_eq!(
        server.get_json("/history").await.1,
        json!({"status": "ok", "body": []})
    );
    assert_eq!(
        server.get("/history.csv").await.text().await.unwrap(),
        "scan_time,count\n"
    );
    seed_history(&server).await;

    let (_, body) = server.get_json("/history").await;
    let rows = body["body"].as_array().unwrap();
    assert_eq!(rows.len(), 5);
    assert_eq!(
        rows[0],
        json!({"scan_time": "2026-11-26T09:00:00+01:00", "count": 1})
    );
    assert_eq!(
        rows[2]["count"],
        serde_json::Value::Null,
        "a failed scan is a gap, not a zero"
    );

    let csv = "scan_time,count\n2026-11-26T09:00:00+01:00,1\n2026-11-27T09:00:00+01:00,2\n\
               2026-11-27T09:10:00+01:00,\n2026-11-27T09:20:00+01:00,4\n2026-11-27T10:00:00+01:00,3\n";
    let by_accept = server
        .client
        .get(server.url("/history"))
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert!(
        by_accept.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert_eq!(by_accept.text().await.unwrap(), csv);
    assert_eq!(
        server
            .get("/history?format=csv")
            .await
            .text()
            .await
            .unwrap(),
        csv
    );
    assert_eq!(server.get("/history.csv").await.text().await.unwrap(), csv);

    let (_, day) = server
        .get_json("/history?from=2026-11-27&to=2026-11-27")
        .await;
    assert_eq!(day["body"].as_array().unwrap().len(), 4);
    let (_, window) = server
        .get_json("/history?from=2026-11-27T09:10:00%2B01:00&to=2026-11-27T10:00:00%2B01:00")
        .await;
    assert_eq!(window["body"].as_array().unwrap().len(), 2);
    let (_, limited) = server.get_json("/history?limit=2").await;
    assert_eq!(limited["body"].as_array().unwrap().len(), 2);

    let (_, hourly) = server.get_json("/history?bucket=1h&from=2026-11-27").await;
    assert_eq!(
        hourly["body"],
        json!([
            {"scan_time": "2026-11-27T09:00:00+01:00", "mean": 3, "max": 4, "samples": 2, "failed": 1},
            {"scan_time": "2026-11-27T10:00:00+01:00", "mean": 3, "max": 3, "samples": 1, "failed": 0}
        ])
    );
    let daily = server
        .get("/history.csv?bucket=1d&limit=1")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        daily,
        "scan_time,mean,max,samples,failed\n2026-11-26T00:00:00+01:00,1,1,1,0\n"
    );

    for bad in [
        "/history?from=yesterday",
        "/history?bucket=2h",
        "/history?limit=-1",
        "/history?format=xml",
        "/history?from=2026-11-28&to=2026-11-01",
        "/history?colour=red",
    ] {
        let (status, body) = server.get_json(bad).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(body["status"], "error", "{bad}");
    }
    server.stop().await;
}

async fn scan_uploads_are_idempotent_and_validated(db: TestDatabase) {
    let server = TestServer::start(db, json!({})).await;
    let token = server.token("front-desk", &["measure"]).await;
    let now = jiff::Timestamp::now();
    let slot = offimic_occupancy::slot_start(now).to_string();
    let devices =
        json!([{"pseudonym": "a".repeat(64), "local": true}, {"pseudonym": "b".repeat(64)}]);
    let report = json!({"slot": slot, "status": "ok", "devices": devices});
    let post = |body: serde_json::Value| {
        server
            .client
            .post(server.url("/api/v1/scans"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };

    let first = post(report.clone()).await.unwrap();
    assert_eq!(first.status(), 201);
    let first: serde_json::Value = first.json().await.unwrap();
    assert_eq!(first["body"]["count"], 2);
    assert_eq!(first["body"]["agent"], "front-desk");
    assert_eq!(first["body"]["duplicate"], false);

    let retry = post(report).await.unwrap();
    assert_eq!(retry.status(), 200);
    let retry: serde_json::Value = retry.json().await.unwrap();
    assert_eq!(
        (
            retry["body"]["count"].clone(),
            retry["body"]["duplicate"].clone()
        ),
        (json!(2), json!(true))
    );
    assert_eq!(
        history_counts(&server).await,
        [json!(2)],
        "a retried upload never counts twice"
    );

    let bad_reports = [
        json!({"slot": "2026-11-27T10:01:00Z", "status": "ok"}),
        json!({"slot": slot, "status": "failed"}),
        json!({"slot": slot, "status": "ok", "devices": [{"pseudonym": "00:1b:63:12:34:56"}]}),
        json!({"slot": slot, "status": "ok", "macs": ["00:1b:63:12:34:56"]}),
        json!({"slot": slot, "status": "maybe"}),
        json!({"status": "ok"}),
    ];
    for bad in bad_reports {
        let response = post(bad.clone()).await.unwrap();
        assert_eq!(response.status(), 400, "{bad}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["status"], "error");
    }
    let not_json = server
        .client
        .post(server.url("/api/v1/scans"))
        .bearer_auth(&token)
        .header("Content-Type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    assert_eq!(
        history_counts(&server).await,
        [json!(2)],
        "nothing stored from bad reports"
    );
    server.stop().await;
}

async fn health_and_the_url_prefix(db: TestDatabase) {
    let server = TestServer::start(db, json!({"path": "/space/offimic/"})).await;
    assert!(server.base.ends_with("/space/offimic"));
    assert_eq!(
        server.get_json("/healthz").await,
        (200, json!({"status": "ok"}))
    );
    assert_eq!(server.get_json("/count/2").await.0, 200);
    let root = server.base.trim_end_matches("/space/offimic").to_owned();
    let outside = server
        .client
        .get(format!("{root}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(outside.status(), 404);
    let (status, body) = server.get_json("/no/such/route").await;
    assert_eq!((status, body["status"].as_str()), (404, Some("error")));
    let wrong_method = server
        .client
        .delete(server.url("/history"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_method.status(), 405);
    server.stop().await;
}

on_both_backends!(
    forwarded_addresses_count_only_from_trusted_proxies,
    count_records_and_answers_json_or_text,
    invalid_counts_are_refused_and_not_stored,
    writes_need_a_token_outside_trusted_networks,
    history_in_json_and_csv_with_ranges_and_buckets,
    scan_uploads_are_idempotent_and_validated,
    health_and_the_url_prefix,
);
