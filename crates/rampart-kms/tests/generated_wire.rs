//! The generated KMS wire layer against botocore-shaped request bodies: decoding, AWS-exact
//! validation messages, audit JSON, redacting Debug, modeled errors and the dispatcher.

#![allow(clippy::unwrap_used)]

use rampart_codec::{AuditParams, decode_input};
use rampart_core::{AccountId, Principal, PrincipalKind, Region, RequestContext};
use rampart_kms::generated::{self as kms, DecodeOnly, errors, operations::dispatch};
use serde_json::json;
use std::sync::Mutex;

fn validation_message<T: serde::de::DeserializeOwned + kms::Validate + std::fmt::Debug>(
    body: &str,
) -> String {
    let err = decode_input::<T>(body.as_bytes()).unwrap_err();
    assert_eq!(err.code, "ValidationException", "{}", err.message);
    assert_eq!(err.status, 400);
    err.message
}

#[test]
fn create_key_with_tags_decodes() {
    let body = r#"{"Description": "app key", "KeyUsage": "ENCRYPT_DECRYPT",
        "KeySpec": "SYMMETRIC_DEFAULT", "MultiRegion": false,
        "Tags": [{"TagKey": "env", "TagValue": "dev"}, {"TagKey": "team", "TagValue": "infra"}]}"#;
    let input: kms::CreateKeyRequest = decode_input(body.as_bytes()).unwrap();
    assert_eq!(input.key_spec, Some(kms::KeySpec::SymmetricDefault));
    assert_eq!(input.key_usage, Some(kms::KeyUsageType::EncryptDecrypt));
    let tags = input.tags.as_deref().unwrap();
    assert_eq!(tags[1].tag_key.as_deref(), Some("team"));
    assert_eq!(
        input.audit_json(),
        Some(json!({
            "description": "app key", "keyUsage": "ENCRYPT_DECRYPT", "keySpec": "SYMMETRIC_DEFAULT",
            "multiRegion": false,
            "tags": [{"tagKey": "env", "tagValue": "dev"}, {"tagKey": "team", "tagValue": "infra"}]
        }))
    );
}

#[test]
fn encrypt_with_context_decodes_and_hides_plaintext() {
    let body = r#"{"KeyId": "alias/app", "Plaintext": "c2VjcmV0LXZhbHVl",
        "EncryptionContext": {"purpose": "test", "tenant": "a"}}"#;
    let input: kms::EncryptRequest = decode_input(body.as_bytes()).unwrap();
    assert_eq!(input.plaintext.as_ref().unwrap().0, b"secret-value");
    let ctx = input.encryption_context.as_ref().unwrap();
    assert_eq!(ctx.get("tenant").map(String::as_str), Some("a"));
    assert_eq!(
        input.audit_json(),
        Some(
            json!({"keyId": "alias/app", "encryptionContext": {"purpose": "test", "tenant": "a"}})
        )
    );
    let debug = format!("{input:?}");
    assert!(debug.contains("*** Sensitive Data Redacted ***"), "{debug}");
    assert!(
        !debug.contains("secret") && !debug.contains("c2VjcmV0"),
        "{debug}"
    );
}

