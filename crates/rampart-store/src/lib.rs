//! Typed tables over SQLite (default) and PostgreSQL, with compare-and-swap writes.
//!
//! INTERFACE CONTRACT (being implemented): signatures here are fixed; bodies are filled in by the
//! store work. Services never write SQL: they use `Store` / `Table<T>`.

use serde::{Serialize, de::DeserializeOwned};
use std::marker::PhantomData;
use std::path::Path;

/// One stored row: its key, its version (1 on first put, +1 per update) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub key: String,
    pub version: u64,
    pub value: Vec<u8>,
}

/// What a conditional write expects to find.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// No condition.
    Any,
    /// The key must not exist.
    Absent,
    /// The key must exist at exactly this version.
    Version(u64),
}

/// One write inside an atomic transaction.
#[derive(Debug, Clone)]
pub enum Write {
    Put { table: &'static str, key: String, value: Vec<u8>, expect: Expect },
    Delete { table: &'static str, key: String, expect: Expect },
}

/// Storage failures.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A write's `Expect` did not hold; nothing in the transaction was applied.
    #[error("conflict on {table}/{key}")]
    Conflict { table: String, key: String },
    /// The backend failed (I/O, connection, corruption).
    #[error("storage backend failure: {0}")]
    Backend(String),
    /// A stored value could not be decoded.
    #[error("stored value could not be decoded: {0}")]
    Decode(String),
}

/// Handle to the store; cheap to clone, shared by all services.
#[derive(Clone)]
pub struct Store {
    _private: (),
}

impl Store {
    /// Opens (creating if needed) a SQLite database in WAL mode with synchronous=FULL, migrating it.
    pub async fn open_sqlite(_path: &Path) -> Result<Store, StoreError> { unimplemented!() }
    /// Connects to PostgreSQL (`postgres://...`), migrating the schema.
    pub async fn open_postgres(_url: &str) -> Result<Store, StoreError> { unimplemented!() }
    /// Reads one row.
    pub async fn get(&self, _table: &'static str, _key: &str) -> Result<Option<Record>, StoreError> { unimplemented!() }
    /// Applies all writes atomically and durably, or none (Conflict) .
    pub async fn transact(&self, _writes: Vec<Write>) -> Result<(), StoreError> { unimplemented!() }
    /// Rows whose key starts with `prefix`, in key order, strictly after `start_after`, at most `limit`.
    pub async fn scan(&self, _table: &'static str, _prefix: &str, _start_after: Option<&str>, _limit: usize) -> Result<Vec<Record>, StoreError> { unimplemented!() }
    /// Appends entries to an append-only log in one durable transaction; returns their sequence numbers.
    pub async fn append(&self, _log: &'static str, _entries: Vec<Vec<u8>>) -> Result<Vec<u64>, StoreError> { unimplemented!() }
    /// Log entries with sequence number > `after`, ascending, at most `limit`.
    pub async fn read_log(&self, _log: &'static str, _after: u64, _limit: usize) -> Result<Vec<(u64, Vec<u8>)>, StoreError> { unimplemented!() }
    /// Deletes every row and log entry (dev-mode reset).
    pub async fn wipe(&self) -> Result<(), StoreError> { unimplemented!() }
}

/// A stored value and the version it was read at.
#[derive(Debug, Clone)]
pub struct Versioned<T> {
    pub value: T,
    pub version: u64,
}

/// A typed view of one table: values are serde_json-encoded.
pub struct Table<T> {
    store: Store,
    name: &'static str,
    _t: PhantomData<fn() -> T>,
}

impl<T: Serialize + DeserializeOwned> Table<T> {
    pub fn new(store: Store, name: &'static str) -> Self { Self { store, name, _t: PhantomData } }
    pub async fn get(&self, _key: &str) -> Result<Option<Versioned<T>>, StoreError> { let _ = (&self.store, self.name); unimplemented!() }
    /// A `Write::Put` of `value` under `key` (to combine in `Store::transact`).
    pub fn put(&self, _key: &str, _value: &T, _expect: Expect) -> Result<Write, StoreError> { unimplemented!() }
    pub fn delete(&self, _key: &str, _expect: Expect) -> Write { unimplemented!() }
    pub async fn scan(&self, _prefix: &str, _start_after: Option<&str>, _limit: usize) -> Result<Vec<(String, Versioned<T>)>, StoreError> { unimplemented!() }
}
