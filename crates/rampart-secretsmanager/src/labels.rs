//! Staging labels as AWS moves them: a label is on at most one version; moving `AWSCURRENT`
//! puts `AWSPREVIOUS` on the version that had it; a version carries at most 20 labels; a
//! version without labels is deprecated, and deprecated versions are removed, oldest first,
//! while a secret has more than 100 versions (never one created in the last 24 hours).

use crate::generated::ServiceError;
use crate::generated::errors::{invalid_parameter_exception, limit_exceeded_exception};
use crate::record::{SecretRecord, VersionRecord};

/// The label of the current version.
pub const CURRENT: &str = "AWSCURRENT";
/// The label of the version current before it.
pub const PREVIOUS: &str = "AWSPREVIOUS";
/// The label of a version being rotated in.
pub const PENDING: &str = "AWSPENDING";
/// The most labels a version carries.
pub const MAX_STAGES: usize = 20;
/// Versions beyond this count make the oldest deprecated versions go.
pub const MAX_VERSIONS: usize = 100;
/// Deprecated versions younger than this stay.
const PRUNE_MIN_AGE_MS: i64 = 24 * 3600 * 1000;

/// Adds the new `version` with `stages`, moving each label onto it.
pub fn add_version(
    record: &mut SecretRecord,
    mut version: VersionRecord,
    stages: &[String],
    now_ms: i64,
) -> Result<(), ServiceError> {
    check_count(stages.len())?;
    version.stages.clear();
    let id = version.id.clone();
    record.versions.push(version);
    for stage in stages {
        attach(record, stage, &id)?;
    }
    prune(record, now_ms);
    Ok(())
}

/// Attaches `stage` to version `to`, taking it off any other version; moving `AWSCURRENT`
/// puts `AWSPREVIOUS` on the version that had it.
pub fn attach(record: &mut SecretRecord, stage: &str, to: &str) -> Result<(), ServiceError> {
    let holder = record.staged(stage).map(|v| v.id.clone());
    if holder.as_deref() == Some(to) {
        return Ok(());
    }
    if let Some(old) = &holder {
        detach(record, stage, old);
        if stage == CURRENT {
            for v in &mut record.versions {
                v.stages.retain(|s| s != PREVIOUS);
            }
            push_stage(record, old, PREVIOUS);
        }
    }
    push_stage(record, to, stage);
    let count = record.version(to).map_or(0, |v| v.stages.len());
    check_count(count)
}

/// Takes `stage` off version `from`.
pub fn detach(record: &mut SecretRecord, stage: &str, from: &str) {
    if let Some(v) = record.versions.iter_mut().find(|v| v.id == from) {
        v.stages.retain(|s| s != stage);
    }
}

fn push_stage(record: &mut SecretRecord, id: &str, stage: &str) {
    if let Some(v) = record.versions.iter_mut().find(|v| v.id == id)
        && !v.stages.iter().any(|s| s == stage)
    {
        v.stages.push(stage.to_owned());
    }
}

fn check_count(count: usize) -> Result<(), ServiceError> {
    if count > MAX_STAGES {
        return Err(limit_exceeded_exception(format!(
            "A version can have at most {MAX_STAGES} staging labels."
        )));
    }
    Ok(())
}

/// Removes deprecated versions, oldest first, while there are more than [`MAX_VERSIONS`],
/// keeping those created in the last 24 hours.
pub fn prune(record: &mut SecretRecord, now_ms: i64) {
    while record.versions.len() > MAX_VERSIONS {
        let oldest = record
            .versions
            .iter()
            .position(|v| v.stages.is_empty() && now_ms - v.created_ms >= PRUNE_MIN_AGE_MS);
        match oldest {
            Some(i) => {
                record.versions.remove(i);
            }
            None => break,
        }
    }
}

/// UpdateSecretVersionStage on `record`: moves `stage` to `move_to` and/or removes it from
/// `remove_from`, with AWS's checks.
pub fn update_stage(
    record: &mut SecretRecord,
    stage: &str,
    move_to: Option<&str>,
    remove_from: Option<&str>,
) -> Result<(), ServiceError> {
    let holder = record.staged(stage).map(|v| v.id.clone());
    match move_to {
        Some(to) => {
            check_move(stage, holder.as_deref(), to, remove_from)?;
            attach(record, stage, to)
        }
        None => {
            let Some(from) = remove_from else {
                return Err(invalid_parameter_exception(
                    "You must specify MoveToVersionId, RemoveFromVersionId, or both.",
                ));
            };
            if holder.as_deref() != Some(from) {
                return Err(invalid_parameter_exception(format!(
                    "The staging label {stage} is not attached to version {from}."
                )));
            }
            if stage == CURRENT {
                return Err(invalid_parameter_exception(
                    "You can only move staging label AWSCURRENT to a different secret version. \
                     It can't be completely removed.",
                ));
            }
            detach(record, stage, from);
            Ok(())
        }
    }
}

