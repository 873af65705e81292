//! Shared vocabulary of Rampart: accounts, regions, principals, clocks and the request context.

mod account;
mod clock;
mod context;

pub use account::{AccountId, InvalidAccountId, Region};
pub use clock::{Clock, ManualClock, SystemClock};
pub use context::{AuditResource, Principal, PrincipalKind, RequestContext};
