//! Role sessions: DurationSeconds limits (MaxSessionDuration, role chaining), session
//! policies narrowing the role (inline and managed, malformed and oversized ones), session
//! tags with sts:TagSession and transitive keys, and SourceIdentity through a chain.

#![allow(clippy::unwrap_used)]

mod bench;

use bench::{ACCOUNT, Bench, OTHER, allowed, assume, enc, tag, trust};
use rampart_iam::records::RoleRecord;

const ASSUME_ONLY: &str = r#""sts:AssumeRole""#;
const ASSUME_AND_TAG: &str = r#"["sts:AssumeRole","sts:TagSession"]"#;
const ALL_STS: &str = r#"["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]"#;
const KMS_ENCRYPT_ONLY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}"#;

/// A bench with user alice and role `deploy` trusting her for `actions`.
async fn setup(actions: &str) -> (Bench, rampart_core::RequestContext, RoleRecord) {
    let b = Bench::new().await;
    let alice = b.user(ACCOUNT, "alice", None).await;
    let role = b
        .role(ACCOUNT, "/", "deploy", &trust(&alice.arn(), actions, None))
        .await;
    let ctx = b.as_user(&alice).await;
    (b, ctx, role)
}

#[tokio::test]
async fn duration_defaults_to_an_hour_and_is_bounded_by_the_role() {
    let (b, ctx, mut role) = setup(ASSUME_ONLY).await;
    let arn = role.arn();
    let xml = b
        .ok(
            &ctx,
            "AssumeRole",
            &assume(&arn, "s1", "&DurationSeconds=900"),
        )
        .await;
    assert!(
        tag(&xml, "Expiration")
            .unwrap()
            .starts_with("2026-03-01T12:15:00")
    );
    let err = b
        .err(
            &ctx,
            "AssumeRole",
            &assume(&arn, "s1", "&DurationSeconds=3601"),
        )
        .await;
    assert_eq!((err.code.as_ref(), err.status), ("ValidationError", 400));
    assert_eq!(
        err.message,
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
    );
    let err = b
        .err(
            &ctx,
            "AssumeRole",
            &assume(&arn, "s1", "&DurationSeconds=899"),
        )
        .await;
    assert_eq!(err.code, "ValidationError");
    role.max_session_duration = 43_200;
    b.put_role(&role).await;
    let xml = b
        .ok(
            &ctx,
            "AssumeRole",
            &assume(&arn, "s1", "&DurationSeconds=43200"),
        )
        .await;
    assert!(
        tag(&xml, "Expiration")
            .unwrap()
            .starts_with("2026-03-02T00:00:00")
    );
    let claims = b.claims(&xml);
    assert_eq!(claims.expires_ms - claims.issued_ms, 43_200_000);
}

#[tokio::test]
async fn role_chaining_is_limited_to_one_hour() {
    let (b, ctx, mut role) = setup(ASSUME_ONLY).await;
    role.max_session_duration = 43_200;
    b.put_role(&role).await;
    let first = b
        .ok(&ctx, "AssumeRole", &assume(&role.arn(), "one", ""))
        .await;
    let session = b.as_session(&first).await;
    let next = b
        .role(ACCOUNT, "/", "next", &trust(&role.arn(), ASSUME_ONLY, None))
        .await;
    let mut next_long = next.clone();
    next_long.max_session_duration = 43_200;
    b.put_role(&next_long).await;
    let err = b
        .err(
            &session,
            "AssumeRole",
            &assume(&next.arn(), "two", "&DurationSeconds=3601"),
        )
        .await;
    assert_eq!(err.code, "ValidationError");
    assert_eq!(
        err.message,
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by \
         role chaining."
    );
    let xml = b
        .ok(&session, "AssumeRole", &assume(&next.arn(), "two", ""))
        .await;
    assert_eq!(
        tag(&xml, "Arn").unwrap(),
        "arn:aws:sts::111122223333:assumed-role/next/two"
    );
}

