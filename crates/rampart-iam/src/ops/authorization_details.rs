//! GetAccountAuthorizationDetails: every user, group and role of the account with their
//! inline policies (documents URL-encoded, as IAM returns them), attached policies, groups,
//! boundaries, tags and (roles) trust policy, instance profiles and last use; the customer
//! managed policies (`LocalManagedPolicy`) and the AWS managed policies in use in the account
//! (`AWSManagedPolicy`) with every version. `Filter` picks the kinds (all when empty); one
//! Marker/MaxItems sequence runs over users, groups, roles, then policies.

use super::common::{page, tags_out, timestamp};
use super::entity::{scan_all, url_encode};
use super::instance_profiles::holds_role;
use super::managed::Usage;
use super::roles::{RoleView, role_out};
use crate::IamService;
use crate::aws_managed::{self, AwsManagedPolicy};
use crate::generated::GetAccountAuthorizationDetails;
use crate::generated::enums::{EntityType, PermissionsBoundaryAttachmentType};
use crate::generated::shapes::*;
use crate::records::{GroupRecord, InlinePolicies, ManagedPolicyRecord, RoleRecord, UserRecord};
use crate::tables::account_prefix;
use rampart_codec::ServiceError;
use rampart_core::RequestContext;

/// One entry of the sequence, with its Marker key (kind first, then name).
enum Item {
    User(Box<UserDetail>),
    Group(Box<GroupDetail>),
    Role(Box<RoleDetail>),
    Policy(Box<ManagedPolicyDetail>),
}

impl GetAccountAuthorizationDetails for IamService {
    async fn get_account_authorization_details(
        &self,
        ctx: &RequestContext,
        input: GetAccountAuthorizationDetailsRequest,
    ) -> Result<GetAccountAuthorizationDetailsResponse, ServiceError> {
        self.authorize(ctx, "iam:GetAccountAuthorizationDetails", "*")?;
        let filter = input.filter.unwrap_or_default();
        let wants = |kind: EntityType| filter.is_empty() || filter.contains(&kind);
        let mut items: Vec<(String, Item)> = Vec::new();
        if wants(EntityType::User) {
            items.extend(self.user_items(ctx).await?);
        }
        if wants(EntityType::Group) {
            items.extend(self.group_items(ctx).await?);
        }
        if wants(EntityType::Role) {
            items.extend(self.role_items(ctx).await?);
        }
        if wants(EntityType::LocalManagedPolicy) {
            items.extend(self.local_policy_items(ctx).await?);
        }
        if wants(EntityType::AWSManagedPolicy) {
            items.extend(self.aws_policy_items(ctx).await?);
        }
        let out = page(items, input.marker.as_deref(), input.max_items, |(k, _)| {
            k.clone()
        })?;
        let mut response = GetAccountAuthorizationDetailsResponse {
            user_detail_list: Some(Vec::new()),
            group_detail_list: Some(Vec::new()),
            role_detail_list: Some(Vec::new()),
            policies: Some(Vec::new()),
            is_truncated: Some(out.is_truncated),
            marker: out.marker,
        };
        for (_, item) in out.items {
            let (users, groups, roles, policies) = (
                &mut response.user_detail_list,
                &mut response.group_detail_list,
                &mut response.role_detail_list,
                &mut response.policies,
            );
            match item {
                Item::User(u) => users.get_or_insert_with(Vec::new).push(*u),
                Item::Group(g) => groups.get_or_insert_with(Vec::new).push(*g),
                Item::Role(r) => roles.get_or_insert_with(Vec::new).push(*r),
                Item::Policy(p) => policies.get_or_insert_with(Vec::new).push(*p),
            }
        }
        Ok(response)
    }
}

impl IamService {
    async fn user_items(&self, ctx: &RequestContext) -> Result<Vec<(String, Item)>, ServiceError> {
        let prefix = account_prefix(ctx.account().as_str());
        let rows = scan_all(self.dir.tables.users.table(), &prefix).await?;
        Ok(rows
            .into_iter()
            .map(|(_, u)| (key(0, &u.name), Item::User(Box::new(user_detail(&u)))))
            .collect())
    }

    async fn group_items(&self, ctx: &RequestContext) -> Result<Vec<(String, Item)>, ServiceError> {
        let prefix = account_prefix(ctx.account().as_str());
        let rows = scan_all(self.dir.tables.groups.table(), &prefix).await?;
        Ok(rows
            .into_iter()
            .map(|(_, g)| (key(1, &g.name), Item::Group(Box::new(group_detail(&g)))))
            .collect())
    }

    async fn role_items(&self, ctx: &RequestContext) -> Result<Vec<(String, Item)>, ServiceError> {
        let prefix = account_prefix(ctx.account().as_str());
        let rows = scan_all(self.dir.tables.roles.table(), &prefix).await?;
        let profiles = self.all_profiles(ctx).await?;
        let mut out = Vec::with_capacity(rows.len());
        for (_, role) in rows {
            let mut held = Vec::new();
            for profile in profiles.iter().filter(|p| holds_role(p, &role.name)) {
                held.push(self.profile_out(ctx, profile, false).await?);
            }
            let detail = role_detail(&role, held);
            out.push((key(2, &role.name), Item::Role(Box::new(detail))));
        }
        Ok(out)
    }

    async fn local_policy_items(
        &self,
        ctx: &RequestContext,
    ) -> Result<Vec<(String, Item)>, ServiceError> {
        let prefix = account_prefix(ctx.account().as_str());
        let rows = scan_all(&self.dir.tables.policies, &prefix).await?;
        Ok(rows
            .into_iter()
            .map(|(_, p)| (key(3, &p.name), Item::Policy(Box::new(local_detail(&p)))))
            .collect())
    }

