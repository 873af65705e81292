//! Usage metering: request counts per account/Region/key flushed durably (adding across nodes),
//! key-months per month (prorated by the hour, AWS-managed keys free, no charge while pending
//! deletion, deleted keys included), the estimated charge, and GetKeyLastUsage.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ACCOUNT, Harness, REGION, b64, call_with, context};
use rampart_kms::usage::{KeyUsage, UsageReport, charge_usd, month_of, usage_report};
use serde_json::json;
use time::macros::datetime;

fn now_ms() -> i64 {
    i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000).unwrap()
}

fn line<'a>(report: &'a UsageReport, key_id: &str) -> Option<&'a KeyUsage> {
    report.keys.iter().find(|k| k.key_id == key_id)
}

#[tokio::test]
async fn requests_are_counted_per_key_and_flushed_once() {
    let h = Harness::new().await;
    let (id, _) = h.create_key().await;
    for _ in 0..3 {
        h.ok("Encrypt", json!({"KeyId": id, "Plaintext": b64(b"x")}))
            .await;
    }
    h.ok("ListKeys", json!({})).await;
    h.ok("GenerateRandom", json!({"NumberOfBytes": 8})).await;
    h.err("DescribeKey", json!({"KeyId": "alias/missing"}))
        .await;
    let before = usage_report(&h.store, None, Some(ACCOUNT), now_ms())
        .await
        .unwrap();
    assert!(
        line(&before, "-").is_none(),
        "nothing is visible before a flush"
    );
    h.kms.flush_usage().await.unwrap();
    h.kms.flush_usage().await.unwrap();
    let report = usage_report(&h.store, None, Some(ACCOUNT), now_ms())
        .await
        .unwrap();
    assert_eq!(report.month, month_of(now_ms()));
    assert_eq!(line(&report, &id).unwrap().requests, 4);
    let keyless = line(&report, "-").unwrap();
    assert_eq!((keyless.requests, keyless.region.as_str()), (3, REGION));
    let account = &report.accounts[0];
    assert_eq!((account.account.as_str(), account.requests), (ACCOUNT, 7));
    let expected = charge_usd(account.key_months, 7);
    assert!((account.charge_usd - expected).abs() < 1e-12);
    let none = usage_report(&h.store, None, Some("999999999999"), now_ms())
        .await
        .unwrap();
    assert!(none.keys.is_empty() && none.accounts.is_empty());
}

#[tokio::test]
async fn nodes_sharing_a_store_add_their_counts() {
    let h = Harness::new().await;
    let other = h.second_node();
    let (id, _) = h.create_key().await;
    for _ in 0..5 {
        common::call_on(&other, ACCOUNT, REGION, "DescribeKey", json!({"KeyId": id}))
            .await
            .unwrap();
    }
    let (a, b) = tokio::join!(h.kms.flush_usage(), other.flush_usage());
    a.unwrap();
    b.unwrap();
    h.ok("DescribeKey", json!({"KeyId": id})).await;
    h.kms.flush_usage().await.unwrap();
    let report = usage_report(&h.store, None, None, now_ms()).await.unwrap();
    assert_eq!(line(&report, &id).unwrap().requests, 7);
}

