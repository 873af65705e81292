//! Parameter Store as a server module (`rampart_module`): its endpoint and tables. It needs
//! KMS (`Arc<KmsService>`) and Secrets Manager (`Arc<SecretsManagerService>`, for
//! `/aws/reference/secretsmanager/` names), provided by the modules listed before it.

use crate::SsmService;
use crate::policy_jobs::PolicyJob;
use crate::record::{PARAMETERS, SETTINGS, VERSIONS};
use rampart_codec::AwsJsonService;
use rampart_core::Job;
use rampart_kms::KmsService;
use rampart_module::{ModuleEnv, ServiceModule};
use rampart_secretsmanager::SecretsManagerService;
use std::sync::Arc;

/// Every table Parameter Store owns.
pub const TABLES: &[&str] = &[PARAMETERS, VERSIONS, SETTINGS];

/// Builds Parameter Store over the store, KMS and the service clock.
pub fn module(env: &mut ModuleEnv<'_>) -> Result<Arc<dyn ServiceModule>, String> {
    let kms: Arc<KmsService> = env.clients.require("ssm")?;
    let secrets: Arc<SecretsManagerService> = env.clients.require("ssm")?;
    let service = SsmService::new(env.store.clone(), kms, env.clock.clone()).with_secrets(secrets);
    Ok(Arc::new(SsmModule(Arc::new(service))))
}

/// The module around the service.
struct SsmModule(Arc<SsmService>);

impl ServiceModule for SsmModule {
    fn name(&self) -> &'static str {
        "ssm"
    }

    fn tables(&self) -> &'static [&'static str] {
        TABLES
    }

    fn json_services(&self) -> Vec<Arc<dyn AwsJsonService>> {
        vec![Arc::new(crate::generated::Endpoint(self.0.clone()))]
    }

    fn jobs(&self) -> Vec<Arc<dyn Job>> {
        vec![Arc::new(PolicyJob(self.0.clone()))]
    }
}
