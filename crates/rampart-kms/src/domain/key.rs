//! KMS key records and the key state machine (every AWS `KeyState`).

use super::{KmsError, Scope};
use serde::{Deserialize, Serialize};

const MILLIS_PER_DAY: i64 = 86_400_000;

/// AWS `KeyState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyState {
    /// Being created (multi-Region replicas while their material is copied).
    Creating,
    /// Usable for cryptographic operations.
    Enabled,
    /// Not usable; can be enabled again.
    Disabled,
    /// Scheduled for deletion; not usable; can be cancelled (back to Disabled).
    PendingDeletion,
    /// A multi-Region primary scheduled for deletion, waiting for its replicas to be deleted.
    PendingReplicaDeletion,
    /// Origin EXTERNAL without (or with expired / deleted) key material.
    PendingImport,
    /// The custom key store is disconnected (never entered: no custom key stores).
    Unavailable,
    /// Being updated (UpdatePrimaryRegion in progress).
    Updating,
}

impl KeyState {
    /// The AWS name of the state.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Creating => "Creating",
            Self::Enabled => "Enabled",
            Self::Disabled => "Disabled",
            Self::PendingDeletion => "PendingDeletion",
            Self::PendingReplicaDeletion => "PendingReplicaDeletion",
            Self::PendingImport => "PendingImport",
            Self::Unavailable => "Unavailable",
            Self::Updating => "Updating",
        }
    }
}

/// One KMS key's metadata as stored (schema version 1). No key material lives here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    /// Record schema version, for migrations of stored records.
    pub schema: u32,
    /// Key id (UUID).
    pub key_id: String,
    /// Owning account.
    pub account: String,
    /// Region the key lives in.
    pub region: String,
    /// Free-text description ("" when none).
    pub description: String,
    /// Creation time, epoch milliseconds.
    pub created_ms: i64,
    /// Current state.
    pub state: KeyState,
    /// When a PendingDeletion key is deleted, epoch milliseconds.
    pub deletion_ms: Option<i64>,
    /// The waiting period chosen for the pending deletion.
    pub pending_window_days: Option<u32>,
    /// `KeySpec`, e.g. `SYMMETRIC_DEFAULT`.
    pub key_spec: String,
    /// `KeyUsage`, e.g. `ENCRYPT_DECRYPT`.
    pub key_usage: String,
    /// `Origin`, e.g. `AWS_KMS`.
    pub origin: String,
    /// Multi-Region key (`mrk-` id).
    pub multi_region: bool,
    /// The backing-key version new ciphertexts use (1 at creation; rotation adds versions).
    pub backing_version: u32,
    /// `KeyManager`: `CUSTOMER` or `AWS` (AWS-managed `alias/aws/<service>` keys).
    #[serde(default = "customer_manager")]
    pub key_manager: String,
    /// Primary and replica Regions of a multi-Region key (the same on every copy).
    #[serde(default)]
    pub multi_region_config: Option<MultiRegionConfig>,
    /// Automatic rotation settings (symmetric keys with AWS_KMS material only).
    #[serde(default)]
    pub rotation: RotationConfig,
    /// Imported material settings (Origin EXTERNAL only).
    #[serde(default)]
    pub import: Option<ImportConfig>,
}

fn customer_manager() -> String {
    "CUSTOMER".into()
}

/// Where a multi-Region key's copies live.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultiRegionConfig {
    /// The primary key's Region.
    pub primary_region: String,
    /// Every replica's Region, in creation order.
    pub replica_regions: Vec<String>,
}

/// Automatic rotation of a symmetric key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationConfig {
    /// Automatic rotation enabled.
    pub enabled: bool,
    /// `RotationPeriodInDays` (90–2560; 365 by default).
    pub period_days: Option<u32>,
    /// When the next automatic rotation is due, epoch milliseconds.
    pub next_rotation_ms: Option<i64>,
    /// When an on-demand rotation started and is still in progress, epoch milliseconds.
    pub on_demand_started_ms: Option<i64>,
}

