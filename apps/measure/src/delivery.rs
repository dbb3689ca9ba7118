//! Delivering reports to `offimic-api`, and the spool that keeps them while it is unreachable.
//!
//! A report that cannot be delivered is written to the spool directory, one file per slot, and
//! sent by the next run that reaches the server, oldest first. The server stores one report per
//! agent and slot, so a report that arrives twice (a lost answer, a retry) is never counted twice.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use offimic_occupancy::ScanReport;
use serde::Deserialize;

/// What the server did with a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Stored now or earlier (`duplicate`); `count` is what the history holds for the slot.
    Stored { count: Option<u32>, duplicate: bool },
    /// The server will never accept this report (400): keeping it would block the spool.
    Rejected(String),
    /// The server refused us (bad token, wrong path): a configuration problem; keep the report.
    Refused(String),
    /// No answer, or the server is failing: try again later.
    Unreachable(String),
}

/// Sends reports to one server.
pub struct Uploader {
    agent: ureq::Agent,
    url: String,
    token: Option<String>,
}

#[derive(Deserialize)]
struct Answer {
    body: Option<StoredBody>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct StoredBody {
    count: Option<u32>,
    duplicate: bool,
}

impl Uploader {
    pub fn new(url: String, token: Option<String>, timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .build()
            .into();
        Self { agent, url, token }
    }

    pub fn deliver(&self, report: &ScanReport) -> Delivery {
        let body = match serde_json::to_string(report) {
            Ok(body) => body,
            Err(error) => return Delivery::Rejected(format!("cannot encode the report: {error}")),
        };
        let mut request = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json");
        if let Some(token) = &self.token {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        let mut response = match request.send(body.as_str()) {
            Ok(response) => response,
            Err(error) => return Delivery::Unreachable(format!("{}: {error}", self.url)),
        };
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        let answer: Option<Answer> = serde_json::from_str(&text).ok();
        let error = || {
            answer
                .as_ref()
                .and_then(|a| a.error.clone())
                .unwrap_or_else(|| format!("HTTP {status} from {}", self.url))
        };
        match status {
            200 | 201 => match answer.as_ref().and_then(|a| a.body.as_ref()) {
                Some(body) => Delivery::Stored {
                    count: body.count,
                    duplicate: body.duplicate,
                },
                None => Delivery::Refused(format!(
                    "{} answered {status} without an offimic body: check host, port and path",
                    self.url
                )),
            },
            400 | 413 => Delivery::Rejected(error()),
            401 | 403 => {
                Delivery::Refused(format!("{} (check \"token\" in measure.json)", error()))
            }
            404 | 405 => Delivery::Refused(format!(
                "{} has no scan API (HTTP {status}): check host, port and path",
                self.url
            )),
            _ => Delivery::Unreachable(error()),
        }
    }
}

/// Reports waiting for the server, one JSON file per slot.
pub struct Spool {
    dir: PathBuf,
}

impl Spool {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// Keeps `report` for later; false when this slot is already waiting (the first one wins,
    /// as it would on the server).
    pub fn add(&self, report: &ScanReport) -> io::Result<bool> {
        fs::create_dir_all(&self.dir)?;
        let path = self
            .dir
            .join(format!("{:012}.json", report.slot.as_second()));
        if path.exists() {
            return Ok(false);
        }
        let temporary = path.with_extension("tmp");
        fs::write(
            &temporary,
            serde_json::to_vec(report).map_err(io::Error::other)?,
        )?;
        fs::rename(&temporary, &path)?;
        Ok(true)
    }

    /// Waiting reports, oldest slot first.
    pub fn pending(&self) -> io::Result<Vec<PathBuf>> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect();
        files.sort();
        Ok(files)
    }

    pub fn load(path: &Path) -> Result<ScanReport, String> {
        let bytes = fs::read(path).map_err(|e| e.to_string())?;
        serde_json::from_slice(&bytes).map_err(|e| e.to_string())
    }

    pub fn remove(path: &Path) -> io::Result<()> {
        fs::remove_file(path)
    }

    /// Moves a report the server will never take to `rejected/`, for the operator to inspect.
    pub fn reject(&self, path: &Path) -> io::Result<PathBuf> {
        let rejected = self.dir.join("rejected");
        fs::create_dir_all(&rejected)?;
        let target = rejected.join(path.file_name().unwrap_or_default());
        fs::rename(path, &target)?;
        Ok(target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use offimic_occupancy::ScanStatus;

    fn report(slot: &str) -> ScanReport {
        ScanReport {
            slot: slot.parse().unwrap(),
            scanned_at: None,
            status: ScanStatus::Ok,
            reason: None,
            hash: Default::default(),
            devices: vec![],
        }
    }

    #[test]
    fn the_spool_keeps_one_report_per_slot_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::new(dir.path().join("spool"));
        assert!(
            spool.pending().unwrap().is_empty(),
            "a missing directory is an empty spool"
        );
        assert!(spool.add(&report("2026-11-27T10:10:00Z")).unwrap());
        assert!(spool.add(&report("2026-11-27T10:00:00Z")).unwrap());
        assert!(!spool.add(&report("2026-11-27T10:00:00Z")).unwrap());
        let pending = spool.pending().unwrap();
        assert_eq!(pending.len(), 2);
        assert_eq!(
            Spool::load(&pending[0]).unwrap(),
            report("2026-11-27T10:00:00Z")
        );
        let moved = spool.reject(&pending[0]).unwrap();
        assert!(moved.exists());
        Spool::remove(&pending[1]).unwrap();
        assert!(spool.pending().unwrap().is_empty());
    }

    #[test]
    fn an_unreachable_server_is_reported_as_such() {
        // A port that was just free: bind it, note it, release it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let uploader = Uploader::new(
            format!("http://127.0.0.1:{port}/api/v1/scans"),
            None,
            Duration::from_secs(5),
        );
        assert!(matches!(
            uploader.deliver(&report("2026-11-27T10:00:00Z")),
            Delivery::Unreachable(_)
        ));
    }
}
