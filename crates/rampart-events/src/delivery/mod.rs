//! The delivery worker: claims batches of [`Delivery`] items from the outbox queue, sends each
//! to its target by ARN kind (API destination, event bus, archive; anything else is
//! dead-lettered as unreachable), bounded-concurrently, then acks it, gives it back for a retry after a backoff
//! with jitter, or dead-letters it ([`dead_letter`]).
//!
//! Every node runs it (a node job, and a background loop that polls every
//! [`IDLE_POLL`] or when [`EventsService::wake_delivery`] is called); the store's claims are
//! exclusive (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so nodes share the work. Items stay in
//! the store until acked, so a crash or `kill -9` only delays them: an unacked claim comes back
//! when its lease ends (at-least-once delivery).

pub(crate) mod api_destination;
pub mod dead_letter;
pub(crate) mod http;
pub(crate) mod policy;

use crate::EventsService;
use crate::connection::auth::TokenCache;
use crate::outbox::{DELIVERY_QUEUE, Delivery};
use crate::route::DeliveryError;
use futures::StreamExt as _;
use rampart_crypto::root::DomainKey;
use rampart_store::{Claimed, Store, Write};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// Items claimed per store call.
const BATCH: usize = 256;
/// Deliveries in flight at once per worker.
const CONCURRENCY: usize = 128;
/// How long a claimed item stays with this worker before another may claim it.
const CLAIM_LEASE: Duration = Duration::from_secs(60);
/// Claims after which the store itself dead-letters an item (a worker that keeps dying on
/// it); above AWS's largest MaximumRetryAttempts (185) plus the first attempt.
const STORE_MAX_ATTEMPTS: u32 = 200;
/// How long an API destination may take to answer (AWS's limit is 5 seconds).
const CALL_TIMEOUT: Duration = Duration::from_secs(5);
/// How often the background loop looks for due deliveries when nothing woke it.
pub(crate) const IDLE_POLL: Duration = Duration::from_millis(50);

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    Delivered,
    Failed(DeliveryError),
    /// The destination's rate limit allows the next call only after this wait.
    Throttled(Duration),
}

/// The delivery side's state: the connection-secret key, the HTTP client, OAuth tokens,
/// rate limiters and a short cache of resolved API destinations.
pub(crate) struct Outbound {
    pub(crate) store: Store,
    pub(crate) key: DomainKey,
    pub(crate) http: http::HttpClient,
    pub(crate) tokens: TokenCache,
    pub(crate) limiter: api_destination::Limiter,
    #[allow(clippy::type_complexity, reason = "a plain cache map")]
    pub(crate) resolved: Mutex<HashMap<String, (Instant, Arc<api_destination::Resolved>)>>,
    /// Row keys of OAuth connections this node stored AUTHORIZING: their token is asked for
    /// at the next delivery pass (`connection::state::authorize_stored`).
    pending_auth: Mutex<Vec<String>>,
    wake: Notify,
    consumer: String,
}

impl Outbound {
    /// The delivery state over `store`, sealing connection secrets with `key`.
    pub(crate) fn new(store: Store, key: DomainKey) -> Outbound {
        Outbound {
            store,
            key,
            http: http::HttpClient::new(CALL_TIMEOUT),
            tokens: TokenCache::default(),
            limiter: api_destination::Limiter::default(),
            resolved: Mutex::new(HashMap::new()),
            pending_auth: Mutex::new(Vec::new()),
            wake: Notify::new(),
            consumer: format!("events-delivery-{}", uuid::Uuid::new_v4()),
        }
    }
}

impl Outbound {
    /// Forgets what is cached of the store (after a dev reset emptied it): resolved API
    /// destinations and OAuth tokens.
    pub(crate) fn reset(&self) {
        if let Ok(mut resolved) = self.resolved.lock() {
            resolved.clear();
        }
        self.tokens.clear();
    }
}

