//! Versions in rows of their own, over both store backends (see `common`): a history past 100
//! versions with labels, history pages read across the version rows, deletion removing every
//! row, and parameter rows of the first layout (every version inline) read and then moved
//! into version rows by their next write.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ACCOUNT, Harness};
use rampart_store::{Expect, Write, encode_record};
use serde_json::{Value, json};

const ROW_PREFIX: &str = "111122223333/us-east-1/";

/// Puts versions `from..=to` of `name` (value `v<n>`).
async fn put_versions(h: &Harness, name: &str, from: i64, to: i64) {
    for n in from..=to {
        let put = json!({"Name": name, "Value": format!("v{n}"), "Type": "String",
            "Overwrite": n > 1});
        let out = h.call("PutParameter", put).await.unwrap();
        assert_eq!(out["Version"], n);
    }
}

/// Every entry of GetParameterHistory for `name`, reading pages of `page`.
async fn history(h: &Harness, name: &str, page: i64) -> Vec<Value> {
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut req = json!({"Name": name, "MaxResults": page});
        if let Some(t) = &token {
            req["NextToken"] = json!(t);
        }
        let out = h.call("GetParameterHistory", req).await.unwrap();
        let entries = out["Parameters"].as_array().unwrap();
        assert!(entries.len() <= usize::try_from(page).unwrap());
        all.extend(entries.iter().cloned());
        match out["NextToken"].as_str() {
            Some(t) => token = Some(t.to_owned()),
            None => return all,
        }
    }
}

/// The keys of the version rows of `table` (every parameter).
async fn keys(h: &Harness, table: &'static str) -> Vec<String> {
    let rows = h.store.scan(table, "", None, 1000).await.unwrap();
    rows.into_iter().map(|r| r.key).collect()
}

async fn value_of(h: &Harness, name: &str) -> Result<String, String> {
    match h.call("GetParameter", json!({"Name": name})).await {
        Ok(out) => Ok(out["Parameter"]["Value"].as_str().unwrap().to_owned()),
        Err(e) => Err(e.code.to_string()),
    }
}

#[tokio::test]
async fn a_long_history_with_labels_lives_in_version_rows() {
    for h in Harness::all().await {
        put_versions(&h, "/long/p", 1, 100).await;
        let label = json!({"Name": "/long/p", "ParameterVersion": 1, "Labels": ["first"]});
        h.call("LabelParameterVersion", label).await.unwrap();
        let full = json!({"Name": "/long/p", "Value": "v101", "Overwrite": true});
        let refused = h.call("PutParameter", full.clone()).await.unwrap_err();
        assert_eq!(refused.code, "ParameterMaxVersionLimitExceeded");
        assert!(
            refused.message.contains("Version 1, the oldest"),
            "{refused:?}"
        );
        assert_eq!(keys(&h, "ssm_versions").await.len(), 100, "nothing changed");
        let moved = json!({"Name": "/long/p", "ParameterVersion": 50, "Labels": ["first"]});
        h.call("LabelParameterVersion", moved).await.unwrap();
        put_versions(&h, "/long/p", 101, 105).await;
        let rows = keys(&h, "ssm_versions").await;
        assert_eq!(rows.len(), 100);
        assert_eq!(rows[0], format!("{ROW_PREFIX}long/p#{:019}", 6));
        assert_eq!(
            value_of(&h, "/long/p:5").await,
            Err("ParameterVersionNotFound".into())
        );
        assert_eq!(value_of(&h, "/long/p:6").await, Ok("v6".into()));
        assert_eq!(value_of(&h, "/long/p:first").await, Ok("v50".into()));
        assert_eq!(value_of(&h, "/long/p").await, Ok("v105".into()));
        // The parameter row holds the latest version only: small whatever the history.
        let row = h
            .store
            .get("ssm_parameters", &format!("{ROW_PREFIX}long/p"))
            .await;
        let size = row.unwrap().unwrap().value.len();
        assert!(size < 1024, "parameter row of {size} bytes");
        h.cleanup().await;
    }
}

