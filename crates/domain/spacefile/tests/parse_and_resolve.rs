//! Parsing with JSON-path errors, and reference resolution against the file and the database.

use offimic_spacefile::{
    Existing, ImportError, Options, Resolved, SpaceFile, parse, render, resolve,
};
use serde_json::json;

fn sample() -> serde_json::Value {
    json!({
        "tiers": [
            {"id": 1, "name": "Hobbyist", "price_p": 1800, "concessions_allowed": true},
            {"id": 2, "name": "Nights and weekends", "price_p": 1200,
             "restrictions": {"times": [{"from": "6:00:00", "to": "7:23:59"}]}},
            {"id": 9, "name": "Friends", "price_p": 0, "concessions_allowed": false, "donor": true}
        ],
        "things": [
            {"id": "D00R", "name": "Front door", "assigned_ip": "10.1.0.5"},
            {"name": "Safety briefing"},
            {"name": "Bandsaw", "requires": ["Safety briefing"], "lone_working_allowed": false},
            {"name": "fridge", "display_name": "Drinks fridge", "unit": "°C", "scale": -1}
        ],
        "groups": [{"name": "keyholders", "things": ["D00R", "fridge"]}],
        "people": [
            {"id": 7, "name": "Grace Hopper", "email": "grace@example.net", "dob": "1906-12", "tier": 1,
             "tokens": [{"id": "0a1b2c3d", "type": "Card"}], "groups": ["keyholders"],
             "payments": [{"paid_on": "2026-11-01", "expires_on": "2026-12-01T00:00:00Z", "amount_p": 1800}],
             "transactions": [{"added_on": "2026-10-31T12:00:00Z", "amount_p": 5000, "reason": "Transfer"}]},
            {"id": 8, "name": "Kid Hopper", "parent": 7}
        ],
        "allowed": [
            {"person": 7, "thing": "Bandsaw", "inductor": true},
            {"person": 8, "thing": "Front door", "pending": true, "inducted_by": 7}
        ],
        "devices": [{"name": "fridge-pi", "key_hex": "00112233445566778899aabbccddeeff", "things": ["fridge"]}],
        "soda_slots": [{"slot": 1, "name": "Mate"}],
        "api_tokens": [{"name": "lan-agent", "token": "a-long-enough-secret", "scopes": ["measure"]}]
    })
}

fn options_resolve(file: SpaceFile, existing: &Existing) -> Result<Resolved, ImportError> {
    let mut next = 0;
    let mut new_id = move || {
        next += 1;
        format!("NEW-{next}")
    };
    let mut nonce = || [7u8; 16];
    let hash = |token: &str| format!("hash-of-{token}");
    resolve(
        file,
        existing,
        Options {
            new_thing_id: &mut new_id,
            new_nonce: &mut nonce,
            hash_token: &hash,
            known_scopes: &["measure", "admin"],
            now: "2026-11-27T00:00:00Z".parse().unwrap(),
        },
    )
}

fn error_of(value: serde_json::Value) -> ImportError {
    match parse(&value.to_string()) {
        Err(error) => error,
        Ok(file) => options_resolve(file, &Existing::default()).unwrap_err(),
    }
}

#[test]
fn a_whole_space_resolves() {
    let resolved =
        options_resolve(parse(&sample().to_string()).unwrap(), &Existing::default()).unwrap();
    let ids: Vec<&str> = resolved.things.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["D00R", "NEW-1", "NEW-2", "NEW-3"]);
    assert_eq!(
        resolved.things[2].requires,
        ["NEW-1"],
        "prerequisites by name become ids"
    );
    assert_eq!(
        resolved.groups,
        [(
            "keyholders".to_owned(),
            vec!["D00R".to_owned(), "NEW-3".to_owned()]
        )]
    );
    assert_eq!(
        resolved.allowed[1],
        (8, "D00R".to_owned(), false, true, Some(7))
    );
    assert_eq!(
        resolved.devices[0].key,
        hex::decode("00112233445566778899aabbccddeeff").unwrap()
    );
    assert!(!resolved.devices[0].nonce_given);
    assert_eq!(resolved.api_tokens[0].1, "hash-of-a-long-enough-secret");
    let created = resolved.people[1].created.unwrap().0.to_string();
    assert_eq!(
        created, "2026-11-27T00:00:00Z",
        "undated people are created now"
    );
    assert_eq!(
        resolved.people[0].payments[0].paid_on.0.to_string(),
        "2026-11-01T00:00:00Z",
        "a bare date is midnight UTC"
    );
}