#[tokio::test]
async fn an_inline_session_policy_narrows_the_role() {
    let (b, ctx, role) = setup(ASSUME_ONLY).await;
    let extra = format!("&Policy={}", enc(KMS_ENCRYPT_ONLY));
    let xml = b
        .ok(&ctx, "AssumeRole", &assume(&role.arn(), "s1", &extra))
        .await;
    let size: i32 = tag(&xml, "PackedPolicySize").unwrap().parse().unwrap();
    assert!((1..=100).contains(&size), "{size}");
    let session = b.as_session(&xml).await;
    assert!(allowed(&session, "kms:Encrypt", "*", ACCOUNT));
    assert!(!allowed(&session, "kms:Decrypt", "*", ACCOUNT));
    assert!(!allowed(&session, "iam:ListUsers", "*", ACCOUNT));
}

#[tokio::test]
async fn managed_session_policies_narrow_the_role_and_must_exist() {
    let (b, ctx, role) = setup(ASSUME_ONLY).await;
    let arn = role.arn();
    let aws = "arn:aws:iam::aws:policy/IAMReadOnlyAccess";
    let extra = format!("&PolicyArns.member.1.arn={}", enc(aws));
    let xml = b.ok(&ctx, "AssumeRole", &assume(&arn, "s1", &extra)).await;
    let session = b.as_session(&xml).await;
    assert!(allowed(&session, "iam:GetUser", "*", ACCOUNT));
    assert!(!allowed(&session, "iam:CreateUser", "*", ACCOUNT));
    assert!(!allowed(&session, "kms:Encrypt", "*", ACCOUNT));
    let mine = b.managed_policy(ACCOUNT, "encrypt", KMS_ENCRYPT_ONLY).await;
    let extra = format!("&PolicyArns.member.1.arn={}", enc(&mine));
    let xml = b.ok(&ctx, "AssumeRole", &assume(&arn, "s1", &extra)).await;
    let session = b.as_session(&xml).await;
    assert!(allowed(&session, "kms:Encrypt", "*", ACCOUNT));
    assert!(!allowed(&session, "kms:Decrypt", "*", ACCOUNT));
    // Deleting the policy does not widen the session to the role's permissions.
    b.delete_policy(ACCOUNT, "encrypt").await;
    let session = b.as_session(&xml).await;
    assert!(!allowed(&session, "kms:Encrypt", "*", ACCOUNT));
    assert!(!allowed(&session, "kms:Decrypt", "*", ACCOUNT));
    let foreign = b.managed_policy(OTHER, "elsewhere", KMS_ENCRYPT_ONLY).await;
    for missing in [
        format!("arn:aws:iam::{ACCOUNT}:policy/missing"),
        "arn:aws:iam::aws:policy/NoSuchPolicy".to_owned(),
        foreign,
    ] {
        let extra = format!("&PolicyArns.member.1.arn={}", enc(&missing));
        let err = b.err(&ctx, "AssumeRole", &assume(&arn, "s1", &extra)).await;
        assert_eq!(
            (err.code.as_ref(), err.status),
            ("MalformedPolicyDocument", 400)
        );
        assert_eq!(
            err.message,
            format!("Policy {missing} does not exist or is not attachable.")
        );
    }
    let many: String = (1..=11)
        .map(|n| format!("&PolicyArns.member.{n}.arn={}", enc(aws)))
        .collect();
    let err = b.err(&ctx, "AssumeRole", &assume(&arn, "s1", &many)).await;
    assert_eq!(err.code, "ValidationError");
}

