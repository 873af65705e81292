//! IAM users calling IAM under their identity policies: the user's inline policy allows or
//! denies iam actions (resource-scoped, explicit Deny wins), self-service on its own keys
//! without UserName, and a group's policy applying from AddUserToGroup until
//! RemoveUserFromGroup.

#![allow(clippy::unwrap_used)]

mod common;

use common::{ACCOUNT, Bench, value, values};

fn policy(statements: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#)
}

/// Creates the user `name` with one access key; answers the key id.
async fn user_with_key(b: &Bench, name: &str) -> String {
    b.ok("CreateUser", &format!("UserName={name}")).await;
    let made = b.ok("CreateAccessKey", &format!("UserName={name}")).await;
    value(&made, "AccessKeyId").unwrap()
}

#[tokio::test]
async fn identity_policy_allows_and_denies_iam_actions() {
    let b = Bench::new().await;
    let key = user_with_key(&b, "dev").await;
    b.ok("CreateUser", "UserName=victim").await;
    let doc = policy(&format!(
        r#"{{"Effect":"Allow","Action":["iam:ListUsers","iam:GetUser","iam:DeleteUser","iam:CreateGroup"],"Resource":"*"}},
           {{"Effect":"Allow","Action":["iam:CreateAccessKey","iam:ListAccessKeys","iam:UpdateAccessKey"],"Resource":"arn:aws:iam::{ACCOUNT}:user/dev"}},
           {{"Effect":"Deny","Action":"iam:DeleteUser","Resource":"arn:aws:iam::{ACCOUNT}:user/victim"}}"#
    ));
    b.put_inline_policy("dev", "iam", &doc).await;
    let ctx = b.signed_by(&key).await;

    let listed = b.call_as(&ctx, "ListUsers", "").await.unwrap();
    assert_eq!(values(&listed, "UserName"), ["dev", "victim"]);
    let me = b.call_as(&ctx, "GetUser", "").await.unwrap();
    assert_eq!(value(&me, "UserName").as_deref(), Some("dev"));
    b.call_as(&ctx, "CreateGroup", "GroupName=made-by-dev")
        .await
        .unwrap();

    // Explicit Deny beats the Allow on *.
    let err = b
        .call_as(&ctx, "DeleteUser", "UserName=victim")
        .await
        .unwrap_err();
    assert_eq!((err.code.as_ref(), err.status), ("AccessDenied", 403));
    assert!(err.message.contains(&format!(
        "User: arn:aws:iam::{ACCOUNT}:user/dev is not authorized to perform: iam:DeleteUser \
         on resource: arn:aws:iam::{ACCOUNT}:user/victim"
    )));
    assert!(err.message.contains("explicit deny"), "{}", err.message);
    assert!(b.user("victim").await.is_some());

    // Nothing allows CreateUser.
    let err = b
        .call_as(&ctx, "CreateUser", "UserName=intruder")
        .await
        .unwrap_err();
    assert_eq!(err.code, "AccessDenied");
    assert!(err.message.contains("iam:CreateUser"));
    assert!(b.user("intruder").await.is_none());

    // Own keys without UserName: allowed on the user's own ARN only.
    let own = b.call_as(&ctx, "ListAccessKeys", "").await.unwrap();
    assert_eq!(values(&own, "AccessKeyId"), [key.as_str()]);
    assert_eq!(values(&own, "UserName"), ["dev"]);
    let second = b.call_as(&ctx, "CreateAccessKey", "").await.unwrap();
    assert_eq!(value(&second, "UserName").as_deref(), Some("dev"));
    let err = b
        .call_as(&ctx, "CreateAccessKey", "UserName=victim")
        .await
        .unwrap_err();
    assert_eq!(err.code, "AccessDenied");
    assert!(b.user("victim").await.unwrap().access_keys.is_empty());

    // Deactivating its own signing key locks the user out of the next request.
    b.call_as(
        &ctx,
        "UpdateAccessKey",
        &format!("AccessKeyId={key}&Status=Inactive"),
    )
    .await
    .unwrap();
    assert!(b.dir.credentials.find(&key).await.unwrap().is_none());
}

