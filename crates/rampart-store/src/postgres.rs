//! PostgreSQL backend: a deadpool of tokio-postgres connections, safe for several nodes.
//!
//! Conditional writes run inside one READ COMMITTED transaction and check affected row counts:
//! `INSERT ... ON CONFLICT DO NOTHING` for create, `UPDATE/DELETE ... WHERE version = $n` for
//! compare-and-swap. PostgreSQL re-checks the `WHERE` clause against the newest committed row
//! after waiting on a concurrent writer, so exactly one of several racing nodes wins.
//!
//! Log sequence numbers come from an identity column. Appends to one log take a
//! transaction-scoped advisory lock on that log, so sequence numbers become visible in order
//! and a reader paging with `after` never skips an entry committed later with a smaller number.
//! This holds for `Write::Append` inside `transact` too: the transaction takes each log's lock
//! (after all its row writes, in log-name order) before inserting that log's entries and keeps
//! it until commit. A `Write::Fence` reads its lease row `FOR SHARE` before any row write, so
//! a concurrent grant of that lease (an update of the row) waits for this commit, and a grant
//! committed first makes the fence fail.

mod lease;
mod queue;

use crate::keys::{ScanBounds, key_from_bytes, to_i64, to_u64};
use crate::migrations::{PG_LOCK_CLASS, migrate_postgres};
use crate::{Expect, Record, StoreError, Write};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Transaction};
use std::time::Duration;
use tokio_postgres::NoTls;
use tokio_postgres::config::{Host, SslMode};

/// Connections kept by one node.
const POOL_SIZE: usize = 16;

const GET: &str = "SELECT version, value FROM records WHERE tbl = $1 AND key = $2";
const GET_MANY: &str = "SELECT key, version, value FROM records WHERE tbl = $1 AND key = ANY($2)";
const INSERT: &str =
    "INSERT INTO records (tbl, key, version, value) VALUES ($1, $2, 1, $3) ON CONFLICT DO NOTHING";
const UPSERT: &str = "INSERT INTO records (tbl, key, version, value) VALUES ($1, $2, 1, $3)
     ON CONFLICT (tbl, key) DO UPDATE SET version = records.version + 1, value = excluded.value";
const UPDATE: &str = "UPDATE records SET version = version + 1, value = $3
     WHERE tbl = $1 AND key = $2 AND version = $4";
const DELETE_ANY: &str = "DELETE FROM records WHERE tbl = $1 AND key = $2";
const DELETE_VERSION: &str = "DELETE FROM records WHERE tbl = $1 AND key = $2 AND version = $3";
const EXISTS: &str = "SELECT 1 FROM records WHERE tbl = $1 AND key = $2";
/// Share-locks the lease row, so a new grant waits until this transaction ends.
const FENCE: &str = "SELECT 1 FROM leases WHERE name = $1 AND token = $2 FOR SHARE";
const LOCK_LOG: &str = "SELECT pg_advisory_xact_lock($1, $2)";
const APPEND: &str = "INSERT INTO log_entries (log, entry)
     SELECT $1, e FROM unnest($2::bytea[]) WITH ORDINALITY AS t(e, ord) ORDER BY ord
     RETURNING seq";
const APPEND_ONE: &str = "INSERT INTO log_entries (log, entry) VALUES ($1, $2)";
const READ_LOG: &str =
    "SELECT seq, entry FROM log_entries WHERE log = $1 AND seq > $2 ORDER BY seq LIMIT $3";
const READ_LOG_BEFORE: &str =
    "SELECT seq, entry FROM log_entries WHERE log = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3";

pub(crate) struct PgBackend {
    pool: Pool,
}

/// A tokio-postgres error as a backend error: the server's message and SQLSTATE, never values.
pub(crate) fn pg_error(context: &str, e: tokio_postgres::Error) -> StoreError {
    match e.as_db_error() {
        Some(db) => StoreError::Backend(format!(
            "{context}: {} (SQLSTATE {})",
            db.message(),
            db.code().code()
        )),
        None => StoreError::Backend(format!("{context}: {e}")),
    }
}

fn err(context: &'static str) -> impl Fn(tokio_postgres::Error) -> StoreError {
    move |e| pg_error(context, e)
}

