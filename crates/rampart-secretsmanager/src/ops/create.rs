//! CreateSecret: a new secret, with a first version labelled AWSCURRENT when a value is given,
//! and its replicas (AddReplicaRegions) recorded InProgress with their sync enqueued.

use super::version::{Outcome, Value, token};
use crate::SecretsManagerService;
use crate::generated::errors::{invalid_request_exception, resource_exists_exception};
use crate::generated::{CreateSecret, CreateSecretRequest, CreateSecretResponse, ServiceError};
use crate::ids::{check_name, new_arn};
use crate::labels::CURRENT;
use crate::ops::replicate::{new_replicas, statuses};
use crate::ops::tags::{check_tags, tag_pairs};
use crate::record::{SecretRecord, secret_row};
use crate::replication::enqueue_sync;
use crate::seal::DEFAULT_KEY;
use crate::service::{authorize, internal};
use rampart_core::RequestContext;
use rampart_store::{Expect, Write};

impl CreateSecret for SecretsManagerService {
    async fn create_secret(
        &self,
        ctx: &RequestContext,
        mut input: CreateSecretRequest,
    ) -> Result<CreateSecretResponse, ServiceError> {
        let name = input.name.clone().unwrap_or_default();
        check_name(&name)?;
        let force = input.force_overwrite_replica_secret.unwrap_or(false);
        let regions = input.add_replica_regions.take().unwrap_or_default();
        let replicas = new_replicas(ctx, regions, force, &[])?;
        let value = Value::of(input.secret_string.clone(), input.secret_binary.clone())?;
        let token = token(input.client_request_token.clone());
        if let Some(existing) = self.load(ctx, &name).await? {
            return self.create_again(ctx, &existing.value, &token, value).await;
        }
        let cross_primary = input.cross_account_primary_arn.take();
        let mut record = self.new_record(ctx, name, input)?;
        record.replicas = replicas;
        let (name, arn) = (record.name.clone(), record.arn.clone());
        self.mark_conflicts(ctx, &name, &arn, &mut record.replicas)
            .await?;
        if let Some(primary) = cross_primary {
            let has_value = value.is_some();
            self.make_cross_replica(ctx, &mut record, primary, has_value)
                .await?;
        }
        let mut version_id = None;
        let mut writes = vec![];
        if let Some(value) = &value {
            writes = self.first_version(ctx, &mut record, &token, value).await?;
            version_id = Some(token);
        }
        if !record.replicas.is_empty() {
            let (account, region) = (ctx.account().as_str(), ctx.region.as_str());
            writes.push(enqueue_sync(account, region, &record));
        }
        self.insert(ctx, &record, writes).await?;
        let replication_status = (!record.replicas.is_empty()).then(|| statuses(&record));
        Ok(CreateSecretResponse {
            arn: Some(record.arn),
            name: Some(record.name),
            version_id,
            replication_status,
        })
    }
}

impl SecretsManagerService {
    /// The record of a new secret `name` (no versions yet), after authorizing its creation.
    fn new_record(
        &self,
        ctx: &RequestContext,
        name: String,
        input: CreateSecretRequest,
    ) -> Result<SecretRecord, ServiceError> {
        let arn = new_arn(ctx, &name)?;
        authorize(ctx, "secretsmanager:CreateSecret", &arn)?;
        let tags = tag_pairs(input.tags.unwrap_or_default());
        check_tags(&tags)?;
        let now = self.now_ms();
        Ok(SecretRecord {
            name,
            arn,
            description: input.description,
            kms_key_id: input
                .kms_key_id
                .filter(|k| k != DEFAULT_KEY && !k.is_empty()),
            created_ms: now,
            last_changed_ms: now,
            last_accessed_ms: None,
            deleted_ms: None,
            deletion_due_ms: None,
            tags,
            versions: vec![],
            resource_policy: None,
            replicas: vec![],
            primary_region: None,
            cross_account_replicas: vec![],
            cross_account_primary: None,
            rotation: Default::default(),
        })
    }

    /// Seals `value` as the first version of `record`, labelled AWSCURRENT; the write storing
    /// its value.
    async fn first_version(
        &self,
        ctx: &RequestContext,
        record: &mut SecretRecord,
        token: &str,
        value: &Value,
    ) -> Result<Vec<Write>, ServiceError> {
        let key = record.kms_key_id.clone();
        let outcome = self.version_for(ctx, record, token, value, key.as_deref());
        match outcome.await? {
            Outcome::New(v) => self.add_new(record, &v, &[CURRENT.to_owned()], self.now_ms()),
            Outcome::Existing => Ok(vec![]),
        }
    }

    /// Stores the new `record` with `writes` (its first value); ResourceExistsException if a
    /// racing call stored its name.
    async fn insert(
        &self,
        ctx: &RequestContext,
        record: &SecretRecord,
        mut writes: Vec<Write>,
    ) -> Result<(), ServiceError> {
        let row = secret_row(ctx.account().as_str(), ctx.region.as_str(), &record.name);
        let put = self.tables.secrets.put(&row, record, Expect::Absent);
        writes.push(put.map_err(internal)?);
        match self.store.transact(writes).await {
            Ok(()) => Ok(()),
            Err(e) if e.is_conflict() => Err(exists(&record.name)),
            Err(e) => Err(internal(e)),
        }
    }
}

impl SecretsManagerService {
    /// CreateSecret for a name that exists: the same token and value again succeed (AWS's
    /// idempotent retry); otherwise ResourceExistsException, or InvalidRequestException when
    /// the existing secret is scheduled for deletion.
    async fn create_again(
        &self,
        ctx: &RequestContext,
        existing: &SecretRecord,
        token: &str,
        value: Option<Value>,
    ) -> Result<CreateSecretResponse, ServiceError> {
        authorize(ctx, "secretsmanager:CreateSecret", &existing.arn)?;
        if existing.deleted_ms.is_some() {
            return Err(invalid_request_exception(
                "You can't create this secret because a secret with this name is already \
                 scheduled for deletion.",
            ));
        }
        let (Some(value), Some(_)) = (value, existing.version(token)) else {
            return Err(exists(&existing.name));
        };
        match self.version_for(ctx, existing, token, &value, None).await? {
            Outcome::Existing => Ok(CreateSecretResponse {
                arn: Some(existing.arn.clone()),
                name: Some(existing.name.clone()),
                version_id: Some(token.to_owned()),
                ..CreateSecretResponse::default()
            }),
            Outcome::New(_) => Err(exists(&existing.name)),
        }
    }
}

fn exists(name: &str) -> ServiceError {
    resource_exists_exception(format!(
        "The operation failed because the secret {name} already exists."
    ))
}
