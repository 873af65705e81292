//! Rotations at work. RotateSecret, a finished rotation and a failed step enqueue due items on
//! the `secretsmanager_rotations` queue in their transactions; the `secretsmanager.rotations`
//! cluster job (so one node runs each) drains them on the service clock:
//!
//! * a `Scheduled` item starts a rotation when the secret's next window still starts then
//!   (rules changed or rotation cancelled: the item is stale and dropped);
//! * a `Run` item runs the steps of the rotation in progress whose token it names, from the
//!   step after the last one that completed. Each completed step is committed before the next
//!   runs, so a restart (or `kill -9`) resumes at the next step once the claim lapses.
//!
//! A failed step keeps the rotation (and whatever AWSPENDING version its createSecret made),
//! records RotationFailed and is retried later: a minute after the first failure, doubling up
//! to a day. A successful finishSecret must leave the new version AWSCURRENT; AWSPENDING is
//! then removed from it, LastRotatedDate set and the next window scheduled.

use super::events::{Occasion, RotationEvent, writes};
use super::functions::resolve;
use super::state::Progress;
use super::{Step, StepContext, StepEvent, StepFailure};
use crate::SecretsManagerService;
use crate::generated::ServiceError;
use crate::record::{SecretRecord, secret_row};
use crate::service::internal_error;
use rampart_core::RequestContext;
use rampart_core::{Job, JobContext, JobFuture, JobOutcome, JobScope};
use rampart_jobs::{DueQueue, drain_due};
use rampart_store::Write;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// The queue of due rotation work. A claim lapses after a minute, so a rotation whose node
/// stopped mid-step resumes that soon.
pub const ROTATION_QUEUE: DueQueue = DueQueue {
    claim_lease: Duration::from_secs(60),
    ..DueQueue::named("secretsmanager_rotations")
};

/// First retry delay of a failed rotation, doubled per failure up to [`MAX_RETRY_MS`].
const RETRY_MS: i64 = 60_000;
const MAX_RETRY_MS: i64 = 86_400_000;

/// One due item.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Due {
    pub account: String,
    pub region: String,
    pub name: String,
    pub arn: String,
    pub kind: DueKind,
}

/// What a due item asks for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum DueKind {
    /// Start the rotation of the window starting at `start_ms`.
    Scheduled { start_ms: i64 },
    /// Run (or resume) the rotation whose new version is `token`.
    Run { token: String },
}

/// The write enqueueing `kind` for `record` at `visible_at_ms`.
pub fn enqueue(
    account: &str,
    region: &str,
    record: &SecretRecord,
    kind: DueKind,
    at: i64,
) -> Write {
    let due = Due {
        account: account.into(),
        region: region.into(),
        name: record.name.clone(),
        arn: record.arn.clone(),
        kind,
    };
    Write::Enqueue {
        queue: ROTATION_QUEUE.name,
        payload: serde_json::to_vec(&due).unwrap_or_default(),
        visible_at_ms: at,
        dedup_key: None,
    }
}

/// The occasion of an event about `record`'s rotation `progress`.
pub fn occasion<'a>(
    due: &'a Due,
    record: &'a SecretRecord,
    p: &'a Progress,
    ms: i64,
) -> Occasion<'a> {
    Occasion {
        account: &due.account,
        region: &due.region,
        secret_arn: &record.arn,
        rotation_token: &p.rotation_token,
        time_ms: ms,
    }
}

/// The delay before retrying a rotation that failed `attempts` times.
pub(super) fn retry_delay(attempts: u32) -> i64 {
    let doublings = attempts.saturating_sub(1).min(20);
    RETRY_MS.saturating_mul(1 << doublings).min(MAX_RETRY_MS)
}

/// The rotation's principal: the secret's account root in its Region, as a rotation Lambda
/// acts with its execution role.
fn step_context(due: &Due) -> Option<RequestContext> {
    RequestContext::for_account_root(&due.account, &due.region)
}

impl SecretsManagerService {
    /// Handles every rotation item due at `ctx.now_ms`; how many did something.
    pub async fn run_due_rotations(&self, ctx: &JobContext) -> Result<usize, String> {
        drain_due(&self.store, &ROTATION_QUEUE, ctx, |payload| async move {
            match serde_json::from_slice::<Due>(&payload) {
                Ok(due) => self.handle_due(&due, ctx.now_ms).await,
                Err(_) => Ok(false),
            }
        })
        .await
    }

    async fn handle_due(&self, due: &Due, now_ms: i64) -> Result<bool, ServiceError> {
        let token = match &due.kind {
            DueKind::Run { token } => token.clone(),
            DueKind::Scheduled { start_ms } => match self.start_scheduled(due, *start_ms).await? {
                Some(token) => token,
                None => return Ok(false),
            },
        };
        self.run_steps(due, &token, now_ms).await
    }

