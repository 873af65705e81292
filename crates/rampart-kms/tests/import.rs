//! Imported key material (BYOK) through the dispatch: GetParametersForImport, material wrapped
//! here with aws-lc-rs under the returned public key in every wrapping algorithm, ImportKeyMaterial,
//! DeleteImportedKeyMaterial, reimport of the same material only, token errors, ValidTo expiry by
//! the background job, and symmetric, HMAC, ECC and RSA keys.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aws_lc_rs::key_wrap::{AES_256, AesKek, KeyWrapPadded};
use aws_lc_rs::rsa::{
    OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepAlgorithm, OaepPublicEncryptingKey,
    Pkcs1PublicEncryptingKey, PublicEncryptingKey,
};
use common::{ACCOUNT, Harness, REGION, assert_error, b64, call_on, unb64};
use rampart_crypto::material::{Material, MessageType, SigningAlgorithm, Spec};
use serde_json::{Value, json};

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

const ALGORITHMS: [&str; 5] = [
    "RSAES_PKCS1_V1_5",
    "RSAES_OAEP_SHA_1",
    "RSAES_OAEP_SHA_256",
    "RSA_AES_KEY_WRAP_SHA_1",
    "RSA_AES_KEY_WRAP_SHA_256",
];

fn oaep(sha256: bool) -> &'static OaepAlgorithm {
    if sha256 {
        &OAEP_SHA256_MGF1SHA256
    } else {
        &OAEP_SHA1_MGF1SHA1
    }
}

fn rsa_oaep(public_der: &[u8], sha256: bool, plaintext: &[u8]) -> Vec<u8> {
    let key =
        OaepPublicEncryptingKey::new(PublicEncryptingKey::from_der(public_der).unwrap()).unwrap();
    let mut out = vec![0u8; key.ciphertext_size()];
    let len = key
        .encrypt(oaep(sha256), plaintext, &mut out, None)
        .unwrap()
        .len();
    out.truncate(len);
    out
}

/// Wraps `material` offline, as a customer would, under GetParametersForImport's public key.
fn wrap(public_der: &[u8], algorithm: &str, material: &[u8]) -> Vec<u8> {
    match algorithm {
        "RSAES_PKCS1_V1_5" => {
            let key =
                Pkcs1PublicEncryptingKey::new(PublicEncryptingKey::from_der(public_der).unwrap())
                    .unwrap();
            let mut out = vec![0u8; key.ciphertext_size()];
            let len = key.encrypt(material, &mut out).unwrap().len();
            out.truncate(len);
            out
        }
        "RSAES_OAEP_SHA_1" => rsa_oaep(public_der, false, material),
        "RSAES_OAEP_SHA_256" => rsa_oaep(public_der, true, material),
        "RSA_AES_KEY_WRAP_SHA_1" | "RSA_AES_KEY_WRAP_SHA_256" => {
            let aes_key = rampart_crypto::random::bytes(32);
            let mut out = rsa_oaep(public_der, algorithm.ends_with("256"), &aes_key);
            let kek = AesKek::new(&AES_256, &aes_key).unwrap();
            let mut wrapped = vec![0u8; material.len() + 16];
            let len = kek.wrap_with_padding(material, &mut wrapped).unwrap().len();
            out.extend_from_slice(&wrapped[..len]);
            out
        }
        other => panic!("no such algorithm {other}"),
    }
}

struct Params {
    token: String,
    public_key: Vec<u8>,
}

async fn external_key(h: &Harness, body: Value) -> (String, String) {
    let mut body = body;
    body["Origin"] = json!("EXTERNAL");
    let out = h.ok("CreateKey", body).await;
    let meta = &out["KeyMetadata"];
    assert_eq!(meta["KeyState"], "PendingImport");
    (
        meta["KeyId"].as_str().unwrap().to_owned(),
        meta["Arn"].as_str().unwrap().to_owned(),
    )
}

