//! `api.json`: the server's configuration, read once at start-up.
//!
//! Every key is optional and has a default, so a missing file means a working server on the
//! embedded SQLite database. Unknown keys and bad values are errors that name the file, the line
//! and the column: a typo must never be silently ignored.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use ipnet::IpNet;
use jiff::tz::TimeZone;
use serde::{Deserialize, Deserializer, de};

pub use offimic_config::{ConfigError, Port, Scheme, UrlPrefix};

/// Environment variable naming the configuration file (the `--config` flag wins over it).
pub const CONFIG_ENV: &str = "OFFIMIC_CONFIG";

/// The validated configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ApiConfig {
    /// Scheme the server is reached by from outside (`https` behind a TLS proxy).
    pub schema: Scheme,
    /// Address or host name to listen on.
    pub host: String,
    /// TCP port; a string or a number.
    pub port: Port,
    /// URL prefix everything is served under.
    pub path: UrlPrefix,
    /// `sqlite://FILE` or `postgres://…`; default an SQLite file in the user's data directory.
    pub database: Option<DatabaseUrl>,
    /// IANA time zone used to show times and to cut days.
    pub timezone: Zone,
    /// Networks allowed to record counts and scans without a token.
    pub trusted_writers: Vec<IpNet>,
    /// Reverse proxies whose `X-Forwarded-For` names the real caller; none by default.
    pub trusted_proxies: Vec<IpNet>,
    /// Largest head count or number of devices accepted in one measurement.
    pub max_count: u32,
    /// Days that per-device rows (sightings, pseudonyms) are kept; counts are kept for ever.
    pub retention_days: u32,
    /// Check every Swindon device request against its thing's `assigned_ip`, not only `/induct`.
    pub enforce_thing_ip: bool,
    /// Dates on which time-restricted tiers may come in all day; England and Wales by default.
    pub bank_holidays: Option<Vec<jiff::civil::Date>>,
    /// The address members reach the server by, for links in emails; by default built from
    /// `schema`, `host`, `port` and `path`.
    pub public_url: Option<String>,
    /// When Hive13's air compressor must stay quiet, in the space's time zone.
    pub quiet_hours: QuietHoursConfig,
    /// Bank statements, the payment run and balances.
    pub payments: PaymentsConfig,
    /// Member email: sender, SMTP or an outbox directory, templates.
    pub email: EmailConfig,
    /// The space's public SpaceAPI document; `/spaceapi.json` answers 404 without it.
    pub spaceapi: Option<SpaceApiConfig>,
    /// A device seen within this many minutes counts as present (a phone asleep for one scan
    /// still counts).
    pub presence_window_minutes: u32,
    /// The web pages.
    pub web: WebConfig,
}

/// Registration and the member pages.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebConfig {
    /// A registration sent sooner than this after the form was shown is taken for a bot.
    pub min_fill_seconds: u32,
    /// The thing whose induction registering confirms (accepting the policy).
    pub safety_thing: String,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            min_fill_seconds: 3,
            safety_thing: "Health and Safety Policy".into(),
        }
    }
}

/// The fixed part of the SpaceAPI v15 document; state and sensors come from measurements.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpaceApiConfig {
    pub space: String,
    pub logo: String,
    pub url: String,
    /// `{"email": …, "irc": …, …}` as SpaceAPI defines it.
    #[serde(default)]
    pub contact: serde_json::Map<String, serde_json::Value>,
    /// `{"address": …, "lat": …, "lon": …, "timezone": …}`.
    #[serde(default)]
    pub location: Option<serde_json::Map<String, serde_json::Value>>,
    /// Further SpaceAPI keys published as given (`feeds`, `projects`, `links`, `ext_…`).
    #[serde(default)]
    pub more: serde_json::Map<String, serde_json::Value>,
    /// Devices from which the space counts as open.
    #[serde(default = "one")]
    pub open_threshold: u32,
    /// The room the people sensor is in.
    #[serde(default)]
    pub sensor_location: Option<String>,
}

fn one() -> u32 {
    1
}

