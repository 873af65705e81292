//! Key rotation through the dispatch: EnableKeyRotation / DisableKeyRotation / GetKeyRotationStatus,
//! RotateKeyOnDemand, ListKeyRotations, the automatic scheduler on a manual clock, multi-Region
//! propagation, and a property test that every ciphertext keeps decrypting across rotations.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ACCOUNT, Harness, assert_error, b64, call_on, context, unb64, via_with};
use proptest::prelude::*;
use rampart_crypto::symmetric::parse_header;
use rampart_kms::generated::{DecryptRequest, EncryptRequest};
use serde_json::{Value, json};
use std::cell::RefCell;
use std::collections::BTreeMap;

const DAY: i64 = 86_400;

async fn create(h: &Harness, body: Value) -> (String, String) {
    let out = h.ok("CreateKey", body).await;
    let meta = &out["KeyMetadata"];
    (
        meta["KeyId"].as_str().unwrap().to_owned(),
        meta["Arn"].as_str().unwrap().to_owned(),
    )
}

async fn encrypt(h: &Harness, key: &str, plaintext: &[u8]) -> Value {
    h.ok(
        "Encrypt",
        json!({"KeyId": key, "Plaintext": b64(plaintext)}),
    )
    .await["CiphertextBlob"]
        .clone()
}

async fn decrypt(h: &Harness, blob: &Value) -> Vec<u8> {
    unb64(&h.ok("Decrypt", json!({"CiphertextBlob": blob})).await["Plaintext"])
}

fn version_of(blob: &Value) -> u32 {
    parse_header(&unb64(blob)).unwrap().backing_version
}

fn epoch_secs(h: &Harness) -> i64 {
    h.clock_now().unix_timestamp()
}

#[tokio::test]
async fn enable_status_and_disable() {
    let h = Harness::new().await;
    let (id, arn) = h.create_key().await;
    let status = h.ok("GetKeyRotationStatus", json!({"KeyId": id})).await;
    assert_eq!(status, json!({"KeyRotationEnabled": false, "KeyId": arn}));

    h.ok("EnableKeyRotation", json!({"KeyId": id})).await;
    let status = h.ok("GetKeyRotationStatus", json!({"KeyId": arn})).await;
    assert_eq!(status["KeyRotationEnabled"], true);
    assert_eq!(status["RotationPeriodInDays"], 365);
    let next = status["NextRotationDate"].as_f64().unwrap() as i64;
    assert!((next - (epoch_secs(&h) + 365 * DAY)).abs() <= 1);
    assert!(status.get("OnDemandRotationStartDate").is_none());

    h.ok(
        "EnableKeyRotation",
        json!({"KeyId": id, "RotationPeriodInDays": 90}),
    )
    .await;
    let status = h.ok("GetKeyRotationStatus", json!({"KeyId": id})).await;
    assert_eq!(status["RotationPeriodInDays"], 90);

    h.ok("DisableKeyRotation", json!({"KeyId": id})).await;
    let status = h.ok("GetKeyRotationStatus", json!({"KeyId": id})).await;
    assert_eq!(status, json!({"KeyRotationEnabled": false, "KeyId": arn}));
}

#[tokio::test]
async fn rotation_period_bounds() {
    let h = Harness::new().await;
    let (id, _) = h.create_key().await;
    for (days, message) in [
        (
            89,
            "1 validation error detected: Value '89' at 'rotationPeriodInDays' failed to satisfy \
             constraint: Member must have value greater than or equal to 90",
        ),
        (
            2561,
            "1 validation error detected: Value '2561' at 'rotationPeriodInDays' failed to \
             satisfy constraint: Member must have value less than or equal to 2560",
        ),
    ] {
        let e = h
            .err(
                "EnableKeyRotation",
                json!({"KeyId": id, "RotationPeriodInDays": days}),
            )
            .await;
        assert_error(&e, "ValidationException", message);
    }
    for days in [90, 2560] {
        h.ok(
            "EnableKeyRotation",
            json!({"KeyId": id, "RotationPeriodInDays": days}),
        )
        .await;
    }
}

