//! Parameter Store over both store backends (see `common`), driven through the generated
//! `dispatch` with botocore-shaped JSON: what the rows hold, the events committed with each change, the policy
//! job on a manual clock, and the operations not served.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ACCOUNT, Harness, root};
use rampart_core::{Clock, JobContext};
use serde_json::{Value, json};
use time::OffsetDateTime;

#[tokio::test]
async fn secrets_manager_references_read_through_and_keep_nothing() {
    const REF: &str = "/aws/reference/secretsmanager/app/db";
    for h in Harness::all().await {
        let made = h
            .secrets_call(
                "CreateSecret",
                json!({"Name": "app/db", "SecretString": "canary-7f3e"}),
            )
            .await;
        let bin = json!({"Name": "app/bin", "SecretBinary": "AAEC"});
        h.secrets_call("CreateSecret", bin).await;
        let plain = h.call("GetParameter", json!({"Name": REF})).await;
        assert_eq!(plain.unwrap_err().code, "ValidationException");
        let got = h
            .call("GetParameter", json!({"Name": REF, "WithDecryption": true}))
            .await
            .unwrap();
        let p = &got["Parameter"];
        assert_eq!(p["Value"], "canary-7f3e");
        assert_eq!(p["ARN"], made["ARN"]);
        let source: Value = serde_json::from_str(p["SourceResult"].as_str().unwrap()).unwrap();
        assert_eq!(source["versionId"], made["VersionId"]);
        let bin_ref = "/aws/reference/secretsmanager/app/bin";
        let got = h
            .call(
                "GetParameter",
                json!({"Name": bin_ref, "WithDecryption": true}),
            )
            .await
            .unwrap();
        assert_eq!(got["Parameter"].get("Value"), None);
        let source = got["Parameter"]["SourceResult"].as_str().unwrap();
        assert!(source.contains(r#""secretBinary":"AAEC""#), "{source}");
        // The trail's responseElements leave the value (and the SourceResult holding it) out.
        let body = serde_json::to_vec(&json!({"Name": REF, "WithDecryption": true})).unwrap();
        let call = rampart_ssm::generated::dispatch(&h.ssm, &root(), "GetParameter", &body).await;
        let trail = call.response_elements.unwrap().to_string();
        assert!(
            trail.contains("/aws/reference/") && !trail.contains("canary-7f3e"),
            "{trail}"
        );
        // The reference is stateless: Parameter Store holds no row for it.
        let rows = h.store.scan("ssm_parameters", "", None, 10).await.unwrap();
        assert!(rows.is_empty());
        h.cleanup().await;
    }
}

#[tokio::test]
async fn rows_hold_ciphertext_and_events_commit_with_changes() {
    for h in Harness::all().await {
        let secret = format!("canary-{}", uuid::Uuid::new_v4());
        let put = json!({"Name": "/app/pw", "Value": secret, "Type": "SecureString"});
        h.call("PutParameter", put).await.unwrap();
        let rows = h.store.scan("ssm_parameters", "", None, 10).await.unwrap();
        assert_eq!(rows.len(), 1);
        let raw = String::from_utf8_lossy(&rows[0].value).to_string();
        assert!(
            !raw.contains(&secret),
            "{}: plaintext in the row",
            h.store.backend_name()
        );
        let got = h
            .call(
                "GetParameter",
                json!({"Name": "/app/pw", "WithDecryption": true}),
            )
            .await
            .unwrap();
        assert_eq!(got["Parameter"]["Value"], secret);
        let big = secret.repeat(120);
        let put = json!({"Name": "/app/big", "Value": big, "Type": "SecureString",
            "Tier": "Advanced"});
        h.call("PutParameter", put).await.unwrap();
        let got = h
            .call(
                "GetParameter",
                json!({"Name": "/app/big", "WithDecryption": true}),
            )
            .await
            .unwrap();
        assert_eq!(got["Parameter"]["Value"], big);
        for table in ["ssm_parameters", "ssm_versions"] {
            let rows = h.store.scan(table, "", None, 10).await.unwrap();
            assert_eq!(rows.len(), 2, "{table}");
            assert!(
                rows.iter()
                    .all(|r| !String::from_utf8_lossy(&r.value).contains(&secret)),
                "{table}: plaintext in a row"
            );
        }
        for name in ["/app/big", "/app/pw"] {
            h.call("DeleteParameter", json!({"Name": name}))
                .await
                .unwrap();
        }
        let events = h.events().await;
        let ops: Vec<&str> = events
            .iter()
            .map(|e| e["detail"]["operation"].as_str().unwrap())
            .collect();
        assert_eq!(ops, ["Create", "Create", "Delete", "Delete"]);
        assert_eq!(events[0]["detail_type"], "Parameter Store Change");
        assert_eq!(events[0]["detail"]["type"], "SecureString");
        assert_eq!(
            events[0]["resources"][0],
            format!("arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/app/pw")
        );
        let e = h
            .call("PutParameter", json!({"Name": "/x", "Value": "v"}))
            .await;
        assert_eq!(e.unwrap_err().code, "ValidationException");
        assert!(
            h.events().await.is_empty(),
            "a refused put published nothing"
        );
        h.cleanup().await;
    }
}

#[tokio::test]
async fn expiration_policy_deletes_at_its_time_once() {
    for h in Harness::all().await {
        let start = h.clock.now();
        let at = start + time::Duration::hours(2);
        let stamp = at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        let policies = json!([
            {"Type": "Expiration", "Version": "1.0", "Attributes": {"Timestamp": stamp}},
            {"Type": "ExpirationNotification", "Version": "1.0",
             "Attributes": {"Before": "1", "Unit": "Hours"}}
        ]);
        let put = json!({"Name": "/tmp/p", "Value": "v", "Type": "String", "Tier": "Advanced",
            "Policies": policies.to_string()});
        h.call("PutParameter", put).await.unwrap();
        h.events().await;
        let ms = |t: OffsetDateTime| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap();
        let early = JobContext::at(ms(start + time::Duration::minutes(30)));
        assert_eq!(h.ssm.run_due_policies(&early).await.unwrap(), 0);
        let notice = JobContext::at(ms(start + time::Duration::minutes(90)));
        assert_eq!(h.ssm.run_due_policies(&notice).await.unwrap(), 1);
        let described = h.call("DescribeParameters", json!({})).await.unwrap();
        let statuses: Vec<String> = described["Parameters"][0]["Policies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| format!("{}={}", p["PolicyType"], p["PolicyStatus"]))
            .collect();
        assert_eq!(
            statuses,
            [
                "\"Expiration\"=\"Pending\"",
                "\"ExpirationNotification\"=\"Finished\""
            ]
        );
        assert!(
            h.call("GetParameter", json!({"Name": "/tmp/p"}))
                .await
                .is_ok()
        );
        let late = JobContext::at(ms(at + time::Duration::minutes(1)));
        assert_eq!(h.ssm.run_due_policies(&late).await.unwrap(), 1);
        let gone = h.call("GetParameter", json!({"Name": "/tmp/p"})).await;
        assert_eq!(gone.unwrap_err().code, "ParameterNotFound");
        let versions = h.store.scan("ssm_versions", "", None, 10).await.unwrap();
        assert!(
            versions.is_empty(),
            "the expired parameter's version rows are gone"
        );
        assert_eq!(h.ssm.run_due_policies(&late).await.unwrap(), 0);
        let kinds: Vec<String> = h
            .events()
            .await
            .iter()
            .map(|e| format!("{}/{}", e["detail_type"], e["detail"]["policy-type"]))
            .collect();
        assert_eq!(
            kinds,
            [
                "\"Parameter Store Policy Action\"/\"ExpirationNotification\"",
                "\"Parameter Store Policy Action\"/\"Expiration\"",
                "\"Parameter Store Change\"/null"
            ]
        );
        h.cleanup().await;
    }
}

#[tokio::test]
async fn a_newer_version_makes_older_policy_items_stale() {
    for h in Harness::all().await {
        let at = h.clock.now() + time::Duration::hours(1);
        let stamp = at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        let policies =
            json!([{"Type": "Expiration", "Version": "1.0", "Attributes": {"Timestamp": stamp}}]);
        let put = json!({"Name": "/s/p", "Value": "v", "Type": "String", "Tier": "Advanced",
            "Policies": policies.to_string()});
        h.call("PutParameter", put).await.unwrap();
        let none = json!({"Name": "/s/p", "Value": "w", "Overwrite": true, "Policies": "[]"});
        h.call("PutParameter", none).await.unwrap();
        let later = (at.unix_timestamp() + 60) * 1000;
        assert_eq!(
            h.ssm
                .run_due_policies(&JobContext::at(later))
                .await
                .unwrap(),
            0
        );
        assert!(
            h.call("GetParameter", json!({"Name": "/s/p"}))
                .await
                .is_ok()
        );
        h.cleanup().await;
    }
}

#[tokio::test]
async fn operations_outside_parameter_store_are_not_served() {
    let h = Harness::all().await.remove(0);
    for op in ["SendCommand", "CreateDocument", "GetInventory"] {
        let e = h.call(op, json!({})).await.unwrap_err();
        assert_eq!(e.code, "UnsupportedOperationException");
        assert!(e.message.contains(op), "{}", e.message);
    }
    h.cleanup().await;
}
