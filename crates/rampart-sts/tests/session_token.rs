//! GetSessionToken (durations, root limit, no session callers, the session acting as its
//! user), GetCallerIdentity for sessions and GetAccessKeyInfo.

#![allow(clippy::unwrap_used)]

mod bench;

use bench::{ACCOUNT, Bench, OTHER, allowed, tag};
use rampart_core::{AccountId, PrincipalKind};

const KMS_ONLY: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}"#;

#[tokio::test]
async fn a_user_session_lasts_twelve_hours_and_acts_as_the_user() {
    let b = Bench::new().await;
    let alice = b.user(ACCOUNT, "alice", Some(KMS_ONLY)).await;
    let xml = b.ok(&b.as_user(&alice).await, "GetSessionToken", "").await;
    assert!(tag(&xml, "AccessKeyId").unwrap().starts_with("ASIA"));
    assert!(
        tag(&xml, "Expiration")
            .unwrap()
            .starts_with("2026-03-02T00:00:00")
    );
    let session = b.as_session(&xml).await;
    assert_eq!(session.principal.kind, PrincipalKind::IamUser);
    assert_eq!(session.principal.arn, alice.arn());
    assert_eq!(session.principal.principal_id, alice.user_id);
    let context = session.principal.session.clone().unwrap();
    assert_eq!(context.issuer_type, "IAMUser");
    assert_eq!(context.issuer_name, "alice");
    assert!(!context.mfa_authenticated);
    assert!(allowed(&session, "kms:Encrypt", "*", ACCOUNT));
    assert!(!allowed(&session, "iam:ListUsers", "*", ACCOUNT));
    let who = b.ok(&session, "GetCallerIdentity", "").await;
    assert_eq!(tag(&who, "Arn").unwrap(), alice.arn());
    assert_eq!(tag(&who, "UserId").unwrap(), alice.user_id);
}

#[tokio::test]
async fn durations_follow_aws() {
    let b = Bench::new().await;
    let alice = b.user(ACCOUNT, "alice", None).await;
    let ctx = b.as_user(&alice).await;
    let xml = b
        .ok(&ctx, "GetSessionToken", "DurationSeconds=129600")
        .await;
    assert!(
        tag(&xml, "Expiration")
            .unwrap()
            .starts_with("2026-03-03T00:00:00")
    );
    let xml = b.ok(&ctx, "GetSessionToken", "DurationSeconds=900").await;
    assert!(
        tag(&xml, "Expiration")
            .unwrap()
            .starts_with("2026-03-01T12:15:00")
    );
    for too_far in ["899", "129601"] {
        let err = b
            .err(
                &ctx,
                "GetSessionToken",
                &format!("DurationSeconds={too_far}"),
            )
            .await;
        assert_eq!((err.code.as_ref(), err.status), ("ValidationError", 400));
    }
    // The root user's sessions last at most one hour.
    let root = b.root(ACCOUNT);
    let xml = b.ok(&root, "GetSessionToken", "DurationSeconds=7200").await;
    assert!(
        tag(&xml, "Expiration")
            .unwrap()
            .starts_with("2026-03-01T13:00:00")
    );
    let session = b.as_session(&xml).await;
    assert_eq!(session.principal.kind, PrincipalKind::Root);
    assert_eq!(
        session.principal.session.as_ref().unwrap().issuer_type,
        "Root"
    );
    let xml = b.ok(&root, "GetSessionToken", "").await;
    assert!(
        tag(&xml, "Expiration")
            .unwrap()
            .starts_with("2026-03-01T13:00:00")
    );
}

#[tokio::test]
async fn session_credentials_cannot_get_a_session_token() {
    let b = Bench::new().await;
    let alice = b.user(ACCOUNT, "alice", None).await;
    let xml = b.ok(&b.as_user(&alice).await, "GetSessionToken", "").await;
    let session = b.as_session(&xml).await;
    let err = b.err(&session, "GetSessionToken", "").await;
    assert_eq!((err.code.as_ref(), err.status), ("AccessDenied", 403));
    assert_eq!(
        err.message,
        "Cannot call GetSessionToken with session credentials"
    );
}

#[tokio::test]
async fn a_user_session_may_assume_a_role_trusting_the_user() {
    let b = Bench::new().await;
    let alice = b.user(ACCOUNT, "alice", None).await;
    let role = b
        .role(
            ACCOUNT,
            "/",
            "deploy",
            &bench::trust(&alice.arn(), r#""sts:AssumeRole""#, None),
        )
        .await;
    let xml = b.ok(&b.as_user(&alice).await, "GetSessionToken", "").await;
    let session = b.as_session(&xml).await;
    b.ok(
        &session,
        "AssumeRole",
        &bench::assume(&role.arn(), "s1", ""),
    )
    .await;
}

#[tokio::test]
async fn access_key_info_names_the_owning_account() {
    let b = Bench::new().await;
    let root = b.root(ACCOUNT);
    let made = b
        .dir
        .credentials
        .new_root_key(&AccountId::parse(OTHER).unwrap(), 0)
        .unwrap();
    b.dir.tables.store.transact(vec![made.write]).await.unwrap();
    let form = format!("AccessKeyId={}", made.access_key_id);
    let xml = b.ok(&root, "GetAccessKeyInfo", &form).await;
    assert_eq!(tag(&xml, "Account").unwrap(), OTHER);
    let xml = b.ok(&root, "GetSessionToken", "").await;
    let form = format!("AccessKeyId={}", tag(&xml, "AccessKeyId").unwrap());
    let info = b.ok(&b.root(OTHER), "GetAccessKeyInfo", &form).await;
    assert_eq!(tag(&info, "Account").unwrap(), ACCOUNT);
    // Keys unknown here answer the account their id encodes, as AWS does.
    let info = b
        .ok(
            &root,
            "GetAccessKeyInfo",
            "AccessKeyId=ASIAY34FZKBOKMUTVV7A",
        )
        .await;
    assert_eq!(tag(&info, "Account").unwrap(), "609629065308");
    let err = b
        .err(
            &root,
            "GetAccessKeyInfo",
            "AccessKeyId=AKIA0000000000000000",
        )
        .await;
    assert_eq!(err.code, "InvalidParameterValue");
}

#[tokio::test]
async fn access_key_info_needs_permission() {
    let b = Bench::new().await;
    let bob = b.user(ACCOUNT, "bob", Some(KMS_ONLY)).await;
    let err = b
        .err(
            &b.as_user(&bob).await,
            "GetAccessKeyInfo",
            "AccessKeyId=ASIAY34FZKBOKMUTVV7A",
        )
        .await;
    assert_eq!((err.code.as_ref(), err.status), ("AccessDenied", 403));
    assert!(
        err.message.starts_with(
            "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: \
             sts:GetAccessKeyInfo on resource: *"
        ),
        "{}",
        err.message
    );
}
