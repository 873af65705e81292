//! Buses, rules, targets and PutEvents through the generated dispatcher, on SQLite and (when
//! configured) PostgreSQL: accepted events become one outbox delivery per matched target,
//! transformed as the target says, committed with the call; rule changes reach the routing
//! cache of another node; scheduled rules fire on the service clock.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

use harness::{ACCOUNT, Harness, OTHER, call_on};
use rampart_core::JobContext;
use serde_json::{Value, json};

fn entry(source: &str, detail: Value) -> Value {
    json!({"Source": source, "DetailType": "Order Placed", "Detail": detail.to_string()})
}

fn entry_on(bus: &str, source: &str, detail: Value) -> Value {
    let mut e = entry(source, detail);
    e["EventBusName"] = Value::String(bus.to_owned());
    e
}

async fn setup_orders(h: &Harness) {
    h.ok("CreateEventBus", json!({"Name": "orders"})).await;
    h.ok(
        "PutRule",
        json!({"Name": "big", "EventBusName": "orders",
               "EventPattern": json!({"source": ["shop"], "detail": {"total": [{"numeric": [">", 100]}]}}).to_string()}),
    )
    .await;
    let transformer = json!({
        "InputPathsMap": {"total": "$.detail.total", "who": "$.detail.customer"},
        "InputTemplate": "{\"msg\": \"<who> spent <total>\", \"total\": <total>}"
    });
    let out = h
        .ok(
            "PutTargets",
            json!({"Rule": "big", "EventBusName": "orders", "Targets": [
                {"Id": "whole", "Arn": "arn:aws:events:us-east-1:111122223333:event-bus/audit"},
                {"Id": "shaped", "Arn": "arn:aws:sqs:us-east-1:111122223333:q",
                 "InputTransformer": transformer,
                 "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 600},
                 "DeadLetterConfig": {"Arn": "arn:aws:sqs:us-east-1:111122223333:dlq"}}
            ]}),
        )
        .await;
    assert_eq!(out["FailedEntryCount"], 0);
}

#[tokio::test]
async fn matched_events_enqueue_one_transformed_delivery_per_target() {
    for h in Harness::all().await {
        setup_orders(&h).await;
        let out = h
            .ok(
                "PutEvents",
                json!({"Entries": [
                    entry_on("orders", "shop", json!({"total": 250, "customer": "ana"})),
                    entry_on("orders", "shop", json!({"total": 50})),
                    entry("shop", json!({"total": 500})),
                ]}),
            )
            .await;
        assert_eq!(out["FailedEntryCount"], 0, "{out}");
        let first_id = out["Entries"][0]["EventId"].as_str().unwrap().to_owned();
        let mut deliveries = h.take_deliveries().await;
        deliveries.sort_by(|a, b| a.target_id.cmp(&b.target_id));
        assert_eq!(deliveries.len(), 2, "{deliveries:?}");
        let (shaped, whole) = (&deliveries[0], &deliveries[1]);
        assert_eq!(whole.target_id, "whole");
        assert_eq!(
            whole.rule_arn,
            "arn:aws:events:us-east-1:111122223333:rule/orders/big"
        );
        let event: Value = serde_json::from_str(&whole.input).unwrap();
        assert_eq!(event["id"], first_id.as_str());
        assert_eq!(event["account"], ACCOUNT);
        assert_eq!(event["detail-type"], "Order Placed");
        assert_eq!(event["detail"]["total"], 250);
        assert_eq!(
            (whole.max_retry_attempts, whole.max_event_age_s),
            (185, 86_400)
        );
        let shaped_input: Value = serde_json::from_str(&shaped.input).unwrap();
        assert_eq!(shaped_input, json!({"msg": "ana spent 250", "total": 250}));
        assert_eq!(
            (shaped.max_retry_attempts, shaped.max_event_age_s),
            (3, 600)
        );
        assert_eq!(
            shaped.dead_letter_arn.as_deref(),
            Some("arn:aws:sqs:us-east-1:111122223333:dlq")
        );
        assert_eq!(shaped.event_id, first_id);
        h.cleanup().await;
    }
}

