//! Access storage behaves the same on every backend: the space file in and out, decision facts,
//! rosters, the logs, and the changes devices make.

use jiff::Timestamp;
use offimic_access::{Clock, HolidayCalendar, Outcome, decide};
use offimic_spacefile::{parse, render};
use offimic_store::{
    DecisionLog, ImportFailure, Store, TokenAssignment, UsageUpdate, space_resolver,
};
use offimic_testkit::{TestDatabase, on_both_backends};
use serde_json::json;

const SCOPES: &[&str] = &["measure", "admin", "device"];

fn now() -> Timestamp {
    "2026-11-20T10:00:00Z".parse().unwrap()
}

fn space() -> serde_json::Value {
    json!({
        "tiers": [
            {"id": 1, "name": "Full", "price_p": 2500},
            {"id": 2, "name": "Weekender", "price_p": 1500, "restrictions": {"times": [{"from": "6:00:00", "to": "7:23:59"}]}},
            {"id": 6, "name": "Donation Only", "price_p": 0, "concessions_allowed": false, "donor": true}
        ],
        "things": [
            {"id": "DOOR-1", "name": "The Door", "assigned_ip": "127.0.0.1"},
            {"id": "HS-1", "name": "Health and Safety Policy"},
            {"id": "LASER-1", "name": "Laser", "requires": ["Health and Safety Policy"], "lone_working_allowed": false},
            {"name": "main_door", "display_name": "Main door"}
        ],
        "groups": [{"name": "members", "things": ["main_door"]}],
        "people": [
            {"id": 1, "name": "Alice Example", "email": "alice@example.org", "dob": "1990-01", "tier": 1,
             "created": "2025-01-05T10:00:00Z",
             "tokens": [{"id": "aa11bb22", "type": "Card"}, {"id": "1052895", "type": "badge"}],
             "login_tokens": ["LT-A"], "groups": ["members"],
             "payments": [{"paid_on": "2026-11-01T10:00:00Z", "expires_on": "2026-12-15T10:00:00Z", "amount_p": 2500}],
             "transactions": [{"added_on": "2026-10-30T09:00:00Z", "amount_p": 1000, "reason": "Imported"}],
             "vend_credits": 5},
            {"id": 2, "name": "Bob Child", "parent": 1, "created": "2025-02-01T00:00:00Z", "tokens": [{"id": "cc33dd44"}]},
            {"id": 3, "name": "Dana Donor", "tier": 6, "created": "2025-03-01T00:00:00Z", "tokens": [{"id": "ee55ff66"}],
             "payments": [{"paid_on": "2026-11-01T10:00:00Z", "expires_on": "2026-12-15T10:00:00Z", "amount_p": 0}]}
        ],
        "allowed": [
            {"person": 1, "thing": "The Door"},
            {"person": 1, "thing": "Laser", "inductor": true},
            {"person": 2, "thing": "The Door", "pending": true, "inducted_by": 1},
            {"person": 3, "thing": "The Door"}
        ],
        "devices": [
            {"name": "door1", "key": "AAAAAAAAAAAAAAAA", "min_version": 1, "max_version": 2,
             "nonce_hex": "00112233445566778899AABBCCDDEEFF", "things": ["main_door"]}
        ],
        "soda_slots": [{"slot": 1, "name": "Cola"}],
        "api_tokens": [{"name": "agent", "token": "change-me-long-random", "scopes": ["measure"]}]
    })
}

async fn import(
    store: &dyn Store,
    document: serde_json::Value,
) -> Result<offimic_store::ImportSummary, ImportFailure> {
    let file = parse(&document.to_string()).map_err(ImportFailure::Invalid)?;
    store
        .import_space(space_resolver(file, SCOPES, now()))
        .await
}

fn ask(store_facts: &offimic_access::Facts, token: &str, thing: &str) -> offimic_access::Decision {
    let tz = jiff::tz::TimeZone::UTC;
    let holidays = HolidayCalendar::default();
    decide(
        token,
        thing,
        store_facts,
        &Clock {
            now: now(),
            tz: &tz,
            holidays: &holidays,
        },
    )
}

