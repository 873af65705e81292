//! Request evaluation in AWS's order: explicit deny anywhere, then the resource-based policy,
//! identity-based policies, permissions boundary and session policies, with AWS's
//! same-account and cross-account rules.

use crate::context::Context;
use crate::pattern::{self, Pattern};
use crate::policy::{Effect, Policy, PrincipalClause, ResourcePattern, Statement};
use crate::principal::{self, Grant, Principal, PrincipalKind};
use crate::template::Resolve;
use time::OffsetDateTime;

/// One request to authorize.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// Who is asking.
    pub principal: &'a Principal,
    /// `service:Action`, e.g. `kms:Encrypt` (matched case-insensitively).
    pub action: &'a str,
    /// ARN of the resource (matched case-sensitively).
    pub resource: &'a str,
    /// Account that owns the resource.
    pub resource_account: &'a str,
    /// Condition keys.
    pub context: &'a Context,
}

/// The policies that apply to a request.
#[derive(Debug, Clone, Copy, Default)]
pub struct PolicySet<'a> {
    /// The principal's identity-based policies (user, group and role policies).
    pub identity: &'a [&'a Policy],
    /// The resource's policy (key policy, trust policy, ...).
    pub resource: Option<&'a Policy>,
    /// The principal's permissions boundary.
    pub boundary: Option<&'a Policy>,
    /// Session policies of a role or federated-user session (empty: none passed); ignored
    /// for principals that are not sessions.
    pub session: &'a [&'a Policy],
    /// The resource policy must allow even within the account (KMS key policies and role
    /// trust policies); a grant to the account delegates to the identity-based policies.
    pub require_resource_allow: bool,
}

/// The outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Allowed.
    Allow,
    /// No policy allows (the default).
    ImplicitDeny,
    /// A Deny statement applies.
    ExplicitDeny,
}

/// Which policy of the set a statement came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicySource {
    /// `identity[i]`.
    Identity(usize),
    /// The resource policy.
    Resource,
    /// The permissions boundary.
    PermissionsBoundary,
    /// `session[i]`.
    Session(usize),
}

/// The statement that decided, for error messages and audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatementRef<'p> {
    /// Policy it belongs to.
    pub source: PolicySource,
    /// Index of the statement in that policy.
    pub index: usize,
    /// Its Sid.
    pub sid: Option<&'p str>,
}

/// A decision with the statement that made it (none for an implicit deny, or a root-user
/// allow that needed no statement).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evaluation<'p> {
    /// The decision.
    pub decision: Decision,
    /// The deciding statement.
    pub statement: Option<StatementRef<'p>>,
}

/// Evaluates `req` against `set`.
pub fn evaluate(req: &Request, set: &PolicySet) -> Decision {
    evaluate_detailed(req, set).decision
}

/// Evaluates `req` against `set`, naming the deciding statement.
pub fn evaluate_detailed<'p>(req: &Request, set: &PolicySet<'p>) -> Evaluation<'p> {
    let env = Env {
        req,
        boundary: set.boundary.is_some(),
    };
    if let Some(deny) = find_deny(&env, set) {
        return Evaluation {
            decision: Decision::ExplicitDeny,
            statement: Some(deny),
        };
    }
    let (allowed, statement) = find_allow(&env, set);
    Evaluation {
        decision: if allowed {
            Decision::Allow
        } else {
            Decision::ImplicitDeny
        },
        statement: if allowed { statement } else { None },
    }
}

/// Every policy of the set that applies to `p` (session policies only bind sessions).
fn sources<'p>(
    set: &PolicySet<'p>,
    p: &Principal,
) -> impl Iterator<Item = (PolicySource, &'p Policy)> {
    let identity = set.identity.iter().enumerate();
    let sessions: &[&Policy] = if p.is_session() { set.session } else { &[] };
    let session = sessions.iter().enumerate();
    identity
        .map(|(i, p)| (PolicySource::Identity(i), *p))
        .chain(set.resource.map(|p| (PolicySource::Resource, p)))
        .chain(set.boundary.map(|p| (PolicySource::PermissionsBoundary, p)))
        .chain(session.map(|(i, p)| (PolicySource::Session(i), *p)))
}

