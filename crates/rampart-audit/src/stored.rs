//! The compact stored form of audit records, rendered as CloudTrail JSON only when read.
//!
//! A log entry is either a legacy entry (newline-separated CloudTrail JSON, as written before
//! the compact form: it starts with `{`) or a compact entry: the byte [`FORMAT_V1`] followed by
//! a sequence of CBOR-encoded [`StoredEvent`]s with short field names. The constant parts of a
//! CloudTrail record (`eventVersion`, `eventType`, `managementEvent`, `eventCategory`) are not
//! stored; the time is Unix seconds (CloudTrail's precision).

use crate::{AuditEvent, cloudtrail_timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use time::OffsetDateTime;

/// The leading byte of a compact entry (a legacy JSON entry starts with `{`).
pub const FORMAT_V1: u8 = 1;

/// What a stored record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordKind {
    /// The record of a call, written after the call (no intent of it was committed).
    #[serde(rename = "f")]
    Final,
    /// The record of a call whose intent committed earlier with the call's first write:
    /// readers show it at the intent's place in the log.
    #[serde(rename = "a")]
    FinalAfterIntent,
    /// What was known of a state-changing call before it ran, committed with its first write;
    /// shown on its own only when the final record never came (the node stopped).
    #[serde(rename = "i")]
    Intent,
}

/// One audit record as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEvent {
    #[serde(rename = "k")]
    pub kind: RecordKind,
    /// `eventTime`, Unix seconds.
    #[serde(rename = "t")]
    pub time: i64,
    #[serde(rename = "s")]
    pub event_source: String,
    #[serde(rename = "n")]
    pub event_name: String,
    #[serde(rename = "g")]
    pub aws_region: String,
    /// `userIdentity` as CloudTrail JSON text (kept in CloudTrail's field order).
    #[serde(rename = "u")]
    pub user_identity: String,
    #[serde(rename = "ip")]
    pub source_ip_address: String,
    #[serde(rename = "ua")]
    pub user_agent: String,
    #[serde(rename = "ec", default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(rename = "em", default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    #[serde(rename = "q", default, skip_serializing_if = "Option::is_none")]
    pub request_parameters: Option<Value>,
    #[serde(rename = "p", default, skip_serializing_if = "Option::is_none")]
    pub response_elements: Option<Value>,
    #[serde(rename = "r")]
    pub request_id: String,
    #[serde(rename = "e")]
    pub event_id: String,
    #[serde(rename = "ro")]
    pub read_only: bool,
    /// `(accountId, type, ARN)` of each resource.
    #[serde(rename = "rs", default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<(String, String, String)>,
    #[serde(rename = "a")]
    pub recipient_account_id: String,
    #[serde(rename = "se", default, skip_serializing_if = "Option::is_none")]
    pub shared_event_id: Option<String>,
    /// `eventType` when the record is not an API call: `AwsServiceEvent` for what a service
    /// did on its own (a rotation starting, say); `None` is `AwsApiCall`.
    #[serde(rename = "ty", default, skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    /// `additionalEventData` (a service event's subject, such as `{"SecretId": arn}`).
    #[serde(rename = "ad", default, skip_serializing_if = "Option::is_none")]
    pub additional_event_data: Option<Value>,
}

/// One record read back from a log entry.
#[derive(Debug, Clone, PartialEq)]
pub enum StoredRecord {
    /// A compact record.
    Compact(Box<StoredEvent>),
    /// A line of a legacy entry: CloudTrail JSON as stored.
    Json(String),
}

impl StoredEvent {
    /// The stored form of `event`.
    pub fn of(event: &AuditEvent, kind: RecordKind) -> Self {
        Self {
            kind,
            time: event.event_time.unix_timestamp(),
            event_source: event.event_source.to_owned(),
            event_name: event.event_name.clone(),
            aws_region: event.aws_region.clone(),
            user_identity: serde_json::to_string(&event.user_identity).unwrap_or_default(),
            source_ip_address: event.source_ip_address.clone(),
            user_agent: event.user_agent.clone(),
            error_code: event.error_code.clone(),
            error_message: event.error_message.clone(),
            request_parameters: event.request_parameters.clone(),
            response_elements: event.response_elements.clone(),
            request_id: event.request_id.clone(),
            event_id: event.event_id.clone(),
            read_only: event.read_only,
            resources: event
                .resources
                .iter()
                .map(|r| {
                    (
                        r.account_id.clone(),
                        r.resource_type.to_owned(),
                        r.arn.clone(),
                    )
                })
                .collect(),
            recipient_account_id: event.recipient_account_id.clone(),
            shared_event_id: event.shared_event_id.clone(),
            event_type: None,
            additional_event_data: None,
        }
    }

