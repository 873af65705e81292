//! Inline policies of users, groups and roles through the dispatcher: Put/Get/List/Delete,
//! URL-encoded documents, malformed documents, the aggregate size quotas, AWS's errors, and
//! that what is stored is what authorization enforces.

#![allow(clippy::unwrap_used)]

mod common;

use common::{ACCOUNT, ALLOW_IAM, Bench, TRUST, assert_error, enc, unquote, value, values};

/// An identity policy allowing `action` on every resource, padded with `pad` extra
/// characters of Sid (to reach a size).
fn allow(action: &str, pad: usize) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"S{}","Effect":"Allow","Action":"{action}","Resource":"*"}}]}}"#,
        "x".repeat(pad)
    )
}

#[tokio::test]
async fn put_get_list_delete_for_users_groups_and_roles() {
    let b = Bench::new().await;
    b.seed_user("alice").await;
    b.seed_group("devs", "/").await;
    b.create_role("app", "").await;
    let pretty = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\": \"Allow\", \
                  \"Action\": \"kms:Encrypt\", \"Resource\": \"*\"}\n}";
    for (kind, entity) in [("User", "alice"), ("Group", "devs"), ("Role", "app")] {
        for policy in ["zeta", "Alpha", "beta"] {
            let params = format!(
                "{kind}Name={entity}&PolicyName={policy}&PolicyDocument={}",
                enc(pretty)
            );
            b.ok(&format!("Put{kind}Policy"), &params).await;
        }
        let listed = b
            .ok(
                &format!("List{kind}Policies"),
                &format!("{kind}Name={entity}"),
            )
            .await;
        assert_eq!(values(&listed, "member"), ["Alpha", "beta", "zeta"]);
        assert_eq!(value(&listed, "IsTruncated").as_deref(), Some("false"));
        let got = b
            .ok(
                &format!("Get{kind}Policy"),
                &format!("{kind}Name={entity}&PolicyName=beta"),
            )
            .await;
        assert_eq!(value(&got, &format!("{kind}Name")).as_deref(), Some(entity));
        assert_eq!(value(&got, "PolicyName").as_deref(), Some("beta"));
        let encoded = value(&got, "PolicyDocument").unwrap();
        assert!(
            encoded.starts_with("%7B%0A%20%20%22Version%22"),
            "{encoded}"
        );
        assert_eq!(unquote(&encoded), pretty);
        b.ok(
            &format!("Delete{kind}Policy"),
            &format!("{kind}Name={entity}&PolicyName=beta"),
        )
        .await;
        let listed = b
            .ok(
                &format!("List{kind}Policies"),
                &format!("{kind}Name={entity}"),
            )
            .await;
        assert_eq!(values(&listed, "member"), ["Alpha", "zeta"]);
        let err = b
            .err(
                &format!("Get{kind}Policy"),
                &format!("{kind}Name={entity}&PolicyName=beta"),
            )
            .await;
        let lower = kind.to_ascii_lowercase();
        let message = format!("The {lower} policy with name beta cannot be found.");
        assert_error(&err, "NoSuchEntity", &message);
        let err = b
            .err(
                &format!("Delete{kind}Policy"),
                &format!("{kind}Name={entity}&PolicyName=beta"),
            )
            .await;
        assert_error(&err, "NoSuchEntity", &message);
    }
    assert_eq!(
        b.user("alice").await.unwrap().inline_policies["zeta"],
        pretty
    );
}

#[tokio::test]
async fn list_policies_pages() {
    let b = Bench::new().await;
    b.create_role("app", "").await;
    for i in 0..5 {
        let params = format!(
            "RoleName=app&PolicyName=p{i}&PolicyDocument={}",
            enc(ALLOW_IAM)
        );
        b.ok("PutRolePolicy", &params).await;
    }
    let first = b.ok("ListRolePolicies", "RoleName=app&MaxItems=2").await;
    assert_eq!(values(&first, "member"), ["p0", "p1"]);
    assert_eq!(value(&first, "IsTruncated").as_deref(), Some("true"));
    let mut marker = value(&first, "Marker").unwrap();
    let mut seen = 2;
    while !marker.is_empty() {
        let params = format!("RoleName=app&MaxItems=2&Marker={}", enc(&marker));
        let next = b.ok("ListRolePolicies", &params).await;
        seen += values(&next, "member").len();
        marker = value(&next, "Marker").unwrap_or_default();
    }
    assert_eq!(seen, 5);
}

#[tokio::test]
async fn missing_entities_are_no_such_entity() {
    let b = Bench::new().await;
    let doc = enc(ALLOW_IAM);
    let cases = [
        ("PutUserPolicy", "UserName", "user"),
        ("PutGroupPolicy", "GroupName", "group"),
        ("PutRolePolicy", "RoleName", "role"),
    ];
    for (action, member, kind) in cases {
        let params = format!("{member}=ghost&PolicyName=p&PolicyDocument={doc}");
        let err = b.err(action, &params).await;
        let message = format!("The {kind} with name ghost cannot be found.");
        assert_error(&err, "NoSuchEntity", &message);
        assert_eq!(err.status, 404);
    }
    let err = b.err("ListUserPolicies", "UserName=ghost").await;
    assert_error(
        &err,
        "NoSuchEntity",
        "The user with name ghost cannot be found.",
    );
}

