//! Configuration: one TOML file, then `COLDSET_*` environment variables, then command-line
//! flags, each overriding the one before. Unknown keys are errors, so a typo never silently
//! falls back to a default.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub data: Option<PathBuf>,
    /// A PostgreSQL URL for studio scale; without it the store is SQLite in `data`.
    pub database: Option<String>,
    /// A file holding that URL, so its password need not be written in this file, the
    /// environment or a command line (a container's secret file, say).
    pub database_file: Option<PathBuf>,
    pub listen: Option<String>,
    pub log: Option<String>,
    /// `text` (default) or `json` (one object a line, for a log collector).
    pub log_format: Option<String>,
    /// Where each signed checkpoint is also POSTed (witnesses run by others).
    pub witness_urls: Option<Vec<String>>,
    /// C2SP tlog-witnesses asked to cosign each checkpoint: `[[witnesses]]` with `url` (the
    /// submission prefix) and `key` (the witness's `name+id+key`).
    pub witnesses: Option<Vec<WitnessEntry>>,
    /// Webhooks that receive notifications (reports, escalations, incidents, holds, alerts).
    pub webhook_urls: Option<Vec<String>>,
    /// A file holding the secret that signs webhook deliveries (HMAC-SHA256).
    pub webhook_secret_file: Option<PathBuf>,
    /// An SMTP relay (host:port) for notification e-mail.
    pub smtp_server: Option<String>,
    /// `starttls`, `tls` (implicit, port 465) or `none` (a relay on this network); by
    /// default `tls` on port 465, `starttls` on 587, `none` elsewhere.
    pub smtp_security: Option<String>,
    pub smtp_username: Option<String>,
    /// A file holding the SMTP password.
    pub smtp_password_file: Option<PathBuf>,
    pub email_from: Option<String>,
    pub email_to: Option<Vec<String>>,
    /// Certificates (PEM) trusted besides the system's, for webhooks, witnesses and SMTP: a
    /// studio's own certificate authority.
    pub ca_file: Option<PathBuf>,
    /// PEM certificate chain and private key: serve HTTPS.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// Where the ledger signing key and a second copy of every checkpoint live: outside
    /// the data directory, so a copy of that directory cannot re-sign a rewritten log.
    /// Default: beside the data directory, named `<data>.keys`.
    pub key_dir: Option<PathBuf>,
    /// Automatic backups while serving: a directory (a second disk), how often, how many kept,
    /// and a file holding a passphrase that seals the keys in them.
    pub backup_dir: Option<PathBuf>,
    pub backup_every_minutes: Option<u64>,
    pub backup_keep: Option<usize>,
    pub backup_passphrase_file: Option<PathBuf>,
    /// The address phones use for this server, for links, QR codes and labels, e.g.
    /// `https://armory-laptop.local:8443`. Without it, the address each browser typed.
    pub public_url: Option<String>,
    /// Connections the server holds at once, in all and from one client address.
    pub max_connections: Option<usize>,
    pub max_connections_per_client: Option<usize>,
    /// A connection with nothing read or written for this long is closed.
    pub idle_timeout_seconds: Option<u64>,
    /// A request's headers (and a TLS handshake) must arrive within this time.
    pub header_timeout_seconds: Option<u64>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (for the per-client limits
    /// of the public report pages). Empty: the connection's own address is the client.
    pub trusted_proxies: Option<Vec<String>>,
    /// One of several nodes on one PostgreSQL database (docs/cluster.md): the address the
    /// other nodes reach this one at, `http://HOST:PORT`. Also `--node-url`, COLDSET_NODE_URL.
    pub node_url: Option<String>,
}

/// One cosigning witness of the configuration file.
#[derive(Debug, Default, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WitnessEntry {
    pub url: String,
    pub key: String,
}

