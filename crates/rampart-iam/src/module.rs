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
    Ok(Arc::new(IamModule(directory, env.audit_log)))
}

/// The module around the directory, and the audit log access advisor reads.
struct IamModule(Arc<Directory>, &'static str);

impl ServiceModule for IamModule {
    fn name(&self) -> &'static str {
        "iam"
    }

    fn tables(&self) -> &'static [&'static str] {
        tables::ALL
    }

    fn query_services(&self) -> Vec<Arc<dyn AwsQueryService>> {
        let service = Arc::new(IamService::new(self.0.clone()).with_audit_log(self.1));
        vec![Arc::new(crate::generated::Endpoint(service))]
    }

    /// Entities stored before the policy index existed are indexed before IAM serves, since
    /// ListEntitiesForPolicy and the AWS managed policies' counts read only the index.
    fn prepare(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            match self.0.backfill_policy_index().await {
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
        self.0.credentials.clear_cache();
        self.0.invalidate();
    }
}
