//! The event of a call a service made to another on its caller's behalf (KMS `Decrypt` by
//! Parameter Store): the caller's identity with `invokedBy` the calling service, which is also
//! the `sourceIPAddress` and `userAgent`, the called service's own request id, and the nested
//! call's parameters, outcome and resources.

use super::{AuditEvent, EventResource};
use crate::intent::CallFacts;
use rampart_core::rider::NestedCall;

/// The caller's event of `call`, made while serving the request `facts` describe.
pub(super) fn event(facts: &CallFacts, call: NestedCall) -> AuditEvent {
    let account = facts.principal.account.to_string();
    let resources = call
        .resources
        .into_iter()
        .map(|r| EventResource::of(r, &account))
        .collect();
    let (error_code, error_message) = call.error.unzip();
    let mut event = facts.event(
        call.event_source,
        call.operation,
        uuid::Uuid::new_v4().to_string(),
    );
    event.user_identity.invoked_by = Some(call.invoked_by.clone());
    AuditEvent {
        source_ip_address: call.invoked_by.clone(),
        user_agent: call.invoked_by,
        error_code,
        error_message,
        request_parameters: call.request_parameters,
        response_elements: call.response_elements,
        // The called service answers its own request id, as AWS's nested calls have.
        request_id: uuid::Uuid::new_v4().to_string(),
        read_only: call.read_only,
        resources,
        ..event
    }
}

#[cfg(test)]
#[path = "nested_tests.rs"]
mod tests;
