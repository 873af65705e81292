//! The compact stored form: round trip, legacy JSON entries, CloudTrail JSON on read, size.
#![allow(clippy::unwrap_used)]

use super::*;
use crate::{EventResource, UserIdentity};
use rampart_core::{AccountId, Principal, PrincipalKind};
use serde_json::json;

const KEY_ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn alice() -> Principal {
    Principal {
        account: AccountId::parse("111122223333").unwrap(),
        arn: "arn:aws:iam::111122223333:user/Alice".to_owned(),
        principal_id: "AIDAJ45Q7YFFAREXAMPLE".to_owned(),
        access_key_id: "AKIAIOSFODNN7EXAMPLE".to_owned(),
        kind: PrincipalKind::IamUser,
        session: None,
    }
}

/// A KMS event as the gateway records it.
fn kms_event(name: &str, params: Value, response: Option<Value>) -> AuditEvent {
    let mut event = crate::intent::CallFacts {
        principal: alice(),
        region: "us-east-1".to_owned(),
        source_ip: "192.0.2.10".to_owned(),
        user_agent: "Boto3/1.35.0 md/Botocore#1.35.0 ua/2.0 os/linux#6.1 lang/python#3.12.3"
            .to_owned(),
        request_id: "7d1c2f8e-4b4e-4f7a-9a43-5f0c6e1b2a77".to_owned(),
        received_at: OffsetDateTime::from_unix_timestamp(1_767_323_045).unwrap(),
    }
    .event(
        "kms.amazonaws.com",
        name,
        "0f8c9a6e-7b3d-4c21-8e5f-2a1b3c4d5e6f".to_owned(),
    );
    event.request_parameters = Some(params);
    event.response_elements = response;
    event.resources = vec![EventResource {
        account_id: "111122223333".to_owned(),
        resource_type: "AWS::KMS::Key",
        arn: KEY_ARN.to_owned(),
    }];
    event
}

fn encrypt() -> AuditEvent {
    let params = json!({"keyId": "alias/app", "encryptionAlgorithm": "SYMMETRIC_DEFAULT"});
    kms_event("Encrypt", params, None)
}

fn create_key() -> AuditEvent {
    let params = json!({"description": "app data key", "keySpec": "SYMMETRIC_DEFAULT",
        "keyUsage": "ENCRYPT_DECRYPT", "origin": "AWS_KMS", "multiRegion": false});
    let metadata = json!({"keyMetadata": {"aWSAccountId": "111122223333",
        "keyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "arn": KEY_ARN,
        "creationDate": "Jan 2, 2026, 3:04:05 AM", "enabled": true,
        "description": "app data key", "keyUsage": "ENCRYPT_DECRYPT", "keyState": "Enabled",
        "origin": "AWS_KMS", "keyManager": "CUSTOMER", "customerMasterKeySpec":
        "SYMMETRIC_DEFAULT", "keySpec": "SYMMETRIC_DEFAULT", "encryptionAlgorithms":
        ["SYMMETRIC_DEFAULT"], "multiRegion": false}});
    kms_event("CreateKey", params, Some(metadata))
}

fn json_line(event: &AuditEvent) -> String {
    serde_json::to_string(event).unwrap()
}

#[test]
fn compact_records_render_the_json_the_event_serializes_to() {
    for event in [encrypt(), create_key()] {
        let stored = StoredEvent::of(&event, RecordKind::Final);
        let entry = encode_entry([&stored, &stored]);
        assert_eq!(entry[0], FORMAT_V1);
        let records = decode_entry(&entry);
        assert_eq!(
            records,
            vec![StoredRecord::Compact(Box::new(stored.clone())); 2]
        );
        assert_eq!(
            stored.to_cloudtrail_json(),
            json_line(&event),
            "byte for byte"
        );
    }
}

#[test]
fn the_first_record_alone() {
    let first = StoredEvent::of(&encrypt(), RecordKind::Final);
    let second = StoredEvent::of(&create_key(), RecordKind::Final);
    let entry = encode_entry([&first, &second]);
    assert_eq!(
        first_record(&entry),
        Some(StoredRecord::Compact(Box::new(first)))
    );
    let lines = format!("{}\n{}\n", json_line(&encrypt()), json_line(&create_key()));
    let legacy = first_record(lines.as_bytes());
    assert_eq!(legacy, Some(StoredRecord::Json(json_line(&encrypt()))));
    assert_eq!(first_record(&[FORMAT_V1]), None);
}

#[test]
fn legacy_json_entries_still_read() {
    let lines = format!("{}\n{}\n", json_line(&encrypt()), json_line(&create_key()));
    let records = decode_entry(lines.as_bytes());
    assert_eq!(
        records,
        vec![
            StoredRecord::Json(json_line(&encrypt())),
            StoredRecord::Json(json_line(&create_key())),
        ]
    );
}

#[test]
fn an_undecodable_record_ends_its_entry_without_panicking() {
    let stored = StoredEvent::of(&encrypt(), RecordKind::Intent);
    let mut entry = encode_entry([&stored]);
    entry.extend_from_slice(&[0xff, 0x00, 0x13]);
    assert_eq!(
        decode_entry(&entry),
        vec![StoredRecord::Compact(Box::new(stored))]
    );
    assert!(decode_entry(&[FORMAT_V1, 0x1c]).is_empty());
}

/// The figures in BENCHMARKS.md ("Audit stored form"): run with `--nocapture`.
#[test]
fn the_compact_form_is_smaller() {
    for event in [encrypt(), create_key()] {
        let json = json_line(&event).len() + 1;
        let compact = encode_entry([&StoredEvent::of(&event, RecordKind::Final)]).len() - 1;
        println!(
            "{}: JSON line {json} bytes, compact {compact} bytes ({}%)",
            event.event_name,
            compact * 100 / json
        );
        assert!(compact < json, "{compact} >= {json}");
    }
}

#[test]
fn an_identity_keeps_its_field_order() {
    let identity = UserIdentity::of(&alice());
    let stored = StoredEvent::of(&encrypt(), RecordKind::Final);
    assert_eq!(
        stored.user_identity,
        serde_json::to_string(&identity).unwrap()
    );
}
