//! RSA: every signing algorithm (RAW/DIGEST), OAEP limits, interop with aws-lc-rs public keys,
//! wrong material.

use super::*;
use aws_lc_rs::rsa::{
    OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepPrivateDecryptingKey, OaepPublicEncryptingKey,
    PrivateDecryptingKey, PublicEncryptingKey,
};
use aws_lc_rs::signature::{self, UnparsedPublicKey};

const RSA_SIGNING: [SigningAlgorithm; 6] = [
    SigningAlgorithm::RsaPkcs1Sha256,
    SigningAlgorithm::RsaPkcs1Sha384,
    SigningAlgorithm::RsaPkcs1Sha512,
    SigningAlgorithm::RsaPssSha256,
    SigningAlgorithm::RsaPssSha384,
    SigningAlgorithm::RsaPssSha512,
];

#[test]
fn rsa_2048_signs_with_every_algorithm() {
    let material = key(Spec::Rsa2048);
    let again = reload(material);
    for algorithm in RSA_SIGNING {
        check_signing(material, algorithm);
        let sig = material.sign(algorithm, MessageType::Raw, b"m").unwrap();
        assert_eq!(sig.len(), 256);
        assert!(
            again
                .verify(algorithm, MessageType::Raw, b"m", &sig)
                .unwrap()
        );
    }
}

#[test]
fn rsa_signatures_verify_outside_kms() {
    let material = key(Spec::Rsa2048);
    let spki = material.public_key_der().unwrap();
    let params: [&'static signature::RsaParameters; 6] = [
        &signature::RSA_PKCS1_2048_8192_SHA256,
        &signature::RSA_PKCS1_2048_8192_SHA384,
        &signature::RSA_PKCS1_2048_8192_SHA512,
        &signature::RSA_PSS_2048_8192_SHA256,
        &signature::RSA_PSS_2048_8192_SHA384,
        &signature::RSA_PSS_2048_8192_SHA512,
    ];
    for (algorithm, params) in RSA_SIGNING.into_iter().zip(params) {
        let sig = material
            .sign(algorithm, MessageType::Raw, b"hello")
            .unwrap();
        let public = UnparsedPublicKey::new(params, &spki);
        assert!(public.verify(b"hello", &sig).is_ok(), "{algorithm:?}");
    }
}

#[test]
fn rsa_rejects_foreign_algorithms() {
    let material = key(Spec::Rsa2048);
    for algorithm in [
        SigningAlgorithm::EcdsaSha256,
        SigningAlgorithm::Ed25519Sha512,
        SigningAlgorithm::MlDsaShake256,
        SigningAlgorithm::Sm2Dsa,
    ] {
        assert_eq!(
            material.sign(algorithm, MessageType::Raw, b"m"),
            Err(MaterialError::WrongAlgorithm {
                algorithm: algorithm.as_aws(),
                spec: "RSA_2048"
            })
        );
    }
    assert!(matches!(
        material.encrypt(EncryptionAlgorithm::SymmetricDefault, b"m"),
        Err(MaterialError::WrongAlgorithm { .. })
    ));
    assert!(matches!(
        material.mac(MacAlgorithm::HmacSha256, b"m"),
        Err(MaterialError::WrongAlgorithm { .. })
    ));
    assert!(matches!(
        material.sign(
            SigningAlgorithm::RsaPssSha256,
            MessageType::ExternalMu,
            &[0; 64]
        ),
        Err(MaterialError::InvalidMessage(_))
    ));
}

#[test]
fn rsa_oaep_round_trip_and_limits() {
    let material = key(Spec::Rsa2048);
    for (algorithm, max) in [
        (EncryptionAlgorithm::RsaOaepSha1, 214),
        (EncryptionAlgorithm::RsaOaepSha256, 190),
    ] {
        let at_max = vec![0x5a; max];
        let ciphertext = material.encrypt(algorithm, &at_max).unwrap();
        assert_eq!(ciphertext.len(), 256);
        assert_eq!(*material.decrypt(algorithm, &ciphertext).unwrap(), at_max);
        assert_eq!(
            material.encrypt(algorithm, &vec![0x5a; max + 1]),
            Err(MaterialError::PlaintextTooLong { len: max + 1, max })
        );
        let mut tampered = ciphertext.clone();
        tampered[10] ^= 1;
        assert_eq!(
            material.decrypt(algorithm, &tampered),
            Err(MaterialError::InvalidCiphertext)
        );
        assert_eq!(
            material.decrypt(algorithm, &ciphertext[1..]),
            Err(MaterialError::InvalidCiphertext)
        );
    }
    let sha1 = material
        .encrypt(EncryptionAlgorithm::RsaOaepSha1, b"abc")
        .unwrap();
    assert_eq!(
        material.decrypt(EncryptionAlgorithm::RsaOaepSha256, &sha1),
        Err(MaterialError::InvalidCiphertext)
    );
}

