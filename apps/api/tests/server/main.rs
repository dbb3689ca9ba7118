//! Server tests: the real router on a real socket, over SQLite and over PostgreSQL, plus the real
//! binary for what only a process shows (exit codes, signals, log lines).

mod binary;
mod devices;
mod harness;
mod occupancy;
