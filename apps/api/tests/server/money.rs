//! Who has paid, over HTTP on both backends: the payments app's balance and ledger, Swindon's
//! admin endpoints behind admin tokens, the treasurer's API from statement upload to an open
//! door, the fee warning at the door, and member email through a real SMTP listener.

use jiff::{SignedDuration, Timestamp};
use md5::{Digest, Md5};
use offimic_api::config::EmailConfig;
use offimic_api::mail::Mailer;
use offimic_store::{ComposedEmail, Store};
use offimic_testkit::{TestDatabase, on_both_backends};
use serde_json::{Value, json};

use crate::harness::TestServer;
use crate::smtp::SmtpListener;

const DOOR: &str = "DOOR-0001";

fn payment(paid_days_ago: i64, expires_in_days: i64, amount_p: i64) -> Value {
    let now = Timestamp::now();
    json!([{"paid_on": (now - SignedDuration::from_hours(24 * paid_days_ago)).to_string(),
            "expires_on": (now + SignedDuration::from_hours(24 * expires_in_days)).to_string(),
            "amount_p": amount_p}])
}

fn space() -> Value {
    json!({
        "tiers": [{"id": 3, "name": "Standard", "price_p": 3000},
                  {"id": 6, "name": "Donation Only", "price_p": 0, "donor": true}],
        "things": [{"id": DOOR, "name": "The Door"}],
        "people": [
            {"id": 1, "name": "Paula Payer", "email": "paula@example.org", "tier": 3, "tokens": [{"id": "aa000001"}],
             "login_tokens": ["KEY-1"], "payments": payment(10, 20, 3000),
             "transactions": [{"added_on": "2026-01-02T00:00:00Z", "amount_p": 1000, "reason": "Top-up"}]},
            {"id": 2, "name": "Keyless Kim", "email": "kim@example.org", "tier": 3, "tokens": [{"id": "aa000002"}],
             "payments": payment(10, 20, 3000)},
            {"id": 3, "name": "Lapsed Larry", "email": "larry@example.org", "tier": 3, "tokens": [{"id": "aa000003"}],
             "payments": payment(180, -150, 3000)},
            {"id": 4, "name": "Nina Newcomer", "email": "nina@example.org", "tier": 3, "tokens": [{"id": "aa000004"}]},
            {"id": 5, "name": "Underpaying Uma", "email": "uma@example.org", "tier": 3, "tokens": [{"id": "aa000005"}],
             "payments": payment(10, 20, 2500)}
        ],
        "allowed": [
            {"person": 1, "thing": DOOR}, {"person": 2, "thing": DOOR}, {"person": 3, "thing": DOOR},
            {"person": 4, "thing": DOOR, "pending": true}, {"person": 5, "thing": DOOR}
        ]
    })
}

/// An OFX 1.x statement as a UK bank exports it.
pub fn ofx_statement(lines: &[(&str, &str, &str, &str)]) -> String {
    let mut text = String::from(
        "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\n\
         COMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n<OFX>\n<BANKMSGSRSV1>\n<STMTTRNRS>\n<TRNUID>1\n\
         <STMTRS>\n<CURDEF>GBP\n<BANKACCTFROM>\n<BANKID>201234\n<ACCTID>20123412345678\n<ACCTTYPE>CHECKING\n\
         </BANKACCTFROM>\n<BANKTRANLIST>\n",
    );
    let posted = Timestamp::now().strftime("%Y%m%d").to_string();
    for (fitid, amount, name, memo) in lines {
        text += &format!(
            "<STMTTRN>\n<TRNTYPE>CREDIT\n<DTPOSTED>{posted}\n<TRNAMT>{amount}\n<FITID>{fitid}\n<NAME>{name}\n<MEMO>{memo}\n</STMTTRN>\n"
        );
    }
    text + "</BANKTRANLIST>\n</STMTRS>\n</STMTTRNRS>\n</BANKMSGSRSV1>\n</OFX>\n"
}

