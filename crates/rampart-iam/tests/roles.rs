//! IAM roles through the query-protocol dispatcher: CreateRole/GetRole/ListRoles/UpdateRole/
//! UpdateRoleDescription/UpdateAssumeRolePolicy/DeleteRole, role tags, AWS's errors and
//! quotas, URL-encoded trust policies, and authorization of the caller.

#![allow(clippy::unwrap_used)]

mod common;

use common::{ACCOUNT, Bench, TRUST, assert_error, enc, unquote, value, values};

#[tokio::test]
async fn create_then_get_answers_every_member() {
    let b = Bench::new().await;
    let created = b
        .create_role(
            "App",
            "&Path=%2Fteam%2F&Description=the+app&MaxSessionDuration=7200\
             &Tags.member.1.Key=env&Tags.member.1.Value=dev",
        )
        .await;
    let arn = format!("arn:aws:iam::{ACCOUNT}:role/team/App");
    assert_eq!(value(&created, "Arn").as_deref(), Some(arn.as_str()));
    let role_id = value(&created, "RoleId").unwrap();
    assert!(role_id.starts_with("AROA") && role_id.len() == 21);
    assert_eq!(value(&created, "MaxSessionDuration"), None);
    assert_eq!(value(&created, "RoleLastUsed"), None);
    let got = b.ok("GetRole", "RoleName=App").await;
    assert_eq!(value(&got, "RoleName").as_deref(), Some("App"));
    assert_eq!(value(&got, "Path").as_deref(), Some("/team/"));
    assert_eq!(value(&got, "RoleId"), Some(role_id));
    assert_eq!(value(&got, "Description").as_deref(), Some("the app"));
    assert_eq!(value(&got, "MaxSessionDuration").as_deref(), Some("7200"));
    assert_eq!(values(&got, "Key"), ["env"]);
    assert!(got.contains("<RoleLastUsed/>") || got.contains("<RoleLastUsed></RoleLastUsed>"));
    assert!(value(&got, "CreateDate").unwrap().ends_with('Z'));
    assert_eq!(value(&got, "PermissionsBoundary"), None);
}

#[tokio::test]
async fn trust_policy_is_answered_url_encoded_and_round_trips() {
    let b = Bench::new().await;
    let pretty = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \
                  \"Principal\": {\"AWS\": \"arn:aws:iam::123456789012:root\"}, \
                  \"Action\": \"sts:AssumeRole\"}]\n}";
    let params = format!("RoleName=r&AssumeRolePolicyDocument={}", enc(pretty));
    let created = b.ok("CreateRole", &params).await;
    let encoded = value(&created, "AssumeRolePolicyDocument").unwrap();
    assert!(
        encoded.starts_with("%7B%0A%20%20%22Version%22%3A%20"),
        "{encoded}"
    );
    assert_eq!(unquote(&encoded), pretty);
    let got = b.ok("GetRole", "RoleName=r").await;
    assert_eq!(
        unquote(&value(&got, "AssumeRolePolicyDocument").unwrap()),
        pretty
    );
    assert_eq!(b.role("r").await.unwrap().trust_policy, pretty);
}

#[tokio::test]
async fn names_are_unique_case_insensitively() {
    let b = Bench::new().await;
    b.create_role("App", "").await;
    let params = format!("RoleName=app&AssumeRolePolicyDocument={}", enc(TRUST));
    let err = b.err("CreateRole", &params).await;
    assert_error(
        &err,
        "EntityAlreadyExists",
        "Role with name app already exists.",
    );
    assert_eq!(err.status, 409);
}

#[tokio::test]
async fn malformed_trust_policies_are_refused() {
    let b = Bench::new().await;
    let no_principal =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}"#;
    let bad_operator = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEqualz":{"aws:username":"a"}}}]}"#;
    for doc in ["{not json", no_principal, bad_operator] {
        let params = format!("RoleName=r&AssumeRolePolicyDocument={}", enc(doc));
        let err = b.err("CreateRole", &params).await;
        assert_eq!(
            err.code, "MalformedPolicyDocument",
            "{doc}: {}",
            err.message
        );
        assert_eq!(err.status, 400);
    }
    assert!(b.role("r").await.is_none());
}

