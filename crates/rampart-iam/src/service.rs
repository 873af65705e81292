//! `IamService`: the query-protocol service, IAM authorization of IAM actions, and the
//! `IamApi` implementation delegating each operation to its body in `ops`.

use crate::directory::Directory;
use crate::generated;
use crate::generated::shapes::*;
use rampart_core::{AccessCheck, RequestContext};
use rampart_wire::codec::{Invocation, QueryNode, ServiceError};
use rampart_wire::{AwsQueryService, BoxFuture};
use std::sync::Arc;

/// The IAM service.
pub struct IamService {
    #[allow(dead_code)] // scaffolding: used by the operation bodies
    pub(crate) dir: Arc<Directory>,
}

impl IamService {
    /// IAM over the identity directory `dir`.
    pub fn new(dir: Arc<Directory>) -> Self {
        Self { dir }
    }

    /// Authorizes `iam:<action>` on `resource` (an IAM ARN, or `*`) against the caller's
    /// identity-based policies; AWS's `AccessDenied` (403) otherwise.
    #[allow(dead_code)] // scaffolding: used by the operation bodies
    pub(crate) fn authorize(
        &self,
        ctx: &RequestContext,
        action: &str,
        resource: &str,
    ) -> Result<(), ServiceError> {
        let check = AccessCheck {
            action,
            resource,
            resource_account: ctx.account().as_str(),
            resource_policy: None,
            require_resource_allow: false,
        };
        ctx.authorize(&check, &ctx.policy_context())
            .map_err(|denied| ServiceError::new("AccessDenied", 403, denied.message))
    }
}

impl std::fmt::Debug for IamService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IamService").finish_non_exhaustive()
    }
}

impl generated::IamApi for IamService {
    async fn create_user(
        &self,
        ctx: &RequestContext,
        input: CreateUserRequest,
    ) -> Result<CreateUserResponse, ServiceError> {
        self.create_user_op(ctx, input).await
    }

    async fn get_user(
        &self,
        ctx: &RequestContext,
        input: GetUserRequest,
    ) -> Result<GetUserResponse, ServiceError> {
        self.get_user_op(ctx, input).await
    }

    async fn list_users(
        &self,
        ctx: &RequestContext,
        input: ListUsersRequest,
    ) -> Result<ListUsersResponse, ServiceError> {
        self.list_users_op(ctx, input).await
    }

    async fn update_user(
        &self,
        ctx: &RequestContext,
        input: UpdateUserRequest,
    ) -> Result<(), ServiceError> {
        self.update_user_op(ctx, input).await
    }

    async fn delete_user(
        &self,
        ctx: &RequestContext,
        input: DeleteUserRequest,
    ) -> Result<(), ServiceError> {
        self.delete_user_op(ctx, input).await
    }

    async fn tag_user(
        &self,
        ctx: &RequestContext,
        input: TagUserRequest,
    ) -> Result<(), ServiceError> {
        self.tag_user_op(ctx, input).await
    }

    async fn untag_user(
        &self,
        ctx: &RequestContext,
        input: UntagUserRequest,
    ) -> Result<(), ServiceError> {
        self.untag_user_op(ctx, input).await
    }

    async fn list_user_tags(
        &self,
        ctx: &RequestContext,
        input: ListUserTagsRequest,
    ) -> Result<ListUserTagsResponse, ServiceError> {
        self.list_user_tags_op(ctx, input).await
    }

    async fn create_group(
        &self,
        ctx: &RequestContext,
        input: CreateGroupRequest,
    ) -> Result<CreateGroupResponse, ServiceError> {
        self.create_group_op(ctx, input).await
    }

    async fn get_group(
        &self,
        ctx: &RequestContext,
        input: GetGroupRequest,
    ) -> Result<GetGroupResponse, ServiceError> {
        self.get_group_op(ctx, input).await
    }

    async fn list_groups(
        &self,
        ctx: &RequestContext,
        input: ListGroupsRequest,
    ) -> Result<ListGroupsResponse, ServiceError> {
        self.list_groups_op(ctx, input).await
    }

    async fn update_group(
        &self,
        ctx: &RequestContext,
        input: UpdateGroupRequest,
    ) -> Result<(), ServiceError> {
        self.update_group_op(ctx, input).await
    }

    async fn delete_group(
        &self,
        ctx: &RequestContext,
        input: DeleteGroupRequest,
    ) -> Result<(), ServiceError> {
        self.delete_group_op(ctx, input).await
    }

    async fn add_user_to_group(
        &self,
        ctx: &RequestContext,
        input: AddUserToGroupRequest,
    ) -> Result<(), ServiceError> {
        self.add_user_to_group_op(ctx, input).await
    }