#[tokio::test]
async fn keys_that_cannot_rotate_are_refused() {
    let h = Harness::new().await;
    let non_symmetric = "You cannot perform this operation on a non-symmetric key or a key with \
                         non-ENCRYPT_DECRYPT key usage.";
    for body in [
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
        json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}),
        json!({"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"}),
    ] {
        let (id, arn) = create(&h, body).await;
        for op in [
            "EnableKeyRotation",
            "DisableKeyRotation",
            "RotateKeyOnDemand",
        ] {
            let e = h.err(op, json!({"KeyId": id})).await;
            assert_error(&e, "UnsupportedOperationException", non_symmetric);
        }
        let e = h.err("ListKeyRotations", json!({"KeyId": id})).await;
        assert_error(&e, "UnsupportedOperationException", non_symmetric);
        let status = h.ok("GetKeyRotationStatus", json!({"KeyId": id})).await;
        assert_eq!(status, json!({"KeyRotationEnabled": false, "KeyId": arn}));
    }
    let (id, arn) = create(&h, json!({"Origin": "EXTERNAL"})).await;
    let external = format!("{arn} origin is EXTERNAL which is not valid for this operation.");
    for op in [
        "EnableKeyRotation",
        "DisableKeyRotation",
        "GetKeyRotationStatus",
    ] {
        let e = h.err(op, json!({"KeyId": id})).await;
        assert_error(&e, "UnsupportedOperationException", &external);
    }
    // Imported material rotates on demand (after a NEW_KEY_MATERIAL import), so a key still
    // waiting for its first material answers with its state.
    let e = h.err("RotateKeyOnDemand", json!({"KeyId": id})).await;
    assert_error(
        &e,
        "KMSInvalidStateException",
        &format!("{arn} is pending import."),
    );
    let e = h
        .err(
            "ImportKeyMaterial",
            json!({"KeyId": id, "ImportToken": b64(b"x"), "EncryptedKeyMaterial": b64(b"y"),
                   "ImportType": "NEW_KEY_MATERIAL", "KeyMaterialId": "ab"}),
        )
        .await;
    assert_eq!(e.code, "ValidationException");
}

#[tokio::test]
async fn key_states_disabled_and_pending_deletion() {
    let h = Harness::new().await;
    let (id, arn) = h.create_key().await;
    h.ok("DisableKey", json!({"KeyId": id})).await;
    for op in [
        "EnableKeyRotation",
        "DisableKeyRotation",
        "RotateKeyOnDemand",
    ] {
        let e = h.err(op, json!({"KeyId": id})).await;
        assert_error(&e, "DisabledException", &format!("{arn} is disabled."));
    }
    h.ok("EnableKey", json!({"KeyId": id})).await;
    h.ok("EnableKeyRotation", json!({"KeyId": id})).await;
    h.ok("ScheduleKeyDeletion", json!({"KeyId": id})).await;
    for op in ["EnableKeyRotation", "RotateKeyOnDemand"] {
        let e = h.err(op, json!({"KeyId": id})).await;
        assert_error(
            &e,
            "KMSInvalidStateException",
            &format!("{arn} is pending deletion."),
        );
    }
    let status = h.ok("GetKeyRotationStatus", json!({"KeyId": id})).await;
    assert_eq!(status["KeyRotationEnabled"], false);
    h.ok("CancelKeyDeletion", json!({"KeyId": id})).await;
    let status = h.ok("GetKeyRotationStatus", json!({"KeyId": id})).await;
    assert_eq!(status["KeyRotationEnabled"], true);
    let e = h
        .err("EnableKeyRotation", json!({"KeyId": "alias/none"}))
        .await;
    assert_eq!(e.code, "NotFoundException");
}

#[tokio::test]
async fn on_demand_rotation_keeps_old_ciphertexts_and_the_schedule() {
    let h = Harness::new().await;
    let (id, arn) = h.create_key().await;
    h.ok(
        "EnableKeyRotation",
        json!({"KeyId": id, "RotationPeriodInDays": 730}),
    )
    .await;
    let before = h.ok("GetKeyRotationStatus", json!({"KeyId": id})).await;
    let old = encrypt(&h, &id, b"before").await;
    assert_eq!(version_of(&old), 1);
    let out = h.ok("RotateKeyOnDemand", json!({"KeyId": arn})).await;
    assert_eq!(out, json!({"KeyId": arn}));
    let new = encrypt(&h, &id, b"after").await;
    assert_eq!(version_of(&new), 2);
    assert_eq!(decrypt(&h, &old).await, b"before");
    assert_eq!(decrypt(&h, &new).await, b"after");
    let after = h.ok("GetKeyRotationStatus", json!({"KeyId": id})).await;
    assert_eq!(
        after, before,
        "on-demand rotation leaves the schedule alone"
    );

    let listed = h.ok("ListKeyRotations", json!({"KeyId": id})).await;
    let rotations = listed["Rotations"].as_array().unwrap();
    assert_eq!(rotations.len(), 1);
    assert_eq!(rotations[0]["KeyId"], id);
    assert_eq!(rotations[0]["RotationType"], "ON_DEMAND");
    assert_eq!(rotations[0]["KeyMaterialState"], "CURRENT");
    assert!(rotations[0]["RotationDate"].is_number());
    assert_eq!(rotations[0]["KeyMaterialId"].as_str().unwrap().len(), 64);
    assert_eq!(listed["Truncated"], false);

    let all = h
        .ok(
            "ListKeyRotations",
            json!({"KeyId": id, "IncludeKeyMaterial": "ALL_KEY_MATERIAL"}),
        )
        .await;
    let all = all["Rotations"].as_array().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["KeyMaterialState"], "NON_CURRENT");
    assert!(all[0].get("RotationType").is_none());
    assert_eq!(all[1], rotations[0]);
}

