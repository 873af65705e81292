//! Audit events: `userIdentity` of each kind of principal, byte for byte in CloudTrail's field
//! order; the copies resource owners in other accounts receive; denied calls recorded.

#![allow(clippy::unwrap_used)]

use super::*;
use rampart_codec::{Invocation, ServiceError};
use rampart_core::{AccountId, PrincipalKind, Region, RequestContext, SessionContext};
use serde_json::json;
use std::sync::Arc;

const CALLER: &str = "111122223333";
const OWNER: &str = "444455556666";

fn at(text: &str) -> OffsetDateTime {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap()
}

fn account(id: &str) -> AccountId {
    AccountId::parse(id).unwrap()
}

fn iam_user() -> Principal {
    Principal {
        account: account(CALLER),
        arn: format!("arn:aws:iam::{CALLER}:user/ops/Alice"),
        principal_id: "AIDAJ45Q7YFFAREXAMPLE".to_owned(),
        access_key_id: "AKIAIOSFODNN7EXAMPLE".to_owned(),
        kind: PrincipalKind::IamUser,
        session: None,
    }
}

fn role_session(principal_id: &str) -> Principal {
    let session = SessionContext {
        issuer_type: "Role",
        issuer_arn: format!("arn:aws:iam::{CALLER}:role/Deployer"),
        issuer_principal_id: "AROAIDPPEZS35WEXAMPLE".to_owned(),
        issuer_name: "Deployer".to_owned(),
        created_at: at("2026-03-01T10:20:30Z"),
        expires_at: at("2026-03-01T11:20:30Z"),
        mfa_authenticated: false,
        source_identity: None,
        transitive_tags: Vec::new(),
        assumed_root: false,
    };
    Principal {
        account: account(CALLER),
        arn: format!("arn:aws:sts::{CALLER}:assumed-role/Deployer/ci-run-7"),
        principal_id: principal_id.to_owned(),
        access_key_id: "ASIAIOSFODNN7EXAMPLE".to_owned(),
        kind: PrincipalKind::AssumedRole,
        session: Some(Arc::new(session)),
    }
}

fn text(identity: &UserIdentity) -> String {
    serde_json::to_string(identity).unwrap()
}

#[test]
fn root_identity() {
    let root = Principal::root(account(CALLER), "AKIAROOT");
    assert_eq!(
        text(&UserIdentity::of(&root)),
        r#"{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333","accessKeyId":"AKIAROOT"}"#
    );
}

#[test]
fn iam_user_identity_names_the_user() {
    assert_eq!(
        text(&UserIdentity::of(&iam_user())),
        r#"{"type":"IAMUser","principalId":"AIDAJ45Q7YFFAREXAMPLE","arn":"arn:aws:iam::111122223333:user/ops/Alice","accountId":"111122223333","accessKeyId":"AKIAIOSFODNN7EXAMPLE","userName":"Alice"}"#
    );
}