/// The treasurer's settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PaymentsConfig {
    /// Run the payment run every day inside `serve`.
    pub daily: bool,
    /// When the daily run starts, in the space's time zone.
    pub run_at: jiff::civil::Time,
    /// With no statement imported for this many days the run makes no donor moves and sends
    /// no reminders: a missing payment may only be a missing import.
    pub stale_after_days: u32,
    /// The thing a first payment opens.
    pub door: String,
    /// What members write before their number in the transfer reference (`SM0042`).
    pub reference_prefix: String,
    /// The lowest balance a debit may leave, in pence.
    pub balance_floor_p: i64,
    /// The columns of the bank's CSV export, for `bank import --format csv`.
    pub csv: Option<offimic_bank::CsvMapping>,
}

impl Default for PaymentsConfig {
    fn default() -> Self {
        Self {
            daily: false,
            run_at: jiff::civil::time(4, 0, 0, 0),
            stale_after_days: 3,
            door: "The Door".into(),
            reference_prefix: "SM".into(),
            balance_floor_p: -400,
            csv: None,
        }
    }
}

/// How member email leaves the server.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmailConfig {
    /// The sender, `Name <address>`.
    pub from: String,
    /// Copied on every member email (the original copied the directors).
    pub cc: Vec<String>,
    /// Who receives the membership report.
    pub directors: Vec<String>,
    /// Send through this SMTP server; without it emails are written as `.eml` files.
    pub smtp: Option<SmtpConfig>,
    /// Where `.eml` files go when there is no SMTP server; default `outbox` in the data directory.
    pub outbox_dir: Option<PathBuf>,
    /// A directory of templates that replace the built-in ones (`reminder_email.txt`, …).
    pub templates_dir: Option<PathBuf>,
    /// Attempts before an email is given up.
    pub max_attempts: u32,
    /// The space's name, as emails sign off.
    pub space_name: String,
}

impl Default for EmailConfig {
    fn default() -> Self {
        Self {
            from: "offimic <offimic@localhost>".into(),
            cc: Vec::new(),
            directors: Vec::new(),
            smtp: None,
            outbox_dir: None,
            templates_dir: None,
            max_attempts: 8,
            space_name: "the space".into(),
        }
    }
}

impl EmailConfig {
    /// The directory `.eml` files are written to.
    pub fn outbox_dir(&self) -> PathBuf {
        self.outbox_dir.clone().unwrap_or_else(|| {
            dirs::data_dir()
                .unwrap_or_else(|| PathBuf::from("."))
                .join("offimic")
                .join("outbox")
        })
    }
}

/// An SMTP relay.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    /// `starttls` (default), `tls` (implicit, port 465) or `none` (a relay on the same host).
    #[serde(default)]
    pub security: SmtpSecurity,
}

fn default_smtp_port() -> u16 {
    587
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    #[default]
    Starttls,
    Tls,
    None,
}

/// `{"start": "22:30", "end": "07:00"}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuietHoursConfig {
    pub start: jiff::civil::Time,
    pub end: jiff::civil::Time,
}

impl Default for QuietHoursConfig {
    fn default() -> Self {
        Self {
            start: jiff::civil::time(22, 30, 0, 0),
            end: jiff::civil::time(7, 0, 0, 0),
        }
    }
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            schema: Scheme::Http,
            host: "127.0.0.1".into(),
            port: Port(4567),
            path: UrlPrefix(String::new()),
            database: None,
            timezone: Zone(TimeZone::UTC, "UTC".into()),
            trusted_writers: vec![
                "127.0.0.0/8".parse().expect("valid CIDR"),
                "::1/128".parse().expect("valid CIDR"),
            ],
            trusted_proxies: Vec::new(),
            max_count: 10_000,
            retention_days: 90,
            enforce_thing_ip: false,
            bank_holidays: None,
            public_url: None,
            quiet_hours: QuietHoursConfig::default(),
            payments: PaymentsConfig::default(),
            email: EmailConfig::default(),
            spaceapi: None,
            presence_window_minutes: 15,
            web: WebConfig::default(),
        }
    }
}