#[tokio::test]
async fn group_policies_apply_while_the_user_is_a_member() {
    let b = Bench::new().await;
    let key = user_with_key(&b, "member").await;
    b.ok("CreateGroup", "GroupName=listers").await;
    let doc = policy(r#"{"Effect":"Allow","Action":"iam:ListGroups","Resource":"*"}"#);
    b.put_group_policy("listers", "list", &doc).await;

    let outsider = b.signed_by(&key).await;
    let err = b.call_as(&outsider, "ListGroups", "").await.unwrap_err();
    assert_eq!(err.code, "AccessDenied");
    assert!(
        err.message.contains("no identity-based policy allows"),
        "{}",
        err.message
    );

    b.ok("AddUserToGroup", "GroupName=listers&UserName=member")
        .await;
    let insider = b.signed_by(&key).await;
    let listed = b.call_as(&insider, "ListGroups", "").await.unwrap();
    assert_eq!(values(&listed, "GroupName"), ["listers"]);

    // Renaming the group keeps the member's permissions.
    b.ok("UpdateGroup", "GroupName=listers&NewGroupName=readers")
        .await;
    let renamed = b.signed_by(&key).await;
    let listed = b.call_as(&renamed, "ListGroups", "").await.unwrap();
    assert_eq!(values(&listed, "GroupName"), ["readers"]);

    b.ok("RemoveUserFromGroup", "GroupName=readers&UserName=member")
        .await;
    let removed = b.signed_by(&key).await;
    let err = b.call_as(&removed, "ListGroups", "").await.unwrap_err();
    assert_eq!(err.code, "AccessDenied");
}

#[tokio::test]
async fn tag_conditions_see_the_users_tags() {
    let b = Bench::new().await;
    let key = user_with_key(&b, "tagger").await;
    b.ok(
        "CreateUser",
        "UserName=prod-user&Tags.member.1.Key=env&Tags.member.1.Value=prod",
    )
    .await;
    b.ok(
        "CreateUser",
        "UserName=dev-user&Tags.member.1.Key=env&Tags.member.1.Value=dev",
    )
    .await;
    let doc = policy(
        r#"{"Effect":"Allow","Action":"iam:TagUser","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"dev"}}}"#,
    );
    b.put_inline_policy("tagger", "tags", &doc).await;
    let ctx = b.signed_by(&key).await;
    let tag = "Tags.member.1.Key=owner&Tags.member.1.Value=me";
    b.call_as(&ctx, "TagUser", &format!("UserName=dev-user&{tag}"))
        .await
        .unwrap();
    let err = b
        .call_as(&ctx, "TagUser", &format!("UserName=prod-user&{tag}"))
        .await
        .unwrap_err();
    assert_eq!(err.code, "AccessDenied");
    let tags = b.ok("ListUserTags", "UserName=prod-user").await;
    assert_eq!(values(&tags, "Key"), ["env"]);
}

/// Tags given at creation need the Tag action too (CreateUser, CreateRole, CreatePolicy):
/// otherwise tags (which become aws:PrincipalTag of a role's sessions) slip past a Deny.
#[tokio::test]
async fn tags_on_create_need_the_tag_action() {
    let b = Bench::new().await;
    let key = user_with_key(&b, "maker").await;
    let doc = policy(
        r#"{"Effect":"Allow","Action":["iam:CreateUser","iam:CreateRole","iam:CreatePolicy"],"Resource":"*"},
           {"Effect":"Deny","Action":["iam:TagUser","iam:TagRole","iam:TagPolicy"],"Resource":"*"}"#,
    );
    b.put_inline_policy("maker", "iam", &doc).await;
    let ctx = b.signed_by(&key).await;
    let tag = "Tags.member.1.Key=team&Tags.member.1.Value=admins";
    let trust = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22AWS%22%3A%22111122223333%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D";
    let doc = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22*%22%7D%5D%7D";
    let calls = [
        ("CreateUser", "UserName=tagged".to_owned(), "iam:TagUser"),
        (
            "CreateRole",
            format!("RoleName=tagged&AssumeRolePolicyDocument={trust}"),
            "iam:TagRole",
        ),
        (
            "CreatePolicy",
            format!("PolicyName=tagged&PolicyDocument={doc}"),
            "iam:TagPolicy",
        ),
    ];
    for (action, params, tag_action) in calls {
        let err = b
            .call_as(&ctx, action, &format!("{params}&{tag}"))
            .await
            .unwrap_err();
        assert_eq!(
            (err.code.as_ref(), err.status),
            ("AccessDenied", 403),
            "{action}"
        );
        assert!(err.message.contains(tag_action), "{}", err.message);
        b.call_as(&ctx, action, &params).await.unwrap();
    }
}

/// GetSessionToken credentials obtained without MFA cannot call IAM at all.
#[tokio::test]
async fn sessions_without_mfa_cannot_call_iam() {
    let b = Bench::new().await;
    let key = user_with_key(&b, "temp").await;
    b.put_inline_policy(
        "temp",
        "iam",
        &policy(r#"{"Effect":"Allow","Action":"iam:*","Resource":"*"}"#),
    )
    .await;
    let mut ctx = b.signed_by(&key).await;
    assert!(b.call_as(&ctx, "ListUsers", "").await.is_ok());
    let now = time::OffsetDateTime::now_utc();
    ctx.principal.session = Some(std::sync::Arc::new(rampart_core::SessionContext {
        issuer_type: "IAMUser",
        issuer_arn: ctx.principal.arn.clone(),
        issuer_principal_id: ctx.principal.principal_id.clone(),
        issuer_name: "temp".into(),
        created_at: now,
        expires_at: now,
        mfa_authenticated: false,
        source_identity: None,
        transitive_tags: Vec::new(),
        assumed_root: false,
    }));
    for (action, params) in [
        ("ListUsers", ""),
        ("CreateUser", "UserName=x"),
        ("GetUser", ""),
    ] {
        let err = b.call_as(&ctx, action, params).await.unwrap_err();
        assert_eq!(
            (err.code.as_ref(), err.status),
            ("InvalidClientTokenId", 403),
            "{action}"
        );
    }
}
