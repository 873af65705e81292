//! The CloudTrail-shaped audit event written for every request that reaches a service.

use rampart_core::{AuditResource, Principal, PrincipalKind};
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;

/// One audit event, as CloudTrail shapes it. Never contains plaintext or secrets: request
/// parameters come from the generated `audit_json`, which drops sensitive and blob members.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    pub event_version: &'static str,
    pub user_identity: UserIdentity,
    #[serde(serialize_with = "cloudtrail_time")]
    pub event_time: OffsetDateTime,
    pub event_source: &'static str,
    pub event_name: String,
    pub aws_region: String,
    #[serde(rename = "sourceIPAddress")]
    pub source_ip_address: String,
    pub user_agent: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    pub request_parameters: Option<Value>,
    pub response_elements: Option<Value>,
    #[serde(rename = "requestID")]
    pub request_id: String,
    #[serde(rename = "eventID")]
    pub event_id: String,
    pub read_only: bool,
    pub resources: Vec<EventResource>,
    pub event_type: &'static str,
    pub management_event: bool,
    pub recipient_account_id: String,
    pub event_category: &'static str,
}

/// CloudTrail `userIdentity`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserIdentity {
    #[serde(rename = "type")]
    pub identity_type: &'static str,
    pub principal_id: String,
    pub arn: String,
    pub account_id: String,
    pub access_key_id: String,
}

impl UserIdentity {
    /// The identity block for an authenticated principal.
    pub fn of(principal: &Principal) -> Self {
        let identity_type = match principal.kind {
            PrincipalKind::Root | PrincipalKind::DevAnonymous => "Root",
            PrincipalKind::IamUser => "IAMUser",
            PrincipalKind::AssumedRole => "AssumedRole",
        };
        Self {
            identity_type,
            principal_id: principal.principal_id.clone(),
            arn: principal.arn.clone(),
            account_id: principal.account.to_string(),
            access_key_id: principal.access_key_id.clone(),
        }
    }
}

/// CloudTrail `resources[]` entry.
#[derive(Debug, Clone, Serialize)]
pub struct EventResource {
    #[serde(rename = "accountId")]
    pub account_id: String,
    #[serde(rename = "type")]
    pub resource_type: &'static str,
    #[serde(rename = "ARN")]
    pub arn: String,
}

impl EventResource {
    /// Converts a resource noted by a service.
    pub fn of(resource: AuditResource, account: &str) -> Self {
        Self {
            account_id: account.to_owned(),
            resource_type: resource.resource_type,
            arn: resource.arn,
        }
    }
}

/// Where audit events go. `record` must not block: implementations queue and write in batches.
pub trait AuditSink: Send + Sync + 'static {
    /// Queues one event for durable storage.
    fn record(&self, event: AuditEvent);
}

/// CloudTrail's `eventTime` format: `2026-01-01T12:00:00Z`.
fn cloudtrail_time<S: serde::Serializer>(
    at: &OffsetDateTime,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    let utc = at.to_offset(time::UtcOffset::UTC);
    let text = utc.format(&format).map_err(serde::ser::Error::custom)?;
    serializer.serialize_str(&text)
}