/// Epoch milliseconds of `clock`.
pub(crate) fn now_ms(clock: &dyn rampart_core::Clock) -> i64 {
    i64::try_from(clock.now().unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

impl EventsService {
    /// Wakes this node's delivery loop (after committing new deliveries).
    pub fn wake_delivery(&self) {
        self.outbound.wake.notify_one();
    }

    /// Has the next delivery pass ask for the first token of the OAuth connection stored at
    /// `row_key` (AUTHORIZING), so its state moves without waiting for an invocation.
    pub(crate) fn authorize_soon(&self, row_key: String) {
        if let Ok(mut pending) = self.outbound.pending_auth.lock() {
            pending.push(row_key);
        }
        self.wake_delivery();
    }

    /// Asks for the tokens [`Self::authorize_soon`] noted, and records their answers.
    async fn authorize_pending(&self, now_ms: i64) {
        let keys = match self.outbound.pending_auth.lock() {
            Ok(mut pending) => std::mem::take(&mut *pending),
            Err(_) => return,
        };
        for key in keys {
            let stored = crate::connection::state::authorize_stored(&self.outbound, &key, now_ms);
            if let Err(error) = stored.await {
                tracing::warn!(%error, "authorizing a connection failed");
            }
        }
    }

    /// Claims and handles every delivery due at `now_ms`; how many were settled for good
    /// (delivered or dead-lettered). Store failures end the run. OAuth connections waiting
    /// for their first token get it first.
    pub async fn deliver_due(&self, now_ms: i64) -> Result<usize, String> {
        self.authorize_pending(now_ms).await;
        let mut done = 0;
        loop {
            let items = self
                .store
                .claim(
                    DELIVERY_QUEUE,
                    &self.outbound.consumer,
                    CLAIM_LEASE,
                    BATCH,
                    STORE_MAX_ATTEMPTS,
                    now_ms,
                )
                .await
                .map_err(|e| format!("claiming deliveries: {e}"))?;
            let claimed = items.len();
            let attempts: Vec<(Claimed, Option<Delivery>, Outcome)> = futures::stream::iter(items)
                .map(|item| self.attempt_item(item))
                .buffer_unordered(CONCURRENCY)
                .collect()
                .await;
            done += self.settle_batch(attempts, now_ms).await?;
            if claimed < BATCH {
                return Ok(done);
            }
        }
    }

    /// One attempt at a claimed item (`None`: not a delivery, dropped).
    async fn attempt_item(&self, item: Claimed) -> (Claimed, Option<Delivery>, Outcome) {
        let delivery = Delivery::decode(&item.payload);
        let outcome = match &delivery {
            Some(d) => self.attempt(d).await,
            None => Outcome::Delivered,
        };
        (item, delivery, outcome)
    }

    /// Acks the delivered items in one transaction, after re-enqueueing the ones the rate
    /// limit held back in one more ([`deferral`]); retries or dead-letters the failed ones.
    async fn settle_batch(
        &self,
        attempts: Vec<(Claimed, Option<Delivery>, Outcome)>,
        now_ms: i64,
    ) -> Result<usize, String> {
        let (mut acks, mut deferred) = (Vec::new(), Vec::new());
        let mut done = 0;
        for (item, delivery, outcome) in attempts {
            match (delivery, outcome) {
                (None, _) => {
                    tracing::warn!(
                        item = item.id,
                        "dropping an outbox item that is not a delivery"
                    );
                    acks.push(item);
                }
                (Some(_), Outcome::Delivered) => {
                    acks.push(item);
                    done += 1;
                }
                (Some(d), Outcome::Throttled(wait)) => {
                    let at = now_ms.saturating_add(i64::try_from(wait.as_millis()).unwrap_or(0));
                    deferred.push(deferral(&item, &d, at));
                    acks.push(item);
                }
                (Some(d), Outcome::Failed(error)) => {
                    done += usize::from(self.settle(&item, &d, error, now_ms).await?);
                }
            }
        }
        if !deferred.is_empty() {
            self.store
                .transact(deferred)
                .await
                .map_err(|e| format!("deferring throttled deliveries: {e}"))?;
        }
        self.store
            .ack_many(DELIVERY_QUEUE, &acks)
            .await
            .map_err(|e| format!("acking deliveries: {e}"))?;
        Ok(done)
    }

    /// The background loop: delivers what is due, then waits for a wake-up or [`IDLE_POLL`].
    pub(crate) async fn delivery_loop(self: Arc<Self>) {
        loop {
            let now = now_ms(self.clock.as_ref());
            if let Err(error) = self.deliver_due(now).await {
                tracing::warn!(%error, "event delivery pass failed");
            }
            tokio::select! {
                () = self.outbound.wake.notified() => {}
                () = tokio::time::sleep(IDLE_POLL) => {}
            }
        }
    }

    /// One attempt to deliver, by the target ARN's kind.
    pub(crate) async fn attempt(&self, delivery: &Delivery) -> Outcome {
        match target_kind(&delivery.target_arn) {
            Some("api-destination") => {
                let now = now_ms(self.clock.as_ref());
                api_destination::send(&self.outbound, delivery, now).await
            }
            Some("event-bus") => match self.forward_to_bus(delivery).await {
                Ok(()) => Outcome::Delivered,
                Err(error) => Outcome::Failed(error),
            },
            Some("archive") => match self.deliver_to_archive(delivery).await {
                Ok(()) => Outcome::Delivered,
                Err(error) => Outcome::Failed(error),
            },
            _ => Outcome::Failed(DeliveryError {
                reason: format!(
                    "target {} is not reachable from Rampart (only API destinations, event buses and archives are)",
                    delivery.target_arn
                ),
                retryable: false,
            }),
        }
    }

    /// Retries a failed delivery within its RetryPolicy, or dead-letters it; whether it was
    /// settled for good.
    async fn settle(
        &self,
        item: &Claimed,
        delivery: &Delivery,
        error: DeliveryError,
        now_ms: i64,
    ) -> Result<bool, String> {
        // Every claim of this item was a send that failed (a throttled copy is a new item).
        let attempts = delivery.failed_sends.saturating_add(item.attempts);
        let next = policy::after_failure(delivery, attempts, &error, now_ms, fastrand::f64());
        match next {
            policy::Next::RetryAt(at) => self.retry(item, at).await.map(|()| false),
            policy::Next::DeadLetter(reason) => {
                tracing::info!(rule = %delivery.rule_arn, target = %delivery.target_id,
                    event = %delivery.event_id, %reason, "event delivery dead-lettered");
                let write = dead_letter::record(item.id, delivery, reason, attempts, now_ms)
                    .map_err(|e| e.to_string())?;
                self.store
                    .transact(vec![write])
                    .await
                    .map_err(|e| format!("recording a dead letter: {e}"))?;
                self.ack(item).await.map(|()| true)
            }
        }
    }

    async fn ack(&self, item: &Claimed) -> Result<(), String> {
        self.store
            .ack(DELIVERY_QUEUE, item)
            .await
            .map(drop)
            .map_err(|e| format!("acking a delivery: {e}"))
    }

    async fn retry(&self, item: &Claimed, at: i64) -> Result<(), String> {
        self.store
            .retry(DELIVERY_QUEUE, item, at)
            .await
            .map(drop)
            .map_err(|e| format!("rescheduling a delivery: {e}"))
    }
}

/// The enqueue putting a delivery the rate limit held back in the outbox again, visible at
/// `at`, as a new item carrying the failed sends so far (this claim sent nothing); the claimed
/// item is then acked. The store counts every claim of an item as an attempt, so retrying the
/// same item would spend the target's RetryPolicy (and the store's own claim limit) on waiting,
/// where AWS counts only failed invocations. The dedup key keeps one copy if a crash between
/// this commit and the ack repeats it.
fn deferral(item: &Claimed, delivery: &Delivery, at: i64) -> Write {
    let mut copy = delivery.clone();
    copy.failed_sends = delivery
        .failed_sends
        .saturating_add(item.attempts.saturating_sub(1));
    Write::Enqueue {
        queue: DELIVERY_QUEUE,
        payload: copy.encode(),
        visible_at_ms: at,
        dedup_key: Some(format!("throttled/{}", item.id)),
    }
}

/// The resource type of an EventBridge ARN (`api-destination`, `event-bus`, `archive`, ...);
/// `None` for other services' ARNs.
fn target_kind(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let service = parts.nth(2)?;
    let resource = parts.nth(2)?;
    (service == "events").then(|| resource.split('/').next().unwrap_or_default())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::target_kind;

    #[test]
    fn target_kinds_come_from_the_arn() {
        let arn = "arn:aws:events:us-east-1:123456789012:api-destination/d/1";
        assert_eq!(target_kind(arn), Some("api-destination"));
        let bus = "arn:aws:events:us-east-1:123456789012:event-bus/default";
        assert_eq!(target_kind(bus), Some("event-bus"));
        assert_eq!(target_kind("arn:aws:sqs:us-east-1:123456789012:q"), None);
    }
}