/// The settings in force after every source has been applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub data: Option<PathBuf>,
    pub database: Option<String>,
    pub listen: SocketAddr,
    pub log: String,
    pub log_format: LogFormat,
    pub witness_urls: Vec<String>,
    /// Cosigning witnesses: submission prefix and key.
    pub witnesses: Vec<(String, coldset_ledger::CosignerVerifier)>,
    pub notifications: Notifications,
    /// Certificate chain and key files, when serving HTTPS.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// The key directory given (file, `COLDSET_KEY_DIR` or `--key-dir`); `None`: the default
    /// beside the data directory (`crate::datadir::key_dir`).
    pub key_dir: Option<PathBuf>,
    pub limits: crate::listener::Limits,
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub public_url: Option<String>,
    pub node_url: Option<String>,
    pub backups: Option<Backups>,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Automatic backups, after validation (the passphrase is read from its file).
#[derive(Clone, PartialEq, Eq)]
pub struct Backups {
    pub dir: PathBuf,
    pub every: std::time::Duration,
    pub keep: usize,
    pub passphrase: Option<String>,
}

impl std::fmt::Debug for Backups {
    // The passphrase never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backups")
            .field("dir", &self.dir)
            .field("every", &self.every)
            .field("keep", &self.keep)
            .field("passphrase", &self.passphrase.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Notification settings, after validation. The webhook secret is read from its file.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Notifications {
    pub webhook_urls: Vec<String>,
    pub webhook_secret: Vec<u8>,
    pub smtp_server: Option<String>,
    pub smtp: Option<SmtpSettings>,
    pub email_from: String,
    pub email_to: Vec<String>,
    pub ca_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    StartTls,
    Tls,
    None,
}

/// The SMTP relay, after validation (the password read from its file).
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub credentials: Option<(String, String)>,
    pub from: String,
}

impl std::fmt::Debug for SmtpSettings {
    // The password never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.credentials.as_ref().map(|(u, _)| u))
            .field("from", &self.from)
            .finish()
    }
}

impl std::fmt::Debug for Notifications {
    // The secret never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifications")
            .field("webhook_urls", &self.webhook_urls)
            .field("webhook_secret", &"<redacted>")
            .field("smtp_server", &self.smtp_server)
            .field("smtp", &self.smtp)
            .field("email_from", &self.email_from)
            .field("email_to", &self.email_to)
            .finish()
    }
}

impl Notifications {
    pub fn enabled(&self) -> bool {
        !self.webhook_urls.is_empty() || self.smtp_server.is_some()
    }
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot read {what} {path}: {source}")]
    ReadFile { what: &'static str, path: PathBuf, source: std::io::Error },
    #[error("config file {path} is invalid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{source_name}: '{value}' is not a listen address: write IP:PORT, e.g. 127.0.0.1:8080")]
    Listen { source_name: String, value: String },
    #[error("{0}")]
    Invalid(String),
}

/// Overrides given on the command line.
#[derive(Debug, Default, Clone)]
pub struct Flags {
    pub config: Option<PathBuf>,
    pub data: Option<PathBuf>,
    pub database: Option<String>,
    pub listen: Option<String>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub key_dir: Option<PathBuf>,
}

pub fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse { path: path.to_owned(), message: e.message().to_owned() })
}

