//! The `acm.lifecycle` cluster job, on the service clock: one pass over every certificate row
//! moves pending public requests through DNS validation to issuance (`validation::progress`)
//! and issued certificates through expiry events to EXPIRED (`expiry`), then renews managed
//! certificates that are due (`renewal`), and moves the ACME endpoints' domain validations
//! (`acme::prevalidation`) and prunes their servers' old nonces and orders (`acme::prune`). Each change is written with its events in one
//! compare-and-swap transaction; a row changed meanwhile is left for the next pass.

use crate::expiry::ExpirySettings;
use crate::record::CertRecord;
use crate::service::AcmService;
use crate::validation::dns::Lookup;
use crate::validation::progress::{Change, is_pending};
use rampart_core::{Job, JobContext, JobFuture, JobOutcome, JobScope};
use rampart_store::{Expect, Versioned};
use std::sync::Arc;
use std::time::Duration;

/// Certificate rows read per scan.
const SCAN_BATCH: usize = 200;

impl AcmService {
    /// One pass at `ctx.now_ms`; how many certificates changed.
    pub async fn run_lifecycle(&self, ctx: &JobContext) -> Result<usize, String> {
        let lookup = Lookup::new(self.dns_resolver);
        let mut settings = ExpirySettings::default();
        let mut changed = 0;
        let mut after: Option<String> = None;
        loop {
            let rows = self
                .tables
                .certificates
                .scan("", after.as_deref(), SCAN_BATCH)
                .await
                .map_err(|e| e.to_string())?;
            let done = rows.len() < SCAN_BATCH;
            after = rows.last().map(|(key, _)| key.clone());
            for (key, found) in rows {
                let step = self.step(&lookup, &mut settings, &found.value, ctx.now_ms);
                match step.await {
                    Ok(Some(change)) => {
                        changed += usize::from(self.write(&key, &found, change).await)
                    }
                    Ok(None) => {}
                    Err(e) => {
                        tracing::warn!(arn = %found.value.arn, error = %e, "ACM lifecycle step failed")
                    }
                }
            }
            if done || after.is_none() {
                let prevalidated = self.prevalidation_pass(&lookup, ctx.now_ms).await?;
                let pruned = self.acme_prune(ctx.now_ms).await?;
                return Ok(changed + prevalidated + pruned);
            }
        }
    }

    /// What the pass does to `record`.
    async fn step(
        &self,
        lookup: &Lookup,
        settings: &mut ExpirySettings,
        record: &CertRecord,
        now_ms: i64,
    ) -> Result<Option<Change>, String> {
        if is_pending(record) {
            return self.validation_step(lookup, record, now_ms).await;
        }
        if let Some(change) = self.renewal_step(lookup, record, now_ms).await? {
            return Ok(Some(change));
        }
        self.expiry_step(settings, record, now_ms).await
    }

    /// Writes `change` over the row `key` read as `found`; whether it committed.
    pub(crate) async fn write(
        &self,
        key: &str,
        found: &Versioned<CertRecord>,
        change: Change,
    ) -> bool {
        let (record, mut writes) = change;
        let put = self
            .tables
            .certificates
            .put(key, &record, Expect::Version(found.version));
        let Ok(put) = put else {
            return false;
        };
        writes.insert(0, put);
        match self.store.transact(writes).await {
            Ok(()) => true,
            Err(e) if e.is_conflict() => false,
            Err(e) => {
                tracing::warn!(error = %e, "an ACM lifecycle change could not be stored");
                false
            }
        }
    }
}

/// The cluster job running lifecycle passes.
pub struct LifecycleJob(pub Arc<AcmService>);

impl Job for LifecycleJob {
    fn name(&self) -> &'static str {
        "acm.lifecycle"
    }

    fn period(&self) -> Duration {
        Duration::from_secs(60)
    }

    fn scope(&self) -> JobScope {
        JobScope::Cluster
    }

    fn run(&self, ctx: JobContext) -> JobFuture<'_> {
        Box::pin(async move { self.0.run_lifecycle(&ctx).await.map(JobOutcome::done) })
    }
}
