//! Customer managed policies (CreatePolicy, GetPolicy, ListPolicies, DeletePolicy) and their
//! tags (TagPolicy, UntagPolicy, ListPolicyTags); AWS managed policies are read here too.

use super::common::{ATTEMPTS, check_document, page, required, store_failure, tags_in, too_busy};
use super::entity::{Keys, with_keys};
use super::managed::{Managed, Usage, aws_view, customer_view, policy_not_found, scan_account};
use crate::IamService;
use crate::aws_managed;
use crate::generated::enums::{PolicyScopeType, PolicyUsageType};
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{
    CreatePolicy, DeletePolicy, GetPolicy, ListPolicies, ListPolicyTags, TagPolicy, UntagPolicy,
};
use crate::ids::unique_id;
use crate::records::{ManagedPolicyRecord, PolicyVersionRecord, TagRecord};
use crate::tables::entity_row;
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_core::rampart_policy::{PolicyKind, SizeLimit};
use rampart_store::Expect;

/// Record schema version of new managed policies.
const SCHEMA: u32 = 1;

impl CreatePolicy for IamService {
    async fn create_policy(
        &self,
        ctx: &RequestContext,
        input: CreatePolicyRequest,
    ) -> Result<CreatePolicyResponse, ServiceError> {
        let name = required(input.policy_name, "policyName")?;
        let document = required(input.policy_document, "policyDocument")?;
        let path = input.path.unwrap_or_else(|| String::from("/"));
        let account = ctx.account().as_str();
        let arn = format!("arn:aws:iam::{account}:policy{path}{name}");
        let tags = tags_in(input.tags, &[])?;
        let context = with_keys(ctx.policy_context(), None, Keys::RequestTags(&tags));
        self.authorize_with(ctx, "iam:CreatePolicy", &arn, &context)?;
        if !tags.is_empty() {
            self.authorize_with(ctx, "iam:TagPolicy", &arn, &context)?;
        }
        check_document(&document, PolicyKind::Identity, SizeLimit::ManagedPolicy)?;
        let now = self.now_ms();
        let record = ManagedPolicyRecord {
            schema: SCHEMA,
            account: account.to_owned(),
            name,
            path,
            policy_id: unique_id("ANPA"),
            description: input.description,
            created_ms: now,
            updated_ms: now,
            default_version: String::from("v1"),
            versions: vec![PolicyVersionRecord {
                version_id: String::from("v1"),
                document,
                created_ms: now,
            }],
            next_version: 2,
            attachment_count: 0,
            boundary_usage_count: 0,
            tags,
        };
        self.insert_policy(account, &record).await?;
        Ok(CreatePolicyResponse {
            policy: Some(customer_view(&record, true)),
        })
    }
}

