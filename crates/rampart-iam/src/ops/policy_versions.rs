//! Managed policy versions: CreatePolicyVersion (at most five, optionally the new default),
//! GetPolicyVersion (document URL-encoded as IAM returns it), ListPolicyVersions (newest
//! first), DeletePolicyVersion (never the default) and SetDefaultPolicyVersion. The default
//! version is the one authorization reads.

use super::common::{check_document, page, required, timestamp};
use super::entity::{Keys, url_encode};
use super::managed::{Managed, policy_not_found, version_not_found};
use crate::IamService;
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{
    CreatePolicyVersion, DeletePolicyVersion, GetPolicyVersion, ListPolicyVersions,
    SetDefaultPolicyVersion,
};
use crate::records::{ManagedPolicyRecord, PolicyVersionRecord};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_core::rampart_policy::{PolicyKind, SizeLimit};

/// Most versions a managed policy keeps.
const MAX_VERSIONS: usize = 5;

impl CreatePolicyVersion for IamService {
    async fn create_policy_version(
        &self,
        ctx: &RequestContext,
        input: CreatePolicyVersionRequest,
    ) -> Result<CreatePolicyVersionResponse, ServiceError> {
        let arn = required(input.policy_arn, "policyArn")?;
        let document = required(input.policy_document, "policyDocument")?;
        let set_default = input.set_as_default.unwrap_or(false);
        let now = self.now_ms();
        let keys = Keys::Plain;
        let updated = self
            .update_policy(ctx, "iam:CreatePolicyVersion", &arn, keys, |p| {
                check_document(&document, PolicyKind::Identity, SizeLimit::ManagedPolicy)?;
                add_version(p, &document, set_default, now)
            })
            .await?;
        let created = updated.versions.last().map(|v| PolicyVersion {
            document: None,
            version_id: Some(v.version_id.clone()),
            is_default_version: Some(v.version_id == updated.default_version),
            create_date: Some(timestamp(v.created_ms)),
        });
        Ok(CreatePolicyVersionResponse {
            policy_version: created,
        })
    }
}

impl GetPolicyVersion for IamService {
    async fn get_policy_version(
        &self,
        ctx: &RequestContext,
        input: GetPolicyVersionRequest,
    ) -> Result<GetPolicyVersionResponse, ServiceError> {
        let arn = required(input.policy_arn, "policyArn")?;
        let version = required(input.version_id, "versionId")?;
        let found = self
            .policy_versions(ctx, "iam:GetPolicyVersion", &arn)
            .await?
            .into_iter()
            .find(|v| v.version_id.as_deref() == Some(version.as_str()))
            .ok_or_else(|| version_not_found(&arn, &version))?;
        Ok(GetPolicyVersionResponse {
            policy_version: Some(found),
        })
    }
}

impl ListPolicyVersions for IamService {
    async fn list_policy_versions(
        &self,
        ctx: &RequestContext,
        input: ListPolicyVersionsRequest,
    ) -> Result<ListPolicyVersionsResponse, ServiceError> {
        let arn = required(input.policy_arn, "policyArn")?;
        let mut versions = self
            .policy_versions(ctx, "iam:ListPolicyVersions", &arn)
            .await?;
        for v in &mut versions {
            v.document = None;
        }
        let page = page(
            versions,
            input.marker.as_deref(),
            input.max_items,
            newest_first_key,
        )?;
        Ok(ListPolicyVersionsResponse {
            versions: Some(page.items),
            is_truncated: Some(page.is_truncated),
            marker: page.marker,
        })
    }
}