#[tokio::test]
async fn malformed_and_oversized_session_policies_are_refused() {
    let (b, ctx, role) = setup(ASSUME_ONLY).await;
    let arn = role.arn();
    let bad = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}"#;
    let err = b
        .err(
            &ctx,
            "AssumeRole",
            &assume(&arn, "s1", &format!("&Policy={}", enc(bad))),
        )
        .await;
    assert_eq!(
        (err.code.as_ref(), err.status),
        ("MalformedPolicyDocument", 400)
    );
    assert_eq!(err.message, "Policy statement must contain actions.");
    let padding = " ".repeat(2_100);
    let big = format!(
        r#"{{"Version":"2012-10-17",{padding}"Statement":[{{"Effect":"Allow","Action":"*","Resource":"*"}}]}}"#
    );
    let err = b
        .err(
            &ctx,
            "AssumeRole",
            &assume(&arn, "s1", &format!("&Policy={}", enc(&big))),
        )
        .await;
    assert_eq!(
        (err.code.as_ref(), err.status),
        ("PackedPolicyTooLarge", 400)
    );
    assert!(
        err.message.starts_with("Packed policy consumes 1"),
        "{}",
        err.message
    );
    assert!(
        err.message
            .ends_with("% of allotted space, please use smaller policy.")
    );
}

#[tokio::test]
async fn session_tags_need_tag_session_and_become_principal_tags() {
    let (b, ctx, role) = setup(ASSUME_ONLY).await;
    let tags = "&Tags.member.1.Key=team&Tags.member.1.Value=blue";
    let err = b
        .err(&ctx, "AssumeRole", &assume(&role.arn(), "s1", tags))
        .await;
    assert_eq!(err.code, "AccessDenied");
    assert!(err.message.contains("sts:TagSession"), "{}", err.message);
    let mut tagging = role.clone();
    tagging.trust_policy = trust(&ctx.principal.arn, ASSUME_AND_TAG, None);
    b.put_role(&tagging).await;
    let xml = b
        .ok(&ctx, "AssumeRole", &assume(&role.arn(), "s1", tags))
        .await;
    assert!(tag(&xml, "PackedPolicySize").is_some());
    let session = b.as_session(&xml).await;
    assert_eq!(
        session
            .caller
            .principal
            .tags
            .get("team")
            .map(String::as_str),
        Some("blue")
    );
    let dup = "&Tags.member.1.Key=team&Tags.member.1.Value=a&Tags.member.2.Key=TEAM&Tags.member.2.Value=b";
    let err = b
        .err(&ctx, "AssumeRole", &assume(&role.arn(), "s1", dup))
        .await;
    assert_eq!(
        (err.code.as_ref(), err.status),
        ("InvalidParameterValue", 400)
    );
    assert_eq!(
        err.message,
        "Duplicate tag keys found. Please note that Tag keys are case insensitive."
    );
    let stray = format!("{tags}&TransitiveTagKeys.member.1=env");
    let err = b
        .err(&ctx, "AssumeRole", &assume(&role.arn(), "s1", &stray))
        .await;
    assert_eq!(
        err.message,
        "The specified transitive tag key must be included in the requested tags."
    );
}

#[tokio::test]
async fn request_tag_conditions_apply_to_tag_session() {
    let b = Bench::new().await;
    let alice = b.user(ACCOUNT, "alice", None).await;
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{}"}},"Action":"sts:AssumeRole"}},{{"Effect":"Allow","Principal":{{"AWS":"{}"}},"Action":"sts:TagSession","Condition":{{"StringEquals":{{"aws:RequestTag/team":"blue"}}}}}}]}}"#,
        alice.arn(),
        alice.arn()
    );
    let role = b.role(ACCOUNT, "/", "tagged", &policy).await;
    let ctx = b.as_user(&alice).await;
    let red = "&Tags.member.1.Key=team&Tags.member.1.Value=red";
    assert_eq!(
        b.err(&ctx, "AssumeRole", &assume(&role.arn(), "s1", red))
            .await
            .code,
        "AccessDenied"
    );
    let blue = "&Tags.member.1.Key=team&Tags.member.1.Value=blue";
    b.ok(&ctx, "AssumeRole", &assume(&role.arn(), "s1", blue))
        .await;
}

