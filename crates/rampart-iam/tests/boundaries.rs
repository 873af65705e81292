//! Permissions boundaries of users and roles through the dispatcher: setting, replacing and
//! removing them, CreateRole/DeleteRole with a boundary, the usage counts kept in the managed
//! policy records, AWS's errors, and that a boundary caps what the identity policies allow.

#![allow(clippy::unwrap_used)]

mod common;

use common::{ACCOUNT, ALLOW_IAM, Bench, assert_error, enc, value};

const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

/// A boundary allowing only iam:Get*.
const ONLY_GET: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}"#;

#[tokio::test]
async fn role_boundary_is_set_shown_moved_and_removed() {
    let b = Bench::new().await;
    let first = b.seed_policy("first", ONLY_GET).await;
    let second = b.seed_policy("second", ALLOW_IAM).await;
    b.create_role("app", "").await;
    b.ok(
        "PutRolePermissionsBoundary",
        &format!("RoleName=app&PermissionsBoundary={}", enc(&first)),
    )
    .await;
    let got = b.ok("GetRole", "RoleName=app").await;
    assert_eq!(value(&got, "PermissionsBoundaryArn"), Some(first.clone()));
    assert_eq!(
        value(&got, "PermissionsBoundaryType").as_deref(),
        Some("PermissionsBoundaryPolicy")
    );
    assert_eq!(b.policy("first").await.unwrap().boundary_usage_count, 1);
    // Setting the same boundary again counts nothing.
    b.ok(
        "PutRolePermissionsBoundary",
        &format!("RoleName=app&PermissionsBoundary={}", enc(&first)),
    )
    .await;
    assert_eq!(b.policy("first").await.unwrap().boundary_usage_count, 1);
    b.ok(
        "PutRolePermissionsBoundary",
        &format!("RoleName=app&PermissionsBoundary={}", enc(&second)),
    )
    .await;
    assert_eq!(b.policy("first").await.unwrap().boundary_usage_count, 0);
    assert_eq!(b.policy("second").await.unwrap().boundary_usage_count, 1);
    b.ok("DeleteRolePermissionsBoundary", "RoleName=app").await;
    assert_eq!(b.policy("second").await.unwrap().boundary_usage_count, 0);
    assert_eq!(b.role("app").await.unwrap().boundary_arn, None);
    let got = b.ok("GetRole", "RoleName=app").await;
    assert_eq!(value(&got, "PermissionsBoundary"), None);
    // Removing a boundary that is not there is not an error.
    b.ok("DeleteRolePermissionsBoundary", "RoleName=app").await;
}

#[tokio::test]
async fn user_boundary_counts_and_aws_managed_policies() {
    let b = Bench::new().await;
    let arn = b.seed_policy("cap", ONLY_GET).await;
    b.seed_user("alice").await;
    b.ok(
        "PutUserPermissionsBoundary",
        &format!("UserName=alice&PermissionsBoundary={}", enc(&arn)),
    )
    .await;
    assert_eq!(
        b.user("alice").await.unwrap().boundary_arn,
        Some(arn.clone())
    );
    assert_eq!(b.policy("cap").await.unwrap().boundary_usage_count, 1);
    b.ok(
        "PutUserPermissionsBoundary",
        &format!("UserName=alice&PermissionsBoundary={}", enc(ADMIN)),
    )
    .await;
    assert_eq!(
        b.user("alice").await.unwrap().boundary_arn.as_deref(),
        Some(ADMIN)
    );
    assert_eq!(b.policy("cap").await.unwrap().boundary_usage_count, 0);
    b.ok("DeleteUserPermissionsBoundary", "UserName=alice")
        .await;
    assert_eq!(b.user("alice").await.unwrap().boundary_arn, None);
}

#[tokio::test]
async fn create_and_delete_role_keep_the_count() {
    let b = Bench::new().await;
    let arn = b.seed_policy("cap", ONLY_GET).await;
    let created = b
        .create_role("app", &format!("&PermissionsBoundary={}", enc(&arn)))
        .await;
    assert_eq!(value(&created, "PermissionsBoundaryArn"), Some(arn.clone()));
    b.create_role("other", &format!("&PermissionsBoundary={}", enc(&arn)))
        .await;
    assert_eq!(b.policy("cap").await.unwrap().boundary_usage_count, 2);
    b.ok("DeleteRole", "RoleName=app").await;
    assert_eq!(b.policy("cap").await.unwrap().boundary_usage_count, 1);
}

