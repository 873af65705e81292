//! Roles in instance profiles: AddRoleToInstanceProfile (one role per profile, IAM's fixed
//! quota), RemoveRoleFromInstanceProfile and ListInstanceProfilesForRole; and the check
//! DeleteRole makes. Adding a role rewrites the role's row at the version read, so a
//! concurrent DeleteRole (which deletes at the version it read after finding the role in no
//! profile) conflicts instead of leaving a profile holding a deleted role.

use super::common::{ATTEMPTS, no_such, page, required, store_failure, too_busy};
use super::entity::Keys;
use super::instance_profiles::holds_role;
use crate::IamService;
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{
    AddRoleToInstanceProfile, ListInstanceProfilesForRole, RemoveRoleFromInstanceProfile,
};
use crate::records::RoleRecord;
use crate::tables::entity_row;
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_store::Expect;

/// Most roles in one instance profile (IAM's InstanceSessionsPerInstanceProfile quota,
/// which cannot be raised).
const MAX_ROLES: usize = 1;

impl AddRoleToInstanceProfile for IamService {
    async fn add_role_to_instance_profile(
        &self,
        ctx: &RequestContext,
        input: AddRoleToInstanceProfileRequest,
    ) -> Result<(), ServiceError> {
        let profile_name = required(input.instance_profile_name, "instanceProfileName")?;
        let role_name = required(input.role_name, "roleName")?;
        let at = self.profile_at(ctx, &profile_name);
        let account = ctx.account().as_str();
        let action = "iam:AddRoleToInstanceProfile";
        for _ in 0..ATTEMPTS {
            let found = self.read_resource(ctx, action, &at, Keys::Plain).await?;
            let role = self
                .find::<RoleRecord>(ctx, &role_name)
                .await?
                .ok_or_else(|| no_such("role", &role_name))?;
            self.authorize(ctx, "iam:PassRole", &role.value.arn())?;
            if found.value.roles.len() >= MAX_ROLES {
                return Err(errors::limit_exceeded_exception(format!(
                    "Cannot exceed quota for InstanceSessionsPerInstanceProfile: {MAX_ROLES}"
                )));
            }
            let mut profile = found.value.clone();
            profile.roles.push(role.value.name.clone());
            let put = at
                .table
                .put(&at.row, &profile, Expect::Version(found.version));
            let mut writes = vec![put.map_err(store_failure)?];
            // The role is rewritten unchanged at the version read: a DeleteRole racing this
            // call conflicts.
            let row = entity_row(account, &role.value.name);
            let guard = self.dir.tables.roles.put(
                &row,
                &role.value,
                Expect::Version(role.version),
                Some(&role.value),
            );
            writes.extend(guard.map_err(store_failure)?);
            if self.commit(account, writes).await? {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

impl RemoveRoleFromInstanceProfile for IamService {
    async fn remove_role_from_instance_profile(
        &self,
        ctx: &RequestContext,
        input: RemoveRoleFromInstanceProfileRequest,
    ) -> Result<(), ServiceError> {
        let profile_name = required(input.instance_profile_name, "instanceProfileName")?;
        let role_name = required(input.role_name, "roleName")?;
        let at = self.profile_at(ctx, &profile_name);
        let action = "iam:RemoveRoleFromInstanceProfile";
        self.modify_resource(ctx, action, &at, Keys::Plain, |profile| {
            if !holds_role(profile, &role_name) {
                return Err(no_such("role", &role_name));
            }
            profile
                .roles
                .retain(|r| !r.eq_ignore_ascii_case(&role_name));
            Ok(())
        })
        .await
        .map(drop)
    }
}

impl ListInstanceProfilesForRole for IamService {
    async fn list_instance_profiles_for_role(
        &self,
        ctx: &RequestContext,
        input: ListInstanceProfilesForRoleRequest,
    ) -> Result<ListInstanceProfilesForRoleResponse, ServiceError> {
        let role_name = required(input.role_name, "roleName")?;
        let action = "iam:ListInstanceProfilesForRole";
        let role = self
            .existing::<RoleRecord>(ctx, action, &role_name, Keys::Plain)
            .await?
            .value;
        let profiles: Vec<_> = self
            .all_profiles(ctx)
            .await?
            .into_iter()
            .filter(|p| holds_role(p, &role.name))
            .collect();
        let marker = input.marker.as_deref();
        let out = page(profiles, marker, input.max_items, |p| {
            p.name.to_ascii_lowercase()
        })?;
        let mut listed = Vec::with_capacity(out.items.len());
        for profile in &out.items {
            listed.push(self.profile_out(ctx, profile, false).await?);
        }
        Ok(ListInstanceProfilesForRoleResponse {
            instance_profiles: Some(listed),
            is_truncated: Some(out.is_truncated),
            marker: out.marker,
        })
    }
}

impl IamService {
    /// DeleteRole's check: `DeleteConflict` while an instance profile holds the role `name`.
    pub(super) async fn refuse_role_in_profile(
        &self,
        ctx: &RequestContext,
        name: &str,
    ) -> Result<(), ServiceError> {
        if self
            .all_profiles(ctx)
            .await?
            .iter()
            .any(|p| holds_role(p, name))
        {
            return Err(errors::delete_conflict_exception(
                "Cannot delete entity, must remove roles from instance profile first.",
            ));
        }
        Ok(())
    }
}