/// Imported key material of an EXTERNAL key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportConfig {
    /// `KEY_MATERIAL_EXPIRES` or `KEY_MATERIAL_DOES_NOT_EXPIRE` (None before the first import).
    pub expiration_model: Option<String>,
    /// When the material expires, epoch milliseconds.
    pub valid_to_ms: Option<i64>,
    /// Fingerprint of the material first imported (only the same material may be imported
    /// again): hex SHA-256 of HMAC-SHA256 under the KMS domain key, never the material itself.
    pub material_fingerprint: Option<String>,
    /// `KeyMaterialId` of the current material.
    pub material_id: Option<String>,
    /// `KeyMaterialDescription` given when the material was imported.
    #[serde(default)]
    pub material_description: Option<String>,
    /// New material imported with ImportType NEW_KEY_MATERIAL, waiting for RotateKeyOnDemand.
    #[serde(default)]
    pub pending: Option<PendingMaterial>,
}

/// Imported material pending rotation (`KeyMaterialState` PENDING_ROTATION): stored as backing
/// version `version`, which RotateKeyOnDemand makes current.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingMaterial {
    /// The backing version holding the material (the current one + 1).
    pub version: u32,
    /// Its `KeyMaterialId`.
    pub material_id: String,
    /// Its keyed fingerprint (see `ImportConfig::material_fingerprint`).
    pub fingerprint: String,
    /// `KEY_MATERIAL_EXPIRES` or `KEY_MATERIAL_DOES_NOT_EXPIRE`.
    pub expiration_model: String,
    /// When it expires, epoch milliseconds.
    pub valid_to_ms: Option<i64>,
    /// Its `KeyMaterialDescription`.
    pub description: Option<String>,
}

impl KeyRecord {
    /// Whether imported material can rotate (ImportType NEW_KEY_MATERIAL, then
    /// RotateKeyOnDemand): single-Region symmetric encryption keys of EXTERNAL origin, as AWS
    /// allows.
    pub fn rotates_imported_material(&self) -> bool {
        self.origin == "EXTERNAL" && self.key_spec == "SYMMETRIC_DEFAULT" && !self.multi_region
    }
}

impl KeyRecord {
    /// A new Enabled SYMMETRIC_DEFAULT key created at `now_ms`.
    pub fn new_symmetric(scope: &Scope, key_id: String, description: String, now_ms: i64) -> Self {
        Self {
            schema: 1,
            key_id,
            account: scope.account.clone(),
            region: scope.region.clone(),
            description,
            created_ms: now_ms,
            state: KeyState::Enabled,
            deletion_ms: None,
            pending_window_days: None,
            key_spec: "SYMMETRIC_DEFAULT".into(),
            key_usage: "ENCRYPT_DECRYPT".into(),
            origin: "AWS_KMS".into(),
            multi_region: false,
            backing_version: 1,
            key_manager: customer_manager(),
            multi_region_config: None,
            rotation: RotationConfig::default(),
            import: None,
        }
    }

    /// The scope the key lives in.
    pub fn scope(&self) -> Scope {
        Scope::new(self.account.clone(), self.region.clone())
    }

    /// The key ARN: one `format!` (no `Scope` built): it is on every request's path.
    pub fn arn(&self) -> String {
        let (region, account) = (&self.region, &self.account);
        let partition = rampart_core::partition_of(region);
        format!("arn:{partition}:kms:{region}:{account}:key/{}", self.key_id)
    }

    /// Checks the key may encrypt/decrypt/sign/generate: Enabled, or Updating (AWS lets keys whose
    /// primary Region is changing keep working in cryptographic operations).
    pub fn require_usable(&self) -> Result<(), KmsError> {
        match self.state {
            KeyState::Enabled | KeyState::Updating => Ok(()),
            KeyState::Disabled => Err(KmsError::Disabled(format!("{} is disabled.", self.arn()))),
            KeyState::Creating
            | KeyState::PendingDeletion
            | KeyState::PendingReplicaDeletion
            | KeyState::PendingImport
            | KeyState::Unavailable => Err(self.state_error()),
        }
    }

    /// Checks the key may be managed (enabled, disabled, described elsewhere): Enabled or
    /// Disabled; PendingImport too when `allow_pending_import`.
    pub fn require_manageable(&self, allow_pending_import: bool) -> Result<(), KmsError> {
        match self.state {
            KeyState::Enabled | KeyState::Disabled => Ok(()),
            KeyState::PendingImport if allow_pending_import => Ok(()),
            _ => Err(self.state_error()),
        }
    }

