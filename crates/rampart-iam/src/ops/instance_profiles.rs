//! Instance profiles: CreateInstanceProfile, GetInstanceProfile, DeleteInstanceProfile,
//! ListInstanceProfiles and the profile tags (TagInstanceProfile, UntagInstanceProfile,
//! ListInstanceProfileTags). Role membership is in `instance_profile_roles`. A profile's
//! `Roles` are answered as GetRole answers them.

use super::common::{
    ATTEMPTS, page, required, store_failure, tags_in, tags_out, timestamp, too_busy,
};
use super::entity::{Keys, entity_arn, with_keys};
use super::resource::{Located, account_rows};
use super::roles::{RoleView, role_out};
use crate::IamService;
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{
    CreateInstanceProfile, DeleteInstanceProfile, GetInstanceProfile, ListInstanceProfileTags,
    ListInstanceProfiles, TagInstanceProfile, UntagInstanceProfile,
};
use crate::ids;
use crate::records::RoleRecord;
use crate::resources::{InstanceProfileRecord, resource_row};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_store::Expect;

/// Schema version of instance profile records written here.
const SCHEMA: u32 = 1;
/// Most instance profiles in an account (IAM's InstanceProfilesPerAccount quota).
const MAX_PROFILES: usize = 1000;

impl IamService {
    /// Where the instance profile `name` of the caller's account lives (its ARN at path `/`
    /// until it is read).
    pub(super) fn profile_at(
        &self,
        ctx: &RequestContext,
        name: &str,
    ) -> Located<InstanceProfileRecord> {
        let account = ctx.account().as_str();
        Located {
            table: self.resources().instance_profiles,
            row: resource_row(account, &name.to_ascii_lowercase()),
            arn: entity_arn(account, "instance-profile", "/", name),
            missing: errors::no_such_entity_exception(format!(
                "Instance Profile {name} cannot be found."
            )),
        }
    }

    /// The profile as IAM answers it, with its roles read as GetRole answers them.
    pub(super) async fn profile_out(
        &self,
        ctx: &RequestContext,
        profile: &InstanceProfileRecord,
        with_tags: bool,
    ) -> Result<InstanceProfile, ServiceError> {
        let mut roles = Vec::with_capacity(profile.roles.len());
        for name in &profile.roles {
            if let Some(role) = self.find::<RoleRecord>(ctx, name).await? {
                roles.push(role_out(&role.value, RoleView::Full));
            }
        }
        Ok(InstanceProfile {
            path: Some(profile.path.clone()),
            instance_profile_name: Some(profile.name.clone()),
            instance_profile_id: Some(profile.profile_id.clone()),
            arn: Some(profile.arn()),
            create_date: Some(timestamp(profile.created_ms)),
            roles: Some(roles),
            tags: if with_tags {
                tags_out(&profile.tags)
            } else {
                None
            },
        })
    }

    /// Every instance profile of the caller's account, in name order.
    pub(super) async fn all_profiles(
        &self,
        ctx: &RequestContext,
    ) -> Result<Vec<InstanceProfileRecord>, ServiceError> {
        let table = self.resources().instance_profiles;
        account_rows(&table, ctx.account().as_str()).await
    }

