//! Due work as queue items: two runners on one store handle a due item once; a failing item is
//! retried with backoff and dead-lettered after its attempts.

use crate::{Clocks, DueQueue, Ran, Runner, Settings, drain_due};
use rampart_core::{
    Clock, Job, JobContext, JobFuture, JobOutcome, JobScope, ManualClock, epoch_ms,
};
use rampart_store::{Store, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const QUEUE: DueQueue = DueQueue::named("due_tests");

/// Drains `QUEUE`, slowly, counting items; items with payload `fail` fail.
struct Drain {
    store: Store,
    handled: Arc<AtomicUsize>,
}

impl Job for Drain {
    fn name(&self) -> &'static str {
        "drain"
    }
    fn period(&self) -> Duration {
        Duration::from_secs(3600)
    }
    fn scope(&self) -> JobScope {
        JobScope::Cluster
    }
    fn run(&self, ctx: JobContext) -> JobFuture<'_> {
        Box::pin(async move {
            let done = drain_due(&self.store, &QUEUE, &ctx, |payload| async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                if payload == b"fail" {
                    return Err("failed on purpose");
                }
                self.handled.fetch_add(1, Ordering::SeqCst);
                Ok(true)
            })
            .await?;
            Ok(JobOutcome::done(done))
        })
    }
}

fn setup(
    store: &Store,
    clock: &Arc<ManualClock>,
    node: &str,
    handled: &Arc<AtomicUsize>,
) -> Runner {
    let settings = Settings {
        tick: Duration::from_millis(20),
        lease_ttl: Duration::from_secs(30),
        grace: Duration::from_millis(100),
    };
    let mut runner = Runner::new(store.clone(), node, Clocks::single(clock.clone()), settings);
    runner.register(Arc::new(Drain {
        store: store.clone(),
        handled: handled.clone(),
    }));
    runner
}

fn enqueue(payload: &[u8], at: i64) -> Write {
    Write::Enqueue {
        queue: QUEUE.name,
        payload: payload.to_vec(),
        visible_at_ms: at,
        dedup_key: None,
    }
}

fn done(report: &[(&'static str, Ran)]) -> usize {
    report
        .iter()
        .map(|(_, ran)| match ran {
            Ran::Done(outcome) => outcome.done,
            _ => 0,
        })
        .sum()
}

#[tokio::test]
async fn due_items_run_once_across_two_runners_and_only_once_due() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_sqlite(&dir.path().join("due.db"))
        .await
        .expect("open");
    let start = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("valid time");
    let clock = Arc::new(ManualClock::new(start));
    let now = epoch_ms(clock.as_ref());
    let writes = vec![
        enqueue(b"a", now),
        enqueue(b"b", now),
        enqueue(b"later", now + 60_000),
    ];
    store.transact(writes).await.expect("enqueue");
    let handled = Arc::new(AtomicUsize::new(0));
    let a = setup(&store, &clock, "node-a", &handled);
    let b = setup(&store, &clock, "node-b", &handled);
    let (ra, rb) = tokio::join!(a.run_pass(true), b.run_pass(true));
    assert_eq!(
        (done(&ra) + done(&rb), handled.load(Ordering::SeqCst)),
        (2, 2)
    );
    let (ra, rb) = tokio::join!(a.run_pass(true), b.run_pass(true));
    assert_eq!(done(&ra) + done(&rb), 0, "acked items do not come back");
    clock.set(clock.now() + time::Duration::seconds(60));
    assert_eq!(
        done(&a.run_pass(true).await),
        1,
        "the later item runs once due"
    );
    assert_eq!(done(&b.run_pass(true).await), 0);
}

#[tokio::test]
async fn a_failing_item_is_retried_with_backoff_then_dead_lettered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_sqlite(&dir.path().join("due.db"))
        .await
        .expect("open");
    let start = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("valid time");
    let clock = Arc::new(ManualClock::new(start));
    store
        .transact(vec![enqueue(b"fail", epoch_ms(clock.as_ref()))])
        .await
        .expect("enqueue");
    let handled = Arc::new(AtomicUsize::new(0));
    let a = setup(&store, &clock, "node-a", &handled);
    for attempt in 1..=QUEUE.max_attempts {
        a.run_pass(true).await;
        let delay = QUEUE.retry_delay(attempt);
        let early = time::Duration::milliseconds(i64::try_from(delay.as_millis()).expect("ms") - 1);
        clock.set(clock.now() + early);
        let claimed = store
            .claim(
                QUEUE.name,
                "probe",
                Duration::ZERO,
                1,
                100,
                epoch_ms(clock.as_ref()),
            )
            .await;
        assert!(
            claimed.expect("claim").is_empty(),
            "claimable before its backoff (attempt {attempt})"
        );
        clock.set(clock.now() + time::Duration::milliseconds(1));
    }
    a.run_pass(true).await;
    let dead = store
        .dead_letters(QUEUE.name, 10)
        .await
        .expect("dead letters");
    assert_eq!(dead.len(), 1);
    assert_eq!(
        (dead[0].payload.as_slice(), dead[0].attempts),
        (&b"fail"[..], QUEUE.max_attempts)
    );
    assert_eq!(QUEUE.retry_delay(1), Duration::from_secs(5));
    assert_eq!(QUEUE.retry_delay(2), Duration::from_secs(10));
    assert_eq!(QUEUE.retry_delay(30), Duration::from_secs(3600));
}

#[tokio::test]
async fn a_batched_drain_acks_a_batch_at_once_and_retries_a_failed_batch_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_sqlite(&dir.path().join("due.db"))
        .await
        .expect("store");
    let writes = (0..5).map(|i| enqueue(format!("item {i}").as_bytes(), 0));
    store.transact(writes.collect()).await.expect("enqueue");
    let ctx = JobContext::at(1_000);
    let mut batches = Vec::new();
    let failed = crate::drain_due_batched(&store, &QUEUE, &ctx, 3, |payloads| {
        batches.push(payloads.len());
        async { Err::<usize, _>("failed on purpose") }
    })
    .await
    .expect("drain");
    assert_eq!((failed, batches.clone()), (0, vec![3, 2]));
    let nothing = crate::drain_due_batched(&store, &QUEUE, &ctx, 3, |p| async move {
        Ok::<_, String>(p.len())
    });
    assert_eq!(
        nothing.await.expect("drain"),
        0,
        "failed items wait for their retry"
    );
    let later = JobContext::at(1_000 + 60_000);
    let handled = crate::drain_due_batched(&store, &QUEUE, &later, 10, |p| async move {
        Ok::<_, String>(p.len())
    });
    assert_eq!(handled.await.expect("drain"), 5);
    let again = crate::drain_due_batched(&store, &QUEUE, &later, 10, |p| async move {
        Ok::<_, String>(p.len())
    });
    assert_eq!(again.await.expect("drain"), 0, "acked items are gone");
}
