//! Unit tests of the mutual TLS configuration choice per SNI and its refresh.

use super::*;
use crate::edge::snapshot::DomainView;
use crate::edge::tls::{default_certificate, server_config};
use crate::truststore::tests::cert_pem;

/// A domain view named `name`, with truststore `uri` when given.
fn domain(name: &str, uri: Option<&str>) -> DomainView {
    DomainView {
        name: name.into(),
        certificate_arn: None,
        truststore: uri.map(|u| (u.to_owned(), None)),
        mappings: Vec::new(),
    }
}

/// Edge configurations reading truststores under `dir`, and the shared configuration.
fn configs(dir: &Path) -> (EdgeConfigs, Arc<rustls::ServerConfig>) {
    let default = Arc::new(default_certificate("us-east-1").unwrap());
    let resolver = Arc::new(SniResolver::new(default));
    let shared = Arc::new(server_config(resolver.clone()).unwrap());
    let configs = EdgeConfigs::new(shared.clone(), resolver, Some(dir.to_owned()));
    (configs, shared)
}

/// The configuration `picked` carries, and its mutual TLS domain.
fn mutual(picked: Picked) -> (String, Option<Arc<rustls::ServerConfig>>) {
    match picked {
        Picked::Mutual { domain, config } => (domain, config),
        Picked::Shared(_) => panic!("expected a mutual TLS configuration"),
    }
}

#[test]
fn sni_picks_the_domains_mutual_configuration() {
    let dir = std::env::temp_dir().join(format!("rampart-mtls-pick-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("b")).unwrap();
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap();
    let days =
        i64::try_from(now.as_secs()).unwrap() / 86_400 - crate::truststore::tests::NOW / 86_400;
    std::fs::write(
        dir.join("b/ca.pem"),
        cert_pem("ca", true, days - 1, days + 30),
    )
    .unwrap();
    let (configs, shared) = configs(&dir);
    let mut snapshot = Snapshot::default();
    for d in [
        domain("mtls.example.test", Some("s3://b/ca.pem")),
        domain("*.wild.example.test", Some("s3://b/ca.pem")),
        domain("gone.example.test", Some("s3://b/missing.pem")),
        domain("plain.example.test", None),
    ] {
        snapshot.domains.insert(d.name.clone(), d);
    }
    configs.refresh(&snapshot);
    let (name, exact) = mutual(configs.pick(Some("MTLS.example.test")));
    assert_eq!(name, "mtls.example.test");
    let exact = exact.unwrap();
    let (name, wild) = mutual(configs.pick(Some("a.wild.example.test")));
    assert_eq!(name, "*.wild.example.test");
    assert!(wild.is_some());
    assert!(mutual(configs.pick(Some("gone.example.test"))).1.is_none());
    for sni in [Some("plain.example.test"), Some("other.test"), None] {
        assert!(matches!(configs.pick(sni), Picked::Shared(c) if Arc::ptr_eq(&c, &shared)));
    }
    configs.refresh(&snapshot);
    let (_, again) = mutual(configs.pick(Some("mtls.example.test")));
    assert!(
        Arc::ptr_eq(&again.unwrap(), &exact),
        "an unchanged truststore is reused"
    );
    snapshot.domains.remove("mtls.example.test");
    configs.refresh(&snapshot);
    assert!(matches!(
        configs.pick(Some("mtls.example.test")),
        Picked::Shared(_)
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}
