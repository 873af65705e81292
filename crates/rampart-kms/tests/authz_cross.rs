//! Authorization across accounts and through grants: a key of one account used by another
//! (key policy and the caller's IAM policy must both allow, and only for the operations AWS
//! allows), grants to another account's role used then retired, CreateGrant through a grant
//! (held to that grant), an explicit deny beating a grant, and metering in the key's account.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::callers::{OTHER, denied, identity, no_policy, role_session, user};
use common::{ACCOUNT, Harness, REGION, assert_error, b64, call_with, context};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use serde_json::{Value, json};

async fn call(
    h: &Harness,
    ctx: &RequestContext,
    op: &str,
    body: Value,
) -> Result<Value, ServiceError> {
    call_with(&h.kms, ctx, op, body).await
}

fn encrypt(key: &str) -> Value {
    json!({"KeyId": key, "Plaintext": b64(b"secret")})
}

/// A key of ACCOUNT whose policy also lets OTHER's account use it for `actions`.
async fn shared_key(h: &Harness, actions: Value) -> (String, String) {
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
         "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{OTHER}:root")},
         "Action": actions, "Resource": "*"}]});
    let out = h
        .ok("CreateKey", json!({"Policy": policy.to_string()}))
        .await;
    let meta = &out["KeyMetadata"];
    (
        meta["KeyId"].as_str().unwrap().into(),
        meta["Arn"].as_str().unwrap().into(),
    )
}

#[tokio::test]
async fn cross_account_needs_both_policies_and_an_allowed_operation() {
    let h = Harness::new().await;
    let (id, arn) = shared_key(
        &h,
        json!(["kms:Encrypt", "kms:DescribeKey", "kms:DisableKey"]),
    )
    .await;
    let carol_arn = format!("arn:aws:iam::{OTHER}:user/carol");
    let allowed = identity(
        json!([{"Effect": "Allow", "Action": ["kms:Encrypt", "kms:DisableKey",
        "kms:Decrypt"], "Resource": arn}]),
    );
    let carol = user(OTHER, "carol", &[allowed]);
    let out = call(&h, &carol, "Encrypt", encrypt(&arn)).await.unwrap();
    assert_eq!(out["KeyId"], arn);
    let e = call(&h, &carol, "DescribeKey", json!({"KeyId": arn}))
        .await
        .unwrap_err();
    let why = no_policy("identity-based policy", "kms:DescribeKey");
    assert_error(
        &e,
        "AccessDeniedException",
        &denied(&carol_arn, "kms:DescribeKey", &arn, &why),
    );
    let blob = out["CiphertextBlob"].clone();
    let e = call(
        &h,
        &carol,
        "Decrypt",
        json!({"CiphertextBlob": blob, "KeyId": arn}),
    )
    .await
    .unwrap_err();
    let why = no_policy("resource-based policy", "kms:Decrypt");
    assert_error(
        &e,
        "AccessDeniedException",
        &denied(&carol_arn, "kms:Decrypt", &arn, &why),
    );
    let e = call(&h, &carol, "DisableKey", json!({"KeyId": arn}))
        .await
        .unwrap_err();
    let why = no_policy("resource-based policy", "kms:DisableKey");
    assert_error(
        &e,
        "AccessDeniedException",
        &denied(&carol_arn, "kms:DisableKey", &arn, &why),
    );
    let e = call(&h, &carol, "Encrypt", encrypt(&id)).await.unwrap_err();
    let own = format!("arn:aws:kms:{REGION}:{OTHER}:key/{id}");
    assert_error(
        &e,
        "NotFoundException",
        &format!("Key '{own}' does not exist"),
    );
    let root = context(OTHER, REGION);
    call(&h, &root, "DescribeKey", json!({"KeyId": arn}))
        .await
        .unwrap();
    let e = call(&h, &root, "DisableKey", json!({"KeyId": arn}))
        .await
        .unwrap_err();
    assert_eq!(e.code, "AccessDeniedException");
    let meta = h.ok("DescribeKey", json!({"KeyId": id})).await;
    assert_eq!(meta["KeyMetadata"]["KeyState"], "Enabled");
}

