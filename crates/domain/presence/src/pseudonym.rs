//! Pseudonyms: what the agent sends and the server stores instead of a MAC address.
//!
//! The default is HMAC-SHA256 under a 256-bit site key, so that without the key nobody can test
//! a guessed address against the stored values. Plain MD5 of the address (the brief's phase V)
//! is available only as an explicit legacy setting: the whole allocated MAC space is about 2^39
//! values, which a single core walks through in hours.

use std::fmt;
use std::str::FromStr;

use hmac::{Hmac, Mac as _};
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::mac::Mac;

/// Length in bytes of a site key.
pub const SITE_KEY_LEN: usize = 32;

/// How MAC addresses are turned into pseudonyms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum HashKind {
    #[default]
    #[serde(rename = "hmac-sha256")]
    HmacSha256,
    #[serde(rename = "md5")]
    Md5,
}

impl HashKind {
    pub fn as_str(self) -> &'static str {
        match self {
            HashKind::HmacSha256 => "hmac-sha256",
            HashKind::Md5 => "md5",
        }
    }

    /// Number of hex digits in a pseudonym of this kind.
    pub fn hex_len(self) -> usize {
        match self {
            HashKind::HmacSha256 => 64,
            HashKind::Md5 => 32,
        }
    }
}

/// A device pseudonym: lower-case hex, 32 (legacy MD5) or 64 (HMAC-SHA256) digits.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Pseudonym(String);

/// Why a string is not a pseudonym.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PseudonymError {
    #[error("a pseudonym is 32 or 64 hex digits, got {0} characters")]
    Length(usize),
    #[error("a pseudonym is made of hex digits only")]
    NotHex,
}

impl Pseudonym {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Pseudonym {
    type Err = PseudonymError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.len() != 32 && text.len() != 64 {
            return Err(PseudonymError::Length(text.chars().count()));
        }
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(PseudonymError::NotHex);
        }
        Ok(Pseudonym(text.to_ascii_lowercase()))
    }
}

impl TryFrom<String> for Pseudonym {
    type Error = PseudonymError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<Pseudonym> for String {
    fn from(p: Pseudonym) -> String {
        p.0
    }
}

impl fmt::Display for Pseudonym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Pseudonym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pseudonym({})", self.0)
    }
}

/// Turns canonical MAC addresses into pseudonyms.
#[derive(Clone)]
pub struct Pseudonymiser {
    kind: HashKind,
    key: [u8; SITE_KEY_LEN],
}

impl Pseudonymiser {
    /// HMAC-SHA256 under the site key.
    pub fn keyed(key: [u8; SITE_KEY_LEN]) -> Self {
        Self {
            kind: HashKind::HmacSha256,
            key,
        }
    }

    /// Legacy unkeyed MD5 of the canonical address, as the brief's phase V describes.
    pub fn legacy_md5() -> Self {
        Self {
            kind: HashKind::Md5,
            key: [0; SITE_KEY_LEN],
        }
    }

    pub fn kind(&self) -> HashKind {
        self.kind
    }

    /// The pseudonym of `mac`; the input is always the canonical `aa:bb:cc:dd:ee:ff` text.
    pub fn pseudonym(&self, mac: &Mac) -> Pseudonym {
        let canonical = mac.to_string();
        let digest = match self.kind {
            HashKind::HmacSha256 => {
                let mut hmac = Hmac::<Sha256>::new_from_slice(&self.key)
                    .expect("HMAC accepts keys of any length");
                hmac.update(canonical.as_bytes());
                hex::encode(hmac.finalize().into_bytes())
            }
            HashKind::Md5 => hex::encode(Md5::digest(canonical.as_bytes())),
        };
        Pseudonym(digest)
    }
}

impl fmt::Debug for Pseudonymiser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pseudonymiser")
            .field("kind", &self.kind)
            .field("key", &"<secret>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mac(text: &str) -> Mac {
        text.parse().unwrap()
    }

    #[test]
    fn hmac_matches_an_independent_computation() {
        // RFC 4231-style check through a different code path: HMAC(K, m) = H((K^opad) || H((K^ipad) || m)).
        let key = [0x0b; SITE_KEY_LEN];
        let message = b"00:1b:63:12:34:56";
        let mut block = [0u8; 64];
        block[..SITE_KEY_LEN].copy_from_slice(&key);
        let ipad: Vec<u8> = block.iter().map(|b| b ^ 0x36).collect();
        let opad: Vec<u8> = block.iter().map(|b| b ^ 0x5c).collect();
        let inner = Sha256::digest([ipad.as_slice(), message].concat());
        let outer = Sha256::digest([opad.as_slice(), inner.as_slice()].concat());
        let expected = hex::encode(outer);

        let p = Pseudonymiser::keyed(key).pseudonym(&mac("00-1B-63-12-34-56"));
        assert_eq!(p.as_str(), expected);
        assert_eq!(p.as_str().len(), 64);
    }

    #[test]
    fn the_key_changes_every_pseudonym() {
        let a = Pseudonymiser::keyed([1; SITE_KEY_LEN]).pseudonym(&mac("00:1b:63:12:34:56"));
        let b = Pseudonymiser::keyed([2; SITE_KEY_LEN]).pseudonym(&mac("00:1b:63:12:34:56"));
        assert_ne!(a, b);
    }

    #[test]
    fn spelling_does_not_change_the_pseudonym() {
        let p = Pseudonymiser::keyed([7; SITE_KEY_LEN]);
        assert_eq!(
            p.pseudonym(&mac("AABBCCDDEEFF")),
            p.pseudonym(&mac("aa:bb:cc:dd:ee:ff"))
        );
    }

    #[test]
    fn legacy_md5_hashes_the_canonical_text() {
        // md5("aa:bb:cc:dd:ee:ff"), computed with `printf %s aa:bb:cc:dd:ee:ff | md5sum`.
        let p = Pseudonymiser::legacy_md5().pseudonym(&mac("AA-BB-CC-DD-EE-FF"));
        assert_eq!(p.as_str(), "6424e2dce251d76b3113dfa5a4b7d2d2");
    }

    #[test]
    fn pseudonyms_are_validated_and_lower_cased() {
        let upper = "A".repeat(64);
        assert_eq!(upper.parse::<Pseudonym>().unwrap().as_str(), "a".repeat(64));
        assert_eq!("abc".parse::<Pseudonym>(), Err(PseudonymError::Length(3)));
        assert_eq!(
            "g".repeat(32).parse::<Pseudonym>(),
            Err(PseudonymError::NotHex)
        );
    }
}
