//! The audit *rider*: the "intent" record of a state-changing call, carried alongside the call
//! so that the store commits it in the same transaction as the call's first write.
//!
//! The pipeline runs the service call inside [`AuditRider::scope`]. The codec hands the rider
//! the call's request parameters once they are known ([`note_parameters`], only for calls that
//! are not read-only); the store asks for the intent entry in every transaction
//! ([`take_intent`]) and reports whether it committed ([`settle_intent`]). So the entry is
//! appended once per call, with the call's first committed write, and never for a call that
//! wrote nothing.
//!
//! The rider also collects the *nested calls* of a call: requests another service made on the
//! caller's behalf while serving it (KMS Decrypt by Parameter Store, [`note_nested`]), each
//! audited as an event of its own after the call.

use crate::AuditResource;
use serde_json::Value;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

/// Builds the stored intent entry from the call's operation name and request parameters.
pub type IntentEncoder = Box<dyn Fn(&str, Option<&Value>) -> Vec<u8> + Send + Sync>;

tokio::task_local! {
    static RIDER: Arc<AuditRider>;
}

/// The intent record of one call, until it commits.
pub struct AuditRider {
    /// The log the intent entry goes to.
    log: &'static str,
    /// The event id the intent and the final record share.
    event_id: String,
    encode: IntentEncoder,
    state: Mutex<RiderState>,
}

#[derive(Default)]
struct RiderState {
    /// Set once the call is known to change state: its operation and request parameters.
    params: Option<(&'static str, Option<Value>)>,
    /// The intent is in flight in a transaction (taken, not settled).
    taken: bool,
    /// The intent has committed.
    committed: bool,
    /// The calls made on the caller's behalf so far, in order.
    nested: Vec<NestedCall>,
}

/// A request a Rampart service made to another on its caller's behalf while serving a call
/// (KMS `Decrypt` by Parameter Store): audited as an event of its own, with the caller's
/// identity and `invokedBy` the calling service. Never holds secret material: the parameters
/// are the request's audit JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct NestedCall {
    /// The called service's `eventSource` (`kms.amazonaws.com`).
    pub event_source: &'static str,
    /// The operation called (`Decrypt`).
    pub operation: &'static str,
    /// The service that called on the caller's behalf (`ssm.amazonaws.com`): CloudTrail's
    /// `invokedBy`, `sourceIPAddress` and `userAgent`.
    pub invoked_by: String,
    /// CloudTrail `requestParameters`: the request's audit JSON.
    pub request_parameters: Option<Value>,
    /// CloudTrail `responseElements`: the response's audit JSON, unless the operation hides it.
    pub response_elements: Option<Value>,
    /// `(errorCode, errorMessage)` of a call that failed.
    pub error: Option<(String, String)>,
    /// CloudTrail `readOnly` of the operation.
    pub read_only: bool,
    /// The resources the nested call touched.
    pub resources: Vec<AuditResource>,
}

impl std::fmt::Debug for AuditRider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditRider")
            .field("log", &self.log)
            .field("event_id", &self.event_id)
            .finish_non_exhaustive()
    }
}

impl AuditRider {
    /// A rider whose intent entry (made by `encode`) goes to `log` under `event_id`.
    pub fn new(log: &'static str, event_id: String, encode: IntentEncoder) -> Arc<Self> {
        Arc::new(Self {
            log,
            event_id,
            encode,
            state: Mutex::default(),
        })
    }

    /// Runs `call` with this rider in scope of the store and the codec.
    pub async fn scope<F: Future>(self: &Arc<Self>, call: F) -> F::Output {
        RIDER.scope(Arc::clone(self), call).await
    }

    /// The event id of the intent, when it committed (the final record then carries it).
    pub fn committed_event_id(&self) -> Option<String> {
        self.lock().committed.then(|| self.event_id.clone())
    }

    /// Takes the nested calls noted so far ([`note_nested`]), in the order they were made.
    pub fn take_nested(&self) -> Vec<NestedCall> {
        std::mem::take(&mut self.lock().nested)
    }

    fn lock(&self) -> MutexGuard<'_, RiderState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Notes the operation and request parameters of a call that changes state; a no-op outside
/// a rider's scope.
pub fn note_parameters(operation: &'static str, params: Option<&Value>) {
    let _ = RIDER.try_with(|rider| rider.lock().params = Some((operation, params.cloned())));
}

/// Notes a call made on the caller's behalf, to be audited after the current call; a no-op
/// outside a rider's scope (a call no pipeline audits).
pub fn note_nested(call: NestedCall) {
    let _ = RIDER.try_with(|rider| rider.lock().nested.push(call));
}

/// The intent entry to append in the transaction about to run, as `(log, entry)`: `None`
/// outside a rider's scope, for a call not (yet) known to change state, and once the intent
/// has committed or while another transaction of the call carries it.
pub fn take_intent() -> Option<(&'static str, Vec<u8>)> {
    RIDER
        .try_with(|rider| {
            let mut state = rider.lock();
            if state.committed || state.taken {
                return None;
            }
            let (operation, params) = state.params.as_ref()?;
            let entry = (rider.encode)(operation, params.as_ref());
            state.taken = true;
            Some((rider.log, entry))
        })
        .ok()
        .flatten()
}

/// Reports the outcome of the transaction that carried the intent: committed, or not (the
/// next transaction of the call carries it again).
pub fn settle_intent(committed: bool) {
    let _ = RIDER.try_with(|rider| {
        let mut state = rider.lock();
        state.taken = false;
        state.committed |= committed;
    });
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn rider() -> Arc<AuditRider> {
        AuditRider::new(
            "audit",
            "e-1".into(),
            Box::new(|op, p| {
                format!("{op} {}", p.map(Value::to_string).unwrap_or_default()).into_bytes()
            }),
        )
    }

    #[tokio::test]
    async fn the_intent_rides_once_after_the_parameters_are_noted() {
        let rider = rider();
        rider
            .scope(async {
                assert!(take_intent().is_none(), "not known to change state yet");
                note_parameters("Put", Some(&serde_json::json!({"k": 1})));
                let (log, entry) = take_intent().unwrap();
                assert_eq!((log, entry.as_slice()), ("audit", &br#"Put {"k":1}"#[..]));
                settle_intent(false);
                assert!(take_intent().is_some(), "a rolled back intent rides again");
                settle_intent(true);
                assert!(take_intent().is_none(), "committed once");
            })
            .await;
        assert_eq!(rider.committed_event_id().as_deref(), Some("e-1"));
        assert!(take_intent().is_none(), "outside the scope");
    }

    fn nested(operation: &'static str) -> NestedCall {
        NestedCall {
            event_source: "kms.amazonaws.com",
            operation,
            invoked_by: "ssm.amazonaws.com".into(),
            request_parameters: None,
            response_elements: None,
            error: None,
            read_only: true,
            resources: Vec::new(),
        }
    }

    #[tokio::test]
    async fn nested_calls_are_collected_in_order_within_the_scope_only() {
        note_nested(nested("Encrypt"));
        let rider = rider();
        rider
            .scope(async {
                note_nested(nested("Encrypt"));
                note_nested(nested("Decrypt"));
            })
            .await;
        let names: Vec<_> = rider.take_nested().iter().map(|c| c.operation).collect();
        assert_eq!(names, ["Encrypt", "Decrypt"]);
        assert!(rider.take_nested().is_empty(), "taken once");
        assert!(rider.committed_event_id().is_none(), "no write, no intent");
    }
}
