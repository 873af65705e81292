//! Sign/Verify (RAW and DIGEST, every classic spec; Ed25519 and ML-DSA when supported),
//! GenerateMac/VerifyMac, DeriveSharedSecret and Encapsulate/Decapsulate through the generated
//! dispatch, with their AWS errors and DryRun. Offline verification of Rampart's signatures and
//! ECDH against a second implementation is in tests/blackbox/test_kms_asymmetric.py.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Harness, assert_error, b64, unb64};
use rampart_crypto::material::{Spec, spec_info};
use serde_json::{Value, json};

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

fn supported(spec: Spec) -> bool {
    spec_info(spec).supported
}

fn usage_message(arn: &str, usage: &str, op: &str) -> String {
    format!("{arn} key usage is {usage} which is not valid for {op}.")
}

/// Sign then Verify `message` (and a tampered copy) with every algorithm of `spec`.
async fn sign_and_verify(h: &Harness, spec: &str, message_type: &str, message: &[u8]) {
    let (id, arn) = create(h, spec, "SIGN_VERIFY").await;
    let meta = &h.ok("DescribeKey", json!({"KeyId": id})).await["KeyMetadata"];
    for algorithm in meta["SigningAlgorithms"].as_array().unwrap() {
        let body = json!({"KeyId": id, "Message": b64(message), "MessageType": message_type, "SigningAlgorithm": algorithm});
        let signed = h.ok("Sign", body.clone()).await;
        assert_eq!(signed["KeyId"], arn);
        assert_eq!(&signed["SigningAlgorithm"], algorithm);
        let mut verify = body.clone();
        verify["Signature"] = signed["Signature"].clone();
        let out = h.ok("Verify", verify.clone()).await;
        assert_eq!(out["SignatureValid"], true, "{spec} {algorithm}");
        assert_eq!(out["KeyId"], arn);
        let mut bad = unb64(&signed["Signature"]);
        let last = bad.len() - 1;
        bad[last] ^= 1;
        verify["Signature"] = json!(b64(&bad));
        let e = h.err("Verify", verify).await;
        assert_error(&e, "KMSInvalidSignatureException", "");
        assert_eq!(e.status, 400);
    }
}

#[tokio::test]
async fn sign_and_verify_raw_and_digest() {
    let h = Harness::new().await;
    let digest32 = [9u8; 32];
    for spec in ["ECC_NIST_P256", "ECC_SECG_P256K1"] {
        sign_and_verify(&h, spec, "RAW", b"message").await;
        sign_and_verify(&h, spec, "DIGEST", &digest32).await;
    }
    sign_and_verify(&h, "ECC_NIST_P384", "DIGEST", &[1u8; 48]).await;
    sign_and_verify(&h, "ECC_NIST_P521", "RAW", &[2u8; 4096]).await;
    sign_and_verify(&h, "RSA_2048", "RAW", b"rsa message").await;
}

#[tokio::test]
async fn sign_errors() {
    let h = Harness::new().await;
    let (id, arn) = create(&h, "ECC_NIST_P256", "SIGN_VERIFY").await;
    let sign = |alg: &str, mt: &str, msg: &[u8]| json!({"KeyId": id, "Message": b64(msg), "MessageType": mt, "SigningAlgorithm": alg});
    let e = h.err("Sign", sign("ECDSA_SHA_384", "RAW", b"m")).await;
    assert_error(
        &e,
        "InvalidKeyUsageException",
        "Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256.",
    );
    let e = h
        .err("Sign", sign("ECDSA_SHA_256", "DIGEST", &[0; 31]))
        .await;
    assert_error(
        &e,
        "ValidationException",
        "Digest is invalid length for algorithm ECDSA_SHA_256.",
    );
    let e = h
        .err("Sign", sign("ECDSA_SHA_256", "RAW", &[0; 4097]))
        .await;
    assert_eq!(e.code, "ValidationException");
    let mut dry = sign("ECDSA_SHA_256", "RAW", b"m");
    dry["DryRun"] = json!(true);
    assert_error(
        &h.err("Sign", dry).await,
        "DryRunOperationException",
        DRY_RUN,
    );
    let (sym, sym_arn) = h.create_key().await;
    let body = json!({"KeyId": sym, "Message": b64(b"m"), "SigningAlgorithm": "ECDSA_SHA_256"});
    assert_error(
        &h.err("Sign", body).await,
        "InvalidKeyUsageException",
        &usage_message(&sym_arn, "ENCRYPT_DECRYPT", "Sign"),
    );
    h.ok("DisableKey", json!({"KeyId": id})).await;
    let e = h.err("Sign", sign("ECDSA_SHA_256", "RAW", b"m")).await;
    assert_error(&e, "DisabledException", &format!("{arn} is disabled."));
}

