//! Asymmetric encryption and key management through the generated dispatch: CreateKey's
//! spec/usage rules, DescribeKey/GetPublicKey, RSA Encrypt/Decrypt/ReEncrypt with OAEP limits,
//! GenerateDataKey refusals and GenerateDataKeyPair(WithoutPlaintext). Signing, MACs and key
//! agreement are in tests/signing.rs; offline interoperability with a second implementation is in
//! tests/blackbox/test_kms_asymmetric.py.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Harness, assert_error, b64, unb64};
use rampart_crypto::material::{Spec, spec_info};
use serde_json::json;

const DRY_RUN: &str = "The request would have succeeded, but the DryRun option is set.";

/// CreateKey with `spec` and `usage`; returns (key id, key ARN).
async fn create(h: &Harness, spec: &str, usage: &str) -> (String, String) {
    let out = h
        .ok("CreateKey", json!({"KeySpec": spec, "KeyUsage": usage}))
        .await;
    let meta = &out["KeyMetadata"];
    (
        meta["KeyId"].as_str().unwrap().to_owned(),
        meta["Arn"].as_str().unwrap().to_owned(),
    )
}

fn usage_message(arn: &str, usage: &str, op: &str) -> String {
    format!("{arn} key usage is {usage} which is not valid for {op}.")
}

#[tokio::test]
async fn create_key_checks_spec_and_usage() {
    let h = Harness::new().await;
    let e = h.err("CreateKey", json!({"KeySpec": "HMAC_256"})).await;
    assert_error(
        &e,
        "ValidationException",
        "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.",
    );
    let e = h
        .err(
            "CreateKey",
            json!({"KeySpec": "RSA_2048", "KeyUsage": "KEY_AGREEMENT"}),
        )
        .await;
    assert_error(
        &e,
        "ValidationException",
        "KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048",
    );
    let e = h
        .err(
            "CreateKey",
            json!({"KeySpec": "HMAC_384", "KeyUsage": "ENCRYPT_DECRYPT"}),
        )
        .await;
    assert_error(
        &e,
        "ValidationException",
        "KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec HMAC_384",
    );
    let e = h
        .err(
            "CreateKey",
            json!({"KeySpec": "SM2", "KeyUsage": "SIGN_VERIFY"}),
        )
        .await;
    assert_eq!(e.code, "UnsupportedOperationException");
    let listed = h.ok("ListKeys", json!({})).await;
    assert_eq!(listed["Keys"], json!([]), "nothing stored on refusal");
}

#[tokio::test]
async fn describe_lists_algorithms_for_the_usage() {
    let h = Harness::new().await;
    let (rsa, _) = create(&h, "RSA_2048", "ENCRYPT_DECRYPT").await;
    let meta = &h.ok("DescribeKey", json!({"KeyId": rsa})).await["KeyMetadata"];
    assert_eq!(
        meta["EncryptionAlgorithms"],
        json!(["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"])
    );
    assert!(meta.get("SigningAlgorithms").is_none());
    let (ecc, arn) = create(&h, "ECC_NIST_P384", "SIGN_VERIFY").await;
    let public = h.ok("GetPublicKey", json!({"KeyId": ecc})).await;
    assert_eq!(public["KeyId"], arn);
    assert_eq!(public["KeySpec"], "ECC_NIST_P384");
    assert_eq!(public["CustomerMasterKeySpec"], "ECC_NIST_P384");
    assert_eq!(public["KeyUsage"], "SIGN_VERIFY");
    assert_eq!(public["SigningAlgorithms"], json!(["ECDSA_SHA_384"]));
    assert!(public.get("EncryptionAlgorithms").is_none());
    let der = unb64(&public["PublicKey"]);
    assert_eq!(der[0], 0x30, "DER SEQUENCE");
    let rsa_public = h.ok("GetPublicKey", json!({"KeyId": rsa})).await;
    assert_eq!(
        rsa_public["EncryptionAlgorithms"],
        json!(["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"])
    );
    assert_eq!(unb64(&rsa_public["PublicKey"]).len(), 294, "RSA-2048 SPKI");
}

