//! Occupancy storage behaves the same on every backend.

use futures::TryStreamExt;
use jiff::Timestamp;
use offimic_occupancy::report::ScanOutcome;
use offimic_occupancy::{DeviceSighting, HistoryRange, Sample, ValidScan};
use offimic_presence::Pseudonym;
use offimic_store::Store;
use offimic_testkit::{TestDatabase, on_both_backends};

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn pseudonym(digit: char) -> Pseudonym {
    digit.to_string().repeat(64).parse().unwrap()
}

fn seen(slot: &str, digits: &str) -> ValidScan {
    ValidScan {
        slot: at(slot),
        scanned_at: at(slot),
        outcome: ScanOutcome::Seen(
            digits
                .chars()
                .map(|d| DeviceSighting {
                    pseudonym: pseudonym(d),
                    local: d == 'f',
                })
                .collect(),
        ),
    }
}

async fn history(store: &dyn Store, range: HistoryRange, limit: Option<u64>) -> Vec<Sample> {
    store.history(range, limit).try_collect().await.unwrap()
}

fn counts(samples: &[Sample]) -> Vec<Option<u32>> {
    samples.iter().map(|s| s.count).collect()
}

async fn counts_and_scans_make_one_ordered_history(db: TestDatabase) {
    let store = db.open().await;
    store
        .record_count(at("2026-11-27T10:05:00Z"), 3)
        .await
        .unwrap();
    store
        .record_scan("agent", &seen("2026-11-27T10:00:00Z", "ab"))
        .await
        .unwrap();
    let failed = ValidScan {
        slot: at("2026-11-27T10:10:00Z"),
        scanned_at: at("2026-11-27T10:10:02Z"),
        outcome: ScanOutcome::Failed("arp-scan: permission denied".into()),
    };
    let recorded = store.record_scan("agent", &failed).await.unwrap();
    assert_eq!(recorded.count, None);

    let all = history(&*store, HistoryRange::default(), None).await;
    assert_eq!(counts(&all), [Some(2), Some(3), None]);
    assert_eq!(all[2].scan_time, at("2026-11-27T10:10:02Z"));

    let range = HistoryRange {
        from: Some(at("2026-11-27T10:05:00Z")),
        to: Some(at("2026-11-27T10:10:02Z")),
    };
    assert_eq!(counts(&history(&*store, range, None).await), [Some(3)]);
    assert_eq!(
        counts(&history(&*store, HistoryRange::default(), Some(2)).await),
        [Some(2), Some(3)]
    );
    assert!(
        history(
            &*store,
            HistoryRange {
                from: Some(at("2030-01-01T00:00:00Z")),
                to: None
            },
            None
        )
        .await
        .is_empty()
    );
}

async fn a_retried_scan_is_stored_once(db: TestDatabase) {
    let store = db.open().await;
    let first = store
        .record_scan("agent", &seen("2026-11-27T10:00:00Z", "abc"))
        .await
        .unwrap();
    assert_eq!((first.count, first.duplicate), (Some(3), false));
    // The retry carries different devices: the first upload wins and nothing is added.
    let retry = store
        .record_scan("agent", &seen("2026-11-27T10:00:00Z", "abcd"))
        .await
        .unwrap();
    assert_eq!((retry.count, retry.duplicate), (Some(3), true));
    // Another agent's report of the same slot is its own measurement.
    let other = store
        .record_scan("other", &seen("2026-11-27T10:00:00Z", "a"))
        .await
        .unwrap();
    assert!(!other.duplicate);
    assert_eq!(
        history(&*store, HistoryRange::default(), None).await.len(),
        2
    );
    assert_eq!(store.devices(100).await.unwrap().len(), 3);
}