#[test]
fn references_may_point_into_the_database() {
    let existing = Existing {
        things: [("OLD-LATHE".to_owned(), "Lathe".to_owned())].into(),
        people: [3].into(),
        tiers: [4].into(),
        groups: ["staff".to_owned()].into(),
    };
    let file = parse(&json!({
        "things": [{"name": "Lathe", "lone_working_allowed": false}],
        "people": [{"id": 12, "name": "New Person", "tier": 4, "parent": 3, "groups": ["staff"]}],
        "allowed": [{"person": 3, "thing": "Lathe"}]
    }).to_string()).unwrap();
    let resolved = options_resolve(file, &existing).unwrap();
    assert_eq!(
        resolved.things[0].id, "OLD-LATHE",
        "a known name keeps its id: an upsert, not a duplicate"
    );
    assert_eq!(resolved.allowed[0].1, "OLD-LATHE");
}

#[test]
fn errors_name_the_json_path() {
    let cases = [
        (json!({"peopel": []}), "peopel", "unknown field `peopel`"),
        (
            json!({"people": [{"id": 1, "name": "A\u{0}B"}]}),
            "people[0].name",
            "NUL",
        ),
        (
            json!({"people": [{"id": 1, "name": "A", "tokens": [{"id": "x", "colour": "red"}]}]}),
            "people[0].tokens[0].colour",
            "unknown field `colour`",
        ),
        (
            json!({"people": [{"id": 1}]}),
            "people[0]",
            "missing field `name`",
        ),
        (
            json!({"people": [{"id": "one", "name": "A"}]}),
            "people[0].id",
            "invalid type",
        ),
        (
            json!({"people": [{"id": 1, "name": "A", "payments": [{"paid_on": "soon", "expires_on": "2026-01-01", "amount_p": 1}]}]}),
            "people[0].payments[0].paid_on",
            "not an RFC 3339 time",
        ),
        (
            json!({"people": [{"id": 1, "name": "A", "tier": 5}]}),
            "people[0].tier",
            "no tier with id 5",
        ),
        (
            json!({"people": [{"id": 1, "name": "A", "parent": 1}]}),
            "people[0].parent",
            "their own parent",
        ),
        (
            json!({"people": [{"id": 1, "name": "A", "dob": "1990-13"}]}),
            "people[0].dob",
            "not YYYY-MM",
        ),
        (
            json!({"people": [{"id": 1, "name": "A", "tokens": [{"id": "x"}, {"id": "x"}]}]}),
            "people[0].tokens[1].id",
            "appears twice",
        ),
        (
            json!({"people": [{"id": 1, "name": "A", "groups": ["nope"]}]}),
            "people[0].groups[0]",
            "no group named",
        ),
        (
            json!({"things": [{"name": "A", "requires": ["B"]}]}),
            "things[0].requires[0]",
            "no thing with id or name \"B\"",
        ),
        (
            json!({"things": [{"name": "A"}, {"name": "A"}]}),
            "things[1].name",
            "appears twice",
        ),
        (
            json!({"things": [{"name": "A", "assigned_ip": "ten"}]}),
            "things[0].assigned_ip",
            "not an IP address",
        ),
        (
            json!({"tiers": [{"id": 1, "name": "T", "price_p": 1, "restrictions": {"times": [{"from": "9:00:00", "to": "7:00:00"}]}}]}),
            "tiers[0].restrictions",
            "times[0].from",
        ),
        (
            json!({"allowed": [{"person": 4, "thing": "x"}]}),
            "allowed[0].person",
            "no person with id 4",
        ),
        (
            json!({"devices": [{"name": "d", "key": "k", "key_hex": "00"}]}),
            "devices[0]",
            "exactly one of key and key_hex",
        ),
        (
            json!({"devices": [{"name": "d", "key": "k", "nonce_hex": "00"}]}),
            "devices[0].nonce_hex",
            "16 bytes",
        ),
        (
            json!({"devices": [{"name": "d", "key": "k", "min_version": 3, "max_version": 3}]}),
            "devices[0].min_version",
            "versions",
        ),
        (
            json!({"api_tokens": [{"name": "t", "token": "short", "scopes": ["measure"]}]}),
            "api_tokens[0].token",
            "16 characters",
        ),
        (
            json!({"api_tokens": [{"name": "t", "token": "long-enough-secret!", "scopes": ["root"]}]}),
            "api_tokens[0].scopes[0]",
            "unknown scope",
        ),
        (
            json!({"soda_slots": [{"slot": 1, "name": "a"}, {"slot": 1, "name": "b"}]}),
            "soda_slots[1].slot",
            "appears twice",
        ),
    ];
    for (document, path, message) in cases {
        let error = error_of(document.clone());
        assert_eq!(error.path, path, "{document}: {error}");
        assert!(error.message.contains(message), "{document}: {error}");
    }
}

#[test]
fn syntax_errors_carry_line_and_column() {
    let error = parse("{\n  \"tiers\": [\n    {\"id\": 1,}\n  ]\n}").unwrap_err();
    assert!(error.message.contains("line 3"), "{error}");
}

#[test]
fn rendering_round_trips() {
    let file = parse(&sample().to_string()).unwrap();
    let again = parse(&render(&file)).unwrap();
    assert_eq!(again, file);
}