#[tokio::test]
async fn get_public_key_refuses_symmetric_and_hmac_and_disabled_keys() {
    let h = Harness::new().await;
    let (sym, sym_arn) = h.create_key().await;
    let e = h.err("GetPublicKey", json!({"KeyId": sym})).await;
    assert_error(
        &e,
        "UnsupportedOperationException",
        &format!("{sym_arn} key spec is SYMMETRIC_DEFAULT which is not valid for GetPublicKey."),
    );
    let (hmac, _) = create(&h, "HMAC_256", "GENERATE_VERIFY_MAC").await;
    let e = h.err("GetPublicKey", json!({"KeyId": hmac})).await;
    assert_eq!(e.code, "UnsupportedOperationException");
    let (ecc, arn) = create(&h, "ECC_NIST_P256", "SIGN_VERIFY").await;
    h.ok("DisableKey", json!({"KeyId": ecc})).await;
    let e = h.err("GetPublicKey", json!({"KeyId": ecc})).await;
    assert_error(&e, "DisabledException", &format!("{arn} is disabled."));
}

#[tokio::test]
async fn rsa_encrypt_decrypt_and_plaintext_limits() {
    let h = Harness::new().await;
    let (id, arn) = create(&h, "RSA_2048", "ENCRYPT_DECRYPT").await;
    for (algorithm, max) in [("RSAES_OAEP_SHA_256", 190), ("RSAES_OAEP_SHA_1", 214)] {
        let plaintext = vec![7u8; max];
        let enc = h
            .ok(
                "Encrypt",
                json!({"KeyId": id, "Plaintext": b64(&plaintext), "EncryptionAlgorithm": algorithm}),
            )
            .await;
        assert_eq!(enc["KeyId"], arn);
        assert_eq!(enc["EncryptionAlgorithm"], algorithm);
        let blob = enc["CiphertextBlob"].clone();
        assert_eq!(unb64(&blob).len(), 256, "raw RSA-2048 OAEP output");
        let dec = h
            .ok(
                "Decrypt",
                json!({"KeyId": arn, "CiphertextBlob": blob, "EncryptionAlgorithm": algorithm}),
            )
            .await;
        assert_eq!(unb64(&dec["Plaintext"]), plaintext);
        assert_eq!(dec["EncryptionAlgorithm"], algorithm);
        assert_eq!(dec["KeyId"], arn);
        let e = h
            .err(
                "Encrypt",
                json!({"KeyId": id, "Plaintext": b64(&vec![7u8; max + 1]), "EncryptionAlgorithm": algorithm}),
            )
            .await;
        assert_error(
            &e,
            "ValidationException",
            &format!(
                "Algorithm {algorithm} and key spec RSA_2048 cannot encrypt data larger than {max} bytes."
            ),
        );
    }
}

#[tokio::test]
async fn rsa_decrypt_needs_key_id_and_algorithm() {
    let h = Harness::new().await;
    let (id, _) = create(&h, "RSA_2048", "ENCRYPT_DECRYPT").await;
    let alg = "RSAES_OAEP_SHA_256";
    let enc = h
        .ok(
            "Encrypt",
            json!({"KeyId": id, "Plaintext": b64(b"secret"), "EncryptionAlgorithm": alg}),
        )
        .await;
    let blob = enc["CiphertextBlob"].clone();
    let e = h
        .err("Decrypt", json!({"KeyId": id, "CiphertextBlob": blob}))
        .await;
    assert_error(&e, "InvalidCiphertextException", "");
    let e = h
        .err(
            "Decrypt",
            json!({"CiphertextBlob": blob, "EncryptionAlgorithm": alg}),
        )
        .await;
    assert_eq!(e.code, "ValidationException");
    let e = h
        .err(
            "Decrypt",
            json!({"KeyId": id, "CiphertextBlob": blob, "EncryptionAlgorithm": "RSAES_OAEP_SHA_1"}),
        )
        .await;
    assert_error(&e, "InvalidCiphertextException", "");
    let mut tampered = unb64(&blob);
    tampered[10] ^= 1;
    let e = h
        .err(
            "Decrypt",
            json!({"KeyId": id, "CiphertextBlob": b64(&tampered), "EncryptionAlgorithm": alg}),
        )
        .await;
    assert_error(&e, "InvalidCiphertextException", "");
    let e = h
        .err(
            "Decrypt",
            json!({"KeyId": id, "CiphertextBlob": blob, "EncryptionAlgorithm": alg, "EncryptionContext": {"a": "b"}}),
        )
        .await;
    assert_eq!(e.code, "ValidationException");
    let e = h
        .err(
            "Decrypt",
            json!({"KeyId": id, "CiphertextBlob": blob, "EncryptionAlgorithm": alg, "DryRun": true}),
        )
        .await;
    assert_error(&e, "DryRunOperationException", DRY_RUN);
}