async fn devices_keep_first_and_last_seen(db: TestDatabase) {
    let store = db.open().await;
    store
        .record_scan("agent", &seen("2026-11-27T10:10:00Z", "af"))
        .await
        .unwrap();
    store
        .record_scan("agent", &seen("2026-11-27T10:00:00Z", "a"))
        .await
        .unwrap();
    store
        .record_scan("agent", &seen("2026-11-27T10:20:00Z", "a"))
        .await
        .unwrap();
    let devices = store.devices(100).await.unwrap();
    assert_eq!(devices.len(), 2);
    let a = devices
        .iter()
        .find(|d| d.pseudonym == pseudonym('a'))
        .unwrap();
    assert_eq!(
        (a.first_seen, a.last_seen),
        (at("2026-11-27T10:00:00Z"), at("2026-11-27T10:20:00Z"))
    );
    assert!(!a.local);
    let f = devices
        .iter()
        .find(|d| d.pseudonym == pseudonym('f'))
        .unwrap();
    assert!(f.local);
    assert_eq!(
        devices[0].pseudonym,
        pseudonym('a'),
        "most recently seen first"
    );
}

async fn ignoring_a_device_corrects_past_and_future_counts(db: TestDatabase) {
    let store = db.open().await;
    store
        .record_scan("agent", &seen("2026-11-27T10:00:00Z", "ab"))
        .await
        .unwrap();
    store
        .record_scan("agent", &seen("2026-11-27T10:10:00Z", "a"))
        .await
        .unwrap();
    store
        .record_scan("agent", &seen("2026-11-27T10:20:00Z", "b"))
        .await
        .unwrap();

    let change = store
        .ignore_device(&pseudonym('a'), "printer", at("2026-11-27T11:00:00Z"))
        .await
        .unwrap();
    assert_eq!((change.changed, change.scans_adjusted), (true, 2));
    let again = store
        .ignore_device(&pseudonym('a'), "printer", at("2026-11-27T11:00:00Z"))
        .await
        .unwrap();
    assert!(!again.changed, "ignoring twice must not subtract twice");
    assert_eq!(
        counts(&history(&*store, HistoryRange::default(), None).await),
        [Some(1), Some(0), Some(1)]
    );

    let later = store
        .record_scan("agent", &seen("2026-11-27T10:30:00Z", "ab"))
        .await
        .unwrap();
    assert_eq!(later.count, Some(1));
    let listed = store.ignored_devices().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].note, "printer");
    assert!(store.devices(10).await.unwrap().iter().any(|d| d.ignored));

    let undone = store.unignore_device(&pseudonym('a')).await.unwrap();
    assert_eq!((undone.changed, undone.scans_adjusted), (true, 3));
    assert!(
        !store
            .unignore_device(&pseudonym('a'))
            .await
            .unwrap()
            .changed
    );
    assert_eq!(
        counts(&history(&*store, HistoryRange::default(), None).await),
        [Some(2), Some(1), Some(1), Some(2)]
    );
}

async fn purge_removes_device_rows_and_keeps_counts(db: TestDatabase) {
    let store = db.open().await;
    store
        .record_scan("agent", &seen("2026-08-01T10:00:00Z", "ab"))
        .await
        .unwrap();
    store
        .record_scan("agent", &seen("2026-11-27T10:00:00Z", "b"))
        .await
        .unwrap();
    store
        .ignore_device(&pseudonym('c'), "router", at("2026-08-01T00:00:00Z"))
        .await
        .unwrap();

    let purged = store
        .purge_device_rows(at("2026-09-01T00:00:00Z"))
        .await
        .unwrap();
    assert_eq!((purged.sightings, purged.devices), (2, 1));
    let devices = store.devices(10).await.unwrap();
    assert_eq!(
        devices
            .iter()
            .map(|d| d.pseudonym.clone())
            .collect::<Vec<_>>(),
        [pseudonym('b')]
    );
    assert_eq!(
        counts(&history(&*store, HistoryRange::default(), None).await),
        [Some(2), Some(1)]
    );
    assert_eq!(
        store.ignored_devices().await.unwrap().len(),
        1,
        "the ignore-list outlives retention"
    );
    // Sightings are gone, so ignoring 'a' now cannot touch the old count.
    let change = store
        .ignore_device(&pseudonym('a'), "late", at("2026-11-27T12:00:00Z"))
        .await
        .unwrap();
    assert_eq!(change.scans_adjusted, 0);
}