    /// Checks the key is not pending deletion (nor waiting for its replicas' deletion): the rule
    /// of CreateAlias, UpdateAlias (new target), TagResource, UntagResource, UpdateKeyDescription.
    pub fn require_not_pending_deletion(&self) -> Result<(), KmsError> {
        match self.state {
            KeyState::PendingDeletion | KeyState::PendingReplicaDeletion => Err(self.state_error()),
            KeyState::Enabled
            | KeyState::Disabled
            | KeyState::PendingImport
            | KeyState::Unavailable
            | KeyState::Creating
            | KeyState::Updating => Ok(()),
        }
    }

    /// `KMSInvalidStateException` naming the key's current state, worded as AWS words it.
    pub fn state_error(&self) -> KmsError {
        let arn = self.arn();
        KmsError::InvalidState(match self.state {
            KeyState::PendingDeletion => format!("{arn} is pending deletion."),
            KeyState::PendingReplicaDeletion => format!("{arn} is pending replica deletion."),
            KeyState::PendingImport => format!("{arn} is pending import."),
            KeyState::Creating => format!("{arn} is creating."),
            KeyState::Updating => format!("{arn} is updating."),
            KeyState::Unavailable => format!("{arn} is unavailable."),
            KeyState::Enabled => format!("{arn} is enabled."),
            KeyState::Disabled => format!("{arn} is disabled."),
        })
    }

    /// True for an AWS-managed key (`KeyManager` AWS): users cannot change it.
    pub fn is_aws_managed(&self) -> bool {
        self.key_manager == "AWS"
    }

    /// Refuses a management `action` (e.g. `kms:DisableKey`) on an AWS-managed key: its key
    /// policy allows the account only `kms:Describe*`, `kms:Get*` and `kms:List*`, so AWS answers
    /// `AccessDeniedException` naming the caller, the action and the key.
    pub fn require_customer_managed(
        &self,
        principal_arn: &str,
        action: &str,
    ) -> Result<(), KmsError> {
        if !self.is_aws_managed() {
            return Ok(());
        }
        Err(KmsError::AccessDenied(format!(
            "User: {principal_arn} is not authorized to perform: {action} on resource: {} \
             because no resource-based policy allows the {action} action",
            self.arn()
        )))
    }

    /// Whether `KeyMetadata` shows `CurrentKeyMaterialId`: symmetric encryption keys of
    /// AWS_KMS origin, and single-Region ones of EXTERNAL origin, that have material.
    pub fn shows_current_material(&self) -> bool {
        let origin_ok =
            self.origin == "AWS_KMS" || (self.origin == "EXTERNAL" && !self.multi_region);
        self.key_spec == "SYMMETRIC_DEFAULT" && origin_ok && self.state != KeyState::PendingImport
    }

    /// True for a multi-Region key whose copy in this Region is the primary.
    pub fn is_primary(&self) -> bool {
        self.multi_region_config
            .as_ref()
            .is_some_and(|c| c.primary_region == self.region)
    }

    /// True for a multi-Region replica key.
    pub fn is_replica(&self) -> bool {
        self.multi_region_config
            .as_ref()
            .is_some_and(|c| c.primary_region != self.region)
    }

    /// True for a multi-Region primary key that still has replicas.
    pub fn has_replicas(&self) -> bool {
        self.is_primary()
            && self
                .multi_region_config
                .as_ref()
                .is_some_and(|c| !c.replica_regions.is_empty())
    }

    /// Every Region holding a copy of this multi-Region key other than this one.
    pub fn other_regions(&self) -> Vec<String> {
        let Some(c) = &self.multi_region_config else {
            return Vec::new();
        };
        std::iter::once(&c.primary_region)
            .chain(&c.replica_regions)
            .filter(|r| **r != self.region)
            .cloned()
            .collect()
    }

    /// EnableKey: Disabled → Enabled (Enabled stays Enabled; Unavailable keys keep their state,
    /// as AWS's "succeeds, but the key state does not change until it becomes available").
    pub fn enable(&mut self) -> Result<(), KmsError> {
        self.set_enabled(KeyState::Enabled)
    }

    /// DisableKey: Enabled → Disabled (Disabled stays Disabled).
    pub fn disable(&mut self) -> Result<(), KmsError> {
        self.set_enabled(KeyState::Disabled)
    }

    fn set_enabled(&mut self, to: KeyState) -> Result<(), KmsError> {
        match self.state {
            KeyState::Enabled | KeyState::Disabled => {
                self.state = to;
                Ok(())
            }
            KeyState::Unavailable => Ok(()),
            KeyState::PendingImport
            | KeyState::PendingDeletion
            | KeyState::PendingReplicaDeletion
            | KeyState::Creating
            | KeyState::Updating => Err(self.state_error()),
        }
    }

