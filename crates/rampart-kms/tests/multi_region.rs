//! Multi-Region keys through the generated dispatch: ReplicateKey, cross-Region decryption,
//! independent replica state, UpdatePrimaryRegion, and deletion of primaries and replicas.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ACCOUNT, Harness, assert_error, b64, call_on, unb64};
use serde_json::{Value, json};

const EAST: &str = "us-east-1";
const WEST: &str = "eu-west-1";
const SOUTH: &str = "ap-southeast-2";
const DAY: i64 = 86_400;

async fn ok_in(h: &Harness, region: &str, op: &str, body: Value) -> Value {
    match call_on(&h.kms, ACCOUNT, region, op, body.clone()).await {
        Ok(v) => v,
        Err(e) => panic!("{op} in {region} {body} failed: {e}"),
    }
}

async fn err_in(h: &Harness, region: &str, op: &str, body: Value) -> rampart_codec::ServiceError {
    match call_on(&h.kms, ACCOUNT, region, op, body.clone()).await {
        Ok(v) => panic!("{op} in {region} {body} unexpectedly answered {v}"),
        Err(e) => e,
    }
}

fn arn(region: &str, id: &str) -> String {
    format!("arn:aws:kms:{region}:{ACCOUNT}:key/{id}")
}

/// A multi-Region primary in us-east-1; returns its key id.
async fn primary(h: &Harness) -> String {
    let out = ok_in(
        h,
        EAST,
        "CreateKey",
        json!({"MultiRegion": true, "Description": "p"}),
    )
    .await;
    out["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned()
}

async fn replicate(h: &Harness, id: &str, region: &str) -> Value {
    ok_in(
        h,
        EAST,
        "ReplicateKey",
        json!({"KeyId": id, "ReplicaRegion": region}),
    )
    .await
}

async fn describe(h: &Harness, region: &str, id: &str) -> Value {
    ok_in(h, region, "DescribeKey", json!({"KeyId": id})).await["KeyMetadata"].clone()
}

#[tokio::test]
async fn replica_shares_id_and_material_but_not_policy_tags_or_description() {
    let h = Harness::new().await;
    let id = primary(&h).await;
    assert!(id.starts_with("mrk-"));
    let out = ok_in(
        &h,
        EAST,
        "ReplicateKey",
        json!({"KeyId": arn(EAST, &id), "ReplicaRegion": WEST, "Description": "west copy",
               "Tags": [{"TagKey": "site", "TagValue": "dublin"}]}),
    )
    .await;
    let meta = &out["ReplicaKeyMetadata"];
    assert_eq!(meta["KeyId"], id);
    assert_eq!(meta["Arn"], arn(WEST, &id));
    assert_eq!(meta["KeyState"], "Enabled");
    assert_eq!(meta["Description"], "west copy");
    assert_eq!(meta["MultiRegion"], true);
    let config = &meta["MultiRegionConfiguration"];
    assert_eq!(config["MultiRegionKeyType"], "REPLICA");
    assert_eq!(
        config["PrimaryKey"],
        json!({"Arn": arn(EAST, &id), "Region": EAST})
    );
    assert_eq!(
        config["ReplicaKeys"],
        json!([{"Arn": arn(WEST, &id), "Region": WEST}])
    );
    assert_eq!(
        out["ReplicaTags"],
        json!([{"TagKey": "site", "TagValue": "dublin"}])
    );
    let policy: Value = serde_json::from_str(out["ReplicaPolicy"].as_str().unwrap()).unwrap();
    assert_eq!(
        policy["Statement"][0]["Principal"]["AWS"],
        format!("arn:aws:iam::{ACCOUNT}:root")
    );

    let east = describe(&h, EAST, &id).await;
    assert_eq!(east["Description"], "p");
    assert_eq!(
        east["MultiRegionConfiguration"]["MultiRegionKeyType"],
        "PRIMARY"
    );
    assert_eq!(
        east["MultiRegionConfiguration"]["ReplicaKeys"],
        config["ReplicaKeys"]
    );
    assert_eq!(describe(&h, WEST, &id).await, *meta);
    let tags = ok_in(&h, EAST, "ListResourceTags", json!({"KeyId": id})).await;
    assert_eq!(tags["Tags"], json!([]));
    let listed = ok_in(&h, WEST, "ListKeys", json!({})).await;
    assert_eq!(
        listed["Keys"],
        json!([{"KeyId": id, "KeyArn": arn(WEST, &id)}])
    );
}

#[tokio::test]
async fn encrypt_in_one_region_decrypt_in_the_other() {
    let h = Harness::new().await;
    let id = primary(&h).await;
    replicate(&h, &id, WEST).await;
    for (from, to) in [(EAST, WEST), (WEST, EAST)] {
        let ctx = json!({"app": "x"});
        let enc = ok_in(
            &h,
            from,
            "Encrypt",
            json!({"KeyId": id, "Plaintext": b64(b"across"), "EncryptionContext": ctx}),
        )
        .await;
        assert_eq!(enc["KeyId"], arn(from, &id));
        for key_id in [None, Some(id.clone()), Some(arn(to, &id))] {
            let mut body =
                json!({"CiphertextBlob": enc["CiphertextBlob"], "EncryptionContext": ctx});
            if let Some(k) = key_id {
                body["KeyId"] = json!(k);
            }
            let dec = ok_in(&h, to, "Decrypt", body).await;
            assert_eq!(unb64(&dec["Plaintext"]), b"across");
            assert_eq!(dec["KeyId"], arn(to, &id));
        }
    }
}

#[tokio::test]
async fn aliases_and_state_are_independent_per_region() {
    let h = Harness::new().await;
    let id = primary(&h).await;
    replicate(&h, &id, WEST).await;
    ok_in(
        &h,
        EAST,
        "CreateAlias",
        json!({"AliasName": "alias/app", "TargetKeyId": id}),
    )
    .await;
    let e = err_in(&h, WEST, "DescribeKey", json!({"KeyId": "alias/app"})).await;
    assert_eq!(e.code, "NotFoundException");
    ok_in(
        &h,
        WEST,
        "CreateAlias",
        json!({"AliasName": "alias/app", "TargetKeyId": id}),
    )
    .await;
    ok_in(&h, WEST, "DisableKey", json!({"KeyId": id})).await;
    assert_eq!(describe(&h, EAST, &id).await["KeyState"], "Enabled");
    ok_in(
        &h,
        EAST,
        "Encrypt",
        json!({"KeyId": "alias/app", "Plaintext": b64(b"x")}),
    )
    .await;
    let e = err_in(
        &h,
        WEST,
        "Encrypt",
        json!({"KeyId": "alias/app", "Plaintext": b64(b"x")}),
    )
    .await;
    assert_error(
        &e,
        "DisabledException",
        &format!("{} is disabled.", arn(WEST, &id)),
    );
    ok_in(&h, WEST, "EnableKey", json!({"KeyId": id})).await;
    ok_in(
        &h,
        WEST,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(b"x")}),
    )
    .await;
}