async fn export_import_export_is_stable(db: TestDatabase) {
    let store = db.open().await;
    let summary = import(&*store, space()).await.unwrap();
    assert_eq!((summary.people, summary.things, summary.devices), (3, 4, 1));
    let first = store.export_space().await.unwrap();
    let main_door = first.things.iter().find(|t| t.name == "main_door").unwrap();
    assert_eq!(
        main_door.id.as_ref().unwrap().len(),
        36,
        "a thing without an id gets a UUID"
    );
    assert_eq!(
        first.api_tokens[0].token_sha256.as_deref(),
        Some(offimic_store::api_token_hash("change-me-long-random").as_str())
    );

    let other = TestDatabase::sqlite();
    let fresh = other.open().await;
    let rendered = render(&first);
    fresh
        .import_space(space_resolver(parse(&rendered).unwrap(), SCOPES, now()))
        .await
        .unwrap();
    let second = fresh.export_space().await.unwrap();
    assert_eq!(
        render(&second),
        rendered,
        "export → import → export gives the same document"
    );

    // Importing the same file again changes nothing.
    store
        .import_space(space_resolver(parse(&rendered).unwrap(), SCOPES, now()))
        .await
        .unwrap();
    assert_eq!(render(&store.export_space().await.unwrap()), rendered);
}

async fn import_is_all_or_nothing_and_upserts(db: TestDatabase) {
    let store = db.open().await;
    import(&*store, space()).await.unwrap();
    let before = render(&store.export_space().await.unwrap());

    let mut broken = space();
    broken["people"][0]["name"] = json!("Alice Changed");
    broken["allowed"][1]["thing"] = json!("Nonexistent");
    let error = import(&*store, broken).await.unwrap_err();
    assert!(
        matches!(&error, ImportFailure::Invalid(e) if e.path == "allowed[1].thing"),
        "{error}"
    );
    assert_eq!(
        render(&store.export_space().await.unwrap()),
        before,
        "nothing was written"
    );

    let update =
        json!({"people": [{"id": 1, "name": "Alice Updated", "tokens": [{"id": "new-token"}]}]});
    import(&*store, update).await.unwrap();
    let after = store.export_space().await.unwrap();
    let alice = after.people.iter().find(|p| p.id == 1).unwrap();
    assert_eq!(alice.name, "Alice Updated");
    assert_eq!(
        alice.tokens.len(),
        3,
        "tokens not in the file are left alone"
    );
    assert_eq!(
        after.people.len(),
        3,
        "people not in the file are left alone"
    );

    let clash = json!({"people": [{"id": 10, "name": "X", "telegram_chatid": 5}, {"id": 11, "name": "Y", "telegram_chatid": 5}]});
    assert!(matches!(
        import(&*store, clash).await.unwrap_err(),
        ImportFailure::Invalid(_)
    ));
}

async fn facts_load_what_decisions_need(db: TestDatabase) {
    let store = db.open().await;
    import(&*store, space()).await.unwrap();
    let facts = store.decision_facts("aa11bb22", "DOOR-1").await.unwrap();
    assert_eq!(facts.holders.len(), 1);
    assert!(ask(&facts, "aa11bb22", "DOOR-1").is_granted());

    let laser = store.decision_facts("aa11bb22", "LASER-1").await.unwrap();
    assert_eq!(
        laser.things.len(),
        2,
        "the prerequisite is loaded with the thing"
    );
    assert_eq!(ask(&laser, "aa11bb22", "LASER-1").reason(), "prerequisite");

    let main_door = store
        .export_space()
        .await
        .unwrap()
        .things
        .into_iter()
        .find(|t| t.name == "main_door")
        .unwrap()
        .id
        .unwrap();
    let by_group = store.decision_facts("1052895", &main_door).await.unwrap();
    assert!(matches!(
        ask(&by_group, "1052895", &main_door).outcome,
        Outcome::Granted {
            inductor: false,
            ..
        }
    ));

    let child = store.decision_facts("cc33dd44", "DOOR-1").await.unwrap();
    assert_eq!(
        child.holders[0].parent.as_ref().unwrap().payments.len(),
        1,
        "a child carries its parent's membership"
    );
    assert_eq!(
        ask(&child, "cc33dd44", "DOOR-1").reason(),
        "induction_pending"
    );
    assert_eq!(
        ask(
            &store.decision_facts("ee55ff66", "DOOR-1").await.unwrap(),
            "ee55ff66",
            "DOOR-1"
        )
        .reason(),
        "donor"
    );
    assert_eq!(
        ask(
            &store.decision_facts("nobody", "DOOR-1").await.unwrap(),
            "nobody",
            "DOOR-1"
        )
        .reason(),
        "unknown_token"
    );
    assert_eq!(
        ask(
            &store.decision_facts("aa11bb22", "NOPE").await.unwrap(),
            "aa11bb22",
            "NOPE"
        )
        .reason(),
        "unknown_thing"
    );
}