/// Resolves the configuration from the file (flag `--config` or `COLDSET_CONFIG`), the
/// environment and the flags. `env` is passed in so tests need not touch the process.
pub fn resolve(flags: &Flags, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
    let file_path = flags.config.clone().or_else(|| env("COLDSET_CONFIG").map(PathBuf::from));
    let file = match &file_path {
        Some(p) => read_file(p)?,
        None => FileConfig::default(),
    };
    let mut data = file.data;
    // The database URL: the flag, else the environment, else the file; at each level as
    // text or as a file that holds it. Only the file of the level that wins is read.
    let nonempty = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
    let from_env = one_database(
        "COLDSET_DATABASE and COLDSET_DATABASE_FILE",
        nonempty(env("COLDSET_DATABASE")),
        nonempty(env("COLDSET_DATABASE_FILE")).map(PathBuf::from),
    )?;
    let from_file = one_database("database and database_file", file.database, file.database_file)?;
    let database = match (&flags.database, from_env, from_file) {
        (Some(url), _, _) => Some(url.clone()),
        (None, Some(given), _) | (None, None, Some(given)) => Some(given.url()?),
        (None, None, None) => None,
    };
    if let Some(url) = &database {
        if !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
            return Err(ConfigError::Invalid(
                "database must be a PostgreSQL URL (postgresql://user@host:port/db); leave it out for the embedded SQLite store".into(),
            ));
        }
    }
    let mut listen = file.listen.map(|v| ("config file".to_owned(), v));
    let mut log = file.log;
    let mut witness_urls = file.witness_urls.unwrap_or_default();
    if let Some(v) = env("COLDSET_WITNESS_URLS") {
        witness_urls = v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
    }
    for url in &witness_urls {
        if !url.starts_with("http://") && !url.starts_with("https://") {
            return Err(ConfigError::Invalid(format!("witness URL '{url}' must start with http:// or https://")));
        }
    }
    if let Some(v) = env("COLDSET_DATA") {
        data = Some(PathBuf::from(v));
    }
    if let Some(v) = env("COLDSET_LISTEN") {
        listen = Some(("COLDSET_LISTEN".into(), v));
    }
    if let Some(v) = env("COLDSET_LOG") {
        log = Some(v);
    }
    if let Some(v) = &flags.data {
        data = Some(v.clone());
    }
    if let Some(v) = &flags.listen {
        listen = Some(("--listen".into(), v.clone()));
    }
    let (source_name, value) = listen.unwrap_or(("default".into(), DEFAULT_LISTEN.into()));
    let listen: SocketAddr = value
        .trim()
        .parse()
        .map_err(|_| ConfigError::Listen { source_name: source_name.clone(), value: value.clone() })?;
    let log = log.unwrap_or_else(|| "info".into());
    if !["error", "warn", "info", "debug", "trace"].contains(&log.as_str()) {
        return Err(ConfigError::Invalid(format!("log level '{log}' is not one of error, warn, info, debug, trace")));
    }
    if let Some(d) = &data {
        if d.as_os_str().is_empty() {
            return Err(ConfigError::Invalid("the data directory is empty".into()));
        }
    }
    let list = |v: String| -> Vec<String> {
        v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
    };
    let webhook_urls = env("COLDSET_WEBHOOK_URLS").map(list).or(file.webhook_urls).unwrap_or_default();
    let secret_file = env("COLDSET_WEBHOOK_SECRET_FILE").map(PathBuf::from).or(file.webhook_secret_file);
    let smtp_server = env("COLDSET_SMTP_SERVER").or(file.smtp_server);
    let email_from = env("COLDSET_EMAIL_FROM").or(file.email_from).unwrap_or_else(|| "coldset@localhost".into());
    let email_to = env("COLDSET_EMAIL_TO").map(list).or(file.email_to).unwrap_or_default();
    for url in &webhook_urls {
        if !url.starts_with("http://") && !url.starts_with("https://") {
            return Err(ConfigError::Invalid(format!("webhook URL '{url}' must start with http:// or https://")));
        }
    }
    let webhook_secret = match (&secret_file, webhook_urls.is_empty()) {
        (Some(path), _) => {
            let bytes = std::fs::read(path).map_err(|source| ConfigError::Read { path: path.clone(), source })?;
            let trimmed: Vec<u8> = bytes.trim_ascii().to_vec();
            if trimmed.len() < 16 {
                return Err(ConfigError::Invalid(format!(
                    "the webhook secret in {} is shorter than 16 bytes",
                    path.display()
                )));
            }
            trimmed
        }
        (None, false) => {
            return Err(ConfigError::Invalid(
                "webhook_urls need webhook_secret_file (the secret that signs deliveries)".into(),
            ))
        }
        (None, true) => Vec::new(),
    };
    if smtp_server.is_some() && email_to.is_empty() {
        return Err(ConfigError::Invalid("smtp_server needs email_to (who receives notifications)".into()));
    }
    let ca_file = nonempty(env("COLDSET_CA_FILE")).map(PathBuf::from).or(file.ca_file);
    if let Some(path) = &ca_file {
        if !path.is_file() {
            return Err(ConfigError::Invalid(format!("ca_file {} is not a file", path.display())));
        }
    }
    let smtp = match &smtp_server {
        Some(server) => {
            let (host, port) = server.rsplit_once(':').ok_or_else(|| {
                ConfigError::Invalid(format!("smtp_server '{server}' must be HOST:PORT, e.g. smtp.example.com:587"))
            })?;
            let port: u16 = port
                .parse()
                .map_err(|_| ConfigError::Invalid(format!("smtp_server '{server}': '{port}' is not a port")))?;
            let security = match nonempty(env("COLDSET_SMTP_SECURITY")).or(file.smtp_security).as_deref() {
                Some("starttls") => SmtpSecurity::StartTls,
                Some("tls") => SmtpSecurity::Tls,
                Some("none") => SmtpSecurity::None,
                Some(other) => {
                    return Err(ConfigError::Invalid(format!(
                        "smtp_security '{other}' is not one of starttls, tls, none"
                    )))
                }
                None if port == 465 => SmtpSecurity::Tls,
                None if port == 587 => SmtpSecurity::StartTls,
                None => SmtpSecurity::None,
            };
            let username = nonempty(env("COLDSET_SMTP_USERNAME")).or(file.smtp_username);
            let password_file =
                nonempty(env("COLDSET_SMTP_PASSWORD_FILE")).map(PathBuf::from).or(file.smtp_password_file);
            let credentials = match (username, password_file) {
                (Some(user), Some(path)) => {
                    let text = std::fs::read_to_string(&path)
                        .map_err(|source| ConfigError::Read { path: path.clone(), source })?;
                    Some((user, text.lines().next().unwrap_or_default().to_owned()))
                }
                (None, None) => None,
                _ => {
                    return Err(ConfigError::Invalid(
                        "give both smtp_username and smtp_password_file, or neither".into(),
                    ))
                }
            };
            if credentials.is_some() && security == SmtpSecurity::None {
                return Err(ConfigError::Invalid(
                    "smtp_username with smtp_security = none would send the password in the clear: use starttls or tls"
                        .into(),
                ));
            }
            if !email_from.contains('@') {
                return Err(ConfigError::Invalid(format!("email_from '{email_from}' is not an e-mail address")));
            }
            Some(SmtpSettings { host: host.to_owned(), port, security, credentials, from: email_from.clone() })
        }
        None => None,
    };
    let notifications =
        Notifications { webhook_urls, webhook_secret, smtp_server, smtp, email_from, email_to, ca_file };
    let tls_cert = flags.tls_cert.clone().or_else(|| env("COLDSET_TLS_CERT").map(PathBuf::from)).or(file.tls_cert);
    let tls_key = flags.tls_key.clone().or_else(|| env("COLDSET_TLS_KEY").map(PathBuf::from)).or(file.tls_key);
    let tls = match (tls_cert, tls_key) {
        (Some(c), Some(k)) => Some((c, k)),
        (None, None) => None,
        _ => return Err(ConfigError::Invalid("give both tls_cert and tls_key (PEM files), or neither".into())),
    };
    let key_dir =
        flags.key_dir.clone().or_else(|| nonempty(env("COLDSET_KEY_DIR")).map(PathBuf::from)).or(file.key_dir);
    let defaults = crate::listener::Limits::default();
    let positive = |name: &str, v: Option<u64>, default: u64| -> Result<u64, ConfigError> {
        match v {
            Some(0) => Err(ConfigError::Invalid(format!("{name} must be at least 1"))),
            Some(n) => Ok(n),
            None => Ok(default),
        }
    };
    let limits = crate::listener::Limits {
        max_connections: positive(
            "max_connections",
            file.max_connections.map(|n| n as u64),
            defaults.max_connections as u64,
        )? as usize,
        per_client: positive(
            "max_connections_per_client",
            file.max_connections_per_client.map(|n| n as u64),
            defaults.per_client as u64,
        )? as usize,
        idle: std::time::Duration::from_secs(positive(
            "idle_timeout_seconds",
            file.idle_timeout_seconds,
            defaults.idle.as_secs(),
        )?),
        header: std::time::Duration::from_secs(positive(
            "header_timeout_seconds",
            file.header_timeout_seconds,
            defaults.header.as_secs(),
        )?),
    };
    let trusted_proxies = file
        .trusted_proxies
        .unwrap_or_default()
        .iter()
        .map(|a| {
            a.trim().parse().map_err(|_| {
                ConfigError::Invalid(format!("trusted_proxies: '{a}' is not an IP address (write 10.0.0.2 or ::1)"))
            })
        })
        .collect::<Result<Vec<std::net::IpAddr>, _>>()?;
    let mut witnesses = Vec::new();
    for w in file.witnesses.unwrap_or_default() {
        if !w.url.starts_with("http://") && !w.url.starts_with("https://") {
            return Err(ConfigError::Invalid(format!("witness url '{}' must start with http:// or https://", w.url)));
        }
        let key = coldset_ledger::CosignerVerifier::parse(&w.key)
            .map_err(|e| ConfigError::Invalid(format!("witness key '{}': {e}", w.key)))?;
        witnesses.push((w.url, key));
    }
    let public_url = match nonempty(env("COLDSET_PUBLIC_URL")).or(file.public_url) {
        Some(url) => Some(parse_public_url(&url)?),
        None => None,
    };
    let node_url = match nonempty(env("COLDSET_NODE_URL")).or(file.node_url) {
        Some(url) => Some(parse_node_url(&url)?),
        None => None,
    };
    let log_format = match nonempty(env("COLDSET_LOG_FORMAT")).or(file.log_format).as_deref() {
        None | Some("text") => LogFormat::Text,
        Some("json") => LogFormat::Json,
        Some(other) => {
            return Err(ConfigError::Invalid(format!("log_format '{other}' is not one of text, json")));
        }
    };
    let backups = match file.backup_dir {
        Some(dir) => {
            let every = file.backup_every_minutes.unwrap_or(60);
            if every == 0 {
                return Err(ConfigError::Invalid("backup_every_minutes must be at least 1".into()));
            }
            let passphrase = match &file.backup_passphrase_file {
                Some(path) => {
                    let text = std::fs::read_to_string(path)
                        .map_err(|source| ConfigError::Read { path: path.clone(), source })?;
                    Some(text.lines().next().unwrap_or_default().to_owned())
                }
                None => None,
            };
            Some(Backups {
                dir,
                every: std::time::Duration::from_secs(every * 60),
                keep: file.backup_keep.unwrap_or(48).max(1),
                passphrase,
            })
        }
        None => None,
    };
    Ok(Config {
        log_format,
        backups,
        public_url,
        node_url,
        data,
        database,
        listen,
        log,
        witness_urls,
        witnesses,
        notifications,
        tls,
        key_dir,
        limits,
        trusted_proxies,
    })
}

