//! Perl compatibility: the two places where the systems offimic replaces (Swindon's Catalyst app,
//! Hive13's HiveWeb) behave in a Perl-specific way that their data and devices depend on.
//!
//! - [`number::g15`]: how Perl prints a non-integer number (`%.15g`), which HiveWeb's checksums
//!   and Swindon's `/get_dues` answers are made of.
//! - [`dates::add_days_then_months`]: DateTime's `add(months => m, days => d)`, which adds the
//!   days first and lets a day past the end of the month spill into the next (Jan 31 + 1 month
//!   = Mar 3), so that imported memberships expire when they always did.

pub mod dates;
pub mod number;
