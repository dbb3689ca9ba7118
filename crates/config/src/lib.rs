//! Configuration pieces shared by `offimic-api` and `offimic-measure`.
//!
//! Both read JSON in the seed's shape (`schema`, `host`, `port` as a string or a number, `path`)
//! plus their own keys. This crate owns those shared value types and the reading of a file into
//! any `Deserialize` type, with one-line errors that name the file, the line and the column.

use std::fmt;
use std::path::Path;

use serde::de::{self, DeserializeOwned};
use serde::{Deserialize, Deserializer};

/// A configuration file that could not be used; the message is one line.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {error}")]
    Unreadable { path: String, error: std::io::Error },
    #[error("{path}: line {line}, column {column}: {message}")]
    Invalid {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
}

/// Parses JSON `text` read from `path`; every error names the file, line and column.
pub fn parse<T: DeserializeOwned>(text: &str, path: &Path) -> Result<T, ConfigError> {
    serde_json::from_str(text).map_err(|e| {
        let message = e.to_string();
        // serde_json appends " at line L column C"; line and column are reported first instead.
        let message = match message.rfind(" at line ") {
            Some(cut) => message[..cut].to_owned(),
            None => message,
        };
        ConfigError::Invalid {
            path: path.display().to_string(),
            line: e.line(),
            column: e.column(),
            message,
        }
    })
}

/// Reads and parses `path`; a missing file gives `T::default()`.
pub fn load<T: DeserializeOwned + Default>(path: &Path) -> Result<T, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(error) => Err(ConfigError::Unreadable {
            path: path.display().to_string(),
            error,
        }),
    }
}

/// `http` or `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// A TCP port given as `5000` or `"5000"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Port(pub u16);

impl<'de> Deserialize<'de> for Port {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Port;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a port number from 0 to 65535, as a number or a string")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Port, E> {
                u16::try_from(v)
                    .map(Port)
                    .map_err(|_| E::custom(format!("port {v} is above 65535")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Port, E> {
                Err(E::custom(format!("port {v} is negative")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Port, E> {
                v.trim()
                    .parse::<u16>()
                    .map(Port)
                    .map_err(|_| E::custom(format!("port {v:?} is not a number from 0 to 65535")))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// A URL prefix, normalised to `""` or `/segment[/segment…]` without a trailing slash.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlPrefix(pub String);

impl<'de> Deserialize<'de> for UrlPrefix {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        let trimmed = raw.trim_matches('/');
        let valid = trimmed.is_empty()
            || trimmed.split('/').all(|segment| {
                !segment.is_empty()
                    && segment
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
            });
        if !valid {
            return Err(de::Error::custom(format!(
                "path {raw:?} must be a URL path such as \"/\" or \"/offimic\""
            )));
        }
        Ok(UrlPrefix(if trimmed.is_empty() {
            String::new()
        } else {
            format!("/{trimmed}")
        }))
    }
}

/// The base URL of an API from the seed's keys: `schema://host:port/path`.
pub fn base_url(scheme: Scheme, host: &str, port: Port, prefix: &UrlPrefix) -> String {
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_owned()
    };
    format!("{}://{host}:{}{}", scheme.as_str(), port.0, prefix.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Seed {
        schema: Scheme,
        host: String,
        port: Port,
        path: UrlPrefix,
    }

    fn parse_seed(text: &str) -> Result<Seed, ConfigError> {
        parse(text, Path::new("measure.json"))
    }

    #[test]
    fn ports_as_strings_or_numbers() {
        let seed =
            parse_seed(r#"{"schema":"https","host":"api.example.com","path":"/","port":"5000"}"#)
                .unwrap();
        assert_eq!(
            (seed.schema, seed.port, seed.path.0.as_str()),
            (Scheme::Https, Port(5000), "")
        );
        assert_eq!(seed.host, "api.example.com");
        let seed = parse_seed(r#"{"schema":"http","host":"h","path":"/a/","port":5001}"#).unwrap();
        assert_eq!((seed.port, seed.path.0.as_str()), (Port(5001), "/a"));
    }

    #[test]
    fn errors_are_one_line_with_position() {
        // The seed's own example, with its missing and trailing commas.
        let text = "{\n  \"schema\": \"https\",\n  \"host\": \"api.example.com\",\n  \"path\": \"/\"\n  \"port\": \"5000\",\n}";
        let message = parse_seed(text).unwrap_err().to_string();
        assert!(
            message.starts_with("measure.json: line 5, column 3: "),
            "{message}"
        );
        assert!(!message.contains('\n'));
        let bad_port =
            parse_seed(r#"{"schema":"http","host":"h","path":"/","port":70000}"#).unwrap_err();
        assert!(bad_port.to_string().contains("port 70000 is above 65535"));
        for (text, expected) in [
            (r#""-1""#, "not a number"),
            ("-1", "negative"),
            (r#""http""#, "not a number"),
        ] {
            let json = format!(r#"{{"schema":"http","host":"h","path":"/","port":{text}}}"#);
            assert!(
                parse_seed(&json)
                    .unwrap_err()
                    .to_string()
                    .contains(expected),
                "{text}"
            );
        }
    }

    #[test]
    fn prefixes_are_validated() {
        for bad in ["/a b", "/a//b", "/é"] {
            let json = format!(r#"{{"schema":"http","host":"h","path":"{bad}","port":1}}"#);
            assert!(
                parse_seed(&json)
                    .unwrap_err()
                    .to_string()
                    .contains("URL path"),
                "{bad}"
            );
        }
    }

    #[test]
    fn base_urls() {
        assert_eq!(
            base_url(
                Scheme::Https,
                "api.example.com",
                Port(5000),
                &UrlPrefix("/offimic".into())
            ),
            "https://api.example.com:5000/offimic"
        );
        assert_eq!(
            base_url(Scheme::Http, "::1", Port(80), &UrlPrefix::default()),
            "http://[::1]:80"
        );
    }

    #[test]
    fn a_missing_file_gives_defaults() {
        #[derive(Debug, Default, Deserialize)]
        struct Empty {}
        assert!(load::<Empty>(Path::new("/nonexistent/offimic.json")).is_ok());
        let unreadable = load::<Empty>(Path::new("/")).unwrap_err();
        assert!(unreadable.to_string().starts_with("/: "));
    }
}