fn find_deny<'p>(env: &Env, set: &PolicySet<'p>) -> Option<StatementRef<'p>> {
    sources(set, env.req.principal).find_map(|(source, policy)| {
        let resource = source == PolicySource::Resource;
        first(policy, source, Effect::Deny, |s| {
            s.applies(env) && (!resource || s.grant(env).is_some())
        })
    })
}

fn first<'p>(
    policy: &'p Policy,
    source: PolicySource,
    effect: Effect,
    mut pred: impl FnMut(&Statement) -> bool,
) -> Option<StatementRef<'p>> {
    let (index, s) = policy
        .statements
        .iter()
        .enumerate()
        .find(|(_, s)| s.effect == effect && pred(s))?;
    Some(StatementRef {
        source,
        index,
        sid: s.sid.as_deref(),
    })
}

fn allows<'p>(env: &Env, policy: &'p Policy, source: PolicySource) -> Option<StatementRef<'p>> {
    first(policy, source, Effect::Allow, |s| s.applies(env))
}

/// The strongest grant of the resource policy's Allow statements that apply.
fn resource_grant<'p>(env: &Env, policy: &'p Policy) -> Option<(Grant, StatementRef<'p>)> {
    let mut best: Option<(Grant, StatementRef<'p>)> = None;
    for (index, s) in policy.statements.iter().enumerate() {
        if s.effect != Effect::Allow || !s.applies(env) {
            continue;
        }
        let Some(g) = s.grant(env) else { continue };
        if best.is_none_or(|(b, _)| g > b) {
            let sid = s.sid.as_deref();
            let r = StatementRef {
                source: PolicySource::Resource,
                index,
                sid,
            };
            best = Some((g, r));
        }
    }
    best
}

/// Session policies (when the caller is a session) must allow.
fn session_allows(env: &Env, set: &PolicySet) -> bool {
    let p = env.req.principal;
    match p.kind {
        _ if !p.is_session() => true,
        // GetFederationToken without a policy yields a session with no permissions.
        PrincipalKind::FederatedUser { .. } if set.session.is_empty() => false,
        _ => {
            let mut it = set.session.iter().enumerate();
            set.session.is_empty()
                || it.any(|(i, pol)| allows(env, pol, PolicySource::Session(i)).is_some())
        }
    }
}

fn find_allow<'p>(env: &Env, set: &PolicySet<'p>) -> (bool, Option<StatementRef<'p>>) {
    let p = env.req.principal;
    let identity = set
        .identity
        .iter()
        .enumerate()
        .find_map(|(i, pol)| allows(env, pol, PolicySource::Identity(i)));
    let boundary_ok = set
        .boundary
        .is_none_or(|b| allows(env, b, PolicySource::PermissionsBoundary).is_some());
    let session_ok = session_allows(env, set);
    let identity_path = p.kind == PrincipalKind::Root
        || (p.has_identity_policies() && identity.is_some() && boundary_ok && session_ok);
    let resource = set.resource.and_then(|r| resource_grant(env, r));
    let resource_path = match resource.map(|(g, _)| g) {
        Some(Grant::Direct) => true,
        Some(Grant::Limited) => boundary_ok && session_ok,
        Some(Grant::Delegated) => identity_path,
        None => false,
    };
    let same_account = !p.account.is_empty() && p.account == env.req.resource_account;
    let allowed = if set.require_resource_allow || !same_account {
        let identity_needed = !same_account && p.has_identity_policies();
        resource_path && (!identity_needed || identity_path)
    } else {
        identity_path || resource_path
    };
    // A delegated grant is decided by the identity-based statement, so that one is named.
    let statement = match resource {
        Some((g, r)) if resource_path && (g != Grant::Delegated || identity.is_none()) => Some(r),
        _ => identity.or(resource.map(|(_, r)| r)),
    };
    (allowed, statement)
}