    /// The AWS managed policies attached to (or bounding) some entity of the account.
    async fn aws_policy_items(
        &self,
        ctx: &RequestContext,
    ) -> Result<Vec<(String, Item)>, ServiceError> {
        let usage = self.aws_usage(ctx.account().as_str()).await?;
        let mut out = Vec::new();
        for policy in aws_managed::POLICIES {
            let used = usage.get(&policy.arn()).copied().unwrap_or_default();
            if used.attachments > 0 || used.boundaries > 0 {
                let detail = aws_detail(policy, used);
                out.push((key(4, policy.name), Item::Policy(Box::new(detail))));
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }
}

/// The Marker key of an item: its kind's rank, then its lower-case name.
fn key(rank: u8, name: &str) -> String {
    format!("{rank}/{}", name.to_ascii_lowercase())
}

fn inline_out(policies: &InlinePolicies) -> Option<Vec<PolicyDetail>> {
    Some(
        policies
            .iter()
            .map(|(name, document)| PolicyDetail {
                policy_name: Some(name.clone()),
                policy_document: Some(url_encode(document)),
            })
            .collect(),
    )
}

fn attached_out(arns: &[String]) -> Option<Vec<AttachedPolicy>> {
    Some(
        arns.iter()
            .map(|arn| AttachedPolicy {
                policy_name: Some(arn.rsplit('/').next().unwrap_or_default().to_owned()),
                policy_arn: Some(arn.clone()),
            })
            .collect(),
    )
}

fn boundary_out(arn: Option<&String>) -> Option<AttachedPermissionsBoundary> {
    arn.map(|arn| AttachedPermissionsBoundary {
        permissions_boundary_arn: Some(arn.clone()),
        permissions_boundary_type: Some(
            PermissionsBoundaryAttachmentType::PermissionsBoundaryPolicy,
        ),
    })
}

fn user_detail(user: &UserRecord) -> UserDetail {
    UserDetail {
        path: Some(user.path.clone()),
        user_name: Some(user.name.clone()),
        user_id: Some(user.user_id.clone()),
        arn: Some(user.arn()),
        create_date: Some(timestamp(user.created_ms)),
        user_policy_list: inline_out(&user.inline_policies),
        group_list: Some(user.groups.clone()),
        attached_managed_policies: attached_out(&user.attached_policies),
        permissions_boundary: boundary_out(user.boundary_arn.as_ref()),
        tags: tags_out(&user.tags),
    }
}

fn group_detail(group: &GroupRecord) -> GroupDetail {
    GroupDetail {
        path: Some(group.path.clone()),
        group_name: Some(group.name.clone()),
        group_id: Some(group.group_id.clone()),
        arn: Some(group.arn()),
        create_date: Some(timestamp(group.created_ms)),
        group_policy_list: inline_out(&group.inline_policies),
        attached_managed_policies: attached_out(&group.attached_policies),
    }
}

fn role_detail(role: &RoleRecord, profiles: Vec<InstanceProfile>) -> RoleDetail {
    let full = role_out(role, RoleView::Full);
    RoleDetail {
        path: full.path,
        role_name: full.role_name,
        role_id: full.role_id,
        arn: full.arn,
        create_date: full.create_date,
        assume_role_policy_document: full.assume_role_policy_document,
        instance_profile_list: Some(profiles),
        role_policy_list: inline_out(&role.inline_policies),
        attached_managed_policies: attached_out(&role.attached_policies),
        permissions_boundary: full.permissions_boundary,
        tags: full.tags,
        role_last_used: full.role_last_used,
    }
}

fn version_out(id: &str, document: &str, default: &str, created_ms: i64) -> PolicyVersion {
    PolicyVersion {
        document: Some(url_encode(document)),
        version_id: Some(id.to_owned()),
        is_default_version: Some(id == default),
        create_date: Some(timestamp(created_ms)),
    }
}

fn local_detail(policy: &ManagedPolicyRecord) -> ManagedPolicyDetail {
    let versions = policy
        .versions
        .iter()
        .map(|v| {
            version_out(
                &v.version_id,
                &v.document,
                &policy.default_version,
                v.created_ms,
            )
        })
        .collect();
    ManagedPolicyDetail {
        policy_name: Some(policy.name.clone()),
        policy_id: Some(policy.policy_id.clone()),
        arn: Some(policy.arn()),
        path: Some(policy.path.clone()),
        default_version_id: Some(policy.default_version.clone()),
        attachment_count: Some(policy.attachment_count),
        permissions_boundary_usage_count: Some(policy.boundary_usage_count),
        is_attachable: Some(true),
        description: policy.description.clone(),
        create_date: Some(timestamp(policy.created_ms)),
        update_date: Some(timestamp(policy.updated_ms)),
        policy_version_list: Some(versions),
    }
}

fn aws_detail(policy: &AwsManagedPolicy, used: Usage) -> ManagedPolicyDetail {
    let version = version_out(
        policy.version_id,
        policy.document,
        policy.version_id,
        policy.updated_ms,
    );
    ManagedPolicyDetail {
        policy_name: Some(policy.name.to_owned()),
        policy_id: Some(policy.policy_id.to_owned()),
        arn: Some(policy.arn()),
        path: Some(policy.path.to_owned()),
        default_version_id: Some(policy.version_id.to_owned()),
        attachment_count: Some(used.attachments),
        permissions_boundary_usage_count: Some(used.boundaries),
        is_attachable: Some(true),
        description: Some(policy.description.to_owned()),
        create_date: Some(timestamp(policy.created_ms)),
        update_date: Some(timestamp(policy.updated_ms)),
        policy_version_list: Some(vec![version]),
    }
}
