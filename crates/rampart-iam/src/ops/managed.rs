//! Managed policies as the policy operations see them: resolving a policy ARN to an AWS
//! managed policy or a customer managed policy record, the `Policy` shapes IAM answers with,
//! and AWS's policy error messages (usage counts of AWS managed policies: `usage.rs`).

use super::common::{ATTEMPTS, store_failure, tags_out, timestamp, too_busy};
use super::entity::{Keys, scan_all, with_keys};
use crate::IamService;
use crate::aws_managed::{self, AwsManagedPolicy};
use crate::generated::errors;
use crate::generated::shapes::Policy;
use crate::records::{ManagedPolicyRecord, TagRecord};
use crate::tables::{account_prefix, entity_row};
use rampart_codec::ServiceError;
use rampart_core::{AccessCheck, RequestContext};
use rampart_store::{Expect, Table, Versioned};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A managed policy named by ARN.
pub(crate) enum Managed {
    /// An AWS managed policy (read-only).
    Aws(&'static AwsManagedPolicy),
    /// A customer managed policy of the caller's account, with the version it was read at.
    Customer(Box<Versioned<ManagedPolicyRecord>>),
}

impl Managed {
    /// The policy's ARN.
    pub(crate) fn arn(&self) -> String {
        match self {
            Managed::Aws(p) => p.arn(),
            Managed::Customer(p) => p.value.arn(),
        }
    }
}

/// How often a policy is used in one account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Usage {
    /// Users, groups and roles it is attached to.
    pub attachments: i32,
    /// Users and roles that use it as permissions boundary.
    pub boundaries: i32,
}

/// Which account a well-formed policy ARN belongs to.
enum Owner<'a> {
    Aws,
    Account { account: &'a str, name: &'a str },
}

/// Splits `arn:aws:iam::<account|aws>:policy/<path><name>`; AWS's `InvalidInput` otherwise.
fn parse_arn(arn: &str) -> Result<Owner<'_>, ServiceError> {
    let invalid = || errors::invalid_input_exception(format!("ARN {arn} is not valid."));
    let rest = arn.strip_prefix("arn:aws:iam::").ok_or_else(invalid)?;
    let (account, resource) = rest.split_once(':').ok_or_else(invalid)?;
    let path_and_name = resource.strip_prefix("policy/").ok_or_else(invalid)?;
    let name = path_and_name.rsplit('/').next().unwrap_or_default();
    if name.is_empty() {
        return Err(invalid());
    }
    match account {
        "aws" => Ok(Owner::Aws),
        a if a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(Owner::Account { account: a, name })
        }
        _ => Err(invalid()),
    }
}

impl IamService {
    /// The managed policy `arn` names, if it exists: an AWS managed policy Rampart knows, or
    /// a customer managed policy of `account` whose ARN (path included) is exactly `arn`.
    pub(crate) async fn find_managed(
        &self,
        account: &str,
        arn: &str,
    ) -> Result<Option<Managed>, ServiceError> {
        match parse_arn(arn)? {
            Owner::Aws => Ok(aws_managed::find(arn).map(Managed::Aws)),
            Owner::Account { account: owner, .. } if owner != account => Ok(None),
            Owner::Account { name, .. } => {
                let row = entity_row(account, name);
                let found = self
                    .dir
                    .tables
                    .policies
                    .get(&row)
                    .await
                    .map_err(store_failure)?;
                Ok(found
                    .filter(|p| p.value.arn() == arn)
                    .map(|p| Managed::Customer(Box::new(p))))
            }
        }
    }

    /// Reads the managed policy `arn` and authorizes `action` on it, with a customer
    /// policy's tags as aws:ResourceTag/... and the request's `keys`. `None` when it does
    /// not exist (after authorizing, so an unauthorized caller learns nothing).
    pub(crate) async fn authorized_policy(
        &self,
        ctx: &RequestContext,
        action: &str,
        arn: &str,
        keys: Keys<'_>,
    ) -> Result<Option<Managed>, ServiceError> {
        let found = self.find_managed(ctx.account().as_str(), arn).await?;
        let tags: &[TagRecord] = match &found {
            Some(Managed::Customer(p)) => &p.value.tags,
            _ => &[],
        };
        let resource_tags = tags.iter().map(|t| (t.key.as_str(), t.value.as_str()));
        let context = with_keys(
            ctx.policy_context().with_resource_tags(resource_tags),
            None,
            keys,
        );
        self.authorize_with(ctx, action, arn, &context)?;
        Ok(found)
    }

    /// The customer managed policy `arn` for an operation that changes it, `action`
    /// authorized: AWS managed policies are not writable (AccessDenied, as for any policy
    /// outside the caller's account), a missing one is `NoSuchEntity`.
    pub(crate) async fn writable_policy(
        &self,
        ctx: &RequestContext,
        action: &str,
        arn: &str,
        keys: Keys<'_>,
    ) -> Result<Versioned<ManagedPolicyRecord>, ServiceError> {
        match self.authorized_policy(ctx, action, arn, keys).await? {
            Some(Managed::Customer(p)) => Ok(*p),
            Some(Managed::Aws(_)) => Err(aws_managed_denied(ctx, action, arn)),
            None => Err(policy_not_found(arn)),
        }
    }