    async fn remove_user_from_group(
        &self,
        ctx: &RequestContext,
        input: RemoveUserFromGroupRequest,
    ) -> Result<(), ServiceError> {
        self.remove_user_from_group_op(ctx, input).await
    }

    async fn list_groups_for_user(
        &self,
        ctx: &RequestContext,
        input: ListGroupsForUserRequest,
    ) -> Result<ListGroupsForUserResponse, ServiceError> {
        self.list_groups_for_user_op(ctx, input).await
    }

    async fn create_access_key(
        &self,
        ctx: &RequestContext,
        input: CreateAccessKeyRequest,
    ) -> Result<CreateAccessKeyResponse, ServiceError> {
        self.create_access_key_op(ctx, input).await
    }

    async fn list_access_keys(
        &self,
        ctx: &RequestContext,
        input: ListAccessKeysRequest,
    ) -> Result<ListAccessKeysResponse, ServiceError> {
        self.list_access_keys_op(ctx, input).await
    }

    async fn update_access_key(
        &self,
        ctx: &RequestContext,
        input: UpdateAccessKeyRequest,
    ) -> Result<(), ServiceError> {
        self.update_access_key_op(ctx, input).await
    }

    async fn delete_access_key(
        &self,
        ctx: &RequestContext,
        input: DeleteAccessKeyRequest,
    ) -> Result<(), ServiceError> {
        self.delete_access_key_op(ctx, input).await
    }

    async fn get_access_key_last_used(
        &self,
        ctx: &RequestContext,
        input: GetAccessKeyLastUsedRequest,
    ) -> Result<GetAccessKeyLastUsedResponse, ServiceError> {
        self.get_access_key_last_used_op(ctx, input).await
    }

    async fn create_role(
        &self,
        ctx: &RequestContext,
        input: CreateRoleRequest,
    ) -> Result<CreateRoleResponse, ServiceError> {
        self.create_role_op(ctx, input).await
    }

    async fn get_role(
        &self,
        ctx: &RequestContext,
        input: GetRoleRequest,
    ) -> Result<GetRoleResponse, ServiceError> {
        self.get_role_op(ctx, input).await
    }

    async fn list_roles(
        &self,
        ctx: &RequestContext,
        input: ListRolesRequest,
    ) -> Result<ListRolesResponse, ServiceError> {
        self.list_roles_op(ctx, input).await
    }

    async fn update_role(
        &self,
        ctx: &RequestContext,
        input: UpdateRoleRequest,
    ) -> Result<UpdateRoleResponse, ServiceError> {
        self.update_role_op(ctx, input).await
    }

    async fn update_role_description(
        &self,
        ctx: &RequestContext,
        input: UpdateRoleDescriptionRequest,
    ) -> Result<UpdateRoleDescriptionResponse, ServiceError> {
        self.update_role_description_op(ctx, input).await
    }

    async fn delete_role(
        &self,
        ctx: &RequestContext,
        input: DeleteRoleRequest,
    ) -> Result<(), ServiceError> {
        self.delete_role_op(ctx, input).await
    }

    async fn update_assume_role_policy(
        &self,
        ctx: &RequestContext,
        input: UpdateAssumeRolePolicyRequest,
    ) -> Result<(), ServiceError> {
        self.update_assume_role_policy_op(ctx, input).await
    }

    async fn tag_role(
        &self,
        ctx: &RequestContext,
        input: TagRoleRequest,
    ) -> Result<(), ServiceError> {
        self.tag_role_op(ctx, input).await
    }

    async fn untag_role(
        &self,
        ctx: &RequestContext,
        input: UntagRoleRequest,
    ) -> Result<(), ServiceError> {
        self.untag_role_op(ctx, input).await
    }

    async fn list_role_tags(
        &self,
        ctx: &RequestContext,
        input: ListRoleTagsRequest,
    ) -> Result<ListRoleTagsResponse, ServiceError> {
        self.list_role_tags_op(ctx, input).await
    }

    async fn put_user_policy(
        &self,
        ctx: &RequestContext,
        input: PutUserPolicyRequest,
    ) -> Result<(), ServiceError> {
        self.put_user_policy_op(ctx, input).await
    }

    async fn get_user_policy(
        &self,
        ctx: &RequestContext,
        input: GetUserPolicyRequest,
    ) -> Result<GetUserPolicyResponse, ServiceError> {
        self.get_user_policy_op(ctx, input).await
    }

    async fn list_user_policies(
        &self,
        ctx: &RequestContext,
        input: ListUserPoliciesRequest,
    ) -> Result<ListUserPoliciesResponse, ServiceError> {
        self.list_user_policies_op(ctx, input).await
    }

