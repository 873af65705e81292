//! Records of what a service did on its own rather than in answer to a call (CloudTrail's
//! `AwsServiceEvent`: a secret's rotation starting, succeeding or failing). The service
//! commits the record with the change it describes: [`service_event_write`] is the
//! `Write::Append` of one compact entry into the audit log, so the record exists exactly when
//! the change does. Such a record is never enqueued for the audit subscribers (it is not an API
//! call); a service that wants it on EventBridge publishes it itself, as CloudTrail delivers
//! service events ("AWS Service Event via CloudTrail").

use crate::stored::{RecordKind, StoredEvent, encode_entry};
use rampart_store::Write;
use serde_json::{Value, json};
use time::OffsetDateTime;

/// `eventType` of a service event.
pub const AWS_SERVICE_EVENT: &str = "AwsServiceEvent";

/// What a service event says.
#[derive(Debug, Clone)]
pub struct ServiceEventFacts<'a> {
    /// The account the event belongs to (`recipientAccountId`, `userIdentity.accountId`).
    pub account: &'a str,
    pub region: &'a str,
    /// `eventSource` and `invokedBy` (`secretsmanager.amazonaws.com`).
    pub event_source: &'a str,
    /// `eventName` (`RotationStarted`).
    pub event_name: &'a str,
    pub time: OffsetDateTime,
    pub request_id: String,
    /// `errorMessage` of a failure; never a secret value.
    pub error_message: Option<String>,
    /// `additionalEventData`.
    pub additional_event_data: Value,
}

/// The stored record of a service event: the service as the identity (`invokedBy`, source IP
/// address and user agent, as CloudTrail shows AWS's own actions), no request or response.
pub fn service_event(facts: &ServiceEventFacts<'_>) -> StoredEvent {
    let identity = json!({"accountId": facts.account, "invokedBy": facts.event_source});
    StoredEvent {
        kind: RecordKind::Final,
        time: facts.time.unix_timestamp(),
        event_source: facts.event_source.to_owned(),
        event_name: facts.event_name.to_owned(),
        aws_region: facts.region.to_owned(),
        user_identity: identity.to_string(),
        source_ip_address: facts.event_source.to_owned(),
        user_agent: facts.event_source.to_owned(),
        error_code: None,
        error_message: facts.error_message.clone(),
        request_parameters: None,
        response_elements: None,
        request_id: facts.request_id.clone(),
        event_id: uuid::Uuid::new_v4().to_string(),
        read_only: false,
        resources: Vec::new(),
        recipient_account_id: facts.account.to_owned(),
        shared_event_id: None,
        event_type: Some(AWS_SERVICE_EVENT.to_owned()),
        additional_event_data: Some(facts.additional_event_data.clone()),
    }
}

/// The write appending `record` to the audit log `log`, for the transaction of its change.
pub fn service_event_write(log: &'static str, record: &StoredEvent) -> Write {
    Write::Append {
        log,
        entry: encode_entry([record]),
    }
}

/// `record`'s CloudTrail JSON as a value (the `detail` of its EventBridge event).
pub fn cloudtrail_value(record: &StoredEvent) -> Value {
    serde_json::from_str(&record.to_cloudtrail_json()).unwrap_or(Value::Null)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::stored::{StoredRecord, decode_entry};

    fn facts() -> ServiceEventFacts<'static> {
        ServiceEventFacts {
            account: "111122223333",
            region: "us-east-1",
            event_source: "secretsmanager.amazonaws.com",
            event_name: "RotationFailed",
            time: OffsetDateTime::from_unix_timestamp(1_767_323_045).unwrap(),
            request_id: "Rotation-x".into(),
            error_message: Some("step failed".into()),
            additional_event_data: json!({"SecretId": "arn:aws:secretsmanager:us-east-1:111122223333:secret:a-AbCdEf"}),
        }
    }

    #[test]
    fn a_service_event_renders_as_cloudtrail_shows_one() {
        let record = service_event(&facts());
        let v = cloudtrail_value(&record);
        assert_eq!(v["eventType"], "AwsServiceEvent");
        assert_eq!(v["eventName"], "RotationFailed");
        assert_eq!(v["eventTime"], "2026-01-02T03:04:05Z");
        assert_eq!(
            v["userIdentity"],
            json!({"accountId": "111122223333", "invokedBy": "secretsmanager.amazonaws.com"})
        );
        assert_eq!(v["sourceIPAddress"], "secretsmanager.amazonaws.com");
        assert_eq!(v["errorMessage"], "step failed");
        assert_eq!(v["requestParameters"], Value::Null);
        assert_eq!(
            v["additionalEventData"]["SecretId"],
            facts().additional_event_data["SecretId"]
        );
        assert_eq!(v["readOnly"], false);
        assert_eq!(v["recipientAccountId"], "111122223333");
    }

    #[test]
    fn the_write_appends_one_compact_record_that_reads_back() {
        let record = service_event(&facts());
        let Write::Append { log, entry } = service_event_write("audit", &record) else {
            panic!("not an append");
        };
        assert_eq!(log, "audit");
        let back = decode_entry(&entry);
        assert_eq!(back, vec![StoredRecord::Compact(Box::new(record))]);
    }

    #[test]
    fn api_call_records_keep_their_event_type() {
        let mut record = service_event(&facts());
        record.event_type = None;
        record.additional_event_data = None;
        let v = cloudtrail_value(&record);
        assert_eq!(v["eventType"], "AwsApiCall");
        assert!(v.get("additionalEventData").is_none());
    }
}
