//! The IAM policy language without I/O: documents are parsed and validated once
//! ([`Policy::parse`], AWS's `MalformedPolicyDocument` messages, [`check_size`] quotas) into a
//! compiled form, and requests are evaluated against a [`PolicySet`] in AWS's order
//! ([`evaluate`]): explicit deny, resource-based policy, identity-based policies, permissions
//! boundary, session policies, with the same-account and cross-account rules.
//!
//! Semantics (each covered by `tests/decisions/*.json`):
//! - Action: `*`/`?` wildcards, case-insensitive. Resource: case-sensitive; a `*` stays within
//!   its colon-separated ARN segment unless it is the segment's last character. Arn*
//!   condition operators match each of the six ARN segments separately.
//! - A resource policy naming the caller's account (id or `:root` ARN) delegates: the
//!   identity-based policies must allow too (the root user is allowed by it directly). Naming
//!   a user, a role session, a federated user, a service or `*` allows on its own within the
//!   account. Naming a role (for its sessions) or the IAM user who federated is limited by an
//!   implicit deny in the permissions boundary or session policy.
//! - Cross-account: the resource policy and the caller's identity side must both allow (the
//!   root user, services and anonymous callers have no identity side).
//! - `require_resource_allow` (KMS key policies, role trust policies): the resource policy must
//!   allow even within the account, the root user included.
//! - Session policies bind only role and federated-user sessions; a federated user without a
//!   session policy has no identity-based permissions.
//! - NotPrincipal leaves a caller out only when its ARN, its role (for a session) and its
//!   account are all listed; a Deny with NotPrincipal always applies to a caller with a
//!   permissions boundary.
//! - Conditions: a missing key fails the condition, except negated operators (true),
//!   `...IfExists` (true), `ForAllValues:` (true) and `Null`. A policy variable that cannot be
//!   resolved (missing or multi-valued key, no default) matches nothing, so a negated
//!   operator comparing against it is true. Substituted values are literal (never wildcards).
//! - Version `2008-10-17` (or no Version) disables policy variables.

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
