//! KMS key records and the key state machine (Enabled ⇄ Disabled, PendingDeletion).

use super::{KmsError, Scope};
use serde::{Deserialize, Serialize};

const MILLIS_PER_DAY: i64 = 86_400_000;

/// The states Rampart models (a subset of AWS `KeyState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyState {
    /// Usable for cryptographic operations.
    Enabled,
    /// Not usable; can be enabled again.
    Disabled,
    /// Scheduled for deletion; not usable; can be cancelled (back to Disabled).
    PendingDeletion,
}

impl KeyState {
    /// The AWS name of the state.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enabled => "Enabled",
            Self::Disabled => "Disabled",
            Self::PendingDeletion => "PendingDeletion",
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
    /// Multi-Region key (always false for now).
    pub multi_region: bool,
    /// The backing-key version new ciphertexts use (1 at creation; rotation adds versions).
    pub backing_version: u32,
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
        }
    }

    /// The scope the key lives in.
    pub fn scope(&self) -> Scope {
        Scope::new(self.account.clone(), self.region.clone())
    }

    /// The key ARN.
    pub fn arn(&self) -> String {
        self.scope().key_arn(&self.key_id)
    }

    /// Checks the key may encrypt/decrypt/generate: Enabled only.
    pub fn require_usable(&self) -> Result<(), KmsError> {
        match self.state {
            KeyState::Enabled => Ok(()),
            KeyState::Disabled => Err(KmsError::Disabled(format!("{} is disabled.", self.arn()))),
            KeyState::PendingDeletion => Err(self.pending_deletion_error()),
        }
    }

    /// Checks the key may be managed (described elsewhere): Enabled or Disabled.
    pub fn require_not_pending_deletion(&self) -> Result<(), KmsError> {
        match self.state {
            KeyState::PendingDeletion => Err(self.pending_deletion_error()),
            _ => Ok(()),
        }
    }

    /// EnableKey: Disabled → Enabled (Enabled stays Enabled).
    pub fn enable(&mut self) -> Result<(), KmsError> {
        self.require_not_pending_deletion()?;
        self.state = KeyState::Enabled;
        Ok(())
    }

    /// DisableKey: Enabled → Disabled (Disabled stays Disabled).
    pub fn disable(&mut self) -> Result<(), KmsError> {
        self.require_not_pending_deletion()?;
        self.state = KeyState::Disabled;
        Ok(())
    }

    /// ScheduleKeyDeletion: → PendingDeletion, deleted `days` days after `now_ms`.
    pub fn schedule_deletion(&mut self, now_ms: i64, days: u32) -> Result<i64, KmsError> {
        self.require_not_pending_deletion()?;
        let due = now_ms.saturating_add(i64::from(days).saturating_mul(MILLIS_PER_DAY));
        self.state = KeyState::PendingDeletion;
        self.deletion_ms = Some(due);
        self.pending_window_days = Some(days);
        Ok(due)
    }

    /// CancelKeyDeletion: PendingDeletion → Disabled, as AWS does.
    pub fn cancel_deletion(&mut self) -> Result<(), KmsError> {
        if self.state != KeyState::PendingDeletion {
            return Err(KmsError::InvalidState(format!(
                "{} is not pending deletion.",
                self.arn()
            )));
        }
        self.state = KeyState::Disabled;
        self.deletion_ms = None;
        self.pending_window_days = None;
        Ok(())
    }

    /// True when the key is pending deletion and its deletion date has passed.
    pub fn is_due(&self, now_ms: i64) -> bool {
        self.state == KeyState::PendingDeletion && self.deletion_ms.is_some_and(|due| due <= now_ms)
    }

    fn pending_deletion_error(&self) -> KmsError {
        KmsError::InvalidState(format!("{} is pending deletion.", self.arn()))
    }
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
        assert_eq!(due, Some(1_000 + 7 * MILLIS_PER_DAY));
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
    fn record_round_trips_through_json() {
        let k = key();
        let text = serde_json::to_string(&k).unwrap_or_default();
        let back: Option<KeyRecord> = serde_json::from_str(&text).ok();
        assert_eq!(back, Some(k));
    }
}