#[tokio::test]
async fn cross_account_alias_arns_and_metering_in_the_keys_account() {
    let h = Harness::new().await;
    let (id, arn) = shared_key(&h, json!(["kms:Encrypt"])).await;
    h.ok(
        "CreateAlias",
        json!({"AliasName": "alias/shared", "TargetKeyId": id}),
    )
    .await;
    let carol = user(
        OTHER,
        "carol",
        &[identity(json!([{"Effect": "Allow",
        "Action": "kms:Encrypt", "Resource": "*"}]))],
    );
    let alias_arn = format!("arn:aws:kms:{REGION}:{ACCOUNT}:alias/shared");
    let out = call(&h, &carol, "Encrypt", encrypt(&alias_arn))
        .await
        .unwrap();
    assert_eq!(out["KeyId"], arn);
    h.kms.flush_usage().await.unwrap();
    let last = h.ok("GetKeyLastUsage", json!({"KeyId": id})).await;
    assert_eq!(last["KeyLastUsage"]["Operation"], "Encrypt");
}

#[tokio::test]
async fn grant_to_another_accounts_role_used_then_retired() {
    let h = Harness::new().await;
    let (_, arn) = h.create_key().await;
    let role = format!("arn:aws:iam::{OTHER}:role/app");
    let grant = json!({"KeyId": arn, "GranteePrincipal": role, "RetiringPrincipal": role,
        "Operations": ["Encrypt", "Decrypt"]});
    let token = h.ok("CreateGrant", grant).await["GrantToken"].clone();
    let app = role_session(OTHER, "app", "s1", &[]);
    let blob = call(&h, &app, "Encrypt", encrypt(&arn)).await.unwrap()["CiphertextBlob"].clone();
    let decrypt = json!({"CiphertextBlob": blob, "KeyId": arn});
    call(&h, &app, "Decrypt", decrypt.clone()).await.unwrap();
    let e = call(&h, &app, "DescribeKey", json!({"KeyId": arn}))
        .await
        .unwrap_err();
    assert_eq!(e.code, "AccessDeniedException", "not a granted operation");
    call(&h, &app, "RetireGrant", json!({"GrantToken": token}))
        .await
        .unwrap();
    let e = call(&h, &app, "Decrypt", decrypt).await.unwrap_err();
    let session = format!("arn:aws:sts::{OTHER}:assumed-role/app/s1");
    let why = no_policy("resource-based policy", "kms:Decrypt");
    assert_error(
        &e,
        "AccessDeniedException",
        &denied(&session, "kms:Decrypt", &arn, &why),
    );
}

#[tokio::test]
async fn grant_constraints_are_checked_on_use() {
    let h = Harness::new().await;
    let (id, _) = h.create_key().await;
    let alice = format!("arn:aws:iam::{ACCOUNT}:user/alice");
    let grant = json!({"KeyId": id, "GranteePrincipal": alice, "Operations": ["Encrypt"],
        "Constraints": {"EncryptionContextSubset": {"Dept": "IT"}}});
    h.ok("CreateGrant", grant).await;
    let ctx = user(ACCOUNT, "alice", &[]);
    let mut body = encrypt(&id);
    assert!(call(&h, &ctx, "Encrypt", body.clone()).await.is_err());
    body["EncryptionContext"] = json!({"Dept": "IT", "App": "x"});
    call(&h, &ctx, "Encrypt", body).await.unwrap();
}

