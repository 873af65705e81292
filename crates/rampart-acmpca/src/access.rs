//! Authorization on a CA with its resource-based policy: the caller's identity policies decide
//! within the CA's account, and the CA's policy (PutPolicy) can let principals of other
//! accounts use the actions AWS shares (IssueCertificate, GetCertificate, ...). Policies hold
//! only Allow statements (`resource_policy::validate`), so the policy is read only when the
//! caller's own policies do not already allow: the common same-account call costs no read.

use crate::generated::ServiceError;
use crate::service::{AcmPcaService, CaRef, internal};
use rampart_core::rampart_policy::{Decision, Policy, PolicyKind};
use rampart_core::{AccessCheck, RequestContext};

/// The audit record's resource type of a CA.
const CA_TYPE: &str = "AWS::ACMPCA::CertificateAuthority";

impl AcmPcaService {
    /// Authorizes `acm-pca:<operation>` on CA `ca` with the caller's policies and the CA's
    /// resource policy; `keys` are the action's own condition keys (e.g.
    /// `acm-pca:TemplateArn`).
    pub(crate) async fn authorize_ca(
        &self,
        ctx: &RequestContext,
        operation: &str,
        ca: &CaRef,
        keys: &[(&str, &str)],
    ) -> Result<(), ServiceError> {
        let action = format!("acm-pca:{operation}");
        let mut context = ctx.policy_context();
        for (key, value) in keys {
            context.set(key, *value);
        }
        let own = ctx.evaluate(&check(&action, ca, None), &context);
        let settled = match own.decision {
            Decision::Allow => ctx.account().as_str() == ca.account,
            Decision::ExplicitDeny => true,
            Decision::ImplicitDeny => false,
        };
        let policy = match settled {
            true => None,
            false => self.policy_of(ca).await?,
        };
        let with_policy = check(&action, ca, policy.as_ref());
        let verdict = match &policy {
            Some(_) => ctx.evaluate(&with_policy, &context),
            None => own,
        };
        ctx.conclude(&with_policy, &context, verdict)
            .map_err(|denied| ServiceError::access_denied(denied.message))?;
        ctx.note_resource(&ca.arn, CA_TYPE);
        Ok(())
    }

    /// The CA's resource policy, if it exists and has one.
    async fn policy_of(&self, ca: &CaRef) -> Result<Option<Policy>, ServiceError> {
        let found = self.tables.authorities.get(&ca.row()).await;
        let json = found
            .map_err(internal)?
            .and_then(|r| r.value.governance.policy);
        Ok(json.and_then(|json| Policy::parse(&json, PolicyKind::Resource).ok()))
    }
}

/// The access question for `action` on `ca`, with its policy if read.
fn check<'a>(action: &'a str, ca: &'a CaRef, policy: Option<&'a Policy>) -> AccessCheck<'a> {
    AccessCheck {
        action,
        resource: &ca.arn,
        resource_account: &ca.account,
        resource_policy: policy,
        require_resource_allow: false,
    }
}
