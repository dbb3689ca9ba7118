//! Access decisions as the server makes them: load the facts, decide with the space's clock and
//! bank holidays, and log the decision with its reason. Every protocol goes through here.

use jiff::Timestamp;
use offimic_access::{Clock, Decision, Outcome};
use offimic_store::{DecisionLog, StoreResult};

use crate::app::AppState;

/// Decides whether the holder of `token` may use `thing` (an id) now, and logs it.
pub async fn decide(
    state: &AppState,
    protocol: &str,
    token: &str,
    thing: &str,
) -> StoreResult<Decision> {
    let facts = state.store.decision_facts(token, thing).await?;
    let now = Timestamp::now();
    let clock = Clock {
        now,
        tz: state.config.tz(),
        holidays: &state.holidays,
    };
    let decision = offimic_access::decide(token, thing, &facts, &clock);
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
