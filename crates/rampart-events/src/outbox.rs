//! The delivery outbox: PutEvents (and ingested service events) write one [`Delivery`] item per
//! matched (rule, target) into [`DELIVERY_QUEUE`] in the transaction that accepts the event;
//! the delivery job claims items, sends them to their target, retries with backoff and jitter
//! within the target's RetryPolicy, and dead-letters what still fails.

use serde::{Deserialize, Serialize};

/// The store queue holding deliveries.
pub const DELIVERY_QUEUE: &str = "events_deliveries";

/// One event on its way to one target, as stored in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// The account and Region of the rule.
    pub account: String,
    pub region: String,
    /// The rule that matched.
    pub rule_arn: String,
    /// The target's `Id` in that rule.
    pub target_id: String,
    /// The target's `Arn`: an API destination, an event bus, or an archive.
    pub target_arn: String,
    /// The target's `RoleArn`, if any.
    pub role_arn: Option<String>,
    /// The payload to send: the event, or what Input / InputPath / InputTransformer made of it.
    pub input: String,
    /// The matched event's `id`.
    pub event_id: String,
    /// The event's `time` (epoch milliseconds): MaximumEventAgeInSeconds counts from here.
    pub event_time_ms: i64,
    /// RetryPolicy.MaximumRetryAttempts (AWS's default 185).
    pub max_retry_attempts: u32,
    /// RetryPolicy.MaximumEventAgeInSeconds (AWS's default 86,400).
    pub max_event_age_s: u32,
    /// DeadLetterConfig.Arn, if the target has one.
    pub dead_letter_arn: Option<String>,
    /// The target's HttpParameters (API destinations): header, query string and path
    /// parameter values, as the target stores them (a JSON object, `Null` when absent).
    pub http_parameters: serde_json::Value,
    /// Failed sends before the outbox item holding this copy: a delivery held back by an API
    /// destination's rate limit is re-enqueued as a new item carrying its count, so waiting for
    /// the limit never counts as an attempt (only real sends do, against the RetryPolicy).
    #[serde(default)]
    pub failed_sends: u32,
}

impl Delivery {
    /// The stored form.
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// A stored item; `None` for a payload that is not a delivery.
    pub fn decode(payload: &[u8]) -> Option<Delivery> {
        serde_json::from_slice(payload).ok()
    }
}
