//! The generated IAM wire layer with botocore-shaped form parameters: decoding, AWS-exact
//! validation messages (`ValidationError`), audit JSON, redacting Debug, query error codes, the
//! dispatcher's defaults and the XML it writes.

#![allow(clippy::unwrap_used)]

use rampart_codec::{AuditParams, FromQuery, QueryNode, ServiceError, Timestamp};
use rampart_core::{AccountId, Principal, PrincipalKind, Region, RequestContext};
use rampart_iam::generated::{self as iam, IamApi, conformance, dispatch, errors};
use serde_json::json;
use std::sync::Mutex;

fn ctx() -> RequestContext {
    let account = AccountId::parse("111122223333").unwrap();
    let principal = Principal {
        arn: format!("arn:aws:iam::{account}:root"),
        principal_id: account.to_string(),
        account,
        access_key_id: String::from("AKIDEXAMPLE"),
        kind: PrincipalKind::DevAnonymous,
        session: None,
    };
    RequestContext {
        request_id: String::from("req-1"),
        region: Region::new("us-east-1"),
        principal: principal.clone(),
        caller: std::sync::Arc::new(rampart_core::CallerPolicies::for_principal(&principal)),
        secure_transport: true,
        source_ip: String::from("127.0.0.1"),
        user_agent: String::from("test"),
        received_at: time::OffsetDateTime::UNIX_EPOCH,
        resources: Mutex::new(Vec::new()),
    }
}

fn run<T>(fut: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(fut)
}

/// The generated refusing handler: served operations are decoded and validated, then refused.
use iam::DecodeOnly as Unimplemented;

fn call(handler: &impl IamApi, form: &str) -> rampart_codec::Invocation {
    let params = QueryNode::parse_form(form.as_bytes());
    let action = params.param("Action").unwrap_or_default().to_owned();
    run(dispatch(handler, &ctx(), &action, &params))
}

fn error(handler: &impl IamApi, form: &str) -> ServiceError {
    call(handler, form).result.unwrap_err()
}

#[test]
fn create_user_with_tags_decodes_and_audits() {
    let form = "Action=CreateUser&Version=2010-05-08&UserName=alice&Path=%2Fteam%2F\
                &Tags.member.1.Key=env&Tags.member.1.Value=dev\
                &Tags.member.2.Key=team&Tags.member.2.Value=a+b";
    let input =
        iam::CreateUserRequest::from_query(&QueryNode::parse_form(form.as_bytes()), "").unwrap();
    assert_eq!(input.user_name.as_deref(), Some("alice"));
    let tags = input.tags.as_deref().unwrap();
    assert_eq!(tags[1].value.as_deref(), Some("a b"));
    assert_eq!(
        input.audit_json(),
        Some(json!({"userName": "alice", "path": "/team/",
                    "tags": [{"key": "env", "value": "dev"}, {"key": "team", "value": "a b"}]}))
    );
    let inv = call(&Unimplemented, form);
    assert_eq!(inv.operation, "CreateUser");
    assert!(!inv.read_only);
    assert_eq!(inv.request_parameters, input.audit_json());
}

#[test]
fn every_operation_defaults_to_unsupported_operation() {
    for action in iam::OPERATIONS {
        let inv = call(&Unimplemented, &format!("Action={action}"));
        let err = inv.result.unwrap_err();
        // Operations with required members fail validation first, like AWS.
        if err.code == "ValidationError" {
            continue;
        }
        assert_eq!(
            (err.code.as_ref(), err.status),
            ("UnsupportedOperation", 400),
            "{action}"
        );
        assert_eq!(
            err.message,
            format!("Rampart does not implement IAM operation {action} yet.")
        );
    }
    let err = error(&Unimplemented, "Action=ListUsers");
    assert_eq!(err.code, "UnsupportedOperation");
    assert!(call(&Unimplemented, "Action=ListUsers").read_only);
}

#[test]
fn validation_errors_use_the_query_code_and_full_match_patterns() {
    let err = error(&Unimplemented, "Action=CreateUser");
    assert_eq!((err.code.as_ref(), err.status), ("ValidationError", 400));
    assert_eq!(
        err.message,
        "1 validation error detected: Value null at 'userName' failed to satisfy constraint: \
         Member must not be null"
    );
    // IAM matches the whole value against the pattern.
    let err = error(&Unimplemented, "Action=CreateUser&UserName=bad+name%21");
    assert_eq!(
        err.message,
        "1 validation error detected: Value 'bad name!' at 'userName' failed to satisfy \
         constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+"
    );
    let err = error(&Unimplemented, "Action=ListUsers&MaxItems=0");
    assert!(
        err.message.ends_with(
            "Value '0' at 'maxItems' failed to satisfy constraint: Member must have value \
             greater than or equal to 1"
        ),
        "{}",
        err.message
    );
    let err = error(
        &Unimplemented,
        "Action=CreateUser&UserName=a&Tags.member.1.Value=v",
    );
    assert!(
        err.message
            .contains("Value null at 'tags.1.member.key' failed to satisfy constraint"),
        "{}",
        err.message
    );
    let err = error(&Unimplemented, "Action=ListUsers&MaxItems=ten");
    assert_eq!(
        (err.code.as_ref(), err.status),
        ("InvalidParameterValue", 400)
    );
    assert_eq!(
        err.message,
        "Invalid value for parameter MaxItems: expected a number."
    );
}

