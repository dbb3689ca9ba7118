//! Canonical MAC addresses: every accepted spelling becomes `aa:bb:cc:dd:ee:ff`.

use std::fmt;
use std::str::FromStr;

/// A 48-bit hardware address in canonical form.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mac([u8; 6]);

/// Why a string is not a MAC address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "not a MAC address: {0:?} (expected e.g. aa:bb:cc:dd:ee:ff, AA-BB-CC-DD-EE-FF, aabb.ccdd.eeff or AABBCCDDEEFF)"
)]
pub struct MacError(pub String);

impl Mac {
    pub const fn from_octets(octets: [u8; 6]) -> Self {
        Self(octets)
    }

    pub fn octets(&self) -> [u8; 6] {
        self.0
    }

    /// Set by the owner rather than the manufacturer: randomised phone and laptop addresses.
    pub fn is_locally_administered(&self) -> bool {
        self.0[0] & 0x02 != 0
    }

    /// Group (multicast or broadcast) addresses never identify a device.
    pub fn is_multicast(&self) -> bool {
        self.0[0] & 0x01 != 0
    }

    /// `00:00:00:00:00:00`, which the kernel shows for incomplete neighbour entries.
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 6]
    }

    /// Whether this address can belong to a device present on the LAN.
    pub fn is_device(&self) -> bool {
        !self.is_zero() && !self.is_multicast()
    }
}

/// Parses 1 to 6 octets written in one of the accepted spellings. Used for full addresses and
/// for the OUI prefixes of an ignore-list.
pub(crate) fn parse_octets(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    let groups: Vec<&str> = if text.contains(':') {
        text.split(':').collect()
    } else if text.contains('-') {
        text.split('-').collect()
    } else if text.contains('.') {
        // Cisco style: aabb.ccdd.eeff, four hex digits per group.
        let parts: Vec<&str> = text.split('.').collect();
        if parts.iter().any(|p| p.len() != 4) {
            return None;
        }
        return hex_octets(&parts.concat());
    } else {
        return hex_octets(text);
    };
    if groups.len() > 6 || groups.iter().any(|g| g.len() != 2) {
        return None;
    }
    hex_octets(&groups.concat())
}

fn hex_octets(digits: &str) -> Option<Vec<u8>> {
    if digits.is_empty() || !digits.len().is_multiple_of(2) || digits.len() > 12 {
        return None;
    }
    hex::decode(digits).ok()
}

impl FromStr for Mac {
    type Err = MacError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_octets(text)
            .and_then(|octets| <[u8; 6]>::try_from(octets).ok())
            .map(Mac)
            .ok_or_else(|| MacError(text.to_owned()))
    }
}

impl fmt::Display for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}")
    }
}

/// Debug output never shows the address: a MAC in a log line is personal data.
impl fmt::Debug for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Mac(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_accepted_spelling_is_canonicalised() {
        for spelling in [
            "aa:bb:cc:dd:ee:ff",
            "AA:BB:CC:DD:EE:FF",
            "AA-BB-CC-DD-EE-FF",
            "aabb.ccdd.eeff",
            "AABB.CCDD.EEFF",
            "AABBCCDDEEFF",
            "  aa:bb:cc:dd:ee:ff\n",
        ] {
            let mac: Mac = spelling.parse().unwrap();
            assert_eq!(mac.to_string(), "aa:bb:cc:dd:ee:ff", "{spelling}");
        }
    }

    #[test]
    fn malformed_addresses_are_rejected() {
        for bad in [
            "",
            "aa:bb:cc:dd:ee",
            "aa:bb:cc:dd:ee:ff:00",
            "aa:bb:cc:dd:ee:gg",
            "a:bb:cc:dd:ee:ff0",
            "aa-bb:cc-dd:ee-ff",
            "aabb.ccdd.eef",
            "AABBCCDDEEF",
            "aa bb cc dd ee ff",
            "10.0.0.1",
        ] {
            assert!(bad.parse::<Mac>().is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn flags_follow_the_first_octet() {
        let local: Mac = "5a:11:22:33:44:55".parse().unwrap();
        assert!(local.is_locally_administered());
        assert!(local.is_device());
        let global: Mac = "00:1b:63:12:34:56".parse().unwrap();
        assert!(!global.is_locally_administered());
        let broadcast: Mac = "ff:ff:ff:ff:ff:ff".parse().unwrap();
        assert!(!broadcast.is_device());
        let zero: Mac = "00:00:00:00:00:00".parse().unwrap();
        assert!(!zero.is_device());
    }

    #[test]
    fn debug_output_hides_the_address() {
        let mac: Mac = "00:1b:63:12:34:56".parse().unwrap();
        assert!(!format!("{mac:?}").contains("1b"));
    }
}
