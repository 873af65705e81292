//! Permissions boundaries of users and roles: Put/Delete{User,Role}PermissionsBoundary, and the
//! check and usage counting CreateRole and DeleteRole share. A boundary is an AWS managed
//! policy Rampart knows or a customer managed policy of the caller's account; a customer
//! policy's `boundary_usage_count` changes in the same commit as the entity.

use super::common::{ATTEMPTS, required, store_failure, too_busy};
use super::entity::{Bounded, Keys};
use crate::IamService;
use crate::aws_managed;
use crate::directory::customer_policy_name;
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{
    DeleteRolePermissionsBoundary, DeleteUserPermissionsBoundary, PutRolePermissionsBoundary,
    PutUserPermissionsBoundary,
};
use crate::records::{ManagedPolicyRecord, RoleRecord, UserRecord};
use crate::tables::entity_row;
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_store::{Expect, Versioned, Write};

impl PutUserPermissionsBoundary for IamService {
    async fn put_user_permissions_boundary(
        &self,
        ctx: &RequestContext,
        input: PutUserPermissionsBoundaryRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.user_name, "userName")?;
        let arn = required(input.permissions_boundary, "permissionsBoundary")?;
        self.set_boundary::<UserRecord>(ctx, "iam:PutUserPermissionsBoundary", &name, Some(&arn))
            .await
    }
}

impl DeleteUserPermissionsBoundary for IamService {
    async fn delete_user_permissions_boundary(
        &self,
        ctx: &RequestContext,
        input: DeleteUserPermissionsBoundaryRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.user_name, "userName")?;
        self.set_boundary::<UserRecord>(ctx, "iam:DeleteUserPermissionsBoundary", &name, None)
            .await
    }
}

impl PutRolePermissionsBoundary for IamService {
    async fn put_role_permissions_boundary(
        &self,
        ctx: &RequestContext,
        input: PutRolePermissionsBoundaryRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.role_name, "roleName")?;
        let arn = required(input.permissions_boundary, "permissionsBoundary")?;
        self.set_boundary::<RoleRecord>(ctx, "iam:PutRolePermissionsBoundary", &name, Some(&arn))
            .await
    }
}

impl DeleteRolePermissionsBoundary for IamService {
    async fn delete_role_permissions_boundary(
        &self,
        ctx: &RequestContext,
        input: DeleteRolePermissionsBoundaryRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.role_name, "roleName")?;
        self.set_boundary::<RoleRecord>(ctx, "iam:DeleteRolePermissionsBoundary", &name, None)
            .await
    }
}

impl IamService {
    /// Sets (`Some`) or removes (`None`) the boundary of the user or role `name`, moving the
    /// usage count from the old policy to the new one in the same commit.
    async fn set_boundary<E: Bounded>(
        &self,
        ctx: &RequestContext,
        action: &str,
        name: &str,
        arn: Option<&str>,
    ) -> Result<(), ServiceError> {
        let account = ctx.account().as_str();
        let key = arn.map_or(Keys::CurrentBoundary, Keys::GivenBoundary);
        for _ in 0..ATTEMPTS {
            let found = self.existing::<E>(ctx, action, name, key).await?;
            let old = found.value.boundary().map(str::to_owned);
            let mut writes = self.boundary_writes(ctx, old.as_deref(), arn).await?;
            if old.as_deref() == arn {
                return Ok(());
            }
            let mut record = found.value.clone();
            *record.boundary_mut() = arn.map(str::to_owned);
            writes.extend(self.entity_writes(account, &record, &found)?);
            if self.commit(account, writes).await? {
                return Ok(());
            }
        }
        Err(too_busy())
    }

    /// The writes that move a boundary from `old` to `new` (either may be absent): `new` is
    /// checked (InvalidInput for a malformed ARN, NoSuchEntity for a policy that does not
    /// exist) and its customer policy's usage count goes up; `old`'s goes down. Nothing is
    /// counted when both are the same.
    pub(super) async fn boundary_writes(
        &self,
        ctx: &RequestContext,
        old: Option<&str>,
        new: Option<&str>,
    ) -> Result<Vec<Write>, ServiceError> {
        let added = match new {
            Some(arn) => self.boundary_policy(ctx, arn).await?,
            None => None,
        };
        if old == new {
            return Ok(Vec::new());
        }
        let mut writes = Vec::new();
        if let Some(policy) = added {
            writes.push(self.usage_write(policy, 1)?);
        }
        if let Some(arn) = old
            && let Some(policy) = self.customer_policy(ctx, arn).await?
        {
            writes.push(self.usage_write(policy, -1)?);
        }
        Ok(writes)
    }

    /// The policy `arn` names as a boundary: `None` for an AWS managed policy (no record to
    /// count in), the customer managed policy record otherwise.
    async fn boundary_policy(
        &self,
        ctx: &RequestContext,
        arn: &str,
    ) -> Result<Option<Versioned<ManagedPolicyRecord>>, ServiceError> {
        if aws_managed::find(arn).is_some() {
            return Ok(None);
        }
        if !is_policy_arn(arn) {
            return Err(errors::invalid_input_exception(format!(
                "ARN {arn} is not valid."
            )));
        }
        match self.customer_policy(ctx, arn).await? {
            Some(policy) => Ok(Some(policy)),
            None => Err(errors::no_such_entity_exception(format!(
                "Scope ARN: {arn} does not exist or is not attachable."
            ))),
        }
    }

    /// The customer managed policy `arn` of the caller's account, if it exists.
    async fn customer_policy(
        &self,
        ctx: &RequestContext,
        arn: &str,
    ) -> Result<Option<Versioned<ManagedPolicyRecord>>, ServiceError> {
        let Some((account, name)) = customer_policy_name(arn) else {
            return Ok(None);
        };
        if account != ctx.account().as_str() {
            return Ok(None);
        }
        let found = self
            .dir
            .tables
            .policies
            .get(&entity_row(account, name))
            .await
            .map_err(store_failure)?;
        Ok(found.filter(|p| p.value.arn() == arn))
    }

    /// A CAS write of `policy` with its boundary usage count moved by `delta`.
    fn usage_write(
        &self,
        policy: Versioned<ManagedPolicyRecord>,
        delta: i32,
    ) -> Result<Write, ServiceError> {
        let mut record = policy.value;
        record.boundary_usage_count = record.boundary_usage_count.saturating_add(delta).max(0);
        let row = entity_row(&record.account, &record.name);
        self.dir
            .tables
            .policies
            .put(&row, &record, Expect::Version(policy.version))
            .map_err(store_failure)
    }
}

/// `arn:aws:iam::<12 digits or aws>:policy/<path><name>` with a non-empty name.
fn is_policy_arn(arn: &str) -> bool {
    let Some(rest) = arn.strip_prefix("arn:aws:iam::") else {
        return false;
    };
    let Some((account, resource)) = rest.split_once(':') else {
        return false;
    };
    let account_ok =
        account == "aws" || (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()));
    let name = resource
        .strip_prefix("policy/")
        .map(|p| p.rsplit('/').next().unwrap_or(p));
    account_ok && name.is_some_and(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::is_policy_arn;

    #[test]
    fn policy_arns() {
        assert!(is_policy_arn("arn:aws:iam::123456789012:policy/b"));
        assert!(is_policy_arn(
            "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
        ));
        assert!(!is_policy_arn("arn:aws:iam::123456789012:role/b"));
        assert!(!is_policy_arn("arn:aws:iam::12345:policy/b"));
        assert!(!is_policy_arn("arn:aws:iam::123456789012:policy/"));
        assert!(!is_policy_arn("not an arn at all"));
    }
}
