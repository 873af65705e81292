//! IAM groups and membership through the query-protocol dispatcher: create, get with paged
//! members, list with PathPrefix, rename carrying the members' group lists, delete conflicts,
//! add/remove (idempotent add, the ten-groups-per-user quota) and ListGroupsForUser.

#![allow(clippy::unwrap_used)]

mod common;

use common::{ACCOUNT, Bench, assert_error, value, values};

#[tokio::test]
async fn create_get_and_list_groups() {
    let b = Bench::new().await;
    let xml = b.ok("CreateGroup", "GroupName=Admins&Path=%2Fops%2F").await;
    assert_eq!(
        value(&xml, "Arn").as_deref(),
        Some(format!("arn:aws:iam::{ACCOUNT}:group/ops/Admins").as_str())
    );
    let id = value(&xml, "GroupId").unwrap();
    assert!(id.starts_with("AGPA") && id.len() == 21);
    let err = b.err("CreateGroup", "GroupName=admins").await;
    assert_error(
        &err,
        "EntityAlreadyExists",
        "Group with name admins already exists.",
    );
    b.ok("CreateGroup", "GroupName=readers").await;

    let got = b.ok("GetGroup", "GroupName=ADMINS").await;
    assert_eq!(value(&got, "GroupName").as_deref(), Some("Admins"));
    assert_eq!(value(&got, "GroupId"), Some(id));
    assert_eq!(value(&got, "IsTruncated").as_deref(), Some("false"));
    assert!(values(&got, "UserName").is_empty());
    let err = b.err("GetGroup", "GroupName=nope").await;
    assert_error(
        &err,
        "NoSuchEntity",
        "The group with name nope cannot be found.",
    );

    let all = b.ok("ListGroups", "").await;
    assert_eq!(values(&all, "GroupName"), ["Admins", "readers"]);
    let ops = b.ok("ListGroups", "PathPrefix=%2Fops%2F").await;
    assert_eq!(values(&ops, "GroupName"), ["Admins"]);
    let first = b.ok("ListGroups", "MaxItems=1").await;
    assert_eq!(values(&first, "GroupName"), ["Admins"]);
    let marker = value(&first, "Marker").unwrap();
    let second = b
        .ok("ListGroups", &format!("MaxItems=1&Marker={marker}"))
        .await;
    assert_eq!(values(&second, "GroupName"), ["readers"]);
    assert_eq!(value(&second, "IsTruncated").as_deref(), Some("false"));
}

#[tokio::test]
async fn get_group_pages_its_members() {
    let b = Bench::new().await;
    b.ok("CreateGroup", "GroupName=team").await;
    for name in ["zed", "amy", "Max", "bob"] {
        b.ok("CreateUser", &format!("UserName={name}")).await;
        b.ok("AddUserToGroup", &format!("GroupName=team&UserName={name}"))
            .await;
    }
    let first = b.ok("GetGroup", "GroupName=team&MaxItems=3").await;
    assert_eq!(values(&first, "UserName"), ["amy", "bob", "Max"]);
    assert_eq!(value(&first, "IsTruncated").as_deref(), Some("true"));
    assert_eq!(value(&first, "GroupName").as_deref(), Some("team"));
    let marker = value(&first, "Marker").unwrap();
    let rest = b
        .ok(
            "GetGroup",
            &format!("GroupName=team&MaxItems=3&Marker={marker}"),
        )
        .await;
    assert_eq!(values(&rest, "UserName"), ["zed"]);
    assert_eq!(value(&rest, "IsTruncated").as_deref(), Some("false"));
    assert!(value(&rest, "Marker").is_none());
}

#[tokio::test]
async fn membership_is_kept_on_both_sides() {
    let b = Bench::new().await;
    b.ok("CreateUser", "UserName=ann").await;
    b.ok("CreateGroup", "GroupName=g1").await;
    b.ok("CreateGroup", "GroupName=g2").await;
    b.ok("AddUserToGroup", "GroupName=g2&UserName=ann").await;
    b.ok("AddUserToGroup", "GroupName=g1&UserName=ANN").await;
    // Adding again changes nothing.
    b.ok("AddUserToGroup", "GroupName=G1&UserName=ann").await;
    let groups = b.ok("ListGroupsForUser", "UserName=ann").await;
    assert_eq!(values(&groups, "GroupName"), ["g1", "g2"]);
    let first = b.ok("ListGroupsForUser", "UserName=ann&MaxItems=1").await;
    assert_eq!(values(&first, "GroupName"), ["g1"]);
    let marker = value(&first, "Marker").unwrap();
    let second = b
        .ok(
            "ListGroupsForUser",
            &format!("UserName=ann&MaxItems=1&Marker={marker}"),
        )
        .await;
    assert_eq!(values(&second, "GroupName"), ["g2"]);
    assert_eq!(b.user("ann").await.unwrap().groups, ["g2", "g1"]);
    let members = b.ok("GetGroup", "GroupName=g1").await;
    assert_eq!(values(&members, "UserName"), ["ann"]);

    b.ok("RemoveUserFromGroup", "GroupName=g1&UserName=ann")
        .await;
    let groups = b.ok("ListGroupsForUser", "UserName=ann").await;
    assert_eq!(values(&groups, "GroupName"), ["g2"]);
    let err = b
        .err("RemoveUserFromGroup", "GroupName=g1&UserName=ann")
        .await;
    assert_error(&err, "NoSuchEntity", "User ann not in group g1");

    let err = b.err("AddUserToGroup", "GroupName=nope&UserName=ann").await;
    assert_error(
        &err,
        "NoSuchEntity",
        "The group with name nope cannot be found.",
    );
    let err = b.err("AddUserToGroup", "GroupName=g1&UserName=nope").await;
    assert_error(
        &err,
        "NoSuchEntity",
        "The user with name nope cannot be found.",
    );
    let err = b
        .err("RemoveUserFromGroup", "GroupName=g1&UserName=nope")
        .await;
    assert_error(
        &err,
        "NoSuchEntity",
        "The user with name nope cannot be found.",
    );
    let err = b.err("ListGroupsForUser", "UserName=nope").await;
    assert_error(
        &err,
        "NoSuchEntity",
        "The user with name nope cannot be found.",
    );
}

