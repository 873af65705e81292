//! No asymmetric or HMAC key material, and no data-key-pair private key, is ever on disk in
//! plaintext (raw or base64): every version is stored wrapped under the KMS domain key.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ACCOUNT, Harness, REGION, unb64};
use serde_json::json;

/// Every byte the harness's store wrote (database, WAL and shared-memory files).
fn bytes_on_disk(h: &Harness) -> Vec<u8> {
    let mut on_disk = Vec::new();
    for entry in std::fs::read_dir(&h.dir).unwrap() {
        on_disk.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    on_disk
}

fn assert_absent(on_disk: &[u8], secret: &[u8], what: &str) {
    let contains = |needle: &[u8]| on_disk.windows(needle.len()).any(|w| w == needle);
    assert!(!contains(secret), "{what} found on disk");
    assert!(
        !contains(common::b64(secret).as_bytes()),
        "base64 {what} found on disk"
    );
}

#[tokio::test]
async fn asymmetric_and_hmac_material_is_only_stored_wrapped() {
    let h = Harness::new().await;
    let mut secrets = Vec::new();
    for (spec, usage) in [
        ("RSA_2048", "SIGN_VERIFY"),
        ("ECC_NIST_P256", "SIGN_VERIFY"),
        ("HMAC_256", "GENERATE_VERIFY_MAC"),
    ] {
        let out = h
            .ok("CreateKey", json!({"KeySpec": spec, "KeyUsage": usage}))
            .await;
        let id = out["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
        let material = h
            .kms
            .backing_key_bytes_for_tests(ACCOUNT, REGION, &id, 1)
            .await
            .expect("material");
        assert!(material.len() >= 32, "{spec}: material looks too short");
        secrets.push((material, format!("{spec} key material")));
    }
    let (symmetric, _) = h.create_key().await;
    let pair = h
        .ok(
            "GenerateDataKeyPair",
            json!({"KeyId": symmetric, "KeyPairSpec": "ECC_NIST_P256"}),
        )
        .await;
    secrets.push((
        unb64(&pair["PrivateKeyPlaintext"]),
        "data key pair private key".to_owned(),
    ));
    let on_disk = bytes_on_disk(&h);
    assert!(!on_disk.is_empty());
    for (secret, what) in &secrets {
        assert_absent(&on_disk, secret, what);
    }
}
