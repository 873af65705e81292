//! Access keys through the query-protocol dispatcher: users' keys (two at most, the secret
//! only in CreateAccessKey, status changes honoured by the credential lookup at once,
//! deletion), the root's own keys, and GetAccessKeyLastUsed.

#![allow(clippy::unwrap_used)]

mod common;

use common::{ACCOUNT, Bench, assert_error, value, values};
use rampart_iam::records::KeyStatus;
use rampart_store::Expect;

#[tokio::test]
async fn user_keys_are_created_listed_disabled_and_deleted() {
    let b = Bench::new().await;
    b.ok("CreateUser", "UserName=kim").await;
    let made = b.ok("CreateAccessKey", "UserName=kim").await;
    let id = value(&made, "AccessKeyId").unwrap();
    let secret = value(&made, "SecretAccessKey").unwrap();
    assert!(id.starts_with("AKIA") && id.len() == 20);
    assert_eq!(secret.len(), 40);
    assert_eq!(value(&made, "Status").as_deref(), Some("Active"));
    assert_eq!(value(&made, "UserName").as_deref(), Some("kim"));
    assert!(value(&made, "CreateDate").is_some());

    let found = b.dir.credentials.find(&id).await.unwrap().unwrap();
    assert_eq!(found.secret.as_str(), secret);
    assert_eq!(
        found.principal.arn,
        format!("arn:aws:iam::{ACCOUNT}:user/kim")
    );
    let stored = b.dir.tables.access_keys.get(&id).await.unwrap().unwrap();
    assert_eq!(stored.value.user_name.as_deref(), Some("kim"));
    assert!(!stored.value.wrapped_secret.contains(&secret));

    let second = value(
        &b.ok("CreateAccessKey", "UserName=kim").await,
        "AccessKeyId",
    )
    .unwrap();
    let err = b.err("CreateAccessKey", "UserName=kim").await;
    assert_error(
        &err,
        "LimitExceeded",
        "Cannot exceed quota for AccessKeysPerUser: 2",
    );
    assert_eq!(err.status, 409);
    assert_eq!(b.user("kim").await.unwrap().access_keys.len(), 2);

    let listed = b.ok("ListAccessKeys", "UserName=kim").await;
    assert_eq!(values(&listed, "AccessKeyId"), [id.clone(), second.clone()]);
    assert!(value(&listed, "SecretAccessKey").is_none());
    assert_eq!(values(&listed, "Status"), ["Active", "Active"]);
    let first = b.ok("ListAccessKeys", "UserName=kim&MaxItems=1").await;
    assert_eq!(values(&first, "AccessKeyId"), [id.as_str()]);
    let marker = value(&first, "Marker").unwrap();
    let rest = b
        .ok(
            "ListAccessKeys",
            &format!("UserName=kim&MaxItems=1&Marker={marker}"),
        )
        .await;
    assert_eq!(values(&rest, "AccessKeyId"), [second.as_str()]);

    b.ok(
        "UpdateAccessKey",
        &format!("UserName=kim&AccessKeyId={id}&Status=Inactive"),
    )
    .await;
    assert!(b.dir.credentials.find(&id).await.unwrap().is_none());
    let listed = b.ok("ListAccessKeys", "UserName=kim").await;
    assert_eq!(values(&listed, "Status"), ["Inactive", "Active"]);
    b.ok(
        "UpdateAccessKey",
        &format!("UserName=kim&AccessKeyId={id}&Status=Active"),
    )
    .await;
    assert!(b.dir.credentials.find(&id).await.unwrap().is_some());

    b.ok("DeleteAccessKey", &format!("UserName=kim&AccessKeyId={id}"))
        .await;
    assert!(b.dir.credentials.find(&id).await.unwrap().is_none());
    assert_eq!(b.user("kim").await.unwrap().access_keys, [second.as_str()]);
    let listed = b.ok("ListAccessKeys", "UserName=kim").await;
    assert_eq!(values(&listed, "AccessKeyId"), [second]);
}

#[tokio::test]
async fn key_errors_are_aws_errors() {
    let b = Bench::new().await;
    b.ok("CreateUser", "UserName=lee").await;
    b.ok("CreateUser", "UserName=other").await;
    let id = value(
        &b.ok("CreateAccessKey", "UserName=lee").await,
        "AccessKeyId",
    )
    .unwrap();
    let missing = "The user with name nobody cannot be found.";
    for (action, params) in [
        ("CreateAccessKey", "UserName=nobody".to_owned()),
        ("ListAccessKeys", "UserName=nobody".to_owned()),
        (
            "UpdateAccessKey",
            format!("UserName=nobody&AccessKeyId={id}&Status=Inactive"),
        ),
        (
            "DeleteAccessKey",
            format!("UserName=nobody&AccessKeyId={id}"),
        ),
    ] {
        assert_error(&b.err(action, &params).await, "NoSuchEntity", missing);
    }
    let not_theirs = format!("The Access Key with id {id} cannot be found.");
    let err = b
        .err(
            "UpdateAccessKey",
            &format!("UserName=other&AccessKeyId={id}&Status=Inactive"),
        )
        .await;
    assert_error(&err, "NoSuchEntity", &not_theirs);
    let err = b
        .err(
            "DeleteAccessKey",
            &format!("UserName=other&AccessKeyId={id}"),
        )
        .await;
    assert_error(&err, "NoSuchEntity", &not_theirs);
    // Without UserName the root means its own keys: a user's key is not one of them.
    let err = b.err("DeleteAccessKey", &format!("AccessKeyId={id}")).await;
    assert_error(&err, "NoSuchEntity", &not_theirs);
    let unknown = "AKIAAAAAAAAAAAAAAAAA";
    let err = b
        .err(
            "DeleteAccessKey",
            &format!("UserName=lee&AccessKeyId={unknown}"),
        )
        .await;
    assert_error(
        &err,
        "NoSuchEntity",
        &format!("The Access Key with id {unknown} cannot be found."),
    );
    let err = b
        .err(
            "UpdateAccessKey",
            &format!("UserName=lee&AccessKeyId={id}&Status=Expired"),
        )
        .await;
    assert_eq!(err.code, "InvalidInput");
    let err = b
        .call_as(&b.role_session(), "CreateAccessKey", "")
        .await
        .unwrap_err();
    assert_error(
        &err,
        "ValidationError",
        "Must specify userName when calling with non-User credentials",
    );
    assert!(b.dir.credentials.find(&id).await.unwrap().is_some());
}

