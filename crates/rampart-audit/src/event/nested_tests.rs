//! Nested calls: one KMS event each after the caller's own, with `invokedBy`, the calling
//! service as source and user agent, the nested call's own outcome and resources; copies for
//! a key owner in another account keep `invokedBy`.

#![allow(clippy::unwrap_used)]

use crate::call_events;
use rampart_codec::Invocation;
use rampart_core::rider::NestedCall;
use rampart_core::{AccountId, AuditResource, Principal, Region, RequestContext};
use serde_json::json;

const CALLER: &str = "111122223333";
const OWNER: &str = "444455556666";

fn key(account: &str) -> AuditResource {
    AuditResource {
        arn: format!("arn:aws:kms:us-east-1:{account}:key/k1"),
        resource_type: "AWS::KMS::Key",
    }
}

fn decrypt(error: Option<(String, String)>, owner: &str) -> NestedCall {
    NestedCall {
        event_source: "kms.amazonaws.com",
        operation: "Decrypt",
        invoked_by: "ssm.amazonaws.com".into(),
        request_parameters: Some(json!({"encryptionContext": {"PARAMETER_ARN": "p"}})),
        response_elements: None,
        error,
        read_only: true,
        resources: vec![key(owner)],
    }
}

fn outer(nested: Vec<NestedCall>) -> Invocation {
    Invocation {
        nested,
        ..Invocation::started("GetParameter", true)
    }
}

fn context() -> RequestContext {
    let principal = Principal::root(AccountId::parse(CALLER).unwrap(), "AKIAROOT");
    let mut ctx = RequestContext::new(principal, Region::new("us-east-1"));
    ctx.source_ip = "192.0.2.7".into();
    ctx.user_agent = "aws-cli/2".into();
    ctx
}

#[test]
fn a_nested_call_is_its_own_kms_event_after_the_callers() {
    let ctx = context();
    let events = call_events(
        "ssm.amazonaws.com",
        &ctx,
        outer(vec![decrypt(None, CALLER)]),
        None,
    );
    assert_eq!(events.len(), 2);
    let (ssm, kms) = (&events[0], &events[1]);
    assert_eq!(
        (ssm.event_source, ssm.source_ip_address.as_str()),
        ("ssm.amazonaws.com", "192.0.2.7")
    );
    assert!(ssm.user_identity.invoked_by.is_none());
    assert!(
        ssm.resources.is_empty(),
        "the outer record keeps its own resources"
    );
    let value = serde_json::to_value(kms).unwrap();
    assert_eq!(value["eventSource"], "kms.amazonaws.com");
    assert_eq!(value["eventName"], "Decrypt");
    assert_eq!(value["userIdentity"]["invokedBy"], "ssm.amazonaws.com");
    assert_eq!(
        value["userIdentity"]["arn"],
        format!("arn:aws:iam::{CALLER}:root")
    );
    assert_eq!(value["sourceIPAddress"], "ssm.amazonaws.com");
    assert_eq!(value["userAgent"], "ssm.amazonaws.com");
    assert_eq!(
        value["requestParameters"]["encryptionContext"]["PARAMETER_ARN"],
        "p"
    );
    assert_eq!(value["responseElements"], serde_json::Value::Null);
    assert_eq!(value["resources"][0]["ARN"], key(CALLER).arn);
    assert_eq!(value["resources"][0]["type"], "AWS::KMS::Key");
    assert_eq!(value["readOnly"], true);
    assert_eq!(value["managementEvent"], true);
    assert_eq!(value["eventCategory"], "Management");
    assert_eq!(value["recipientAccountId"], CALLER);
    assert!(value.get("errorCode").is_none());
    assert_ne!(kms.event_id, ssm.event_id);
    assert_ne!(
        kms.request_id, ssm.request_id,
        "KMS answers its own request id"
    );
}

#[test]
fn a_failed_nested_call_keeps_its_error_and_the_callers_success() {
    let ctx = context();
    let denied = Some((
        "AccessDeniedException".to_owned(),
        "not authorized".to_owned(),
    ));
    let events = call_events(
        "ssm.amazonaws.com",
        &ctx,
        outer(vec![decrypt(denied, CALLER)]),
        None,
    );
    assert!(events[0].error_code.is_none());
    assert_eq!(
        events[1].error_code.as_deref(),
        Some("AccessDeniedException")
    );
    assert_eq!(events[1].error_message.as_deref(), Some("not authorized"));
}

#[test]
fn the_owner_of_another_accounts_key_gets_a_copy_marked_invoked_by() {
    let ctx = context();
    let calls = vec![decrypt(None, OWNER), decrypt(None, CALLER)];
    let events = call_events("ssm.amazonaws.com", &ctx, outer(calls), None);
    let seen: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e.event_source, e.recipient_account_id.as_str()))
        .collect();
    let kms = "kms.amazonaws.com";
    let expected = [
        ("ssm.amazonaws.com", CALLER),
        (kms, CALLER),
        (kms, OWNER),
        (kms, CALLER),
    ];
    assert_eq!(seen, expected);
    let copy = &events[2];
    assert_eq!(copy.user_identity.identity_type, "AWSAccount");
    assert_eq!(
        copy.user_identity.invoked_by.as_deref(),
        Some("ssm.amazonaws.com")
    );
    assert_eq!(copy.shared_event_id, events[1].shared_event_id);
}
