//! The aliases' index by target key: kept with every alias write, used when a key is deleted,
//! and built once for aliases stored before it existed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Harness;
use rampart_store::{Expect, Write};
use serde_json::json;

const INDEX: &str = "kms_aliases#target";

async fn entries(h: &Harness) -> Vec<String> {
    h.store.scan_keys(INDEX, "", None, 1000).await.unwrap()
}

#[tokio::test]
async fn alias_writes_keep_one_entry_per_alias() {
    let h = Harness::new().await;
    let (a, _) = h.create_key().await;
    let (b, _) = h.create_key().await;
    h.ok(
        "CreateAlias",
        json!({"AliasName": "alias/one", "TargetKeyId": a}),
    )
    .await;
    h.ok(
        "CreateAlias",
        json!({"AliasName": "alias/two", "TargetKeyId": a}),
    )
    .await;
    assert_eq!(entries(&h).await.len(), 2);
    h.ok(
        "UpdateAlias",
        json!({"AliasName": "alias/one", "TargetKeyId": b}),
    )
    .await;
    let now = entries(&h).await;
    assert_eq!(now.len(), 2, "{now:?}");
    assert!(
        now.iter().any(|e| e.starts_with(&format!("{b}/"))),
        "{now:?}"
    );
    h.ok("DeleteAlias", json!({"AliasName": "alias/one"})).await;
    assert_eq!(entries(&h).await.len(), 1);
}

#[tokio::test]
async fn older_aliases_are_indexed_once_and_deleted_with_their_key() {
    let h = Harness::new().await;
    let (key, _) = h.create_key().await;
    h.ok(
        "CreateAlias",
        json!({"AliasName": "alias/old", "TargetKeyId": key}),
    )
    .await;
    // As stored before the index existed: the alias row without its entry.
    let stale: Vec<Write> = entries(&h)
        .await
        .into_iter()
        .map(|key| Write::Delete {
            table: INDEX,
            key,
            expect: Expect::Any,
        })
        .collect();
    h.store.transact(stale).await.unwrap();
    assert!(entries(&h).await.is_empty());
    assert_eq!(h.kms.backfill_alias_index().await.unwrap(), 1);
    assert_eq!(entries(&h).await.len(), 1);
    assert_eq!(h.kms.backfill_alias_index().await.unwrap(), 0, "built once");

    h.ok(
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 7}),
    )
    .await;
    h.advance(8 * 86_400);
    h.kms.delete_due_keys().await.unwrap();
    let listed = h.ok("ListAliases", json!({})).await;
    let names: Vec<&str> = listed["Aliases"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["AliasName"].as_str())
        .collect();
    assert!(!names.contains(&"alias/old"), "{names:?}");
    assert!(entries(&h).await.is_empty());
}
