//! `EventsService`: the EventBridge operations behind the generated `EventBridgeApi` (served
//! through the generated `Endpoint`).

use crate::delivery::Outbound;
use crate::generated::{EventBridgeHandler, ServiceError};
use crate::route::RouteCache;
use crate::store::Tables;
use rampart_core::Clock;
use rampart_crypto::root::{Domain, DomainKey, RootKey};
use rampart_store::Store;
use std::sync::Arc;

/// The EventBridge service.
pub struct EventsService {
    pub(crate) store: Store,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) tables: Tables,
    pub(crate) routes: RouteCache,
    /// The delivery side: connection-secret key, HTTP client, OAuth tokens, rate limits.
    pub(crate) outbound: Outbound,
    /// Whether read-only calls' audit records go to the ingest queue.
    pub(crate) gate: crate::management_gate::Gate,
}

impl std::fmt::Debug for EventsService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventsService").finish_non_exhaustive()
    }
}

impl EventsService {
    /// EventBridge over `store`, on the service clock `clock`, sealing connection secrets
    /// with a fresh random key (tests: what it seals is lost with the service; the server
    /// uses [`EventsService::with_key`]).
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> EventsService {
        EventsService::with_key(store, clock, RootKey::generate().domain_key(Domain::Events))
    }

    /// EventBridge sealing connection secrets with `key` (the root key's events domain key).
    pub fn with_key(store: Store, clock: Arc<dyn Clock>, key: DomainKey) -> EventsService {
        let outbound = Outbound::new(store.clone(), key);
        EventsService {
            tables: Tables::new(store.clone()),
            store,
            clock,
            routes: RouteCache::default(),
            outbound,
            gate: Default::default(),
        }
    }

    /// Now on the service clock, epoch milliseconds.
    pub(crate) fn now_ms(&self) -> i64 {
        rampart_core::epoch_ms(&*self.clock)
    }

    /// Drops what is cached of the store (after a dev reset emptied it): rule sets, API
    /// destinations and OAuth tokens.
    pub fn reset_caches(&self) {
        self.routes.clear();
        self.outbound.reset();
        self.gate.reset();
    }
}

/// EventBridge's operations answer AWS errors directly.
impl EventBridgeHandler for EventsService {
    type Error = ServiceError;
}
