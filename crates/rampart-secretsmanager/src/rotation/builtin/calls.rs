//! The Secrets Manager calls a template makes with its execution role — DescribeSecret,
//! GetSecretValue, GetRandomPassword, PutSecretValue and UpdateSecretVersionStage — made here
//! through the service's operation traits as the rotation's principal.

use super::Engine;
use super::secret::DbSecret;
use crate::generated::{DescribeSecret, DescribeSecretRequest, GetRandomPassword};
use crate::generated::{GetRandomPasswordRequest, GetSecretValue, GetSecretValueRequest};
use crate::generated::{PutSecretValue, PutSecretValueRequest, ServiceError};
use crate::generated::{UpdateSecretVersionStage, UpdateSecretVersionStageRequest};
use crate::rotation::{StepContext, StepFailure};
use std::collections::BTreeMap;

/// What a failed Secrets Manager call says (its code and message hold no secret value).
pub(super) fn failure(err: ServiceError) -> StepFailure {
    StepFailure(format!("{}: {}", err.code, err.message))
}

/// Whether `err` is a ResourceNotFoundException.
pub(super) fn is_not_found(err: &ServiceError) -> bool {
    err.code == "ResourceNotFoundException"
}

/// DescribeSecret's answer as the templates use it.
pub(super) struct Metadata {
    pub rotation_enabled: Option<bool>,
    pub stages: BTreeMap<String, Vec<String>>,
}

impl Metadata {
    /// The version holding `stage`, if any.
    pub(super) fn holder_of(&self, stage: &str) -> Option<&str> {
        self.stages
            .iter()
            .find(|(_, stages)| stages.iter().any(|s| s == stage))
            .map(|(id, _)| id.as_str())
    }
}

/// DescribeSecret on `secret`.
pub(super) async fn describe(on: StepContext<'_>, secret: &str) -> Result<Metadata, StepFailure> {
    let request = DescribeSecretRequest {
        secret_id: Some(secret.to_string()),
    };
    let out = on
        .service
        .describe_secret(on.ctx, request)
        .await
        .map_err(failure)?;
    Ok(Metadata {
        rotation_enabled: out.rotation_enabled,
        stages: out.version_ids_to_stages.unwrap_or_default(),
    })
}

/// GetSecretValue of `secret` at `stage` (and version `token` when given): its SecretString.
pub(super) async fn secret_string(
    on: StepContext<'_>,
    secret: &str,
    stage: &str,
    token: Option<&str>,
) -> Result<String, ServiceError> {
    let request = GetSecretValueRequest {
        secret_id: Some(secret.to_string()),
        version_id: token.map(str::to_string),
        version_stage: Some(stage.to_string()),
    };
    let out = on.service.get_secret_value(on.ctx, request).await?;
    // Doubt: the templates fail with Python's KeyError('SecretString') on a binary secret.
    out.secret_string.ok_or_else(|| {
        ServiceError::new(
            "SecretStringMissing",
            400,
            "The secret version holds SecretBinary, not the SecretString JSON of database \
             credentials",
        )
    })
}

/// The templates' `get_secret_dict`: the version's JSON, checked for `engine`.
pub(super) async fn secret_dict(
    on: StepContext<'_>,
    engine: Engine,
    secret: &str,
    stage: &str,
    token: Option<&str>,
) -> Result<DbSecret, StepFailure> {
    let text = secret_string(on, secret, stage, token)
        .await
        .map_err(failure)?;
    DbSecret::parse(&text, engine)
}

/// GetRandomPassword excluding `exclude` (the templates' EXCLUDE_CHARACTERS default).
pub(super) async fn random_password(
    on: StepContext<'_>,
    exclude: &str,
) -> Result<String, StepFailure> {
    let request = GetRandomPasswordRequest {
        exclude_characters: Some(exclude.to_string()),
        ..Default::default()
    };
    let out = on
        .service
        .get_random_password(on.ctx, request)
        .await
        .map_err(failure)?;
    out.random_password
        .ok_or_else(|| StepFailure("GetRandomPassword returned no password".into()))
}

/// PutSecretValue of `value` as version `token` of `secret`, labelled AWSPENDING.
pub(super) async fn put_pending(
    on: StepContext<'_>,
    secret: &str,
    token: &str,
    value: String,
) -> Result<(), StepFailure> {
    let request = PutSecretValueRequest {
        secret_id: Some(secret.to_string()),
        client_request_token: Some(token.to_string()),
        secret_string: Some(value),
        version_stages: Some(vec![crate::labels::PENDING.to_string()]),
        ..Default::default()
    };
    on.service
        .put_secret_value(on.ctx, request)
        .await
        .map(|_| ())
        .map_err(failure)
}

/// UpdateSecretVersionStage moving AWSCURRENT to `token` from `from`.
pub(super) async fn make_current(
    on: StepContext<'_>,
    secret: &str,
    token: &str,
    from: Option<String>,
) -> Result<(), StepFailure> {
    let request = UpdateSecretVersionStageRequest {
        secret_id: Some(secret.to_string()),
        version_stage: Some(crate::labels::CURRENT.to_string()),
        move_to_version_id: Some(token.to_string()),
        remove_from_version_id: from,
    };
    on.service
        .update_secret_version_stage(on.ctx, request)
        .await
        .map(|_| ())
        .map_err(failure)
}
