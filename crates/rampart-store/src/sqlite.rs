//! SQLite backend: one writer connection and a small pool of readers, run off the async runtime.
//!
//! # Durability
//!
//! The database runs in WAL mode with `synchronous=FULL`: every commit appends to the
//! write-ahead log and fsyncs it before `COMMIT` returns, so a write acknowledged by this
//! backend survives a process crash or power loss. Every write is a single transaction on the
//! one writer connection (`BEGIN IMMEDIATE`), so writers never interleave; WAL lets the readers
//! keep reading the last committed state meanwhile, so reads never wait behind writes.
//! Concurrent `transact` calls are committed as a group, one transaction and one fsync for all
//! of them (`group`), each call's batch still atomic on its own.
//!
//! rusqlite is synchronous: each call runs inside `tokio::task::spawn_blocking`. The writer is
//! guarded by an async mutex (waiting writers hold no thread); readers are checked out of a pool
//! bounded by a semaphore.

mod group;
mod lease;
mod ops;
mod queue;

use crate::keys::ScanBounds;
use crate::queue::{ClaimSpec, Claimed, DeadLetter};
use crate::{Record, StoreError, Write};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;

/// How many read connections the pool keeps.
const READERS: usize = 4;
/// How long a connection waits for a lock held by another process before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) struct SqliteBackend {
    path: PathBuf,
    writer: Arc<tokio::sync::Mutex<Connection>>,
    commits: group::CommitQueue,
    readers: Mutex<Vec<Connection>>,
    reader_permits: Arc<Semaphore>,
}

pub(crate) fn sqlite_error(context: &str, e: rusqlite::Error) -> StoreError {
    StoreError::Backend(format!("sqlite {context}: {e}"))
}

fn join_error(e: tokio::task::JoinError) -> StoreError {
    StoreError::Backend(format!("sqlite worker task failed: {e}"))
}

impl SqliteBackend {
    /// Creates the file (0600) and its parent directories, opens and migrates the database.
    pub(crate) async fn open(path: &Path) -> Result<Self, StoreError> {
        let path = path.to_path_buf();
        let (writer, readers) = tokio::task::spawn_blocking(move || {
            prepare_file(&path)?;
            let mut writer = open_writer(&path)?;
            crate::migrations::migrate_sqlite(&mut writer)?;
            let readers = (0..READERS)
                .map(|_| open_reader(&path))
                .collect::<Result<Vec<_>, _>>()?;
            Ok::<_, StoreError>((writer, readers))
        })
        .await
        .map_err(join_error)??;
        Ok(SqliteBackend {
            path: path_of(&readers)?,
            writer: Arc::new(tokio::sync::Mutex::new(writer)),
            commits: group::CommitQueue::default(),
            readers: Mutex::new(readers),
            reader_permits: Arc::new(Semaphore::new(READERS)),
        })
    }

    /// Runs `f` on the writer connection in a blocking task.
    async fn with_writer<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<R, StoreError> + Send + 'static,
    {
        let mut guard = Arc::clone(&self.writer).lock_owned().await;
        tokio::task::spawn_blocking(move || f(&mut guard))
            .await
            .map_err(join_error)?
    }

