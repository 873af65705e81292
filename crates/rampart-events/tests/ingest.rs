//! Service events and audit records reach the account's default bus: each becomes an event
//! routed by the ingest job (deliveries committed, item acked); read-only API calls only reach
//! rules in state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS; PutEvents calls never become
//! events.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

use harness::{ACCOUNT, Harness, REGION};
use rampart_audit::{RecordKind, StoredEvent, encode_entry};
use rampart_core::JobContext;
use rampart_events::ingest::AUDIT_QUEUE;
use rampart_module::events::{ServiceEvent, publish};
use rampart_store::Write;
use serde_json::{Value, json};

async fn rule(h: &Harness, name: &str, pattern: Value, state: &str) {
    h.ok(
        "PutRule",
        json!({"Name": name, "EventPattern": pattern.to_string(), "State": state}),
    )
    .await;
    h.ok(
        "PutTargets",
        json!({"Rule": name, "Targets": [{"Id": "t", "Arn": "arn:aws:sqs:us-east-1:111122223333:q"}]}),
    )
    .await;
}

fn api_call(name: &str, read_only: bool, source: &str) -> Write {
    let record = StoredEvent {
        kind: RecordKind::Final,
        time: 1_700_000_000,
        event_source: source.to_owned(),
        event_name: name.to_owned(),
        aws_region: REGION.to_owned(),
        user_identity: json!({"type": "Root", "accountId": ACCOUNT}).to_string(),
        source_ip_address: "127.0.0.1".into(),
        user_agent: "test".into(),
        error_code: None,
        error_message: None,
        request_parameters: Some(json!({"keyId": "k"})),
        response_elements: None,
        request_id: "r".into(),
        event_id: uuid::Uuid::new_v4().to_string(),
        read_only,
        resources: Vec::new(),
        recipient_account_id: ACCOUNT.to_owned(),
        shared_event_id: None,
        event_type: None,
        additional_event_data: None,
    };
    Write::Enqueue {
        queue: AUDIT_QUEUE,
        payload: encode_entry([&record]),
        visible_at_ms: 0,
        dedup_key: None,
    }
}

#[tokio::test]
async fn service_events_and_api_calls_are_routed_on_the_default_bus() {
    for h in Harness::all().await {
        rule(&h, "ssm", json!({"source": ["aws.ssm"]}), "ENABLED").await;
        rule(&h, "kms-writes", json!({"source": ["aws.kms"]}), "ENABLED").await;
        let all = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS";
        rule(&h, "kms-all", json!({"source": ["aws.kms"]}), all).await;
        rule(&h, "events", json!({"source": ["aws.events"]}), all).await;

        let event = ServiceEvent {
            account: ACCOUNT.into(),
            region: REGION.into(),
            source: "aws.ssm".into(),
            detail_type: "Parameter Store Change".into(),
            resources: vec!["arn:aws:ssm:us-east-1:111122223333:parameter/a".into()],
            detail: json!({"operation": "Create", "name": "/a"}),
            time_ms: 1_700_000_000_000,
        };
        let writes = vec![
            publish(&event),
            api_call("CreateKey", false, "kms.amazonaws.com"),
            api_call("DescribeKey", true, "kms.amazonaws.com"),
            api_call("PutEvents", false, "events.amazonaws.com"),
        ];
        h.store.transact(writes).await.unwrap();
        let routed = h.service.ingest(&JobContext::at(h.now_ms())).await.unwrap();
        assert_eq!(routed, 3, "the PutEvents record routes nothing");

        let mut got: Vec<(String, String)> = h
            .take_deliveries()
            .await
            .into_iter()
            .map(|d| {
                let e: Value = serde_json::from_str(&d.input).unwrap();
                let rule = d.rule_arn.rsplit('/').next().unwrap().to_owned();
                let what = e["detail"]["eventName"]
                    .as_str()
                    .or(e["detail-type"].as_str())
                    .unwrap()
                    .to_owned();
                (rule, what)
            })
            .collect();
        got.sort();
        let want = [
            ("kms-all", "CreateKey"),
            ("kms-all", "DescribeKey"),
            ("kms-writes", "CreateKey"),
            ("ssm", "Parameter Store Change"),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect();
        assert_eq!(got, want);
        // Acked: a second run finds nothing.
        let again = h.service.ingest(&JobContext::at(h.now_ms())).await.unwrap();
        assert_eq!(again, 0);
        h.cleanup().await;
    }
}
