//! Delivery throughput (run by `bench/events_delivery.sh`, ignored in normal test runs): N
//! deliveries enqueued in the outbox of a durable SQLite store (WAL, synchronous=FULL) or of
//! PostgreSQL (`RAMPART_TEST_POSTGRES_URL`), then drained by one worker to a local HTTP
//! receiver over keep-alive connections; prints events per second.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Instant;
use support::{Harness, Receiver, delivery};

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a benchmark: bench/events_delivery.sh"]
async fn delivery_throughput() {
    let n: usize = std::env::var("EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let h = Harness::sqlite().await;
    let rx = Receiver::start().await;
    let dest = h
        .destination("bench", &format!("{}/hook", rx.url), "POST")
        .await;
    for chunk in (0..n).collect::<Vec<_>>().chunks(1_000) {
        let items: Vec<_> = chunk
            .iter()
            .map(|i| delivery(&dest, &format!("e{i}"), h.now_ms()))
            .collect();
        h.enqueue(&items).await;
    }
    let started = Instant::now();
    let delivered = h.deliver().await;
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(delivered, n);
    assert_eq!(rx.seen().len(), n);
    #[allow(clippy::cast_precision_loss)]
    let rate = n as f64 / seconds;
    println!(
        "events_delivery: {n} events delivered in {seconds:.2} s = {rate:.0} events/s (sqlite, durable)"
    );
}
