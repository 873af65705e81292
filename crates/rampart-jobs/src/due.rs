//! Due work as queue items: a job claims the items of its store queue whose visible-at time has
//! come on the job clock, handles each, acks it on success and retries it later with backoff on
//! failure; the store dead-letters an item claimed [`DueQueue::max_attempts`] times.
//!
//! Items are enqueued (`Write::Enqueue`, visible at the due time) in the transaction of the
//! change that schedules the work, so scheduled work and its item commit together. A claim is
//! exclusive (one consumer until the claim lease ends), and a cluster job's handler commits
//! under its fenced job lease, so an item's work is applied once across the cluster.

use rampart_core::JobContext;
use rampart_store::{Claimed, Store};
use std::future::Future;
use std::time::Duration;

/// Items claimed per store call.
const BATCH: usize = 20;

/// A queue of due work and how its items are retried.
#[derive(Debug, Clone, Copy)]
pub struct DueQueue {
    /// The store queue name.
    pub name: &'static str,
    /// Claims before an item is dead-lettered.
    pub max_attempts: u32,
    /// How long a claimed item stays with its consumer (job clock) before it is claimable again.
    pub claim_lease: Duration,
    /// Delay before the first retry; doubled for each further attempt, up to
    /// [`DueQueue::max_backoff`].
    pub backoff: Duration,
    /// The longest retry delay.
    pub max_backoff: Duration,
}

impl DueQueue {
    /// A queue with 10 attempts, 5 s backoff doubling up to an hour, and 5 minute claims.
    pub const fn named(name: &'static str) -> Self {
        Self {
            name,
            max_attempts: 10,
            claim_lease: Duration::from_secs(300),
            backoff: Duration::from_secs(5),
            max_backoff: Duration::from_secs(3600),
        }
    }

    /// The retry delay after the `attempts`-th claim (1 for the first).
    pub fn retry_delay(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(20);
        self.backoff
            .saturating_mul(1_u32 << doublings)
            .min(self.max_backoff)
    }
}

/// Claims and handles every item of `queue` due at `ctx.now_ms`; returns how many handled
/// items did something (`handle` answered `Ok(true)`). An item whose handler fails is given
/// back for a retry after the queue's backoff; the first store error ends the drain.
pub async fn drain_due<F, Fut, E>(
    store: &Store,
    queue: &DueQueue,
    ctx: &JobContext,
    mut handle: F,
) -> Result<usize, String>
where
    F: FnMut(Vec<u8>) -> Fut,
    Fut: Future<Output = Result<bool, E>>,
    E: std::fmt::Display,
{
    let consumer = ctx.lease.as_ref().map_or("direct", |l| l.name.as_str());
    let mut done = 0;
    loop {
        let items = store
            .claim(
                queue.name,
                consumer,
                queue.claim_lease,
                BATCH,
                queue.max_attempts,
                ctx.now_ms,
            )
            .await
            .map_err(|e| format!("claiming from {}: {e}", queue.name))?;
        for item in &items {
            let outcome = handle(item.payload.clone()).await;
            done += usize::from(settle(store, queue, ctx, item, outcome).await?);
        }
        if items.len() < BATCH {
            return Ok(done);
        }
    }
}

/// Like [`drain_due`], a batch at a time: `handle` gets the payloads of up to `batch` claimed
/// items at once (to commit their work in one transaction) and answers how many did
/// something; the batch is then acked in one store call, or on failure every item of it is
/// given back for a retry after the queue's backoff. For high-volume queues, where a commit
/// per item would cost a durable write each.
pub async fn drain_due_batched<F, Fut, E>(
    store: &Store,
    queue: &DueQueue,
    ctx: &JobContext,
    batch: usize,
    mut handle: F,
) -> Result<usize, String>
where
    F: FnMut(Vec<Vec<u8>>) -> Fut,
    Fut: Future<Output = Result<usize, E>>,
    E: std::fmt::Display,
{
    let consumer = ctx.lease.as_ref().map_or("direct", |l| l.name.as_str());
    let store_error = |e: rampart_store::StoreError| format!("draining {}: {e}", queue.name);
    let mut done = 0;
    loop {
        let items = store
            .claim(
                queue.name,
                consumer,
                queue.claim_lease,
                batch,
                queue.max_attempts,
                ctx.now_ms,
            )
            .await
            .map_err(store_error)?;
        if items.is_empty() {
            return Ok(done);
        }
        let payloads = items.iter().map(|item| item.payload.clone()).collect();
        match handle(payloads).await {
            Ok(did) => {
                store
                    .ack_many(queue.name, &items)
                    .await
                    .map_err(store_error)?;
                done += did;
            }
            Err(err) => {
                for item in &items {
                    settle(store, queue, ctx, item, Err::<bool, _>(&err)).await?;
                }
            }
        }
        if items.len() < batch {
            return Ok(done);
        }
    }
}

/// Acks a handled item or gives a failed one back for a retry; whether it did something.
async fn settle<E: std::fmt::Display>(
    store: &Store,
    queue: &DueQueue,
    ctx: &JobContext,
    item: &Claimed,
    outcome: Result<bool, E>,
) -> Result<bool, String> {
    let store_error =
        |e: rampart_store::StoreError| format!("settling an item of {}: {e}", queue.name);
    match outcome {
        Ok(did) => {
            store.ack(queue.name, item).await.map_err(store_error)?;
            Ok(did)
        }
        Err(err) => {
            let delay =
                i64::try_from(queue.retry_delay(item.attempts).as_millis()).unwrap_or(i64::MAX);
            let (queue_name, attempts) = (queue.name, item.attempts);
            tracing::warn!(queue = queue_name, item = item.id, attempts, error = %err,
                "due work failed; retried later");
            let at = ctx.now_ms.saturating_add(delay);
            store
                .retry(queue.name, item, at)
                .await
                .map_err(store_error)?;
            Ok(false)
        }
    }
}
