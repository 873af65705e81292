//! Key rotation rules: which keys may rotate (and the AWS error for those that may not), rotation
//! periods, the automatic schedule and the on-demand quota.

use super::KmsArns;
use super::{KeyRecord, KeyState, KmsError, Scope};

/// Milliseconds in a day.
pub const MILLIS_PER_DAY: i64 = 86_400_000;
/// `RotationPeriodInDays` when none is given (and the period of AWS managed keys).
pub const DEFAULT_ROTATION_PERIOD_DAYS: u32 = 365;
/// Shortest `RotationPeriodInDays`.
pub const MIN_ROTATION_PERIOD_DAYS: u32 = 90;
/// Longest `RotationPeriodInDays`.
pub const MAX_ROTATION_PERIOD_DAYS: u32 = 2560;
/// On-demand rotations allowed per key (the KMS API reference: "a maximum of 25 times").
pub const MAX_ON_DEMAND_ROTATIONS: usize = 25;
/// A due rotation of a key that cannot rotate now (disabled, pending deletion) is looked at again
/// this much later.
pub const RECHECK_MS: i64 = MILLIS_PER_DAY;

/// `RotationType` of a rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RotationKind {
    /// Performed by the automatic schedule.
    Automatic,
    /// Requested with RotateKeyOnDemand.
    OnDemand,
}

impl RotationKind {
    /// The AWS name.
    pub fn as_aws(self) -> &'static str {
        match self {
            Self::Automatic => "AUTOMATIC",
            Self::OnDemand => "ON_DEMAND",
        }
    }
}

/// `RotationPeriodInDays` of EnableKeyRotation: 365 by default, 90–2560.
pub fn rotation_period_days(given: Option<i64>) -> Result<u32, KmsError> {
    let days = given.unwrap_or(i64::from(DEFAULT_ROTATION_PERIOD_DAYS));
    match u32::try_from(days) {
        Ok(d) if d < MIN_ROTATION_PERIOD_DAYS => Err(period_error(days, "greater", 90)),
        Ok(d) if d <= MAX_ROTATION_PERIOD_DAYS => Ok(d),
        Ok(_) => Err(period_error(days, "less", 2560)),
        Err(_) if days < 0 => Err(period_error(days, "greater", 90)),
        Err(_) => Err(period_error(days, "less", 2560)),
    }
}

fn period_error(days: i64, side: &str, bound: u32) -> KmsError {
    KmsError::Validation(format!(
        "1 validation error detected: Value '{days}' at 'rotationPeriodInDays' failed to satisfy \
         constraint: Member must have value {side} than or equal to {bound}"
    ))
}

/// `days` in milliseconds.
pub fn days_ms(days: u32) -> i64 {
    i64::from(days).saturating_mul(MILLIS_PER_DAY)
}

/// When the automatic rotation after one due at `due_ms` (performed at `now_ms`) is due: one period
/// later, or one period from now when the schedule fell behind by more than a period.
pub fn next_rotation_after(due_ms: i64, now_ms: i64, period_days: u32) -> i64 {
    let next = due_ms.saturating_add(days_ms(period_days));
    if next <= now_ms {
        now_ms.saturating_add(days_ms(period_days))
    } else {
        next
    }
}

/// True for a multi-Region replica (its primary lives in another Region).
pub fn is_replica(key: &KeyRecord) -> bool {
    key.multi_region_config
        .as_ref()
        .is_some_and(|c| c.primary_region != key.region)
}

/// The primary key's ARN of a multi-Region key (its own ARN for a primary or a single-Region key).
pub fn primary_arn(key: &KeyRecord) -> String {
    match &key.multi_region_config {
        Some(c) => Scope::new(key.account.clone(), c.primary_region.clone()).key_arn(&key.key_id),
        None => key.arn(),
    }
}

/// True when the key's material can rotate in Rampart: a symmetric encryption key whose material
/// KMS generated.
pub fn supports_rotation(key: &KeyRecord) -> bool {
    key.key_spec == "SYMMETRIC_DEFAULT" && key.key_usage == "ENCRYPT_DECRYPT"
}

