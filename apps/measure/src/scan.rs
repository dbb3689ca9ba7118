//! Running a presence source and turning what it printed into the MACs of the devices present.
//! Programs are run from an argument vector, never through a shell. Anything that goes wrong is
//! a `ScanError` whose message tells the operator what to do; it becomes a failed scan (a gap in
//! the history), never a count of zero.

use std::io::ErrorKind;
use std::path::Path;
use std::process::Command;

use offimic_presence::Mac;
use offimic_presence::sources::{ParseError, arp_scan, leases, neigh, proc_arp};

use crate::config::{MeasureConfig, Source};

/// What a source saw: every device, and the scanning interface's own address if known.
#[derive(Debug, Default)]
pub struct Observation {
    pub seen: Vec<Mac>,
    pub scanner: Option<Mac>,
}

/// A scan that did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("{0}")]
    Setup(String),
    #[error("{program} is not installed or not at that path (apt-get install {package})")]
    Missing {
        program: String,
        package: &'static str,
    },
    #[error(
        "{program} lacks permission to capture on {interface}: run it as root or `setcap cap_net_raw+p $(command -v {program})`"
    )]
    Permission { program: String, interface: String },
    #[error("{program} exited with {status}: {detail}")]
    Failed {
        program: String,
        status: String,
        detail: String,
    },
    #[error("{what}: {error}")]
    Unreadable { what: String, error: std::io::Error },
    #[error("could not read the output of {what}: {error}")]
    Parse { what: String, error: ParseError },
}

/// Runs the configured source once. `now` (UTC seconds) decides which leases are live.
pub fn observe(config: &MeasureConfig, now: i64) -> Result<Observation, ScanError> {
    let interface = config.interface.as_deref();
    let scanner = interface.and_then(interface_mac);
    let seen = match config.source {
        Source::ArpScan => {
            let interface = interface.ok_or_else(|| {
                ScanError::Setup(
                    "set \"interface\" in measure.json for arp-scan (`ip -br link` lists them)"
                        .into(),
                )
            })?;
            let output = run(
                Command::new(&config.arp_scan).args([
                    "--interface",
                    interface,
                    "--localnet",
                    "--plain",
                    "--quiet",
                    "--timeout",
                    &config.timeout.to_string(),
                    "--retry",
                    &config.retry.to_string(),
                ]),
                "arp-scan",
                interface,
            )?;
            let scan = arp_scan::parse(&output).map_err(|error| ScanError::Parse {
                what: "arp-scan".into(),
                error,
            })?;
            return Ok(Observation {
                seen: scan.devices,
                scanner: scan.scanner.or(scanner),
            });
        }
        Source::Neigh => {
            let mut command = Command::new("ip");
            command.args(["-j", "neigh", "show"]);
            if let Some(interface) = interface {
                command.args(["dev", interface]);
            }
            let output = run(
                &mut command,
                "iproute2",
                interface.unwrap_or("any interface"),
            )?;
            neigh::parse(&output, interface).map_err(|error| ScanError::Parse {
                what: "ip -j neigh".into(),
                error,
            })?
        }
        Source::ArpTable => {
            let table = read("/proc/net/arp".as_ref())?;
            proc_arp::parse(&table, interface).map_err(|error| ScanError::Parse {
                what: "/proc/net/arp".into(),
                error,
            })?
        }
        Source::Leases => {
            let file = read(&config.leases_file)?;
            leases::parse(&file, now).map_err(|error| ScanError::Parse {
                what: config.leases_file.display().to_string(),
                error,
            })?
        }
    };
    Ok(Observation { seen, scanner })
}

/// Runs `command` and returns its standard output.
fn run(command: &mut Command, package: &'static str, interface: &str) -> Result<String, ScanError> {
    let program = command.get_program().to_string_lossy().into_owned();
    let output = command.output().map_err(|error| match error.kind() {
        ErrorKind::NotFound => ScanError::Missing {
            program: program.clone(),
            package,
        },
        ErrorKind::PermissionDenied => ScanError::Permission {
            program: program.clone(),
            interface: interface.into(),
        },
        _ => ScanError::Unreadable {
            what: program.clone(),
            error,
        },
    })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        if stderr.contains("permission") || stderr.contains("Operation not permitted") {
            return Err(ScanError::Permission {
                program,
                interface: interface.into(),
            });
        }
        let detail = stderr
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message");
        return Err(ScanError::Failed {
            program,
            status: output.status.to_string(),
            detail: detail.chars().take(200).collect(),
        });
    }
    String::from_utf8(output.stdout).map_err(|_| ScanError::Failed {
        program,
        status: "success".into(),
        detail: "its output is not UTF-8".into(),
    })
}

fn read(path: &Path) -> Result<String, ScanError> {
    std::fs::read_to_string(path).map_err(|error| ScanError::Unreadable {
        what: path.display().to_string(),
        error,
    })
}

/// The interface's own hardware address, so it is never counted.
fn interface_mac(interface: &str) -> Option<Mac> {
    if interface.contains('/') || interface.starts_with('.') {
        return None;
    }
    std::fs::read_to_string(Path::new("/sys/class/net").join(interface).join("address"))
        .ok()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: serde_json::Value) -> MeasureConfig {
        offimic_config::parse(&json.to_string(), Path::new("t.json")).unwrap()
    }

    #[test]
    fn a_missing_arp_scan_is_a_clear_error() {
        let config =
            config(serde_json::json!({"interface": "lo", "arp_scan": "/nonexistent/arp-scan"}));
        let error = observe(&config, 0).unwrap_err().to_string();
        assert!(
            error.contains("not installed") && error.contains("apt-get install arp-scan"),
            "{error}"
        );
    }

    #[test]
    fn arp_scan_needs_an_interface() {
        let error = observe(&config(serde_json::json!({})), 0)
            .unwrap_err()
            .to_string();
        assert!(error.contains("\"interface\""), "{error}");
    }

    #[test]
    fn a_failing_program_reports_its_status_and_message() {
        // `false` stands in for an arp-scan that exits 1.
        let config = config(serde_json::json!({"interface": "lo", "arp_scan": "false"}));
        let error = observe(&config, 0).unwrap_err().to_string();
        assert!(error.contains("exited with exit status: 1"), "{error}");
    }

    #[test]
    fn leases_are_read_from_the_configured_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("dnsmasq.leases");
        std::fs::write(
            &file,
            "2000 00:1b:63:12:34:56 10.0.0.2 laptop *\n1000 00:1b:63:12:34:57 10.0.0.3 * *\n",
        )
        .unwrap();
        let config = config(serde_json::json!({"source": "leases", "leases_file": file}));
        assert_eq!(observe(&config, 1500).unwrap().seen.len(), 1);
        let missing = config_missing_leases();
        assert!(
            observe(&missing, 0)
                .unwrap_err()
                .to_string()
                .contains("/nonexistent/leases")
        );
    }

    fn config_missing_leases() -> MeasureConfig {
        config(serde_json::json!({"source": "leases", "leases_file": "/nonexistent/leases"}))
    }
}
