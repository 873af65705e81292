//! IAM users through the query-protocol dispatcher: create, read (including the root and a
//! role session without UserName), list with PathPrefix and Marker, rename and move, delete
//! conflicts, tags, and permissions-boundary usage counts.

#![allow(clippy::unwrap_used)]

mod common;

use common::{ACCOUNT, Bench, assert_error, value, values};
use rampart_iam::records::ManagedPolicyRecord;
use rampart_iam::tables::entity_row;
use rampart_store::Expect;

#[tokio::test]
async fn create_get_and_list_users() {
    let b = Bench::new().await;
    let xml = b
        .ok(
            "CreateUser",
            "UserName=alice&Path=%2Fteam%2F&Tags.member.1.Key=env&Tags.member.1.Value=dev",
        )
        .await;
    assert_eq!(
        value(&xml, "Arn").as_deref(),
        Some(format!("arn:aws:iam::{ACCOUNT}:user/team/alice").as_str())
    );
    assert_eq!(value(&xml, "Path").as_deref(), Some("/team/"));
    let user_id = value(&xml, "UserId").unwrap();
    assert!(user_id.starts_with("AIDA") && user_id.len() == 21);
    assert_eq!(values(&xml, "Key"), ["env"]);
    assert!(value(&xml, "CreateDate").unwrap().ends_with('Z'));

    let got = b.ok("GetUser", "UserName=ALICE").await;
    assert_eq!(value(&got, "UserName").as_deref(), Some("alice"));
    assert_eq!(value(&got, "UserId"), Some(user_id));
    assert_eq!(values(&got, "Value"), ["dev"]);

    let err = b.err("CreateUser", "UserName=Alice").await;
    assert_error(
        &err,
        "EntityAlreadyExists",
        "User with name Alice already exists.",
    );
    assert_eq!(err.status, 409);
    let err = b.err("GetUser", "UserName=bob").await;
    assert_error(
        &err,
        "NoSuchEntity",
        "The user with name bob cannot be found.",
    );
    assert_eq!(err.status, 404);

    b.ok("CreateUser", "UserName=bob").await;
    let listed = b.ok("ListUsers", "").await;
    assert_eq!(values(&listed, "UserName"), ["alice", "bob"]);
    assert_eq!(value(&listed, "IsTruncated").as_deref(), Some("false"));
    // Listing omits tags.
    assert!(values(&listed, "Key").is_empty());
    let team = b.ok("ListUsers", "PathPrefix=%2Fteam").await;
    assert_eq!(values(&team, "UserName"), ["alice"]);
    let none = b.ok("ListUsers", "PathPrefix=%2Fnobody%2F").await;
    assert!(values(&none, "UserName").is_empty());
}

#[tokio::test]
async fn list_users_pages_with_markers() {
    let b = Bench::new().await;
    for name in ["u3", "u1", "u5", "u2", "u4"] {
        b.ok("CreateUser", &format!("UserName={name}")).await;
    }
    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        let params = match &marker {
            Some(m) => format!("MaxItems=2&Marker={m}"),
            None => "MaxItems=2".to_owned(),
        };
        let xml = b.ok("ListUsers", &params).await;
        pages += 1;
        seen.extend(values(&xml, "UserName"));
        marker = value(&xml, "Marker");
        let truncated = value(&xml, "IsTruncated").unwrap() == "true";
        assert_eq!(truncated, marker.is_some());
        if !truncated {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ["u1", "u2", "u3", "u4", "u5"]);
}