    /// `eventTime`.
    pub fn event_time(&self) -> Option<OffsetDateTime> {
        OffsetDateTime::from_unix_timestamp(self.time).ok()
    }

    /// The CloudTrail JSON of this record, fields in CloudTrail's order.
    pub fn to_cloudtrail_json(&self) -> String {
        let resources: Vec<JsonResource<'_>> = self
            .resources
            .iter()
            .map(|(account_id, kind, arn)| JsonResource {
                account_id,
                kind,
                arn,
            })
            .collect();
        let null = RawValue::NULL;
        let view = JsonView {
            event_version: "1.08",
            user_identity: serde_json::from_str(&self.user_identity).unwrap_or(null),
            event_time: self
                .event_time()
                .map(cloudtrail_timestamp)
                .unwrap_or_default(),
            event_source: &self.event_source,
            event_name: &self.event_name,
            aws_region: &self.aws_region,
            source_ip_address: &self.source_ip_address,
            user_agent: &self.user_agent,
            error_code: self.error_code.as_deref(),
            error_message: self.error_message.as_deref(),
            request_parameters: self.request_parameters.as_ref(),
            response_elements: self.response_elements.as_ref(),
            additional_event_data: self.additional_event_data.as_ref(),
            request_id: &self.request_id,
            event_id: &self.event_id,
            read_only: self.read_only,
            resources,
            event_type: self.event_type.as_deref().unwrap_or("AwsApiCall"),
            management_event: true,
            recipient_account_id: &self.recipient_account_id,
            shared_event_id: self.shared_event_id.as_deref(),
            event_category: "Management",
        };
        serde_json::to_string(&view).unwrap_or_default()
    }
}

/// CloudTrail JSON of a stored record (the shape of [`AuditEvent`]'s serialization).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonView<'a> {
    event_version: &'static str,
    user_identity: &'a RawValue,
    event_time: String,
    event_source: &'a str,
    event_name: &'a str,
    aws_region: &'a str,
    #[serde(rename = "sourceIPAddress")]
    source_ip_address: &'a str,
    user_agent: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_message: Option<&'a str>,
    request_parameters: Option<&'a Value>,
    response_elements: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    additional_event_data: Option<&'a Value>,
    #[serde(rename = "requestID")]
    request_id: &'a str,
    #[serde(rename = "eventID")]
    event_id: &'a str,
    read_only: bool,
    resources: Vec<JsonResource<'a>>,
    event_type: &'a str,
    management_event: bool,
    recipient_account_id: &'a str,
    #[serde(rename = "sharedEventID", skip_serializing_if = "Option::is_none")]
    shared_event_id: Option<&'a str>,
    event_category: &'static str,
}

#[derive(Serialize)]
struct JsonResource<'a> {
    #[serde(rename = "accountId")]
    account_id: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(rename = "ARN")]
    arn: &'a str,
}

/// A compact entry holding `records`, in order.
pub fn encode_entry<'a>(records: impl IntoIterator<Item = &'a StoredEvent>) -> Vec<u8> {
    let mut out = vec![FORMAT_V1];
    for record in records {
        if let Err(err) = ciborium::ser::into_writer(record, &mut out) {
            tracing::error!(error = %err, "audit record not serialisable");
        }
    }
    out
}

/// The records of one log entry, in order: compact or legacy JSON lines. A record that cannot
/// be decoded ends a compact entry (logged); legacy lines are returned as stored.
pub fn decode_entry(entry: &[u8]) -> Vec<StoredRecord> {
    let Some((&FORMAT_V1, mut rest)) = entry.split_first() else {
        return String::from_utf8_lossy(entry)
            .split('\n')
            .filter(|line| !line.trim().is_empty())
            .map(|line| StoredRecord::Json(line.to_owned()))
            .collect();
    };
    let mut records = Vec::new();
    while !rest.is_empty() {
        match ciborium::de::from_reader::<StoredEvent, _>(&mut rest) {
            Ok(record) => records.push(StoredRecord::Compact(Box::new(record))),
            Err(err) => {
                tracing::error!(error = %err, "undecodable audit record");
                break;
            }
        }
    }
    records
}

/// The first record of an entry (its oldest), without decoding the others.
pub fn first_record(entry: &[u8]) -> Option<StoredRecord> {
    let Some((&FORMAT_V1, mut rest)) = entry.split_first() else {
        let text = String::from_utf8_lossy(entry);
        let line = text.split('\n').find(|line| !line.trim().is_empty())?;
        return Some(StoredRecord::Json(line.to_owned()));
    };
    let record = ciborium::de::from_reader::<StoredEvent, _>(&mut rest).ok()?;
    Some(StoredRecord::Compact(Box::new(record)))
}

#[cfg(test)]
#[path = "stored_tests.rs"]
mod tests;
