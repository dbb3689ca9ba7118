//! Hive13's signed-JSON protocol over HTTP, on both backends, spoken by the reference device
//! client: every operation and every error branch.

use jiff::{SignedDuration, Timestamp};
use offimic_hive13::client::{DeviceClient, ReplyError};
use offimic_testkit::{TestDatabase, on_both_backends};
use serde_json::{Value, json};

use crate::harness::TestServer;

const KEY: &[u8] = b"AAAAAAAAAAAAAAAA";
const RANDOM: [i64; 16] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];

fn space() -> Value {
    let now = Timestamp::now();
    let paid = json!([{"paid_on": (now - SignedDuration::from_hours(24)).to_string(),
                       "expires_on": (now + SignedDuration::from_hours(24 * 30)).to_string(), "amount_p": 2500}]);
    json!({
        "things": [
            {"id": "MAIN", "name": "main_door"}, {"id": "STREET", "name": "street_door"},
            {"id": "SODA", "name": "soda_machine", "unit": "°F", "scale": -1}, {"id": "CAFE", "name": "café"}
        ],
        "groups": [{"name": "members", "things": ["main_door", "street_door"]}],
        "people": [
            {"id": 1, "name": "Member", "tokens": [{"id": "1052895", "type": "badge"}], "groups": ["members"],
             "payments": paid, "vend_credits": 2, "alert_credits": 1, "alert_email": true, "alert_machine": true},
            {"id": 2, "name": "Lapsed", "tokens": [{"id": "4242", "type": "badge"}], "groups": ["members"], "vend_credits": 0}
        ],
        "devices": [
            {"name": "door1", "key": "AAAAAAAAAAAAAAAA", "min_version": 1, "max_version": 2, "things": ["main_door", "café"]},
            {"name": "soda1", "key": "AAAAAAAAAAAAAAAA", "min_version": 2, "max_version": 2, "things": ["soda_machine"]}
        ],
        "soda_slots": [{"slot": 1, "name": "Cola"}, {"slot": 2, "name": "Mate"}]
    })
}

struct Device<'a> {
    server: &'a TestServer,
    client: DeviceClient,
}

impl<'a> Device<'a> {
    async fn boot(server: &'a TestServer, name: &str) -> Self {
        let mut device = Device {
            server,
            client: DeviceClient::new(name, KEY, 2),
        };
        let data = device
            .call(json!({"operation": "get_nonce"}))
            .await
            .unwrap();
        assert_eq!(data["response"], true);
        device
    }

    async fn post(&self, body: String) -> (u16, String) {
        let response = self
            .server
            .client
            .post(self.server.url("/api/access"))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.headers()["content-type"],
            "application/json; charset=utf-8"
        );
        (response.status().as_u16(), response.text().await.unwrap())
    }

    async fn call(&mut self, data: Value) -> Result<Value, ReplyError> {
        let body = self.client.request(data, &RANDOM).unwrap();
        let (status, text) = self.post(body).await;
        assert_eq!(status, 200, "{text}");
        assert!(
            text.len() < 1024,
            "replies stay well under the Mega's 1 KB buffer"
        );
        assert!(!text.ends_with('\n'));
        self.client.accept(&text, &RANDOM)
    }
}

fn signed_data(text: &str) -> Value {
    let reply: Value = serde_json::from_str(text).unwrap();
    assert_eq!(reply["checksum"].as_str().unwrap().len(), 128);
    reply["data"].clone()
}

async fn started(db: TestDatabase) -> TestServer {
    let server = TestServer::start(db, json!({})).await;
    server.import(space()).await;
    server
}

async fn access_follows_the_one_decision_and_is_logged(db: TestDatabase) {
    let server = started(db).await;
    let mut door = Device::boot(&server, "door1").await;
    let granted = door
        .call(json!({"operation": "access", "badge": 1052895, "item": "main_door"}))
        .await
        .unwrap();
    assert_eq!(
        (granted["access"].clone(), granted["response"].clone()),
        (json!(true), json!(true))
    );
    assert!(granted.get("error").is_none());
    assert_eq!(granted["random"].as_array().unwrap().len(), 16);
    assert_eq!(granted["version"], 1);
    let by_location = door.call(json!({"operation": "access", "badge": 1052895, "location": "main_door", "item": "nothing"})).await.unwrap();
    assert_eq!(by_location["access"], true, "location is read first");

    let lapsed = door
        .call(json!({"operation": "access", "badge": 4242, "item": "main_door"}))
        .await
        .unwrap();
    assert_eq!(
        (lapsed["access"].clone(), lapsed["error"].clone()),
        (json!(false), json!("Access denied"))
    );
    let unknown = door
        .call(json!({"badge": 9999, "item": "main_door"}))
        .await
        .unwrap();
    assert_eq!(
        unknown["error"], "Unknown badge ",
        "access is the default operation; the trailing space is HiveWeb's"
    );
    let not_served = door
        .call(json!({"operation": "access", "badge": 1052895, "item": "street_door"}))
        .await
        .unwrap();
    assert_eq!(
        (not_served["error"].clone(), not_served["response"].clone()),
        (json!("Device not authorized for street_door"), json!(true))
    );
    let no_item = door
        .call(json!({"operation": "access", "badge": 1052895, "item": "moon_door"}))
        .await
        .unwrap();
    assert_eq!(
        (no_item["error"].clone(), no_item["response"].clone()),
        (json!("Cannot find item moon_door"), json!(false))
    );

    let decisions = server.store.recent_decisions(None, 20).await.unwrap();
    assert_eq!(
        decisions.iter().filter(|d| d.protocol == "hive13").count(),
        4,
        "every decided attempt is logged"
    );
    assert!(
        decisions
            .iter()
            .any(|d| d.reason == "unknown_token" && d.token == "9999")
    );
    server.stop().await;
}

