//! Multi-Region keys: ReplicateKey and UpdatePrimaryRegion, which rewrite every copy's
//! `MultiRegionConfiguration` in one compare-and-swap transaction; and GetKeyLastUsage.
//!
//! A replica is a full key record of its own (same key id, spec, usage, origin, rotation and
//! material versions; its own state, description, policy, tags and aliases) holding its own
//! wrapped copy of every material version, so a replica Region decrypts a primary Region's
//! ciphertext without any cross-Region call. AWS returns a new replica in the transient
//! `Creating` state; Rampart copies the material inside the ReplicateKey transaction, so the
//! replica is `Enabled` (or `PendingImport` for EXTERNAL keys) as soon as the call returns.
//! UpdatePrimaryRegion is likewise atomic: the transient `Updating` state is never observable.

use super::{CAS_ATTEMPTS, required};
use crate::KmsService;
use crate::authz::Ask;
use crate::authz::context::{bool_text, set_request_tags};
use crate::authz::key_policy::{PolicyTarget, check_lockout, compile_key_policy};
use crate::convert::{self, KEY_RESOURCE};
use crate::crypto::VersionInfo;
use crate::domain::KmsArns;
use crate::domain::{
    Accept, ImportConfig, KeyRecord, KeyState, KmsError, MultiRegionConfig, PolicyRecord, Scope,
    TagSet, default_key_policy,
};
use crate::generated::shapes::*;
use crate::generated::{GetKeyLastUsage, ReplicateKey, UpdatePrimaryRegion};
use crate::store::{backing_row, key_row};
use rampart_core::RequestContext;
use rampart_core::rampart_policy::{Context, Policy};
use rampart_store::{Expect, StoreError, Versioned, Write};

/// What ReplicateKey was asked for, validated.
struct ReplicaRequest {
    region: String,
    description: String,
    policy: Option<String>,
    /// The policy, compiled (for the lockout check).
    compiled: Option<Policy>,
    tags: TagSet,
    /// The tags as given (aws:RequestTag/*).
    pairs: Vec<(String, String)>,
    /// BypassPolicyLockoutSafetyCheck.
    bypass: bool,
}

impl ReplicaRequest {
    /// Checks ReplicateKey's Region, policy document and tags.
    fn from_input(input: ReplicateKeyRequest) -> Result<Self, KmsError> {
        let region = required(input.replica_region, "replicaRegion")?;
        let compiled = input
            .policy
            .as_deref()
            .map(compile_key_policy)
            .transpose()?;
        let pairs = convert::tag_pairs(input.tags);
        let mut tags = TagSet::new();
        tags.apply(&pairs)?;
        Ok(ReplicaRequest {
            region,
            description: input.description.unwrap_or_default(),
            policy: input.policy,
            compiled,
            tags,
            pairs,
            bypass: input.bypass_policy_lockout_safety_check == Some(true),
        })
    }
}

impl ReplicateKey for KmsService {
    async fn replicate_key(
        &self,
        ctx: &RequestContext,
        input: ReplicateKeyRequest,
    ) -> Result<ReplicateKeyResponse, KmsError> {
        let key_id = required(input.key_id.clone(), "keyId")?;
        let request = ReplicaRequest::from_input(input)?;
        let (region, bypass) = (request.region.as_str(), request.bypass);
        let extra = |_: &KeyRecord, c: &mut Context| {
            c.set("kms:ReplicaRegion", region);
            c.set("kms:BypassPolicyLockoutSafetyCheck", bool_text(bypass));
        };
        let ask = Ask::new("kms:ReplicateKey").extra(&extra);
        for _ in 0..CAS_ATTEMPTS {
            let primary = self.stored_key(ctx, &key_id, Accept::KeyOnly, &ask).await?;
            self.authorize_replica(ctx, &primary.value, &request)?;
            if let Some((replica, policy)) = self.try_replicate(&primary, &request).await? {
                ctx.note_resource(replica.arn(), KEY_RESOURCE);
                let tags = &request.tags.tags;
                return Ok(ReplicateKeyResponse {
                    replica_key_metadata: Some(self.key_metadata(&replica).await?),
                    replica_policy: Some(policy),
                    replica_tags: (!tags.is_empty()).then(|| convert::tags_out(tags.iter())),
                });
            }
        }
        Err(KmsError::Internal("ReplicateKey kept conflicting".into()))
    }
}