async fn rosters_hold_everyone_who_could_come_in(db: TestDatabase) {
    let store = db.open().await;
    import(&*store, space()).await.unwrap();
    let roster = store.thing_roster("DOOR-1").await.unwrap();
    let ids: Vec<i64> = roster.members.iter().map(|(m, _)| m.id).collect();
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(
        roster.tokens(),
        ["1052895", "aa11bb22", "cc33dd44", "ee55ff66"]
    );
    let granted: Vec<String> = roster
        .tokens()
        .into_iter()
        .filter(|t| ask(&roster.facts_for(t), t, "DOOR-1").is_granted())
        .collect();
    assert_eq!(granted, ["1052895", "aa11bb22"]);
    // A token shared with someone outside the roster still counts as reused when both stand on the thing.
    import(&*store, json!({"people": [{"id": 9, "name": "Eve", "tokens": [{"id": "aa11bb22"}]}], "allowed": [{"person": 9, "thing": "DOOR-1"}]})).await.unwrap();
    let roster = store.thing_roster("DOOR-1").await.unwrap();
    assert_eq!(
        ask(&roster.facts_for("aa11bb22"), "aa11bb22", "DOOR-1").reason(),
        "token_reused"
    );
}

async fn logs_inductions_and_tokens(db: TestDatabase) {
    let store = db.open().await;
    import(&*store, space()).await.unwrap();
    for granted in [true, false] {
        store
            .log_decision(&DecisionLog {
                at: now(),
                protocol: "swindon".into(),
                thing: "DOOR-1".into(),
                token: "aa11bb22".into(),
                person: Some(1),
                granted,
                reason: if granted {
                    "granted".into()
                } else {
                    "membership_expired".into()
                },
                message: String::new(),
            })
            .await
            .unwrap();
    }
    let recent = store.recent_decisions(Some(1), 10).await.unwrap();
    assert_eq!(recent.len(), 2);
    assert_eq!(recent[0].reason, "membership_expired", "newest first");
    assert!(
        store
            .recent_decisions(Some(2), 10)
            .await
            .unwrap()
            .is_empty()
    );

    // Two writes in the same second on the same thing are both kept.
    store
        .log_usage(Some(1), "DOOR-1", "aa11bb22", true, now())
        .await
        .unwrap();
    store
        .log_usage(Some(1), "DOOR-1", "aa11bb22", false, now())
        .await
        .unwrap();
    store
        .log_message("DOOR-1", "Door Booted", "10.0.0.1", now())
        .await
        .unwrap();
    store
        .log_message("DOOR-1", "Door Booted", "10.0.0.1", now())
        .await
        .unwrap();
    let usage = UsageUpdate {
        person: 1,
        thing: "LASER-1".into(),
        token: "aa11bb22".into(),
        active_time: 0,
        running: true,
        at: now(),
    };
    store.update_tool_usage(&usage).await.unwrap();
    store
        .update_tool_usage(&UsageUpdate {
            active_time: 300,
            ..usage.clone()
        })
        .await
        .unwrap();
    store
        .update_tool_usage(&UsageUpdate {
            active_time: 310,
            running: false,
            ..usage
        })
        .await
        .unwrap();

    assert!(
        store.induct(3, "LASER-1", 1, now()).await.unwrap(),
        "a new induction waits"
    );
    assert!(
        store.induct(3, "LASER-1", 1, now()).await.unwrap(),
        "inducting again leaves it as it is, still waiting"
    );
    assert!(
        !store.induct(1, "DOOR-1", 1, now()).await.unwrap(),
        "a confirmed induction stays confirmed"
    );
    assert!(store.is_controller_address("127.0.0.1").await.unwrap());
    assert!(!store.is_controller_address("10.1.2.3").await.unwrap());
    let allowed = store.export_space().await.unwrap().allowed;
    assert!(
        allowed.iter().any(|a| a.person == 3
            && a.thing == "LASER-1"
            && a.pending
            && a.inducted_by == Some(1))
    );

    assert_eq!(
        store.assign_token(2, "aa11bb22", "Card").await.unwrap(),
        TokenAssignment::TokenInUse
    );
    assert_eq!(
        store.assign_token(99, "fresh", "Card").await.unwrap(),
        TokenAssignment::NoSuchPerson
    );
    assert_eq!(
        store
            .assign_token(2, "fresh", "Black Keyring")
            .await
            .unwrap(),
        TokenAssignment::Assigned {
            name: "Bob Child".into(),
            tokens: 2
        }
    );
    assert_eq!(
        store.token_holders("fresh").await.unwrap(),
        [(2, "Bob Child".into())]
    );
    assert_eq!(
        store
            .find_thing("DOOR-1")
            .await
            .unwrap()
            .unwrap()
            .assigned_ip
            .as_deref(),
        Some("127.0.0.1")
    );
    assert!(store.find_thing("nope").await.unwrap().is_none());
}

