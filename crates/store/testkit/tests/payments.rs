//! Money storage behaves the same on every backend: statements imported once, unmatched credits
//! kept for the treasurer, the payment run applied per member, debits held at the floor, and
//! the outbox handing each email to exactly one sender.

use jiff::Timestamp;
use offimic_dues::payment_run::{Action, Feed};
use offimic_spacefile::parse;
use offimic_store::{
    BankLine, ComposedEmail, CreditAssignment, Delivery, EmailDraft, RunSettings, StatementImport,
    Store, space_resolver,
};
use offimic_testkit::{TestDatabase, on_both_backends};
use serde_json::json;

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// The worked examples' "now": Tuesday 20 January 2026, 10:00 UTC.
fn now() -> Timestamp {
    at("2026-01-20T10:00:00Z")
}

fn space() -> serde_json::Value {
    json!({
        "tiers": [
            {"id": 3, "name": "Standard", "price_p": 3000},
            {"id": 6, "name": "Donation Only", "price_p": 0, "concessions_allowed": false, "donor": true}
        ],
        "things": [{"id": "DOOR", "name": "The Door"}],
        "people": [
            {"id": 1, "name": "Nina Newcomer", "email": "nina@example.org", "dob": "1990-01", "tier": 3,
             "created": "2026-01-01T00:00:00Z", "tokens": [{"id": "n1"}]},
            {"id": 2, "name": "Larry Lapsing", "email": "larry@example.org", "dob": "1980-05", "tier": 3,
             "payment_override_p": 2500, "created": "2025-01-01T00:00:00Z", "tokens": [{"id": "l2"}],
             "payments": [{"paid_on": "2025-12-19T10:00:00Z", "expires_on": "2026-01-19T10:00:00Z", "amount_p": 2500}],
             "transactions": [{"added_on": "2026-01-02T00:00:00Z", "amount_p": 2500, "reason": "Imported"}]},
            {"id": 3, "name": "Kid Lapsing", "parent": 2, "created": "2025-01-01T00:00:00Z"}
        ],
        "allowed": [{"person": 1, "thing": "The Door", "pending": true}]
    })
}

async fn open(db: &TestDatabase) -> std::sync::Arc<dyn Store> {
    let store = db.open().await;
    let file = parse(&space().to_string()).unwrap();
    store
        .import_space(space_resolver(file, &["admin"], now()))
        .await
        .unwrap();
    store
}

fn line(key: &str, posted: &str, amount_p: i64, text: &str, member: Option<i64>) -> BankLine {
    BankLine {
        dedupe_key: key.into(),
        bank_id: Some(key.into()),
        posted: at(posted),
        amount_p,
        text: text.into(),
        member,
    }
}

fn statement(lines: Vec<BankLine>) -> StatementImport {
    StatementImport {
        source: "january.ofx".into(),
        format: "OFX".into(),
        lines,
        at: now(),
    }
}

fn compose(draft: &EmailDraft) -> ComposedEmail {
    ComposedEmail {
        subject: format!("{} for {}", draft.kind, draft.name),
        plain_text: format!("{:?}", draft.vars),
        html: None,
    }
}

fn settings(now: Timestamp) -> RunSettings<'static> {
    RunSettings {
        now,
        feed: Feed::Fresh,
        door: "The Door",
    }
}

