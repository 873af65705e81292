//! Imported key material (BYOK): GetParametersForImport, ImportKeyMaterial,
//! DeleteImportedKeyMaterial, and the expiry of imported material.
//!
//! GetParametersForImport makes an RSA wrapping key pair and stores its private key wrapped under
//! the KMS domain key in `kms_import_tokens`, at a row named by the token (expiry, key, random id);
//! the token itself carries no secret. Imported material is stored like generated material, as
//! backing version 1 (later versions come from imported-material rotation, see
//! `imported_rotation`); only its keyed fingerprint is kept to recognise the same material again.
//! The invariant: `ImportConfig::expiration_model` is set exactly while material is imported.

use super::imported_rotation::{check_new_material, drop_pending, pending_id, store_pending};
use super::required;
use super::rotation::{ATTEMPTS, ScheduledKey};
use crate::KmsService;
use crate::authz::Ask;
use crate::convert::timestamp;
use crate::crypto::{VersionInfo, spec_of};
use crate::domain::import::{
    EXPIRED_TOKEN_GRACE_MS, IMPORT_PARAMETERS_VALID_MS, ImportToken, check_delete_state,
    check_expiration, check_external, check_import_state, check_import_type, check_wrapping,
    different_material, expired_token, import_material_error, invalid_token,
};
use crate::domain::{Accept, KeyRecord, KeyState, KmsError, Scope};
use crate::generated::shapes::*;
use crate::generated::{DeleteImportedKeyMaterial, GetParametersForImport, ImportKeyMaterial};
use crate::schedule::{EXPIRY_QUEUE, drain_schedule, due_of, schedule_row, scheduled};
use crate::store::{KmsTables, backing_row, key_row};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rampart_codec::Blob;
use rampart_core::rampart_policy::Context;
use rampart_core::{JobContext, RequestContext};
use rampart_crypto::material::{
    Material, MaterialError, WrappingAlgorithm, WrappingKey, WrappingKeySpec,
};
use rampart_store::{Expect, Table, Write};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// Import tokens and their wrapped RSA wrapping keys, keyed `<expiry>/<key row>/<token id>`.
pub(crate) const IMPORT_TOKENS: &str = "kms_import_tokens";
/// Expiry schedule of imported material (`ValidTo`), keyed by due time.
pub(crate) const IMPORT_EXPIRY: &str = "kms_import_expiry";

/// Token rows swept per store call.
const BATCH: usize = 200;

/// One GetParametersForImport answer: the wrapping key (wrapped) and what it may be used for.
#[derive(Clone, Serialize, Deserialize)]
struct TokenRecord {
    schema: u32,
    account: String,
    region: String,
    key_id: String,
    /// `WrappingAlgorithm` the material must be wrapped with.
    algorithm: String,
    /// `WrappingKeySpec`.
    wrapping_key_spec: String,
    /// The RSA private key (PKCS#8), wrapped under the KMS domain key, base64.
    wrapped_key: String,
    created_ms: i64,
    expires_ms: i64,
}

fn tokens(tables: &KmsTables) -> Table<TokenRecord> {
    Table::new(tables.store.clone(), IMPORT_TOKENS)
}

pub(crate) fn expiry(tables: &KmsTables) -> Table<ScheduledKey> {
    Table::new(tables.store.clone(), IMPORT_EXPIRY)
}

/// Row of a token: it can only be found through the key it was issued for.
fn token_row(token: &ImportToken, key: &KeyRecord) -> String {
    let row = key_row(&key.scope(), &key.key_id);
    format!("{:020}/{row}/{}", token.expires_ms.max(0), token.id_hex())
}

/// Associated data binding a wrapped wrapping key to its token row.
fn token_aad(row: &str) -> Vec<u8> {
    format!("rampart/kms/import-wrapping-key/v1\0{row}").into_bytes()
}

/// A failure of the wrapping key itself (Rampart's own RSA key).
fn wrapping_fault(e: MaterialError) -> KmsError {
    match e {
        MaterialError::Unsupported(what) => {
            KmsError::Unsupported(format!("{what} is not supported by Rampart yet."))
        }
        other => KmsError::Internal(format!("import wrapping key: {other}")),
    }
}

