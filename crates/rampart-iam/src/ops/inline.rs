//! Inline policies of users, groups and roles: Put/Get/List/Delete{User,Group,Role}Policy.
//! Documents are identity policies; the aggregate size of an entity's inline policies
//! (white space not counted) is held to IAM's quota (user 2,048, group 5,120, role 10,240);
//! Get*Policy answers the document URL-encoded, as IAM does.

use super::common::{check_document, no_such, page, required};
use super::entity::{Entity, Keys, refuse_protected, url_encode};
use crate::IamService;
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{
    DeleteGroupPolicy, DeleteRolePolicy, DeleteUserPolicy, GetGroupPolicy, GetRolePolicy,
    GetUserPolicy, ListGroupPolicies, ListRolePolicies, ListUserPolicies, PutGroupPolicy,
    PutRolePolicy, PutUserPolicy,
};
use crate::records::{GroupRecord, RoleRecord, UserRecord};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_core::rampart_policy::PolicyKind;

/// One inline policy as Get*Policy answers it: (entity name, policy name, URL-encoded document).
type Fetched = (String, String, String);

/// One page of policy names.
struct Names {
    names: Vec<String>,
    is_truncated: bool,
    marker: Option<String>,
}

impl PutUserPolicy for IamService {
    async fn put_user_policy(
        &self,
        ctx: &RequestContext,
        input: PutUserPolicyRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.user_name, "userName")?;
        let policy = required(input.policy_name, "policyName")?;
        let doc = required(input.policy_document, "policyDocument")?;
        self.put_inline::<UserRecord>(ctx, "iam:PutUserPolicy", &name, policy, doc)
            .await
    }
}

impl GetUserPolicy for IamService {
    async fn get_user_policy(
        &self,
        ctx: &RequestContext,
        input: GetUserPolicyRequest,
    ) -> Result<GetUserPolicyResponse, ServiceError> {
        let name = required(input.user_name, "userName")?;
        let policy = required(input.policy_name, "policyName")?;
        let (user_name, policy_name, document) = self
            .get_inline::<UserRecord>(ctx, "iam:GetUserPolicy", &name, &policy)
            .await?;
        Ok(GetUserPolicyResponse {
            user_name: Some(user_name),
            policy_name: Some(policy_name),
            policy_document: Some(document),
        })
    }
}

impl ListUserPolicies for IamService {
    async fn list_user_policies(
        &self,
        ctx: &RequestContext,
        input: ListUserPoliciesRequest,
    ) -> Result<ListUserPoliciesResponse, ServiceError> {
        let name = required(input.user_name, "userName")?;
        let (marker, max) = (input.marker.as_deref(), input.max_items);
        let out = self
            .list_inline::<UserRecord>(ctx, "iam:ListUserPolicies", &name, marker, max)
            .await?;
        Ok(ListUserPoliciesResponse {
            policy_names: Some(out.names),
            is_truncated: Some(out.is_truncated),
            marker: out.marker,
        })
    }
}

impl DeleteUserPolicy for IamService {
    async fn delete_user_policy(
        &self,
        ctx: &RequestContext,
        input: DeleteUserPolicyRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.user_name, "userName")?;
        let policy = required(input.policy_name, "policyName")?;
        self.delete_inline::<UserRecord>(ctx, "iam:DeleteUserPolicy", &name, &policy)
            .await
    }
}

impl PutGroupPolicy for IamService {
    async fn put_group_policy(
        &self,
        ctx: &RequestContext,
        input: PutGroupPolicyRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.group_name, "groupName")?;
        let policy = required(input.policy_name, "policyName")?;
        let doc = required(input.policy_document, "policyDocument")?;
        self.put_inline::<GroupRecord>(ctx, "iam:PutGroupPolicy", &name, policy, doc)
            .await
    }
}

impl GetGroupPolicy for IamService {
    async fn get_group_policy(
        &self,
        ctx: &RequestContext,
        input: GetGroupPolicyRequest,
    ) -> Result<GetGroupPolicyResponse, ServiceError> {
        let name = required(input.group_name, "groupName")?;
        let policy = required(input.policy_name, "policyName")?;
        let (group_name, policy_name, document) = self
            .get_inline::<GroupRecord>(ctx, "iam:GetGroupPolicy", &name, &policy)
            .await?;
        Ok(GetGroupPolicyResponse {
            group_name: Some(group_name),
            policy_name: Some(policy_name),
            policy_document: Some(document),
        })
    }
}

impl ListGroupPolicies for IamService {
    async fn list_group_policies(
        &self,
        ctx: &RequestContext,
        input: ListGroupPoliciesRequest,
    ) -> Result<ListGroupPoliciesResponse, ServiceError> {
        let name = required(input.group_name, "groupName")?;
        let (marker, max) = (input.marker.as_deref(), input.max_items);
        let out = self
            .list_inline::<GroupRecord>(ctx, "iam:ListGroupPolicies", &name, marker, max)
            .await?;
        Ok(ListGroupPoliciesResponse {
            policy_names: Some(out.names),
            is_truncated: Some(out.is_truncated),
            marker: out.marker,
        })
    }
}

impl DeleteGroupPolicy for IamService {
    async fn delete_group_policy(
        &self,
        ctx: &RequestContext,
        input: DeleteGroupPolicyRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.group_name, "groupName")?;
        let policy = required(input.policy_name, "policyName")?;
        self.delete_inline::<GroupRecord>(ctx, "iam:DeleteGroupPolicy", &name, &policy)
            .await
    }
}

