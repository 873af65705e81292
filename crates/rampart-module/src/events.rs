//! Events a service publishes to EventBridge, written in the same transaction as the change
//! that caused them: [`publish`] turns a [`ServiceEvent`] into a store write (an item of the
//! events module's ingest queue), so the event exists exactly when the change committed. The
//! events module claims the queue, puts each event on the account's default bus and matches it
//! against that bus's rules.

use rampart_store::Write;
use serde::{Deserialize, Serialize};

/// The store queue the events module ingests service events from.
pub const INGEST_QUEUE: &str = "events_ingest";

/// One event as a Rampart service emits it, before the bus gives it an id and a time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceEvent {
    /// The account whose default bus receives the event.
    pub account: String,
    /// The Region of that bus.
    pub region: String,
    /// `source` (`aws.ssm`).
    pub source: String,
    /// `detail-type` (`Parameter Store Change`).
    pub detail_type: String,
    /// `resources`: the ARNs the event is about.
    pub resources: Vec<String>,
    /// `detail`: a JSON object.
    pub detail: serde_json::Value,
    /// When the change happened (epoch milliseconds on the service clock): the event's `time`.
    pub time_ms: i64,
}

/// The write that publishes `event` once the transaction holding it commits.
pub fn publish(event: &ServiceEvent) -> Write {
    Write::Enqueue {
        queue: INGEST_QUEUE,
        payload: serde_json::to_vec(event).unwrap_or_default(),
        visible_at_ms: 0,
        dedup_key: None,
    }
}

/// The event a [`publish`] payload holds; `None` for a payload that is not one.
pub fn decode(payload: &[u8]) -> Option<ServiceEvent> {
    serde_json::from_slice(payload).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_published_event_decodes_to_itself() {
        let event = ServiceEvent {
            account: "111122223333".into(),
            region: "us-east-1".into(),
            source: "aws.ssm".into(),
            detail_type: "Parameter Store Change".into(),
            resources: vec!["arn:aws:ssm:us-east-1:111122223333:parameter/a".into()],
            detail: serde_json::json!({"operation": "Create", "name": "/a"}),
            time_ms: 1_700_000_000_000,
        };
        let Write::Enqueue { queue, payload, .. } = publish(&event) else {
            panic!("not an enqueue");
        };
        assert_eq!(queue, INGEST_QUEUE);
        assert_eq!(decode(&payload).unwrap(), event);
        assert!(decode(b"not json").is_none());
    }
}