fn app_hash(key: &str) -> String {
    let today = Timestamp::now().strftime("%Y-%m-%d").to_string();
    hex::encode(Md5::digest(format!("{today}{key}")))
}

async fn started(db: TestDatabase, config: Value) -> TestServer {
    let server = TestServer::start(db, config).await;
    server.import(space()).await;
    server
}

/// The body of a device-style GET, parsed.
async fn device(server: &TestServer, path: &str) -> Value {
    let (_, body) = server.device_get(path).await;
    assert!(body.ends_with('\n') && !body.ends_with("\n\n"), "{body:?}");
    serde_json::from_str(&body).unwrap()
}

async fn post_form(server: &TestServer, path: &str, form: &[(&str, &str)]) -> Value {
    let response = server
        .client
        .post(server.url(path))
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn kinds(store: &dyn Store) -> Vec<String> {
    store
        .outbox(100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

async fn the_payments_app_spends_down_to_the_floor(db: TestDatabase) {
    let server = started(db, json!({})).await;
    let hash = app_hash("KEY-1");
    let spend = |amount: &'static str| {
        [
            ("hash", hash.as_str()),
            ("amount", amount),
            ("reason", "Laser time"),
        ]
    };
    assert_eq!(
        post_form(&server, "/transaction", &spend("1400")).await,
        json!({"success": 1, "balance": -400})
    );
    assert_eq!(
        post_form(&server, "/transaction", &spend("1")).await,
        json!({"success": 0, "error": "Not enough money for that transaction"})
    );
    for bad in ["12.5", "-5", "abc"] {
        let answer = post_form(
            &server,
            "/transaction",
            &[("hash", &hash), ("amount", bad), ("reason", "x")],
        )
        .await;
        assert_eq!(
            answer["error"], "Amount must be a positive integer of pence",
            "{bad}"
        );
    }
    let unknown = post_form(
        &server,
        "/transaction",
        &[("hash", "00ff"), ("amount", "1"), ("reason", "x")],
    )
    .await;
    assert_eq!(unknown["success"], 0);
    assert_eq!(
        post_form(&server, "/accesssystem/transaction", &[("amount", "1")]).await,
        json!({"success": 0, "error": "Missing token or thing or amount or reason parameter(s)"})
    );

    // The token form: a member with a valid door token pays at the door's till.
    let long_reason = "x".repeat(300);
    let paid = post_form(
        &server,
        "/transaction",
        &[
            ("token", "aa000002"),
            ("thing", DOOR),
            ("amount", "100"),
            ("reason", &long_reason),
        ],
    )
    .await;
    assert_eq!(paid, json!({"success": 1, "balance": -100}));
    let refused = post_form(
        &server,
        "/transaction",
        &[
            ("token", "aa000003"),
            ("thing", DOOR),
            ("amount", "1"),
            ("reason", "x"),
        ],
    )
    .await;
    assert_eq!(refused["success"], 0);
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains("Membership expired/unpaid"),
        "{refused}"
    );

    let ledger = device(&server, &format!("/get_transactions/0/{hash}")).await;
    assert_eq!(ledger["balance"], -400);
    let entries = ledger["transactions"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        (entries[0]["amount"].clone(), entries[0]["reason"].clone()),
        (json!(-1400), json!("Laser time"))
    );
    assert_eq!(entries[1]["added_on"], "2026-01-02T00:00:00");
    assert_eq!(device(&server, "/get_transactions/1/ffff").await, json!([]));
    let kim = server.store.ledger(2, 1).await.unwrap();
    assert_eq!(
        kim[0].reason.chars().count(),
        255,
        "reasons are cut to 255 characters"
    );
    server.stop().await;
}

async fn the_payments_app_key_is_mailed_to_valid_members(db: TestDatabase) {
    let server = started(db, json!({})).await;
    let no_member = json!({"success": 0, "error": "No member matching this reference"});
    for userid in ["", "abc", "SM0099", "SMx2"] {
        assert_eq!(
            device(&server, &format!("/user_guid_request?userid={userid}")).await,
            no_member,
            "{userid}"
        );
    }
    let lapsed = device(&server, "/user_guid_request?userid=sm3").await;
    assert_eq!(
        lapsed["error"],
        "Member is invalid (not paid recently), did you mistype the ref?"
    );
    assert_eq!(
        device(&server, "/user_guid_request?userid=SM0002").await,
        json!({"success": 1})
    );
    let keys = server.store.login_tokens().await.unwrap();
    let kim_key = keys
        .iter()
        .find(|(person, _)| *person == 2)
        .map(|(_, key)| key.clone())
        .unwrap();
    assert!(
        kinds(&*server.store)
            .await
            .contains(&"app_login_email".to_string())
    );
    let ledger = device(
        &server,
        &format!("/get_transactions/5/{}", app_hash(&kim_key)),
    )
    .await;
    assert_eq!(ledger["balance"], 0, "the mailed key works in the app");
    server.stop().await;
}

async fn admin_endpoints_need_an_admin_and_answer_as_the_original(db: TestDatabase) {
    let server = started(db, json!({})).await;
    let admin = server.token("treasurer", &["admin"]).await;
    let get = |path: &str| {
        server
            .client
            .get(server.url(path))
            .bearer_auth(&admin)
            .send()
    };
    let unauthenticated = server.get("/nudge_member/3").await;
    assert_eq!(unauthenticated.status(), 401);
    let json_of = |r: reqwest::Response| async move { r.json::<Value>().await.unwrap() };

    assert_eq!(
        json_of(get("/resendemail/1").await.unwrap()).await["message"],
        "Attempted to send membership email"
    );
    assert_eq!(
        json_of(get("/resendemail/99").await.unwrap()).await["message"],
        "Can't find member 99"
    );
    assert_eq!(
        json_of(get("/nudge_member/1").await.unwrap()).await["message"],
        "Can't find member 1 or member is still valid!"
    );
    assert_eq!(
        json_of(get("/accesssystem/nudge_member/3").await.unwrap()).await["message"],
        "Attempted to send reminder email"
    );
    let again = json_of(get("/nudge_member/3").await.unwrap()).await;
    assert!(
        again["message"]
            .as_str()
            .unwrap()
            .starts_with("Already reminded on 20"),
        "{again}"
    );
    assert!(
        json_of(get("/nudge_member/4").await.unwrap()).await["message"]
            .as_str()
            .unwrap()
            .contains("never paid")
    );
    assert_eq!(
        json_of(get("/box_reminder/3").await.unwrap()).await["message"],
        "Attempted to send box reminder email"
    );
    let sent = kinds(&*server.store).await;
    for kind in [
        "send_membership_email",
        "reminder_email",
        "box_reminder_email",
    ] {
        assert!(sent.contains(&kind.to_string()), "{kind} in {sent:?}");
    }
    let welcome = server
        .store
        .outbox(100)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.kind == "send_membership_email")
        .unwrap();
    assert_eq!(welcome.person, Some(1));

    let report = json_of(get("/membership_status_update").await.unwrap()).await;
    assert!(
        report["msg_text"]
            .as_str()
            .unwrap()
            .contains("Current Total Members: 3"),
        "{report}"
    );
    assert_eq!(report["valid_members"]["Standard"]["full"], 3);
    assert_eq!(report["income"], 9000.0);

    let bad = json_of(get("/v2/remove_ex_member_inductions/6x").await.unwrap()).await;
    assert_eq!(
        bad,
        json!({"error": "remove_ex_member_inductions takes a number parameter"})
    );
    assert_eq!(
        json_of(get("/v2/remove_ex_member_inductions/6").await.unwrap()).await,
        json!({"success": 1})
    );
    let larry = server.store.decision_facts("aa000003", DOOR).await.unwrap();
    assert!(
        larry.holders[0].inductions.is_empty(),
        "Larry left five months ago"
    );
    let paula = server.store.decision_facts("aa000001", DOOR).await.unwrap();
    assert!(!paula.holders[0].inductions.is_empty());
    server.stop().await;
}