#[test]
fn assumed_role_identity_has_the_session_context() {
    let expected = r#"{"type":"AssumedRole","principalId":"AROAIDPPEZS35WEXAMPLE:ci-run-7","arn":"arn:aws:sts::111122223333:assumed-role/Deployer/ci-run-7","accountId":"111122223333","accessKeyId":"ASIAIOSFODNN7EXAMPLE","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAIDPPEZS35WEXAMPLE","arn":"arn:aws:iam::111122223333:role/Deployer","accountId":"111122223333","userName":"Deployer"},"webIdFederationData":{},"attributes":{"creationDate":"2026-03-01T10:20:30Z","mfaAuthenticated":"false"}}}"#;
    let full = role_session("AROAIDPPEZS35WEXAMPLE:ci-run-7");
    assert_eq!(text(&UserIdentity::of(&full)), expected);
    // A principal carrying only the role id gets the session name appended.
    let bare = role_session("AROAIDPPEZS35WEXAMPLE");
    assert_eq!(text(&UserIdentity::of(&bare)), expected);
    // A SourceIdentity follows the attributes.
    let mut sourced = role_session("AROAIDPPEZS35WEXAMPLE:ci-run-7");
    if let Some(session) = sourced.session.as_mut() {
        Arc::make_mut(session).source_identity = Some("alice@example.com".to_owned());
    }
    let with_source = text(&UserIdentity::of(&sourced));
    assert!(
        with_source
            .ends_with(r#""mfaAuthenticated":"false"},"sourceIdentity":"alice@example.com"}}"#),
        "{with_source}"
    );
}

#[test]
fn session_token_credentials_of_users_and_root_carry_attributes() {
    let session = SessionContext {
        issuer_type: "IAMUser",
        issuer_arn: format!("arn:aws:iam::{CALLER}:user/ops/Alice"),
        issuer_principal_id: "AIDAJ45Q7YFFAREXAMPLE".to_owned(),
        issuer_name: "Alice".to_owned(),
        created_at: at("2026-03-01T10:20:30Z"),
        expires_at: at("2026-03-02T10:20:30Z"),
        mfa_authenticated: true,
        source_identity: None,
        transitive_tags: Vec::new(),
        assumed_root: false,
    };
    let mut user = iam_user();
    user.access_key_id = "ASIAUSERSESSION".to_owned();
    user.session = Some(Arc::new(session.clone()));
    let value = serde_json::to_value(UserIdentity::of(&user)).unwrap();
    assert_eq!(value["type"], "IAMUser");
    assert_eq!(value["userName"], "Alice");
    assert_eq!(value["accessKeyId"], "ASIAUSERSESSION");
    assert_eq!(
        value["sessionContext"],
        json!({"sessionIssuer": {}, "webIdFederationData": {},
               "attributes": {"creationDate": "2026-03-01T10:20:30Z", "mfaAuthenticated": "true"}})
    );
    let mut root = Principal::root(account(CALLER), "ASIAROOTSESSION");
    root.session = Some(Arc::new(SessionContext {
        issuer_type: "Root",
        mfa_authenticated: false,
        ..session
    }));
    let value = serde_json::to_value(UserIdentity::of(&root)).unwrap();
    assert_eq!(value["type"], "Root");
    assert_eq!(value["principalId"], CALLER);
    assert!(value.get("userName").is_none());
    assert_eq!(
        value["sessionContext"]["attributes"]["mfaAuthenticated"],
        "false"
    );
}

#[test]
fn other_accounts_see_the_caller_as_aws_account() {
    let role = role_session("AROAIDPPEZS35WEXAMPLE:ci-run-7");
    assert_eq!(
        text(&UserIdentity::other_account(&role)),
        r#"{"type":"AWSAccount","principalId":"AROAIDPPEZS35WEXAMPLE:ci-run-7","accountId":"111122223333"}"#
    );
    let root = Principal::root(account(CALLER), "AKIAROOT");
    assert_eq!(
        text(&UserIdentity::other_account(&root)),
        r#"{"type":"AWSAccount","principalId":"111122223333","accountId":"111122223333"}"#
    );
}

#[test]
fn arn_accounts() {
    let key = format!("arn:aws:kms:us-east-1:{OWNER}:key/1234");
    assert_eq!(arn_account(&key), Some(OWNER));
    assert_eq!(arn_account("arn:aws:iam::aws:policy/ReadOnlyAccess"), None);
    assert_eq!(arn_account("arn:aws:s3:::bucket"), None);
    assert_eq!(arn_account("alias/x:111122223333:y"), None);
    assert_eq!(arn_account("arn:aws:kms:us-east-1:12345:key/1"), None);
    assert_eq!(arn_account(""), None);
}

fn invocation(result: Result<Vec<u8>, ServiceError>) -> Invocation {
    Invocation {
        operation: "Decrypt",
        result,
        request_parameters: Some(json!({"encryptionAlgorithm": "SYMMETRIC_DEFAULT"})),
        response_elements: None,
        read_only: true,
        intent_event_id: None,
        nested: Vec::new(),
    }
}

fn context(principal: Principal) -> RequestContext {
    RequestContext::new(principal, Region::new("us-east-1"))
}

#[test]
fn own_resources_give_one_event() {
    let ctx = context(iam_user());
    ctx.note_resource(
        format!("arn:aws:kms:us-east-1:{CALLER}:key/k1"),
        "AWS::KMS::Key",
    );
    ctx.note_resource("arn:aws:iam::aws:policy/ReadOnlyAccess", "AWS::IAM::Policy");
    let events = call_events("kms.amazonaws.com", &ctx, invocation(Ok(vec![])), None);
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event.recipient_account_id, CALLER);
    assert!(event.shared_event_id.is_none());
    assert_eq!(event.resources[0].account_id, CALLER);
    // An ARN naming no account is attributed to the caller's account.
    assert_eq!(event.resources[1].account_id, CALLER);
    let value = serde_json::to_value(event).unwrap();
    assert!(value.get("sharedEventID").is_none());
    assert_eq!(value["userIdentity"]["userName"], "Alice");
}