/// The refusal of a rotation operation on a key whose kind cannot rotate: AWS managed keys (their
/// key policy does not let users change rotation), non-symmetric keys, imported material, and
/// multi-Region replicas (rotation is managed on the primary). `caller_arn` and `action` word the
/// AccessDeniedException.
pub fn check_rotation_kind(
    key: &KeyRecord,
    caller_arn: &str,
    action: &str,
) -> Result<(), KmsError> {
    if key.is_aws_managed() {
        return Err(KmsError::AccessDenied(format!(
            "User: {caller_arn} is not authorized to perform: kms:{action} on resource: {} \
             because no resource-based policy allows the kms:{action} action",
            key.arn()
        )));
    }
    // Imported material rotates only on demand, after a NEW_KEY_MATERIAL import.
    if action != "RotateKeyOnDemand" || !key.rotates_imported_material() {
        check_rotation_material(key)?;
    }
    if is_replica(key) {
        return Err(KmsError::Unsupported(format!(
            "{} is a multi-Region replica key. Rotation of a multi-Region key is managed on its \
             primary key {}.",
            key.arn(),
            primary_arn(key)
        )));
    }
    Ok(())
}

/// UnsupportedOperationException for keys whose material cannot rotate (non-symmetric keys and
/// keys with imported material), as AWS words it.
pub fn check_rotation_material(key: &KeyRecord) -> Result<(), KmsError> {
    if !supports_rotation(key) {
        return Err(KmsError::Unsupported(
            "You cannot perform this operation on a non-symmetric key or a key with \
             non-ENCRYPT_DECRYPT key usage."
                .into(),
        ));
    }
    if key.origin != "AWS_KMS" {
        return Err(KmsError::Unsupported(format!(
            "{} origin is {} which is not valid for this operation.",
            key.arn(),
            key.origin
        )));
    }
    Ok(())
}

/// The key states EnableKeyRotation, DisableKeyRotation and RotateKeyOnDemand accept: Enabled only
/// (DisabledException for a disabled key, KMSInvalidStateException otherwise).
pub fn check_rotation_state(key: &KeyRecord) -> Result<(), KmsError> {
    key.require_usable()
}

/// LimitExceededException once a key has used its on-demand rotations.
pub fn check_on_demand_quota(key: &KeyRecord, done: usize) -> Result<(), KmsError> {
    if done >= MAX_ON_DEMAND_ROTATIONS {
        return Err(KmsError::LimitExceeded(format!(
            "The request was rejected because {} has reached the maximum number of on-demand \
             rotations ({MAX_ON_DEMAND_ROTATIONS}).",
            key.arn()
        )));
    }
    Ok(())
}

/// What the scheduler does with a key whose automatic rotation entry came due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueAction {
    /// Rotate now; the next rotation is due at the given time.
    Rotate {
        /// The next due time.
        next_ms: i64,
    },
    /// The key cannot rotate now (disabled, pending deletion, pending import): look again later.
    Recheck {
        /// When to look again.
        at_ms: i64,
    },
    /// Rotation was disabled or rescheduled since: drop the entry.
    Drop,
}