    async fn delete_user_policy(
        &self,
        ctx: &RequestContext,
        input: DeleteUserPolicyRequest,
    ) -> Result<(), ServiceError> {
        self.delete_user_policy_op(ctx, input).await
    }

    async fn put_group_policy(
        &self,
        ctx: &RequestContext,
        input: PutGroupPolicyRequest,
    ) -> Result<(), ServiceError> {
        self.put_group_policy_op(ctx, input).await
    }

    async fn get_group_policy(
        &self,
        ctx: &RequestContext,
        input: GetGroupPolicyRequest,
    ) -> Result<GetGroupPolicyResponse, ServiceError> {
        self.get_group_policy_op(ctx, input).await
    }

    async fn list_group_policies(
        &self,
        ctx: &RequestContext,
        input: ListGroupPoliciesRequest,
    ) -> Result<ListGroupPoliciesResponse, ServiceError> {
        self.list_group_policies_op(ctx, input).await
    }

    async fn delete_group_policy(
        &self,
        ctx: &RequestContext,
        input: DeleteGroupPolicyRequest,
    ) -> Result<(), ServiceError> {
        self.delete_group_policy_op(ctx, input).await
    }

    async fn put_role_policy(
        &self,
        ctx: &RequestContext,
        input: PutRolePolicyRequest,
    ) -> Result<(), ServiceError> {
        self.put_role_policy_op(ctx, input).await
    }

    async fn get_role_policy(
        &self,
        ctx: &RequestContext,
        input: GetRolePolicyRequest,
    ) -> Result<GetRolePolicyResponse, ServiceError> {
        self.get_role_policy_op(ctx, input).await
    }

    async fn list_role_policies(
        &self,
        ctx: &RequestContext,
        input: ListRolePoliciesRequest,
    ) -> Result<ListRolePoliciesResponse, ServiceError> {
        self.list_role_policies_op(ctx, input).await
    }

    async fn delete_role_policy(
        &self,
        ctx: &RequestContext,
        input: DeleteRolePolicyRequest,
    ) -> Result<(), ServiceError> {
        self.delete_role_policy_op(ctx, input).await
    }

    async fn put_user_permissions_boundary(
        &self,
        ctx: &RequestContext,
        input: PutUserPermissionsBoundaryRequest,
    ) -> Result<(), ServiceError> {
        self.put_user_permissions_boundary_op(ctx, input).await
    }

    async fn delete_user_permissions_boundary(
        &self,
        ctx: &RequestContext,
        input: DeleteUserPermissionsBoundaryRequest,
    ) -> Result<(), ServiceError> {
        self.delete_user_permissions_boundary_op(ctx, input).await
    }

    async fn put_role_permissions_boundary(
        &self,
        ctx: &RequestContext,
        input: PutRolePermissionsBoundaryRequest,
    ) -> Result<(), ServiceError> {
        self.put_role_permissions_boundary_op(ctx, input).await
    }

    async fn delete_role_permissions_boundary(
        &self,
        ctx: &RequestContext,
        input: DeleteRolePermissionsBoundaryRequest,
    ) -> Result<(), ServiceError> {
        self.delete_role_permissions_boundary_op(ctx, input).await
    }

    async fn create_policy(
        &self,
        ctx: &RequestContext,
        input: CreatePolicyRequest,
    ) -> Result<CreatePolicyResponse, ServiceError> {
        self.create_policy_op(ctx, input).await
    }

    async fn get_policy(
        &self,
        ctx: &RequestContext,
        input: GetPolicyRequest,
    ) -> Result<GetPolicyResponse, ServiceError> {
        self.get_policy_op(ctx, input).await
    }

    async fn list_policies(
        &self,
        ctx: &RequestContext,
        input: ListPoliciesRequest,
    ) -> Result<ListPoliciesResponse, ServiceError> {
        self.list_policies_op(ctx, input).await
    }

    async fn delete_policy(
        &self,
        ctx: &RequestContext,
        input: DeletePolicyRequest,
    ) -> Result<(), ServiceError> {
        self.delete_policy_op(ctx, input).await
    }

    async fn create_policy_version(
        &self,
        ctx: &RequestContext,
        input: CreatePolicyVersionRequest,
    ) -> Result<CreatePolicyVersionResponse, ServiceError> {
        self.create_policy_version_op(ctx, input).await
    }

    async fn get_policy_version(
        &self,
        ctx: &RequestContext,
        input: GetPolicyVersionRequest,
    ) -> Result<GetPolicyVersionResponse, ServiceError> {
        self.get_policy_version_op(ctx, input).await
    }

