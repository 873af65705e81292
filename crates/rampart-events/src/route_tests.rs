//! `forward_to_bus`: an event-bus target within the account, across accounts only with the
//! target bus's policy, keeping the event id within a Region and not across Regions.

#![allow(clippy::unwrap_used)]

use crate::EventsService;
use crate::generated::dispatch;
use crate::outbox::{DELIVERY_QUEUE, Delivery};
use rampart_core::{AccountId, ManualClock, Principal, Region, RequestContext};
use rampart_store::Store;
use serde_json::{Value, json};
use std::sync::Arc;

const A: &str = "111122223333";
const B: &str = "444455556666";

async fn call(s: &EventsService, account: &str, region: &str, op: &str, body: Value) {
    let principal = Principal::root(AccountId::parse(account).unwrap(), "AKIDTEST");
    let ctx = RequestContext::new(principal, Region::new(region));
    let out = dispatch(s, &ctx, op, &serde_json::to_vec(&body).unwrap()).await;
    out.result.unwrap();
}

/// A bus `sink` in `account`/`region` with a rule sending everything to one target.
async fn sink(s: &EventsService, account: &str, region: &str) {
    call(
        s,
        account,
        region,
        "CreateEventBus",
        json!({"Name": "sink"}),
    )
    .await;
    let pattern = json!({"source": [{"prefix": ""}]}).to_string();
    let rule = json!({"Name": "all", "EventBusName": "sink", "EventPattern": pattern});
    call(s, account, region, "PutRule", rule).await;
    let target = json!({"Id": "t", "Arn": "arn:aws:sqs:us-east-1:111122223333:q"});
    let body = json!({"Rule": "all", "EventBusName": "sink", "Targets": [target]});
    call(s, account, region, "PutTargets", body).await;
}

fn delivery(target_arn: &str) -> Delivery {
    let event = json!({"version": "0", "id": "e-1", "detail-type": "d", "source": "s",
        "account": A, "time": "2026-01-01T00:00:00Z", "region": "us-east-1",
        "resources": [], "detail": {}});
    Delivery {
        account: A.into(),
        region: "us-east-1".into(),
        rule_arn: format!("arn:aws:events:us-east-1:{A}:rule/fwd"),
        target_id: "bus".into(),
        target_arn: target_arn.into(),
        role_arn: None,
        input: event.to_string(),
        event_id: "e-1".into(),
        event_time_ms: 0,
        max_retry_attempts: 185,
        max_event_age_s: 86_400,
        dead_letter_arn: None,
        http_parameters: Value::Null,
        failed_sends: 0,
    }
}

async fn routed_ids(store: &Store) -> Vec<String> {
    let items = store
        .claim(
            DELIVERY_QUEUE,
            "t",
            std::time::Duration::from_secs(60),
            100,
            5,
            0,
        )
        .await
        .unwrap();
    let mut ids = Vec::new();
    for item in items {
        let d = Delivery::decode(&item.payload).unwrap();
        ids.push(d.event_id);
        store.ack(DELIVERY_QUEUE, &item).await.unwrap();
    }
    ids
}

#[tokio::test]
async fn forwarding_to_buses_follows_accounts_policies_and_regions() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite(&dir.path().join("r.db")).await.unwrap();
    let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
    let s = EventsService::new(store.clone(), clock);
    sink(&s, A, "us-east-1").await;
    sink(&s, B, "us-east-1").await;
    sink(&s, A, "eu-west-1").await;

    let own = format!("arn:aws:events:us-east-1:{A}:event-bus/sink");
    s.forward_to_bus(&delivery(&own)).await.unwrap();
    assert_eq!(
        routed_ids(&store).await,
        ["e-1"],
        "same Region: the id is kept"
    );

    let other = format!("arn:aws:events:us-east-1:{B}:event-bus/sink");
    let denied = s.forward_to_bus(&delivery(&other)).await.unwrap_err();
    assert!(!denied.retryable, "{denied:?}");
    assert!(
        denied.reason.contains("AccessDeniedException"),
        "{denied:?}"
    );
    assert!(routed_ids(&store).await.is_empty());
    let grant = json!({"EventBusName": "sink", "Action": "events:PutEvents",
                       "Principal": A, "StatementId": "a"});
    call(&s, B, "us-east-1", "PutPermission", grant).await;
    s.forward_to_bus(&delivery(&other)).await.unwrap();
    assert_eq!(routed_ids(&store).await, ["e-1"]);

    let away = format!("arn:aws:events:eu-west-1:{A}:event-bus/sink");
    s.forward_to_bus(&delivery(&away)).await.unwrap();
    let ids = routed_ids(&store).await;
    assert_eq!(ids.len(), 1);
    assert_ne!(ids[0], "e-1", "another Region: a new id");

    let gone = format!("arn:aws:events:us-east-1:{A}:event-bus/none");
    assert!(s.forward_to_bus(&delivery(&gone)).await.is_err());
}