#[test]
fn rsa_oaep_interoperates_with_the_public_key() {
    let material = key(Spec::Rsa2048);
    let public = PublicEncryptingKey::from_der(&material.public_key_der().unwrap()).unwrap();
    let public = OaepPublicEncryptingKey::new(public).unwrap();
    let mut out = vec![0u8; public.ciphertext_size()];
    let ciphertext = public
        .encrypt(&OAEP_SHA256_MGF1SHA256, b"from outside", &mut out, None)
        .unwrap();
    let plaintext = material
        .decrypt(EncryptionAlgorithm::RsaOaepSha256, ciphertext)
        .unwrap();
    assert_eq!(&plaintext[..], b"from outside");

    let pkcs8 = material.to_bytes();
    let private =
        OaepPrivateDecryptingKey::new(PrivateDecryptingKey::from_pkcs8(&pkcs8).unwrap()).unwrap();
    let ciphertext = material
        .encrypt(EncryptionAlgorithm::RsaOaepSha1, b"to outside")
        .unwrap();
    let mut out = vec![0u8; private.min_output_size()];
    let plaintext = private
        .decrypt(&OAEP_SHA1_MGF1SHA1, &ciphertext, &mut out, None)
        .unwrap();
    assert_eq!(plaintext, b"to outside");
}

#[test]
fn rsa_3072_and_4096() {
    let r3072 = key(Spec::Rsa3072);
    check_signing(r3072, SigningAlgorithm::RsaPssSha384);
    let ct = r3072
        .encrypt(EncryptionAlgorithm::RsaOaepSha1, &[1; 342])
        .unwrap();
    assert_eq!(ct.len(), 384);
    assert_eq!(
        r3072
            .decrypt(EncryptionAlgorithm::RsaOaepSha1, &ct)
            .unwrap()
            .len(),
        342
    );
    assert!(matches!(
        r3072.encrypt(EncryptionAlgorithm::RsaOaepSha256, &[1; 319]),
        Err(MaterialError::PlaintextTooLong { len: 319, max: 318 })
    ));

    let r4096 = key(Spec::Rsa4096);
    reload(r4096);
    let sig = r4096
        .sign(SigningAlgorithm::RsaPkcs1Sha512, MessageType::Raw, b"m")
        .unwrap();
    assert_eq!(sig.len(), 512);
    let ct = r4096
        .encrypt(EncryptionAlgorithm::RsaOaepSha256, &[2; 446])
        .unwrap();
    assert_eq!(
        r4096
            .decrypt(EncryptionAlgorithm::RsaOaepSha256, &ct)
            .unwrap()
            .len(),
        446
    );
    assert!(
        r4096
            .encrypt(EncryptionAlgorithm::RsaOaepSha1, &[2; 471])
            .is_err()
    );
}

#[test]
fn rsa_rejects_wrong_material() {
    let r2048 = key(Spec::Rsa2048).to_bytes();
    assert!(is_invalid_material(Material::from_bytes(
        Spec::Rsa3072,
        &r2048
    )));
    assert!(is_invalid_material(Material::from_bytes(
        Spec::Rsa4096,
        &r2048
    )));
    let ec = key(Spec::EccP256).to_bytes();
    assert!(is_invalid_material(Material::from_bytes(
        Spec::Rsa2048,
        &ec
    )));
    assert!(is_invalid_material(Material::from_bytes(
        Spec::Rsa2048,
        &[0x30, 0x03, 1, 2, 3]
    )));
    assert!(is_invalid_material(Material::from_bytes(
        Spec::Rsa2048,
        &r2048[..r2048.len() - 1]
    )));
    assert!(is_invalid_material(Material::from_bytes(
        Spec::Rsa2048,
        &[0; 32]
    )));
}
