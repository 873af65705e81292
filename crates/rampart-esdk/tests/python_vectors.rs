//! Messages written by the official Python AWS Encryption SDK (`tests/make_vectors.py`), one
//! per algorithm suite and body shape, decrypted here with raw AES and raw RSA keyrings.
#![allow(clippy::unwrap_used)]

use rampart_esdk::keyring::raw_aes::RawAesKeyring;
use rampart_esdk::keyring::raw_rsa::{RawRsaKeyring, RsaPadding};
use rampart_esdk::{CommitmentPolicy, DecryptOptions, DefaultCmm, decrypt};
use std::path::Path;

fn plaintext(name: &str) -> Vec<u8> {
    match name {
        "empty" => Vec::new(),
        "small" => b"Hello, Rampart!".to_vec(),
        _ => (0..10000u32).map(|i| (i % 251) as u8).collect(),
    }
}

#[test]
fn python_sdk_messages_decrypt() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let aes_key: Vec<u8> = (0..32).collect();
    let aes = DefaultCmm::new(RawAesKeyring::new("interop", "aes-key", &aes_key).unwrap());
    let rsa_der = std::fs::read(dir.join("rsa-private.pk8")).unwrap();
    let rsa = RawRsaKeyring::new(
        "interop-rsa",
        "rsa-key",
        RsaPadding::OaepSha256,
        None,
        Some(&rsa_der),
    );
    let rsa = DefaultCmm::new(rsa.unwrap());
    let options = DecryptOptions {
        policy: CommitmentPolicy::RequireEncryptAllowDecrypt,
        ..Default::default()
    };
    let vectors = manifest.as_array().unwrap();
    assert_eq!(vectors.len(), 44);
    for vector in vectors {
        let file = vector["file"].as_str().unwrap();
        let message = std::fs::read(dir.join(file)).unwrap();
        let expected = plaintext(vector["plaintext"].as_str().unwrap());
        let (out, context) =
            decrypt(&message, &aes, &options).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(out, expected, "{file}");
        assert_eq!(
            context.get("purpose").map(String::as_str),
            Some("interop"),
            "{file}"
        );
        if vector["rsa"].as_bool().unwrap() {
            let (out, _) =
                decrypt(&message, &rsa, &options).unwrap_or_else(|e| panic!("{file} (RSA): {e}"));
            assert_eq!(out, expected, "{file} (RSA)");
        }
    }
}
