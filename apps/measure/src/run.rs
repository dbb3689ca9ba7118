//! One measurement, end to end: scan, report, deliver the backlog and the new report, spool what
//! cannot be delivered. Used by `send` once and by `watch` every slot.

use std::path::Path;
use std::time::Duration;

use jiff::Timestamp;
use offimic_presence::Pseudonymiser;

use crate::config::MeasureConfig;
use crate::delivery::{Delivery, Spool, Uploader};
use crate::key;
use crate::report::{self, Summary};
use crate::scan;

/// Exit statuses of `send`, for cron and systemd.
pub mod exit {
    /// Measured and delivered.
    pub const OK: u8 = 0;
    /// The scan failed (reported as a gap), or the server refused the report.
    pub const FAILED: u8 = 1;
    /// The configuration or the site key is unusable.
    pub const CONFIG: u8 = 2;
    /// Measured, but the server was unreachable: spooled for the next run (EX_TEMPFAIL).
    pub const SPOOLED: u8 = 75;
}

/// Everything a measurement needs, prepared once.
pub struct Agent {
    pub config: MeasureConfig,
    pub pseudonymiser: Pseudonymiser,
    uploader: Uploader,
    spool: Spool,
}

impl Agent {
    pub fn new(config: MeasureConfig) -> Result<Self, String> {
        let pseudonymiser = pseudonymiser(&config)?;
        let uploader = Uploader::new(
            config.scans_url(),
            config.token.clone(),
            Duration::from_secs(u64::from(config.http_timeout)),
        );
        let spool = Spool::new(config.spool_path());
        Ok(Self {
            config,
            pseudonymiser,
            uploader,
            spool,
        })
    }

    /// Scans once, as if at `started`.
    pub fn scan(&self, started: Timestamp) -> (offimic_occupancy::ScanReport, Summary) {
        let observed = scan::observe(&self.config, started.as_second());
        report::build(
            observed,
            started,
            &self.config.ignore.0,
            &self.pseudonymiser,
        )
    }

    /// Scans, then delivers the spooled backlog and this report. Returns the exit status.
    pub fn send(&self, started: Timestamp) -> u8 {
        let (report, summary) = self.scan(started);
        match &summary.failure {
            Some(reason) => eprintln!("offimic-measure: scan failed: {reason}"),
            None => eprintln!(
                "offimic-measure: slot {}: {} devices ({} ignored)",
                report.slot, summary.seen, summary.ignored
            ),
        }
        let delivered = match self.deliver_backlog() {
            Backlog::Clear => self.uploader.deliver(&report),
            Backlog::Blocked(status) => {
                return self.keep(
                    &report,
                    "the spooled backlog could not be delivered",
                    status,
                );
            }
        };
        match delivered {
            Delivery::Stored { count, duplicate } => {
                let count = count.map_or("a gap".to_owned(), |c| c.to_string());
                let note = if duplicate { " (already stored)" } else { "" };
                println!("slot {}: stored {count}{note}", report.slot);
                if summary.failure.is_some() {
                    exit::FAILED
                } else {
                    exit::OK
                }
            }
            Delivery::Rejected(reason) => {
                eprintln!("offimic-measure: the server rejected the report: {reason}");
                exit::FAILED
            }
            Delivery::Refused(reason) => self.keep(&report, &reason, exit::FAILED),
            Delivery::Unreachable(reason) => self.keep(&report, &reason, exit::SPOOLED),
        }
    }

    fn keep(&self, report: &offimic_occupancy::ScanReport, reason: &str, status: u8) -> u8 {
        match self.spool.add(report) {
            Ok(_) => {
                eprintln!(
                    "offimic-measure: {reason}; kept slot {} for the next run",
                    report.slot
                );
                status
            }
            Err(error) => {
                eprintln!(
                    "offimic-measure: {reason}; and the report could not be spooled: {error}"
                );
                exit::FAILED
            }
        }
    }

    fn deliver_backlog(&self) -> Backlog {
        let pending = match self.spool.pending() {
            Ok(pending) => pending,
            Err(error) => {
                eprintln!("offimic-measure: cannot read the spool: {error}");
                return Backlog::Clear;
            }
        };
        for path in pending {
            let report = match Spool::load(&path) {
                Ok(report) => report,
                Err(error) => {
                    eprintln!(
                        "offimic-measure: {} is unreadable ({error})",
                        path.display()
                    );
                    self.set_aside(&path);
                    continue;
                }
            };
            match self.uploader.deliver(&report) {
                Delivery::Stored { .. } => {
                    if let Err(error) = Spool::remove(&path) {
                        eprintln!(
                            "offimic-measure: delivered {} but cannot remove it: {error}",
                            path.display()
                        );
                    }
                    println!("slot {}: delivered from the spool", report.slot);
                }
                Delivery::Rejected(reason) => {
                    eprintln!(
                        "offimic-measure: the server rejected spooled slot {}: {reason}",
                        report.slot
                    );
                    self.set_aside(&path);
                }
                Delivery::Refused(reason) => {
                    eprintln!("offimic-measure: {reason}");
                    return Backlog::Blocked(exit::FAILED);
                }
                Delivery::Unreachable(reason) => {
                    eprintln!("offimic-measure: {reason}");
                    return Backlog::Blocked(exit::SPOOLED);
                }
            }
        }
        Backlog::Clear
    }

    fn set_aside(&self, path: &Path) {
        match self.spool.reject(path) {
            Ok(target) => eprintln!("offimic-measure: moved it to {}", target.display()),
            Err(error) => eprintln!(
                "offimic-measure: cannot move {} aside: {error}",
                path.display()
            ),
        }
    }
}

enum Backlog {
    Clear,
    /// The server cannot take reports now; the status to exit with.
    Blocked(u8),
}

fn pseudonymiser(config: &MeasureConfig) -> Result<Pseudonymiser, String> {
    match config.hash {
        offimic_presence::HashKind::HmacSha256 => {
            let key = key::load_or_create(&config.key_path()).map_err(|e| e.to_string())?;
            Ok(Pseudonymiser::keyed(key))
        }
        offimic_presence::HashKind::Md5 => Ok(Pseudonymiser::legacy_md5()),
    }
}