#[tokio::test]
async fn history_pages_cross_rows_and_labels_move() {
    for h in Harness::all().await {
        put_versions(&h, "/h/p", 1, 12).await;
        let label = |v: i64, l: &str| json!({"Name": "/h/p", "ParameterVersion": v, "Labels": [l]});
        h.call("LabelParameterVersion", label(3, "x"))
            .await
            .unwrap();
        h.call("LabelParameterVersion", label(3, "y"))
            .await
            .unwrap();
        h.call("LabelParameterVersion", label(7, "x"))
            .await
            .unwrap();
        let unlabel = json!({"Name": "/h/p", "ParameterVersion": 3, "Labels": ["y", "z"]});
        let out = h.call("UnlabelParameterVersion", unlabel).await.unwrap();
        assert_eq!(out["RemovedLabels"], json!(["y"]));
        assert_eq!(out["InvalidLabels"], json!(["z"]));
        for page in [1, 5, 12, 50] {
            let all = history(&h, "/h/p", page).await;
            let versions: Vec<i64> = all.iter().map(|e| e["Version"].as_i64().unwrap()).collect();
            assert_eq!(versions, (1..=12).collect::<Vec<_>>(), "pages of {page}");
            assert_eq!(all[2]["Labels"], json!([]));
            assert_eq!(all[6]["Labels"], json!(["x"]));
            assert_eq!(all[6]["Value"], "v7");
        }
        let missing = json!({"Name": "/h/p", "ParameterVersion": 13, "Labels": ["q"]});
        let e = h.call("LabelParameterVersion", missing).await.unwrap_err();
        assert_eq!(e.code, "ParameterVersionNotFound");
        let by_label = json!({"Path": "/h", "ParameterFilters":
            [{"Key": "Label", "Values": ["x"]}]});
        let found = h.call("GetParametersByPath", by_label).await.unwrap();
        assert_eq!(found["Parameters"][0]["Version"], 12);
        h.cleanup().await;
    }
}

#[tokio::test]
async fn deleting_removes_every_version_row_and_no_other() {
    for h in Harness::all().await {
        put_versions(&h, "/d/p", 1, 3).await;
        put_versions(&h, "/d/p/child", 1, 2).await;
        put_versions(&h, "/d/q", 1, 2).await;
        h.call("DeleteParameter", json!({"Name": "/d/p"}))
            .await
            .unwrap();
        let left = keys(&h, "ssm_versions").await;
        assert_eq!(left.len(), 4, "{left:?}");
        assert!(left.iter().all(|k| !k.contains("d/p#")), "{left:?}");
        assert_eq!(history(&h, "/d/p/child", 50).await.len(), 2);
        let gone = h.call("GetParameterHistory", json!({"Name": "/d/p"})).await;
        assert_eq!(gone.unwrap_err().code, "ParameterNotFound");
        let both = json!({"Names": ["/d/p/child", "/d/q", "/d/none"]});
        let out = h.call("DeleteParameters", both).await.unwrap();
        assert_eq!(out["InvalidParameters"], json!(["/d/none"]));
        assert!(keys(&h, "ssm_versions").await.is_empty());
        assert!(keys(&h, "ssm_parameters").await.is_empty());
        // A parameter made again starts a fresh history.
        put_versions(&h, "/d/p", 1, 1).await;
        assert_eq!(history(&h, "/d/p", 50).await.len(), 1);
        h.cleanup().await;
    }
}

/// A parameter row as the first layout wrote it: `count` String versions inline (value
/// `old<n>`), `label` on version `labelled`, one tag.
fn first_layout_row(name: &str, count: i64, labelled: i64, label: &str) -> Value {
    let versions: Vec<Value> = (1..=count)
        .map(|n| {
            let labels = if n == labelled {
                json!([label])
            } else {
                json!([])
            };
            json!({"version": n, "type": "String", "value": format!("old{n}"),
                "tier": "Standard", "data_type": "text", "description": "kept",
                "allowed_pattern": null, "key_id": null, "labels": labels, "policies": [],
                "modified_ms": 1_700_000_000_000_i64 + n, "modified_user":
                format!("arn:aws:iam::{ACCOUNT}:root")})
        })
        .collect();
    json!({"name": name, "versions": versions, "tags": [["team", "a"]]})
}