/// A database URL as given at one level of the configuration.
enum DatabaseUrl {
    Text(String),
    /// A file that holds it.
    File(PathBuf),
}

impl DatabaseUrl {
    /// The URL (a file's text, trimmed).
    fn url(self) -> Result<String, ConfigError> {
        match self {
            DatabaseUrl::Text(url) => Ok(url),
            DatabaseUrl::File(path) => {
                let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::ReadFile {
                    what: "the database URL file",
                    path: path.clone(),
                    source,
                })?;
                let url = text.trim();
                if url.is_empty() {
                    return Err(ConfigError::Invalid(format!("the database URL file {} is empty", path.display())));
                }
                Ok(url.to_owned())
            }
        }
    }
}

/// The database URL of one level: as text or as a file, not both.
fn one_database(names: &str, url: Option<String>, file: Option<PathBuf>) -> Result<Option<DatabaseUrl>, ConfigError> {
    match (url, file) {
        (Some(_), Some(_)) => Err(ConfigError::Invalid(format!("give one of {names}, not both"))),
        (Some(url), None) => Ok(Some(DatabaseUrl::Text(url))),
        (None, Some(path)) => Ok(Some(DatabaseUrl::File(path))),
        (None, None) => Ok(None),
    }
}

/// Passwords and session cookies never cross a network in clear: without TLS, coldset
/// serves on loopback only.
pub fn require_loopback(addr: &SocketAddr) -> Result<(), ConfigError> {
    if addr.ip().is_loopback() {
        Ok(())
    } else {
        Err(ConfigError::Invalid(format!(
            "refusing to listen on {addr} without TLS: give --tls-cert and --tls-key to serve other machines, or use 127.0.0.1:PORT"
        )))
    }
}

