//! `AssumeRole`: temporary credentials for a role session, after the role's trust policy (and,
//! across accounts, the caller's own policies) allowed it.

use crate::generated::AssumeRole;
use crate::generated::{AssumeRoleRequest, AssumeRoleResponse, AssumedRoleUser, errors};
use crate::request::RoleRequest;
use crate::service::{StsService, access_denied, internal, not_authorized, validation};
use crate::session::assumed_role_arn;
use crate::token::Issuer;
use rampart_codec::ServiceError;
use rampart_core::rampart_policy::{Policy, PolicyKind};
use rampart_core::{AccessCheck, PrincipalKind, RequestContext};
use rampart_iam::directory::customer_policy_name;
use rampart_iam::records::RoleRecord;
use rampart_iam::tables::{entity_row, replace};

/// DurationSeconds when none is given, and the most a chained role session may last.
const ONE_HOUR: i32 = 3_600;
/// Role last-used times closer together than this are not written again.
const LAST_USED_GRANULARITY_MS: i64 = 60_000;

impl AssumeRole for StsService {
    /// `AssumeRole`. A role that does not exist is answered like a denied one (AccessDenied
    /// naming the ARN), so callers cannot probe other accounts for role names.
    async fn assume_role(
        &self,
        ctx: &RequestContext,
        input: AssumeRoleRequest,
    ) -> Result<AssumeRoleResponse, ServiceError> {
        let request = RoleRequest::parse(ctx, input)?;
        if ctx.principal.kind == PrincipalKind::Root {
            return Err(access_denied("Roles may not be assumed by root accounts."));
        }
        let role = self
            .target_role(&request.role_arn)
            .await?
            .ok_or_else(|| not_authorized(ctx, "sts:AssumeRole", &request.role_arn))?;
        // The role's account sees the call in its own trail (CloudTrail's AWSAccount copy).
        ctx.note_resource(role.arn(), "AWS::IAM::Role");
        authorize(ctx, &role, &request)?;
        let seconds = session_seconds(ctx, &role, request.duration)?;
        self.check_policy_arns(&role.account, &request.packed.managed_arns)
            .await?;
        let response = self.role_session(&role, request, seconds)?;
        self.note_role_used(ctx, &role).await;
        Ok(response)
    }
}

impl StsService {
    /// The role `arn` names, if it exists (same path, name compared as IAM does).
    pub(crate) async fn target_role(&self, arn: &str) -> Result<Option<RoleRecord>, ServiceError> {
        let Some((account, path, name)) = split_role_arn(arn) else {
            return Ok(None);
        };
        let role = self.dir.role(account, name).await.map_err(internal)?;
        Ok(role.filter(|r| r.path == path))
    }

    /// Managed session policies must exist: AWS managed ones, or customer managed ones in
    /// `account` (the role's, or the federating user's).
    pub(crate) async fn check_policy_arns(
        &self,
        account: &str,
        arns: &[String],
    ) -> Result<(), ServiceError> {
        for arn in arns {
            let foreign =
                customer_policy_name(arn).is_some_and(|(acct, _)| acct != "aws" && acct != account);
            let found = !foreign
                && self
                    .dir
                    .managed_document(arn)
                    .await
                    .map_err(internal)?
                    .is_some();
            if !found {
                return Err(errors::malformed_policy_document_exception(format!(
                    "Policy {arn} does not exist or is not attachable."
                )));
            }
        }
        Ok(())
    }

    /// Issues the role session's credentials.
    pub(crate) fn role_session(
        &self,
        role: &RoleRecord,
        request: RoleRequest,
        seconds: i32,
    ) -> Result<AssumeRoleResponse, ServiceError> {
        let issuer = Issuer::Role {
            name: role.name.clone(),
            id: role.role_id.clone(),
            arn: role.arn(),
        };
        let mut claims = self.new_claims(&role.account, issuer, i64::from(seconds));
        claims.session_name = Some(request.session_name.clone());
        claims.policies = request.packed;
        claims.transitive_tag_keys = request.transitive_keys;
        claims.source_identity = request.source_identity.clone();
        let credentials = self.issue(&claims)?;
        Ok(AssumeRoleResponse {
            assumed_role_user: Some(AssumedRoleUser {
                arn: Some(assumed_role_arn(
                    &role.account,
                    &role.name,
                    &request.session_name,
                )),
                assumed_role_id: Some(format!("{}:{}", role.role_id, request.session_name)),
            }),
            credentials: Some(credentials),
            packed_policy_size: request.packed_size,
            session_token_size: None,
            session_token_utilization: None,
            source_identity: request.source_identity,
        })
    }

