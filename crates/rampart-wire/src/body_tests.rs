//! Tests of the body reader: limits, budget, stalls, slow trickles, framing errors, hashing.

#![allow(clippy::unwrap_used)]

use super::*;
use futures::stream;
use http_body_util::StreamBody;
use hyper::body::Frame;

type Chunk = Result<Frame<Bytes>, std::io::Error>;

/// A body whose chunks arrive `gap` apart.
fn trickle(
    chunks: Vec<&'static [u8]>,
    gap: Duration,
) -> StreamBody<impl futures::Stream<Item = Chunk>> {
    let frames = stream::iter(chunks).then(move |c| async move {
        tokio::time::sleep(gap).await;
        Ok(Frame::data(Bytes::from_static(c)))
    });
    StreamBody::new(frames)
}

fn limits() -> ServerLimits {
    ServerLimits {
        body_read_timeout_secs: 2,
        body_min_bytes_per_sec: 100,
        ..ServerLimits::default()
    }
}

async fn read<B: hyper::body::Body<Data = Bytes>>(
    body: B,
    limit: usize,
    declared: Option<u64>,
    budget: &BodyBudget,
) -> Result<ReadBody, BodyError> {
    let limits = limits();
    let rules = BodyRules {
        limit,
        declared,
        limits: &limits,
        budget,
    };
    read_body(body, &rules).await
}

use futures::StreamExt as _;

#[tokio::test(start_paused = true)]
async fn a_body_is_read_and_hashed() {
    let budget = BodyBudget::new(1000);
    let body = trickle(vec![b"hello ", b"world"], Duration::from_millis(10));
    let read = read(body, 100, None, &budget).await.unwrap();
    assert_eq!(&read.bytes[..], b"hello world");
    let expected = digest::digest(&digest::SHA256, b"hello world");
    assert_eq!(&read.sha256[..], expected.as_ref());
}

#[tokio::test(start_paused = true)]
async fn too_large_declared_or_streamed() {
    let budget = BodyBudget::new(1000);
    let body = trickle(vec![b"x"], Duration::ZERO);
    assert_eq!(
        read(body, 10, Some(11), &budget).await.err(),
        Some(BodyError::TooLarge)
    );
    let body = trickle(vec![b"0123456789", b"a"], Duration::ZERO);
    assert_eq!(
        read(body, 10, None, &budget).await.err(),
        Some(BodyError::TooLarge)
    );
    let body = trickle(vec![b"0123", b"4"], Duration::ZERO);
    assert_eq!(
        read(body, 10, Some(4), &budget).await.err(),
        Some(BodyError::TooLarge)
    );
}

#[tokio::test(start_paused = true)]
async fn a_stalled_body_times_out() {
    let budget = BodyBudget::new(1000);
    let body = trickle(vec![b"a", b"b"], Duration::from_secs(3));
    assert_eq!(
        read(body, 100, Some(2), &budget).await.err(),
        Some(BodyError::Timeout)
    );
}

#[tokio::test(start_paused = true)]
async fn a_trickle_below_the_minimum_rate_is_cut() {
    let budget = BodyBudget::new(100_000);
    // One byte a second never stalls for 2 s, but falls behind 100 bytes/s after the grace.
    let chunks: Vec<&'static [u8]> = vec![b"x"; 60];
    let started = Instant::now();
    let body = trickle(chunks, Duration::from_secs(1));
    assert_eq!(
        read(body, 1000, Some(60), &budget).await.err(),
        Some(BodyError::Timeout)
    );
    assert!(started.elapsed() <= Duration::from_secs(3));
}

#[tokio::test(start_paused = true)]
async fn the_budget_is_shared_and_returned() {
    let budget = BodyBudget::new(10);
    let held = read(
        trickle(vec![b"12345678"], Duration::ZERO),
        10,
        Some(8),
        &budget,
    )
    .await
    .unwrap();
    let body = trickle(vec![b"abc"], Duration::ZERO);
    assert_eq!(
        read(body, 10, Some(3), &budget).await.err(),
        Some(BodyError::Busy)
    );
    let body = trickle(vec![b"ab", b"c"], Duration::ZERO);
    assert_eq!(
        read(body, 10, None, &budget).await.err(),
        Some(BodyError::Busy)
    );
    drop(held);
    let body = trickle(vec![b"abc"], Duration::ZERO);
    assert!(read(body, 10, Some(3), &budget).await.is_ok());
}

#[tokio::test(start_paused = true)]
async fn broken_framing_is_malformed() {
    let budget = BodyBudget::new(100);
    let frames: Vec<Chunk> = vec![
        Ok(Frame::data(Bytes::from_static(b"ab"))),
        Err(std::io::Error::other("bad chunk size")),
    ];
    let body = StreamBody::new(stream::iter(frames));
    assert_eq!(
        read(body, 10, None, &budget).await.err(),
        Some(BodyError::Malformed)
    );
}