/// A move of `stage` (now on `holder`) to `to` must name the holder in RemoveFromVersionId.
fn check_move(
    stage: &str,
    holder: Option<&str>,
    to: &str,
    remove_from: Option<&str>,
) -> Result<(), ServiceError> {
    match (holder, remove_from) {
        (Some(h), None) if h != to => Err(invalid_parameter_exception(format!(
            "The parameter RemoveFromVersionId can't be empty. Staging label {stage} is \
             currently attached to version {h}, so you must explicitly reference that version \
             in RemoveFromVersionId."
        ))),
        (h, Some(from)) if h != Some(from) && h != Some(to) => {
            Err(invalid_parameter_exception(format!(
                "When you move staging label {stage}, if you specify RemoveFromVersionId, it must \
                 be set to the version that currently has the staging label {stage}."
            )))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn record() -> SecretRecord {
        SecretRecord {
            name: "s".into(),
            arn: "arn".into(),
            description: None,
            kms_key_id: None,
            created_ms: 0,
            last_changed_ms: 0,
            last_accessed_ms: None,
            deleted_ms: None,
            deletion_due_ms: None,
            tags: vec![],
            versions: vec![],
            resource_policy: None,
            replicas: vec![],
            primary_region: None,
            cross_account_replicas: vec![],
            cross_account_primary: None,
            rotation: Default::default(),
        }
    }

    fn version(id: &str, created_ms: i64) -> VersionRecord {
        VersionRecord {
            id: id.into(),
            stages: vec![],
            created_ms,
            last_accessed_ms: None,
            key_arn: "k".into(),
            binary: false,
            earlier_keys: vec![],
        }
    }

    fn stages(r: &SecretRecord, id: &str) -> Vec<String> {
        r.version(id).unwrap().stages.clone()
    }

    fn current() -> Vec<String> {
        vec![CURRENT.to_owned()]
    }

    #[test]
    fn current_moves_and_previous_follows() {
        let mut r = record();
        add_version(&mut r, version("a", 0), &current(), 0).unwrap();
        add_version(&mut r, version("b", 1), &current(), 1).unwrap();
        add_version(&mut r, version("c", 2), &current(), 2).unwrap();
        assert!(stages(&r, "a").is_empty());
        assert_eq!(stages(&r, "b"), vec![PREVIOUS]);
        assert_eq!(stages(&r, "c"), vec![CURRENT]);
        update_stage(&mut r, CURRENT, Some("b"), Some("c")).unwrap();
        assert_eq!(stages(&r, "b"), vec![CURRENT]);
        assert_eq!(stages(&r, "c"), vec![PREVIOUS]);
    }

    #[test]
    fn moving_a_held_label_needs_remove_from() {
        let mut r = record();
        add_version(&mut r, version("a", 0), &current(), 0).unwrap();
        add_version(&mut r, version("b", 1), &[PENDING.to_owned()], 1).unwrap();
        let err = update_stage(&mut r, CURRENT, Some("b"), None).unwrap_err();
        assert!(err.message.contains("RemoveFromVersionId can't be empty"));
        let err = update_stage(&mut r, CURRENT, None, Some("a")).unwrap_err();
        assert_eq!(err.code, "InvalidParameterException");
        let err = update_stage(&mut r, PENDING, None, Some("a")).unwrap_err();
        assert!(err.message.contains("not attached"));
        let err = update_stage(&mut r, PENDING, Some("a"), Some("x")).unwrap_err();
        assert!(
            err.message
                .contains("must be set to the version that currently has")
        );
        update_stage(&mut r, PENDING, None, Some("b")).unwrap();
        assert!(stages(&r, "b").is_empty());
        update_stage(&mut r, "custom", Some("b"), None).unwrap();
        assert_eq!(stages(&r, "b"), vec!["custom"]);
    }

    #[test]
    fn twenty_labels_at_most() {
        let mut r = record();
        let many: Vec<String> = (0..MAX_STAGES).map(|i| format!("l{i}")).collect();
        add_version(&mut r, version("a", 0), &many, 0).unwrap();
        let err = update_stage(&mut r, "one-more", Some("a"), None).unwrap_err();
        assert_eq!(err.code, "LimitExceededException");
    }

    #[test]
    fn old_deprecated_versions_are_pruned_beyond_100() {
        let mut r = record();
        let day = PRUNE_MIN_AGE_MS;
        for i in 0..MAX_VERSIONS + 5 {
            let at = i64::try_from(i).unwrap();
            add_version(&mut r, version(&format!("v{i}"), at), &current(), at).unwrap();
        }
        // All created within the last day: nothing goes.
        assert_eq!(r.versions.len(), MAX_VERSIONS + 5);
        add_version(&mut r, version("late", 2 * day), &current(), 2 * day).unwrap();
        assert_eq!(r.versions.len(), MAX_VERSIONS);
        assert!(r.version("v0").is_none());
        assert!(r.version("v104").is_some());
        assert_eq!(stages(&r, "late"), vec![CURRENT]);
    }
}
