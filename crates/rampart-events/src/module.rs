//! EventBridge as a server module (`rampart_module`): its endpoint, tables, queues and jobs.

use crate::EventsService;
use rampart_codec::{AwsJsonService, BoxFuture};
use rampart_core::{Job, JobContext, JobFuture, JobOutcome, JobScope};
use rampart_crypto::root::Domain;
use rampart_module::{ModuleEnv, ServiceModule};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// Every table EventBridge owns (rows and index entries).
pub const TABLES: &[&str] = &[
    crate::archive::ARCHIVES,
    crate::archive::ARCHIVE_EVENTS,
    crate::archive::replay::REPLAYS,
    crate::connection::CONNECTIONS,
    crate::connection::destination::API_DESTINATIONS,
    crate::delivery::dead_letter::DEAD_LETTERS,
    crate::store::BUSES,
    crate::store::RULE_SETS,
    crate::store::RULES,
    crate::store::ALL_MANAGEMENT_RULES,
];

/// Builds EventBridge; provides `Arc<EventsService>` to later modules.
pub fn module(env: &mut ModuleEnv<'_>) -> Result<Arc<dyn ServiceModule>, String> {
    let key = env.root.domain_key(Domain::Events);
    let service = Arc::new(EventsService::with_key(
        env.store.clone(),
        env.clock.clone(),
        key,
    ));
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

    fn audit_subscriptions(&self) -> Vec<rampart_core::AuditSubscription> {
        vec![self.0.audit_subscription()]
    }

    /// Ingest first, then delivery: one run of every job (the dev clock knob) carries a
    /// published event through to its targets.
    fn jobs(&self) -> Vec<Arc<dyn Job>> {
        vec![
            Arc::new(crate::ingest::IngestJob(self.0.clone())),
            Arc::new(crate::scheduler::ScheduleJob(self.0.clone())),
            Arc::new(DeliveryJob(self.0.clone())),
            Arc::new(ArchiveJob {
                service: self.0.clone(),
                retention_ran: AtomicI64::new(i64::MIN),
            }),
        ]
    }

    /// Archives stored before archives had their managed rule get it (their events would
    /// otherwise stop being archived); rules stored before the index of rules taking
    /// read-only management events get their entries, and the gate is read.
    fn prepare(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async {
            self.0.backfill_archive_rules().await?;
            self.0
                .backfill_management_index()
                .await
                .map(drop)
                .map_err(|e| e.message)
        })
    }

    fn background(&self) -> Option<BoxFuture<'static, ()>> {
        Some(Box::pin(self.0.clone().delivery_loop()))
    }

    fn reset(&self) {
        self.0.reset_caches();
    }
}

/// The delivery worker as a node job: every node delivers what is due each period (and once
/// more at shutdown, and at once when the dev clock knob moves time); the background loop
/// delivers in between.
struct DeliveryJob(Arc<EventsService>);

impl Job for DeliveryJob {
    fn name(&self) -> &'static str {
        "events-delivery"
    }

    fn period(&self) -> Duration {
        crate::delivery::IDLE_POLL
    }

    fn scope(&self) -> JobScope {
        JobScope::Node
    }

    fn run(&self, ctx: JobContext) -> JobFuture<'_> {
        Box::pin(async move { self.0.deliver_due(ctx.now_ms).await.map(JobOutcome::done) })
    }
}

/// Archives' cluster job: replays advance a page each run, and events past their archive's
/// retention (on the service clock) are deleted.
struct ArchiveJob {
    service: Arc<EventsService>,
    /// When retention last ran (job clock, ms): it runs at most once a minute, or at once when
    /// the clock moved further (the dev clock knob).
    retention_ran: AtomicI64,
}

/// How often retention runs.
const RETENTION_EVERY_MS: i64 = 60_000;

impl Job for ArchiveJob {
    fn name(&self) -> &'static str {
        "events-archives"
    }

    fn period(&self) -> Duration {
        Duration::from_secs(1)
    }

    fn scope(&self) -> JobScope {
        JobScope::Cluster
    }

    fn run(&self, ctx: JobContext) -> JobFuture<'_> {
        Box::pin(async move {
            let replayed = self.service.run_replays(ctx.now_ms).await?;
            let last = self.retention_ran.load(Ordering::Relaxed);
            if ctx.now_ms.saturating_sub(last) < RETENTION_EVERY_MS {
                return Ok(JobOutcome::done(replayed));
            }
            self.retention_ran.store(ctx.now_ms, Ordering::Relaxed);
            let purged = self.service.enforce_retention(ctx.now_ms).await?;
            Ok(JobOutcome::done(replayed + purged))
        })
    }
}
