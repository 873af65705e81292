//! On-demand rotation of imported key material (single-Region symmetric EXTERNAL keys):
//! ImportKeyMaterial with ImportType NEW_KEY_MATERIAL stores the new material as the next backing
//! version, pending rotation; RotateKeyOnDemand makes it current (an ON_DEMAND rotation), and
//! ListKeyRotations lists every material with its import and material state.
//!
//! Where AWS's behaviour is not documented Rampart keeps it simple and says so: one material at a
//! time may be pending (a second NEW_KEY_MATERIAL import answers KMSInvalidStateException), only
//! the current material's ValidTo is enforced, and only the current and pending materials keep
//! their `KeyMaterialDescription`. RotateKeyOnDemand without pending material answers
//! KMSInvalidStateException.

use super::import::Checked;
use crate::KmsService;
use crate::convert::{enum_value, timestamp};
use crate::crypto::{KeyVault, VersionInfo};
use crate::domain::rotation::RotationKind;
use crate::domain::{ImportConfig, KeyRecord, KmsError, PendingMaterial};
use crate::generated::shapes::RotationsListEntry;
use crate::schedule::{schedule_row, scheduled};
use crate::store::{BackingKeyRecord, KmsTables, backing_row};
use rampart_store::{Expect, Write};

/// IncorrectKeyMaterialException when NEW_KEY_MATERIAL brings the material already in use.
pub(super) fn check_new_material(key: &KeyRecord, fingerprint: &str) -> Result<(), KmsError> {
    let current = key
        .import
        .as_ref()
        .and_then(|i| i.material_fingerprint.as_deref());
    if current == Some(fingerprint) {
        return Err(KmsError::IncorrectKeyMaterial(format!(
            "The key material is already the current key material of {}. Import it with \
             ImportType EXISTING_KEY_MATERIAL.",
            key.arn()
        )));
    }
    Ok(())
}

/// The `KeyMaterialId` of `key`'s pending material, if any.
pub(super) fn pending_id(key: &KeyRecord) -> Option<&String> {
    key.import
        .as_ref()
        .and_then(|i| i.pending.as_ref())
        .map(|p| &p.material_id)
}

/// Stores checked NEW_KEY_MATERIAL as backing version `backing_version + 1`, pending rotation.
pub(super) fn store_pending(
    tables: &KmsTables,
    k: &mut KeyRecord,
    checked: &Checked,
    vault: &KeyVault,
    now: i64,
) -> Result<Vec<Write>, KmsError> {
    if let Some(id) = pending_id(k) {
        return Err(KmsError::InvalidState(format!(
            "{} already has key material {id} pending rotation. Rotate it with \
             RotateKeyOnDemand or delete it before importing other new key material.",
            k.arn()
        )));
    }
    let version = k.backing_version.saturating_add(1);
    let info = VersionInfo {
        created_ms: now,
        rotation_type: None,
        material_id: Some(&checked.material_id),
    };
    let write = vault.material_write(tables, k, version, &checked.material, &info)?;
    let import = k.import.get_or_insert_with(ImportConfig::default);
    import.pending = Some(PendingMaterial {
        version,
        material_id: checked.material_id.clone(),
        fingerprint: checked.fingerprint.clone(),
        expiration_model: checked.model.into(),
        valid_to_ms: checked.valid_to,
        description: checked.description.clone(),
    });
    Ok(vec![write])
}

/// Deletes `k`'s pending material (DeleteImportedKeyMaterial naming its KeyMaterialId).
pub(super) fn drop_pending(tables: &KmsTables, k: &mut KeyRecord) -> Vec<Write> {
    let Some(pending) = k.import.as_mut().and_then(|i| i.pending.take()) else {
        return Vec::new();
    };
    let row = backing_row(&k.scope(), &k.key_id, pending.version);
    vec![tables.backing.delete(&row, Expect::Any)]
}

