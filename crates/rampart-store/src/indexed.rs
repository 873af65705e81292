//! Typed tables with declared secondary indexes, maintained in the same transaction as the row.
//!
//! # Layout
//!
//! Each [`Index`] keeps its entries in a table of its own (by convention `"<table>#<index>"`,
//! a name no plain table uses). An entry is an empty row keyed
//! `escape(index key) + "/" + row key`, where `escape` turns `%` into `%25` and `/` into `%2F`:
//! the escaped index key contains no `/`, so the entries of one index key are exactly the keys
//! starting with `escape(index key) + "/"` (row keys may contain `/` freely, and index key `a`
//! never matches entries of `a/b`). A lookup is a keys-only prefix scan of the index table
//! ([`Store::scan_keys`]) followed by one [`Store::get_many`] of the rows.
//!
//! # Consistency
//!
//! [`IndexedTable::put`] and [`IndexedTable::delete`] return the row write together with the
//! entry writes (new index keys added, stale ones deleted), for the caller to commit in one
//! [`Store::transact`]: entries commit exactly when their row does. The stale entries are
//! computed from `previous`, the value the caller read; pass the expectation of that read
//! (`Expect::Version(v)` or `Expect::Absent`) so the row write conflicts if `previous` is no
//! longer current. A lookup re-checks each row it reads against the index key, so a row
//! changed between the two reads is left out (a page may then hold fewer than `limit` rows
//! while more follow).

use crate::table::versioned;
use crate::{Expect, Store, StoreError, Table, Versioned, Write};
use serde::{Serialize, de::DeserializeOwned};
use std::collections::BTreeSet;

/// A secondary index: its name, the table holding its entries and the index keys of a value.
pub struct Index<T> {
    pub name: &'static str,
    /// Where the entries live, by convention `"<table>#<name>"`.
    pub table: &'static str,
    /// The index keys of a value (any number; duplicates are ignored).
    pub keys: fn(&T) -> Vec<String>,
}

impl<T> Clone for Index<T> {
    fn clone(&self) -> Self {
        Self {
            name: self.name,
            table: self.table,
            keys: self.keys,
        }
    }
}

impl<T> Index<T> {
    /// The distinct index keys of `value`.
    fn key_set(&self, value: &T) -> BTreeSet<String> {
        (self.keys)(value).into_iter().collect()
    }
}

/// The entry key of `row_key` under `index_key`.
fn entry_key(index_key: &str, row_key: &str) -> String {
    format!("{}{row_key}", entry_prefix(index_key))
}

/// The prefix every entry of `index_key` starts with.
fn entry_prefix(index_key: &str) -> String {
    let mut out = String::with_capacity(index_key.len() + 1);
    for c in index_key.chars() {
        match c {
            '%' => out.push_str("%25"),
            '/' => out.push_str("%2F"),
            c => out.push(c),
        }
    }
    out.push('/');
    out
}

/// A [`Table`] whose writes also maintain declared secondary indexes.
pub struct IndexedTable<T> {
    table: Table<T>,
    indexes: Vec<Index<T>>,
}

impl<T> Clone for IndexedTable<T> {
    fn clone(&self) -> Self {
        Self {
            table: self.table.clone(),
            indexes: self.indexes.clone(),
        }
    }
}

impl<T> std::fmt::Debug for IndexedTable<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.indexes.iter().map(|i| i.name).collect();
        f.debug_struct("IndexedTable")
            .field("table", &self.table)
            .field("indexes", &names)
            .finish()
    }
}

impl<T: Serialize + DeserializeOwned> IndexedTable<T> {
    pub fn new(store: Store, name: &'static str, indexes: Vec<Index<T>>) -> Self {
        Self {
            table: Table::new(store, name),
            indexes,
        }
    }

    /// The plain table (for `get` and `scan` by row key).
    pub fn table(&self) -> &Table<T> {
        &self.table
    }

    pub async fn get(&self, key: &str) -> Result<Option<Versioned<T>>, StoreError> {
        self.table.get(key).await
    }

    /// The row write of `value` under `key` plus the index entry writes, for one `transact`.
    /// `previous` is the value read at the version `expect` names (`None` for a new row).
    pub fn put(
        &self,
        key: &str,
        value: &T,
        expect: Expect,
        previous: Option<&T>,
    ) -> Result<Vec<Write>, StoreError> {
        let mut writes = vec![self.table.put(key, value, expect)?];
        for index in &self.indexes {
            let new = index.key_set(value);
            let old = previous.map(|p| index.key_set(p)).unwrap_or_default();
            writes.extend(old.difference(&new).map(|k| Write::Delete {
                table: index.table,
                key: entry_key(k, key),
                expect: Expect::Any,
            }));
            writes.extend(new.difference(&old).map(|k| Write::Put {
                table: index.table,
                key: entry_key(k, key),
                value: Vec::new(),
                expect: Expect::Any,
            }));
        }
        Ok(writes)
    }