#[test]
fn sensitive_members_are_redacted_and_left_out_of_audit() {
    let output = iam::CreateAccessKeyResponse {
        access_key: Some(iam::AccessKey {
            user_name: Some(String::from("bob")),
            access_key_id: Some(String::from("AKIAEXAMPLE")),
            secret_access_key: Some(String::from("hunter2-secret")),
            ..Default::default()
        }),
    };
    let debug = format!("{output:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    assert_eq!(
        output.audit_json(),
        Some(json!({"accessKey": {"userName": "bob", "accessKeyId": "AKIAEXAMPLE"}}))
    );
}

#[test]
fn not_served_actions_are_answered_without_reading_parameters() {
    // MaxItems=ten would be a decoding error if the parameters were read.
    let inv = call(
        &Unimplemented,
        "Action=ListWorkloadIdentityProviders&MaxItems=ten",
    );
    assert!(!iam::SERVED.contains(&"ListWorkloadIdentityProviders"));
    assert_eq!(inv.operation, "ListWorkloadIdentityProviders");
    assert!(inv.read_only);
    assert_eq!(inv.request_parameters, None);
    let err = inv.result.unwrap_err();
    assert_eq!(
        (err.code.as_ref(), err.status),
        ("UnsupportedOperation", 400)
    );
    assert_eq!(
        err.message,
        "Rampart does not implement IAM operation ListWorkloadIdentityProviders yet."
    );
}

#[test]
fn unknown_actions_are_invalid_action() {
    let err = error(&Unimplemented, "Action=GetCallerIdentity");
    assert_eq!((err.code.as_ref(), err.status), ("InvalidAction", 400));
    assert_eq!(
        err.message,
        "Could not find operation GetCallerIdentity for version 2010-05-08"
    );
}

#[test]
fn modeled_errors_carry_query_codes_and_statuses() {
    let cases = [
        (errors::no_such_entity_exception("m"), "NoSuchEntity", 404),
        (
            errors::entity_already_exists_exception("m"),
            "EntityAlreadyExists",
            409,
        ),
        (errors::limit_exceeded_exception("m"), "LimitExceeded", 409),
        (
            errors::malformed_policy_document_exception("m"),
            "MalformedPolicyDocument",
            400,
        ),
        (
            errors::service_failure_exception("m"),
            "ServiceFailure",
            500,
        ),
        (
            errors::delete_conflict_exception("m"),
            "DeleteConflict",
            409,
        ),
        (
            errors::unmodifiable_entity_exception("m"),
            "UnmodifiableEntity",
            400,
        ),
    ];
    for (err, code, status) in cases {
        assert_eq!((err.code.as_ref(), err.status), (code, status));
    }
}

#[test]
fn served_outputs_are_written_as_wrapped_xml() {
    let output = iam::GetUserResponse {
        user: Some(iam::User {
            user_name: Some(String::from("a.b")),
            user_id: Some(String::from("AIDAEXAMPLE")),
            arn: Some(String::from("arn:aws:iam::111122223333:user/a.b")),
            path: Some(String::from("/a&<b>/")),
            create_date: Some(Timestamp(time::macros::datetime!(2024-01-07 10:20:30 UTC))),
            tags: Some(Vec::new()),
            ..Default::default()
        }),
    };
    let json = serde_json::to_vec(&output).unwrap();
    let xml = conformance::output_xml_from_json("GetUser", &json, "req-1");
    let xml = String::from_utf8(xml.unwrap().unwrap()).unwrap();
    assert_eq!(
        xml,
        "<GetUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetUserResult>\
         <User><Arn>arn:aws:iam::111122223333:user/a.b</Arn>\
         <CreateDate>2024-01-07T10:20:30Z</CreateDate><Path>/a&amp;&lt;b&gt;/</Path><Tags></Tags>\
         <UserId>AIDAEXAMPLE</UserId><UserName>a.b</UserName></User></GetUserResult>\
         <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetUserResponse>"
    );
    assert_eq!(output.audit_json().unwrap()["user"]["userName"], "a.b");
    assert!(call(&Unimplemented, "Action=GetUser&UserName=a.b").read_only);
    // Not served: no conformance hook either.
    assert!(conformance::output_xml_from_json("GetWorkloadIdentityProvider", b"{}", "r").is_none());
    assert_eq!(iam::GLOBAL_REGION, Some("us-east-1"));
    assert_eq!(iam::SIGNING_NAME, "iam");
}