/// A public URL: `http(s)://host[:port]`, no path (a trailing slash is dropped).
/// A node's address for the other nodes: plain `http://HOST:PORT` on the studio's own
/// network (the load balancer in front terminates TLS for browsers and phones).
pub fn parse_node_url(url: &str) -> Result<String, ConfigError> {
    let url = url.trim().trim_end_matches('/');
    let ok = url.strip_prefix("http://").is_some_and(|hostport| {
        !hostport.is_empty()
            && !hostport.contains('/')
            && hostport.rsplit_once(':').is_some_and(|(_, port)| port.parse::<u16>().is_ok())
    });
    if ok {
        Ok(url.to_owned())
    } else {
        Err(ConfigError::Invalid(format!(
            "node_url '{url}' must be http://HOST:PORT, the address the other nodes reach this one at (e.g. http://10.0.0.5:8080)"
        )))
    }
}

pub fn parse_public_url(url: &str) -> Result<String, ConfigError> {
    let url = url.trim().trim_end_matches('/');
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(['/', '?', '#', ' ', '@']) => Ok(url.to_owned()),
        _ => Err(ConfigError::Invalid(format!(
            "public_url '{url}' must be http(s)://HOST[:PORT] with no path, e.g. https://armory-laptop.local:8443"
        ))),
    }
}