    /// Starts the rotation of the scheduled window `start_ms` if it is still the next one;
    /// the new rotation's token.
    async fn start_scheduled(
        &self,
        due: &Due,
        start_ms: i64,
    ) -> Result<Option<String>, ServiceError> {
        let row = secret_row(&due.account, &due.region, &due.name);
        let Some(found) = self
            .tables
            .secrets
            .get(&row)
            .await
            .map_err(crate::service::internal)?
        else {
            return Ok(None);
        };
        if !is_due(&found.value, due, start_ms) {
            return Ok(None);
        }
        let token = uuid::Uuid::new_v4().to_string();
        let now = self.now_ms();
        let started = self
            .mutate_at(&due.account, &due.region, &due.name, |r| {
                if !is_due(r, due, start_ms) {
                    return Err(internal_error());
                }
                let p = Progress::start(token.clone(), false, now);
                let w = writes(RotationEvent::Started, &occasion(due, r, &p, now), None);
                r.rotation.next = None;
                r.rotation.in_progress = Some(p);
                Ok(w)
            })
            .await;
        // A record that changed in between (rules, a cancel) makes the item stale.
        Ok(started.ok().map(|_| token))
    }

    /// Runs the steps of rotation `token` from the next one; whether any step ran.
    async fn run_steps(&self, due: &Due, token: &str, now_ms: i64) -> Result<bool, ServiceError> {
        let mut ran = false;
        loop {
            let Some((record, progress)) = self.in_progress(due, token).await? else {
                return Ok(ran);
            };
            ran = true;
            let outcome = self.run_one(due, &record, &progress).await;
            let more = match outcome {
                Ok(()) => self.step_done(due, &progress).await?,
                Err(failure) => {
                    self.step_failed(due, &progress, failure, now_ms).await?;
                    false
                }
            };
            if !more {
                return Ok(true);
            }
        }
    }

    /// The secret of `due` and its rotation in progress, when that is rotation `token`.
    async fn in_progress(
        &self,
        due: &Due,
        token: &str,
    ) -> Result<Option<(SecretRecord, Progress)>, ServiceError> {
        let found = self.load_at(&due.account, &due.region, &due.name).await?;
        Ok(found.map(|f| f.value).and_then(|r| {
            let p = r.rotation.in_progress.clone()?;
            (r.arn == due.arn && p.token == token && r.deleted_ms.is_none()).then_some((r, p))
        }))
    }

    /// Runs `progress.next_step` with the rotation's function.
    async fn run_one(
        &self,
        due: &Due,
        record: &SecretRecord,
        progress: &Progress,
    ) -> Result<(), StepFailure> {
        let arn = record.rotation.lambda_arn.clone().unwrap_or_default();
        let function = resolve(&self.store, &due.account, &due.region, &arn)
            .await
            .map_err(|e| StepFailure(format!("looking up the rotation function: {e}")))?
            .ok_or_else(|| {
                StepFailure(format!(
                    "Secrets Manager cannot invoke the specified Lambda function {arn}: it is \
                     neither a built-in rotator nor registered with Rampart."
                ))
            })?;
        let ctx = step_context(due).ok_or_else(|| StepFailure("invalid account".into()))?;
        if progress.test_only {
            self.prepare_test_version(due, &ctx, record, &progress.token)
                .await?;
        }
        let event = StepEvent {
            step: progress.next_step,
            secret_id: record.arn.clone(),
            client_request_token: progress.token.clone(),
            rotation_token: progress.rotation_token.clone(),
        };
        let on = StepContext {
            service: self,
            ctx: &ctx,
        };
        function.run_step(&event, on).await
    }
}

/// Whether `record` still has `due`'s scheduled window `start_ms` next, with nothing running.
fn is_due(record: &SecretRecord, due: &Due, start_ms: i64) -> bool {
    let s = &record.rotation;
    record.arn == due.arn
        && record.deleted_ms.is_none()
        && s.enabled
        && s.in_progress.is_none()
        && s.next.map(|w| w.start_ms) == Some(start_ms)
}

impl Progress {
    /// A rotation starting now with the new version `token`.
    pub fn start(token: String, test_only: bool, now_ms: i64) -> Progress {
        Progress {
            token,
            rotation_token: uuid::Uuid::new_v4().to_string(),
            next_step: if test_only {
                Step::TestSecret
            } else {
                Step::CreateSecret
            },
            attempts: 0,
            test_only,
            started_ms: now_ms,
        }
    }
}

/// The cluster job running due rotations.
pub struct RotationJob(pub Arc<SecretsManagerService>);

impl Job for RotationJob {
    fn name(&self) -> &'static str {
        "secretsmanager.rotations"
    }

    /// Every runner tick, so that a rotation RotateSecret starts runs within a second or two.
    fn period(&self) -> Duration {
        Duration::from_secs(1)
    }

    fn scope(&self) -> JobScope {
        JobScope::Cluster
    }

    fn run(&self, ctx: JobContext) -> JobFuture<'_> {
        Box::pin(async move { self.0.run_due_rotations(&ctx).await.map(JobOutcome::done) })
    }
}

#[cfg(test)]
mod tests {
    use super::retry_delay;

    #[test]
    fn retries_back_off_to_a_day() {
        assert_eq!(retry_delay(1), 60_000);
        assert_eq!(retry_delay(2), 120_000);
        assert_eq!(retry_delay(30), 86_400_000);
    }
}
