//! The admin console's forms over HTTP (the browser test walks the pages; this one covers every
//! change they make): tokens, inductions and details of a person, things, groups, devices with
//! a key shown once, assigning a bank credit, and the filtered logs. Members who are not admins
//! are refused.

use jiff::{SignedDuration, Timestamp};
use offimic_store::{BankLine, StatementImport, api_token_hash};
use offimic_testkit::{TestDatabase, on_both_backends};
use serde_json::json;

use crate::harness::TestServer;

/// A session for `person` and a CSRF token, as cookies and the form value.
async fn session(server: &TestServer, person: i64) -> (String, String) {
    let token = format!("{person:064}");
    let now = Timestamp::now();
    server
        .store
        .create_session(
            &api_token_hash(&token),
            person,
            now,
            now + SignedDuration::from_hours(1),
        )
        .await
        .unwrap();
    let csrf = "c".repeat(64);
    (
        format!("offimic_session={token}; offimic_csrf={csrf}"),
        csrf,
    )
}

async fn post(
    server: &TestServer,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String) {
    let response = server
        .client
        .post(server.url(path))
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn the_console_changes_what_admins_ask_and_nothing_for_others(db: TestDatabase) {
    let server = TestServer::start(db, json!({})).await;
    server
        .import(json!({
            "tiers": [{"id": 3, "name": "Standard", "price_p": 3000}],
            "things": [{"id": "DOOR", "name": "The Door"}],
            "people": [{"id": 1, "name": "Ada Admin", "email": "ada@example.org"},
                       {"id": 2, "name": "Bob Member", "email": "bob@example.org", "tier": 3}]
        }))
        .await;
    server
        .store
        .make_admin("ada@example.org", Timestamp::now())
        .await
        .unwrap();
    let (admin, csrf) = session(&server, 1).await;
    let (member, member_csrf) = session(&server, 2).await;

    let (status, page) = post(
        &server,
        &member,
        "/admin/things",
        &[("csrf", &member_csrf), ("op", "create"), ("name", "Lathe")],
    )
    .await;
    assert_eq!(status, 403, "{page}");
    let (status, _) = post(
        &server,
        &admin,
        "/admin/things",
        &[("op", "create"), ("name", "Lathe")],
    )
    .await;
    assert_eq!(status, 403, "no CSRF token");

    let manage = "/admin/people/2/manage";
    let (status, page) = post(
        &server,
        &admin,
        manage,
        &[
            ("csrf", &csrf),
            ("op", "add_token"),
            ("token", "aabbccdd"),
            ("type", "card"),
        ],
    )
    .await;
    assert!(
        status == 200 && page.contains("Token aabbccdd added."),
        "{page}"
    );
    let (_, page) = post(
        &server,
        &admin,
        manage,
        &[
            ("csrf", &csrf),
            ("op", "add_token"),
            ("token", "aabbccdd"),
            ("type", "card"),
        ],
    )
    .await;
    assert!(page.contains("already in use"), "{page}");
    let (_, page) = post(
        &server,
        &admin,
        manage,
        &[
            ("csrf", &csrf),
            ("op", "add_induction"),
            ("thing", "DOOR"),
            ("inductor", "1"),
        ],
    )
    .await;
    assert!(page.contains("Induction added."), "{page}");
    let (_, page) = post(
        &server,
        &admin,
        manage,
        &[
            ("csrf", &csrf),
            ("op", "details"),
            ("name", "Robert Member"),
            ("email", "bob@example.org"),
            ("tier", "3"),
            ("concession", "student"),
        ],
    )
    .await;
    assert!(page.contains("Details saved."), "{page}");
    let (status, page) = post(
        &server,
        &admin,
        manage,
        &[
            ("csrf", &csrf),
            ("op", "details"),
            ("name", ""),
            ("tier", "99"),
        ],
    )
    .await;
    assert_eq!(status, 400, "{page}");
    let space = server.store.export_space().await.unwrap();
    let bob = space.people.iter().find(|p| p.id == 2).unwrap();
    assert_eq!(
        (bob.name.as_str(), bob.concession.as_str(), bob.tokens.len()),
        ("Robert Member", "student", 1)
    );
    let door = space.allowed.iter().find(|a| a.person == 2).unwrap();
    assert!(door.inductor && !door.pending && door.inducted_by == Some(1));

    let (_, page) = post(
        &server,
        &admin,
        "/admin/things",
        &[
            ("csrf", &csrf),
            ("op", "create"),
            ("name", "Lathe"),
            ("requires_induction", "1"),
        ],
    )
    .await;
    assert!(page.contains("Thing added."), "{page}");
    let (_, page) = post(
        &server,
        &admin,
        "/admin/groups",
        &[
            ("csrf", &csrf),
            ("op", "grant"),
            ("group", "woodwork"),
            ("thing", "Lathe"),
        ],
    )
    .await;
    assert!(page.contains("Granted."), "{page}");
    let (_, page) = post(
        &server,
        &admin,
        "/admin/groups",
        &[
            ("csrf", &csrf),
            ("op", "member"),
            ("group", "woodwork"),
            ("person", "2"),
        ],
    )
    .await;
    assert!(page.contains("Member added."), "{page}");
    let (_, page) = post(
        &server,
        &admin,
        "/admin/devices",
        &[
            ("csrf", &csrf),
            ("op", "create"),
            ("name", "lathe-controller"),
            ("things", "Lathe"),
        ],
    )
    .await;
    let key = page
        .split("shown only now: ")
        .nth(1)
        .unwrap()
        .get(..32)
        .unwrap()
        .to_owned();
    let device = server
        .store
        .hive_device("lathe-controller")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        hex::encode(device.key),
        key,
        "the key shown is the device's key"
    );
    let (_, page) = post(
        &server,
        &admin,
        "/admin/devices",
        &[
            ("csrf", &csrf),
            ("op", "rotate"),
            ("name", "lathe-controller"),
        ],
    )
    .await;
    assert!(!page.contains(&key), "a new key");

    let credit = BankLine {
        dedupe_key: "x".into(),
        bank_id: None,
        posted: Timestamp::now(),
        amount_p: 1200,
        text: "CASH".into(),
        member: None,
    };
    let statement = StatementImport {
        source: "s.ofx".into(),
        format: "OFX".into(),
        lines: vec![credit],
        at: Timestamp::now(),
    };
    server.store.import_statement(&statement).await.unwrap();
    let id = server.store.unmatched_credits().await.unwrap()[0]
        .id
        .to_string();
    let (_, page) = post(
        &server,
        &admin,
        "/admin/money",
        &[
            ("csrf", &csrf),
            ("op", "assign"),
            ("credit", &id),
            ("person", "2"),
        ],
    )
    .await;
    assert!(page.contains("(now £12.00)"), "{page}");
    assert_eq!(server.store.balance(2).await.unwrap(), 1200);

    let (_, page) = post(
        &server,
        &admin,
        "/admin/occupancy",
        &[("csrf", &csrf), ("op", "count"), ("count", "4")],
    )
    .await;
    assert!(
        page.contains("Recorded 4 people; no devices were measured just now"),
        "{page}"
    );
    let pseudonym = "ab".repeat(32);
    let (_, page) = post(
        &server,
        &admin,
        "/admin/occupancy",
        &[("csrf", &csrf), ("op", "ignore"), ("pseudonym", &pseudonym)],
    )
    .await;
    assert!(
        page.contains("Ignored; 0 stored counts corrected."),
        "{page}"
    );
    assert_eq!(server.store.ignored_devices().await.unwrap().len(), 1);
    let (_, page) = post(
        &server,
        &admin,
        "/admin/occupancy",
        &[("csrf", &csrf), ("op", "ignore"), ("pseudonym", "printer")],
    )
    .await;
    assert!(page.contains("pseudonym: "), "{page}");
    let person = server
        .client
        .get(server.url("/admin/people/2"))
        .header("cookie", &admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        person.contains("Payments") && person.contains("Bank transfer"),
        "{person}"
    );

    for path in [
        "/admin/occupancy",
        "/admin/logs?person=2&outcome=refused",
        "/admin/things",
        "/admin/groups",
        "/admin/devices",
        "/admin/money",
        "/admin/outbox",
        "/admin/audit",
        "/admin/people/2/manage",
    ] {
        let response = server
            .client
            .get(server.url(path))
            .header("cookie", &admin)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
    }
    server.stop().await;
}

on_both_backends!(the_console_changes_what_admins_ask_and_nothing_for_others);
