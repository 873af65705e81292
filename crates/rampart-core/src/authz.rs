//! The authorization step every service runs: the caller's compiled policies
//! ([`CallerPolicies`], built once per identity and cached by the IAM directory), the global
//! condition keys of a request, and AWS's AccessDenied messages naming why a request was denied.

use crate::{Principal, PrincipalKind, RequestContext, SessionContext};
use rampart_policy::{
    Context, Decision, Policy, PolicyKind, PolicySet, PolicySource, Request, evaluate_detailed,
};
use std::sync::OnceLock;

/// What authorization needs to know about the caller: who it is in the policy language and
/// the policies bound to it. Shared (`Arc`) between requests; never re-parsed per request.
#[derive(Debug, Clone)]
pub struct CallerPolicies {
    /// The caller as the policy engine sees it (kind, ids, principal tags).
    pub principal: rampart_policy::Principal,
    /// Identity-based policies: inline and attached policies of the user, its groups, or the
    /// session's role.
    pub identity: Vec<Policy>,
    /// The user's or role's permissions boundary.
    pub boundary: Option<Policy>,
    /// Session policies passed to AssumeRole / GetFederationToken (inline and managed).
    pub session: Vec<Policy>,
}

impl CallerPolicies {
    /// Whether any of the caller's policies reads condition keys (see
    /// [`Policy::reads_context`]).
    pub fn reads_context(&self) -> bool {
        let mut policies = self
            .identity
            .iter()
            .chain(&self.boundary)
            .chain(&self.session);
        policies.any(Policy::reads_context)
    }

    /// A caller with no policies bound to it: right for the account root (whose identity side
    /// allows everything in its own account) and for dev-mode callers.
    pub fn for_principal(principal: &Principal) -> Self {
        let account = principal.account.as_str();
        let policy_principal = match principal.kind {
            PrincipalKind::Root | PrincipalKind::DevAnonymous => {
                rampart_policy::Principal::root(account)
            }
            PrincipalKind::Anonymous => rampart_policy::Principal::anonymous(),
            PrincipalKind::IamUser | PrincipalKind::AssumedRole | PrincipalKind::FederatedUser => {
                rampart_policy::Principal {
                    arn: principal.arn.clone(),
                    account: account.to_owned(),
                    kind: rampart_policy::PrincipalKind::User,
                    user_id: principal.principal_id.clone(),
                    username: None,
                    tags: Default::default(),
                }
            }
        };
        CallerPolicies {
            principal: policy_principal,
            identity: Vec::new(),
            boundary: None,
            session: Vec::new(),
        }
    }
}

/// One access question: may the caller do `action` on `resource`?
#[derive(Debug, Clone, Copy)]
pub struct AccessCheck<'a> {
    /// `service:Action`, e.g. `kms:Encrypt`.
    pub action: &'a str,
    /// ARN of the resource (`*` for actions without one, e.g. `kms:CreateKey`).
    pub resource: &'a str,
    /// Account owning the resource.
    pub resource_account: &'a str,
    /// The resource's policy (key policy, trust policy), if it has one.
    pub resource_policy: Option<&'a Policy>,
    /// The resource policy must allow even within the account (KMS key policies).
    pub require_resource_allow: bool,
}

/// The outcome of [`RequestContext::evaluate`]: the decision and, when a statement decided,
/// which kind of policy it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    /// Allow, implicit deny or explicit deny.
    pub decision: Decision,
    /// Source of the deciding statement (an explicit deny's, or the allowing one's).
    pub source: Option<PolicySource>,
}

/// A denied request, with AWS's message ("User: ... is not authorized to perform: ...").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessDenied {
    /// The message, as AWS words it.
    pub message: String,
    /// Whether an explicit Deny statement decided.
    pub explicit: bool,
}

impl RequestContext {
    /// The global condition keys of this request: aws:CurrentTime, aws:EpochTime,
    /// aws:SourceIp, aws:SecureTransport, aws:RequestedRegion, aws:ViaAWSService and, for
    /// temporary credentials, aws:TokenIssueTime, aws:MultiFactorAuthPresent and
    /// aws:SourceIdentity. Caller keys (aws:PrincipalArn, aws:PrincipalTag/..., aws:userid...)
    /// come from [`CallerPolicies::principal`].
    pub fn policy_context(&self) -> Context {
        let mut context = Context::new()
            .with_current_time(self.received_at)
            .with_secure_transport(self.secure_transport)
            .with("aws:RequestedRegion", self.region.as_str())
            .with("aws:ViaAWSService", "false");
        if let Ok(ip) = self.source_ip.parse() {
            context = context.with_source_ip(ip);
        }
        if let Some(session) = &self.principal.session {
            add_session_keys(&mut context, session);
        }
        context
    }

