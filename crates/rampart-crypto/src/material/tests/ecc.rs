//! ECDSA on all four curves, ECDH on the NIST curves, Ed25519.

use super::*;
use aws_lc_rs::agreement;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::signature::{self, EcdsaVerificationAlgorithm, UnparsedPublicKey};

const CURVES: [(Spec, SigningAlgorithm, &EcdsaVerificationAlgorithm); 4] = [
    (
        Spec::EccP256,
        SigningAlgorithm::EcdsaSha256,
        &signature::ECDSA_P256_SHA256_ASN1,
    ),
    (
        Spec::EccP384,
        SigningAlgorithm::EcdsaSha384,
        &signature::ECDSA_P384_SHA384_ASN1,
    ),
    (
        Spec::EccP521,
        SigningAlgorithm::EcdsaSha512,
        &signature::ECDSA_P521_SHA512_ASN1,
    ),
    (
        Spec::EccSecp256k1,
        SigningAlgorithm::EcdsaSha256,
        &signature::ECDSA_P256K1_SHA256_ASN1,
    ),
];

#[test]
fn ecdsa_every_curve() {
    for (spec, algorithm, verification) in CURVES {
        let material = key(spec);
        let again = reload(material);
        check_signing(material, algorithm);
        let sig = material
            .sign(algorithm, MessageType::Raw, b"hello")
            .unwrap();
        assert_eq!(sig[0], 0x30, "ASN.1 DER SEQUENCE");
        assert!(
            again
                .verify(algorithm, MessageType::Raw, b"hello", &sig)
                .unwrap()
        );
        let spki = material.public_key_der().unwrap();
        let outside = UnparsedPublicKey::new(verification, &spki);
        assert!(outside.verify(b"hello", &sig).is_ok(), "{spec:?}");
        assert!(
            !material
                .verify(algorithm, MessageType::Raw, b"hello", b"not der")
                .unwrap()
        );
    }
}

#[test]
fn ecdsa_only_with_the_curves_hash() {
    for (spec, own, _) in CURVES {
        let material = key(spec);
        for other in [
            SigningAlgorithm::EcdsaSha256,
            SigningAlgorithm::EcdsaSha384,
            SigningAlgorithm::EcdsaSha512,
            SigningAlgorithm::RsaPssSha256,
            SigningAlgorithm::Ed25519Sha512,
        ] {
            if other == own {
                continue;
            }
            assert_eq!(
                material.sign(other, MessageType::Raw, b"m"),
                Err(MaterialError::WrongAlgorithm {
                    algorithm: other.as_aws(),
                    spec: spec.as_aws()
                })
            );
            assert!(matches!(
                material.verify(other, MessageType::Raw, b"m", b"s"),
                Err(MaterialError::WrongAlgorithm { .. })
            ));
        }
        assert!(matches!(
            material.encrypt(EncryptionAlgorithm::RsaOaepSha256, b"m"),
            Err(MaterialError::WrongAlgorithm { .. })
        ));
    }
}

#[test]
fn ecc_rejects_wrong_curve_and_type() {
    let p256 = key(Spec::EccP256).to_bytes();
    assert!(is_invalid_material(Material::from_bytes(
        Spec::EccP384,
        &p256
    )));
    assert!(is_invalid_material(Material::from_bytes(
        Spec::EccSecp256k1,
        &p256
    )));
    let k1 = key(Spec::EccSecp256k1).to_bytes();
    assert!(is_invalid_material(Material::from_bytes(
        Spec::EccP256,
        &k1
    )));
    let ed = key(Spec::Ed25519).to_bytes();
    assert!(is_invalid_material(Material::from_bytes(
        Spec::EccP256,
        &ed
    )));
    assert!(is_invalid_material(Material::from_bytes(
        Spec::EccP521,
        &[0; 66]
    )));
}

