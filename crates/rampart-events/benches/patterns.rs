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

/// Twenty pattern shapes over every operator. Each is made five times: `{x}` becomes "" the
/// first time (most of those match the event) and `-1`..`-4` after (most of those do not);
/// `{n}` becomes 0..4. 100 patterns in all.
const SHAPES: [&str; 20] = [
    r#"{"source": ["aws.s3"], "detail": {"bucket": {"name": ["amzn-s3-demo-bucket{x}"]}}}"#,
    r#"{"source": ["aws.ec2"], "detail": {"state": ["running{x}"]}}"#,
    r#"{"detail-type": ["Object Created"], "detail": {"object": {"key": [{"prefix": "photos/{x}"}]}}}"#,
    r#"{"detail": {"object": {"key": [{"suffix": ".png{x}"}]}}}"#,
    r#"{"detail": {"object": {"size": [{"numeric": [">", {n}, "<=", 10485760]}]}}}"#,
    r#"{"detail": {"source-ip-address": [{"cidr": "10.{n}.0.0/16"}]}}"#,
    r#"{"region": [{"anything-but": ["us-west-{n}", "eu-west-1"]}], "source": ["aws.s3"]}"#,
    r#"{"detail": {"reason": [{"equals-ignore-case": "putobject{x}"}]}}"#,
    r#"{"detail": {"object": {"key": [{"wildcard": "photos/*/12{x}/*.png"}]}}}"#,
    r#"{"detail": {"deleted{x}": [{"exists": false}], "requester": ["123456789012"]}}"#,
    r#"{"source": [{"prefix": {"equals-ignore-case": "AWS.S3{x}"}}]}"#,
    r#"{"account": [{"anything-but": {"prefix": "9{n}"}}], "detail-type": ["Object Deleted"]}"#,
    r#"{"$or": [{"detail": {"reason": ["CopyObject{x}"]}},
                {"detail": {"object": {"size": [{"numeric": [">=", 5{n}00000]}]}}}]}"#,
    r#"{"resources": ["arn:aws:s3:::bucket{x}", "arn:aws:s3:::amzn-s3-demo-bucket"], "source": ["aws.s3"]}"#,
    r#"{"detail": {"tags": ["prod{x}", "images"]}, "time": [{"prefix": "2026-12-0{n}"}]}"#,
    r#"{"source": ["aws.guardduty"], "detail": {"severity": [{"numeric": [">", {n}]}]}}"#,
    r#"{"detail": {"object": {"etag": [{"anything-but": {"suffix": "{n}4"}}]}}}"#,
    r#"{"id": [{"wildcard": "6a7e8feb-*-bf37*{x}"}], "version": ["0"]}"#,
    r#"{"detail": {"object": {"sequencer": [{"exists": true}]},
                   "request-id": [{"anything-but": {"equals-ignore-case": ["n4n7gdk58nmkj12r{x}"]}}]}}"#,
    r#"{"source": ["aws.kms", "aws.s3"], "detail-type": ["Object Created"], "region": ["us-east-{n}"]}"#,
];

fn patterns() -> Vec<Pattern> {
    let mut all = Vec::new();
    for n in 0..5 {
        let x = if n == 0 {
            String::new()
        } else {
            format!("-{n}")
        };
        for shape in SHAPES {
            let text = shape.replace("{x}", &x).replace("{n}", &n.to_string());
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
