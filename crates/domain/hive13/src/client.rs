//! A Hive13 device's side of the protocol: builds signed requests and verifies signed replies the
//! way the door firmware does (checksum, `nonce_valid`, `response`, the `random_response` echo,
//! and a `new_nonce` to keep). Used by the tests, and by operators to check a device's key.
//! Randomness is passed in, so the client itself does no I/O.

use serde_json::{Value, json};

use crate::canon::CanonError;
use crate::checksum::{checksum, checksums_match};

/// A device that talks to the server.
#[derive(Debug, Clone)]
pub struct DeviceClient {
    pub name: String,
    pub key: Vec<u8>,
    pub version: i64,
    /// The nonce to send next (v2), as the server last gave it.
    pub nonce: Option<String>,
}

/// Why a reply was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    #[error("the reply is not JSON")]
    NotJson,
    #[error("the reply is not signed: {0}")]
    Unsigned(String),
    #[error("the reply's checksum does not match")]
    BadChecksum,
    #[error("the server says the nonce is not valid")]
    InvalidNonce,
    #[error("the reply does not echo our random_response")]
    BadEcho,
    #[error("the reply lacks new_nonce")]
    MissingNonce,
}

impl DeviceClient {
    pub fn new(name: &str, key: &[u8], version: i64) -> Self {
        Self {
            name: name.into(),
            key: key.to_vec(),
            version,
            nonce: None,
        }
    }

    /// The request body for `data` (an object), with `version`, the nonce (v2) and
    /// `random_response` added, signed.
    pub fn request(&self, mut data: Value, random_response: &[i64]) -> Result<String, CanonError> {
        if let Some(object) = data.as_object_mut() {
            object.insert("version".into(), self.version.into());
            object.insert("random_response".into(), json!(random_response));
            if self.version >= 2
                && let Some(nonce) = &self.nonce
            {
                object.insert("nonce".into(), nonce.clone().into());
            }
        }
        let checksum = checksum(&self.key, &data)?;
        Ok(json!({"data": data, "device": self.name, "checksum": checksum}).to_string())
    }

    /// Checks a reply as the firmware does and keeps its `new_nonce`; returns its `data`. A
    /// reply with `response: false` is returned (it is signed and valid) for the caller to read.
    pub fn accept(&mut self, body: &str, random_response: &[i64]) -> Result<Value, ReplyError> {
        let reply: Value = serde_json::from_str(body).map_err(|_| ReplyError::NotJson)?;
        let (Some(given), Some(data)) = (
            reply.get("checksum").and_then(Value::as_str),
            reply.get("data"),
        ) else {
            return Err(ReplyError::Unsigned(body.chars().take(120).collect()));
        };
        let expected = checksum(&self.key, data).map_err(|_| ReplyError::BadChecksum)?;
        if !checksums_match(&expected, given) {
            return Err(ReplyError::BadChecksum);
        }
        if self.version >= 2 {
            if let Some(nonce) = data.get("new_nonce").and_then(Value::as_str) {
                self.nonce = Some(nonce.to_owned());
            }
            if data.get("nonce_valid") != Some(&Value::Bool(true)) {
                return Err(ReplyError::InvalidNonce);
            }
        }
        if data.get("response") == Some(&Value::Bool(true)) {
            if data.get("random_response") != Some(&json!(random_response)) {
                return Err(ReplyError::BadEcho);
            }
            if self.version >= 2 && data.get("new_nonce").and_then(Value::as_str).is_none() {
                return Err(ReplyError::MissingNonce);
            }
        }
        Ok(data.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checksum::sign;

    #[test]
    fn requests_are_signed_over_their_canonical_data() {
        let mut client = DeviceClient::new("door1", b"AAAAAAAAAAAAAAAA", 2);
        client.nonce = Some("00112233445566778899AABBCCDDEEFF".into());
        let body = client
            .request(
                json!({"operation": "access", "badge": 1052895, "item": "main_door"}),
                &(1..=16).collect::<Vec<_>>(),
            )
            .unwrap();
        let parsed: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            parsed["checksum"],
            "526771611A7928307393D6E19C26CCA17408FC8EFCD96E093390881D2FB43190B899CFC5CEBA52250FB001886BE04714720B32D8FCF6A2E99735C6ED20A411DF"
        );
    }

    #[test]
    fn replies_are_checked_like_the_firmware_does() {
        let key = b"AAAAAAAAAAAAAAAA";
        let mut client = DeviceClient::new("door1", key, 2);
        let good = sign(key, json!({"new_nonce": "AB", "nonce_valid": true, "random_response": [1, 2], "response": true})).unwrap();
        assert!(client.accept(&good, &[1, 2]).is_ok());
        assert_eq!(client.nonce.as_deref(), Some("AB"));
        assert_eq!(client.accept(&good, &[1, 3]), Err(ReplyError::BadEcho));
        let tampered = good.replace("\"response\":true", "\"response\":false");
        assert_eq!(
            client.accept(&tampered, &[1, 2]),
            Err(ReplyError::BadChecksum)
        );
        let other_key = sign(b"BBBB", json!({"nonce_valid": true})).unwrap();
        assert_eq!(client.accept(&other_key, &[]), Err(ReplyError::BadChecksum));
        let stale = sign(key, json!({"data": "Invalid nonce.", "new_nonce": "CD", "nonce_valid": false, "response": false})).unwrap();
        assert_eq!(client.accept(&stale, &[]), Err(ReplyError::InvalidNonce));
        let crash = sign(
            key,
            json!({"nonce_valid": true, "random_response": [1], "response": true}),
        )
        .unwrap();
        assert_eq!(client.accept(&crash, &[1]), Err(ReplyError::MissingNonce));
        assert!(matches!(
            client.accept("{\"data\":\"Cannot find device.\"}", &[]),
            Err(ReplyError::Unsigned(_))
        ));
    }
}
