//! Swindon's controller API over raw sockets, as the firmware speaks it, on both backends.

use jiff::{SignedDuration, Timestamp};
use offimic_testkit::{TestDatabase, on_both_backends};
use serde_json::{Value, json};

use crate::harness::TestServer;

const DOOR: &str = "1A9E3D66-E90F-11E5-83C1-1E346D398B53";
const LASER: &str = "LASER-0001";
const ASSIGNER: &str = "TAG-0001";

fn paid_now() -> Value {
    let now = Timestamp::now();
    json!([{"paid_on": (now - SignedDuration::from_hours(240)).to_string(),
            "expires_on": (now + SignedDuration::from_hours(24 * 30)).to_string(), "amount_p": 4200}])
}

fn lapsed() -> Value {
    json!([{"paid_on": "2025-01-01T00:00:00Z", "expires_on": "2025-02-01T00:00:00Z", "amount_p": 2500}])
}

fn space() -> Value {
    json!({
        "tiers": [
            {"id": 3, "name": "Standard", "price_p": 3000},
            {"id": 4, "name": "Sponsor", "price_p": 4200},
            {"id": 6, "name": "Donation Only", "price_p": 0, "donor": true}
        ],
        "things": [
            {"id": DOOR, "name": "The Door", "assigned_ip": "127.0.0.1"},
            {"id": "HS-0001", "name": "Health and Safety Policy"},
            {"id": LASER, "name": "Laser", "assigned_ip": "127.0.0.1", "requires": ["HS-0001"]},
            {"id": ASSIGNER, "name": "TagAssigner", "assigned_ip": "127.0.0.1"},
            {"id": "REMOTE-01", "name": "Remote lathe", "assigned_ip": "10.9.9.9"}
        ],
        "people": [
            {"id": 1, "name": "Ada Admin", "tier": 3, "tokens": [{"id": "04a1b2c3"}], "payments": paid_now()},
            {"id": 2, "name": "Sam Sponsor", "tier": 4, "door_colour": "white", "tokens": [{"id": "05a1b2c3"}], "payments": paid_now()},
            {"id": 3, "name": "Dee Donor", "tier": 6, "tokens": [{"id": "06a1b2c3"}], "payments": paid_now()},
            {"id": 4, "name": "Ex Member", "tier": 3, "tokens": [{"id": "07a1b2c3"}], "payments": lapsed()},
            {"id": 5, "name": "Penny Pending", "tier": 3, "tokens": [{"id": "08a1b2c3"}], "payments": paid_now()},
            {"id": 6, "name": "Bartholomew Featherstonehaugh", "tier": 3, "tokens": [{"id": "09a1b2c3"}], "payments": paid_now()},
            {"id": 7, "name": "Twin One", "tier": 3, "tokens": [{"id": "0aa1b2c3"}], "payments": paid_now()},
            {"id": 8, "name": "Twin Two", "tier": 3, "tokens": [{"id": "0aa1b2c3"}], "payments": paid_now()},
            {"id": 9, "name": "Stu Dent", "tier": 3, "tokens": [{"id": "0ba1b2c3"}], "payments": paid_now()}
        ],
        "allowed": [
            {"person": 1, "thing": DOOR}, {"person": 1, "thing": LASER, "inductor": true},
            {"person": 1, "thing": ASSIGNER, "inductor": true},
            {"person": 2, "thing": DOOR}, {"person": 3, "thing": DOOR}, {"person": 4, "thing": DOOR},
            {"person": 5, "thing": DOOR, "pending": true}, {"person": 6, "thing": DOOR},
            {"person": 7, "thing": DOOR}, {"person": 8, "thing": DOOR}, {"person": 9, "thing": ASSIGNER}
        ]
    })
}

async fn started(db: TestDatabase, config: Value) -> TestServer {
    let server = TestServer::start(db, config).await;
    server.import(space()).await;
    server
}

