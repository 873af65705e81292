//! KMS's jobs on the job runner: two nodes (two services and two runners on one store) run a
//! due rotation and a due deletion exactly once between them, and the usage flush runs on each.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Harness;
use rampart_core::{JobOutcome, ManualClock};
use rampart_jobs::{Clocks, Ran, Runner, Settings};
use rampart_kms::KmsService;
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