#[tokio::test]
async fn per_entry_errors_leave_the_other_entries_accepted() {
    let h = Harness::sqlite().await.unwrap();
    h.ok(
        "PutRule",
        json!({"Name": "all", "EventPattern": "{\"source\": [{\"prefix\": \"\"}]}"}),
    )
    .await;
    h.ok(
        "PutTargets",
        json!({"Rule": "all", "Targets": [{"Id": "t", "Arn": "arn:aws:sqs:us-east-1:111122223333:q"}]}),
    )
    .await;
    let out = h
        .ok(
            "PutEvents",
            json!({"Entries": [
                {"DetailType": "x", "Detail": "{}"},
                {"Source": "s", "Detail": "{}"},
                {"Source": "s", "DetailType": "x"},
                {"Source": "s", "DetailType": "x", "Detail": "[1]"},
                {"Source": "s", "DetailType": "x", "Detail": "{nope"},
                entry_on("nope", "s", json!({})),
                entry("s", json!({"ok": true})),
            ]}),
        )
        .await;
    let entries = out["Entries"].as_array().unwrap();
    let codes: Vec<&str> = entries
        .iter()
        .map(|e| e["ErrorCode"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(
        codes,
        [
            "InvalidArgument",
            "InvalidArgument",
            "InvalidArgument",
            "MalformedDetail",
            "MalformedDetail",
            "ResourceNotFoundException",
            "-"
        ]
    );
    assert_eq!(
        entries[0]["ErrorMessage"],
        "Parameter Source is not valid. Reason: Source is a required argument."
    );
    assert_eq!(entries[3]["ErrorMessage"], "Detail is malformed.");
    assert_eq!(entries[5]["ErrorMessage"], "Event bus nope does not exist.");
    assert!(entries[6].get("ErrorCode").is_none());
    assert_eq!(out["FailedEntryCount"], 6);
    let deliveries = h.take_deliveries().await;
    assert_eq!(deliveries.len(), 1);
    assert_eq!(
        deliveries[0].event_id,
        entries[6]["EventId"].as_str().unwrap()
    );

    // 256 KB by AWS's entry-size rule: the whole request is refused and nothing is routed.
    let big = "x".repeat(140_000);
    let e = h
        .err(
            "PutEvents",
            json!({"Entries": [
                {"Source": "s", "DetailType": "x", "Detail": json!({"a": big}).to_string()},
                {"Source": "s", "DetailType": "x", "Detail": json!({"b": big}).to_string()},
            ]}),
        )
        .await;
    assert_eq!(e.code, "ValidationException");
    assert!(h.take_deliveries().await.is_empty());
    h.cleanup().await;
}

#[tokio::test]
async fn rule_changes_reach_another_nodes_routing_cache() {
    for h in Harness::all().await {
        setup_orders(&h).await;
        let other = h.second_node();
        let put = json!({"Entries": [entry_on("orders", "shop", json!({"total": 1000}))]});
        let out = call_on(&other, ACCOUNT, "PutEvents", put.clone())
            .await
            .unwrap();
        assert_eq!(out["FailedEntryCount"], 0);
        assert_eq!(h.take_deliveries().await.len(), 2);

        h.ok(
            "DisableRule",
            json!({"Name": "big", "EventBusName": "orders"}),
        )
        .await;
        call_on(&other, ACCOUNT, "PutEvents", put.clone())
            .await
            .unwrap();
        assert!(
            h.take_deliveries().await.is_empty(),
            "a disabled rule still matched"
        );

        h.ok(
            "EnableRule",
            json!({"Name": "big", "EventBusName": "orders"}),
        )
        .await;
        h.ok(
            "RemoveTargets",
            json!({"Rule": "big", "EventBusName": "orders", "Ids": ["whole"]}),
        )
        .await;
        call_on(&other, ACCOUNT, "PutEvents", put.clone())
            .await
            .unwrap();
        let left = h.take_deliveries().await;
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].target_id, "shaped");

        // Updating the pattern in place keeps the targets and changes what matches.
        h.ok(
            "PutRule",
            json!({"Name": "big", "EventBusName": "orders",
                   "EventPattern": "{\"source\": [\"elsewhere\"]}"}),
        )
        .await;
        call_on(&other, ACCOUNT, "PutEvents", put).await.unwrap();
        assert!(h.take_deliveries().await.is_empty());
        let targets = h
            .ok(
                "ListTargetsByRule",
                json!({"Rule": "big", "EventBusName": "orders"}),
            )
            .await;
        assert_eq!(targets["Targets"].as_array().unwrap().len(), 1);
        h.cleanup().await;
    }
}

