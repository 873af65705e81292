//! Conformance checks on keys-only scans, multi-row reads and indexed tables.

use super::{T, TestFailure, TestResult, put};
use crate::{Expect, Index, IndexedTable, Store, StoreError};

/// `scan_keys` returns exactly the keys `scan` does; `get_many` answers in the given order,
/// `None` for missing rows, repeated keys repeated.
pub async fn scan_keys_and_get_many(store: &Store) -> TestResult {
    let keys = ["p/1", "p/2", "p/3", "p%", "q/1", "p/2/x"];
    store
        .transact(keys.iter().map(|k| put(k, k, Expect::Absent)).collect())
        .await?;
    store
        .transact(vec![put("p/2", "two", Expect::Version(1))])
        .await?;
    for (prefix, after, limit) in [("p/", None, 10), ("p", Some("p/2"), 2), ("", None, 100)] {
        let full: Vec<String> = store
            .scan(T, prefix, after, limit)
            .await?
            .into_iter()
            .map(|r| r.key)
            .collect();
        check_eq!(store.scan_keys(T, prefix, after, limit).await?, full);
    }
    check_eq!(
        store.scan_keys(T, "p/", Some("p/2"), 10).await?,
        ["p/2/x", "p/3"]
    );
    check_eq!(store.scan_keys(T, "p/", None, 0).await?.len(), 0);
    check_eq!(store.scan_keys("kit_other", "", None, 10).await?.len(), 0);
    let wanted: Vec<String> = ["p/2", "missing", "p/1", "p/2"]
        .iter()
        .map(|k| (*k).to_owned())
        .collect();
    let got = store.get_many(T, &wanted).await?;
    let got: Vec<Option<(String, u64, Vec<u8>)>> = got
        .into_iter()
        .map(|r| r.map(|r| (r.key, r.version, r.value)))
        .collect();
    let two = Some(("p/2".to_owned(), 2, b"two".to_vec()));
    check_eq!(
        got,
        vec![
            two.clone(),
            None,
            Some(("p/1".to_owned(), 1, b"p/1".to_vec())),
            two
        ]
    );
    check_eq!(store.get_many(T, &[]).await?.len(), 0);
    check_eq!(store.get_many("kit_other", &wanted[..1]).await?, vec![None]);
    Ok(())
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Doc {
    owner: String,
    tags: Vec<String>,
}

fn doc(owner: &str, tags: &[&str]) -> Doc {
    Doc {
        owner: owner.into(),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
    }
}

const BY_TAG: &str = "kit_docs#by_tag";

fn docs(store: &Store) -> IndexedTable<Doc> {
    let by_owner = Index {
        name: "by_owner",
        table: "kit_docs#by_owner",
        keys: |d: &Doc| vec![d.owner.clone()],
    };
    let by_tag = Index {
        name: "by_tag",
        table: BY_TAG,
        keys: |d: &Doc| d.tags.clone(),
    };
    IndexedTable::new(store.clone(), "kit_docs", vec![by_owner, by_tag])
}

/// Row keys found through `index` under `key`, after `after`, at most `limit`.
async fn find(
    table: &IndexedTable<Doc>,
    index: &str,
    key: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<String>, StoreError> {
    let rows = table.lookup(index, key, after, limit).await?;
    Ok(rows.into_iter().map(|(k, _)| k).collect())
}

/// Index entries commit with their row: lookups find rows by index key (with `/` and `%` in
/// index and row keys), updates move entries, a conflicting write leaves no entry, deletes
/// remove them; lookups page by row key.
pub async fn indexed_table(store: &Store) -> TestResult {
    let t = docs(store);
    let d1 = doc("o/1", &["a/b", "x%", "x%"]);
    let d2 = doc("o", &["a/b"]);
    let d10 = doc("o/1", &["a"]);
    for (key, value) in [("doc/1", &d1), ("doc/2", &d2), ("doc/10", &d10)] {
        store
            .transact(t.put(key, value, Expect::Absent, None)?)
            .await?;
    }
    check_eq!(
        find(&t, "by_tag", "a/b", None, 10).await?,
        ["doc/1", "doc/2"]
    );
    check_eq!(find(&t, "by_tag", "a", None, 10).await?, ["doc/10"]);
    check_eq!(find(&t, "by_tag", "x%", None, 10).await?, ["doc/1"]);
    check_eq!(find(&t, "by_owner", "o", None, 10).await?, ["doc/2"]);
    check_eq!(find(&t, "by_owner", "o/1", None, 1).await?, ["doc/1"]);
    check_eq!(
        find(&t, "by_owner", "o/1", Some("doc/1"), 1).await?,
        ["doc/10"]
    );
    check_eq!(
        find(&t, "by_owner", "o/1", Some("doc/10"), 1).await?.len(),
        0
    );
    let rows = t.lookup("by_tag", "a", None, 10).await?;
    check_eq!(
        rows.first().map(|(_, v)| (v.version, v.value.clone())),
        Some((1, d10.clone()))
    );
    // Update: stale entries go, new ones come, unchanged ones stay.
    let d1b = doc("o", &["x%", "new"]);
    store
        .transact(t.put("doc/1", &d1b, Expect::Version(1), Some(&d1))?)
        .await?;
    check_eq!(find(&t, "by_tag", "a/b", None, 10).await?, ["doc/2"]);
    check_eq!(find(&t, "by_tag", "new", None, 10).await?, ["doc/1"]);
    check_eq!(
        find(&t, "by_owner", "o", None, 10).await?,
        ["doc/1", "doc/2"]
    );
    // lookup_all pages through every entry (here one entry per page).
    let all = t.lookup_all("by_owner", "o", 1).await?;
    check_eq!(
        all.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        ["doc/1", "doc/2"]
    );
    // A conflicting write commits no entry.
    let stale = t.put("doc/1", &doc("z", &["zzz"]), Expect::Version(1), Some(&d1))?;
    match store.transact(stale).await {
        Err(StoreError::Conflict { .. }) => {}
        other => return Err(TestFailure(format!("expected conflict, got {other:?}"))),
    }
    check_eq!(find(&t, "by_tag", "zzz", None, 10).await?.len(), 0);
    // Delete removes the row's entries.
    store
        .transact(t.delete("doc/2", &d2, Expect::Version(1)))
        .await?;
    check_eq!(find(&t, "by_tag", "a/b", None, 10).await?.len(), 0);
    check_eq!(
        store.scan_keys(BY_TAG, "", None, 100).await?,
        ["a/doc/10", "new/doc/1", "x%25/doc/1"]
    );
    check!(
        matches!(
            t.lookup("nope", "a", None, 10).await,
            Err(StoreError::Invalid(_))
        ),
        "unknown index accepted"
    );
    check_eq!(t.get("doc/1").await?.map(|v| v.value), Some(d1b));
    Ok(())
}
