//! GetSecretValue: the version a VersionId and/or VersionStage names (AWSCURRENT by default),
//! decrypted as the caller; each read records the day of access on the secret and version.

use crate::SecretsManagerService;
use crate::generated::errors::resource_not_found_exception;
use crate::generated::{Blob, GetSecretValue, GetSecretValueRequest, GetSecretValueResponse};
use crate::generated::{SecretValueEntry, ServiceError};
use crate::ids::secret_id;
use crate::labels::CURRENT;
use crate::policy::{authorize_secret, owner_of, region_of};
use crate::record::{SecretRecord, ValueRecord, VersionRecord};
use crate::service::{day_of, marked_for_deletion};
use rampart_codec::Timestamp;
use rampart_core::RequestContext;

/// The version `id` and/or `stage` name in `record`.
pub fn select<'a>(
    record: &'a SecretRecord,
    id: Option<&str>,
    stage: Option<&str>,
) -> Result<&'a VersionRecord, ServiceError> {
    let missing = |what: String| {
        resource_not_found_exception(format!(
            "Secrets Manager can't find the specified secret value for {what}"
        ))
    };
    match (id, stage) {
        (Some(id), Some(stage)) => record
            .version(id)
            .filter(|v| v.stages.iter().any(|s| s == stage))
            .ok_or_else(|| missing(format!("VersionId: {id} and staging label: {stage}"))),
        (Some(id), None) => record
            .version(id)
            .ok_or_else(|| missing(format!("VersionId: {id}"))),
        (None, stage) => {
            let stage = stage.unwrap_or(CURRENT);
            record
                .staged(stage)
                .ok_or_else(|| missing(format!("staging label: {stage}")))
        }
    }
}

impl SecretsManagerService {
    /// The value of the version `id`/`stage` name in secret `secret`, as a batch entry, after
    /// authorizing `secretsmanager:GetSecretValue`.
    pub(crate) async fn read(
        &self,
        ctx: &RequestContext,
        secret: &str,
        id: Option<&str>,
        stage: Option<&str>,
    ) -> Result<SecretValueEntry, ServiceError> {
        let record = self.resolve_shared(ctx, secret).await?.value;
        self.read_record(ctx, &record, id, stage, None).await
    }

    /// [`Self::read`] of the resolved `record`; `sealed` is the selected version's stored value
    /// when the caller has read it already (a batch reads them together), else it is read here.
    pub(crate) async fn read_record(
        &self,
        ctx: &RequestContext,
        record: &SecretRecord,
        id: Option<&str>,
        stage: Option<&str>,
        sealed: Option<ValueRecord>,
    ) -> Result<SecretValueEntry, ServiceError> {
        authorize_secret(ctx, "secretsmanager:GetSecretValue", record)?;
        if record.deleted_ms.is_some() {
            return Err(marked_for_deletion());
        }
        let version = select(record, id, stage)?;
        let sealed = match sealed {
            Some(sealed) => sealed,
            None => self.value_of(&record.arn, &version.id).await?,
        };
        let plain = self.open(ctx, &record.arn, &version.id, &sealed).await?;
        self.note_access(record, &version.id).await;
        let (secret_string, secret_binary) = match version.binary {
            true => (None, Some(Blob(plain.to_vec()))),
            false => (Some(String::from_utf8_lossy(&plain).into_owned()), None),
        };
        Ok(SecretValueEntry {
            arn: Some(record.arn.clone()),
            name: Some(record.name.clone()),
            created_date: Some(Timestamp::from_epoch_millis(version.created_ms)),
            version_id: Some(version.id.clone()),
            version_stages: Some(version.stages.clone()),
            secret_string,
            secret_binary,
        })
    }

    /// GetSecretValue as the caller for Parameter Store's `/aws/reference/secretsmanager/`
    /// names: `selector` names a VersionId when the secret has one of that id, otherwise a
    /// staging label; without it, AWSCURRENT.
    pub async fn read_reference(
        &self,
        ctx: &RequestContext,
        secret: &str,
        selector: Option<&str>,
    ) -> Result<SecretValueEntry, ServiceError> {
        let Some(selector) = selector else {
            return self.read(ctx, secret, None, None).await;
        };
        let record = self.resolve_shared(ctx, secret).await?.value;
        match record.version(selector) {
            Some(_) => self.read(ctx, secret, Some(selector), None).await,
            None => self.read(ctx, secret, None, Some(selector)).await,
        }
    }

    /// Records today as the last access of `record` and its version `id`, once a day.
    async fn note_access(&self, record: &SecretRecord, id: &str) {
        let today = day_of(self.now_ms());
        let seen = record.version(id).and_then(|v| v.last_accessed_ms);
        if record.last_accessed_ms == Some(today) && seen == Some(today) {
            return;
        }
        let (account, region) = (owner_of(&record.arn), region_of(&record.arn));
        let result = self
            .touch_at(account, region, &record.name, |r| {
                r.last_accessed_ms = Some(today);
                if let Some(v) = r.versions.iter_mut().find(|v| v.id == id) {
                    v.last_accessed_ms = Some(today);
                }
                Ok(vec![])
            })
            .await;
        if let Err(e) = result {
            tracing::warn!(code = %e.code, "could not record a secret's last access");
        }
    }
}

impl GetSecretValue for SecretsManagerService {
    async fn get_secret_value(
        &self,
        ctx: &RequestContext,
        input: GetSecretValueRequest,
    ) -> Result<GetSecretValueResponse, ServiceError> {
        let secret = secret_id(input.secret_id.as_deref())?;
        let entry = self
            .read(
                ctx,
                secret,
                input.version_id.as_deref(),
                input.version_stage.as_deref(),
            )
            .await?;
        Ok(GetSecretValueResponse {
            arn: entry.arn,
            name: entry.name,
            created_date: entry.created_date,
            version_id: entry.version_id,
            version_stages: entry.version_stages,
            secret_string: entry.secret_string,
            secret_binary: entry.secret_binary,
        })
    }
}
