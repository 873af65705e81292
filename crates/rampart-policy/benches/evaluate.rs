//! Cost of authorizing one realistic KMS request (Encrypt by a role session, checked against a
//! 5-statement key policy and a 10-statement identity policy with conditions), and of parsing
//! those policies. Run: `cargo bench -p rampart-policy --bench evaluate`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rampart_policy::{Context, Policy, PolicyKind, PolicySet, Principal, Request, evaluate};
use serde_json::json;
use std::hint::black_box;
use std::time::{Duration, Instant};

const A: &str = "111122223333";
const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn key_policy() -> String {
    json!({"Version": "2012-10-17", "Id": "key-consolepolicy-3", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
         "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "Allow access for Key Administrators", "Effect": "Allow",
         "Principal": {"AWS": "arn:aws:iam::111122223333:role/Admin"},
         "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
                    "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource",
                    "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"],
         "Resource": "*"},
        {"Sid": "Allow use of the key", "Effect": "Allow",
         "Principal": {"AWS": ["arn:aws:iam::111122223333:role/App", "arn:aws:iam::444455556666:root"]},
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
         "Resource": "*"},
        {"Sid": "Allow attachment of persistent resources", "Effect": "Allow",
         "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"},
         "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*",
         "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}},
        {"Sid": "Deny plaintext transport", "Effect": "Deny", "Principal": "*", "Action": "kms:*",
         "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})
    .to_string()
}

fn identity_policy() -> String {
    let s = |sid: &str, effect: &str, action: serde_json::Value, cond: serde_json::Value| {
        let mut st = json!({"Sid": sid, "Effect": effect, "Action": action,
                            "Resource": "arn:aws:kms:*:111122223333:key/*"});
        if !cond.is_null() {
            st["Condition"] = cond;
        }
        st
    };
    json!({"Version": "2012-10-17", "Statement": [
        s("DenyOtherRegions", "Deny", json!("kms:*"),
          json!({"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "us-west-2"]}})),
        s("DenyUntagged", "Deny", json!("kms:*"), json!({"Null": {"aws:ResourceTag/team": "true"}})),
        s("Describe", "Allow", json!(["kms:Describe*", "kms:List*", "kms:Get*"]), json!(null)),
        s("Tag", "Allow", json!(["kms:TagResource", "kms:UntagResource"]),
          json!({"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}})),
        s("Sign", "Allow", json!(["kms:Sign", "kms:Verify"]), json!({"StringEquals": {"kms:SigningAlgorithm": "ECDSA_SHA_256"}})),
        s("Mac", "Allow", json!("kms:*Mac"), json!(null)),
        s("Rotate", "Allow", json!("kms:RotateKeyOnDemand"), json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
        s("Grants", "Allow", json!("kms:CreateGrant"), json!({"Bool": {"kms:GrantIsForAWSResource": "true"}})),
        s("FromVpc", "Allow", json!(["kms:Decrypt"]), json!({"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c"}})),
        s("UseTeamKeys", "Allow", json!(["kms:Encrypt", "kms:GenerateDataKey*"]),
          json!({"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}",
                                  "kms:EncryptionContext:app": "billing"},
                 "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}}))]})
    .to_string()
}

fn median_ns(mut op: impl FnMut(), per_round: u32, rounds: usize) -> f64 {
    let mut samples: Vec<Duration> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..per_round {
                op();
            }
            start.elapsed() / per_round
        })
        .collect();
    samples.sort();
    samples[rounds / 2].as_secs_f64() * 1e9
}

fn main() {
    let (key_text, id_text) = (key_policy(), identity_policy());
    let key = Policy::parse(&key_text, PolicyKind::Resource).expect("key policy");
    let identity = Policy::parse(&id_text, PolicyKind::Identity).expect("identity policy");
    let principal =
        Principal::assumed_role(A, "App", "worker-1", "AROAAPP").with_tag("team", "blue");
    let context = Context::new()
        .with_current_time(time::OffsetDateTime::now_utc())
        .with_source_ip("10.1.2.3".parse().unwrap())
        .with_secure_transport(true)
        .with("aws:RequestedRegion", "us-east-1")
        .with("aws:ResourceTag/team", "blue")
        .with("kms:EncryptionContext:app", "billing")
        .with("kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    let ids = [&identity];
    let set = PolicySet {
        identity: &ids,
        resource: Some(&key),
        require_resource_allow: true,
        ..PolicySet::default()
    };
    for (label, action) in [
        ("allowed by the key policy", "kms:Encrypt"),
        ("implicit deny", "kms:Sign"),
    ] {
        let req = Request {
            principal: &principal,
            action,
            resource: KEY,
            resource_account: A,
            context: &context,
        };
        println!("decision {label}: {:?}", evaluate(&req, &set));
        let ns = median_ns(
            || {
                black_box(evaluate(black_box(&req), black_box(&set)));
            },
            20_000,
            15,
        );
        println!(
            "{:<40} {ns:>10.0} ns/eval",
            format!("evaluate {action} ({label})")
        );
    }
    let ns = median_ns(
        || {
            black_box(Policy::parse(black_box(&id_text), PolicyKind::Identity).unwrap());
        },
        2_000,
        9,
    );
    println!(
        "{:<40} {ns:>10.0} ns/parse",
        "parse 10-statement identity policy"
    );
}
