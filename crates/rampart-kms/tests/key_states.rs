//! The key state machine against AWS's key-state table: for every state a key can be put in,
//! every operation on it either succeeds or fails with AWS's error code and message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ACCOUNT, Harness, b64, call_on};
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug)]
enum State {
    Enabled,
    Disabled,
    PendingDeletion,
    PendingImport,
    PendingReplicaDeletion,
}

/// A fresh key (with the alias `alias/a` on it) in `state`; returns (id, ARN).
async fn key_in(h: &Harness, state: State) -> (String, String) {
    let body = match state {
        State::PendingImport => json!({"Origin": "EXTERNAL"}),
        State::PendingReplicaDeletion => json!({"MultiRegion": true}),
        _ => json!({}),
    };
    let meta = h.ok("CreateKey", body).await["KeyMetadata"].clone();
    let id = meta["KeyId"].as_str().unwrap().to_owned();
    let arn = meta["Arn"].as_str().unwrap().to_owned();
    h.ok(
        "CreateAlias",
        json!({"AliasName": "alias/a", "TargetKeyId": id}),
    )
    .await;
    match state {
        State::Disabled => {
            h.ok("DisableKey", json!({"KeyId": id})).await;
        }
        State::PendingDeletion => {
            h.ok("ScheduleKeyDeletion", json!({"KeyId": id})).await;
        }
        State::PendingReplicaDeletion => {
            let replicate = json!({"KeyId": id, "ReplicaRegion": "eu-west-1"});
            h.ok("ReplicateKey", replicate).await;
            h.ok("ScheduleKeyDeletion", json!({"KeyId": id})).await;
        }
        State::Enabled | State::PendingImport => {}
    }
    (id, arn)
}

/// The request body of `op` on key `id`.
fn request(op: &str, id: &str, other: &str) -> Value {
    match op {
        "Encrypt" => json!({"KeyId": id, "Plaintext": b64(b"x")}),
        "GenerateDataKey" => json!({"KeyId": id, "KeySpec": "AES_256"}),
        "UpdateKeyDescription" => json!({"KeyId": id, "Description": "d"}),
        "TagResource" => json!({"KeyId": id, "Tags": [{"TagKey": "k", "TagValue": "v"}]}),
        "UntagResource" => json!({"KeyId": id, "TagKeys": ["k"]}),
        "PutKeyPolicy" => {
            let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
                "Action": "kms:*", "Resource": "*"}]});
            json!({"KeyId": id, "PolicyName": "default", "Policy": policy.to_string()})
        }
        "CreateAlias" => json!({"AliasName": "alias/b", "TargetKeyId": id}),
        "UpdateAlias" => json!({"AliasName": "alias/other", "TargetKeyId": id}),
        "DeleteAlias" => json!({"AliasName": "alias/a"}),
        "ListAliases" => json!({"KeyId": id}),
        "ReplicateKey" => json!({"KeyId": other, "ReplicaRegion": "ap-south-1"}),
        _ => json!({"KeyId": id}),
    }
}

const OPS: [&str; 16] = [
    "Encrypt",
    "GenerateDataKey",
    "EnableKey",
    "DisableKey",
    "ScheduleKeyDeletion",
    "CancelKeyDeletion",
    "UpdateKeyDescription",
    "TagResource",
    "UntagResource",
    "PutKeyPolicy",
    "GetKeyPolicy",
    "DescribeKey",
    "ListResourceTags",
    "CreateAlias",
    "UpdateAlias",
    "DeleteAlias",
];

