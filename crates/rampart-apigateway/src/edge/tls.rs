//! The edge's HTTPS listeners (`[edge] tls_listen`, and the private `private_tls_listen`
//! with the same resolver and configurations): rustls with ALPN h2 and http/1.1 and a
//! certificate chosen by SNI: a custom domain name's ACM certificate (its name exactly, else
//! a `*.` wildcard domain name one label up), else the default certificate (self-signed for
//! `*.execute-api.<region>.localhost`, `*.execute-api.<region>.vpce.localhost` and
//! `localhost`, made at start). The map of domain
//! certificates is rebuilt from the snapshot and ACM every [`TLS_REFRESH_PERIOD`], so a
//! re-imported or renewed certificate and a changed domain are served within seconds (with
//! the mutual TLS configurations of [`crate::edge::mtls`]).

use crate::edge::mtls::EdgeConfigs;
use crate::edge::snapshot::{Live, Snapshot};
use rampart_acm::CertificateAccess;
use rustls::crypto::aws_lc_rs::sign::any_supported_type;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// How often the certificate map is rebuilt.
pub const TLS_REFRESH_PERIOD: Duration = Duration::from_secs(2);

/// Certificates by lowercase domain name (wildcard names as `*.example.com`).
type CertMap = HashMap<String, Arc<CertifiedKey>>;

/// Picks the certificate by SNI.
#[derive(Debug)]
pub struct SniResolver {
    by_name: RwLock<Arc<CertMap>>,
    default: Arc<CertifiedKey>,
}

impl SniResolver {
    /// A resolver answering `default` until certificates are loaded.
    pub fn new(default: Arc<CertifiedKey>) -> Self {
        SniResolver {
            by_name: RwLock::new(Arc::new(HashMap::new())),
            default,
        }
    }

    /// Swaps in a new map.
    pub fn replace(&self, map: CertMap) {
        let map = Arc::new(map);
        match self.by_name.write() {
            Ok(mut guard) => *guard = map,
            Err(poisoned) => *poisoned.into_inner() = map,
        }
    }

    /// The certificate for server name `sni` (None: the default).
    pub fn pick(&self, sni: Option<&str>) -> Arc<CertifiedKey> {
        let map = match self.by_name.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        let Some(name) = sni.map(str::to_ascii_lowercase) else {
            return self.default.clone();
        };
        let wildcard = name.split_once('.').map(|(_, rest)| format!("*.{rest}"));
        map.get(&name)
            .or_else(|| wildcard.and_then(|w| map.get(&w)))
            .cloned()
            .unwrap_or_else(|| self.default.clone())
    }
}

impl ResolvesServerCert for SniResolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.pick(hello.server_name()))
    }
}

/// A served certificate from a PEM chain (leaf first) and a PKCS #8 key.
pub fn certified_key(chain_pem: &str, pkcs8: &[u8]) -> Result<CertifiedKey, String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(chain_pem.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|e| format!("certificate chain: {e}"))?;
    if chain.is_empty() {
        return Err("no certificate in the chain".into());
    }
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pkcs8.to_vec()));
    let signer = any_supported_type(&key).map_err(|e| format!("private key: {e}"))?;
    Ok(CertifiedKey::new(chain, signer))
}

/// The default certificate: self-signed for the `execute-api` hosts of `region`, the VPC
/// endpoint's own DNS names (`<vpce-id>-<suffix>.execute-api.<region>.vpce.localhost`, as
/// AWS's `*.execute-api.<region>.vpce.amazonaws.com`) and localhost.
pub fn default_certificate(region: &str) -> Result<CertifiedKey, String> {
    let names = vec![
        format!("*.execute-api.{region}.localhost"),
        format!("*.execute-api.{region}.vpce.localhost"),
        "localhost".to_owned(),
    ];
    let made = rcgen::generate_simple_self_signed(names).map_err(|e| e.to_string())?;
    certified_key(&made.cert.pem(), &made.signing_key.serialize_der())
}

