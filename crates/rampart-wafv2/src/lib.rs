//! WAFv2 for Rampart: IP sets, regex pattern sets, rule groups and web ACLs served from the
//! generated `wafv2` wire layer (awsJson 1.1, `AWSWAF_20190729.<Operation>`), stored as
//! AWS's JSON so the rule engine compiles exactly what GetWebACL answers.
//!
//! Every resource is validated beyond the model's constraints (`check`, `cidr`): rule names
//! and priorities unique, statements well-formed and nested only where AWS allows, referenced
//! ARNs existing in the same scope. Capacity (`wcu`) follows the developer guide's WCU costs;
//! a rule group's capacity is fixed at creation and its rules must fit; a web ACL may use up
//! to 5,000 WCUs. Lock tokens guard every Update and Delete; deletes of referenced or
//! associated resources are refused. The managed rule group catalog (`managed`) describes
//! AWS's groups; their rules arrive with the engine. Associations accept well-formed ARNs of
//! the resource types AWS lists; API Gateway stages are enforced by the edge through
//! [`edge::WafFilter`], which also feeds GetSampledRequests, GetRateBasedStatementManagedKeys,
//! the WAF logs and the counters.

mod arn;
mod authz;
mod check;
mod cidr;
mod content;
pub mod edge;
pub mod errors;
pub mod generated;
pub mod managed;
mod module;
mod ops;
pub mod record;
mod service;
pub mod wcu;

pub use module::{TABLES, module};
pub use service::Wafv2Service;
