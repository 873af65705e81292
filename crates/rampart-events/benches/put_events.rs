//! PutEvents end to end in process (issue 12: "PutEvents to a rule set of 100 patterns,
//! ≥ 20,000 events/s matched"): an `EventsService` on a temporary SQLite store (WAL,
//! synchronous=FULL: every call's commit is durable) with 100 rules on one bus, each with one
//! target; PutEvents calls of 10 entries through the generated dispatcher (decode, validation,
//! envelope, authorization, routing, one commit of all deliveries). `cargo bench -p
//! rampart-events --bench put_events`; prints events/s and deliveries/s for one caller and
//! for 8 concurrent callers, with events that match 17 of the 100 rules and with events that
//! match one (every event is still tried against all 100 patterns).

#![allow(clippy::unwrap_used)]

use rampart_core::{AccountId, ManualClock, Principal, Region, RequestContext};
use rampart_events::EventsService;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Instant;

const ACCOUNT: &str = "111122223333";
const CALLS: usize = 400;

/// 100 patterns: 20 shapes × 5 variants; variant 0 of most shapes matches the event.
fn pattern(i: usize) -> Value {
    let v = if i.is_multiple_of(5) {
        String::new()
    } else {
        format!("-{}", i % 5)
    };
    match i / 5 {
        0 => json!({"source": [format!("shop{v}")]}),
        1 => json!({"detail": {"customer": [{"prefix": format!("ana{v}")}]}}),
        2 => json!({"detail": {"sku": [{"suffix": format!("-x{v}")}]}}),
        3 => json!({"detail": {"total": [{"numeric": [">", (i % 5) * 100, "<=", 1000]}]}}),
        4 => json!({"detail": {"ip": [{"cidr": format!("10.{}.0.0/16", i % 5)}]}}),
        5 => json!({"detail-type": [{"equals-ignore-case": format!("order placed{v}")}]}),
        6 => json!({"detail": {"sku": [{"wildcard": format!("a*-x{v}")}]}}),
        7 => json!({"detail": {"coupon": [{"exists": !i.is_multiple_of(5)}]}}),
        8 => json!({"detail": {"state": [{"anything-but": [format!("cancelled{v}")]}]}}),
        9 => {
            json!({"$or": [{"detail": {"total": [i]}}, {"detail": {"customer": [format!("ana{v}")]}}]})
        }
        n => json!({"source": ["shop"], "detail": {"tier": [format!("t{n}{v}")]}}),
    }
}

fn ctx() -> RequestContext {
    let principal = Principal::root(AccountId::parse(ACCOUNT).unwrap(), "AKIDBENCH");
    RequestContext::new(principal, Region::new("us-east-1"))
}

async fn call(service: &EventsService, op: &str, body: Value) -> Value {
    let bytes = serde_json::to_vec(&body).unwrap();
    let out = rampart_events::generated::dispatch(service, &ctx(), op, &bytes).await;
    serde_json::from_slice(&out.result.unwrap()).unwrap_or(Value::Null)
}

async fn setup(service: &EventsService) {
    call(service, "CreateEventBus", json!({"Name": "bench"})).await;
    call(service, "CreateEventBus", json!({"Name": "empty"})).await;
    for i in 0..100 {
        let name = format!("r{i:03}");
        let body =
            json!({"Name": name, "EventBusName": "bench", "EventPattern": pattern(i).to_string()});
        call(service, "PutRule", body).await;
        let target = json!({"Id": "t", "Arn": "arn:aws:sqs:us-east-1:111122223333:q"});
        let body = json!({"Rule": name, "EventBusName": "bench", "Targets": [target]});
        call(service, "PutTargets", body).await;
    }
}

/// Which events a call carries.
#[derive(Clone, Copy)]
enum Mix {
    /// Each event matches 17 of the 100 rules.
    Broad,
    /// Each event matches one rule (`exists: false` on `coupon`).
    Selective,
}

fn batch_on(bus: &str, mix: Mix) -> Value {
    let entry = match mix {
        Mix::Broad => {
            let detail = json!({"customer": "ana", "sku": "abc-x", "total": 250,
                                "ip": "10.0.3.4", "state": "open", "tier": "t10"});
            json!({"Source": "shop", "DetailType": "Order Placed", "EventBusName": bus,
                   "Detail": detail.to_string()})
        }
        Mix::Selective => {
            let detail = json!({"customer": "bob", "sku": "zzz", "total": 5000,
                                "ip": "192.168.0.1", "tier": "none"});
            json!({"Source": "shop-9", "DetailType": "Order Shipped", "EventBusName": bus,
                   "Detail": detail.to_string()})
        }
    };
    json!({"Entries": vec![entry; 10]})
}

/// `callers` tasks each making `CALLS / callers` PutEvents calls; events/s accepted.
async fn run(service: Arc<EventsService>, callers: usize, bus: &'static str, mix: Mix) -> f64 {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..callers {
        let service = service.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..CALLS / callers {
                let out = call(&service, "PutEvents", batch_on(bus, mix)).await;
                assert_eq!(out["FailedEntryCount"], 0);
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let events = (CALLS / callers * callers * 10) as f64;
    events / started.elapsed().as_secs_f64()
}

/// How many deliveries one event of `mix` makes (claims what a single-entry call enqueued).
async fn matched(service: &EventsService, store: &rampart_store::Store, mix: Mix) -> usize {
    let entry = batch_on("bench", mix)["Entries"][0].clone();
    let out = call(service, "PutEvents", json!({"Entries": [entry]})).await;
    assert_eq!(out["FailedEntryCount"], 0);
    let lease = std::time::Duration::from_secs(3600);
    let queue = rampart_events::outbox::DELIVERY_QUEUE;
    let items = store.claim(queue, "bench", lease, 1000, 1, 0).await;
    items.unwrap().len()
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let store = rampart_store::Store::open_sqlite(&dir.path().join("bench.db"))
        .await
        .unwrap();
    let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
    let service = Arc::new(EventsService::new(store.clone(), clock));
    setup(&service).await;
    // Counted before the runs fill the queue: each count claims only its own call's items.
    let mut mixes = Vec::new();
    for mix in [Mix::Broad, Mix::Selective] {
        mixes.push((mix, matched(&service, &store, mix).await));
    }
    let rate = run(service.clone(), 1, "empty", Mix::Broad).await;
    println!("PutEvents, 10 entries per call, a bus without rules: {rate:.0} events/s");
    for (mix, matched) in mixes {
        println!("rules matched per event: {matched} of 100");
        for callers in [1, 8] {
            let rate = run(service.clone(), callers, "bench", mix).await;
            println!(
                "PutEvents, 10 entries per call, {callers} caller(s): {rate:.0} events/s, {:.0} deliveries/s",
                rate * matched as f64
            );
        }
    }
}