    /// Records when and where the role was last used (RoleLastUsed), at most once a minute per
    /// role. Best effort: a concurrent change to the role wins, failures are only logged. No
    /// IAM generation bump: the role's permissions did not change.
    pub(crate) async fn note_role_used(&self, ctx: &RequestContext, role: &RoleRecord) {
        let now = self.now_ms();
        let region = ctx.region.as_str();
        let fresh = role
            .last_used_ms
            .is_some_and(|t| now - t < LAST_USED_GRANULARITY_MS);
        if fresh && role.last_used_region.as_deref() == Some(region) {
            return;
        }
        let roles = &self.dir.tables.roles;
        let row = entity_row(&role.account, &role.name);
        let outcome = match roles.get(&row).await {
            Ok(Some(current)) if current.value.role_id == role.role_id => {
                let mut updated = current.value.clone();
                updated.last_used_ms = Some(now);
                updated.last_used_region = Some(region.to_owned());
                match replace(roles, &row, &updated, &current) {
                    Ok(writes) => self.dir.tables.store.transact(writes).await,
                    Err(err) => Err(err),
                }
            }
            Ok(_) => return,
            Err(err) => Err(err),
        };
        if let Err(err) = outcome {
            tracing::debug!(error = %err, role = %role.name, "role last-used not recorded");
        }
    }
}

/// The trust policy must allow every action the request needs (and, across accounts, the
/// caller's identity-based policies too). `--dev` callers are not checked.
fn authorize(
    ctx: &RequestContext,
    role: &RoleRecord,
    request: &RoleRequest,
) -> Result<(), ServiceError> {
    if ctx.principal.kind == PrincipalKind::DevAnonymous {
        return Ok(());
    }
    let arn = role.arn();
    let trust = Policy::parse(&role.trust_policy, PolicyKind::Trust)
        .map_err(|_| not_authorized(ctx, "sts:AssumeRole", &arn))?;
    let context = request.context(ctx);
    for action in request.actions() {
        let check = AccessCheck {
            action,
            resource: &arn,
            resource_account: &role.account,
            resource_policy: Some(&trust),
            require_resource_allow: true,
        };
        ctx.authorize(&check, &context)
            .map_err(|_| not_authorized(ctx, action, &arn))?;
    }
    Ok(())
}

/// DurationSeconds: default one hour, at most the role's MaxSessionDuration, and at most one
/// hour for a role session assuming another role (role chaining).
pub(crate) fn session_seconds(
    ctx: &RequestContext,
    role: &RoleRecord,
    requested: Option<i32>,
) -> Result<i32, ServiceError> {
    let seconds = requested.unwrap_or(ONE_HOUR);
    if ctx.principal.kind == PrincipalKind::AssumedRole && seconds > ONE_HOUR {
        return Err(validation(
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed \
             by role chaining.",
        ));
    }
    if seconds > role.max_session_duration {
        return Err(validation(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ));
    }
    Ok(seconds)
}

/// `(account, path, name)` of `arn:<partition>:iam::<account>:role/<path><name>`.
pub(crate) fn split_role_arn(arn: &str) -> Option<(&str, String, &str)> {
    let mut parts = arn.splitn(6, ':');
    let (_, _, service, region) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let (account, resource) = (parts.next()?, parts.next()?);
    let valid_account = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    if service != "iam" || !region.is_empty() || !valid_account {
        return None;
    }
    let path_and_name = resource.strip_prefix("role/")?;
    let (path, name) = match path_and_name.rsplit_once('/') {
        Some((path, name)) => (format!("/{path}/"), name),
        None => ("/".to_owned(), path_and_name),
    };
    (!name.is_empty()).then_some((account, path, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_split_into_account_path_and_name() {
        assert_eq!(
            split_role_arn("arn:aws:iam::111122223333:role/deploy"),
            Some(("111122223333", "/".to_owned(), "deploy"))
        );
        assert_eq!(
            split_role_arn("arn:aws:iam::111122223333:role/ci/prod/deploy"),
            Some(("111122223333", "/ci/prod/".to_owned(), "deploy"))
        );
        for bad in [
            "arn:aws:iam::111122223333:user/deploy",
            "arn:aws:s3::111122223333:role/deploy",
            "arn:aws:iam:us-east-1:111122223333:role/deploy",
            "arn:aws:iam::11112222333:role/deploy",
            "arn:aws:iam::111122223333:role/",
        ] {
            assert_eq!(split_role_arn(bad), None, "{bad}");
        }
    }
}