#[tokio::test]
async fn on_demand_quota_is_25() {
    let h = Harness::new().await;
    let (id, arn) = h.create_key().await;
    for _ in 0..25 {
        h.ok("RotateKeyOnDemand", json!({"KeyId": id})).await;
    }
    let e = h.err("RotateKeyOnDemand", json!({"KeyId": id})).await;
    assert_error(
        &e,
        "LimitExceededException",
        &format!(
            "The request was rejected because {arn} has reached the maximum number of on-demand \
             rotations (25)."
        ),
    );
    let blob = encrypt(&h, &id, b"x").await;
    assert_eq!(version_of(&blob), 26);
}

#[tokio::test]
async fn list_key_rotations_pages() {
    let h = Harness::new().await;
    let (id, _) = h.create_key().await;
    for _ in 0..5 {
        h.ok("RotateKeyOnDemand", json!({"KeyId": id})).await;
    }
    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let mut body = json!({"KeyId": id, "Limit": 2});
        if let Some(m) = &marker {
            body["Marker"] = json!(m);
        }
        let page = h.ok("ListKeyRotations", body).await;
        let items = page["Rotations"].as_array().unwrap().clone();
        assert!(items.len() <= 2);
        seen.extend(items);
        if page["Truncated"] == false {
            assert!(page.get("NextMarker").is_none());
            break;
        }
        marker = Some(page["NextMarker"].as_str().unwrap().to_owned());
    }
    assert_eq!(seen.len(), 5);
    let states: Vec<&str> = seen
        .iter()
        .map(|r| r["KeyMaterialState"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        [
            "NON_CURRENT",
            "NON_CURRENT",
            "NON_CURRENT",
            "NON_CURRENT",
            "CURRENT"
        ]
    );
    let e = h
        .err("ListKeyRotations", json!({"KeyId": id, "Marker": "bogus"}))
        .await;
    assert_eq!(e.code, "InvalidMarkerException");
}

#[tokio::test]
async fn scheduler_rotates_due_keys_on_the_manual_clock() {
    let h = Harness::new().await;
    let (id, _) = h.create_key().await;
    let (idle, _) = h.create_key().await;
    h.ok(
        "EnableKeyRotation",
        json!({"KeyId": id, "RotationPeriodInDays": 90}),
    )
    .await;
    let old = encrypt(&h, &id, b"old").await;
    h.advance(89 * DAY);
    assert_eq!(h.kms.rotate_due_keys().await, Ok(0));
    h.advance(DAY + 1);
    let report = h.kms.run_due_jobs().await.unwrap();
    assert_eq!(report.rotated, 1);
    assert_eq!(h.kms.rotate_due_keys().await, Ok(0), "not twice");
    let new = encrypt(&h, &id, b"new").await;
    assert_eq!(version_of(&new), 2);
    assert_eq!(version_of(&encrypt(&h, &idle, b"x").await), 1);
    assert_eq!(decrypt(&h, &old).await, b"old");
    let listed = h.ok("ListKeyRotations", json!({"KeyId": id})).await;
    assert_eq!(listed["Rotations"][0]["RotationType"], "AUTOMATIC");
    let status = h.ok("GetKeyRotationStatus", json!({"KeyId": id})).await;
    let next = status["NextRotationDate"].as_f64().unwrap() as i64;
    assert!(next > epoch_secs(&h) + 88 * DAY && next <= epoch_secs(&h) + 90 * DAY);

    // A disabled key does not rotate; once enabled again it catches up within a day.
    h.ok("DisableKey", json!({"KeyId": id})).await;
    h.advance(91 * DAY);
    assert_eq!(h.kms.rotate_due_keys().await, Ok(0));
    h.ok("EnableKey", json!({"KeyId": id})).await;
    h.advance(DAY + 1);
    assert_eq!(h.kms.rotate_due_keys().await, Ok(1));
    assert_eq!(version_of(&encrypt(&h, &id, b"x").await), 3);

    // Disabled rotation: nothing more.
    h.ok("DisableKeyRotation", json!({"KeyId": id})).await;
    h.advance(400 * DAY);
    assert_eq!(h.kms.rotate_due_keys().await, Ok(0));
    for blob in [&old, &new] {
        assert!(!decrypt(&h, blob).await.is_empty());
    }
}