#[tokio::test]
async fn create_grant_through_a_grant_is_held_to_it() {
    let h = Harness::new().await;
    let (id, arn) = h.create_key().await;
    let alice = format!("arn:aws:iam::{ACCOUNT}:user/alice");
    let bob = format!("arn:aws:iam::{ACCOUNT}:user/bob");
    let parent = json!({"KeyId": id, "GranteePrincipal": alice,
        "Operations": ["Decrypt", "CreateGrant"],
        "Constraints": {"EncryptionContextSubset": {"Dept": "IT"}}});
    h.ok("CreateGrant", parent).await;
    let ctx = user(ACCOUNT, "alice", &[]);
    let child = |ops: Value, constraints: Value| {
        let mut body = json!({"KeyId": arn, "GranteePrincipal": bob, "Operations": ops});
        if !constraints.is_null() {
            body["Constraints"] = constraints;
        }
        body
    };
    let stricter = json!({"EncryptionContextSubset": {"Dept": "IT", "App": "x"}});
    call(&h, &ctx, "CreateGrant", child(json!(["Decrypt"]), stricter))
        .await
        .unwrap();
    let why = no_policy("identity-based policy", "kms:CreateGrant");
    let refused = denied(&alice, "kms:CreateGrant", &arn, &why);
    let looser = child(json!(["Decrypt"]), json!(null));
    let e = call(&h, &ctx, "CreateGrant", looser).await.unwrap_err();
    assert_error(&e, "AccessDeniedException", &refused);
    let more_ops = child(
        json!(["Encrypt"]),
        json!({"EncryptionContextSubset": {"Dept": "IT"}}),
    );
    let e = call(&h, &ctx, "CreateGrant", more_ops).await.unwrap_err();
    assert_error(&e, "AccessDeniedException", &refused);
    assert_eq!(
        h.ok("ListGrants", json!({"KeyId": id})).await["Grants"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn explicit_deny_beats_a_grant() {
    let h = Harness::new().await;
    let (id, arn) = h.create_key().await;
    let alice_arn = format!("arn:aws:iam::{ACCOUNT}:user/alice");
    let grant =
        json!({"KeyId": id, "GranteePrincipal": alice_arn, "Operations": ["Encrypt", "Decrypt"]});
    h.ok("CreateGrant", grant).await;
    let deny = identity(json!([{"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}]));
    let alice = user(ACCOUNT, "alice", &[deny]);
    let blob = call(&h, &alice, "Encrypt", encrypt(&id)).await.unwrap()["CiphertextBlob"].clone();
    let e = call(&h, &alice, "Decrypt", json!({"CiphertextBlob": blob}))
        .await
        .unwrap_err();
    let why = "with an explicit deny in an identity-based policy";
    assert_error(
        &e,
        "AccessDeniedException",
        &denied(&alice_arn, "kms:Decrypt", &arn, why),
    );
}

#[tokio::test]
async fn revoke_needs_policy_permission_but_retire_by_the_retiree_does_not() {
    let h = Harness::new().await;
    let (id, _) = h.create_key().await;
    let admin = format!("arn:aws:iam::{ACCOUNT}:user/admin");
    let body = json!({"KeyId": id, "GranteePrincipal": admin, "RetiringPrincipal": admin,
        "Operations": ["Decrypt"]});
    let grant_id = h.ok("CreateGrant", body.clone()).await["GrantId"].clone();
    let ctx = user(ACCOUNT, "admin", &[]);
    let revoke = json!({"KeyId": id, "GrantId": grant_id});
    let e = call(&h, &ctx, "RevokeGrant", revoke).await.unwrap_err();
    assert_eq!(e.code, "AccessDeniedException");
    call(
        &h,
        &ctx,
        "RetireGrant",
        json!({"KeyId": id, "GrantId": grant_id}),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn cross_account_decrypt_without_key_id() {
    let h = Harness::new().await;
    let (id, arn) = shared_key(&h, json!(["kms:Decrypt"])).await;
    let blob = h.ok("Encrypt", encrypt(&id)).await["CiphertextBlob"].clone();
    let reader = role_session(
        OTHER,
        "reader",
        "s",
        &[identity(json!([{"Effect": "Allow",
        "Action": "kms:Decrypt", "Resource": "*"}]))],
    );
    let out = call(&h, &reader, "Decrypt", json!({"CiphertextBlob": blob}))
        .await
        .unwrap();
    assert_eq!(out["Plaintext"], b64(b"secret"));
    assert_eq!(out["KeyId"], arn);
    let stranger = user(
        "999999999999",
        "eve",
        &[identity(json!([{"Effect": "Allow",
        "Action": "kms:Decrypt", "Resource": "*"}]))],
    );
    let e = call(&h, &stranger, "Decrypt", json!({"CiphertextBlob": blob}))
        .await
        .unwrap_err();
    assert_eq!(e.code, "AccessDeniedException");
}