    async fn list_policy_versions(
        &self,
        ctx: &RequestContext,
        input: ListPolicyVersionsRequest,
    ) -> Result<ListPolicyVersionsResponse, ServiceError> {
        self.list_policy_versions_op(ctx, input).await
    }

    async fn delete_policy_version(
        &self,
        ctx: &RequestContext,
        input: DeletePolicyVersionRequest,
    ) -> Result<(), ServiceError> {
        self.delete_policy_version_op(ctx, input).await
    }

    async fn set_default_policy_version(
        &self,
        ctx: &RequestContext,
        input: SetDefaultPolicyVersionRequest,
    ) -> Result<(), ServiceError> {
        self.set_default_policy_version_op(ctx, input).await
    }

    async fn tag_policy(
        &self,
        ctx: &RequestContext,
        input: TagPolicyRequest,
    ) -> Result<(), ServiceError> {
        self.tag_policy_op(ctx, input).await
    }

    async fn untag_policy(
        &self,
        ctx: &RequestContext,
        input: UntagPolicyRequest,
    ) -> Result<(), ServiceError> {
        self.untag_policy_op(ctx, input).await
    }

    async fn list_policy_tags(
        &self,
        ctx: &RequestContext,
        input: ListPolicyTagsRequest,
    ) -> Result<ListPolicyTagsResponse, ServiceError> {
        self.list_policy_tags_op(ctx, input).await
    }

    async fn attach_user_policy(
        &self,
        ctx: &RequestContext,
        input: AttachUserPolicyRequest,
    ) -> Result<(), ServiceError> {
        self.attach_user_policy_op(ctx, input).await
    }

    async fn detach_user_policy(
        &self,
        ctx: &RequestContext,
        input: DetachUserPolicyRequest,
    ) -> Result<(), ServiceError> {
        self.detach_user_policy_op(ctx, input).await
    }

    async fn list_attached_user_policies(
        &self,
        ctx: &RequestContext,
        input: ListAttachedUserPoliciesRequest,
    ) -> Result<ListAttachedUserPoliciesResponse, ServiceError> {
        self.list_attached_user_policies_op(ctx, input).await
    }

    async fn attach_group_policy(
        &self,
        ctx: &RequestContext,
        input: AttachGroupPolicyRequest,
    ) -> Result<(), ServiceError> {
        self.attach_group_policy_op(ctx, input).await
    }

    async fn detach_group_policy(
        &self,
        ctx: &RequestContext,
        input: DetachGroupPolicyRequest,
    ) -> Result<(), ServiceError> {
        self.detach_group_policy_op(ctx, input).await
    }

    async fn list_attached_group_policies(
        &self,
        ctx: &RequestContext,
        input: ListAttachedGroupPoliciesRequest,
    ) -> Result<ListAttachedGroupPoliciesResponse, ServiceError> {
        self.list_attached_group_policies_op(ctx, input).await
    }

    async fn attach_role_policy(
        &self,
        ctx: &RequestContext,
        input: AttachRolePolicyRequest,
    ) -> Result<(), ServiceError> {
        self.attach_role_policy_op(ctx, input).await
    }

    async fn detach_role_policy(
        &self,
        ctx: &RequestContext,
        input: DetachRolePolicyRequest,
    ) -> Result<(), ServiceError> {
        self.detach_role_policy_op(ctx, input).await
    }

    async fn list_attached_role_policies(
        &self,
        ctx: &RequestContext,
        input: ListAttachedRolePoliciesRequest,
    ) -> Result<ListAttachedRolePoliciesResponse, ServiceError> {
        self.list_attached_role_policies_op(ctx, input).await
    }

    async fn list_entities_for_policy(
        &self,
        ctx: &RequestContext,
        input: ListEntitiesForPolicyRequest,
    ) -> Result<ListEntitiesForPolicyResponse, ServiceError> {
        self.list_entities_for_policy_op(ctx, input).await
    }
}

impl AwsQueryService for IamService {
    fn signing_name(&self) -> &'static str {
        generated::SIGNING_NAME
    }
    fn event_source(&self) -> &'static str {
        generated::EVENT_SOURCE
    }
    fn xml_namespace(&self) -> &'static str {
        generated::XML_NAMESPACE
    }
    fn api_version(&self) -> &'static str {
        generated::API_VERSION
    }
    fn global_region(&self) -> Option<&'static str> {
        generated::GLOBAL_REGION
    }
    fn has_action(&self, action: &str) -> bool {
        generated::OPERATIONS.contains(&action)
    }
    fn invoke<'a>(
        &'a self,
        ctx: &'a RequestContext,
        action: &'a str,
        params: &'a QueryNode,
    ) -> BoxFuture<'a, Invocation> {
        Box::pin(generated::dispatch(self, ctx, action, params))
    }
}
