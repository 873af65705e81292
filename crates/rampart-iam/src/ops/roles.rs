//! IAM roles: CreateRole, GetRole, ListRoles, UpdateRole, UpdateRoleDescription, DeleteRole
//! and UpdateAssumeRolePolicy. The trust policy (what STS AssumeRole evaluates) is stored as
//! given and answered URL-encoded, as IAM does.

use super::common::{
    ATTEMPTS, already_exists, check_document, page, required, store_failure, tags_in, tags_out,
    timestamp, too_busy,
};
use super::entity::{Keys, entity_arn, refuse_protected, scan_all, url_encode, with_keys};
use crate::IamService;
use crate::generated::enums::PermissionsBoundaryAttachmentType;
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{
    CreateRole, DeleteRole, GetRole, ListRoles, UpdateAssumeRolePolicy, UpdateRole,
    UpdateRoleDescription,
};
use crate::records::{RoleRecord, TagRecord};
use crate::tables::{account_prefix, entity_row};
use crate::{ids, service_linked};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_core::rampart_policy::{Context, PolicyKind, SizeLimit};
use rampart_store::Expect;

/// Schema version of role records written here.
const SCHEMA: u32 = 1;
/// MaxSessionDuration when none is given (seconds).
const DEFAULT_MAX_SESSION: i32 = 3600;

/// Which members of a role an operation answers (IAM's responses differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RoleView {
    /// CreateRole: what was given, no MaxSessionDuration or RoleLastUsed.
    Created,
    /// GetRole, UpdateRoleDescription: everything.
    Full,
    /// ListRoles: no PermissionsBoundary, Tags or RoleLastUsed.
    Listed,
}

impl CreateRole for IamService {
    async fn create_role(
        &self,
        ctx: &RequestContext,
        input: CreateRoleRequest,
    ) -> Result<CreateRoleResponse, ServiceError> {
        let name = required(input.role_name, "roleName")?;
        let trust = required(
            input.assume_role_policy_document,
            "assumeRolePolicyDocument",
        )?;
        let path = input.path.unwrap_or_else(|| String::from("/"));
        refuse_reserved_path(&path)?;
        let account = ctx.account().to_string();
        let tags = tags_in(input.tags, &[])?;
        let boundary = input.permissions_boundary;
        let context = create_context(ctx, &tags, boundary.as_deref());
        let arn = entity_arn(&account, "role", &path, &name);
        self.authorize_with(ctx, "iam:CreateRole", &arn, &context)?;
        if !tags.is_empty() {
            self.authorize_with(ctx, "iam:TagRole", &arn, &context)?;
        }
        check_document(&trust, PolicyKind::Trust, SizeLimit::TrustPolicy)?;
        let role = RoleRecord {
            schema: SCHEMA,
            account: account.clone(),
            name,
            path,
            role_id: ids::unique_id("AROA"),
            created_ms: self.now_ms(),
            trust_policy: trust,
            description: input.description.filter(|d| !d.is_empty()),
            max_session_duration: input.max_session_duration.unwrap_or(DEFAULT_MAX_SESSION),
            tags,
            boundary_arn: boundary,
            inline_policies: Default::default(),
            attached_policies: Vec::new(),
            last_used_ms: None,
            last_used_region: None,
        };
        self.insert_role(ctx, &role).await?;
        Ok(CreateRoleResponse {
            role: Some(role_out(&role, RoleView::Created)),
        })
    }
}