/// Decides what to do with `key` when its schedule entry for `due_ms` comes up at `now_ms`. An
/// entry older than the key's next rotation is stale (the rotation was rescheduled, and the new
/// entry will come up by itself); an entry at or after it is the rotation itself or a recheck.
pub fn due_action(key: &KeyRecord, due_ms: i64, now_ms: i64) -> DueAction {
    let r = &key.rotation;
    let Some(next) = r
        .next_rotation_ms
        .filter(|_| r.enabled || key.is_aws_managed())
    else {
        return DueAction::Drop;
    };
    if next > due_ms || next > now_ms || !supports_rotation(key) || is_replica(key) {
        return DueAction::Drop;
    }
    if key.state != KeyState::Enabled {
        return DueAction::Recheck {
            at_ms: now_ms.saturating_add(RECHECK_MS),
        };
    }
    let period = r.period_days.unwrap_or(DEFAULT_ROTATION_PERIOD_DAYS);
    DueAction::Rotate {
        next_ms: next_rotation_after(next, now_ms, period),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::MultiRegionConfig;

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
    fn periods() {
        assert_eq!(rotation_period_days(None), Ok(365));
        assert_eq!(rotation_period_days(Some(90)), Ok(90));
        assert_eq!(rotation_period_days(Some(2560)), Ok(2560));
        let low = rotation_period_days(Some(89))
            .err()
            .map(|e| e.client_message());
        assert_eq!(
            low.as_deref(),
            Some(
                "1 validation error detected: Value '89' at 'rotationPeriodInDays' failed to \
                 satisfy constraint: Member must have value greater than or equal to 90"
            )
        );
        assert!(rotation_period_days(Some(2561)).is_err());
        assert!(rotation_period_days(Some(-1)).is_err());
        assert!(rotation_period_days(Some(i64::MAX)).is_err());
    }

    #[test]
    fn next_rotation_keeps_the_cadence_unless_far_behind() {
        let day = MILLIS_PER_DAY;
        assert_eq!(next_rotation_after(100 * day, 100 * day, 90), 190 * day);
        assert_eq!(next_rotation_after(100 * day, 101 * day, 90), 190 * day);
        assert_eq!(next_rotation_after(100 * day, 500 * day, 90), 590 * day);
    }

    #[test]
    fn kinds_that_cannot_rotate() {
        let caller = "arn:aws:iam::111122223333:root";
        let mut k = key();
        assert_eq!(check_rotation_kind(&k, caller, "EnableKeyRotation"), Ok(()));
        k.key_manager = "AWS".into();
        let e = check_rotation_kind(&k, caller, "EnableKeyRotation").err();
        assert_eq!(e.map(|e| e.code()), Some("AccessDeniedException"));
        let mut k = key();
        k.key_spec = "HMAC_256".into();
        k.key_usage = "GENERATE_VERIFY_MAC".into();
        let e = check_rotation_kind(&k, caller, "EnableKeyRotation").err();
        assert_eq!(e.map(|e| e.code()), Some("UnsupportedOperationException"));
        let mut k = key();
        k.origin = "EXTERNAL".into();
        assert_eq!(check_rotation_kind(&k, caller, "RotateKeyOnDemand"), Ok(()));
        let e = check_rotation_kind(&k, caller, "EnableKeyRotation").err();
        assert_eq!(e.map(|e| e.code()), Some("UnsupportedOperationException"));
        k.multi_region = true;
        let e = check_rotation_kind(&k, caller, "RotateKeyOnDemand").err();
        assert_eq!(
            e.map(|e| e.client_message()),
            Some(format!(
                "{} origin is EXTERNAL which is not valid for this operation.",
                k.arn()
            ))
        );
        let mut k = key();
        k.multi_region_config = Some(MultiRegionConfig {
            primary_region: "eu-west-1".into(),
            replica_regions: vec!["us-east-1".into()],
        });
        assert!(is_replica(&k));
        let e = check_rotation_kind(&k, caller, "EnableKeyRotation").err();
        assert_eq!(e.map(|e| e.code()), Some("UnsupportedOperationException"));
        assert!(primary_arn(&k).contains(":eu-west-1:"));
    }

    #[test]
    fn quota() {
        let k = key();
        assert_eq!(check_on_demand_quota(&k, 24), Ok(()));
        let e = check_on_demand_quota(&k, 25).err();
        assert_eq!(e.map(|e| e.code()), Some("LimitExceededException"));
    }

    #[test]
    fn due_actions() {
        let day = MILLIS_PER_DAY;
        let mut k = key();
        assert_eq!(due_action(&k, 10 * day, 10 * day), DueAction::Drop);
        k.rotation.enabled = true;
        k.rotation.period_days = Some(90);
        k.rotation.next_rotation_ms = Some(10 * day);
        assert_eq!(
            due_action(&k, 10 * day, 10 * day),
            DueAction::Rotate { next_ms: 100 * day }
        );
        assert_eq!(due_action(&k, 9 * day, 10 * day), DueAction::Drop);
        assert_eq!(due_action(&k, 10 * day, 9 * day), DueAction::Drop);
        k.state = KeyState::Disabled;
        assert_eq!(
            due_action(&k, 10 * day, 10 * day),
            DueAction::Recheck { at_ms: 11 * day }
        );
        k.state = KeyState::Enabled;
        assert_eq!(
            due_action(&k, 11 * day, 400 * day),
            DueAction::Rotate { next_ms: 490 * day }
        );
        k.rotation.enabled = false;
        assert_eq!(due_action(&k, 10 * day, 10 * day), DueAction::Drop);
    }
}