#[tokio::test]
async fn the_root_manages_its_own_keys() {
    let b = Bench::new().await;
    b.ok("CreateUser", "UserName=bystander").await;
    b.ok("CreateAccessKey", "UserName=bystander").await;
    let made = b.ok("CreateAccessKey", "").await;
    let id = value(&made, "AccessKeyId").unwrap();
    assert!(value(&made, "UserName").is_none());
    assert!(value(&made, "SecretAccessKey").is_some());
    let found = b.dir.credentials.find(&id).await.unwrap().unwrap();
    assert_eq!(found.principal.arn, format!("arn:aws:iam::{ACCOUNT}:root"));
    let account = b.dir.tables.accounts.get(ACCOUNT).await.unwrap().unwrap();
    assert_eq!(account.value.account, ACCOUNT);

    let second = value(&b.ok("CreateAccessKey", "").await, "AccessKeyId").unwrap();
    let err = b.err("CreateAccessKey", "").await;
    assert_error(
        &err,
        "LimitExceeded",
        "Cannot exceed quota for AccessKeysPerUser: 2",
    );
    let listed = b.ok("ListAccessKeys", "").await;
    let mut ids = values(&listed, "AccessKeyId");
    ids.sort();
    let mut expected = vec![id.clone(), second.clone()];
    expected.sort();
    assert_eq!(ids, expected);
    assert!(value(&listed, "UserName").is_none());

    b.ok(
        "UpdateAccessKey",
        &format!("AccessKeyId={id}&Status=Inactive"),
    )
    .await;
    assert!(b.dir.credentials.find(&id).await.unwrap().is_none());
    b.ok("DeleteAccessKey", &format!("AccessKeyId={id}")).await;
    let listed = b.ok("ListAccessKeys", "").await;
    assert_eq!(values(&listed, "AccessKeyId"), [second]);
    // The root's GetUser shows the account's creation date.
    let me = b.ok("GetUser", "").await;
    assert!(value(&me, "CreateDate").is_some());
}

#[tokio::test]
async fn last_use_is_reported_as_aws_does() {
    let b = Bench::new().await;
    b.ok("CreateUser", "UserName=ned").await;
    let id = value(
        &b.ok("CreateAccessKey", "UserName=ned").await,
        "AccessKeyId",
    )
    .unwrap();
    let never = b
        .ok("GetAccessKeyLastUsed", &format!("AccessKeyId={id}"))
        .await;
    assert_eq!(value(&never, "UserName").as_deref(), Some("ned"));
    assert_eq!(value(&never, "ServiceName").as_deref(), Some("N/A"));
    assert_eq!(value(&never, "Region").as_deref(), Some("N/A"));
    assert!(value(&never, "LastUsedDate").is_none());

    let table = &b.dir.tables.access_keys;
    let mut stored = table.get(&id).await.unwrap().unwrap();
    stored.value.last_used_ms = Some(1_700_000_000_000);
    stored.value.last_used_service = Some("kms".into());
    stored.value.last_used_region = Some("eu-west-1".into());
    assert_eq!(stored.value.status, KeyStatus::Active);
    let write = table
        .put(&id, &stored.value, Expect::Version(stored.version))
        .unwrap();
    b.dir.tables.commit(ACCOUNT, vec![write]).await.unwrap();
    let used = b
        .ok("GetAccessKeyLastUsed", &format!("AccessKeyId={id}"))
        .await;
    assert_eq!(
        value(&used, "LastUsedDate").as_deref(),
        Some("2023-11-14T22:13:20Z")
    );
    assert_eq!(value(&used, "ServiceName").as_deref(), Some("kms"));
    assert_eq!(value(&used, "Region").as_deref(), Some("eu-west-1"));

    let unknown = "AKIAAAAAAAAAAAAAAAAA";
    let err = b
        .err("GetAccessKeyLastUsed", &format!("AccessKeyId={unknown}"))
        .await;
    assert_eq!((err.code.as_ref(), err.status), ("AccessDenied", 403));
    assert!(err.message.ends_with(&format!("access key {unknown}")));
}
