//! PutSecretValue and UpdateSecret: a new version (AWSCURRENT unless other VersionStages are
//! given), idempotent on ClientRequestToken; UpdateSecret also changes the description and
//! the key, re-encrypting the AWSCURRENT, AWSPENDING and AWSPREVIOUS versions under a new key
//! (their earlier sealings kept, so the old key still decrypts them).

use super::rotate::{abandon_on_manual_change, unfinished};
use super::version::{NewVersion, Outcome, Value, token};
use crate::SecretsManagerService;
use crate::generated::errors::invalid_parameter_exception;
use crate::generated::{PutSecretValue, PutSecretValueRequest, PutSecretValueResponse};
use crate::generated::{ServiceError, UpdateSecret, UpdateSecretRequest, UpdateSecretResponse};
use crate::ids::secret_id;
use crate::labels::{CURRENT, PENDING, PREVIOUS};
use crate::policy::authorize_secret;
use crate::record::{Sealing, SecretRecord, ValueRecord, VersionRecord};
use crate::replication::refuse_replica;
use crate::seal::DEFAULT_KEY;
use crate::service::marked_for_deletion;
use rampart_core::RequestContext;
use rampart_store::{Expect, Write};

impl SecretsManagerService {
    /// Adds `version` with `stages` to secret `name` (unless a racing call added its id).
    async fn add(
        &self,
        ctx: &RequestContext,
        name: &str,
        version: &NewVersion,
        stages: &[String],
    ) -> Result<SecretRecord, ServiceError> {
        let now = self.now_ms();
        self.mutate(ctx, name, |r| {
            if r.deleted_ms.is_some() {
                return Err(marked_for_deletion());
            }
            let was_unfinished = unfinished(r);
            let mut writes = self.add_new(r, version, stages, now)?;
            if !writes.is_empty() {
                r.last_changed_ms = now;
            }
            if !writes.is_empty() && was_unfinished {
                writes.extend(abandon_on_manual_change(ctx, r, &version.version.id, now));
            }
            Ok(writes)
        })
        .await
    }
}

impl PutSecretValue for SecretsManagerService {
    async fn put_secret_value(
        &self,
        ctx: &RequestContext,
        input: PutSecretValueRequest,
    ) -> Result<PutSecretValueResponse, ServiceError> {
        let record = self
            .resolve(ctx, secret_id(input.secret_id.as_deref())?)
            .await?
            .value;
        authorize_secret(ctx, "secretsmanager:PutSecretValue", &record)?;
        refuse_replica(&record)?;
        if record.deleted_ms.is_some() {
            return Err(marked_for_deletion());
        }
        let value = Value::of(input.secret_string, input.secret_binary)?.ok_or_else(|| {
            invalid_parameter_exception("You must provide either SecretString or SecretBinary.")
        })?;
        let stages = input
            .version_stages
            .unwrap_or_else(|| vec![CURRENT.to_owned()]);
        let token = token(input.client_request_token);
        let key = record.kms_key_id.clone();
        let record = match self
            .version_for(ctx, &record, &token, &value, key.as_deref())
            .await?
        {
            Outcome::Existing => record,
            Outcome::New(v) => self.add(ctx, &record.name, &v, &stages).await?,
        };
        let stages = record.version(&token).map(|v| v.stages.clone());
        Ok(PutSecretValueResponse {
            arn: Some(record.arn.clone()),
            name: Some(record.name.clone()),
            version_id: Some(token),
            version_stages: stages,
        })
    }
}

/// The key a request names, with the default key (its alias, or an empty string) as `None`.
fn customer_key(key: Option<String>) -> Option<String> {
    key.filter(|k| k != DEFAULT_KEY && !k.is_empty())
}

impl UpdateSecret for SecretsManagerService {
    async fn update_secret(
        &self,
        ctx: &RequestContext,
        input: UpdateSecretRequest,
    ) -> Result<UpdateSecretResponse, ServiceError> {
        let record = self
            .resolve(ctx, secret_id(input.secret_id.as_deref())?)
            .await?
            .value;
        authorize_secret(ctx, "secretsmanager:UpdateSecret", &record)?;
        if record.primary_region.is_some() {
            return self.update_replica_key(ctx, &record, input).await;
        }
        if record.deleted_ms.is_some() {
            return Err(marked_for_deletion());
        }
        let value = Value::of(input.secret_string, input.secret_binary)?;
        let new_key = input
            .kms_key_id
            .is_some()
            .then(|| customer_key(input.kms_key_id));
        let key = new_key.clone().unwrap_or_else(|| record.kms_key_id.clone());
        let resealed = match &new_key {
            Some(k) if *k != record.kms_key_id => self.reseal(ctx, &record, k.as_deref()).await?,
            _ => vec![],
        };
        let token = token(input.client_request_token);
        let version = self
            .maybe_version(ctx, &record, &token, value.as_ref(), key)
            .await?;
        let now = self.now_ms();
        let description = input.description;
        let record = self
            .mutate(ctx, &record.name, |r| {
                let mut writes =
                    self.apply_update(r, description.as_ref(), new_key.as_ref(), &resealed)?;
                if let Some(v) = &version {
                    writes.extend(self.add_new(r, v, &[CURRENT.to_owned()], now)?);
                }
                r.last_changed_ms = now;
                Ok(writes)
            })
            .await?;
        Ok(UpdateSecretResponse {
            arn: Some(record.arn),
            name: Some(record.name),
            version_id: value.map(|_| token),
        })
    }
}

