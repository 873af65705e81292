//! `IamService`: the query-protocol service, IAM authorization of IAM actions, and the
//! `IamApi` implementation delegating each operation to its body in `ops`.

use crate::directory::Directory;
use crate::generated;
use crate::generated::shapes::*;
use rampart_codec::{AwsQueryService, BoxFuture};
use rampart_codec::{Invocation, QueryNode, ServiceError};
use rampart_core::RequestContext;
use rampart_core::rampart_policy::Context;
use std::sync::Arc;

/// The IAM service.
pub struct IamService {
    pub(crate) dir: Arc<Directory>,
}

impl IamService {
    /// IAM over the identity directory `dir`.
    pub fn new(dir: Arc<Directory>) -> Self {
        Self { dir }
    }

    /// Authorizes `iam:<action>` on `resource` (an IAM ARN, or `*`) against the caller's
    /// identity-based policies; AWS's `AccessDenied` (403) otherwise.
    pub(crate) fn authorize(
        &self,
        ctx: &RequestContext,
        action: &str,
        resource: &str,
    ) -> Result<(), ServiceError> {
        self.authorize_with(ctx, action, resource, &ctx.policy_context())
    }

    /// [`IamService::authorize`] with the condition keys in `context` (the global keys plus
    /// the operation's own).
    pub(crate) fn authorize_with(
        &self,
        ctx: &RequestContext,
        action: &str,
        resource: &str,
        context: &Context,
    ) -> Result<(), ServiceError> {
        refuse_session_without_mfa(ctx)?;
        ctx.authorize_own(action, resource, context)
            .map_err(|denied| ServiceError::new("AccessDenied", 403, denied.message))
    }
}

/// IAM refuses GetSessionToken credentials obtained without MFA (AWS answers that the token
/// is invalid for IAM).
pub(crate) fn refuse_session_without_mfa(ctx: &RequestContext) -> Result<(), ServiceError> {
    if ctx.principal.is_session_without_mfa() {
        return Err(ServiceError::new(
            "InvalidClientTokenId",
            403,
            "The security token included in the request is invalid",
        ));
    }
    Ok(())
}

impl std::fmt::Debug for IamService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IamService").finish_non_exhaustive()
    }
}

/// Implements `IamApi` methods, each delegating to its body in `ops`.
macro_rules! delegate {
    ($($method:ident => $body:ident($input:ty) -> $output:ty;)*) => {
        $(
            async fn $method(
                &self,
                ctx: &RequestContext,
                input: $input,
            ) -> Result<$output, ServiceError> {
                self.$body(ctx, input).await
            }
        )*
    };
}

