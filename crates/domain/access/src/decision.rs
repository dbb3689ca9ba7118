//! The one decision function: may the holder of `token` use `thing` now?
//!
//! It follows Swindon's `allowed_to_thing` table row by row (§1.1.1), with membership validity
//! from §3.6 and group grants (Hive13's item groups) counting as confirmed inductions:
//!
//! | # | situation | outcome |
//! |---|---|---|
//! | 1 | several people hold the token and stand on the thing | token reused |
//! | 2 | one person, confirmed, valid, but outside the tier's windows on a working day | outside tier hours |
//! | 3 | as 2 (or unrestricted) but a prerequisite thing is refused | that refusal |
//! | 4 | as 3 and every prerequisite passes | granted |
//! | 5 | one person, confirmed, not valid, a donor | donor |
//! | 6 | one person, confirmed, not valid | membership expired |
//! | 7 | one person, induction pending | induction pending |
//! | 8 | nobody holds the token | unknown token |
//! | 9 | the token is known, the thing is not | unknown thing |
//! | 10 | the token is known, the thing too, no standing on it | not inducted |
//!
//! Prerequisites are evaluated recursively with the same token, for the person chosen at the top
//! only (the original asked again for anyone holding the token, so a shared token let one
//! holder's induction satisfy another's prerequisite); a prerequisite already being evaluated
//! higher up (a cycle in the data) is not evaluated again.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::calendar::HolidayCalendar;
use crate::model::{Facts, Member, PersonId};

/// How long a controller may serve a cached grant without asking (Swindon's 24 h counter can
/// stretch to 25 h).
pub const CACHE_HORIZON: SignedDuration = SignedDuration::from_hours(25);

/// The moment of the question and how to read it locally.
#[derive(Debug, Clone)]
pub struct Clock<'a> {
    pub now: Timestamp,
    pub tz: &'a TimeZone,
    pub holidays: &'a HolidayCalendar,
}

/// Why access was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denial {
    TokenReused,
    OutsideTierHours,
    /// A prerequisite thing was refused; `cause` says why.
    Prerequisite {
        thing: String,
        cause: Box<Denial>,
    },
    Donor,
    MembershipExpired,
    InductionPending,
    UnknownToken {
        token: String,
    },
    UnknownThing {
        thing: String,
    },
    NotInducted {
        thing_name: String,
    },
}

impl Denial {
    /// A stable machine-readable reason, as logged.
    pub fn code(&self) -> &'static str {
        match self {
            Denial::TokenReused => "token_reused",
            Denial::OutsideTierHours => "outside_tier_hours",
            Denial::Prerequisite { .. } => "prerequisite",
            Denial::Donor => "donor",
            Denial::MembershipExpired => "membership_expired",
            Denial::InductionPending => "induction_pending",
            Denial::UnknownToken { .. } => "unknown_token",
            Denial::UnknownThing { .. } => "unknown_thing",
            Denial::NotInducted { .. } => "not_inducted",
        }
    }

    /// Swindon's exact error text.
    pub fn message(&self) -> String {
        match self {
            Denial::TokenReused => "Token reused on accounts. Talk to a director".into(),
            Denial::OutsideTierHours => "No access for Weekend Member".into(),
            Denial::Prerequisite { cause, .. } => cause.message(),
            Denial::Donor => "No access for donors".into(),
            Denial::MembershipExpired => "Membership expired/unpaid".into(),
            Denial::InductionPending => "Induction not confirmed/Pay up please".into(),
            Denial::UnknownToken { token } => format!("RFID tag ({token}) not recognised"),
            Denial::UnknownThing { thing } => format!("Tool ({thing}) not recognised"),
            Denial::NotInducted { thing_name } => {
                format!("{thing_name} not accepted/inducted. See email")
            }
        }
    }

    /// Swindon's LED colour code for the refusal; `None` is sent as JSON `null`.
    pub fn colour(&self) -> Option<u8> {
        match self {
            Denial::TokenReused => Some(0x25),
            Denial::OutsideTierHours => Some(0x21),
            Denial::Prerequisite { .. } | Denial::InductionPending | Denial::NotInducted { .. } => {
                Some(0x24)
            }
            Denial::Donor | Denial::MembershipExpired => Some(0x22),
            Denial::UnknownToken { .. } => Some(0x20),
            Denial::UnknownThing { .. } => None,
        }
    }
}