/// The reply's JSON, after checking the framing the firmware depends on.
fn framed(head: &str, body: &str) -> Value {
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(
        !head.to_ascii_lowercase().contains("transfer-encoding"),
        "never chunked: {head}"
    );
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(|v| v.trim().parse().unwrap())
        })
        .expect("a Content-Length");
    assert_eq!(length, body.len());
    assert!(head.lines().all(|l| l.len() < 500));
    assert!(
        body.ends_with('\n') && !body.ends_with("\n\n"),
        "exactly one trailing newline: {body:?}"
    );
    assert_eq!(body.matches('\n').count(), 1, "one line");
    serde_json::from_str(body).unwrap()
}

async fn verify(server: &TestServer, token: &str, thing: &str) -> (Value, String) {
    let (head, body) = server
        .device_get(&format!("/accesssystem/verify?token={token}&thing={thing}"))
        .await;
    (framed(&head, &body), body)
}

async fn a_granted_swipe_is_one_exact_line(db: TestDatabase) {
    let server = started(db, json!({})).await;
    let (reply, body) = verify(&server, "04a1b2c3", DOOR).await;
    assert_eq!(
        body,
        "{\"access\":1,\"person\":{\"name\":\"Ada Admin\"},\"inductor\":0,\"beep\":0,\"cache\":1,\"colour\":1}\n"
    );
    assert!(
        reply.get("message").is_none(),
        "no message when there is nothing to say"
    );
    let (at_root, _) = server
        .device_get(&format!("/verify?token=04a1b2c3&thing={DOOR}"))
        .await;
    assert!(at_root.starts_with("HTTP/1.1 200"), "served at / too");

    let (sponsor, _) = verify(&server, "05a1b2c3", DOOR).await;
    assert_eq!(sponsor["colour"], 0, "a Sponsor's white is 0");
    let (long, _) = verify(&server, "09a1b2c3", DOOR).await;
    assert_eq!(long["person"]["name"], "Bartholomew Feather");
    let (inductor, _) = verify(&server, "04a1b2c3", LASER).await;
    assert_eq!(
        (inductor["access"].clone(), inductor["error"].clone()),
        (
            json!(0),
            json!("Health and Safety Policy not accepted/inducted. See email")
        )
    );

    let decisions = server.store.recent_decisions(Some(1), 10).await.unwrap();
    assert_eq!(
        decisions.len(),
        3,
        "every decision is logged, even two in the same second"
    );
    assert_eq!(decisions[0].reason, "prerequisite");
    let usage = server.store.recent_usage(10).await.unwrap();
    assert_eq!(usage.iter().filter(|u| u.status == "started").count(), 4);
    server.stop().await;
}

async fn every_refusal_has_its_text_and_colour(db: TestDatabase) {
    let server = started(db, json!({})).await;
    let cases = [
        (
            "0aa1b2c3",
            DOOR,
            json!({"access": 0, "error": "Token reused on accounts. Talk to a director", "colour": 37}),
        ),
        (
            "06a1b2c3",
            DOOR,
            json!({"access": 0, "error": "No access for donors", "colour": 34}),
        ),
        (
            "07a1b2c3",
            DOOR,
            json!({"access": 0, "error": "Membership expired/unpaid", "colour": 34}),
        ),
        (
            "08a1b2c3",
            DOOR,
            json!({"access": 0, "error": "Induction not confirmed/Pay up please", "colour": 36}),
        ),
        (
            "ffffffff",
            DOOR,
            json!({"access": 0, "error": "RFID tag (ffffffff) not recognised", "colour": 32}),
        ),
        (
            "04a1b2c3",
            "NOPE",
            json!({"access": 0, "error": "Tool (NOPE) not recognised", "colour": null}),
        ),
        (
            "05a1b2c3",
            LASER,
            json!({"access": 0, "error": "Laser not accepted/inducted. See email", "colour": 36}),
        ),
    ];
    let case_count = cases.len();
    for (token, thing, expected) in cases {
        let (reply, body) = verify(&server, token, thing).await;
        assert_eq!(reply, expected, "{token} on {thing}");
        assert!(
            body.starts_with("{\"access\":0,"),
            "access comes first: {body}"
        );
    }
    for query in [
        "",
        "?token=04a1b2c3",
        &format!("?thing={DOOR}"),
        &format!("?token=0&thing={DOOR}"),
        "?token=&thing=",
    ] {
        let (head, body) = server.device_get(&format!("/verify{query}")).await;
        assert_eq!(
            framed(&head, &body),
            json!({"access": 0, "error": "Missing token or thing parameter(s)"}),
            "{query}"
        );
    }
    let usage = server.store.recent_usage(50).await.unwrap();
    assert_eq!(
        usage.len(),
        case_count,
        "missing parameters write no usage row"
    );
    assert!(usage.iter().all(|u| u.status == "rejected"));
    server.stop().await;
}

