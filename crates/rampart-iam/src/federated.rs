//! The policies of a GetFederationToken session: the federating IAM user's identity-based
//! policies (its own and its groups', with its permissions boundary) narrowed by the session
//! policies passed to GetFederationToken; without any session policy the session may do
//! nothing, as AWS documents. A session federated by the root user has the root's
//! permissions narrowed the same way. A user deleted (or re-created) since is `Gone`.

use crate::directory::{
    ALLOW_NOTHING, Directory, DirectoryError, SessionPolicies, internal, parse,
};
use crate::tables::entity_row;
use rampart_core::rampart_policy::{self, PolicyKind};
use rampart_core::{CallerPolicies, Principal};

/// An identity policy allowing everything: the root user's side of a root-federated session.
const ALLOW_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

impl Directory {
    /// The compiled policies of the federated-user session `principal`.
    pub(crate) async fn federated_policies(
        &self,
        principal: &Principal,
        session: Option<&SessionPolicies>,
    ) -> Result<CallerPolicies, DirectoryError> {
        let context = principal.session.as_ref().ok_or(DirectoryError::Gone)?;
        let account = principal.account.as_str();
        let (identity, boundary, parent) = if context.issuer_type == "Root" {
            (vec![parse(ALLOW_ALL, PolicyKind::Identity)?], None, None)
        } else {
            let row = entity_row(account, &context.issuer_name);
            let user = self.tables.users.get(&row).await.map_err(internal)?;
            let user = user
                .map(|u| u.value)
                .filter(|u| u.user_id == context.issuer_principal_id)
                .ok_or(DirectoryError::Gone)?;
            let identity = self.user_identity(account, &user).await?;
            let boundary = self.boundary_of(user.boundary_arn.as_deref()).await?;
            (identity, boundary, Some(user.arn()))
        };
        let mut session_policies = self.session_policies(session).await?;
        if session_policies.is_empty() {
            session_policies.push(parse(ALLOW_NOTHING, PolicyKind::Session)?);
        }
        let mut policy_principal = rampart_policy::Principal {
            arn: principal.arn.clone(),
            account: account.to_owned(),
            kind: rampart_policy::PrincipalKind::FederatedUser {
                parent_user_arn: parent,
            },
            user_id: principal.principal_id.clone(),
            username: None,
            tags: Default::default(),
        };
        for (key, value) in session.map(|s| s.tags.as_slice()).unwrap_or_default() {
            policy_principal = policy_principal.with_tag(key, value);
        }
        Ok(CallerPolicies {
            principal: policy_principal,
            identity,
            boundary,
            session: session_policies,
        })
    }
}