impl generated::IamApi for IamService {
    delegate! {
        create_user => create_user_op(CreateUserRequest) -> CreateUserResponse;
        get_user => get_user_op(GetUserRequest) -> GetUserResponse;
        list_users => list_users_op(ListUsersRequest) -> ListUsersResponse;
        update_user => update_user_op(UpdateUserRequest) -> ();
        delete_user => delete_user_op(DeleteUserRequest) -> ();
        tag_user => tag_user_op(TagUserRequest) -> ();
        untag_user => untag_user_op(UntagUserRequest) -> ();
        list_user_tags => list_user_tags_op(ListUserTagsRequest) -> ListUserTagsResponse;
        create_group => create_group_op(CreateGroupRequest) -> CreateGroupResponse;
        get_group => get_group_op(GetGroupRequest) -> GetGroupResponse;
        list_groups => list_groups_op(ListGroupsRequest) -> ListGroupsResponse;
        update_group => update_group_op(UpdateGroupRequest) -> ();
        delete_group => delete_group_op(DeleteGroupRequest) -> ();
        add_user_to_group => add_user_to_group_op(AddUserToGroupRequest) -> ();
        remove_user_from_group => remove_user_from_group_op(RemoveUserFromGroupRequest) -> ();
        list_groups_for_user => list_groups_for_user_op(ListGroupsForUserRequest) -> ListGroupsForUserResponse;
        create_access_key => create_access_key_op(CreateAccessKeyRequest) -> CreateAccessKeyResponse;
        list_access_keys => list_access_keys_op(ListAccessKeysRequest) -> ListAccessKeysResponse;
        update_access_key => update_access_key_op(UpdateAccessKeyRequest) -> ();
        delete_access_key => delete_access_key_op(DeleteAccessKeyRequest) -> ();
        get_access_key_last_used => get_access_key_last_used_op(GetAccessKeyLastUsedRequest) -> GetAccessKeyLastUsedResponse;
        create_role => create_role_op(CreateRoleRequest) -> CreateRoleResponse;
        get_role => get_role_op(GetRoleRequest) -> GetRoleResponse;
        list_roles => list_roles_op(ListRolesRequest) -> ListRolesResponse;
        update_role => update_role_op(UpdateRoleRequest) -> UpdateRoleResponse;
        update_role_description => update_role_description_op(UpdateRoleDescriptionRequest) -> UpdateRoleDescriptionResponse;
        delete_role => delete_role_op(DeleteRoleRequest) -> ();
        update_assume_role_policy => update_assume_role_policy_op(UpdateAssumeRolePolicyRequest) -> ();
        tag_role => tag_role_op(TagRoleRequest) -> ();
        untag_role => untag_role_op(UntagRoleRequest) -> ();
        list_role_tags => list_role_tags_op(ListRoleTagsRequest) -> ListRoleTagsResponse;
        put_user_policy => put_user_policy_op(PutUserPolicyRequest) -> ();
        get_user_policy => get_user_policy_op(GetUserPolicyRequest) -> GetUserPolicyResponse;
        list_user_policies => list_user_policies_op(ListUserPoliciesRequest) -> ListUserPoliciesResponse;
        delete_user_policy => delete_user_policy_op(DeleteUserPolicyRequest) -> ();
        put_group_policy => put_group_policy_op(PutGroupPolicyRequest) -> ();
        get_group_policy => get_group_policy_op(GetGroupPolicyRequest) -> GetGroupPolicyResponse;
        list_group_policies => list_group_policies_op(ListGroupPoliciesRequest) -> ListGroupPoliciesResponse;
        delete_group_policy => delete_group_policy_op(DeleteGroupPolicyRequest) -> ();
        put_role_policy => put_role_policy_op(PutRolePolicyRequest) -> ();
        get_role_policy => get_role_policy_op(GetRolePolicyRequest) -> GetRolePolicyResponse;
        list_role_policies => list_role_policies_op(ListRolePoliciesRequest) -> ListRolePoliciesResponse;
        delete_role_policy => delete_role_policy_op(DeleteRolePolicyRequest) -> ();
        put_user_permissions_boundary => put_user_permissions_boundary_op(PutUserPermissionsBoundaryRequest) -> ();
        delete_user_permissions_boundary => delete_user_permissions_boundary_op(DeleteUserPermissionsBoundaryRequest) -> ();
        put_role_permissions_boundary => put_role_permissions_boundary_op(PutRolePermissionsBoundaryRequest) -> ();
        delete_role_permissions_boundary => delete_role_permissions_boundary_op(DeleteRolePermissionsBoundaryRequest) -> ();
        create_policy => create_policy_op(CreatePolicyRequest) -> CreatePolicyResponse;
        get_policy => get_policy_op(GetPolicyRequest) -> GetPolicyResponse;
        list_policies => list_policies_op(ListPoliciesRequest) -> ListPoliciesResponse;
        delete_policy => delete_policy_op(DeletePolicyRequest) -> ();
        create_policy_version => create_policy_version_op(CreatePolicyVersionRequest) -> CreatePolicyVersionResponse;
        get_policy_version => get_policy_version_op(GetPolicyVersionRequest) -> GetPolicyVersionResponse;
        list_policy_versions => list_policy_versions_op(ListPolicyVersionsRequest) -> ListPolicyVersionsResponse;
        delete_policy_version => delete_policy_version_op(DeletePolicyVersionRequest) -> ();
        set_default_policy_version => set_default_policy_version_op(SetDefaultPolicyVersionRequest) -> ();
        tag_policy => tag_policy_op(TagPolicyRequest) -> ();
        untag_policy => untag_policy_op(UntagPolicyRequest) -> ();
        list_policy_tags => list_policy_tags_op(ListPolicyTagsRequest) -> ListPolicyTagsResponse;
        attach_user_policy => attach_user_policy_op(AttachUserPolicyRequest) -> ();
        detach_user_policy => detach_user_policy_op(DetachUserPolicyRequest) -> ();
        list_attached_user_policies => list_attached_user_policies_op(ListAttachedUserPoliciesRequest) -> ListAttachedUserPoliciesResponse;
        attach_group_policy => attach_group_policy_op(AttachGroupPolicyRequest) -> ();
        detach_group_policy => detach_group_policy_op(DetachGroupPolicyRequest) -> ();
        list_attached_group_policies => list_attached_group_policies_op(ListAttachedGroupPoliciesRequest) -> ListAttachedGroupPoliciesResponse;
        attach_role_policy => attach_role_policy_op(AttachRolePolicyRequest) -> ();
        detach_role_policy => detach_role_policy_op(DetachRolePolicyRequest) -> ();
        list_attached_role_policies => list_attached_role_policies_op(ListAttachedRolePoliciesRequest) -> ListAttachedRolePoliciesResponse;
        list_entities_for_policy => list_entities_for_policy_op(ListEntitiesForPolicyRequest) -> ListEntitiesForPolicyResponse;
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