#[tokio::test]
async fn cross_account_put_events_needs_the_bus_policy() {
    let h = Harness::sqlite().await.unwrap();
    setup_orders(&h).await;
    let arn = "arn:aws:events:us-east-1:111122223333:event-bus/orders";
    let put = json!({"Entries": [entry_on(arn, "shop", json!({"total": 1000}))]});
    let out = call_on(&h.service, OTHER, "PutEvents", put.clone())
        .await
        .unwrap();
    assert_eq!(
        out["Entries"][0]["ErrorCode"], "AccessDeniedException",
        "{out}"
    );
    assert!(h.take_deliveries().await.is_empty());

    h.ok(
        "PutPermission",
        json!({"EventBusName": "orders", "Action": "events:PutEvents",
               "Principal": OTHER, "StatementId": "other"}),
    )
    .await;
    let out = call_on(&h.service, OTHER, "PutEvents", put.clone())
        .await
        .unwrap();
    assert_eq!(out["FailedEntryCount"], 0, "{out}");
    let deliveries = h.take_deliveries().await;
    assert_eq!(deliveries.len(), 2);
    let event: Value = serde_json::from_str(&deliveries[0].input).unwrap_or_default();
    let whole = deliveries.iter().find(|d| d.target_id == "whole").unwrap();
    let _ = event;
    let event: Value = serde_json::from_str(&whole.input).unwrap();
    assert_eq!(
        event["account"], OTHER,
        "the event names the sending account"
    );

    let policy = h.ok("DescribeEventBus", json!({"Name": "orders"})).await;
    let policy: Value = serde_json::from_str(policy["Policy"].as_str().unwrap()).unwrap();
    assert_eq!(
        policy["Statement"][0]["Principal"]["AWS"],
        "arn:aws:iam::444455556666:root"
    );
    h.ok(
        "RemovePermission",
        json!({"EventBusName": "orders", "StatementId": "other"}),
    )
    .await;
    let out = call_on(&h.service, OTHER, "PutEvents", put).await.unwrap();
    assert_eq!(out["Entries"][0]["ErrorCode"], "AccessDeniedException");
    h.cleanup().await;
}

#[tokio::test]
async fn scheduled_rules_fire_on_the_service_clock() {
    for h in Harness::all().await {
        h.ok(
            "PutRule",
            json!({"Name": "tick", "ScheduleExpression": "rate(5 minutes)"}),
        )
        .await;
        h.ok(
            "PutTargets",
            json!({"Rule": "tick", "Targets": [{"Id": "t", "Arn": "arn:aws:sqs:us-east-1:111122223333:q"}]}),
        )
        .await;
        let fire = |h: &Harness| {
            let ctx = JobContext::at(h.now_ms());
            let service = h.service.clone();
            async move { service.fire_due_schedules(&ctx).await.unwrap() }
        };
        h.advance(299);
        assert_eq!(fire(&h).await, 0, "fired early");
        h.advance(1);
        assert_eq!(fire(&h).await, 1);
        let deliveries = h.take_deliveries().await;
        assert_eq!(deliveries.len(), 1);
        let event: Value = serde_json::from_str(&deliveries[0].input).unwrap();
        assert_eq!(event["detail-type"], "Scheduled Event");
        assert_eq!(event["source"], "aws.events");
        assert_eq!(event["detail"], json!({}));
        assert_eq!(
            event["resources"],
            json!(["arn:aws:events:us-east-1:111122223333:rule/tick"])
        );
        h.advance(300);
        assert_eq!(fire(&h).await, 1, "the next period fires too");
        assert_eq!(h.take_deliveries().await.len(), 1);

        h.ok("DisableRule", json!({"Name": "tick"})).await;
        h.advance(600);
        fire(&h).await;
        assert!(
            h.take_deliveries().await.is_empty(),
            "a disabled rule fired"
        );
        h.cleanup().await;
    }
}