/// A version sealed again under a new key: its id and its new sealed value.
struct Resealed {
    id: String,
    value: ValueRecord,
}

impl SecretsManagerService {
    /// The description, key and re-sealed versions of an UpdateSecret applied to `r`; the
    /// writes storing the re-sealed values of the versions `r` still has.
    fn apply_update(
        &self,
        r: &mut SecretRecord,
        description: Option<&String>,
        new_key: Option<&Option<String>>,
        resealed: &[Resealed],
    ) -> Result<Vec<Write>, ServiceError> {
        if r.deleted_ms.is_some() {
            return Err(marked_for_deletion());
        }
        if let Some(d) = description {
            r.description = Some(d.clone());
        }
        if let Some(k) = new_key {
            r.kms_key_id = k.clone();
        }
        let mut writes = Vec::new();
        for new in resealed {
            if let Some(v) = r.versions.iter_mut().find(|v| v.id == new.id) {
                v.key_arn = new.value.key_arn.clone();
                v.earlier_keys = new
                    .value
                    .earlier
                    .iter()
                    .map(|e| e.key_arn.clone())
                    .collect();
                writes.push(self.put_value(&r.arn, &new.id, &new.value, Expect::Any)?);
            }
        }
        Ok(writes)
    }
}

impl SecretsManagerService {
    /// The new version `value` makes (none without a value, or for a repeated token).
    async fn maybe_version(
        &self,
        ctx: &RequestContext,
        record: &SecretRecord,
        token: &str,
        value: Option<&Value>,
        key: Option<String>,
    ) -> Result<Option<NewVersion>, ServiceError> {
        let Some(value) = value else {
            return Ok(None);
        };
        match self
            .version_for(ctx, record, token, value, key.as_deref())
            .await?
        {
            Outcome::New(v) => Ok(Some(v)),
            Outcome::Existing => Ok(None),
        }
    }

    /// The AWSCURRENT, AWSPENDING and AWSPREVIOUS versions of `record` sealed again under
    /// `key`, each keeping its earlier sealings. A version the caller cannot decrypt with the
    /// old key or encrypt with the new one stays as it is, as AWS leaves it.
    async fn reseal(
        &self,
        ctx: &RequestContext,
        record: &SecretRecord,
        key: Option<&str>,
    ) -> Result<Vec<Resealed>, ServiceError> {
        let mut out: Vec<Resealed> = Vec::new();
        for stage in [CURRENT, PENDING, PREVIOUS] {
            let Some(v) = record.staged(stage) else {
                continue;
            };
            if out.iter().any(|o| o.id == v.id) {
                continue;
            }
            match self.reseal_one(ctx, record, v, key).await {
                Ok(new) => out.push(new),
                Err(e) if e.status >= 500 => return Err(e),
                Err(e) => tracing::info!(code = %e.code, "a version kept its earlier key"),
            }
        }
        Ok(out)
    }

    /// `v` sealed under `key`, its current sealing kept as an earlier one.
    async fn reseal_one(
        &self,
        ctx: &RequestContext,
        record: &SecretRecord,
        v: &VersionRecord,
        key: Option<&str>,
    ) -> Result<Resealed, ServiceError> {
        let current = self.value_of(&record.arn, &v.id).await?;
        let plain = self.open(ctx, &record.arn, &v.id, &current).await?;
        let sealed = self.seal(ctx, key, &record.arn, &v.id, &plain).await?;
        let mut earlier = current.earlier;
        earlier.push(Sealing {
            key_arn: current.key_arn,
            sealed: current.sealed,
        });
        let value = ValueRecord {
            key_arn: sealed.key_arn,
            sealed: sealed.sealed,
            earlier,
        };
        Ok(Resealed {
            id: v.id.clone(),
            value,
        })
    }
}