impl KmsService {
    /// What ReplicateKey needs besides kms:ReplicateKey on the primary: kms:CreateKey in the
    /// replica Region, kms:TagResource for its tags (IAM policies), and a policy that passes the
    /// lockout check on the replica.
    fn authorize_replica(
        &self,
        ctx: &RequestContext,
        primary: &KeyRecord,
        replica: &ReplicaRequest,
    ) -> Result<(), KmsError> {
        let region = replica.region.as_str();
        let in_region = |c: &mut Context| c.set("aws:RequestedRegion", region);
        self.authorize_identity(ctx, "kms:CreateKey", "*", Some(&in_region))?;
        let scope = Scope::new(primary.account.clone(), region);
        let arn = scope.key_arn(&primary.key_id);
        if !replica.pairs.is_empty() {
            let tagging = |c: &mut Context| {
                in_region(c);
                set_request_tags(c, &replica.pairs);
            };
            self.authorize_identity(ctx, "kms:TagResource", &arn, Some(&tagging))?;
        }
        if let Some(policy) = &replica.compiled {
            let target = PolicyTarget {
                key_arn: &arn,
                account: &primary.account,
            };
            check_lockout(ctx, policy, &target, replica.bypass)?;
        }
        Ok(())
    }

    /// One attempt at ReplicateKey against the primary as read; None when a concurrent change
    /// made a compare-and-swap fail (the caller re-reads and retries).
    async fn try_replicate(
        &self,
        primary: &Versioned<KeyRecord>,
        request: &ReplicaRequest,
    ) -> Result<Option<(KeyRecord, String)>, KmsError> {
        let config = replicate_config(&primary.value, &request.region)?;
        let copies = self.copies_of(primary).await?;
        let now = self.now_ms();
        let replica = replica_record(&primary.value, request, config.clone(), now);
        let replica_scope = replica.scope();
        let row = key_row(&replica_scope, &replica.key_id);
        if self.tables.keys.get(&row).await?.is_some() {
            return Err(already_replicated(&replica));
        }
        let policy = request
            .policy
            .clone()
            .unwrap_or_else(|| default_key_policy(&replica_scope));
        let mut writes = self.config_writes(&copies, &config, |_| {})?;
        writes.push(self.tables.keys.put(&row, &replica, Expect::Absent)?);
        writes.push(self.tables.policies.put(
            &row,
            &PolicyRecord::new(policy.clone()),
            Expect::Absent,
        )?);
        writes.push(self.tables.tags.put(&row, &request.tags, Expect::Absent)?);
        writes.push(self.tables.index_write(&replica)?);
        writes.extend(
            self.replica_material_writes(&primary.value, &replica)
                .await?,
        );
        if !self.commit(writes, &copies, &replica).await? {
            return Ok(None);
        }
        tracing::info!(primary = %primary.value.arn(), replica = %replica.arn(), "replicated multi-Region key");
        Ok(Some((replica, policy)))
    }

    /// The key record of every copy of a multi-Region key, `key` first (as read). A copy named
    /// by the configuration but missing is skipped (its deletion is being recorded).
    pub(crate) async fn copies_of(
        &self,
        key: &Versioned<KeyRecord>,
    ) -> Result<Vec<Versioned<KeyRecord>>, KmsError> {
        let mut copies = vec![key.clone()];
        for region in key.value.other_regions() {
            let scope = Scope::new(key.value.account.clone(), region);
            if let Some(copy) = self
                .tables
                .keys
                .get(&key_row(&scope, &key.value.key_id))
                .await?
            {
                copies.push(copy);
            }
        }
        Ok(copies)
    }

    /// Writes giving every copy the configuration `config` (then `adjust`), each conditional on
    /// the version read.
    pub(crate) fn config_writes<F>(
        &self,
        copies: &[Versioned<KeyRecord>],
        config: &MultiRegionConfig,
        adjust: F,
    ) -> Result<Vec<Write>, KmsError>
    where
        F: Fn(&mut KeyRecord),
    {
        copies
            .iter()
            .map(|copy| {
                let mut next = copy.value.clone();
                next.multi_region_config = Some(config.clone());
                adjust(&mut next);
                let row = key_row(&next.scope(), &next.key_id);
                Ok(self
                    .tables
                    .keys
                    .put(&row, &next, Expect::Version(copy.version))?)
            })
            .collect()
    }

