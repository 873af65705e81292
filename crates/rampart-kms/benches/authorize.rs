//! Cost of KMS authorization for Encrypt: the authorization step alone (cached key lookup,
//! condition keys, key policy, caller's policies) with AWS's default key policy and the account
//! root, and with a realistic 5-statement key policy and a 10-statement identity policy for a
//! role session; and a whole Encrypt of 4 KiB through the generated dispatch in both setups.
//! Run: `cargo bench -p rampart-kms --bench authorize`.
//!
//! Figures on the 2-core VM (criterion medians, in-process, no HTTP/TLS/SigV4/audit):
//! authorization step 2.86 µs (default policy, root) / 4.41 µs (5+10 statements, role session),
//! of which the global condition keys (`RequestContext::policy_context`) take 0.49 µs; Encrypt
//! 4 KiB through the dispatch 15.2 µs / 16.7 µs, against 11.9 µs / 12.1 µs for the same bench
//! at the commit before authorization existed. A served Encrypt costs 43–65 µs of CPU
//! (BENCHMARKS.md), so the 4.7 µs added is about 7–11% of a request.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use rampart_core::rampart_policy::{self, Policy, PolicyKind};
use rampart_core::{
    AccountId, CallerPolicies, ManualClock, Principal, PrincipalKind, Region, RequestContext,
};
use rampart_crypto::root::{Domain, RootKey};
use rampart_kms::KmsService;
use rampart_store::Store;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Arc;
use time::OffsetDateTime;
use tokio::runtime::Runtime;

const A: &str = "111122223333";
const REGION: &str = "us-east-1";

fn key_policy() -> String {
    json!({"Version": "2012-10-17", "Id": "key-consolepolicy-3", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
         "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "Allow access for Key Administrators", "Effect": "Allow",
         "Principal": {"AWS": "arn:aws:iam::111122223333:role/Admin"},
         "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*",
                    "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*",
                    "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion",
                    "kms:CancelKeyDeletion"],
         "Resource": "*"},
        {"Sid": "Allow use of the key", "Effect": "Allow",
         "Principal": {"AWS": ["arn:aws:iam::111122223333:role/App", "arn:aws:iam::444455556666:root"]},
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                    "kms:DescribeKey"],
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
    let s = |sid: &str, effect: &str, action: Value, cond: Value| {
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
        s("Sign", "Allow", json!(["kms:Sign", "kms:Verify"]),
          json!({"StringEquals": {"kms:SigningAlgorithm": "ECDSA_SHA_256"}})),
        s("Mac", "Allow", json!("kms:*Mac"), json!(null)),
        s("Rotate", "Allow", json!("kms:RotateKeyOnDemand"),
          json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
        s("Grants", "Allow", json!("kms:CreateGrant"),
          json!({"Bool": {"kms:GrantIsForAWSResource": "true"}})),
        s("FromVpc", "Allow", json!(["kms:Decrypt"]),
          json!({"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c"}})),
        s("UseTeamKeys", "Allow", json!(["kms:Encrypt", "kms:GenerateDataKey*"]),
          json!({"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}",
                                  "kms:EncryptionContext:app": "billing"},
                 "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}}))]})
    .to_string()
}

fn root() -> RequestContext {
    let principal = Principal::root(AccountId::parse(A).unwrap(), "AKIAIOSFODNN7EXAMPLE");
    RequestContext::new(principal, Region::new(REGION))
}

/// A session of role App (principal tag team=blue) with the 10-statement identity policy.
fn app_session() -> RequestContext {
    let principal = Principal {
        account: AccountId::parse(A).unwrap(),
        arn: format!("arn:aws:sts::{A}:assumed-role/App/s1"),
        principal_id: "AROAAPP:s1".into(),
        access_key_id: "ASIAIOSFODNN7EXAMPLE".into(),
        kind: PrincipalKind::AssumedRole,
        session: None,
    };
    let mut ctx = RequestContext::new(principal, Region::new(REGION));
    ctx.source_ip = "10.1.2.3".into();
    let policy_principal =
        rampart_policy::Principal::assumed_role(A, "App", "s1", "AROAAPP").with_tag("team", "blue");
    ctx.caller = Arc::new(CallerPolicies {
        principal: policy_principal,
        identity: vec![Policy::parse(&identity_policy(), PolicyKind::Identity).unwrap()],
        boundary: None,
        session: vec![],
    });
    ctx
}

/// One request through the generated dispatch (the contexts are reused across iterations, so
/// callers drop the resources each request notes: the audit writer takes them in the server).
async fn call(kms: &KmsService, ctx: &RequestContext, op: &str, body: &Value) -> Value {
    let bytes = serde_json::to_vec(body).unwrap();
    let out = rampart_kms::generated::dispatch(kms, ctx, op, &bytes).await;
    serde_json::from_slice(&out.result.unwrap()).unwrap()
}

struct Setup {
    rt: Runtime,
    kms: KmsService,
    _dir: tempfile::TempDir,
    default_key: String,
    policy_key: String,
}

fn setup() -> Setup {
    let rt = Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kms = rt.block_on(async {
        let store = Store::open_sqlite(&dir.path().join("rampart.db"))
            .await
            .unwrap();
        let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
        KmsService::new(store, RootKey::generate().domain_key(Domain::Kms), clock)
    });
    let (default_key, policy_key) = rt.block_on(async {
        let ctx = root();
        let plain = call(&kms, &ctx, "CreateKey", &json!({})).await;
        let tagged =
            json!({"Policy": key_policy(), "Tags": [{"TagKey": "team", "TagValue": "blue"}]});
        let with_policy = call(&kms, &ctx, "CreateKey", &tagged).await;
        let id = |v: &Value| v["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
        (id(&plain), id(&with_policy))
    });
    Setup {
        rt,
        kms,
        _dir: dir,
        default_key,
        policy_key,
    }
}

fn bench(c: &mut Criterion) {
    let s = setup();
    let context: BTreeMap<String, String> = [("app".to_owned(), "billing".to_owned())].into();
    let (root, app) = (root(), app_session());
    let cases = [
        ("default_policy_root", &root, &s.default_key),
        ("5+10_statements_role", &app, &s.policy_key),
    ];
    let mut group = c.benchmark_group("authorize_encrypt");
    for (name, ctx, key) in cases {
        s.rt.block_on(s.kms.authorize_encrypt_for_bench(ctx, key, &context))
            .unwrap();
        group.bench_function(name, |b| {
            b.iter(|| {
                let ask = s.kms.authorize_encrypt_for_bench(ctx, key, &context);
                black_box(s.rt.block_on(ask)).unwrap();
                ctx.take_resources();
            })
        });
    }
    group.bench_function("global_condition_keys_only", |b| {
        b.iter(|| black_box(root.policy_context()))
    });
    group.finish();
    let mut group = c.benchmark_group("encrypt_4kib");
    let data = base64_of(&vec![7u8; 4096]);
    for (name, ctx, key) in cases {
        let body =
            json!({"KeyId": key, "Plaintext": data, "EncryptionContext": {"app": "billing"}});
        group.bench_function(name, |b| {
            b.iter(|| {
                black_box(s.rt.block_on(call(&s.kms, ctx, "Encrypt", &body)));
                ctx.take_resources();
            })
        });
    }
    group.finish();
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

criterion_group!(benches, bench);
criterion_main!(benches);
