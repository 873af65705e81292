//! ACM as a server module (`rampart_module`): its JSON 1.1 endpoint and tables. Certificate
//! keys are sealed under the root key's ACM domain key; private certificates come from the
//! ACM PCA module, which must be built first. The roles of ACME external account bindings
//! are read from IAM's directory (the IAM module, built earlier; without it they refuse).

use crate::AcmService;
use crate::acme::record::{ACCOUNTS, BINDINGS, DOMAINS, ENDPOINT_IDS, ENDPOINTS};
use crate::acme::state::{AUTHZS, NONCES, ORDERS};
use crate::issuer::ISSUERS;
use crate::record::{ACCOUNT_CONFIG, CERTIFICATES, EMAIL_APPROVALS, REQUEST_TOKENS};
use rampart_acmpca::AcmPcaService;
use rampart_codec::{AwsJsonService, PublicRoute};
use rampart_core::Job;
use rampart_crypto::root::Domain;
use rampart_module::{ModuleEnv, ServiceModule};
use std::sync::Arc;

/// Every table ACM owns.
pub const TABLES: &[&str] = &[
    CERTIFICATES,
    REQUEST_TOKENS,
    ACCOUNT_CONFIG,
    ISSUERS,
    EMAIL_APPROVALS,
    ENDPOINTS,
    ENDPOINT_IDS,
    BINDINGS,
    DOMAINS,
    ACCOUNTS,
    NONCES,
    ORDERS,
    AUTHZS,
    crate::usage::USAGE,
];

/// Builds ACM over the store, the ACM domain key, the service clock and ACM PCA.
pub fn module(env: &mut ModuleEnv<'_>) -> Result<Arc<dyn ServiceModule>, String> {
    let pca: Arc<AcmPcaService> = env.clients.require("acm")?;
    let service = Arc::new(
        AcmService::new(
            env.store.clone(),
            env.root.domain_key(Domain::Acm),
            env.clock.clone(),
            pca,
        )
        .with_dns_resolver(env.settings.acm_dns_resolver)
        .with_acme_settings(env.settings.acm_acme_http01_port, env.settings.plain_http)
        .with_directory(env.clients.get::<Arc<rampart_iam::Directory>>()),
    );
    env.clients.provide(service.clone());
    env.clients
        .provide(Arc::new(crate::CertificateAccess::new(service.clone())));
    Ok(Arc::new(AcmModule(service)))
}

/// The module around the service.
struct AcmModule(Arc<AcmService>);

impl ServiceModule for AcmModule {
    fn name(&self) -> &'static str {
        "acm"
    }

    fn tables(&self) -> &'static [&'static str] {
        TABLES
    }

    fn json_services(&self) -> Vec<Arc<dyn AwsJsonService>> {
        vec![Arc::new(crate::generated::Endpoint(self.0.clone()))]
    }

    fn jobs(&self) -> Vec<Arc<dyn Job>> {
        vec![Arc::new(crate::lifecycle::LifecycleJob(self.0.clone()))]
    }

    fn public_routes(&self) -> Vec<Arc<dyn PublicRoute>> {
        vec![
            Arc::new(crate::acme::server::AcmeServer(self.0.clone())),
            Arc::new(crate::approval::AcmApprovals(self.0.clone())),
        ]
    }
}
