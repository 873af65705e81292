//! Server configuration: defaults, then `rampart.toml`, then environment, then flags.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The default listen address: LocalStack's port, so existing endpoint settings work.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:4566";
/// The account that owns requests when no other is selected.
pub const DEFAULT_ACCOUNT: &str = "000000000000";

/// How the root key is sealed on first start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SealChoice {
    /// A key file in the data dir (default): unseals automatically.
    Keyfile,
    /// A passphrase (Argon2id) from `RAMPART_PASSPHRASE` or a prompt.
    Passphrase,
}

/// Settings read from `rampart.toml` (every field optional).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub dev: Option<bool>,
    pub default_account: Option<String>,
    pub database_url: Option<String>,
    pub plain_http: Option<bool>,
    /// The absolute URL clients reach the server at (outbound federation issuers).
    pub public_url: Option<String>,
    pub seal: Option<SealChoice>,
    pub max_body_bytes: Option<usize>,
    /// The `[limits]` table: connection timeouts and caps, HTTP/2 limits, body budget.
    pub limits: Option<rampart_wire::ServerLimits>,
    pub network_unseal: Option<bool>,
    pub seal_key_file: Option<PathBuf>,
    pub audit_sync: Option<bool>,
    /// The `[acm]` table.
    pub acm: Option<AcmFileConfig>,
    /// The `[kms]` table.
    pub kms: Option<KmsFileConfig>,
    /// The `[edge]` table (`config_edge.rs`).
    pub edge: Option<crate::config_edge::EdgeFileConfig>,
}

/// ACM settings of `rampart.toml` (`[acm]`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcmFileConfig {
    /// The DNS server (`ip:port`) asked for DNS validation records; the system's otherwise.
    pub dns_resolver: Option<SocketAddr>,
    /// The port ACME servers fetch http-01 challenges from (80 otherwise; tests set one).
    pub acme_http01_port: Option<u16>,
}

/// KMS settings of `rampart.toml` (`[kms]`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KmsFileConfig {
    /// The bound of the hot-path cache: keys, aliases and key policies held each (20,000
    /// by default; at least 1).
    pub key_cache_entries: Option<usize>,
}

/// The effective configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub dev: bool,
    pub default_account: rampart_core::AccountId,
    /// `postgres://...` to share state between nodes; SQLite in the data dir otherwise.
    pub database_url: Option<String>,
    /// Serve plain HTTP instead of HTTPS (always on in `--dev`).
    pub plain_http: bool,
    pub seal: SealChoice,
    /// Connection and body limits (`max_body_bytes` among them).
    pub limits: rampart_wire::ServerLimits,
    /// Whether `POST /_rampart/unseal` is served over TCP (the local socket always is).
    pub network_unseal: bool,
    /// The key file (key-file seal) when not `<data-dir>/root.key`.
    pub seal_key_file: Option<PathBuf>,
    /// Hold every response (not only those of calls that change state) until its audit record
    /// is durable.
    pub audit_sync: bool,
    /// Settings that reach the modules (ACM's DNS resolver, the edge's geography databases).
    pub modules: rampart_module::ModuleSettings,
}

impl Config {
    /// The root key file (key-file seal), kept outside the database.
    pub fn keyfile_path(&self) -> PathBuf {
        keyfile_path(&self.data_dir, self.seal_key_file.as_deref())
    }
    /// The local unseal socket, served while sealed.
    pub fn unseal_socket_path(&self) -> PathBuf {
        unseal_socket_path(&self.data_dir)
    }
    /// Where TLS material lives.
    pub fn tls_dir(&self) -> PathBuf {
        self.data_dir.join("tls")
    }
}

/// Reads `path` if given (a missing explicit file is an error).
pub fn read_file_config(path: Option<&Path>) -> Result<FileConfig, String> {
    let Some(path) = path else {
        return Ok(FileConfig::default());
    };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The configured public URL without its trailing slashes; an error unless it is an
/// absolute `http://` or `https://` URL with a host and no query or fragment.
pub fn public_url(url: Option<String>) -> Result<Option<String>, String> {
    let Some(url) = url else {
        return Ok(None);
    };
    let trimmed = url.trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    match rest {
        Some(rest) if !rest.is_empty() && !rest.contains(['?', '#', ' ']) => {
            Ok(Some(trimmed.to_owned()))
        }
        _ => Err(format!(
            "public_url must be an absolute http:// or https:// URL, got {url:?}"
        )),
    }
}

/// The data dir used when none is configured: `./rampart-data`.
pub fn default_data_dir() -> PathBuf {
    PathBuf::from("rampart-data")
}

/// The `[limits]` table with the older top-level `max_body_bytes` applied over it (the body
/// budget grows with it when needed), validated.
pub fn limits(file: &FileConfig) -> Result<rampart_wire::ServerLimits, String> {
    let mut limits = file.limits.clone().unwrap_or_default();
    if let Some(max) = file.max_body_bytes {
        limits.max_body_bytes = max;
        limits.body_budget_bytes = limits.body_budget_bytes.max(max);
    }
    limits.validate()?;
    Ok(limits)
}

/// The key file: `explicit` (`--seal-key-file`), else `<data-dir>/root.key`.
pub fn keyfile_path(data_dir: &Path, explicit: Option<&Path>) -> PathBuf {
    explicit.map_or_else(|| data_dir.join("root.key"), Path::to_path_buf)
}

/// The local unseal socket of a data dir: `<data-dir>/unseal.sock`.
pub fn unseal_socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join("unseal.sock")
}