#[tokio::test]
async fn replicate_key_refusals() {
    let h = Harness::new().await;
    let (single, single_arn) = h.create_key().await;
    let e = err_in(
        &h,
        EAST,
        "ReplicateKey",
        json!({"KeyId": single, "ReplicaRegion": WEST}),
    )
    .await;
    assert_error(
        &e,
        "UnsupportedOperationException",
        &format!("{single_arn} is not a multi-Region primary key."),
    );
    let id = primary(&h).await;
    replicate(&h, &id, WEST).await;
    let e = err_in(
        &h,
        WEST,
        "ReplicateKey",
        json!({"KeyId": id, "ReplicaRegion": SOUTH}),
    )
    .await;
    assert_error(
        &e,
        "UnsupportedOperationException",
        &format!("{} is not a multi-Region primary key.", arn(WEST, &id)),
    );
    for taken in [EAST, WEST] {
        let e = err_in(
            &h,
            EAST,
            "ReplicateKey",
            json!({"KeyId": id, "ReplicaRegion": taken}),
        )
        .await;
        assert_eq!(e.code, "AlreadyExistsException", "{taken}");
    }
    for bad in ["not-a-region", "US-EAST-1"] {
        let e = err_in(
            &h,
            EAST,
            "ReplicateKey",
            json!({"KeyId": id, "ReplicaRegion": bad}),
        )
        .await;
        assert_eq!(e.code, "ValidationException", "{bad}");
    }
    let e = err_in(
        &h,
        EAST,
        "ReplicateKey",
        json!({"KeyId": id, "ReplicaRegion": "cn-north-1"}),
    )
    .await;
    assert_eq!(e.code, "ValidationException");
    let e = err_in(
        &h,
        EAST,
        "ReplicateKey",
        json!({"KeyId": id, "ReplicaRegion": SOUTH, "Policy": "not json"}),
    )
    .await;
    assert_eq!(e.code, "MalformedPolicyDocumentException");
    let e = err_in(
        &h,
        EAST,
        "ReplicateKey",
        json!({"KeyId": id, "ReplicaRegion": SOUTH, "Tags": [{"TagKey": "aws:x", "TagValue": ""}]}),
    )
    .await;
    assert_eq!(e.code, "TagException");
    let e = err_in(&h, SOUTH, "DescribeKey", json!({"KeyId": id})).await;
    assert_eq!(
        e.code, "NotFoundException",
        "nothing stored by refused calls"
    );
    ok_in(&h, EAST, "DisableKey", json!({"KeyId": id})).await;
    let e = err_in(
        &h,
        EAST,
        "ReplicateKey",
        json!({"KeyId": id, "ReplicaRegion": SOUTH}),
    )
    .await;
    assert_error(
        &e,
        "DisabledException",
        &format!("{} is disabled.", arn(EAST, &id)),
    );
}

