//! LookupEvents over a filled audit log, on SQLite and PostgreSQL: order, fields, scope,
//! attribute filters, time range, pagination, and CloudTrail's errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ACCOUNT, Harness, OTHER_ACCOUNT, REGION, event, event_ids, key_event, now};
use rampart_audit::UserIdentity;
use serde_json::{Value, json};
use time::Duration;

const KEY_A: &str = "arn:aws:kms:us-east-1:111122223333:key/aaaa";
const KEY_B: &str = "arn:aws:kms:us-east-1:111122223333:key/bbbb";

/// Six events over three log entries, one second apart: e1 (oldest) .. e6 (newest).
async fn fill(h: &Harness) {
    let t = now() - Duration::minutes(10);
    let at = |s: i64| t + Duration::seconds(s);
    h.append(&[
        key_event("e1", "CreateKey", at(1), KEY_A),
        key_event("e2", "DescribeKey", at(2), KEY_A),
    ])
    .await;
    let mut failed = key_event("e3", "DescribeKey", at(3), KEY_B);
    failed.error_code = Some("NotFoundException".to_owned());
    failed.error_message = Some("Key 'bbbb' does not exist".to_owned());
    h.append(&[failed, key_event("e4", "Encrypt", at(4), KEY_A)])
        .await;
    h.append(&[
        event("e5", "ListKeys", at(5)),
        event("e6", "CreateAlias", at(6)),
    ])
    .await;
}

async fn newest_first_with_every_field(h: &Harness) {
    fill(h).await;
    let out = h.ok(json!({})).await;
    assert_eq!(event_ids(&out), ["e6", "e5", "e4", "e3", "e2", "e1"]);
    assert!(out.get("NextToken").is_none(), "{out}");
    let e4 = &out["Events"][2];
    assert_eq!(e4["EventName"], "Encrypt");
    assert_eq!(e4["EventSource"], "kms.amazonaws.com");
    assert_eq!(e4["ReadOnly"], "false");
    assert_eq!(e4["Username"], "root");
    assert_eq!(e4["AccessKeyId"], "AKIAROOTKEY");
    assert_eq!(
        e4["Resources"],
        json!([{"ResourceType": "AWS::KMS::Key", "ResourceName": KEY_A}])
    );
    assert!(e4["EventTime"].is_number());
    let e5 = &out["Events"][1];
    assert_eq!(e5["ReadOnly"], "true");
    assert_eq!(e5["Resources"], json!([]));
    let record: Value = serde_json::from_str(e4["CloudTrailEvent"].as_str().unwrap()).unwrap();
    assert_eq!(record["eventID"], "e4");
    assert_eq!(record["userIdentity"]["type"], "Root");
    assert_eq!(record["recipientAccountId"], ACCOUNT);
    let failed = &out["Events"][3];
    let record: Value = serde_json::from_str(failed["CloudTrailEvent"].as_str().unwrap()).unwrap();
    assert_eq!(record["errorCode"], "NotFoundException");
}

async fn only_the_callers_account_and_region(h: &Harness) {
    fill(h).await;
    let mut other = event("x1", "CreateKey", now());
    other.recipient_account_id = OTHER_ACCOUNT.to_owned();
    let mut elsewhere = event("x2", "CreateKey", now());
    elsewhere.aws_region = "eu-west-1".to_owned();
    h.append(&[other, elsewhere]).await;
    let mine = h.ok(json!({})).await;
    assert_eq!(event_ids(&mine).len(), 6);
    let theirs = h.lookup_as(OTHER_ACCOUNT, REGION, json!({})).await.unwrap();
    assert_eq!(event_ids(&theirs), ["x1"]);
    let eu = h.lookup_as(ACCOUNT, "eu-west-1", json!({})).await.unwrap();
    assert_eq!(event_ids(&eu), ["x2"]);
}

async fn ids_for(h: &Harness, key: &str, value: &str) -> Vec<String> {
    let body = json!({"LookupAttributes": [{"AttributeKey": key, "AttributeValue": value}]});
    event_ids(&h.ok(body).await)
}

