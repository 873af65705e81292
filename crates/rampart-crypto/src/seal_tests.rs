//! Tests of root-key sealing in each mode.

use super::*;
use crate::root::Domain;
use std::os::unix::fs::PermissionsExt as _;
use std::path::PathBuf;

/// A fresh, not yet existing path under the system temp dir.
fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir()
        .join(format!("rampart-crypto-test-{}", uuid::Uuid::new_v4()))
        .join(name)
}

fn same_root(a: &RootKey, b: &RootKey) -> bool {
    *a.domain_key(Domain::Kms).0 == *b.domain_key(Domain::Kms).0
}

/// Cheap Argon2 parameters so tests run fast in debug builds.
fn cheap() -> Argon2Params {
    Argon2Params::new_with_cost(64, 1, 1)
}

#[test]
fn keyfile_round_trip_and_file_properties() {
    let path = temp_path("sub/dir/unseal.key");
    let (root, sealed) = init_keyfile(&path).unwrap();
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!(meta.len(), 32);
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let unsealed = unseal_keyfile(&sealed, &path).unwrap();
    assert!(same_root(&root, &unsealed));
    let err = init_keyfile(&path).unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    assert!(
        same_root(&root, &unseal_keyfile(&sealed, &path).unwrap()),
        "file unchanged"
    );
    let _ = std::fs::remove_dir_all(
        path.parent()
            .and_then(Path::parent)
            .and_then(Path::parent)
            .unwrap(),
    );
}

#[test]
fn wrong_or_missing_keyfile_fails() {
    let path = temp_path("a.key");
    let other = path.with_file_name("b.key");
    let (_, sealed) = init_keyfile(&path).unwrap();
    let (_, _) = init_keyfile(&other).unwrap();
    let err = unseal_keyfile(&sealed, &other).unwrap_err();
    assert!(
        matches!(err, CryptoError::Unseal(ref m) if m.contains("not the one")),
        "{err}"
    );
    let missing = unseal_keyfile(&sealed, &path.with_file_name("missing.key")).unwrap_err();
    assert!(matches!(missing, CryptoError::Unseal(_)), "{missing}");
    std::fs::write(&other, b"short").unwrap();
    assert!(matches!(
        unseal_keyfile(&sealed, &other),
        Err(CryptoError::Unseal(_))
    ));
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[test]
fn passphrase_round_trip_and_wrong_passphrase() {
    let (root, sealed) = init_passphrase_with("correct horse battery staple", cheap()).unwrap();
    let unsealed = unseal_passphrase(&sealed, "correct horse battery staple").unwrap();
    assert!(same_root(&root, &unsealed));
    let err = unseal_passphrase(&sealed, "Correct horse battery staple").unwrap_err();
    assert!(
        matches!(err, CryptoError::Unseal(ref m) if m == "wrong passphrase"),
        "{err}"
    );
    assert!(init_passphrase_with("", cheap()).is_err());
}

/// The defaults themselves (deriving with them takes seconds in a debug build, so the round
/// trips above use cheap parameters through the same code path).
#[test]
fn passphrase_default_parameters() {
    let params = Argon2Params::new_default();
    let costs = (params.m_cost_kib, params.t_cost, params.p_cost);
    assert_eq!(costs, (64 * 1024, 3, 1));
    assert_eq!(params.salt.len(), 16);
    assert_ne!(params.salt, Argon2Params::new_default().salt);
}

#[test]
fn passphrase_parameters_out_of_bounds_are_refused() {
    let (_, mut sealed) = init_passphrase_with("pw", cheap()).unwrap();
    if let Some(p) = sealed.argon2.as_mut() {
        p.m_cost_kib = u32::MAX;
    }
    assert!(matches!(
        unseal_passphrase(&sealed, "pw"),
        Err(CryptoError::Other(_))
    ));
}

#[test]
fn shamir_parameters_are_validated() {
    for (n, t) in [(0, 0), (3, 0), (2, 3), (5, 1)] {
        assert!(init_shamir(n, t).is_err(), "{t}-of-{n}");
    }
    let (_, sealed, shares) = init_shamir(1, 1).unwrap();
    assert_eq!(shares.len(), 1);
    assert!(ShamirUnsealer::new(sealed).is_ok());
}

#[test]
fn modes_are_not_interchangeable() {
    let (_, sealed) = init_passphrase_with("pw", cheap()).unwrap();
    assert!(ShamirUnsealer::new(sealed.clone()).is_err());
    assert!(matches!(
        unseal_keyfile(&sealed, Path::new("/nonexistent")),
        Err(CryptoError::Unseal(_))
    ));
}

#[test]
fn sealed_root_serializes_without_secrets() {
    let (root, sealed) = init_passphrase_with("pw", cheap()).unwrap();
    let json = serde_json::to_string(&sealed).unwrap();
    assert!(json.contains("\"Passphrase\""), "{json}");
    assert!(json.contains("\"m_cost_kib\":64"), "{json}");
    let back: SealedRoot = serde_json::from_str(&json).unwrap();
    assert!(same_root(&root, &unseal_passphrase(&back, "pw").unwrap()));
    assert!(
        json.contains("\"format\":2") && !json.contains("share_check"),
        "{json}"
    );
    let (_, sealed, shares) = init_shamir(3, 2).unwrap();
    let json = serde_json::to_string(&sealed).unwrap();
    assert!(
        json.contains("\"Shamir\":{\"shares\":3,\"threshold\":2}"),
        "{json}"
    );
    assert!(!json.contains("argon2"), "{json}");
    assert!(json.contains("\"commitments\""), "{json}");
    for share in &shares {
        let body = share.rsplit(':').next().unwrap();
        assert!(!json.contains(body), "no share in the record");
    }
    let debug = format!("{sealed:?}");
    assert!(debug.contains("Digest(32 bytes)"), "{debug}");
}

/// A record written before share commitments (format 1) still opens in every mode.
#[test]
fn format_1_records_still_open() {
    let (root, sealed) = init_passphrase_with("pw", cheap()).unwrap();
    let mut json = serde_json::to_value(&sealed).unwrap();
    json["format"] = 1.into();
    let back: SealedRoot = serde_json::from_value(json).unwrap();
    assert!(same_root(&root, &unseal_passphrase(&back, "pw").unwrap()));
}
