//! Web and analysis storage behaves the same on every backend: registration in one
//! transaction, single-use login and confirmation links, sessions that end with the person,
//! admins and the audit log, people search; and the measurements, sightings and head counts
//! occupancy analysis reads.

use jiff::{SignedDuration, Timestamp};
use offimic_occupancy::{ScanReport, slot_start};
use offimic_spacefile::parse;
use offimic_store::{Calibration, ProfileEdit, Registration, Store, space_resolver};
use offimic_testkit::{TestDatabase, on_both_backends};
use serde_json::json;

fn now() -> Timestamp {
    "2026-11-20T10:00:00Z".parse().unwrap()
}

async fn open(db: &TestDatabase) -> std::sync::Arc<dyn Store> {
    let store = db.open().await;
    let space = json!({
        "tiers": [{"id": 3, "name": "Standard", "price_p": 3000}],
        "things": [{"id": "DOOR", "name": "The Door"}, {"id": "HS", "name": "Health and Safety Policy"}],
        "people": [{"id": 1, "name": "Ada Admin", "email": "Ada@Example.org", "tier": 3}]
    });
    store
        .import_space(space_resolver(
            parse(&space.to_string()).unwrap(),
            &["admin"],
            now(),
        ))
        .await
        .unwrap();
    store
}

fn newcomer() -> Registration {
    Registration {
        name: "Nina Newcomer".into(),
        email: Some("nina@example.org".into()),
        address: "2 Maker Street".into(),
        dob: Some("1991-06".into()),
        tier_id: Some(3),
        concession: String::new(),
        payment_override_p: None,
        door_colour: "green".into(),
        opt_in: true,
        how_found_us: Some("openday".into()),
        voucher_code: None,
        github_user: Some("nina".into()),
        plate: Some("AB12CDE".into()),
        parent_id: None,
        guide_accepted_at: Some(now()),
        safety_accepted_at: now(),
        at: now(),
        door: "The Door".into(),
        safety_thing: "Health and Safety Policy".into(),
    }
}

async fn registration_logins_sessions_and_the_audit_log(db: TestDatabase) {
    let store = open(&db).await;
    assert!(
        store.email_taken("ada@example.ORG").await.unwrap(),
        "case-insensitive"
    );
    let nina = store.register(&newcomer()).await.unwrap();
    assert!(nina > 1);
    assert!(
        matches!(
            store.register(&newcomer()).await,
            Err(offimic_store::StoreError::Conflict(_))
        ),
        "one address, one person"
    );
    let facts = store.decision_facts("none", "DOOR").await.unwrap();
    assert!(facts.holders.is_empty());
    let exported = store.export_space().await.unwrap();
    let inductions: Vec<_> = exported
        .allowed
        .iter()
        .filter(|a| a.person == nina)
        .collect();
    assert_eq!(inductions.len(), 2);
    assert!(inductions.iter().any(|a| a.thing == "DOOR" && a.pending));
    assert!(inductions.iter().any(|a| a.thing == "HS" && !a.pending));

    assert_eq!(
        store.login_candidate("NINA@example.org").await.unwrap(),
        Some((nina, "Nina Newcomer".into()))
    );
    let later = now() + SignedDuration::from_mins(15);
    store
        .create_login_link("hash-1", nina, now(), later)
        .await
        .unwrap();
    assert_eq!(
        store.use_login_link("hash-1", now()).await.unwrap(),
        Some(nina)
    );
    assert_eq!(
        store.use_login_link("hash-1", now()).await.unwrap(),
        None,
        "single use"
    );
    store
        .create_login_link("hash-2", nina, now(), later)
        .await
        .unwrap();
    assert_eq!(
        store.use_login_link("hash-2", later).await.unwrap(),
        None,
        "expired"
    );

    store
        .create_email_confirmation("confirm-1", nina, now())
        .await
        .unwrap();
    assert_eq!(
        store
            .use_email_confirmation("confirm-1", now())
            .await
            .unwrap(),
        Some(nina)
    );
    assert_eq!(
        store
            .use_email_confirmation("confirm-1", now())
            .await
            .unwrap(),
        None
    );

    store
        .create_session("session-1", nina, now(), later)
        .await
        .unwrap();
    assert_eq!(
        store.session_person("session-1", now()).await.unwrap(),
        Some(nina)
    );
    assert_eq!(
        store.session_person("session-1", later).await.unwrap(),
        None
    );
    store
        .edit_profile(
            nina,
            &ProfileEdit {
                name: "Nina N".into(),
                address: "3 Maker Street".into(),
                opt_in: false,
                door_colour: "blue".into(),
                payment_override_p: Some(4000),
            },
        )
        .await
        .unwrap();
    let found = store.search_people("nina n", now(), 10).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].tier.as_deref(), Some("Standard"));
    assert_eq!(
        store
            .search_people(&nina.to_string(), now(), 10)
            .await
            .unwrap()[0]
            .id,
        nina
    );
    assert!(
        store
            .search_people("100%", now(), 10)
            .await
            .unwrap()
            .is_empty()
    );

    assert_eq!(
        store.make_admin("ada@example.org", now()).await.unwrap(),
        Some(1)
    );
    assert_eq!(
        store.make_admin("nobody@example.org", now()).await.unwrap(),
        None
    );
    assert!(store.is_admin(1).await.unwrap() && !store.is_admin(nina).await.unwrap());
    store
        .audit(1, "showed personal data", Some(nina), now())
        .await
        .unwrap();
    store.delete_person(nina).await.unwrap();
    let audit = store.audit_log(10).await.unwrap();
    assert_eq!(
        (audit[0].admin_name.as_str(), audit[0].subject),
        ("Ada Admin", Some(nina)),
        "kept after the deletion"
    );
    assert_eq!(
        store.session_person("session-1", now()).await.unwrap(),
        None,
        "sessions go with the person"
    );
}

async fn analysis_reads_measurements_sightings_and_head_counts(db: TestDatabase) {
    let store = open(&db).await;
    let slot = slot_start(now());
    let report: ScanReport = serde_json::from_value(json!({
        "slot": slot.to_string(), "scanned_at": (slot + SignedDuration::from_secs(5)).to_string(),
        "status": "ok", "devices": [
            {"pseudonym": "a".repeat(64), "local": false},
            {"pseudonym": "b".repeat(64), "local": true}
        ]
    }))
    .unwrap();
    let scan = report.validate(100, now()).unwrap();
    store.record_scan("agent", &scan).await.unwrap();
    store
        .record_count(slot + SignedDuration::from_mins(10), 7)
        .await
        .unwrap();
    let from = slot - SignedDuration::from_hours(1);
    let to = slot + SignedDuration::from_hours(1);
    let measured = store.measurements(from, to).await.unwrap();
    assert_eq!(measured.len(), 2);
    assert!(measured[0].scanned && measured[0].count == Some(2));
    assert!(!measured[1].scanned && measured[1].count == Some(7));
    let seen = store.sightings(from, to).await.unwrap();
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().any(|s| s.local) && seen.iter().all(|s| s.slot == slot));

    store
        .add_calibration(&Calibration {
            at: slot,
            people: 1,
            devices: Some(2),
        })
        .await
        .unwrap();
    store
        .add_calibration(&Calibration {
            at: now(),
            people: 3,
            devices: None,
        })
        .await
        .unwrap();
    let counts = store.calibrations().await.unwrap();
    assert_eq!(counts.len(), 2);
    assert_eq!(counts[0].devices, Some(2));
}

on_both_backends!(
    registration_logins_sessions_and_the_audit_log,
    analysis_reads_measurements_sightings_and_head_counts,
);
