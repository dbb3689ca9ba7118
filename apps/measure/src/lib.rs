//! `offimic-measure`: the presence agent.
//!
//! Map: `config` reads `measure.json`; `scan` runs the configured source (arp-scan, the
//! neighbour table, a leases file); `report` drops ignored devices and pseudonymises the rest
//! with the site key from `key`; `delivery` uploads reports and spools what cannot be sent;
//! `run` ties one measurement together; `schedule` repeats it; `cli` is the command line.
//! Parsing and pseudonymising themselves are pure code in `offimic-presence`.

pub mod cli;
pub mod config;
pub mod delivery;
pub mod key;
pub mod report;
pub mod run;
pub mod scan;
pub mod schedule;
