//! Typed tables over SQLite (default) and PostgreSQL, with compare-and-swap writes.
//!
//! Services never write SQL: they use [`Store`] / [`Table<T>`].
//!
//! # Data model
//!
//! * **Rows**: `(table, key) → (version, value bytes)`. A row is created at version 1 and every
//!   update bumps the version by one. Writes carry an [`Expect`] and are applied with
//!   [`Store::transact`], all-or-nothing, in one database transaction.
//! * **Append-only logs**: `(log, sequence number) → entry bytes`. Sequence numbers increase
//!   monotonically within a log (they come from one database-wide counter, so they are also
//!   unique across logs and, on PostgreSQL, across nodes). Entries are appended on their own
//!   ([`Store::append`]) or as `Write::Append` inside a transaction, so an audit record commits
//!   exactly when the change it records does. Either way a log's entries become visible in
//!   sequence order: a reader paging with `after` never skips one.
//! * **Work queues** (`queue` module): `Write::Enqueue` puts an item in a named queue inside a
//!   transaction (optionally deduplicated by key); [`Store::claim`] leases due items to one
//!   consumer (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so consumers on several nodes never get
//!   the same item), [`Store::ack`] / [`Store::retry`] act only with the latest claim token, and
//!   items claimed `max_attempts` times go to [`Store::dead_letters`].
//! * **Leases** (`lease` module): [`Store::acquire_lease`] grants a named lease to one holder
//!   until it expires, for singleton work across nodes; renewals by a holder that lost it fail,
//!   and each grant carries a larger fencing token. `Write::Fence` (or the [`fenced`] scope)
//!   makes a transaction commit only while that grant is the lease's latest.
//! * **Indexed tables** ([`IndexedTable`]): declared secondary indexes whose entry rows are
//!   written in the same transaction as their row, looked up with a keys-only scan
//!   ([`Store::scan_keys`]) and one multi-row read ([`Store::get_many`]).
//!
//! Time for queues and leases is always the caller's `now_ms` (an injectable clock), never the
//! database's.
//!
//! Keys are stored as raw bytes (`BLOB` / `bytea`), so ordering is plain byte order on both
//! backends and prefix scans are exact range queries (no `LIKE`, no wildcards).
//!
//! # Durability
//!
//! A call that returns `Ok` has been committed durably:
//! * SQLite runs in WAL mode with `synchronous=FULL`, so every commit fsyncs the write-ahead log
//!   before returning; a crash or power loss after that keeps the transaction.
//! * PostgreSQL commits are durable under the server's default `synchronous_commit=on`.

mod backend;
#[cfg(test)]
mod declared_tests;
pub mod fence;
mod indexed;
mod keys;
mod lease;
mod migrations;
mod postgres;
mod queue;
mod retry;
mod sqlite;
mod table;
pub mod testkit;

pub use fence::{Fence, fenced};
pub use indexed::{Index, IndexedTable};
pub use lease::Lease;
pub use queue::{Claimed, DeadLetter};
pub use retry::{CONFLICT_BUDGET, conflict_pause, retry_conflicts};
pub use table::{RECORD_FORMAT_V1, Table, Versioned, decode_record, encode_record};

use backend::Backend;
use std::path::Path;
use std::sync::Arc;

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
///
/// * `Put` with `Expect::Absent` creates the row at version 1; with `Expect::Version(v)` it
///   updates the row to version `v + 1` only if it is at `v`; with `Expect::Any` it upserts.
/// * `Delete` with `Expect::Version(v)` deletes only a row at version `v`; with `Expect::Any` it
///   deletes the row if present; with `Expect::Absent` it only asserts the row does not exist.
/// * `Append` adds an entry to an append-only log, committed with the rest of the transaction
///   (an audit record that exists exactly when the change it records does). It never conflicts.
/// * `Enqueue` adds an item to a work queue (see [`Store::claim`]), visible to consumers from
///   `visible_at_ms` on, committed with the rest of the transaction. With a `dedup_key`, the
///   enqueue does nothing while the queue holds a live item (waiting or claimed, not
///   dead-lettered) with that key: "at most one pending item per key". It never conflicts.
/// * `Fence` writes nothing: the transaction fails with a conflict (on table `lease`, key the
///   lease name) unless the named lease's latest grant carries `token`, checked in the same
///   transaction as the other writes (see [`fence`]). A holder that lost its lease to a later
///   grant cannot commit work stamped with the old grant.
#[derive(Debug, Clone)]
pub enum Write {
    Put {
        table: &'static str,
        key: String,
        value: Vec<u8>,
        expect: Expect,
    },
    Delete {
        table: &'static str,
        key: String,
        expect: Expect,
    },
    Append {
        log: &'static str,
        entry: Vec<u8>,
    },
    Enqueue {
        queue: &'static str,
        payload: Vec<u8>,
        visible_at_ms: i64,
        dedup_key: Option<String>,
    },
    Fence {
        lease: String,
        token: u64,
    },
}

