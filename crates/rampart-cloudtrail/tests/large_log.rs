//! LookupEvents over longer logs: time windows found by binary search and early stop give the
//! same pages as a full scan would; the walk stops at StartTime (minus the skew slack).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Harness, event, event_ids, now};
use serde_json::json;
use time::{Duration, OffsetDateTime};

/// `entries` log entries of `per_entry` events one second apart, ending a minute ago; event
/// `i` is `n{i}`, named `Encrypt` except every 7th (`CreateKey`). Returns the first time.
async fn fill(h: &Harness, entries: usize, per_entry: usize) -> OffsetDateTime {
    let total = i64::try_from(entries * per_entry).unwrap();
    let first = now() - Duration::minutes(1) - Duration::seconds(total);
    for e in 0..entries {
        let events: Vec<_> = (e * per_entry..(e + 1) * per_entry)
            .map(|i| {
                let name = if i % 7 == 0 { "CreateKey" } else { "Encrypt" };
                event(&format!("n{i}"), name, first + Duration::seconds(i as i64))
            })
            .collect();
        h.append(&events).await;
    }
    first
}

/// Ids of events `from..=to` (by index) passing `keep`, newest first.
fn expected(from: usize, to: usize, keep: impl Fn(usize) -> bool) -> Vec<String> {
    (from..=to)
        .rev()
        .filter(|i| keep(*i))
        .map(|i| format!("n{i}"))
        .collect()
}

async fn windows_match_a_full_scan(h: &Harness) {
    let first = fill(h, 120, 50).await;
    let epoch = |i: usize| (first + Duration::seconds(i as i64)).unix_timestamp();
    for (from, to) in [
        (0, 5999),
        (10, 70),
        (2990, 3010),
        (5950, 5999),
        (0, 0),
        (4321, 4321),
    ] {
        let body = json!({"StartTime": epoch(from), "EndTime": epoch(to)});
        let (ids, _) = h.all_pages(body).await;
        assert_eq!(ids, expected(from, to, |_| true), "{from}..={to}");
        let named = json!({"StartTime": epoch(from), "EndTime": epoch(to), "MaxResults": 7,
            "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "CreateKey"}]});
        let (ids, _) = h.all_pages(named).await;
        assert_eq!(
            ids,
            expected(from, to, |i| i % 7 == 0),
            "CreateKey {from}..={to}"
        );
    }
    let newest = h.ok(json!({"MaxResults": 3})).await;
    assert_eq!(event_ids(&newest), ["n5999", "n5998", "n5997"]);
    let old_end = json!({"EndTime": epoch(120), "MaxResults": 2});
    assert_eq!(event_ids(&h.ok(old_end).await), ["n120", "n119"]);
}

async fn walk_stops_at_start_time(h: &Harness) {
    let t = now();
    let at = |minutes: i64| t - Duration::minutes(minutes);
    // Log order (oldest entry first): a record in the window behind one far older than it.
    h.append(&[event("behind", "Encrypt", at(5))]).await;
    h.append(&[event("ancient", "Encrypt", at(120))]).await;
    // Out of order within the slack: still found.
    h.append(&[event("late", "Encrypt", at(9))]).await;
    h.append(&[event("slightly-older", "Encrypt", at(12))])
        .await;
    h.append(&[event("new", "Encrypt", at(1))]).await;
    let start = at(10).unix_timestamp();
    let out = h.ok(json!({"StartTime": start})).await;
    assert_eq!(event_ids(&out), ["new", "late"]);
    // Without a StartTime the walk reads back 90 days and finds both.
    let all = event_ids(&h.ok(json!({})).await);
    assert_eq!(all.len(), 5);
    assert!(all.contains(&"behind".to_owned()));
}

on_both_backends! {
    windows_match_a_full_scan => super::windows_match_a_full_scan;
    walk_stops_at_start_time => super::walk_stops_at_start_time;
}

/// Timing over a million events (run by hand: `cargo test --release -p rampart-cloudtrail
/// --test large_log -- --ignored --nocapture`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn million_events_timing() {
    let h = Harness::sqlite().await.unwrap();
    let started = std::time::Instant::now();
    let first = fill(&h, 250, 4000).await;
    println!("filled 1,000,000 events in {:?}", started.elapsed());
    let epoch = |i: i64| (first + Duration::seconds(i)).unix_timestamp();
    let attr = json!([{"AttributeKey": "EventName", "AttributeValue": "CreateKey"}]);
    let queries = [
        ("newest page", json!({})),
        ("newest CreateKey page", json!({"LookupAttributes": attr})),
        (
            "one hour a week ago",
            json!({"StartTime": epoch(400_000), "EndTime": epoch(403_600)}),
        ),
        (
            "first minute",
            json!({"StartTime": epoch(0), "EndTime": epoch(60)}),
        ),
        (
            "no match, last day",
            json!({"StartTime": epoch(913_600),
            "LookupAttributes": [{"AttributeKey": "EventId", "AttributeValue": "none"}]}),
        ),
    ];
    for (what, body) in queries {
        let started = std::time::Instant::now();
        let out = h.ok(body).await;
        let count = out["Events"].as_array().unwrap().len();
        println!("{what}: {count} events in {:?}", started.elapsed());
    }
    h.cleanup().await;
}
