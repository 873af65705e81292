//! SimulatePrincipalPolicy for an IAM user with 10 attached customer managed policies (three
//! statements each, one with a condition), ten actions per call on one resource: the whole
//! operation in process (entity and policy reads from SQLite, parsing, ten evaluations),
//! without HTTP, TLS, SigV4 or audit. Decisions per second = 10 / time per call.
//! Run: `cargo bench -p rampart-iam --bench simulate`. On the 2-core VM (loaded, load average
//! about 6): 158 µs per call, about 63,000 decisions per second (BENCHMARKS.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use rampart_core::{AccountId, Principal, Region, RequestContext, SystemClock};
use rampart_crypto::root::{Domain, RootKey};
use rampart_iam::generated::shapes::*;
use rampart_iam::generated::{AttachUserPolicy, CreatePolicy, CreateUser, SimulatePrincipalPolicy};
use rampart_iam::{Directory, IamService};
use rampart_store::Store;
use serde_json::json;
use std::hint::black_box;
use std::sync::Arc;

const ACCOUNT: &str = "111122223333";
const ACTIONS: [&str; 10] = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:ListBucket",
    "kms:Decrypt",
    "kms:Encrypt",
    "iam:ListUsers",
    "iam:CreateUser",
    "sqs:SendMessage",
    "ec2:RunInstances",
];

fn policy(i: usize) -> String {
    json!({"Version": "2012-10-17", "Statement": [
        {"Sid": format!("Read{i}"), "Effect": "Allow", "Action": ["s3:Get*", "s3:List*"],
         "Resource": format!("arn:aws:s3:::bucket-{i}/*")},
        {"Sid": format!("Kms{i}"), "Effect": "Allow", "Action": ["kms:Decrypt", "kms:Encrypt"],
         "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}},
        {"Sid": format!("Deny{i}"), "Effect": "Deny", "Action": "s3:DeleteObject",
         "Resource": format!("arn:aws:s3:::bucket-{i}/locked/*")}]})
    .to_string()
}

fn root() -> RequestContext {
    let account = AccountId::parse(ACCOUNT).unwrap();
    RequestContext::new(
        Principal::root(account, "AKIAROOTEXAMPLE00000"),
        Region::new("us-east-1"),
    )
}

async fn setup() -> (IamService, String) {
    let folder = std::env::temp_dir().join(format!("rampart-iam-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    let store = Store::open_sqlite(&folder.join("db")).await.unwrap();
    let key = RootKey::generate().domain_key(Domain::Credentials);
    let iam = IamService::new(Arc::new(Directory::new(store, key, Arc::new(SystemClock))));
    let ctx = root();
    let user = CreateUserRequest {
        user_name: Some("bench".into()),
        ..Default::default()
    };
    let arn = iam
        .create_user(&ctx, user)
        .await
        .unwrap()
        .user
        .unwrap()
        .arn
        .unwrap();
    for i in 0..10 {
        let made = CreatePolicyRequest {
            policy_name: Some(format!("p{i}")),
            policy_document: Some(policy(i)),
            ..Default::default()
        };
        let made = iam.create_policy(&ctx, made).await.unwrap();
        let attach = AttachUserPolicyRequest {
            user_name: Some("bench".into()),
            policy_arn: made.policy.unwrap().arn,
        };
        iam.attach_user_policy(&ctx, attach).await.unwrap();
    }
    (iam, arn)
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (iam, arn) = rt.block_on(setup());
    let ctx = root();
    let request = SimulatePrincipalPolicyRequest {
        policy_source_arn: Some(arn),
        action_names: Some(ACTIONS.iter().map(|a| (*a).to_owned()).collect()),
        resource_arns: Some(vec!["arn:aws:s3:::bucket-3/locked/x".into()]),
        ..Default::default()
    };
    let out = rt.block_on(iam.simulate_principal_policy(&ctx, request.clone()));
    assert_eq!(out.unwrap().evaluation_results.unwrap().len(), 10);
    c.bench_function("simulate_principal_policy_10_policies_10_actions", |b| {
        b.iter(|| {
            let out = rt.block_on(iam.simulate_principal_policy(&ctx, request.clone()));
            black_box(out.unwrap())
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
