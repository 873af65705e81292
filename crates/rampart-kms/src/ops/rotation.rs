//! Key rotation: EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand,
//! ListKeyRotations, and the scheduler of due automatic rotations. A rotation writes fresh material
//! as backing version n+1 of the key (and of every multi-Region replica) and bumps
//! `backing_version`, all in one transaction; older versions stay, so old ciphertexts decrypt.

use super::imported_rotation::imported_entry;
use super::required;
use crate::KmsService;
use crate::authz::Ask;
use crate::convert::{enum_value, timestamp};
use crate::crypto::{VersionInfo, material_fault, new_material_id, spec_of};
use crate::domain::rotation::{
    DEFAULT_ROTATION_PERIOD_DAYS, DueAction, RotationKind, check_on_demand_quota,
    check_rotation_kind, check_rotation_material, check_rotation_state, days_ms, due_action,
    is_replica, rotation_period_days, supports_rotation,
};
use crate::domain::{
    Accept, KeyRecord, KmsError, ListKind, Page, RotationConfig, Scope, decode_marker,
};
use crate::generated::enums::IncludeKeyMaterial;
use crate::generated::shapes::*;
use crate::generated::{
    DisableKeyRotation, EnableKeyRotation, GetKeyRotationStatus, ListKeyRotations,
    RotateKeyOnDemand,
};
use crate::schedule::{ROTATION_QUEUE, drain_schedule, schedule_row, scheduled};
use crate::store::{BackingKeyRecord, KmsTables, backing_row, key_row};
use rampart_core::rampart_policy::Context;
use rampart_core::{JobContext, RequestContext};
use rampart_crypto::material::Material;
use rampart_store::{Expect, StoreError, Table, Versioned, Write};
use serde::{Deserialize, Serialize};

/// The automatic rotation schedule, keyed by due time so the scheduler reads only what is due.
pub(crate) const ROTATION_SCHEDULE: &str = "kms_rotation_schedule";

/// Compare-and-swap attempts of a rotation before giving up.
pub(crate) const ATTEMPTS: usize = 5;
/// Schedule entries (and backing keys) read per store call.
const BATCH: usize = 200;

/// The key a schedule entry points at; the entry's row key starts with its due time.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ScheduledKey {
    /// Owning account.
    pub account: String,
    /// Region.
    pub region: String,
    /// Key id.
    pub key_id: String,
}

impl ScheduledKey {
    /// The entry for `key`.
    pub fn of(key: &KeyRecord) -> Self {
        Self {
            account: key.account.clone(),
            region: key.region.clone(),
            key_id: key.key_id.clone(),
        }
    }

    fn scope(&self) -> Scope {
        Scope::new(self.account.clone(), self.region.clone())
    }
}

/// The rotation schedule table.
pub(crate) fn schedule(tables: &KmsTables) -> Table<ScheduledKey> {
    Table::new(tables.store.clone(), ROTATION_SCHEDULE)
}

/// The writes scheduling `key`'s next automatic rotation, its schedule row and queue item (none
/// when it has none). For whoever creates keys that rotate from the start (AWS managed keys:
/// `RotationConfig` enabled, 365 days).
pub(crate) fn rotation_schedule_write(
    tables: &KmsTables,
    key: &KeyRecord,
) -> Result<Vec<Write>, KmsError> {
    let Some(next) = key.rotation.next_rotation_ms else {
        return Ok(Vec::new());
    };
    let row = schedule_row(next, &key.scope(), &key.key_id);
    let entry = ScheduledKey::of(key);
    Ok(scheduled(&schedule(tables), &ROTATION_QUEUE, &row, &entry)?.into())
}

impl EnableKeyRotation for KmsService {
    async fn enable_key_rotation(
        &self,
        ctx: &RequestContext,
        input: EnableKeyRotationRequest,
    ) -> Result<(), KmsError> {
        let key_id = required(input.key_id, "keyId")?;
        let period = rotation_period_days(input.rotation_period_in_days.map(i64::from))?;
        let now = self.now_ms();
        let caller = ctx.principal.arn.clone();
        let days = period.to_string();
        let extra =
            |_: &KeyRecord, c: &mut Context| c.set("kms:RotationPeriodInDays", days.as_str());
        let ask = Ask::new("kms:EnableKeyRotation").extra(&extra);
        self.update_key(ctx, &key_id, &ask, |k, tables| {
            check_rotation_kind(k, &caller, "EnableKeyRotation")?;
            check_rotation_state(k)?;
            if k.rotation.enabled && k.rotation.period_days == Some(period) {
                return Ok(Vec::new());
            }
            let mut writes = unschedule(tables, k);
            k.rotation = RotationConfig {
                enabled: true,
                period_days: Some(period),
                next_rotation_ms: Some(now.saturating_add(days_ms(period))),
                on_demand_started_ms: None,
            };
            writes.extend(rotation_schedule_write(tables, k)?);
            Ok(writes)
        })
        .await
        .map(drop)
    }
}

