//! Every row of Swindon's `allowed_to_thing` table, every validity rule, group grants,
//! prerequisites with cycles, and the cache rule.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use offimic_access::{
    Clock, Denial, Facts, HolidayCalendar, Induction, Member, Membership, Outcome, Payment,
    Restrictions, Thing, decide,
};
use serde_json::json;

const DOOR: &str = "1A9E3D66-E90F-11E5-83C1-1E346D398B53";
const LASER: &str = "LASER";
const POLICY: &str = "0E899E10-188C-11F0-8E38-5C924532D5BD";

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// Tuesday 2026-01-20 10:00 UTC, the worked examples' "now".
fn tuesday() -> Timestamp {
    at("2026-01-20T10:00:00Z")
}

fn paid_around(now: Timestamp) -> Payment {
    Payment {
        paid_on: now
            .checked_sub(jiff::SignedDuration::from_hours(24 * 10))
            .unwrap(),
        expires_on: now
            .checked_add(jiff::SignedDuration::from_hours(24 * 20))
            .unwrap(),
    }
}

fn member(id: i64) -> Member {
    Member {
        id,
        name: format!("Member {id}"),
        membership: Membership {
            donor: false,
            payments: vec![paid_around(tuesday())],
        },
        parent: None,
        restrictions: Restrictions::default(),
        inductions: HashMap::new(),
        group_things: HashSet::new(),
    }
}

fn inducted(mut m: Member, thing: &str, inductor: bool, pending: bool) -> Member {
    m.inductions
        .insert(thing.into(), Induction { inductor, pending });
    m
}

fn things() -> HashMap<String, Thing> {
    [
        Thing {
            id: DOOR.into(),
            name: "The Door".into(),
            requires: vec![],
        },
        Thing {
            id: POLICY.into(),
            name: "Health and Safety Policy".into(),
            requires: vec![],
        },
        Thing {
            id: LASER.into(),
            name: "Laser".into(),
            requires: vec![POLICY.into()],
        },
    ]
    .into_iter()
    .map(|t| (t.id.clone(), t))
    .collect()
}

fn facts(holders: Vec<Member>) -> Facts {
    Facts {
        holders,
        things: things(),
    }
}

fn ask(token: &str, thing: &str, facts: &Facts, now: Timestamp) -> offimic_access::Decision {
    let tz = TimeZone::get("Europe/London").unwrap();
    let holidays = HolidayCalendar::england_and_wales();
    decide(
        token,
        thing,
        facts,
        &Clock {
            now,
            tz: &tz,
            holidays: &holidays,
        },
    )
}

fn denial(decision: &offimic_access::Decision) -> Denial {
    match &decision.outcome {
        Outcome::Denied(denial) => denial.clone(),
        other => panic!("expected a denial, got {other:?}"),
    }
}

fn weekend() -> Restrictions {
    Restrictions::from_json(&json!({"times": [{"from": "6:00:00", "to": "7:23:59"}]})).unwrap()
}

#[test]
fn row_1_a_token_on_two_accounts_is_refused() {
    let f = facts(vec![
        inducted(member(1), DOOR, false, false),
        inducted(member(2), DOOR, false, false),
    ]);
    let d = ask("04a1b2c3", DOOR, &f, tuesday());
    assert_eq!(denial(&d), Denial::TokenReused);
    assert_eq!(
        denial(&d).message(),
        "Token reused on accounts. Talk to a director"
    );
    assert_eq!(denial(&d).colour(), Some(37));
    assert_eq!(d.person, None);
}

#[test]
fn a_token_on_two_accounts_of_which_one_stands_on_the_thing_decides_for_that_one() {
    let f = facts(vec![inducted(member(1), DOOR, false, false), member(2)]);
    assert!(ask("04a1b2c3", DOOR, &f, tuesday()).is_granted());
}

#[test]
fn row_2_weekend_members_on_a_weekday_are_refused() {
    let mut m = inducted(member(1), DOOR, false, false);
    m.restrictions = weekend();
    let f = facts(vec![m]);
    let d = ask("t", DOOR, &f, tuesday());
    assert_eq!(denial(&d), Denial::OutsideTierHours);
    assert_eq!(denial(&d).message(), "No access for Weekend Member");
    assert_eq!(denial(&d).colour(), Some(33));
    assert_eq!(
        d.person.as_ref().map(|p| p.0),
        Some(1),
        "the person is included"
    );
    let saturday = at("2026-01-24T10:00:00Z");
    assert!(
        ask(
            "t",
            DOOR,
            &facts(vec![{
                let mut m = inducted(member(1), DOOR, false, false);
                m.restrictions = weekend();
                m.membership.payments = vec![paid_around(saturday)];
                m
            }]),
            saturday
        )
        .is_granted()
    );
}

