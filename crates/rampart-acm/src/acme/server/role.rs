//! The IAM role of an external account binding, assumed for what ACME clients do with it.
//!
//! AWS documents (ACM User Guide, "External account bindings" and "IAM for ACME certificate
//! automation") that ACM uses the binding's role to authorize certificate issuance and
//! revocation for the ACME accounts registered with the binding: the role must trust the
//! ACME service principal `acm-acme.amazonaws.com` for `sts:AssumeRole`, `sts:TagSession` and
//! `sts:SetSourceIdentity` (the documented trust policy conditions `sts:SourceIdentity` on
//! `acm-acme-*`), and its permissions must allow `acm:RequestCertificate` to issue and
//! `acm:RevokeCertificate` to revoke. An account keeps working after its binding is revoked
//! or deleted, so the account row keeps the role it registered with.
//!
//! Here the role is read from IAM (`rampart_iam::Directory`), its trust policy evaluated as
//! STS AssumeRole evaluates it (a resource policy that must allow) for the service principal,
//! and the requested action evaluated against the policies a session of the role has (its
//! inline and attached policies and boundary), with the IAM engine. A refusal is the ACME
//! problem `urn:ietf:params:acme:error:unauthorized`.
//!
//! Doubt: the source identity and session name ACM sets are not documented in what was
//! searched; Rampart uses `acm-acme-<ACME account id>` for both. Doubt: `aws:SourceAccount`
//! and `aws:SourceArn` (the endpoint's account and ARN) are set for the trust policy as
//! services set them against confused deputies; whether ACM sets them is not documented.
//! Doubt: no `acm:` condition keys (such as `acm:DomainNames`) are set for the permission,
//! as Rampart's RequestCertificate sets none either.

use super::Call;
use crate::AcmService;
use crate::acme::problem::Problem;
use crate::acme::record::AccountRecord;
use rampart_core::rampart_policy::{
    Context, Decision, Policy, PolicySet, Principal, Request, evaluate_detailed,
};
use rampart_iam::trust::TrustRefusal;

/// The service principal the role must trust.
pub(crate) const ACME_PRINCIPAL: &str = "acm-acme.amazonaws.com";
/// What the trust policy must allow the principal.
const TRUST_ACTIONS: [&str; 3] = ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"];

impl AcmService {
    /// Refuses unless the role of `account`'s binding allows `action` (`acm:...`) on
    /// `resource` (a certificate ARN).
    pub(crate) async fn check_binding_role(
        &self,
        call: &Call<'_>,
        account: &AccountRecord,
        action: &str,
        resource: &str,
    ) -> Result<(), Problem> {
        let role_arn = self.account_role(call, account).await?;
        let refused =
            |why: String| Problem::unauthorized(format!("The binding's role {role_arn} {why}"));
        let (role_account, name) =
            role_name(&role_arn).ok_or_else(|| refused("is not an IAM role ARN.".to_owned()))?;
        let Some(directory) = self.directory.as_ref() else {
            return Err(refused("cannot be assumed: IAM is not running.".to_owned()));
        };
        let session = format!("acm-acme-{}", account.id);
        let found = directory
            .service_session(role_account, name, &session)
            .await;
        let found = found.map_err(|_| Problem::server_internal())?;
        let (role, caller) = found.ok_or_else(|| refused("does not exist.".to_owned()))?;
        let context = self.role_context(call, &session);
        let service = Principal::service(ACME_PRINCIPAL);
        match role.trust_allows(&service, TRUST_ACTIONS, &context) {
            Ok(()) => {}
            Err(TrustRefusal::Unreadable) => {
                return Err(refused(
                    "has a trust policy that does not parse.".to_owned(),
                ));
            }
            Err(TrustRefusal::NotTrusted(action)) => {
                return Err(refused(format!(
                    "does not trust {ACME_PRINCIPAL} with {action}."
                )));
            }
        }
        let identity: Vec<&Policy> = caller.identity.iter().collect();
        let request = Request {
            principal: &caller.principal,
            action,
            resource,
            resource_account: &call.endpoint.scope.account,
            context: &context,
        };
        let set = PolicySet {
            identity: &identity,
            resource: None,
            boundary: caller.boundary.as_ref(),
            session: &[],
            require_resource_allow: false,
        };
        match evaluate_detailed(&request, &set).decision {
            Decision::Allow => Ok(()),
            _ => Err(refused(format!("is not allowed {action} on {resource}."))),
        }
    }

    /// The role an account registered with: kept on the account, else its binding's.
    async fn account_role(
        &self,
        call: &Call<'_>,
        account: &AccountRecord,
    ) -> Result<String, Problem> {
        if let Some(role) = &account.role_arn {
            return Ok(role.clone());
        }
        let missing = || Problem::unauthorized("The account has no external account binding role.");
        let binding = account.binding_arn.as_deref().ok_or_else(missing)?;
        let id = binding.rsplit('/').next().unwrap_or_default();
        let row = format!("{}{id}", call.endpoint.child_prefix());
        let found = self.acme.bindings.get(&row).await;
        let found = found.map_err(|_| Problem::server_internal())?;
        Ok(found.ok_or_else(missing)?.value.role_arn)
    }

    /// The condition keys of the role's evaluation.
    fn role_context(&self, call: &Call<'_>, session: &str) -> Context {
        let now_ms = self.now_ms();
        let now = time::OffsetDateTime::from_unix_timestamp(now_ms.div_euclid(1000))
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        Context::new()
            .with_current_time(now)
            .with("sts:SourceIdentity", session)
            .with("aws:SourceIdentity", session)
            .with("aws:SourceAccount", call.endpoint.scope.account.as_str())
            .with("aws:SourceArn", call.endpoint.arn.as_str())
            .with("aws:RequestedRegion", call.endpoint.scope.region.as_str())
    }
}

/// The account and name of role `arn` (`arn:<partition>:iam::<account>:role/<path>/<name>`).
fn role_name(arn: &str) -> Option<(&str, &str)> {
    let mut parts = arn.splitn(6, ':');
    let (_, _, service, _, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let path = resource.strip_prefix("role/")?;
    let name = path.rsplit('/').next()?;
    (service == "iam" && !account.is_empty() && !name.is_empty()).then_some((account, name))
}

#[cfg(test)]
mod tests {
    use super::role_name;

    #[test]
    fn role_arns_name_account_and_role() {
        let got = role_name("arn:aws:iam::111122223333:role/team/AcmeClients");
        assert_eq!(got, Some(("111122223333", "AcmeClients")));
        assert_eq!(role_name("arn:aws:iam::111122223333:user/Bob"), None);
        assert_eq!(role_name("arn:aws:s3:::role/x"), None);
        assert_eq!(role_name("nonsense"), None);
    }
}