#[tokio::test]
async fn get_user_without_name_answers_the_caller() {
    let b = Bench::new().await;
    let root = b.ok("GetUser", "").await;
    assert_eq!(
        value(&root, "Arn").as_deref(),
        Some(format!("arn:aws:iam::{ACCOUNT}:root").as_str())
    );
    assert_eq!(value(&root, "UserId").as_deref(), Some(ACCOUNT));
    assert!(value(&root, "UserName").is_none());
    assert!(value(&root, "CreateDate").is_some());

    let err = b
        .call_as(&b.role_session(), "GetUser", "")
        .await
        .unwrap_err();
    assert_error(
        &err,
        "ValidationError",
        "Must specify userName when calling with non-User credentials",
    );

    b.ok("CreateUser", "UserName=carol&Path=%2Fops%2F").await;
    let key = value(
        &b.ok("CreateAccessKey", "UserName=carol").await,
        "AccessKeyId",
    )
    .unwrap();
    b.put_inline_policy(
        "carol",
        "self",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}"#,
    )
    .await;
    let ctx = b.signed_by(&key).await;
    let me = b.call_as(&ctx, "GetUser", "").await.unwrap();
    assert_eq!(value(&me, "UserName").as_deref(), Some("carol"));
    assert_eq!(value(&me, "Path").as_deref(), Some("/ops/"));
}

#[tokio::test]
async fn rename_and_move_keep_memberships_and_keys() {
    let b = Bench::new().await;
    b.ok("CreateUser", "UserName=dave").await;
    b.ok("CreateGroup", "GroupName=devs").await;
    b.ok("AddUserToGroup", "GroupName=devs&UserName=dave").await;
    let key = value(
        &b.ok("CreateAccessKey", "UserName=dave").await,
        "AccessKeyId",
    )
    .unwrap();
    let before = b.signed_by(&key).await;
    assert!(before.principal.arn.ends_with(":user/dave"));

    b.ok(
        "UpdateUser",
        "UserName=dave&NewUserName=David&NewPath=%2Fstaff%2F",
    )
    .await;
    let err = b.err("GetUser", "UserName=dave").await;
    assert_error(
        &err,
        "NoSuchEntity",
        "The user with name dave cannot be found.",
    );
    let got = b.ok("GetUser", "UserName=david").await;
    assert_eq!(value(&got, "UserName").as_deref(), Some("David"));
    assert_eq!(
        value(&got, "Arn").as_deref(),
        Some(format!("arn:aws:iam::{ACCOUNT}:user/staff/David").as_str())
    );
    let group = b.ok("GetGroup", "GroupName=devs").await;
    assert_eq!(values(&group, "UserName"), ["David"]);
    let groups = b.ok("ListGroupsForUser", "UserName=David").await;
    assert_eq!(values(&groups, "GroupName"), ["devs"]);
    let keys = b.ok("ListAccessKeys", "UserName=David").await;
    assert_eq!(values(&keys, "AccessKeyId"), [key.as_str()]);
    assert_eq!(values(&keys, "UserName"), ["David"]);
    let after = b.signed_by(&key).await;
    assert_eq!(
        after.principal.arn,
        format!("arn:aws:iam::{ACCOUNT}:user/staff/David")
    );
    let last = b
        .ok("GetAccessKeyLastUsed", &format!("AccessKeyId={key}"))
        .await;
    assert_eq!(value(&last, "UserName").as_deref(), Some("David"));

    // A case-only rename stays on the same row.
    b.ok("UpdateUser", "UserName=David&NewUserName=david").await;
    assert_eq!(b.user("DAVID").await.unwrap().name, "david");

    b.ok("CreateUser", "UserName=erin").await;
    let err = b.err("UpdateUser", "UserName=erin&NewUserName=DAVID").await;
    assert_error(
        &err,
        "EntityAlreadyExists",
        "User with name DAVID already exists.",
    );
    let err = b.err("UpdateUser", "UserName=nobody&NewUserName=x").await;
    assert_error(
        &err,
        "NoSuchEntity",
        "The user with name nobody cannot be found.",
    );
}

