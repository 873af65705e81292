//! CloudTrail as a server module (`rampart_module`): event history over the audit log.

use crate::CloudTrailService;
use rampart_codec::AwsJsonService;
use rampart_core::SystemClock;
use rampart_module::{ModuleEnv, ServiceModule};
use std::sync::Arc;

/// Builds CloudTrail over the audit log. It reads the system clock, not the movable service
/// clock: audit records are stamped with the time the request came in.
pub fn module(env: &mut ModuleEnv<'_>) -> Result<Arc<dyn ServiceModule>, String> {
    let service = CloudTrailService::new(env.store.clone(), env.audit_log, Arc::new(SystemClock));
    Ok(Arc::new(CloudTrailModule(Arc::new(service))))
}

/// The module around the service. It owns no table (it reads the audit log).
struct CloudTrailModule(Arc<CloudTrailService>);

impl ServiceModule for CloudTrailModule {
    fn name(&self) -> &'static str {
        "cloudtrail"
    }

    fn tables(&self) -> &'static [&'static str] {
        &[]
    }

    fn json_services(&self) -> Vec<Arc<dyn AwsJsonService>> {
        vec![Arc::new(crate::generated::Endpoint(self.0.clone()))]
    }
}