/// AWS's answer to `op` on a key in `state`: None for success, else (code, message).
fn expected(state: State, op: &str, arn: &str) -> Option<(&'static str, String)> {
    let invalid = |what: &str| Some(("KMSInvalidStateException", format!("{arn} is {what}.")));
    let crypto = matches!(op, "Encrypt" | "GenerateDataKey");
    let enable_disable = matches!(op, "EnableKey" | "DisableKey");
    let changes = matches!(
        op,
        "UpdateKeyDescription" | "TagResource" | "UntagResource" | "CreateAlias" | "UpdateAlias"
    );
    match state {
        State::Enabled | State::Disabled | State::PendingImport if op == "CancelKeyDeletion" => {
            invalid("not pending deletion")
        }
        State::Enabled => None,
        State::Disabled if crypto => Some(("DisabledException", format!("{arn} is disabled."))),
        State::Disabled => None,
        State::PendingImport if crypto || enable_disable => invalid("pending import"),
        State::PendingImport => None,
        State::PendingDeletion if crypto || enable_disable || changes => {
            invalid("pending deletion")
        }
        State::PendingDeletion if op == "ScheduleKeyDeletion" => invalid("pending deletion"),
        State::PendingDeletion => None,
        State::PendingReplicaDeletion if crypto || enable_disable || changes => {
            invalid("pending replica deletion")
        }
        State::PendingReplicaDeletion if op == "ScheduleKeyDeletion" => {
            invalid("pending replica deletion")
        }
        State::PendingReplicaDeletion => None,
    }
}

#[tokio::test]
async fn every_operation_in_every_state_answers_as_aws() {
    for state in [
        State::Enabled,
        State::Disabled,
        State::PendingDeletion,
        State::PendingImport,
        State::PendingReplicaDeletion,
    ] {
        for op in OPS {
            let h = Harness::new().await;
            let (other, _) = h.create_key().await;
            h.ok(
                "CreateAlias",
                json!({"AliasName": "alias/other", "TargetKeyId": other}),
            )
            .await;
            let (id, arn) = key_in(&h, state).await;
            let got = h.call(op, request(op, &id, &other)).await;
            match (expected(state, op, &arn), got) {
                (None, Ok(_)) => {}
                (Some((code, message)), Err(e)) => {
                    assert_eq!(
                        (e.code.as_ref(), e.message.as_str()),
                        (code, message.as_str()),
                        "{op} on {state:?}"
                    );
                }
                (want, got) => panic!("{op} on {state:?}: expected {want:?}, got {got:?}"),
            }
        }
    }
}

#[tokio::test]
async fn cancelled_deletion_leaves_the_key_disabled_and_aliases_follow_the_state() {
    let h = Harness::new().await;
    let (id, arn) = key_in(&h, State::PendingDeletion).await;
    h.ok("CancelKeyDeletion", json!({"KeyId": id})).await;
    let meta = h.ok("DescribeKey", json!({"KeyId": "alias/a"})).await;
    assert_eq!(meta["KeyMetadata"]["KeyState"], "Disabled");
    assert!(meta["KeyMetadata"].get("DeletionDate").is_none());
    let e = h
        .err(
            "Encrypt",
            json!({"KeyId": "alias/a", "Plaintext": b64(b"x")}),
        )
        .await;
    assert_eq!(e.message, format!("{arn} is disabled."));
    h.ok("EnableKey", json!({"KeyId": id})).await;
    h.ok(
        "Encrypt",
        json!({"KeyId": "alias/a", "Plaintext": b64(b"x")}),
    )
    .await;
}

#[tokio::test]
async fn update_alias_keeps_the_key_type_and_usage() {
    let h = Harness::new().await;
    let (sym, _) = h.create_key().await;
    h.ok(
        "CreateAlias",
        json!({"AliasName": "alias/s", "TargetKeyId": sym}),
    )
    .await;
    let hmac = h
        .ok(
            "CreateKey",
            json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}),
        )
        .await;
    if let Some(hmac_id) = hmac["KeyMetadata"]["KeyId"].as_str() {
        let e = h
            .err(
                "UpdateAlias",
                json!({"AliasName": "alias/s", "TargetKeyId": hmac_id}),
            )
            .await;
        assert_eq!(e.code, "ValidationException");
    }
    let (sym2, _) = h.create_key().await;
    h.ok(
        "UpdateAlias",
        json!({"AliasName": "alias/s", "TargetKeyId": sym2}),
    )
    .await;
    let replica_region = call_on(
        &h.kms,
        ACCOUNT,
        "eu-west-1",
        "DescribeKey",
        json!({"KeyId": "alias/s"}),
    )
    .await;
    assert!(replica_region.is_err(), "aliases are per Region");
}