impl KmsService {
    /// RotateKeyOnDemand of an EXTERNAL key: `next` (a copy of the stored key) takes its pending
    /// material as current; returns the writes (the version's row marked as an ON_DEMAND rotation
    /// made now, and the new material's expiry schedule).
    pub(super) async fn promote_pending(
        &self,
        next: &mut KeyRecord,
        now: i64,
    ) -> Result<Vec<Write>, KmsError> {
        let import = next.import.clone().unwrap_or_default();
        let Some(pending) = import.pending.clone() else {
            return Err(KmsError::InvalidState(format!(
                "{} has no new key material pending rotation. Import new key material with \
                 ImportType NEW_KEY_MATERIAL first.",
                next.arn()
            )));
        };
        let scope = next.scope();
        let row = backing_row(&scope, &next.key_id, pending.version);
        let stored = self.tables.backing.get(&row).await?.ok_or_else(|| {
            KmsError::Internal(format!("pending material of {} is missing", next.key_id))
        })?;
        let mut rotated = stored.value;
        rotated.created_ms = now;
        rotated.rotation_type = Some(RotationKind::OnDemand.as_aws().into());
        let mut writes =
            vec![
                self.tables
                    .backing
                    .put(&row, &rotated, Expect::Version(stored.version))?,
            ];
        writes.extend(expiry_moves(
            &self.tables,
            next,
            import.valid_to_ms,
            pending.valid_to_ms,
        )?);
        next.backing_version = pending.version;
        next.import = Some(ImportConfig {
            expiration_model: Some(pending.expiration_model),
            valid_to_ms: pending.valid_to_ms,
            material_fingerprint: Some(pending.fingerprint),
            material_id: Some(pending.material_id),
            material_description: pending.description,
            pending: None,
        });
        Ok(writes)
    }
}

/// The expiry schedule writes when `key`'s current material's ValidTo goes from `old` to `new`.
fn expiry_moves(
    tables: &KmsTables,
    key: &KeyRecord,
    old: Option<i64>,
    new: Option<i64>,
) -> Result<Vec<Write>, KmsError> {
    let (scope, table) = (key.scope(), super::import::expiry(tables));
    let mut writes = Vec::new();
    if let Some(old) = old {
        let row = schedule_row(old, &scope, &key.key_id);
        writes.push(table.delete(&row, Expect::Any));
    }
    if let Some(due) = new {
        let row = schedule_row(due, &scope, &key.key_id);
        let entry = super::rotation::ScheduledKey::of(key);
        writes.extend(scheduled(
            &table,
            &crate::schedule::EXPIRY_QUEUE,
            &row,
            &entry,
        )?);
    }
    Ok(writes)
}

/// The ListKeyRotations entry of one stored material version of an EXTERNAL key.
pub(super) fn imported_entry(key: &KeyRecord, v: &BackingKeyRecord) -> (u32, RotationsListEntry) {
    let import = key.import.clone().unwrap_or_default();
    let pending = import.pending.as_ref().filter(|p| p.version == v.version);
    let current = v.version == key.backing_version && pending.is_none();
    let state = match (pending, current) {
        (Some(_), _) => "PENDING_ROTATION",
        (None, true) => "CURRENT",
        (None, false) => "NON_CURRENT",
    };
    let (model, valid_to, description) = match (pending, current) {
        (Some(p), _) => (
            Some(p.expiration_model.clone()),
            p.valid_to_ms,
            p.description.clone(),
        ),
        (None, true) => (
            import.expiration_model.clone(),
            import.valid_to_ms,
            import.material_description.clone(),
        ),
        (None, false) => (None, None, None),
    };
    let entry = RotationsListEntry {
        key_id: Some(key.key_id.clone()),
        key_material_id: v.material_id.clone(),
        key_material_state: enum_value(state),
        import_state: enum_value("IMPORTED"),
        expiration_model: model.as_deref().and_then(enum_value),
        valid_to: valid_to.map(timestamp),
        key_material_description: description,
        rotation_date: v.rotation_type.as_ref().map(|_| timestamp(v.created_ms)),
        rotation_type: v.rotation_type.as_deref().and_then(enum_value),
    };
    (v.version, entry)
}
