//! A harness for the bus, rule and PutEvents tests: an `EventsService` over a fresh `TestStore`
//! (SQLite, or PostgreSQL in its own schema when `RAMPART_TEST_POSTGRES_URL` is set), with a manual clock,
//! driven through the generated `dispatch` with botocore-shaped JSON bodies.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use rampart_codec::ServiceError;
use rampart_core::{ManualClock, Principal, Region, RequestContext};
use rampart_events::EventsService;
use rampart_events::outbox::{DELIVERY_QUEUE, Delivery};
use rampart_store::Store;
use rampart_store::testkit::TestStore;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

pub const ACCOUNT: &str = "111122223333";
pub const OTHER: &str = "444455556666";
pub const REGION: &str = "us-east-1";

pub struct Harness {
    pub service: Arc<EventsService>,
    pub store: Store,
    pub clock: Arc<ManualClock>,
    backing: TestStore,
}

impl Harness {
    pub async fn sqlite() -> Option<Harness> {
        Some(Harness::with(TestStore::sqlite().await.unwrap()))
    }

    /// `None` (the run is skipped) when no PostgreSQL server is configured.
    pub async fn postgres() -> Option<Harness> {
        let store = TestStore::postgres_if_configured("ev").await.unwrap()?;
        Some(Harness::with(store))
    }

    /// Both backends (PostgreSQL only when configured).
    pub async fn all() -> Vec<Harness> {
        let mut all = vec![Harness::sqlite().await.unwrap()];
        all.extend(Harness::postgres().await);
        all
    }

    fn with(backing: TestStore) -> Self {
        let store = backing.store.clone();
        let start = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
        let clock = Arc::new(ManualClock::new(start));
        let service = Arc::new(EventsService::new(store.clone(), clock.clone()));
        Harness {
            service,
            store,
            clock,
            backing,
        }
    }

    /// Another service ("node") over the same store.
    pub fn second_node(&self) -> EventsService {
        EventsService::new(self.store.clone(), self.clock.clone())
    }

    pub async fn cleanup(self) {
        drop(self.service);
        drop(self.store);
        self.backing.cleanup().await.unwrap();
    }

    pub fn now_ms(&self) -> i64 {
        rampart_core::epoch_ms(&*self.clock)
    }

    pub fn advance(&self, seconds: i64) {
        use rampart_core::Clock;
        self.clock
            .set(self.clock.now() + time::Duration::seconds(seconds));
    }

    pub async fn call(&self, op: &str, body: Value) -> Result<Value, ServiceError> {
        call_on(&self.service, ACCOUNT, op, body).await
    }

    pub async fn ok(&self, op: &str, body: Value) -> Value {
        match self.call(op, body.clone()).await {
            Ok(v) => v,
            Err(e) => panic!("{op} {body} failed: {e}"),
        }
    }

    pub async fn err(&self, op: &str, body: Value) -> ServiceError {
        match self.call(op, body.clone()).await {
            Ok(v) => panic!("{op} {body} unexpectedly answered {v}"),
            Err(e) => e,
        }
    }

    /// Claims (and acks) every visible delivery.
    pub async fn take_deliveries(&self) -> Vec<Delivery> {
        let claimed = self
            .store
            .claim(
                DELIVERY_QUEUE,
                "test",
                Duration::from_secs(60),
                1000,
                10,
                self.now_ms(),
            )
            .await
            .unwrap();
        let mut out = Vec::new();
        for item in claimed {
            out.push(Delivery::decode(&item.payload).unwrap());
            self.store.ack(DELIVERY_QUEUE, &item).await.unwrap();
        }
        out
    }
}

pub async fn call_on(
    service: &EventsService,
    account: &str,
    op: &str,
    body: Value,
) -> Result<Value, ServiceError> {
    let ctx = context(account);
    let bytes = serde_json::to_vec(&body).unwrap();
    let invocation = rampart_events::generated::dispatch(service, &ctx, op, &bytes).await;
    invocation.result.map(|out| {
        if out.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&out).unwrap()
        }
    })
}

pub fn context(account: &str) -> RequestContext {
    let principal = Principal::root(
        rampart_core::AccountId::parse(account).unwrap(),
        "AKIAIOSFODNN7EXAMPLE",
    );
    RequestContext::new(principal, Region::new(REGION))
}