async fn statements_are_imported_once_and_unmatched_credits_wait(db: TestDatabase) {
    let store = open(&db).await;
    assert_eq!(store.last_statement_import().await.unwrap(), None);
    let first = statement(vec![
        line(
            "T1",
            "2026-01-18T00:00:00Z",
            3000,
            "N NEWCOMER SM0001",
            Some(1),
        ),
        line(
            "T2",
            "2026-01-18T00:00:00Z",
            500,
            "SOMEONE SM0099",
            Some(99),
        ),
        line("T3", "2026-01-19T00:00:00Z", 700, "CASH DEPOSIT", None),
        line("T4", "2026-01-19T00:00:00Z", -1200, "RENT", None),
    ]);
    let summary = store.import_statement(&first).await.unwrap();
    assert_eq!(
        (
            summary.lines,
            summary.new_lines,
            summary.credited,
            summary.credited_p,
            summary.unmatched
        ),
        (4, 4, 1, 3000, 2)
    );
    assert_eq!(store.balance(1).await.unwrap(), 3000);
    assert_eq!(store.last_statement_import().await.unwrap(), Some(now()));

    let again = store.import_statement(&first).await.unwrap();
    assert_eq!(
        (again.new_lines, again.credited, again.unmatched),
        (0, 0, 0)
    );
    let overlapping = statement(vec![
        line("T3", "2026-01-19T00:00:00Z", 700, "CASH DEPOSIT", None),
        line(
            "T5",
            "2026-01-19T00:00:00Z",
            3000,
            "N NEWCOMER SM0001",
            Some(1),
        ),
    ]);
    let summary = store.import_statement(&overlapping).await.unwrap();
    assert_eq!((summary.new_lines, summary.credited), (1, 1));
    assert_eq!(store.balance(1).await.unwrap(), 6000);

    let waiting = store.unmatched_credits().await.unwrap();
    let texts: Vec<_> = waiting.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, ["SOMEONE SM0099", "CASH DEPOSIT"]);
    assert_eq!(waiting[0].source, "january.ofx");

    let credit = waiting[1].id;
    assert_eq!(
        store.assign_credit(credit, 999, now()).await.unwrap(),
        CreditAssignment::NoSuchPerson
    );
    assert_eq!(
        store.assign_credit(credit, 1, now()).await.unwrap(),
        CreditAssignment::Assigned { balance_p: 6700 }
    );
    assert_eq!(
        store.assign_credit(credit, 1, now()).await.unwrap(),
        CreditAssignment::AlreadyAssigned
    );
    assert_eq!(
        store.assign_credit(-5, 1, now()).await.unwrap(),
        CreditAssignment::NoSuchCredit
    );
    assert_eq!(store.unmatched_credits().await.unwrap().len(), 1);
}

async fn history_from_an_earlier_system_is_not_credited_twice(db: TestDatabase) {
    let store = open(&db).await;
    // Larry's ledger already has 2500p on 2 January, imported by the old system.
    let old = line(
        "OLD-1",
        "2026-01-02T00:00:00Z",
        2500,
        "L LAPSING SM0002",
        Some(2),
    );
    let fresh = line(
        "NEW-1",
        "2026-01-19T00:00:00Z",
        2500,
        "L LAPSING SM0002",
        Some(2),
    );
    let summary = store
        .import_statement(&statement(vec![old, fresh]))
        .await
        .unwrap();
    assert_eq!((summary.already_credited, summary.credited), (1, 1));
    assert_eq!(store.balance(2).await.unwrap(), 5000);
    assert!(store.unmatched_credits().await.unwrap().is_empty());
}

async fn a_vanished_sender_s_emails_are_claimed_again(db: TestDatabase) {
    let store = open(&db).await;
    let email = ComposedEmail {
        subject: "Hello".into(),
        plain_text: "Hi".into(),
        html: None,
    };
    store
        .queue_email(Some(1), "welcome", &email, false, now())
        .await
        .unwrap();
    assert_eq!(store.claim_outgoing(now(), 10).await.unwrap().len(), 1);
    let soon = at("2026-01-20T10:10:00Z");
    assert!(
        store.claim_outgoing(soon, 10).await.unwrap().is_empty(),
        "still being sent"
    );
    let later = at("2026-01-20T10:16:00Z");
    assert_eq!(
        store.claim_outgoing(later, 10).await.unwrap().len(),
        1,
        "the lease ran out"
    );
}

async fn identical_lines_in_one_second_are_all_credited(db: TestDatabase) {
    let store = open(&db).await;
    let lines = (0..3)
        .map(|n| {
            line(
                &format!("same#{n}"),
                "2026-01-18T00:00:00Z",
                1000,
                "SM1",
                Some(1),
            )
        })
        .collect();
    let summary = store.import_statement(&statement(lines)).await.unwrap();
    assert_eq!(summary.credited, 3);
    assert_eq!(store.balance(1).await.unwrap(), 3000);
}

