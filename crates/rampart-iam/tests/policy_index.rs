//! The users', groups' and roles' index by managed policy (`iam_*#policy`): its entries follow
//! every attach, detach, boundary change, rename and delete in the same commit; lookups by
//! policy (ListEntitiesForPolicy, AWS managed policies' counts) read it; and the one-time
//! backfill indexes records stored before it existed. Each test runs on SQLite and, when
//! `RAMPART_TEST_POSTGRES_URL` is set, on PostgreSQL.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use rampart_core::{AccountId, Principal, Region, RequestContext, SystemClock};
use rampart_crypto::root::{Domain, RootKey};
use rampart_iam::Directory;
use rampart_iam::policy_index::{MIGRATIONS, POLICY_INDEX_BUILT};
use rampart_iam::tables::{GROUPS_BY_POLICY, ROLES_BY_POLICY, USERS_BY_POLICY};
use rampart_store::{Expect, Write};
use std::collections::BTreeSet;
use std::sync::Arc;

const DOC: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
const AWS: &str = "arn:aws:iam::aws:policy/IAMReadOnlyAccess";
const OTHER: &str = "210987654321";
const INDEXES: [&str; 3] = [USERS_BY_POLICY, GROUPS_BY_POLICY, ROLES_BY_POLICY];

/// The entry key of the row of `name` in `account` under policy `arn`.
fn entry(account: &str, arn: &str, name: &str) -> String {
    let key = format!("{account}/{arn}")
        .replace('%', "%25")
        .replace('/', "%2F");
    format!("{key}/{account}/{name}")
}

async fn entries(b: &Bench, index: &'static str) -> BTreeSet<String> {
    let store = &b.dir.tables.store;
    let keys = store.scan_keys(index, "", None, 1000).await.unwrap();
    keys.into_iter().collect()
}

fn set<const N: usize>(items: [String; N]) -> BTreeSet<String> {
    items.into_iter().collect()
}

/// Removes every entry, as if the records had been stored before the index existed.
async fn drop_entries(b: &Bench) {
    let mut writes = Vec::new();
    for index in INDEXES {
        writes.extend(
            entries(b, index)
                .await
                .into_iter()
                .map(|key| Write::Delete {
                    table: index,
                    key,
                    expect: Expect::Any,
                }),
        );
    }
    b.dir.tables.store.transact(writes).await.unwrap();
}

/// `(users, groups, roles)` ListEntitiesForPolicy answers for `arn` in the bench's account.
async fn using(b: &Bench, arn: &str) -> (Vec<String>, Vec<String>, Vec<String>) {
    let xml = b
        .ok("ListEntitiesForPolicy", &format!("PolicyArn={}", enc(arn)))
        .await;
    (
        values(&xml, "UserName"),
        values(&xml, "GroupName"),
        values(&xml, "RoleName"),
    )
}

fn other_root() -> RequestContext {
    let account = AccountId::parse(OTHER).unwrap();
    RequestContext::new(
        Principal::root(account, "AKIAOTHERROOT0000000"),
        Region::new("us-east-1"),
    )
}

async fn attach(b: &Bench, action: &str, entity: &str, arn: &str) {
    b.ok(action, &format!("{entity}&PolicyArn={}", enc(arn)))
        .await;
}

async fn usage_counts(b: &Bench, arn: &str) -> (String, String) {
    let xml = b.ok("GetPolicy", &format!("PolicyArn={}", enc(arn))).await;
    (
        value(&xml, "AttachmentCount").unwrap(),
        value(&xml, "PermissionsBoundaryUsageCount").unwrap(),
    )
}

/// `(users, groups, roles)` as `using` answers them.
fn names(
    users: &[&str],
    groups: &[&str],
    roles: &[&str],
) -> (Vec<String>, Vec<String>, Vec<String>) {
    let owned = |list: &[&str]| list.iter().map(|n| n.to_string()).collect();
    (owned(users), owned(groups), owned(roles))
}

/// Attach, boundary, rename, detach and delete: the entries are exactly the uses.
async fn entries_follow_every_change(b: &Bench) {
    let p = b.create_policy("S3", DOC).await;
    attach_everywhere(b, &p).await;
    attach(b, "DetachUserPolicy", "UserName=alice", &p).await;
    b.ok("UpdateUser", "UserName=alice&NewUserName=Alicia")
        .await;
    let alicia = [entry(ACCOUNT, AWS, "alicia")];
    assert_eq!(entries(b, USERS_BY_POLICY).await, set(alicia));
    // The same AWS managed policy used in another account is indexed under that account.
    let other = other_root();
    b.call_as(&other, "CreateUser", "UserName=bob")
        .await
        .unwrap();
    let params = format!("UserName=bob&PolicyArn={}", enc(AWS));
    b.call_as(&other, "AttachUserPolicy", &params)
        .await
        .unwrap();
    assert_eq!(using(b, AWS).await, names(&["Alicia"], &[], &["app"]));
    assert_eq!(usage_counts(b, AWS).await, ("1".into(), "1".into()));
    detach_and_delete_everything(b, &p).await;
    let bob = [entry(OTHER, AWS, "bob")];
    assert_eq!(entries(b, USERS_BY_POLICY).await, set(bob));
}

