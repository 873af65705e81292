//! Domain ↔ generated wire shapes: key metadata, list entries, tags, encryption contexts,
//! timestamps, enum names, and domain errors → AWS errors.

use crate::domain::KmsArns;
use crate::domain::{
    AliasRecord, KeyRecord, KeyState, KmsError, ListedAlias, MultiRegionConfig, Scope,
};
use crate::generated::shapes::{
    AliasListEntry, KeyListEntry, KeyMetadata, MultiRegionConfiguration, MultiRegionKey, Tag,
};
use rampart_codec::{ServiceError, Timestamp};
use rampart_crypto::material::{Spec, Usage, spec_info};
use std::collections::BTreeMap;

/// CloudTrail resource type of a KMS key.
pub const KEY_RESOURCE: &str = "AWS::KMS::Key";

/// The AWS error for a domain error; internal faults are logged here and answered generically.
impl From<KmsError> for ServiceError {
    fn from(e: KmsError) -> Self {
        if let KmsError::Internal(detail) | KmsError::Conflict(detail) = &e {
            tracing::error!(error = %detail, "KMS internal failure");
        }
        ServiceError::new(e.code(), e.status(), e.client_message())
    }
}

/// Epoch milliseconds as a wire timestamp.
pub fn timestamp(ms: i64) -> Timestamp {
    Timestamp::from_epoch_millis(ms)
}

/// The generated enum value named `name` (its AWS spelling).
pub fn enum_value<T: for<'a> From<&'a str>>(name: &str) -> Option<T> {
    Some(T::from(name))
}

/// `KeyMetadata` of a key, as DescribeKey and CreateKey return it.
pub fn key_metadata(k: &KeyRecord) -> KeyMetadata {
    let pending = matches!(
        k.state,
        KeyState::PendingDeletion | KeyState::PendingReplicaDeletion
    );
    let mut meta = KeyMetadata {
        aws_account_id: Some(k.account.clone()),
        key_id: Some(k.key_id.clone()),
        arn: Some(k.arn()),
        creation_date: Some(timestamp(k.created_ms)),
        enabled: Some(k.state == KeyState::Enabled),
        description: Some(k.description.clone()),
        key_usage: enum_value(&k.key_usage),
        key_state: enum_value(k.state.as_str()),
        deletion_date: k.deletion_ms.filter(|_| pending).map(timestamp),
        pending_deletion_window_in_days: k
            .pending_window_days
            .filter(|_| pending)
            .and_then(|d| i32::try_from(d).ok()),
        origin: enum_value(&k.origin),
        key_manager: enum_value(&k.key_manager),
        customer_master_key_spec: enum_value(&k.key_spec),
        key_spec: enum_value(&k.key_spec),
        multi_region: Some(k.multi_region),
        multi_region_configuration: k.multi_region_config.as_ref().map(|c| multi_region(k, c)),
        ..Default::default()
    };
    add_algorithms(&mut meta, k);
    if let Some(import) = &k.import {
        meta.expiration_model = import.expiration_model.as_deref().and_then(enum_value);
        meta.valid_to = import.valid_to_ms.map(timestamp);
    }
    meta
}

/// The algorithm lists DescribeKey shows for the key's spec and usage.
fn add_algorithms(meta: &mut KeyMetadata, k: &KeyRecord) {
    let Some(spec) = Spec::from_aws(&k.key_spec) else {
        return;
    };
    let info = spec_info(spec);
    match Usage::from_aws(&k.key_usage) {
        Some(Usage::EncryptDecrypt) => {
            meta.encryption_algorithms = Some(
                info.encryption
                    .iter()
                    .filter_map(|a| enum_value(a.as_aws()))
                    .collect(),
            );
        }
        Some(Usage::SignVerify) => {
            meta.signing_algorithms = Some(
                info.signing
                    .iter()
                    .filter_map(|a| enum_value(a.as_aws()))
                    .collect(),
            );
        }
        Some(Usage::GenerateVerifyMac) => {
            meta.mac_algorithms = Some(
                info.mac
                    .iter()
                    .filter_map(|a| enum_value(a.as_aws()))
                    .collect(),
            );
        }
        Some(Usage::KeyAgreement) => {
            meta.key_agreement_algorithms = Some(
                info.agreement
                    .iter()
                    .filter_map(|a| enum_value(a.as_aws()))
                    .collect(),
            );
        }
        Some(Usage::EncapsulateDecapsulate) | None => {}
    }
}