async fn deletes_and_new_ids(db: TestDatabase) {
    let store = db.open().await;
    import(&*store, space()).await.unwrap();
    let reserved = store.reserve_person("Fresh", now()).await.unwrap();
    assert!(reserved > 3, "a fresh id after the imported ones");
    assert!(store.delete_person(reserved).await.unwrap());
    assert!(store.delete_token(1, "1052895").await.unwrap());
    assert!(!store.delete_token(1, "1052895").await.unwrap());
    assert!(store.delete_induction(1, "LASER-1").await.unwrap());
    assert!(
        store
            .set_device_key("door1", b"0123456789abcdef")
            .await
            .unwrap()
    );
    assert!(!store.set_device_key("nope", b"x").await.unwrap());
    assert!(store.delete_device("door1").await.unwrap());
    assert!(store.delete_group("members").await.unwrap());
    assert!(store.delete_thing("LASER-1").await.unwrap());
    assert!(store.delete_person(1).await.unwrap());
    let left = store.export_space().await.unwrap();
    assert_eq!(
        left.people.iter().map(|p| p.id).collect::<Vec<_>>(),
        [3],
        "deleting a parent deletes the child"
    );
    assert!(left.devices.is_empty() && left.groups.is_empty());
    // After an import with explicit ids, new people get fresh ids on every backend.
    import(&*store, json!({"people": [{"id": 40, "name": "Late"}]}))
        .await
        .unwrap();
    assert_eq!(store.reserve_person("Next", now()).await.unwrap(), 41);
}

async fn every_change_to_decision_data_bumps_the_access_version(db: TestDatabase) {
    let store = db.open().await;
    let mut last = store.access_version().await.unwrap();
    let mut bumped = |now: i64, what: &str| {
        assert!(now > last, "{what} must bump the access version");
        last = now;
    };
    import(&*store, space()).await.unwrap();
    bumped(store.access_version().await.unwrap(), "an import");
    store.induct(3, "LASER-1", 1, now()).await.unwrap();
    bumped(store.access_version().await.unwrap(), "an induction");
    store.assign_token(3, "new-token", "Card").await.unwrap();
    bumped(store.access_version().await.unwrap(), "a new token");
    store.remove_group_member("members", 1).await.unwrap();
    bumped(store.access_version().await.unwrap(), "leaving a group");
    let unchanged = store.access_version().await.unwrap();
    store
        .log_usage(Some(1), "DOOR-1", "aa11bb22", true, now())
        .await
        .unwrap();
    store
        .queue_communication(&offimic_store::NewCommunication {
            person: 1,
            kind: "x".into(),
            subject: "s".into(),
            plain_text: "t".into(),
            html: None,
            at: now(),
        })
        .await
        .unwrap();
    assert_eq!(
        store.access_version().await.unwrap(),
        unchanged,
        "logs and emails do not invalidate facts"
    );
}

on_both_backends!(
    every_change_to_decision_data_bumps_the_access_version,
    export_import_export_is_stable,
    import_is_all_or_nothing_and_upserts,
    facts_load_what_decisions_need,
    rosters_hold_everyone_who_could_come_in,
    logs_inductions_and_tokens,
    deletes_and_new_ids,
);
