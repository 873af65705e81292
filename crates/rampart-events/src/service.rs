//! `EventsService`: the EventBridge operations behind the generated `EventBridgeApi` (served
//! through the generated `Endpoint`).

use crate::generated::{EventBridgeHandler, ServiceError};
use rampart_core::Clock;
use rampart_store::Store;
use std::sync::Arc;

/// The EventBridge service.
#[allow(dead_code, reason = "the bus, rule and delivery operations read them")]
pub struct EventsService {
    pub(crate) store: Store,
    pub(crate) clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for EventsService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventsService").finish_non_exhaustive()
    }
}

impl EventsService {
    /// EventBridge over `store`, on the service clock `clock`.
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> EventsService {
        EventsService { store, clock }
    }
}

/// EventBridge's operations answer AWS errors directly.
impl EventBridgeHandler for EventsService {
    type Error = ServiceError;
}
