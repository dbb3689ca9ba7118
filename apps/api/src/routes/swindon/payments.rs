//! Swindon's payments app (`/transaction`, `/get_transactions/:count/:hash`,
//! `/user_guid_request`): members spend from their balance at the space's tills and look at
//! their ledger. The app proves who it is with `md5(date . key)`, where the key is mailed to
//! the member; the date is the phone's, so yesterday's and tomorrow's are accepted too. Fixes:
//! an unknown hash or a member without a key never answers 500, and the token form reports
//! `error` only on failure, and the token form honours `enforce_thing_ip` like every device
//! endpoint.

use axum::extract::State;
use jiff::{SignedDuration, Timestamp};
use md5::{Digest, Md5};
use offimic_access::Outcome;
use serde_json::{Value, json};

use super::wire::{DeviceParams, DeviceReply};
use crate::access;
use crate::app::{ApiPath, AppState};
use crate::client_ip::ClientIp;

/// Longest reason kept on a ledger entry, in characters.
const MAX_REASON: usize = 255;
/// The largest single debit, in pence: no till sells anything near this.
const MAX_DEBIT_P: i64 = 1_000_000;
/// Ledger entries shown when the app asks for none.
const DEFAULT_COUNT: u32 = 10;
/// Most ledger entries one request returns.
const MAX_COUNT: u32 = 1000;

type Reply = Result<DeviceReply, DeviceReply>;

/// The person whose payments-app key `hash` proves, for a phone whose date is within a day of
/// the server's.
async fn person_by_hash(
    state: &AppState,
    hash: &str,
    now: Timestamp,
) -> Result<Option<i64>, DeviceReply> {
    let hash = hash.to_ascii_lowercase();
    let days: Vec<String> = [-1, 0, 1]
        .iter()
        .map(|offset| {
            (now + SignedDuration::from_hours(24 * offset))
                .strftime("%Y-%m-%d")
                .to_string()
        })
        .collect();
    let keys = state.store.login_tokens().await?;
    Ok(keys.into_iter().find_map(|(person, key)| {
        days.iter()
            .any(|day| hex::encode(Md5::digest(format!("{day}{key}"))) == hash)
            .then_some(person)
    }))
}

/// Takes `amount` (whole pence, as text) from `person`'s balance.
async fn debit(
    state: &AppState,
    person: i64,
    amount: &str,
    reason: &str,
) -> Result<Result<i64, &'static str>, DeviceReply> {
    let Some(amount_p) = Some(amount)
        .filter(|a| !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|a| a.parse::<i64>().ok())
    else {
        return Ok(Err("Amount must be a positive integer of pence"));
    };
    if amount_p > MAX_DEBIT_P {
        return Ok(Err("Amount is larger than any till takes"));
    }
    let reason: String = reason.chars().take(MAX_REASON).collect();
    let floor = state.config.payments.balance_floor_p;
    Ok(state
        .store
        .debit(person, amount_p, &reason, floor, Timestamp::now())
        .await?
        .ok_or("Not enough money for that transaction"))
}

pub async fn transaction(
    State(state): State<AppState>,
    ip: ClientIp,
    params: DeviceParams,
) -> Reply {
    let (amount, reason) = (params.get("amount"), params.get("reason"));
    if let (Some(hash), Some(amount), Some(reason)) = (params.get("hash"), amount, reason) {
        let Some(person) = person_by_hash(&state, hash, Timestamp::now()).await? else {
            return Ok(DeviceReply::new(
                json!({"success": 0, "error": "No member matches this hash"}),
            ));
        };
        let body = match debit(&state, person, amount, reason).await? {
            Ok(0) => json!({"success": 1}),
            Ok(balance) => json!({"success": 1, "balance": balance}),
            Err(error) => json!({"success": 0, "error": error}),
        };
        return Ok(DeviceReply::new(body));
    }
    let (Some(token), Some(thing), Some(amount), Some(reason)) =
        (params.get("token"), params.get("thing"), amount, reason)
    else {
        return Ok(DeviceReply::new(json!({
            "success": 0,
            "error": "Missing token or thing or amount or reason parameter(s)"
        })));
    };
    if let Some(error) = super::pinned_elsewhere(&state, thing, ip, "take payments for").await? {
        return Ok(DeviceReply::new(json!({"success": 0, "error": error})));
    }
    let decision = access::decide(&state, "swindon", token, thing, None).await?;
    let person = match (&decision.outcome, &decision.person) {
        (Outcome::Granted { .. }, Some((person, _))) => *person,
        (Outcome::Denied(denial), _) => {
            return Ok(DeviceReply::new(
                json!({"success": 0, "error": denial.message()}),
            ));
        }
        (Outcome::Granted { .. }, None) => {
            return Ok(DeviceReply::new(
                json!({"success": 0, "error": "No member holds this token"}),
            ));
        }
    };
    let body = match debit(&state, person, amount, reason).await? {
        Ok(balance) => json!({"success": 1, "balance": balance}),
        Err(error) => json!({"success": 0, "error": error}),
    };
    Ok(DeviceReply::new(body))
}

pub async fn get_transactions(
    State(state): State<AppState>,
    ApiPath((count, hash)): ApiPath<(String, String)>,
) -> Reply {
    let Some(person) = person_by_hash(&state, &hash, Timestamp::now()).await? else {
        return Ok(DeviceReply::new(json!([])));
    };
    let count = count
        .parse::<u32>()
        .ok()
        .filter(|c| *c > 0)
        .unwrap_or(DEFAULT_COUNT)
        .min(MAX_COUNT);
    let entries: Vec<Value> = state
        .store
        .ledger(person, count)
        .await?
        .into_iter()
        .map(|entry| {
            json!({
                "added_on": entry.added_on.strftime("%Y-%m-%dT%H:%M:%S").to_string(),
                "reason": entry.reason,
                "amount": entry.amount_p,
            })
        })
        .collect();
    let balance = state.store.balance(person).await?;
    Ok(DeviceReply::new(
        json!({"transactions": entries, "balance": balance}),
    ))
}

pub async fn user_guid_request(State(state): State<AppState>, params: DeviceParams) -> Reply {
    let no_match =
        || DeviceReply::new(json!({"success": 0, "error": "No member matching this reference"}));
    let prefix = &state.config.payments.reference_prefix;
    let userid = params.get("userid").unwrap_or("").trim();
    let number = match userid.get(..prefix.len()) {
        Some(head) if !prefix.is_empty() && head.eq_ignore_ascii_case(prefix) => {
            &userid[prefix.len()..]
        }
        _ => userid,
    };
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(no_match());
    }
    let Ok(person) = number.parse::<i64>() else {
        return Ok(no_match());
    };
    let now = Timestamp::now();
    let Some(status) = state.store.member_status(person, now).await? else {
        return Ok(no_match());
    };
    // As the original: someone who has paid, and whose membership has not run out.
    if status.valid_until.is_none_or(|until| until < now) {
        return Ok(DeviceReply::new(json!({
            "success": 0,
            "error": "Member is invalid (not paid recently), did you mistype the ref?"
        })));
    }
    let key = state
        .store
        .ensure_login_token(person, &offimic_store::new_thing_id())
        .await?;
    state
        .mail
        .queue(
            &*state.store,
            Some((person, &status.name)),
            "app_login_email",
            vec![("login_token".into(), key)],
            true,
            now,
        )
        .await?;
    Ok(DeviceReply::new(json!({"success": 1})))
}