impl IamService {
    /// Stores a new policy record unless a policy with its name (any case, any path) exists.
    async fn insert_policy(
        &self,
        account: &str,
        record: &ManagedPolicyRecord,
    ) -> Result<(), ServiceError> {
        let table = &self.dir.tables.policies;
        let row = entity_row(account, &record.name);
        for _ in 0..ATTEMPTS {
            if table.get(&row).await.map_err(store_failure)?.is_some() {
                return Err(errors::entity_already_exists_exception(format!(
                    "A policy called {} already exists. Duplicate names are not allowed.",
                    record.name
                )));
            }
            let write = table
                .put(&row, record, Expect::Absent)
                .map_err(store_failure)?;
            if self.commit(account, vec![write]).await? {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

impl GetPolicy for IamService {
    async fn get_policy(
        &self,
        ctx: &RequestContext,
        input: GetPolicyRequest,
    ) -> Result<GetPolicyResponse, ServiceError> {
        let arn = required(input.policy_arn, "policyArn")?;
        let account = ctx.account().as_str();
        let found = self
            .authorized_policy(ctx, "iam:GetPolicy", &arn, Keys::Plain)
            .await?;
        let policy = match found {
            Some(Managed::Customer(p)) => customer_view(&p.value, true),
            Some(Managed::Aws(p)) => {
                let usage = self.usage_of(account, &p.arn()).await?;
                aws_view(p, usage, true)
            }
            None => return Err(policy_not_found(&arn)),
        };
        Ok(GetPolicyResponse {
            policy: Some(policy),
        })
    }
}

impl ListPolicies for IamService {
    async fn list_policies(
        &self,
        ctx: &RequestContext,
        input: ListPoliciesRequest,
    ) -> Result<ListPoliciesResponse, ServiceError> {
        let account = ctx.account().as_str();
        self.authorize(
            ctx,
            "iam:ListPolicies",
            &format!("arn:aws:iam::{account}:policy/*"),
        )?;
        let scope = input.scope.unwrap_or(PolicyScopeType::All);
        let mut policies: Vec<Policy> = Vec::new();
        if scope != PolicyScopeType::Local {
            let usage = self.aws_usage(account).await?;
            policies.extend(aws_managed::POLICIES.iter().map(|p| {
                let used = usage.get(&p.arn()).copied().unwrap_or_default();
                aws_view(p, used, false)
            }));
        }
        if scope != PolicyScopeType::Aws {
            let records = scan_account(&self.dir.tables.policies, account).await?;
            policies.extend(records.iter().map(|p| customer_view(p, false)));
        }
        let filter = ListFilter {
            path_prefix: input.path_prefix.unwrap_or_else(|| String::from("/")),
            only_attached: input.only_attached.unwrap_or(false),
            usage: input.policy_usage_filter,
        };
        policies.retain(|p| filter.keeps(p));
        policies.sort_by_key(list_key);
        let page = page(policies, input.marker.as_deref(), input.max_items, list_key)?;
        Ok(ListPoliciesResponse {
            policies: Some(page.items),
            is_truncated: Some(page.is_truncated),
            marker: page.marker,
        })
    }
}

impl DeletePolicy for IamService {
    async fn delete_policy(
        &self,
        ctx: &RequestContext,
        input: DeletePolicyRequest,
    ) -> Result<(), ServiceError> {
        let arn = required(input.policy_arn, "policyArn")?;
        let action = "iam:DeletePolicy";
        let account = ctx.account().as_str();
        for _ in 0..ATTEMPTS {
            let current = self.writable_policy(ctx, action, &arn, Keys::Plain).await?;
            check_deletable(&current.value)?;
            let row = entity_row(account, &current.value.name);
            let write = self
                .dir
                .tables
                .policies
                .delete(&row, Expect::Version(current.version));
            if self.commit(account, vec![write]).await? {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

impl TagPolicy for IamService {
    async fn tag_policy(
        &self,
        ctx: &RequestContext,
        input: TagPolicyRequest,
    ) -> Result<(), ServiceError> {
        let arn = required(input.policy_arn, "policyArn")?;
        let given = tags_in(input.tags, &[])?;
        let keys = Keys::RequestTags(&given);
        self.update_policy(ctx, "iam:TagPolicy", &arn, keys, |p| {
            p.tags = merged_tags(&p.tags, &given)?;
            Ok(())
        })
        .await?;
        Ok(())
    }
}

impl UntagPolicy for IamService {
    async fn untag_policy(
        &self,
        ctx: &RequestContext,
        input: UntagPolicyRequest,
    ) -> Result<(), ServiceError> {
        let arn = required(input.policy_arn, "policyArn")?;
        let keys = input.tag_keys.unwrap_or_default();
        let tag_keys = Keys::TagKeys(&keys);
        self.update_policy(ctx, "iam:UntagPolicy", &arn, tag_keys, |p| {
            p.tags
                .retain(|t| !keys.iter().any(|k| k.eq_ignore_ascii_case(&t.key)));
            Ok(())
        })
        .await?;
        Ok(())
    }
}

impl ListPolicyTags for IamService {
    async fn list_policy_tags(
        &self,
        ctx: &RequestContext,
        input: ListPolicyTagsRequest,
    ) -> Result<ListPolicyTagsResponse, ServiceError> {
        let arn = required(input.policy_arn, "policyArn")?;
        let found = self
            .authorized_policy(ctx, "iam:ListPolicyTags", &arn, Keys::Plain)
            .await?;
        let tags: Vec<TagRecord> = match found {
            Some(Managed::Customer(p)) => p.value.tags,
            Some(Managed::Aws(_)) => Vec::new(),
            None => return Err(policy_not_found(&arn)),
        };
        let indexed: Vec<(usize, TagRecord)> = tags.into_iter().enumerate().collect();
        let page = page(
            indexed,
            input.marker.as_deref(),
            input.max_items,
            |(i, _)| format!("{i:04}"),
        )?;
        let tags = page
            .items
            .into_iter()
            .map(|(_, t)| Tag {
                key: Some(t.key),
                value: Some(t.value),
            })
            .collect();
        Ok(ListPolicyTagsResponse {
            tags: Some(tags),
            is_truncated: Some(page.is_truncated),
            marker: page.marker,
        })
    }
}

/// `existing` tags with `given` ones set over them (keys compare case-insensitively), at
/// most 50 in all.
fn merged_tags(
    existing: &[TagRecord],
    given: &[TagRecord],
) -> Result<Vec<TagRecord>, ServiceError> {
    let wire = given
        .iter()
        .map(|t| Tag {
            key: Some(t.key.clone()),
            value: Some(t.value.clone()),
        })
        .collect();
    tags_in(Some(wire), existing)
}

/// DeletePolicy's preconditions: not attached or used as a boundary, no versions besides
/// the default one.
fn check_deletable(policy: &ManagedPolicyRecord) -> Result<(), ServiceError> {
    if policy.attachment_count > 0 || policy.boundary_usage_count > 0 {
        return Err(errors::delete_conflict_exception(
            "Cannot delete a policy attached to entities.",
        ));
    }
    if policy.versions.len() > 1 {
        return Err(errors::delete_conflict_exception(
            "This policy has more than one version. Before you delete a policy, you must \
             delete the policy's versions. The default version is deleted with the policy.",
        ));
    }
    Ok(())
}

/// ListPolicies' filters.
struct ListFilter {
    path_prefix: String,
    only_attached: bool,
    usage: Option<PolicyUsageType>,
}

impl ListFilter {
    fn keeps(&self, policy: &Policy) -> bool {
        let path_ok = policy
            .path
            .as_deref()
            .is_some_and(|p| p.starts_with(&self.path_prefix));
        let usage = Usage {
            attachments: policy.attachment_count.unwrap_or(0),
            boundaries: policy.permissions_boundary_usage_count.unwrap_or(0),
        };
        let usage_ok = match &self.usage {
            Some(PolicyUsageType::PermissionsBoundary) => usage.boundaries > 0,
            _ if self.only_attached => usage.attachments > 0,
            _ => true,
        };
        path_ok && usage_ok
    }
}

/// ListPolicies order and Marker: by name, then ARN (a customer policy may share an AWS
/// managed policy's name).
fn list_key(policy: &Policy) -> String {
    format!(
        "{} {}",
        policy.policy_name.as_deref().unwrap_or_default(),
        policy.arn.as_deref().unwrap_or_default()
    )
}
