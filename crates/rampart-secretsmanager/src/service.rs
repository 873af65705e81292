//! `SecretsManagerService`: Secrets Manager behind the generated `SecretsManagerApi` (served
//! through the generated `Endpoint`), with the helpers every operation shares.

use crate::generated::errors::{invalid_request_exception, resource_not_found_exception};
use crate::generated::{SecretsManagerHandler, ServiceError};
use crate::record::{SecretRecord, Tables, ValueRecord, secret_row, value_row, values_prefix};
use crate::replication::{enqueue_sync, has_replicas, refuse_replica};
use rampart_core::{Clock, RequestContext};
use rampart_kms::KmsService;
use rampart_store::{Expect, Store, StoreError, Versioned, Write};
use std::collections::HashSet;
use std::sync::Arc;

/// Attempts at a compare-and-swap write before giving up.
pub(crate) const CAS_ATTEMPTS: usize = 8;
/// Value rows read per store scan when a secret is destroyed.
const VALUE_SCAN_BATCH: usize = 200;

/// The Secrets Manager service.
pub struct SecretsManagerService {
    pub(crate) store: Store,
    pub(crate) tables: Tables,
    pub(crate) kms: Arc<KmsService>,
    pub(crate) clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for SecretsManagerService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretsManagerService")
            .finish_non_exhaustive()
    }
}

impl SecretsManagerService {
    /// Secrets Manager over `store`, sealing through `kms`, on the service clock `clock`.
    pub fn new(store: Store, kms: Arc<KmsService>, clock: Arc<dyn Clock>) -> Self {
        SecretsManagerService {
            tables: Tables::new(&store),
            store,
            kms,
            clock,
        }
    }

    /// Milliseconds since the epoch on the service clock.
    pub(crate) fn now_ms(&self) -> i64 {
        let nanos = self.clock.now().unix_timestamp_nanos() / 1_000_000;
        i64::try_from(nanos).unwrap_or(i64::MAX)
    }

    /// The stored secret `name` of the caller's account and Region.
    pub(crate) async fn load(
        &self,
        ctx: &RequestContext,
        name: &str,
    ) -> Result<Option<Versioned<SecretRecord>>, ServiceError> {
        self.load_at(ctx.account().as_str(), ctx.region.as_str(), name)
            .await
    }

    /// The stored secret `name` of `account` in `region`.
    pub(crate) async fn load_at(
        &self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Result<Option<Versioned<SecretRecord>>, ServiceError> {
        let row = secret_row(account, region, name);
        self.tables.secrets.get(&row).await.map_err(internal)
    }

    /// The sealed value of version `version_id` of the secret whose ARN is `arn`.
    pub(crate) async fn value_of(
        &self,
        arn: &str,
        version_id: &str,
    ) -> Result<ValueRecord, ServiceError> {
        let row = value_row(arn, version_id);
        match self.tables.values.get(&row).await.map_err(internal)? {
            Some(found) => Ok(found.value),
            None => {
                tracing::error!("a secret version has no stored value");
                Err(internal_error())
            }
        }
    }

    /// The write storing `value` as version `version_id` of the secret whose ARN is `arn`.
    pub(crate) fn put_value(
        &self,
        arn: &str,
        version_id: &str,
        value: &ValueRecord,
        expect: Expect,
    ) -> Result<Write, ServiceError> {
        let row = value_row(arn, version_id);
        self.tables
            .values
            .put(&row, value, expect)
            .map_err(internal)
    }

    /// The writes deleting every stored value of the secret whose ARN is `arn` (its data keys
    /// go with them).
    pub(crate) async fn delete_values(&self, arn: &str) -> Result<Vec<Write>, StoreError> {
        let prefix = values_prefix(arn);
        let mut writes = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let rows = self
                .tables
                .values
                .scan(&prefix, after.as_deref(), VALUE_SCAN_BATCH)
                .await?;
            let done = rows.len() < VALUE_SCAN_BATCH;
            after = rows.last().map(|(key, _)| key.clone());
            for (key, found) in rows {
                let expect = Expect::Version(found.version);
                writes.push(self.tables.values.delete(&key, expect));
            }
            if done || after.is_none() {
                return Ok(writes);
            }
        }
    }

    /// The writes deleting the values of the versions in `before` that `record` no longer has.
    fn removed_values(&self, record: &SecretRecord, before: &[String]) -> Vec<Write> {
        let after: HashSet<&str> = record.versions.iter().map(|v| v.id.as_str()).collect();
        before
            .iter()
            .filter(|id| !after.contains(id.as_str()))
            .map(|id| {
                let row = value_row(&record.arn, id);
                self.tables.values.delete(&row, Expect::Any)
            })
            .collect()
    }

