//! From an observation to the report the server stores: drop the scanner and the ignore-list,
//! pseudonymise the rest, and name the slot. After this point no MAC address exists.

use jiff::Timestamp;
use offimic_occupancy::{DeviceSighting, ScanReport, ScanStatus, slot_start};
use offimic_presence::sources::countable;
use offimic_presence::{IgnoreList, Pseudonymiser};

use crate::scan::{Observation, ScanError};

/// What a scan found, in numbers only: safe to print and log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub seen: usize,
    pub ignored: usize,
    pub failure: Option<String>,
}

/// Builds the report for a scan that started at `started`.
pub fn build(
    observed: Result<Observation, ScanError>,
    started: Timestamp,
    ignore: &IgnoreList,
    pseudonymiser: &Pseudonymiser,
) -> (ScanReport, Summary) {
    let slot = slot_start(started);
    let scanned_at = Some(Timestamp::from_second(started.as_second()).unwrap_or(slot));
    match observed {
        Ok(observation) => {
            let kept = countable(&observation.seen, observation.scanner, ignore);
            let without_scanner = observation
                .seen
                .iter()
                .filter(|mac| Some(**mac) != observation.scanner)
                .count();
            let devices: Vec<DeviceSighting> = kept
                .iter()
                .map(|mac| DeviceSighting {
                    pseudonym: pseudonymiser.pseudonym(mac),
                    local: mac.is_locally_administered(),
                })
                .collect();
            let summary = Summary {
                seen: devices.len(),
                ignored: without_scanner - kept.len(),
                failure: None,
            };
            let report = ScanReport {
                slot,
                scanned_at,
                status: ScanStatus::Ok,
                reason: None,
                hash: pseudonymiser.kind(),
                devices,
            };
            (report, summary)
        }
        Err(error) => {
            let reason = error.to_string();
            let report = ScanReport {
                slot,
                scanned_at,
                status: ScanStatus::Failed,
                reason: Some(reason.clone()),
                hash: pseudonymiser.kind(),
                devices: Vec::new(),
            };
            let summary = Summary {
                seen: 0,
                ignored: 0,
                failure: Some(reason),
            };
            (report, summary)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use offimic_presence::Mac;

    fn macs(list: &[&str]) -> Vec<Mac> {
        list.iter().map(|m| m.parse().unwrap()).collect()
    }

    #[test]
    fn scanner_and_ignored_devices_are_dropped_and_the_rest_pseudonymised() {
        let observation = Observation {
            seen: macs(&[
                "02:00:00:00:00:01",
                "00:15:5d:00:00:02",
                "00:1b:63:00:00:03",
                "5a:00:00:00:00:04",
            ]),
            scanner: Some("02:00:00:00:00:01".parse().unwrap()),
        };
        let ignore = IgnoreList::parse(&["00:15:5d"]).unwrap();
        let pseudonymiser = Pseudonymiser::keyed([9; 32]);
        let started: Timestamp = "2026-11-27T10:03:17.5Z".parse().unwrap();
        let (report, summary) = build(Ok(observation), started, &ignore, &pseudonymiser);
        assert_eq!(
            summary,
            Summary {
                seen: 2,
                ignored: 1,
                failure: None
            }
        );
        assert_eq!(report.slot.to_string(), "2026-11-27T10:00:00Z");
        assert_eq!(
            report.scanned_at.unwrap().to_string(),
            "2026-11-27T10:03:17Z"
        );
        assert_eq!(report.devices.len(), 2);
        assert!(!report.devices[0].local && report.devices[1].local);
        let json = serde_json::to_string(&report).unwrap();
        assert!(
            !json.contains("00:1b:63") && !json.contains("001b63"),
            "no MAC leaves the agent: {json}"
        );
        report.validate(10, started).expect("the server accepts it");
    }

    #[test]
    fn a_failed_scan_becomes_a_failed_report_never_a_zero() {
        let error = ScanError::Setup("no interface".into());
        let (report, summary) = build(
            Err(error),
            Timestamp::UNIX_EPOCH,
            &IgnoreList::default(),
            &Pseudonymiser::legacy_md5(),
        );
        assert_eq!(report.status, ScanStatus::Failed);
        assert_eq!(report.reason.as_deref(), Some("no interface"));
        assert_eq!(summary.failure.as_deref(), Some("no interface"));
    }
}
