//! Parsers for every presence source the agent can read. Each takes the text a tool printed (or a
//! file held) and returns the MAC addresses of the devices it shows, deduplicated, in the order
//! first seen. Anything that does not look like the documented format is an error naming the line:
//! a changed output format must fail loudly, never count zero.

pub mod arp_scan;
pub mod leases;
pub mod neigh;
pub mod proc_arp;

use crate::ignore::IgnoreList;
use crate::mac::Mac;

/// A source's text could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl ParseError {
    pub(crate) fn new(line: usize, message: impl Into<String>) -> Self {
        Self {
            line,
            message: message.into(),
        }
    }
}

/// Adds `mac` to `seen` unless it is already there or is not a device address.
pub(crate) fn push_unique(seen: &mut Vec<Mac>, mac: Mac) {
    if mac.is_device() && !seen.contains(&mac) {
        seen.push(mac);
    }
}

/// The devices that count: everything seen except the scanner itself and the ignore-list.
pub fn countable(seen: &[Mac], scanner: Option<Mac>, ignore: &IgnoreList) -> Vec<Mac> {
    seen.iter()
        .copied()
        .filter(|mac| Some(*mac) != scanner && !ignore.is_ignored(mac))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countable_drops_the_scanner_and_ignored_devices() {
        let seen: Vec<Mac> = [
            "00:00:5e:00:00:01",
            "00:15:5d:00:00:02",
            "00:1b:63:00:00:03",
        ]
        .iter()
        .map(|m| m.parse().unwrap())
        .collect();
        let ignore = IgnoreList::parse(&["00:15:5d"]).unwrap();
        let kept = countable(&seen, Some(seen[0]), &ignore);
        assert_eq!(kept, vec![seen[2]]);
    }
}