    /// Writes the new profile `profile` unless one with its name exists or the account is at
    /// its quota.
    async fn insert_profile(
        &self,
        ctx: &RequestContext,
        profile: &InstanceProfileRecord,
    ) -> Result<(), ServiceError> {
        let at = self.profile_at(ctx, &profile.name);
        for _ in 0..ATTEMPTS {
            if at
                .table
                .get(&at.row)
                .await
                .map_err(store_failure)?
                .is_some()
            {
                return Err(errors::entity_already_exists_exception(format!(
                    "Instance Profile {} already exists.",
                    profile.name
                )));
            }
            if self.all_profiles(ctx).await?.len() >= MAX_PROFILES {
                return Err(errors::limit_exceeded_exception(format!(
                    "Cannot exceed quota for InstanceProfilesPerAccount: {MAX_PROFILES}"
                )));
            }
            let put = at.table.put(&at.row, profile, Expect::Absent);
            if self
                .commit(&profile.account, vec![put.map_err(store_failure)?])
                .await?
            {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

impl CreateInstanceProfile for IamService {
    async fn create_instance_profile(
        &self,
        ctx: &RequestContext,
        input: CreateInstanceProfileRequest,
    ) -> Result<CreateInstanceProfileResponse, ServiceError> {
        let name = required(input.instance_profile_name, "instanceProfileName")?;
        let path = input.path.unwrap_or_else(|| String::from("/"));
        let account = ctx.account().to_string();
        let tags = tags_in(input.tags, &[])?;
        let arn = entity_arn(&account, "instance-profile", &path, &name);
        let context = with_keys(ctx.policy_context(), None, Keys::RequestTags(&tags));
        self.authorize_with(ctx, "iam:CreateInstanceProfile", &arn, &context)?;
        if !tags.is_empty() {
            self.authorize_with(ctx, "iam:TagInstanceProfile", &arn, &context)?;
        }
        let profile = InstanceProfileRecord {
            schema: SCHEMA,
            account,
            name,
            path,
            profile_id: ids::unique_id("AIPA"),
            created_ms: self.now_ms(),
            roles: Vec::new(),
            tags,
        };
        self.insert_profile(ctx, &profile).await?;
        Ok(CreateInstanceProfileResponse {
            instance_profile: Some(self.profile_out(ctx, &profile, true).await?),
        })
    }
}

impl GetInstanceProfile for IamService {
    async fn get_instance_profile(
        &self,
        ctx: &RequestContext,
        input: GetInstanceProfileRequest,
    ) -> Result<GetInstanceProfileResponse, ServiceError> {
        let name = required(input.instance_profile_name, "instanceProfileName")?;
        let at = self.profile_at(ctx, &name);
        let action = "iam:GetInstanceProfile";
        let profile = self.read_resource(ctx, action, &at, Keys::Plain).await?;
        Ok(GetInstanceProfileResponse {
            instance_profile: Some(self.profile_out(ctx, &profile.value, true).await?),
        })
    }
}

impl DeleteInstanceProfile for IamService {
    async fn delete_instance_profile(
        &self,
        ctx: &RequestContext,
        input: DeleteInstanceProfileRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.instance_profile_name, "instanceProfileName")?;
        let at = self.profile_at(ctx, &name);
        let action = "iam:DeleteInstanceProfile";
        for _ in 0..ATTEMPTS {
            let found = self.read_resource(ctx, action, &at, Keys::Plain).await?;
            if !found.value.roles.is_empty() {
                return Err(errors::delete_conflict_exception(
                    "Cannot delete entity, must remove roles from instance profile first.",
                ));
            }
            let delete = at.table.delete(&at.row, Expect::Version(found.version));
            if self.commit(ctx.account().as_str(), vec![delete]).await? {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

impl ListInstanceProfiles for IamService {
    async fn list_instance_profiles(
        &self,
        ctx: &RequestContext,
        input: ListInstanceProfilesRequest,
    ) -> Result<ListInstanceProfilesResponse, ServiceError> {
        let account = ctx.account().as_str();
        let prefix = input.path_prefix.unwrap_or_else(|| String::from("/"));
        let resource = entity_arn(account, "instance-profile", &prefix, "");
        self.authorize(ctx, "iam:ListInstanceProfiles", &resource)?;
        let profiles: Vec<InstanceProfileRecord> = self
            .all_profiles(ctx)
            .await?
            .into_iter()
            .filter(|p| p.path.starts_with(&prefix))
            .collect();
        let marker = input.marker.as_deref();
        let out = page(profiles, marker, input.max_items, |p| {
            p.name.to_ascii_lowercase()
        })?;
        let mut listed = Vec::with_capacity(out.items.len());
        for profile in &out.items {
            listed.push(self.profile_out(ctx, profile, false).await?);
        }
        Ok(ListInstanceProfilesResponse {
            instance_profiles: Some(listed),
            is_truncated: Some(out.is_truncated),
            marker: out.marker,
        })
    }
}

impl TagInstanceProfile for IamService {
    async fn tag_instance_profile(
        &self,
        ctx: &RequestContext,
        input: TagInstanceProfileRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.instance_profile_name, "instanceProfileName")?;
        let given = required(input.tags, "tags")?;
        let at = self.profile_at(ctx, &name);
        self.tag_resource(ctx, "iam:TagInstanceProfile", &at, given)
            .await
    }
}

impl UntagInstanceProfile for IamService {
    async fn untag_instance_profile(
        &self,
        ctx: &RequestContext,
        input: UntagInstanceProfileRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.instance_profile_name, "instanceProfileName")?;
        let removed = required(input.tag_keys, "tagKeys")?;
        let at = self.profile_at(ctx, &name);
        self.untag_resource(ctx, "iam:UntagInstanceProfile", &at, removed)
            .await
    }
}

impl ListInstanceProfileTags for IamService {
    async fn list_instance_profile_tags(
        &self,
        ctx: &RequestContext,
        input: ListInstanceProfileTagsRequest,
    ) -> Result<ListInstanceProfileTagsResponse, ServiceError> {
        let name = required(input.instance_profile_name, "instanceProfileName")?;
        let at = self.profile_at(ctx, &name);
        let action = "iam:ListInstanceProfileTags";
        let marker = input.marker.as_deref();
        let out = self
            .list_resource_tags(ctx, action, &at, marker, input.max_items)
            .await?;
        Ok(ListInstanceProfileTagsResponse {
            tags: Some(out.tags),
            is_truncated: Some(out.is_truncated),
            marker: out.marker,
        })
    }
}

/// Whether `profile` holds the role `name` (names compare case-insensitively).
pub(super) fn holds_role(profile: &InstanceProfileRecord, name: &str) -> bool {
    profile.roles.iter().any(|r| r.eq_ignore_ascii_case(name))
}