    /// The entry writes (upserts, idempotent) of every index key of `value` stored under
    /// `key`, without the row: to build the entries of rows stored before an index existed.
    pub fn reindex_writes(&self, key: &str, value: &T) -> Vec<Write> {
        let mut writes = Vec::new();
        for index in &self.indexes {
            writes.extend(index.key_set(value).iter().map(|k| Write::Put {
                table: index.table,
                key: entry_key(k, key),
                value: Vec::new(),
                expect: Expect::Any,
            }));
        }
        writes
    }

    /// The row delete plus the deletes of every index entry of `previous` (the value read at
    /// the version `expect` names), for one `transact`.
    pub fn delete(&self, key: &str, previous: &T, expect: Expect) -> Vec<Write> {
        let mut writes = vec![self.table.delete(key, expect)];
        for index in &self.indexes {
            writes.extend(index.key_set(previous).iter().map(|k| Write::Delete {
                table: index.table,
                key: entry_key(k, key),
                expect: Expect::Any,
            }));
        }
        writes
    }

    /// Rows whose `index` has `index_key`, in row key order, strictly after row key
    /// `start_after`, at most `limit`.
    pub async fn lookup(
        &self,
        index: &str,
        index_key: &str,
        start_after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, Versioned<T>)>, StoreError> {
        let page = self
            .lookup_page(index, index_key, start_after, limit)
            .await?;
        Ok(page.rows)
    }

    /// Every row whose `index` has `index_key`, in row key order: pages of `page_size` entries
    /// until the entry scan runs out (a page whose rows all changed meanwhile does not end it).
    pub async fn lookup_all(
        &self,
        index: &str,
        index_key: &str,
        page_size: usize,
    ) -> Result<Vec<(String, Versioned<T>)>, StoreError> {
        let mut rows = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = self
                .lookup_page(index, index_key, after.as_deref(), page_size)
                .await?;
            rows.extend(page.rows);
            match page.last_entry {
                Some(last) if page.entries == page_size => after = Some(last),
                _ => return Ok(rows),
            }
        }
    }

    /// One page of [`Self::lookup`], with how many entries the scan read and the row key of
    /// the last one (where the next page starts).
    async fn lookup_page(
        &self,
        index: &str,
        index_key: &str,
        start_after: Option<&str>,
        limit: usize,
    ) -> Result<LookupPage<T>, StoreError> {
        let index = self
            .indexes
            .iter()
            .find(|i| i.name == index)
            .ok_or_else(|| StoreError::Invalid(format!("no index {index}")))?;
        let prefix = entry_prefix(index_key);
        let after = start_after.map(|k| format!("{prefix}{k}"));
        let store = self.table.store();
        let entries = store
            .scan_keys(index.table, &prefix, after.as_deref(), limit)
            .await?;
        let keys: Vec<String> = entries
            .iter()
            .filter_map(|e| e.strip_prefix(&prefix).map(str::to_owned))
            .collect();
        let records = store.get_many(self.table.name(), &keys).await?;
        let mut rows = Vec::with_capacity(keys.len());
        for (key, record) in keys.iter().zip(records) {
            let Some(record) = record else { continue };
            let row: Versioned<T> = versioned(&record)?;
            if (index.keys)(&row.value).iter().any(|k| k == index_key) {
                rows.push((key.clone(), row));
            }
        }
        Ok(LookupPage {
            rows,
            entries: entries.len(),
            last_entry: keys.last().cloned(),
        })
    }
}

/// One page of index entries and the rows they still point at.
struct LookupPage<T> {
    rows: Vec<(String, Versioned<T>)>,
    entries: usize,
    last_entry: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_keys_escape_the_separator() {
        assert_eq!(entry_key("a/b", "r/1"), "a%2Fb/r/1");
        assert_eq!(entry_key("50%", "r"), "50%25/r");
        assert_eq!(entry_key("%2F", "r"), "%252F/r");
        assert!(!entry_key("a/b", "r").starts_with(&entry_prefix("a")));
        assert!(!entry_key("a", "r").starts_with(&entry_prefix("a/b")));
    }
}
