//! The writer: responses held until records are durable, `--audit-sync`, the compact stored
//! form, and audit records as queue items for subscribers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::UserIdentity;
use crate::stored::{StoredRecord, decode_entry};
use rampart_core::{AccountId, Principal};

const QUEUE: &str = "audit_test_subscriber";

fn event(name: &str) -> AuditEvent {
    let account = AccountId::parse("111122223333").expect("account");
    let principal = Principal::root(account, "AKIAEXAMPLE");
    AuditEvent {
        event_version: "1.08",
        user_identity: UserIdentity::of(&principal),
        event_time: time::OffsetDateTime::now_utc(),
        event_source: "kms.amazonaws.com",
        event_name: name.to_owned(),
        aws_region: "us-east-1".into(),
        source_ip_address: "127.0.0.1".into(),
        user_agent: String::new(),
        error_code: None,
        error_message: None,
        request_parameters: None,
        response_elements: None,
        request_id: name.to_owned(),
        event_id: name.to_owned(),
        read_only: false,
        resources: Vec::new(),
        event_type: "AwsApiCall",
        management_event: true,
        recipient_account_id: "111122223333".into(),
        shared_event_id: None,
        event_category: "Management",
        after_intent: false,
    }
}

fn name_of(record: &StoredRecord) -> String {
    match record {
        StoredRecord::Compact(e) => e.event_name.clone(),
        StoredRecord::Json(line) => panic!("legacy JSON written: {line}"),
    }
}

async fn stored_names(store: &Store) -> Vec<String> {
    let entries = store.read_log(AUDIT_LOG, 0, 100).await.expect("read");
    entries
        .iter()
        .flat_map(|(_, entry)| decode_entry(entry))
        .map(|record| name_of(&record))
        .collect()
}

async fn claim(store: &Store) -> Result<Vec<rampart_store::Claimed>, rampart_store::StoreError> {
    let lease = std::time::Duration::from_secs(60);
    store.claim(QUEUE, "test", lease, 10, 5, 1_000).await
}

async fn sqlite() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open_sqlite(&dir.path().join("db"))
        .await
        .expect("store");
    (dir, store)
}

#[tokio::test]
async fn a_state_change_is_answered_only_once_its_record_is_stored() {
    let (_dir, store) = sqlite().await;
    let (sink, writer) = start_writer(store.clone(), false);
    sink.record_call(vec![event("ListKeys")], true).await;
    sink.record_call(vec![event("CreateKey"), event("CreateKeyCopy")], false)
        .await;
    let names = stored_names(&store).await;
    assert!(names.contains(&"CreateKey".to_owned()), "{names:?}");
    assert!(names.contains(&"CreateKeyCopy".to_owned()), "{names:?}");
    writer.finish().await;
}

#[tokio::test]
async fn audit_sync_holds_read_only_calls_too() {
    let (_dir, store) = sqlite().await;
    let (sink, writer) = start_writer(store.clone(), true);
    sink.record_call(vec![event("ListKeys")], true).await;
    assert_eq!(stored_names(&store).await, vec!["ListKeys".to_owned()]);
    writer.finish().await;
}

#[tokio::test]
async fn records_are_stored_compact_and_rendered_as_cloudtrail_json() {
    let (_dir, store) = sqlite().await;
    let (sink, writer) = start_writer(store.clone(), false);
    let mut created = event("CreateKey");
    created.after_intent = true;
    sink.record_call(vec![created.clone()], false).await;
    writer.finish().await;
    let entries = store.read_log(AUDIT_LOG, 0, 10).await.unwrap();
    assert_eq!(entries[0].1[0], crate::stored::FORMAT_V1);
    let StoredRecord::Compact(stored) = &decode_entry(&entries[0].1)[0] else {
        panic!("not compact");
    };
    assert_eq!(stored.kind, RecordKind::FinalAfterIntent);
    let rendered: serde_json::Value = serde_json::from_str(&stored.to_cloudtrail_json()).unwrap();
    let mut expected = serde_json::to_value(&created).unwrap();
    // The stored time is CloudTrail's: whole seconds.
    expected["eventTime"] = rendered["eventTime"].clone();
    assert_eq!(rendered, expected);
    assert_eq!(
        rendered["eventTime"],
        crate::cloudtrail_timestamp(created.event_time)
    );
}

#[tokio::test]
async fn subscribed_queues_get_each_batch_and_others_nothing() {
    let (_dir, store) = sqlite().await;
    let (sink, writer) = start_writer(store.clone(), false);
    sink.subscribe(vec![AuditSubscription::all(QUEUE)]);
    sink.record_call(vec![event("CreateKey"), event("CreateKeyCopy")], false)
        .await;
    let claimed = claim(&store).await.unwrap();
    assert_eq!(claimed.len(), 1, "one item per stored batch");
    let names: Vec<String> = claimed
        .iter()
        .flat_map(|item| decode_entry(&item.payload))
        .map(|record| name_of(&record))
        .collect();
    assert_eq!(
        names,
        vec!["CreateKey".to_owned(), "CreateKeyCopy".to_owned()]
    );
    for item in &claimed {
        assert!(store.ack(QUEUE, item).await.unwrap());
    }
    assert!(claim(&store).await.unwrap().is_empty());
    writer.finish().await;

    let (_dir2, unsubscribed) = sqlite().await;
    let (sink, writer) = start_writer(unsubscribed.clone(), false);
    sink.record_call(vec![event("CreateKey")], false).await;
    writer.finish().await;
    let nothing = claim(&unsubscribed).await.unwrap();
    assert!(nothing.is_empty(), "no subscriber, no queue item");
}

fn read_only(name: &str) -> AuditEvent {
    AuditEvent {
        read_only: true,
        ..event(name)
    }
}

/// The names in the queue items claimed now (each acked).
async fn queued_names(store: &Store) -> Vec<Vec<String>> {
    let mut items = Vec::new();
    for item in claim(store).await.unwrap() {
        items.push(decode_entry(&item.payload).iter().map(name_of).collect());
        assert!(store.ack(QUEUE, &item).await.unwrap());
    }
    items
}

#[tokio::test]
async fn read_only_records_reach_a_subscriber_only_while_it_wants_them() {
    let (_dir, store) = sqlite().await;
    let (sink, writer) = start_writer(store.clone(), true);
    let wanted = Arc::new(std::sync::atomic::AtomicBool::new(false));
    sink.subscribe(vec![AuditSubscription::read_only_while(
        QUEUE,
        Arc::clone(&wanted),
    )]);
    sink.record_call(vec![read_only("Encrypt")], true).await;
    assert!(
        queued_names(&store).await.is_empty(),
        "read-only only: no item"
    );
    sink.record_call(vec![read_only("Decrypt"), event("CreateKey")], false)
        .await;
    assert_eq!(
        queued_names(&store).await,
        vec![vec!["CreateKey".to_owned()]]
    );
    wanted.store(true, std::sync::atomic::Ordering::Release);
    sink.record_call(vec![read_only("Sign"), event("TagResource")], false)
        .await;
    let want = vec![vec!["Sign".to_owned(), "TagResource".to_owned()]];
    assert_eq!(queued_names(&store).await, want);
    writer.finish().await;
    let logged = stored_names(&store).await;
    assert_eq!(
        logged,
        ["Encrypt", "Decrypt", "CreateKey", "Sign", "TagResource"],
        "the log keeps every record"
    );
}