async fn messages_and_tool_usage_are_recorded_even_when_the_controller_hangs_up(db: TestDatabase) {
    let server = started(db, json!({})).await;
    let (head, body) = server
        .device_get(&format!(
            "/accesssystem/msglog?thing={DOOR}&msg=Door%20Booted%20Sucessfully!"
        ))
        .await;
    assert_eq!(framed(&head, &body), json!({"logged": 1}));
    let (head, body) = server.device_get("/msglog/extra?thing=NOPE&msg=hi").await;
    assert_eq!(
        framed(&head, &body),
        json!({"logged": 0, "error": "No such thing!"})
    );
    let (head, body) = server.device_get("/msglog?thing=NOPE").await;
    assert_eq!(
        framed(&head, &body),
        json!({"error": "Missing thing or msg parameter"})
    );

    // The firmware closes the socket right after sending.
    for (i, query) in [
        format!("/msglog?thing={DOOR}&msg=Access%20Granted%20to%20:Ada&token=04a1b2c3"),
        format!("/tool_access?thing={LASER}&msg=on&token=04a1b2c3&state=1&active_time=0"),
    ]
    .iter()
    .enumerate()
    {
        use tokio::io::AsyncWriteExt;
        let address = server.base.trim_start_matches("http://").to_owned();
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        stream
            .write_all(
                format!("GET {query} HTTP/1.1\r\nHost: 10.0.0.1\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
            )
            .await
            .unwrap();
        drop(stream);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let recorded = if i == 0 {
                server
                    .store
                    .recent_messages(10)
                    .await
                    .unwrap()
                    .iter()
                    .any(|m| m.message == "Access Granted to :Ada")
            } else {
                !server.store.recent_usage(10).await.unwrap().is_empty()
            };
            if recorded {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{query} was not recorded after the client hung up"
            );
            tokio::task::yield_now().await;
        }
    }
    for query in ["state=1&active_time=300", "state=0&active_time=310"] {
        let (head, body) = server
            .device_get(&format!(
                "/tool_access?thing={LASER}&token=04a1b2c3&{query}"
            ))
            .await;
        assert_eq!(framed(&head, &body), json!({"logged": 1}));
    }
    let usage = server.store.recent_usage(10).await.unwrap();
    assert_eq!(usage.len(), 1, "one session from switch-on to switch-off");
    assert_eq!(
        (usage[0].status.as_str(), usage[0].running_for),
        ("finished", 310)
    );
    let (head, body) = server
        .device_get(&format!(
            "/tool_access?thing={LASER}&token=ffffffff&state=1"
        ))
        .await;
    assert_eq!(
        framed(&head, &body)["logged"],
        0,
        "an unknown token is an error, not a 500"
    );
    server.stop().await;
}