/// Only loopback hosts and Unix sockets may be reached without TLS, unless the URL opts out.
fn check_plaintext_allowed(config: &tokio_postgres::Config) -> Result<(), StoreError> {
    let loopback_host = |h: &Host| match h {
        Host::Unix(_) => true,
        Host::Tcp(name) => {
            name.eq_ignore_ascii_case("localhost")
                || name
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
    };
    let all_loopback = config.get_hosts().iter().all(loopback_host)
        && config.get_hostaddrs().iter().all(|ip| ip.is_loopback());
    if all_loopback || config.get_ssl_mode() == SslMode::Disable {
        Ok(())
    } else {
        Err(StoreError::Backend(
            "postgres: TLS is not supported yet; use a loopback address or set sslmode=disable"
                .into(),
        ))
    }
}

impl PgBackend {
    /// Builds the pool, checks the server is reachable and migrates the schema.
    pub(crate) async fn open(url: &str) -> Result<Self, StoreError> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|_| StoreError::Backend("postgres: invalid connection URL".into()))?;
        check_plaintext_allowed(&config)?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(|e| StoreError::Backend(format!("postgres pool: {e}")))?;
        let backend = PgBackend { pool };
        let mut client = backend.client().await?;
        migrate_postgres(&mut client).await?;
        Ok(backend)
    }

    async fn client(&self) -> Result<deadpool_postgres::Client, StoreError> {
        self.pool.get().await.map_err(|e| match e {
            deadpool_postgres::PoolError::Backend(e) => pg_error("postgres connect", e),
            other => StoreError::Backend(format!("postgres pool: {other}")),
        })
    }

    /// Runs one row-changing statement on its own (autocommit); whether it changed a row.
    async fn changes_a_row(
        &self,
        context: &'static str,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<bool, StoreError> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(sql).await.map_err(err(context))?;
        let n = client.execute(&stmt, params).await.map_err(err(context))?;
        Ok(n > 0)
    }

    pub(crate) async fn get(&self, table: &str, key: &str) -> Result<Option<Record>, StoreError> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(GET).await.map_err(err("get"))?;
        let row = client
            .query_opt(&stmt, &[&table, &key.as_bytes()])
            .await
            .map_err(err("get"))?;
        row.map(|r| {
            let version: i64 = r.try_get(0).map_err(err("get"))?;
            let value: Vec<u8> = r.try_get(1).map_err(err("get"))?;
            Ok(Record {
                key: key.to_owned(),
                version: to_u64(version, "version")?,
                value,
            })
        })
        .transpose()
    }

    /// Applies every write in one transaction; a conflict rolls all back.
    pub(crate) async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(err("begin"))?;
        let mut locked_log = None;
        for write in &writes {
            if let Write::Append { log, entry } = write {
                if locked_log != Some(*log) {
                    lock_log(&tx, log).await?;
                    locked_log = Some(*log);
                }
                let stmt = tx.prepare_cached(APPEND_ONE).await.map_err(err("append"))?;
                tx.execute(&stmt, &[log, entry])
                    .await
                    .map_err(err("append"))?;
            } else if !apply(&tx, write).await? {
                tx.rollback().await.map_err(err("rollback"))?;
                return Err(write.conflict());
            }
        }
        tx.commit().await.map_err(err("commit"))
    }

    pub(crate) async fn scan(
        &self,
        table: &str,
        bounds: ScanBounds,
    ) -> Result<Vec<Record>, StoreError> {
        let rows = self
            .scan_rows("key, version, value", table, &bounds)
            .await?;
        rows.iter().map(record).collect()
    }

    /// Keys only: the same range query as [`PgBackend::scan`] without the values.
    pub(crate) async fn scan_keys(
        &self,
        table: &str,
        bounds: ScanBounds,
    ) -> Result<Vec<String>, StoreError> {
        let rows = self.scan_rows("key", table, &bounds).await?;
        rows.iter()
            .map(|r| key_from_bytes(r.try_get(0).map_err(err("scan"))?))
            .collect()
    }

    /// Runs a range query on `records` selecting `columns`.
    async fn scan_rows(
        &self,
        columns: &str,
        table: &str,
        bounds: &ScanBounds,
    ) -> Result<Vec<tokio_postgres::Row>, StoreError> {
        let limit_param = if bounds.upper.is_some() { 4 } else { 3 };
        let sql = format!(
            "SELECT {columns} FROM records WHERE tbl = $1 AND {} ORDER BY key LIMIT ${}",
            bounds.key_clause(2, |n| format!("${n}")),
            limit_param
        );
        let client = self.client().await?;
        let stmt = client.prepare_cached(&sql).await.map_err(err("scan"))?;
        let (lower, limit) = (&bounds.lower, &bounds.limit);
        match &bounds.upper {
            Some(upper) => client.query(&stmt, &[&table, lower, upper, limit]).await,
            None => client.query(&stmt, &[&table, lower, limit]).await,
        }
        .map_err(err("scan"))
    }

    /// One `= ANY($2)` query; the rows are put back in the order of `keys`.
    pub(crate) async fn get_many(
        &self,
        table: &str,
        keys: Vec<String>,
    ) -> Result<Vec<Option<Record>>, StoreError> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(GET_MANY).await.map_err(err("get"))?;
        let wanted: Vec<&[u8]> = keys.iter().map(|k| k.as_bytes()).collect();
        let rows = client
            .query(&stmt, &[&table, &wanted])
            .await
            .map_err(err("get"))?;
        let mut found = std::collections::HashMap::with_capacity(rows.len());
        for row in &rows {
            let record = record(row)?;
            found.insert(record.key.clone(), record);
        }
        Ok(keys.iter().map(|k| found.get(k).cloned()).collect())
    }

    /// Appends all entries with one statement in one transaction, holding the log's lock.
    pub(crate) async fn append(
        &self,
        log: &str,
        entries: Vec<Vec<u8>>,
    ) -> Result<Vec<u64>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(err("begin"))?;
        lock_log(&tx, log).await?;
        let stmt = tx.prepare_cached(APPEND).await.map_err(err("append"))?;
        let rows = tx
            .query(&stmt, &[&log, &entries])
            .await
            .map_err(err("append"))?;
        let mut seqs = rows
            .iter()
            .map(|r| {
                to_u64(
                    r.try_get::<_, i64>(0).map_err(err("append"))?,
                    "sequence number",
                )
            })
            .collect::<Result<Vec<u64>, StoreError>>()?;
        // Identity values follow the insertion order (ORDER BY ord); RETURNING order is not
        // guaranteed, so sort to pair them with the entries.
        seqs.sort_unstable();
        tx.commit().await.map_err(err("commit"))?;
        Ok(seqs)
    }

    pub(crate) async fn read_log(
        &self,
        log: &str,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        self.log_rows(READ_LOG, log, after, limit).await
    }

    /// Entries with sequence number < `before`, newest first.
    pub(crate) async fn read_log_before(
        &self,
        log: &str,
        before: i64,
        limit: i64,
    ) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        self.log_rows(READ_LOG_BEFORE, log, before, limit).await
    }

    /// Runs one of the log queries (`$1` log, `$2` sequence bound, `$3` limit).
    async fn log_rows(
        &self,
        sql: &str,
        log: &str,
        bound: i64,
        limit: i64,
    ) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(sql).await.map_err(err("read_log"))?;
        let rows = client
            .query(&stmt, &[&log, &bound, &limit])
            .await
            .map_err(err("read_log"))?;
        rows.into_iter()
            .map(|r| {
                let seq: i64 = r.try_get(0).map_err(err("read_log"))?;
                let entry: Vec<u8> = r.try_get(1).map_err(err("read_log"))?;
                Ok((to_u64(seq, "sequence number")?, entry))
            })
            .collect()
    }

    /// Empties the data tables; identity sequences are not restarted.
    pub(crate) async fn wipe(&self) -> Result<(), StoreError> {
        let client = self.client().await?;
        client
            .batch_execute("TRUNCATE records, log_entries, queue_items, leases")
            .await
            .map_err(err("wipe"))
    }
}