#[tokio::test]
async fn given_policy_is_the_replica_policy() {
    let h = Harness::new().await;
    let id = primary(&h).await;
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}]}"#;
    let out = ok_in(
        &h,
        EAST,
        "ReplicateKey",
        json!({"KeyId": id, "ReplicaRegion": WEST, "Policy": doc, "BypassPolicyLockoutSafetyCheck": true}),
    )
    .await;
    assert_eq!(out["ReplicaPolicy"], doc);
    let got = ok_in(&h, WEST, "GetKeyPolicy", json!({"KeyId": id})).await;
    assert_eq!(got["Policy"], doc);
    let east = ok_in(&h, EAST, "GetKeyPolicy", json!({"KeyId": id})).await;
    assert_ne!(east["Policy"], doc);
}

#[tokio::test]
async fn update_primary_region_swaps_roles() {
    let h = Harness::new().await;
    let id = primary(&h).await;
    replicate(&h, &id, WEST).await;
    replicate(&h, &id, SOUTH).await;
    let e = err_in(
        &h,
        WEST,
        "UpdatePrimaryRegion",
        json!({"KeyId": id, "PrimaryRegion": SOUTH}),
    )
    .await;
    assert_eq!(e.code, "UnsupportedOperationException");
    let e = err_in(
        &h,
        EAST,
        "UpdatePrimaryRegion",
        json!({"KeyId": id, "PrimaryRegion": "us-west-2"}),
    )
    .await;
    assert_error(
        &e,
        "NotFoundException",
        &format!("Key '{}' does not exist", arn("us-west-2", &id)),
    );
    ok_in(
        &h,
        EAST,
        "UpdatePrimaryRegion",
        json!({"KeyId": id, "PrimaryRegion": WEST}),
    )
    .await;
    for region in [EAST, WEST, SOUTH] {
        let config = describe(&h, region, &id).await["MultiRegionConfiguration"].clone();
        let kind = if region == WEST { "PRIMARY" } else { "REPLICA" };
        assert_eq!(config["MultiRegionKeyType"], kind, "{region}");
        assert_eq!(config["PrimaryKey"]["Region"], WEST);
        assert_eq!(
            config["ReplicaKeys"],
            json!([{"Arn": arn(EAST, &id), "Region": EAST}, {"Arn": arn(SOUTH, &id), "Region": SOUTH}])
        );
    }
    let e = err_in(
        &h,
        EAST,
        "ReplicateKey",
        json!({"KeyId": id, "ReplicaRegion": "us-west-2"}),
    )
    .await;
    assert_eq!(e.code, "UnsupportedOperationException");
    ok_in(
        &h,
        WEST,
        "ReplicateKey",
        json!({"KeyId": id, "ReplicaRegion": "us-west-2"}),
    )
    .await;
    assert_eq!(
        describe(&h, EAST, &id).await["MultiRegionConfiguration"]["ReplicaKeys"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    ok_in(
        &h,
        WEST,
        "UpdatePrimaryRegion",
        json!({"KeyId": id, "PrimaryRegion": WEST}),
    )
    .await;
}

#[tokio::test]
async fn primary_with_replicas_waits_for_their_deletion() {
    let h = Harness::new().await;
    let id = primary(&h).await;
    replicate(&h, &id, WEST).await;
    let out = ok_in(
        &h,
        EAST,
        "ScheduleKeyDeletion",
        json!({"KeyId": id, "PendingWindowInDays": 7}),
    )
    .await;
    assert_eq!(out["KeyState"], "PendingReplicaDeletion");
    assert_eq!(out["PendingWindowInDays"], 7);
    assert!(out.get("DeletionDate").is_none());
    let meta = describe(&h, EAST, &id).await;
    assert_eq!(meta["KeyState"], "PendingReplicaDeletion");
    assert!(meta.get("DeletionDate").is_none());
    let pending = format!("{} is pending replica deletion.", arn(EAST, &id));
    let e = err_in(
        &h,
        EAST,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(b"x")}),
    )
    .await;
    assert_error(&e, "KMSInvalidStateException", &pending);
    let e = err_in(
        &h,
        EAST,
        "ReplicateKey",
        json!({"KeyId": id, "ReplicaRegion": SOUTH}),
    )
    .await;
    assert_error(&e, "KMSInvalidStateException", &pending);
    ok_in(&h, EAST, "CancelKeyDeletion", json!({"KeyId": id})).await;
    assert_eq!(describe(&h, EAST, &id).await["KeyState"], "Disabled");
    ok_in(
        &h,
        EAST,
        "ScheduleKeyDeletion",
        json!({"KeyId": id, "PendingWindowInDays": 7}),
    )
    .await;
    ok_in(
        &h,
        WEST,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(b"x")}),
    )
    .await;
    ok_in(
        &h,
        WEST,
        "ScheduleKeyDeletion",
        json!({"KeyId": id, "PendingWindowInDays": 7}),
    )
    .await;
    h.advance(7 * DAY + 60);
    assert_eq!(
        h.kms.delete_due_keys().await.unwrap(),
        1,
        "only the replica is due"
    );
    let e = err_in(&h, WEST, "DescribeKey", json!({"KeyId": id})).await;
    assert_eq!(e.code, "NotFoundException");
    let meta = describe(&h, EAST, &id).await;
    assert_eq!(meta["KeyState"], "PendingDeletion");
    assert_eq!(meta["MultiRegionConfiguration"]["ReplicaKeys"], json!([]));
    let due = meta["DeletionDate"].as_f64().unwrap();
    let expected = (h.clock_now().unix_timestamp() + 7 * DAY) as f64;
    assert!(
        (due - expected).abs() < 2.0,
        "waiting period starts at the replica's deletion"
    );
    h.advance(6 * DAY);
    assert_eq!(h.kms.delete_due_keys().await.unwrap(), 0);
    h.advance(DAY + 60);
    assert_eq!(h.kms.delete_due_keys().await.unwrap(), 1);
    let e = err_in(&h, EAST, "DescribeKey", json!({"KeyId": id})).await;
    assert_eq!(e.code, "NotFoundException");
}