async fn induction_by_a_trainer_sends_a_confirmation_link(db: TestDatabase) {
    let server = started(db, json!({})).await;
    let induct = |t: &str, s: &str, thing: &str| {
        format!("/accesssystem/induct?thing={thing}&token_t={t}&token_s={s}")
    };
    let (head, body) = server
        .device_get(&induct("05a1b2c3", "0ba1b2c3", LASER))
        .await;
    assert_eq!(
        framed(&head, &body)["error"],
        "That teacher token does not belong to a single admin user of the Laser (or belongs to more than one person, huh?)"
    );
    let (head, body) = server
        .device_get(&induct("04a1b2c3", "99999999", LASER))
        .await;
    assert_eq!(
        framed(&head, &body)["error"],
        "The token (99999999) isn't associated with any user"
    );
    let (head, body) = server
        .device_get(&induct("04a1b2c3", "0ba1b2c3", "NOPE"))
        .await;
    assert_eq!(framed(&head, &body)["error"], "No such Thing (NOPE)");
    let (head, body) = server
        .device_get(&induct("04a1b2c3", "0ba1b2c3", "REMOTE-01"))
        .await;
    assert_eq!(
        framed(&head, &body)["error"],
        "Cannot induct Thing (REMOTE-01) from incorrect IP address"
    );
    let (head, body) = server.device_get("/induct?thing=x").await;
    assert_eq!(
        framed(&head, &body),
        json!({"allowed": 0, "error": "Missing token or thing parameter(s)"})
    );

    let (head, body) = server
        .device_get(&induct("04a1b2c3", "0ba1b2c3", LASER))
        .await;
    assert_eq!(
        framed(&head, &body),
        json!({"allowed": 1, "person": {"name": "Stu Dent"}})
    );
    let (reply, _) = verify(&server, "0ba1b2c3", LASER).await;
    assert_eq!(reply["error"], "Induction not confirmed/Pay up please");

    let outbox = server.store.recent_communications(10).await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(
        (outbox[0].person, outbox[0].kind.as_str()),
        (Some(9), "inducted_on|LASER-0001")
    );
    let link = outbox[0]
        .plain_text
        .lines()
        .find(|l| l.contains("/confirm_induction?token="))
        .unwrap();
    let path = &link[link.find("/confirm_induction").unwrap()..];
    // Opening the link shows a button; only pressing it confirms.
    let page = server.get(path).await;
    let cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let csrf = cookie.split('=').nth(1).unwrap().to_owned();
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("I was shown how to use it safely")
    );
    let token = path.split("token=").nth(1).unwrap();
    let pending = server.store.export_space().await.unwrap().allowed;
    assert!(
        pending
            .iter()
            .any(|a| a.person == 9 && a.thing == LASER && a.pending)
    );
    let confirmed = server
        .client
        .post(server.url("/confirm_induction"))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str()), ("token", token)])
        .send()
        .await
        .unwrap();
    assert!(
        confirmed.url().path().ends_with("/post_confirm"),
        "{}",
        confirmed.url()
    );
    assert!(
        confirmed
            .text()
            .await
            .unwrap()
            .contains("Thanks for confirming your induction")
    );
    let allowed = server.store.export_space().await.unwrap().allowed;
    assert!(
        allowed
            .iter()
            .any(|a| a.person == 9 && a.thing == LASER && !a.pending && a.inducted_by == Some(1))
    );
    server.stop().await;
}

async fn tag_assigner_adds_tokens_for_its_inductors_only(db: TestDatabase) {
    let server = started(db, json!({})).await;
    let assign = |admin: &str, person: &str, token: &str| {
        format!(
            "/accesssystem/assign?thing={ASSIGNER}&admin_token={admin}&person_id={person}&token_id={token}&desc=Black%20Keyring"
        )
    };
    let (head, body) = server
        .device_get(&assign("0ba1b2c3", "0002", "cafe0001"))
        .await;
    assert_eq!(
        framed(&head, &body),
        json!({"tokens": 0, "error": "Only an inductor of the TagAssigner may assign tokens"})
    );
    let (head, body) = server
        .device_get(&assign("04a1b2c3", "0002", "05a1b2c3"))
        .await;
    assert_eq!(
        framed(&head, &body),
        json!({"tokens": 0, "error": "Nope. That token is already in use!"})
    );
    let (head, body) = server
        .device_get(&assign("04a1b2c3", "0999", "cafe0001"))
        .await;
    assert_eq!(
        framed(&head, &body),
        json!({"tokens": 0, "error": "Nope. Can't find that person id."})
    );
    let (head, body) = server
        .device_get(&assign("04a1b2c3", "0002", "cafe0001"))
        .await;
    let reply = framed(&head, &body);
    assert_eq!(
        reply,
        json!({"tokens": 2, "message": "Done. Sam Sponsor has 2 tokens."})
    );
    assert!(body.len() < 200, "fits the TagAssigner's document");
    let (head, body) = server.device_get("/assign?thing=x").await;
    assert_eq!(
        framed(&head, &body),
        json!({"tokens": 0, "error": "Missing parameter(s)"})
    );
    let (reply, _) = verify(&server, "cafe0001", DOOR).await;
    assert_eq!(reply["access"], 1, "the new token opens the door");

    let (_, who) = server.device_get("/who?token=cafe0001").await;
    assert_eq!(who, "Sam Sponsor");
    assert_eq!(
        server.device_get("/who?token=nobody").await.1,
        "<No such person>"
    );
    assert_eq!(server.device_get("/who").await.1, "<No token id>");
    server.stop().await;
}