impl DisableKeyRotation for KmsService {
    async fn disable_key_rotation(
        &self,
        ctx: &RequestContext,
        input: DisableKeyRotationRequest,
    ) -> Result<(), KmsError> {
        let key_id = required(input.key_id, "keyId")?;
        let caller = ctx.principal.arn.clone();
        let ask = Ask::new("kms:DisableKeyRotation");
        self.update_key(ctx, &key_id, &ask, |k, tables| {
            check_rotation_kind(k, &caller, "DisableKeyRotation")?;
            check_rotation_state(k)?;
            let writes = unschedule(tables, k);
            k.rotation.enabled = false;
            k.rotation.next_rotation_ms = None;
            Ok(writes)
        })
        .await
        .map(drop)
    }
}

impl GetKeyRotationStatus for KmsService {
    async fn get_key_rotation_status(
        &self,
        ctx: &RequestContext,
        input: GetKeyRotationStatusRequest,
    ) -> Result<GetKeyRotationStatusResponse, KmsError> {
        let key_id = required(input.key_id, "keyId")?;
        let ask = Ask::new("kms:GetKeyRotationStatus");
        let key = self
            .stored_key(ctx, &key_id, Accept::KeyOnly, &ask)
            .await?
            .value;
        if key.origin != "AWS_KMS" && supports_rotation(&key) {
            check_rotation_material(&key)?;
        }
        let mut out = GetKeyRotationStatusResponse {
            key_id: Some(key.arn()),
            key_rotation_enabled: Some(false),
            ..Default::default()
        };
        let rotation = self.effective_rotation(&key, self.now_ms()).await?;
        let pending_deletion = key.require_not_pending_deletion().is_err();
        if let Some(r) = rotation.filter(|r| r.enabled && !pending_deletion) {
            out.key_rotation_enabled = Some(true);
            out.rotation_period_in_days = r.period_days.and_then(|d| i32::try_from(d).ok());
            out.next_rotation_date = r.next_rotation_ms.map(timestamp);
            out.on_demand_rotation_start_date = r.on_demand_started_ms.map(timestamp);
        }
        Ok(out)
    }
}

impl KmsService {
    /// The rotation settings GetKeyRotationStatus reports: none for keys that cannot rotate; the
    /// primary's for a replica; always on, yearly, for AWS managed keys.
    async fn effective_rotation(
        &self,
        key: &KeyRecord,
        now: i64,
    ) -> Result<Option<RotationConfig>, KmsError> {
        if !supports_rotation(key) {
            return Ok(None);
        }
        if key.is_aws_managed() {
            let period = DEFAULT_ROTATION_PERIOD_DAYS;
            let next = key.rotation.next_rotation_ms.unwrap_or_else(|| {
                let elapsed = now.saturating_sub(key.created_ms).max(0);
                let periods = elapsed / days_ms(period) + 1;
                key.created_ms + periods.saturating_mul(days_ms(period))
            });
            return Ok(Some(RotationConfig {
                enabled: true,
                period_days: Some(period),
                next_rotation_ms: Some(next),
                on_demand_started_ms: key.rotation.on_demand_started_ms,
            }));
        }
        if !is_replica(key) {
            return Ok(Some(key.rotation.clone()));
        }
        let primary_region = key
            .multi_region_config
            .as_ref()
            .map(|c| c.primary_region.clone())
            .unwrap_or_default();
        let primary_scope = Scope::new(key.account.clone(), primary_region);
        let primary_row = key_row(&primary_scope, &key.key_id);
        Ok(Some(match self.tables.keys.get(&primary_row).await? {
            Some(p) => p.value.rotation,
            None => key.rotation.clone(),
        }))
    }
}