async fn store_first_layout(h: &Harness, name: &str, row: Value) {
    let key = format!("{ROW_PREFIX}{}", name.trim_start_matches('/'));
    let put = Write::Put {
        table: "ssm_parameters",
        key,
        value: encode_record(&row).unwrap(),
        expect: Expect::Absent,
    };
    h.store.transact(vec![put]).await.unwrap();
}

#[tokio::test]
async fn first_layout_rows_are_read_then_moved_into_rows() {
    for h in Harness::all().await {
        store_first_layout(&h, "/old/p", first_layout_row("/old/p", 3, 1, "a")).await;
        assert_eq!(value_of(&h, "/old/p").await, Ok("old3".into()));
        assert_eq!(value_of(&h, "/old/p:2").await, Ok("old2".into()));
        assert_eq!(value_of(&h, "/old/p:a").await, Ok("old1".into()));
        let entries = history(&h, "/old/p", 2).await;
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0]["Labels"], json!(["a"]));
        let described = h.call("DescribeParameters", json!({})).await.unwrap();
        assert_eq!(described["Parameters"][0]["Version"], 3);
        assert_eq!(described["Parameters"][0]["Description"], "kept");
        let tags = json!({"ResourceType": "Parameter", "ResourceId": "/old/p"});
        let listed = h.call("ListTagsForResource", tags).await.unwrap();
        assert_eq!(listed["TagList"], json!([{"Key": "team", "Value": "a"}]));
        assert!(
            keys(&h, "ssm_versions").await.is_empty(),
            "reads write nothing"
        );
        put_versions(&h, "/old/p", 4, 4).await;
        assert_eq!(keys(&h, "ssm_versions").await.len(), 4);
        let raw = h
            .store
            .get("ssm_parameters", &format!("{ROW_PREFIX}old/p"))
            .await;
        let raw = String::from_utf8_lossy(&raw.unwrap().unwrap().value).to_string();
        assert!(
            !raw.contains("\"versions\"") && !raw.contains("old2"),
            "{raw}"
        );
        let entries = history(&h, "/old/p", 50).await;
        let values: Vec<&str> = entries
            .iter()
            .map(|e| e["Value"].as_str().unwrap())
            .collect();
        assert_eq!(values, ["old1", "old2", "old3", "v4"]);
        assert_eq!(entries[0]["Labels"], json!(["a"]));
        assert_eq!(entries[0]["Description"], "kept");
        h.cleanup().await;
    }
}

#[tokio::test]
async fn a_full_first_layout_history_drops_its_oldest_when_moved() {
    for h in Harness::all().await {
        store_first_layout(&h, "/old/full", first_layout_row("/old/full", 100, 1, "a")).await;
        let next = json!({"Name": "/old/full", "Value": "v101", "Overwrite": true});
        let e = h.call("PutParameter", next.clone()).await.unwrap_err();
        assert_eq!(e.code, "ParameterMaxVersionLimitExceeded");
        let moved = json!({"Name": "/old/full", "ParameterVersion": 2, "Labels": ["a"]});
        h.call("LabelParameterVersion", moved).await.unwrap();
        // The label change alone moved the versions into rows.
        assert_eq!(keys(&h, "ssm_versions").await.len(), 100);
        h.call("PutParameter", next).await.unwrap();
        let rows = keys(&h, "ssm_versions").await;
        assert_eq!(rows.len(), 100);
        assert_eq!(rows[0], format!("{ROW_PREFIX}old/full#{:019}", 2));
        assert_eq!(value_of(&h, "/old/full:a").await, Ok("old2".into()));
        h.call("DeleteParameter", json!({"Name": "/old/full"}))
            .await
            .unwrap();
        assert!(keys(&h, "ssm_versions").await.is_empty());
        h.cleanup().await;
    }
}

#[tokio::test]
async fn a_first_layout_row_is_deleted_whole() {
    for h in Harness::all().await {
        store_first_layout(&h, "plain", first_layout_row("plain", 2, 2, "b")).await;
        assert_eq!(value_of(&h, "plain:b").await, Ok("old2".into()));
        h.call("DeleteParameter", json!({"Name": "plain"}))
            .await
            .unwrap();
        assert!(keys(&h, "ssm_parameters").await.is_empty());
        assert_eq!(value_of(&h, "plain").await, Err("ParameterNotFound".into()));
        h.cleanup().await;
    }
}
