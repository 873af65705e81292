//! The generated STS wire layer with botocore-shaped form parameters: AWS-exact validation
//! messages (`ValidationError`, whole-value patterns), redaction, audit JSON, query error codes
//! and the dispatcher's defaults.

#![allow(clippy::unwrap_used)]

use rampart_codec::{AuditParams, Invocation, QueryNode, ServiceError};
use rampart_core::{AccountId, Principal, PrincipalKind, Region, RequestContext};
use rampart_crypto::root::{Domain, RootKey};
use rampart_iam::Directory;
use rampart_store::Store;
use rampart_sts::generated::{self as sts, dispatch, errors};
use rampart_sts::{SessionTokens, StsService};
use serde_json::json;
use std::sync::{Arc, Mutex};

fn call(form: &str) -> Invocation {
    let account = AccountId::parse("111122223333").unwrap();
    let principal = Principal {
        arn: format!("arn:aws:iam::{account}:root"),
        principal_id: account.to_string(),
        account,
        access_key_id: String::from("AKIDEXAMPLE"),
        kind: PrincipalKind::DevAnonymous,
        session: None,
    };
    let ctx = RequestContext {
        request_id: String::from("req-1"),
        region: Region::new("eu-west-1"),
        principal: principal.clone(),
        caller: std::sync::Arc::new(rampart_core::CallerPolicies::for_principal(&principal)),
        secure_transport: true,
        source_ip: String::from("127.0.0.1"),
        user_agent: String::from("test"),
        received_at: time::OffsetDateTime::UNIX_EPOCH,
        resources: Mutex::new(Vec::new()),
    };
    let params = QueryNode::parse_form(form.as_bytes());
    let action = params.param("Action").unwrap_or_default().to_owned();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        let folder = tempfile::tempdir().unwrap();
        let store = Store::open_sqlite(&folder.path().join("db")).await.unwrap();
        let root = RootKey::generate();
        let clock = Arc::new(rampart_core::SystemClock);
        let dir = Arc::new(Directory::new(
            store,
            root.domain_key(Domain::Credentials),
            clock.clone(),
        ));
        let tokens = Arc::new(SessionTokens::new(root.domain_key(Domain::Credentials)));
        let service = StsService::new(dir, tokens, clock);
        dispatch(&service, &ctx, &action, &params).await
    })
}

fn error(form: &str) -> ServiceError {
    call(form).result.unwrap_err()
}

const ROLE: &str = "RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr";

#[test]
fn get_caller_identity_answers_the_caller_and_is_read_only() {
    let inv = call("Action=GetCallerIdentity&Version=2011-06-15");
    assert!(inv.read_only);
    assert_eq!(inv.operation, "GetCallerIdentity");
    let xml = String::from_utf8(inv.result.unwrap()).unwrap();
    for part in [
        "<GetCallerIdentityResult>",
        "<Account>111122223333</Account>",
        "<Arn>arn:aws:iam::111122223333:root</Arn>",
        "<UserId>111122223333</UserId>",
    ] {
        assert!(xml.contains(part), "{part} missing from {xml}");
    }
    assert_eq!(
        inv.response_elements,
        Some(json!({
            "account": "111122223333",
            "arn": "arn:aws:iam::111122223333:root",
            "userId": "111122223333"
        }))
    );
}

#[test]
fn unimplemented_actions_are_unsupported() {
    let inv = call("Action=GetTrustBundles&ProviderArn=x");
    assert!(inv.read_only);
    assert_eq!(inv.operation, "GetTrustBundles");
    let err = inv.result.unwrap_err();
    assert_eq!(
        (err.code.as_ref(), err.status),
        ("UnsupportedOperation", 400)
    );
    assert_eq!(
        err.message,
        "Rampart does not implement STS operation GetTrustBundles yet."
    );
}

#[test]
fn validation_messages_match_aws() {
    // The message AWS answers for this session name (whole-value pattern match).
    let err = error(&format!("Action=AssumeRole&{ROLE}&RoleSessionName=a%3Ab"));
    assert_eq!((err.code.as_ref(), err.status), ("ValidationError", 400));
    assert_eq!(
        err.message,
        "1 validation error detected: Value 'a:b' at 'roleSessionName' failed to satisfy \
         constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"
    );
    let err = error("Action=AssumeRole");
    assert!(
        err.message.starts_with("2 validation errors detected: "),
        "{}",
        err.message
    );
    let err = error(&format!(
        "Action=AssumeRole&{ROLE}&RoleSessionName=ok&DurationSeconds=60"
    ));
    assert!(
        err.message.ends_with(
            "Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have \
             value greater than or equal to 900"
        ),
        "{}",
        err.message
    );
    // A valid request reaches the operation: the (missing) role is denied like AWS does.
    let err = error(&format!("Action=AssumeRole&{ROLE}&RoleSessionName=ok"));
    assert_eq!(err.code, "AccessDenied");
}

#[test]
fn secrets_are_redacted_and_left_out_of_audit() {
    let output = sts::GetSessionTokenResponse {
        credentials: Some(sts::Credentials {
            access_key_id: Some(String::from("ASIAEXAMPLE")),
            secret_access_key: Some(String::from("hunter2-secret")),
            ..Default::default()
        }),
        ..Default::default()
    };
    assert!(!format!("{output:?}").contains("hunter2"));
    assert_eq!(
        output.audit_json(),
        Some(json!({"credentials": {"accessKeyId": "ASIAEXAMPLE"}}))
    );
}

#[test]
fn not_served_actions_are_answered_without_reading_parameters() {
    // DurationSeconds=soon would be a decoding error if the parameters were read.
    let op = "GetScopedCredentials";
    assert!(!sts::SERVED.contains(&op));
    assert!(sts::SERVED.contains(&"AssumeRoot"));
    let inv = call(&format!(
        "Action={op}&DurationSeconds=soon&ScopedSessionDescription=x"
    ));
    assert_eq!(inv.operation, op);
    assert_eq!(inv.request_parameters, None);
    let err = inv.result.unwrap_err();
    assert_eq!(err.code, "UnsupportedOperation");
    assert_eq!(
        err.message,
        format!("Rampart does not implement STS operation {op} yet.")
    );
}

#[test]
fn modeled_errors_and_unknown_actions() {
    let err = errors::expired_token_exception("m");
    assert_eq!(
        (err.code.as_ref(), err.status),
        ("ExpiredTokenException", 400)
    );
    let err = errors::packed_policy_too_large_exception("m");
    assert_eq!(
        (err.code.as_ref(), err.status),
        ("PackedPolicyTooLarge", 400)
    );
    let err = errors::region_disabled_exception("m");
    assert_eq!(
        (err.code.as_ref(), err.status),
        ("RegionDisabledException", 403)
    );
    let err = error("Action=ListUsers");
    assert_eq!(err.code, "InvalidAction");
    assert_eq!(
        err.message,
        "Could not find operation ListUsers for version 2011-06-15"
    );
    assert_eq!(sts::GLOBAL_REGION, None);
    assert_eq!(
        sts::XML_NAMESPACE,
        "https://sts.amazonaws.com/doc/2011-06-15/"
    );
}