#[tokio::test]
async fn newer_signing_specs_when_supported() {
    let h = Harness::new().await;
    if supported(Spec::Ed25519) {
        let (id, _) = create(&h, "ECC_NIST_EDWARDS25519", "SIGN_VERIFY").await;
        let body =
            json!({"KeyId": id, "Message": b64(b"ed"), "SigningAlgorithm": "ED25519_SHA_512"});
        let signed = h.ok("Sign", body.clone()).await;
        let mut verify = body;
        verify["Signature"] = signed["Signature"].clone();
        assert_eq!(h.ok("Verify", verify).await["SignatureValid"], true);
    }
    if supported(Spec::MlDsa44) {
        let (id, _) = create(&h, "ML_DSA_44", "SIGN_VERIFY").await;
        let body =
            json!({"KeyId": id, "Message": b64(b"pq"), "SigningAlgorithm": "ML_DSA_SHAKE_256"});
        let signed = h.ok("Sign", body.clone()).await;
        assert_eq!(unb64(&signed["Signature"]).len(), 2420);
        let mut verify = body.clone();
        verify["Signature"] = signed["Signature"].clone();
        assert_eq!(h.ok("Verify", verify).await["SignatureValid"], true);
        let mut digest = body;
        digest["MessageType"] = json!("DIGEST");
        digest["Message"] = json!(b64(&[0; 64]));
        assert_error(
            &h.err("Sign", digest).await,
            "ValidationException",
            "Message type DIGEST is incompatible with key spec ML_DSA_44.",
        );
    }
}

#[tokio::test]
async fn hmac_generate_and_verify() {
    let h = Harness::new().await;
    for (spec, algorithm, len) in [
        ("HMAC_224", "HMAC_SHA_224", 28),
        ("HMAC_256", "HMAC_SHA_256", 32),
        ("HMAC_384", "HMAC_SHA_384", 48),
        ("HMAC_512", "HMAC_SHA_512", 64),
    ] {
        let (id, arn) = create(&h, spec, "GENERATE_VERIFY_MAC").await;
        let body = json!({"KeyId": id, "Message": b64(b"mac me"), "MacAlgorithm": algorithm});
        let out = h.ok("GenerateMac", body.clone()).await;
        assert_eq!(out["KeyId"], arn);
        assert_eq!(out["MacAlgorithm"], algorithm);
        let mac = unb64(&out["Mac"]);
        assert_eq!(mac.len(), len);
        let again = h.ok("GenerateMac", body.clone()).await;
        assert_eq!(again["Mac"], out["Mac"], "HMAC is deterministic");
        let mut verify = body.clone();
        verify["Mac"] = out["Mac"].clone();
        let ok = h.ok("VerifyMac", verify.clone()).await;
        assert_eq!(ok["MacValid"], true);
        assert_eq!(ok["KeyId"], arn);
        let mut bad = mac.clone();
        bad[0] ^= 1;
        verify["Mac"] = json!(b64(&bad));
        assert_error(
            &h.err("VerifyMac", verify.clone()).await,
            "KMSInvalidMacException",
            "",
        );
        verify["Mac"] = json!(b64(&mac[..len - 1]));
        assert_error(
            &h.err("VerifyMac", verify).await,
            "KMSInvalidMacException",
            "",
        );
    }
}

#[tokio::test]
async fn hmac_errors() {
    let h = Harness::new().await;
    let (id, _) = create(&h, "HMAC_224", "GENERATE_VERIFY_MAC").await;
    let body = json!({"KeyId": id, "Message": b64(b"m"), "MacAlgorithm": "HMAC_SHA_256"});
    assert_error(
        &h.err("GenerateMac", body).await,
        "InvalidKeyUsageException",
        "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.",
    );
    let body = json!({"KeyId": id, "Message": b64(b"m"), "MacAlgorithm": "HMAC_SHA_512", "Mac": b64(&[0; 28])});
    assert_error(
        &h.err("VerifyMac", body).await,
        "InvalidKeyUsageException",
        "Algorithm HMAC_SHA_512 is incompatible with key spec HMAC_224.",
    );
    let (sym, sym_arn) = h.create_key().await;
    let body = json!({"KeyId": sym, "Message": b64(b"m"), "MacAlgorithm": "HMAC_SHA_256"});
    assert_error(
        &h.err("GenerateMac", body).await,
        "InvalidKeyUsageException",
        &usage_message(&sym_arn, "ENCRYPT_DECRYPT", "GenerateMac"),
    );
    let body =
        json!({"KeyId": id, "Message": b64(b"m"), "MacAlgorithm": "HMAC_SHA_224", "DryRun": true});
    assert_error(
        &h.err("GenerateMac", body).await,
        "DryRunOperationException",
        DRY_RUN,
    );
    let e = h
        .err(
            "GenerateMac",
            json!({"KeyId": id, "Message": b64(&[0; 4097]), "MacAlgorithm": "HMAC_SHA_224"}),
        )
        .await;
    assert_eq!(e.code, "ValidationException");
}