    /// Read-modify-write of the customer managed policy `arn` (`action` authorized on each
    /// read): `change` edits a fresh copy on every attempt; the changed record is returned.
    pub(crate) async fn update_policy<F>(
        &self,
        ctx: &RequestContext,
        action: &str,
        arn: &str,
        keys: Keys<'_>,
        change: F,
    ) -> Result<ManagedPolicyRecord, ServiceError>
    where
        F: Fn(&mut ManagedPolicyRecord) -> Result<(), ServiceError>,
    {
        let account = ctx.account().as_str();
        let table = &self.dir.tables.policies;
        for _ in 0..ATTEMPTS {
            let current = self.writable_policy(ctx, action, arn, keys).await?;
            let mut updated = current.value.clone();
            change(&mut updated)?;
            let row = entity_row(account, &updated.name);
            let write = table
                .put(&row, &updated, Expect::Version(current.version))
                .map_err(store_failure)?;
            if self.commit(account, vec![write]).await? {
                return Ok(updated);
            }
        }
        Err(too_busy())
    }
}

/// Every record of `account` in `table`, in row-key (lower-case name) order.
pub(crate) async fn scan_account<T: Serialize + DeserializeOwned>(
    table: &Table<T>,
    account: &str,
) -> Result<Vec<T>, ServiceError> {
    let rows = scan_all(table, &account_prefix(account)).await?;
    Ok(rows.into_iter().map(|(_, value)| value).collect())
}

/// The `Policy` shape of a customer managed policy; `full` adds what only GetPolicy and
/// CreatePolicy return (Description, Tags).
pub(crate) fn customer_view(p: &ManagedPolicyRecord, full: bool) -> Policy {
    Policy {
        policy_name: Some(p.name.clone()),
        policy_id: Some(p.policy_id.clone()),
        arn: Some(p.arn()),
        path: Some(p.path.clone()),
        default_version_id: Some(p.default_version.clone()),
        attachment_count: Some(p.attachment_count),
        permissions_boundary_usage_count: Some(p.boundary_usage_count),
        is_attachable: Some(true),
        description: if full { p.description.clone() } else { None },
        create_date: Some(timestamp(p.created_ms)),
        update_date: Some(timestamp(p.updated_ms)),
        tags: if full { tags_out(&p.tags) } else { None },
    }
}

/// The `Policy` shape of an AWS managed policy with its usage in the caller's account.
pub(crate) fn aws_view(p: &AwsManagedPolicy, usage: Usage, full: bool) -> Policy {
    Policy {
        policy_name: Some(p.name.to_owned()),
        policy_id: Some(p.policy_id.to_owned()),
        arn: Some(p.arn()),
        path: Some(p.path.to_owned()),
        default_version_id: Some(p.version_id.to_owned()),
        attachment_count: Some(usage.attachments),
        permissions_boundary_usage_count: Some(usage.boundaries),
        is_attachable: Some(true),
        description: full.then(|| p.description.to_owned()),
        create_date: Some(timestamp(p.created_ms)),
        update_date: Some(timestamp(p.updated_ms)),
        tags: None,
    }
}

/// `NoSuchEntity`: "Policy <arn> was not found."
pub(crate) fn policy_not_found(arn: &str) -> ServiceError {
    errors::no_such_entity_exception(format!("Policy {arn} was not found."))
}

/// `NoSuchEntity`: "Policy <arn> does not exist or is not attachable."
pub(crate) fn not_attachable(arn: &str) -> ServiceError {
    errors::no_such_entity_exception(format!("Policy {arn} does not exist or is not attachable."))
}

/// `NoSuchEntity` for a version a policy does not have.
pub(crate) fn version_not_found(arn: &str, version: &str) -> ServiceError {
    errors::no_such_entity_exception(format!(
        "Policy {arn} version {version} does not exist or is not attachable."
    ))
}

/// The AccessDenied AWS answers for a change to an AWS managed policy: it belongs to the
/// `aws` account, and no resource-based policy lets another account change it.
pub(crate) fn aws_managed_denied(ctx: &RequestContext, action: &str, arn: &str) -> ServiceError {
    let check = AccessCheck {
        action,
        resource: arn,
        resource_account: "aws",
        resource_policy: None,
        require_resource_allow: true,
    };
    let reason = format!("because no resource-based policy allows the {action} action");
    let denied = ctx.denied(&check, reason, false);
    ServiceError::new("AccessDenied", 403, denied.message)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn policy_arns_are_checked() {
        assert!(matches!(
            parse_arn("arn:aws:iam::aws:policy/AdministratorAccess"),
            Ok(Owner::Aws)
        ));
        assert!(matches!(
            parse_arn("arn:aws:iam::111122223333:policy/team/p"),
            Ok(Owner::Account { name: "p", .. })
        ));
        for bad in [
            "arn:aws:iam::111122223333:user/p",
            "arn:aws:iam::1111:policy/p",
            "arn:aws:iam::111122223333:policy/",
            "not-an-arn",
        ] {
            let err = parse_arn(bad).err().unwrap();
            assert_eq!(err.code, "InvalidInput");
            assert_eq!(err.message, format!("ARN {bad} is not valid."));
        }
    }
}
