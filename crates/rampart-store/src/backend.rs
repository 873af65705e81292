//! Dispatch from [`crate::Store`] to the SQLite or PostgreSQL backend.

use crate::keys::ScanBounds;
use crate::postgres::PgBackend;
use crate::queue::{ClaimSpec, Claimed, DeadLetter};
use crate::sqlite::SqliteBackend;
use crate::{Record, StoreError, Write};

/// Runs the same call on whichever backend `$self` is.
macro_rules! dispatch {
    ($self:ident, $b:ident => $call:expr) => {
        match $self {
            Backend::Sqlite($b) => $call,
            Backend::Postgres($b) => $call,
        }
    };
}

/// The backend behind a store; an enum keeps the async calls free of boxing.
pub(crate) enum Backend {
    Sqlite(SqliteBackend),
    Postgres(PgBackend),
}

impl Backend {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    pub(crate) async fn get(&self, table: &str, key: &str) -> Result<Option<Record>, StoreError> {
        match self {
            Backend::Sqlite(b) => b.get(table, key).await,
            Backend::Postgres(b) => b.get(table, key).await,
        }
    }

    pub(crate) async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        match self {
            Backend::Sqlite(b) => b.transact(writes).await,
            Backend::Postgres(b) => b.transact(writes).await,
        }
    }

    pub(crate) async fn scan(
        &self,
        table: &str,
        bounds: ScanBounds,
    ) -> Result<Vec<Record>, StoreError> {
        match self {
            Backend::Sqlite(b) => b.scan(table, bounds).await,
            Backend::Postgres(b) => b.scan(table, bounds).await,
        }
    }

    pub(crate) async fn scan_keys(
        &self,
        table: &str,
        bounds: ScanBounds,
    ) -> Result<Vec<String>, StoreError> {
        dispatch!(self, b => b.scan_keys(table, bounds).await)
    }

    pub(crate) async fn get_many(
        &self,
        table: &str,
        keys: Vec<String>,
    ) -> Result<Vec<Option<Record>>, StoreError> {
        dispatch!(self, b => b.get_many(table, keys).await)
    }

    pub(crate) async fn append(
        &self,
        log: &str,
        entries: Vec<Vec<u8>>,
    ) -> Result<Vec<u64>, StoreError> {
        match self {
            Backend::Sqlite(b) => b.append(log, entries).await,
            Backend::Postgres(b) => b.append(log, entries).await,
        }
    }

    pub(crate) async fn read_log(
        &self,
        log: &str,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        match self {
            Backend::Sqlite(b) => b.read_log(log, after, limit).await,
            Backend::Postgres(b) => b.read_log(log, after, limit).await,
        }
    }

    pub(crate) async fn read_log_before(
        &self,
        log: &str,
        before: i64,
        limit: i64,
    ) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        match self {
            Backend::Sqlite(b) => b.read_log_before(log, before, limit).await,
            Backend::Postgres(b) => b.read_log_before(log, before, limit).await,
        }
    }

    pub(crate) async fn wipe(&self) -> Result<(), StoreError> {
        match self {
            Backend::Sqlite(b) => b.wipe().await,
            Backend::Postgres(b) => b.wipe().await,
        }
    }

    pub(crate) async fn claim(&self, spec: ClaimSpec) -> Result<Vec<Claimed>, StoreError> {
        dispatch!(self, b => b.claim(spec).await)
    }

    pub(crate) async fn ack(&self, queue: &str, id: i64, token: i64) -> Result<bool, StoreError> {
        dispatch!(self, b => b.ack(queue, id, token).await)
    }

    pub(crate) async fn ack_many(
        &self,
        queue: &str,
        pairs: Vec<(i64, i64)>,
    ) -> Result<usize, StoreError> {
        dispatch!(self, b => b.ack_many(queue, pairs).await)
    }

    pub(crate) async fn retry(
        &self,
        queue: &str,
        id: i64,
        token: i64,
        visible_at: i64,
    ) -> Result<bool, StoreError> {
        dispatch!(self, b => b.retry(queue, id, token, visible_at).await)
    }

    pub(crate) async fn dead_letters(
        &self,
        queue: &str,
        limit: i64,
    ) -> Result<Vec<DeadLetter>, StoreError> {
        dispatch!(self, b => b.dead_letters(queue, limit).await)
    }

    pub(crate) async fn acquire_lease(
        &self,
        name: &str,
        holder: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<Option<i64>, StoreError> {
        dispatch!(self, b => b.acquire_lease(name, holder, expires_at, now).await)
    }

    pub(crate) async fn renew_lease(
        &self,
        lease: (&str, &str, i64),
        expires_at: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        dispatch!(self, b => b.renew_lease(lease, expires_at, now).await)
    }

    pub(crate) async fn release_lease(&self, lease: (&str, &str, i64)) -> Result<bool, StoreError> {
        dispatch!(self, b => b.release_lease(lease).await)
    }
}
