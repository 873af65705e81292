//! Two delivery workers ("nodes") on one PostgreSQL store deliver each item exactly once
//! between them (claims are `FOR UPDATE SKIP LOCKED`). Runs when `RAMPART_TEST_POSTGRES_URL`
//! is set (an unreachable server then fails the test); the same race runs on SQLite always.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use rampart_store::Store;
use rampart_store::testkit::TestStore;
use std::collections::HashSet;
use std::sync::Arc;
use support::{Harness, Receiver, delivery, service};

/// Two workers drain 300 items concurrently; every item reaches the receiver exactly once.
async fn race(h: &Harness, second: Store) {
    let rx = Receiver::start().await;
    let dest = h
        .destination("d", &format!("{}/hook", rx.url), "POST")
        .await;
    let items: Vec<_> = (0..300)
        .map(|i| delivery(&dest, &format!("e{i}"), h.now_ms()))
        .collect();
    h.enqueue(&items).await;
    let other = Arc::new(service(&second, &h.clock, &h.root));
    let now = h.now_ms();
    let (a, b) = tokio::join!(h.svc.deliver_due(now), other.deliver_due(now));
    assert_eq!(a.unwrap() + b.unwrap(), 300);
    let seen = rx.seen();
    let ids: HashSet<String> = seen.iter().map(|s| s.body.clone()).collect();
    assert_eq!(seen.len(), 300, "each item sent once");
    assert_eq!(ids.len(), 300);
    assert_eq!(h.deliver().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_on_sqlite_deliver_each_item_once() {
    let h = Harness::sqlite().await;
    let second = h.store.clone();
    race(&h, second).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_on_postgres_deliver_each_item_once() {
    let Some(backing) = TestStore::postgres_if_configured("events").await.unwrap() else {
        return;
    };
    let second = backing.reopen().await.unwrap();
    let h = Harness::over(backing.store.clone(), tempfile::tempdir().unwrap());
    race(&h, second).await;
    drop(h);
    backing.cleanup().await.unwrap();
}
