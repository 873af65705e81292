//! ACM's EventBridge events (source `aws.acm`, the certificate ARN as the one resource), each
//! published in the transaction of the change it reports: "ACM Certificate Available" when a
//! certificate is issued or renewed, "ACM Certificate Approaching Expiration" daily from
//! DaysBeforeExpiry days before NotAfter, "ACM Certificate Expired", and "ACM Certificate
//! Renewal Action Required" when managed renewal fails. Details as AWS documents them.

use crate::record::CertRecord;
use rampart_module::{ServiceEvent, publish};
use rampart_store::Write;
use serde_json::{Value, json};

/// Milliseconds in a day.
pub const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// The write publishing `detail_type` with `detail` about `record` at `now_ms`.
fn event(record: &CertRecord, detail_type: &str, detail: Value, now_ms: i64) -> Write {
    let mut parts = record.arn.split(':');
    let region = parts.nth(3).unwrap_or_default().to_owned();
    let account = parts.next().unwrap_or_default().to_owned();
    publish(&ServiceEvent {
        account,
        region,
        source: "aws.acm".into(),
        detail_type: detail_type.into(),
        resources: vec![record.arn.clone()],
        detail,
        time_ms: now_ms,
    })
}

/// Whole days from `now_ms` to the certificate's NotAfter (0 once it has passed).
pub fn days_to_expiry(record: &CertRecord, now_ms: i64) -> i64 {
    let not_after = record.facts.as_ref().map_or(now_ms, |f| f.not_after_ms);
    ((not_after - now_ms).max(0)) / DAY_MS
}

/// The common name the events carry.
fn common_name(record: &CertRecord) -> String {
    record
        .facts
        .as_ref()
        .map_or_else(|| record.domain_name.clone(), |f| f.domain_name.clone())
}

/// "ACM Certificate Available" for an `action` (`ISSUANCE`, `RENEWAL`).
pub fn available(record: &CertRecord, action: &str, now_ms: i64) -> Write {
    let method = record.validations.first().map(|v| v.method.clone());
    let not_after = record.facts.as_ref().map_or(0, |f| f.not_after_ms);
    let detail = json!({
        "Action": action,
        "CertificateType": record.cert_type,
        "CommonName": common_name(record),
        "DomainValidationMethod": method.unwrap_or_default(),
        "CertificateCreatedDate": iso(record.created_ms),
        "CertificateExpirationDate": iso(not_after),
        "DaysToExpiry": days_to_expiry(record, now_ms),
        "InUse": false,
        "Exported": record.exported,
    });
    event(record, "ACM Certificate Available", detail, now_ms)
}

/// "ACM Certificate Approaching Expiration".
pub fn approaching(record: &CertRecord, now_ms: i64) -> Write {
    let detail = json!({
        "DaysToExpiry": days_to_expiry(record, now_ms),
        "CommonName": common_name(record),
    });
    event(
        record,
        "ACM Certificate Approaching Expiration",
        detail,
        now_ms,
    )
}

/// "ACM Certificate Expired".
pub fn expired(record: &CertRecord, now_ms: i64) -> Write {
    let detail = json!({"DaysToExpiry": 0, "CommonName": common_name(record)});
    event(record, "ACM Certificate Expired", detail, now_ms)
}

/// "ACM Certificate Renewal Action Required" after managed renewal could not complete:
/// `status` is the renewal summary's (PENDING_VALIDATION, FAILED), with its `reason` if any.
pub fn renewal_action_required(
    record: &CertRecord,
    status: &str,
    reason: Option<&str>,
    now_ms: i64,
) -> Write {
    let mut detail = json!({
        "DaysToExpiry": days_to_expiry(record, now_ms),
        "CommonName": common_name(record),
        "RenewalStatus": status,
        "InUse": false,
        "Exported": record.exported,
    });
    if let (Some(reason), Value::Object(map)) = (reason, &mut detail) {
        map.insert("RenewalStatusReason".into(), json!(reason));
    }
    event(
        record,
        "ACM Certificate Renewal Action Required",
        detail,
        now_ms,
    )
}

/// `2020-09-30T06:51:08Z`.
fn iso(ms: i64) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    at.format(&format).unwrap_or_default()
}
