//! When CRLs are written: a due item on `acmpca_crl_updates` for each reason, in the
//! transaction of its cause. A revocation asks for a CRL 30 minutes later (AWS: "typically
//! updated approximately 30 minutes after a certificate is revoked"; revocations in that
//! window share one item), a configuration change (or a CA becoming ACTIVE) for one at once,
//! and each publication schedules the next refresh before the CRL expires. The `acmpca.crls`
//! cluster job drains due items on the service clock.

use crate::AcmPcaService;
use crate::service::CaRef;
use rampart_core::{Job, JobContext, JobFuture, JobOutcome, JobScope};
use rampart_jobs::{DueQueue, drain_due};
use rampart_store::Write;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// The queue of due CRL updates.
pub const CRL_QUEUE: DueQueue = DueQueue::named("acmpca_crl_updates");
/// How long after a revocation its CRL is written.
pub const AFTER_REVOCATION_MS: i64 = 30 * 60 * 1000;

/// Why a CRL is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reason {
    /// A certificate was revoked.
    Revoked,
    /// The revocation configuration changed, or the CA got its certificate.
    Changed,
    /// The current CRL is to be refreshed before it expires (or a publication retried).
    Refresh,
}

/// One due CRL update.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CrlDue {
    pub account: String,
    pub region: String,
    pub id: String,
    pub due_ms: i64,
    pub reason: Reason,
}

/// The write asking for a CRL of `ca` at `due_ms` for `reason`.
pub fn schedule(ca: &CaRef, due_ms: i64, reason: Reason) -> Write {
    let item = CrlDue {
        account: ca.account.clone(),
        region: ca.region.clone(),
        id: ca.id.clone(),
        due_ms,
        reason,
    };
    // Revocations within one window share an item; refreshes go stale through the CA's state.
    let dedup_key = match reason {
        Reason::Revoked => Some(format!("{}/revoked", ca.id)),
        Reason::Changed | Reason::Refresh => None,
    };
    Write::Enqueue {
        queue: CRL_QUEUE.name,
        payload: serde_json::to_vec(&item).unwrap_or_default(),
        visible_at_ms: due_ms,
        dedup_key,
    }
}

impl AcmPcaService {
    /// Writes every CRL due by `ctx.now_ms`; how many items did something.
    pub async fn run_crl_updates(&self, ctx: &JobContext) -> Result<usize, String> {
        drain_due(&self.store, &CRL_QUEUE, ctx, |payload| async move {
            match serde_json::from_slice::<CrlDue>(&payload) {
                Ok(due) => self.publish_crl(&due, ctx.now_ms).await,
                Err(_) => Ok(false),
            }
        })
        .await
    }
}

/// The cluster job writing due CRLs.
pub struct CrlJob(pub Arc<AcmPcaService>);

impl Job for CrlJob {
    fn name(&self) -> &'static str {
        "acmpca.crls"
    }

    fn period(&self) -> Duration {
        Duration::from_secs(60)
    }

    fn scope(&self) -> JobScope {
        JobScope::Cluster
    }

    fn run(&self, ctx: JobContext) -> JobFuture<'_> {
        Box::pin(async move { self.0.run_crl_updates(&ctx).await.map(JobOutcome::done) })
    }
}
