//! IAM users operations.

use super::not_yet;
use crate::IamService;
use crate::generated::shapes::*;
use rampart_core::RequestContext;
use rampart_wire::codec::ServiceError;

impl IamService {
    pub(crate) async fn create_user_op(
        &self,
        _ctx: &RequestContext,
        _input: CreateUserRequest,
    ) -> Result<CreateUserResponse, ServiceError> {
        Err(not_yet("CreateUser"))
    }

    pub(crate) async fn get_user_op(
        &self,
        _ctx: &RequestContext,
        _input: GetUserRequest,
    ) -> Result<GetUserResponse, ServiceError> {
        Err(not_yet("GetUser"))
    }

    pub(crate) async fn list_users_op(
        &self,
        _ctx: &RequestContext,
        _input: ListUsersRequest,
    ) -> Result<ListUsersResponse, ServiceError> {
        Err(not_yet("ListUsers"))
    }

    pub(crate) async fn update_user_op(
        &self,
        _ctx: &RequestContext,
        _input: UpdateUserRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("UpdateUser"))
    }

    pub(crate) async fn delete_user_op(
        &self,
        _ctx: &RequestContext,
        _input: DeleteUserRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("DeleteUser"))
    }

    pub(crate) async fn tag_user_op(
        &self,
        _ctx: &RequestContext,
        _input: TagUserRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("TagUser"))
    }

    pub(crate) async fn untag_user_op(
        &self,
        _ctx: &RequestContext,
        _input: UntagUserRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("UntagUser"))
    }

    pub(crate) async fn list_user_tags_op(
        &self,
        _ctx: &RequestContext,
        _input: ListUserTagsRequest,
    ) -> Result<ListUserTagsResponse, ServiceError> {
        Err(not_yet("ListUserTags"))
    }

    pub(crate) async fn create_group_op(
        &self,
        _ctx: &RequestContext,
        _input: CreateGroupRequest,
    ) -> Result<CreateGroupResponse, ServiceError> {
        Err(not_yet("CreateGroup"))
    }

    pub(crate) async fn get_group_op(
        &self,
        _ctx: &RequestContext,
        _input: GetGroupRequest,
    ) -> Result<GetGroupResponse, ServiceError> {
        Err(not_yet("GetGroup"))
    }

    pub(crate) async fn list_groups_op(
        &self,
        _ctx: &RequestContext,
        _input: ListGroupsRequest,
    ) -> Result<ListGroupsResponse, ServiceError> {
        Err(not_yet("ListGroups"))
    }

    pub(crate) async fn update_group_op(
        &self,
        _ctx: &RequestContext,
        _input: UpdateGroupRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("UpdateGroup"))
    }

    pub(crate) async fn delete_group_op(
        &self,
        _ctx: &RequestContext,
        _input: DeleteGroupRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("DeleteGroup"))
    }

    pub(crate) async fn add_user_to_group_op(
        &self,
        _ctx: &RequestContext,
        _input: AddUserToGroupRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("AddUserToGroup"))
    }

    pub(crate) async fn remove_user_from_group_op(
        &self,
        _ctx: &RequestContext,
        _input: RemoveUserFromGroupRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("RemoveUserFromGroup"))
    }

    pub(crate) async fn list_groups_for_user_op(
        &self,
        _ctx: &RequestContext,
        _input: ListGroupsForUserRequest,
    ) -> Result<ListGroupsForUserResponse, ServiceError> {
        Err(not_yet("ListGroupsForUser"))
    }

    pub(crate) async fn create_access_key_op(
        &self,
        _ctx: &RequestContext,
        _input: CreateAccessKeyRequest,
    ) -> Result<CreateAccessKeyResponse, ServiceError> {
        Err(not_yet("CreateAccessKey"))
    }

    pub(crate) async fn list_access_keys_op(
        &self,
        _ctx: &RequestContext,
        _input: ListAccessKeysRequest,
    ) -> Result<ListAccessKeysResponse, ServiceError> {
        Err(not_yet("ListAccessKeys"))
    }

    pub(crate) async fn update_access_key_op(
        &self,
        _ctx: &RequestContext,
        _input: UpdateAccessKeyRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("UpdateAccessKey"))
    }

    pub(crate) async fn delete_access_key_op(
        &self,
        _ctx: &RequestContext,
        _input: DeleteAccessKeyRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("DeleteAccessKey"))
    }

    pub(crate) async fn get_access_key_last_used_op(
        &self,
        _ctx: &RequestContext,
        _input: GetAccessKeyLastUsedRequest,
    ) -> Result<GetAccessKeyLastUsedResponse, ServiceError> {
        Err(not_yet("GetAccessKeyLastUsed"))
    }
}