/// A fresh RSA wrapping key (RSA key generation is slow: off the async workers).
async fn generate_wrapping_key(spec: WrappingKeySpec) -> Result<WrappingKey, KmsError> {
    tokio::task::spawn_blocking(move || WrappingKey::generate(spec))
        .await
        .map_err(|e| KmsError::Internal(format!("wrapping key generation: {e}")))?
        .map_err(wrapping_fault)
}

/// Unwraps imported material; anything that does not unwrap is InvalidCiphertextException.
async fn unwrap_material(
    key: WrappingKey,
    algorithm: WrappingAlgorithm,
    encrypted: Vec<u8>,
) -> Result<Zeroizing<Vec<u8>>, KmsError> {
    tokio::task::spawn_blocking(move || key.unwrap(algorithm, &encrypted))
        .await
        .map_err(|e| KmsError::Internal(format!("key material unwrap: {e}")))?
        .map_err(|e| match e {
            MaterialError::Unsupported(what) => {
                KmsError::Unsupported(format!("{what} is not supported by Rampart yet."))
            }
            _ => KmsError::InvalidCiphertext,
        })
}

/// The writes that delete `k`'s imported material (backing keys and expiry entry) and the change
/// to its record: PendingImport, unless it is pending deletion (that state is kept).
fn remove_material(tables: &KmsTables, k: &mut KeyRecord) -> Vec<Write> {
    let scope = k.scope();
    let pending = k.import.as_mut().and_then(|i| i.pending.take());
    let last = pending.map_or(k.backing_version, |p| p.version.max(k.backing_version));
    let mut writes: Vec<Write> = (1..=last.max(1))
        .map(|v| {
            tables
                .backing
                .delete(&backing_row(&scope, &k.key_id, v), Expect::Any)
        })
        .collect();
    if let Some(import) = k.import.as_mut() {
        if let Some(due) = import.valid_to_ms.take() {
            let row = schedule_row(due, &scope, &k.key_id);
            writes.push(expiry(tables).delete(&row, Expect::Any));
        }
        import.expiration_model = None;
    }
    if !matches!(
        k.state,
        KeyState::PendingDeletion | KeyState::PendingReplicaDeletion
    ) {
        k.state = KeyState::PendingImport;
    }
    writes
}

/// What ImportKeyMaterial checked before storing.
pub(super) struct Checked {
    /// NEW_KEY_MATERIAL into a key whose imported material rotates: stored pending rotation.
    pub(super) pending: bool,
    pub(super) material: Material,
    pub(super) fingerprint: String,
    pub(super) material_id: String,
    pub(super) model: &'static str,
    pub(super) valid_to: Option<i64>,
    pub(super) description: Option<String>,
}

impl GetParametersForImport for KmsService {
    async fn get_parameters_for_import(
        &self,
        ctx: &RequestContext,
        input: GetParametersForImportRequest,
    ) -> Result<GetParametersForImportResponse, KmsError> {
        let key_id = required(input.key_id, "keyId")?;
        let algorithm = required(input.wrapping_algorithm, "wrappingAlgorithm")?;
        let wrapping_spec = required(input.wrapping_key_spec, "wrappingKeySpec")?;
        let (alg_name, spec_name) = (algorithm.as_str(), wrapping_spec.as_str());
        let extra = |_: &KeyRecord, c: &mut Context| {
            c.set("kms:WrappingAlgorithm", alg_name);
            c.set("kms:WrappingKeySpec", spec_name);
        };
        let ask = Ask::new("kms:GetParametersForImport").extra(&extra);
        let key = self
            .stored_key(ctx, &key_id, Accept::KeyOnly, &ask)
            .await?
            .value;
        check_external(&key)?;
        check_import_state(&key)?;
        let (alg, spec) =
            check_wrapping(&key.key_spec, algorithm.as_str(), wrapping_spec.as_str())?;
        let wrapping = generate_wrapping_key(spec).await?;
        let public_key = wrapping.public_key_der().map_err(wrapping_fault)?;
        let token = self.store_token(&key, alg, spec, &wrapping).await?;
        Ok(GetParametersForImportResponse {
            key_id: Some(key.arn()),
            import_token: Some(Blob(token.to_bytes())),
            public_key: Some(Blob(public_key)),
            parameters_valid_to: Some(timestamp(token.expires_ms)),
        })
    }
}

