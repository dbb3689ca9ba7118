//! The agent's ignore-list: exact addresses and vendor prefixes of machines that are not people
//! (printers, routers, servers), matched case-insensitively before anything is counted.

use crate::mac::{Mac, MacError, parse_octets};

/// One ignore-list entry: a whole address, or a prefix of 1 to 5 octets (usually a 3-octet OUI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IgnoreEntry {
    Exact(Mac),
    Prefix(Vec<u8>),
}

impl IgnoreEntry {
    pub fn parse(text: &str) -> Result<Self, MacError> {
        let octets = parse_octets(text).ok_or_else(|| MacError(text.to_owned()))?;
        Ok(match <[u8; 6]>::try_from(octets.as_slice()) {
            Ok(full) => IgnoreEntry::Exact(Mac::from_octets(full)),
            Err(_) => IgnoreEntry::Prefix(octets),
        })
    }

    pub fn matches(&self, mac: &Mac) -> bool {
        match self {
            IgnoreEntry::Exact(exact) => exact == mac,
            IgnoreEntry::Prefix(prefix) => mac.octets().starts_with(prefix),
        }
    }
}

/// A parsed ignore-list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IgnoreList(Vec<IgnoreEntry>);

impl IgnoreList {
    /// Parses every entry; the error names the first one that is not an address or prefix.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Self, MacError> {
        entries
            .iter()
            .map(|e| IgnoreEntry::parse(e.as_ref()))
            .collect::<Result<_, _>>()
            .map(IgnoreList)
    }

    pub fn is_ignored(&self, mac: &Mac) -> bool {
        self.0.iter().any(|entry| entry.matches(mac))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mac(text: &str) -> Mac {
        text.parse().unwrap()
    }

    #[test]
    fn exact_entries_match_whatever_the_spelling() {
        let list = IgnoreList::parse(&["AA-BB-CC-DD-EE-FF"]).unwrap();
        assert!(list.is_ignored(&mac("aa:bb:cc:dd:ee:ff")));
        assert!(!list.is_ignored(&mac("aa:bb:cc:dd:ee:fe")));
    }

    #[test]
    fn prefixes_match_case_insensitively() {
        // The Hyper-V OUI in upper case: a peer system lower-cased MACs but not its list, and
        // never filtered it.
        let list = IgnoreList::parse(&["00:15:5D", "b8-27-eb"]).unwrap();
        assert!(list.is_ignored(&mac("00:15:5d:01:02:03")));
        assert!(list.is_ignored(&mac("B8:27:EB:00:00:01")));
        assert!(!list.is_ignored(&mac("00:15:5e:01:02:03")));
    }

    #[test]
    fn a_bad_entry_is_named() {
        let error = IgnoreList::parse(&["00:15:5d", "printer"]).unwrap_err();
        assert!(error.to_string().contains("\"printer\""));
    }
}