#[tokio::test]
async fn deleting_a_replica_unlinks_it_and_the_region_can_be_replicated_again() {
    let h = Harness::new().await;
    let id = primary(&h).await;
    replicate(&h, &id, WEST).await;
    replicate(&h, &id, SOUTH).await;
    ok_in(
        &h,
        WEST,
        "CreateAlias",
        json!({"AliasName": "alias/w", "TargetKeyId": id}),
    )
    .await;
    ok_in(
        &h,
        WEST,
        "ScheduleKeyDeletion",
        json!({"KeyId": id, "PendingWindowInDays": 7}),
    )
    .await;
    let e = err_in(
        &h,
        EAST,
        "ReplicateKey",
        json!({"KeyId": id, "ReplicaRegion": WEST}),
    )
    .await;
    assert_eq!(
        e.code, "AlreadyExistsException",
        "a replica pending deletion still exists"
    );
    h.advance(8 * DAY);
    assert_eq!(h.kms.delete_due_keys().await.unwrap(), 1);
    for region in [EAST, SOUTH] {
        let meta = describe(&h, region, &id).await;
        assert_eq!(
            meta["MultiRegionConfiguration"]["ReplicaKeys"],
            json!([{"Arn": arn(SOUTH, &id), "Region": SOUTH}]),
            "{region}"
        );
    }
    let aliases = ok_in(&h, WEST, "ListAliases", json!({})).await;
    // Only the predefined `alias/aws/<service>` aliases, which have no target key yet.
    let names: Vec<&str> = aliases["Aliases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a.get("TargetKeyId").is_some())
        .filter_map(|a| a["AliasName"].as_str())
        .collect();
    assert!(names.is_empty(), "{names:?}");
    let again = replicate(&h, &id, WEST).await;
    assert_eq!(again["ReplicaKeyMetadata"]["KeyState"], "Enabled");
}

#[tokio::test]
async fn external_primary_replicates_without_material() {
    let h = Harness::new().await;
    let out = ok_in(
        &h,
        EAST,
        "CreateKey",
        json!({"MultiRegion": true, "Origin": "EXTERNAL"}),
    )
    .await;
    let id = out["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    assert_eq!(out["KeyMetadata"]["KeyState"], "PendingImport");
    let replica = replicate(&h, &id, WEST).await;
    let meta = &replica["ReplicaKeyMetadata"];
    assert_eq!(meta["KeyState"], "PendingImport");
    assert_eq!(meta["Origin"], "EXTERNAL");
    let e = err_in(
        &h,
        WEST,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(b"x")}),
    )
    .await;
    assert_error(
        &e,
        "KMSInvalidStateException",
        &format!("{} is pending import.", arn(WEST, &id)),
    );
}

#[tokio::test]
async fn replicas_hold_every_material_version_wrapped_for_their_own_arn() {
    let h = Harness::new().await;
    let id = primary(&h).await;
    let rotated = call_on(
        &h.kms,
        ACCOUNT,
        EAST,
        "RotateKeyOnDemand",
        json!({"KeyId": id}),
    )
    .await;
    replicate(&h, &id, WEST).await;
    let versions = if rotated.is_ok() { 2 } else { 1 };
    for version in 1..=versions {
        let east = h
            .kms
            .backing_key_bytes_for_tests(ACCOUNT, EAST, &id, version)
            .await;
        let west = h
            .kms
            .backing_key_bytes_for_tests(ACCOUNT, WEST, &id, version)
            .await;
        assert!(east.is_some(), "v{version}");
        assert_eq!(east, west, "v{version}");
    }
    assert_eq!(describe(&h, WEST, &id).await["KeyId"], id);
}
