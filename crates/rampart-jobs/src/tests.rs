//! Runner tests on one SQLite store shared by two runners (two "nodes").

use crate::{Clocks, Ran, Runner, Settings};
use rampart_core::{Clock, Job, JobContext, JobFuture, JobOutcome, JobScope, ManualClock};
use rampart_store::{Expect, Store, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::Notify;

const TABLE: &str = "due_items";

/// A sweep that handles every row of `TABLE` slowly (read, pause, count, delete without a
/// condition), so two unguarded runs at once would both count the same row.
struct Sweep {
    store: Store,
    handled: Arc<AtomicUsize>,
}

impl Job for Sweep {
    fn name(&self) -> &'static str {
        "sweep"
    }
    fn period(&self) -> Duration {
        Duration::from_secs(3600)
    }
    fn scope(&self) -> JobScope {
        JobScope::Cluster
    }
    fn run(&self, _ctx: JobContext) -> JobFuture<'_> {
        Box::pin(async move {
            let rows = self.store.scan(TABLE, "", None, 100).await;
            let rows = rows.map_err(|e| e.to_string())?;
            for row in &rows {
                tokio::time::sleep(Duration::from_millis(100)).await;
                self.handled.fetch_add(1, Ordering::SeqCst);
                let delete = Write::Delete {
                    table: TABLE,
                    key: row.key.clone(),
                    expect: Expect::Any,
                };
                self.store
                    .transact(vec![delete])
                    .await
                    .map_err(|e| e.to_string())?;
            }
            Ok(JobOutcome::done(rows.len()))
        })
    }
}

/// A job that never finishes; says when it started.
struct Stuck {
    scope: JobScope,
    started: Arc<Notify>,
    runs: Arc<AtomicUsize>,
}

impl Job for Stuck {
    fn name(&self) -> &'static str {
        match self.scope {
            JobScope::Cluster => "stuck",
            JobScope::Node => "flush",
        }
    }
    fn period(&self) -> Duration {
        Duration::from_millis(10)
    }
    fn scope(&self) -> JobScope {
        self.scope
    }
    fn run(&self, _ctx: JobContext) -> JobFuture<'_> {
        Box::pin(async move {
            self.runs.fetch_add(1, Ordering::SeqCst);
            if self.scope == JobScope::Node {
                return Ok(JobOutcome::done(1));
            }
            self.started.notify_one();
            std::future::pending().await
        })
    }
}

fn settings() -> Settings {
    Settings {
        tick: Duration::from_millis(20),
        lease_ttl: Duration::from_secs(30),
        grace: Duration::from_millis(100),
    }
}

fn clock() -> Arc<ManualClock> {
    let start = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("valid time");
    Arc::new(ManualClock::new(start))
}

async fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_sqlite(&dir.path().join("jobs.db"))
        .await
        .expect("open");
    (dir, store)
}

fn runner(store: &Store, node: &str, clock: &Arc<ManualClock>, job: Arc<dyn Job>) -> Runner {
    let mut runner = Runner::new(
        store.clone(),
        node,
        Clocks::single(clock.clone()),
        settings(),
    );
    runner.register(job);
    runner
}

#[tokio::test]
async fn a_due_item_runs_once_across_two_runners() {
    let (_dir, store) = store().await;
    let put = |key: &str| Write::Put {
        table: TABLE,
        key: key.to_owned(),
        value: Vec::new(),
        expect: Expect::Absent,
    };
    store
        .transact(vec![put("a"), put("b")])
        .await
        .expect("seed");
    let handled = Arc::new(AtomicUsize::new(0));
    let clock = clock();
    let sweep = || {
        Arc::new(Sweep {
            store: store.clone(),
            handled: handled.clone(),
        })
    };
    let a = runner(&store, "node-a", &clock, sweep());
    let b = runner(&store, "node-b", &clock, sweep());
    let (ran_a, ran_b) = tokio::join!(a.run_pass(true), b.run_pass(true));
    assert_eq!(handled.load(Ordering::SeqCst), 2, "{ran_a:?} {ran_b:?}");
    let mut outcomes = vec![ran_a[0].1.clone(), ran_b[0].1.clone()];
    outcomes.sort_by_key(|r| format!("{r:?}"));
    assert_eq!(outcomes, [Ran::Done(JobOutcome::done(2)), Ran::Skipped]);
    // The lease was released: the other node runs the (now idle) sweep at once.
    assert_eq!(b.run_pass(true).await[0].1, Ran::Done(JobOutcome::done(0)));
}

#[tokio::test]
async fn a_dead_holders_lease_is_taken_over_once_it_expires() {
    let (_dir, store) = store().await;
    let clock = clock();
    let now = rampart_core::epoch_ms(clock.as_ref());
    let ttl = settings().lease_ttl;
    let dead = store
        .acquire_lease("job:sweep", "dead-node", ttl, now)
        .await;
    assert!(dead.expect("acquire").is_some());
    let handled = Arc::new(AtomicUsize::new(0));
    let sweep = Arc::new(Sweep {
        store: store.clone(),
        handled,
    });
    let b = runner(&store, "node-b", &clock, sweep);
    assert_eq!(b.run_pass(true).await[0].1, Ran::Skipped);
    clock.set(clock.now() + time::Duration::seconds(29));
    assert_eq!(b.run_pass(true).await[0].1, Ran::Skipped);
    clock.set(clock.now() + time::Duration::seconds(2));
    assert_eq!(
        b.run_pass(true).await[0].1,
        Ran::Done(JobOutcome::default())
    );
}

