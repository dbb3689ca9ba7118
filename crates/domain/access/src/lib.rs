//! Access domain: the rules that decide whether a token may use a thing.
//!
//! `decide` is the only place an access question is answered. Swindon's `/verify`, Hive13's
//! `access` and the allow-lists sent to controllers all call it with facts loaded by the store,
//! so an offline controller and the server can never disagree. Everything here is pure and
//! deterministic: the clock and the calendar are arguments.

pub mod calendar;
pub mod decision;
pub mod model;
pub mod restrictions;
pub mod validity;

pub use calendar::HolidayCalendar;
pub use decision::{Clock, Decision, Denial, Outcome, decide};
pub use model::{Facts, Induction, Member, Membership, Payment, Thing};
pub use restrictions::{Restrictions, TimeWindow};
