//! IAM policies operations.

use super::not_yet;
use crate::IamService;
use crate::generated::shapes::*;
use rampart_core::RequestContext;
use rampart_wire::codec::ServiceError;

impl IamService {
    pub(crate) async fn create_policy_op(
        &self,
        _ctx: &RequestContext,
        _input: CreatePolicyRequest,
    ) -> Result<CreatePolicyResponse, ServiceError> {
        Err(not_yet("CreatePolicy"))
    }

    pub(crate) async fn get_policy_op(
        &self,
        _ctx: &RequestContext,
        _input: GetPolicyRequest,
    ) -> Result<GetPolicyResponse, ServiceError> {
        Err(not_yet("GetPolicy"))
    }

    pub(crate) async fn list_policies_op(
        &self,
        _ctx: &RequestContext,
        _input: ListPoliciesRequest,
    ) -> Result<ListPoliciesResponse, ServiceError> {
        Err(not_yet("ListPolicies"))
    }

    pub(crate) async fn delete_policy_op(
        &self,
        _ctx: &RequestContext,
        _input: DeletePolicyRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("DeletePolicy"))
    }

    pub(crate) async fn create_policy_version_op(
        &self,
        _ctx: &RequestContext,
        _input: CreatePolicyVersionRequest,
    ) -> Result<CreatePolicyVersionResponse, ServiceError> {
        Err(not_yet("CreatePolicyVersion"))
    }

    pub(crate) async fn get_policy_version_op(
        &self,
        _ctx: &RequestContext,
        _input: GetPolicyVersionRequest,
    ) -> Result<GetPolicyVersionResponse, ServiceError> {
        Err(not_yet("GetPolicyVersion"))
    }

    pub(crate) async fn list_policy_versions_op(
        &self,
        _ctx: &RequestContext,
        _input: ListPolicyVersionsRequest,
    ) -> Result<ListPolicyVersionsResponse, ServiceError> {
        Err(not_yet("ListPolicyVersions"))
    }

    pub(crate) async fn delete_policy_version_op(
        &self,
        _ctx: &RequestContext,
        _input: DeletePolicyVersionRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("DeletePolicyVersion"))
    }

    pub(crate) async fn set_default_policy_version_op(
        &self,
        _ctx: &RequestContext,
        _input: SetDefaultPolicyVersionRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("SetDefaultPolicyVersion"))
    }

    pub(crate) async fn tag_policy_op(
        &self,
        _ctx: &RequestContext,
        _input: TagPolicyRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("TagPolicy"))
    }

    pub(crate) async fn untag_policy_op(
        &self,
        _ctx: &RequestContext,
        _input: UntagPolicyRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("UntagPolicy"))
    }

    pub(crate) async fn list_policy_tags_op(
        &self,
        _ctx: &RequestContext,
        _input: ListPolicyTagsRequest,
    ) -> Result<ListPolicyTagsResponse, ServiceError> {
        Err(not_yet("ListPolicyTags"))
    }

    pub(crate) async fn attach_user_policy_op(
        &self,
        _ctx: &RequestContext,
        _input: AttachUserPolicyRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("AttachUserPolicy"))
    }

    pub(crate) async fn detach_user_policy_op(
        &self,
        _ctx: &RequestContext,
        _input: DetachUserPolicyRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("DetachUserPolicy"))
    }

    pub(crate) async fn list_attached_user_policies_op(
        &self,
        _ctx: &RequestContext,
        _input: ListAttachedUserPoliciesRequest,
    ) -> Result<ListAttachedUserPoliciesResponse, ServiceError> {
        Err(not_yet("ListAttachedUserPolicies"))
    }

    pub(crate) async fn attach_group_policy_op(
        &self,
        _ctx: &RequestContext,
        _input: AttachGroupPolicyRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("AttachGroupPolicy"))
    }

    pub(crate) async fn detach_group_policy_op(
        &self,
        _ctx: &RequestContext,
        _input: DetachGroupPolicyRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("DetachGroupPolicy"))
    }

    pub(crate) async fn list_attached_group_policies_op(
        &self,
        _ctx: &RequestContext,
        _input: ListAttachedGroupPoliciesRequest,
    ) -> Result<ListAttachedGroupPoliciesResponse, ServiceError> {
        Err(not_yet("ListAttachedGroupPolicies"))
    }

    pub(crate) async fn attach_role_policy_op(
        &self,
        _ctx: &RequestContext,
        _input: AttachRolePolicyRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("AttachRolePolicy"))
    }

    pub(crate) async fn detach_role_policy_op(
        &self,
        _ctx: &RequestContext,
        _input: DetachRolePolicyRequest,
    ) -> Result<(), ServiceError> {
        Err(not_yet("DetachRolePolicy"))
    }

    pub(crate) async fn list_attached_role_policies_op(
        &self,
        _ctx: &RequestContext,
        _input: ListAttachedRolePoliciesRequest,
    ) -> Result<ListAttachedRolePoliciesResponse, ServiceError> {
        Err(not_yet("ListAttachedRolePolicies"))
    }

    pub(crate) async fn list_entities_for_policy_op(
        &self,
        _ctx: &RequestContext,
        _input: ListEntitiesForPolicyRequest,
    ) -> Result<ListEntitiesForPolicyResponse, ServiceError> {
        Err(not_yet("ListEntitiesForPolicy"))
    }
}