async fn every_lookup_attribute(h: &Harness) {
    fill(h).await;
    assert_eq!(ids_for(h, "EventId", "e3").await, ["e3"]);
    assert_eq!(ids_for(h, "EventName", "DescribeKey").await, ["e3", "e2"]);
    assert_eq!(ids_for(h, "ReadOnly", "true").await, ["e5", "e3", "e2"]);
    assert_eq!(ids_for(h, "ReadOnly", "false").await, ["e6", "e4", "e1"]);
    assert!(ids_for(h, "ReadOnly", "TRUE").await.is_empty());
    assert_eq!(ids_for(h, "Username", "root").await.len(), 6);
    assert_eq!(
        ids_for(h, "ResourceType", "AWS::KMS::Key").await,
        ["e4", "e3", "e2", "e1"]
    );
    assert_eq!(ids_for(h, "ResourceName", KEY_B).await, ["e3"]);
    assert_eq!(ids_for(h, "ResourceName", KEY_A).await, ["e4", "e2", "e1"]);
    assert_eq!(
        ids_for(h, "EventSource", "kms.amazonaws.com").await.len(),
        6
    );
    assert!(
        ids_for(h, "EventSource", "iam.amazonaws.com")
            .await
            .is_empty()
    );
    assert_eq!(ids_for(h, "AccessKeyId", "AKIAROOTKEY").await.len(), 6);
    assert!(ids_for(h, "AccessKeyId", "AKIAOTHER").await.is_empty());
    assert!(
        ids_for(h, "EventName", "describekey").await.is_empty(),
        "exact match"
    );
}

async fn usernames_of_other_identities(h: &Harness) {
    let mut user = event("u1", "CreateKey", now());
    user.user_identity = UserIdentity {
        identity_type: "IAMUser",
        principal_id: "AIDAEXAMPLE".to_owned(),
        arn: Some(format!("arn:aws:iam::{ACCOUNT}:user/ops/Alice")),
        account_id: ACCOUNT.to_owned(),
        access_key_id: Some("AKIAALICE".to_owned()),
        user_name: Some("Alice".to_owned()),
        session_context: None,
        invoked_by: None,
    };
    let mut role = event("u2", "CreateKey", now());
    role.user_identity = UserIdentity {
        identity_type: "AssumedRole",
        principal_id: "AROAEXAMPLE:deploy-42".to_owned(),
        arn: Some(format!(
            "arn:aws:sts::{ACCOUNT}:assumed-role/Deployer/deploy-42"
        )),
        account_id: ACCOUNT.to_owned(),
        access_key_id: Some("ASIADEPLOY".to_owned()),
        user_name: None,
        session_context: None,
        invoked_by: None,
    };
    h.append(&[user, role]).await;
    assert_eq!(ids_for(h, "Username", "Alice").await, ["u1"]);
    assert_eq!(ids_for(h, "Username", "deploy-42").await, ["u2"]);
    assert!(ids_for(h, "Username", "Deployer").await.is_empty());
    assert_eq!(ids_for(h, "AccessKeyId", "ASIADEPLOY").await, ["u2"]);
    let out = h.ok(json!({})).await;
    assert_eq!(out["Events"][0]["Username"], "deploy-42");
    assert_eq!(out["Events"][1]["Username"], "Alice");
}

async fn time_range_is_inclusive(h: &Harness) {
    let t = now() - Duration::hours(2);
    let at = |s: i64| t + Duration::seconds(s);
    for batch in 0..5 {
        let events: Vec<_> = (0..4)
            .map(|i| event(&format!("t{}", batch * 4 + i), "Encrypt", at(batch * 4 + i)))
            .collect();
        h.append(&events).await;
    }
    let epoch = |s: i64| at(s).unix_timestamp();
    let out = h
        .ok(json!({"StartTime": epoch(5), "EndTime": epoch(9)}))
        .await;
    assert_eq!(event_ids(&out), ["t9", "t8", "t7", "t6", "t5"]);
    let out = h.ok(json!({"EndTime": epoch(2)})).await;
    assert_eq!(event_ids(&out), ["t2", "t1", "t0"]);
    let out = h.ok(json!({"StartTime": epoch(18)})).await;
    assert_eq!(event_ids(&out), ["t19", "t18"]);
    let same = h
        .ok(json!({"StartTime": epoch(7), "EndTime": epoch(7)}))
        .await;
    assert_eq!(event_ids(&same), ["t7"]);
    // A StartTime after now is after the default EndTime (now).
    let future = h
        .err(json!({"StartTime": now().unix_timestamp() + 60}))
        .await;
    assert_eq!(future.code, "InvalidTimeRangeException");
    let err = h
        .err(json!({"StartTime": epoch(9), "EndTime": epoch(5)}))
        .await;
    assert_eq!(err.code, "InvalidTimeRangeException");
}

