//! AWS-managed keys: created once on first use (also under concurrency and across nodes), with
//! AWS's description, key policy and yearly rotation, visible through DescribeKey, GetKeyPolicy
//! and ListAliases, and refused to every user change.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ACCOUNT, Harness, REGION, assert_error};
use serde_json::{Value, json};

#[tokio::test]
async fn first_use_creates_the_key_and_its_alias_once() {
    let h = Harness::new().await;
    let key = h
        .kms
        .aws_managed_key(ACCOUNT, REGION, "secretsmanager")
        .await
        .unwrap();
    assert_eq!(key.key_manager, "AWS");
    assert_eq!(
        key.description,
        "Default key that protects my Secrets Manager data when no other key is defined"
    );
    let again = h
        .kms
        .aws_managed_key(ACCOUNT, REGION, "secretsmanager")
        .await
        .unwrap();
    assert_eq!(again.key_id, key.key_id);
    let meta = h
        .ok("DescribeKey", json!({"KeyId": "alias/aws/secretsmanager"}))
        .await["KeyMetadata"]
        .clone();
    assert_eq!(meta["KeyId"], key.key_id);
    assert_eq!(meta["KeyManager"], "AWS");
    assert_eq!(meta["Origin"], "AWS_KMS");
    assert_eq!(meta["KeyState"], "Enabled");
    let aliases = h.ok("ListAliases", json!({})).await;
    let listed = aliases["Aliases"].as_array().unwrap();
    let entry = listed
        .iter()
        .find(|a| a["AliasName"] == "alias/aws/secretsmanager")
        .unwrap();
    assert_eq!(entry["TargetKeyId"], key.key_id);
    let s3 = listed.iter().find(|a| a["AliasName"] == "alias/aws/s3");
    assert_eq!(
        s3,
        Some(&json!({
            "AliasName": "alias/aws/s3",
            "AliasArn": format!("arn:aws:kms:{REGION}:{ACCOUNT}:alias/aws/s3"),
        }))
    );
    assert_eq!(
        entry["AliasArn"],
        format!("arn:aws:kms:{REGION}:{ACCOUNT}:alias/aws/secretsmanager")
    );
    let other_region = h
        .kms
        .aws_managed_key(ACCOUNT, "eu-west-1", "secretsmanager")
        .await
        .unwrap();
    assert_ne!(other_region.key_id, key.key_id);
}