async fn api_tokens_are_found_by_hash_and_names_are_unique(db: TestDatabase) {
    use offimic_store::{NewApiToken, StoreError};
    let store = db.open().await;
    let token = |name: &str, hash: &str| NewApiToken {
        name: name.into(),
        token_hash: hash.into(),
        scopes: vec!["measure".into(), "admin".into()],
        created_at: at("2026-11-27T10:00:00Z"),
    };
    let created = store.create_api_token(token("agent", "h1")).await.unwrap();
    let found = store.find_api_token("h1").await.unwrap().unwrap();
    assert_eq!(found, created);
    assert_eq!(found.scopes, ["measure", "admin"]);
    assert!(store.find_api_token("h2").await.unwrap().is_none());
    let clash = store
        .create_api_token(token("agent", "h2"))
        .await
        .unwrap_err();
    assert!(
        matches!(clash, StoreError::Conflict(ref m) if m.contains("agent")),
        "{clash}"
    );
    assert_eq!(store.list_api_tokens().await.unwrap().len(), 1);
    assert!(store.revoke_api_token("agent").await.unwrap());
    assert!(!store.revoke_api_token("agent").await.unwrap());
    assert!(store.find_api_token("h1").await.unwrap().is_none());
}

async fn long_histories_page_through_ties_in_order(db: TestDatabase) {
    let store = db.open().await;
    // More rows than one page, many sharing a second, so pages split inside a run of ties.
    let total = offimic_store_sql::HISTORY_PAGE as usize + 700;
    for i in 0..total {
        let second = 1_767_000_000 + (i / 7) as i64;
        store
            .record_count(Timestamp::from_second(second).unwrap(), (i % 100) as u32)
            .await
            .unwrap();
    }
    let all = history(&*store, HistoryRange::default(), None).await;
    assert_eq!(all.len(), total);
    assert!(
        all.windows(2).all(|w| w[0].scan_time <= w[1].scan_time),
        "oldest first"
    );
    let expected: Vec<Option<u32>> = (0..total).map(|i| Some((i % 100) as u32)).collect();
    assert_eq!(
        counts(&all),
        expected,
        "every row once, in insertion order within a second"
    );
    let limited = history(
        &*store,
        HistoryRange::default(),
        Some(offimic_store_sql::HISTORY_PAGE as usize as u64 + 3),
    )
    .await;
    assert_eq!(limited.len(), offimic_store_sql::HISTORY_PAGE as usize + 3);
    let from = Timestamp::from_second(1_767_000_000 + 600).unwrap();
    let tail = history(
        &*store,
        HistoryRange {
            from: Some(from),
            to: None,
        },
        None,
    )
    .await;
    assert_eq!(tail.len(), total - 600 * 7);
}

async fn reopening_keeps_data_and_migrations_are_idempotent(db: TestDatabase) {
    let store = db.open().await;
    store
        .record_count(at("2026-11-27T10:00:00Z"), 4)
        .await
        .unwrap();
    store.ping().await.unwrap();
    drop(store);
    let reopened = db.open().await;
    assert_eq!(
        counts(&history(&*reopened, HistoryRange::default(), None).await),
        [Some(4)]
    );
}

on_both_backends!(
    counts_and_scans_make_one_ordered_history,
    a_retried_scan_is_stored_once,
    devices_keep_first_and_last_seen,
    ignoring_a_device_corrects_past_and_future_counts,
    purge_removes_device_rows_and_keeps_counts,
    api_tokens_are_found_by_hash_and_names_are_unique,
    reopening_keeps_data_and_migrations_are_idempotent,
    long_histories_page_through_ties_in_order,
);