async fn the_first_payment_opens_the_door_and_a_second_run_changes_nothing(db: TestDatabase) {
    let store = open(&db).await;
    let credit = line("T1", "2026-01-18T00:00:00Z", 3000, "SM1", Some(1));
    store
        .import_statement(&statement(vec![credit]))
        .await
        .unwrap();
    let facts = store.decision_facts("n1", "DOOR").await.unwrap();
    assert!(
        facts.holders[0].membership.payments.is_empty(),
        "not a member before the run"
    );
    assert!(
        facts.holders[0].inductions["DOOR"].pending,
        "the door waits for the first payment"
    );

    let run = store
        .run_payment(1, settings(now()), &compose)
        .await
        .unwrap();
    assert!(!run.door_missing);
    let pay = run.actions.iter().find_map(|a| match a {
        Action::Pay {
            expires_on,
            amount_p,
            ..
        } => Some((*expires_on, *amount_p)),
        _ => None,
    });
    assert_eq!(pay, Some((at("2026-03-03T10:00:00Z"), 3000)), "P1");
    assert_eq!(store.balance(1).await.unwrap(), 0);
    let status = store.member_status(1, now()).await.unwrap().unwrap();
    assert!(status.paid_now);
    assert_eq!(status.valid_until, Some(at("2026-03-03T10:00:00Z")));
    let outbox = store.outbox(10).await.unwrap();
    assert_eq!(outbox[0].kind, "first_payment");
    assert_eq!(outbox[0].subject, "first_payment for Nina Newcomer");
    let facts = store.decision_facts("n1", "DOOR").await.unwrap();
    assert!(
        !facts.holders[0].inductions["DOOR"].pending,
        "the door induction is confirmed by the first payment"
    );

    let again = store
        .run_payment(1, settings(now()), &compose)
        .await
        .unwrap();
    assert!(again.actions.is_empty());
    assert_eq!(store.balance(1).await.unwrap(), 0);
    assert_eq!(store.outbox(10).await.unwrap().len(), 1);
}

async fn a_lapsing_member_with_too_little_becomes_a_donor_and_comes_back(db: TestDatabase) {
    let store = open(&db).await;
    assert_eq!(
        store.payment_run_members().await.unwrap(),
        [1, 2],
        "children follow their parent"
    );
    store
        .log_usage(Some(2), "DOOR", "l2", true, at("2026-01-18T10:00:00Z"))
        .await
        .unwrap();

    let run = store
        .run_payment(2, settings(now()), &compose)
        .await
        .unwrap();
    assert!(
        matches!(run.actions[0], Action::Donorify { .. }),
        "P10: {:?}",
        run.actions
    );
    let status = store.member_status(2, now()).await.unwrap().unwrap();
    assert_eq!(status.tier_id, Some(6));
    assert_eq!(status.payment_override_p, Some(0.0));
    assert_eq!(
        store.outbox(10).await.unwrap()[0].kind,
        "move_to_donation_tier"
    );

    // P13: topped up within the month, the member goes back to their tier and rejoins.
    let top_up = line("T9", "2026-01-21T00:00:00Z", 500, "SM0002", Some(2));
    store
        .import_statement(&statement(vec![top_up]))
        .await
        .unwrap();
    let later = at("2026-01-22T10:00:00Z");
    let run = store
        .run_payment(2, settings(later), &compose)
        .await
        .unwrap();
    assert!(
        matches!(run.actions[0], Action::RevertTier { tier_id: 3, .. }),
        "{:?}",
        run.actions
    );
    let status = store.member_status(2, later).await.unwrap().unwrap();
    assert_eq!(
        (status.tier_id, status.payment_override_p),
        (Some(3), Some(3000.0))
    );
    assert!(status.paid_now);
    assert_eq!(store.balance(2).await.unwrap(), 0);
    let kinds: Vec<_> = store
        .outbox(10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(kinds.contains(&"rejoin_payment".to_string()), "{kinds:?}");
}

async fn a_stale_feed_keeps_members_where_they_are(db: TestDatabase) {
    let store = open(&db).await;
    let stale = RunSettings {
        feed: Feed::Stale,
        ..settings(now())
    };
    let run = store.run_payment(2, stale, &compose).await.unwrap();
    assert!(run.actions.is_empty());
    assert_eq!(
        store
            .member_status(2, now())
            .await
            .unwrap()
            .unwrap()
            .tier_id,
        Some(3)
    );
    assert!(store.outbox(10).await.unwrap().is_empty());
}

async fn debits_stop_at_the_floor(db: TestDatabase) {
    let store = open(&db).await;
    let credit = line("T1", "2026-01-18T00:00:00Z", 1000, "SM1", Some(1));
    store
        .import_statement(&statement(vec![credit]))
        .await
        .unwrap();
    assert_eq!(
        store
            .debit(1, 1400, "Laser time", -400, now())
            .await
            .unwrap(),
        Some(-400)
    );
    assert_eq!(
        store.debit(1, 1, "Coffee", -400, now()).await.unwrap(),
        None
    );
    assert_eq!(
        store.debit(404, 1, "Coffee", -400, now()).await.unwrap(),
        None
    );
    // The same amount twice in one second is two entries.
    let credit = line("T2", "2026-01-18T00:00:00Z", 1000, "SM1", Some(1));
    store
        .import_statement(&statement(vec![credit]))
        .await
        .unwrap();
    store.debit(1, 100, "Tea", -400, now()).await.unwrap();
    assert_eq!(
        store.debit(1, 100, "Tea", -400, now()).await.unwrap(),
        Some(400)
    );
    let ledger = store.ledger(1, 3).await.unwrap();
    assert_eq!(ledger.len(), 3);
    assert_eq!(ledger[0].amount_p, -100);
    assert!(ledger[0].added_on > ledger[2].added_on, "newest first");
}

async fn the_outbox_hands_each_email_to_one_sender(db: TestDatabase) {
    let store = open(&db).await;
    let email = ComposedEmail {
        subject: "Hello".into(),
        plain_text: "Hi".into(),
        html: Some("<p>Hi</p>".into()),
    };
    assert!(
        store
            .queue_email(Some(1), "welcome", &email, false, now())
            .await
            .unwrap()
    );
    assert!(
        !store
            .queue_email(Some(1), "welcome", &email, false, now())
            .await
            .unwrap(),
        "kept once"
    );
    assert_eq!(store.last_email(1, "welcome").await.unwrap(), Some(now()));

    let claimed = store.claim_outgoing(now(), 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].to.as_deref(), Some("nina@example.org"));
    assert!(
        store.claim_outgoing(now(), 10).await.unwrap().is_empty(),
        "claimed once"
    );

    let retry_at = at("2026-01-20T10:05:00Z");
    let retry = Delivery::Retry {
        error: "connection refused".into(),
        retry_at,
    };
    store.finish_outgoing(claimed[0].id, &retry).await.unwrap();
    assert!(
        store.claim_outgoing(now(), 10).await.unwrap().is_empty(),
        "not before its time"
    );
    let again = store.claim_outgoing(retry_at, 10).await.unwrap();
    assert_eq!(again[0].attempts, 1);
    store
        .finish_outgoing(again[0].id, &Delivery::Sent(retry_at))
        .await
        .unwrap();
    let row = &store.outbox(1).await.unwrap()[0];
    assert_eq!(
        (row.status.as_str(), row.sent_at, row.attempts),
        ("sent", Some(retry_at), 2)
    );
    assert!(store.claim_outgoing(retry_at, 10).await.unwrap().is_empty());
}

