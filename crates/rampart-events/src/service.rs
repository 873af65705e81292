//! `EventsService`: the EventBridge operations behind the generated `EventBridgeApi` (served
//! through the generated `Endpoint`).

use crate::generated::{EventBridgeHandler, ServiceError};
use crate::route::RouteCache;
use crate::store::Tables;
use rampart_core::Clock;
use rampart_store::Store;
use std::sync::Arc;

/// The EventBridge service.
pub struct EventsService {
    pub(crate) store: Store,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) tables: Tables,
    pub(crate) routes: RouteCache,
}

impl std::fmt::Debug for EventsService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventsService").finish_non_exhaustive()
    }
}

impl EventsService {
    /// EventBridge over `store`, on the service clock `clock`.
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> EventsService {
        EventsService {
            tables: Tables::new(store.clone()),
            store,
            clock,
            routes: RouteCache::default(),
        }
    }

    /// Now on the service clock, epoch milliseconds.
    pub(crate) fn now_ms(&self) -> i64 {
        rampart_core::epoch_ms(&*self.clock)
    }

    /// Drops cached rule sets (after a dev reset emptied the store).
    pub fn reset_caches(&self) {
        self.routes.clear();
    }
}

/// EventBridge's operations answer AWS errors directly.
impl EventBridgeHandler for EventsService {
    type Error = ServiceError;
}
