//! Attaching managed policies to users, groups and roles (Attach*/Detach*/ListAttached*
//! Policies, at most ten per entity). The entity's list of ARNs and the customer policy's
//! `attachment_count` change in one commit.

use super::common::{ATTEMPTS, no_such, page, required, store_failure, too_busy};
use super::entity::{Entity, Keys, entity_arn, entity_context, refuse_protected};
use super::managed::{Managed, not_attachable, policy_not_found};
use crate::IamService;
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{
    AttachGroupPolicy, AttachRolePolicy, AttachUserPolicy, DetachGroupPolicy, DetachRolePolicy,
    DetachUserPolicy, ListAttachedGroupPolicies, ListAttachedRolePolicies,
    ListAttachedUserPolicies,
};
use crate::records::{GroupRecord, ManagedPolicyRecord, RoleRecord, UserRecord};
use crate::tables::entity_row;
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_store::{Expect, Versioned, Write};

/// Most managed policies attached to one user, group or role.
const MAX_ATTACHED: usize = 10;

/// A user, group or role as managed policies attach to it.
pub(super) trait Attachee: Entity {
    /// The quota named by LimitExceeded.
    const QUOTA: &'static str;
    /// ARNs of the attached managed policies, in attach order.
    fn attached(&self) -> &[String];
    /// The same, to change.
    fn attached_mut(&mut self) -> &mut Vec<String>;
}

impl Attachee for UserRecord {
    const QUOTA: &'static str = "PoliciesPerUser";
    fn attached(&self) -> &[String] {
        &self.attached_policies
    }
    fn attached_mut(&mut self) -> &mut Vec<String> {
        &mut self.attached_policies
    }
}

impl Attachee for GroupRecord {
    const QUOTA: &'static str = "PoliciesPerGroup";
    fn attached(&self) -> &[String] {
        &self.attached_policies
    }
    fn attached_mut(&mut self) -> &mut Vec<String> {
        &mut self.attached_policies
    }
}

impl Attachee for RoleRecord {
    const QUOTA: &'static str = "PoliciesPerRole";
    fn attached(&self) -> &[String] {
        &self.attached_policies
    }
    fn attached_mut(&mut self) -> &mut Vec<String> {
        &mut self.attached_policies
    }
}

/// Which entity and policy an Attach/Detach request names.
struct Target {
    name: String,
    policy_arn: String,
}

impl AttachUserPolicy for IamService {
    async fn attach_user_policy(
        &self,
        ctx: &RequestContext,
        input: AttachUserPolicyRequest,
    ) -> Result<(), ServiceError> {
        let target = target(input.user_name, "userName", input.policy_arn)?;
        self.attach::<UserRecord>(ctx, "iam:AttachUserPolicy", target)
            .await
    }
}

impl DetachUserPolicy for IamService {
    async fn detach_user_policy(
        &self,
        ctx: &RequestContext,
        input: DetachUserPolicyRequest,
    ) -> Result<(), ServiceError> {
        let target = target(input.user_name, "userName", input.policy_arn)?;
        self.detach::<UserRecord>(ctx, "iam:DetachUserPolicy", target)
            .await
    }
}

impl ListAttachedUserPolicies for IamService {
    async fn list_attached_user_policies(
        &self,
        ctx: &RequestContext,
        input: ListAttachedUserPoliciesRequest,
    ) -> Result<ListAttachedUserPoliciesResponse, ServiceError> {
        let name = required(input.user_name, "userName")?;
        let query = ListQuery::new(input.path_prefix, input.marker, input.max_items);
        let page = self
            .list_attached::<UserRecord>(ctx, "iam:ListAttachedUserPolicies", &name, query)
            .await?;
        Ok(ListAttachedUserPoliciesResponse {
            attached_policies: Some(page.items),
            is_truncated: Some(page.is_truncated),
            marker: page.marker,
        })
    }
}

impl AttachGroupPolicy for IamService {
    async fn attach_group_policy(
        &self,
        ctx: &RequestContext,
        input: AttachGroupPolicyRequest,
    ) -> Result<(), ServiceError> {
        let target = target(input.group_name, "groupName", input.policy_arn)?;
        self.attach::<GroupRecord>(ctx, "iam:AttachGroupPolicy", target)
            .await
    }
}

impl DetachGroupPolicy for IamService {
    async fn detach_group_policy(
        &self,
        ctx: &RequestContext,
        input: DetachGroupPolicyRequest,
    ) -> Result<(), ServiceError> {
        let target = target(input.group_name, "groupName", input.policy_arn)?;
        self.detach::<GroupRecord>(ctx, "iam:DetachGroupPolicy", target)
            .await
    }
}

