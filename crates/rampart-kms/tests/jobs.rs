//! KMS's jobs on the job runner: two nodes (two services and two runners on one store) run a
//! due rotation and a due deletion exactly once between them, and the usage flush runs on each;
//! a cancelled deletion's item does nothing; older schedules get their items from the
//! backfill; a rotation committed under a lost lease is refused by the fence.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Harness;
use rampart_core::{JobContext, JobLease, JobOutcome, ManualClock};
use rampart_jobs::{Clocks, Ran, Runner, Settings};
use rampart_kms::KmsService;
use rampart_store::{Fence, fenced};
use serde_json::json;
use std::sync::Arc;

const DAY: i64 = 86_400;

fn runner(h: &Harness, node: &str, kms: &Arc<KmsService>) -> Runner {
    let clock: Arc<ManualClock> = h.clock.clone();
    let mut runner = Runner::new(
        h.store.clone(),
        node,
        Clocks::single(clock),
        Settings::default(),
    );
    for job in rampart_kms::jobs::jobs(kms) {
        runner.register(job);
    }
    runner
}

/// Items done by `job` in a pass report (0 when skipped).
fn done(report: &[(&'static str, Ran)], job: &str) -> usize {
    report
        .iter()
        .filter(|(name, _)| *name == job)
        .map(|(_, ran)| match ran {
            Ran::Done(JobOutcome { done }) => *done,
            Ran::Skipped => 0,
            Ran::Failed(err) => panic!("{job} failed: {err}"),
        })
        .sum()
}

#[tokio::test]
async fn two_nodes_run_a_due_rotation_and_deletion_once() {
    let h = Harness::new().await;
    let (a_kms, b_kms) = (Arc::new(h.second_node()), Arc::new(h.second_node()));
    let (a, b) = (runner(&h, "node-a", &a_kms), runner(&h, "node-b", &b_kms));
    let (rotating, _) = h.create_key().await;
    let (doomed, _) = h.create_key().await;
    let enable = json!({"KeyId": rotating, "RotationPeriodInDays": 90});
    h.ok("EnableKeyRotation", enable).await;
    let schedule = json!({"KeyId": doomed, "PendingWindowInDays": 7});
    h.ok("ScheduleKeyDeletion", schedule).await;
    h.advance(91 * DAY);
    let (ra, rb) = tokio::join!(a.run_pass(true), b.run_pass(true));
    assert_eq!(done(&ra, "kms.rotation") + done(&rb, "kms.rotation"), 1);
    assert_eq!(done(&ra, "kms.deletion") + done(&rb, "kms.deletion"), 1);
    for report in [&ra, &rb] {
        assert!(matches!(
            report.last(),
            Some(("kms.usage-flush", Ran::Done(_)))
        ));
    }
    let (ra, rb) = tokio::join!(a.run_pass(true), b.run_pass(true));
    assert_eq!(done(&ra, "kms.rotation") + done(&rb, "kms.rotation"), 0);
    let listed = h.ok("ListKeyRotations", json!({"KeyId": rotating})).await;
    assert_eq!(listed["Rotations"].as_array().map(Vec::len), Some(1));
    let gone = h.err("DescribeKey", json!({"KeyId": doomed})).await;
    assert_eq!(gone.code, "NotFoundException");
}

/// Takes every item left in `queue`, due or not (claims far in the future and acks them);
/// returns how many there were.
async fn take_items(h: &Harness, queue: &str) -> usize {
    let later = rampart_core::epoch_ms(h.clock.as_ref()) + 10_000 * DAY * 1000;
    let lease = std::time::Duration::from_secs(60);
    let items = h.store.claim(queue, "probe", lease, 100, 100, later);
    let items = items.await.unwrap();
    for item in &items {
        assert!(h.store.ack(queue, item).await.unwrap());
    }
    items.len()
}

#[tokio::test]
async fn a_deletion_scheduled_then_cancelled_does_nothing_when_its_item_fires() {
    let h = Harness::new().await;
    let kms = Arc::new(h.second_node());
    let a = runner(&h, "node-a", &kms);
    let (key, _) = h.create_key().await;
    let schedule = json!({"KeyId": key, "PendingWindowInDays": 7});
    h.ok("ScheduleKeyDeletion", schedule).await;
    h.ok("CancelKeyDeletion", json!({"KeyId": key})).await;
    h.advance(8 * DAY);
    let report = a.run_pass(true).await;
    assert_eq!(done(&report, "kms.deletion"), 0);
    let described = h.ok("DescribeKey", json!({"KeyId": key})).await;
    assert_eq!(described["KeyMetadata"]["KeyState"], "Disabled");
    assert_eq!(
        take_items(&h, "kms.deletion").await,
        0,
        "the item was acked"
    );
    let dead = h.store.dead_letters("kms.deletion", 10).await.unwrap();
    assert!(dead.is_empty(), "{dead:?}");
}

#[tokio::test]
async fn scheduled_work_is_carried_out_by_its_queue_item_and_older_schedules_are_backfilled() {
    let h = Harness::new().await;
    let kms = Arc::new(h.second_node());
    let a = runner(&h, "node-a", &kms);
    let (key, _) = h.create_key().await;
    let enable = json!({"KeyId": key, "RotationPeriodInDays": 90});
    h.ok("EnableKeyRotation", enable).await;
    // As in a database from before the queue: the schedule row without its item.
    assert_eq!(take_items(&h, "kms.rotation").await, 1);
    h.advance(91 * DAY);
    assert_eq!(
        done(&a.run_pass(true).await, "kms.rotation"),
        0,
        "no item, no rotation"
    );
    assert_eq!(kms.backfill_due_items().await.unwrap(), 1);
    assert_eq!(
        kms.backfill_due_items().await.unwrap(),
        0,
        "once per database"
    );
    assert_eq!(done(&a.run_pass(true).await, "kms.rotation"), 1);
    // After rotating, the next rotation is enqueued, due 90 days on.
    h.advance(88 * DAY);
    assert_eq!(done(&a.run_pass(true).await, "kms.rotation"), 0);
    h.advance(2 * DAY);
    assert_eq!(done(&a.run_pass(true).await, "kms.rotation"), 1);
    let listed = h.ok("ListKeyRotations", json!({"KeyId": key})).await;
    assert_eq!(listed["Rotations"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn a_rotation_under_a_lost_lease_is_refused_and_done_once_by_the_new_holder() {
    let h = Harness::new().await;
    let kms = Arc::new(h.second_node());
    let (key, _) = h.create_key().await;
    let enable = json!({"KeyId": key, "RotationPeriodInDays": 90});
    h.ok("EnableKeyRotation", enable).await;
    h.advance(91 * DAY);
    let now = rampart_core::epoch_ms(h.clock.as_ref());
    let ttl = std::time::Duration::from_secs(30);
    let lease =
        |holder: &'static str, at: i64| h.store.acquire_lease("job:kms.rotation", holder, ttl, at);
    let stale = lease("node-a", now).await.unwrap().unwrap();
    // Node a stalls past its lease; node b takes it over.
    assert!(lease("node-b", now + 31_000).await.unwrap().is_some());
    let ctx = JobContext {
        now_ms: now + 31_000,
        lease: Some(JobLease {
            name: stale.name.clone(),
            token: stale.token,
        }),
    };
    let stale_run = fenced(Fence::of(&stale), kms.rotate_due_keys_at(&ctx));
    assert_eq!(
        stale_run.await.unwrap(),
        0,
        "the stale holder's rotation committed"
    );
    let listed = h.ok("ListKeyRotations", json!({"KeyId": key})).await;
    assert_eq!(listed["Rotations"].as_array().map_or(0, Vec::len), 0);
    // The item came back after its backoff; node b's runner rotates once.
    h.advance(60);
    let b = runner(&h, "node-b", &kms);
    assert_eq!(done(&b.run_pass(true).await, "kms.rotation"), 1);
    assert_eq!(done(&b.run_pass(true).await, "kms.rotation"), 0);
    let listed = h.ok("ListKeyRotations", json!({"KeyId": key})).await;
    assert_eq!(listed["Rotations"].as_array().map(Vec::len), Some(1));
}
