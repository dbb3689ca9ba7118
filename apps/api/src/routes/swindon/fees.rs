//! The fee warning at the door: a member whose last payment is below their current dues hears
//! the door beep, and reads "Fees have changed" on its display, for ten minutes after the fee
//! email is written (once per member). Whether a member underpays is remembered per access
//! version (a payment or a tier change starts over) for five minutes, so a swipe by someone who
//! pays enough costs no extra query.

use std::collections::HashMap;
use std::sync::Mutex;

use jiff::{SignedDuration, Timestamp};
use offimic_store::StoreResult;

use crate::app::AppState;

/// What the door shows.
pub const FEE_WARNING: &str = "Fees have changed.  Check email.";

/// How long after the fee email the door keeps beeping.
const FEE_BEEP: SignedDuration = SignedDuration::from_mins(10);

/// How long a member's payment check is trusted (dues also change with age and vouchers).
const RECHECK: SignedDuration = SignedDuration::from_mins(5);

/// Entries kept before the cache starts over.
const LIMIT: usize = 20_000;

const KIND: &str = "membership_fees_change";

/// Whether a member underpays: their name and dues when they do.
type Underpaid = Option<(String, f64)>;

/// Recent payment checks by person: (access version, when, result).
#[derive(Default)]
pub struct FeeCache {
    checked: Mutex<HashMap<i64, (i64, Timestamp, Underpaid)>>,
}

impl FeeCache {
    fn get(&self, person: i64, version: i64, now: Timestamp) -> Option<Underpaid> {
        let checked = self.checked.lock().ok()?;
        let (seen, at, underpaid) = checked.get(&person)?;
        (*seen == version && now < *at + RECHECK).then(|| underpaid.clone())
    }

    fn put(&self, person: i64, version: i64, now: Timestamp, underpaid: Underpaid) {
        if let Ok(mut checked) = self.checked.lock() {
            if checked.len() >= LIMIT {
                checked.clear();
            }
            checked.insert(person, (version, now, underpaid));
        }
    }
}

async fn underpaid(state: &AppState, person: i64, now: Timestamp) -> StoreResult<Underpaid> {
    let Some(status) = state.store.member_status(person, now).await? else {
        return Ok(None);
    };
    let dues = crate::money::dues(&status, now);
    Ok(status
        .last_payment
        .filter(|(_, _, paid_p)| (*paid_p as f64) < dues)
        .map(|_| (status.name, dues)))
}

/// Whether the door should beep at `person`, who has just been let in.
pub async fn fee_warning(
    state: &AppState,
    person: i64,
    version: i64,
    now: Timestamp,
) -> StoreResult<bool> {
    let underpaid = match state.fees.get(person, version, now) {
        Some(known) => known,
        None => {
            let checked = underpaid(state, person, now).await?;
            state.fees.put(person, version, now, checked.clone());
            checked
        }
    };
    let Some((name, dues)) = underpaid else {
        return Ok(false);
    };
    // The email is written once; the door beeps while it is recent.
    let written = match state.store.last_email(person, KIND).await? {
        Some(at) => at,
        None => {
            let vars = vec![("dues".into(), offimic_dues::pounds(dues))];
            state
                .mail
                .queue(&*state.store, Some((person, &name)), KIND, vars, false, now)
                .await?;
            now
        }
    };
    Ok(written > now - FEE_BEEP)
}