/// `MultiRegionConfiguration`: the key's role and every copy's ARN.
fn multi_region(k: &KeyRecord, c: &MultiRegionConfig) -> MultiRegionConfiguration {
    let arn_in = |region: &str| Scope::new(k.account.clone(), region).key_arn(&k.key_id);
    let is_primary = c.primary_region == k.region;
    MultiRegionConfiguration {
        multi_region_key_type: enum_value(if is_primary { "PRIMARY" } else { "REPLICA" }),
        primary_key: Some(MultiRegionKey {
            arn: Some(arn_in(&c.primary_region)),
            region: Some(c.primary_region.clone()),
        }),
        replica_keys: Some(
            c.replica_regions
                .iter()
                .map(|r| MultiRegionKey {
                    arn: Some(arn_in(r)),
                    region: Some(r.clone()),
                })
                .collect(),
        ),
    }
}

/// A ListKeys entry.
pub fn key_list_entry(k: &KeyRecord) -> KeyListEntry {
    KeyListEntry {
        key_id: Some(k.key_id.clone()),
        key_arn: Some(k.arn()),
    }
}

/// A ListAliases entry.
pub fn alias_list_entry(scope: &Scope, a: &AliasRecord) -> AliasListEntry {
    AliasListEntry {
        alias_name: Some(a.alias_name.clone()),
        alias_arn: Some(scope.alias_arn(&a.alias_name)),
        target_key_id: Some(a.target_key_id.clone()),
        creation_date: Some(timestamp(a.created_ms)),
        last_updated_date: Some(timestamp(a.updated_ms)),
    }
}

/// A ListAliases entry: a predefined alias shows only its name and ARN, as AWS lists it.
pub fn listed_alias(scope: &Scope, a: &ListedAlias) -> AliasListEntry {
    match a {
        ListedAlias::Stored(record) => alias_list_entry(scope, record),
        ListedAlias::Predefined(name) => AliasListEntry {
            alias_name: Some((*name).to_owned()),
            alias_arn: Some(scope.alias_arn(name)),
            ..Default::default()
        },
    }
}

/// Request tags as (key, value) pairs.
pub fn tag_pairs(tags: Option<Vec<Tag>>) -> Vec<(String, String)> {
    tags.unwrap_or_default()
        .into_iter()
        .map(|t| {
            (
                t.tag_key.unwrap_or_default(),
                t.tag_value.unwrap_or_default(),
            )
        })
        .collect()
}

/// Response tags.
pub fn tags_out<'a>(tags: impl IntoIterator<Item = (&'a String, &'a String)>) -> Vec<Tag> {
    tags.into_iter()
        .map(|(k, v)| Tag {
            tag_key: Some(k.clone()),
            tag_value: Some(v.clone()),
        })
        .collect()
}

/// An encryption context as the ordered map the ciphertext format authenticates.
pub fn context<I: IntoIterator<Item = (String, String)>>(
    given: Option<I>,
) -> BTreeMap<String, String> {
    given.map(|c| c.into_iter().collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_keep_milliseconds() {
        assert_eq!(
            timestamp(1_700_000_000_123).epoch_millis(),
            1_700_000_000_123
        );
    }

    #[test]
    fn internal_errors_are_generic() {
        let e = ServiceError::from(KmsError::Internal("secret detail".into()));
        assert_eq!(e.status, 500);
        assert!(!e.message.contains("secret"));
        let e = ServiceError::from(KmsError::Disabled("arn is disabled.".into()));
        assert_eq!((e.code.as_ref(), e.status), ("DisabledException", 400));
    }
}