impl PutRolePolicy for IamService {
    async fn put_role_policy(
        &self,
        ctx: &RequestContext,
        input: PutRolePolicyRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.role_name, "roleName")?;
        let policy = required(input.policy_name, "policyName")?;
        let doc = required(input.policy_document, "policyDocument")?;
        self.put_inline::<RoleRecord>(ctx, "iam:PutRolePolicy", &name, policy, doc)
            .await
    }
}

impl GetRolePolicy for IamService {
    async fn get_role_policy(
        &self,
        ctx: &RequestContext,
        input: GetRolePolicyRequest,
    ) -> Result<GetRolePolicyResponse, ServiceError> {
        let name = required(input.role_name, "roleName")?;
        let policy = required(input.policy_name, "policyName")?;
        let (role_name, policy_name, document) = self
            .get_inline::<RoleRecord>(ctx, "iam:GetRolePolicy", &name, &policy)
            .await?;
        Ok(GetRolePolicyResponse {
            role_name: Some(role_name),
            policy_name: Some(policy_name),
            policy_document: Some(document),
        })
    }
}

impl ListRolePolicies for IamService {
    async fn list_role_policies(
        &self,
        ctx: &RequestContext,
        input: ListRolePoliciesRequest,
    ) -> Result<ListRolePoliciesResponse, ServiceError> {
        let name = required(input.role_name, "roleName")?;
        let (marker, max) = (input.marker.as_deref(), input.max_items);
        let out = self
            .list_inline::<RoleRecord>(ctx, "iam:ListRolePolicies", &name, marker, max)
            .await?;
        Ok(ListRolePoliciesResponse {
            policy_names: Some(out.names),
            is_truncated: Some(out.is_truncated),
            marker: out.marker,
        })
    }
}

impl DeleteRolePolicy for IamService {
    async fn delete_role_policy(
        &self,
        ctx: &RequestContext,
        input: DeleteRolePolicyRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.role_name, "roleName")?;
        let policy = required(input.policy_name, "policyName")?;
        self.delete_inline::<RoleRecord>(ctx, "iam:DeleteRolePolicy", &name, &policy)
            .await
    }
}

impl IamService {
    /// Adds or replaces the inline policy `policy` of entity `name`.
    async fn put_inline<E: Entity>(
        &self,
        ctx: &RequestContext,
        action: &str,
        name: &str,
        policy: String,
        document: String,
    ) -> Result<(), ServiceError> {
        self.modify::<E, _>(ctx, action, name, Keys::CurrentBoundary, |record| {
            refuse_protected(record)?;
            check_aggregate(record, &policy, &document)?;
            check_document(&document, PolicyKind::Identity, E::INLINE_LIMIT)?;
            record.inline_mut().insert(policy.clone(), document.clone());
            Ok(())
        })
        .await
        .map(drop)
    }

    /// The inline policy `policy` of entity `name`, its document URL-encoded.
    async fn get_inline<E: Entity>(
        &self,
        ctx: &RequestContext,
        action: &str,
        name: &str,
        policy: &str,
    ) -> Result<Fetched, ServiceError> {
        let record = self
            .existing::<E>(ctx, action, name, Keys::Plain)
            .await?
            .value;
        let document = record
            .inline()
            .get(policy)
            .ok_or_else(|| no_such_policy::<E>(policy))?;
        Ok((
            record.name().to_owned(),
            policy.to_owned(),
            url_encode(document),
        ))
    }

    /// One page of the inline policy names of entity `name`, in name order.
    async fn list_inline<E: Entity>(
        &self,
        ctx: &RequestContext,
        action: &str,
        name: &str,
        marker: Option<&str>,
        max_items: Option<i32>,
    ) -> Result<Names, ServiceError> {
        let record = self
            .existing::<E>(ctx, action, name, Keys::Plain)
            .await?
            .value;
        let names: Vec<String> = record.inline().keys().cloned().collect();
        let out = page(names, marker, max_items, Clone::clone)?;
        Ok(Names {
            names: out.items,
            is_truncated: out.is_truncated,
            marker: out.marker,
        })
    }

    /// Deletes the inline policy `policy` of entity `name`.
    async fn delete_inline<E: Entity>(
        &self,
        ctx: &RequestContext,
        action: &str,
        name: &str,
        policy: &str,
    ) -> Result<(), ServiceError> {
        self.modify::<E, _>(ctx, action, name, Keys::CurrentBoundary, |record| {
            refuse_protected(record)?;
            record
                .inline_mut()
                .remove(policy)
                .map(drop)
                .ok_or_else(|| no_such_policy::<E>(policy))
        })
        .await
        .map(drop)
    }
}

/// `NoSuchEntity`: "The user policy with name X cannot be found."
fn no_such_policy<E: Entity>(policy: &str) -> ServiceError {
    no_such(&format!("{} policy", E::KIND), policy)
}

/// LimitExceeded when the entity's inline policies, with `document` as `policy`, exceed the
/// entity's aggregate quota (white space not counted).
fn check_aggregate<E: Entity>(
    record: &E,
    policy: &str,
    document: &str,
) -> Result<(), ServiceError> {
    let limit = E::INLINE_LIMIT;
    let others: usize = record
        .inline()
        .iter()
        .filter(|(name, _)| name.as_str() != policy)
        .map(|(_, doc)| limit.measure(doc))
        .sum();
    if others + limit.measure(document) > limit.max() {
        return Err(errors::limit_exceeded_exception(format!(
            "Maximum policy size of {} bytes exceeded for {} {}",
            limit.max(),
            E::KIND,
            record.name()
        )));
    }
    Ok(())
}
