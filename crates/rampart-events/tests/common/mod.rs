//! What the matching tables share: the case type, the checker and AWS's example events.

#![allow(clippy::unwrap_used, dead_code)]

use rampart_events::Pattern;
use serde_json::{Value, json};

/// `(what, pattern, event, expected)`.
pub type Case = (&'static str, Value, Value, bool);

pub fn check(cases: &[Case]) {
    let mut failures = Vec::new();
    for (what, pattern, event, expected) in cases {
        let compiled = Pattern::parse(&pattern.to_string())
            .unwrap_or_else(|e| panic!("{what}: pattern refused: {e}"));
        if compiled.matches(event) != *expected {
            failures.push(format!(
                "{what}: expected {expected} for {pattern} on {event}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// [pat]'s EC2 state-change event.
pub fn ec2(state: &str) -> Value {
    json!({
        "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
        "account": "111122223333", "time": "2017-12-22T18:43:48Z", "region": "us-west-1",
        "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
        "detail": {"instance-id": "i-1234567890abcdef0", "state": state}
    })
}
