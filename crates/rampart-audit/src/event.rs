//! The CloudTrail-shaped audit event written for every request that reaches a service, and
//! the copies other accounts receive when the request used their resources.

mod identity;
mod nested;

pub use identity::{Empty, SessionAttributes, SessionIssuer, SessionView, UserIdentity};

use crate::intent::CallFacts;
use rampart_codec::{BoxFuture, Invocation};
use rampart_core::{AuditResource, Principal, RequestContext};
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
    /// Set on every copy of an event delivered to several accounts (cross-account access):
    /// the same id in each.
    #[serde(rename = "sharedEventID", skip_serializing_if = "Option::is_none")]
    pub shared_event_id: Option<String>,
    pub event_category: &'static str,
    /// The call's intent record committed with its first write under the same `eventID`:
    /// readers show this record in the intent's place (stored form only, not CloudTrail JSON).
    #[serde(skip)]
    pub after_intent: bool,
}

/// CloudTrail `resources[]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventResource {
    /// The account that owns the resource (the ARN's account).
    #[serde(rename = "accountId")]
    pub account_id: String,
    #[serde(rename = "type")]
    pub resource_type: &'static str,
    #[serde(rename = "ARN")]
    pub arn: String,
}

impl EventResource {
    /// Converts a resource noted by a service: owned by the account its ARN names, else (an
    /// ARN without a 12-digit account) by `caller_account`.
    pub fn of(resource: AuditResource, caller_account: &str) -> Self {
        let account_id = arn_account(&resource.arn).unwrap_or(caller_account);
        Self {
            account_id: account_id.to_owned(),
            resource_type: resource.resource_type,
            arn: resource.arn,
        }
    }
}

/// The events to record for `event`, made by `caller`: the caller's account always gets it;
/// each other account owning one of its resources gets its own copy (own `eventID`, same
/// `requestID`, `recipientAccountId` = that account) showing the caller as `AWSAccount`.
/// Copies of one request share a `sharedEventID`. The caller's event comes first.
pub fn for_each_recipient(mut event: AuditEvent, caller: &Principal) -> Vec<AuditEvent> {
    let mut owners: Vec<String> = Vec::new();
    for resource in &event.resources {
        let account = &resource.account_id;
        if *account != event.recipient_account_id && !owners.contains(account) {
            owners.push(account.clone());
        }
    }
    if owners.is_empty() {
        return vec![event];
    }
    event.shared_event_id = Some(uuid::Uuid::new_v4().to_string());
    let mut events = Vec::with_capacity(owners.len() + 1);
    for owner in owners {
        let mut copy = event.clone();
        copy.user_identity = UserIdentity {
            // A call a service made on the caller's behalf stays marked so in every copy.
            invoked_by: event.user_identity.invoked_by.clone(),
            ..UserIdentity::other_account(caller)
        };
        copy.event_id = uuid::Uuid::new_v4().to_string();
        copy.after_intent = false;
        copy.recipient_account_id = owner;
        events.push(copy);
    }
    events.insert(0, event);
    events
}

/// Where audit events go. `record` must not block: implementations queue and write in batches.
pub trait AuditSink: Send + Sync + 'static {
    /// Queues one event for durable storage.
    fn record(&self, event: AuditEvent);

    /// Queues the events of one call; the future resolves once the response may be sent. The
    /// gateway awaits it before answering, so a sink can hold the response of a call until its
    /// record is durable (every call that changes state, or every call with `--audit-sync`).
    /// The default queues and resolves at once.
    fn record_call(&self, events: Vec<AuditEvent>, read_only: bool) -> BoxFuture<'static, ()> {
        let _ = read_only;
        events.into_iter().for_each(|event| self.record(event));
        Box::pin(std::future::ready(()))
    }

    /// From now on, also puts each stored batch of records (see [`crate::decode_entry`]) in
    /// the queue of each subscription, in the transaction that stores it (without the
    /// read-only calls' records while the subscription does not take them): the queues the
    /// service modules subscribe with (known once they start). The default ignores
    /// subscriptions (a sink that stores nothing has nothing to enqueue).
    fn subscribe(&self, subscriptions: Vec<rampart_core::AuditSubscription>) {
        let _ = subscriptions;
    }
}

/// The 12-digit account an ARN names (`arn:aws:kms:us-east-1:111122223333:key/...`), if any.
pub fn arn_account(arn: &str) -> Option<&str> {
    rampart_core::Arn::parse(arn)?.account_id()
}

/// CloudTrail's time format, `2026-01-01T12:00:00Z`, for `at` in UTC.
pub fn cloudtrail_timestamp(at: OffsetDateTime) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

/// Serializes `eventTime` in CloudTrail's format.
fn cloudtrail_time<S: serde::Serializer>(
    at: &OffsetDateTime,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&cloudtrail_timestamp(*at))
}

/// The audit events of one request: the caller's account's, plus a copy for each other account
/// whose resources it used (see [`for_each_recipient`]). Failed calls, access
/// denials included, are recorded with their `errorCode` and `errorMessage`. A call whose
/// intent record committed ([`crate::run_audited`]) keeps the intent's `eventID`. The calls
/// the service made on the caller's behalf (`invocation.nested`) follow, one event each (and
/// their copies for other accounts).
pub fn call_events(
    event_source: &'static str,
    ctx: &RequestContext,
    mut invocation: Invocation,
    error: Option<(String, String)>,
) -> Vec<AuditEvent> {
    let account = ctx.account().to_string();
    let resources = ctx
        .take_resources()
        .into_iter()
        .map(|r| EventResource::of(r, &account))
        .collect();
    let (error_code, error_message) = error.unzip();
    let nested = std::mem::take(&mut invocation.nested);
    let after_intent = invocation.intent_event_id.is_some();
    let event_id = invocation
        .intent_event_id
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let facts = CallFacts::of(ctx);
    let event = AuditEvent {
        error_code,
        error_message,
        request_parameters: invocation.request_parameters,
        response_elements: invocation.response_elements,
        read_only: invocation.read_only,
        resources,
        after_intent,
        ..facts.event(event_source, invocation.operation, event_id)
    };
    let mut events = for_each_recipient(event, &ctx.principal);
    for call in nested {
        events.extend(for_each_recipient(
            nested::event(&facts, call),
            &ctx.principal,
        ));
    }
    events
}

#[cfg(test)]
mod tests;