    /// Applies `change` to secret `name` (with the writes it returns in the same transaction),
    /// retrying on conflicts; the changed record. The value of each version `change` removes
    /// is deleted in that transaction.
    pub(crate) async fn mutate<F>(
        &self,
        ctx: &RequestContext,
        name: &str,
        change: F,
    ) -> Result<SecretRecord, ServiceError>
    where
        F: Fn(&mut SecretRecord) -> Result<Vec<Write>, ServiceError>,
    {
        let (account, region) = (ctx.account().as_str(), ctx.region.as_str());
        self.mutate_at(account, region, name, change).await
    }

    /// [`Self::mutate`] on secret `name` of `account` in `region`. A replica is refused
    /// (writes are made on its primary); a primary with replicas enqueues their sync in the
    /// same transaction.
    pub(crate) async fn mutate_at<F>(
        &self,
        account: &str,
        region: &str,
        name: &str,
        change: F,
    ) -> Result<SecretRecord, ServiceError>
    where
        F: Fn(&mut SecretRecord) -> Result<Vec<Write>, ServiceError>,
    {
        self.write_at(account, region, name, true, change).await
    }

    /// Notes on secret `name` of `account` in `region` what reading it changes (its last
    /// access), on a replica too and without a sync: each Region keeps its own.
    pub(crate) async fn touch_at<F>(
        &self,
        account: &str,
        region: &str,
        name: &str,
        change: F,
    ) -> Result<SecretRecord, ServiceError>
    where
        F: Fn(&mut SecretRecord) -> Result<Vec<Write>, ServiceError>,
    {
        self.write_at(account, region, name, false, change).await
    }

    /// Applies `change` (see [`Self::mutate`]); `replicated`: refuse replicas, sync replicas.
    async fn write_at<F>(
        &self,
        account: &str,
        region: &str,
        name: &str,
        replicated: bool,
        change: F,
    ) -> Result<SecretRecord, ServiceError>
    where
        F: Fn(&mut SecretRecord) -> Result<Vec<Write>, ServiceError>,
    {
        let row = secret_row(account, region, name);
        for _ in 0..CAS_ATTEMPTS {
            let found = self.load_at(account, region, name).await?;
            let found = found.ok_or_else(not_found)?;
            let mut record = found.value;
            if replicated {
                refuse_replica(&record)?;
            }
            let before: Vec<String> = record.versions.iter().map(|v| v.id.clone()).collect();
            let mut writes = change(&mut record)?;
            writes.extend(self.removed_values(&record, &before));
            if replicated && has_replicas(&record) {
                writes.push(enqueue_sync(account, region, &record));
            }
            let put = self
                .tables
                .secrets
                .put(&row, &record, Expect::Version(found.version));
            writes.push(put.map_err(internal)?);
            match self.store.transact(writes).await {
                Ok(()) => return Ok(record),
                Err(e) if e.is_conflict() => continue,
                Err(e) => return Err(internal(e)),
            }
        }
        Err(internal(StoreError::Backend(
            "secret writes kept conflicting".into(),
        )))
    }
}

/// Authorizes `secretsmanager:<operation>` on `resource` against the caller's policies.
pub(crate) fn authorize(
    ctx: &RequestContext,
    action: &str,
    resource: &str,
) -> Result<(), ServiceError> {
    ctx.authorize_own(action, resource, &ctx.policy_context())
        .map_err(|denied| ServiceError::access_denied(denied.message))
}

/// A storage failure, logged and answered as InternalServiceError.
pub(crate) fn internal(err: StoreError) -> ServiceError {
    tracing::error!(error = %err, "Secrets Manager storage failure");
    internal_error()
}

/// InternalServiceError without detail (the cause is logged by the caller).
pub(crate) fn internal_error() -> ServiceError {
    ServiceError::new("InternalServiceError", 500, "An internal error occurred.")
}

/// ResourceNotFoundException for a secret that does not exist.
pub(crate) fn not_found() -> ServiceError {
    resource_not_found_exception("Secrets Manager can't find the specified secret.")
}

/// InvalidRequestException for an operation on a secret scheduled for deletion.
pub(crate) fn marked_for_deletion() -> ServiceError {
    invalid_request_exception(
        "You can't perform this operation on the secret because it was marked for deletion.",
    )
}

/// Secrets Manager's operations answer AWS errors directly.
impl SecretsManagerHandler for SecretsManagerService {
    type Error = ServiceError;
}

/// `ms` truncated to the start of its UTC day.
pub(crate) fn day_of(ms: i64) -> i64 {
    ms - ms.rem_euclid(86_400_000)
}