#[tokio::test]
async fn oversize_trust_policy_is_limit_exceeded() {
    let b = Bench::new().await;
    let services: Vec<String> = (0..120)
        .map(|i| format!("\"s{i:03}.amazonaws.com\""))
        .collect();
    let doc = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":[{}]}},"Action":"sts:AssumeRole"}}]}}"#,
        services.join(",")
    );
    let params = format!("RoleName=r&AssumeRolePolicyDocument={}", enc(&doc));
    let err = b.err("CreateRole", &params).await;
    assert_error(
        &err,
        "LimitExceeded",
        "Cannot exceed quota for ACLSize: 2048",
    );
}

#[tokio::test]
async fn max_session_duration_is_held_to_its_range() {
    let b = Bench::new().await;
    for bad in ["3599", "43201"] {
        let params = format!(
            "RoleName=r&AssumeRolePolicyDocument={}&MaxSessionDuration={bad}",
            enc(TRUST)
        );
        let err = b.err("CreateRole", &params).await;
        assert_eq!(err.code, "ValidationError", "{}", err.message);
    }
    b.create_role("r", "&MaxSessionDuration=43200").await;
    b.create_role("d", "").await;
    assert_eq!(b.role("d").await.unwrap().max_session_duration, 3600);
    let err = b
        .err("UpdateRole", "RoleName=r&MaxSessionDuration=100")
        .await;
    assert_eq!(err.code, "ValidationError");
}

#[tokio::test]
async fn list_roles_filters_by_path_and_pages() {
    let b = Bench::new().await;
    for (name, path) in [("c", "/a/"), ("B", "/a/b/"), ("a", "/"), ("d", "/x/")] {
        b.create_role(
            name,
            &format!(
                "&Path={}&Tags.member.1.Key=k&Tags.member.1.Value=v",
                enc(path)
            ),
        )
        .await;
    }
    let all = b.ok("ListRoles", "").await;
    assert_eq!(values(&all, "RoleName"), ["a", "B", "c", "d"]);
    assert_eq!(value(&all, "IsTruncated").as_deref(), Some("false"));
    assert!(value(&all, "Tags").is_none() && value(&all, "RoleLastUsed").is_none());
    assert_eq!(values(&all, "MaxSessionDuration").len(), 4);
    let under_a = b.ok("ListRoles", "PathPrefix=%2Fa%2F").await;
    assert_eq!(values(&under_a, "RoleName"), ["B", "c"]);
    let first = b.ok("ListRoles", "MaxItems=3").await;
    assert_eq!(values(&first, "RoleName"), ["a", "B", "c"]);
    assert_eq!(value(&first, "IsTruncated").as_deref(), Some("true"));
    let marker = value(&first, "Marker").unwrap();
    let rest = b
        .ok("ListRoles", &format!("MaxItems=3&Marker={}", enc(&marker)))
        .await;
    assert_eq!(values(&rest, "RoleName"), ["d"]);
    assert_eq!(value(&rest, "Marker"), None);
}

#[tokio::test]
async fn update_role_and_description() {
    let b = Bench::new().await;
    b.create_role("r", "&Description=old").await;
    b.ok("UpdateRole", "RoleName=r&MaxSessionDuration=14400")
        .await;
    let role = b.role("r").await.unwrap();
    assert_eq!(role.max_session_duration, 14400);
    assert_eq!(role.description.as_deref(), Some("old"));
    b.ok("UpdateRole", "RoleName=r&Description=new").await;
    assert_eq!(
        b.role("r").await.unwrap().description.as_deref(),
        Some("new")
    );
    let out = b
        .ok("UpdateRoleDescription", "RoleName=r&Description=newer")
        .await;
    assert_eq!(value(&out, "Description").as_deref(), Some("newer"));
    assert_eq!(value(&out, "MaxSessionDuration").as_deref(), Some("14400"));
    let err = b.err("UpdateRole", "RoleName=nope&Description=x").await;
    assert_error(
        &err,
        "NoSuchEntity",
        "The role with name nope cannot be found.",
    );
    assert_eq!(err.status, 404);
}