#[test]
fn cross_account_use_is_recorded_for_the_owner_too() {
    let ctx = context(role_session("AROAIDPPEZS35WEXAMPLE:ci-run-7"));
    let owned = format!("arn:aws:kms:us-east-1:{OWNER}:key/k1");
    ctx.note_resource(owned.clone(), "AWS::KMS::Key");
    let events = call_events("kms.amazonaws.com", &ctx, invocation(Ok(vec![])), None);
    assert_eq!(events.len(), 2);
    let (mine, theirs) = (&events[0], &events[1]);
    assert_eq!(mine.recipient_account_id, CALLER);
    assert_eq!(mine.user_identity.identity_type, "AssumedRole");
    assert_eq!(theirs.recipient_account_id, OWNER);
    assert_eq!(
        theirs.user_identity,
        UserIdentity::other_account(&ctx.principal)
    );
    assert_eq!(mine.request_id, theirs.request_id);
    assert_ne!(mine.event_id, theirs.event_id);
    assert!(mine.shared_event_id.is_some());
    assert_eq!(mine.shared_event_id, theirs.shared_event_id);
    for event in &events {
        assert_eq!(event.resources.len(), 1);
        assert_eq!(event.resources[0].account_id, OWNER);
        assert_eq!(event.resources[0].arn, owned);
    }
    let line = serde_json::to_string(theirs).unwrap();
    let tail = format!(
        r#""recipientAccountId":"{OWNER}","sharedEventID":"{}","eventCategory":"Management"}}"#,
        theirs.shared_event_id.as_deref().unwrap()
    );
    assert!(line.ends_with(&tail), "{line}");
}

#[test]
fn one_copy_per_other_owner() {
    let third = "777788889999";
    let root = Principal::root(account(CALLER), "AKIAROOT");
    let ctx = context(root);
    for (owner, key) in [(OWNER, "a"), (third, "b"), (OWNER, "c"), (CALLER, "d")] {
        ctx.note_resource(
            format!("arn:aws:kms:us-east-1:{owner}:key/{key}"),
            "AWS::KMS::Key",
        );
    }
    let events = call_events("kms.amazonaws.com", &ctx, invocation(Ok(vec![])), None);
    let recipients: Vec<&str> = events
        .iter()
        .map(|e| e.recipient_account_id.as_str())
        .collect();
    assert_eq!(recipients, [CALLER, OWNER, third]);
    let ids: std::collections::HashSet<&str> = events.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids.len(), 3);
}

#[test]
fn denied_calls_are_recorded_with_their_error() {
    let ctx = context(iam_user());
    let owned = format!("arn:aws:kms:us-east-1:{OWNER}:key/k1");
    ctx.note_resource(owned, "AWS::KMS::Key");
    let message =
        "User: arn:aws:iam::111122223333:user/ops/Alice is not authorized to perform: kms:Decrypt";
    let denied = ServiceError::new("AccessDeniedException", 400, message);
    let error = Some((denied.code.to_string(), denied.message.clone()));
    let events = call_events("kms.amazonaws.com", &ctx, invocation(Err(denied)), error);
    assert_eq!(events.len(), 2, "the owner sees the denied attempt too");
    for event in &events {
        assert_eq!(event.error_code.as_deref(), Some("AccessDeniedException"));
        assert_eq!(event.error_message.as_deref(), Some(message));
    }
    let value = serde_json::to_value(&events[0]).unwrap();
    assert_eq!(value["errorCode"], "AccessDeniedException");
    assert_eq!(value["userIdentity"]["userName"], "Alice");
}