/// Creates alice (`p` and [`AWS`] attached), devs (`p`) and app (`p`, boundary [`AWS`]).
async fn attach_everywhere(b: &Bench, p: &str) {
    b.ok("CreateUser", "UserName=alice").await;
    b.ok("CreateGroup", "GroupName=devs").await;
    b.create_role("app", "").await;
    attach(b, "AttachUserPolicy", "UserName=alice", p).await;
    attach(b, "AttachUserPolicy", "UserName=alice", AWS).await;
    attach(b, "AttachGroupPolicy", "GroupName=devs", p).await;
    attach(b, "AttachRolePolicy", "RoleName=app", p).await;
    let boundary = format!("RoleName=app&PermissionsBoundary={}", enc(AWS));
    b.ok("PutRolePermissionsBoundary", &boundary).await;
    let alice = [entry(ACCOUNT, p, "alice"), entry(ACCOUNT, AWS, "alice")];
    assert_eq!(entries(b, USERS_BY_POLICY).await, set(alice));
    let devs = [entry(ACCOUNT, p, "devs")];
    assert_eq!(entries(b, GROUPS_BY_POLICY).await, set(devs));
    let app = [entry(ACCOUNT, p, "app"), entry(ACCOUNT, AWS, "app")];
    assert_eq!(entries(b, ROLES_BY_POLICY).await, set(app));
    assert_eq!(using(b, p).await, names(&["alice"], &["devs"], &["app"]));
}

/// Detaches `p` and [`AWS`] from app, devs and Alicia and deletes them (and `p`).
async fn detach_and_delete_everything(b: &Bench, p: &str) {
    attach(b, "DetachRolePolicy", "RoleName=app", p).await;
    b.ok("DeleteRole", "RoleName=app").await;
    assert!(
        entries(b, ROLES_BY_POLICY).await.is_empty(),
        "boundary entry gone"
    );
    attach(b, "DetachGroupPolicy", "GroupName=devs", p).await;
    assert!(entries(b, GROUPS_BY_POLICY).await.is_empty());
    b.ok("DeleteGroup", "GroupName=devs").await;
    attach(b, "DetachUserPolicy", "UserName=Alicia", AWS).await;
    b.ok("DeleteUser", "UserName=Alicia").await;
    assert_eq!(using(b, p).await, names(&[], &[], &[]));
    b.ok("DeletePolicy", &format!("PolicyArn={}", enc(p))).await;
}

/// Records without entries are invisible to lookups (they read the index, not the tables)
/// until the backfill, which two nodes may run at once and which runs once per database.
async fn backfill_indexes_older_records(b: &Bench) {
    let p = b.create_policy("S3", DOC).await;
    b.seed_user("alice").await;
    b.seed_group("devs", "/").await;
    b.seed_role("app", Some(&p)).await;
    attach(b, "AttachUserPolicy", "UserName=alice", &p).await;
    attach(b, "AttachUserPolicy", "UserName=alice", AWS).await;
    attach(b, "AttachGroupPolicy", "GroupName=devs", &p).await;
    drop_entries(b).await;
    assert_eq!(using(b, &p).await, names(&[], &[], &[]), "not a scan");
    assert_eq!(usage_counts(b, AWS).await.0, "0");
    backfill_on_two_nodes(b).await;
    let alice = [entry(ACCOUNT, &p, "alice"), entry(ACCOUNT, AWS, "alice")];
    assert_eq!(entries(b, USERS_BY_POLICY).await, set(alice));
    let devs = [entry(ACCOUNT, &p, "devs")];
    assert_eq!(entries(b, GROUPS_BY_POLICY).await, set(devs));
    let app = [entry(ACCOUNT, &p, "app")];
    assert_eq!(entries(b, ROLES_BY_POLICY).await, set(app));
    assert_eq!(using(b, &p).await, names(&["alice"], &["devs"], &["app"]));
    assert_eq!(usage_counts(b, AWS).await, ("1".into(), "0".into()));

    let store = &b.dir.tables.store;
    let marker = store.get(MIGRATIONS, POLICY_INDEX_BUILT).await.unwrap();
    assert!(marker.is_some(), "the marker row is written");
    drop_entries(b).await;
    assert_eq!(
        b.dir.backfill_policy_index().await.unwrap(),
        0,
        "built once"
    );
    assert!(
        entries(b, USERS_BY_POLICY).await.is_empty(),
        "second run wrote nothing"
    );
}

/// Runs the backfill on the bench's directory and on a second one over the same store at
/// once, as two nodes starting together do: both succeed, and the three records are indexed.
async fn backfill_on_two_nodes(b: &Bench) {
    let key = RootKey::generate().domain_key(Domain::Credentials);
    let store = b.dir.tables.store.clone();
    let second_node = Directory::new(store, key, Arc::new(SystemClock));
    let (one, two) = tokio::join!(
        b.dir.backfill_policy_index(),
        second_node.backfill_policy_index()
    );
    let (one, two) = (one.unwrap(), two.unwrap());
    assert!(one == 3 || one == 0, "{one}");
    assert!(two == 3 || two == 0, "{two}");
    assert!(one + two >= 3, "at least one of them indexed the records");
}

#[tokio::test]
async fn entries_follow_every_change_sqlite() {
    entries_follow_every_change(&Bench::new().await).await;
}

#[tokio::test]
async fn entries_follow_every_change_postgres() {
    let Some(b) = Bench::postgres().await else {
        return;
    };
    entries_follow_every_change(&b).await;
    b.cleanup().await;
}

#[tokio::test]
async fn backfill_indexes_older_records_sqlite() {
    backfill_indexes_older_records(&Bench::new().await).await;
}

#[tokio::test]
async fn backfill_indexes_older_records_postgres() {
    let Some(b) = Bench::postgres().await else {
        return;
    };
    backfill_indexes_older_records(&b).await;
    b.cleanup().await;
}
