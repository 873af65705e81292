//! Tests of the key material: catalog, round trips of every supported spec and algorithm, stored
//! form identity, rejection of wrong material, and interoperability with independent aws-lc-rs
//! public-key operations (what an AWS client does with GetPublicKey's output).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ecc;
mod import;
mod pq;
mod rsa;

use super::*;
use std::sync::OnceLock;

/// One generated key per spec, shared by the tests (RSA keygen is slow in debug builds).
pub(super) fn key(spec: Spec) -> &'static Material {
    static KEYS: OnceLock<std::sync::Mutex<Vec<(Spec, &'static Material)>>> = OnceLock::new();
    let keys = KEYS.get_or_init(Default::default);
    let mut keys = keys.lock().unwrap();
    if let Some((_, key)) = keys.iter().find(|(s, _)| *s == spec) {
        return key;
    }
    let key: &'static Material = Box::leak(Box::new(Material::generate(spec).unwrap()));
    keys.push((spec, key));
    key
}

/// `from_bytes(to_bytes())` gives back the same bytes and a key that behaves the same.
pub(super) fn reload(material: &Material) -> Material {
    let bytes = material.to_bytes();
    let again = Material::from_bytes(material.spec(), &bytes).unwrap();
    assert_eq!(*again.to_bytes(), *bytes);
    again
}

pub(super) fn is_invalid_material<T>(result: Result<T, MaterialError>) -> bool {
    matches!(result, Err(MaterialError::InvalidMaterial(_)))
}

/// Signs RAW and DIGEST, checks both verify both ways, that tampering fails, and that a DIGEST
/// of the wrong length is rejected.
pub(super) fn check_signing(material: &Material, algorithm: SigningAlgorithm) {
    let message = b"the message to sign";
    let digest = hash_for(algorithm, message);
    let raw_sig = material.sign(algorithm, MessageType::Raw, message).unwrap();
    let digest_sig = material
        .sign(algorithm, MessageType::Digest, &digest)
        .unwrap();
    for sig in [&raw_sig, &digest_sig] {
        assert!(
            material
                .verify(algorithm, MessageType::Raw, message, sig)
                .unwrap()
        );
        assert!(
            material
                .verify(algorithm, MessageType::Digest, &digest, sig)
                .unwrap()
        );
        assert!(
            !material
                .verify(algorithm, MessageType::Raw, b"other message", sig)
                .unwrap()
        );
        let mut tampered = sig.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(
            !material
                .verify(algorithm, MessageType::Raw, message, &tampered)
                .unwrap()
        );
    }
    let short = &digest[..digest.len() - 1];
    assert_eq!(
        material.sign(algorithm, MessageType::Digest, short),
        Err(MaterialError::DigestLength(algorithm.as_aws()))
    );
    assert_eq!(
        material.verify(algorithm, MessageType::Digest, short, &raw_sig),
        Err(MaterialError::DigestLength(algorithm.as_aws()))
    );
}

/// The hash an RSA/ECDSA algorithm uses, over `message`.
pub(super) fn hash_for(algorithm: SigningAlgorithm, message: &[u8]) -> Vec<u8> {
    use SigningAlgorithm as A;
    use aws_lc_rs::digest;
    let hash = match algorithm {
        A::RsaPssSha256 | A::RsaPkcs1Sha256 | A::EcdsaSha256 => &digest::SHA256,
        A::RsaPssSha384 | A::RsaPkcs1Sha384 | A::EcdsaSha384 => &digest::SHA384,
        _ => &digest::SHA512,
    };
    digest::digest(hash, message).as_ref().to_vec()
}

#[test]
fn catalog_matches_aws() {
    for &spec in Spec::ALL {
        let info = spec_info(spec);
        assert!(!info.usages.is_empty(), "{spec:?}");
        assert_eq!(info.supported, spec != Spec::Sm2, "{spec:?}");
    }
    let rsa = spec_info(Spec::Rsa3072);
    assert_eq!(rsa.usages, &[Usage::EncryptDecrypt, Usage::SignVerify]);
    assert_eq!(rsa.signing.len(), 6);
    assert_eq!(
        rsa.encryption,
        &[
            EncryptionAlgorithm::RsaOaepSha1,
            EncryptionAlgorithm::RsaOaepSha256
        ]
    );
    let p521 = spec_info(Spec::EccP521);
    assert_eq!(p521.usages, &[Usage::SignVerify, Usage::KeyAgreement]);
    assert_eq!(p521.signing, &[SigningAlgorithm::EcdsaSha512]);
    assert_eq!(p521.agreement, &[KeyAgreementAlgorithm::Ecdh]);
    assert_eq!(spec_info(Spec::EccSecp256k1).usages, &[Usage::SignVerify]);
    assert_eq!(
        spec_info(Spec::EccSecp256k1).signing,
        &[SigningAlgorithm::EcdsaSha256]
    );
    assert_eq!(spec_info(Spec::Hmac384).mac, &[MacAlgorithm::HmacSha384]);
    assert_eq!(
        spec_info(Spec::MlKem768).usages,
        &[Usage::EncapsulateDecapsulate]
    );
    assert_eq!(
        spec_info(Spec::MlDsa44).signing,
        &[SigningAlgorithm::MlDsaShake256]
    );
    assert_eq!(spec_info(Spec::Sm2).usages.len(), 3);
}

