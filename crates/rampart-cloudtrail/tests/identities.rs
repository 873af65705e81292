//! LookupEvents over records of real principals, built by the wire layer's own functions
//! (`UserIdentity::of`, `for_each_recipient`): IAM users and role sessions found by user name
//! (a role session by its session name) and access key id; denied calls in the trail; a
//! cross-account call seen by each account only through its own copy.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ACCOUNT, Harness, OTHER_ACCOUNT, REGION, event, event_ids, now};
use rampart_audit::AuditEvent;
use rampart_audit::{EventResource, UserIdentity, for_each_recipient};
use rampart_core::{AccountId, Principal, PrincipalKind, SessionContext};
use serde_json::{Value, json};
use std::sync::Arc;
use time::Duration;

const USER_KEY: &str = "AKIAALICEEXAMPLE0001";
const ROLE_KEY: &str = "ASIADEPLOYEXAMPLE001";
const ODD_NAME: &str = "bob+ops=1,x.y@example_co-2";

fn user(name: &str, key: &str) -> Principal {
    Principal {
        account: AccountId::parse(ACCOUNT).unwrap(),
        arn: format!("arn:aws:iam::{ACCOUNT}:user/ops/{name}"),
        principal_id: format!("AIDA{}", name.len()),
        access_key_id: key.to_owned(),
        kind: PrincipalKind::IamUser,
        session: None,
    }
}

fn role_session() -> Principal {
    let at = now() - Duration::minutes(30);
    let session = SessionContext {
        issuer_type: "Role",
        issuer_arn: format!("arn:aws:iam::{ACCOUNT}:role/Deployer"),
        issuer_principal_id: "AROADEPLOYER".to_owned(),
        issuer_name: "Deployer".to_owned(),
        created_at: at,
        expires_at: at + Duration::hours(1),
        mfa_authenticated: false,
        source_identity: None,
        transitive_tags: Vec::new(),
        assumed_root: false,
    };
    Principal {
        account: AccountId::parse(ACCOUNT).unwrap(),
        arn: format!("arn:aws:sts::{ACCOUNT}:assumed-role/Deployer/ci-run-7"),
        principal_id: "AROADEPLOYER:ci-run-7".to_owned(),
        access_key_id: ROLE_KEY.to_owned(),
        kind: PrincipalKind::AssumedRole,
        session: Some(Arc::new(session)),
    }
}

fn key_arn(account: &str, id: &str) -> String {
    format!("arn:aws:kms:{REGION}:{account}:key/{id}")
}

/// `name` by `who` at `seconds` after ten minutes ago, touching `key`, for every recipient.
fn call(id: &str, name: &str, who: &Principal, seconds: i64, key: &str) -> Vec<AuditEvent> {
    let mut e = event(
        id,
        name,
        now() - Duration::minutes(10) + Duration::seconds(seconds),
    );
    e.user_identity = UserIdentity::of(who);
    e.resources = vec![EventResource {
        account_id: rampart_audit::arn_account(key).unwrap().to_owned(),
        resource_type: "AWS::KMS::Key",
        arn: key.to_owned(),
    }];
    let mut events = for_each_recipient(e, who);
    for (n, copy) in events.iter_mut().enumerate().skip(1) {
        copy.event_id = format!("{id}-copy{n}");
    }
    events
}

/// Alice encrypts; Alice is denied Decrypt; the role decrypts with a key of OTHER_ACCOUNT;
/// a user with every special character IAM allows in a name describes a key.
async fn fill(h: &Harness) {
    let alice = user("Alice", USER_KEY);
    let mine = key_arn(ACCOUNT, "mine");
    let theirs = key_arn(OTHER_ACCOUNT, "theirs");
    let mut events = call("a1", "Encrypt", &alice, 1, &mine);
    let mut denied = call("a2", "Decrypt", &alice, 2, &mine);
    denied[0].error_code = Some("AccessDeniedException".to_owned());
    denied[0].error_message = Some(format!(
        "User: arn:aws:iam::{ACCOUNT}:user/ops/Alice is not authorized to perform: kms:Decrypt \
         on this resource because no identity-based policy allows the kms:Decrypt action"
    ));
    events.append(&mut denied);
    events.append(&mut call("r1", "Decrypt", &role_session(), 3, &theirs));
    events.append(&mut call(
        "o1",
        "DescribeKey",
        &user(ODD_NAME, "AKIAODD"),
        4,
        &mine,
    ));
    h.append(&events).await;
}

async fn ids_for(h: &Harness, account: &str, key: &str, value: &str) -> Vec<String> {
    let body = json!({"LookupAttributes": [{"AttributeKey": key, "AttributeValue": value}]});
    event_ids(&h.lookup_as(account, REGION, body).await.unwrap())
}

fn record(event: &Value) -> Value {
    serde_json::from_str(event["CloudTrailEvent"].as_str().unwrap()).unwrap()
}

