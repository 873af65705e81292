//! AssumeRole: trust policies (a user named directly, the account delegating to IAM
//! policies, ExternalId conditions), cross-account roles, the answers AWS gives for missing
//! roles, root callers and malformed ARNs, the response shape and the audit record.

#![allow(clippy::unwrap_used)]

mod bench;

use bench::{ACCOUNT, Bench, OTHER, assume, enc, tag, trust};
use serde_json::json;

const ASSUME_ONLY: &str = r#""sts:AssumeRole""#;

fn role_arn(account: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:role/{name}")
}

fn allow_assume(resource: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"{resource}"}}]}}"#
    )
}

#[tokio::test]
async fn a_user_named_in_the_trust_policy_gets_a_role_session() {
    let b = Bench::new().await;
    let alice = b.user(ACCOUNT, "alice", None).await;
    let role = b
        .role(
            ACCOUNT,
            "/",
            "deploy",
            &trust(&alice.arn(), ASSUME_ONLY, None),
        )
        .await;
    let ctx = b.as_user(&alice).await;
    let xml = b
        .ok(&ctx, "AssumeRole", &assume(&role.arn(), "run-1", ""))
        .await;
    assert_eq!(
        tag(&xml, "Arn").unwrap(),
        "arn:aws:sts::111122223333:assumed-role/deploy/run-1"
    );
    assert_eq!(
        tag(&xml, "AssumedRoleId").unwrap(),
        format!("{}:run-1", role.role_id)
    );
    let key = tag(&xml, "AccessKeyId").unwrap();
    assert!(key.starts_with("ASIA") && key.len() == 20, "{key}");
    assert_eq!(tag(&xml, "SecretAccessKey").unwrap().len(), 40);
    assert!(
        tag(&xml, "Expiration")
            .unwrap()
            .starts_with("2026-03-01T13:00:00")
    );
    assert!(tag(&xml, "PackedPolicySize").is_none());
    let session = b.as_session(&xml).await;
    let who = b.ok(&session, "GetCallerIdentity", "").await;
    assert_eq!(
        tag(&who, "Arn").unwrap(),
        "arn:aws:sts::111122223333:assumed-role/deploy/run-1"
    );
    assert_eq!(
        tag(&who, "UserId").unwrap(),
        format!("{}:run-1", role.role_id)
    );
    assert_eq!(tag(&who, "Account").unwrap(), ACCOUNT);
    assert!(bench::allowed(&session, "kms:Encrypt", "*", ACCOUNT));
}

#[tokio::test]
async fn trusting_the_account_delegates_to_the_callers_iam_policies() {
    let b = Bench::new().await;
    let role = b
        .role(ACCOUNT, "/", "ops", &trust(ACCOUNT, ASSUME_ONLY, None))
        .await;
    let arn = role.arn();
    let bob = b.user(ACCOUNT, "bob", None).await;
    let err = b
        .err(
            &b.as_user(&bob).await,
            "AssumeRole",
            &assume(&arn, "s1", ""),
        )
        .await;
    assert_eq!((err.code.as_ref(), err.status), ("AccessDenied", 403));
    assert_eq!(
        err.message,
        format!(
            "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: \
             sts:AssumeRole on resource: {arn}"
        )
    );
    let carol = b.user(ACCOUNT, "carol", Some(&allow_assume(&arn))).await;
    b.ok(
        &b.as_user(&carol).await,
        "AssumeRole",
        &assume(&arn, "s1", ""),
    )
    .await;
    let other_role = b
        .role(ACCOUNT, "/", "other", &trust(ACCOUNT, ASSUME_ONLY, None))
        .await;
    let err = b
        .err(
            &b.as_user(&carol).await,
            "AssumeRole",
            &assume(&other_role.arn(), "s1", ""),
        )
        .await;
    assert_eq!(err.code, "AccessDenied");
}

#[tokio::test]
async fn missing_roles_and_non_role_arns_are_denied_like_aws() {
    let b = Bench::new().await;
    let alice = b.user(ACCOUNT, "alice", Some(bench::ALLOW_ALL)).await;
    let ctx = b.as_user(&alice).await;
    for arn in [
        role_arn(ACCOUNT, "nope"),
        role_arn(OTHER, "nope"),
        alice.arn(),
        "arn:aws:iam::111122223333:role/wrong/path/deploy".to_owned(),
    ] {
        if arn.contains("deploy") {
            b.role(ACCOUNT, "/", "deploy", &trust(ACCOUNT, ASSUME_ONLY, None))
                .await;
        }
        let err = b.err(&ctx, "AssumeRole", &assume(&arn, "s1", "")).await;
        assert_eq!((err.code.as_ref(), err.status), ("AccessDenied", 403));
        assert_eq!(
            err.message,
            format!(
                "User: {} is not authorized to perform: sts:AssumeRole on resource: {arn}",
                alice.arn()
            )
        );
    }
    let err = b
        .err(
            &ctx,
            "AssumeRole",
            &assume("not-an-arn-at-all-xyz", "s1", ""),
        )
        .await;
    assert_eq!((err.code.as_ref(), err.status), ("ValidationError", 400));
    assert_eq!(err.message, "not-an-arn-at-all-xyz is invalid");
}