#[test]
fn ecdh_agrees_on_every_nist_curve() {
    let curves = [
        (Spec::EccP256, &agreement::ECDH_P256, 32),
        (Spec::EccP384, &agreement::ECDH_P384, 48),
        (Spec::EccP521, &agreement::ECDH_P521, 66),
    ];
    for (spec, algorithm, len) in curves {
        let ours = key(spec);
        let theirs = agreement::PrivateKey::generate(algorithm).unwrap();
        let their_public = theirs.compute_public_key().unwrap();
        let their_spki = their_public.as_der().unwrap();
        let secret = ours.derive_shared_secret(their_spki.as_ref()).unwrap();
        assert_eq!(secret.len(), len);
        let our_public = ours.public_key_der().unwrap();
        let expected = agreement::agree(
            &theirs,
            agreement::UnparsedPublicKey::new(algorithm, &our_public),
            (),
            |s| Ok(s.to_vec()),
        )
        .unwrap();
        assert_eq!(*secret, expected, "{spec:?}");
        let again = reload(ours);
        assert_eq!(
            *again.derive_shared_secret(their_spki.as_ref()).unwrap(),
            expected
        );
        // A raw (non-SPKI) point is not accepted: AWS takes DER SubjectPublicKeyInfo only.
        assert_eq!(
            ours.derive_shared_secret(their_public.as_ref())
                .unwrap_err(),
            MaterialError::InvalidPublicKey
        );
    }
}

#[test]
fn ecdh_rejects_bad_peers() {
    let p256 = key(Spec::EccP256);
    let p384_spki = key(Spec::EccP384).public_key_der().unwrap();
    assert_eq!(
        p256.derive_shared_secret(&p384_spki).unwrap_err(),
        MaterialError::InvalidPublicKey
    );
    let rsa_spki = key(Spec::Rsa2048).public_key_der().unwrap();
    assert_eq!(
        p256.derive_shared_secret(&rsa_spki).unwrap_err(),
        MaterialError::InvalidPublicKey
    );
    assert_eq!(
        p256.derive_shared_secret(b"junk").unwrap_err(),
        MaterialError::InvalidPublicKey
    );
    assert_eq!(
        p256.derive_shared_secret(&[]).unwrap_err(),
        MaterialError::InvalidPublicKey
    );
    let k1 = key(Spec::EccSecp256k1);
    let k1_spki = k1.public_key_der().unwrap();
    assert!(matches!(
        k1.derive_shared_secret(&k1_spki),
        Err(MaterialError::WrongAlgorithm {
            algorithm: "ECDH",
            ..
        })
    ));
}

#[test]
fn ed25519_pure_signatures() {
    let material = key(Spec::Ed25519);
    let again = reload(material);
    let alg = SigningAlgorithm::Ed25519Sha512;
    let sig = material.sign(alg, MessageType::Raw, b"hello").unwrap();
    assert_eq!(sig.len(), 64);
    assert!(again.verify(alg, MessageType::Raw, b"hello", &sig).unwrap());
    assert!(
        !material
            .verify(alg, MessageType::Raw, b"hellO", &sig)
            .unwrap()
    );
    let mut tampered = sig.clone();
    tampered[5] ^= 4;
    assert!(
        !material
            .verify(alg, MessageType::Raw, b"hello", &tampered)
            .unwrap()
    );
    let spki = material.public_key_der().unwrap();
    let outside = UnparsedPublicKey::new(&signature::ED25519, &spki);
    assert!(outside.verify(b"hello", &sig).is_ok());
    assert!(matches!(
        material.sign(alg, MessageType::Digest, &[0; 64]),
        Err(MaterialError::InvalidMessage(_))
    ));
    assert!(matches!(
        material.sign(
            SigningAlgorithm::Ed25519PhSha512,
            MessageType::Digest,
            &[0; 64]
        ),
        Err(MaterialError::Unsupported(_))
    ));
    assert!(matches!(
        material.verify(
            SigningAlgorithm::Ed25519PhSha512,
            MessageType::Raw,
            b"m",
            &sig
        ),
        Err(MaterialError::Unsupported(_))
    ));
    assert!(matches!(
        material.sign(SigningAlgorithm::EcdsaSha256, MessageType::Raw, b"m"),
        Err(MaterialError::WrongAlgorithm { .. })
    ));
    let p256 = key(Spec::EccP256).to_bytes();
    assert!(is_invalid_material(Material::from_bytes(
        Spec::Ed25519,
        &p256
    )));
}