async fn a_statement_upload_and_the_run_open_the_door(db: TestDatabase) {
    let server = started(db, json!({})).await;
    let admin = server.token("treasurer", &["admin"]).await;
    let upload = |body: String| {
        server
            .client
            .post(server.url("/api/v1/bank/statements?source=today.ofx"))
            .bearer_auth(&admin)
            .body(body)
            .send()
    };
    let door = "/verify?token=aa000004&thing=DOOR-0001";
    assert_eq!(device(&server, door).await["access"], 0, "not yet a member");

    let statement = ofx_statement(&[
        ("F1", "30.00", "NINA NEWCOMER", "SMO004 BGC"),
        ("F2", "5.00", "A STRANGER", "THANKS"),
    ]);
    let response = upload(statement.clone()).await.unwrap();
    assert_eq!(response.status(), 201);
    let summary: Value = response.json().await.unwrap();
    assert_eq!(
        (
            summary["body"]["credited"].clone(),
            summary["body"]["unmatched"].clone()
        ),
        (json!(1), json!(1))
    );
    let again: Value = upload(statement).await.unwrap().json().await.unwrap();
    assert_eq!(
        again["body"]["new_lines"], 0,
        "the same statement adds nothing"
    );
    let broken = upload(ofx_statement(&[("F3", "3O.00", "X", "SM0004")]))
        .await
        .unwrap();
    assert_eq!(broken.status(), 400);
    let error: Value = broken.json().await.unwrap();
    assert!(error["error"].as_str().unwrap().contains("line"), "{error}");

    let unmatched: Value = server
        .client
        .get(server.url("/api/v1/bank/unmatched"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let credits = unmatched["body"].as_array().unwrap();
    assert_eq!(credits.len(), 1);
    assert_eq!(credits[0]["amount_p"], 500);

    let run: Value = server
        .client
        .post(server.url("/api/v1/payments/run"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(run["body"]["payments"], 1, "{run}");
    assert_eq!(run["body"]["stale_feed"], false);
    assert_eq!(
        device(&server, door).await["access"],
        1,
        "the first payment opens the door"
    );
    let second: Value = server
        .client
        .post(server.url("/api/v1/payments/run"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        second["body"]["payments"], 0,
        "a second run the same day changes nothing"
    );

    let id = credits[0]["id"].as_i64().unwrap();
    let assign = |person: i64| {
        server
            .client
            .post(server.url(&format!("/api/v1/bank/unmatched/{id}")))
            .bearer_auth(&admin)
            .json(&json!({"person": person}))
            .send()
    };
    assert_eq!(assign(99).await.unwrap().status(), 404);
    let assigned: Value = assign(1).await.unwrap().json().await.unwrap();
    assert_eq!(assigned["body"]["balance_p"], 1500);
    assert_eq!(assign(1).await.unwrap().status(), 409);

    let outbox: Value = server
        .client
        .get(server.url("/api/v1/outbox"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        outbox["body"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "first_payment"),
        "{outbox}"
    );
    server.stop().await;
}

async fn the_door_beeps_when_the_last_payment_is_below_the_dues(db: TestDatabase) {
    let server = started(db, json!({})).await;
    for _ in 0..2 {
        let reply = device(&server, "/verify?token=aa000005&thing=DOOR-0001").await;
        assert_eq!(
            (reply["access"].clone(), reply["beep"].clone()),
            (json!(1), json!(1))
        );
        assert_eq!(reply["message"], "Fees have changed.  Check email.");
    }
    let fees = kinds(&*server.store)
        .await
        .into_iter()
        .filter(|k| k == "membership_fees_change")
        .count();
    assert_eq!(fees, 1, "the fee email is written once");
    let paula = device(&server, "/verify?token=aa000001&thing=DOOR-0001").await;
    assert_eq!(paula["beep"], 0);
    assert!(paula.get("message").is_none());
    server.stop().await;
}

async fn member_email_goes_through_smtp(db: TestDatabase) {
    let mut smtp = SmtpListener::start(0).await;
    let config = json!({"email": {"from": "Test Space <info@example.org>", "space_name": "Test Space",
                                  "smtp": {"host": "127.0.0.1", "port": smtp.port, "security": "none"}}});
    let server = started(db, config).await;
    let admin = server.token("treasurer", &["admin"]).await;
    let response = server
        .client
        .get(server.url("/nudge_member/3"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let email = smtp.next(20).await;
    assert_eq!(email.to, ["<larry@example.org>"]);
    assert_eq!(email.from, "<info@example.org>");
    assert!(
        email
            .data
            .contains("Subject: Your Test Space membership has run out"),
        "{}",
        email.data
    );
    assert!(email.data.contains("multipart/alternative"));
    server.stop().await;
}

async fn a_busy_relay_is_retried_and_nothing_is_sent_twice(db: TestDatabase) {
    let store = db.open().await;
    let file = offimic_spacefile::parse(&space().to_string()).unwrap();
    store
        .import_space(offimic_store::space_resolver(
            file,
            &["admin"],
            Timestamp::now(),
        ))
        .await
        .unwrap();
    let mut smtp = SmtpListener::start(1).await;
    let config: EmailConfig = serde_json::from_value(json!({
        "from": "info@example.org", "max_attempts": 3,
        "smtp": {"host": "127.0.0.1", "port": smtp.port, "security": "none"}
    }))
    .unwrap();
    let mailer = Mailer::new(&config).unwrap();
    let email = ComposedEmail {
        subject: "Hello".into(),
        plain_text: "Hi Paula\n".into(),
        html: Some("<p>Hi</p>".into()),
    };
    store
        .queue_email(Some(1), "welcome", &email, false, Timestamp::now())
        .await
        .unwrap();
    store
        .queue_email(Some(1), "other", &email, false, Timestamp::now())
        .await
        .unwrap();
    let now = Timestamp::now();

    let first = mailer.deliver_due(&*store, now).await.unwrap();
    assert_eq!(
        (first.sent, first.retried),
        (1, 1),
        "the refused connection is retried, the next one sends"
    );
    let retried = store
        .outbox(10)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.status == "unsent")
        .unwrap();
    assert!(
        retried.last_error.as_deref().unwrap_or("").contains("421"),
        "{retried:?}"
    );
    assert_eq!(
        mailer.deliver_due(&*store, now).await.unwrap().sent,
        0,
        "not before the backoff"
    );
    let later = mailer
        .deliver_due(&*store, now + SignedDuration::from_secs(61))
        .await
        .unwrap();
    assert_eq!(later.sent, 1);
    assert_eq!(
        mailer
            .deliver_due(&*store, now + SignedDuration::from_hours(9))
            .await
            .unwrap()
            .sent,
        0
    );
    let (a, b) = (smtp.next(5).await, smtp.next(5).await);
    assert_eq!(a.to, ["<paula@example.org>"]);
    assert!(b.data.contains("Subject: Hello"));
    assert!(
        smtp.messages.try_recv().is_err(),
        "each email was sent once"
    );
    assert!(
        store
            .outbox(10)
            .await
            .unwrap()
            .iter()
            .all(|e| e.status == "sent")
    );

    // Someone without an address: given up at once, with the reason.
    store
        .queue_email(None, "report", &email, false, now)
        .await
        .unwrap();
    let report = mailer.deliver_due(&*store, now).await.unwrap();
    assert_eq!(report.failed, 1);
    let failed = store.outbox(1).await.unwrap().remove(0);
    assert_eq!(failed.status, "failed");
    assert!(failed.last_error.unwrap().contains("directors"));
}

on_both_backends!(
    the_payments_app_spends_down_to_the_floor,
    the_payments_app_key_is_mailed_to_valid_members,
    admin_endpoints_need_an_admin_and_answer_as_the_original,
    a_statement_upload_and_the_run_open_the_door,
    the_door_beeps_when_the_last_payment_is_below_the_dues,
    member_email_goes_through_smtp,
    a_busy_relay_is_retried_and_nothing_is_sent_twice,
);
