//! `AcmService`: ACM behind the generated `AcmApi` (served through the generated `Endpoint`
//! over JSON 1.1), with what every operation shares: certificate ARNs, loading and
//! compare-and-swap updates of certificate rows, authorization, errors.

use crate::acme::record::AcmeTables;
use crate::acme::state::ServerTables;
use crate::generated::errors::{invalid_arn_exception, resource_not_found_exception};
use crate::generated::{AcmHandler, ServiceError};
use crate::record::{CertRecord, Tables};
use rampart_acmpca::AcmPcaService;
use rampart_core::{AccessCheck, Clock, RequestContext, Scope};
use rampart_crypto::root::DomainKey;
use rampart_store::{Expect, Store, StoreError, Versioned, Write};
use std::sync::Arc;

/// Attempts at a compare-and-swap write before giving up.
const CAS_ATTEMPTS: usize = 8;

/// The ACM service.
pub struct AcmService {
    pub(crate) store: Store,
    pub(crate) tables: Tables,
    /// The ACME endpoints' tables.
    pub(crate) acme: AcmeTables,
    /// The ACME servers' nonces, orders and authorizations.
    pub(crate) acme_server: ServerTables,
    /// Seals certificate private keys (the root key's ACM domain key).
    pub(crate) domain: DomainKey,
    pub(crate) clock: Arc<dyn Clock>,
    /// ACM PCA, which issues private certificates.
    pub(crate) pca: Arc<AcmPcaService>,
    /// The DNS server asked for validation records (the system's resolver when `None`).
    pub(crate) dns_resolver: Option<std::net::SocketAddr>,
    /// The port ACME http-01 challenges are fetched from (80 unless configured).
    pub(crate) http01_port: u16,
    /// Whether the server answers plain HTTP (the scheme of ACME URLs).
    pub(crate) plain_http: bool,
    /// IAM's directory: the roles of ACME external account bindings (none without IAM).
    pub(crate) directory: Option<Arc<rampart_iam::Directory>>,
}

impl std::fmt::Debug for AcmService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AcmService").finish_non_exhaustive()
    }
}

/// A certificate named by its ARN.
#[derive(Debug, Clone)]
pub struct CertRef {
    pub scope: Scope,
    pub id: String,
    pub arn: String,
}

impl CertRef {
    /// The certificate's row key.
    pub fn row(&self) -> String {
        self.scope.row(&self.id)
    }
}

impl AcmService {
    /// ACM over `store`, sealing keys under `domain`, on `clock`, issuing private
    /// certificates through `pca`.
    pub fn new(
        store: Store,
        domain: DomainKey,
        clock: Arc<dyn Clock>,
        pca: Arc<AcmPcaService>,
    ) -> Self {
        AcmService {
            tables: Tables::new(&store),
            acme: AcmeTables::new(&store),
            acme_server: ServerTables::new(&store),
            store,
            domain,
            clock,
            pca,
            dns_resolver: None,
            http01_port: 80,
            plain_http: false,
            directory: None,
        }
    }

    /// The same service asking `server` for DNS validation records.
    pub fn with_dns_resolver(mut self, server: Option<std::net::SocketAddr>) -> Self {
        self.dns_resolver = server;
        self
    }

    /// The same service fetching http-01 challenges from `port` and giving out `http://`
    /// ACME URLs when `plain_http`.
    pub fn with_acme_settings(mut self, port: Option<u16>, plain_http: bool) -> Self {
        self.http01_port = port.unwrap_or(80);
        self.plain_http = plain_http;
        self
    }

    /// The same service reading the roles of ACME bindings from IAM's `directory`.
    pub fn with_directory(mut self, directory: Option<Arc<rampart_iam::Directory>>) -> Self {
        self.directory = directory;
        self
    }

    /// Milliseconds since the epoch on the service clock.
    pub(crate) fn now_ms(&self) -> i64 {
        rampart_core::epoch_ms(self.clock.as_ref())
    }

    /// The stored certificate `cert`.
    pub(crate) async fn load(&self, cert: &CertRef) -> Result<Versioned<CertRecord>, ServiceError> {
        let found = self.tables.certificates.get(&cert.row()).await;
        found.map_err(internal)?.ok_or_else(|| not_found(cert))
    }

    /// Applies `change` to certificate `cert`, retrying on conflicts; the changed record.
    pub(crate) async fn mutate<F>(
        &self,
        cert: &CertRef,
        change: F,
    ) -> Result<CertRecord, ServiceError>
    where
        F: Fn(&mut CertRecord) -> Result<(), ServiceError>,
    {
        self.mutate_publishing(cert, change, |_| Vec::new()).await
    }