/// The certificates of every custom domain name of `snapshot`.
async fn load_map(snapshot: &Snapshot, access: &CertificateAccess) -> CertMap {
    let mut map = CertMap::new();
    for domain in snapshot.domains.values() {
        let Some(arn) = domain.certificate_arn.as_deref() else {
            continue;
        };
        let material = match access.key_material(arn).await {
            Ok(Some(material)) => material,
            Ok(None) => continue,
            Err(e) => {
                tracing::warn!(error = %e, "edge certificate read failed");
                continue;
            }
        };
        match certified_key(&material.chain_pem, &material.pkcs8) {
            Ok(key) => {
                map.insert(domain.name.clone(), Arc::new(key));
            }
            Err(e) => tracing::warn!(%arn, error = %e, "an edge certificate cannot be served"),
        }
    }
    map
}

/// Rebuilds `resolver`'s map and the mutual TLS configurations of `configs` from `live` and
/// ACM every [`TLS_REFRESH_PERIOD`], forever.
pub async fn refresh_certificates(
    live: Arc<Live>,
    resolver: Arc<SniResolver>,
    configs: Arc<EdgeConfigs>,
    access: Arc<CertificateAccess>,
) {
    loop {
        let snapshot = live.snapshot();
        let map = load_map(&snapshot, &access).await;
        resolver.replace(map);
        configs.refresh(&snapshot);
        tokio::time::sleep(TLS_REFRESH_PERIOD).await;
    }
}

/// The rustls server configuration over `resolver` (ALPN h2, http/1.1).
pub fn server_config(resolver: Arc<SniResolver>) -> Result<rustls::ServerConfig, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_cert_resolver(resolver);
    Ok(finish_config(config))
}

/// `config` offering ALPN h2 and http/1.1.
pub(crate) fn finish_config(mut config: rustls::ServerConfig) -> rustls::ServerConfig {
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    config
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn key_for(name: &str) -> Arc<CertifiedKey> {
        let made = rcgen::generate_simple_self_signed(vec![name.to_owned()]).unwrap();
        let key = certified_key(&made.cert.pem(), &made.signing_key.serialize_der()).unwrap();
        Arc::new(key)
    }

    #[test]
    fn sni_picks_exact_then_wildcard_then_default() {
        let default = Arc::new(default_certificate("us-east-1").unwrap());
        let resolver = SniResolver::new(default.clone());
        let exact = key_for("api.example.test");
        let wild = key_for("*.example.test");
        let mut map = CertMap::new();
        map.insert("api.example.test".into(), exact.clone());
        map.insert("*.example.test".into(), wild.clone());
        resolver.replace(map);
        assert!(Arc::ptr_eq(
            &resolver.pick(Some("API.example.test")),
            &exact
        ));
        assert!(Arc::ptr_eq(&resolver.pick(Some("web.example.test")), &wild));
        assert!(Arc::ptr_eq(
            &resolver.pick(Some("a.b.example.test")),
            &default
        ));
        assert!(Arc::ptr_eq(&resolver.pick(None), &default));
    }

    #[test]
    fn a_replaced_map_is_served_at_once() {
        let default = Arc::new(default_certificate("us-east-1").unwrap());
        let resolver = SniResolver::new(default.clone());
        let first = key_for("api.example.test");
        let second = key_for("api.example.test");
        resolver.replace(CertMap::from([("api.example.test".into(), first.clone())]));
        assert!(Arc::ptr_eq(
            &resolver.pick(Some("api.example.test")),
            &first
        ));
        resolver.replace(CertMap::from([("api.example.test".into(), second.clone())]));
        assert!(Arc::ptr_eq(
            &resolver.pick(Some("api.example.test")),
            &second
        ));
        resolver.replace(CertMap::new());
        assert!(Arc::ptr_eq(
            &resolver.pick(Some("api.example.test")),
            &default
        ));
    }
}
