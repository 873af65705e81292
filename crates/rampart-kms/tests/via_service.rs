//! KMS requests another service makes on its caller's behalf (`KmsService::via_service`): each
//! is noted on the call's audit rider as a nested KMS call (parameters as KMS logs them, never
//! plaintext; its own error; the keys it used) and metered as a KMS request, failed or not; the
//! caller's call keeps its resources.
#![allow(clippy::unwrap_used)]

mod common;

use common::callers::user;
use common::{ACCOUNT, Harness, context};
use rampart_codec::Blob;
use rampart_core::RequestContext;
use rampart_core::rider::{AuditRider, NestedCall};
use rampart_kms::ViaServiceCall;
use rampart_kms::generated::{
    CreateGrantRequest, DecryptRequest, DescribeKeyRequest, EncryptRequest, GenerateDataKeyRequest,
    GenerateDataKeyWithoutPlaintextRequest, dispatch,
};
use rampart_kms::usage::usage_report;
use std::collections::BTreeMap;
use std::sync::Arc;

const PARAMETER: &str = "arn:aws:ssm:us-east-1:111122223333:parameter/p";

fn rider() -> Arc<AuditRider> {
    AuditRider::new("audit", "e-1".into(), Box::new(|_, _| Vec::new()))
}

fn encryption_context() -> BTreeMap<String, String> {
    BTreeMap::from([("PARAMETER_ARN".to_owned(), PARAMETER.to_owned())])
}

fn encrypt(key: &str) -> EncryptRequest {
    EncryptRequest {
        key_id: Some(key.to_owned()),
        plaintext: Some(Blob(b"hunter2".to_vec())),
        encryption_context: Some(encryption_context()),
        ..EncryptRequest::default()
    }
}

fn decrypt(blob: Blob) -> DecryptRequest {
    DecryptRequest {
        ciphertext_blob: Some(blob),
        encryption_context: Some(encryption_context()),
        ..DecryptRequest::default()
    }
}

/// Encrypts, decrypts, and tries to decrypt as `denied` (no permission), all via `ssm`.
async fn three_calls(h: &Harness, ctx: &RequestContext, denied: &RequestContext, key: &str) {
    let blob = h.kms.via_service("ssm", ctx, encrypt(key)).await;
    let blob = blob.unwrap().ciphertext_blob.unwrap();
    let plain = h.kms.via_service("ssm", ctx, decrypt(blob.clone())).await;
    assert_eq!(plain.unwrap().plaintext.unwrap().into_inner(), b"hunter2");
    let refused = h.kms.via_service("ssm", denied, decrypt(blob)).await;
    assert_eq!(refused.unwrap_err().code(), "AccessDeniedException");
}

fn check_parameters(call: &NestedCall, key_arn: &str) {
    let params = call.request_parameters.as_ref().unwrap();
    let text = params.to_string();
    assert!(
        !text.contains("plaintext") && !text.contains("ciphertextBlob"),
        "{text}"
    );
    assert_eq!(params["encryptionContext"]["PARAMETER_ARN"], PARAMETER);
    assert_eq!(params["encryptionAlgorithm"], "SYMMETRIC_DEFAULT");
    assert_eq!(params["keyId"], key_arn, "{}", call.operation);
    assert_eq!(call.resources.len(), 1);
    assert_eq!(call.resources[0].arn, key_arn);
    assert_eq!(call.invoked_by, "ssm.amazonaws.com");
    assert_eq!(
        (call.event_source, call.read_only),
        ("kms.amazonaws.com", true)
    );
    assert!(call.response_elements.is_none());
}

#[tokio::test]
async fn nested_calls_are_noted_metered_and_leave_the_callers_resources() {
    let h = Harness::new().await;
    let (_, key_arn) = h.create_key().await;
    let ctx = context(ACCOUNT, common::REGION);
    let denied = user(ACCOUNT, "bob", &[]);
    ctx.note_resource(PARAMETER, "AWS::SSM::Parameter");
    let rider = rider();
    rider.scope(three_calls(&h, &ctx, &denied, &key_arn)).await;
    let nested = rider.take_nested();
    let names: Vec<&str> = nested.iter().map(|c| c.operation).collect();
    assert_eq!(names, ["Encrypt", "Decrypt", "Decrypt"]);
    for call in &nested {
        check_parameters(call, &key_arn);
    }
    assert!(nested[0].error.is_none() && nested[1].error.is_none());
    let (code, message) = nested[2].error.clone().unwrap();
    assert_eq!(code, "AccessDeniedException");
    assert!(
        message.contains("user/bob is not authorized to perform: kms:Decrypt"),
        "{message}"
    );
    let outer: Vec<String> = ctx.take_resources().into_iter().map(|r| r.arn).collect();
    assert_eq!(outer, [PARAMETER.to_owned(), key_arn.clone()]);
    h.kms.flush_usage().await.unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    let report = usage_report(&h.store, None, Some(ACCOUNT), now)
        .await
        .unwrap();
    let key_id = key_arn.rsplit('/').next().unwrap();
    let line = report.keys.iter().find(|k| k.key_id == key_id).unwrap();
    assert_eq!(line.requests, 1 + 3, "CreateKey and the three nested calls");
}

#[tokio::test]
async fn outside_an_audited_call_nothing_is_noted() {
    let h = Harness::new().await;
    let (_, key_arn) = h.create_key().await;
    let ctx = context(ACCOUNT, common::REGION);
    let out = h.kms.via_service("ssm", &ctx, encrypt(&key_arn)).await;
    assert!(out.unwrap().ciphertext_blob.is_some());
    let rider = rider();
    assert!(rider.take_nested().is_empty());
}

/// `readOnly` of each nested operation is the generated dispatcher's (CloudTrail's) value.
async fn read_only_matches<R: ViaServiceCall>(h: &Harness, ctx: &RequestContext) {
    let invocation = dispatch(&h.kms, ctx, R::OPERATION, b"{}").await;
    assert_eq!(invocation.operation, R::OPERATION);
    assert_eq!(invocation.read_only, R::READ_ONLY, "{}", R::OPERATION);
}

#[tokio::test]
async fn nested_operations_keep_cloudtrails_read_only_flag() {
    let h = Harness::new().await;
    let ctx = context(ACCOUNT, common::REGION);
    read_only_matches::<EncryptRequest>(&h, &ctx).await;
    read_only_matches::<DecryptRequest>(&h, &ctx).await;
    read_only_matches::<GenerateDataKeyRequest>(&h, &ctx).await;
    read_only_matches::<GenerateDataKeyWithoutPlaintextRequest>(&h, &ctx).await;
    read_only_matches::<DescribeKeyRequest>(&h, &ctx).await;
    read_only_matches::<CreateGrantRequest>(&h, &ctx).await;
}