    /// Evaluates `check` with `context` against the caller's policies.
    pub fn evaluate(&self, check: &AccessCheck<'_>, context: &Context) -> Verdict {
        let caller = &*self.caller;
        let identity: Vec<&Policy> = caller.identity.iter().collect();
        let session: Vec<&Policy> = caller.session.iter().collect();
        let set = PolicySet {
            identity: &identity,
            resource: check.resource_policy,
            boundary: caller.boundary.as_ref(),
            session: &session,
            require_resource_allow: check.require_resource_allow,
        };
        let request = Request {
            principal: &caller.principal,
            action: check.action,
            resource: check.resource,
            resource_account: check.resource_account,
            context,
        };
        let evaluation = evaluate_detailed(&request, &set);
        Verdict {
            decision: evaluation.decision,
            source: evaluation.statement.map(|s| s.source),
        }
    }

    /// Authorizes `action` on `resource` of the caller's own account, a resource without a
    /// resource-based policy (IAM entities, `*` for actions without one): the caller's
    /// identity-based policies (with boundary and session policies) decide.
    pub fn authorize_own(
        &self,
        action: &str,
        resource: &str,
        context: &Context,
    ) -> Result<(), AccessDenied> {
        let check = AccessCheck {
            action,
            resource,
            resource_account: self.account().as_str(),
            resource_policy: None,
            require_resource_allow: false,
        };
        self.authorize(&check, context)
    }

    /// Allows or denies `check` with `context`; a denial carries AWS's message.
    pub fn authorize(
        &self,
        check: &AccessCheck<'_>,
        context: &Context,
    ) -> Result<(), AccessDenied> {
        let verdict = self.evaluate(check, context);
        self.conclude(check, context, verdict)
    }

    /// Turns a verdict into `Ok` or the AccessDenied AWS would answer.
    pub fn conclude(
        &self,
        check: &AccessCheck<'_>,
        context: &Context,
        verdict: Verdict,
    ) -> Result<(), AccessDenied> {
        match verdict.decision {
            Decision::Allow => Ok(()),
            Decision::ExplicitDeny => Err(self.denied(check, deny_reason(verdict.source), true)),
            Decision::ImplicitDeny => {
                let reason = self.implicit_deny_reason(check, context);
                Err(self.denied(check, reason, false))
            }
        }
    }

    /// The AccessDenied for `check` with `reason` (the text after the resource).
    pub fn denied(&self, check: &AccessCheck<'_>, reason: String, explicit: bool) -> AccessDenied {
        AccessDenied {
            message: format!(
                "User: {} is not authorized to perform: {} on resource: {} {reason}",
                self.principal.arn, check.action, check.resource
            ),
            explicit,
        }
    }

    /// Why no policy allowed: the first of resource policy, boundary, session policies that
    /// denies even with an allow-everything identity policy, else the identity policies.
    pub fn implicit_deny_reason(&self, check: &AccessCheck<'_>, context: &Context) -> String {
        let caller = &*self.caller;
        let all = [allow_everything()];
        let session: Vec<&Policy> = caller.session.iter().collect();
        let steps: [(Option<&Policy>, &[&Policy], &str); 3] = [
            (None, &[], "resource-based policy"),
            (caller.boundary.as_ref(), &[], "permissions boundary"),
            (caller.boundary.as_ref(), &session, "session policy"),
        ];
        for (boundary, session, what) in steps {
            let set = PolicySet {
                identity: &all,
                resource: check.resource_policy,
                boundary,
                session,
                require_resource_allow: check.require_resource_allow,
            };
            let request = Request {
                principal: &caller.principal,
                action: check.action,
                resource: check.resource,
                resource_account: check.resource_account,
                context,
            };
            if evaluate_detailed(&request, &set).decision != Decision::Allow {
                return format!("because no {what} allows the {} action", check.action);
            }
        }
        format!(
            "because no identity-based policy allows the {} action",
            check.action
        )
    }
}

/// The keys only requests signed with temporary credentials have.
fn add_session_keys(context: &mut Context, session: &SessionContext) {
    let issued = session
        .created_at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    context.set("aws:TokenIssueTime", issued);
    context.set(
        "aws:MultiFactorAuthPresent",
        session.mfa_authenticated.to_string(),
    );
    if let Some(source) = &session.source_identity {
        context.set("aws:SourceIdentity", source.clone());
    }
}

