//! Authorization of KMS requests: key policies (the default one delegating to IAM, one without
//! the account statement locking IAM out), IAM policies with KMS condition keys, explicit
//! denies, the lockout safety check, alias permissions, operations without a key, and
//! AWS-managed keys usable only through their service.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::callers::{denied, identity, no_policy, user};
use common::{ACCOUNT, Harness, REGION, assert_error, b64, call_with, via_with};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_kms::generated::{CreateGrantRequest, DecryptRequest, EncryptRequest};
use serde_json::{Value, json};

const LOCKOUT: &str =
    "The new key policy will not allow you to update the key policy in the future.";

fn alice_arn() -> String {
    format!("arn:aws:iam::{ACCOUNT}:user/alice")
}

async fn call(
    h: &Harness,
    ctx: &RequestContext,
    op: &str,
    body: Value,
) -> Result<Value, ServiceError> {
    call_with(&h.kms, ctx, op, body).await
}

fn allow(actions: Value, resource: &str) -> Value {
    json!({"Effect": "Allow", "Action": actions, "Resource": resource})
}

/// A key policy with the account statement and `more` statements.
fn key_policy(more: &[Value]) -> String {
    let mut statements = vec![
        json!({"Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "kms:*",
        "Resource": "*"}),
    ];
    statements.extend(more.iter().cloned());
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

async fn encrypt_body(key: &str, context: Value) -> Value {
    json!({"KeyId": key, "Plaintext": b64(b"secret"), "EncryptionContext": context})
}

#[tokio::test]
async fn user_allowed_encrypt_but_not_decrypt() {
    let h = Harness::new().await;
    let (id, arn) = h.create_key().await;
    let alice = user(
        ACCOUNT,
        "alice",
        &[identity(json!([allow(json!("kms:Encrypt"), &arn)]))],
    );
    let out = call(&h, &alice, "Encrypt", encrypt_body(&id, json!({})).await)
        .await
        .unwrap();
    let blob = out["CiphertextBlob"].clone();
    let e = call(&h, &alice, "Decrypt", json!({"CiphertextBlob": blob}))
        .await
        .unwrap_err();
    let why = no_policy("identity-based policy", "kms:Decrypt");
    assert_error(
        &e,
        "AccessDeniedException",
        &denied(&alice_arn(), "kms:Decrypt", &arn, &why),
    );
    assert_eq!(e.status, 400);
    h.ok("Decrypt", json!({"CiphertextBlob": blob})).await;
}

#[tokio::test]
async fn deny_on_decrypt_with_an_encryption_context_condition() {
    let h = Harness::new().await;
    let (id, arn) = h.create_key().await;
    let policy = identity(json!([
        allow(json!("kms:*"), "*"),
        {"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*",
         "Condition": {"StringEquals": {"kms:EncryptionContext:Dept": "HR"}}}
    ]));
    let alice = user(ACCOUNT, "alice", &[policy]);
    for dept in ["IT", "HR"] {
        let body = encrypt_body(&id, json!({"Dept": dept})).await;
        let blob = call(&h, &alice, "Encrypt", body).await.unwrap()["CiphertextBlob"].clone();
        let decrypt = json!({"CiphertextBlob": blob, "EncryptionContext": {"Dept": dept}});
        let got = call(&h, &alice, "Decrypt", decrypt).await;
        if dept == "IT" {
            assert!(got.is_ok());
        } else {
            let why = "with an explicit deny in an identity-based policy";
            let e = got.unwrap_err();
            assert_error(
                &e,
                "AccessDeniedException",
                &denied(&alice_arn(), "kms:Decrypt", &arn, why),
            );
        }
    }
}

#[tokio::test]
async fn default_key_policy_makes_iam_policies_count() {
    let h = Harness::new().await;
    let (id, arn) = h.create_key().await;
    let nobody = user(ACCOUNT, "bob", &[]);
    let e = call(&h, &nobody, "DescribeKey", json!({"KeyId": id}))
        .await
        .unwrap_err();
    let why = no_policy("identity-based policy", "kms:DescribeKey");
    let bob = format!("arn:aws:iam::{ACCOUNT}:user/bob");
    assert_error(
        &e,
        "AccessDeniedException",
        &denied(&bob, "kms:DescribeKey", &arn, &why),
    );
    let scoped = identity(json!([allow(
        json!(["kms:Describe*", "kms:TagResource"]),
        &format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/*")
    )]));
    let alice = user(ACCOUNT, "alice", &[scoped]);
    call(&h, &alice, "DescribeKey", json!({"KeyId": arn}))
        .await
        .unwrap();
    let tag = json!({"KeyId": id, "Tags": [{"TagKey": "team", "TagValue": "a"}]});
    call(&h, &alice, "TagResource", tag).await.unwrap();
    let e = call(&h, &alice, "DisableKey", json!({"KeyId": id}))
        .await
        .unwrap_err();
    assert_eq!(e.code, "AccessDeniedException");
    let e = call(&h, &alice, "ListKeys", json!({})).await.unwrap_err();
    let why = no_policy("identity-based policy", "kms:ListKeys");
    assert_error(
        &e,
        "AccessDeniedException",
        &denied(&alice_arn(), "kms:ListKeys", "*", &why),
    );
}

#[tokio::test]
async fn key_policy_without_the_account_statement_locks_iam_out() {
    let h = Harness::new().await;
    let only_alice = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": alice_arn()}, "Action": "kms:*", "Resource": "*"}]})
    .to_string();
    let e = h.err("CreateKey", json!({"Policy": only_alice})).await;
    assert_error(&e, "MalformedPolicyDocumentException", LOCKOUT);
    let out = h
        .ok(
            "CreateKey",
            json!({"Policy": only_alice, "BypassPolicyLockoutSafetyCheck": true}),
        )
        .await;
    let arn = out["KeyMetadata"]["Arn"].as_str().unwrap().to_owned();
    let admin = user(
        ACCOUNT,
        "admin",
        &[identity(json!([allow(json!("kms:*"), "*")]))],
    );
    let e = call(&h, &admin, "DescribeKey", json!({"KeyId": arn}))
        .await
        .unwrap_err();
    let why = no_policy("resource-based policy", "kms:DescribeKey");
    let admin_arn = format!("arn:aws:iam::{ACCOUNT}:user/admin");
    assert_error(
        &e,
        "AccessDeniedException",
        &denied(&admin_arn, "kms:DescribeKey", &arn, &why),
    );
    let e = h.err("DescribeKey", json!({"KeyId": arn})).await;
    assert_eq!(e.code, "AccessDeniedException", "the root user too");
    let alice = user(ACCOUNT, "alice", &[]);
    call(&h, &alice, "DescribeKey", json!({"KeyId": arn}))
        .await
        .unwrap();
}

#[tokio::test]
async fn lockout_check_and_bypass() {
    let h = Harness::new().await;
    let (id, arn) = h.create_key().await;
    let role_only = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:role/admin")}, "Action": "kms:*",
        "Resource": "*"}]})
    .to_string();
    let put = json!({"KeyId": id, "Policy": role_only});
    let e = h.err("PutKeyPolicy", put.clone()).await;
    assert_error(&e, "MalformedPolicyDocumentException", LOCKOUT);
    let alice = user(
        ACCOUNT,
        "alice",
        &[identity(json!([allow(json!("kms:*"), "*")]))],
    );
    let mine = key_policy(&[]);
    call(
        &h,
        &alice,
        "PutKeyPolicy",
        json!({"KeyId": id, "Policy": mine}),
    )
    .await
    .unwrap();
    let mut bypass = put;
    bypass["BypassPolicyLockoutSafetyCheck"] = json!(true);
    h.ok("PutKeyPolicy", bypass).await;
    let e = h
        .err(
            "PutKeyPolicy",
            json!({"KeyId": id, "Policy": key_policy(&[])}),
        )
        .await;
    let why = no_policy("resource-based policy", "kms:PutKeyPolicy");
    let root = format!("arn:aws:iam::{ACCOUNT}:root");
    assert_error(
        &e,
        "AccessDeniedException",
        &denied(&root, "kms:PutKeyPolicy", &arn, &why),
    );
    let bad = json!({"KeyId": id, "Policy": "{\"Statement\":[]}"});
    let e = call(&h, &alice, "PutKeyPolicy", bad).await.unwrap_err();
    assert_eq!(
        e.code, "AccessDeniedException",
        "authorized before the document is read"
    );
}

#[tokio::test]
async fn key_policy_documents_are_validated() {
    let h = Harness::new().await;
    let (id, _) = h.create_key().await;
    let bad_principal = json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "alice"},
        "Action": "kms:*", "Resource": "*"}]})
    .to_string();
    let e = h
        .err(
            "PutKeyPolicy",
            json!({"KeyId": id, "Policy": bad_principal}),
        )
        .await;
    assert_error(
        &e,
        "MalformedPolicyDocumentException",
        "Policy contains a statement with one or more invalid principals.",
    );
    let e = h
        .err("CreateKey", json!({"Policy": "{\"Statement\":[]}"}))
        .await;
    assert_error(
        &e,
        "MalformedPolicyDocumentException",
        "Missing required field Statement",
    );
    let padded = format!("{}{}", key_policy(&[]), " ".repeat(32_768));
    let e = h
        .err("PutKeyPolicy", json!({"KeyId": id, "Policy": padded}))
        .await;
    assert_eq!(e.code, "LimitExceededException");
}

#[tokio::test]
async fn aliases_need_the_alias_permission_and_the_key_permission() {
    let h = Harness::new().await;
    let (id, arn) = h.create_key().await;
    let alias_arn = format!("arn:aws:kms:{REGION}:{ACCOUNT}:alias/app");
    let key_only = identity(json!([allow(json!("kms:CreateAlias"), &arn)]));
    let alice = user(ACCOUNT, "alice", &[key_only]);
    let body = json!({"AliasName": "alias/app", "TargetKeyId": id});
    let e = call(&h, &alice, "CreateAlias", body.clone())
        .await
        .unwrap_err();
    let why = no_policy("identity-based policy", "kms:CreateAlias");
    assert_error(
        &e,
        "AccessDeniedException",
        &denied(&alice_arn(), "kms:CreateAlias", &alias_arn, &why),
    );
    let both = identity(json!([
        allow(json!("kms:CreateAlias"), &arn),
        allow(json!(["kms:CreateAlias", "kms:DeleteAlias"]), &alias_arn)
    ]));
    let alice = user(ACCOUNT, "alice", &[both]);
    call(&h, &alice, "CreateAlias", body).await.unwrap();
    let e = call(&h, &alice, "DeleteAlias", json!({"AliasName": "alias/app"}))
        .await
        .unwrap_err();
    let why = no_policy("identity-based policy", "kms:DeleteAlias");
    assert_error(
        &e,
        "AccessDeniedException",
        &denied(&alice_arn(), "kms:DeleteAlias", &arn, &why),
    );
    let e = call(&h, &alice, "ListAliases", json!({}))
        .await
        .unwrap_err();
    assert_eq!(e.code, "AccessDeniedException");
}

#[tokio::test]
async fn condition_keys_of_the_key_and_the_request() {
    let h = Harness::new().await;
    let (id, arn) = h.create_key().await;
    h.ok(
        "TagResource",
        json!({"KeyId": id, "Tags": [{"TagKey": "team", "TagValue": "blue"}]}),
    )
    .await;
    h.ok(
        "CreateAlias",
        json!({"AliasName": "alias/blue", "TargetKeyId": id}),
    )
    .await;
    let policy = identity(json!([
        {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue",
                                        "kms:EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
                                        "kms:KeySpec": "SYMMETRIC_DEFAULT"},
                       "ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/blue"}}},
        {"Effect": "Allow", "Action": "kms:DescribeKey", "Resource": "*",
         "Condition": {"StringEquals": {"kms:RequestAlias": "alias/blue"}}},
        {"Effect": "Allow", "Action": "kms:ScheduleKeyDeletion", "Resource": "*",
         "Condition": {"NumericGreaterThanEquals":
                       {"kms:ScheduleKeyDeletionPendingWindowInDays": "20"}}}
    ]));
    let alice = user(ACCOUNT, "alice", &[policy]);
    call(
        &h,
        &alice,
        "Encrypt",
        encrypt_body("alias/blue", json!({})).await,
    )
    .await
    .unwrap();
    call(&h, &alice, "DescribeKey", json!({"KeyId": "alias/blue"}))
        .await
        .unwrap();
    let e = call(&h, &alice, "DescribeKey", json!({"KeyId": arn}))
        .await
        .unwrap_err();
    assert_eq!(
        e.code, "AccessDeniedException",
        "kms:RequestAlias only with the alias"
    );
    let short = json!({"KeyId": id, "PendingWindowInDays": 7});
    assert!(
        call(&h, &alice, "ScheduleKeyDeletion", short)
            .await
            .is_err()
    );
    let long = json!({"KeyId": id, "PendingWindowInDays": 30});
    call(&h, &alice, "ScheduleKeyDeletion", long).await.unwrap();
    h.ok("CancelKeyDeletion", json!({"KeyId": id})).await;
    h.ok("EnableKey", json!({"KeyId": id})).await;
    h.ok(
        "TagResource",
        json!({"KeyId": id, "Tags": [{"TagKey": "team", "TagValue": "red"}]}),
    )
    .await;
    let e = call(&h, &alice, "Encrypt", encrypt_body(&id, json!({})).await)
        .await
        .unwrap_err();
    assert_eq!(
        e.code, "AccessDeniedException",
        "the new tag is seen at once"
    );
}

#[tokio::test]
async fn create_key_needs_iam_permission_and_tag_permission_for_tags() {
    let h = Harness::new().await;
    let create = identity(
        json!([{"Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*",
        "Condition": {"StringEquals": {"kms:KeySpec": "SYMMETRIC_DEFAULT"}}}]),
    );
    let alice = user(ACCOUNT, "alice", &[create]);
    call(&h, &alice, "CreateKey", json!({})).await.unwrap();
    let hmac = json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"});
    let e = call(&h, &alice, "CreateKey", hmac).await.unwrap_err();
    let why = no_policy("identity-based policy", "kms:CreateKey");
    assert_error(
        &e,
        "AccessDeniedException",
        &denied(&alice_arn(), "kms:CreateKey", "*", &why),
    );
    let tagged = json!({"Tags": [{"TagKey": "a", "TagValue": "b"}]});
    let e = call(&h, &alice, "CreateKey", tagged).await.unwrap_err();
    assert!(e.message.contains("kms:TagResource"), "{}", e.message);
    let nobody = user(ACCOUNT, "bob", &[]);
    let e = call(&h, &nobody, "GenerateRandom", json!({"NumberOfBytes": 8}))
        .await
        .unwrap_err();
    assert_eq!(e.code, "AccessDeniedException");
}

#[tokio::test]
async fn aws_managed_keys_are_usable_only_via_their_service() {
    let h = Harness::new().await;
    let key = h
        .kms
        .aws_managed_key(ACCOUNT, REGION, "secretsmanager")
        .await
        .unwrap();
    let alice = user(
        ACCOUNT,
        "alice",
        &[identity(json!([allow(json!("kms:*"), "*")]))],
    );
    let body = encrypt_body("alias/aws/secretsmanager", json!({})).await;
    let e = call(&h, &alice, "Encrypt", body.clone()).await.unwrap_err();
    let why = no_policy("resource-based policy", "kms:Encrypt");
    assert_error(
        &e,
        "AccessDeniedException",
        &denied(&alice_arn(), "kms:Encrypt", &key.arn(), &why),
    );
    let sm = "secretsmanager";
    let via = via_with::<EncryptRequest>(&h.kms, &alice, sm, body.clone()).await;
    let blob = via.unwrap()["CiphertextBlob"].clone();
    let wrong = via_with::<EncryptRequest>(&h.kms, &alice, "ssm", body).await;
    assert_eq!(wrong.unwrap_err().code, "AccessDeniedException");
    let decrypt = json!({"CiphertextBlob": blob.clone()});
    let plain = via_with::<DecryptRequest>(&h.kms, &alice, sm, decrypt).await;
    assert_eq!(plain.unwrap()["Plaintext"], b64(b"secret"));
    let nobody = user(ACCOUNT, "bob", &[]);
    let decrypt = json!({"CiphertextBlob": blob});
    let plain = via_with::<DecryptRequest>(&h.kms, &nobody, sm, decrypt).await;
    assert!(plain.is_ok());
    call(&h, &alice, "DescribeKey", json!({"KeyId": key.key_id}))
        .await
        .unwrap();
    call(&h, &alice, "GetKeyPolicy", json!({"KeyId": key.key_id}))
        .await
        .unwrap();
    let grant = json!({"KeyId": key.key_id, "GranteePrincipal": alice_arn(),
        "Operations": ["Decrypt"]});
    let e = call(&h, &alice, "CreateGrant", grant.clone())
        .await
        .unwrap_err();
    assert_eq!(e.code, "AccessDeniedException");
    let via = via_with::<CreateGrantRequest>(&h.kms, &alice, sm, grant).await;
    via.unwrap();
    let e = call(&h, &alice, "DisableKey", json!({"KeyId": key.key_id}))
        .await
        .unwrap_err();
    assert_eq!(e.code, "AccessDeniedException");
}

#[tokio::test]
async fn re_encrypt_checks_both_keys_and_same_key_condition() {
    let h = Harness::new().await;
    let (a, a_arn) = h.create_key().await;
    let (b, _) = h.create_key().await;
    let policy = identity(json!([
        allow(json!("kms:Encrypt"), "*"),
        {"Effect": "Allow", "Action": "kms:ReEncrypt*", "Resource": "*",
         "Condition": {"Bool": {"kms:ReEncryptOnSameKey": "true"}}}
    ]));
    let alice = user(ACCOUNT, "alice", &[policy]);
    let blob = call(&h, &alice, "Encrypt", encrypt_body(&a, json!({})).await)
        .await
        .unwrap()["CiphertextBlob"]
        .clone();
    let same = json!({"CiphertextBlob": blob, "DestinationKeyId": a_arn});
    call(&h, &alice, "ReEncrypt", same).await.unwrap();
    let other = json!({"CiphertextBlob": blob, "DestinationKeyId": b});
    let e = call(&h, &alice, "ReEncrypt", other).await.unwrap_err();
    let why = no_policy("identity-based policy", "kms:ReEncryptFrom");
    assert_error(
        &e,
        "AccessDeniedException",
        &denied(&alice_arn(), "kms:ReEncryptFrom", &a_arn, &why),
    );
}
