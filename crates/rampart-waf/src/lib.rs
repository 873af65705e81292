//! The WAF engine: a WAFv2 web ACL (AWS's JSON of the `WebACL` shape) compiled once into a
//! [`WebAclPlan`] that evaluates requests without I/O.
//!
//! - [`compile`] / [`compile_rule_group`]: the JSON plus a [`Resolver`] for what it references
//!   (IP sets, regex pattern sets, rule groups, managed rule groups) → a plan, or a
//!   [`CompileError`] whose message fits a `WAFInvalidParameterException`.
//! - [`managed`]: the AWS managed rule groups Rampart ships, and [`managed::ManagedResolver`].
//! - [`InspectedRequest`] the request as the engine sees it, [`Environment`] the clock and the
//!   geography/ASN lookups, [`RateState`] the counters of rate-based rules (shared, thread-safe).
//! - [`WebAclPlan::evaluate`] → [`Verdict`]: the action, the terminating rule, the labels, the
//!   headers to insert, the non-terminating matches and the rate-based rules that matched.
//!
//! Semantics follow the WAFv2 API reference and the AWS WAF developer guide; `docs/ARCHITECTURE.md`
//! (*WAF engine*) lists where Rampart had to choose.

mod action;
mod compile;
mod error;
mod eval;
mod field;
mod ipset;
mod json;
mod json_body;
mod label;
pub mod managed;
mod plan;
mod rate;
mod request;
mod statement;
mod transform;
mod verdict;

pub use compile::{compile, compile_rule_group};
pub use error::CompileError;
pub use plan::{RuleGroupPlan, WebAclPlan};
pub use rate::RateState;
pub use request::{AsnLookup, Environment, GeoLookup, InspectedRequest, NoAsn, NoGeo, TokenCheck};
pub use transform::{TransformKind, Transforms};
pub use verdict::{CustomResponse, FinalAction, MatchedRule, RateMatch, Verdict};

use serde_json::Value;

/// What a plan references, fetched by the caller (the WAFv2 API crate's store).
///
/// Each answer is the JSON AWS returns for the resource (`IPSet`, `RegexPatternSet`,
/// `RuleGroup` shapes); `None` when it does not exist.
pub trait Resolver {
    /// The `IPSet` with this ARN.
    fn ip_set(&self, arn: &str) -> Option<Value>;
    /// The `RegexPatternSet` with this ARN.
    fn regex_pattern_set(&self, arn: &str) -> Option<Value>;
    /// The `RuleGroup` with this ARN.
    fn rule_group(&self, arn: &str) -> Option<Value>;
    /// A managed rule group as a `RuleGroup`-shaped JSON (its `Rules`, `LabelNamespace`…);
    /// `version` `None` is the group's default version.
    fn managed_rule_group(&self, vendor: &str, name: &str, version: Option<&str>) -> Option<Value>;
}