impl ApiConfig {
    /// Reads `path`; a missing file gives the defaults.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        offimic_config::load(path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        offimic_config::parse(text, path)
    }

    /// `~/.config/offimic/api.json`.
    pub fn default_path() -> PathBuf {
        dirs::config_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join("offimic")
            .join("api.json")
    }

    /// The database URL, defaulting to `offimic.db` in the user's data directory.
    pub fn database_url(&self) -> String {
        match &self.database {
            Some(DatabaseUrl(url)) => url.clone(),
            None => {
                let dir = dirs::data_dir()
                    .unwrap_or_else(|| PathBuf::from("."))
                    .join("offimic");
                format!("sqlite://{}", dir.join("offimic.db").display())
            }
        }
    }

    /// The bank holidays in force.
    pub fn holidays(&self) -> offimic_access::HolidayCalendar {
        match &self.bank_holidays {
            Some(dates) => offimic_access::HolidayCalendar::from_dates(dates.iter().copied()),
            None => offimic_access::HolidayCalendar::england_and_wales(),
        }
    }

    /// The base URL for links, without a trailing slash.
    pub fn public_base(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => offimic_config::base_url(self.schema, &self.host, self.port, &self.path),
        }
    }

    /// The presence window.
    pub fn presence_window(&self) -> jiff::SignedDuration {
        jiff::SignedDuration::from_mins(i64::from(self.presence_window_minutes))
    }

    pub fn tz(&self) -> &TimeZone {
        &self.timezone.0
    }

    /// Whether `ip` is a reverse proxy whose `X-Forwarded-For` is believed.
    pub fn is_trusted_proxy(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.trusted_proxies.iter().any(|net| net.contains(&ip))
    }

    /// Whether `ip` may write counts without a token.
    pub fn is_trusted_writer(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.trusted_writers.iter().any(|net| net.contains(&ip))
    }
}

/// A database URL with a supported scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseUrl(pub String);

impl<'de> Deserialize<'de> for DatabaseUrl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let url = String::deserialize(deserializer)?;
        let supported = ["sqlite:", "postgres://", "postgresql://"];
        if supported.iter().any(|prefix| url.starts_with(prefix)) {
            Ok(DatabaseUrl(url))
        } else {
            Err(de::Error::custom(
                "database must be sqlite://FILE or postgres://USER@HOST/DATABASE",
            ))
        }
    }
}

/// An IANA time zone, kept with its name.
#[derive(Debug, Clone)]
pub struct Zone(pub TimeZone, pub String);