#[test]
fn oaep_limits_are_awss() {
    use EncryptionAlgorithm::{RsaOaepSha1 as Sha1, RsaOaepSha256 as Sha256};
    let expected = [
        (Spec::Rsa2048, 214, 190),
        (Spec::Rsa3072, 342, 318),
        (Spec::Rsa4096, 470, 446),
    ];
    for (spec, sha1, sha256) in expected {
        assert_eq!(max_plaintext_len(spec, Sha1), Some(sha1));
        assert_eq!(max_plaintext_len(spec, Sha256), Some(sha256));
        assert_eq!(
            max_plaintext_len(spec, EncryptionAlgorithm::SymmetricDefault),
            None
        );
    }
    assert_eq!(
        max_plaintext_len(Spec::Symmetric, EncryptionAlgorithm::SymmetricDefault),
        Some(4096)
    );
    assert_eq!(max_plaintext_len(Spec::Symmetric, Sha1), None);
    assert_eq!(max_plaintext_len(Spec::EccP256, Sha256), None);
}

#[test]
fn symmetric_round_trip_and_size() {
    let key = Material::generate(Spec::Symmetric).unwrap();
    assert!(key.symmetric().is_some());
    reload(&key);
    assert!(is_invalid_material(Material::from_bytes(
        Spec::Symmetric,
        &[0; 31]
    )));
    assert!(key.public_key_der().is_err());
    assert!(matches!(
        key.sign(SigningAlgorithm::EcdsaSha256, MessageType::Raw, b"m"),
        Err(MaterialError::WrongAlgorithm { .. })
    ));
}

#[test]
fn sm2_is_unsupported() {
    assert!(matches!(
        Material::generate(Spec::Sm2),
        Err(MaterialError::Unsupported(_))
    ));
    assert!(matches!(
        Material::from_bytes(Spec::Sm2, &[0; 32]),
        Err(MaterialError::Unsupported(_))
    ));
}

#[test]
fn hmac_every_spec() {
    use aws_lc_rs::hmac as lc;
    let cases = [
        (Spec::Hmac224, MacAlgorithm::HmacSha224, lc::HMAC_SHA224, 28),
        (Spec::Hmac256, MacAlgorithm::HmacSha256, lc::HMAC_SHA256, 32),
        (Spec::Hmac384, MacAlgorithm::HmacSha384, lc::HMAC_SHA384, 48),
        (Spec::Hmac512, MacAlgorithm::HmacSha512, lc::HMAC_SHA512, 64),
    ];
    for (spec, alg, lc_alg, len) in cases {
        let key = Material::generate(spec).unwrap();
        assert_eq!(key.to_bytes().len(), len);
        let again = reload(&key);
        let tag = key.mac(alg, b"message").unwrap();
        assert_eq!(tag.len(), len);
        let reference = lc::sign(&lc::Key::new(lc_alg, &key.to_bytes()), b"message");
        assert_eq!(tag, reference.as_ref());
        assert!(again.verify_mac(alg, b"message", &tag).unwrap());
        assert!(!key.verify_mac(alg, b"messagE", &tag).unwrap());
        assert!(!key.verify_mac(alg, b"message", &tag[..len - 1]).unwrap());
        let mut tampered = tag.clone();
        tampered[0] ^= 0x80;
        assert!(!key.verify_mac(alg, b"message", &tampered).unwrap());
        let other = MacAlgorithm::ALL
            .iter()
            .copied()
            .find(|a| *a != alg)
            .unwrap();
        assert!(matches!(
            key.mac(other, b"m"),
            Err(MaterialError::WrongAlgorithm { .. })
        ));
        assert!(matches!(
            key.verify_mac(other, b"m", &tag),
            Err(MaterialError::WrongAlgorithm { .. })
        ));
        assert!(key.public_key_der().is_err());
    }
}

#[test]
fn hmac_import_lengths() {
    for spec in [Spec::Hmac224, Spec::Hmac256, Spec::Hmac384, Spec::Hmac512] {
        let (min, max) = hmac_key_len(spec).unwrap();
        assert!(is_invalid_material(Material::from_bytes(
            spec,
            &vec![1; min - 1]
        )));
        assert!(is_invalid_material(Material::from_bytes(
            spec,
            &vec![1; max + 1]
        )));
        for len in [min, max] {
            let key = Material::from_bytes(spec, &vec![1; len]).unwrap();
            assert_eq!(key.to_bytes().len(), len);
        }
    }
    assert_eq!(hmac_key_len(Spec::Hmac224), Some((28, 64)));
    assert_eq!(hmac_key_len(Spec::Hmac512), Some((64, 128)));
    assert_eq!(hmac_key_len(Spec::Rsa2048), None);
}

#[test]
fn debug_is_redacted() {
    let key = Material::from_bytes(Spec::Hmac256, &[0x41; 32]).unwrap();
    let shown = format!("{key:?}");
    assert_eq!(shown, "Material(HMAC_256, <redacted>)");
}

#[test]
fn operations_on_the_wrong_family() {
    let hmac = Material::generate(Spec::Hmac256).unwrap();
    assert!(matches!(
        hmac.encrypt(EncryptionAlgorithm::RsaOaepSha256, b"x"),
        Err(MaterialError::WrongAlgorithm { .. })
    ));
    assert!(matches!(
        hmac.derive_shared_secret(&[]),
        Err(MaterialError::WrongAlgorithm { .. })
    ));
    assert!(matches!(
        hmac.encapsulate(),
        Err(MaterialError::Unsupported(_))
    ));
    assert!(matches!(
        hmac.decapsulate(&[]),
        Err(MaterialError::Unsupported(_))
    ));
}