/// "with an explicit deny in ..." naming the policy type of the deciding statement.
fn deny_reason(source: Option<PolicySource>) -> String {
    let what = match source {
        Some(PolicySource::Resource) => "a resource-based policy",
        Some(PolicySource::PermissionsBoundary) => "a permissions boundary",
        Some(PolicySource::Session(_)) => "a session policy",
        Some(PolicySource::Identity(_)) | None => "an identity-based policy",
    };
    format!("with an explicit deny in {what}")
}

/// An identity policy allowing every action on every resource (used only to find which
/// policy type is missing an allow when a request is denied).
fn allow_everything() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
        match Policy::parse(text, PolicyKind::Identity) {
            Ok(policy) => policy,
            Err(err) => unreachable!("the allow-everything policy is valid: {err}"),
        }
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{AccountId, Region};
    use std::sync::Arc;

    const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/k";

    fn user_ctx(identity: &[&str]) -> RequestContext {
        let account = AccountId::parse("111122223333").unwrap();
        let mut principal = Principal::root(account, "AKIAEXAMPLE");
        principal.kind = PrincipalKind::IamUser;
        principal.arn = "arn:aws:iam::111122223333:user/bob".into();
        let mut ctx = RequestContext::new(principal, Region::new("us-east-1"));
        ctx.caller = Arc::new(CallerPolicies {
            principal: rampart_policy::Principal::user("111122223333", "bob", "AIDAEXAMPLE"),
            identity: identity
                .iter()
                .map(|d| Policy::parse(d, PolicyKind::Identity).unwrap())
                .collect(),
            boundary: None,
            session: Vec::new(),
        });
        ctx
    }

    fn check<'a>(resource_policy: Option<&'a Policy>) -> AccessCheck<'a> {
        AccessCheck {
            action: "kms:Decrypt",
            resource: KEY,
            resource_account: "111122223333",
            resource_policy,
            require_resource_allow: resource_policy.is_some(),
        }
    }

    #[test]
    fn denials_name_the_missing_or_denying_policy_type() {
        let ctx = user_ctx(&[]);
        let err = ctx
            .authorize(&check(None), &ctx.policy_context())
            .unwrap_err();
        assert_eq!(
            err.message,
            format!(
                "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: \
                 kms:Decrypt on resource: {KEY} because no identity-based policy allows the \
                 kms:Decrypt action"
            )
        );
        assert!(!err.explicit);
        let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"kms:*","Resource":"*"}]}"#;
        let ctx = user_ctx(&[deny]);
        let err = ctx
            .authorize(&check(None), &ctx.policy_context())
            .unwrap_err();
        assert!(
            err.message
                .ends_with("with an explicit deny in an identity-based policy")
        );
        assert!(err.explicit);
        let allow = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}"#;
        let ctx = user_ctx(&[allow]);
        assert!(ctx.authorize(&check(None), &ctx.policy_context()).is_ok());
        let other = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:*","Resource":"*"}]}"#;
        let key_policy = Policy::parse(other, PolicyKind::Resource).unwrap();
        let err = ctx
            .authorize(&check(Some(&key_policy)), &ctx.policy_context())
            .unwrap_err();
        assert!(
            err.message
                .ends_with("because no resource-based policy allows the kms:Decrypt action")
        );
    }

    #[test]
    fn session_credentials_add_their_keys() {
        let mut ctx = user_ctx(&[]);
        let plain = ctx.policy_context();
        assert_eq!(plain.get_one("aws:RequestedRegion"), Some("us-east-1"));
        assert_eq!(plain.get_one("aws:SecureTransport"), Some("true"));
        assert!(plain.get("aws:TokenIssueTime").is_none());
        let now = time::OffsetDateTime::UNIX_EPOCH;
        ctx.principal.session = Some(Arc::new(SessionContext {
            issuer_type: "Role",
            issuer_arn: "arn:aws:iam::111122223333:role/r".into(),
            issuer_principal_id: "AROAEXAMPLE".into(),
            issuer_name: "r".into(),
            created_at: now,
            expires_at: now,
            mfa_authenticated: false,
            source_identity: Some("alice".into()),
            transitive_tags: Vec::new(),
            assumed_root: false,
        }));
        let session = ctx.policy_context();
        assert_eq!(
            session.get_one("aws:TokenIssueTime"),
            Some("1970-01-01T00:00:00Z")
        );
        assert_eq!(session.get_one("aws:MultiFactorAuthPresent"), Some("false"));
        assert_eq!(session.get_one("aws:SourceIdentity"), Some("alice"));
    }
}