impl<'de> Deserialize<'de> for Zone {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        TimeZone::get(&name)
            .map(|tz| Zone(tz, name.clone()))
            .map_err(|_| {
                de::Error::custom(format!(
                    "unknown time zone {name:?} (expected an IANA name such as \"Europe/Paris\")"
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ApiConfig, ConfigError> {
        ApiConfig::parse(text, Path::new("api.json"))
    }

    fn error(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn the_seed_shape_is_accepted_with_port_as_string_or_number() {
        let config =
            parse(r#"{"schema": "https", "host": "0.0.0.0", "path": "/", "port": "5000"}"#)
                .unwrap();
        assert_eq!(config.port, Port(5000));
        assert_eq!(config.schema, Scheme::Https);
        assert_eq!(config.path.0, "");
        assert_eq!(parse(r#"{"port": 5001}"#).unwrap().port, Port(5001));
    }

    #[test]
    fn defaults() {
        let config = parse("{}").unwrap();
        assert_eq!((config.host.as_str(), config.port.0), ("127.0.0.1", 4567));
        assert_eq!(config.max_count, 10_000);
        assert_eq!(config.retention_days, 90);
        assert!(config.is_trusted_writer("127.0.0.1".parse().unwrap()));
        assert!(config.is_trusted_writer("::ffff:127.0.0.1".parse().unwrap()));
        assert!(config.is_trusted_writer("::1".parse().unwrap()));
        assert!(!config.is_trusted_writer("10.0.0.1".parse().unwrap()));
        assert!(config.database_url().starts_with("sqlite://"));
        assert!(config.database_url().ends_with("offimic/offimic.db"));
    }

    #[test]
    fn prefixes_are_normalised() {
        assert_eq!(
            parse(r#"{"path": "/offimic/"}"#).unwrap().path.0,
            "/offimic"
        );
        assert_eq!(
            parse(r#"{"path": "space/api"}"#).unwrap().path.0,
            "/space/api"
        );
        assert!(error(r#"{"path": "/a b"}"#).contains("URL path"));
        assert!(error(r#"{"path": "/a//b"}"#).contains("URL path"));
    }

    #[test]
    fn syntax_errors_name_file_line_and_column() {
        // The seed's own example: a missing comma and a trailing comma.
        let text = "{\n  \"schema\": \"https\",\n  \"host\": \"api.example.com\",\n  \"path\": \"/\"\n  \"port\": \"5000\",\n}";
        let message = error(text);
        assert!(
            message.starts_with("api.json: line 5, column 3: "),
            "{message}"
        );
        assert!(!message.contains('\n'));
    }

    #[test]
    fn unknown_keys_are_named() {
        let message = error("{\n  \"prot\": 5000\n}");
        assert!(message.contains("unknown field `prot`"), "{message}");
        assert!(message.contains("line 2"), "{message}");
    }

    #[test]
    fn bad_values_are_explained() {
        assert!(error(r#"{"port": 70000}"#).contains("port 70000 is above 65535"));
        assert!(error(r#"{"port": "http"}"#).contains("not a number"));
        assert!(error(r#"{"port": -1}"#).contains("negative"));
        assert!(error(r#"{"schema": "ftp"}"#).contains("unknown variant `ftp`"));
        assert!(error(r#"{"timezone": "Mars/Olympus"}"#).contains("unknown time zone"));
        assert!(error(r#"{"database": "mysql://x"}"#).contains("sqlite://FILE or postgres://"));
        assert!(error(r#"{"trusted_writers": ["10.0.0.0/33"]}"#).contains("line 1"));
        assert!(error(r#"{"max_count": -5}"#).contains("expected u32"));
    }

    #[test]
    fn holidays_and_public_url() {
        let config = parse(r#"{"bank_holidays": ["2026-07-14"], "host": "door.example.org", "port": 80, "path": "/space"}"#).unwrap();
        assert!(config.holidays().contains(jiff::civil::date(2026, 7, 14)));
        assert!(!config.holidays().contains(jiff::civil::date(2026, 12, 25)));
        assert_eq!(config.public_base(), "http://door.example.org:80/space");
        assert!(
            parse("{}")
                .unwrap()
                .holidays()
                .contains(jiff::civil::date(2026, 12, 25))
        );
        assert!(error(r#"{"bank_holidays": ["14/07/2026"]}"#).contains("line 1"));
    }

    #[test]
    fn quiet_hours_are_local_times() {
        let config = parse(r#"{"quiet_hours": {"start": "23:00", "end": "06:30:00"}}"#).unwrap();
        assert_eq!(config.quiet_hours.start, jiff::civil::time(23, 0, 0, 0));
        assert_eq!(config.quiet_hours.end, jiff::civil::time(6, 30, 0, 0));
        assert_eq!(
            parse("{}").unwrap().quiet_hours.start,
            jiff::civil::time(22, 30, 0, 0)
        );
        assert!(error(r#"{"quiet_hours": {"start": "25:00", "end": "07:00"}}"#).contains("line 1"));
    }

    #[test]
    fn payments_and_email() {
        let config = parse("{}").unwrap();
        assert_eq!(config.payments.stale_after_days, 3);
        assert_eq!(config.payments.balance_floor_p, -400);
        assert_eq!(config.payments.reference_prefix, "SM");
        assert!(config.email.smtp.is_none());
        assert!(config.email.outbox_dir().ends_with("offimic/outbox"));
        let config = parse(
            r#"{"payments": {"daily": true, "run_at": "05:30"},
                "email": {"smtp": {"host": "127.0.0.1", "port": 2525, "security": "none"}}}"#,
        )
        .unwrap();
        assert!(config.payments.daily);
        let smtp = config.email.smtp.unwrap();
        assert_eq!((smtp.port, smtp.security), (2525, SmtpSecurity::None));
        assert!(
            error(r#"{"email": {"smtp": {"host": "x", "security": "ssl"}}}"#)
                .contains("unknown variant `ssl`")
        );
        assert!(error(r#"{"payments": {"stale_days": 3}}"#).contains("unknown field `stale_days`"));
    }

    #[test]
    fn timezone_is_kept() {
        let config = parse(r#"{"timezone": "Europe/Paris"}"#).unwrap();
        assert_eq!(config.timezone.1, "Europe/Paris");
    }
}