/// A `(key, version, value)` row as a [`Record`].
fn record(r: &tokio_postgres::Row) -> Result<Record, StoreError> {
    let key: Vec<u8> = r.try_get(0).map_err(err("read"))?;
    let version: i64 = r.try_get(1).map_err(err("read"))?;
    Ok(Record {
        key: key_from_bytes(key)?,
        version: to_u64(version, "version")?,
        value: r.try_get(2).map_err(err("read"))?,
    })
}

/// Applies one write; `false` when its expectation does not hold.
async fn apply(tx: &Transaction<'_>, write: &Write) -> Result<bool, StoreError> {
    let changed = async |sql: &str, p: &[&(dyn tokio_postgres::types::ToSql + Sync)]| {
        let stmt = tx.prepare_cached(sql).await.map_err(err("write"))?;
        Ok::<bool, StoreError>(tx.execute(&stmt, p).await.map_err(err("write"))? > 0)
    };
    match write {
        Write::Put {
            table,
            key,
            value,
            expect,
        } => {
            let k = key.as_bytes();
            match *expect {
                Expect::Absent => changed(INSERT, &[table, &k, value]).await,
                Expect::Any => changed(UPSERT, &[table, &k, value]).await,
                Expect::Version(v) => match to_i64(v) {
                    Some(v) => changed(UPDATE, &[table, &k, value, &v]).await,
                    None => Ok(false),
                },
            }
        }
        Write::Delete { table, key, expect } => {
            let k = key.as_bytes();
            match *expect {
                Expect::Any => changed(DELETE_ANY, &[table, &k]).await.map(|_| true),
                Expect::Version(v) => match to_i64(v) {
                    Some(v) => changed(DELETE_VERSION, &[table, &k, &v]).await,
                    None => Ok(false),
                },
                Expect::Absent => {
                    let stmt = tx.prepare_cached(EXISTS).await.map_err(err("write"))?;
                    let row = tx
                        .query_opt(&stmt, &[table, &k])
                        .await
                        .map_err(err("write"))?;
                    Ok(row.is_none())
                }
            }
        }
        // `transact` applies appends itself, holding the log's lock.
        Write::Append { .. } => Ok(true),
        Write::Enqueue {
            queue,
            payload,
            visible_at_ms,
            dedup_key,
        } => {
            let dedup = dedup_key.as_deref().map(str::as_bytes);
            let params: [&(dyn tokio_postgres::types::ToSql + Sync); 4] =
                [queue, payload, visible_at_ms, &dedup];
            changed(queue::ENQUEUE, &params).await.map(|_| true)
        }
        Write::Fence { lease, token } => fence_holds(tx, lease, *token).await,
    }
}