#[tokio::test]
async fn malformed_identity_documents_are_refused() {
    let b = Bench::new().await;
    b.seed_user("alice").await;
    let with_principal = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"iam:*","Resource":"*"}]}"#;
    let bad_operator = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*","Condition":{"StringLikeish":{"aws:username":"a"}}}]}"#;
    let no_effect = r#"{"Version":"2012-10-17","Statement":[{"Action":"iam:*","Resource":"*"}]}"#;
    for doc in ["[1,2", with_principal, bad_operator, no_effect, TRUST] {
        let params = format!("UserName=alice&PolicyName=p&PolicyDocument={}", enc(doc));
        let err = b.err("PutUserPolicy", &params).await;
        assert_eq!(
            err.code, "MalformedPolicyDocument",
            "{doc}: {}",
            err.message
        );
        assert_eq!(err.status, 400);
    }
    assert!(b.user("alice").await.unwrap().inline_policies.is_empty());
}

#[tokio::test]
async fn aggregate_size_quotas_count_every_inline_policy() {
    let b = Bench::new().await;
    b.seed_user("alice").await;
    b.seed_group("devs", "/").await;
    b.create_role("app", "").await;
    let base = allow("iam:GetUser", 0).len();
    // (entity, quota): two policies of ~55% of the quota each do not fit together.
    for (kind, name, quota) in [
        ("User", "alice", 2048),
        ("Group", "devs", 5120),
        ("Role", "app", 10240),
    ] {
        let big = allow("iam:GetUser", quota * 55 / 100 - base);
        let put = |policy: &str, doc: &str| {
            format!(
                "{kind}Name={name}&PolicyName={policy}&PolicyDocument={}",
                enc(doc)
            )
        };
        b.ok(&format!("Put{kind}Policy"), &put("one", &big)).await;
        // Replacing a policy counts only its new size.
        b.ok(&format!("Put{kind}Policy"), &put("one", &big)).await;
        let err = b.err(&format!("Put{kind}Policy"), &put("two", &big)).await;
        let lower = kind.to_ascii_lowercase();
        let message = format!("Maximum policy size of {quota} bytes exceeded for {lower} {name}");
        assert_error(&err, "LimitExceeded", &message);
        assert_eq!(err.status, 409);
        // White space is not counted.
        let small = allow("iam:GetUser", quota * 40 / 100 - base);
        let spaced = small.replacen('{', &format!("{{\n{}", " ".repeat(quota / 5)), 1);
        assert!(spaced.len() > quota * 45 / 100);
        b.ok(&format!("Put{kind}Policy"), &put("two", &spaced))
            .await;
    }
}

#[tokio::test]
async fn a_users_inline_policy_is_enforced() {
    let b = Bench::new().await;
    b.seed_user("alice").await;
    b.create_role("app", "").await;
    let get_role = allow("iam:GetRole", 0);
    let params = format!(
        "UserName=alice&PolicyName=read&PolicyDocument={}",
        enc(&get_role)
    );
    b.ok("PutUserPolicy", &params).await;
    let alice = b.as_user("alice").await;
    assert_eq!(alice.caller.identity.len(), 1);
    b.call_as(&alice, "GetRole", "RoleName=app").await.unwrap();
    let err = b.call_as(&alice, "ListRoles", "").await.unwrap_err();
    assert_eq!(err.code, "AccessDenied");
    assert_eq!(
        err.message,
        format!(
            "User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to perform: \
             iam:ListRoles on resource: arn:aws:iam::{ACCOUNT}:role/ because no \
             identity-based policy allows the iam:ListRoles action"
        )
    );
    b.ok("DeleteUserPolicy", "UserName=alice&PolicyName=read")
        .await;
    let alice = b.as_user("alice").await;
    let err = b
        .call_as(&alice, "GetRole", "RoleName=app")
        .await
        .unwrap_err();
    assert_eq!(err.code, "AccessDenied");
}

#[tokio::test]
async fn a_groups_inline_policy_binds_its_members() {
    let b = Bench::new().await;
    b.seed_user("bob").await;
    b.seed_group("readers", "/").await;
    join(&b, "bob", "readers").await;
    let params = format!(
        "GroupName=readers&PolicyName=p&PolicyDocument={}",
        enc(&allow("iam:ListRoles", 0))
    );
    b.ok("PutGroupPolicy", &params).await;
    let bob = b.as_user("bob").await;
    b.call_as(&bob, "ListRoles", "").await.unwrap();
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:List*","Resource":"*"}]}"#;
    let params = format!("UserName=bob&PolicyName=no&PolicyDocument={}", enc(deny));
    b.ok("PutUserPolicy", &params).await;
    let bob = b.as_user("bob").await;
    let err = b.call_as(&bob, "ListRoles", "").await.unwrap_err();
    assert_eq!(err.code, "AccessDenied");
    assert!(
        err.message.contains("with an explicit deny"),
        "{}",
        err.message
    );
}

/// Makes `user` a member of `group`, straight in the tables.
async fn join(b: &Bench, user: &str, group: &str) {
    let tables = &b.dir.tables;
    let user_row = rampart_iam::tables::entity_row(ACCOUNT, user);
    let group_row = rampart_iam::tables::entity_row(ACCOUNT, group);
    let u = tables.users.get(&user_row).await.unwrap().unwrap();
    let g = tables.groups.get(&group_row).await.unwrap().unwrap();
    let (mut user_rec, mut group_rec) = (u.value.clone(), g.value.clone());
    user_rec.groups.push(g.value.name.clone());
    group_rec.members.push(u.value.name.clone());
    use rampart_iam::tables::replace;
    let mut writes = replace(&tables.users, &user_row, &user_rec, &u).unwrap();
    writes.extend(replace(&tables.groups, &group_row, &group_rec, &g).unwrap());
    tables.commit(ACCOUNT, writes).await.unwrap();
}