    /// Runs `f` on a pooled read connection in a blocking task.
    async fn with_reader<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
    {
        let _permit = Arc::clone(&self.reader_permits)
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Backend("sqlite reader pool closed".into()))?;
        let pooled = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let path = self.path.clone();
        let (conn, result) = tokio::task::spawn_blocking(move || {
            let conn = match pooled {
                Some(conn) => conn,
                // A connection is lost only if a task panicked; replace it.
                None => open_reader(&path)?,
            };
            let result = f(&conn);
            Ok::<_, StoreError>((conn, result))
        })
        .await
        .map_err(join_error)??;
        self.readers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(conn);
        result
    }

    /// Runs a keyed read on a free pooled connection on the calling thread: a primary-key
    /// lookup of pages in SQLite's or the OS's cache takes microseconds, less than handing it
    /// to a blocking thread and waking the task again (two context switches each way). With
    /// no connection free at once it waits in the pool as [`Self::with_reader`] does.
    async fn with_reader_inline<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
    {
        let Ok(_permit) = Arc::clone(&self.reader_permits).try_acquire_owned() else {
            return self.with_reader(f).await;
        };
        let pooled = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match pooled {
            Some(conn) => conn,
            None => open_reader(&self.path)?,
        };
        let result = f(&conn);
        self.readers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(conn);
        result
    }

    pub(crate) async fn get(&self, table: &str, key: &str) -> Result<Option<Record>, StoreError> {
        let (table, key) = (table.to_owned(), key.to_owned());
        self.with_reader_inline(move |c| ops::get(c, &table, &key))
            .await
    }

    /// Commits `writes` atomically, grouped with whatever other batches are waiting (see
    /// [`group`]): one fsync serves every caller of the group.
    pub(crate) async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        let mut ticket = self.commits.enqueue(writes);
        let guard = Arc::clone(&self.writer).lock_owned().await;
        if let Ok(outcome) = ticket.outcome.try_recv() {
            return outcome; // an earlier leader committed this batch in its group
        }
        let group = self.commits.take_all();
        let mut conn = guard;
        tokio::task::spawn_blocking(move || group::commit_group(&mut conn, group))
            .await
            .map_err(join_error)?;
        (&mut ticket.outcome)
            .await
            .map_err(|_| StoreError::Backend("sqlite group commit dropped a batch".into()))?
    }

    pub(crate) async fn scan(
        &self,
        table: &str,
        bounds: ScanBounds,
    ) -> Result<Vec<Record>, StoreError> {
        let table = table.to_owned();
        self.with_reader(move |c| ops::scan(c, &table, &bounds))
            .await
    }

    pub(crate) async fn scan_keys(
        &self,
        table: &str,
        bounds: ScanBounds,
    ) -> Result<Vec<String>, StoreError> {
        let table = table.to_owned();
        self.with_reader(move |c| ops::scan_keys(c, &table, &bounds))
            .await
    }

    pub(crate) async fn get_many(
        &self,
        table: &str,
        keys: Vec<String>,
    ) -> Result<Vec<Option<Record>>, StoreError> {
        let table = table.to_owned();
        self.with_reader_inline(move |c| ops::get_many(c, &table, &keys))
            .await
    }

    pub(crate) async fn append(
        &self,
        log: &str,
        entries: Vec<Vec<u8>>,
    ) -> Result<Vec<u64>, StoreError> {
        let log = log.to_owned();
        self.with_writer(move |c| ops::append(c, &log, &entries))
            .await
    }

    pub(crate) async fn read_log(
        &self,
        log: &str,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let log = log.to_owned();
        self.with_reader(move |c| ops::read_log(c, &log, after, limit))
            .await
    }

    pub(crate) async fn read_log_before(
        &self,
        log: &str,
        before: i64,
        limit: i64,
    ) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let log = log.to_owned();
        self.with_reader(move |c| ops::read_log_before(c, &log, before, limit))
            .await
    }

    pub(crate) async fn wipe(&self) -> Result<(), StoreError> {
        self.with_writer(ops::wipe).await
    }

    pub(crate) async fn claim(&self, spec: ClaimSpec) -> Result<Vec<Claimed>, StoreError> {
        self.with_writer(move |c| queue::claim(c, &spec)).await
    }

    pub(crate) async fn ack(&self, queue: &str, id: i64, token: i64) -> Result<bool, StoreError> {
        let queue = queue.to_owned();
        self.with_writer(move |c| queue::ack(c, &queue, id, token))
            .await
    }

    pub(crate) async fn ack_many(
        &self,
        queue: &str,
        pairs: Vec<(i64, i64)>,
    ) -> Result<usize, StoreError> {
        let queue = queue.to_owned();
        self.with_writer(move |c| queue::ack_many(c, &queue, &pairs))
            .await
    }

    pub(crate) async fn retry(
        &self,
        queue: &str,
        id: i64,
        token: i64,
        visible_at: i64,
    ) -> Result<bool, StoreError> {
        let queue = queue.to_owned();
        self.with_writer(move |c| queue::retry(c, &queue, (id, token), visible_at))
            .await
    }

    pub(crate) async fn acquire_lease(
        &self,
        name: &str,
        holder: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<Option<i64>, StoreError> {
        let (name, holder) = (name.to_owned(), holder.to_owned());
        self.with_writer(move |c| lease::acquire(c, (&name, &holder), expires_at, now))
            .await
    }

    pub(crate) async fn renew_lease(
        &self,
        (name, holder, token): (&str, &str, i64),
        expires_at: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let (name, holder) = (name.to_owned(), holder.to_owned());
        self.with_writer(move |c| lease::renew(c, (&name, &holder, token), expires_at, now))
            .await
    }

    pub(crate) async fn release_lease(
        &self,
        (name, holder, token): (&str, &str, i64),
    ) -> Result<bool, StoreError> {
        let (name, holder) = (name.to_owned(), holder.to_owned());
        self.with_writer(move |c| lease::release(c, (&name, &holder, token)))
            .await
    }

    pub(crate) async fn dead_letters(
        &self,
        queue: &str,
        limit: i64,
    ) -> Result<Vec<DeadLetter>, StoreError> {
        let queue = queue.to_owned();
        self.with_reader(move |c| queue::dead_letters(c, &queue, limit))
            .await
    }
}