#[test]
fn row_2_bank_holidays_open_the_door_to_weekend_members() {
    // Good Friday 2026 is a Friday, outside the weekend window, but a bank holiday.
    let good_friday = at("2026-04-03T11:00:00Z");
    let mut m = inducted(member(1), DOOR, false, false);
    m.restrictions = weekend();
    m.membership.payments = vec![paid_around(good_friday)];
    assert!(ask("t", DOOR, &facts(vec![m.clone()]), good_friday).is_granted());
    let next_friday = at("2026-04-10T11:00:00Z");
    m.membership.payments = vec![paid_around(next_friday)];
    assert_eq!(
        denial(&ask("t", DOOR, &facts(vec![m]), next_friday)),
        Denial::OutsideTierHours
    );
}

#[test]
fn row_2_uses_the_local_clock() {
    // Saturday 00:30 in London is still Friday 23:30 in UTC-1, but London is what counts.
    let mut m = inducted(member(1), DOOR, false, false);
    m.restrictions = weekend();
    let early_saturday = at("2026-01-24T00:30:00Z");
    m.membership.payments = vec![paid_around(early_saturday)];
    assert!(ask("t", DOOR, &facts(vec![m]), early_saturday).is_granted());
}

#[test]
fn row_3_a_failed_prerequisite_refuses_with_its_own_text() {
    let m = inducted(member(1), LASER, false, false);
    let d = ask("t", LASER, &facts(vec![m]), tuesday());
    let refused = denial(&d);
    assert_eq!(
        refused.message(),
        "Health and Safety Policy not accepted/inducted. See email"
    );
    assert_eq!(refused.colour(), Some(36));
    assert_eq!(refused.code(), "prerequisite");
    assert!(matches!(refused, Denial::Prerequisite { ref thing, .. } if thing == POLICY));
}

#[test]
fn row_3_prerequisites_are_checked_recursively_and_cycles_end() {
    let mut f = facts(vec![]);
    f.things.get_mut(POLICY).unwrap().requires = vec![DOOR.into()];
    f.things.get_mut(DOOR).unwrap().requires = vec![LASER.into()]; // LASER → POLICY → DOOR → LASER
    let m = inducted(
        inducted(member(1), LASER, false, false),
        POLICY,
        false,
        false,
    );
    f.holders = vec![m.clone()];
    let d = ask("t", LASER, &f, tuesday());
    assert_eq!(
        denial(&d).message(),
        "The Door not accepted/inducted. See email",
        "DOOR is two levels down"
    );
    f.holders = vec![inducted(m, DOOR, false, false)];
    assert!(
        ask("t", LASER, &f, tuesday()).is_granted(),
        "the cycle back to LASER is not re-entered"
    );
}

#[test]
fn row_4_granted_with_inductor_flag_and_cache() {
    let f = facts(vec![inducted(
        inducted(member(1), LASER, true, false),
        POLICY,
        false,
        false,
    )]);
    let d = ask("t", LASER, &f, tuesday());
    assert_eq!(
        d.outcome,
        Outcome::Granted {
            inductor: true,
            cacheable: true,
            valid_until: Some(paid_around(tuesday()).expires_on)
        }
    );
    assert_eq!(d.person, Some((1, "Member 1".into())));
    assert_eq!(d.reason(), "granted");
}

#[test]
fn row_5_donors_are_refused() {
    let mut m = inducted(member(1), DOOR, false, false);
    m.membership.donor = true;
    let d = ask("t", DOOR, &facts(vec![m]), tuesday());
    assert_eq!(denial(&d), Denial::Donor);
    assert_eq!(
        (denial(&d).message(), denial(&d).colour()),
        ("No access for donors".into(), Some(34))
    );
}

#[test]
fn row_6_expired_members_are_refused() {
    let mut m = inducted(member(1), DOOR, false, false);
    m.membership.payments = vec![Payment {
        paid_on: at("2025-11-01T00:00:00Z"),
        expires_on: at("2025-12-01T00:00:00Z"),
    }];
    let d = ask("t", DOOR, &facts(vec![m]), tuesday());
    assert_eq!(denial(&d), Denial::MembershipExpired);
    assert_eq!(
        (denial(&d).message(), denial(&d).colour()),
        ("Membership expired/unpaid".into(), Some(34))
    );
}

