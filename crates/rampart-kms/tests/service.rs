//! KMS service driven through the generated dispatch on a temporary SQLite store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ACCOUNT, Harness, REGION, assert_error, b64, call_on, call_with, context, unb64};
use serde_json::json;

#[tokio::test]
async fn create_describe_and_list_a_symmetric_key() {
    let h = Harness::new().await;
    let out = h
        .ok(
            "CreateKey",
            json!({"Description": "d", "Tags": [{"TagKey": "team", "TagValue": "x"}]}),
        )
        .await;
    let meta = &out["KeyMetadata"];
    let id = meta["KeyId"].as_str().unwrap();
    assert_eq!(
        meta["Arn"],
        format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{id}")
    );
    assert_eq!(meta["AWSAccountId"], ACCOUNT);
    assert_eq!(meta["KeyState"], "Enabled");
    assert_eq!(meta["Enabled"], true);
    assert_eq!(meta["KeySpec"], "SYMMETRIC_DEFAULT");
    assert_eq!(meta["KeyUsage"], "ENCRYPT_DECRYPT");
    assert_eq!(meta["KeyManager"], "CUSTOMER");
    assert_eq!(meta["Origin"], "AWS_KMS");
    assert_eq!(meta["EncryptionAlgorithms"], json!(["SYMMETRIC_DEFAULT"]));
    assert_eq!(meta["Description"], "d");
    assert!(meta["CreationDate"].is_number());
    assert!(meta.get("DeletionDate").is_none());
    let described = h.ok("DescribeKey", json!({"KeyId": meta["Arn"]})).await;
    assert_eq!(&described["KeyMetadata"], meta);
    let listed = h.ok("ListKeys", json!({})).await;
    assert_eq!(
        listed["Keys"],
        json!([{"KeyId": id, "KeyArn": meta["Arn"]}])
    );
    assert_eq!(listed["Truncated"], false);
}

#[tokio::test]
async fn encrypt_then_decrypt_with_and_without_key_id() {
    let h = Harness::new().await;
    let (id, arn) = h.create_key().await;
    h.ok(
        "CreateAlias",
        json!({"AliasName": "alias/app", "TargetKeyId": id}),
    )
    .await;
    let context = json!({"purpose": "test", "Tenant": "A"});
    let enc = h
        .ok(
            "Encrypt",
            json!({"KeyId": "alias/app", "Plaintext": b64(b"hello"), "EncryptionContext": context}),
        )
        .await;
    assert_eq!(enc["KeyId"], arn);
    assert_eq!(enc["EncryptionAlgorithm"], "SYMMETRIC_DEFAULT");
    let blob = enc["CiphertextBlob"].clone();
    for key_id in [
        None,
        Some(id.clone()),
        Some(arn.clone()),
        Some("alias/app".to_owned()),
    ] {
        let mut body = json!({"CiphertextBlob": blob, "EncryptionContext": context});
        if let Some(k) = key_id {
            body["KeyId"] = json!(k);
        }
        let dec = h.ok("Decrypt", body).await;
        assert_eq!(unb64(&dec["Plaintext"]), b"hello");
        assert_eq!(dec["KeyId"], arn);
    }
    let (other, _) = h.create_key().await;
    let e = h
        .err(
            "Decrypt",
            json!({"CiphertextBlob": blob, "EncryptionContext": context, "KeyId": other}),
        )
        .await;
    assert_eq!(e.code, "IncorrectKeyException");
}

