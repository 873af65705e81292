//! The audit trail: the CloudTrail-shaped event of every call (`event`: built from the request
//! context and the invocation, copies for the other accounts whose resources a call used), the
//! intent record that commits with a state-changing call's first write (`intent`), the compact
//! stored form rendered as CloudTrail JSON only when read (`stored`), and the durable writer
//! behind the [`AuditSink`] (`writer`: group commit into the store's `audit` log, holding the
//! responses of state-changing calls until their records are durable, records enqueued for
//! subscribers), the newest-first walk over a log that readers of the trail share
//! ([`NewestFirst`]), and the records of what a service did on its own (`service_event`:
//! `AwsServiceEvent`, committed by the service with its change).

mod event;
mod intent;
mod newest_first;
mod service_event;
mod stored;
mod writer;

pub use event::{
    AuditEvent, AuditSink, Empty, EventResource, SessionAttributes, SessionIssuer, SessionView,
    UserIdentity, arn_account, call_events, cloudtrail_timestamp, for_each_recipient,
};
pub use intent::run_audited;
pub use newest_first::NewestFirst;
pub use service_event::{
    AWS_SERVICE_EVENT, ServiceEventFacts, cloudtrail_value, service_event, service_event_write,
};
pub use stored::{
    FORMAT_V1, RecordKind, StoredEvent, StoredRecord, decode_entry, encode_entry, first_record,
};
pub use writer::{AUDIT_LOG, AuditWriter, QueuedAuditSink, start_writer};