#[tokio::test]
async fn stop_cancels_a_running_job_releases_its_lease_and_runs_node_jobs_once_more() {
    let (_dir, store) = store().await;
    let clock = clock();
    let started = Arc::new(Notify::new());
    let (stuck_runs, flushes) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let stuck = Arc::new(Stuck {
        scope: JobScope::Cluster,
        started: started.clone(),
        runs: stuck_runs.clone(),
    });
    let mut a = runner(&store, "node-a", &clock, stuck);
    a.register(Arc::new(Stuck {
        scope: JobScope::Node,
        started: started.clone(),
        runs: flushes.clone(),
    }));
    let a = Arc::new(a);
    let task = a.start();
    started.notified().await;
    let stopping = tokio::time::timeout(Duration::from_secs(5), a.stop(task)).await;
    assert!(stopping.is_ok(), "stop waits for the grace period only");
    assert_eq!(stuck_runs.load(Ordering::SeqCst), 1);
    assert_eq!(
        flushes.load(Ordering::SeqCst),
        1,
        "the node job ran once, at shutdown"
    );
    let now = rampart_core::epoch_ms(clock.as_ref());
    let ttl = settings().lease_ttl;
    let free = store.acquire_lease("job:stuck", "node-b", ttl, now).await;
    assert!(
        free.expect("acquire").is_some(),
        "the cancelled run released its lease"
    );
    assert!(
        a.run_pass(true).await.is_empty(),
        "a stopped runner starts nothing"
    );
}

#[tokio::test]
async fn a_run_whose_lease_is_lost_is_dropped() {
    let (_dir, store) = store().await;
    let clock = clock();
    let started = Arc::new(Notify::new());
    let stuck = Arc::new(Stuck {
        scope: JobScope::Cluster,
        started: started.clone(),
        runs: Arc::new(AtomicUsize::new(0)),
    });
    let mut settings = settings();
    settings.lease_ttl = Duration::from_millis(300);
    let mut a = Runner::new(
        store.clone(),
        "node-a",
        Clocks::single(clock.clone()),
        settings,
    );
    a.register(stuck);
    let pass = a.run_pass(true);
    let regrant = async {
        started.notified().await;
        // A new grant (here to the same holder name) makes the running grant's renewal fail.
        let now = rampart_core::epoch_ms(clock.as_ref());
        store
            .acquire_lease("job:stuck", "node-a", settings.lease_ttl, now)
            .await
    };
    let (report, regranted) = tokio::time::timeout(Duration::from_secs(5), async {
        tokio::join!(pass, regrant)
    })
    .await
    .expect("the run is dropped at the failed renewal");
    assert!(regranted.expect("acquire").is_some());
    assert!(matches!(&report[0].1, Ran::Failed(err) if err.contains("lost the job lease")));
}

/// A cluster job that waits for `go` before committing one row: a holder that stalls.
struct Stalled {
    store: Store,
    started: Arc<Notify>,
    go: Arc<Notify>,
}

impl Job for Stalled {
    fn name(&self) -> &'static str {
        "stalled"
    }
    fn period(&self) -> Duration {
        Duration::from_secs(3600)
    }
    fn scope(&self) -> JobScope {
        JobScope::Cluster
    }
    fn run(&self, ctx: JobContext) -> JobFuture<'_> {
        Box::pin(async move {
            assert_eq!(
                ctx.lease.as_ref().map(|l| l.name.as_str()),
                Some("job:stalled")
            );
            self.started.notify_one();
            self.go.notified().await;
            let put = Write::Put {
                table: TABLE,
                key: "late".to_owned(),
                value: Vec::new(),
                expect: Expect::Any,
            };
            self.store
                .transact(vec![put])
                .await
                .map_err(|e| e.to_string())?;
            Ok(JobOutcome::done(1))
        })
    }
}

#[tokio::test]
async fn a_stalled_holders_commit_is_refused_once_another_node_took_the_lease() {
    let (_dir, store) = store().await;
    let clock = clock();
    let (started, go) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let job = Arc::new(Stalled {
        store: store.clone(),
        started: started.clone(),
        go: go.clone(),
    });
    let a = runner(&store, "node-a", &clock, job);
    let takeover = async {
        started.notified().await;
        // The holder stalls past its lease (no renewal ran), and node b takes the lease.
        clock.set(clock.now() + time::Duration::seconds(31));
        let now = rampart_core::epoch_ms(clock.as_ref());
        let b = store
            .acquire_lease("job:stalled", "node-b", settings().lease_ttl, now)
            .await;
        go.notify_one();
        b
    };
    let (report, taken) = tokio::join!(a.run_pass(true), takeover);
    assert!(taken.expect("acquire").is_some());
    assert!(
        matches!(&report[0].1, Ran::Failed(err) if err.contains("conflict on lease/job:stalled")),
        "{report:?}"
    );
    assert!(
        store.get(TABLE, "late").await.expect("get").is_none(),
        "the stale commit applied"
    );
}