async fn pinned_things_refuse_other_addresses_when_enforced(db: TestDatabase) {
    let server = started(
        db,
        json!({"enforce_thing_ip": true, "trusted_proxies": ["127.0.0.1/32"]}),
    )
    .await;
    let (reply, _) = verify(&server, "04a1b2c3", "REMOTE-01").await;
    assert_eq!(
        reply["error"],
        "Cannot use Thing (REMOTE-01) from incorrect IP address"
    );
    let (reply, _) = verify(&server, "04a1b2c3", DOOR).await;
    assert_eq!(reply["access"], 1, "loopback is the door's pinned address");
    let (head, body) = server
        .raw("GET /verify?token=04a1b2c3&thing=REMOTE-01 HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 10.9.9.9\r\nConnection: close\r\n\r\n")
        .await;
    assert_eq!(
        framed(&head, &body)["error"],
        "Remote lathe not accepted/inducted. See email",
        "the proxy's forwarded address counts"
    );
    server.stop().await;
}

async fn hostile_input_never_answers_500(db: TestDatabase) {
    let server = started(db, json!({})).await;
    let long = "x".repeat(5000);
    for query in [
        format!("/verify?token={long}&thing={long}"),
        "/verify?token=%FF%FE&thing=%00".into(),
        "/verify?token=%E2%82%AC&thing=%2F..%2F".into(),
        "/msglog?thing=%FF&msg=%00%01".into(),
        "/tool_access?thing=a&token=b&state=banana&active_time=-99999999999999999999".into(),
        "/assign?thing=a&admin_token=b&person_id=abc&token_id=c".into(),
        "/induct?thing=a&token_t=b&token_s=c".into(),
    ] {
        let (head, _) = server.device_get(&query).await;
        assert!(!head.starts_with("HTTP/1.1 5"), "{query}: {head}");
    }
    let form = format!("token=04a1b2c3&thing={DOOR}");
    let (head, body) = server
        .raw(&format!(
            "POST /verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
            form.len()
        ))
        .await;
    assert_eq!(
        framed(&head, &body)["access"],
        1,
        "form bodies work like queries"
    );
    server.stop().await;
}

async fn a_change_is_seen_by_the_very_next_swipe(db: TestDatabase) {
    let server = started(db, json!({})).await;
    assert_eq!(verify(&server, "04a1b2c3", DOOR).await.0["access"], 1);
    assert_eq!(
        verify(&server, "04a1b2c3", DOOR).await.0["access"],
        1,
        "served from the cache"
    );
    assert!(server.store.delete_induction(1, DOOR).await.unwrap());
    let (reply, _) = verify(&server, "04a1b2c3", DOOR).await;
    assert_eq!(
        reply["error"], "The Door not accepted/inducted. See email",
        "the cache is dropped with the change"
    );
    assert!(server.store.delete_token(1, "04a1b2c3").await.unwrap());
    assert_eq!(verify(&server, "04a1b2c3", DOOR).await.0["colour"], 32);
    server.stop().await;
}

on_both_backends!(
    a_change_is_seen_by_the_very_next_swipe,
    a_granted_swipe_is_one_exact_line,
    every_refusal_has_its_text_and_colour,
    messages_and_tool_usage_are_recorded_even_when_the_controller_hangs_up,
    induction_by_a_trainer_sends_a_confirmation_link,
    tag_assigner_adds_tokens_for_its_inductors_only,
    pinned_things_refuse_other_addresses_when_enforced,
    hostile_input_never_answers_500,
);