impl Write {
    /// The `(table, key)` of a row write; `None` for writes that touch no row.
    pub fn target(&self) -> Option<(&'static str, &str)> {
        match self {
            Write::Put { table, key, .. } | Write::Delete { table, key, .. } => Some((table, key)),
            Write::Append { .. } | Write::Enqueue { .. } | Write::Fence { .. } => None,
        }
    }

    /// The order [`Store::transact`] applies writes in: fences by lease name, then row writes
    /// by `(table, key)`, then enqueues by `(queue, dedup key)`, then log appends by log name.
    /// Every transaction takes its locks in this one order.
    fn apply_order(&self) -> (u8, &'static str, &str) {
        match self {
            Write::Fence { lease, .. } => (0, "", lease),
            Write::Put { table, key, .. } | Write::Delete { table, key, .. } => (1, table, key),
            Write::Enqueue {
                queue, dedup_key, ..
            } => (2, queue, dedup_key.as_deref().unwrap_or_default()),
            Write::Append { log, .. } => (3, log, ""),
        }
    }

    /// The error for a write whose expectation did not hold.
    pub(crate) fn conflict(&self) -> StoreError {
        if let Write::Fence { lease, .. } = self {
            return StoreError::Conflict {
                table: "lease".to_owned(),
                key: lease.clone(),
            };
        }
        let (table, key) = self.target().unwrap_or(("", ""));
        StoreError::Conflict {
            table: table.to_owned(),
            key: key.to_owned(),
        }
    }
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
    /// A value could not be encoded for storage.
    #[error("value could not be encoded: {0}")]
    Encode(String),
    /// The call named something that does not exist (such as an undeclared index).
    #[error("invalid store request: {0}")]
    Invalid(String),
}

impl StoreError {
    /// Whether this is a compare-and-swap conflict (worth re-reading and retrying).
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Conflict { .. })
    }
}

/// Handle to the store; cheap to clone, shared by all services.
#[derive(Clone)]
pub struct Store {
    backend: Arc<Backend>,
    /// The tables row writes may name, once the server declared them (shared by every clone).
    declared: Arc<std::sync::OnceLock<std::collections::HashSet<&'static str>>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend_name())
            .finish()
    }
}

impl Store {
    /// Opens (creating if needed) a SQLite database in WAL mode with synchronous=FULL, migrating it.
    ///
    /// Parent directories are created (mode 0700) and a new database file is created with mode
    /// 0600; SQLite gives its `-wal`/`-shm` files the same mode.
    pub async fn open_sqlite(path: &Path) -> Result<Store, StoreError> {
        let backend = sqlite::SqliteBackend::open(path).await?;
        Ok(Store::over(Backend::Sqlite(backend)))
    }

    /// Connects to PostgreSQL (`postgres://...`), migrating the schema.
    ///
    /// Connections are unencrypted, so the URL must point at a loopback address or a Unix
    /// socket, or say `sslmode=disable` explicitly. Use `options=-csearch_path%3Dname` in the URL
    /// to keep Rampart's tables in their own schema.
    pub async fn open_postgres(url: &str) -> Result<Store, StoreError> {
        let backend = postgres::PgBackend::open(url).await?;
        Ok(Store::over(Backend::Postgres(backend)))
    }

    fn over(backend: Backend) -> Store {
        Store {
            backend: Arc::new(backend),
            declared: Arc::default(),
        }
    }

    /// From now on, refuses transactions whose row writes name a table outside `tables` (the
    /// tables the service modules declared), in this handle and every clone of it. Only the
    /// first declaration counts; returns false for later ones.
    pub fn restrict_tables(&self, tables: impl IntoIterator<Item = &'static str>) -> bool {
        self.declared.set(tables.into_iter().collect()).is_ok()
    }

