//! A role's trust policy judged alone: whether it lets a federated or service principal
//! (one with no identity policies of its own to check) take each action of an assumption on
//! the role. STS's AssumeRoleWithSAML and AssumeRoleWithWebIdentity and ACM's ACME bindings
//! use it; AssumeRole also checks the caller's own policies and goes through
//! `RequestContext::authorize`.

use crate::records::RoleRecord;
use rampart_core::rampart_policy::{
    Context, Decision, Policy, PolicyKind, PolicySet, Principal, Request, evaluate_detailed,
};

/// Why a trust policy refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustRefusal {
    /// The stored trust policy does not parse (it denies everything).
    Unreadable,
    /// The policy does not allow this action.
    NotTrusted(String),
}

impl RoleRecord {
    /// Whether the trust policy allows `principal` every one of `actions` on this role, judged
    /// with `context`; the first action refused otherwise.
    pub fn trust_allows<'a>(
        &self,
        principal: &Principal,
        actions: impl IntoIterator<Item = &'a str>,
        context: &Context,
    ) -> Result<(), TrustRefusal> {
        let trust = Policy::parse(&self.trust_policy, PolicyKind::Trust)
            .map_err(|_| TrustRefusal::Unreadable)?;
        let set = PolicySet {
            identity: &[],
            resource: Some(&trust),
            boundary: None,
            session: &[],
            require_resource_allow: true,
        };
        let arn = self.arn();
        for action in actions {
            let request = Request {
                principal,
                action,
                resource: &arn,
                resource_account: &self.account,
                context,
            };
            if evaluate_detailed(&request, &set).decision != Decision::Allow {
                return Err(TrustRefusal::NotTrusted(action.to_owned()));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn role(trust: &str) -> RoleRecord {
        RoleRecord {
            schema: 1,
            account: "111122223333".into(),
            name: "r".into(),
            path: "/".into(),
            role_id: "AROAEXAMPLEEXAMPLE12".into(),
            created_ms: 0,
            trust_policy: trust.into(),
            description: None,
            max_session_duration: 3600,
            tags: Vec::new(),
            boundary_arn: None,
            inline_policies: Default::default(),
            attached_policies: Vec::new(),
            last_used_ms: None,
            last_used_region: None,
        }
    }

    const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
        "Principal":{"Service":"acm-acme.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

    #[test]
    fn the_trusted_service_may_assume_and_nothing_more() {
        let role = role(TRUST);
        let service = Principal::service("acm-acme.amazonaws.com");
        let context = Context::default();
        assert_eq!(
            role.trust_allows(&service, ["sts:AssumeRole"], &context),
            Ok(())
        );
        assert_eq!(
            role.trust_allows(&service, ["sts:AssumeRole", "sts:TagSession"], &context),
            Err(TrustRefusal::NotTrusted("sts:TagSession".into()))
        );
        let other = Principal::service("ec2.amazonaws.com");
        assert!(
            role.trust_allows(&other, ["sts:AssumeRole"], &context)
                .is_err()
        );
    }

    #[test]
    fn an_unreadable_trust_policy_refuses() {
        let role = role("{not json");
        let service = Principal::service("acm-acme.amazonaws.com");
        assert_eq!(
            role.trust_allows(&service, ["sts:AssumeRole"], &Context::default()),
            Err(TrustRefusal::Unreadable)
        );
    }
}
