//! `evaluate_detailed` names the deciding statement (for AccessDenied messages and audit).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rampart_policy::{
    Context, Decision, Policy, PolicyKind, PolicySet, PolicySource, Principal, Request,
    evaluate_detailed,
};
use serde_json::json;

const A: &str = "111122223333";
const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/k1";

fn parse(v: serde_json::Value, kind: PolicyKind) -> Policy {
    Policy::parse(&v.to_string(), kind).unwrap()
}

#[test]
fn names_the_deciding_statement() {
    let identity = parse(
        json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "Read", "Effect": "Allow", "Action": "kms:Describe*", "Resource": "*"},
            {"Sid": "Use", "Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"},
            {"Sid": "NoDecrypt", "Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}]}),
        PolicyKind::Identity,
    );
    let key_policy = parse(
        json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": A}, "Action": "kms:*", "Resource": "*"},
            {"Sid": "Alice", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
             "Action": "kms:GenerateDataKey", "Resource": "*"}]}),
        PolicyKind::Resource,
    );
    let ids = [&identity];
    let set = PolicySet {
        identity: &ids,
        resource: Some(&key_policy),
        require_resource_allow: true,
        ..PolicySet::default()
    };
    let alice = Principal::user(A, "alice", "AIDAALICE");
    let ctx = Context::new();
    let run = |action: &str| {
        let req = Request {
            principal: &alice,
            action,
            resource: KEY,
            resource_account: A,
            context: &ctx,
        };
        let e = evaluate_detailed(&req, &set);
        (e.decision, e.statement.map(|s| (s.source, s.index, s.sid)))
    };
    let deny = (PolicySource::Identity(0), 2, Some("NoDecrypt"));
    assert_eq!(run("kms:Decrypt"), (Decision::ExplicitDeny, Some(deny)));
    let via_identity = (PolicySource::Identity(0), 1, Some("Use"));
    assert_eq!(run("kms:Encrypt"), (Decision::Allow, Some(via_identity)));
    let direct = (PolicySource::Resource, 1, Some("Alice"));
    assert_eq!(run("kms:GenerateDataKey"), (Decision::Allow, Some(direct)));
    assert_eq!(run("kms:Sign"), (Decision::ImplicitDeny, None));
}

#[test]
fn principal_helpers() {
    let s = Principal::assumed_role(A, "app", "s1", "AROAAPP");
    assert_eq!(s.arn, "arn:aws:sts::111122223333:assumed-role/app/s1");
    assert_eq!(s.user_id, "AROAAPP:s1");
    let f = Principal::federated_user(A, "fed", "alice");
    assert_eq!(f.arn, "arn:aws:sts::111122223333:federated-user/fed");
    assert_eq!(Principal::root(A).arn, "arn:aws:iam::111122223333:root");
    let u = Principal::user(A, "bob", "AIDABOB").with_tag("team", "blue");
    assert_eq!(u.username.as_deref(), Some("bob"));
    assert_eq!(u.tags.get("team").map(String::as_str), Some("blue"));
}
