//! `ApiGatewayService`: API Gateway behind the generated `ApiGatewayApi` (served through the
//! generated `Endpoint`), with the helpers every operation shares: loading and
//! compare-and-swap updates of API, deployment and stage rows, authorization, errors.

use crate::edge::Live;
use crate::edge::Metering;
use crate::generated::errors::not_found_exception;
use crate::generated::{ApiGatewayHandler, ServiceError};
use crate::plans::{ApiKeyRecord, KEYS, PLANS, USAGE, UsagePlanRecord, UsageRecord};
use crate::record::{APIS, ApiRecord, DEPLOYMENTS, DeploymentRecord, STAGES, StageRecord};
use crate::record::{DOMAINS, DomainRecord};
use crate::record::{api_row, child_row};
use rampart_acm::CertificateAccess;
use rampart_core::{Clock, RequestContext};
use rampart_crypto::root::DomainKey;
use rampart_store::{Expect, Store, StoreError, Table, Versioned, Write};
use serde::{Serialize, de::DeserializeOwned};
use std::sync::Arc;

/// Attempts at a compare-and-swap write before giving up.
const CAS_ATTEMPTS: usize = 8;

/// The API Gateway service.
pub struct ApiGatewayService {
    pub(crate) store: Store,
    pub(crate) apis: Table<ApiRecord>,
    pub(crate) deployments: Table<DeploymentRecord>,
    pub(crate) stages: Table<StageRecord>,
    pub(crate) keys: Table<ApiKeyRecord>,
    pub(crate) plans: Table<UsagePlanRecord>,
    pub(crate) usage: Table<UsageRecord>,
    /// Seals API key values and fingerprints them (shared with the edge's metering).
    pub(crate) metering: Arc<Metering>,
    pub(crate) domains: Table<DomainRecord>,
    /// ACM's certificates, for custom domain names (none when ACM is not served).
    pub(crate) certificates: Option<Arc<CertificateAccess>>,
    /// Where mutual TLS truststores are read (Rampart's stand-in for S3); none readable when
    /// unset.
    pub(crate) truststore_dir: Option<std::path::PathBuf>,
    pub(crate) clock: Arc<dyn Clock>,
    /// What the edge data plane serves; refreshed after every change of what it reads.
    pub(crate) live: Arc<Live>,
}

impl std::fmt::Debug for ApiGatewayService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiGatewayService").finish_non_exhaustive()
    }
}

impl ApiGatewayService {
    /// API Gateway over `store` on the service clock `clock`, sealing API key values under
    /// `key_seal`.
    pub fn new(store: Store, clock: Arc<dyn Clock>, key_seal: DomainKey) -> Self {
        ApiGatewayService {
            keys: Table::new(store.clone(), KEYS),
            plans: Table::new(store.clone(), PLANS),
            usage: Table::new(store.clone(), USAGE),
            metering: Arc::new(Metering::new(store.clone(), key_seal, clock.clone())),
            apis: Table::new(store.clone(), APIS),
            deployments: Table::new(store.clone(), DEPLOYMENTS),
            stages: Table::new(store.clone(), STAGES),
            domains: Table::new(store.clone(), DOMAINS),
            certificates: None,
            truststore_dir: None,
            live: Arc::new(Live::new(store.clone())),
            store,
            clock,
        }
    }

    /// The same service checking custom domain names' certificates with ACM through `access`.
    pub fn with_certificates(mut self, access: Option<Arc<CertificateAccess>>) -> Self {
        self.certificates = access;
        self
    }

    /// The same service reading mutual TLS truststores `s3://<bucket>/<key>` from
    /// `<dir>/<bucket>/<key>`.
    pub fn with_truststore_dir(mut self, dir: Option<std::path::PathBuf>) -> Self {
        self.truststore_dir = dir;
        self
    }

    /// The data plane's view of the deployed stages.
    pub fn live(&self) -> Arc<Live> {
        self.live.clone()
    }

    /// The metering of API keys at the edge (usage counts, throttles, quotas).
    pub fn metering(&self) -> Arc<Metering> {
        self.metering.clone()
    }

    /// Milliseconds since the epoch on the service clock.
    pub(crate) fn now_ms(&self) -> i64 {
        let nanos = self.clock.now().unix_timestamp_nanos() / 1_000_000;
        i64::try_from(nanos).unwrap_or(i64::MAX)
    }

    /// The row key of API `id` of the caller.
    pub(crate) fn api_key(ctx: &RequestContext, id: &str) -> String {
        api_row(ctx.account().as_str(), ctx.region.as_str(), id)
    }

    /// The caller's API `id`, or NotFoundException.
    pub(crate) async fn load_api(
        &self,
        ctx: &RequestContext,
        id: &str,
    ) -> Result<Versioned<ApiRecord>, ServiceError> {
        let found = self.apis.get(&Self::api_key(ctx, id)).await;
        found
            .map_err(internal)?
            .ok_or_else(|| api_not_found(ctx, id))
    }