/// Whether the latest grant of `lease` carries `token`; share-locks its row until commit.
async fn fence_holds(tx: &Transaction<'_>, lease: &str, token: u64) -> Result<bool, StoreError> {
    let Some(token) = to_i64(token) else {
        return Ok(false);
    };
    let stmt = tx.prepare_cached(FENCE).await.map_err(err("fence"))?;
    let row = tx
        .query_opt(&stmt, &[&lease, &token])
        .await
        .map_err(err("fence"))?;
    Ok(row.is_some())
}

/// Takes the transaction-scoped advisory lock of `log`: appends to one log commit one after
/// another, so their sequence numbers become visible in order. Inside `transact` the locks are
/// taken after every row write and in log-name order, so lock waits cannot form a cycle.
async fn lock_log(tx: &Transaction<'_>, log: &str) -> Result<(), StoreError> {
    let lock = tx.prepare_cached(LOCK_LOG).await.map_err(err("append"))?;
    tx.execute(&lock, &[&PG_LOCK_CLASS, &log_lock_id(log)])
        .await
        .map_err(err("append"))?;
    Ok(())
}

/// A stable 32-bit id for a log name (FNV-1a), the second key of its advisory lock.
fn log_lock_id(log: &str) -> i32 {
    let hash = log.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    i32::from_ne_bytes(hash.to_ne_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: &str) -> tokio_postgres::Config {
        url.parse()
            .unwrap_or_else(|_| tokio_postgres::Config::new())
    }

    #[test]
    fn plaintext_only_to_loopback() {
        assert!(check_plaintext_allowed(&config("postgres://u@127.0.0.1/db")).is_ok());
        assert!(check_plaintext_allowed(&config("postgres://u@localhost:5432/db")).is_ok());
        assert!(check_plaintext_allowed(&config("postgres://u@[::1]/db")).is_ok());
        assert!(check_plaintext_allowed(&config("postgres://u@db.example/db")).is_err());
        let opted_out = config("postgres://u@db.example/db?sslmode=disable");
        assert!(check_plaintext_allowed(&opted_out).is_ok());
    }

    #[test]
    fn lock_ids_are_stable() {
        assert_eq!(log_lock_id("audit"), log_lock_id("audit"));
        assert_ne!(log_lock_id("audit"), log_lock_id("events"));
    }
}