#[tokio::test]
async fn the_root_user_cannot_assume_roles() {
    let b = Bench::new().await;
    let role = b
        .role(ACCOUNT, "/", "deploy", &trust(ACCOUNT, ASSUME_ONLY, None))
        .await;
    let err = b
        .err(
            &b.root(ACCOUNT),
            "AssumeRole",
            &assume(&role.arn(), "s1", ""),
        )
        .await;
    assert_eq!((err.code.as_ref(), err.status), ("AccessDenied", 403));
    assert_eq!(err.message, "Roles may not be assumed by root accounts.");
}

#[tokio::test]
async fn external_id_conditions_are_enforced() {
    let b = Bench::new().await;
    let alice = b.user(ACCOUNT, "alice", None).await;
    let condition = r#"{"StringEquals":{"sts:ExternalId":"secret-42"}}"#;
    let role = b
        .role(
            ACCOUNT,
            "/",
            "vendor",
            &trust(&alice.arn(), ASSUME_ONLY, Some(condition)),
        )
        .await;
    let ctx = b.as_user(&alice).await;
    for extra in ["", "&ExternalId=wrong-1"] {
        let err = b
            .err(&ctx, "AssumeRole", &assume(&role.arn(), "s1", extra))
            .await;
        assert_eq!(err.code, "AccessDenied", "{extra}");
    }
    b.ok(
        &ctx,
        "AssumeRole",
        &assume(&role.arn(), "s1", "&ExternalId=secret-42"),
    )
    .await;
}

#[tokio::test]
async fn session_name_conditions_see_the_requested_name() {
    let b = Bench::new().await;
    let alice = b.user(ACCOUNT, "alice", None).await;
    let condition = r#"{"StringLike":{"sts:RoleSessionName":"alice-*"}}"#;
    let role = b
        .role(
            ACCOUNT,
            "/",
            "named",
            &trust(&alice.arn(), ASSUME_ONLY, Some(condition)),
        )
        .await;
    let ctx = b.as_user(&alice).await;
    assert_eq!(
        b.err(&ctx, "AssumeRole", &assume(&role.arn(), "bob-1", ""))
            .await
            .code,
        "AccessDenied"
    );
    b.ok(&ctx, "AssumeRole", &assume(&role.arn(), "alice-1", ""))
        .await;
}

#[tokio::test]
async fn cross_account_roles_need_the_trust_policy_and_the_callers_policies() {
    let b = Bench::new().await;
    let role = b
        .role(
            OTHER,
            "/team/",
            "shared",
            &trust(&format!("arn:aws:iam::{ACCOUNT}:root"), ASSUME_ONLY, None),
        )
        .await;
    let arn = role.arn();
    assert_eq!(arn, "arn:aws:iam::444455556666:role/team/shared");
    let bob = b.user(ACCOUNT, "bob", None).await;
    let err = b
        .err(
            &b.as_user(&bob).await,
            "AssumeRole",
            &assume(&arn, "x1", ""),
        )
        .await;
    assert_eq!(err.code, "AccessDenied");
    let carol = b.user(ACCOUNT, "carol", Some(&allow_assume(&arn))).await;
    let xml = b
        .ok(
            &b.as_user(&carol).await,
            "AssumeRole",
            &assume(&arn, "x1", ""),
        )
        .await;
    assert_eq!(
        tag(&xml, "Arn").unwrap(),
        "arn:aws:sts::444455556666:assumed-role/shared/x1"
    );
    let session = b.as_session(&xml).await;
    assert_eq!(session.account().as_str(), OTHER);
    let key = tag(&xml, "AccessKeyId").unwrap();
    let info = b
        .ok(&session, "GetAccessKeyInfo", &format!("AccessKeyId={key}"))
        .await;
    assert_eq!(tag(&info, "Account").unwrap(), OTHER);
    // Naming the user directly in another account's trust policy is not enough on its own.
    let direct = b
        .role(OTHER, "/", "direct", &trust(&bob.arn(), ASSUME_ONLY, None))
        .await;
    let err = b
        .err(
            &b.as_user(&bob).await,
            "AssumeRole",
            &assume(&direct.arn(), "x1", ""),
        )
        .await;
    assert_eq!(err.code, "AccessDenied");
}