#[tokio::test]
async fn unknown_or_malformed_boundaries_are_refused() {
    let b = Bench::new().await;
    b.create_role("app", "").await;
    let missing = format!("arn:aws:iam::{ACCOUNT}:policy/nope");
    let err = b
        .err(
            "PutRolePermissionsBoundary",
            &format!("RoleName=app&PermissionsBoundary={}", enc(&missing)),
        )
        .await;
    let message = format!("Scope ARN: {missing} does not exist or is not attachable.");
    assert_error(&err, "NoSuchEntity", &message);
    let other_account = b
        .seed_policy("mine", ONLY_GET)
        .await
        .replace(ACCOUNT, "210987654321");
    let err = b
        .err(
            "PutRolePermissionsBoundary",
            &format!("RoleName=app&PermissionsBoundary={}", enc(&other_account)),
        )
        .await;
    assert_eq!(err.code, "NoSuchEntity");
    let not_policy = format!("arn:aws:iam::{ACCOUNT}:role/app");
    let err = b
        .err(
            "PutRolePermissionsBoundary",
            &format!("RoleName=app&PermissionsBoundary={}", enc(&not_policy)),
        )
        .await;
    assert_error(
        &err,
        "InvalidInput",
        &format!("ARN {not_policy} is not valid."),
    );
    assert_eq!(err.status, 400);
    let params = format!(
        "RoleName=bad&AssumeRolePolicyDocument={}&PermissionsBoundary={}",
        enc(common::TRUST),
        enc(&missing)
    );
    let err = b.err("CreateRole", &params).await;
    assert_eq!(err.code, "NoSuchEntity");
    assert!(b.role("bad").await.is_none());
    let err = b
        .err(
            "PutRolePermissionsBoundary",
            &format!("RoleName=ghost&PermissionsBoundary={}", enc(ADMIN)),
        )
        .await;
    assert_error(
        &err,
        "NoSuchEntity",
        "The role with name ghost cannot be found.",
    );
    let err = b
        .err("DeleteUserPermissionsBoundary", "UserName=ghost")
        .await;
    assert_error(
        &err,
        "NoSuchEntity",
        "The user with name ghost cannot be found.",
    );
}

#[tokio::test]
async fn a_boundary_caps_the_identity_policies() {
    let b = Bench::new().await;
    let cap = b.seed_policy("cap", ONLY_GET).await;
    b.seed_user("alice").await;
    b.create_role("app", "").await;
    let params = format!(
        "UserName=alice&PolicyName=all&PolicyDocument={}",
        enc(ALLOW_IAM)
    );
    b.ok("PutUserPolicy", &params).await;
    let alice = b.as_user("alice").await;
    b.call_as(&alice, "ListRoles", "").await.unwrap();
    b.ok(
        "PutUserPermissionsBoundary",
        &format!("UserName=alice&PermissionsBoundary={}", enc(&cap)),
    )
    .await;
    let alice = b.as_user("alice").await;
    b.call_as(&alice, "GetRole", "RoleName=app").await.unwrap();
    let err = b.call_as(&alice, "ListRoles", "").await.unwrap_err();
    assert_eq!(err.code, "AccessDenied");
    assert!(
        err.message.contains("permissions boundary"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn boundary_condition_key_guards_role_creation() {
    let b = Bench::new().await;
    let cap = b.seed_policy("cap", ONLY_GET).await;
    b.seed_user("admin").await;
    // The usual delegation guard: roles may be created only with the cap as boundary.
    let guard = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["iam:CreateRole","iam:PutRolePermissionsBoundary"],"Resource":"*","Condition":{{"StringEquals":{{"iam:PermissionsBoundary":"{cap}"}}}}}}]}}"#
    );
    let params = format!(
        "UserName=admin&PolicyName=guard&PolicyDocument={}",
        enc(&guard)
    );
    b.ok("PutUserPolicy", &params).await;
    let admin = b.as_user("admin").await;
    let trust = enc(common::TRUST);
    let without = format!("RoleName=free&AssumeRolePolicyDocument={trust}");
    let err = b.call_as(&admin, "CreateRole", &without).await.unwrap_err();
    assert_eq!(err.code, "AccessDenied");
    let with = format!("{without}&PermissionsBoundary={}", enc(&cap));
    b.call_as(&admin, "CreateRole", &with).await.unwrap();
    let other = format!("RoleName=free&PermissionsBoundary={}", enc(ADMIN));
    let err = b
        .call_as(&admin, "PutRolePermissionsBoundary", &other)
        .await
        .unwrap_err();
    assert_eq!(err.code, "AccessDenied");
}
