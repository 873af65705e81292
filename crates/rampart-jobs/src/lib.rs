//! The background job runner: one per node, running the [`Job`]s modules register.
//!
//! * A [`JobScope::Cluster`] job runs only while this node holds the store lease named
//!   `job:<name>` ([`Store::acquire_lease`]); nodes that find it held skip that period. The
//!   holder renews the lease every third of its TTL while the job runs and releases it after.
//!   If a renewal fails (the lease expired and another node may hold it) the run is dropped at
//!   once, so two nodes never run one job's sweep at the same time while renewals work.
//! * A [`JobScope::Node`] job runs on every node without a lease, and once more at shutdown.
//! * Each job is due every [`Job::period`] (on the runtime's monotonic clock); [`Runner::run_pass`]
//!   with `force` runs every job now (the `--dev` clock knob).
//! * [`Runner::stop`]: no job starts after it; a job running gets [`Settings::grace`] to
//!   finish, then is dropped (cancelled between awaits), and its lease released; then the node
//!   jobs run a last time.
//!
//! * A cluster job's run gets its lease in its [`rampart_core::JobContext`], and every store
//!   transaction of the run is fenced by it ([`rampart_store::fenced`]): a run that stalled
//!   past its lease cannot commit once another node holds the lease.
//! * Due work lives in store queues ([`drain_due`]): a job claims the items due on its clock.
//!
//! Jobs get `now_ms` from the runner's job clock (injectable, so tests and the dev knob move
//! time); leases are timed by a separate lease clock (the real clock on a server), so nodes
//! whose job clocks were moved differently still agree on who holds a lease.

mod due;
mod pass;

pub use due::{DueQueue, drain_due, drain_due_batched};

use rampart_core::{Clock, Job, JobOutcome};
use rampart_store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

#[cfg(test)]
mod due_tests;
#[cfg(test)]
mod tests;

/// Timing of the runner.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// How often the runner looks for due jobs.
    pub tick: Duration,
    /// How long a job lease lasts unless renewed.
    pub lease_ttl: Duration,
    /// How long a running job may take to finish once the runner stops.
    pub grace: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            tick: Duration::from_secs(1),
            lease_ttl: Duration::from_secs(30),
            grace: Duration::from_secs(10),
        }
    }
}

/// What happened to one job in a pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ran {
    /// The job ran.
    Done(JobOutcome),
    /// Another node holds the job's lease.
    Skipped,
    /// The run failed, lost its lease or was cancelled.
    Failed(String),
}

/// The clocks a runner reads.
#[derive(Clone)]
pub struct Clocks {
    /// The time jobs are given (`now_ms`).
    pub jobs: Arc<dyn Clock>,
    /// The time leases are granted and renewed at.
    pub leases: Arc<dyn Clock>,
}

impl Clocks {
    /// One clock for both.
    pub fn single(clock: Arc<dyn Clock>) -> Self {
        Self {
            jobs: clock.clone(),
            leases: clock,
        }
    }
}

/// One node's job runner.
pub struct Runner {
    store: Store,
    node: String,
    clocks: Clocks,
    settings: Settings,
    jobs: Vec<Arc<dyn Job>>,
    next_due: Mutex<HashMap<&'static str, Instant>>,
    /// Held for a whole pass: the ticker's passes and forced passes take turns.
    pass: tokio::sync::Mutex<()>,
    stopped: watch::Sender<bool>,
    wake: Notify,
}

impl Runner {
    /// A runner for node `node` (unique among the nodes sharing `store`) with no jobs yet.
    pub fn new(store: Store, node: impl Into<String>, clocks: Clocks, settings: Settings) -> Self {
        Self {
            store,
            node: node.into(),
            clocks,
            settings,
            jobs: Vec::new(),
            next_due: Mutex::new(HashMap::new()),
            pass: tokio::sync::Mutex::new(()),
            stopped: watch::Sender::new(false),
            wake: Notify::new(),
        }
    }

    /// Adds a job (due at once).
    pub fn register(&mut self, job: Arc<dyn Job>) {
        self.jobs.push(job);
    }

    /// This node's name in leases.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// Whether [`Runner::stop`] was called.
    pub fn is_stopped(&self) -> bool {
        *self.stopped.borrow()
    }

    /// Starts the loop that runs due jobs every [`Settings::tick`] until [`Runner::stop`].
    pub fn start(self: &Arc<Self>) -> JoinHandle<()> {
        let runner = self.clone();
        tokio::spawn(async move { runner.run_loop().await })
    }

    async fn run_loop(&self) {
        let mut stopped = self.stopped.subscribe();
        let mut ticker = tokio::time::interval(self.settings.tick);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while !self.is_stopped() {
            tokio::select! {
                _ = ticker.tick() => {}
                () = self.wake.notified() => {}
                _ = stopped.wait_for(|s| *s) => break,
            }
            self.run_pass(false).await;
        }
    }

    /// Stops the runner: no job starts any more, a running job gets the grace period, the
    /// loop `task` (from [`Runner::start`]) ends, and the node jobs run a last time.
    pub async fn stop(&self, task: JoinHandle<()>) {
        self.stopped.send_replace(true);
        self.wake.notify_one();
        if let Err(err) = task.await {
            tracing::error!(error = %err, "the job runner task failed");
        }
        let _pass = self.pass.lock().await;
        for job in self.jobs.iter().filter(|j| pass::is_node_job(j.as_ref())) {
            let ran = self.run_job(job.as_ref()).await;
            pass::log(job.name(), &ran);
        }
    }
}