#[tokio::test]
async fn dev_mode_callers_may_assume_any_existing_role() {
    let b = Bench::new().await;
    let role = b
        .role(ACCOUNT, "/", "locked", &trust(OTHER, ASSUME_ONLY, None))
        .await;
    let xml = b
        .ok(&b.dev(), "AssumeRole", &assume(&role.arn(), "dev", ""))
        .await;
    assert!(tag(&xml, "AccessKeyId").unwrap().starts_with("ASIA"));
    let err = b
        .err(
            &b.dev(),
            "AssumeRole",
            &assume(&role_arn(ACCOUNT, "missing"), "dev", ""),
        )
        .await;
    assert_eq!(err.code, "AccessDenied");
}

#[tokio::test]
async fn mfa_codes_cannot_be_validated() {
    let b = Bench::new().await;
    let alice = b.user(ACCOUNT, "alice", None).await;
    let role = b
        .role(
            ACCOUNT,
            "/",
            "deploy",
            &trust(&alice.arn(), ASSUME_ONLY, None),
        )
        .await;
    let extra = format!(
        "&SerialNumber={}&TokenCode=123456",
        enc("arn:aws:iam::111122223333:mfa/alice")
    );
    let err = b
        .err(
            &b.as_user(&alice).await,
            "AssumeRole",
            &assume(&role.arn(), "s1", &extra),
        )
        .await;
    assert_eq!((err.code.as_ref(), err.status), ("AccessDenied", 403));
    assert!(
        err.message.starts_with("MultiFactorAuthentication failed"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn the_role_remembers_when_it_was_last_used() {
    let b = Bench::new().await;
    let alice = b.user(ACCOUNT, "alice", None).await;
    let role = b
        .role(
            ACCOUNT,
            "/",
            "deploy",
            &trust(&alice.arn(), ASSUME_ONLY, None),
        )
        .await;
    b.ok(
        &b.as_user(&alice).await,
        "AssumeRole",
        &assume(&role.arn(), "s1", ""),
    )
    .await;
    let stored = b.stored_role(ACCOUNT, "deploy").await.unwrap();
    assert_eq!(stored.last_used_ms, Some(b.now_ms()));
    assert_eq!(stored.last_used_region.as_deref(), Some("eu-west-1"));
}

#[tokio::test]
async fn credentials_never_reach_the_audit_record() {
    let b = Bench::new().await;
    let alice = b.user(ACCOUNT, "alice", None).await;
    let role = b
        .role(
            ACCOUNT,
            "/",
            "deploy",
            &trust(&alice.arn(), ASSUME_ONLY, None),
        )
        .await;
    let ctx = b.as_user(&alice).await;
    let invocation = b
        .invoke(&ctx, "AssumeRole", &assume(&role.arn(), "audit", ""))
        .await;
    let xml = String::from_utf8(invocation.result.unwrap()).unwrap();
    let (key, secret, token) = (
        tag(&xml, "AccessKeyId").unwrap(),
        tag(&xml, "SecretAccessKey").unwrap(),
        tag(&xml, "SessionToken").unwrap(),
    );
    let elements = invocation.response_elements.unwrap();
    let text = elements.to_string();
    assert!(!text.contains(&secret) && !text.contains(&token), "{text}");
    assert_eq!(elements["credentials"]["accessKeyId"], json!(key));
    assert!(elements["credentials"]["expiration"].is_string());
    assert_eq!(elements["credentials"].as_object().unwrap().len(), 2);
    assert_eq!(
        elements["assumedRoleUser"]["arn"],
        json!("arn:aws:sts::111122223333:assumed-role/deploy/audit")
    );
    let session = b.as_session(&xml).await;
    let invocation = b.invoke(&session, "GetSessionToken", "").await;
    assert_eq!(invocation.result.unwrap_err().code, "AccessDenied");
    let invocation = b.invoke(&ctx, "GetSessionToken", "").await;
    let xml = String::from_utf8(invocation.result.unwrap()).unwrap();
    let text = invocation.response_elements.unwrap().to_string();
    assert!(
        !text.contains(&tag(&xml, "SessionToken").unwrap()),
        "{text}"
    );
    assert!(
        !text.contains(&tag(&xml, "SecretAccessKey").unwrap()),
        "{text}"
    );
}