#[tokio::test]
async fn update_assume_role_policy_validates_and_replaces() {
    let b = Bench::new().await;
    b.create_role("r", "").await;
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["sts:AssumeRole","sts:TagSession"]}]}"#;
    b.ok(
        "UpdateAssumeRolePolicy",
        &format!("RoleName=r&PolicyDocument={}", enc(doc)),
    )
    .await;
    let got = b.ok("GetRole", "RoleName=r").await;
    assert_eq!(
        unquote(&value(&got, "AssumeRolePolicyDocument").unwrap()),
        doc
    );
    let identity = common::ALLOW_IAM;
    let err = b
        .err(
            "UpdateAssumeRolePolicy",
            &format!("RoleName=r&PolicyDocument={}", enc(identity)),
        )
        .await;
    assert_eq!(err.code, "MalformedPolicyDocument", "{}", err.message);
    assert_eq!(b.role("r").await.unwrap().trust_policy, doc);
    let err = b
        .err(
            "UpdateAssumeRolePolicy",
            &format!("RoleName=nope&PolicyDocument={}", enc(doc)),
        )
        .await;
    assert_eq!(err.code, "NoSuchEntity");
}

#[tokio::test]
async fn delete_role_needs_its_policies_gone_first() {
    let b = Bench::new().await;
    b.create_role("r", "").await;
    let doc = enc(common::ALLOW_IAM);
    b.ok(
        "PutRolePolicy",
        &format!("RoleName=r&PolicyName=p&PolicyDocument={doc}"),
    )
    .await;
    let err = b.err("DeleteRole", "RoleName=r").await;
    assert_error(
        &err,
        "DeleteConflict",
        "Cannot delete entity, must delete policies first.",
    );
    assert_eq!(err.status, 409);
    b.ok("DeleteRolePolicy", "RoleName=r&PolicyName=p").await;
    attach_directly(&b, "r", "arn:aws:iam::aws:policy/AdministratorAccess").await;
    let err = b.err("DeleteRole", "RoleName=r").await;
    assert_error(
        &err,
        "DeleteConflict",
        "Cannot delete entity, must detach all policies first.",
    );
    attach_directly(&b, "r", "").await;
    b.ok("DeleteRole", "RoleName=r").await;
    assert!(b.role("r").await.is_none());
    let err = b.err("DeleteRole", "RoleName=r").await;
    assert_error(
        &err,
        "NoSuchEntity",
        "The role with name r cannot be found.",
    );
    let err = b.err("GetRole", "RoleName=r").await;
    assert_error(
        &err,
        "NoSuchEntity",
        "The role with name r cannot be found.",
    );
}

/// Sets the role's attached policies to `arn` (none when empty), straight in the table.
async fn attach_directly(b: &Bench, role: &str, arn: &str) {
    let tables = &b.dir.tables;
    let row = rampart_iam::tables::entity_row(ACCOUNT, role);
    let found = tables.roles.get(&row).await.unwrap().unwrap();
    let mut updated = found.value.clone();
    updated.attached_policies = if arn.is_empty() {
        Vec::new()
    } else {
        vec![arn.to_owned()]
    };
    let writes = rampart_iam::tables::replace(&tables.roles, &row, &updated, &found).unwrap();
    tables.commit(ACCOUNT, writes).await.unwrap();
}

#[tokio::test]
async fn role_tags_add_replace_remove_and_page() {
    let b = Bench::new().await;
    b.create_role("r", "&Tags.member.1.Key=a&Tags.member.1.Value=1")
        .await;
    b.ok(
        "TagRole",
        "RoleName=r&Tags.member.1.Key=A&Tags.member.1.Value=2\
         &Tags.member.2.Key=b&Tags.member.2.Value=3&Tags.member.3.Key=c&Tags.member.3.Value=4",
    )
    .await;
    let tags = b.ok("ListRoleTags", "RoleName=r").await;
    assert_eq!(values(&tags, "Key"), ["A", "b", "c"]);
    assert_eq!(values(&tags, "Value"), ["2", "3", "4"]);
    let first = b.ok("ListRoleTags", "RoleName=r&MaxItems=2").await;
    assert_eq!(values(&first, "Key"), ["A", "b"]);
    assert_eq!(value(&first, "IsTruncated").as_deref(), Some("true"));
    let marker = value(&first, "Marker").unwrap();
    let rest = b
        .ok(
            "ListRoleTags",
            &format!("RoleName=r&MaxItems=2&Marker={marker}"),
        )
        .await;
    assert_eq!(values(&rest, "Key"), ["c"]);
    b.ok(
        "UntagRole",
        "RoleName=r&TagKeys.member.1=a&TagKeys.member.2=zz",
    )
    .await;
    let tags = b.ok("ListRoleTags", "RoleName=r").await;
    assert_eq!(values(&tags, "Key"), ["b", "c"]);
    let err = b.err("ListRoleTags", "RoleName=nope").await;
    assert_eq!(err.code, "NoSuchEntity");
}