async fn history_reaches_back_90_days(h: &Harness) {
    let old = event("old", "CreateKey", now() - Duration::days(91));
    let recent = event("recent", "CreateKey", now() - Duration::days(89));
    h.append(&[old, recent]).await;
    assert_eq!(event_ids(&h.ok(json!({})).await), ["recent"]);
    let start = (now() - Duration::days(200)).unix_timestamp();
    assert_eq!(
        event_ids(&h.ok(json!({"StartTime": start})).await),
        ["recent"]
    );
}

async fn pages_of_one_follow_next_token(h: &Harness) {
    fill(h).await;
    let (ids, pages) = h.all_pages(json!({"MaxResults": 1})).await;
    assert_eq!(ids, ["e6", "e5", "e4", "e3", "e2", "e1"]);
    assert_eq!(pages, 6, "the last page carries no NextToken");
    let (ids, _) = h.all_pages(json!({"MaxResults": 4})).await;
    assert_eq!(ids, ["e6", "e5", "e4", "e3", "e2", "e1"]);
    let body = json!({"MaxResults": 1,
        "LookupAttributes": [{"AttributeKey": "ResourceName", "AttributeValue": KEY_A}]});
    let (ids, pages) = h.all_pages(body).await;
    assert_eq!(
        (ids, pages),
        (vec!["e4".into(), "e2".into(), "e1".into()], 3)
    );
    // Events logged after the first page do not shift the pages already being walked.
    let first = h.ok(json!({"MaxResults": 2})).await;
    h.append(&[event("e7", "CreateKey", now())]).await;
    let token = first["NextToken"].as_str().unwrap();
    let second = h.ok(json!({"MaxResults": 2, "NextToken": token})).await;
    assert_eq!(event_ids(&second), ["e4", "e3"]);
}

async fn next_token_errors(h: &Harness) {
    fill(h).await;
    let by_name = |name: &str| {
        json!({"MaxResults": 1,
            "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": name}]})
    };
    let first = h.ok(by_name("DescribeKey")).await;
    let token = first["NextToken"].as_str().unwrap().to_owned();
    let mut changed = by_name("CreateKey");
    changed["NextToken"] = json!(token);
    assert_eq!(h.err(changed).await.code, "InvalidNextTokenException");
    let other = h
        .lookup_as(
            OTHER_ACCOUNT,
            REGION,
            json!({"MaxResults": 1, "NextToken": token}),
        )
        .await
        .unwrap_err();
    assert_eq!(other.code, "InvalidNextTokenException");
    for bad in ["garbage", "", "eyJ9"] {
        let err = h.err(json!({"NextToken": bad})).await;
        assert_eq!(err.code, "InvalidNextTokenException", "{bad}");
    }
    let mut more = by_name("DescribeKey");
    more["MaxResults"] = json!(50);
    more["NextToken"] = json!(token);
    assert_eq!(
        event_ids(&h.ok(more).await),
        ["e2"],
        "MaxResults may change"
    );
}

async fn cloudtrail_exceptions(h: &Harness) {
    let attr = |k: &str, v: &str| json!({"AttributeKey": k, "AttributeValue": v});
    let cases = [
        (json!({"MaxResults": 0}), "InvalidMaxResultsException"),
        (json!({"MaxResults": 51}), "InvalidMaxResultsException"),
        (json!({"MaxResults": -3}), "InvalidMaxResultsException"),
        (
            json!({"EventCategory": "management"}),
            "InvalidEventCategoryException",
        ),
        (
            json!({"LookupAttributes": [attr("EventName", "A"), attr("EventName", "B")]}),
            "InvalidLookupAttributesException",
        ),
        (
            json!({"LookupAttributes": [attr("Region", "x")]}),
            "InvalidLookupAttributesException",
        ),
        (
            json!({"LookupAttributes": [attr("EventName", "")]}),
            "InvalidLookupAttributesException",
        ),
        (
            json!({"LookupAttributes": [{"AttributeKey": "EventName"}]}),
            "InvalidLookupAttributesException",
        ),
        (
            json!({"LookupAttributes": [attr("EventName", &"_".repeat(1001))]}),
            "InvalidLookupAttributesException",
        ),
        (
            json!({"EventCategory": "insight", "LookupAttributes": [attr("Username", "root")]}),
            "InvalidLookupAttributesException",
        ),
        (json!({"MaxResults": "ten"}), "SerializationException"),
        (json!({"Unknown": 1}), "SerializationException"),
    ];
    for (body, code) in cases {
        let err = h.err(body.clone()).await;
        assert_eq!(err.code, code, "{body}: {err}");
        assert_eq!(err.status, 400);
    }
    let long_ok = json!({"LookupAttributes": [attr("EventName", &"a".repeat(2000))]});
    assert!(event_ids(&h.ok(long_ok).await).is_empty());
    let insight = h.ok(json!({"EventCategory": "insight"})).await;
    assert_eq!(insight["Events"], json!([]));
    assert!(h.ok(json!({"LookupAttributes": []})).await["Events"].is_array());
}