#[tokio::test]
async fn wrong_context_and_tampered_ciphertext_are_invalid() {
    let h = Harness::new().await;
    let (id, _) = h.create_key().await;
    let enc = h
        .ok(
            "Encrypt",
            json!({"KeyId": id, "Plaintext": b64(b"secret"), "EncryptionContext": {"a": "b"}}),
        )
        .await;
    let blob = unb64(&enc["CiphertextBlob"]);
    for context in [
        json!({}),
        json!({"a": "B"}),
        json!({"A": "b"}),
        json!({"a": "b", "c": "d"}),
    ] {
        let e = h
            .err(
                "Decrypt",
                json!({"CiphertextBlob": b64(&blob), "EncryptionContext": context}),
            )
            .await;
        assert_error(&e, "InvalidCiphertextException", "");
    }
    let mut tampered = blob.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    let e = h
        .err(
            "Decrypt",
            json!({"CiphertextBlob": b64(&tampered), "EncryptionContext": {"a": "b"}}),
        )
        .await;
    assert_eq!(e.code, "InvalidCiphertextException");
    let e = h
        .err(
            "Decrypt",
            json!({"CiphertextBlob": b64(&blob[..blob.len() / 2])}),
        )
        .await;
    assert_eq!(e.code, "InvalidCiphertextException");
    let e = h
        .err(
            "Decrypt",
            json!({"CiphertextBlob": b64(b"not a kms blob at all")}),
        )
        .await;
    assert_eq!(e.code, "InvalidCiphertextException");
}

#[tokio::test]
async fn disabled_keys_refuse_crypto_until_enabled() {
    let h = Harness::new().await;
    let (id, arn) = h.create_key().await;
    let enc = h
        .ok("Encrypt", json!({"KeyId": id, "Plaintext": b64(b"x")}))
        .await;
    h.ok("DisableKey", json!({"KeyId": arn})).await;
    let meta = h.ok("DescribeKey", json!({"KeyId": id})).await;
    assert_eq!(
        (
            meta["KeyMetadata"]["KeyState"].clone(),
            meta["KeyMetadata"]["Enabled"].clone()
        ),
        (json!("Disabled"), json!(false))
    );
    let disabled = format!("{arn} is disabled.");
    assert_error(
        &h.err("Encrypt", json!({"KeyId": id, "Plaintext": b64(b"x")}))
            .await,
        "DisabledException",
        &disabled,
    );
    assert_error(
        &h.err("Decrypt", json!({"CiphertextBlob": enc["CiphertextBlob"]}))
            .await,
        "DisabledException",
        &disabled,
    );
    let e = h
        .err(
            "GenerateDataKey",
            json!({"KeyId": id, "KeySpec": "AES_256"}),
        )
        .await;
    assert_eq!(e.code, "DisabledException");
    h.ok("EnableKey", json!({"KeyId": id})).await;
    h.ok("Decrypt", json!({"CiphertextBlob": enc["CiphertextBlob"]}))
        .await;
}

#[tokio::test]
async fn schedule_and_cancel_key_deletion() {
    let h = Harness::new().await;
    let (id, arn) = h.create_key().await;
    let e = h
        .err(
            "ScheduleKeyDeletion",
            json!({"KeyId": id, "PendingWindowInDays": 6}),
        )
        .await;
    assert_error(
        &e,
        "ValidationException",
        "PendingWindowInDays should be between 7 and 30, but it is 6",
    );
    let out = h.ok("ScheduleKeyDeletion", json!({"KeyId": id})).await;
    assert_eq!(out["KeyId"], arn);
    assert_eq!(out["KeyState"], "PendingDeletion");
    assert_eq!(out["PendingWindowInDays"], 30);
    let expected = (h.clock_now() + time::Duration::days(30)).unix_timestamp() as f64;
    assert!((out["DeletionDate"].as_f64().unwrap() - expected).abs() < 1.0);
    let meta = h.ok("DescribeKey", json!({"KeyId": id})).await["KeyMetadata"].clone();
    assert_eq!(
        (
            meta["KeyState"].clone(),
            meta["PendingDeletionWindowInDays"].clone()
        ),
        (json!("PendingDeletion"), json!(30))
    );
    let pending = format!("{arn} is pending deletion.");
    let e = h
        .err("Encrypt", json!({"KeyId": id, "Plaintext": b64(b"x")}))
        .await;
    assert_error(&e, "KMSInvalidStateException", &pending);
    assert_error(
        &h.err("ScheduleKeyDeletion", json!({"KeyId": id})).await,
        "KMSInvalidStateException",
        &pending,
    );
    assert_error(
        &h.err("EnableKey", json!({"KeyId": id})).await,
        "KMSInvalidStateException",
        &pending,
    );
    let out = h.ok("CancelKeyDeletion", json!({"KeyId": id})).await;
    assert_eq!(out["KeyId"], arn);
    let meta = h.ok("DescribeKey", json!({"KeyId": id})).await["KeyMetadata"].clone();
    assert_eq!(meta["KeyState"], "Disabled");
    assert!(meta.get("DeletionDate").is_none());
    let e = h.err("CancelKeyDeletion", json!({"KeyId": id})).await;
    assert_error(
        &e,
        "KMSInvalidStateException",
        &format!("{arn} is not pending deletion."),
    );
    assert_eq!(h.kms.delete_due_keys().await.unwrap(), 0);
}