/// The database path as SQLite resolved it (falls back to nothing for in-memory databases).
fn path_of(readers: &[Connection]) -> Result<PathBuf, StoreError> {
    readers
        .first()
        .and_then(|c| c.path())
        .map(PathBuf::from)
        .ok_or_else(|| StoreError::Backend("sqlite database has no file path".into()))
}

/// Creates parent directories (0700) and an empty database file with mode 0600 if missing.
fn prepare_file(path: &Path) -> Result<(), StoreError> {
    let io = |what: &str, e: std::io::Error| {
        StoreError::Backend(format!("sqlite {what} {}: {e}", path.display()))
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(parent)
            .map_err(|e| io("create directory for", e))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io("create", e)),
    }
}

fn open_writer(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(|e| sqlite_error("open", e))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| sqlite_error("busy_timeout", e))?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(|e| sqlite_error("journal_mode", e))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Backend(format!(
            "sqlite refused WAL mode (got {mode})"
        )));
    }
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(|e| sqlite_error("synchronous", e))?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(|e| sqlite_error("foreign_keys", e))?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(|e| sqlite_error("open reader", e))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| sqlite_error("busy_timeout", e))?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(|e| sqlite_error("foreign_keys", e))?;
    conn.pragma_update(None, "query_only", "ON")
        .map_err(|e| sqlite_error("query_only", e))?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Expect, Store};

    fn put(key: &str, value: &[u8]) -> Write {
        Write::Put {
            table: "t",
            key: key.into(),
            value: value.to_vec(),
            expect: Expect::Any,
        }
    }

    /// A committed write survives closing every connection and opening the file again.
    #[tokio::test]
    async fn commits_are_durable_across_reopen() -> Result<(), StoreError> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Backend(e.to_string()))?;
        let path = dir.path().join("nested/dir/rampart.db");
        let store = Store::open_sqlite(&path).await?;
        store.transact(vec![put("k", b"v1")]).await?;
        store.append("audit", vec![b"e1".to_vec()]).await?;
        drop(store);
        let store = Store::open_sqlite(&path).await?;
        let row = store.get("t", "k").await?;
        assert_eq!(row.map(|r| (r.version, r.value)), Some((1, b"v1".to_vec())));
        assert_eq!(store.read_log("audit", 0, 10).await?.len(), 1);
        Ok(())
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn database_file_is_private() -> Result<(), StoreError> {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().map_err(|e| StoreError::Backend(e.to_string()))?;
        let path = dir.path().join("sub/rampart.db");
        let store = Store::open_sqlite(&path).await?;
        store.transact(vec![put("k", b"v")]).await?;
        for file in [path.clone(), dir.path().join("sub/rampart.db-wal")] {
            let meta = std::fs::metadata(&file).map_err(|e| StoreError::Backend(e.to_string()))?;
            assert_eq!(
                meta.permissions().mode() & 0o777,
                0o600,
                "{}",
                file.display()
            );
        }
        Ok(())
    }

    #[tokio::test]
    async fn pragmas_are_set() -> Result<(), StoreError> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Backend(e.to_string()))?;
        let conn = {
            prepare_file(&dir.path().join("p.db"))?;
            open_writer(&dir.path().join("p.db"))?
        };
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .map_err(|e| sqlite_error("test", e))?;
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .map_err(|e| sqlite_error("test", e))?;
        assert_eq!((mode.as_str(), sync), ("wal", 2));
        Ok(())
    }
}