impl RotateKeyOnDemand for KmsService {
    async fn rotate_key_on_demand(
        &self,
        ctx: &RequestContext,
        input: RotateKeyOnDemandRequest,
    ) -> Result<RotateKeyOnDemandResponse, KmsError> {
        let key_id = required(input.key_id, "keyId")?;
        let ask = Ask::new("kms:RotateKeyOnDemand");
        for _ in 0..ATTEMPTS {
            let current = self.stored_key(ctx, &key_id, Accept::KeyOnly, &ask).await?;
            let key = &current.value;
            check_rotation_kind(key, &ctx.principal.arn, "RotateKeyOnDemand")?;
            check_rotation_state(key)?;
            check_on_demand_quota(key, self.on_demand_rotations(key).await?)?;
            let now = self.now_ms();
            let mut next = key.clone();
            let writes = if key.origin == "EXTERNAL" {
                self.promote_pending(&mut next, now).await?
            } else {
                next.backing_version = key.backing_version.saturating_add(1);
                self.rotation_writes(&next, RotationKind::OnDemand, now)
                    .await?
            };
            if self.commit_key_update(&current, &next, writes).await? {
                return Ok(RotateKeyOnDemandResponse {
                    key_id: Some(next.arn()),
                });
            }
        }
        Err(KmsError::Internal(format!(
            "rotation of {key_id} kept conflicting"
        )))
    }
}

impl KmsService {
    /// How many on-demand rotations `key` has had.
    async fn on_demand_rotations(&self, key: &KeyRecord) -> Result<usize, KmsError> {
        let versions = self.backing_versions(key, None, usize::MAX).await?;
        Ok(versions
            .iter()
            .filter(|v| v.rotation_type.as_deref() == Some(RotationKind::OnDemand.as_aws()))
            .count())
    }

    /// Up to `limit` backing-key records of `key` after version `after`, in version order.
    async fn backing_versions(
        &self,
        key: &KeyRecord,
        after: Option<u32>,
        limit: usize,
    ) -> Result<Vec<BackingKeyRecord>, KmsError> {
        let scope = key.scope();
        let prefix = format!("{}/", key_row(&scope, &key.key_id));
        let mut start = after.map(|v| backing_row(&scope, &key.key_id, v));
        let mut found = Vec::new();
        while found.len() < limit {
            let want = BATCH.min(limit - found.len());
            let batch = self
                .tables
                .backing
                .scan(&prefix, start.as_deref(), want)
                .await?;
            let done = batch.len() < want;
            start = batch.last().map(|(row, _)| row.clone());
            found.extend(batch.into_iter().map(|(_, v)| v.value));
            if done {
                break;
            }
        }
        Ok(found)
    }

    /// The writes of one rotation to `next` (whose `backing_version` is already the new version):
    /// fresh material stored as that version of the key and of every existing replica (each copy
    /// wrapped for its own ARN), and each replica record bumped with compare-and-swap.
    async fn rotation_writes(
        &self,
        next: &KeyRecord,
        kind: RotationKind,
        now: i64,
    ) -> Result<Vec<Write>, KmsError> {
        let material = Material::generate(spec_of(next)?).map_err(material_fault)?;
        let version = next.backing_version;
        let material_id = new_material_id();
        let info = VersionInfo {
            created_ms: now,
            rotation_type: Some(kind.as_aws()),
            material_id: Some(&material_id),
        };
        let vault = &self.vault;
        let mut writes =
            vec![vault.material_write(&self.tables, next, version, &material, &info)?];
        for region in replica_regions(next) {
            let scope = Scope::new(next.account.clone(), region);
            let row = key_row(&scope, &next.key_id);
            let Some(replica) = self.tables.keys.get(&row).await? else {
                continue;
            };
            let mut copy = replica.value;
            copy.backing_version = version;
            writes.push(vault.material_write(&self.tables, &copy, version, &material, &info)?);
            writes.push(
                self.tables
                    .keys
                    .put(&row, &copy, Expect::Version(replica.version))?,
            );
        }
        Ok(writes)
    }