async fn nonces_rotate_only_after_a_valid_checksum_and_replays_are_refused(db: TestDatabase) {
    let server = started(db).await;
    let mut door = Device::boot(&server, "door1").await;
    let request = door
        .client
        .request(
            json!({"operation": "access", "badge": 1052895, "item": "main_door"}),
            &RANDOM,
        )
        .unwrap();
    let (_, first) = door.post(request.clone()).await;
    assert_eq!(signed_data(&first)["access"], true);
    let (_, replay) = door.post(request).await;
    let replay = signed_data(&replay);
    assert_eq!(
        (replay["data"].clone(), replay["nonce_valid"].clone()),
        (json!("Invalid nonce."), json!(false))
    );
    assert!(replay.get("access").is_none());

    // A tampered request is refused and does not burn the nonce.
    door.client.accept(&first, &RANDOM).unwrap();
    let good = door
        .client
        .request(
            json!({"operation": "access", "badge": 1052895, "item": "main_door"}),
            &RANDOM,
        )
        .unwrap();
    let tampered = good.replace("1052895", "1052896");
    let (_, refused) = door.post(tampered).await;
    let refused = signed_data(&refused);
    assert_eq!(
        (refused["data"].clone(), refused["response"].clone()),
        (json!("Invalid checksum."), json!(false))
    );
    assert!(
        refused.get("random_response").is_none(),
        "no echo before the checksum passes"
    );
    let (_, still_good) = door.post(good).await;
    assert_eq!(
        signed_data(&still_good)["access"],
        true,
        "the nonce survived the forgery"
    );

    door.client.accept(&still_good, &RANDOM).unwrap();
    // A replayed get_nonce changes nothing: the device's next request still goes through.
    let ask_nonce = door
        .client
        .request(json!({"operation": "get_nonce"}), &RANDOM)
        .unwrap();
    let (_, first_answer) = door.post(ask_nonce.clone()).await;
    let (_, second_answer) = door.post(ask_nonce).await;
    assert_eq!(
        signed_data(&first_answer)["new_nonce"],
        signed_data(&second_answer)["new_nonce"]
    );
    assert_eq!(
        door.call(json!({"operation": "access", "badge": 1052895, "item": "main_door"}))
            .await
            .unwrap()["access"],
        true
    );
    let mut parsed: Value = serde_json::from_str(
        &door
            .client
            .request(json!({"operation": "get_nonce"}), &RANDOM)
            .unwrap(),
    )
    .unwrap();
    parsed["checksum"] = parsed["checksum"].as_str().unwrap().to_lowercase().into();
    let (_, lowercase) = door.post(parsed.to_string()).await;
    assert_eq!(
        signed_data(&lowercase)["response"],
        true,
        "a lower-case checksum is accepted"
    );
    server.stop().await;
}

