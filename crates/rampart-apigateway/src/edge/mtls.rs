//! Mutual TLS at the HTTPS edge. Each connection's ClientHello is read first
//! (`LazyConfigAcceptor`); its SNI picks the server configuration: the shared one (no client
//! certificate asked) unless it names a custom domain name with a truststore, whose own
//! configuration requires a client certificate chaining to the truststore's CA certificates
//! (rustls' `WebPkiClientVerifier`: a missing, untrusted or expired certificate fails the
//! handshake). Those configurations are built on the certificate refresh, only when a
//! domain's truststore URI, version or file changed, so no handshake builds one. A domain
//! whose truststore is unreadable or holds no usable CA refuses every handshake.

use crate::edge::snapshot::Snapshot;
use crate::edge::tls::{SniResolver, finish_config};
use crate::truststore::load_truststore;
use rustls::RootCertStore;
use rustls::server::WebPkiClientVerifier;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

/// What a mutual TLS configuration was built from: truststore URI, version, file time.
type Source = (String, Option<String>, Option<SystemTime>);

/// One mutual TLS domain's handshake configuration (None: every handshake refused).
#[derive(Debug, Clone)]
struct MutualConfig {
    source: Source,
    config: Option<Arc<rustls::ServerConfig>>,
}

/// Mutual TLS configurations by lowercase domain name (wildcards as `*.example.com`).
type MutualMap = HashMap<String, MutualConfig>;

/// The configuration a ClientHello gets.
#[derive(Debug, Clone)]
pub enum Picked {
    /// No client certificate asked.
    Shared(Arc<rustls::ServerConfig>),
    /// The mutual TLS of domain `domain`; `config` None refuses the handshake.
    Mutual {
        domain: String,
        config: Option<Arc<rustls::ServerConfig>>,
    },
}

/// The edge's server configurations: the shared one and those of mutual TLS domains.
#[derive(Debug)]
pub struct EdgeConfigs {
    shared: Arc<rustls::ServerConfig>,
    resolver: Arc<SniResolver>,
    truststore_dir: Option<PathBuf>,
    mutual: RwLock<Arc<MutualMap>>,
}

impl EdgeConfigs {
    /// `shared` for names without mutual TLS; mutual TLS domains' configurations serve
    /// `resolver`'s certificates and read truststores under `truststore_dir`.
    pub fn new(
        shared: Arc<rustls::ServerConfig>,
        resolver: Arc<SniResolver>,
        truststore_dir: Option<PathBuf>,
    ) -> Self {
        EdgeConfigs {
            shared,
            resolver,
            truststore_dir,
            mutual: RwLock::new(Arc::new(MutualMap::new())),
        }
    }

    /// The configuration for server name `sni`: a mutual TLS domain's (its name exactly,
    /// else a `*.` wildcard one label up), else the shared one.
    pub fn pick(&self, sni: Option<&str>) -> Picked {
        let map = match self.mutual.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        let Some(name) = sni.map(str::to_ascii_lowercase) else {
            return Picked::Shared(self.shared.clone());
        };
        let wildcard = name.split_once('.').map(|(_, rest)| format!("*.{rest}"));
        let found = std::iter::once(name)
            .chain(wildcard)
            .find_map(|n| map.get(&n).map(|m| (n, m.config.clone())));
        match found {
            Some((domain, config)) => Picked::Mutual { domain, config },
            None => Picked::Shared(self.shared.clone()),
        }
    }

    /// Rebuilds the mutual TLS configurations of `snapshot`'s domains, reusing those whose
    /// truststore did not change.
    pub fn refresh(&self, snapshot: &Snapshot) {
        let old = match self.mutual.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        let mut map = MutualMap::new();
        for domain in snapshot.domains.values() {
            let Some((uri, version)) = domain.truststore.clone() else {
                continue;
            };
            let modified = self
                .truststore_dir
                .as_deref()
                .and_then(|d| modified(d, &uri));
            let source = (uri, version, modified);
            let kept = old.get(&domain.name).filter(|m| m.source == source);
            let built = match kept {
                Some(kept) => kept.clone(),
                None => self.build(source),
            };
            map.insert(domain.name.clone(), built);
        }
        let map = Arc::new(map);
        match self.mutual.write() {
            Ok(mut guard) => *guard = map,
            Err(poisoned) => *poisoned.into_inner() = map,
        }
    }

    /// The configuration of truststore `source`.
    fn build(&self, source: Source) -> MutualConfig {
        let config = match self.truststore_dir.as_deref() {
            Some(dir) => mutual_config(dir, &source.0, self.resolver.clone()),
            None => Err("no truststore directory".into()),
        };
        let config = config
            .inspect_err(
                |e| tracing::warn!(uri = %source.0, error = %e, "a truststore cannot be served"),
            )
            .ok()
            .map(Arc::new);
        MutualConfig { source, config }
    }
}

/// When truststore `uri`'s file under `dir` last changed, if it can be read.
fn modified(dir: &Path, uri: &str) -> Option<SystemTime> {
    let path = crate::truststore::truststore_path(dir, uri).ok()?;
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// A configuration requiring client certificates chaining to truststore `uri` under `dir`.
fn mutual_config(
    dir: &Path,
    uri: &str,
    resolver: Arc<SniResolver>,
) -> Result<rustls::ServerConfig, String> {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let store = load_truststore(dir, uri, now)?;
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(store.roots);
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| e.to_string())?;
    let builder = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_client_cert_verifier(verifier);
    Ok(finish_config(builder.with_cert_resolver(resolver)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "mtls_tests.rs"]
mod tests;
