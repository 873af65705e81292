//! ACM PCA as a server module (`rampart_module`): its endpoint (RPC v2 CBOR and JSON 1.1),
//! its unsigned public route (published CRLs, OCSP), tables, the permanent-deletion job and
//! the CRL job. CA keys are sealed under the root key's ACM domain
//! key.

use crate::AcmPcaService;
use crate::audit_report::{AUDIT_OBJECTS, AUDIT_REPORTS};
use crate::deletion::DeletionJob;
use crate::record::{AUTHORITIES, CERTIFICATES, ISSUE_TOKENS};
use crate::shared::SHARED;
use rampart_codec::{AwsHttpService, AwsJsonService, PublicRoute};
use rampart_core::Job;
use rampart_crypto::root::Domain;
use rampart_module::{ModuleEnv, ServiceModule};
use std::sync::Arc;

/// Every table ACM PCA owns.
pub const TABLES: &[&str] = &[
    AUTHORITIES,
    CERTIFICATES,
    ISSUE_TOKENS,
    AUDIT_REPORTS,
    AUDIT_OBJECTS,
    SHARED,
    crate::crl::CRLS,
    crate::crl::CRL_ALIASES,
    crate::crl::CRL_STATE,
    crate::ocsp::OCSP_ISSUERS,
    crate::ops::associations::ASSOCIATIONS,
];

/// Builds ACM PCA over the store, the ACM domain key and the service clock.
pub fn module(env: &mut ModuleEnv<'_>) -> Result<Arc<dyn ServiceModule>, String> {
    let service = Arc::new(AcmPcaService::new(
        env.store.clone(),
        env.root.domain_key(Domain::Acm),
        env.clock.clone(),
    ));
    env.clients.provide(service.clone());
    Ok(Arc::new(AcmPcaModule(service)))
}

/// The module around the service.
struct AcmPcaModule(Arc<AcmPcaService>);

impl ServiceModule for AcmPcaModule {
    fn name(&self) -> &'static str {
        "acmpca"
    }

    fn tables(&self) -> &'static [&'static str] {
        TABLES
    }

    fn json_services(&self) -> Vec<Arc<dyn AwsJsonService>> {
        vec![Arc::new(crate::generated::Endpoint(self.0.clone()))]
    }

    fn http_services(&self) -> Vec<Arc<dyn AwsHttpService>> {
        vec![Arc::new(crate::generated::Endpoint(self.0.clone()))]
    }

    fn jobs(&self) -> Vec<Arc<dyn Job>> {
        vec![
            Arc::new(DeletionJob(self.0.clone())),
            Arc::new(crate::crl::CrlJob(self.0.clone())),
        ]
    }

    fn public_routes(&self) -> Vec<Arc<dyn PublicRoute>> {
        vec![Arc::new(crate::public::AcmPcaPublic(self.0.clone()))]
    }
}