    /// Stores `next` over `current` (compare-and-swap) with `writes`; false on a concurrent change.
    /// Drops the cached copies of the key and of its replicas.
    pub(crate) async fn commit_key_update(
        &self,
        current: &Versioned<KeyRecord>,
        next: &KeyRecord,
        mut writes: Vec<Write>,
    ) -> Result<bool, KmsError> {
        let row = key_row(&next.scope(), &next.key_id);
        writes.push(
            self.tables
                .keys
                .put(&row, next, Expect::Version(current.version))?,
        );
        let outcome = self.tables.store.transact(writes).await;
        self.vault.invalidate_key(&next.scope(), &next.key_id);
        for region in replica_regions(next) {
            let scope = Scope::new(next.account.clone(), region);
            self.vault.invalidate_key(&scope, &next.key_id);
        }
        match outcome {
            Ok(()) => Ok(true),
            Err(StoreError::Conflict { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}

impl ListKeyRotations for KmsService {
    async fn list_key_rotations(
        &self,
        ctx: &RequestContext,
        input: ListKeyRotationsRequest,
    ) -> Result<ListKeyRotationsResponse, KmsError> {
        let key_id = required(input.key_id, "keyId")?;
        let ask = Ask::new("kms:ListKeyRotations");
        let key = self
            .stored_key(ctx, &key_id, Accept::KeyOnly, &ask)
            .await?
            .value;
        if !supports_rotation(&key) {
            check_rotation_material(&key)?;
        }
        let all = input.include_key_material == Some(IncludeKeyMaterial::AllKeyMaterial);
        let size = ListKind::Rotations.page_size(input.limit.map(i64::from));
        let after = match &input.marker {
            Some(m) => Some(
                decode_marker(ListKind::Rotations, m)?
                    .parse::<u32>()
                    .map_err(|_| KmsError::invalid_marker())?,
            ),
            None if all => None,
            None => Some(1),
        };
        let versions = self.backing_versions(&key, after, size + 1).await?;
        let entries = match key.origin.as_str() {
            "EXTERNAL" if versions.is_empty() => imported_entries(&key, all && after.is_none()),
            // Material pending rotation is listed only with ALL_KEY_MATERIAL.
            "EXTERNAL" => versions
                .iter()
                .map(|v| imported_entry(&key, v))
                .filter(|(_, e)| all || e.key_material_state != enum_value("PENDING_ROTATION"))
                .collect(),
            _ => versions.iter().map(|v| rotation_entry(&key, v)).collect(),
        };
        let page = Page::from_overfetch(ListKind::Rotations, entries, size, |(v, _)| v.to_string());
        Ok(ListKeyRotationsResponse {
            truncated: Some(page.truncated()),
            next_marker: page.next_marker,
            rotations: Some(page.items.into_iter().map(|(_, e)| e).collect()),
        })
    }
}

impl KmsService {
    /// Rotates every key whose automatic rotation is due (and finishes on-demand rotations);
    /// returns how many rotations were performed.
    pub async fn rotate_due_keys(&self) -> Result<usize, KmsError> {
        self.rotate_due_keys_at(&JobContext::at(self.now_ms()))
            .await
    }

    /// [`KmsService::rotate_due_keys`] for one job run: the rotation items due at
    /// `ctx.now_ms` (the job runner's clock).
    pub async fn rotate_due_keys_at(&self, ctx: &JobContext) -> Result<usize, KmsError> {
        let table = schedule(&self.tables);
        drain_schedule(&table, &ROTATION_QUEUE, ctx, |row, due, entry| async move {
            self.run_scheduled(&row, due, &entry.value, ctx.now_ms)
                .await
        })
        .await
    }

    /// Handles one due schedule entry: rotates the key, looks again later, or drops the entry.
    async fn run_scheduled(
        &self,
        row: &str,
        due: i64,
        entry: &ScheduledKey,
        now: i64,
    ) -> Result<bool, KmsError> {
        let table = schedule(&self.tables);
        let key_row = key_row(&entry.scope(), &entry.key_id);
        for _ in 0..ATTEMPTS {
            let Some(current) = self.tables.keys.get(&key_row).await? else {
                return self.reschedule(row, entry, None).await;
            };
            if is_replica(&current.value) {
                return self.move_to_primary(row, due, &current.value).await;
            }
            let next_ms = match due_action(&current.value, due, now) {
                DueAction::Rotate { next_ms } => next_ms,
                DueAction::Recheck { at_ms } => {
                    return self.reschedule(row, entry, Some(at_ms)).await;
                }
                DueAction::Drop => return self.reschedule(row, entry, None).await,
            };
            let mut next = current.value.clone();
            next.backing_version = next.backing_version.saturating_add(1);
            next.rotation.next_rotation_ms = Some(next_ms);
            let mut writes = self
                .rotation_writes(&next, RotationKind::Automatic, now)
                .await?;
            writes.push(table.delete(row, Expect::Any));
            writes.extend(rotation_schedule_write(&self.tables, &next)?);
            if self.commit_key_update(&current, &next, writes).await? {
                tracing::info!(key_arn = %next.arn(), version = next.backing_version, "rotated KMS key");
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Drops a schedule entry, or moves it to `at_ms` to look at the key again then.
    async fn reschedule(
        &self,
        row: &str,
        entry: &ScheduledKey,
        at_ms: Option<i64>,
    ) -> Result<bool, KmsError> {
        let table = schedule(&self.tables);
        let mut writes = vec![table.delete(row, Expect::Any)];
        if let Some(at) = at_ms {
            let later = schedule_row(at, &entry.scope(), &entry.key_id);
            writes.extend(scheduled(&table, &ROTATION_QUEUE, &later, entry)?);
        }
        self.tables.store.transact(writes).await?;
        Ok(false)
    }
}

impl KmsService {
    /// Points a schedule entry of a key that has become a replica (UpdatePrimaryRegion) at its
    /// primary, which performs the rotation of every copy.
    async fn move_to_primary(
        &self,
        row: &str,
        due: i64,
        key: &KeyRecord,
    ) -> Result<bool, KmsError> {
        let table = schedule(&self.tables);
        let mut writes = vec![table.delete(row, Expect::Any)];
        if let Some(config) = &key.multi_region_config {
            let mut primary = ScheduledKey::of(key);
            primary.region.clone_from(&config.primary_region);
            let moved = schedule_row(due, &primary.scope(), &key.key_id);
            writes.extend(scheduled(&table, &ROTATION_QUEUE, &moved, &primary)?);
        }
        self.tables.store.transact(writes).await?;
        Ok(false)
    }
}

/// The write removing `key`'s current schedule entry, if it has one.
fn unschedule(tables: &KmsTables, key: &KeyRecord) -> Vec<Write> {
    key.rotation
        .next_rotation_ms
        .map(|due| {
            let row = schedule_row(due, &key.scope(), &key.key_id);
            schedule(tables).delete(&row, Expect::Any)
        })
        .into_iter()
        .collect()
}

/// The Regions of a multi-Region primary's replicas (none for other keys).
fn replica_regions(key: &KeyRecord) -> Vec<String> {
    match &key.multi_region_config {
        Some(c) if c.primary_region == key.region => c.replica_regions.clone(),
        _ => Vec::new(),
    }
}

/// A ListKeyRotations entry for one backing-key version, with its version for paging.
fn rotation_entry(key: &KeyRecord, v: &BackingKeyRecord) -> (u32, RotationsListEntry) {
    let current = if v.version == key.backing_version {
        "CURRENT"
    } else {
        "NON_CURRENT"
    };
    let entry = RotationsListEntry {
        key_id: Some(key.key_id.clone()),
        key_material_id: v.material_id.clone(),
        key_material_state: enum_value(current),
        rotation_date: v.rotation_type.as_ref().map(|_| timestamp(v.created_ms)),
        rotation_type: v.rotation_type.as_deref().and_then(enum_value),
        ..Default::default()
    };
    (v.version, entry)
}

/// The ListKeyRotations entry of a key whose imported material was deleted (PENDING_IMPORT),
/// listed only with ALL_KEY_MATERIAL.
fn imported_entries(key: &KeyRecord, include: bool) -> Vec<(u32, RotationsListEntry)> {
    let Some(import) = key
        .import
        .as_ref()
        .filter(|i| include && i.material_id.is_some())
    else {
        return Vec::new();
    };
    let imported = import.expiration_model.is_some();
    let entry = RotationsListEntry {
        key_id: Some(key.key_id.clone()),
        key_material_id: import.material_id.clone(),
        key_material_state: enum_value("CURRENT"),
        import_state: enum_value(if imported {
            "IMPORTED"
        } else {
            "PENDING_IMPORT"
        }),
        expiration_model: import.expiration_model.as_deref().and_then(enum_value),
        valid_to: import.valid_to_ms.map(timestamp),
        key_material_description: import.material_description.clone(),
        ..Default::default()
    };
    vec![(1, entry)]
}
