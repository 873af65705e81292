//! The audit trail: the CloudTrail-shaped event of every call (`event`: built from the request
//! context and the invocation, copies for the other accounts whose resources a call used) and
//! the durable writer behind the [`AuditSink`] (`writer`: group commit into the store's `audit`
//! log, holding the responses of state-changing calls until their records are durable).

mod event;
mod writer;

pub use event::{
    AuditEvent, AuditSink, Empty, EventResource, SessionAttributes, SessionIssuer, SessionView,
    UserIdentity, arn_account, call_events, cloudtrail_timestamp, for_each_recipient,
};
pub use writer::{AUDIT_LOG, AuditWriter, QueuedAuditSink, start_writer};
