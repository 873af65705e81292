//! Callers with policies for the authorization tests: IAM users and role sessions whose
//! compiled identity policies ride on their `RequestContext`, as the gateway sets them.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use rampart_core::rampart_policy::{self, Policy, PolicyKind};
use rampart_core::{AccountId, CallerPolicies, Principal, PrincipalKind, Region, RequestContext};
use serde_json::{Value, json};
use std::sync::Arc;

pub const OTHER: &str = "444455556666";

/// An identity policy document with `statements`.
pub fn identity(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn compile(policies: &[Value]) -> Vec<Policy> {
    policies
        .iter()
        .map(|p| Policy::parse(&p.to_string(), PolicyKind::Identity).unwrap())
        .collect()
}

/// IAM user `name` of `account` with identity policies `policies`, in `region`.
pub fn user_in(account: &str, region: &str, name: &str, policies: &[Value]) -> RequestContext {
    let arn = format!("arn:aws:iam::{account}:user/{name}");
    let principal = Principal {
        account: AccountId::parse(account).unwrap(),
        arn,
        principal_id: format!("AIDA{}", name.to_uppercase()),
        access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
        kind: PrincipalKind::IamUser,
        session: None,
    };
    let mut ctx = RequestContext::new(principal, Region::new(region));
    let id = format!("AIDA{}", name.to_uppercase());
    ctx.caller = Arc::new(CallerPolicies {
        principal: rampart_policy::Principal::user(account, name, &id),
        identity: compile(policies),
        boundary: None,
        session: vec![],
    });
    ctx
}

/// IAM user `name` of `account` in the test Region.
pub fn user(account: &str, name: &str, policies: &[Value]) -> RequestContext {
    user_in(account, super::REGION, name, policies)
}

/// A session `session` of role `role` in `account`, the role carrying `policies`.
pub fn role_session(
    account: &str,
    role: &str,
    session: &str,
    policies: &[Value],
) -> RequestContext {
    let arn = format!("arn:aws:sts::{account}:assumed-role/{role}/{session}");
    let principal = Principal {
        account: AccountId::parse(account).unwrap(),
        arn,
        principal_id: format!("AROA{}:{session}", role.to_uppercase()),
        access_key_id: "ASIAIOSFODNN7EXAMPLE".into(),
        kind: PrincipalKind::AssumedRole,
        session: None,
    };
    let mut ctx = RequestContext::new(principal, Region::new(super::REGION));
    let role_id = format!("AROA{}", role.to_uppercase());
    ctx.caller = Arc::new(CallerPolicies {
        principal: rampart_policy::Principal::assumed_role(account, role, session, &role_id),
        identity: compile(policies),
        boundary: None,
        session: vec![],
    });
    ctx
}

/// AWS's AccessDeniedException message.
pub fn denied(caller: &str, action: &str, resource: &str, why: &str) -> String {
    format!("User: {caller} is not authorized to perform: {action} on resource: {resource} {why}")
}

/// "because no <what> allows the <action> action".
pub fn no_policy(what: &str, action: &str) -> String {
    format!("because no {what} allows the {action} action")
}
