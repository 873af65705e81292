//! Wrapping keys: every wrapping algorithm, wrapped here with aws-lc-rs public-key encryption and
//! AES key wrap with padding exactly as an AWS client does, then unwrapped by `WrappingKey`.

use super::*;
use aws_lc_rs::key_wrap::{AES_256, AesKek, KeyWrapPadded};
use aws_lc_rs::rsa::{
    OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepAlgorithm, OaepPublicEncryptingKey,
    Pkcs1PublicEncryptingKey, PublicEncryptingKey,
};

fn wrapping_key() -> &'static WrappingKey {
    static KEY: OnceLock<WrappingKey> = OnceLock::new();
    KEY.get_or_init(|| WrappingKey::generate(WrappingKeySpec::Rsa2048).unwrap())
}

fn public(key: &WrappingKey) -> PublicEncryptingKey {
    PublicEncryptingKey::from_der(&key.public_key_der().unwrap()).unwrap()
}

fn oaep_wrap(key: &WrappingKey, oaep: &'static OaepAlgorithm, material: &[u8]) -> Vec<u8> {
    let public = OaepPublicEncryptingKey::new(public(key)).unwrap();
    let mut out = vec![0u8; public.ciphertext_size()];
    public
        .encrypt(oaep, material, &mut out, None)
        .unwrap()
        .to_vec()
}

fn pkcs1_wrap(key: &WrappingKey, material: &[u8]) -> Vec<u8> {
    let public = Pkcs1PublicEncryptingKey::new(public(key)).unwrap();
    let mut out = vec![0u8; public.ciphertext_size()];
    public.encrypt(material, &mut out).unwrap().to_vec()
}

/// RSA_AES_KEY_WRAP_*: OAEP(ephemeral AES-256 key) ‖ AES-KWP(material).
fn aes_wrap(key: &WrappingKey, oaep: &'static OaepAlgorithm, material: &[u8]) -> Vec<u8> {
    let aes_key = crate::random::array::<32>();
    let mut out = oaep_wrap(key, oaep, &aes_key);
    let kek = AesKek::new(&AES_256, &aes_key).unwrap();
    let mut wrapped = vec![0u8; material.len() + 16];
    let wrapped = kek.wrap_with_padding(material, &mut wrapped).unwrap();
    out.extend_from_slice(wrapped);
    out
}

fn wrap(key: &WrappingKey, algorithm: WrappingAlgorithm, material: &[u8]) -> Vec<u8> {
    match algorithm {
        WrappingAlgorithm::RsaPkcs1V15 => pkcs1_wrap(key, material),
        WrappingAlgorithm::RsaOaepSha1 => oaep_wrap(key, &OAEP_SHA1_MGF1SHA1, material),
        WrappingAlgorithm::RsaOaepSha256 => oaep_wrap(key, &OAEP_SHA256_MGF1SHA256, material),
        WrappingAlgorithm::RsaAesKeyWrapSha1 => aes_wrap(key, &OAEP_SHA1_MGF1SHA1, material),
        WrappingAlgorithm::RsaAesKeyWrapSha256 => aes_wrap(key, &OAEP_SHA256_MGF1SHA256, material),
        WrappingAlgorithm::Sm2Pke => unreachable!(),
    }
}

const RSA_WRAPPINGS: [WrappingAlgorithm; 5] = [
    WrappingAlgorithm::RsaPkcs1V15,
    WrappingAlgorithm::RsaOaepSha1,
    WrappingAlgorithm::RsaOaepSha256,
    WrappingAlgorithm::RsaAesKeyWrapSha1,
    WrappingAlgorithm::RsaAesKeyWrapSha256,
];

#[test]
fn unwraps_every_algorithm() {
    let key = wrapping_key();
    let symmetric = [0x42u8; 32];
    for algorithm in RSA_WRAPPINGS {
        let wrapped = wrap(key, algorithm, &symmetric);
        let unwrapped = key.unwrap(algorithm, &wrapped).unwrap();
        assert_eq!(*unwrapped, symmetric, "{algorithm:?}");
        let imported = Material::from_bytes(Spec::Symmetric, &unwrapped).unwrap();
        assert!(imported.symmetric().is_some());
    }
}

