//! Unit tests of truststore paths, parsing and warnings.

use super::*;
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use time::{Duration, OffsetDateTime};

pub(crate) const NOW: i64 = 1_800_000_000;

/// A self-signed certificate named `cn`, a CA when `ca`, valid `days_from..days_to` of NOW.
pub(crate) fn cert_pem(cn: &str, ca: bool, days_from: i64, days_to: i64) -> String {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, cn);
    if ca {
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    }
    let now = OffsetDateTime::from_unix_timestamp(NOW).unwrap();
    params.not_before = now + Duration::days(days_from);
    params.not_after = now + Duration::days(days_to);
    let key = KeyPair::generate().unwrap();
    params.self_signed(&key).unwrap().pem()
}

#[test]
fn s3_uris_map_under_the_directory() {
    let dir = Path::new("/stores");
    let path = truststore_path(dir, "s3://bucket/ca/bundle.pem").unwrap();
    assert_eq!(path, Path::new("/stores/bucket/ca/bundle.pem"));
    for bad in [
        "https://bucket/key",
        "s3://bucket",
        "s3://bucket/",
        "s3:///key",
        "s3://bucket/../other/key",
        "s3://../etc/passwd",
    ] {
        assert!(truststore_path(dir, bad).is_err(), "{bad}");
    }
}

#[test]
fn valid_cas_become_roots_and_others_warnings() {
    let bundle = [
        cert_pem("good", true, -1, 30),
        cert_pem("old", true, -30, -1),
        cert_pem("future", true, 1, 30),
        cert_pem("leaf", false, -1, 30),
    ]
    .concat();
    let store = parse_truststore(bundle.as_bytes(), NOW).unwrap();
    assert_eq!(store.roots.len(), 1);
    assert_eq!(
        store.warnings,
        [
            "Certificate 1: certificate CN=old has expired",
            "Certificate 2: certificate CN=future is not yet valid",
            "Certificate 3: certificate CN=leaf is not a CA certificate",
        ]
    );
}

#[test]
fn a_bundle_without_certificates_is_refused() {
    assert!(parse_truststore(b"not a pem bundle", NOW).is_none());
    let garbage = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    let store = parse_truststore(garbage.as_bytes(), NOW).unwrap();
    assert!(store.roots.is_empty());
    assert_eq!(store.warnings, ["Certificate 0: invalid X.509 certificate"]);
}

#[test]
fn missing_files_are_refused_with_the_uri() {
    let dir = std::env::temp_dir().join(format!("rampart-truststore-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("b")).unwrap();
    std::fs::write(dir.join("b/ca.pem"), cert_pem("ca", true, -1, 30)).unwrap();
    let store = load_truststore(&dir, "s3://b/ca.pem", NOW).unwrap();
    assert_eq!((store.roots.len(), store.warnings.len()), (1, 0));
    let missing = load_truststore(&dir, "s3://b/none.pem", NOW).unwrap_err();
    assert_eq!(
        missing,
        "Unable to read truststore from S3 URI s3://b/none.pem"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
