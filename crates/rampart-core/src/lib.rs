//! Shared vocabulary of Rampart: accounts, regions, scopes and ARNs, principals, clocks,
//! background job declarations, the request context and the authorization step every
//! service runs (`authz`), and the audit rider that commits a call's intent record with its
//! first write (`rider`).

mod account;
mod audit_subscription;
pub mod authz;
mod clock;
mod context;
mod job;
pub mod rider;
mod scope;

pub use account::{AccountId, InvalidAccountId, Region};
pub use audit_subscription::AuditSubscription;
pub use authz::{AccessCheck, AccessDenied, CallerPolicies, Verdict};
pub use clock::{Clock, ManualClock, OffsetClock, SystemClock, epoch_ms};
pub use context::{AuditResource, Principal, PrincipalKind, RequestContext, SessionContext};
pub use job::{Job, JobContext, JobFuture, JobLease, JobOutcome, JobScope};
pub use rampart_policy;
pub use scope::{Arn, Scope, partition_of};
