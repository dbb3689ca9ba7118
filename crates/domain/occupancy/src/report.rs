//! The scan report: what `offimic-measure` uploads to `POST /api/v1/scans` once per slot, and the
//! checks the server makes before storing it. The agent and the server share these types, so the
//! wire format cannot drift between them.

use std::collections::HashSet;

use jiff::Timestamp;
use offimic_presence::{HashKind, Pseudonym};
use serde::{Deserialize, Serialize};

use crate::slot::{SLOT_SECONDS, is_slot_start};

/// Whether the scan saw the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScanStatus {
    Ok,
    Failed,
}

/// One device seen in a scan, by pseudonym only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceSighting {
    pub pseudonym: Pseudonym,
    /// A locally administered (usually randomised) address.
    #[serde(default)]
    pub local: bool,
}

/// The upload body of `POST /api/v1/scans`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanReport {
    /// Start of the 10-minute slot measured; one report per agent and slot is stored.
    pub slot: Timestamp,
    /// When the scan actually ran (defaults to the slot start).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scanned_at: Option<Timestamp>,
    pub status: ScanStatus,
    /// Why a failed scan failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// How the pseudonyms were made.
    #[serde(default)]
    pub hash: HashKind,
    #[serde(default)]
    pub devices: Vec<DeviceSighting>,
}

/// What was wrong with a report; the message names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("slot: {0} is not the start of a 10-minute slot")]
    SlotNotAligned(Timestamp),
    #[error("slot: {0} is in the future")]
    SlotInFuture(Timestamp),
    #[error("scanned_at: must lie within the slot it reports")]
    ScannedOutsideSlot,
    #[error("reason: a failed scan must say why it failed")]
    MissingReason,
    #[error("reason: at most 500 characters")]
    ReasonTooLong,
    #[error("reason: must not contain NUL characters")]
    ReasonWithNul,
    #[error("devices: a failed scan cannot list devices")]
    DevicesOnFailure,
    #[error("devices: {count} devices is above the configured maximum of {max}")]
    TooManyDevices { count: usize, max: u32 },
    #[error("devices[{index}].pseudonym: expected {expected} hex digits for {hash}")]
    WrongPseudonymLength {
        index: usize,
        expected: usize,
        hash: &'static str,
    },
    #[error("devices[{index}].pseudonym: listed twice")]
    DuplicatePseudonym { index: usize },
}

/// A report that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidScan {
    pub slot: Timestamp,
    pub scanned_at: Timestamp,
    pub outcome: ScanOutcome,
}

/// The result of a scan as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanOutcome {
    Seen(Vec<DeviceSighting>),
    Failed(String),
}

/// Slack allowed for an agent whose clock runs ahead of the server's.
const CLOCK_SKEW_SECONDS: i64 = 120;
const MAX_REASON_CHARS: usize = 500;