#[tokio::test]
async fn sweeper_deletes_due_keys_with_their_aliases_tags_and_policy() {
    let h = Harness::new().await;
    let (id, arn) = h.create_key().await;
    let (keep, _) = h.create_key().await;
    h.ok(
        "CreateAlias",
        json!({"AliasName": "alias/doomed", "TargetKeyId": id}),
    )
    .await;
    h.ok(
        "TagResource",
        json!({"KeyId": id, "Tags": [{"TagKey": "a", "TagValue": "b"}]}),
    )
    .await;
    let enc = h
        .ok("Encrypt", json!({"KeyId": id, "Plaintext": b64(b"x")}))
        .await;
    h.ok(
        "ScheduleKeyDeletion",
        json!({"KeyId": id, "PendingWindowInDays": 7}),
    )
    .await;
    h.ok(
        "ScheduleKeyDeletion",
        json!({"KeyId": keep, "PendingWindowInDays": 30}),
    )
    .await;
    h.advance(7 * 86_400 - 10);
    assert_eq!(h.kms.delete_due_keys().await.unwrap(), 0);
    h.advance(20);
    assert_eq!(h.kms.delete_due_keys().await.unwrap(), 1);
    let not_found = format!("Key '{arn}' does not exist");
    assert_error(
        &h.err("DescribeKey", json!({"KeyId": id})).await,
        "NotFoundException",
        &not_found,
    );
    assert_error(
        &h.err("Decrypt", json!({"CiphertextBlob": enc["CiphertextBlob"]}))
            .await,
        "NotFoundException",
        &not_found,
    );
    let aliases = h.ok("ListAliases", json!({})).await;
    // Only the predefined `alias/aws/<service>` aliases, which have no target key yet.
    let names: Vec<&str> = aliases["Aliases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a.get("TargetKeyId").is_some())
        .filter_map(|a| a["AliasName"].as_str())
        .collect();
    assert!(names.is_empty(), "{names:?}");
    let e = h.err("DescribeKey", json!({"KeyId": "alias/doomed"})).await;
    assert_error(
        &e,
        "NotFoundException",
        &format!("Alias arn:aws:kms:{REGION}:{ACCOUNT}:alias/doomed is not found."),
    );
    let keys = h.ok("ListKeys", json!({})).await;
    assert_eq!(keys["Keys"].as_array().unwrap().len(), 1);
    assert_eq!(h.kms.delete_due_keys().await.unwrap(), 0);
}

#[tokio::test]
async fn data_keys_random_and_re_encrypt() {
    let h = Harness::new().await;
    let (id, arn) = h.create_key().await;
    let (id2, arn2) = h.create_key().await;
    let out = h
        .ok(
            "GenerateDataKey",
            json!({"KeyId": id, "KeySpec": "AES_256", "EncryptionContext": {"k": "v"}}),
        )
        .await;
    assert_eq!(out["KeyId"], arn);
    let plaintext = unb64(&out["Plaintext"]);
    assert_eq!(plaintext.len(), 32);
    let dec = h
        .ok(
            "Decrypt",
            json!({"CiphertextBlob": out["CiphertextBlob"], "EncryptionContext": {"k": "v"}}),
        )
        .await;
    assert_eq!(unb64(&dec["Plaintext"]), plaintext);
    let out = h
        .ok("GenerateDataKey", json!({"KeyId": id, "NumberOfBytes": 64}))
        .await;
    assert_eq!(unb64(&out["Plaintext"]).len(), 64);
    let neither = h.err("GenerateDataKey", json!({"KeyId": id})).await;
    assert_error(
        &neither,
        "ValidationException",
        "Please specify either number of bytes or key spec.",
    );
    let both = h
        .err(
            "GenerateDataKey",
            json!({"KeyId": id, "KeySpec": "AES_128", "NumberOfBytes": 16}),
        )
        .await;
    assert_eq!(both.code, "ValidationException");
    let bare = h
        .ok(
            "GenerateDataKeyWithoutPlaintext",
            json!({"KeyId": id, "KeySpec": "AES_128"}),
        )
        .await;
    assert!(bare.get("Plaintext").is_none());
    let re = h.ok("ReEncrypt", json!({"CiphertextBlob": bare["CiphertextBlob"], "DestinationKeyId": id2, "DestinationEncryptionContext": {"x": "y"}})).await;
    assert_eq!(
        (re["SourceKeyId"].clone(), re["KeyId"].clone()),
        (json!(arn), json!(arn2))
    );
    let dec = h
        .ok(
            "Decrypt",
            json!({"CiphertextBlob": re["CiphertextBlob"], "EncryptionContext": {"x": "y"}}),
        )
        .await;
    assert_eq!(unb64(&dec["Plaintext"]).len(), 16);
    assert_eq!(
        unb64(&h.ok("GenerateRandom", json!({"NumberOfBytes": 1024})).await["Plaintext"]).len(),
        1024
    );
    assert_eq!(
        h.err("GenerateRandom", json!({"NumberOfBytes": 0}))
            .await
            .code,
        "ValidationException"
    );
    let e = h
        .err(
            "GenerateRandom",
            json!({"NumberOfBytes": 8, "CustomKeyStoreId": "cks-1234567890abcdef0"}),
        )
        .await;
    assert_eq!(e.code, "UnsupportedOperationException");
}

#[tokio::test]
async fn audit_resources_name_the_key() {
    let h = Harness::new().await;
    let (id, arn) = h.create_key().await;
    let ctx = context(ACCOUNT, REGION);
    call_with(
        &h.kms,
        &ctx,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(b"x")}),
    )
    .await
    .unwrap();
    let resources = ctx.take_resources();
    assert_eq!(resources.len(), 1);
    assert_eq!(
        (resources[0].arn.as_str(), resources[0].resource_type),
        (arn.as_str(), "AWS::KMS::Key")
    );
}

