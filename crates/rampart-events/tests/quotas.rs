//! AWS's default quotas: 100 custom buses per account and Region, 300 rules per bus, 5
//! targets per rule; a refused create changes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

use harness::Harness;
use serde_json::json;

const LIMIT: &str = "The requested resource exceeds the maximum number allowed.";

#[tokio::test]
async fn the_101st_custom_bus_is_refused() {
    let h = Harness::sqlite().await.unwrap();
    // The default bus's row (made by a policy) does not count.
    h.ok(
        "PutPermission",
        json!({"Action": "events:PutEvents", "Principal": "444455556666", "StatementId": "s"}),
    )
    .await;
    for i in 0..100 {
        h.ok("CreateEventBus", json!({"Name": format!("b{i:03}")}))
            .await;
    }
    let e = h.err("CreateEventBus", json!({"Name": "one-more"})).await;
    assert_eq!(
        (e.code.as_ref(), e.message.as_str()),
        ("LimitExceededException", LIMIT)
    );
    let err = h.err("DescribeEventBus", json!({"Name": "one-more"})).await;
    assert_eq!(err.code, "ResourceNotFoundException");
    h.ok("DeleteEventBus", json!({"Name": "b000"})).await;
    h.ok("CreateEventBus", json!({"Name": "one-more"})).await;
    h.cleanup().await;
}

#[tokio::test]
async fn the_sixth_target_is_refused_and_changes_nothing() {
    let h = Harness::sqlite().await.unwrap();
    h.ok(
        "PutRule",
        json!({"Name": "r", "EventPattern": "{\"source\": [\"a\"]}"}),
    )
    .await;
    let target = |id: &str| json!({"Id": id, "Arn": "arn:aws:sqs:us-east-1:111122223333:q"});
    let five: Vec<_> = (0..5).map(|i| target(&format!("t{i}"))).collect();
    h.ok("PutTargets", json!({"Rule": "r", "Targets": five}))
        .await;
    let e = h
        .err(
            "PutTargets",
            json!({"Rule": "r", "Targets": [target("t0"), target("t5")]}),
        )
        .await;
    assert_eq!(
        (e.code.as_ref(), e.message.as_str()),
        ("LimitExceededException", LIMIT)
    );
    let listed = h.ok("ListTargetsByRule", json!({"Rule": "r"})).await;
    assert_eq!(listed["Targets"].as_array().unwrap().len(), 5);
    h.cleanup().await;
}

/// Fills `table` with `n` rows of the harness account and Region (only their keys count).
async fn fill(h: &Harness, table: &'static str, n: usize) {
    let writes = (0..n)
        .map(|i| rampart_store::Write::Put {
            table,
            key: format!("{}/{}/filler-{i:04}", harness::ACCOUNT, harness::REGION),
            value: b"{}".to_vec(),
            expect: rampart_store::Expect::Any,
        })
        .collect();
    h.store.transact(writes).await.unwrap();
}

#[tokio::test]
async fn connections_and_api_destinations_stop_at_3000_per_region() {
    let h = Harness::sqlite().await.unwrap();
    let basic = |name: &str| {
        json!({"Name": name, "AuthorizationType": "BASIC",
            "AuthParameters": {"BasicAuthParameters": {"Username": "u", "Password": "p"}}})
    };
    let conn = h.ok("CreateConnection", basic("real")).await;
    fill(&h, "events_connections", 2999).await;
    let e = h.err("CreateConnection", basic("one-more")).await;
    assert_eq!(
        (e.code.as_ref(), e.message.as_str()),
        ("LimitExceededException", LIMIT)
    );
    fill(&h, "events_api_destinations", 3000).await;
    let destination = json!({"Name": "d", "ConnectionArn": conn["ConnectionArn"],
        "InvocationEndpoint": "https://example.com/hook", "HttpMethod": "POST"});
    let e = h.err("CreateApiDestination", destination.clone()).await;
    assert_eq!(
        (e.code.as_ref(), e.message.as_str()),
        ("LimitExceededException", LIMIT)
    );
    let key = format!("{}/{}/filler-0000", harness::ACCOUNT, harness::REGION);
    let delete = rampart_store::Write::Delete {
        table: "events_api_destinations",
        key,
        expect: rampart_store::Expect::Any,
    };
    h.store.transact(vec![delete]).await.unwrap();
    h.ok("CreateApiDestination", destination).await;
    h.cleanup().await;
}
