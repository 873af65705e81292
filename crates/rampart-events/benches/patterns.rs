//! Matches a realistic event against 100 patterns (issue 12: "PutEvents to a rule with 100
//! patterns: ≥ 20,000 events/s matched"). `cargo bench -p rampart-events`; prints events/s.

#![allow(clippy::unwrap_used)]

use rampart_events::Pattern;
use std::hint::black_box;
use std::time::Instant;

const EVENT: &str = r#"{
  "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "Object Created", "source": "aws.s3", "account": "111122223333",
  "time": "2026-12-06T21:04:05Z", "region": "us-east-1",
  "resources": ["arn:aws:s3:::amzn-s3-demo-bucket"],
  "detail": {
    "version": "0", "bucket": {"name": "amzn-s3-demo-bucket"},
    "object": {"key": "photos/2026/12/cat.png", "size": 5242880, "etag": "b1946ac92492d2347c6235b4d2611184",
               "sequencer": "617f08299329d189"},
    "request-id": "N4N7GDK58NMKJ12R", "requester": "123456789012",
    "source-ip-address": "10.0.14.7", "reason": "PutObject",
    "tags": ["prod", "images"]
  }
}"#;

/// Twenty pattern shapes, each made five times over different values: 100 patterns.
fn patterns() -> Vec<Pattern> {
    let mut all = Vec::new();
    for i in 0..5 {
        let bucket = if i == 0 {
            "amzn-s3-demo-bucket".to_owned()
        } else {
            format!("bucket-{i}")
        };
        let texts = [
            format!(
                r#"{{"source": ["aws.s3"], "detail": {{"bucket": {{"name": ["{bucket}"]}}}}}}"#
            ),
            format!(r#"{{"source": ["aws.ec2"], "detail": {{"state": ["running-{i}"]}}}}"#),
            format!(
                r#"{{"detail-type": ["Object Created"], "detail": {{"object": {{"key": [{{"prefix": "photos/{}"}}]}}}}}}"#,
                2026 - i
            ),
            format!(
                r#"{{"detail": {{"object": {{"key": [{{"suffix": ".png{}"}}]}}}}}}"#,
                if i == 0 { "" } else { "x" }
            ),
            format!(
                r#"{{"detail": {{"object": {{"size": [{{"numeric": [">", {}, "<=", 10485760]}}]}}}}}}"#,
                i * 1_000_000
            ),
            format!(r#"{{"detail": {{"source-ip-address": [{{"cidr": "10.{i}.0.0/16"}}]}}}}"#),
            format!(
                r#"{{"region": [{{"anything-but": ["us-west-{i}", "eu-west-1"]}}], "source": ["aws.s3"]}}"#
            ),
            format!(r#"{{"detail": {{"reason": [{{"equals-ignore-case": "putobject{i}"}}]}}}}"#),
            format!(
                r#"{{"detail": {{"object": {{"key": [{{"wildcard": "photos/*/{}/*.png"}}]}}}}}}"#,
                12 - i
            ),
            format!(
                r#"{{"detail": {{"deleted-{i}": [{{"exists": false}}], "requester": ["123456789012"]}}}}"#
            ),
            format!(r#"{{"source": [{{"prefix": {{"equals-ignore-case": "AWS.S{i}"}}}}]}}"#),
            format!(
                r#"{{"account": [{{"anything-but": {{"prefix": "9{i}"}}}}], "detail-type": ["Object Deleted"]}}"#
            ),
            format!(
                r#"{{"$or": [{{"detail": {{"reason": ["CopyObject{i}"]}}}}, {{"detail": {{"object": {{"size": [{{"numeric": [">=", {}]}}]}}}}}}]}}"#,
                1_000_000 * (i + 3)
            ),
            format!(
                r#"{{"resources": ["arn:aws:s3:::bucket-{i}", "arn:aws:s3:::amzn-s3-demo-bucket"], "source": ["aws.s3"]}}"#
            ),
            format!(
                r#"{{"detail": {{"tags": ["prod-{i}", "images"]}}, "time": [{{"prefix": "2026-12-0{}"}}]}}"#,
                6 - i
            ),
            format!(
                r#"{{"source": ["aws.guardduty"], "detail": {{"severity": [{{"numeric": [">", {i}]}}]}}}}"#
            ),
            format!(
                r#"{{"detail": {{"object": {{"etag": [{{"anything-but": {{"suffix": "{i}4"}}}}]}}}}}}"#
            ),
            format!(r#"{{"id": [{{"wildcard": "6a7e8feb-*-{i}*"}}], "version": ["0"]}}"#),
            format!(
                r#"{{"detail": {{"object": {{"sequencer": [{{"exists": true}}]}}, "request-id": [{{"anything-but": {{"equals-ignore-case": ["n4n7gdk58nmkj12r{i}"]}}}}]}}}}"#
            ),
            format!(
                r#"{{"source": ["aws.kms", "aws.s3"], "detail-type": ["Object Created"], "region": ["us-east-{}"]}}"#,
                i + 1
            ),
        ];
        for text in texts {
            all.push(Pattern::parse(&text).unwrap());
        }
    }
    all
}

fn main() {
    let patterns = patterns();
    let event: serde_json::Value = serde_json::from_str(EVENT).unwrap();
    let matched = patterns.iter().filter(|p| p.matches(&event)).count();
    let rounds = 20_000;
    let start = Instant::now();
    let mut hits = 0usize;
    for _ in 0..rounds {
        hits += patterns
            .iter()
            .filter(|p| p.matches(black_box(&event)))
            .count();
    }
    let elapsed = start.elapsed();
    let per_second = f64::from(rounds) / elapsed.as_secs_f64();
    println!(
        "{} patterns, {matched} match the event; {rounds} events in {elapsed:?}",
        patterns.len()
    );
    println!("events/s matched against all 100 patterns (event already parsed): {per_second:.0}");
    let start = Instant::now();
    for _ in 0..rounds {
        let event: serde_json::Value = serde_json::from_str(black_box(EVENT)).unwrap();
        hits += patterns.iter().filter(|p| p.matches(&event)).count();
    }
    let per_second = f64::from(rounds) / start.elapsed().as_secs_f64();
    println!("events/s parsed from JSON and matched against all 100 patterns: {per_second:.0}");
    black_box(hits);
}
