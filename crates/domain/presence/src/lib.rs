//! Presence domain for the `offimic-measure` agent and the server's validation of its uploads.
//!
//! Everything here is pure: text in, values out. The agent feeds it the output of `arp-scan`,
//! `ip -j neigh`, `/proc/net/arp` or a dnsmasq leases file; it gets back canonical MAC addresses,
//! drops the ones on the ignore-list, and turns the rest into keyed pseudonyms so that no raw MAC
//! ever leaves the machine that scanned it.

pub mod ignore;
pub mod mac;
pub mod pseudonym;
pub mod sources;

pub use ignore::{IgnoreEntry, IgnoreList};
pub use mac::{Mac, MacError};
pub use pseudonym::{HashKind, Pseudonym, PseudonymError, Pseudonymiser};