    /// As [`Self::mutate`], committing with the change the writes `publish` makes of the
    /// changed record (its events).
    pub(crate) async fn mutate_publishing<F, P>(
        &self,
        cert: &CertRef,
        change: F,
        publish: P,
    ) -> Result<CertRecord, ServiceError>
    where
        F: Fn(&mut CertRecord) -> Result<(), ServiceError>,
        P: Fn(&CertRecord) -> Vec<Write>,
    {
        for _ in 0..CAS_ATTEMPTS {
            let found = self.load(cert).await?;
            let mut record = found.value;
            change(&mut record)?;
            let put =
                self.tables
                    .certificates
                    .put(&cert.row(), &record, Expect::Version(found.version));
            let mut writes = vec![put.map_err(internal)?];
            writes.extend(publish(&record));
            match self.store.transact(writes).await {
                Ok(()) => return Ok(record),
                Err(e) if e.is_conflict() => continue,
                Err(e) => return Err(internal(e)),
            }
        }
        Err(internal(StoreError::Backend(
            "certificate writes kept conflicting".into(),
        )))
    }

    /// Commits `writes` in one transaction.
    pub(crate) async fn commit(
        &self,
        writes: Vec<Result<Write, StoreError>>,
    ) -> Result<(), ServiceError> {
        let writes = writes.into_iter().collect::<Result<Vec<_>, _>>();
        self.store
            .transact(writes.map_err(internal)?)
            .await
            .map_err(internal)
    }
}

/// The certificate `arn` names (`arn:<partition>:acm:<region>:<account>:certificate/<id>`).
pub(crate) fn cert_ref(arn: &str) -> Result<CertRef, ServiceError> {
    // Doubt: AWS's wording for an ARN that is not a certificate's is not documented (searched:
    // docs and issues for InvalidArnException; no AWS message found).
    let invalid = || invalid_arn_exception(format!("String '{arn}' is not a valid ARN."));
    let parsed = rampart_core::Arn::parse(arn).ok_or_else(invalid)?;
    let id = parsed
        .resource
        .strip_prefix("certificate/")
        .ok_or_else(invalid)?;
    let account = parsed.account_id().ok_or_else(invalid)?;
    if parsed.service != "acm" || parsed.region.is_empty() || uuid::Uuid::parse_str(id).is_err() {
        return Err(invalid());
    }
    Ok(CertRef {
        scope: Scope::new(account, parsed.region),
        id: id.to_owned(),
        arn: arn.to_owned(),
    })
}

/// The ARN of a new certificate in the caller's scope, with its reference.
pub(crate) fn new_cert(ctx: &RequestContext) -> CertRef {
    new_cert_in(&Scope::new(ctx.account().as_str(), ctx.region.as_str()))
}

/// The ARN of a new certificate in `scope`, with its reference.
pub(crate) fn new_cert_in(scope: &Scope) -> CertRef {
    let scope = scope.clone();
    let id = uuid::Uuid::new_v4().to_string();
    let arn = scope.arn("acm", &format!("certificate/{id}"));
    CertRef { scope, id, arn }
}

/// Authorizes `acm:<operation>` on `resource` (owned by `account`) against the caller's
/// policies, and notes the resource for the audit record.
pub(crate) fn authorize(
    ctx: &RequestContext,
    operation: &str,
    resource: &str,
    account: &str,
) -> Result<(), ServiceError> {
    authorize_typed(ctx, operation, resource, account, "AWS::ACM::Certificate")
}

/// As [`authorize`], noting the resource under its CloudFormation type `kind`.
pub(crate) fn authorize_typed(
    ctx: &RequestContext,
    operation: &str,
    resource: &str,
    account: &str,
    kind: &'static str,
) -> Result<(), ServiceError> {
    let action = format!("acm:{operation}");
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
        ctx.note_resource(resource, kind);
    }
    Ok(())
}

/// Authorizes `operation` on the certificate `cert`.
pub(crate) fn authorize_cert(
    ctx: &RequestContext,
    operation: &str,
    cert: &CertRef,
) -> Result<(), ServiceError> {
    authorize(ctx, operation, &cert.arn, &cert.scope.account)
}

/// ResourceNotFoundException for a certificate that does not exist.
pub(crate) fn not_found(cert: &CertRef) -> ServiceError {
    // AWS's wording (DescribeCertificate's answer, as reported by its users).
    resource_not_found_exception(format!(
        "Could not find certificate {} in account {}.",
        cert.arn, cert.scope.account
    ))
}

/// A storage failure, logged and answered as an internal failure.
pub(crate) fn internal(err: StoreError) -> ServiceError {
    tracing::error!(error = %err, "ACM storage failure");
    internal_error()
}

/// An internal failure without detail (the cause is logged by the caller).
pub(crate) fn internal_error() -> ServiceError {
    ServiceError::new("InternalFailure", 500, "An internal error has occurred.")
}

/// ACM's operations answer AWS errors directly.
impl AcmHandler for AcmService {
    type Error = ServiceError;
}

/// Epoch milliseconds as a wire timestamp.
pub(crate) fn timestamp(ms: i64) -> rampart_codec::Timestamp {
    rampart_codec::Timestamp::from_epoch_millis(ms)
}
