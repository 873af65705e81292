//! Background jobs as modules declare them: a name, a period, whether one run per period is
//! wanted across the whole cluster or on every node, and the work of one run. The runner that
//! schedules them (leases, shutdown) lives in `rampart-jobs`; this trait needs no runtime.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A boxed `Send` future (what [`Job::run`] returns, so jobs can be trait objects).
pub type JobFuture<'a> = Pin<Box<dyn Future<Output = Result<JobOutcome, String>> + Send + 'a>>;

/// Where a job's runs happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobScope {
    /// One run at a time across every node sharing the store: the runner holds the job's
    /// store lease while it runs (sweeps of shared schedules).
    Cluster,
    /// Every node runs it for itself, without a lease (flushing per-node state); it also runs
    /// once more at shutdown.
    Node,
}

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobOutcome {
    /// Items handled (keys deleted, rotations performed, ...); 0 for an idle run.
    pub done: usize,
}

impl JobOutcome {
    /// A run that handled `done` items.
    pub fn done(done: usize) -> Self {
        Self { done }
    }
}

/// A unit of background work, registered with the runner by the module that owns it.
pub trait Job: Send + Sync {
    /// A stable name, unique in the process (also the name of the job's lease).
    fn name(&self) -> &'static str;
    /// How often the job is due.
    fn period(&self) -> Duration;
    /// Cluster-wide (leased) or per node.
    fn scope(&self) -> JobScope;
    /// One run at `now_ms` (epoch milliseconds on the runner's clock). Errors are logged and
    /// the job is tried again at its next period.
    fn run(&self, now_ms: i64) -> JobFuture<'_>;
}