#[tokio::test]
async fn concurrent_first_uses_on_two_nodes_make_one_key() {
    let h = Harness::new().await;
    let other = h.second_node();
    let (a, b, c) = tokio::join!(
        h.kms.aws_managed_key(ACCOUNT, REGION, "ssm"),
        other.aws_managed_key(ACCOUNT, REGION, "ssm"),
        h.kms.aws_managed_key(ACCOUNT, REGION, "ssm"),
    );
    let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
    assert_eq!(a.key_id, b.key_id);
    assert_eq!(a.key_id, c.key_id);
    let keys = h.ok("ListKeys", json!({})).await;
    assert_eq!(keys["Keys"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn policy_allows_use_only_through_the_service_and_rotation_is_yearly() {
    let h = Harness::new().await;
    let key = h.kms.aws_managed_key(ACCOUNT, REGION, "ebs").await.unwrap();
    let got = h.ok("GetKeyPolicy", json!({"KeyId": key.key_id})).await;
    let policy: Value = serde_json::from_str(got["Policy"].as_str().unwrap()).unwrap();
    let use_statement = &policy["Statement"][0];
    assert_eq!(use_statement["Principal"]["AWS"], "*");
    assert_eq!(
        use_statement["Condition"]["StringEquals"],
        json!({"kms:CallerAccount": ACCOUNT, "kms:ViaService": format!("ec2.{REGION}.amazonaws.com")})
    );
    let actions = use_statement["Action"].as_array().unwrap();
    for action in [
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:DescribeKey",
    ] {
        assert!(actions.contains(&json!(action)), "{action}");
    }
    assert_eq!(
        policy["Statement"][1]["Action"],
        json!(["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"])
    );
    assert!(key.rotation.enabled);
    assert_eq!(key.rotation.period_days, Some(365));
    let year_ms = 365 * 86_400_000;
    assert_eq!(
        key.rotation.next_rotation_ms,
        Some(key.created_ms + year_ms)
    );
}

#[tokio::test]
async fn users_cannot_change_aws_managed_keys() {
    let h = Harness::new().await;
    let key = h.kms.aws_managed_key(ACCOUNT, REGION, "s3").await.unwrap();
    let id = key.key_id.clone();
    let arn = format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{id}");
    let denied = |action: &str| {
        format!(
            "User: arn:aws:iam::{ACCOUNT}:root is not authorized to perform: {action} on \
             resource: {arn} because no resource-based policy allows the {action} action"
        )
    };
    let refused = [
        ("DisableKey", json!({"KeyId": id}), "kms:DisableKey"),
        ("EnableKey", json!({"KeyId": id}), "kms:EnableKey"),
        (
            "ScheduleKeyDeletion",
            json!({"KeyId": id}),
            "kms:ScheduleKeyDeletion",
        ),
        (
            "CancelKeyDeletion",
            json!({"KeyId": id}),
            "kms:CancelKeyDeletion",
        ),
        (
            "UpdateKeyDescription",
            json!({"KeyId": id, "Description": "mine"}),
            "kms:UpdateKeyDescription",
        ),
        (
            "PutKeyPolicy",
            json!({"KeyId": id, "PolicyName": "default", "Policy": "{\"Statement\":[]}"}),
            "kms:PutKeyPolicy",
        ),
        (
            "TagResource",
            json!({"KeyId": id, "Tags": [{"TagKey": "a", "TagValue": "b"}]}),
            "kms:TagResource",
        ),
        (
            "UntagResource",
            json!({"KeyId": id, "TagKeys": ["a"]}),
            "kms:UntagResource",
        ),
        (
            "CreateAlias",
            json!({"AliasName": "alias/mine", "TargetKeyId": id}),
            "kms:CreateAlias",
        ),
    ];
    for (op, body, action) in refused {
        let e = h.err(op, body).await;
        assert_error(&e, "AccessDeniedException", &denied(action));
    }
    let (mine, _) = h.create_key().await;
    h.ok(
        "CreateAlias",
        json!({"AliasName": "alias/mine", "TargetKeyId": mine}),
    )
    .await;
    let e = h
        .err(
            "UpdateAlias",
            json!({"AliasName": "alias/mine", "TargetKeyId": id}),
        )
        .await;
    assert_error(&e, "AccessDeniedException", &denied("kms:UpdateAlias"));
    for (op, body) in [
        ("DeleteAlias", json!({"AliasName": "alias/aws/s3"})),
        (
            "CreateAlias",
            json!({"AliasName": "alias/aws/s3", "TargetKeyId": mine}),
        ),
    ] {
        let e = h.err(op, body).await;
        assert_eq!(e.code, "NotAuthorizedException", "{op}");
    }
    let meta = h.ok("DescribeKey", json!({"KeyId": id})).await;
    assert_eq!(meta["KeyMetadata"]["KeyState"], "Enabled");
    assert_eq!(
        meta["KeyMetadata"]["Description"],
        "Default key that protects my S3 objects when no other key is defined"
    );
    let tags = h.ok("ListResourceTags", json!({"KeyId": id})).await;
    assert_eq!(tags["Tags"], json!([]));
}

#[tokio::test]
async fn bad_names_are_refused_and_nothing_is_stored() {
    let h = Harness::new().await;
    for (account, region, service) in [
        ("123", REGION, "ssm"),
        (ACCOUNT, REGION, ""),
        (ACCOUNT, REGION, "Has Space"),
        (ACCOUNT, "", "ssm"),
    ] {
        let e = h.kms.aws_managed_key(account, region, service).await;
        assert!(e.is_err(), "{account} {region} {service}");
    }
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
}
