//! Secrets Manager as a server module (`rampart_module`): its endpoint, tables, deletion
//! job and rotation job. It needs KMS (`Arc<KmsService>`, provided by the KMS module listed before it) and
//! provides itself (`Arc<SecretsManagerService>`) to Parameter Store, listed after it, for
//! `/aws/reference/secretsmanager/` names.

use crate::SecretsManagerService;
use crate::deletion::DeletionJob;
use crate::record::{SECRETS, VALUES};
use crate::replication::ReplicationJob;
use crate::rotation::functions::FUNCTIONS;
use crate::rotation::runner::RotationJob;
use rampart_codec::AwsJsonService;
use rampart_core::Job;
use rampart_kms::KmsService;
use rampart_module::{ModuleEnv, ServiceModule};
use std::sync::Arc;

/// Every table Secrets Manager owns.
pub const TABLES: &[&str] = &[SECRETS, VALUES, FUNCTIONS];

/// Builds Secrets Manager over the store, KMS and the service clock.
pub fn module(env: &mut ModuleEnv<'_>) -> Result<Arc<dyn ServiceModule>, String> {
    let kms: Arc<KmsService> = env.clients.require("secretsmanager")?;
    let service = Arc::new(SecretsManagerService::new(
        env.store.clone(),
        kms,
        env.clock.clone(),
    ));
    env.clients.provide(service.clone());
    Ok(Arc::new(SecretsManagerModule(service)))
}

/// The module around the service.
struct SecretsManagerModule(Arc<SecretsManagerService>);

impl ServiceModule for SecretsManagerModule {
    fn name(&self) -> &'static str {
        "secretsmanager"
    }

    fn tables(&self) -> &'static [&'static str] {
        TABLES
    }

    fn json_services(&self) -> Vec<Arc<dyn AwsJsonService>> {
        vec![Arc::new(crate::generated::Endpoint(self.0.clone()))]
    }

    fn jobs(&self) -> Vec<Arc<dyn Job>> {
        vec![
            Arc::new(DeletionJob(self.0.clone())),
            Arc::new(ReplicationJob(self.0.clone())),
            Arc::new(RotationJob(self.0.clone())),
        ]
    }
}