async fn versions_and_headers(db: TestDatabase) {
    let server = started(db).await;
    let mut v1 = Device {
        server: &server,
        client: DeviceClient::new("door1", KEY, 1),
    };
    let granted = v1
        .call(json!({"operation": "access", "badge": 1052895, "item": "main_door"}))
        .await
        .unwrap();
    assert_eq!(granted["access"], true);
    assert!(
        granted.get("new_nonce").is_none() && granted.get("nonce_valid").is_none(),
        "v1 has no nonces"
    );

    let mut soda_v1 = Device {
        server: &server,
        client: DeviceClient::new("soda1", KEY, 1),
    };
    let refused = soda_v1
        .call(json!({"operation": "get_nonce"}))
        .await
        .unwrap();
    assert_eq!(refused["data"], "Invalid version for device.");

    let (status, unknown) = v1
        .post(json!({"device": "nope", "data": {}, "checksum": ""}).to_string())
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&unknown).unwrap(),
        json!({"data": "Cannot find device.", "response": false, "version": 1})
    );
    for garbage in ["", "{", "[1,2]", "\u{0}", "{\"device\": 5}"] {
        let (status, body) = v1.post(garbage.into()).await;
        assert_eq!(status, 200, "{garbage:?}");
        assert!(body.contains("Cannot find device."));
    }

    // The firmware pretty-prints with tabs; any JSON formatting and content type is accepted.
    let mut door = Device::boot(&server, "door1").await;
    let body = door
        .client
        .request(
            json!({"operation": "access", "badge": 1052895, "item": "main_door"}),
            &RANDOM,
        )
        .unwrap();
    let pretty = serde_json::to_string_pretty(&serde_json::from_str::<Value>(&body).unwrap())
        .unwrap()
        .replace("  ", "\t");
    let response = server
        .client
        .post(server.url("/api/access/anything"))
        .header("Content-Type", "text/plain")
        .body(pretty)
        .send()
        .await
        .unwrap();
    let text = response.text().await.unwrap();
    assert_eq!(door.client.accept(&text, &RANDOM).unwrap()["access"], true);

    // data.http asks for status codes.
    let body = door
        .client
        .request(
            json!({"operation": "access", "badge": 9999, "item": "main_door", "http": true}),
            &RANDOM,
        )
        .unwrap();
    let (status, text) = door.post(body).await;
    assert_eq!(status, 401);
    door.client.accept(&text, &RANDOM).unwrap();
    let body = door
        .client
        .request(json!({"operation": "fly", "http": 1}), &RANDOM)
        .unwrap();
    let (status, text) = door.post(body).await;
    assert_eq!(status, 400);
    assert_eq!(
        door.client.accept(&text, &RANDOM).unwrap()["error"],
        "Invalid operation."
    );
    server.stop().await;
}

async fn vending_logging_soda_and_the_rest(db: TestDatabase) {
    let server = started(db).await;
    let mut soda = Device::boot(&server, "soda1").await;
    let first = soda
        .call(json!({"operation": "vend", "badge": 1052895}))
        .await
        .unwrap();
    assert_eq!(
        (first["vend"].clone(), first["error"].clone()),
        (json!(true), json!("Have a soda."))
    );
    assert_eq!(
        first["alert"], true,
        "one credit left is at the alert threshold"
    );
    let second = soda
        .call(json!({"operation": "vend", "badge": 1052895}))
        .await
        .unwrap();
    assert_eq!(second["vend"], true);
    let empty = soda
        .call(json!({"operation": "vend", "badge": 1052895}))
        .await
        .unwrap();
    assert_eq!(
        (empty["vend"].clone(), empty["error"].clone()),
        (json!(false), json!("You have no soda credits."))
    );
    let stranger = soda
        .call(json!({"operation": "vend", "badge": 77}))
        .await
        .unwrap();
    assert_eq!(
        stranger["error"],
        "Cannot find member associated with this badge."
    );
    let alerts = server.store.recent_communications(10).await.unwrap();
    assert_eq!(
        alerts
            .iter()
            .filter(|c| c.kind == "member.alert_credit")
            .count(),
        2
    );

    let logged = soda
        .call(json!({"operation": "log", "log_data": {"item": "soda_machine", "temperature": 372}}))
        .await
        .unwrap();
    assert_eq!(
        (logged["error"].clone(), logged["response"].clone()),
        (json!("Data logged."), json!(true))
    );
    assert_eq!(logged["temp_log_id"].as_str().unwrap().len(), 36);
    let batch = soda.call(json!({"operation": "log", "current_timestamp": 100000,
        "messages": [{"data": "boot", "severity": 5, "absolute_timestamp": 40000}, {"severity": 3}, {"data": "x", "severity": 9}, {"data": "hello"}],
        "temperatures": [{"item": "soda_machine", "temperature": 380, "relative_timestamp": 1000}, {"item": "main_door", "temperature": 1}, {"temperature": 5}]
    })).await.unwrap();
    assert_eq!(
        (
            batch["messages_logged"].clone(),
            batch["temperatures_logged"].clone()
        ),
        (json!(2), json!(1)),
        "invalid entries are dropped"
    );
    let unauthorized = soda
        .call(json!({"operation": "log", "log_data": {"item": "main_door", "temperature": 1}}))
        .await
        .unwrap();
    assert_eq!(
        (
            unauthorized["error"].clone(),
            unauthorized["response"].clone()
        ),
        (json!("Device not authorized for main_door"), json!(false))
    );
    let floaty = soda
        .call(
            json!({"operation": "log", "log_data": {"item": "soda_machine", "temperature": 37.2}}),
        )
        .await
        .unwrap();
    assert_eq!(floaty["error"], "Could not log temperature.");

    let status: Value = server.get_json("/api/status").await.1;
    assert_eq!(status["temps"][0]["name"], "soda_machine");
    assert_eq!(status["temps"][0]["unit"], "°F");
    assert!(
        (status["temps"][0]["value"].as_f64().unwrap() - 38.0).abs() < 1e-9
            || (status["temps"][0]["value"].as_f64().unwrap() - 37.2).abs() < 1e-9
    );

    let partial = soda.call(json!({"operation": "soda_status", "soda_status": [{"slot": 1, "sold_out": true}, {"slot": 9, "sold_out": true}]})).await.unwrap();
    assert_eq!(partial["response"], false);
    assert_eq!(
        server.get_json("/api/status").await.1["sodas"][0]["sold_out"],
        false,
        "all or nothing"
    );
    let whole = soda.call(json!({"operation": "soda_status", "soda_status": [{"slot": 1, "sold_out": true}, {"slot": 2, "sold_out": false}]})).await.unwrap();
    assert_eq!(whole["response"], true);
    assert_eq!(
        server.get_json("/api/status").await.1["sodas"][0]["sold_out"],
        true
    );

    let quiet = soda
        .call(json!({"operation": "quiet_hours"}))
        .await
        .unwrap();
    let (start, end) = (
        quiet["start_ms"].as_i64().unwrap(),
        quiet["end_ms"].as_i64().unwrap(),
    );
    assert!((0..86_400_000).contains(&start) && (0..86_400_000).contains(&end));
    assert_eq!(quiet["in_quiet"], start > end);
    let (_, public) = server.get_json("/api/access/quiet_hours").await;
    assert_eq!(public["response"], true);
    assert!(
        public.get("checksum").is_none(),
        "the public form is unsigned"
    );

    let lights = soda
        .call(json!({"operation": "get_light_state"}))
        .await
        .unwrap();
    assert_eq!(
        (lights["states"].clone(), lights["response"].clone()),
        (json!([]), json!(true))
    );

    // Negative randoms from an AVR are echoed exactly.
    let avr = [-56, 17, 0, -1, 127, -128, 3, 4];
    let body = soda
        .client
        .request(json!({"operation": "get_nonce"}), &avr)
        .unwrap();
    let (_, text) = soda.post(body).await;
    assert_eq!(
        soda.client.accept(&text, &avr).unwrap()["random_response"],
        json!(avr)
    );
    server.stop().await;
}

