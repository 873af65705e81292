//! Routing: an event put on a bus is matched against the bus's enabled rules, and each matched
//! rule's targets get one outbox [`Delivery`](crate::outbox::Delivery) each.

use crate::EventsService;
use crate::generated::ServiceError;
use crate::outbox::Delivery;
use rampart_store::Write;
use serde_json::Value;

/// Why a delivery attempt failed; `retryable` failures are tried again within the RetryPolicy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryError {
    /// The reason, as a dead-letter record shows it.
    pub reason: String,
    /// Whether another attempt may succeed.
    pub retryable: bool,
}

#[allow(
    dead_code,
    reason = "the bus operations and the delivery job call these"
)]
impl EventsService {
    /// Puts `event` (a full envelope: version, id, detail-type, source, account, time, region,
    /// resources, detail) on the bus `bus_arn`: matches the bus's enabled rules (only those
    /// named in `rules`, for a replay) and returns the writes that enqueue one delivery per
    /// matched target, to commit with whatever accepted the event.
    pub(crate) async fn route(
        &self,
        bus_arn: &str,
        event: &Value,
        rules: Option<&[String]>,
    ) -> Result<Vec<Write>, ServiceError> {
        let _ = (bus_arn, event, rules);
        Ok(Vec::new())
    }

    /// Delivers to an event-bus target: the event goes on that bus (another account's only if
    /// its resource policy allows this account's PutEvents), routed there in one transaction.
    pub(crate) async fn forward_to_bus(&self, delivery: &Delivery) -> Result<(), DeliveryError> {
        let _ = delivery;
        Err(DeliveryError {
            reason: "event bus targets are not delivered yet".into(),
            retryable: false,
        })
    }
}
