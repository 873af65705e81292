//! The IAM policy language without I/O: documents are parsed and validated once
//! ([`Policy::parse`], AWS's `MalformedPolicyDocument` messages, [`check_size`] quotas) into a
//! compiled form, and requests are evaluated against a [`PolicySet`] in AWS's order
//! ([`evaluate`]): explicit deny, resource-based policy, identity-based policies, permissions
//! boundary, session policies, with the same-account and cross-account rules.

mod condition;
mod context;
mod error;
mod eval;
mod pattern;
mod policy;
mod principal;
mod size;
mod template;
mod values;

pub use context::Context;
pub use error::{LIMIT_EXCEEDED, MALFORMED_POLICY_DOCUMENT, PolicyError};
pub use eval::{
    Decision, Evaluation, PolicySet, PolicySource, Request, StatementRef, evaluate,
    evaluate_detailed,
};
pub use policy::{Effect, Policy, PolicyKind};
pub use principal::{Principal, PrincipalKind};
pub use size::{SizeLimit, check_size};
