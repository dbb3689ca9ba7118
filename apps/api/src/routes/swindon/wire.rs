//! The Swindon controllers' side of the wire: parameters from the query or a form body (with
//! Perl's truthiness: `""` and `"0"` are missing), and replies as one line
//! of compact JSON ending in exactly one `\n`, with a Content-Length.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::{CONTENT_TYPE, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use offimic_store::StoreError;
use serde_json::{Value, json};

/// Largest form body a controller may send.
const MAX_FORM: usize = 64 * 1024;

/// Request parameters, query and form body merged (the body wins).
#[derive(Debug, Default)]
pub struct DeviceParams(HashMap<String, String>);

impl DeviceParams {
    /// A parameter that is present and not `""` or `"0"`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty() && *v != "0")
    }

    /// The parameters of a query string alone.
    pub fn from_query(query: Option<&str>) -> Self {
        let mut params = HashMap::new();
        pairs(query.unwrap_or("").as_bytes(), &mut params);
        DeviceParams(params)
    }

    /// A parameter that may legitimately be `0` (a state or a duration).
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

/// Adds the pairs of a query or form body. NUL characters, which no database column can
/// hold, become U+FFFD: such a value can never match and is stored visibly mangled.
fn pairs(bytes: &[u8], into: &mut HashMap<String, String>) {
    for (key, value) in form_urlencoded::parse(bytes) {
        into.insert(
            key.replace('\0', "\u{FFFD}"),
            value.replace('\0', "\u{FFFD}"),
        );
    }
}

impl<S: Send + Sync> FromRequest<S> for DeviceParams {
    type Rejection = DeviceReply;

    async fn from_request(request: Request, state: &S) -> Result<Self, DeviceReply> {
        let DeviceParams(mut params) = DeviceParams::from_query(request.uri().query());
        let is_form = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if request.method() != Method::GET && is_form {
            let body = Bytes::from_request(request, state).await.map_err(|_| {
                DeviceReply::new(json!({"error": "the request body could not be read"}))
            })?;
            if body.len() > MAX_FORM {
                return Err(DeviceReply::new(
                    json!({"error": "the request body is too large"}),
                ));
            }
            pairs(&body, &mut params);
        }
        Ok(DeviceParams(params))
    }
}

/// A reply to a controller.
#[derive(Debug)]
pub struct DeviceReply {
    status: StatusCode,
    body: Value,
}

impl DeviceReply {
    pub fn new(body: Value) -> Self {
        Self {
            status: StatusCode::OK,
            body,
        }
    }
}

impl From<StoreError> for DeviceReply {
    fn from(error: StoreError) -> Self {
        tracing::error!(%error, "storage failure on a device request");
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            body: json!({"error": "Server busy, try again"}),
        }
    }
}

impl IntoResponse for DeviceReply {
    fn into_response(self) -> Response {
        let mut text = serde_json::to_string(&self.body).unwrap_or_else(|_| "{}".into());
        text.push('\n');
        let mut response = (self.status, text).into_response();
        response.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        response
    }
}

/// A name as a controller can show it: at most 19 bytes, cut on a character boundary (longer
/// names overrun the firmware's 20-byte buffer).
pub fn display_name(name: &str) -> String {
    let mut end = name.len().min(19);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name[..end].to_owned()
}

/// The door LED colour: Sponsors choose theirs, everyone else is green.
pub fn door_colour(tier: Option<&str>, chosen: &str) -> u8 {
    if tier != Some("Sponsor") {
        return 1;
    }
    match chosen {
        "white" => 0,
        "purple" => 2,
        "blue" => 3,
        "pink" => 4,
        "orange" => 5,
        "rainbow" => 0x11,
        "rainbow2" => 0x12,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cut_to_nineteen_bytes_on_a_boundary() {
        assert_eq!(display_name("Ada"), "Ada");
        assert_eq!(
            display_name("Abcdefghijklmnopqrstuvwxyz"),
            "Abcdefghijklmnopqrs"
        );
        assert_eq!(display_name("Zoë Ångström-Ñúñez"), "Zoë Ångström-Ñ");
        assert!(display_name("ëëëëëëëëëëëëëëë").len() <= 19);
    }

    #[test]
    fn sponsors_choose_their_colour_and_white_is_zero() {
        assert_eq!(door_colour(Some("Sponsor"), "white"), 0);
        assert_eq!(door_colour(Some("Sponsor"), "rainbow2"), 18);
        assert_eq!(door_colour(Some("Standard"), "white"), 1);
        assert_eq!(door_colour(None, "pink"), 1);
    }

    #[test]
    fn perl_truthiness() {
        let params = DeviceParams(
            [
                ("a".into(), "".into()),
                ("b".into(), "0".into()),
                ("c".into(), "x".into()),
            ]
            .into(),
        );
        assert_eq!(
            (
                params.get("a"),
                params.get("b"),
                params.get("c"),
                params.get("d")
            ),
            (None, None, Some("x"), None)
        );
        assert_eq!(params.raw("b"), Some("0"));
    }
}
