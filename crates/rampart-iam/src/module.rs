//! IAM as a server module (`rampart_module`): the identity directory every service and the
//! authenticator read, and the IAM endpoint.

use crate::{Directory, IamService, tables};
use rampart_codec::{AwsQueryService, BoxFuture};
use rampart_crypto::root::Domain;
use rampart_module::{ModuleEnv, ServiceModule};
use std::sync::Arc;

/// Builds the directory (access-key secrets under the credentials domain key); provides
/// `Arc<Directory>` to later modules (STS) and to the authenticator.
pub fn module(env: &mut ModuleEnv<'_>) -> Result<Arc<dyn ServiceModule>, String> {
    let directory = Arc::new(Directory::new(
        env.store.clone(),
        env.root.domain_key(Domain::Credentials),
        env.clock.clone(),
    ));
    env.clients.provide(directory.clone());
    Ok(Arc::new(IamModule {
        directory,
        audit_log: env.audit_log,
        public_url: env.settings.public_url.clone(),
    }))
}

/// The module around the directory, the audit log access advisor reads and the server's
/// public URL (outbound federation issuers).
struct IamModule {
    directory: Arc<Directory>,
    audit_log: &'static str,
    public_url: Option<String>,
}

impl ServiceModule for IamModule {
    fn name(&self) -> &'static str {
        "iam"
    }

    fn tables(&self) -> &'static [&'static str] {
        tables::ALL
    }

    fn query_services(&self) -> Vec<Arc<dyn AwsQueryService>> {
        let service = IamService::new(self.directory.clone())
            .with_audit_log(self.audit_log)
            .with_public_url(self.public_url.clone());
        let service = Arc::new(service);
        vec![Arc::new(crate::generated::Endpoint(service))]
    }

    /// Entities stored before the policy index existed are indexed before IAM serves, since
    /// ListEntitiesForPolicy and the AWS managed policies' counts read only the index.
    fn prepare(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            match self.directory.backfill_policy_index().await {
                Ok(0) => Ok(()),
                Ok(indexed) => {
                    tracing::info!(indexed, "IAM policy index built for older entities");
                    Ok(())
                }
                Err(err) => Err(format!("building the IAM policy index: {err}")),
            }
        })
    }

    fn reset(&self) {
        self.directory.credentials.clear_cache();
        self.directory.invalidate();
    }
}
