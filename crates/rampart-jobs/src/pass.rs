//! One pass of the runner over its jobs, and one job's run: under its lease (cluster jobs) or
//! on its own (node jobs), cancelled when the lease is lost or the shutdown grace runs out.

use crate::{Ran, Runner};
use rampart_core::{Job, JobContext, JobLease, JobOutcome, JobScope, epoch_ms};
use rampart_store::{Fence, Lease, fenced};
use std::future::Future;
use tokio::time::Instant;

/// Prefix of the store lease a cluster job runs under.
pub const LEASE_PREFIX: &str = "job:";

/// Whether `job` runs on every node.
pub(crate) fn is_node_job(job: &dyn Job) -> bool {
    job.scope() == JobScope::Node
}

/// Logs a run that did something or failed.
pub(crate) fn log(name: &str, ran: &Ran) {
    match ran {
        Ran::Done(outcome) if outcome.done > 0 => {
            tracing::info!(job = name, done = outcome.done, "background job ran");
        }
        Ran::Failed(err) => tracing::error!(job = name, error = %err, "background job failed"),
        Ran::Done(_) | Ran::Skipped => {}
    }
}

impl Runner {
    /// Runs every job that is due (every job with `force`), one after another; returns what
    /// happened to each job it looked at. Starts nothing once the runner is stopped.
    pub async fn run_pass(&self, force: bool) -> Vec<(&'static str, Ran)> {
        let _pass = self.pass.lock().await;
        let mut report = Vec::new();
        for job in &self.jobs {
            if self.is_stopped() {
                break;
            }
            if !force && !self.take_due(job.as_ref()) {
                continue;
            }
            let ran = self.run_job(job.as_ref()).await;
            log(job.name(), &ran);
            report.push((job.name(), ran));
        }
        report
    }

    /// Whether `job`'s period has elapsed; if so its next run is one period from now.
    fn take_due(&self, job: &dyn Job) -> bool {
        let now = Instant::now();
        let Ok(mut next) = self.next_due.lock() else {
            return true;
        };
        let due = next.get(job.name()).is_none_or(|at| *at <= now);
        if due {
            next.insert(job.name(), now + job.period());
        }
        due
    }

    /// One run of `job`: leased for a cluster job (every store transaction of the run fenced
    /// by the lease grant, so a run that stalled past its lease commits nothing once another
    /// node took the lease), on its own for a node job.
    pub(crate) async fn run_job(&self, job: &dyn Job) -> Ran {
        if is_node_job(job) {
            let now = epoch_ms(self.clocks.jobs.as_ref());
            return self.guarded(job.run(JobContext::at(now)), None).await;
        }
        let name = format!("{LEASE_PREFIX}{}", job.name());
        let ttl = self.settings.lease_ttl;
        let at = epoch_ms(self.clocks.leases.as_ref());
        let lease = match self.store.acquire_lease(&name, &self.node, ttl, at).await {
            Ok(Some(lease)) => lease,
            Ok(None) => return Ran::Skipped,
            Err(err) => return Ran::Failed(format!("cannot acquire the lease {name}: {err}")),
        };
        let ctx = JobContext {
            now_ms: epoch_ms(self.clocks.jobs.as_ref()),
            lease: Some(JobLease {
                name: lease.name.clone(),
                token: lease.token,
            }),
        };
        let run = fenced(Fence::of(&lease), job.run(ctx));
        let ran = self.guarded(run, Some(lease.clone())).await;
        if let Err(err) = self.store.release_lease(&lease).await {
            tracing::warn!(lease = name, error = %err, "could not release a job lease; it expires");
        }
        ran
    }

    /// Drives `run` to its end, unless the lease (when given) is lost or the runner stops and
    /// the grace period passes: then `run` is dropped.
    async fn guarded<F>(&self, run: F, lease: Option<Lease>) -> Ran
    where
        F: Future<Output = Result<JobOutcome, String>>,
    {
        tokio::select! {
            outcome = run => match outcome {
                Ok(outcome) => Ran::Done(outcome),
                Err(err) => Ran::Failed(err),
            },
            () = self.keep_lease(lease) => Ran::Failed("lost the job lease; run dropped".to_owned()),
            () = self.grace_over() => Ran::Failed("cancelled at shutdown".to_owned()),
        }
    }

    /// Renews `lease` every third of its TTL; returns when a renewal fails (never without one).
    async fn keep_lease(&self, lease: Option<Lease>) {
        let Some(mut lease) = lease else {
            return std::future::pending().await;
        };
        let ttl = self.settings.lease_ttl;
        loop {
            tokio::time::sleep(ttl / 3).await;
            let at = epoch_ms(self.clocks.leases.as_ref());
            match self.store.renew_lease(&mut lease, ttl, at).await {
                Ok(true) => {}
                Ok(false) => return,
                Err(err) => {
                    tracing::warn!(lease = lease.name, error = %err, "could not renew a job lease");
                    if at >= lease.expires_at_ms {
                        return;
                    }
                }
            }
        }
    }

    /// Returns the grace period after the runner is stopped.
    async fn grace_over(&self) {
        let mut stopped = self.stopped.subscribe();
        let _ = stopped.wait_for(|s| *s).await;
        tokio::time::sleep(self.settings.grace).await;
    }
}