    /// Runs the transaction and drops every touched copy from the cache; false on a
    /// compare-and-swap conflict (nothing was written).
    pub(crate) async fn commit(
        &self,
        writes: Vec<Write>,
        copies: &[Versioned<KeyRecord>],
        extra: &KeyRecord,
    ) -> Result<bool, KmsError> {
        let outcome = self.tables.store.transact(writes).await;
        for copy in copies.iter().map(|c| &c.value).chain([extra]) {
            self.vault.invalidate_key(&copy.scope(), &copy.key_id);
        }
        match outcome {
            Ok(()) => Ok(true),
            Err(StoreError::Conflict { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Every material version of the primary, unwrapped and wrapped again for the replica's own
    /// ARN (same material, creation time, rotation type and `KeyMaterialId`). EXTERNAL keys
    /// replicate without material: the same material must be imported into the replica.
    async fn replica_material_writes(
        &self,
        primary: &KeyRecord,
        replica: &KeyRecord,
    ) -> Result<Vec<Write>, KmsError> {
        if replica.state == KeyState::PendingImport {
            return Ok(Vec::new());
        }
        let scope = primary.scope();
        let mut writes = Vec::new();
        for version in 1..=primary.backing_version {
            let row = backing_row(&scope, &primary.key_id, version);
            let Some(stored) = self.tables.backing.get(&row).await? else {
                continue;
            };
            let Some(material) = self
                .vault
                .backing_key(&self.tables, primary, version)
                .await?
            else {
                continue;
            };
            let info = VersionInfo {
                created_ms: stored.value.created_ms,
                rotation_type: stored.value.rotation_type.as_deref(),
                material_id: stored.value.material_id.as_deref(),
            };
            writes.push(self.vault.material_write(
                &self.tables,
                replica,
                version,
                &material,
                &info,
            )?);
        }
        Ok(writes)
    }
}

impl UpdatePrimaryRegion for KmsService {
    async fn update_primary_region(
        &self,
        ctx: &RequestContext,
        input: UpdatePrimaryRegionRequest,
    ) -> Result<(), KmsError> {
        let key_id = required(input.key_id, "keyId")?;
        let target = required(input.primary_region, "primaryRegion")?;
        let region = target.as_str();
        let extra = |_: &KeyRecord, c: &mut Context| c.set("kms:PrimaryRegion", region);
        let ask = Ask::new("kms:UpdatePrimaryRegion").extra(&extra);
        for _ in 0..CAS_ATTEMPTS {
            let primary = self.stored_key(ctx, &key_id, Accept::KeyOnly, &ask).await?;
            match self.try_move_primary(ctx, &primary, &ask, &target).await? {
                Moved::Conflict => continue,
                Moved::AlreadyPrimary => return Ok(()),
                Moved::To(arn) => {
                    ctx.note_resource(arn, KEY_RESOURCE);
                    return Ok(());
                }
            }
        }
        Err(KmsError::Internal(
            "UpdatePrimaryRegion kept conflicting".into(),
        ))
    }
}

impl KmsService {
    /// One attempt at UpdatePrimaryRegion (`ask` is also authorized on the new primary).
    async fn try_move_primary(
        &self,
        ctx: &RequestContext,
        primary: &Versioned<KeyRecord>,
        ask: &Ask<'_>,
        target: &str,
    ) -> Result<Moved, KmsError> {
        let key = &primary.value;
        if !key.is_primary() {
            return Err(not_primary(key));
        }
        if target == key.region {
            return Ok(Moved::AlreadyPrimary);
        }
        let copies = self.copies_of(primary).await?;
        let Some(new_primary) = copies.iter().find(|c| c.value.region == target) else {
            let scope = Scope::new(key.account.clone(), target);
            return Err(KmsError::key_not_found(&scope.key_arn(&key.key_id)));
        };
        self.authorize_key(ctx, &new_primary.value, ask, None)
            .await?;
        key.require_replicable()?;
        new_primary.value.require_replicable()?;
        let config = moved_config(key, target);
        let rotation = key.rotation.clone();
        let writes = self.config_writes(&copies, &config, |k| k.rotation = rotation.clone())?;
        let arn = new_primary.value.arn();
        if !self.commit(writes, &copies, key).await? {
            return Ok(Moved::Conflict);
        }
        tracing::info!(key = %key.arn(), new_primary = %arn, "moved multi-Region primary");
        Ok(Moved::To(arn))
    }
}

impl GetKeyLastUsage for KmsService {
    async fn get_key_last_usage(
        &self,
        ctx: &RequestContext,
        input: GetKeyLastUsageRequest,
    ) -> Result<GetKeyLastUsageResponse, KmsError> {
        let key_id = required(input.key_id, "keyId")?;
        let ask = Ask::new("kms:GetKeyLastUsage");
        let key = self
            .stored_key(ctx, &key_id, Accept::KeyOnly, &ask)
            .await?
            .value;
        let last = self.last_usage(&key).await?;
        let tracking_start = self.tracking_start_ms().await?.max(key.created_ms);
        Ok(GetKeyLastUsageResponse {
            key_id: Some(key.arn()),
            key_creation_date: Some(convert::timestamp(key.created_ms)),
            tracking_start_date: Some(convert::timestamp(tracking_start)),
            key_last_usage: Some(match last {
                Some(used) => KeyLastUsageData {
                    cloud_trail_event_id: None,
                    kms_request_id: Some(used.request_id),
                    operation: convert::enum_value(&used.operation),
                    timestamp: Some(convert::timestamp(used.ms)),
                },
                None => KeyLastUsageData::default(),
            }),
        })
    }
}

/// Outcome of one UpdatePrimaryRegion attempt.
enum Moved {
    /// A concurrent change won a compare-and-swap: read again and retry.
    Conflict,
    /// The Region named is already the primary Region: nothing to do.
    AlreadyPrimary,
    /// Done; the new primary's ARN.
    To(String),
}

/// The configuration after replicating `primary` into `region`, or the AWS refusal.
fn replicate_config(primary: &KeyRecord, region: &str) -> Result<MultiRegionConfig, KmsError> {
    if !primary.is_primary() {
        return Err(not_primary(primary));
    }
    primary.require_replicable()?;
    let target = Scope::new(primary.account.clone(), region);
    if target.partition() != primary.scope().partition() {
        return Err(KmsError::Validation(format!(
            "The replica Region {region} is not in the same partition as the primary key {}.",
            primary.arn()
        )));
    }
    let mut config = primary.multi_region_config.clone().unwrap_or_default();
    if config.primary_region == region || config.replica_regions.iter().any(|r| r == region) {
        let mut copy = primary.clone();
        copy.region = region.to_owned();
        return Err(already_replicated(&copy));
    }
    config.replica_regions.push(region.to_owned());
    Ok(config)
}

/// The configuration after making `target` (a replica Region) the primary: the old primary
/// takes the new primary's place among the replicas.
fn moved_config(primary: &KeyRecord, target: &str) -> MultiRegionConfig {
    let old = primary.multi_region_config.clone().unwrap_or_default();
    MultiRegionConfig {
        primary_region: target.to_owned(),
        replica_regions: old
            .replica_regions
            .iter()
            .map(|r| {
                if r == target {
                    old.primary_region.clone()
                } else {
                    r.clone()
                }
            })
            .collect(),
    }
}

/// The replica's record: shared properties from the primary, its own state and description.
fn replica_record(
    primary: &KeyRecord,
    request: &ReplicaRequest,
    config: MultiRegionConfig,
    now_ms: i64,
) -> KeyRecord {
    let mut replica = primary.clone();
    replica.region.clone_from(&request.region);
    replica.description.clone_from(&request.description);
    replica.created_ms = now_ms;
    replica.deletion_ms = None;
    replica.pending_window_days = None;
    replica.multi_region_config = Some(config);
    replica.rotation.on_demand_started_ms = None;
    if primary.origin == "EXTERNAL" {
        replica.state = KeyState::PendingImport;
        replica.import = Some(ImportConfig {
            material_fingerprint: primary
                .import
                .as_ref()
                .and_then(|i| i.material_fingerprint.clone()),
            ..ImportConfig::default()
        });
    } else {
        replica.state = KeyState::Enabled;
    }
    replica
}

/// UnsupportedOperationException for a key that is not a multi-Region primary key.
fn not_primary(key: &KeyRecord) -> KmsError {
    KmsError::Unsupported(format!("{} is not a multi-Region primary key.", key.arn()))
}

/// AlreadyExistsException: the Region already holds a copy of this multi-Region key.
fn already_replicated(copy: &KeyRecord) -> KmsError {
    KmsError::AlreadyExists(format!(
        "Replica key {} already exists in {}.",
        copy.arn(),
        copy.region
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn primary() -> KeyRecord {
        let scope = Scope::new("111122223333", "us-east-1");
        let mut k = KeyRecord::new_symmetric(&scope, "mrk-0123".into(), String::new(), 1);
        k.multi_region = true;
        k.multi_region_config = Some(MultiRegionConfig {
            primary_region: "us-east-1".into(),
            replica_regions: vec!["eu-west-1".into(), "ap-south-1".into()],
        });
        k
    }

    #[test]
    fn replication_extends_the_config_once_per_region() {
        let k = primary();
        let c = replicate_config(&k, "us-west-2").unwrap_or_default();
        assert_eq!(c.replica_regions, ["eu-west-1", "ap-south-1", "us-west-2"]);
        for taken in ["us-east-1", "eu-west-1"] {
            assert!(matches!(
                replicate_config(&k, taken),
                Err(KmsError::AlreadyExists(_))
            ));
        }
        assert!(matches!(
            replicate_config(&k, "cn-north-1"),
            Err(KmsError::Validation(_))
        ));
    }

    #[test]
    fn moving_the_primary_swaps_roles_in_place() {
        let c = moved_config(&primary(), "ap-south-1");
        assert_eq!(c.primary_region, "ap-south-1");
        assert_eq!(c.replica_regions, ["eu-west-1", "us-east-1"]);
    }
}