impl ListAttachedGroupPolicies for IamService {
    async fn list_attached_group_policies(
        &self,
        ctx: &RequestContext,
        input: ListAttachedGroupPoliciesRequest,
    ) -> Result<ListAttachedGroupPoliciesResponse, ServiceError> {
        let name = required(input.group_name, "groupName")?;
        let query = ListQuery::new(input.path_prefix, input.marker, input.max_items);
        let page = self
            .list_attached::<GroupRecord>(ctx, "iam:ListAttachedGroupPolicies", &name, query)
            .await?;
        Ok(ListAttachedGroupPoliciesResponse {
            attached_policies: Some(page.items),
            is_truncated: Some(page.is_truncated),
            marker: page.marker,
        })
    }
}

impl AttachRolePolicy for IamService {
    async fn attach_role_policy(
        &self,
        ctx: &RequestContext,
        input: AttachRolePolicyRequest,
    ) -> Result<(), ServiceError> {
        let target = target(input.role_name, "roleName", input.policy_arn)?;
        self.attach::<RoleRecord>(ctx, "iam:AttachRolePolicy", target)
            .await
    }
}

impl DetachRolePolicy for IamService {
    async fn detach_role_policy(
        &self,
        ctx: &RequestContext,
        input: DetachRolePolicyRequest,
    ) -> Result<(), ServiceError> {
        let target = target(input.role_name, "roleName", input.policy_arn)?;
        self.detach::<RoleRecord>(ctx, "iam:DetachRolePolicy", target)
            .await
    }
}

impl ListAttachedRolePolicies for IamService {
    async fn list_attached_role_policies(
        &self,
        ctx: &RequestContext,
        input: ListAttachedRolePoliciesRequest,
    ) -> Result<ListAttachedRolePoliciesResponse, ServiceError> {
        let name = required(input.role_name, "roleName")?;
        let query = ListQuery::new(input.path_prefix, input.marker, input.max_items);
        let page = self
            .list_attached::<RoleRecord>(ctx, "iam:ListAttachedRolePolicies", &name, query)
            .await?;
        Ok(ListAttachedRolePoliciesResponse {
            attached_policies: Some(page.items),
            is_truncated: Some(page.is_truncated),
            marker: page.marker,
        })
    }
}

impl IamService {
    /// The entity `name` of kind `E` after authorizing `action` on it (on the ARN it would
    /// have at path `/` if it does not exist), with its tags as aws:ResourceTag/..., its
    /// boundary as iam:PermissionsBoundary and `policy_arn` as iam:PolicyARN;
    /// `NoSuchEntity` if it does not exist.
    async fn authorized_entity<E: Attachee>(
        &self,
        ctx: &RequestContext,
        action: &str,
        name: &str,
        policy_arn: Option<&str>,
    ) -> Result<Versioned<E>, ServiceError> {
        let found = self.find::<E>(ctx, name).await?;
        let mut context = ctx.policy_context();
        if let Some(arn) = policy_arn {
            context.set("iam:PolicyARN", arn);
        }
        let resource = match &found {
            Some(e) => {
                context = entity_context(context, &e.value, Keys::CurrentBoundary);
                e.value.arn()
            }
            None => entity_arn(ctx.account().as_str(), E::KIND, "/", name),
        };
        self.authorize_with(ctx, action, &resource, &context)?;
        found.ok_or_else(|| no_such(E::KIND, name))
    }

    async fn attach<E: Attachee>(
        &self,
        ctx: &RequestContext,
        action: &str,
        target: Target,
    ) -> Result<(), ServiceError> {
        let account = ctx.account().as_str();
        for _ in 0..ATTEMPTS {
            let entity = self
                .authorized_entity::<E>(ctx, action, &target.name, Some(&target.policy_arn))
                .await?;
            refuse_protected(&entity.value)?;
            let policy = self
                .find_managed(account, &target.policy_arn)
                .await?
                .ok_or_else(|| not_attachable(&target.policy_arn))?;
            let arn = policy.arn();
            if entity.value.attached().contains(&arn) {
                return Ok(());
            }
            if entity.value.attached().len() >= MAX_ATTACHED {
                return Err(errors::limit_exceeded_exception(format!(
                    "Cannot exceed quota for {}: {MAX_ATTACHED}",
                    E::QUOTA
                )));
            }
            let mut updated = entity.value.clone();
            updated.attached_mut().push(arn);
            let writes = self.attachment_writes(account, &updated, &entity, Some(policy), 1)?;
            if self.commit(account, writes).await? {
                return Ok(());
            }
        }
        Err(too_busy())
    }