#[tokio::test]
async fn key_months_are_prorated_by_the_hour_and_follow_aws_rules() {
    let h = Harness::new().await;
    h.clock.set(datetime!(2024-04-10 12:00 UTC));
    let (kept, _) = h.create_key().await;
    let (deleted, _) = h.create_key().await;
    let (cancelled, _) = h.create_key().await;
    let external = h.ok("CreateKey", json!({"Origin": "EXTERNAL"})).await["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_owned();
    let managed = h
        .kms
        .aws_managed_key(ACCOUNT, REGION, "ssm")
        .await
        .unwrap()
        .key_id;
    h.clock.set(datetime!(2024-04-10 14:30 UTC));
    for id in [&deleted, &cancelled] {
        h.ok(
            "ScheduleKeyDeletion",
            json!({"KeyId": id, "PendingWindowInDays": 7}),
        )
        .await;
    }
    h.clock.set(datetime!(2024-04-11 14:30 UTC));
    h.ok("CancelKeyDeletion", json!({"KeyId": cancelled})).await;
    h.clock.set(datetime!(2024-04-18 00:00 UTC));
    assert_eq!(h.kms.delete_due_keys().await.unwrap(), 1);
    let as_of = datetime!(2024-04-20 12:00 UTC).unix_timestamp() * 1000;
    let april = usage_report(&h.store, Some("2024-04"), Some(ACCOUNT), as_of)
        .await
        .unwrap();
    let months = |id: &str| line(&april, id).map_or(0.0, |l| l.key_months);
    let month_hours = 30.0 * 24.0;
    assert!((months(&kept) - 240.0 / month_hours).abs() < 1e-9);
    assert!((months(&external) - 240.0 / month_hours).abs() < 1e-9);
    assert!(
        (months(&cancelled) - 240.0 / month_hours).abs() < 1e-9,
        "a cancelled deletion is charged as if never scheduled"
    );
    assert!(
        (months(&deleted) - 3.0 / month_hours).abs() < 1e-9,
        "2.5 h until its deletion was scheduled, in started hours"
    );
    assert_eq!(months(&managed), 0.0, "AWS-managed keys are free");
    let total = april.accounts[0].key_months;
    assert!((total - 723.0 / month_hours).abs() < 1e-9);
    assert!((april.accounts[0].charge_usd - total).abs() < 1e-9);

    let march = usage_report(&h.store, Some("2024-03"), Some(ACCOUNT), as_of)
        .await
        .unwrap();
    assert!(march.keys.is_empty());
    let may_as_of = datetime!(2024-05-02 00:00 UTC).unix_timestamp() * 1000;
    let may = usage_report(&h.store, Some("2024-05"), Some(ACCOUNT), may_as_of)
        .await
        .unwrap();
    let may_kept = line(&may, &kept).unwrap().key_months;
    assert!((may_kept - 24.0 / (31.0 * 24.0)).abs() < 1e-9);
    assert!(line(&may, &deleted).is_none());
    assert!(
        usage_report(&h.store, Some("2024-4"), None, as_of)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn get_key_last_usage_reports_the_last_successful_cryptographic_operation() {
    let h = Harness::new().await;
    let (id, arn) = h.create_key().await;
    let (other, _) = h.create_key().await;
    let fresh = h.ok("GetKeyLastUsage", json!({"KeyId": id})).await;
    assert_eq!(fresh["KeyId"], arn);
    assert_eq!(fresh["KeyLastUsage"], json!({}));
    assert!(fresh["KeyCreationDate"].is_number());
    assert!(fresh["TrackingStartDate"].as_f64() >= fresh["KeyCreationDate"].as_f64());

    let ctx = context(ACCOUNT, REGION);
    let enc = call_with(
        &h.kms,
        &ctx,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(b"x")}),
    )
    .await
    .unwrap();
    h.ok("DescribeKey", json!({"KeyId": id})).await;
    let used = h.ok("GetKeyLastUsage", json!({"KeyId": arn})).await["KeyLastUsage"].clone();
    assert_eq!(used["Operation"], "Encrypt");
    assert_eq!(used["KmsRequestId"], ctx.request_id);
    assert!(used["Timestamp"].is_number());
    assert!(used.get("CloudTrailEventId").is_none());

    h.kms.flush_usage().await.unwrap();
    h.ok("DisableKey", json!({"KeyId": id})).await;
    h.err("Encrypt", json!({"KeyId": id, "Plaintext": b64(b"x")}))
        .await;
    let after_flush = h.ok("GetKeyLastUsage", json!({"KeyId": id})).await;
    assert_eq!(
        after_flush["KeyLastUsage"], used,
        "failed calls are not usage"
    );
    h.ok("EnableKey", json!({"KeyId": id})).await;

    let ctx = context(ACCOUNT, REGION);
    call_with(
        &h.kms,
        &ctx,
        "ReEncrypt",
        json!({"CiphertextBlob": enc["CiphertextBlob"], "DestinationKeyId": other}),
    )
    .await
    .unwrap();
    for key in [&id, &other] {
        let got = h.ok("GetKeyLastUsage", json!({"KeyId": key})).await["KeyLastUsage"].clone();
        assert_eq!(got["Operation"], "ReEncrypt");
        assert_eq!(got["KmsRequestId"], ctx.request_id);
    }
    let e = h.err("GetKeyLastUsage", json!({"KeyId": "alias/x"})).await;
    assert_eq!(e.code, "NotFoundException");
}
