//! The service events of a rotation, as CloudTrail records them (`AwsServiceEvent`, source
//! `secretsmanager.amazonaws.com`, invoked by Secrets Manager itself, the secret's ARN in
//! `additionalEventData.SecretId`, a failure's reason in `errorMessage`): one record in the
//! audit log and one "AWS Service Event via CloudTrail" event on the account's default bus,
//! both written in the transaction of the rotation change they describe. No secret value is in
//! either.

use rampart_audit::service_event_write;
use rampart_audit::{AUDIT_LOG, ServiceEventFacts, cloudtrail_value, service_event};
use rampart_module::{ServiceEvent, publish};
use rampart_store::Write;
use serde_json::json;

/// `eventSource` and `invokedBy` of Secrets Manager's own events.
const SOURCE: &str = "secretsmanager.amazonaws.com";

/// The rotation events Secrets Manager records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RotationEvent {
    Started,
    Succeeded,
    Failed,
    Abandoned,
    TestStarted,
    TestSucceeded,
    TestFailed,
}

impl RotationEvent {
    /// The CloudTrail `eventName`.
    pub fn name(self) -> &'static str {
        match self {
            RotationEvent::Started => "RotationStarted",
            RotationEvent::Succeeded => "RotationSucceeded",
            RotationEvent::Failed => "RotationFailed",
            RotationEvent::Abandoned => "RotationAbandoned",
            RotationEvent::TestStarted => "TestRotationStarted",
            RotationEvent::TestSucceeded => "TestRotationSucceeded",
            RotationEvent::TestFailed => "TestRotationFailed",
        }
    }
}

/// Where and when an event happened.
pub struct Occasion<'a> {
    pub account: &'a str,
    pub region: &'a str,
    pub secret_arn: &'a str,
    /// The rotation's token (part of the `requestID`, as AWS's `Rotation-<ARN>-…` ids).
    pub rotation_token: &'a str,
    pub time_ms: i64,
}

/// The writes recording `event` (with `error` for a failure): the audit record and its
/// EventBridge event.
pub fn writes(event: RotationEvent, at: &Occasion<'_>, error: Option<String>) -> Vec<Write> {
    let nanos = i128::from(at.time_ms) * 1_000_000;
    let time = time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let record = service_event(&ServiceEventFacts {
        account: at.account,
        region: at.region,
        event_source: SOURCE,
        event_name: event.name(),
        time,
        request_id: format!("Rotation-{}-{}", at.secret_arn, at.rotation_token),
        error_message: error,
        additional_event_data: json!({"SecretId": at.secret_arn}),
    });
    let bus_event = ServiceEvent {
        account: at.account.to_owned(),
        region: at.region.to_owned(),
        source: "aws.secretsmanager".to_owned(),
        detail_type: "AWS Service Event via CloudTrail".to_owned(),
        resources: Vec::new(),
        detail: cloudtrail_value(&record),
        time_ms: at.time_ms,
    };
    vec![service_event_write(AUDIT_LOG, &record), publish(&bus_event)]
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_an_audit_record_and_a_bus_event_of_the_same_record() {
        let at = Occasion {
            account: "111122223333",
            region: "eu-west-1",
            secret_arn: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:a-AbCdEf",
            rotation_token: "t",
            time_ms: 1_767_323_045_000,
        };
        let w = writes(RotationEvent::Failed, &at, Some("why".into()));
        let [
            Write::Append { log, entry },
            Write::Enqueue { queue, payload, .. },
        ] = w.as_slice()
        else {
            panic!("unexpected writes");
        };
        assert_eq!(*log, AUDIT_LOG);
        assert_eq!(*queue, rampart_module::events::INGEST_QUEUE);
        let event = rampart_module::events::decode(payload).unwrap();
        assert_eq!(event.source, "aws.secretsmanager");
        assert_eq!(event.detail_type, "AWS Service Event via CloudTrail");
        assert_eq!(
            (event.account.as_str(), event.region.as_str()),
            (at.account, at.region)
        );
        assert_eq!(event.detail["eventName"], "RotationFailed");
        assert_eq!(event.detail["eventType"], "AwsServiceEvent");
        assert_eq!(event.detail["errorMessage"], "why");
        assert_eq!(
            event.detail["additionalEventData"]["SecretId"],
            at.secret_arn
        );
        assert_eq!(
            event.detail["requestID"],
            format!("Rotation-{}-t", at.secret_arn)
        );
        let records = rampart_audit::decode_entry(entry);
        let rampart_audit::StoredRecord::Compact(record) = &records[0] else {
            panic!("not compact");
        };
        assert_eq!(cloudtrail_value(record), event.detail);
    }
}