#[tokio::test]
async fn delete_user_conflicts_until_everything_is_removed() {
    let b = Bench::new().await;
    b.ok("CreateUser", "UserName=frank").await;
    b.ok("CreateGroup", "GroupName=g").await;
    b.ok("AddUserToGroup", "GroupName=g&UserName=frank").await;
    let key = value(
        &b.ok("CreateAccessKey", "UserName=frank").await,
        "AccessKeyId",
    )
    .unwrap();
    b.put_inline_policy("frank", "p", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#).await;

    let conflict = |message: &'static str| {
        move |err: rampart_codec::ServiceError| {
            assert_error(&err, "DeleteConflict", message);
            assert_eq!(err.status, 409);
        }
    };
    conflict("Cannot delete entity, must delete access keys first.")(
        b.err("DeleteUser", "UserName=frank").await,
    );
    b.ok(
        "DeleteAccessKey",
        &format!("UserName=frank&AccessKeyId={key}"),
    )
    .await;
    conflict("Cannot delete entity, must remove users from group first.")(
        b.err("DeleteUser", "UserName=frank").await,
    );
    b.ok("RemoveUserFromGroup", "GroupName=g&UserName=frank")
        .await;
    conflict("Cannot delete entity, must delete policies first.")(
        b.err("DeleteUser", "UserName=frank").await,
    );
    let mut user = b.user("frank").await.unwrap();
    user.inline_policies.clear();
    user.attached_policies
        .push("arn:aws:iam::aws:policy/AdministratorAccess".into());
    overwrite_user(&b, &user).await;
    conflict("Cannot delete entity, must detach all policies first.")(
        b.err("DeleteUser", "UserName=frank").await,
    );
    user.attached_policies.clear();
    overwrite_user(&b, &user).await;
    b.ok("DeleteUser", "UserName=frank").await;
    assert!(b.user("frank").await.is_none());
    let err = b.err("DeleteUser", "UserName=frank").await;
    assert_error(
        &err,
        "NoSuchEntity",
        "The user with name frank cannot be found.",
    );
}

async fn overwrite_user(b: &Bench, user: &rampart_iam::records::UserRecord) {
    let row = entity_row(ACCOUNT, &user.name);
    let users = &b.dir.tables.users;
    let current = users.get(&row).await.unwrap().unwrap();
    let writes = rampart_iam::tables::replace(users, &row, user, &current).unwrap();
    b.dir.tables.commit(ACCOUNT, writes).await.unwrap();
}

#[tokio::test]
async fn user_tags_are_added_replaced_removed_and_paged() {
    let b = Bench::new().await;
    b.ok("CreateUser", "UserName=gina").await;
    b.ok(
        "TagUser",
        "UserName=gina&Tags.member.1.Key=a&Tags.member.1.Value=1\
         &Tags.member.2.Key=b&Tags.member.2.Value=2&Tags.member.3.Key=c&Tags.member.3.Value=3",
    )
    .await;
    b.ok(
        "TagUser",
        "UserName=gina&Tags.member.1.Key=A&Tags.member.1.Value=one",
    )
    .await;
    let all = b.ok("ListUserTags", "UserName=gina").await;
    assert_eq!(values(&all, "Key"), ["b", "c", "A"]);
    assert_eq!(values(&all, "Value"), ["2", "3", "one"]);

    let first = b.ok("ListUserTags", "UserName=gina&MaxItems=2").await;
    assert_eq!(values(&first, "Key"), ["b", "c"]);
    assert_eq!(value(&first, "IsTruncated").as_deref(), Some("true"));
    let marker = value(&first, "Marker").unwrap();
    let second = b
        .ok(
            "ListUserTags",
            &format!("UserName=gina&MaxItems=2&Marker={marker}"),
        )
        .await;
    assert_eq!(values(&second, "Key"), ["A"]);
    assert_eq!(value(&second, "IsTruncated").as_deref(), Some("false"));

    b.ok(
        "UntagUser",
        "UserName=gina&TagKeys.member.1=B&TagKeys.member.2=zzz",
    )
    .await;
    let left = b.ok("ListUserTags", "UserName=gina").await;
    assert_eq!(values(&left, "Key"), ["c", "A"]);
    let got = b.ok("GetUser", "UserName=gina").await;
    assert_eq!(values(&got, "Key"), ["c", "A"]);

    let err = b
        .err(
            "TagUser",
            "UserName=gina&Tags.member.1.Key=x&Tags.member.1.Value=1\
             &Tags.member.2.Key=X&Tags.member.2.Value=2",
        )
        .await;
    assert_eq!(err.code, "InvalidInput");
    let many: String = (1..=49)
        .map(|i| format!("&Tags.member.{i}.Key=k{i}&Tags.member.{i}.Value=v"))
        .collect();
    let err = b.err("TagUser", &format!("UserName=gina{many}")).await;
    assert_eq!(err.code, "LimitExceeded");
    for action in ["TagUser", "UntagUser", "ListUserTags"] {
        let params = match action {
            "TagUser" => "UserName=nobody&Tags.member.1.Key=a&Tags.member.1.Value=b",
            "UntagUser" => "UserName=nobody&TagKeys.member.1=a",
            _ => "UserName=nobody",
        };
        let err = b.err(action, params).await;
        assert_error(
            &err,
            "NoSuchEntity",
            "The user with name nobody cannot be found.",
        );
    }
}