async fn params(h: &Harness, key: &str, algorithm: &str, spec: &str) -> Params {
    let out = h
        .ok(
            "GetParametersForImport",
            json!({"KeyId": key, "WrappingAlgorithm": algorithm, "WrappingKeySpec": spec}),
        )
        .await;
    Params {
        token: out["ImportToken"].as_str().unwrap().to_owned(),
        public_key: unb64(&out["PublicKey"]),
    }
}

async fn import(
    h: &Harness,
    key: &str,
    algorithm: &str,
    material: &[u8],
    extra: Value,
) -> Result<Value, rampart_codec::ServiceError> {
    let p = params(h, key, algorithm, "RSA_2048").await;
    let mut body = json!({
        "KeyId": key,
        "ImportToken": p.token,
        "EncryptedKeyMaterial": b64(&wrap(&p.public_key, algorithm, material)),
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    h.call("ImportKeyMaterial", body).await
}

async fn describe(h: &Harness, key: &str) -> Value {
    h.ok("DescribeKey", json!({"KeyId": key})).await["KeyMetadata"].clone()
}

async fn round_trip(h: &Harness, key: &str) -> Value {
    let enc = h
        .ok("Encrypt", json!({"KeyId": key, "Plaintext": b64(b"byok")}))
        .await;
    let dec = h
        .ok("Decrypt", json!({"CiphertextBlob": enc["CiphertextBlob"]}))
        .await;
    assert_eq!(unb64(&dec["Plaintext"]), b"byok");
    enc["CiphertextBlob"].clone()
}

#[tokio::test]
async fn symmetric_import_in_every_wrapping_algorithm() {
    let h = Harness::new().await;
    let mut cases: Vec<(&str, &str)> = ALGORITHMS.iter().map(|a| (*a, "RSA_2048")).collect();
    cases.push(("RSA_AES_KEY_WRAP_SHA_256", "RSA_4096"));
    cases.push(("RSAES_OAEP_SHA_256", "RSA_3072"));
    for (algorithm, spec) in cases {
        let (id, arn) = external_key(&h, json!({})).await;
        let out = h
            .ok(
                "GetParametersForImport",
                json!({"KeyId": id, "WrappingAlgorithm": algorithm, "WrappingKeySpec": spec}),
            )
            .await;
        assert_eq!(out["KeyId"], arn);
        let valid_to = out["ParametersValidTo"].as_f64().unwrap() as i64;
        assert!((valid_to - (h.clock_now().unix_timestamp() + 24 * HOUR)).abs() <= 1);
        let public_key = unb64(&out["PublicKey"]);
        let material = rampart_crypto::random::bytes(32);
        let body = json!({
            "KeyId": arn,
            "ImportToken": out["ImportToken"],
            "EncryptedKeyMaterial": b64(&wrap(&public_key, algorithm, &material)),
        });
        let imported = h.ok("ImportKeyMaterial", body).await;
        assert_eq!(imported["KeyId"], arn, "{algorithm}");
        assert_eq!(imported["KeyMaterialId"].as_str().unwrap().len(), 64);
        let meta = describe(&h, &id).await;
        assert_eq!(meta["KeyState"], "Enabled");
        assert_eq!(meta["Origin"], "EXTERNAL");
        assert_eq!(meta["ExpirationModel"], "KEY_MATERIAL_DOES_NOT_EXPIRE");
        assert!(meta.get("ValidTo").is_none());
        round_trip(&h, &id).await;
        let stored = h
            .kms
            .backing_key_bytes_for_tests(ACCOUNT, REGION, &id, 1)
            .await;
        assert_eq!(stored, Some(material), "the imported bytes are the key");
    }
}

#[tokio::test]
async fn delete_and_reimport_only_the_same_material() {
    let h = Harness::new().await;
    let (id, arn) = external_key(&h, json!({})).await;
    let material = rampart_crypto::random::bytes(32);
    let first = import(&h, &id, "RSAES_OAEP_SHA_256", &material, json!({}))
        .await
        .unwrap();
    let blob = round_trip(&h, &id).await;

    let deleted = h
        .ok("DeleteImportedKeyMaterial", json!({"KeyId": id}))
        .await;
    assert_eq!(deleted["KeyId"], arn);
    assert_eq!(deleted["KeyMaterialId"], first["KeyMaterialId"]);
    let meta = describe(&h, &id).await;
    assert_eq!(meta["KeyState"], "PendingImport");
    assert!(meta.get("ExpirationModel").is_none());
    let pending = format!("{arn} is pending import.");
    let e = h
        .err("Encrypt", json!({"KeyId": id, "Plaintext": b64(b"x")}))
        .await;
    assert_error(&e, "KMSInvalidStateException", &pending);
    let e = h.err("Decrypt", json!({"CiphertextBlob": blob})).await;
    assert_error(&e, "KMSInvalidStateException", &pending);
    assert_eq!(
        h.kms
            .backing_key_bytes_for_tests(ACCOUNT, REGION, &id, 1)
            .await,
        None
    );

    let other = rampart_crypto::random::bytes(32);
    let e = import(&h, &id, "RSAES_OAEP_SHA_1", &other, json!({}))
        .await
        .unwrap_err();
    assert_eq!(e.code, "IncorrectKeyMaterialException");
    assert_eq!(describe(&h, &id).await["KeyState"], "PendingImport");

    let again = import(&h, &id, "RSA_AES_KEY_WRAP_SHA_1", &material, json!({}))
        .await
        .unwrap();
    assert_eq!(again["KeyMaterialId"], first["KeyMaterialId"]);
    assert_eq!(describe(&h, &id).await["KeyState"], "Enabled");
    let dec = h.ok("Decrypt", json!({"CiphertextBlob": blob})).await;
    assert_eq!(unb64(&dec["Plaintext"]), b"byok");

    // A reimport while the material is present changes nothing but the expiration.
    let e = import(&h, &id, "RSAES_OAEP_SHA_256", &other, json!({}))
        .await
        .unwrap_err();
    assert_eq!(e.code, "IncorrectKeyMaterialException");
    let e = import(
        &h,
        &id,
        "RSAES_OAEP_SHA_256",
        &material,
        json!({"ImportType": "NEW_KEY_MATERIAL"}),
    )
    .await
    .unwrap_err();
    // New material must differ from the current material (rotation of imported material).
    assert_eq!(e.code, "IncorrectKeyMaterialException");
    let e = import(
        &h,
        &id,
        "RSAES_OAEP_SHA_256",
        &material,
        json!({"KeyMaterialId": "00".repeat(32)}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, "IncorrectKeyMaterialException");
    import(
        &h,
        &id,
        "RSAES_OAEP_SHA_256",
        &material,
        json!({"ImportType": "EXISTING_KEY_MATERIAL", "KeyMaterialId": first["KeyMaterialId"]}),
    )
    .await
    .unwrap();
    let e = h
        .err(
            "DeleteImportedKeyMaterial",
            json!({"KeyId": id, "KeyMaterialId": "ab".repeat(32)}),
        )
        .await;
    assert_eq!(e.code, "NotFoundException");
}

#[tokio::test]
async fn import_token_errors() {
    let h = Harness::new().await;
    let (id, _) = external_key(&h, json!({})).await;
    let (other, _) = external_key(&h, json!({})).await;
    let material = rampart_crypto::random::bytes(32);
    let p = params(&h, &id, "RSAES_OAEP_SHA_256", "RSA_2048").await;
    let wrapped = b64(&wrap(&p.public_key, "RSAES_OAEP_SHA_256", &material));
    let body = |key: &str, token: &str, wrapped: &str| json!({"KeyId": key, "ImportToken": token, "EncryptedKeyMaterial": wrapped});
    let e = h
        .err("ImportKeyMaterial", body(&id, &b64(b"garbage"), &wrapped))
        .await;
    assert_eq!(e.code, "InvalidImportTokenException");
    let e = h
        .err("ImportKeyMaterial", body(&other, &p.token, &wrapped))
        .await;
    assert_eq!(e.code, "InvalidImportTokenException", "another key's token");
    let bad = b64(&rampart_crypto::random::bytes(256));
    let e = h.err("ImportKeyMaterial", body(&id, &p.token, &bad)).await;
    assert_eq!(e.code, "InvalidCiphertextException");
    let other_params = params(&h, &other, "RSAES_OAEP_SHA_256", "RSA_2048").await;
    let for_other = b64(&wrap(
        &other_params.public_key,
        "RSAES_OAEP_SHA_256",
        &material,
    ));
    let e = h
        .err("ImportKeyMaterial", body(&id, &p.token, &for_other))
        .await;
    assert_eq!(
        e.code, "InvalidCiphertextException",
        "wrapped for another key"
    );
    let sha1 = b64(&wrap(&p.public_key, "RSAES_OAEP_SHA_1", &material));
    let e = h.err("ImportKeyMaterial", body(&id, &p.token, &sha1)).await;
    assert_eq!(e.code, "InvalidCiphertextException", "wrong algorithm");
    assert_eq!(describe(&h, &id).await["KeyState"], "PendingImport");

    h.advance(24 * HOUR + 1);
    let e = h
        .err("ImportKeyMaterial", body(&id, &p.token, &wrapped))
        .await;
    assert_eq!(e.code, "ExpiredImportTokenException");
    h.advance(8 * DAY);
    h.kms.run_due_jobs().await.unwrap();
    let e = h
        .err("ImportKeyMaterial", body(&id, &p.token, &wrapped))
        .await;
    assert_eq!(
        e.code, "InvalidImportTokenException",
        "swept after the grace period"
    );
}

#[tokio::test]
async fn invalid_material_is_refused_and_nothing_is_stored() {
    let h = Harness::new().await;
    let (id, _) = external_key(&h, json!({})).await;
    for material in [vec![1u8; 16], vec![1u8; 33]] {
        let e = import(&h, &id, "RSAES_OAEP_SHA_256", &material, json!({}))
            .await
            .unwrap_err();
        assert_eq!(e.code, "IncorrectKeyMaterialException");
    }
    let (ecc, _) = external_key(
        &h,
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
    )
    .await;
    let p384 = Material::generate(Spec::EccP384).unwrap().to_bytes();
    let e = import(&h, &ecc, "RSA_AES_KEY_WRAP_SHA_256", &p384, json!({}))
        .await
        .unwrap_err();
    assert_eq!(e.code, "IncorrectKeyMaterialException", "wrong curve");
    for key in [&id, &ecc] {
        let meta = describe(&h, key).await;
        assert_eq!(meta["KeyState"], "PendingImport");
        assert!(meta.get("ExpirationModel").is_none());
    }
}

#[tokio::test]
async fn expiration_models_and_the_expiry_job() {
    let h = Harness::new().await;
    let (id, arn) = external_key(&h, json!({})).await;
    let material = rampart_crypto::random::bytes(32);
    let now = h.clock_now().unix_timestamp();
    for (extra, what) in [
        (
            json!({"ExpirationModel": "KEY_MATERIAL_EXPIRES"}),
            "no ValidTo",
        ),
        (
            json!({"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE", "ValidTo": now + HOUR}),
            "ValidTo with DOES_NOT_EXPIRE",
        ),
        (json!({"ValidTo": now - 1}), "past"),
        (json!({"ValidTo": now + 366 * DAY}), "too far"),
    ] {
        let e = import(&h, &id, "RSAES_OAEP_SHA_256", &material, extra)
            .await
            .unwrap_err();
        assert_eq!(e.code, "ValidationException", "{what}");
    }
    let valid_to = now + HOUR;
    import(
        &h,
        &id,
        "RSAES_OAEP_SHA_256",
        &material,
        json!({"ValidTo": valid_to}),
    )
    .await
    .unwrap();
    let meta = describe(&h, &id).await;
    assert_eq!(meta["ExpirationModel"], "KEY_MATERIAL_EXPIRES");
    assert_eq!(meta["ValidTo"].as_f64().unwrap() as i64, valid_to);
    let blob = round_trip(&h, &id).await;
    assert_eq!(h.kms.run_due_jobs().await.unwrap().expired, 0);
    h.advance(HOUR);
    assert_eq!(h.kms.run_due_jobs().await.unwrap().expired, 1);
    let meta = describe(&h, &id).await;
    assert_eq!(meta["KeyState"], "PendingImport");
    assert!(meta.get("ValidTo").is_none());
    let e = h
        .err("Encrypt", json!({"KeyId": id, "Plaintext": b64(b"x")}))
        .await;
    assert_error(
        &e,
        "KMSInvalidStateException",
        &format!("{arn} is pending import."),
    );

    // Reimported with a new expiry, then again without one: the first expiry no longer applies.
    let later = h.clock_now().unix_timestamp() + 2 * HOUR;
    import(
        &h,
        &id,
        "RSAES_OAEP_SHA_1",
        &material,
        json!({"ExpirationModel": "KEY_MATERIAL_EXPIRES", "ValidTo": later}),
    )
    .await
    .unwrap();
    import(&h, &id, "RSAES_OAEP_SHA_1", &material, json!({}))
        .await
        .unwrap();
    let meta = describe(&h, &id).await;
    assert_eq!(meta["ExpirationModel"], "KEY_MATERIAL_DOES_NOT_EXPIRE");
    h.advance(3 * HOUR);
    assert_eq!(h.kms.run_due_jobs().await.unwrap().expired, 0);
    let dec = h.ok("Decrypt", json!({"CiphertextBlob": blob})).await;
    assert_eq!(unb64(&dec["Plaintext"]), b"byok");
}

#[tokio::test]
async fn refusals_and_key_states() {
    let h = Harness::new().await;
    let (aws, aws_arn) = {
        let (id, arn) = h.create_key().await;
        (id, arn)
    };
    let origin = format!("{aws_arn} origin is AWS_KMS which is not valid for this operation.");
    let e = h
        .err(
            "GetParametersForImport",
            json!({"KeyId": aws, "WrappingAlgorithm": "RSAES_OAEP_SHA_256",
                   "WrappingKeySpec": "RSA_2048"}),
        )
        .await;
    assert_error(&e, "UnsupportedOperationException", &origin);
    let e = h
        .err("DeleteImportedKeyMaterial", json!({"KeyId": aws}))
        .await;
    assert_error(&e, "UnsupportedOperationException", &origin);
    let e = h
        .err(
            "ImportKeyMaterial",
            json!({"KeyId": aws, "ImportToken": b64(b"t"), "EncryptedKeyMaterial": b64(b"m")}),
        )
        .await;
    assert_error(&e, "UnsupportedOperationException", &origin);

    let (id, arn) = external_key(&h, json!({})).await;
    let get = |algorithm: &str, spec: &str| json!({"KeyId": id, "WrappingAlgorithm": algorithm, "WrappingKeySpec": spec});
    let e = h.err("GetParametersForImport", get("SM2PKE", "SM2")).await;
    assert_eq!(e.code, "UnsupportedOperationException");
    let e = h
        .err("GetParametersForImport", get("SM2PKE", "RSA_2048"))
        .await;
    assert_eq!(e.code, "ValidationException");
    let e = h
        .err(
            "GetParametersForImport",
            get("RSAES_OAEP_SHA_256", "RSA_1024"),
        )
        .await;
    assert_eq!(e.code, "ValidationException");

    // Disabled keys take a reimport and stay disabled; pending deletion refuses imports but
    // lets the material be deleted, keeping its state.
    let material = rampart_crypto::random::bytes(32);
    import(&h, &id, "RSAES_OAEP_SHA_256", &material, json!({}))
        .await
        .unwrap();
    h.ok("DisableKey", json!({"KeyId": id})).await;
    import(&h, &id, "RSAES_OAEP_SHA_256", &material, json!({}))
        .await
        .unwrap();
    assert_eq!(describe(&h, &id).await["KeyState"], "Disabled");
    h.ok("ScheduleKeyDeletion", json!({"KeyId": id})).await;
    let e = h
        .err(
            "GetParametersForImport",
            get("RSAES_OAEP_SHA_256", "RSA_2048"),
        )
        .await;
    assert_error(
        &e,
        "KMSInvalidStateException",
        &format!("{arn} is pending deletion."),
    );
    h.ok("DeleteImportedKeyMaterial", json!({"KeyId": id}))
        .await;
    assert_eq!(describe(&h, &id).await["KeyState"], "PendingDeletion");
}

#[tokio::test]
async fn asymmetric_and_hmac_material() {
    let h = Harness::new().await;
    let message = b"signed offline-verifiable message";

    let (ecc, _) = external_key(
        &h,
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
    )
    .await;
    let ecc_material = Material::generate(Spec::EccP256).unwrap();
    import(
        &h,
        &ecc,
        "RSA_AES_KEY_WRAP_SHA_256",
        &ecc_material.to_bytes(),
        json!({}),
    )
    .await
    .unwrap();
    let signed = h
        .ok(
            "Sign",
            json!({"KeyId": ecc, "Message": b64(message), "MessageType": "RAW",
                   "SigningAlgorithm": "ECDSA_SHA_256"}),
        )
        .await;
    let signature = unb64(&signed["Signature"]);
    let verified = ecc_material.verify(
        SigningAlgorithm::EcdsaSha256,
        MessageType::Raw,
        message,
        &signature,
    );
    assert_eq!(verified, Ok(true));
    let public = h.ok("GetPublicKey", json!({"KeyId": ecc})).await;
    assert_eq!(
        unb64(&public["PublicKey"]),
        ecc_material.public_key_der().unwrap()
    );

    let (rsa, _) = external_key(
        &h,
        json!({"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"}),
    )
    .await;
    let e = h
        .err(
            "GetParametersForImport",
            json!({"KeyId": rsa, "WrappingAlgorithm": "RSAES_OAEP_SHA_256",
                   "WrappingKeySpec": "RSA_4096"}),
        )
        .await;
    assert_eq!(e.code, "ValidationException", "RSA material needs RSA_AES");
    let rsa_material = Material::generate(Spec::Rsa2048).unwrap();
    import(
        &h,
        &rsa,
        "RSA_AES_KEY_WRAP_SHA_1",
        &rsa_material.to_bytes(),
        json!({}),
    )
    .await
    .unwrap();
    let signed = h
        .ok(
            "Sign",
            json!({"KeyId": rsa, "Message": b64(message), "MessageType": "RAW",
                   "SigningAlgorithm": "RSASSA_PSS_SHA_256"}),
        )
        .await;
    let verified = rsa_material.verify(
        SigningAlgorithm::RsaPssSha256,
        MessageType::Raw,
        message,
        &unb64(&signed["Signature"]),
    );
    assert_eq!(verified, Ok(true));

    let (hmac, _) = external_key(
        &h,
        json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}),
    )
    .await;
    let hmac_material = Material::generate(Spec::Hmac256).unwrap();
    import(
        &h,
        &hmac,
        "RSAES_OAEP_SHA_256",
        &hmac_material.to_bytes(),
        json!({}),
    )
    .await
    .unwrap();
    let mac = h
        .ok(
            "GenerateMac",
            json!({"KeyId": hmac, "Message": b64(message), "MacAlgorithm": "HMAC_SHA_256"}),
        )
        .await;
    let expected = hmac_material
        .mac(rampart_crypto::material::MacAlgorithm::HmacSha256, message)
        .unwrap();
    assert_eq!(unb64(&mac["Mac"]), expected);
}

#[tokio::test]
async fn list_key_rotations_of_an_imported_key() {
    let h = Harness::new().await;
    let (id, _) = external_key(&h, json!({})).await;
    let material = rampart_crypto::random::bytes(32);
    let imported = import(&h, &id, "RSAES_OAEP_SHA_256", &material, json!({}))
        .await
        .unwrap();
    let only = h.ok("ListKeyRotations", json!({"KeyId": id})).await;
    assert_eq!(only["Rotations"], json!([]));
    let all = json!({"KeyId": id, "IncludeKeyMaterial": "ALL_KEY_MATERIAL"});
    let listed = h.ok("ListKeyRotations", all.clone()).await;
    let entry = &listed["Rotations"][0];
    assert_eq!(entry["KeyMaterialId"], imported["KeyMaterialId"]);
    assert_eq!(entry["ImportState"], "IMPORTED");
    assert_eq!(entry["KeyMaterialState"], "CURRENT");
    assert_eq!(entry["ExpirationModel"], "KEY_MATERIAL_DOES_NOT_EXPIRE");
    h.ok("DeleteImportedKeyMaterial", json!({"KeyId": id}))
        .await;
    let listed = h.ok("ListKeyRotations", all).await;
    assert_eq!(listed["Rotations"][0]["ImportState"], "PENDING_IMPORT");
}

#[tokio::test]
async fn multi_region_copies_take_only_the_same_material() {
    let h = Harness::new().await;
    let (id, _) = external_key(&h, json!({"MultiRegion": true})).await;
    let material = rampart_crypto::random::bytes(32);
    let first = import(&h, &id, "RSAES_OAEP_SHA_256", &material, json!({}))
        .await
        .unwrap();
    let blob = round_trip(&h, &id).await;
    h.ok(
        "ReplicateKey",
        json!({"KeyId": id, "ReplicaRegion": "eu-west-1"}),
    )
    .await;
    let replica = |op: &'static str, body: Value| {
        let kms = &h.kms;
        async move { call_on(kms, ACCOUNT, "eu-west-1", op, body).await }
    };
    let get = json!({"KeyId": id, "WrappingAlgorithm": "RSAES_OAEP_SHA_256",
                     "WrappingKeySpec": "RSA_2048"});
    let wrapped_for_replica = |material: Vec<u8>| {
        let get = get.clone();
        let id = id.clone();
        let replica = &replica;
        async move {
            let p = replica("GetParametersForImport", get).await.unwrap();
            json!({
                "KeyId": id,
                "ImportToken": p["ImportToken"],
                "EncryptedKeyMaterial":
                    b64(&wrap(&unb64(&p["PublicKey"]), "RSAES_OAEP_SHA_256", &material)),
            })
        }
    };
    let other = wrapped_for_replica(rampart_crypto::random::bytes(32)).await;
    let e = replica("ImportKeyMaterial", other).await.unwrap_err();
    assert_eq!(e.code, "IncorrectKeyMaterialException");
    let same = wrapped_for_replica(material.clone()).await;
    let out = replica("ImportKeyMaterial", same).await.unwrap();
    assert_eq!(out["KeyMaterialId"], first["KeyMaterialId"]);
    let dec = replica("Decrypt", json!({"CiphertextBlob": blob}))
        .await
        .unwrap();
    assert_eq!(unb64(&dec["Plaintext"]), b"byok");
}

#[tokio::test]
async fn cancelled_deletion_of_a_key_without_material_is_pending_import() {
    let h = Harness::new().await;
    let (never, _) = external_key(&h, json!({})).await;
    let (deleted, _) = external_key(&h, json!({})).await;
    let (kept, _) = external_key(&h, json!({})).await;
    for key in [&deleted, &kept] {
        import(
            &h,
            key,
            "RSAES_OAEP_SHA_256",
            &rampart_crypto::random::bytes(32),
            json!({}),
        )
        .await
        .unwrap();
    }
    for key in [&never, &deleted, &kept] {
        h.ok("ScheduleKeyDeletion", json!({"KeyId": key})).await;
    }
    h.ok("DeleteImportedKeyMaterial", json!({"KeyId": deleted}))
        .await;
    for (key, state) in [
        (&never, "PendingImport"),
        (&deleted, "PendingImport"),
        (&kept, "Disabled"),
    ] {
        h.ok("CancelKeyDeletion", json!({"KeyId": key})).await;
        assert_eq!(describe(&h, key).await["KeyState"], state);
    }
    let e = h.err("EnableKey", json!({"KeyId": never})).await;
    assert_eq!(e.code, "KMSInvalidStateException");
}