    async fn detach<E: Attachee>(
        &self,
        ctx: &RequestContext,
        action: &str,
        target: Target,
    ) -> Result<(), ServiceError> {
        let account = ctx.account().as_str();
        let arn = target.policy_arn.as_str();
        for _ in 0..ATTEMPTS {
            let entity = self
                .authorized_entity::<E>(ctx, action, &target.name, Some(&target.policy_arn))
                .await?;
            refuse_protected(&entity.value)?;
            if !entity.value.attached().iter().any(|a| a == arn) {
                return Err(policy_not_found(arn));
            }
            let mut updated = entity.value.clone();
            updated.attached_mut().retain(|a| a != arn);
            let policy = self.find_managed(account, arn).await?;
            let writes = self.attachment_writes(account, &updated, &entity, policy, -1)?;
            if self.commit(account, writes).await? {
                return Ok(());
            }
        }
        Err(too_busy())
    }

    /// The entity write over the record `read` (with its index entry writes) plus, for a
    /// customer managed policy, its attachment count moved by `delta`.
    fn attachment_writes<E: Attachee>(
        &self,
        account: &str,
        updated: &E,
        read: &Versioned<E>,
        policy: Option<Managed>,
        delta: i32,
    ) -> Result<Vec<Write>, ServiceError> {
        let mut writes = self.entity_writes(account, updated, read)?;
        if let Some(Managed::Customer(p)) = policy {
            writes.push(self.count_write(account, *p, delta)?);
        }
        Ok(writes)
    }

    /// The policy record with `attachment_count` moved by `delta`, expected at the version
    /// it was read at.
    fn count_write(
        &self,
        account: &str,
        policy: Versioned<ManagedPolicyRecord>,
        delta: i32,
    ) -> Result<Write, ServiceError> {
        let mut record = policy.value;
        record.attachment_count = record.attachment_count.saturating_add(delta).max(0);
        self.dir
            .tables
            .policies
            .put(
                &entity_row(account, &record.name),
                &record,
                Expect::Version(policy.version),
            )
            .map_err(store_failure)
    }

    async fn list_attached<E: Attachee>(
        &self,
        ctx: &RequestContext,
        action: &str,
        name: &str,
        query: ListQuery,
    ) -> Result<super::common::Page<AttachedPolicy>, ServiceError> {
        let entity = self.authorized_entity::<E>(ctx, action, name, None).await?;
        let attached: Vec<(usize, AttachedPolicy)> = entity
            .value
            .attached()
            .iter()
            .filter(|arn| policy_path(arn).starts_with(&query.path_prefix))
            .map(|arn| AttachedPolicy {
                policy_name: Some(arn.rsplit('/').next().unwrap_or_default().to_owned()),
                policy_arn: Some(arn.clone()),
            })
            .enumerate()
            .collect();
        let page = page(
            attached,
            query.marker.as_deref(),
            query.max_items,
            |(i, _)| format!("{i:04}"),
        )?;
        Ok(super::common::Page {
            items: page.items.into_iter().map(|(_, p)| p).collect(),
            is_truncated: page.is_truncated,
            marker: page.marker,
        })
    }
}

fn target(
    name: Option<String>,
    member: &str,
    policy_arn: Option<String>,
) -> Result<Target, ServiceError> {
    Ok(Target {
        name: required(name, member)?,
        policy_arn: required(policy_arn, "policyArn")?,
    })
}

/// PathPrefix, Marker and MaxItems of a ListAttached* request.
struct ListQuery {
    path_prefix: String,
    marker: Option<String>,
    max_items: Option<i32>,
}

impl ListQuery {
    fn new(path_prefix: Option<String>, marker: Option<String>, max_items: Option<i32>) -> Self {
        ListQuery {
            path_prefix: path_prefix.unwrap_or_else(|| String::from("/")),
            marker,
            max_items,
        }
    }
}

/// The path of a managed policy ARN (`/` or `/a/b/`): between `:policy` and the name.
pub(crate) fn policy_path(arn: &str) -> &str {
    let resource = arn.split_once(":policy").map_or("", |(_, r)| r);
    match resource.rfind('/') {
        Some(end) => &resource[..=end],
        None => "/",
    }
}