    /// Applies `change` to the caller's API `id` under compare-and-swap; the changed record
    /// and what `change` returned.
    pub(crate) async fn mutate_api<R, F>(
        &self,
        ctx: &RequestContext,
        id: &str,
        mut change: F,
    ) -> Result<(ApiRecord, R), ServiceError>
    where
        F: FnMut(&mut ApiRecord) -> Result<R, ServiceError>,
    {
        let key = Self::api_key(ctx, id);
        for _ in 0..CAS_ATTEMPTS {
            let found = self.load_api(ctx, id).await?;
            let mut record = found.value;
            let out = change(&mut record)?;
            let put = self.apis.put(&key, &record, Expect::Version(found.version));
            match self.store.transact(vec![put.map_err(internal)?]).await {
                Ok(()) => return Ok((record, out)),
                Err(e) if e.is_conflict() => continue,
                Err(e) => return Err(internal(e)),
            }
        }
        Err(internal(StoreError::Backend(
            "API writes kept conflicting".into(),
        )))
    }

    /// Applies `change` to the row `key` of `table` (NotFoundException `missing` when absent)
    /// under compare-and-swap, then refreshes the data plane.
    pub(crate) async fn mutate_child<T, F>(
        &self,
        table: &Table<T>,
        key: &str,
        missing: fn() -> ServiceError,
        mut change: F,
    ) -> Result<T, ServiceError>
    where
        T: Serialize + DeserializeOwned,
        F: FnMut(&mut T) -> Result<(), ServiceError>,
    {
        for _ in 0..CAS_ATTEMPTS {
            let found = table.get(key).await.map_err(internal)?;
            let found = found.ok_or_else(missing)?;
            let mut record = found.value;
            change(&mut record)?;
            let put = table.put(key, &record, Expect::Version(found.version));
            match self.store.transact(vec![put.map_err(internal)?]).await {
                Ok(()) => {
                    self.refresh_edge().await;
                    return Ok(record);
                }
                Err(e) if e.is_conflict() => continue,
                Err(e) => return Err(internal(e)),
            }
        }
        Err(internal(StoreError::Backend(
            "writes kept conflicting".into(),
        )))
    }

    /// Commits `writes`; a conflict is `on_conflict`.
    pub(crate) async fn commit(
        &self,
        writes: Vec<Write>,
        on_conflict: fn() -> ServiceError,
    ) -> Result<(), ServiceError> {
        match self.store.transact(writes).await {
            Ok(()) => Ok(()),
            Err(e) if e.is_conflict() => Err(on_conflict()),
            Err(e) => Err(internal(e)),
        }
    }

    /// Every row of `table` under the caller's API `id`, in key order.
    pub(crate) async fn children<T: Serialize + DeserializeOwned>(
        &self,
        table: &Table<T>,
        ctx: &RequestContext,
        id: &str,
    ) -> Result<Vec<(String, Versioned<T>)>, ServiceError> {
        let prefix = child_row(&Self::api_key(ctx, id), "");
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let rows = table.scan(&prefix, after.as_deref(), 500).await;
            let rows = rows.map_err(internal)?;
            let done = rows.len() < 500;
            after = rows.last().map(|(k, _)| k.clone());
            out.extend(rows);
            if done {
                return Ok(out);
            }
        }
    }

    /// Rebuilds the data plane's view now (so a caller's next invocation sees its change).
    pub(crate) async fn refresh_edge(&self) {
        if let Err(e) = self.live.refresh().await {
            tracing::warn!(error = %e, "API Gateway edge refresh failed; the periodic one retries");
        }
    }
}

/// Authorizes `apigateway:<method>` on the API Gateway resource at `path`
/// (`arn:aws:apigateway:<region>::<path>`), as IAM names API Gateway's management actions.
pub(crate) fn authorize(
    ctx: &RequestContext,
    method: &str,
    path: &str,
) -> Result<(), ServiceError> {
    let arn = format!("arn:aws:apigateway:{}::{path}", ctx.region.as_str());
    ctx.note_resource(arn.clone(), "AWS::ApiGateway::RestApi");
    ctx.authorize_own(&format!("apigateway:{method}"), &arn, &ctx.policy_context())
        .map_err(|denied| ServiceError::access_denied(denied.message))
}

/// A storage failure, logged and answered as an internal error.
pub(crate) fn internal(err: StoreError) -> ServiceError {
    tracing::error!(error = %err, "API Gateway storage failure");
    ServiceError::new("InternalFailure", 500, "An internal error occurred.")
}

/// NotFoundException for an API the caller does not have.
pub(crate) fn api_not_found(ctx: &RequestContext, id: &str) -> ServiceError {
    not_found_exception(format!(
        "Invalid API identifier specified {}:{id}",
        ctx.account().as_str()
    ))
}

/// API Gateway's operations answer AWS errors directly.
impl ApiGatewayHandler for ApiGatewayService {
    type Error = ServiceError;
}
