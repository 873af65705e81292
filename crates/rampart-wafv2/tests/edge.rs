//! The edge filter over a real store (SQLite, and PostgreSQL when configured): a web ACL
//! created and associated through the API is enforced after a refresh, a blocked address
//! gets API Gateway's 403, a challenge issues a token that then passes, and the request is
//! sampled and logged; disassociating stops enforcement.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rampart_codec::ServiceError;
use rampart_core::{AccountId, ManualClock, Principal, PrincipalKind, Region, RequestContext};
use rampart_crypto::root::{Domain, RootKey};
use rampart_module::edge_filter::{FilterRequest, RequestFilter, Verdict};
use rampart_store::testkit::TestStore;
use rampart_wafv2::Wafv2Service;
use rampart_wafv2::edge::WafFilter;
use rampart_wafv2::record::Tables;
use serde_json::{Value, json};
use std::sync::Arc;
use time::OffsetDateTime;

const STAGE: &str = "arn:aws:apigateway:us-east-1::/restapis/abc123/stages/prod";

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

fn visibility(name: &str) -> Value {
    json!({"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": name})
}

fn check(filter: &WafFilter, ip: &str, path: &str, cookie: Option<&str>) -> Verdict {
    let mut headers = http::HeaderMap::new();
    if let Some(cookie) = cookie {
        headers.insert(http::header::COOKIE, cookie.parse().unwrap());
    }
    filter.check(&FilterRequest {
        client_ip: ip.parse().unwrap(),
        method: &http::Method::GET,
        path,
        query: "",
        headers: &headers,
        http_version: "HTTP/1.1",
        body_prefix: b"",
        body_len: None,
        stage_arn: STAGE,
        request_id: "req-1",
    })
}

fn status(verdict: &Verdict) -> u16 {
    match verdict {
        Verdict::Allow(_) => 200,
        Verdict::Respond(r) => r.status().as_u16(),
    }
}

async fn protect(waf: &Wafv2Service) -> String {
    let ip_set = call(
        waf,
        "CreateIPSet",
        json!({"Name": "bad", "Scope": "REGIONAL",
        "IPAddressVersion": "IPV4", "Addresses": ["192.0.2.9/32"]}),
    )
    .await
    .unwrap();
    let rules = json!([
        {"Name": "bad-ip", "Priority": 0, "Action": {"Block": {}},
         "Statement": {"IPSetReferenceStatement": {"ARN": ip_set["Summary"]["ARN"]}},
         "VisibilityConfig": visibility("bad-ip")},
        {"Name": "challenge", "Priority": 1, "Action": {"Challenge": {}},
         "Statement": {"ByteMatchStatement": {"SearchString": "L2NoYWxsZW5nZQ==",
            "FieldToMatch": {"UriPath": {}}, "PositionalConstraint": "STARTS_WITH",
            "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}},
         "VisibilityConfig": visibility("challenge")}]);
    let acl = call(
        waf,
        "CreateWebACL",
        json!({"Name": "acl", "Scope": "REGIONAL",
        "DefaultAction": {"Allow": {}}, "Rules": rules, "VisibilityConfig": visibility("acl")}),
    )
    .await
    .unwrap();
    let arn = acl["Summary"]["ARN"].as_str().unwrap().to_owned();
    call(waf, "PutLoggingConfiguration", json!({"LoggingConfiguration": {"ResourceArn": arn,
        "LogDestinationConfigs": ["arn:aws:logs:us-east-1:111122223333:log-group:aws-waf-logs-x"]}}))
    .await
    .unwrap();
    call(
        waf,
        "AssociateWebACL",
        json!({"WebACLArn": arn, "ResourceArn": STAGE}),
    )
    .await
    .unwrap();
    arn
}

#[tokio::test]
async fn associated_web_acls_are_enforced_sampled_and_logged() {
    for backing in TestStore::all("wafv2_edge").await.unwrap() {
        let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
        let waf = Wafv2Service::new(backing.store.clone(), clock.clone());
        let dir = std::env::temp_dir().join(format!("waf-logs-{}", uuid::Uuid::new_v4()));
        let key = RootKey::generate().domain_key(Domain::Waf);
        let tables = Tables::new(&backing.store);
        let filter = WafFilter::new(tables, clock, key, waf.shared(), Some(dir.clone()), None);
        filter.refresh().await.unwrap();
        assert_eq!(
            status(&check(&filter, "192.0.2.9", "/", None)),
            200,
            "nothing associated yet"
        );

        let arn = protect(&waf).await;
        filter.refresh().await.unwrap();
        let blocked = check(&filter, "192.0.2.9", "/", None);
        let Verdict::Respond(answer) = blocked else {
            panic!("not blocked")
        };
        assert_eq!(answer.status(), 403);
        assert_eq!(answer.body().as_ref(), br#"{"message":"Forbidden"}"#);
        assert_eq!(status(&check(&filter, "192.0.2.1", "/", None)), 200);

        let Verdict::Respond(challenged) = check(&filter, "192.0.2.1", "/challenge", None) else {
            panic!("not challenged")
        };
        assert_eq!(challenged.status(), 202);
        let cookie = challenged.headers()["set-cookie"].to_str().unwrap();
        let cookie = cookie.split(';').next().unwrap().to_owned();
        assert_eq!(
            status(&check(&filter, "192.0.2.1", "/challenge", Some(&cookie))),
            200
        );
        assert_eq!(
            status(&check(&filter, "192.0.2.2", "/challenge", Some(&cookie))),
            202
        );

        let now = OffsetDateTime::now_utc().unix_timestamp();
        let samples = call(
            &waf,
            "GetSampledRequests",
            json!({"WebAclArn": arn,
            "RuleMetricName": "bad-ip", "Scope": "REGIONAL", "MaxItems": 10,
            "TimeWindow": {"StartTime": now - 60, "EndTime": now + 60}}),
        )
        .await
        .unwrap();
        assert_eq!(samples["PopulationSize"], 1);
        assert_eq!(samples["SampledRequests"][0]["Action"], "BLOCK");
        let log = std::fs::read_to_string(dir.join("acl.log")).unwrap();
        let first: Value = serde_json::from_str(log.lines().next().unwrap()).unwrap();
        assert_eq!(first["terminatingRuleId"], "bad-ip");
        assert_eq!(first["httpSourceId"], "111122223333:abc123:prod");
        assert!(
            filter
                .metrics()
                .unwrap()
                .contains(r#"rule="bad-ip",action="blocked"} 1"#)
        );

        call(&waf, "DisassociateWebACL", json!({"ResourceArn": STAGE}))
            .await
            .unwrap();
        filter.refresh().await.unwrap();
        assert_eq!(status(&check(&filter, "192.0.2.9", "/", None)), 200);
        let _ = std::fs::remove_dir_all(&dir);
        backing.cleanup().await.unwrap();
    }
}