async fn refused_lookups_are_audited_inputs(h: &Harness) {
    let ctx = common::context(ACCOUNT, REGION);
    let body = br#"{"MaxResults": 99, "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "X"}]}"#;
    let invocation =
        rampart_cloudtrail::generated::dispatch(&h.service, &ctx, "LookupEvents", body).await;
    assert_eq!(
        invocation.result.unwrap_err().code,
        "InvalidMaxResultsException"
    );
    let params = invocation.request_parameters.unwrap();
    assert_eq!(params["maxResults"], 99, "{params}");
    let other =
        rampart_cloudtrail::generated::dispatch(&h.service, &ctx, "DescribeTrails", b"{}").await;
    assert_eq!(
        other.result.unwrap_err().code,
        "UnsupportedOperationException"
    );
}

/// An IAM user needs `cloudtrail:LookupEvents`: without it (or with it denied) the trail
/// stays closed.
async fn lookup_needs_permission(h: &Harness) {
    use rampart_core::rampart_policy::{self, Policy, PolicyKind};
    use rampart_core::{CallerPolicies, PrincipalKind};
    fill(h).await;
    let as_user = |statement: Option<&str>| {
        let mut ctx = common::context(ACCOUNT, REGION);
        ctx.principal.kind = PrincipalKind::IamUser;
        ctx.principal.arn = format!("arn:aws:iam::{ACCOUNT}:user/eve");
        let identity = statement
            .map(|s| Policy::parse(s, PolicyKind::Identity).unwrap())
            .into_iter()
            .collect();
        ctx.caller = std::sync::Arc::new(CallerPolicies {
            principal: rampart_policy::Principal::user(ACCOUNT, "eve", "AIDAEVE"),
            identity,
            boundary: None,
            session: Vec::new(),
        });
        ctx
    };
    let lookup = |ctx: rampart_core::RequestContext| async move {
        rampart_cloudtrail::generated::dispatch(&h.service, &ctx, "LookupEvents", b"{}")
            .await
            .result
    };
    let err = lookup(as_user(None)).await.unwrap_err();
    assert_eq!(
        (err.code.as_ref(), err.status),
        ("AccessDeniedException", 400)
    );
    assert!(
        err.message
            .contains("cloudtrail:LookupEvents on resource: *"),
        "{}",
        err.message
    );
    let allow = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cloudtrail:LookupEvents","Resource":"*"}]}"#;
    assert!(lookup(as_user(Some(allow))).await.is_ok());
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"cloudtrail:*","Resource":"*"}]}"#;
    assert!(lookup(as_user(Some(deny))).await.is_err());
}

on_both_backends! {
    lookup_needs_permission => super::lookup_needs_permission;
    newest_first_with_every_field => super::newest_first_with_every_field;
    only_the_callers_account_and_region => super::only_the_callers_account_and_region;
    every_lookup_attribute => super::every_lookup_attribute;
    usernames_of_other_identities => super::usernames_of_other_identities;
    time_range_is_inclusive => super::time_range_is_inclusive;
    history_reaches_back_90_days => super::history_reaches_back_90_days;
    pages_of_one_follow_next_token => super::pages_of_one_follow_next_token;
    next_token_errors => super::next_token_errors;
    cloudtrail_exceptions => super::cloudtrail_exceptions;
    refused_lookups_are_audited_inputs => super::refused_lookups_are_audited_inputs;
}