impl Statement {
    /// Action, Resource and Condition all match (the Principal is checked separately).
    fn applies(&self, env: &Env) -> bool {
        let action = env.req.action;
        let acts = &self.actions;
        if acts.items.iter().any(|a| a.matches(action, true)) == acts.negated {
            return false;
        }
        if let Some(res) = &self.resources {
            let hit = res.items.iter().any(|r| r.matches(env));
            if hit == res.negated {
                return false;
            }
        }
        self.conditions.iter().all(|c| c.eval(env))
    }

    /// How this statement's Principal/NotPrincipal reaches the caller.
    fn grant(&self, env: &Env) -> Option<Grant> {
        let p = env.req.principal;
        match self.principal.as_ref()? {
            PrincipalClause::Is(entries) => principal::grant(entries, p),
            PrincipalClause::Not(entries) => {
                // A Deny with NotPrincipal always applies to a principal with a
                // permissions boundary (AWS's permissions-boundary reference).
                let boundary_rule =
                    self.effect == Effect::Deny && env.boundary && p.has_identity_policies();
                let excluded = principal::excluded(entries, p) && !boundary_rule;
                (!excluded).then_some(Grant::Direct)
            }
        }
    }
}

impl ResourcePattern {
    fn matches(&self, env: &Env) -> bool {
        match self {
            ResourcePattern::Fixed(p) => p.matches(env.req.resource, false),
            ResourcePattern::Vars(t) => t.tokens(env).is_some_and(|mut toks| {
                pattern::restrict_to_segments(&mut toks);
                Pattern::from_tokens(toks).matches(env.req.resource, false)
            }),
        }
    }
}

/// Values of one condition key.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Vals<'a> {
    Many(&'a [String]),
    One(&'a str),
}

impl<'a> Vals<'a> {
    pub(crate) fn is_empty(&self) -> bool {
        matches!(self, Vals::Many([]))
    }

    pub(crate) fn iter(self) -> impl Iterator<Item = &'a str> {
        let (many, one) = match self {
            Vals::Many(m) => (m, None),
            Vals::One(o) => (&[][..], Some(o)),
        };
        many.iter().map(String::as_str).chain(one)
    }
}

/// What conditions and policy variables read: the context, then keys derived from the
/// principal and the request.
pub(crate) struct Env<'a> {
    req: &'a Request<'a>,
    boundary: bool,
}

impl<'a> Env<'a> {
    pub(crate) fn values(&self, key_lower: &str) -> Option<Vals<'a>> {
        match self.req.context.get_lower(key_lower) {
            Some(v) => Some(Vals::Many(v)),
            None => self.derived(key_lower),
        }
    }

    pub(crate) fn now(&self) -> Option<OffsetDateTime> {
        self.req.context.current_time()
    }

    fn derived(&self, key: &str) -> Option<Vals<'a>> {
        let p: &'a Principal = self.req.principal;
        let anonymous = p.kind == PrincipalKind::Anonymous;
        let non_empty = |s: &'a str| (!s.is_empty()).then_some(Vals::One(s));
        let service = match &p.kind {
            PrincipalKind::Service(n) => Some(n.as_str()),
            _ => None,
        };
        match key {
            "aws:principalarn" if !anonymous => Some(Vals::One(p.principal_arn())),
            "aws:principalaccount" => non_empty(&p.account),
            "aws:principaltype" => Some(Vals::One(p.principal_type())),
            "aws:userid" if !anonymous => non_empty(&p.user_id),
            "aws:username" => p.username.as_deref().map(Vals::One),
            "aws:principalisawsservice" => {
                Some(Vals::One(if service.is_some() { "true" } else { "false" }))
            }
            "aws:principalservicename" => service.map(Vals::One),
            "aws:resourceaccount" => non_empty(self.req.resource_account),
            _ => {
                let tag = key.strip_prefix("aws:principaltag/")?;
                let (_, v) = p.tags.iter().find(|(k, _)| k.eq_ignore_ascii_case(tag))?;
                Some(Vals::One(v))
            }
        }
    }
}

impl Resolve for Env<'_> {
    fn resolve(&self, key_lower: &str) -> Option<&str> {
        match self.values(key_lower)? {
            Vals::One(s) => Some(s),
            Vals::Many([one]) => Some(one),
            Vals::Many(_) => None,
        }
    }
}
