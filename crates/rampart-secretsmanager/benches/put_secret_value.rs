//! Issue 13's PutSecretValue target: with 16 concurrent clients and durability on, more
//! acknowledged writes per second than one writer can fsync on this disk. In one run, on one
//! directory of one disk: (1) a plain loop appending 256 bytes to a file and `fdatasync`ing it —
//! what one writer that waits for its own fsync can do; (2) PutSecretValue through the generated
//! dispatcher (JSON, validation, authorization, a KMS GenerateDataKey as the caller, AES-256-GCM
//! sealing, one durable SQLite commit under WAL + `synchronous=FULL`) from 1 client and from 16
//! concurrent clients, each acknowledged only after its commit. The 16 clients' commits share
//! fsyncs through the store's group commit. `cargo bench -p rampart-secretsmanager --bench
//! put_secret_value`.

#![allow(clippy::unwrap_used)]

use rampart_core::{AccountId, ManualClock, Principal, Region, RequestContext};
use rampart_crypto::root::{Domain, RootKey};
use rampart_kms::KmsService;
use rampart_secretsmanager::SecretsManagerService;
use serde_json::{Value, json};
use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

const ACCOUNT: &str = "111122223333";
/// Secrets per client, written in turn (keeps each secret's history short).
const SECRETS_PER_CLIENT: usize = 4;

fn ctx() -> RequestContext {
    let principal = Principal::root(AccountId::parse(ACCOUNT).unwrap(), "AKIDBENCH");
    RequestContext::new(principal, Region::new("us-east-1"))
}

async fn call(sm: &SecretsManagerService, op: &str, body: Value) -> Value {
    let bytes = serde_json::to_vec(&body).unwrap();
    let out = rampart_secretsmanager::generated::dispatch(sm, &ctx(), op, &bytes).await;
    serde_json::from_slice(&out.result.unwrap()).unwrap()
}

/// Appends of 256 bytes, each followed by `fdatasync`, per second.
fn fsync_loop(dir: &std::path::Path, count: usize) -> f64 {
    let mut file = std::fs::File::create(dir.join("fsync-loop")).unwrap();
    let record = [7u8; 256];
    let started = Instant::now();
    for _ in 0..count {
        file.write_all(&record).unwrap();
        file.sync_data().unwrap();
    }
    count as f64 / started.elapsed().as_secs_f64()
}

/// `clients` tasks, each making `calls` PutSecretValue calls over its own secrets; writes/s.
async fn put_values(sm: Arc<SecretsManagerService>, clients: usize, calls: usize) -> f64 {
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let sm = sm.clone();
            tokio::spawn(async move {
                for i in 0..calls {
                    let id = format!("bench/c{c}/s{}", i % SECRETS_PER_CLIENT);
                    let body = json!({"SecretId": id, "SecretString": format!("value {i}")});
                    let out = call(&sm, "PutSecretValue", body).await;
                    assert!(out["VersionId"].is_string(), "{out}");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    (clients * calls) as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let store = rampart_store::Store::open_sqlite(&dir.path().join("bench.db"))
        .await
        .unwrap();
    let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
    let root = RootKey::generate();
    let kms = Arc::new(KmsService::new(
        store.clone(),
        root.domain_key(Domain::Kms),
        clock.clone(),
    ));
    let sm = Arc::new(SecretsManagerService::new(store, kms, clock));
    for c in 0..16 {
        for s in 0..SECRETS_PER_CLIENT {
            let body = json!({"Name": format!("bench/c{c}/s{s}"), "SecretString": "initial"});
            call(&sm, "CreateSecret", body).await;
        }
    }
    for round in 1..=2 {
        let fsyncs = fsync_loop(dir.path(), 1000);
        let one = put_values(sm.clone(), 1, 200).await;
        let sixteen = put_values(sm.clone(), 16, 40).await;
        println!(
            "round {round}: fsync loop {fsyncs:.0}/s; PutSecretValue 1 client {one:.0}/s, \
             16 clients {sixteen:.0}/s ({:.2}x the fsync loop)",
            sixteen / fsyncs
        );
    }
}