    /// ScheduleKeyDeletion: → PendingDeletion, deleted `days` days after `now_ms` (the due time
    /// is returned). A multi-Region primary that still has replicas goes to
    /// PendingReplicaDeletion instead, with no due time: its waiting period starts only when its
    /// last replica is deleted ([`Self::begin_deletion_wait`]).
    pub fn schedule_deletion(&mut self, now_ms: i64, days: u32) -> Result<Option<i64>, KmsError> {
        match self.state {
            KeyState::Enabled
            | KeyState::Disabled
            | KeyState::PendingImport
            | KeyState::Unavailable => {}
            KeyState::PendingDeletion
            | KeyState::PendingReplicaDeletion
            | KeyState::Creating
            | KeyState::Updating => return Err(self.state_error()),
        }
        self.pending_window_days = Some(days);
        if self.has_replicas() {
            self.state = KeyState::PendingReplicaDeletion;
            self.deletion_ms = None;
            return Ok(None);
        }
        let due = due_after(now_ms, days);
        self.state = KeyState::PendingDeletion;
        self.deletion_ms = Some(due);
        Ok(Some(due))
    }

    /// A primary waiting in PendingReplicaDeletion whose last replica is gone: → PendingDeletion,
    /// its waiting period starting at `now_ms`. Returns the due time; None (no change) in any
    /// other case.
    pub fn begin_deletion_wait(&mut self, now_ms: i64) -> Option<i64> {
        if self.state != KeyState::PendingReplicaDeletion || self.has_replicas() {
            return None;
        }
        let due = due_after(now_ms, self.pending_window_days.unwrap_or(30));
        self.state = KeyState::PendingDeletion;
        self.deletion_ms = Some(due);
        Some(due)
    }

    /// CancelKeyDeletion: PendingDeletion or PendingReplicaDeletion → Disabled, as AWS does.
    pub fn cancel_deletion(&mut self) -> Result<(), KmsError> {
        match self.state {
            KeyState::PendingDeletion | KeyState::PendingReplicaDeletion => {}
            KeyState::Enabled
            | KeyState::Disabled
            | KeyState::PendingImport
            | KeyState::Unavailable
            | KeyState::Creating
            | KeyState::Updating => {
                return Err(KmsError::InvalidState(format!(
                    "{} is not pending deletion.",
                    self.arn()
                )));
            }
        }
        // An EXTERNAL key without imported material (never imported, or deleted while pending
        // deletion) goes back to PendingImport, as AWS does; `expiration_model` is set exactly
        // while material is imported.
        let has_material = self.origin != "EXTERNAL"
            || self
                .import
                .as_ref()
                .is_some_and(|i| i.expiration_model.is_some());
        self.state = if has_material {
            KeyState::Disabled
        } else {
            KeyState::PendingImport
        };
        self.deletion_ms = None;
        self.pending_window_days = None;
        Ok(())
    }

    /// Checks a multi-Region primary may be replicated (ReplicateKey) or have its primary Region
    /// moved (UpdatePrimaryRegion): not Disabled (DisabledException), not pending deletion, not
    /// Creating or Updating. PendingImport is allowed (EXTERNAL keys replicate without material).
    pub fn require_replicable(&self) -> Result<(), KmsError> {
        match self.state {
            KeyState::Enabled | KeyState::PendingImport | KeyState::Unavailable => Ok(()),
            KeyState::Disabled => Err(KmsError::Disabled(format!("{} is disabled.", self.arn()))),
            KeyState::PendingDeletion
            | KeyState::PendingReplicaDeletion
            | KeyState::Creating
            | KeyState::Updating => Err(self.state_error()),
        }
    }

    /// True when the key is pending deletion and its deletion date has passed.
    pub fn is_due(&self, now_ms: i64) -> bool {
        self.state == KeyState::PendingDeletion && self.deletion_ms.is_some_and(|due| due <= now_ms)
    }
}