#[tokio::test]
async fn transitive_tags_pass_down_a_role_chain_and_cannot_be_overridden() {
    let (b, ctx, role) = setup(ASSUME_AND_TAG).await;
    let tags = "&Tags.member.1.Key=team&Tags.member.1.Value=blue&Tags.member.2.Key=env&Tags.member.2.Value=dev&TransitiveTagKeys.member.1=team";
    let first = b
        .ok(&ctx, "AssumeRole", &assume(&role.arn(), "one", tags))
        .await;
    let session = b.as_session(&first).await;
    let next = b
        .role(
            ACCOUNT,
            "/",
            "next",
            &trust(&role.arn(), ASSUME_AND_TAG, None),
        )
        .await;
    let xml = b
        .ok(&session, "AssumeRole", &assume(&next.arn(), "two", ""))
        .await;
    let chained = b.as_session(&xml).await;
    let principal_tags = &chained.caller.principal.tags;
    assert_eq!(principal_tags.get("team").map(String::as_str), Some("blue"));
    assert!(!principal_tags.contains_key("env"));
    assert_eq!(b.claims(&xml).transitive_tag_keys, vec!["team".to_owned()]);
    let override_tags = "&Tags.member.1.Key=Team&Tags.member.1.Value=red";
    let err = b
        .err(
            &session,
            "AssumeRole",
            &assume(&next.arn(), "two", override_tags),
        )
        .await;
    assert_eq!(err.code, "InvalidParameterValue");
    assert_eq!(
        err.message,
        "One of the specified transitive tag keys can't be set because it conflicts with a \
         transitive tag key from the calling session."
    );
    // The inherited tags are session tags: the next role must allow sts:TagSession.
    let strict = b
        .role(
            ACCOUNT,
            "/",
            "strict",
            &trust(&role.arn(), ASSUME_ONLY, None),
        )
        .await;
    let err = b
        .err(&session, "AssumeRole", &assume(&strict.arn(), "two", ""))
        .await;
    assert_eq!(err.code, "AccessDenied");
}

#[tokio::test]
async fn source_identity_needs_permission_and_persists_through_a_chain() {
    let (b, ctx, role) = setup(ASSUME_ONLY).await;
    let extra = "&SourceIdentity=alice%40example.com";
    let err = b
        .err(&ctx, "AssumeRole", &assume(&role.arn(), "s1", extra))
        .await;
    assert_eq!(err.code, "AccessDenied");
    assert!(
        err.message.contains("sts:SetSourceIdentity"),
        "{}",
        err.message
    );
    let mut allowing = role.clone();
    allowing.trust_policy = trust(&ctx.principal.arn, ALL_STS, None);
    b.put_role(&allowing).await;
    let first = b
        .ok(&ctx, "AssumeRole", &assume(&role.arn(), "one", extra))
        .await;
    assert_eq!(tag(&first, "SourceIdentity").unwrap(), "alice@example.com");
    let session = b.as_session(&first).await;
    let id = session
        .principal
        .session
        .as_ref()
        .unwrap()
        .source_identity
        .clone();
    assert_eq!(id.as_deref(), Some("alice@example.com"));
    let condition = r#"{"StringEquals":{"sts:SourceIdentity":"alice@example.com"}}"#;
    let next = b
        .role(
            ACCOUNT,
            "/",
            "next",
            &trust(&role.arn(), ALL_STS, Some(condition)),
        )
        .await;
    let xml = b
        .ok(&session, "AssumeRole", &assume(&next.arn(), "two", ""))
        .await;
    assert_eq!(tag(&xml, "SourceIdentity").unwrap(), "alice@example.com");
    let err = b
        .err(
            &session,
            "AssumeRole",
            &assume(&next.arn(), "two", "&SourceIdentity=mallory"),
        )
        .await;
    assert_eq!(err.code, "AccessDenied");
}

#[tokio::test]
async fn a_deleted_role_ends_its_sessions() {
    let (b, ctx, role) = setup(ASSUME_ONLY).await;
    let xml = b
        .ok(&ctx, "AssumeRole", &assume(&role.arn(), "s1", ""))
        .await;
    let claims = b.claims(&xml);
    b.delete_role(ACCOUNT, "deploy").await;
    let principal = claims.principal().unwrap();
    let found = b.dir.caller_policies(&principal, None).await;
    assert_eq!(found.unwrap_err(), rampart_iam::DirectoryError::Gone);
}