impl DeletePolicyVersion for IamService {
    async fn delete_policy_version(
        &self,
        ctx: &RequestContext,
        input: DeletePolicyVersionRequest,
    ) -> Result<(), ServiceError> {
        let arn = required(input.policy_arn, "policyArn")?;
        let version = required(input.version_id, "versionId")?;
        let keys = Keys::Plain;
        self.update_policy(ctx, "iam:DeletePolicyVersion", &arn, keys, |p| {
            if p.default_version == version {
                return Err(errors::delete_conflict_exception(
                    "Cannot delete the default version of a policy.",
                ));
            }
            let before = p.versions.len();
            p.versions.retain(|v| v.version_id != version);
            if p.versions.len() == before {
                return Err(version_not_found(&arn, &version));
            }
            Ok(())
        })
        .await?;
        Ok(())
    }
}

impl SetDefaultPolicyVersion for IamService {
    async fn set_default_policy_version(
        &self,
        ctx: &RequestContext,
        input: SetDefaultPolicyVersionRequest,
    ) -> Result<(), ServiceError> {
        let arn = required(input.policy_arn, "policyArn")?;
        let version = required(input.version_id, "versionId")?;
        let keys = Keys::Plain;
        self.update_policy(ctx, "iam:SetDefaultPolicyVersion", &arn, keys, |p| {
            if !p.versions.iter().any(|v| v.version_id == version) {
                return Err(version_not_found(&arn, &version));
            }
            p.default_version.clone_from(&version);
            Ok(())
        })
        .await?;
        Ok(())
    }
}

impl IamService {
    /// Every version of the managed policy `arn`, newest first, with its URL-encoded
    /// document (AWS managed policies: the default version Rampart knows), after
    /// authorizing `action` on it.
    async fn policy_versions(
        &self,
        ctx: &RequestContext,
        action: &str,
        arn: &str,
    ) -> Result<Vec<PolicyVersion>, ServiceError> {
        let found = self
            .authorized_policy(ctx, action, arn, Keys::Plain)
            .await?;
        match found {
            Some(Managed::Customer(p)) => {
                let policy = p.value;
                Ok(policy
                    .versions
                    .iter()
                    .rev()
                    .map(|v| version_view(v, v.version_id == policy.default_version))
                    .collect())
            }
            Some(Managed::Aws(p)) => Ok(vec![PolicyVersion {
                document: Some(url_encode(p.document)),
                version_id: Some(p.version_id.to_owned()),
                is_default_version: Some(true),
                create_date: Some(timestamp(p.updated_ms)),
            }]),
            None => Err(policy_not_found(arn)),
        }
    }
}

/// Appends version `v<next>` with `document` (the new default if `set_default`); AWS's
/// `LimitExceeded` when the policy already has five versions.
fn add_version(
    policy: &mut ManagedPolicyRecord,
    document: &str,
    set_default: bool,
    now: i64,
) -> Result<(), ServiceError> {
    if policy.versions.len() >= MAX_VERSIONS {
        return Err(errors::limit_exceeded_exception(
            "A managed policy can have up to 5 versions. Before you create a new version, you \
             must delete an existing version.",
        ));
    }
    let version_id = format!("v{}", policy.next_version);
    policy.next_version += 1;
    if set_default {
        policy.default_version.clone_from(&version_id);
    }
    policy.versions.push(PolicyVersionRecord {
        version_id,
        document: document.to_owned(),
        created_ms: now,
    });
    policy.updated_ms = now;
    Ok(())
}

fn version_view(version: &PolicyVersionRecord, is_default: bool) -> PolicyVersion {
    PolicyVersion {
        document: Some(url_encode(&version.document)),
        version_id: Some(version.version_id.clone()),
        is_default_version: Some(is_default),
        create_date: Some(timestamp(version.created_ms)),
    }
}

/// Marker key of a version in newest-first order: ascending as version numbers descend.
fn newest_first_key(version: &PolicyVersion) -> String {
    let number = version
        .version_id
        .as_deref()
        .and_then(|v| v.strip_prefix('v'))
        .and_then(|n| n.split('.').next())
        .and_then(|n| n.parse::<u32>().ok())
        .unwrap_or(0);
    format!("{:010}", u32::MAX - number)
}