#[tokio::test]
async fn a_user_belongs_to_at_most_ten_groups() {
    let b = Bench::new().await;
    b.ok("CreateUser", "UserName=joiner").await;
    for i in 0..11 {
        b.ok("CreateGroup", &format!("GroupName=g{i}")).await;
    }
    for i in 0..10 {
        b.ok("AddUserToGroup", &format!("GroupName=g{i}&UserName=joiner"))
            .await;
    }
    let err = b
        .err("AddUserToGroup", "GroupName=g10&UserName=joiner")
        .await;
    assert_error(
        &err,
        "LimitExceeded",
        "Cannot exceed quota for GroupsPerUser: 10",
    );
    assert_eq!(err.status, 409);
    let members = b.ok("GetGroup", "GroupName=g10").await;
    assert!(values(&members, "UserName").is_empty());
}

#[tokio::test]
async fn renaming_a_group_updates_its_members() {
    let b = Bench::new().await;
    b.ok("CreateUser", "UserName=u1").await;
    b.ok("CreateUser", "UserName=u2").await;
    b.ok("CreateGroup", "GroupName=old").await;
    b.ok("CreateGroup", "GroupName=taken").await;
    b.ok("AddUserToGroup", "GroupName=old&UserName=u1").await;
    b.ok("AddUserToGroup", "GroupName=old&UserName=u2").await;

    b.ok(
        "UpdateGroup",
        "GroupName=old&NewGroupName=New&NewPath=%2Fdiv%2F",
    )
    .await;
    let err = b.err("GetGroup", "GroupName=old").await;
    assert_error(
        &err,
        "NoSuchEntity",
        "The group with name old cannot be found.",
    );
    let got = b.ok("GetGroup", "GroupName=new").await;
    assert_eq!(
        value(&got, "Arn").as_deref(),
        Some(format!("arn:aws:iam::{ACCOUNT}:group/div/New").as_str())
    );
    assert_eq!(values(&got, "UserName"), ["u1", "u2"]);
    for user in ["u1", "u2"] {
        let groups = b.ok("ListGroupsForUser", &format!("UserName={user}")).await;
        assert_eq!(values(&groups, "GroupName"), ["New"]);
    }
    // Membership still works under the new name.
    b.ok("RemoveUserFromGroup", "GroupName=New&UserName=u1")
        .await;
    assert!(b.user("u1").await.unwrap().groups.is_empty());

    let err = b
        .err("UpdateGroup", "GroupName=New&NewGroupName=TAKEN")
        .await;
    assert_error(
        &err,
        "EntityAlreadyExists",
        "Group with name TAKEN already exists.",
    );
    let err = b.err("UpdateGroup", "GroupName=nope&NewGroupName=x").await;
    assert_error(
        &err,
        "NoSuchEntity",
        "The group with name nope cannot be found.",
    );
}

#[tokio::test]
async fn delete_group_conflicts_while_it_has_members_or_policies() {
    let b = Bench::new().await;
    b.ok("CreateUser", "UserName=m").await;
    b.ok("CreateGroup", "GroupName=doomed").await;
    b.ok("AddUserToGroup", "GroupName=doomed&UserName=m").await;
    let err = b.err("DeleteGroup", "GroupName=doomed").await;
    assert_error(
        &err,
        "DeleteConflict",
        "Cannot delete entity, must remove users from group first.",
    );
    assert_eq!(err.status, 409);
    b.ok("RemoveUserFromGroup", "GroupName=doomed&UserName=m")
        .await;
    b.put_group_policy(
        "doomed",
        "p",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
    )
    .await;
    let err = b.err("DeleteGroup", "GroupName=doomed").await;
    assert_error(
        &err,
        "DeleteConflict",
        "Cannot delete entity, must delete policies first.",
    );
    b.ok("DeleteGroupPolicy", "GroupName=doomed&PolicyName=p")
        .await;
    b.ok(
        "AttachGroupPolicy",
        "GroupName=doomed&PolicyArn=arn:aws:iam::aws:policy/AdministratorAccess",
    )
    .await;
    let err = b.err("DeleteGroup", "GroupName=doomed").await;
    assert_error(
        &err,
        "DeleteConflict",
        "Cannot delete entity, must detach all policies first.",
    );
    b.ok(
        "DetachGroupPolicy",
        "GroupName=doomed&PolicyArn=arn:aws:iam::aws:policy/AdministratorAccess",
    )
    .await;
    b.ok("DeleteGroup", "GroupName=doomed").await;
    let err = b.err("DeleteGroup", "GroupName=doomed").await;
    assert_error(
        &err,
        "NoSuchEntity",
        "The group with name doomed cannot be found.",
    );
    let listed = b.ok("ListGroups", "").await;
    assert!(values(&listed, "GroupName").is_empty());
}
