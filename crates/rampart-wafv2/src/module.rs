//! WAFv2 as a server module (`rampart_module`): its endpoint and tables, and the edge filter
//! it provides to API Gateway (listed after it), refreshed in the background.

use crate::Wafv2Service;
use crate::edge::WafFilter;
use crate::record::{
    ASSOCIATIONS, IP_SETS, LOGGING, REGEX_PATTERN_SETS, RULE_GROUPS, Tables, WEB_ACLS,
};
use rampart_codec::{AwsJsonService, BoxFuture};
use rampart_crypto::root::Domain;
use rampart_module::edge_filter::RequestFilter;
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

/// The country database for GeoMatch from `paths` (`edge.geoip_path`); none when no path is
/// set, and a file that does not load stops the start with the reason.
fn country_database(
    paths: &[std::path::PathBuf],
) -> Result<Option<Arc<dyn rampart_waf::GeoLookup>>, String> {
    if paths.is_empty() {
        return Ok(None);
    }
    let db = rampart_geoip::GeoDb::load_all(paths).map_err(|e| format!("edge.geoip_path: {e}"))?;
    Ok(Some(Arc::new(db)))
}

/// Builds WAFv2 over the store and the service clock, and its edge filter.
pub fn module(env: &mut ModuleEnv<'_>) -> Result<Arc<dyn ServiceModule>, String> {
    let service = Arc::new(Wafv2Service::new(env.store.clone(), env.clock.clone()));
    let geo = country_database(&env.settings.edge_geoip_paths)?;
    let filter = Arc::new(WafFilter::new(
        Tables::new(env.store),
        env.clock.clone(),
        env.root.domain_key(Domain::Waf),
        service.shared(),
        env.settings.waf_log_dir.clone(),
        geo,
    ));
    env.clients.provide(service.clone());
    env.clients
        .provide::<Arc<dyn RequestFilter>>(filter.clone());
    Ok(Arc::new(Wafv2Module { service, filter }))
}

/// The module around the service.
struct Wafv2Module {
    service: Arc<Wafv2Service>,
    filter: Arc<WafFilter>,
}

impl ServiceModule for Wafv2Module {
    fn name(&self) -> &'static str {
        "wafv2"
    }

    fn tables(&self) -> &'static [&'static str] {
        TABLES
    }

    fn json_services(&self) -> Vec<Arc<dyn AwsJsonService>> {
        vec![Arc::new(crate::generated::Endpoint(self.service.clone()))]
    }

    fn prepare(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move { self.filter.refresh().await.map_err(|e| e.to_string()) })
    }

    fn background(&self) -> Option<BoxFuture<'static, ()>> {
        Some(Box::pin(self.filter.clone().refresh_periodically()))
    }
}