#[tokio::test]
async fn aws_managed_keys_rotate_yearly_and_cannot_be_changed() {
    let h = Harness::new().await;
    let key = h
        .kms
        .aws_managed_key(ACCOUNT, common::REGION, "secretsmanager")
        .await
        .unwrap();
    let status = h
        .ok("GetKeyRotationStatus", json!({"KeyId": key.key_id}))
        .await;
    assert_eq!(status["KeyRotationEnabled"], true);
    assert_eq!(status["RotationPeriodInDays"], 365);
    let caller = format!("arn:aws:iam::{ACCOUNT}:root");
    for op in [
        "EnableKeyRotation",
        "DisableKeyRotation",
        "RotateKeyOnDemand",
    ] {
        let e = h.err(op, json!({"KeyId": key.key_id})).await;
        assert_error(
            &e,
            "AccessDeniedException",
            &format!(
                "User: {caller} is not authorized to perform: kms:{op} on resource: {} because \
                 no resource-based policy allows the kms:{op} action",
                key.arn()
            ),
        );
    }
    let e = h
        .err(
            "Encrypt",
            json!({"KeyId": key.key_id, "Plaintext": b64(b"direct")}),
        )
        .await;
    assert_eq!(
        e.code, "AccessDeniedException",
        "usable only via the service"
    );
    let ctx = context(ACCOUNT, common::REGION);
    let sm = "secretsmanager";
    let encrypt = |plaintext: &[u8]| json!({"KeyId": key.key_id, "Plaintext": b64(plaintext)});
    let old = via_with::<EncryptRequest>(&h.kms, &ctx, sm, encrypt(b"managed")).await;
    let old = old.unwrap()["CiphertextBlob"].clone();
    h.advance(366 * DAY);
    assert_eq!(h.kms.rotate_due_keys().await, Ok(1));
    let new = via_with::<EncryptRequest>(&h.kms, &ctx, sm, encrypt(b"x")).await;
    assert_eq!(version_of(&new.unwrap()["CiphertextBlob"]), 2);
    let plain = via_with::<DecryptRequest>(&h.kms, &ctx, sm, json!({"CiphertextBlob": old})).await;
    assert_eq!(unb64(&plain.unwrap()["Plaintext"]), b"managed");
}

#[tokio::test]
async fn multi_region_rotation_reaches_every_replica() {
    let h = Harness::new().await;
    let (id, _) = create(&h, json!({"MultiRegion": true})).await;
    h.ok(
        "ReplicateKey",
        json!({"KeyId": id, "ReplicaRegion": "eu-west-1"}),
    )
    .await;
    let in_replica = |op: &'static str, body: Value| {
        let kms = &h.kms;
        async move { call_on(kms, ACCOUNT, "eu-west-1", op, body).await }
    };
    let e = in_replica("EnableKeyRotation", json!({"KeyId": id}))
        .await
        .unwrap_err();
    assert_eq!(e.code, "UnsupportedOperationException");
    let e = in_replica("RotateKeyOnDemand", json!({"KeyId": id}))
        .await
        .unwrap_err();
    assert_eq!(e.code, "UnsupportedOperationException");

    let old = encrypt(&h, &id, b"both").await;
    h.ok(
        "EnableKeyRotation",
        json!({"KeyId": id, "RotationPeriodInDays": 90}),
    )
    .await;
    let status = in_replica("GetKeyRotationStatus", json!({"KeyId": id}))
        .await
        .unwrap();
    assert_eq!(status["KeyRotationEnabled"], true);
    h.ok("RotateKeyOnDemand", json!({"KeyId": id})).await;
    h.advance(91 * DAY);
    assert_eq!(h.kms.rotate_due_keys().await, Ok(1));

    let enc = in_replica(
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(b"replica")}),
    )
    .await
    .unwrap();
    assert_eq!(version_of(&enc["CiphertextBlob"]), 3);
    let back = decrypt(&h, &enc["CiphertextBlob"]).await;
    assert_eq!(
        back, b"replica",
        "the primary decrypts the replica's v3 ciphertext"
    );
    let dec = in_replica("Decrypt", json!({"CiphertextBlob": old}))
        .await
        .unwrap();
    assert_eq!(unb64(&dec["Plaintext"]), b"both");
    let primary = h.ok("ListKeyRotations", json!({"KeyId": id})).await;
    let replica = in_replica("ListKeyRotations", json!({"KeyId": id}))
        .await
        .unwrap();
    let ids = |v: &Value| -> Vec<Value> {
        v["Rotations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["KeyMaterialId"].clone())
            .collect()
    };
    assert_eq!(ids(&primary).len(), 2);
    assert_eq!(
        ids(&primary),
        ids(&replica),
        "same KeyMaterialId on every copy"
    );
}