#[tokio::test]
async fn nodes_sharing_a_store_converge_after_the_cache_ttl() {
    let h = Harness::new().await;
    let node_b = h.second_node();
    let (id, arn) = h.create_key().await;
    call_on(
        &node_b,
        ACCOUNT,
        REGION,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(b"x")}),
    )
    .await
    .unwrap();
    h.ok("DisableKey", json!({"KeyId": id})).await;
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let e = call_on(
        &node_b,
        ACCOUNT,
        REGION,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(b"x")}),
    )
    .await
    .unwrap_err();
    assert_error(&e, "DisabledException", &format!("{arn} is disabled."));
}

#[tokio::test]
async fn no_key_material_or_data_key_plaintext_at_rest() {
    let h = Harness::new().await;
    let (id, _) = h.create_key().await;
    let out = h
        .ok(
            "GenerateDataKey",
            json!({"KeyId": id, "KeySpec": "AES_256"}),
        )
        .await;
    let data_key = unb64(&out["Plaintext"]);
    let backing = h
        .kms
        .backing_key_bytes_for_tests(ACCOUNT, REGION, &id, 1)
        .await
        .expect("backing key");
    assert_eq!(backing.len(), 32);
    let mut on_disk = Vec::new();
    for entry in std::fs::read_dir(&h.dir).unwrap() {
        on_disk.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    assert!(!on_disk.is_empty());
    let contains = |needle: &[u8]| on_disk.windows(needle.len()).any(|w| w == needle);
    assert!(contains(id.as_bytes()), "sanity: the key id is stored");
    assert!(!contains(&backing), "raw backing key found on disk");
    assert!(!contains(&data_key), "data key plaintext found on disk");
    assert!(
        !contains(common::b64(&backing).as_bytes()),
        "base64 backing key found on disk"
    );
    assert!(
        !contains(common::b64(&data_key).as_bytes()),
        "base64 data key found on disk"
    );
}