#[tokio::test]
async fn permissions_boundary_is_checked_counted_and_released() {
    let b = Bench::new().await;
    let arn = format!("arn:aws:iam::{ACCOUNT}:policy/Bound");
    let err = b
        .err(
            "CreateUser",
            &format!("UserName=h&PermissionsBoundary={arn}"),
        )
        .await;
    assert_error(
        &err,
        "NoSuchEntity",
        &format!("Scope ARN: {arn} does not exist or is not attachable."),
    );
    assert!(b.user("h").await.is_none());

    let policy = ManagedPolicyRecord {
        schema: 1,
        account: ACCOUNT.into(),
        name: "Bound".into(),
        path: "/".into(),
        policy_id: "ANPAEXAMPLEEXAMPLE000".into(),
        description: None,
        created_ms: 0,
        updated_ms: 0,
        default_version: "v1".into(),
        versions: vec![rampart_iam::records::PolicyVersionRecord {
            version_id: "v1".into(),
            document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#.into(),
            created_ms: 0,
        }],
        next_version: 2,
        attachment_count: 0,
        boundary_usage_count: 0,
        tags: Vec::new(),
    };
    let row = entity_row(ACCOUNT, "Bound");
    let policies = &b.dir.tables.policies;
    let write = policies.put(&row, &policy, Expect::Absent).unwrap();
    b.dir.tables.commit(ACCOUNT, vec![write]).await.unwrap();

    let xml = b
        .ok(
            "CreateUser",
            &format!("UserName=h&PermissionsBoundary={arn}"),
        )
        .await;
    assert_eq!(value(&xml, "PermissionsBoundaryArn"), Some(arn.clone()));
    assert_eq!(
        value(&xml, "PermissionsBoundaryType").as_deref(),
        Some("PermissionsBoundaryPolicy")
    );
    let got = b.ok("GetUser", "UserName=h").await;
    assert_eq!(value(&got, "PermissionsBoundaryArn"), Some(arn.clone()));
    let listed = b.ok("ListUsers", "").await;
    assert!(value(&listed, "PermissionsBoundaryArn").is_none());
    let count = || async {
        policies
            .get(&row)
            .await
            .unwrap()
            .unwrap()
            .value
            .boundary_usage_count
    };
    assert_eq!(count().await, 1);
    b.ok("DeleteUser", "UserName=h").await;
    assert_eq!(count().await, 0);

    let managed = "arn:aws:iam::aws:policy/AdministratorAccess";
    b.ok(
        "CreateUser",
        &format!("UserName=i&PermissionsBoundary={managed}"),
    )
    .await;
    let err = b
        .err(
            "CreateUser",
            "UserName=j&PermissionsBoundary=arn:aws:iam::aws:policy/NoSuchThing",
        )
        .await;
    assert_eq!(err.code, "NoSuchEntity");
}
