//! `AssumeRoot`: short-term credentials of a member account's root user, scoped by one of
//! the AWS root-task policies, for a caller of the organization's management account.
//!
//! Rampart's organizations are the `management_account` of the member accounts' records
//! (`rampart account create --management-account`); centralized root access counts as
//! enabled for every organization. The caller (not a root user) needs `sts:AssumeRoot` on
//! `arn:aws:iam::<member>:root` from its own identity-based policies, with the condition key
//! `sts:TaskPolicyArn`; a target outside the caller's organization is denied the same way.
//! The session is the member's root user (`Issuer::AssumedRoot`), its task policy packed as
//! the session's managed policy, which the directory compiles into `Deny` statements.

use crate::generated::AssumeRoot;
use crate::generated::{AssumeRootRequest, AssumeRootResponse};
use crate::service::{StsService, access_denied, internal, not_authorized, required, validation};
use crate::token::{Issuer, PackedPolicies};
use rampart_codec::ServiceError;
use rampart_core::{PrincipalKind, RequestContext};

/// DurationSeconds when none is given, and the most allowed: 15 minutes.
const DEFAULT_SECONDS: i32 = 900;

impl AssumeRoot for StsService {
    /// `AssumeRoot`. DurationSeconds 0..=900 (the model checks the range), default 900.
    async fn assume_root(
        &self,
        ctx: &RequestContext,
        input: AssumeRootRequest,
    ) -> Result<AssumeRootResponse, ServiceError> {
        let target = required(input.target_principal, "targetPrincipal")?;
        let member = member_account(&target)?.to_owned();
        let task = required(input.task_policy_arn, "taskPolicyArn")?.arn;
        let task = task.filter(|arn| rampart_iam::root_task::find(arn).is_some());
        let task = task.ok_or_else(|| {
            validation("The TaskPolicyArn is not one of the root-task policies AssumeRoot accepts.")
        })?;
        if ctx.principal.kind == PrincipalKind::Root {
            return Err(access_denied(
                "Root users may not call AssumeRoot: use the credentials of an IAM user or role \
                 session of the organization's management account.",
            ));
        }
        if ctx.principal.is_session_without_mfa() {
            return Err(access_denied(
                "Cannot call AssumeRoot with session credentials",
            ));
        }
        let resource = format!("arn:aws:iam::{member}:root");
        self.authorize_root(ctx, &member, &resource, &task).await?;
        let seconds = input.duration_seconds.unwrap_or(DEFAULT_SECONDS);
        let mut claims = self.new_claims(&member, Issuer::AssumedRoot, i64::from(seconds));
        claims.policies = PackedPolicies {
            managed_arns: vec![task],
            ..PackedPolicies::default()
        };
        Ok(AssumeRootResponse {
            credentials: Some(self.issue(&claims)?),
            session_token_size: None,
            session_token_utilization: None,
            source_identity: None,
        })
    }
}

impl StsService {
    /// The caller's own policies must allow `sts:AssumeRoot` on the member's root (with
    /// `sts:TaskPolicyArn`), and `member` must be a member account of the organization the
    /// caller's account manages. `--dev` callers skip the policies, not the organization.
    async fn authorize_root(
        &self,
        ctx: &RequestContext,
        member: &str,
        resource: &str,
        task: &str,
    ) -> Result<(), ServiceError> {
        let denied = || not_authorized(ctx, "sts:AssumeRoot", resource);
        if ctx.principal.kind != PrincipalKind::DevAnonymous {
            let context = ctx.policy_context().with("sts:TaskPolicyArn", task);
            ctx.authorize_own("sts:AssumeRoot", resource, &context)
                .map_err(|_| denied())?;
        }
        let record = self.dir.tables.accounts.get(member).await;
        let manager = record
            .map_err(internal)?
            .and_then(|r| r.value.management_account);
        if manager.as_deref() != Some(ctx.account().as_str()) {
            return Err(denied());
        }
        Ok(())
    }
}

/// The member account TargetPrincipal names: its 12-digit id or its root user's ARN.
fn member_account(target: &str) -> Result<&str, ServiceError> {
    let account = target
        .strip_prefix("arn:aws:iam::")
        .and_then(|rest| rest.strip_suffix(":root"))
        .unwrap_or(target);
    if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(account);
    }
    Err(validation(format!(
        "TargetPrincipal {target} is not an account ID or the root user ARN of an account."
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_principals_are_account_ids_or_root_arns() {
        assert_eq!(member_account("111122223333").ok(), Some("111122223333"));
        assert_eq!(
            member_account("arn:aws:iam::111122223333:root").ok(),
            Some("111122223333")
        );
        for bad in [
            "11112222333",
            "arn:aws:iam::111122223333:user/alice",
            "arn:aws:iam::1111222233334:root",
            "arn:aws:sts::111122223333:root",
            "abcdefghijkl",
        ] {
            assert!(member_account(bad).is_err(), "{bad}");
        }
    }
}