impl ScanReport {
    pub fn validate(self, max_devices: u32, now: Timestamp) -> Result<ValidScan, ReportError> {
        if !is_slot_start(self.slot) {
            return Err(ReportError::SlotNotAligned(self.slot));
        }
        if self.slot.as_second() > now.as_second() + CLOCK_SKEW_SECONDS {
            return Err(ReportError::SlotInFuture(self.slot));
        }
        let scanned_at = self.scanned_at.unwrap_or(self.slot);
        let offset = scanned_at.as_second() - self.slot.as_second();
        if !(0..SLOT_SECONDS).contains(&offset) {
            return Err(ReportError::ScannedOutsideSlot);
        }
        let outcome = match self.status {
            ScanStatus::Failed => {
                if !self.devices.is_empty() {
                    return Err(ReportError::DevicesOnFailure);
                }
                let reason = self.reason.filter(|r| !r.trim().is_empty());
                let reason = reason.ok_or(ReportError::MissingReason)?;
                if reason.chars().count() > MAX_REASON_CHARS {
                    return Err(ReportError::ReasonTooLong);
                }
                if reason.contains('\0') {
                    return Err(ReportError::ReasonWithNul);
                }
                ScanOutcome::Failed(reason)
            }
            ScanStatus::Ok => {
                if self.devices.len() > max_devices as usize {
                    return Err(ReportError::TooManyDevices {
                        count: self.devices.len(),
                        max: max_devices,
                    });
                }
                let mut seen = HashSet::with_capacity(self.devices.len());
                for (index, device) in self.devices.iter().enumerate() {
                    if device.pseudonym.as_str().len() != self.hash.hex_len() {
                        return Err(ReportError::WrongPseudonymLength {
                            index,
                            expected: self.hash.hex_len(),
                            hash: self.hash.as_str(),
                        });
                    }
                    if !seen.insert(&device.pseudonym) {
                        return Err(ReportError::DuplicatePseudonym { index });
                    }
                }
                ScanOutcome::Seen(self.devices)
            }
        };
        Ok(ValidScan {
            slot: self.slot,
            scanned_at,
            outcome,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-11-27T10:05:00Z".parse().unwrap()
    }

    fn report(json: serde_json::Value) -> ScanReport {
        serde_json::from_value(json).unwrap()
    }

    fn pseudonym(digit: char) -> String {
        digit.to_string().repeat(64)
    }

    #[test]
    fn a_good_report_validates() {
        let scan = report(serde_json::json!({
            "slot": "2026-11-27T10:00:00Z", "scanned_at": "2026-11-27T10:00:03Z", "status": "ok",
            "devices": [{"pseudonym": pseudonym('a'), "local": true}, {"pseudonym": pseudonym('b')}]
        }))
        .validate(10, now())
        .unwrap();
        let ScanOutcome::Seen(devices) = scan.outcome else {
            panic!("expected devices")
        };
        assert_eq!(devices.len(), 2);
        assert!(devices[0].local && !devices[1].local);
    }

    #[test]
    fn a_failed_report_needs_a_reason() {
        let failed = |reason: serde_json::Value| {
            report(serde_json::json!({"slot": "2026-11-27T10:00:00Z", "status": "failed", "reason": reason}))
                .validate(10, now())
        };
        assert_eq!(
            failed(serde_json::json!(null)),
            Err(ReportError::MissingReason)
        );
        assert_eq!(
            failed(serde_json::json!("  ")),
            Err(ReportError::MissingReason)
        );
        assert_eq!(
            failed(serde_json::json!("x".repeat(501))),
            Err(ReportError::ReasonTooLong)
        );
        assert_eq!(
            failed(serde_json::json!("arp-scan: permission denied"))
                .unwrap()
                .outcome,
            ScanOutcome::Failed("arp-scan: permission denied".into())
        );
    }

    #[test]
    fn every_rule_is_enforced() {
        let check = |json: serde_json::Value| report(json).validate(1, now()).unwrap_err();
        assert!(matches!(
            check(serde_json::json!({"slot": "2026-11-27T10:01:00Z", "status": "ok"})),
            ReportError::SlotNotAligned(_)
        ));
        assert!(matches!(
            check(serde_json::json!({"slot": "2026-11-27T10:20:00Z", "status": "ok"})),
            ReportError::SlotInFuture(_)
        ));
        assert_eq!(
            check(
                serde_json::json!({"slot": "2026-11-27T10:00:00Z", "scanned_at": "2026-11-27T10:10:00Z", "status": "ok"})
            ),
            ReportError::ScannedOutsideSlot
        );
        assert_eq!(
            check(
                serde_json::json!({"slot": "2026-11-27T10:00:00Z", "status": "failed", "reason": "x",
                "devices": [{"pseudonym": pseudonym('a')}]})
            ),
            ReportError::DevicesOnFailure
        );
        assert_eq!(
            check(
                serde_json::json!({"slot": "2026-11-27T10:00:00Z", "status": "ok",
                "devices": [{"pseudonym": pseudonym('a')}, {"pseudonym": pseudonym('b')}]})
            ),
            ReportError::TooManyDevices { count: 2, max: 1 }
        );
        assert!(matches!(
            check(
                serde_json::json!({"slot": "2026-11-27T10:00:00Z", "status": "ok", "hash": "md5",
                "devices": [{"pseudonym": pseudonym('a')}]})
            ),
            ReportError::WrongPseudonymLength {
                index: 0,
                expected: 32,
                ..
            }
        ));
        let duplicate = report(
            serde_json::json!({"slot": "2026-11-27T10:00:00Z", "status": "ok",
            "devices": [{"pseudonym": pseudonym('a')}, {"pseudonym": pseudonym('A')}]}),
        )
        .validate(5, now())
        .unwrap_err();
        assert_eq!(duplicate, ReportError::DuplicatePseudonym { index: 1 });
    }

    #[test]
    fn unknown_fields_and_raw_macs_are_refused_at_parse_time() {
        let unknown = serde_json::from_value::<ScanReport>(serde_json::json!(
            {"slot": "2026-11-27T10:00:00Z", "status": "ok", "macs": []}));
        assert!(unknown.unwrap_err().to_string().contains("macs"));
        let raw_mac = serde_json::from_value::<ScanReport>(serde_json::json!(
            {"slot": "2026-11-27T10:00:00Z", "status": "ok", "devices": [{"pseudonym": "00:1b:63:12:34:56"}]}));
        assert!(raw_mac.is_err());
    }
}