async fn inductions_of_long_gone_members_are_removed(db: TestDatabase) {
    let store = open(&db).await;
    let allowed = json!({"allowed": [{"person": 2, "thing": "The Door"}]});
    store
        .import_space(space_resolver(
            parse(&allowed.to_string()).unwrap(),
            &["admin"],
            now(),
        ))
        .await
        .unwrap();
    // Larry's membership ended on 19 January: not between 6 and 3 months ago in January…
    let removed = store
        .remove_inductions_of_members_expired_between(
            at("2025-07-20T10:00:00Z"),
            at("2025-10-20T10:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(removed, 0);
    // …but it is in May.
    let removed = store
        .remove_inductions_of_members_expired_between(
            at("2025-11-20T10:00:00Z"),
            at("2026-02-20T10:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(removed, 1);
    let statuses = store.member_statuses(now()).await.unwrap();
    assert_eq!(statuses.len(), 3);
    assert_eq!(statuses[2].parent_id, Some(2));
}

async fn payments_app_keys_are_made_once(db: TestDatabase) {
    let store = open(&db).await;
    assert!(store.login_tokens().await.unwrap().is_empty());
    assert_eq!(store.ensure_login_token(1, "KEY-1").await.unwrap(), "KEY-1");
    assert_eq!(store.ensure_login_token(1, "KEY-2").await.unwrap(), "KEY-1");
    assert_eq!(
        store.login_tokens().await.unwrap(),
        [(1, "KEY-1".to_string())]
    );
}

on_both_backends!(
    statements_are_imported_once_and_unmatched_credits_wait,
    identical_lines_in_one_second_are_all_credited,
    history_from_an_earlier_system_is_not_credited_twice,
    a_vanished_sender_s_emails_are_claimed_again,
    the_first_payment_opens_the_door_and_a_second_run_changes_nothing,
    a_lapsing_member_with_too_little_becomes_a_donor_and_comes_back,
    a_stale_feed_keeps_members_where_they_are,
    debits_stop_at_the_floor,
    the_outbox_hands_each_email_to_one_sender,
    inductions_of_long_gone_members_are_removed,
    payments_app_keys_are_made_once,
);
