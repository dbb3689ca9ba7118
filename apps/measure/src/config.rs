//! `measure.json`: where the API is, how to scan, and how to pseudonymise.

use std::path::{Path, PathBuf};

use offimic_config::{ConfigError, Port, Scheme, UrlPrefix, base_url};
use offimic_presence::{HashKind, IgnoreList};
use serde::{Deserialize, Deserializer, de};

/// Where presence is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Source {
    /// An active ARP scan of the interface's subnet (the default).
    #[serde(rename = "arp-scan")]
    ArpScan,
    /// The kernel neighbour table, as `ip -j neigh` prints it.
    #[serde(rename = "neigh")]
    Neigh,
    /// `/proc/net/arp`, for machines without iproute2.
    #[serde(rename = "arp-table")]
    ArpTable,
    /// A dnsmasq leases file.
    #[serde(rename = "leases")]
    Leases,
}

/// The agent's configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MeasureConfig {
    pub schema: Scheme,
    pub host: String,
    pub port: Port,
    pub path: UrlPrefix,
    /// API token with the `measure` scope.
    pub token: Option<String>,
    /// Network interface to scan (required for `arp-scan`).
    pub interface: Option<String>,
    pub source: Source,
    /// arp-scan's per-host timeout, in milliseconds.
    pub timeout: u32,
    /// arp-scan's number of attempts per host.
    pub retry: u32,
    /// Exact MACs and vendor prefixes never counted (printers, routers, servers).
    pub ignore: Ignore,
    /// `hmac-sha256` (default) or the legacy, reversible `md5`.
    pub hash: HashKind,
    /// The site key for HMAC pseudonyms, created at first run with mode 0600.
    pub key_file: Option<PathBuf>,
    /// Where measurements wait while the API is unreachable.
    pub spool_dir: Option<PathBuf>,
    /// The arp-scan program.
    pub arp_scan: PathBuf,
    /// The leases file for the `leases` source.
    pub leases_file: PathBuf,
    /// Seconds to wait for the API.
    pub http_timeout: u32,
}

impl Default for MeasureConfig {
    fn default() -> Self {
        Self {
            schema: Scheme::Http,
            host: "127.0.0.1".into(),
            port: Port(4567),
            path: UrlPrefix::default(),
            token: None,
            interface: None,
            source: Source::ArpScan,
            timeout: 1500,
            retry: 4,
            ignore: Ignore::default(),
            hash: HashKind::HmacSha256,
            key_file: None,
            spool_dir: None,
            arp_scan: "arp-scan".into(),
            leases_file: "/var/lib/misc/dnsmasq.leases".into(),
            http_timeout: 20,
        }
    }
}

/// The ignore-list, parsed (and so validated) while the file is read.
#[derive(Debug, Clone, Default)]
pub struct Ignore(pub IgnoreList);

impl<'de> Deserialize<'de> for Ignore {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let entries = Vec::<String>::deserialize(deserializer)?;
        IgnoreList::parse(&entries)
            .map(Ignore)
            .map_err(|e| de::Error::custom(format!("ignore: {e}")))
    }
}

fn config_dir() -> PathBuf {
    dirs::config_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("offimic")
}

impl MeasureConfig {
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        offimic_config::load(path)
    }

    /// `~/.config/offimic/measure.json`.
    pub fn default_path() -> PathBuf {
        config_dir().join("measure.json")
    }

    /// The key file, by default `~/.config/offimic/site.key`.
    pub fn key_path(&self) -> PathBuf {
        self.key_file
            .clone()
            .unwrap_or_else(|| config_dir().join("site.key"))
    }

    /// The spool directory, by default `~/.local/share/offimic/spool`.
    pub fn spool_path(&self) -> PathBuf {
        self.spool_dir.clone().unwrap_or_else(|| {
            dirs::data_local_dir()
                .unwrap_or_else(|| PathBuf::from("."))
                .join("offimic")
                .join("spool")
        })
    }

    /// The URL the agent uploads scans to.
    pub fn scans_url(&self) -> String {
        format!(
            "{}/api/v1/scans",
            base_url(self.schema, &self.host, self.port, &self.path)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<MeasureConfig, String> {
        offimic_config::parse(text, Path::new("measure.json"))
            .map_err(|e: ConfigError| e.to_string())
    }

    #[test]
    fn a_full_configuration() {
        let config = parse(
            r#"{"schema": "https", "host": "api.example.com", "port": "5000", "path": "/offimic/",
                "token": "om_x", "interface": "wlan0", "source": "leases", "timeout": 500, "retry": 2,
                "ignore": ["B8:27:EB", "00-11-22-33-44-55"], "hash": "md5",
                "key_file": "/etc/offimic/site.key", "spool_dir": "/var/spool/offimic"}"#,
        )
        .unwrap();
        assert_eq!(
            config.scans_url(),
            "https://api.example.com:5000/offimic/api/v1/scans"
        );
        assert_eq!(config.source, Source::Leases);
        assert_eq!(config.hash, HashKind::Md5);
        assert!(
            config
                .ignore
                .0
                .is_ignored(&"b8:27:eb:01:02:03".parse().unwrap())
        );
        assert_eq!(config.key_path(), PathBuf::from("/etc/offimic/site.key"));
    }

    #[test]
    fn defaults() {
        let config = parse("{}").unwrap();
        assert_eq!(config.source, Source::ArpScan);
        assert_eq!(config.hash, HashKind::HmacSha256);
        assert_eq!((config.timeout, config.retry), (1500, 4));
        assert_eq!(config.scans_url(), "http://127.0.0.1:4567/api/v1/scans");
        assert!(config.key_path().ends_with("offimic/site.key"));
        assert!(config.spool_path().ends_with("offimic/spool"));
    }

    #[test]
    fn every_mistake_is_named() {
        for (text, expected) in [
            (r#"{"source": "nmap"}"#, "unknown variant `nmap`"),
            (r#"{"hash": "sha1"}"#, "unknown variant `sha1`"),
            (
                r#"{"ignore": ["printer"]}"#,
                "ignore: not a MAC address: \"printer\"",
            ),
            (r#"{"ignore": "00:11:22"}"#, "expected a sequence"),
            (r#"{"interfce": "eth0"}"#, "unknown field `interfce`"),
            (r#"{"retry": -1}"#, "expected u32"),
            (r#"{"port": "x"}"#, "not a number"),
            ("{\"token\": \"a\",}", "trailing comma"),
        ] {
            let error = parse(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
            assert!(
                error.starts_with("measure.json: line 1, column "),
                "{error}"
            );
        }
    }
}
