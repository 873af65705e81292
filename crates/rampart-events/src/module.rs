//! EventBridge as a server module (`rampart_module`): its endpoint, tables, queues and jobs.

use crate::EventsService;
use rampart_codec::AwsJsonService;
use rampart_core::Job;
use rampart_module::{ModuleEnv, ServiceModule};
use std::sync::Arc;

/// Every table EventBridge owns (rows and index entries).
pub const TABLES: &[&str] = &[
    crate::store::BUSES,
    crate::store::RULE_SETS,
    crate::store::RULES,
];

/// Builds EventBridge; provides `Arc<EventsService>` to later modules.
pub fn module(env: &mut ModuleEnv<'_>) -> Result<Arc<dyn ServiceModule>, String> {
    let service = Arc::new(EventsService::new(env.store.clone(), env.clock.clone()));
    env.clients.provide(service.clone());
    Ok(Arc::new(EventsModule(service)))
}

/// The module around the service.
struct EventsModule(Arc<EventsService>);

impl ServiceModule for EventsModule {
    fn name(&self) -> &'static str {
        "events"
    }

    fn tables(&self) -> &'static [&'static str] {
        TABLES
    }

    fn json_services(&self) -> Vec<Arc<dyn AwsJsonService>> {
        vec![Arc::new(crate::generated::Endpoint(self.0.clone()))]
    }

    fn audit_subscriptions(&self) -> Vec<&'static str> {
        vec![crate::ingest::AUDIT_QUEUE]
    }

    fn jobs(&self) -> Vec<Arc<dyn Job>> {
        vec![
            Arc::new(crate::ingest::IngestJob(self.0.clone())),
            Arc::new(crate::scheduler::ScheduleJob(self.0.clone())),
        ]
    }

    fn reset(&self) {
        self.0.reset_caches();
    }
}