async fn public_key(h: &Harness, id: &str) -> Value {
    h.ok("GetPublicKey", json!({"KeyId": id})).await["PublicKey"].clone()
}

#[tokio::test]
async fn derive_shared_secret_agrees_between_two_keys() {
    let h = Harness::new().await;
    for (spec, len) in [
        ("ECC_NIST_P256", 32),
        ("ECC_NIST_P384", 48),
        ("ECC_NIST_P521", 66),
    ] {
        let (alice, alice_arn) = create(&h, spec, "KEY_AGREEMENT").await;
        let (bob, _) = create(&h, spec, "KEY_AGREEMENT").await;
        let public = h.ok("GetPublicKey", json!({"KeyId": alice})).await;
        assert_eq!(public["KeyAgreementAlgorithms"], json!(["ECDH"]));
        let a = h
            .ok(
                "DeriveSharedSecret",
                json!({"KeyId": alice, "KeyAgreementAlgorithm": "ECDH", "PublicKey": public_key(&h, &bob).await}),
            )
            .await;
        let b = h
            .ok(
                "DeriveSharedSecret",
                json!({"KeyId": bob, "KeyAgreementAlgorithm": "ECDH", "PublicKey": public_key(&h, &alice).await}),
            )
            .await;
        assert_eq!(a["SharedSecret"], b["SharedSecret"]);
        assert_eq!(unb64(&a["SharedSecret"]).len(), len);
        assert_eq!(a["KeyId"], alice_arn);
        assert_eq!(a["KeyAgreementAlgorithm"], "ECDH");
        assert_eq!(a["KeyOrigin"], "AWS_KMS");
    }
}

#[tokio::test]
async fn derive_shared_secret_errors() {
    let h = Harness::new().await;
    let (p256, _) = create(&h, "ECC_NIST_P256", "KEY_AGREEMENT").await;
    let (p384, _) = create(&h, "ECC_NIST_P384", "KEY_AGREEMENT").await;
    let derive =
        |peer: Value| json!({"KeyId": p256, "KeyAgreementAlgorithm": "ECDH", "PublicKey": peer});
    let other_curve = public_key(&h, &p384).await;
    assert_eq!(
        h.err("DeriveSharedSecret", derive(other_curve)).await.code,
        "ValidationException"
    );
    let e = h
        .err("DeriveSharedSecret", derive(json!(b64(b"not a key"))))
        .await;
    assert_eq!(e.code, "ValidationException");
    let mut dry = derive(public_key(&h, &p256).await);
    dry["DryRun"] = json!(true);
    assert_error(
        &h.err("DeriveSharedSecret", dry).await,
        "DryRunOperationException",
        DRY_RUN,
    );
    let (signer, signer_arn) = create(&h, "ECC_NIST_P256", "SIGN_VERIFY").await;
    let body = json!({"KeyId": signer, "KeyAgreementAlgorithm": "ECDH", "PublicKey": public_key(&h, &p256).await});
    assert_error(
        &h.err("DeriveSharedSecret", body).await,
        "InvalidKeyUsageException",
        &usage_message(&signer_arn, "SIGN_VERIFY", "DeriveSharedSecret"),
    );
}

#[tokio::test]
async fn kem_operations() {
    let h = Harness::new().await;
    let (sym, sym_arn) = h.create_key().await;
    let e = h
        .err(
            "Encapsulate",
            json!({"KeyId": sym, "EncapsulationAlgorithm": "ML_KEM"}),
        )
        .await;
    assert_error(
        &e,
        "InvalidKeyUsageException",
        &usage_message(&sym_arn, "ENCRYPT_DECRYPT", "Encapsulate"),
    );
    if !supported(Spec::MlKem768) {
        let e = h
            .err(
                "CreateKey",
                json!({"KeySpec": "ML_KEM_768", "KeyUsage": "ENCAPSULATE_DECAPSULATE"}),
            )
            .await;
        assert_eq!(e.code, "UnsupportedOperationException");
        return;
    }
    let (id, arn) = create(&h, "ML_KEM_768", "ENCAPSULATE_DECAPSULATE").await;
    let enc = h
        .ok(
            "Encapsulate",
            json!({"KeyId": id, "EncapsulationAlgorithm": "ML_KEM"}),
        )
        .await;
    assert_eq!(enc["KeyId"], arn);
    assert_eq!(unb64(&enc["SharedSecret"]).len(), 32);
    let dec = h
        .ok(
            "Decapsulate",
            json!({"KeyId": id, "EncapsulationAlgorithm": "ML_KEM", "SharedSecretCiphertextBlob": enc["SharedSecretCiphertextBlob"]}),
        )
        .await;
    assert_eq!(dec["SharedSecret"], enc["SharedSecret"]);
    let public = h.ok("GetPublicKey", json!({"KeyId": id})).await;
    assert_eq!(public["EncapsulationAlgorithms"], json!(["ML_KEM"]));
}