/// One case of the property: a plaintext and encryption context, and how many rotations happen
/// after it is encrypted.
type Case = (Vec<u8>, BTreeMap<String, String>, usize);

fn case() -> impl Strategy<Value = Case> {
    (
        proptest::collection::vec(any::<u8>(), 1..4096),
        proptest::collection::btree_map("[a-zA-Z:_-]{1,12}", "[ -~]{0,16}", 0..4),
        0usize..4,
    )
}

#[test]
fn every_ciphertext_decrypts_across_rotations() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let h = rt.block_on(Harness::new());
    let (id, _) = rt.block_on(h.create_key());
    rt.block_on(h.ok(
        "EnableKeyRotation",
        json!({"KeyId": id, "RotationPeriodInDays": 90}),
    ));
    let sealed: RefCell<Vec<(Value, Case)>> = RefCell::new(Vec::new());
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(32));
    let result = runner.run(&case(), |c| {
        rt.block_on(async {
            let enc = h
                .ok(
                    "Encrypt",
                    json!({"KeyId": id, "Plaintext": b64(&c.0), "EncryptionContext": c.1}),
                )
                .await;
            sealed
                .borrow_mut()
                .push((enc["CiphertextBlob"].clone(), c.clone()));
            for i in 0..c.2 {
                if i % 2 == 0 {
                    h.advance(90 * DAY + 1);
                    assert_eq!(h.kms.rotate_due_keys().await, Ok(1));
                } else {
                    h.advance(1);
                    let _ = h.call("RotateKeyOnDemand", json!({"KeyId": id})).await;
                }
            }
            let all = sealed.borrow().clone();
            for (blob, (plaintext, context, _)) in &all {
                let dec = h
                    .ok(
                        "Decrypt",
                        json!({"CiphertextBlob": blob, "EncryptionContext": context}),
                    )
                    .await;
                assert_eq!(&unb64(&dec["Plaintext"]), plaintext);
            }
        });
        Ok(())
    });
    result.unwrap();
    let versions: std::collections::BTreeSet<u32> = sealed
        .borrow()
        .iter()
        .map(|(blob, _)| version_of(blob))
        .collect();
    assert!(versions.len() > 1, "the cases spanned several key versions");
}

#[tokio::test]
async fn schedule_follows_a_moved_primary() {
    let h = Harness::new().await;
    let (id, _) = create(&h, json!({"MultiRegion": true})).await;
    h.ok(
        "EnableKeyRotation",
        json!({"KeyId": id, "RotationPeriodInDays": 90}),
    )
    .await;
    h.ok(
        "ReplicateKey",
        json!({"KeyId": id, "ReplicaRegion": "eu-west-1"}),
    )
    .await;
    h.ok(
        "UpdatePrimaryRegion",
        json!({"KeyId": id, "PrimaryRegion": "eu-west-1"}),
    )
    .await;
    h.advance(91 * DAY);
    let mut rotated = 0;
    for _ in 0..3 {
        rotated += h.kms.rotate_due_keys().await.unwrap();
    }
    assert_eq!(rotated, 1, "rotated once, by the new primary");
    assert_eq!(version_of(&encrypt(&h, &id, b"x").await), 2);
    let enc = call_on(
        &h.kms,
        ACCOUNT,
        "eu-west-1",
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(b"y")}),
    )
    .await
    .unwrap();
    assert_eq!(version_of(&enc["CiphertextBlob"]), 2);
}
