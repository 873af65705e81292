//! `AcmPcaService`: ACM PCA behind the generated `AcmPcaApi` (served through the generated
//! `Endpoint`, over RPC v2 CBOR and JSON 1.1), with the helpers every operation shares: CA
//! ARNs, loading and compare-and-swap updates of CA rows, authorization, errors.

use crate::generated::errors::{invalid_arn_exception, resource_not_found_exception};
use crate::generated::{AcmPcaHandler, ServiceError};
use crate::record::{CaRecord, Tables, ca_row};
use rampart_core::{AccessCheck, Clock, RequestContext};
use rampart_crypto::root::DomainKey;
use rampart_store::{Expect, Store, StoreError, Versioned, Write};
use std::sync::Arc;
use time::OffsetDateTime;

/// Attempts at a compare-and-swap write before giving up.
const CAS_ATTEMPTS: usize = 8;

/// The ACM PCA service.
pub struct AcmPcaService {
    pub(crate) store: Store,
    pub(crate) tables: Tables,
    /// Seals CA private keys (the root key's ACM domain key).
    pub(crate) domain: DomainKey,
    pub(crate) clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for AcmPcaService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AcmPcaService").finish_non_exhaustive()
    }
}

/// A CA named by its ARN.
#[derive(Debug, Clone)]
pub struct CaRef {
    pub account: String,
    pub region: String,
    pub id: String,
    pub arn: String,
}

impl CaRef {
    /// The CA's row key.
    pub fn row(&self) -> String {
        ca_row(&self.account, &self.region, &self.id)
    }
}

impl AcmPcaService {
    /// ACM PCA over `store`, sealing CA keys under `domain`, on the service clock `clock`.
    pub fn new(store: Store, domain: DomainKey, clock: Arc<dyn Clock>) -> Self {
        AcmPcaService {
            tables: Tables::new(&store),
            store,
            domain,
            clock,
        }
    }

    /// The service clock's time.
    pub(crate) fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Milliseconds since the epoch on the service clock.
    pub(crate) fn now_ms(&self) -> i64 {
        rampart_core::epoch_ms(self.clock.as_ref())
    }

    /// The stored CA `ca`.
    pub(crate) async fn load(&self, ca: &CaRef) -> Result<Versioned<CaRecord>, ServiceError> {
        let found = self.tables.authorities.get(&ca.row()).await;
        let mut found = found
            .map_err(internal)?
            .ok_or_else(|| ca_not_found(&ca.arn))?;
        found.value.expire_at(self.now_ms());
        Ok(found)
    }

    /// Applies `change` to CA `ca` (with the writes it returns in the same transaction),
    /// retrying on conflicts; the changed record.
    pub(crate) async fn mutate<F>(&self, ca: &CaRef, change: F) -> Result<CaRecord, ServiceError>
    where
        F: Fn(&mut CaRecord) -> Result<Vec<Write>, ServiceError>,
    {
        for _ in 0..CAS_ATTEMPTS {
            let found = self.load(ca).await?;
            let mut record = found.value;
            let mut writes = change(&mut record)?;
            let put =
                self.tables
                    .authorities
                    .put(&ca.row(), &record, Expect::Version(found.version));
            writes.push(put.map_err(internal)?);
            match self.store.transact(writes).await {
                Ok(()) => return Ok(record),
                Err(e) if e.is_conflict() => continue,
                Err(e) => return Err(internal(e)),
            }
        }
        Err(internal(StoreError::Backend(
            "certificate authority writes kept conflicting".into(),
        )))
    }
}

/// The CA `arn` names (`arn:<partition>:acm-pca:<region>:<account>:certificate-authority/<id>`).
pub(crate) fn ca_ref(arn: &str) -> Result<CaRef, ServiceError> {
    // Doubt: AWS's wording for a malformed ARN is not documented.
    let invalid = || invalid_arn_exception(format!("The ARN {arn} is not valid."));
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, partition, service, region, account, resource] = parts.as_slice() else {
        return Err(invalid());
    };
    let id = resource
        .strip_prefix("certificate-authority/")
        .ok_or_else(invalid)?;
    let well_formed = !partition.is_empty()
        && *service == "acm-pca"
        && !region.is_empty()
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && uuid::Uuid::parse_str(id).is_ok();
    if !well_formed || arn.split(':').next() != Some("arn") {
        return Err(invalid());
    }
    Ok(CaRef {
        account: (*account).to_owned(),
        region: (*region).to_owned(),
        id: id.to_owned(),
        arn: arn.to_owned(),
    })
}

/// Authorizes `acm-pca:<operation>` on `resource` (owned by `account`) against the caller's
/// policies, and notes the resource for the audit record.
pub(crate) fn authorize(
    ctx: &RequestContext,
    operation: &str,
    resource: &str,
    account: &str,
) -> Result<(), ServiceError> {
    let action = format!("acm-pca:{operation}");
    let check = AccessCheck {
        action: &action,
        resource,
        resource_account: account,
        resource_policy: None,
        require_resource_allow: false,
    };
    ctx.authorize(&check, &ctx.policy_context())
        .map_err(|denied| ServiceError::access_denied(denied.message))?;
    if resource != "*" {
        ctx.note_resource(resource, "AWS::ACMPCA::CertificateAuthority");
    }
    Ok(())
}

/// A storage failure, logged and answered as an internal failure.
pub(crate) fn internal(err: StoreError) -> ServiceError {
    tracing::error!(error = %err, "ACM PCA storage failure");
    internal_error()
}

/// An internal failure without detail (the cause is logged by the caller).
pub(crate) fn internal_error() -> ServiceError {
    ServiceError::new("InternalFailure", 500, "An internal error has occurred.")
}

/// ResourceNotFoundException for a CA that does not exist (or was deleted for good).
// Doubt: AWS's exact wording is not documented; this follows its other ACM PCA messages.
pub(crate) fn ca_not_found(arn: &str) -> ServiceError {
    resource_not_found_exception(format!("Could not find certificate authority {arn}."))
}

/// ACM PCA's operations answer AWS errors directly.
impl AcmPcaHandler for AcmPcaService {
    type Error = ServiceError;
}

/// A time as epoch milliseconds.
pub(crate) fn ms_of(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}