/// The listen address is acceptable for this configuration.
pub fn check_listen(cfg: &Config) -> Result<(), ConfigError> {
    if cfg.tls.is_some() {
        Ok(())
    } else {
        require_loopback(&cfg.listen)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn public_urls_are_a_scheme_and_a_host_and_loopback_ones_are_told_apart() {
        assert_eq!(parse_public_url("https://armory.local:8443/").unwrap(), "https://armory.local:8443");
        for bad in ["armory.local", "ftp://x", "https://", "https://x/p", "https://a b"] {
            assert!(parse_public_url(bad).is_err(), "{bad}");
        }
        for (url, loopback) in [
            ("https://localhost:8443", true),
            ("http://127.0.0.1", true),
            ("https://[::1]:8443", true),
            ("https://10.0.0.5:8443", false),
            ("https://armory.local", false),
            ("https://[fe80::1]:8443", false),
        ] {
            assert_eq!(coldset_web::is_loopback_url(url), loopback, "{url}");
        }
    }

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn flags_override_env_which_overrides_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "data = \"/from/file\"\nlisten = \"127.0.0.1:1\"\nlog = \"warn\"\n").unwrap();
        let flags = Flags { config: Some(file.clone()), ..Default::default() };
        let c = resolve(&flags, &env_of(&[])).unwrap();
        assert_eq!(c.data, Some(PathBuf::from("/from/file")));
        assert_eq!(c.listen.port(), 1);
        assert_eq!(c.log, "warn");
        let c = resolve(&flags, &env_of(&[("COLDSET_LISTEN", "127.0.0.1:2")])).unwrap();
        assert_eq!(c.listen.port(), 2);
        let flags = Flags { listen: Some("127.0.0.1:3".into()), ..flags };
        let c = resolve(&flags, &env_of(&[("COLDSET_LISTEN", "127.0.0.1:2")])).unwrap();
        assert_eq!(c.listen.port(), 3);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "lisen = \"127.0.0.1:1\"\n").unwrap();
        let flags = Flags { config: Some(file), ..Default::default() };
        let err = resolve(&flags, &env_of(&[])).unwrap_err().to_string();
        assert!(err.contains("lisen"), "{err}");
        let flags = Flags { listen: Some("nowhere".into()), ..Default::default() };
        assert!(resolve(&flags, &env_of(&[])).unwrap_err().to_string().contains("--listen"));
        assert!(require_loopback(&"0.0.0.0:80".parse().unwrap()).is_err());
        assert!(require_loopback(&"127.0.0.1:80".parse().unwrap()).is_ok());
    }

    #[test]
    fn the_database_url_can_come_from_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("db-url");
        std::fs::write(&secret, "postgresql://coldset:s3cret@db.studio:5432/coldset\n").unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(&file, format!("database_file = {:?}\n", secret.display().to_string())).unwrap();
        let flags = Flags { config: Some(file.clone()), ..Default::default() };
        let c = resolve(&flags, &env_of(&[])).unwrap();
        assert_eq!(c.database.as_deref(), Some("postgresql://coldset:s3cret@db.studio:5432/coldset"));
        // The environment's file overrides the config file's; the flag overrides both.
        let other = dir.path().join("other-url");
        std::fs::write(&other, "postgresql://other@db/x").unwrap();
        let from_env = env_of(&[("COLDSET_DATABASE_FILE", other.to_str().unwrap())]);
        assert_eq!(resolve(&flags, &from_env).unwrap().database.as_deref(), Some("postgresql://other@db/x"));
        let flag = Flags { database: Some("postgresql://flag@db/y".into()), ..flags.clone() };
        assert_eq!(resolve(&flag, &from_env).unwrap().database.as_deref(), Some("postgresql://flag@db/y"));
        // Both ways at once, a missing file, an empty one, or a file that is no URL: errors.
        let both =
            env_of(&[("COLDSET_DATABASE", "postgresql://a@b/c"), ("COLDSET_DATABASE_FILE", other.to_str().unwrap())]);
        assert!(resolve(&flags, &both).unwrap_err().to_string().contains("not both"));
        let missing = env_of(&[("COLDSET_DATABASE_FILE", "/no/such/file")]);
        let err = resolve(&flags, &missing).unwrap_err().to_string();
        assert!(err.contains("database URL file /no/such/file"), "{err}");
        // A file of a level that does not win is not read: the flag needs no file.
        assert_eq!(resolve(&flag, &missing).unwrap().database.as_deref(), Some("postgresql://flag@db/y"));
        // An exported but empty variable counts as not set.
        let empty = env_of(&[("COLDSET_DATABASE", ""), ("COLDSET_DATABASE_FILE", other.to_str().unwrap())]);
        assert_eq!(resolve(&flags, &empty).unwrap().database.as_deref(), Some("postgresql://other@db/x"));
        std::fs::write(&other, "\n").unwrap();
        assert!(resolve(&flags, &from_env).unwrap_err().to_string().contains("empty"));
        std::fs::write(&other, "mysql://x").unwrap();
        let err = resolve(&flags, &from_env).unwrap_err().to_string();
        assert!(err.contains("PostgreSQL URL") && !err.contains("mysql://x"), "{err}");
    }
}