impl KmsService {
    /// A new import token for `key`, valid 24 hours, with `wrapping` stored wrapped under the KMS
    /// domain key at the token's row.
    async fn store_token(
        &self,
        key: &KeyRecord,
        algorithm: WrappingAlgorithm,
        spec: WrappingKeySpec,
        wrapping: &WrappingKey,
    ) -> Result<ImportToken, KmsError> {
        let now = self.now_ms();
        let token = ImportToken {
            expires_ms: now.saturating_add(IMPORT_PARAMETERS_VALID_MS),
            id: rampart_crypto::random::array::<32>(),
        };
        let row = token_row(&token, key);
        let sealed = self
            .vault
            .seal_secret(&token_aad(&row), &wrapping.to_bytes());
        let record = TokenRecord {
            schema: 1,
            account: key.account.clone(),
            region: key.region.clone(),
            key_id: key.key_id.clone(),
            algorithm: algorithm.as_aws().into(),
            wrapping_key_spec: spec.as_aws().into(),
            wrapped_key: STANDARD.encode(sealed),
            created_ms: now,
            expires_ms: token.expires_ms,
        };
        let put = tokens(&self.tables).put(&row, &record, Expect::Absent)?;
        self.tables.store.transact(vec![put]).await?;
        Ok(token)
    }
}

impl ImportKeyMaterial for KmsService {
    async fn import_key_material(
        &self,
        ctx: &RequestContext,
        input: ImportKeyMaterialRequest,
    ) -> Result<ImportKeyMaterialResponse, KmsError> {
        let key_id = required(input.key_id.clone(), "keyId")?;
        let (model, valid_to) = expiration_keys(&input);
        let extra = |_: &KeyRecord, c: &mut Context| {
            c.set("kms:ExpirationModel", model);
            if let Some(valid_to) = &valid_to {
                c.set("kms:ValidTo", valid_to.as_str());
            }
        };
        let ask = Ask::new("kms:ImportKeyMaterial").extra(&extra);
        let key = self
            .stored_key(ctx, &key_id, Accept::KeyOnly, &ask)
            .await?
            .value;
        check_external(&key)?;
        check_import_state(&key)?;
        let checked = self.check_import(&key, input).await?;
        let now = self.now_ms();
        let key = self
            .update_key(ctx, &key.arn(), &ask, |k, tables| {
                check_external(k)?;
                check_import_state(k)?;
                if checked.pending {
                    return store_pending(tables, k, &checked, &self.vault, now);
                }
                store_material(tables, k, &checked, &self.vault, now)
            })
            .await?;
        Ok(ImportKeyMaterialResponse {
            key_id: Some(key.arn()),
            key_material_id: Some(checked.material_id),
        })
    }
}

impl KmsService {
    /// Everything ImportKeyMaterial checks before storing: ImportType, expiration, the token, the
    /// unwrapping, the material itself, and that it is the material imported before (into this key
    /// or a related multi-Region key).
    async fn check_import(
        &self,
        key: &KeyRecord,
        input: ImportKeyMaterialRequest,
    ) -> Result<Checked, KmsError> {
        let now = self.now_ms();
        let (model, valid_to, pending) = check_options(key, &input, now)?;
        let token = required(input.import_token, "importToken")?;
        let encrypted = required(input.encrypted_key_material, "encryptedKeyMaterial")?;
        let given_id = input.key_material_id;
        let description = input.key_material_description;
        let (algorithm, wrapping) = self.token_wrapping_key(key, token.as_bytes(), now).await?;
        let raw = unwrap_material(wrapping, algorithm, encrypted.0).await?;
        let material =
            Material::from_bytes(spec_of(key)?, &raw).map_err(|e| import_material_error(&e))?;
        let stored = material.to_bytes();
        let fingerprint = self.vault.fingerprint(&stored);
        let material_id = self.material_id(key, &stored);
        if let Some(given) = given_id.filter(|g| *g != material_id) {
            return Err(KmsError::IncorrectKeyMaterial(format!(
                "The key material does not match the key material ID {given}."
            )));
        }
        self.check_related_material(key, &fingerprint).await?;
        if pending {
            check_new_material(key, &fingerprint)?;
        }
        Ok(Checked {
            pending,
            material,
            fingerprint,
            material_id,
            model,
            valid_to,
            description,
        })
    }