/// What was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Granted {
        /// May induct others on this thing.
        inductor: bool,
        /// A controller may cache the grant: the member stays valid for the next 25 hours and
        /// has no time restriction.
        cacheable: bool,
        /// When the membership runs out.
        valid_until: Option<Timestamp>,
    },
    Denied(Denial),
}

/// A decision and the person it concerns, if one was identified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub outcome: Outcome,
    pub person: Option<(PersonId, String)>,
}

impl Decision {
    pub fn is_granted(&self) -> bool {
        matches!(self.outcome, Outcome::Granted { .. })
    }

    /// The machine-readable reason: `granted` or the denial's code.
    pub fn reason(&self) -> &'static str {
        match &self.outcome {
            Outcome::Granted { .. } => "granted",
            Outcome::Denied(denial) => denial.code(),
        }
    }

    fn denied(denial: Denial, person: Option<&Member>) -> Self {
        Decision {
            outcome: Outcome::Denied(denial),
            person: person.map(|p| (p.id, p.name.clone())),
        }
    }
}

/// Decides whether the holder of `token` may use `thing` (an id) now.
pub fn decide(token: &str, thing: &str, facts: &Facts, clock: &Clock<'_>) -> Decision {
    decide_within(token, thing, facts, clock, &mut vec![thing.to_owned()])
}

fn decide_within(
    token: &str,
    thing: &str,
    facts: &Facts,
    clock: &Clock<'_>,
    stack: &mut Vec<String>,
) -> Decision {
    let standing: Vec<(&Member, crate::model::Induction)> = facts
        .holders
        .iter()
        .filter_map(|m| m.standing(thing).map(|s| (m, s)))
        .collect();
    let (person, induction) = match standing.as_slice() {
        [] => return unrecognised(token, thing, facts),
        [one] => *one,
        _ => return Decision::denied(Denial::TokenReused, None),
    };
    if induction.pending {
        return Decision::denied(Denial::InductionPending, Some(person));
    }
    if !person.is_valid(clock.now) {
        let denial = if person.is_donor() {
            Denial::Donor
        } else {
            Denial::MembershipExpired
        };
        return Decision::denied(denial, Some(person));
    }
    let local = clock.now.to_zoned(clock.tz.clone()).datetime();
    if !person.restrictions.admits(local) && !clock.holidays.contains(local.date()) {
        return Decision::denied(Denial::OutsideTierHours, Some(person));
    }
    let requires = facts
        .things
        .get(thing)
        .map(|t| t.requires.as_slice())
        .unwrap_or_default();
    let only_this_person;
    let scoped = if requires.is_empty() {
        facts
    } else {
        only_this_person = Facts {
            holders: vec![person.clone()],
            things: facts.things.clone(),
        };
        &only_this_person
    };
    for required in requires {
        if stack.contains(required) {
            continue;
        }
        stack.push(required.clone());
        let prerequisite = decide_within(token, required, scoped, clock, stack);
        stack.pop();
        if let Outcome::Denied(cause) = prerequisite.outcome {
            let denial = Denial::Prerequisite {
                thing: required.clone(),
                cause: Box::new(cause),
            };
            return Decision::denied(denial, Some(person));
        }
    }
    let horizon = clock.now.checked_add(CACHE_HORIZON).unwrap_or(clock.now);
    Decision {
        outcome: Outcome::Granted {
            inductor: induction.inductor,
            cacheable: person.restrictions.is_unrestricted()
                && person.is_valid_throughout(clock.now, horizon),
            valid_until: person.valid_until(),
        },
        person: Some((person.id, person.name.clone())),
    }
}

/// Rows 8–10: nobody with this token stands on the thing.
fn unrecognised(token: &str, thing: &str, facts: &Facts) -> Decision {
    let denial = if facts.holders.is_empty() {
        Denial::UnknownToken {
            token: token.to_owned(),
        }
    } else {
        match facts.things.get(thing) {
            None => Denial::UnknownThing {
                thing: thing.to_owned(),
            },
            Some(known) => Denial::NotInducted {
                thing_name: known.name.clone(),
            },
        }
    };
    let person = match facts.holders.as_slice() {
        [one] => Some(one),
        _ => None,
    };
    Decision::denied(denial, person)
}