#[test]
fn plaintext_over_4096_bytes_hides_the_value() {
    let big = base64_of(&[0x41; 4097]);
    let msg = validation_message::<kms::EncryptRequest>(&format!(
        r#"{{"KeyId": "k", "Plaintext": "{big}"}}"#
    ));
    assert_eq!(
        msg,
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: \
         Member must have length less than or equal to 4096"
    );
    let ok = base64_of(&[0x41; 4096]);
    let body = format!(r#"{{"KeyId": "k", "Plaintext": "{ok}"}}"#);
    assert!(decode_input::<kms::EncryptRequest>(body.as_bytes()).is_ok());
}

#[test]
fn number_of_bytes_range() {
    let msg = validation_message::<kms::GenerateDataKeyRequest>(
        r#"{"KeyId": "k", "NumberOfBytes": 2000}"#,
    );
    assert_eq!(
        msg,
        "1 validation error detected: Value '2000' at 'numberOfBytes' failed to satisfy \
         constraint: Member must have value less than or equal to 1024"
    );
    let msg =
        validation_message::<kms::GenerateDataKeyRequest>(r#"{"KeyId": "k", "NumberOfBytes": 0}"#);
    assert_eq!(
        msg,
        "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy \
         constraint: Member must have value greater than or equal to 1"
    );
}

#[test]
fn unknown_key_spec_lists_the_value_set() {
    let msg = validation_message::<kms::CreateKeyRequest>(r#"{"KeySpec": "FOO"}"#);
    let set = kms::KeySpec::VALUES.join(", ");
    assert_eq!(
        msg,
        format!(
            "1 validation error detected: Value 'FOO' at 'keySpec' failed to satisfy \
             constraint: Member must satisfy enum value set: [{set}]"
        )
    );
    assert!(set.starts_with("RSA_2048, ") && set.contains("SYMMETRIC_DEFAULT"));
}

#[test]
fn missing_key_id_and_several_errors() {
    let msg = validation_message::<kms::EncryptRequest>(r#"{"Plaintext": "aGk="}"#);
    assert_eq!(
        msg,
        "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: \
         Member must not be null"
    );
    let msg = validation_message::<kms::EncryptRequest>("");
    assert_eq!(
        msg,
        "2 validation errors detected: Value null at 'keyId' failed to satisfy constraint: \
         Member must not be null; Value null at 'plaintext' failed to satisfy constraint: \
         Member must not be null"
    );
}

#[test]
fn nested_tag_paths_are_one_based() {
    let msg = validation_message::<kms::CreateKeyRequest>(
        r#"{"Tags": [{"TagKey": "ok", "TagValue": "v"}, {"TagKey": ""}]}"#,
    );
    assert_eq!(
        msg,
        "2 validation errors detected: Value '' at 'tags.2.member.tagKey' failed to satisfy \
         constraint: Member must have length greater than or equal to 1; Value null at \
         'tags.2.member.tagValue' failed to satisfy constraint: Member must not be null"
    );
}

#[test]
fn serialization_errors() {
    let err =
        decode_input::<kms::EncryptRequest>(br#"{"KeyId": "k", "Plaintext": "!!"}"#).unwrap_err();
    assert_eq!(err.code, "SerializationException");
    assert_eq!(err.message, "Invalid base64 value for member 'Plaintext'");
    let err = decode_input::<kms::EncryptRequest>(br#"{"KeyId": "k", "Bogus": 1}"#).unwrap_err();
    assert_eq!(err.message, "Unrecognized field 'Bogus'");
}

#[test]
fn modeled_errors_carry_code_and_status() {
    let e = errors::not_found_exception("Key 'x' does not exist");
    assert_eq!((e.code.as_ref(), e.status), ("NotFoundException", 400));
    assert_eq!(errors::kms_internal_exception("boom").status, 500);
    assert_eq!(
        errors::kms_invalid_state_exception("m").code,
        "KMSInvalidStateException"
    );
}

#[test]
fn output_timestamps_and_enums_encode_like_botocore_expects() {
    let out = kms::DescribeKeyResponse {
        key_metadata: Some(kms::KeyMetadata {
            key_id: Some(String::from("1234abcd")),
            creation_date: Some(kms::Timestamp(
                time::macros::datetime!(2024-01-07 00:00:00 UTC),
            )),
            key_state: Some(kms::KeyState::Enabled),
            ..Default::default()
        }),
    };
    let body = rampart_codec::encode_output(&out).unwrap();
    assert_eq!(
        String::from_utf8(body).unwrap(),
        r#"{"KeyMetadata":{"CreationDate":1704585600,"KeyId":"1234abcd","KeyState":"Enabled"}}"#
    );
    assert_eq!(
        out.audit_json(),
        Some(
            json!({"keyMetadata": {"creationDate": "Jan 7, 2024, 12:00:00 AM",
                                    "keyId": "1234abcd", "keyState": "Enabled"}})
        )
    );
}

fn context() -> RequestContext {
    let principal = Principal {
        account: AccountId::parse("111122223333").unwrap(),
        arn: String::from("arn:aws:iam::111122223333:root"),
        principal_id: String::from("111122223333"),
        access_key_id: String::from("AKIAEXAMPLE"),
        kind: PrincipalKind::Root,
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

#[tokio::test]
async fn dispatch_decodes_served_operations_and_refuses_the_others_unread() {
    let ctx = context();
    let body = br#"{"KeyId": "alias/app", "Plaintext": "aGk=", "EncryptionContext": {"a": "b"}}"#;
    let inv = dispatch(&DecodeOnly, &ctx, "Encrypt", body).await;
    assert_eq!(inv.operation, "Encrypt");
    assert!(inv.read_only);
    assert_eq!(
        inv.result.unwrap_err().message,
        "Rampart does not implement KMS operation Encrypt yet."
    );
    assert_eq!(
        inv.request_parameters,
        Some(json!({"keyId": "alias/app", "encryptionContext": {"a": "b"}}))
    );
    assert_eq!(inv.response_elements, None);

    let inv = dispatch(&DecodeOnly, &ctx, "ListKeys", b"").await;
    assert!(inv.read_only);
    assert_eq!(inv.request_parameters, None);

    let inv = dispatch(
        &DecodeOnly,
        &ctx,
        "GenerateDataKey",
        br#"{"KeyId": "k", "NumberOfBytes": 0}"#,
    )
    .await;
    assert_eq!(inv.result.unwrap_err().code, "ValidationException");
    assert_eq!(
        inv.request_parameters,
        Some(json!({"keyId": "k", "numberOfBytes": 0}))
    );

    // Not served: named, answered without reading the body (which is not even JSON here).
    for (operation, read_only) in [
        ("CreateCustomKeyStore", false),
        ("DescribeCustomKeyStores", true),
    ] {
        assert!(!kms::SERVED.contains(&operation));
        let inv = dispatch(&DecodeOnly, &ctx, operation, b"not json").await;
        assert_eq!((inv.operation, inv.read_only), (operation, read_only));
        let err = inv.result.unwrap_err();
        assert_eq!(
            (err.code.as_ref(), err.status),
            ("UnsupportedOperationException", 400)
        );
        assert_eq!(
            err.message,
            format!("Rampart does not implement KMS operation {operation} yet.")
        );
        assert_eq!(inv.request_parameters, None);
    }

    let inv = dispatch(&DecodeOnly, &ctx, "Frobnicate", b"{}").await;
    assert_eq!(inv.operation, "Unknown");
    assert_eq!(inv.result.unwrap_err().code, "UnknownOperationException");
    assert!(kms::OPERATIONS.contains(&"ReEncrypt") && kms::OPERATIONS.len() == 56);
    assert!(kms::SERVED.iter().all(|op| kms::OPERATIONS.contains(op)));
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