impl IamService {
    /// Writes the new role `role` (and its boundary's usage count), unless a role with its
    /// name exists.
    async fn insert_role(
        &self,
        ctx: &RequestContext,
        role: &RoleRecord,
    ) -> Result<(), ServiceError> {
        let row = entity_row(&role.account, &role.name);
        for _ in 0..ATTEMPTS {
            if self.find::<RoleRecord>(ctx, &role.name).await?.is_some() {
                return Err(already_exists("Role", &role.name));
            }
            let boundary = role.boundary_arn.as_deref();
            let mut writes = self.boundary_writes(ctx, None, boundary).await?;
            let put = self.dir.tables.roles.put(&row, role, Expect::Absent, None);
            writes.extend(put.map_err(store_failure)?);
            if self.commit(&role.account, writes).await? {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

impl GetRole for IamService {
    async fn get_role(
        &self,
        ctx: &RequestContext,
        input: GetRoleRequest,
    ) -> Result<GetRoleResponse, ServiceError> {
        let name = required(input.role_name, "roleName")?;
        let role = self
            .existing::<RoleRecord>(ctx, "iam:GetRole", &name, Keys::Plain)
            .await?;
        Ok(GetRoleResponse {
            role: Some(role_out(&role.value, RoleView::Full)),
        })
    }
}

impl ListRoles for IamService {
    async fn list_roles(
        &self,
        ctx: &RequestContext,
        input: ListRolesRequest,
    ) -> Result<ListRolesResponse, ServiceError> {
        let account = ctx.account().as_str();
        let prefix = input.path_prefix.unwrap_or_else(|| String::from("/"));
        let resource = entity_arn(account, "role", &prefix, "");
        self.authorize_with(ctx, "iam:ListRoles", &resource, &ctx.policy_context())?;
        let rows = scan_all(self.dir.tables.roles.table(), &account_prefix(account)).await?;
        let roles: Vec<RoleRecord> = rows
            .into_iter()
            .map(|(_, role)| role)
            .filter(|role| role.path.starts_with(&prefix))
            .collect();
        let marker = input.marker.as_deref();
        let out = page(roles, marker, input.max_items, |r| {
            r.name.to_ascii_lowercase()
        })?;
        Ok(ListRolesResponse {
            roles: Some(
                out.items
                    .iter()
                    .map(|r| role_out(r, RoleView::Listed))
                    .collect(),
            ),
            is_truncated: Some(out.is_truncated),
            marker: out.marker,
        })
    }
}

impl UpdateRole for IamService {
    async fn update_role(
        &self,
        ctx: &RequestContext,
        input: UpdateRoleRequest,
    ) -> Result<UpdateRoleResponse, ServiceError> {
        let name = required(input.role_name, "roleName")?;
        let (description, max) = (input.description, input.max_session_duration);
        self.modify::<RoleRecord, _>(ctx, "iam:UpdateRole", &name, Keys::Plain, |role| {
            if let Some(d) = &description {
                role.description = Some(d.clone()).filter(|d| !d.is_empty());
            }
            if let Some(seconds) = max {
                role.max_session_duration = seconds;
            }
            Ok(())
        })
        .await?;
        Ok(UpdateRoleResponse {})
    }
}

impl UpdateRoleDescription for IamService {
    async fn update_role_description(
        &self,
        ctx: &RequestContext,
        input: UpdateRoleDescriptionRequest,
    ) -> Result<UpdateRoleDescriptionResponse, ServiceError> {
        let name = required(input.role_name, "roleName")?;
        let description = required(input.description, "description")?;
        let action = "iam:UpdateRoleDescription";
        let role = self
            .modify::<RoleRecord, _>(ctx, action, &name, Keys::Plain, |role| {
                role.description = Some(description.clone()).filter(|d| !d.is_empty());
                Ok(())
            })
            .await?;
        Ok(UpdateRoleDescriptionResponse {
            role: Some(role_out(&role, RoleView::Full)),
        })
    }
}

impl DeleteRole for IamService {
    async fn delete_role(
        &self,
        ctx: &RequestContext,
        input: DeleteRoleRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.role_name, "roleName")?;
        let account = ctx.account().as_str();
        for _ in 0..ATTEMPTS {
            let found = self
                .existing::<RoleRecord>(ctx, "iam:DeleteRole", &name, Keys::Plain)
                .await?;
            let role = &found.value;
            refuse_protected(role)?;
            if !role.attached_policies.is_empty() {
                return Err(errors::delete_conflict_exception(
                    "Cannot delete entity, must detach all policies first.",
                ));
            }
            if !role.inline_policies.is_empty() {
                return Err(errors::delete_conflict_exception(
                    "Cannot delete entity, must delete policies first.",
                ));
            }
            self.refuse_role_in_profile(ctx, &role.name).await?;
            let boundary = role.boundary_arn.as_deref();
            let mut writes = self.boundary_writes(ctx, boundary, None).await?;
            let row = entity_row(account, &role.name);
            let roles = &self.dir.tables.roles;
            writes.extend(roles.delete(&row, role, Expect::Version(found.version)));
            if self.commit(account, writes).await? {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

impl UpdateAssumeRolePolicy for IamService {
    async fn update_assume_role_policy(
        &self,
        ctx: &RequestContext,
        input: UpdateAssumeRolePolicyRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.role_name, "roleName")?;
        let document = required(input.policy_document, "policyDocument")?;
        let action = "iam:UpdateAssumeRolePolicy";
        self.modify::<RoleRecord, _>(ctx, action, &name, Keys::Plain, |role| {
            refuse_protected(role)?;
            check_document(&document, PolicyKind::Trust, SizeLimit::TrustPolicy)?;
            role.trust_policy = document.clone();
            Ok(())
        })
        .await
        .map(drop)
    }
}

/// CreateRole refuses the path of service-linked roles, as IAM does.
fn refuse_reserved_path(path: &str) -> Result<(), ServiceError> {
    if service_linked::is_service_linked(path) {
        return Err(errors::invalid_input_exception(format!(
            "Path prefix '{}' can only be used for AWS Service linked Roles",
            service_linked::PATH_PREFIX
        )));
    }
    Ok(())
}

/// The condition keys of CreateRole: request tags and the boundary being set.
fn create_context(ctx: &RequestContext, tags: &[TagRecord], boundary: Option<&str>) -> Context {
    let mut context = ctx.policy_context();
    if !tags.is_empty() {
        context = with_keys(context, None, Keys::RequestTags(tags));
    }
    if let Some(arn) = boundary {
        context = with_keys(context, None, Keys::GivenBoundary(arn));
    }
    context
}

/// A role as `view` answers it.
pub(super) fn role_out(role: &RoleRecord, view: RoleView) -> Role {
    let listed = view == RoleView::Listed;
    Role {
        path: Some(role.path.clone()),
        role_name: Some(role.name.clone()),
        role_id: Some(role.role_id.clone()),
        arn: Some(role.arn()),
        create_date: Some(timestamp(role.created_ms)),
        assume_role_policy_document: Some(url_encode(&role.trust_policy)),
        description: role.description.clone(),
        max_session_duration: (view != RoleView::Created).then_some(role.max_session_duration),
        permissions_boundary: role.boundary_arn.as_ref().filter(|_| !listed).map(|arn| {
            AttachedPermissionsBoundary {
                permissions_boundary_arn: Some(arn.clone()),
                permissions_boundary_type: Some(
                    PermissionsBoundaryAttachmentType::PermissionsBoundaryPolicy,
                ),
            }
        }),
        tags: if listed { None } else { tags_out(&role.tags) },
        role_last_used: (view == RoleView::Full).then(|| RoleLastUsed {
            last_used_date: role.last_used_ms.map(timestamp),
            region: role.last_used_region.clone(),
        }),
        ..Role::default()
    }
}
