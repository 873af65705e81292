//! IAM roles operations.

use super::not_yet;
use crate::IamService;
use crate::generated::shapes::*;
use rampart_core::RequestContext;
use rampart_wire::codec::ServiceError;

impl IamService {
    pub(crate) async fn create_role_op(
        &self,
        _ctx: &RequestContext,
        _input: CreateRoleRequest,
    ) -> Result<CreateRoleResponse, ServiceError> {
        Err(not_yet("CreateRole"))
    }

    pub(crate) async fn get_role_op(
        &self,
        _ctx: &RequestContext,
        _input: GetRoleRequest,
    ) -> Result<GetRoleResponse, ServiceError> {
        Err(not_yet("GetRole"))
    }

    pub(crate) async fn list_roles_op(
        &self,
        _ctx: &RequestContext,
        _input: ListRolesRequest,
    ) -> Result<ListRolesResponse, ServiceError> {
        Err(not_yet("ListRoles"))
    }

    pub(crate) async fn update_role_op(
        &self,
        _ctx: &RequestContext,
        _input: UpdateRoleRequest,
    ) -> Result<UpdateRoleResponse, ServiceError> {
        Err(not_yet("UpdateRole"))
    }

    pub(crate) async fn update_role_description_op(
        &self,
        _ctx: &RequestContext,
        _input: UpdateRoleDescriptionRequest,
    ) -> Result<UpdateRoleDescriptionResponse, ServiceError> {
        Err(not_yet("UpdateRoleDescription"))
    }

    pub(crate) async fn delete_role_op(
        &self,
        _ctx: &RequestContext,
        _input: DeleteRoleRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("DeleteRole"))
    }

    pub(crate) async fn update_assume_role_policy_op(
        &self,
        _ctx: &RequestContext,
        _input: UpdateAssumeRolePolicyRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("UpdateAssumeRolePolicy"))
    }

    pub(crate) async fn tag_role_op(
        &self,
        _ctx: &RequestContext,
        _input: TagRoleRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("TagRole"))
    }

    pub(crate) async fn untag_role_op(
        &self,
        _ctx: &RequestContext,
        _input: UntagRoleRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("UntagRole"))
    }

    pub(crate) async fn list_role_tags_op(
        &self,
        _ctx: &RequestContext,
        _input: ListRoleTagsRequest,
    ) -> Result<ListRoleTagsResponse, ServiceError> {
        Err(not_yet("ListRoleTags"))
    }

    pub(crate) async fn put_user_policy_op(
        &self,
        _ctx: &RequestContext,
        _input: PutUserPolicyRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("PutUserPolicy"))
    }

    pub(crate) async fn get_user_policy_op(
        &self,
        _ctx: &RequestContext,
        _input: GetUserPolicyRequest,
    ) -> Result<GetUserPolicyResponse, ServiceError> {
        Err(not_yet("GetUserPolicy"))
    }

    pub(crate) async fn list_user_policies_op(
        &self,
        _ctx: &RequestContext,
        _input: ListUserPoliciesRequest,
    ) -> Result<ListUserPoliciesResponse, ServiceError> {
        Err(not_yet("ListUserPolicies"))
    }

    pub(crate) async fn delete_user_policy_op(
        &self,
        _ctx: &RequestContext,
        _input: DeleteUserPolicyRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("DeleteUserPolicy"))
    }

    pub(crate) async fn put_group_policy_op(
        &self,
        _ctx: &RequestContext,
        _input: PutGroupPolicyRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("PutGroupPolicy"))
    }

    pub(crate) async fn get_group_policy_op(
        &self,
        _ctx: &RequestContext,
        _input: GetGroupPolicyRequest,
    ) -> Result<GetGroupPolicyResponse, ServiceError> {
        Err(not_yet("GetGroupPolicy"))
    }

    pub(crate) async fn list_group_policies_op(
        &self,
        _ctx: &RequestContext,
        _input: ListGroupPoliciesRequest,
    ) -> Result<ListGroupPoliciesResponse, ServiceError> {
        Err(not_yet("ListGroupPolicies"))
    }

    pub(crate) async fn delete_group_policy_op(
        &self,
        _ctx: &RequestContext,
        _input: DeleteGroupPolicyRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("DeleteGroupPolicy"))
    }

    pub(crate) async fn put_role_policy_op(
        &self,
        _ctx: &RequestContext,
        _input: PutRolePolicyRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("PutRolePolicy"))
    }

    pub(crate) async fn get_role_policy_op(
        &self,
        _ctx: &RequestContext,
        _input: GetRolePolicyRequest,
    ) -> Result<GetRolePolicyResponse, ServiceError> {
        Err(not_yet("GetRolePolicy"))
    }

    pub(crate) async fn list_role_policies_op(
        &self,
        _ctx: &RequestContext,
        _input: ListRolePoliciesRequest,
    ) -> Result<ListRolePoliciesResponse, ServiceError> {
        Err(not_yet("ListRolePolicies"))
    }

    pub(crate) async fn delete_role_policy_op(
        &self,
        _ctx: &RequestContext,
        _input: DeleteRolePolicyRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("DeleteRolePolicy"))
    }

    pub(crate) async fn put_user_permissions_boundary_op(
        &self,
        _ctx: &RequestContext,
        _input: PutUserPermissionsBoundaryRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("PutUserPermissionsBoundary"))
    }

    pub(crate) async fn delete_user_permissions_boundary_op(
        &self,
        _ctx: &RequestContext,
        _input: DeleteUserPermissionsBoundaryRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("DeleteUserPermissionsBoundary"))
    }

    pub(crate) async fn put_role_permissions_boundary_op(
        &self,
        _ctx: &RequestContext,
        _input: PutRolePermissionsBoundaryRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("PutRolePermissionsBoundary"))
    }

    pub(crate) async fn delete_role_permissions_boundary_op(
        &self,
        _ctx: &RequestContext,
        _input: DeleteRolePermissionsBoundaryRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("DeleteRolePermissionsBoundary"))
    }
}
