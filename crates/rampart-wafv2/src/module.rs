//! WAFv2 as a server module (`rampart_module`): its endpoint and tables.

use crate::Wafv2Service;
use crate::record::{ASSOCIATIONS, IP_SETS, LOGGING, REGEX_PATTERN_SETS, RULE_GROUPS, WEB_ACLS};
use rampart_codec::AwsJsonService;
use rampart_module::{ModuleEnv, ServiceModule};
use std::sync::Arc;

/// Every table WAFv2 owns.
pub const TABLES: &[&str] = &[
    IP_SETS,
    REGEX_PATTERN_SETS,
    RULE_GROUPS,
    WEB_ACLS,
    ASSOCIATIONS,
    LOGGING,
];

/// Builds WAFv2 over the store and the service clock.
pub fn module(env: &mut ModuleEnv<'_>) -> Result<Arc<dyn ServiceModule>, String> {
    let service = Arc::new(Wafv2Service::new(env.store.clone(), env.clock.clone()));
    env.clients.provide(service.clone());
    Ok(Arc::new(Wafv2Module(service)))
}

/// The module around the service.
struct Wafv2Module(Arc<Wafv2Service>);

impl ServiceModule for Wafv2Module {
    fn name(&self) -> &'static str {
        "wafv2"
    }

    fn tables(&self) -> &'static [&'static str] {
        TABLES
    }

    fn json_services(&self) -> Vec<Arc<dyn AwsJsonService>> {
        vec![Arc::new(crate::generated::Endpoint(self.0.clone()))]
    }
}
