//! Server tests: the real router on a real socket, over SQLite and over PostgreSQL, plus the real
//! binary for what only a process shows (exit codes, signals, log lines).

mod admin;
mod binary;
mod browser;
mod chromium;
mod console;
mod harness;
mod hive13;
mod insights;
mod money;
mod occupancy;
mod pseudonyms;
mod public;
mod smtp;
mod swindon;