    /// `KeyMaterialId` of imported material: derived from the key id and the material (keyed, so
    /// it reveals nothing about the material), the same for every copy of a multi-Region key.
    fn material_id(&self, key: &KeyRecord, material: &[u8]) -> String {
        let mut message = format!("rampart/kms/key-material-id/v1\0{}\0", key.key_id).into_bytes();
        message.extend_from_slice(material);
        let id = self.vault.fingerprint(&message);
        message.iter_mut().for_each(|b| *b = 0);
        id
    }

    /// IncorrectKeyMaterialException when a related multi-Region key (the primary or another
    /// replica) already holds different material.
    async fn check_related_material(
        &self,
        key: &KeyRecord,
        fingerprint: &str,
    ) -> Result<(), KmsError> {
        let Some(config) = &key.multi_region_config else {
            return Ok(());
        };
        let regions = std::iter::once(&config.primary_region).chain(&config.replica_regions);
        for region in regions.filter(|r| **r != key.region) {
            let scope = Scope::new(key.account.clone(), region.clone());
            let Some(other) = self.tables.keys.get(&key_row(&scope, &key.key_id)).await? else {
                continue;
            };
            let theirs = other.value.import.and_then(|i| i.material_fingerprint);
            if theirs.is_some_and(|f| f != fingerprint) {
                return Err(different_material(key));
            }
        }
        Ok(())
    }

    /// The wrapping key and algorithm an import token names, for `key` only:
    /// InvalidImportTokenException for anything else, ExpiredImportTokenException once expired.
    async fn token_wrapping_key(
        &self,
        key: &KeyRecord,
        token: &[u8],
        now: i64,
    ) -> Result<(WrappingAlgorithm, WrappingKey), KmsError> {
        let token = ImportToken::parse(token)?;
        let row = token_row(&token, key);
        let Some(stored) = tokens(&self.tables).get(&row).await? else {
            return Err(invalid_token());
        };
        let record = stored.value;
        if record.expires_ms <= now {
            return Err(expired_token());
        }
        let fault = |what: &str| KmsError::Internal(format!("import token {row}: {what}"));
        let algorithm =
            WrappingAlgorithm::from_aws(&record.algorithm).ok_or_else(|| fault("algorithm"))?;
        let sealed = STANDARD
            .decode(&record.wrapped_key)
            .map_err(|_| fault("not base64"))?;
        let pkcs8 = self.vault.open_secret(&token_aad(&row), &sealed)?;
        let wrapping = WrappingKey::from_bytes(&pkcs8).map_err(wrapping_fault)?;
        Ok((algorithm, wrapping))
    }
}

impl DeleteImportedKeyMaterial for KmsService {
    async fn delete_imported_key_material(
        &self,
        ctx: &RequestContext,
        input: DeleteImportedKeyMaterialRequest,
    ) -> Result<DeleteImportedKeyMaterialResponse, KmsError> {
        let key_id = required(input.key_id, "keyId")?;
        let given = input.key_material_id;
        let ask = Ask::new("kms:DeleteImportedKeyMaterial");
        let key = self
            .update_key(ctx, &key_id, &ask, |k, tables| {
                check_external(k)?;
                check_delete_state(k)?;
                if given.is_some() && given.as_ref() == pending_id(k) {
                    return Ok(drop_pending(tables, k));
                }
                let current = k.import.as_ref().and_then(|i| i.material_id.clone());
                if let Some(g) = given.as_ref().filter(|g| current.as_ref() != Some(*g)) {
                    return Err(KmsError::NotFound(format!(
                        "Key material {g} is not associated with {}.",
                        k.arn()
                    )));
                }
                Ok(remove_material(tables, k))
            })
            .await?;
        Ok(DeleteImportedKeyMaterialResponse {
            key_id: Some(key.arn()),
            key_material_id: given.or(key.import.and_then(|i| i.material_id)),
        })
    }
}

