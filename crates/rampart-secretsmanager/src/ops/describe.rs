//! DescribeSecret and ListSecretVersionIds, and the secret's list entry ListSecrets shares.

use super::cross_account::{cross_primary, cross_replicas};
use super::list::page;
use crate::SecretsManagerService;
use crate::generated::{DescribeSecret, DescribeSecretRequest, DescribeSecretResponse};
use crate::generated::{ListSecretVersionIds, ListSecretVersionIdsRequest};
use crate::generated::{ListSecretVersionIdsResponse, SecretListEntry, SecretVersionsListEntry};
use crate::generated::{ServiceError, Tag};
use crate::ids::secret_id;
use crate::policy::authorize_secret;
use crate::record::SecretRecord;
use crate::replication::primary_region_of;
use crate::rotation::view::view;
use rampart_codec::Timestamp;
use rampart_core::RequestContext;
use std::collections::BTreeMap;

/// The labelled versions of `record` and their labels.
fn stages(record: &SecretRecord) -> BTreeMap<String, Vec<String>> {
    record
        .versions
        .iter()
        .filter(|v| !v.stages.is_empty())
        .map(|v| (v.id.clone(), v.stages.clone()))
        .collect()
}

fn tags(record: &SecretRecord) -> Vec<Tag> {
    record
        .tags
        .iter()
        .map(|(k, v)| Tag {
            key: Some(k.clone()),
            value: Some(v.clone()),
        })
        .collect()
}

/// `record` as a ListSecrets entry.
pub fn list_entry(record: &SecretRecord) -> SecretListEntry {
    let rotation = view(&record.rotation);
    SecretListEntry {
        arn: Some(record.arn.clone()),
        name: Some(record.name.clone()),
        description: record.description.clone(),
        kms_key_id: record.kms_key_id.clone(),
        created_date: Some(Timestamp::from_epoch_millis(record.created_ms)),
        last_changed_date: Some(Timestamp::from_epoch_millis(record.last_changed_ms)),
        last_accessed_date: record.last_accessed_ms.map(Timestamp::from_epoch_millis),
        deleted_date: record.deleted_ms.map(Timestamp::from_epoch_millis),
        secret_versions_to_stages: Some(stages(record)),
        tags: (!record.tags.is_empty()).then(|| tags(record)),
        primary_region: primary_region_of(record).map(str::to_owned),
        // Rotation.
        rotation_enabled: rotation.enabled,
        rotation_lambda_arn: rotation.lambda_arn,
        rotation_rules: rotation.rules,
        last_rotated_date: rotation.last_rotated,
        next_rotation_date: rotation.next_rotation,
        ..SecretListEntry::default()
    }
}

impl DescribeSecret for SecretsManagerService {
    async fn describe_secret(
        &self,
        ctx: &RequestContext,
        input: DescribeSecretRequest,
    ) -> Result<DescribeSecretResponse, ServiceError> {
        let record = self
            .resolve_shared(ctx, secret_id(input.secret_id.as_deref())?)
            .await?
            .value;
        authorize_secret(ctx, "secretsmanager:DescribeSecret", &record)?;
        let rotation = view(&record.rotation);
        Ok(DescribeSecretResponse {
            arn: Some(record.arn.clone()),
            name: Some(record.name.clone()),
            description: record.description.clone(),
            kms_key_id: record.kms_key_id.clone(),
            created_date: Some(Timestamp::from_epoch_millis(record.created_ms)),
            last_changed_date: Some(Timestamp::from_epoch_millis(record.last_changed_ms)),
            last_accessed_date: record.last_accessed_ms.map(Timestamp::from_epoch_millis),
            deleted_date: record.deleted_ms.map(Timestamp::from_epoch_millis),
            version_ids_to_stages: Some(stages(&record)),
            tags: (!record.tags.is_empty()).then(|| tags(&record)),
            primary_region: primary_region_of(&record).map(str::to_owned),
            replication_status: self.replication_status(&record).await?,
            cross_account_primary: cross_primary(&record),
            cross_account_replicas: cross_replicas(&record),
            // Rotation.
            rotation_enabled: rotation.enabled,
            rotation_lambda_arn: rotation.lambda_arn,
            rotation_rules: rotation.rules,
            last_rotated_date: rotation.last_rotated,
            next_rotation_date: rotation.next_rotation,
            ..DescribeSecretResponse::default()
        })
    }
}

impl ListSecretVersionIds for SecretsManagerService {
    async fn list_secret_version_ids(
        &self,
        ctx: &RequestContext,
        input: ListSecretVersionIdsRequest,
    ) -> Result<ListSecretVersionIdsResponse, ServiceError> {
        let record = self
            .resolve(ctx, secret_id(input.secret_id.as_deref())?)
            .await?
            .value;
        authorize_secret(ctx, "secretsmanager:ListSecretVersionIds", &record)?;
        let deprecated = input.include_deprecated.unwrap_or(false);
        let versions: Vec<SecretVersionsListEntry> = record
            .versions
            .iter()
            .rev()
            .filter(|v| deprecated || !v.stages.is_empty())
            .map(|v| SecretVersionsListEntry {
                version_id: Some(v.id.clone()),
                version_stages: Some(v.stages.clone()),
                created_date: Some(Timestamp::from_epoch_millis(v.created_ms)),
                last_accessed_date: v.last_accessed_ms.map(Timestamp::from_epoch_millis),
                kms_key_ids: Some(
                    std::iter::once(&v.key_arn)
                        .chain(&v.earlier_keys)
                        .cloned()
                        .collect(),
                ),
            })
            .collect();
        let (versions, next_token) =
            page(versions, input.max_results, input.next_token.as_deref())?;
        Ok(ListSecretVersionIdsResponse {
            arn: Some(record.arn),
            name: Some(record.name),
            versions: Some(versions),
            next_token,
        })
    }
}