async fn latin1_and_oversized_input_get_signed_errors(db: TestDatabase) {
    let server = started(db).await;
    let mut door = Device::boot(&server, "door1").await;
    let cafe = door
        .call(json!({"operation": "access", "badge": 1052895, "item": "café"}))
        .await
        .unwrap();
    assert_eq!(
        cafe["error"], "Access denied",
        "a Latin-1 item name signs and resolves"
    );

    let wide = door
        .client
        .request(
            json!({"operation": "access", "badge": 1052895, "item": "main_door"}),
            &RANDOM,
        )
        .unwrap();
    let wide = wide.replace("main_door", "main_door€");
    let (status, text) = door.post(wide).await;
    assert_eq!(status, 200);
    assert_eq!(signed_data(&text)["data"], "Invalid checksum.");

    let with_nul = door
        .call(json!({"operation": "access", "badge": "10\u{0}52895", "item": "main_door"}))
        .await;
    assert!(
        with_nul.is_ok_and(|data| data["data"] == "Invalid checksum."),
        "a NUL is refused, signed, on every backend"
    );
    let (status, body) = door
        .post(json!({"device": "door\u{0}1", "data": {}, "checksum": ""}).to_string())
        .await;
    assert_eq!(status, 200);
    assert!(body.contains("Cannot find device."));

    let nonce = door.client.nonce.clone().unwrap();
    let huge = json!({"device": "door1", "checksum": "00"}).to_string().replace(
        "\"checksum\"",
        &format!("\"data\":{{\"operation\":\"access\",\"badge\":123456789012345678901234567890,\"item\":\"main_door\",\"nonce\":\"{nonce}\",\"version\":2}},\"checksum\""),
    );
    let (status, text) = door.post(huge).await;
    assert_eq!(status, 200);
    assert_eq!(signed_data(&text)["data"], "Invalid checksum.");
    server.stop().await;
}

on_both_backends!(
    access_follows_the_one_decision_and_is_logged,
    nonces_rotate_only_after_a_valid_checksum_and_replays_are_refused,
    versions_and_headers,
    vending_logging_soda_and_the_rest,
    latin1_and_oversized_input_get_signed_errors,
);
