//! The durable audit as LookupEvents sees it, on SQLite and PostgreSQL: the intent record a
//! state-changing call commits with its first write (shown alone when the final record never
//! came, merged with the final record otherwise, in the intent's place), and logs written
//! before the compact stored form.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ACCOUNT, Harness, REGION, context, event, event_ids, now};
use rampart_audit::{AuditSink, call_events, run_audited, start_writer};
use rampart_codec::Invocation;
use rampart_core::RequestContext;
use rampart_store::{Expect, Write};
use serde_json::{Value, json};
use time::Duration;

const SOURCE: &str = "kms.amazonaws.com";

/// Runs a CreateKey-like call that notes its parameters (as the codec does for a call that is
/// not read-only) and commits one row write; returns its invocation with a response.
async fn create_key(h: &Harness, ctx: &RequestContext, key: &str) -> Invocation {
    let call = async {
        let params = json!({"description": key});
        rampart_core::rider::note_parameters("CreateKey", Some(&params));
        let write = Write::Put {
            table: "kms_keys",
            key: key.to_owned(),
            value: b"key".to_vec(),
            expect: Expect::Absent,
        };
        h.store.transact(vec![write]).await.unwrap();
        let mut inv = Invocation::started("CreateKey", false);
        inv.request_parameters = Some(params);
        inv.response_elements = Some(json!({"keyMetadata": {"keyId": key}}));
        inv
    };
    let inv = run_audited(SOURCE, ctx, call).await;
    assert!(
        inv.intent_event_id.is_some(),
        "the intent rode on the write"
    );
    inv
}

/// Writes the final records of `inv` through the audit writer.
async fn finish(h: &Harness, ctx: &RequestContext, inv: Invocation) {
    let (sink, writer) = start_writer(h.store.clone(), false);
    sink.record_call(call_events(SOURCE, ctx, inv, None), false)
        .await;
    writer.finish().await;
}

/// Lets LookupEvents see events up to a minute from now (its EndTime is the service clock).
fn look_ahead(h: &Harness) {
    h.clock.set(now() + Duration::minutes(1));
}

fn trail(out: &Value, index: usize) -> Value {
    let text = out["Events"][index]["CloudTrailEvent"].as_str().unwrap();
    serde_json::from_str(text).unwrap()
}

async fn a_change_whose_final_record_never_came_is_still_audited(h: &Harness) {
    look_ahead(h);
    let ctx = context(ACCOUNT, REGION);
    let inv = create_key(h, &ctx, "k1").await;
    // The node stops here: the response and the final record never happen.
    let out = h.ok(json!({})).await;
    let id = inv.intent_event_id.unwrap();
    assert_eq!(event_ids(&out), std::slice::from_ref(&id));
    assert_eq!(out["Events"][0]["EventName"], "CreateKey");
    let record = trail(&out, 0);
    assert_eq!(record["eventID"], id.as_str());
    assert_eq!(record["requestParameters"], json!({"description": "k1"}));
    assert_eq!(record["responseElements"], Value::Null);
    assert_eq!(record["readOnly"], false);
}

async fn a_finished_change_is_one_event_with_the_final_contents(h: &Harness) {
    look_ahead(h);
    let ctx = context(ACCOUNT, REGION);
    let inv = create_key(h, &ctx, "k2").await;
    let id = inv.intent_event_id.clone().unwrap();
    let arn = "arn:aws:kms:us-east-1:111122223333:key/k2";
    ctx.note_resource(arn, "AWS::KMS::Key");
    finish(h, &ctx, inv).await;
    let out = h.ok(json!({})).await;
    assert_eq!(
        event_ids(&out),
        std::slice::from_ref(&id),
        "one call, one event"
    );
    let record = trail(&out, 0);
    assert_eq!(record["eventID"], id.as_str());
    assert_eq!(
        record["responseElements"],
        json!({"keyMetadata": {"keyId": "k2"}})
    );
    // Found by what only the final record holds (the intent has no resources).
    let attr = json!([{"AttributeKey": "ResourceName", "AttributeValue": arn}]);
    let out = h.ok(json!({"LookupAttributes": attr})).await;
    assert_eq!(event_ids(&out), std::slice::from_ref(&id));
}

/// Intent of A, then B's record, then A's final record: A is in its intent's place, also on
/// a page that starts below A's final record (it is read from the newer part of the log).
async fn a_merged_event_keeps_its_place_across_pages(h: &Harness) {
    look_ahead(h);
    let ctx = context(ACCOUNT, REGION);
    let inv = create_key(h, &ctx, "k3").await;
    let id = inv.intent_event_id.clone().unwrap();
    let later = now() + Duration::seconds(1);
    h.append(&[event("b", "Encrypt", later)]).await;
    finish(h, &ctx, inv).await;
    let (ids, pages) = h.all_pages(json!({"MaxResults": 1})).await;
    assert_eq!(ids, ["b".to_owned(), id.clone()]);
    assert_eq!(pages, 2);
    let body = json!({"LookupAttributes": [{"AttributeKey": "EventId", "AttributeValue": id}]});
    let out = h.ok(body).await;
    assert_eq!(
        trail(&out, 0)["responseElements"]["keyMetadata"]["keyId"],
        "k3"
    );
    let second = h.ok(json!({"MaxResults": 1})).await;
    let token = second["NextToken"].as_str().unwrap();
    let rest = h.ok(json!({"MaxResults": 1, "NextToken": token})).await;
    assert_eq!(
        trail(&rest, 0)["responseElements"]["keyMetadata"]["keyId"],
        "k3"
    );
}

async fn a_read_only_call_or_one_that_wrote_nothing_has_no_intent(h: &Harness) {
    let ctx = context(ACCOUNT, REGION);
    let call = async {
        rampart_core::rider::note_parameters("CreateKey", None);
        Invocation::started("CreateKey", false)
    };
    let inv = run_audited(SOURCE, &ctx, call).await;
    assert_eq!(inv.intent_event_id, None, "no write, no intent");
    assert!(
        h.store
            .read_log(common::LOG, 0, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_log_written_before_the_compact_form_still_reads(h: &Harness) {
    look_ahead(h);
    let t = now() - Duration::minutes(5);
    h.append_legacy(&[event("old1", "CreateKey", t), event("old2", "Encrypt", t)])
        .await;
    h.append(&[event("new1", "Encrypt", t + Duration::seconds(1))])
        .await;
    let out = h.ok(json!({})).await;
    assert_eq!(event_ids(&out), ["new1", "old2", "old1"]);
    assert_eq!(
        trail(&out, 2)["requestParameters"],
        json!({"keyId": "old1"})
    );
    assert_eq!(
        trail(&out, 0)["requestParameters"],
        json!({"keyId": "new1"})
    );
}

on_both_backends! {
    crash_leaves_intent => super::a_change_whose_final_record_never_came_is_still_audited;
    final_merges => super::a_finished_change_is_one_event_with_the_final_contents;
    merged_in_place => super::a_merged_event_keeps_its_place_across_pages;
    no_write_no_intent => super::a_read_only_call_or_one_that_wrote_nothing_has_no_intent;
    legacy_log => super::a_log_written_before_the_compact_form_still_reads;
}