    fn check_declared(&self, writes: &[Write]) -> Result<(), StoreError> {
        let Some(declared) = self.declared.get() else {
            return Ok(());
        };
        let undeclared = writes
            .iter()
            .filter_map(Write::target)
            .find(|(table, _)| !declared.contains(table));
        match undeclared {
            Some((table, _)) => Err(StoreError::Backend(format!(
                "table {table} is not declared by any service module"
            ))),
            None => Ok(()),
        }
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend_name(&self) -> &'static str {
        self.backend.name()
    }

    /// Reads one row.
    pub async fn get(&self, table: &'static str, key: &str) -> Result<Option<Record>, StoreError> {
        self.backend.get(table, key).await
    }

    /// Applies all writes atomically and durably, or none (Conflict).
    ///
    /// Row writes are applied in `(table, key)` order, then log appends by log name (a stable
    /// sort: several writes to one row keep their given order, and so do several entries for
    /// one log, which get increasing sequence numbers in that order). Concurrent transactions
    /// thus take their locks in one order and cannot deadlock each other on PostgreSQL. On an
    /// unmet expectation the error names the first failing write in that order. Inside
    /// [`fenced`], the scope's fence is added to the writes.
    pub async fn transact(&self, mut writes: Vec<Write>) -> Result<(), StoreError> {
        if writes.is_empty() {
            return Ok(());
        }
        self.check_declared(&writes)?;
        writes.extend(fence::current().map(Fence::write));
        writes.sort_by(|a, b| a.apply_order().cmp(&b.apply_order()));
        self.backend.transact(writes).await
    }

    /// Rows whose key starts with `prefix`, in key order, strictly after `start_after`, at most `limit`.
    pub async fn scan(
        &self,
        table: &'static str,
        prefix: &str,
        start_after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Record>, StoreError> {
        let Some(bounds) = keys::ScanBounds::new(prefix, start_after, limit) else {
            return Ok(Vec::new());
        };
        self.backend.scan(table, bounds).await
    }

    /// Appends entries to an append-only log in one durable transaction; returns their sequence numbers.
    pub async fn append(
        &self,
        log: &'static str,
        entries: Vec<Vec<u8>>,
    ) -> Result<Vec<u64>, StoreError> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        self.backend.append(log, entries).await
    }

    /// Keys of the rows whose key starts with `prefix`, in key order, strictly after
    /// `start_after`, at most `limit`; like [`Store::scan`] without reading the values.
    pub async fn scan_keys(
        &self,
        table: &'static str,
        prefix: &str,
        start_after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        let Some(bounds) = keys::ScanBounds::new(prefix, start_after, limit) else {
            return Ok(Vec::new());
        };
        self.backend.scan_keys(table, bounds).await
    }

    /// Reads several rows of one table in one query (one read transaction on SQLite): the
    /// result has one entry per key, in the order given, `None` where the row does not exist.
    pub async fn get_many(
        &self,
        table: &'static str,
        keys: &[String],
    ) -> Result<Vec<Option<Record>>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        self.backend.get_many(table, keys.to_vec()).await
    }

    /// Log entries with sequence number > `after`, ascending, at most `limit`.
    pub async fn read_log(
        &self,
        log: &'static str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let Ok(after) = i64::try_from(after) else {
            return Ok(Vec::new());
        };
        if limit == 0 {
            return Ok(Vec::new());
        }
        self.backend
            .read_log(log, after, keys::sql_limit(limit))
            .await
    }

    /// Log entries with sequence number < `before`, newest first (descending), at most `limit`.
    ///
    /// `before = u64::MAX` starts at the newest entry; pass the smallest sequence number of one
    /// page as `before` of the next to walk a log backwards.
    pub async fn read_log_before(
        &self,
        log: &'static str,
        before: u64,
        limit: usize,
    ) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let before = i64::try_from(before).unwrap_or(i64::MAX);
        if limit == 0 {
            return Ok(Vec::new());
        }
        self.backend
            .read_log_before(log, before, keys::sql_limit(limit))
            .await
    }

    /// Deletes every row and log entry (dev-mode reset). The schema stays; log sequence numbers
    /// keep increasing, so a reader's cursor never skips entries appended after a wipe.
    pub async fn wipe(&self) -> Result<(), StoreError> {
        self.backend.wipe().await
    }
}
