//! Access decisions as the server makes them: load the facts (from a cache kept current by the
//! database's access version), decide with the space's clock and bank holidays, and log the
//! decision with its reason. Every protocol goes through here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use offimic_access::{Clock, Decision, Facts, Outcome};
use offimic_store::{DecisionLog, StoreResult};

use crate::app::AppState;

/// Entries kept before the cache starts over.
const CACHE_LIMIT: usize = 20_000;

/// Longest token or thing id taken as given; longer ones are clipped (and so never match).
pub const MAX_FIELD: usize = 255;

/// `text` cut to [`MAX_FIELD`] bytes on a character boundary.
pub fn clip(text: &str) -> &str {
    let mut end = text.len().min(MAX_FIELD);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

type Entries = HashMap<(String, String), Arc<Facts>>;

/// Decision facts by (token, thing), valid for one access version. Facts hold no clock-dependent
/// result (validity is computed at each decision), so they stay right until the data changes,
/// which bumps the version; several servers on one database each see the bump.
#[derive(Default)]
pub struct FactsCache {
    inner: Mutex<(i64, Entries)>,
}

impl FactsCache {
    fn entries(&self, version: i64) -> std::sync::MutexGuard<'_, (i64, Entries)> {
        let mut guard = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if guard.0 != version {
            *guard = (version, HashMap::new());
        }
        guard
    }

    fn get(&self, version: i64, key: &(String, String)) -> Option<Arc<Facts>> {
        self.entries(version).1.get(key).cloned()
    }

    fn put(&self, version: i64, key: (String, String), facts: Arc<Facts>) {
        let mut guard = self.entries(version);
        if guard.1.len() >= CACHE_LIMIT {
            guard.1.clear();
        }
        guard.1.insert(key, facts);
    }
}

/// Decides whether the holder of `token` may use `thing` (an id) now, and logs it. `version` is
/// the access version when the caller has already read it.
pub async fn decide(
    state: &AppState,
    protocol: &str,
    token: &str,
    thing: &str,
    version: Option<i64>,
) -> StoreResult<Decision> {
    let version = match version {
        Some(version) => version,
        None => state.store.access_version().await?,
    };
    // No token or thing is this long: answer "unknown" without a database query or a cache
    // entry, and log a clipped copy.
    let oversized = token.len() > MAX_FIELD || thing.len() > MAX_FIELD;
    let (token, thing) = (clip(token), clip(thing));
    let key = (token.to_owned(), thing.to_owned());
    let facts = match state.facts.get(version, &key) {
        Some(facts) => facts,
        None if oversized => Arc::new(Facts::default()),
        None => {
            let facts = Arc::new(state.store.decision_facts(token, thing).await?);
            // Unknown tokens are not cached: anyone can invent them.
            if !facts.holders.is_empty() {
                state.facts.put(version, key, facts.clone());
            }
            facts
        }
    };
    let now = Timestamp::now();
    let clock = Clock {
        now,
        tz: state.config.tz(),
        holidays: &state.holidays,
    };
    let decision = offimic_access::decide(token, thing, &facts, &clock);
    state.metrics.decision(protocol, decision.reason());
    let message = match &decision.outcome {
        Outcome::Granted { .. } => String::new(),
        Outcome::Denied(denial) => denial.message(),
    };
    state
        .store
        .log_decision(&DecisionLog {
            at: now,
            protocol: protocol.to_owned(),
            thing: thing.to_owned(),
            token: token.to_owned(),
            person: decision.person.as_ref().map(|(id, _)| *id),
            granted: decision.is_granted(),
            reason: decision.reason().to_owned(),
            message,
        })
        .await?;
    Ok(decision)
}