/// `days` days after `now_ms`.
fn due_after(now_ms: i64, days: u32) -> i64 {
    now_ms.saturating_add(i64::from(days).saturating_mul(MILLIS_PER_DAY))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> KeyRecord {
        let scope = Scope::new("111122223333", "us-east-1");
        KeyRecord::new_symmetric(
            &scope,
            "1234abcd-12ab-34cd-56ef-1234567890ab".into(),
            String::new(),
            1_000,
        )
    }

    #[test]
    fn enable_disable() {
        let mut k = key();
        assert_eq!(k.require_usable(), Ok(()));
        k.disable().ok();
        assert_eq!(k.state, KeyState::Disabled);
        assert_eq!(
            k.require_usable(),
            Err(KmsError::Disabled(format!("{} is disabled.", k.arn())))
        );
        k.disable().ok();
        k.enable().ok();
        assert_eq!(k.state, KeyState::Enabled);
    }

    #[test]
    fn schedule_and_cancel() {
        let mut k = key();
        let due = k.schedule_deletion(1_000, 7).ok();
        assert_eq!(due, Some(Some(1_000 + 7 * MILLIS_PER_DAY)));
        let pending = KmsError::InvalidState(format!("{} is pending deletion.", k.arn()));
        assert_eq!(k.require_usable(), Err(pending.clone()));
        assert_eq!(k.enable(), Err(pending.clone()));
        assert_eq!(k.schedule_deletion(2_000, 30), Err(pending));
        assert!(!k.is_due(1_000));
        assert!(k.is_due(1_000 + 7 * MILLIS_PER_DAY));
        assert_eq!(k.cancel_deletion(), Ok(()));
        assert_eq!(k.state, KeyState::Disabled);
        assert_eq!(k.deletion_ms, None);
        assert!(!k.is_due(i64::MAX));
        let not_pending = KmsError::InvalidState(format!("{} is not pending deletion.", k.arn()));
        assert_eq!(k.cancel_deletion(), Err(not_pending));
    }

    #[test]
    fn primary_with_replicas_waits_for_them() {
        let mut k = key();
        k.multi_region = true;
        k.multi_region_config = Some(MultiRegionConfig {
            primary_region: "us-east-1".into(),
            replica_regions: vec!["eu-west-1".into()],
        });
        assert!(k.is_primary() && k.has_replicas() && !k.is_replica());
        assert_eq!(k.other_regions(), ["eu-west-1"]);
        assert_eq!(k.schedule_deletion(1_000, 7), Ok(None));
        assert_eq!(k.state, KeyState::PendingReplicaDeletion);
        assert_eq!(k.begin_deletion_wait(5_000), None, "replicas remain");
        let pending = KmsError::InvalidState(format!("{} is pending replica deletion.", k.arn()));
        assert_eq!(k.require_usable(), Err(pending.clone()));
        assert_eq!(k.schedule_deletion(2_000, 7), Err(pending));
        if let Some(c) = k.multi_region_config.as_mut() {
            c.replica_regions.clear();
        }
        assert_eq!(
            k.begin_deletion_wait(5_000),
            Some(5_000 + 7 * MILLIS_PER_DAY)
        );
        assert_eq!(k.state, KeyState::PendingDeletion);
        assert_eq!(k.cancel_deletion(), Ok(()));
        assert_eq!(k.state, KeyState::Disabled);
    }

    #[test]
    fn transient_states_and_aws_managed_keys() {
        let mut k = key();
        k.state = KeyState::Updating;
        assert_eq!(k.require_usable(), Ok(()));
        assert!(k.enable().is_err());
        k.state = KeyState::Creating;
        let creating = KmsError::InvalidState(format!("{} is creating.", k.arn()));
        assert_eq!(k.require_usable(), Err(creating.clone()));
        assert_eq!(k.schedule_deletion(1, 7), Err(creating));
        k.state = KeyState::Unavailable;
        assert_eq!(k.disable(), Ok(()));
        assert_eq!(k.state, KeyState::Unavailable);
        assert_eq!(
            k.require_customer_managed("arn:p", "kms:DisableKey"),
            Ok(())
        );
        k.key_manager = "AWS".into();
        let Err(KmsError::AccessDenied(m)) = k.require_customer_managed("arn:p", "kms:DisableKey")
        else {
            panic!("AWS-managed keys refuse changes");
        };
        assert!(m.starts_with("User: arn:p is not authorized to perform: kms:DisableKey"));
    }

    #[test]
    fn record_round_trips_through_json() {
        let k = key();
        let text = serde_json::to_string(&k).unwrap_or_default();
        let back: Option<KeyRecord> = serde_json::from_str(&text).ok();
        assert_eq!(back, Some(k));
    }
}
