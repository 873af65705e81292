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

/// The store lease a cluster job's run holds: its name and the grant's fencing token. Writes
/// stamped with it (`rampart_store::Fence`) commit only while this grant is the latest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobLease {
    /// The lease name (`job:<job name>`).
    pub name: String,
    /// The grant's fencing token.
    pub token: u64,
}

/// What the runner gives one run of a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobContext {
    /// Epoch milliseconds on the runner's job clock (moved by the dev clock knob): the time
    /// against which work is due.
    pub now_ms: i64,
    /// The lease held for this run (cluster jobs); `None` for node jobs.
    pub lease: Option<JobLease>,
}

impl JobContext {
    /// A run at `now_ms` without a lease (node jobs, tests, direct calls).
    pub fn at(now_ms: i64) -> Self {
        Self {
            now_ms,
            lease: None,
        }
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
    /// One run at `ctx.now_ms` (epoch milliseconds on the runner's clock), holding
    /// `ctx.lease` for a cluster job (the runner also fences every store transaction of the
    /// run with it). Errors are logged and the job is tried again at its next period.
    fn run(&self, ctx: JobContext) -> JobFuture<'_>;
}
