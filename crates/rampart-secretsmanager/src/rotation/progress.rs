//! Committing a rotation's progress: after each completed step (the next step, or the end of
//! the rotation) and after a failed one (the failure recorded, a retry enqueued), each as one
//! compare-and-swap of the secret's record with the rotation's events and due items.

use super::events::{RotationEvent, writes};
use super::runner::{Due, DueKind, enqueue, occasion, retry_delay};
use super::schedule::Schedule;
use super::state::Progress;
use super::test_version::remove_test_version;
use super::{Step, StepFailure};
use crate::SecretsManagerService;
use crate::generated::ServiceError;
use crate::labels::{CURRENT, PENDING};
use crate::record::SecretRecord;
use rampart_store::Write;

/// The internal code of a rotation that moved on (cancelled, restarted) while a step ran.
const MOVED: &str = "RotationMoved";

fn moved() -> ServiceError {
    ServiceError::new(MOVED, 409, "the rotation moved on")
}

/// The rotation in progress of `r` when it is still at `expected`'s step.
fn current(r: &SecretRecord, expected: &Progress) -> Result<Progress, ServiceError> {
    match &r.rotation.in_progress {
        Some(p) if p.token == expected.token && p.next_step == expected.next_step => Ok(p.clone()),
        _ => Err(moved()),
    }
}

/// `Ok(false)` for a rotation that moved on, else the outcome.
fn settled(outcome: Result<bool, ServiceError>) -> Result<bool, ServiceError> {
    match outcome {
        Err(e) if e.code == MOVED => Ok(false),
        other => other,
    }
}

impl SecretsManagerService {
    /// Commits the step `progress.next_step` as done; whether another step follows.
    pub(super) async fn step_done(
        &self,
        due: &Due,
        progress: &Progress,
    ) -> Result<bool, ServiceError> {
        if progress.next_step == Step::FinishSecret && !progress.test_only {
            let found = self.load_at(&due.account, &due.region, &due.name).await?;
            let is_current = found
                .and_then(|f| f.value.version(&progress.token).map(|v| v.stages.clone()))
                .is_some_and(|stages| stages.iter().any(|s| s == CURRENT));
            if !is_current {
                let why = format!(
                    "finishSecret completed but version {} is not labelled AWSCURRENT",
                    progress.token
                );
                self.step_failed(due, progress, StepFailure(why), self.now_ms())
                    .await?;
                return Ok(false);
            }
        }
        let now = self.now_ms();
        let outcome = self
            .mutate_at(&due.account, &due.region, &due.name, |r| {
                let p = current(r, progress)?;
                match p.step_after() {
                    Some(next) => {
                        if let Some(running) = r.rotation.in_progress.as_mut() {
                            running.next_step = next;
                        }
                        Ok(vec![])
                    }
                    None => Ok(finish(due, r, &p, now)),
                }
            })
            .await;
        settled(outcome.map(|_| progress.step_after().is_some()))
    }

    /// Records the failure of `progress.next_step` and enqueues the retry (a test of the
    /// configuration is not retried).
    pub(super) async fn step_failed(
        &self,
        due: &Due,
        progress: &Progress,
        failure: StepFailure,
        now_ms: i64,
    ) -> Result<(), ServiceError> {
        tracing::warn!(secret = %due.arn, step = progress.next_step.as_str(), reason = %failure, "rotation step failed");
        let now = self.now_ms();
        let outcome = self
            .mutate_at(&due.account, &due.region, &due.name, |r| {
                let mut p = current(r, progress)?;
                p.attempts += 1;
                let event = if p.test_only {
                    RotationEvent::TestFailed
                } else {
                    RotationEvent::Failed
                };
                let mut w = writes(event, &occasion(due, r, &p, now), Some(failure.0.clone()));
                if p.test_only {
                    remove_test_version(r, &p.token);
                    r.rotation.in_progress = None;
                    return Ok(w);
                }
                let retry_at = now_ms.saturating_add(retry_delay(p.attempts));
                let kind = DueKind::Run {
                    token: p.token.clone(),
                };
                w.push(enqueue(&due.account, &due.region, r, kind, retry_at));
                r.rotation.in_progress = Some(p);
                Ok(w)
            })
            .await;
        settled(outcome.map(|_| true)).map(drop)
    }
}

/// Ends rotation `p` of `r` at `now`: RotationSucceeded (or TestRotationSucceeded), AWSPENDING
/// off the new AWSCURRENT version, LastRotatedDate, and the next window scheduled.
fn finish(due: &Due, r: &mut SecretRecord, p: &Progress, now: i64) -> Vec<Write> {
    r.rotation.in_progress = None;
    if p.test_only {
        remove_test_version(r, &p.token);
        return writes(
            RotationEvent::TestSucceeded,
            &occasion(due, r, p, now),
            None,
        );
    }
    let mut w = writes(RotationEvent::Succeeded, &occasion(due, r, p, now), None);
    if let Some(v) = r.versions.iter_mut().find(|v| v.id == p.token) {
        v.stages.retain(|s| s != PENDING);
    }
    r.rotation.last_rotated_ms = Some(now);
    r.rotation.next = next_window(r, now);
    if let Some(window) = r.rotation.next {
        let kind = DueKind::Scheduled {
            start_ms: window.start_ms,
        };
        w.push(enqueue(&due.account, &due.region, r, kind, window.start_ms));
    }
    w
}

/// The next window of `r`'s rules after a rotation at `anchor_ms`, while rotation is on.
pub fn next_window(r: &SecretRecord, anchor_ms: i64) -> Option<super::state::Window> {
    let rules = r.rotation.rules.as_ref().filter(|_| r.rotation.enabled)?;
    Schedule::of(rules).ok()?.next_window(anchor_ms)
}
