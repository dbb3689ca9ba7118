//! The admin JSON API, the allow-list and the OpenAPI description, on both backends.

use offimic_testkit::{TestDatabase, on_both_backends};
use serde_json::{Value, json};

use crate::harness::TestServer;

struct Admin<'a> {
    server: &'a TestServer,
    token: String,
}

impl Admin<'_> {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .server
            .client
            .request(method, self.server.url(path))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::GET, path, None).await
    }
}

async fn setup(db: TestDatabase) -> (TestServer, String) {
    let server = TestServer::start(db, json!({})).await;
    let token = server.token("operator", &["admin"]).await;
    (server, token)
}

async fn people_things_groups_and_inductions_round_trip(db: TestDatabase) {
    let (server, token) = setup(db).await;
    let admin = Admin {
        server: &server,
        token,
    };
    use reqwest::Method;
    assert_eq!(
        admin
            .call(
                Method::PUT,
                "/api/v1/things/DOOR-1",
                Some(json!({"name": "Front door", "assigned_ip": "127.0.0.1"}))
            )
            .await
            .0,
        200
    );
    let (status, laser) = admin
        .call(
            Method::POST,
            "/api/v1/things",
            Some(json!({"name": "Laser", "requires": ["Front door"]})),
        )
        .await;
    assert_eq!(status, 201);
    let laser_id = laser["body"]["id"].as_str().unwrap().to_owned();
    assert_eq!(laser_id.len(), 36);
    assert_eq!(laser["body"]["requires"], json!(["DOOR-1"]));
    assert_eq!(
        admin
            .call(
                Method::POST,
                "/api/v1/things",
                Some(json!({"name": "Laser"}))
            )
            .await
            .0,
        409
    );

    let (status, error) = admin
        .call(
            Method::POST,
            "/api/v1/people",
            Some(json!({"name": "Ada", "tier": 42})),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(error["error"], "tier: no tier with id 42");
    let (status, error) = admin
        .call(
            Method::POST,
            "/api/v1/people",
            Some(json!({"name": "Ada", "dob": "1990-13"})),
        )
        .await;
    assert_eq!(
        (status, error["error"].as_str().unwrap()),
        (400, "dob: \"1990-13\" is not YYYY-MM")
    );
    let (status, error) = admin
        .call(
            Method::POST,
            "/api/v1/people",
            Some(json!({"name": "Ada", "colour": "red"})),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("unknown field `colour`")
    );

    let now = jiff::Timestamp::now();
    let payments = json!([{"paid_on": (now - jiff::SignedDuration::from_hours(24)).to_string(),
                            "expires_on": (now + jiff::SignedDuration::from_hours(24 * 30)).to_string(), "amount_p": 2500}]);
    let (status, ada) = admin
        .call(
            Method::POST,
            "/api/v1/people",
            Some(json!({"name": "Ada", "email": "ada@example.org", "payments": payments})),
        )
        .await;
    assert_eq!(status, 201, "{ada}");
    let ada_id = ada["body"]["id"].as_i64().unwrap();
    assert_eq!(
        admin
            .call(
                Method::POST,
                &format!("/api/v1/people/{ada_id}/tokens"),
                Some(json!({"id": "04a1b2c3", "type": "Card"}))
            )
            .await
            .0,
        201
    );
    assert_eq!(
        admin
            .call(
                Method::POST,
                &format!("/api/v1/people/{ada_id}/tokens"),
                Some(json!({"id": "04a1b2c3"}))
            )
            .await
            .0,
        409
    );
    assert_eq!(
        admin
            .call(
                Method::POST,
                "/api/v1/people/999/tokens",
                Some(json!({"id": "x"}))
            )
            .await
            .0,
        404
    );

    assert_eq!(
        admin
            .call(
                Method::PUT,
                "/api/v1/groups/members",
                Some(json!({"things": ["Front door"]}))
            )
            .await
            .0,
        200
    );
    let (status, _) = admin
        .call(
            Method::PUT,
            &format!("/api/v1/people/{ada_id}"),
            Some(json!({"name": "Ada Lovelace", "groups": ["members"]})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, groups) = admin.get("/api/v1/groups").await;
    assert_eq!(
        groups["body"],
        json!([{"name": "members", "things": ["DOOR-1"], "members": [ada_id]}])
    );
    let (_, person) = admin.get(&format!("/api/v1/people/{ada_id}")).await;
    assert_eq!(person["body"]["name"], "Ada Lovelace");
    assert_eq!(
        person["body"]["tokens"][0]["id"], "04a1b2c3",
        "tokens are kept by an update"
    );

    let (status, _) = admin
        .call(
            Method::PUT,
            "/api/v1/inductions",
            Some(json!({"person": ada_id, "thing": "Laser", "inductor": true})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        admin
            .call(
                Method::PUT,
                "/api/v1/inductions",
                Some(json!({"person": ada_id, "thing": "Nope"}))
            )
            .await
            .0,
        400
    );
    let (_, inductions) = admin
        .get(&format!("/api/v1/inductions?person={ada_id}"))
        .await;
    assert_eq!(inductions["body"][0]["thing"], laser_id.as_str());

    // The same decision rule as /verify, as a list.
    let (status, list) = admin.get("/api/v1/things/DOOR-1/allowlist").await;
    assert_eq!(status, 200);
    assert_eq!(
        list["body"]["tokens"][0]["token"], "04a1b2c3",
        "granted through the group"
    );
    let (_, laser_list) = admin
        .get(&format!("/api/v1/things/{laser_id}/allowlist"))
        .await;
    assert_eq!(laser_list["body"]["tokens"][0]["inductor"], true);

    assert_eq!(
        admin
            .call(
                Method::DELETE,
                &format!("/api/v1/groups/members/members/{ada_id}"),
                None
            )
            .await
            .0,
        200
    );
    let (_, list) = admin.get("/api/v1/things/DOOR-1/allowlist").await;
    assert_eq!(
        list["body"]["tokens"],
        json!([]),
        "no group, no induction: not on the list"
    );
    assert_eq!(
        admin
            .call(
                Method::DELETE,
                &format!("/api/v1/inductions/{ada_id}/{laser_id}"),
                None
            )
            .await
            .0,
        200
    );
    assert_eq!(
        admin
            .call(
                Method::DELETE,
                &format!("/api/v1/people/{ada_id}/tokens/04a1b2c3"),
                None
            )
            .await
            .0,
        200
    );
    assert_eq!(
        admin
            .call(Method::DELETE, &format!("/api/v1/people/{ada_id}"), None)
            .await
            .0,
        200
    );
    assert_eq!(
        admin
            .call(Method::DELETE, &format!("/api/v1/people/{ada_id}"), None)
            .await
            .0,
        404
    );
    assert_eq!(
        admin
            .call(Method::DELETE, &format!("/api/v1/things/{laser_id}"), None)
            .await
            .0,
        200
    );
    assert_eq!(admin.get("/api/v1/things/nope").await.0, 404);
    server.stop().await;
}

async fn device_keys_are_shown_once(db: TestDatabase) {
    let (server, token) = setup(db).await;
    let admin = Admin {
        server: &server,
        token,
    };
    use reqwest::Method;
    admin
        .call(
            Method::PUT,
            "/api/v1/things/SODA",
            Some(json!({"name": "soda_machine"})),
        )
        .await;
    let (status, made) = admin
        .call(
            Method::POST,
            "/api/v1/devices",
            Some(json!({"name": "soda1", "things": ["soda_machine"]})),
        )
        .await;
    assert_eq!(status, 201);
    let key = made["body"]["key_hex"].as_str().unwrap().to_owned();
    assert_eq!(key.len(), 32);
    let (_, listed) = admin.get("/api/v1/devices").await;
    assert_eq!(
        listed["body"],
        json!([{"name": "soda1", "min_version": 1, "max_version": 2, "things": ["SODA"]}])
    );
    assert!(!listed.to_string().contains(&key));
    let (_, rotated) = admin
        .call(Method::POST, "/api/v1/devices/soda1/key", None)
        .await;
    assert_ne!(rotated["body"]["key_hex"].as_str().unwrap(), key);
    let (status, _) = admin
        .call(
            Method::PUT,
            "/api/v1/devices/soda1",
            Some(json!({"min_version": 2, "max_version": 2})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        admin.get("/api/v1/devices/soda1").await.1["body"]["min_version"],
        2
    );
    assert_eq!(
        admin
            .call(
                Method::PUT,
                "/api/v1/devices/soda1",
                Some(json!({"min_version": 3}))
            )
            .await
            .0,
        400
    );
    assert_eq!(
        admin
            .call(
                Method::POST,
                "/api/v1/devices",
                Some(json!({"name": "soda1"}))
            )
            .await
            .0,
        409
    );
    assert_eq!(
        admin
            .call(Method::DELETE, "/api/v1/devices/soda1", None)
            .await
            .0,
        200
    );
    assert_eq!(
        admin
            .call(Method::POST, "/api/v1/devices/soda1/key", None)
            .await
            .0,
        404
    );
    server.stop().await;
}

async fn admin_routes_need_an_admin_and_allowlists_a_device(db: TestDatabase) {
    let server = TestServer::start(db, json!({})).await;
    server.import(json!({"things": [{"id": "PINNED", "name": "Door", "assigned_ip": "127.0.0.1"},
                                     {"id": "ELSEWHERE", "name": "Lathe", "assigned_ip": "10.0.0.9"}]})).await;
    let measure = server.token("agent", &["measure"]).await;
    let device = server.token("door-controller", &["device"]).await;
    for path in [
        "/api/v1/people",
        "/api/v1/things",
        "/api/v1/groups",
        "/api/v1/inductions",
        "/api/v1/devices",
    ] {
        assert_eq!(server.get(path).await.status(), 401, "{path}");
        let as_agent = server
            .client
            .get(server.url(path))
            .bearer_auth(&measure)
            .send()
            .await
            .unwrap();
        assert_eq!(as_agent.status(), 403, "{path}");
    }
    assert_eq!(
        server.get("/api/v1/things/PINNED/allowlist").await.status(),
        200,
        "the thing's own address"
    );
    assert_eq!(
        server
            .get("/api/v1/things/ELSEWHERE/allowlist")
            .await
            .status(),
        401
    );
    let by_device = server
        .client
        .get(server.url("/api/v1/things/ELSEWHERE/allowlist"))
        .bearer_auth(&device)
        .send()
        .await
        .unwrap();
    assert_eq!(by_device.status(), 200);
    let etag = by_device.headers()["etag"].to_str().unwrap().to_owned();
    let again = server
        .client
        .get(server.url("/api/v1/things/ELSEWHERE/allowlist"))
        .bearer_auth(&device)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304, "an unchanged list is not sent again");
    let by_agent = server
        .client
        .get(server.url("/api/v1/things/ELSEWHERE/allowlist"))
        .bearer_auth(&measure)
        .send()
        .await
        .unwrap();
    assert_eq!(by_agent.status(), 403);
    assert_eq!(
        server.get("/api/v1/things/NOPE/allowlist").await.status(),
        404
    );

    let (status, openapi) = server.get_json("/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    assert_eq!(openapi["openapi"], "3.1.0");
    for path in [
        "/api/v1/people/{id}",
        "/api/v1/things/{id}/allowlist",
        "/api/v1/devices/{name}/key",
        "/api/v1/inductions/{person}/{thing}",
        "/api/v1/scans",
        "/history",
        "/api/v1/bank/statements",
        "/api/v1/payments/run",
        "/api/v1/outbox",
    ] {
        assert!(openapi["paths"].get(path).is_some(), "{path} is described");
    }
    server.stop().await;
}

on_both_backends!(
    people_things_groups_and_inductions_round_trip,
    device_keys_are_shown_once,
    admin_routes_need_an_admin_and_allowlists_a_device,
);

async fn dues_preview_answers_in_pounds(db: TestDatabase) {
    let server = TestServer::start(db, json!({})).await;
    server
        .import(json!({"tiers": [
            {"id": 1, "name": "Other hackspace", "price_p": 600, "concessions_allowed": false},
            {"id": 3, "name": "Standard", "price_p": 3000},
            {"id": 6, "name": "Donation Only", "price_p": 0, "donor": true}
        ]}))
        .await;
    for (query, expected) in [
        ("", "30"),
        ("?dob=1986-05", "30"),
        ("?concessionary_rate_override=student", "15"),
        ("?dob=1950-01&tier=3", "15"),
        ("?tier=1&concessionary_rate_override=student", "6"),
        ("?tier=6", "0"),
        ("?tier=999", "25"),
        ("?tier=abc", "30"),
    ] {
        let response = server.get(&format!("/get_dues{query}")).await;
        assert_eq!(response.status(), 200, "{query}");
        assert_eq!(response.text().await.unwrap(), expected, "{query}");
    }
    server.stop().await;
}

on_both_backends!(dues_preview_answers_in_pounds);