impl KmsService {
    /// Moves every EXTERNAL key whose material's ValidTo has passed to PendingImport (deleting the
    /// material); returns how many. Also sweeps import tokens long expired.
    pub async fn expire_imported_material(&self) -> Result<usize, KmsError> {
        self.expire_imported_material_at(&JobContext::at(self.now_ms()))
            .await
    }

    /// [`KmsService::expire_imported_material`] for one job run: the expiry items due at
    /// `ctx.now_ms` (the job runner's clock).
    pub async fn expire_imported_material_at(&self, ctx: &JobContext) -> Result<usize, KmsError> {
        self.sweep_import_tokens(ctx.now_ms).await?;
        let table = expiry(&self.tables);
        drain_schedule(&table, &EXPIRY_QUEUE, ctx, |row, due, entry| async move {
            self.expire_one(&row, due, &entry.value).await
        })
        .await
    }

    /// Deletes the material of the key an expiry entry names, if its ValidTo is still `due`.
    async fn expire_one(
        &self,
        row: &str,
        due: i64,
        entry: &ScheduledKey,
    ) -> Result<bool, KmsError> {
        let scope = Scope::new(entry.account.clone(), entry.region.clone());
        let drop_entry = vec![expiry(&self.tables).delete(row, Expect::Any)];
        for _ in 0..ATTEMPTS {
            let current = self
                .tables
                .keys
                .get(&key_row(&scope, &entry.key_id))
                .await?;
            let Some(current) = current.filter(|k| material_due(&k.value, due)) else {
                self.tables.store.transact(drop_entry).await?;
                return Ok(false);
            };
            let mut next = current.value.clone();
            let writes = remove_material(&self.tables, &mut next);
            if self.commit_key_update(&current, &next, writes).await? {
                tracing::info!(key_arn = %next.arn(), "imported key material expired");
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Deletes import tokens expired for longer than the grace period.
    async fn sweep_import_tokens(&self, now: i64) -> Result<(), KmsError> {
        let table = tokens(&self.tables);
        let cutoff = now.saturating_sub(EXPIRED_TOKEN_GRACE_MS);
        loop {
            let batch = table.scan("", None, BATCH).await?;
            let stale: Vec<Write> = batch
                .iter()
                .take_while(|(row, _)| due_of(row).is_some_and(|due| due <= cutoff))
                .map(|(row, _)| table.delete(row, Expect::Any))
                .collect();
            let more = stale.len() == BATCH;
            if !stale.is_empty() {
                self.tables.store.transact(stale).await?;
            }
            if !more {
                return Ok(());
            }
        }
    }
}

/// ImportKeyMaterial's `ImportType`, `KeyMaterialId`, `ExpirationModel` and `ValidTo`: the
/// expiration to store.
fn check_options(
    key: &KeyRecord,
    input: &ImportKeyMaterialRequest,
    now: i64,
) -> Result<(&'static str, Option<i64>, bool), KmsError> {
    let imported_before = key
        .import
        .as_ref()
        .is_some_and(|i| i.material_fingerprint.is_some());
    let import_type = input.import_type.as_ref().map(|t| t.as_str());
    let given_id = input.key_material_id.is_some();
    let pending = check_import_type(key, import_type, given_id, imported_before)?;
    let model = input.expiration_model.as_ref().map(|m| m.as_str());
    let valid_to = input
        .valid_to
        .as_ref()
        .map(|t| i64::try_from(t.epoch_millis()).unwrap_or(i64::MAX));
    let (model, valid_to) = check_expiration(model, valid_to, now)?;
    Ok((model, valid_to, pending))
}

/// ImportKeyMaterial's kms:ExpirationModel (what the request sets or implies) and kms:ValidTo
/// (epoch seconds).
fn expiration_keys(input: &ImportKeyMaterialRequest) -> (&'static str, Option<String>) {
    let valid_to = input.valid_to.as_ref().map(|t| t.epoch_millis() / 1000);
    let model = match (&input.expiration_model, valid_to) {
        (Some(m), _) if m.as_str() == "KEY_MATERIAL_EXPIRES" => "KEY_MATERIAL_EXPIRES",
        (Some(_), _) => "KEY_MATERIAL_DOES_NOT_EXPIRE",
        (None, Some(_)) => "KEY_MATERIAL_EXPIRES",
        (None, None) => "KEY_MATERIAL_DOES_NOT_EXPIRE",
    };
    (model, valid_to.map(|s| s.to_string()))
}

/// True while `key` still holds imported material whose ValidTo is `due`.
fn material_due(key: &KeyRecord, due: i64) -> bool {
    key.import
        .as_ref()
        .is_some_and(|i| i.expiration_model.is_some() && i.valid_to_ms == Some(due))
}

/// The change ImportKeyMaterial makes to the fresh key record `k`, and its writes: the material as
/// its backing version (1 before any rotation) when none is stored, the expiry schedule, and PendingImport → Enabled (a
/// disabled key stays disabled).
fn store_material(
    tables: &KmsTables,
    k: &mut KeyRecord,
    checked: &Checked,
    vault: &crate::crypto::KeyVault,
    now: i64,
) -> Result<Vec<Write>, KmsError> {
    let import = k.import.clone().unwrap_or_default();
    if import
        .material_fingerprint
        .as_ref()
        .is_some_and(|f| *f != checked.fingerprint)
    {
        return Err(different_material(k));
    }
    let scope = k.scope();
    let mut writes = Vec::new();
    if import.expiration_model.is_none() {
        // The material comes back as the version it was (1 before any rotation).
        let version = k.backing_version.max(1);
        k.backing_version = version;
        let info = VersionInfo {
            created_ms: now,
            rotation_type: None,
            material_id: Some(&checked.material_id),
        };
        writes.push(vault.material_write(tables, k, version, &checked.material, &info)?);
    }
    if let Some(old) = import.valid_to_ms {
        let row = schedule_row(old, &scope, &k.key_id);
        writes.push(expiry(tables).delete(&row, Expect::Any));
    }
    if let Some(due) = checked.valid_to {
        let row = schedule_row(due, &scope, &k.key_id);
        let entry = ScheduledKey::of(k);
        writes.extend(scheduled(&expiry(tables), &EXPIRY_QUEUE, &row, &entry)?);
    }
    k.import = Some(crate::domain::ImportConfig {
        expiration_model: Some(checked.model.into()),
        valid_to_ms: checked.valid_to,
        material_fingerprint: Some(checked.fingerprint.clone()),
        material_id: Some(checked.material_id.clone()),
        // Reimporting without a description keeps the one given before.
        material_description: checked
            .description
            .clone()
            .or(import.material_description.clone()),
        pending: import.pending.clone(),
    });
    if k.state == KeyState::PendingImport {
        k.state = KeyState::Enabled;
    }
    Ok(writes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_rows_sort_by_expiry_and_name_the_key() {
        let scope = Scope::new("111122223333", "us-east-1");
        let key = KeyRecord::new_symmetric(&scope, "k".into(), String::new(), 0);
        let t = ImportToken {
            expires_ms: 5,
            id: [1u8; 32],
        };
        let row = token_row(&t, &key);
        assert!(row.starts_with("00000000000000000005/111122223333/us-east-1/k/0101"));
        assert_eq!(due_of(&row), Some(5));
        assert_ne!(token_aad(&row), token_aad("other"));
    }
}
