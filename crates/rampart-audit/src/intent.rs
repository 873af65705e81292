//! The intent record of a call that changes state: what is known before the call runs,
//! committed by the store with the call's first write (see `rampart_core::rider`), so that a
//! change is never stored without its audit record even if the node stops before the final
//! record is written.

use crate::stored::{RecordKind, StoredEvent, encode_entry};
use crate::{AUDIT_LOG, AuditEvent, UserIdentity};
use rampart_codec::Invocation;
use rampart_core::rider::AuditRider;
use rampart_core::{Principal, RequestContext};
use serde_json::Value;
use std::future::Future;
use std::sync::Arc;
use time::OffsetDateTime;

/// The facts of a request an audit event is made of, before the call's outcome is known.
#[derive(Debug, Clone)]
pub(crate) struct CallFacts {
    pub principal: Principal,
    pub region: String,
    pub source_ip: String,
    pub user_agent: String,
    pub request_id: String,
    pub received_at: OffsetDateTime,
}

impl CallFacts {
    pub(crate) fn of(ctx: &RequestContext) -> Self {
        Self {
            principal: ctx.principal.clone(),
            region: ctx.region.to_string(),
            source_ip: ctx.source_ip.clone(),
            user_agent: ctx.user_agent.clone(),
            request_id: ctx.request_id.clone(),
            received_at: ctx.received_at,
        }
    }

    /// The caller's event of `event_name`, without outcome, parameters or resources.
    pub(crate) fn event(
        &self,
        event_source: &'static str,
        event_name: &str,
        event_id: String,
    ) -> AuditEvent {
        AuditEvent {
            event_version: "1.08",
            user_identity: UserIdentity::of(&self.principal),
            event_time: self.received_at,
            event_source,
            event_name: event_name.to_owned(),
            aws_region: self.region.clone(),
            source_ip_address: self.source_ip.clone(),
            user_agent: self.user_agent.clone(),
            error_code: None,
            error_message: None,
            request_parameters: None,
            response_elements: None,
            request_id: self.request_id.clone(),
            event_id,
            read_only: false,
            resources: Vec::new(),
            event_type: "AwsApiCall",
            management_event: true,
            recipient_account_id: self.principal.account.to_string(),
            shared_event_id: None,
            event_category: "Management",
            after_intent: false,
        }
    }
}

/// Runs a service call (`call`, whose output holds its [`Invocation`]) with an audit rider:
/// if the call is not read-only and commits a write, the intent record commits with it, and
/// the returned invocation names the intent's event id (`intent_event_id`), which
/// [`crate::call_events`] gives the final record, and `nested` the calls made on the caller's
/// behalf ([`rampart_core::rider::note_nested`]). The pipelines call this once per request.
pub async fn run_audited<T, F>(event_source: &'static str, ctx: &RequestContext, call: F) -> T
where
    T: AsMut<Invocation>,
    F: Future<Output = T>,
{
    let rider = intent_rider(event_source, ctx);
    let mut output = rider.scope(call).await;
    output.as_mut().intent_event_id = rider.committed_event_id();
    output.as_mut().nested = rider.take_nested();
    output
}

/// The rider of one call: its intent entry is built (only when a write needs it) from the
/// request's facts and the operation and parameters the codec notes.
fn intent_rider(event_source: &'static str, ctx: &RequestContext) -> Arc<AuditRider> {
    let event_id = uuid::Uuid::new_v4().to_string();
    let facts = CallFacts::of(ctx);
    let id = event_id.clone();
    let encode = move |operation: &str, params: Option<&Value>| {
        let mut event = facts.event(event_source, operation, id.clone());
        event.request_parameters = params.cloned();
        encode_entry([&StoredEvent::of(&event, RecordKind::Intent)])
    };
    AuditRider::new(AUDIT_LOG, event_id, Box::new(encode))
}
