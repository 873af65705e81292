//! Archives and replays: CRUD and errors, matching events stored with their time (counted in
//! DescribeArchive), archive targets through the outbox, retention on the service clock, and
//! replay states.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use support::{ACCOUNT, Harness, REGION, delivery};

fn bus() -> String {
    format!("arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default")
}

fn event(id: &str, source: &str, time: &str) -> Value {
    json!({"version": "0", "id": id, "detail-type": "t", "source": source, "account": ACCOUNT,
        "time": time, "region": REGION, "resources": [], "detail": {}})
}

async fn archive_event(h: &Harness, e: &Value) {
    let writes = h.svc.archive_writes(&bus(), e).await.unwrap();
    h.store.transact(writes).await.unwrap();
}

#[tokio::test]
async fn archives_keep_matching_events_and_count_them() {
    let h = Harness::sqlite().await;
    let out = h
        .ok(
            "CreateArchive",
            json!({"ArchiveName": "a", "EventSourceArn": bus(),
            "EventPattern": r#"{"source":["orders"]}"#, "RetentionDays": 1}),
        )
        .await;
    assert_eq!(
        out["ArchiveArn"],
        format!("arn:aws:events:{REGION}:{ACCOUNT}:archive/a")
    );
    assert_eq!(out["State"], "ENABLED");
    h.ok(
        "CreateArchive",
        json!({"ArchiveName": "all", "EventSourceArn": bus()}),
    )
    .await;
    archive_event(&h, &event("1", "orders", "2026-01-01T00:00:00Z")).await;
    archive_event(&h, &event("2", "billing", "2026-01-01T00:00:01Z")).await;
    let mut replayed = event("3", "orders", "2026-01-01T00:00:02Z");
    replayed["replay-name"] = json!("r");
    archive_event(&h, &replayed).await;
    let a = h.ok("DescribeArchive", json!({"ArchiveName": "a"})).await;
    assert_eq!(a["EventCount"], 1);
    assert!(a["SizeBytes"].as_i64().unwrap() > 50);
    assert_eq!(a["RetentionDays"], 1);
    let all = h.ok("DescribeArchive", json!({"ArchiveName": "all"})).await;
    assert_eq!(all["EventCount"], 2);
    let listed = h.ok("ListArchives", json!({"EventSourceArn": bus()})).await;
    assert_eq!(listed["Archives"].as_array().unwrap().len(), 2);
    let archive_arn = out["ArchiveArn"].as_str().unwrap();
    let mut d = delivery(archive_arn, "4", h.now_ms());
    d.input = event("4", "orders", "2026-01-01T00:00:03Z").to_string();
    h.enqueue(&[d]).await;
    assert_eq!(h.deliver().await, 1);
    let a = h.ok("DescribeArchive", json!({"ArchiveName": "a"})).await;
    assert_eq!(
        a["EventCount"], 2,
        "an archive target stores the delivered event"
    );
    let purged = h.svc.enforce_retention(h.now_ms()).await.unwrap();
    assert_eq!(
        purged, 2,
        "events of 2026-01-01 are past a one-day retention"
    );
    let all = h.ok("DescribeArchive", json!({"ArchiveName": "all"})).await;
    assert_eq!(all["EventCount"], 2, "no retention: kept");
    h.ok("DeleteArchive", json!({"ArchiveName": "all"})).await;
    let gone = h
        .err("DescribeArchive", json!({"ArchiveName": "all"}))
        .await;
    assert_eq!(
        (gone.code.as_ref(), gone.message.as_str()),
        ("ResourceNotFoundException", "Archive all does not exist.")
    );
}

#[tokio::test]
async fn archive_errors() {
    let h = Harness::sqlite().await;
    h.ok(
        "CreateArchive",
        json!({"ArchiveName": "a", "EventSourceArn": bus()}),
    )
    .await;
    let dup = h
        .err(
            "CreateArchive",
            json!({"ArchiveName": "a", "EventSourceArn": bus()}),
        )
        .await;
    assert_eq!(
        (dup.code.as_ref(), dup.message.as_str()),
        (
            "ResourceAlreadyExistsException",
            "Archive a already exists."
        )
    );
    let pattern = h
        .err("CreateArchive", json!({"ArchiveName": "b", "EventSourceArn": bus(), "EventPattern": "{\"source\": \"x\"}"}))
        .await;
    assert_eq!(pattern.code, "InvalidEventPatternException");
    let other = "arn:aws:events:us-east-1:999999999999:event-bus/default";
    let foreign = h
        .err(
            "CreateArchive",
            json!({"ArchiveName": "c", "EventSourceArn": other}),
        )
        .await;
    assert_eq!(foreign.code, "ResourceNotFoundException");
    let missing = format!("arn:aws:events:{REGION}:{ACCOUNT}:event-bus/nope");
    let missing = h
        .err(
            "CreateArchive",
            json!({"ArchiveName": "m", "EventSourceArn": missing}),
        )
        .await;
    assert_eq!(
        (missing.code.as_ref(), missing.message.as_str()),
        (
            "ResourceNotFoundException",
            "Event bus nope does not exist."
        )
    );
    h.ok(
        "UpdateArchive",
        json!({"ArchiveName": "a", "RetentionDays": 3, "Description": "d"}),
    )
    .await;
    let a = h.ok("DescribeArchive", json!({"ArchiveName": "a"})).await;
    assert_eq!(
        (a["RetentionDays"].clone(), a["Description"].clone()),
        (json!(3), json!("d"))
    );
}

#[tokio::test]
async fn replays_run_to_completion_or_are_cancelled() {
    let h = Harness::sqlite().await;
    let archive = h
        .ok(
            "CreateArchive",
            json!({"ArchiveName": "a", "EventSourceArn": bus()}),
        )
        .await;
    let archive_arn = archive["ArchiveArn"].clone();
    for i in 0..3 {
        archive_event(
            &h,
            &event(&format!("e{i}"), "s", &format!("2026-01-01T00:00:0{i}Z")),
        )
        .await;
    }
    let window = json!({"EventSourceArn": archive_arn, "Destination": {"Arn": bus()},
        "EventStartTime": 1_767_225_600, "EventEndTime": 1_767_225_602});
    let mut start = window.clone();
    start["ReplayName"] = json!("r1");
    let out = h.ok("StartReplay", start.clone()).await;
    assert_eq!(out["State"], "STARTING");
    assert_eq!(
        h.err("StartReplay", start).await.code,
        "ResourceAlreadyExistsException"
    );
    assert_eq!(
        h.svc.run_replays(h.now_ms()).await.unwrap(),
        2,
        "events before EventEndTime"
    );
    let r = h.ok("DescribeReplay", json!({"ReplayName": "r1"})).await;
    assert_eq!(r["State"], "COMPLETED");
    assert_eq!(r["EventLastReplayedTime"], 1_767_225_601.0);
    let cancel = h.err("CancelReplay", json!({"ReplayName": "r1"})).await;
    assert_eq!(cancel.code, "IllegalStatusException");
    let mut second = window.clone();
    second["ReplayName"] = json!("r2");
    h.ok("StartReplay", second).await;
    assert_eq!(
        h.ok("CancelReplay", json!({"ReplayName": "r2"})).await["State"],
        "CANCELLING"
    );
    h.svc.run_replays(h.now_ms()).await.unwrap();
    assert_eq!(
        h.ok("DescribeReplay", json!({"ReplayName": "r2"})).await["State"],
        "CANCELLED"
    );
    let listed = h.ok("ListReplays", json!({"State": "COMPLETED"})).await;
    assert_eq!(listed["Replays"].as_array().unwrap().len(), 1);
    let mut cross = window.clone();
    cross["ReplayName"] = json!("r3");
    cross["Destination"] =
        json!({"Arn": format!("arn:aws:events:{REGION}:{ACCOUNT}:event-bus/other")});
    assert_eq!(
        h.err("StartReplay", cross).await.code,
        "ValidationException"
    );
    let mut backwards = window;
    backwards["ReplayName"] = json!("r4");
    backwards["EventEndTime"] = json!(1_767_225_500);
    let e = h.err("StartReplay", backwards).await;
    assert_eq!(
        e.message,
        "Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime."
    );
    assert_eq!(
        h.err("DescribeReplay", json!({"ReplayName": "nope"}))
            .await
            .message,
        "Replay nope does not exist."
    );
}

#[tokio::test]
async fn an_archive_has_a_managed_rule_kept_in_step() {
    let h = Harness::sqlite().await;
    h.ok(
        "CreateArchive",
        json!({"ArchiveName": "a", "EventSourceArn": bus(),
            "EventPattern": r#"{"source":["orders"]}"#}),
    )
    .await;
    let rules = h.ok("ListRules", json!({})).await;
    let listed = &rules["Rules"][0];
    assert_eq!(listed["Name"], "Events-Archive-a");
    assert_eq!(listed["ManagedBy"], "prod.vhs.events.aws.internal");
    let pattern: Value = serde_json::from_str(listed["EventPattern"].as_str().unwrap()).unwrap();
    assert_eq!(
        pattern,
        json!({"source": ["orders"], "replay-name": [{"exists": false}]})
    );
    let targets = h
        .ok("ListTargetsByRule", json!({"Rule": "Events-Archive-a"}))
        .await;
    assert_eq!(targets["Targets"][0]["Id"], "Events-Archive-a");

    // Archiving flows through the rule: PutEvents stores what the rule's pattern matches.
    let entry = |source: &str| json!({"Source": source, "DetailType": "t", "Detail": "{}"});
    h.ok(
        "PutEvents",
        json!({"Entries": [entry("orders"), entry("billing")]}),
    )
    .await;
    let a = h.ok("DescribeArchive", json!({"ArchiveName": "a"})).await;
    assert_eq!(a["EventCount"], 1);
    h.ok(
        "UpdateArchive",
        json!({"ArchiveName": "a", "EventPattern": r#"{"source":["billing"]}"#}),
    )
    .await;
    let rule = h
        .ok("DescribeRule", json!({"Name": "Events-Archive-a"}))
        .await;
    assert!(rule["EventPattern"].as_str().unwrap().contains("billing"));
    h.ok("PutEvents", json!({"Entries": [entry("billing")]}))
        .await;
    let a = h.ok("DescribeArchive", json!({"ArchiveName": "a"})).await;
    assert_eq!(
        a["EventCount"], 2,
        "the updated rule archives billing events"
    );

    h.ok("DeleteArchive", json!({"ArchiveName": "a"})).await;
    let gone = h
        .err("DescribeRule", json!({"Name": "Events-Archive-a"}))
        .await;
    assert_eq!(gone.code, "ResourceNotFoundException");
}

#[tokio::test]
async fn users_cannot_change_an_archive_rule() {
    let h = Harness::sqlite().await;
    h.ok(
        "CreateArchive",
        json!({"ArchiveName": "a", "EventSourceArn": bus()}),
    )
    .await;
    let rule = "Events-Archive-a";
    let rule_arn = format!("arn:aws:events:{REGION}:{ACCOUNT}:rule/{rule}");
    let target = json!({"Id": "t", "Arn": "arn:aws:sqs:us-east-1:111122223333:q"});
    let changes = [
        (
            "PutRule",
            json!({"Name": rule, "EventPattern": r#"{"source":["x"]}"#}),
        ),
        ("DisableRule", json!({"Name": rule})),
        ("EnableRule", json!({"Name": rule})),
        ("PutTargets", json!({"Rule": rule, "Targets": [target]})),
        (
            "TagResource",
            json!({"ResourceARN": rule_arn, "Tags": [{"Key": "k", "Value": "v"}]}),
        ),
        (
            "UntagResource",
            json!({"ResourceARN": rule_arn, "TagKeys": ["k"]}),
        ),
        ("DeleteRule", json!({"Name": rule, "Force": true})),
        (
            "RemoveTargets",
            json!({"Rule": rule, "Ids": [rule], "Force": true}),
        ),
    ];
    for (op, body) in changes {
        let e = h.err(op, body).await;
        assert_eq!(e.code, "ManagedRuleException", "{op}");
    }
    let e = h.err("DeleteRule", json!({"Name": rule})).await;
    assert_eq!(
        e.message,
        "Events-Archive-a is a managed rule. Set 'force' parameter to true to override."
    );
    let described = h.ok("DescribeRule", json!({"Name": rule})).await;
    assert_eq!(described["State"], "ENABLED");
    let targets = h.ok("ListTargetsByRule", json!({"Rule": rule})).await;
    assert_eq!(targets["Targets"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn archives_stored_without_their_rule_get_it_at_start() {
    let h = Harness::sqlite().await;
    h.ok(
        "CreateArchive",
        json!({"ArchiveName": "old", "EventSourceArn": bus()}),
    )
    .await;
    // As an earlier Rampart stored it: the archive without a rule.
    let row = format!("{ACCOUNT}/{REGION}/default|Events-Archive-old");
    let delete = rampart_store::Write::Delete {
        table: "events_rules",
        key: row,
        expect: rampart_store::Expect::Any,
    };
    h.store.transact(vec![delete]).await.unwrap();
    assert_eq!(h.svc.backfill_archive_rules().await.unwrap(), 1);
    assert_eq!(h.svc.backfill_archive_rules().await.unwrap(), 0);
    let rule = h
        .ok("DescribeRule", json!({"Name": "Events-Archive-old"}))
        .await;
    assert_eq!(rule["ManagedBy"], "prod.vhs.events.aws.internal");
}
