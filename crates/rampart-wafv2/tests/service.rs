//! WAFv2 over both store backends (SQLite, and PostgreSQL when `RAMPART_TEST_POSTGRES_URL` is
//! set), driven through the generated `dispatch` with botocore-shaped JSON: two concurrent
//! updates holding one lock token (exactly one commits), a reference held against a
//! concurrent delete, and a web ACL's capacity from its rule group.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rampart_codec::ServiceError;
use rampart_core::{AccountId, ManualClock, Principal, PrincipalKind, Region, RequestContext};
use rampart_store::testkit::TestStore;
use rampart_wafv2::Wafv2Service;
use serde_json::{Value, json};
use std::sync::Arc;
use time::OffsetDateTime;

fn root() -> RequestContext {
    let account = "111122223333";
    let principal = Principal {
        account: AccountId::parse(account).unwrap(),
        arn: format!("arn:aws:iam::{account}:root"),
        principal_id: account.into(),
        access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
        kind: PrincipalKind::Root,
        session: None,
    };
    RequestContext::new(principal, Region::new("us-east-1"))
}

async fn call(waf: &Wafv2Service, op: &str, body: Value) -> Result<Value, ServiceError> {
    let bytes = serde_json::to_vec(&body).unwrap();
    let invocation = rampart_wafv2::generated::dispatch(waf, &root(), op, &bytes).await;
    invocation
        .result
        .map(|out| serde_json::from_slice(&out).unwrap_or(Value::Null))
}

fn visibility() -> Value {
    json!({"SampledRequestsEnabled": false, "CloudWatchMetricsEnabled": false, "MetricName": "m"})
}

async fn each_backend(check: impl AsyncFn(&Wafv2Service)) {
    for backing in TestStore::all("wafv2").await.unwrap() {
        let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
        let waf = Wafv2Service::new(backing.store.clone(), clock);
        check(&waf).await;
        backing.cleanup().await.unwrap();
    }
}

#[tokio::test]
async fn one_lock_token_one_update() {
    each_backend(async |waf| {
        let made = call(
            waf,
            "CreateIPSet",
            json!({"Name": "office", "Scope": "REGIONAL",
            "IPAddressVersion": "IPV4", "Addresses": ["10.0.0.0/8"]}),
        )
        .await
        .unwrap();
        let summary = &made["Summary"];
        let update = |cidr: &str| {
            json!({"Name": "office", "Scope": "REGIONAL", "Id": summary["Id"],
                "LockToken": summary["LockToken"], "Addresses": [cidr]})
        };
        let (a, b) = tokio::join!(
            call(waf, "UpdateIPSet", update("10.1.0.0/16")),
            call(waf, "UpdateIPSet", update("10.2.0.0/16"))
        );
        let refused: Vec<ServiceError> = [a, b].into_iter().filter_map(Result::err).collect();
        assert_eq!(refused.len(), 1, "{refused:?}");
        assert_eq!(refused[0].code, "WAFOptimisticLockException");
    })
    .await;
}

#[tokio::test]
async fn references_capacity_and_in_use() {
    each_backend(async |waf| {
        let rule = json!({"Name": "geo", "Priority": 0, "Action": {"Block": {}},
            "Statement": {"GeoMatchStatement": {"CountryCodes": ["FR"]}}, "VisibilityConfig": visibility()});
        let group = call(waf, "CreateRuleGroup", json!({"Name": "g", "Scope": "REGIONAL",
            "Capacity": 40, "Rules": [rule], "VisibilityConfig": visibility()}))
        .await
        .unwrap();
        let group = &group["Summary"];
        let reference = json!({"Name": "grp", "Priority": 0, "OverrideAction": {"Count": {}},
            "Statement": {"RuleGroupReferenceStatement": {"ARN": group["ARN"]}}, "VisibilityConfig": visibility()});
        let acl = call(waf, "CreateWebACL", json!({"Name": "acl", "Scope": "REGIONAL",
            "DefaultAction": {"Allow": {}}, "Rules": [reference], "VisibilityConfig": visibility()}))
        .await
        .unwrap();
        let got = call(waf, "GetWebACL", json!({"ARN": acl["Summary"]["ARN"]})).await.unwrap();
        assert_eq!(got["WebACL"]["Capacity"], 40);
        let delete = json!({"Name": "g", "Scope": "REGIONAL", "Id": group["Id"], "LockToken": group["LockToken"]});
        let err = call(waf, "DeleteRuleGroup", delete.clone()).await.unwrap_err();
        assert_eq!(err.code, "WAFAssociatedItemException");
        let acl_delete = json!({"Name": "acl", "Scope": "REGIONAL", "Id": acl["Summary"]["Id"],
            "LockToken": got["LockToken"]});
        call(waf, "DeleteWebACL", acl_delete).await.unwrap();
        call(waf, "DeleteRuleGroup", delete).await.unwrap();
    })
    .await;
}
