//! STS as a server module (`rampart_module`): it needs IAM's directory (roles, trust
//! policies, caller policies) and provides the session tokens the authenticator opens.

use crate::{SessionTokens, StsService};
use rampart_codec::{AwsQueryService, PublicRoute};
use rampart_crypto::root::Domain;
use rampart_iam::Directory;
use rampart_module::{ModuleEnv, ServiceModule};
use std::sync::Arc;

/// Builds STS over the directory IAM provided; seals session tokens under the credentials
/// domain key and provides `Arc<SessionTokens>`.
pub fn module(env: &mut ModuleEnv<'_>) -> Result<Arc<dyn ServiceModule>, String> {
    let directory: Arc<Directory> = env.clients.require("sts")?;
    let tokens = Arc::new(SessionTokens::new(env.root.domain_key(Domain::Credentials)));
    env.clients.provide(tokens.clone());
    let service = StsService::new(directory, tokens, env.clock.clone());
    Ok(Arc::new(StsModule(Arc::new(service))))
}

/// The module around the service. Its tokens are stateless; it stores only the OIDC key sets
/// pinned by `rampart iam oidc-keys set` and the outbound federation signing keys, and
/// serves the outbound issuers' discovery documents.
struct StsModule(Arc<StsService>);

impl ServiceModule for StsModule {
    fn name(&self) -> &'static str {
        "sts"
    }

    fn tables(&self) -> &'static [&'static str] {
        &[
            crate::web_identity::pinned::OIDC_KEYS,
            crate::outbound_keys::OUTBOUND_KEYS,
        ]
    }

    fn public_routes(&self) -> Vec<Arc<dyn PublicRoute>> {
        vec![Arc::new(crate::discovery::OutboundDiscovery(
            self.0.clone(),
        ))]
    }

    fn query_services(&self) -> Vec<Arc<dyn AwsQueryService>> {
        vec![Arc::new(crate::generated::Endpoint(self.0.clone()))]
    }
}