#[test]
fn key_wrap_carries_asymmetric_material() {
    let key = wrapping_key();
    let ec = Material::generate(Spec::EccP384).unwrap();
    for algorithm in [
        WrappingAlgorithm::RsaAesKeyWrapSha1,
        WrappingAlgorithm::RsaAesKeyWrapSha256,
    ] {
        let wrapped = wrap(key, algorithm, &ec.to_bytes());
        let unwrapped = key.unwrap(algorithm, &wrapped).unwrap();
        let imported = Material::from_bytes(Spec::EccP384, &unwrapped).unwrap();
        assert_eq!(
            imported.public_key_der().unwrap(),
            ec.public_key_der().unwrap()
        );
    }
}

#[test]
fn tampered_or_mismatched_wrapping_is_invalid_ciphertext() {
    let key = wrapping_key();
    for algorithm in RSA_WRAPPINGS {
        let wrapped = wrap(key, algorithm, &[7u8; 32]);
        let mut tampered = wrapped.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        let result = key.unwrap(algorithm, &tampered);
        if algorithm == WrappingAlgorithm::RsaPkcs1V15 {
            // PKCS#1 v1.5 may "succeed" with a wrong plaintext (implicit rejection); never the
            // original material.
            assert!(result.map(|m| *m != [7u8; 32]).unwrap_or(true));
        } else {
            assert_eq!(
                result,
                Err(MaterialError::InvalidCiphertext),
                "{algorithm:?}"
            );
        }
        assert_eq!(
            key.unwrap(algorithm, &wrapped[..100]),
            Err(MaterialError::InvalidCiphertext)
        );
        assert_eq!(
            key.unwrap(algorithm, &[]),
            Err(MaterialError::InvalidCiphertext)
        );
    }
    let oaep1 = wrap(key, WrappingAlgorithm::RsaOaepSha1, &[7u8; 32]);
    assert_eq!(
        key.unwrap(WrappingAlgorithm::RsaOaepSha256, &oaep1),
        Err(MaterialError::InvalidCiphertext)
    );
    let mut kw = wrap(key, WrappingAlgorithm::RsaAesKeyWrapSha256, &[7u8; 32]);
    kw.truncate(256);
    assert_eq!(
        key.unwrap(WrappingAlgorithm::RsaAesKeyWrapSha256, &kw),
        Err(MaterialError::InvalidCiphertext)
    );
}

#[test]
fn wrapping_key_round_trip_and_sm2() {
    let key = wrapping_key();
    let again = WrappingKey::from_bytes(&key.to_bytes()).unwrap();
    assert_eq!(*again.to_bytes(), *key.to_bytes());
    assert_eq!(
        again.public_key_der().unwrap(),
        key.public_key_der().unwrap()
    );
    let wrapped = wrap(key, WrappingAlgorithm::RsaOaepSha256, b"material");
    assert_eq!(
        &again
            .unwrap(WrappingAlgorithm::RsaOaepSha256, &wrapped)
            .unwrap()[..],
        b"material"
    );
    assert_eq!(format!("{key:?}"), "WrappingKey(<redacted>)");
    assert!(matches!(
        WrappingKey::generate(WrappingKeySpec::Sm2),
        Err(MaterialError::Unsupported(_))
    ));
    assert!(matches!(
        key.unwrap(WrappingAlgorithm::Sm2Pke, &wrapped),
        Err(MaterialError::Unsupported(_))
    ));
    let ec = key_of_wrong_type();
    assert!(is_invalid_material(WrappingKey::from_bytes(&ec)));
}

fn key_of_wrong_type() -> Vec<u8> {
    super::key(Spec::EccP256).to_bytes().to_vec()
}

#[test]
fn wrapping_key_3072_and_4096() {
    for spec in [WrappingKeySpec::Rsa3072, WrappingKeySpec::Rsa4096] {
        let key = WrappingKey::generate(spec).unwrap();
        let wrapped = wrap(&key, WrappingAlgorithm::RsaAesKeyWrapSha256, &[9u8; 48]);
        assert_eq!(
            *key.unwrap(WrappingAlgorithm::RsaAesKeyWrapSha256, &wrapped)
                .unwrap(),
            [9u8; 48]
        );
    }
}
