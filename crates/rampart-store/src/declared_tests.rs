//! `Store::restrict_tables`: once the modules declared their tables, a write naming another
//! table is refused in every clone of the handle, and nothing of its transaction is applied.

#![allow(clippy::unwrap_used)]

use crate::{Expect, Store, Write};

fn put(table: &'static str, key: &str) -> Write {
    Write::Put {
        table,
        key: key.to_owned(),
        value: b"v".to_vec(),
        expect: Expect::Any,
    }
}

#[tokio::test]
async fn writes_outside_the_declared_tables_are_refused_after_the_declaration() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite(&dir.path().join("db")).await.unwrap();
    let clone = store.clone();
    store.transact(vec![put("other_rows", "a")]).await.unwrap();
    assert!(store.restrict_tables(["kms_keys"]));
    assert!(
        !store.restrict_tables(["other_rows"]),
        "only the first declaration counts"
    );
    let refused = clone
        .transact(vec![put("kms_keys", "k"), put("other_rows", "b")])
        .await
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("table other_rows is not declared"),
        "{refused}"
    );
    assert!(store.get("kms_keys", "k").await.unwrap().is_none());
    clone.transact(vec![put("kms_keys", "k")]).await.unwrap();
    assert!(store.get("kms_keys", "k").await.unwrap().is_some());
}