async fn users_and_sessions_by_name_and_key(h: &Harness) {
    fill(h).await;
    assert_eq!(ids_for(h, ACCOUNT, "Username", "Alice").await, ["a2", "a1"]);
    assert_eq!(ids_for(h, ACCOUNT, "Username", "ci-run-7").await, ["r1"]);
    assert!(ids_for(h, ACCOUNT, "Username", "Deployer").await.is_empty());
    assert!(ids_for(h, ACCOUNT, "Username", "alice").await.is_empty());
    assert_eq!(ids_for(h, ACCOUNT, "Username", ODD_NAME).await, ["o1"]);
    assert_eq!(
        ids_for(h, ACCOUNT, "AccessKeyId", USER_KEY).await,
        ["a2", "a1"]
    );
    assert_eq!(ids_for(h, ACCOUNT, "AccessKeyId", ROLE_KEY).await, ["r1"]);
    let out = h.ok(json!({})).await;
    let events = out["Events"].as_array().unwrap();
    let role = events.iter().find(|e| e["EventId"] == "r1").unwrap();
    assert_eq!(role["Username"], "ci-run-7");
    assert_eq!(role["AccessKeyId"], ROLE_KEY);
    let identity = &record(role)["userIdentity"];
    assert_eq!(identity["type"], "AssumedRole");
    assert_eq!(identity["principalId"], "AROADEPLOYER:ci-run-7");
    assert_eq!(
        identity["sessionContext"]["sessionIssuer"]["userName"],
        "Deployer"
    );
    assert_eq!(
        identity["sessionContext"]["attributes"]["mfaAuthenticated"],
        "false"
    );
}

async fn denied_calls_are_found_by_user_name(h: &Harness) {
    fill(h).await;
    let body =
        json!({"LookupAttributes": [{"AttributeKey": "Username", "AttributeValue": "Alice"}]});
    let out = h.ok(body).await;
    let denied = &out["Events"][0];
    assert_eq!(denied["EventName"], "Decrypt");
    let rec = record(denied);
    assert_eq!(rec["errorCode"], "AccessDeniedException");
    assert!(
        rec["errorMessage"]
            .as_str()
            .unwrap()
            .contains("user/ops/Alice is not authorized to perform: kms:Decrypt"),
        "{rec}"
    );
    assert_eq!(rec["userIdentity"]["userName"], "Alice");
}

async fn each_account_sees_its_own_copy(h: &Harness) {
    fill(h).await;
    let theirs = key_arn(OTHER_ACCOUNT, "theirs");
    // The caller's account: its own event, naming the other account's key.
    assert_eq!(ids_for(h, ACCOUNT, "ResourceName", &theirs).await, ["r1"]);
    // The owner: only its copy, showing the caller as AWSAccount.
    let owner = h.lookup_as(OTHER_ACCOUNT, REGION, json!({})).await.unwrap();
    assert_eq!(event_ids(&owner), ["r1-copy1"]);
    let copy = &owner["Events"][0];
    assert!(copy.get("Username").is_none(), "{copy}");
    assert!(copy.get("AccessKeyId").is_none(), "{copy}");
    assert_eq!(
        copy["Resources"],
        json!([{"ResourceType": "AWS::KMS::Key", "ResourceName": theirs}])
    );
    let rec = record(copy);
    assert_eq!(
        rec["userIdentity"],
        json!({"type": "AWSAccount", "principalId": "AROADEPLOYER:ci-run-7", "accountId": ACCOUNT})
    );
    assert_eq!(rec["recipientAccountId"], OTHER_ACCOUNT);
    assert_eq!(rec["resources"][0]["accountId"], OTHER_ACCOUNT);
    let out = h.ok(json!({})).await;
    let mine = out["Events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["EventId"] == "r1")
        .map(record)
        .unwrap();
    assert_eq!(mine["requestID"], rec["requestID"]);
    assert_eq!(mine["sharedEventID"], rec["sharedEventID"]);
    assert!(rec["sharedEventID"].is_string());
    // Neither account finds the other's copy, even by its id.
    assert!(ids_for(h, ACCOUNT, "EventId", "r1-copy1").await.is_empty());
    assert!(ids_for(h, OTHER_ACCOUNT, "EventId", "r1").await.is_empty());
    assert!(
        ids_for(h, OTHER_ACCOUNT, "AccessKeyId", ROLE_KEY)
            .await
            .is_empty()
    );
    assert!(
        ids_for(h, OTHER_ACCOUNT, "Username", "ci-run-7")
            .await
            .is_empty()
    );
}

on_both_backends! {
    users_and_sessions_by_name_and_key => super::users_and_sessions_by_name_and_key;
    denied_calls_are_found_by_user_name => super::denied_calls_are_found_by_user_name;
    each_account_sees_its_own_copy => super::each_account_sees_its_own_copy;
}