#[test]
fn row_7_pending_inductions_are_refused_even_when_unpaid() {
    let mut m = inducted(member(1), DOOR, false, true);
    let d = ask("t", DOOR, &facts(vec![m.clone()]), tuesday());
    assert_eq!(denial(&d), Denial::InductionPending);
    assert_eq!(
        (denial(&d).message(), denial(&d).colour()),
        ("Induction not confirmed/Pay up please".into(), Some(36))
    );
    m.membership.payments.clear();
    assert_eq!(
        denial(&ask("t", DOOR, &facts(vec![m]), tuesday())),
        Denial::InductionPending
    );
}

#[test]
fn row_8_unknown_tokens() {
    let d = ask("deadbeef", DOOR, &facts(vec![]), tuesday());
    assert_eq!(denial(&d).message(), "RFID tag (deadbeef) not recognised");
    assert_eq!(denial(&d).colour(), Some(32));
    assert_eq!(d.person, None);
}

#[test]
fn row_9_unknown_things_have_no_colour() {
    let d = ask("t", "NOPE", &facts(vec![member(1)]), tuesday());
    assert_eq!(denial(&d).message(), "Tool (NOPE) not recognised");
    assert_eq!(denial(&d).colour(), None);
}

#[test]
fn row_10_known_token_without_induction() {
    let d = ask("t", LASER, &facts(vec![member(1)]), tuesday());
    assert_eq!(
        denial(&d).message(),
        "Laser not accepted/inducted. See email"
    );
    assert_eq!(denial(&d).colour(), Some(36));
    assert_eq!(d.person.as_ref().map(|p| p.0), Some(1));
}

#[test]
fn groups_grant_things_like_confirmed_inductions() {
    let mut m = member(1);
    m.group_things.insert(DOOR.into());
    let d = ask("t", DOOR, &facts(vec![m.clone()]), tuesday());
    assert_eq!(
        d.outcome,
        Outcome::Granted {
            inductor: false,
            cacheable: true,
            valid_until: m.valid_until()
        }
    );
    m.membership.payments.clear();
    assert_eq!(
        denial(&ask("t", DOOR, &facts(vec![m]), tuesday())),
        Denial::MembershipExpired,
        "a group does not make anyone valid"
    );
}

#[test]
fn children_follow_their_parent() {
    let mut child = inducted(member(2), DOOR, false, false);
    child.membership.payments.clear();
    child.parent = Some(Membership {
        donor: false,
        payments: vec![paid_around(tuesday())],
    });
    assert!(ask("t", DOOR, &facts(vec![child.clone()]), tuesday()).is_granted());
    child.parent = Some(Membership {
        donor: false,
        payments: vec![],
    });
    assert_eq!(
        denial(&ask("t", DOOR, &facts(vec![child]), tuesday())),
        Denial::MembershipExpired
    );
}

#[test]
fn members_about_to_expire_or_time_restricted_are_not_cached() {
    let mut m = inducted(member(1), DOOR, false, false);
    m.membership.payments = vec![Payment {
        paid_on: at("2026-01-01T00:00:00Z"),
        expires_on: at("2026-01-21T09:00:00Z"),
    }];
    let d = ask("t", DOOR, &facts(vec![m.clone()]), tuesday());
    assert!(
        matches!(
            d.outcome,
            Outcome::Granted {
                cacheable: false,
                ..
            }
        ),
        "expires in 23 hours"
    );
    m.membership.payments.push(Payment {
        paid_on: at("2026-01-21T09:00:00Z"),
        expires_on: at("2026-02-21T09:00:00Z"),
    });
    assert!(
        matches!(
            ask("t", DOOR, &facts(vec![m.clone()]), tuesday()).outcome,
            Outcome::Granted {
                cacheable: true,
                ..
            }
        ),
        "a renewal joins up"
    );
    let saturday = at("2026-01-24T10:00:00Z");
    m.restrictions = weekend();
    assert!(matches!(
        ask("t", DOOR, &facts(vec![m]), saturday).outcome,
        Outcome::Granted {
            cacheable: false,
            ..
        }
    ));
}

#[test]
fn a_shared_token_cannot_borrow_another_holders_prerequisite() {
    // Ada stands on the laser, Bob on the policy it requires; they share a token.
    let f = facts(vec![
        inducted(member(1), LASER, false, false),
        inducted(member(2), POLICY, false, false),
    ]);
    assert_eq!(
        denial(&ask("t", LASER, &f, tuesday())).code(),
        "prerequisite"
    );
}

#[test]
fn a_child_of_a_donor_is_refused_as_a_donor() {
    let mut child = inducted(member(2), DOOR, false, false);
    child.membership.payments.clear();
    child.parent = Some(Membership {
        donor: true,
        payments: vec![paid_around(tuesday())],
    });
    assert_eq!(
        denial(&ask("t", DOOR, &facts(vec![child]), tuesday())),
        Denial::Donor
    );
}