#[tokio::test]
async fn encrypt_checks_usage_algorithm_and_context() {
    let h = Harness::new().await;
    let (rsa, _) = create(&h, "RSA_3072", "ENCRYPT_DECRYPT").await;
    let e = h
        .err("Encrypt", json!({"KeyId": rsa, "Plaintext": b64(b"x")}))
        .await;
    assert_error(
        &e,
        "InvalidKeyUsageException",
        "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_3072.",
    );
    let e = h
        .err(
            "Encrypt",
            json!({"KeyId": rsa, "Plaintext": b64(&[1u8; 319]), "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}),
        )
        .await;
    assert_error(
        &e,
        "ValidationException",
        "Algorithm RSAES_OAEP_SHA_256 and key spec RSA_3072 cannot encrypt data larger than 318 bytes.",
    );
    let e = h
        .err(
            "Encrypt",
            json!({"KeyId": rsa, "Plaintext": b64(b"x"), "EncryptionAlgorithm": "RSAES_OAEP_SHA_256", "EncryptionContext": {"k": "v"}}),
        )
        .await;
    assert_eq!(e.code, "ValidationException");
    let (sign, sign_arn) = create(&h, "ECC_NIST_P256", "SIGN_VERIFY").await;
    let e = h
        .err("Encrypt", json!({"KeyId": sign, "Plaintext": b64(b"x")}))
        .await;
    assert_error(
        &e,
        "InvalidKeyUsageException",
        &usage_message(&sign_arn, "SIGN_VERIFY", "Encrypt"),
    );
    let (sym, _) = h.create_key().await;
    let e = h
        .err(
            "Encrypt",
            json!({"KeyId": sym, "Plaintext": b64(b"x"), "EncryptionAlgorithm": "RSAES_OAEP_SHA_1"}),
        )
        .await;
    assert_error(
        &e,
        "InvalidKeyUsageException",
        "Algorithm RSAES_OAEP_SHA_1 is incompatible with key spec SYMMETRIC_DEFAULT.",
    );
    let e = h
        .err(
            "Encrypt",
            json!({"KeyId": rsa, "Plaintext": b64(b"x"), "EncryptionAlgorithm": "RSAES_OAEP_SHA_1", "DryRun": true}),
        )
        .await;
    assert_error(&e, "DryRunOperationException", DRY_RUN);
}

#[tokio::test]
async fn generate_data_key_needs_a_symmetric_key() {
    let h = Harness::new().await;
    let (rsa, _) = create(&h, "RSA_2048", "ENCRYPT_DECRYPT").await;
    for op in ["GenerateDataKey", "GenerateDataKeyWithoutPlaintext"] {
        let e = h.err(op, json!({"KeyId": rsa, "KeySpec": "AES_256"})).await;
        assert_error(
            &e,
            "InvalidKeyUsageException",
            "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.",
        );
    }
    let (hmac, arn) = create(&h, "HMAC_512", "GENERATE_VERIFY_MAC").await;
    let e = h
        .err(
            "GenerateDataKey",
            json!({"KeyId": hmac, "NumberOfBytes": 16}),
        )
        .await;
    assert_error(
        &e,
        "InvalidKeyUsageException",
        &usage_message(&arn, "GENERATE_VERIFY_MAC", "GenerateDataKey"),
    );
}

#[tokio::test]
async fn re_encrypt_between_symmetric_and_rsa() {
    let h = Harness::new().await;
    let (sym, sym_arn) = h.create_key().await;
    let (rsa, rsa_arn) = create(&h, "RSA_2048", "ENCRYPT_DECRYPT").await;
    let alg = "RSAES_OAEP_SHA_256";
    let enc = h
        .ok(
            "Encrypt",
            json!({"KeyId": sym, "Plaintext": b64(b"move me"), "EncryptionContext": {"a": "1"}}),
        )
        .await;
    let to_rsa = h
        .ok(
            "ReEncrypt",
            json!({
                "CiphertextBlob": enc["CiphertextBlob"], "SourceEncryptionContext": {"a": "1"},
                "DestinationKeyId": rsa, "DestinationEncryptionAlgorithm": alg
            }),
        )
        .await;
    assert_eq!(to_rsa["SourceKeyId"], sym_arn);
    assert_eq!(to_rsa["KeyId"], rsa_arn);
    assert_eq!(to_rsa["SourceEncryptionAlgorithm"], "SYMMETRIC_DEFAULT");
    assert_eq!(to_rsa["DestinationEncryptionAlgorithm"], alg);
    let back = h
        .ok(
            "ReEncrypt",
            json!({
                "CiphertextBlob": to_rsa["CiphertextBlob"], "SourceKeyId": rsa,
                "SourceEncryptionAlgorithm": alg, "DestinationKeyId": sym,
                "DestinationEncryptionContext": {"b": "2"}
            }),
        )
        .await;
    assert_eq!(back["SourceEncryptionAlgorithm"], alg);
    assert_eq!(back["DestinationEncryptionAlgorithm"], "SYMMETRIC_DEFAULT");
    let dec = h
        .ok(
            "Decrypt",
            json!({"CiphertextBlob": back["CiphertextBlob"], "EncryptionContext": {"b": "2"}}),
        )
        .await;
    assert_eq!(unb64(&dec["Plaintext"]), b"move me");
    let big = h
        .ok(
            "Encrypt",
            json!({"KeyId": sym, "Plaintext": b64(&[0u8; 191])}),
        )
        .await;
    let e = h
        .err(
            "ReEncrypt",
            json!({"CiphertextBlob": big["CiphertextBlob"], "DestinationKeyId": rsa, "DestinationEncryptionAlgorithm": alg}),
        )
        .await;
    assert_eq!(e.code, "ValidationException");
}

#[tokio::test]
async fn data_key_pairs() {
    let h = Harness::new().await;
    let (sym, arn) = h.create_key().await;
    let context = json!({"purpose": "pair"});
    for spec in [
        "RSA_2048",
        "ECC_NIST_P256",
        "ECC_SECG_P256K1",
        "ECC_NIST_EDWARDS25519",
        "ML_KEM_768",
    ] {
        if !spec_info(Spec::from_aws(spec).unwrap()).supported {
            continue;
        }
        let out = h
            .ok(
                "GenerateDataKeyPair",
                json!({"KeyId": sym, "KeyPairSpec": spec, "EncryptionContext": context}),
            )
            .await;
        assert_eq!(out["KeyId"], arn);
        assert_eq!(out["KeyPairSpec"], spec);
        let private = unb64(&out["PrivateKeyPlaintext"]);
        assert_eq!(private[0], 0x30, "PKCS#8 DER");
        assert_eq!(unb64(&out["PublicKey"])[0], 0x30, "SPKI DER");
        let dec = h
            .ok(
                "Decrypt",
                json!({"CiphertextBlob": out["PrivateKeyCiphertextBlob"], "EncryptionContext": context}),
            )
            .await;
        assert_eq!(unb64(&dec["Plaintext"]), private);
        let e = h
            .err(
                "Decrypt",
                json!({"CiphertextBlob": out["PrivateKeyCiphertextBlob"]}),
            )
            .await;
        assert_error(&e, "InvalidCiphertextException", "");
    }
    let out = h
        .ok(
            "GenerateDataKeyPairWithoutPlaintext",
            json!({"KeyId": sym, "KeyPairSpec": "ECC_NIST_P384"}),
        )
        .await;
    assert!(out.get("PrivateKeyPlaintext").is_none());
    assert_eq!(out["KeyPairSpec"], "ECC_NIST_P384");
    let dec = h
        .ok(
            "Decrypt",
            json!({"CiphertextBlob": out["PrivateKeyCiphertextBlob"]}),
        )
        .await;
    assert_eq!(unb64(&dec["Plaintext"])[0], 0x30);
}

#[tokio::test]
async fn data_key_pair_errors() {
    let h = Harness::new().await;
    let (rsa, _) = create(&h, "RSA_2048", "ENCRYPT_DECRYPT").await;
    let e = h
        .err(
            "GenerateDataKeyPair",
            json!({"KeyId": rsa, "KeyPairSpec": "ECC_NIST_P256"}),
        )
        .await;
    assert_error(
        &e,
        "InvalidKeyUsageException",
        "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.",
    );
    let (sym, _) = h.create_key().await;
    let e = h
        .err(
            "GenerateDataKeyPair",
            json!({"KeyId": sym, "KeyPairSpec": "SM2"}),
        )
        .await;
    assert_eq!(e.code, "UnsupportedOperationException");
    let e = h
        .err(
            "GenerateDataKeyPairWithoutPlaintext",
            json!({"KeyId": sym, "KeyPairSpec": "RSA_2048", "DryRun": true}),
        )
        .await;
    assert_error(&e, "DryRunOperationException", DRY_RUN);
    let e = h
        .err(
            "GenerateDataKeyPair",
            json!({"KeyId": sym, "KeyPairSpec": "RSA_2048", "Recipient": {"AttestationDocument": b64(b"x"), "KeyEncryptionAlgorithm": "RSAES_OAEP_SHA_256"}}),
        )
        .await;
    assert_eq!(e.code, "UnsupportedOperationException");
}