#[tokio::test]
async fn role_tags_are_held_to_fifty_and_unique_keys() {
    let b = Bench::new().await;
    b.create_role("r", "").await;
    let many: String = (1..=50)
        .map(|i| format!("&Tags.member.{i}.Key=k{i}&Tags.member.{i}.Value=v"))
        .collect();
    b.ok("TagRole", &format!("RoleName=r{many}")).await;
    let err = b
        .err(
            "TagRole",
            "RoleName=r&Tags.member.1.Key=one&Tags.member.1.Value=more",
        )
        .await;
    assert_error(
        &err,
        "LimitExceeded",
        "The number of tags has reached the maximum limit of 50.",
    );
    let err = b
        .err(
            "TagRole",
            "RoleName=r&Tags.member.1.Key=x&Tags.member.2.Key=X&Tags.member.1.Value=1\
             &Tags.member.2.Value=2",
        )
        .await;
    assert_eq!(err.code, "InvalidInput");
    assert_eq!(b.role("r").await.unwrap().tags.len(), 50);
}

#[tokio::test]
async fn callers_need_permission_for_role_actions() {
    let b = Bench::new().await;
    b.create_role("r", "&Tags.member.1.Key=team&Tags.member.1.Value=blue")
        .await;
    b.seed_user("alice").await;
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"blue"}}},{"Effect":"Allow","Action":"iam:TagRole","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"red"}}}]}"#;
    b.ok(
        "PutUserPolicy",
        &format!("UserName=alice&PolicyName=p&PolicyDocument={}", enc(policy)),
    )
    .await;
    let alice = b.as_user("alice").await;
    b.call_as(&alice, "GetRole", "RoleName=r").await.unwrap();
    let err = b
        .call_as(
            &alice,
            "CreateRole",
            &format!("RoleName=x&AssumeRolePolicyDocument={}", enc(TRUST)),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, "AccessDenied");
    assert_eq!(err.status, 403);
    assert_eq!(
        err.message,
        format!(
            "User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to perform: \
             iam:CreateRole on resource: arn:aws:iam::{ACCOUNT}:role/x because no \
             identity-based policy allows the iam:CreateRole action"
        )
    );
    let red = "RoleName=r&Tags.member.1.Key=team&Tags.member.1.Value=red";
    b.call_as(&alice, "TagRole", red).await.unwrap();
    let green = "RoleName=r&Tags.member.1.Key=team&Tags.member.1.Value=green";
    let err = b.call_as(&alice, "TagRole", green).await.unwrap_err();
    assert_eq!(err.code, "AccessDenied");
    // The role is now tagged red: GetRole's condition no longer holds.
    let err = b
        .call_as(&alice, "GetRole", "RoleName=r")
        .await
        .unwrap_err();
    assert_eq!(err.code, "AccessDenied");
    // The request's keys count for a missing role too: allowed, then NoSuchEntity.
    let ghost = "RoleName=ghost&Tags.member.1.Key=team&Tags.member.1.Value=red";
    let err = b.call_as(&alice, "TagRole", ghost).await.unwrap_err();
    assert_eq!(err.code, "NoSuchEntity");
    // A missing role answers AccessDenied, not NoSuchEntity, to a caller without permission.
    let err = b
        .call_as(&alice, "DeleteRole", "RoleName=ghost")
        .await
        .unwrap_err();
    assert_eq!(err.code, "AccessDenied");
}
