//! `SsmService`: Parameter Store behind the generated `SsmApi` (served through the generated
//! `Endpoint`), with the helpers every operation shares.

use crate::generated::{ServiceError, SsmHandler};
use crate::record::{ParameterRecord, Tables, parameter_row};
use rampart_core::{Clock, RequestContext};
use rampart_kms::KmsService;
use rampart_secretsmanager::SecretsManagerService;
use rampart_store::{Store, StoreError, Versioned};
use std::sync::Arc;

/// The Parameter Store service.
pub struct SsmService {
    pub(crate) store: Store,
    pub(crate) tables: Tables,
    pub(crate) kms: Arc<KmsService>,
    pub(crate) clock: Arc<dyn Clock>,
    /// Secrets Manager, for `/aws/reference/secretsmanager/` names (none: they are not found).
    pub(crate) secrets: Option<Arc<SecretsManagerService>>,
}

impl std::fmt::Debug for SsmService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsmService").finish_non_exhaustive()
    }
}

impl SsmService {
    /// Parameter Store over `store`, encrypting through `kms`, on the service clock `clock`.
    pub fn new(store: Store, kms: Arc<KmsService>, clock: Arc<dyn Clock>) -> SsmService {
        SsmService {
            tables: Tables::new(&store),
            store,
            kms,
            clock,
            secrets: None,
        }
    }

    /// This service, resolving `/aws/reference/secretsmanager/` names through `secrets`.
    pub fn with_secrets(mut self, secrets: Arc<SecretsManagerService>) -> SsmService {
        self.secrets = Some(secrets);
        self
    }

    /// Milliseconds since the epoch on the service clock.
    pub(crate) fn now_ms(&self) -> i64 {
        let nanos = self.clock.now().unix_timestamp_nanos() / 1_000_000;
        i64::try_from(nanos).unwrap_or(i64::MAX)
    }

    /// The stored parameter `name` of the caller's account and Region.
    pub(crate) async fn load(
        &self,
        ctx: &RequestContext,
        name: &str,
    ) -> Result<Option<Versioned<ParameterRecord>>, ServiceError> {
        let row = parameter_row(ctx.account().as_str(), ctx.region.as_str(), name);
        self.tables.parameters.get(&row).await.map_err(internal)
    }
}

/// Authorizes `ssm:<operation>` on `resource` against the caller's policies.
pub(crate) fn authorize(
    ctx: &RequestContext,
    action: &str,
    resource: &str,
) -> Result<(), ServiceError> {
    ctx.authorize_own(action, resource, &ctx.policy_context())
        .map_err(|denied| ServiceError::access_denied(denied.message))
}

/// A storage failure, logged and answered as InternalServerError.
pub(crate) fn internal(err: StoreError) -> ServiceError {
    tracing::error!(error = %err, "Parameter Store storage failure");
    ServiceError::new("InternalServerError", 500, "An internal error occurred.")
}

/// ParameterNotFound as GetParameter and DeleteParameter answer it: no message.
pub(crate) fn not_found() -> ServiceError {
    ServiceError::new("ParameterNotFound", 400, "")
}

/// Parameter Store's operations answer AWS errors directly.
impl SsmHandler for SsmService {
    type Error = ServiceError;
}
