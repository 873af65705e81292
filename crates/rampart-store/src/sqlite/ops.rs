//! The SQL behind each SQLite backend call, run on a blocking thread.

use super::queue::ENQUEUE;
use super::sqlite_error;
use crate::keys::{ScanBounds, key_from_bytes, to_i64, to_u64};
use crate::{Expect, Record, StoreError, Write};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

const GET: &str = "SELECT version, value FROM records WHERE tbl = ?1 AND key = ?2";
const INSERT: &str =
    "INSERT INTO records (tbl, key, version, value) VALUES (?1, ?2, 1, ?3) ON CONFLICT DO NOTHING";
const UPSERT: &str = "INSERT INTO records (tbl, key, version, value) VALUES (?1, ?2, 1, ?3)
     ON CONFLICT (tbl, key) DO UPDATE SET version = records.version + 1, value = excluded.value";
const UPDATE: &str = "UPDATE records SET version = version + 1, value = ?3
     WHERE tbl = ?1 AND key = ?2 AND version = ?4";
const DELETE_ANY: &str = "DELETE FROM records WHERE tbl = ?1 AND key = ?2";
const DELETE_VERSION: &str = "DELETE FROM records WHERE tbl = ?1 AND key = ?2 AND version = ?3";
const EXISTS: &str = "SELECT 1 FROM records WHERE tbl = ?1 AND key = ?2";
const APPEND: &str = "INSERT INTO log_entries (log, entry) VALUES (?1, ?2)";
const FENCE: &str = "SELECT 1 FROM leases WHERE name = ?1 AND token = ?2";
const READ_LOG: &str =
    "SELECT seq, entry FROM log_entries WHERE log = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3";
const READ_LOG_BEFORE: &str =
    "SELECT seq, entry FROM log_entries WHERE log = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3";

fn err(context: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
    move |e| sqlite_error(context, e)
}

pub(super) fn get(conn: &Connection, table: &str, key: &str) -> Result<Option<Record>, StoreError> {
    let mut stmt = conn.prepare_cached(GET).map_err(err("get"))?;
    let row = stmt
        .query_row(params![table, key.as_bytes()], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
        })
        .optional()
        .map_err(err("get"))?;
    row.map(|(version, value)| {
        Ok(Record {
            key: key.to_owned(),
            version: to_u64(version, "version")?,
            value,
        })
    })
    .transpose()
}

/// Applies every write of one batch inside an open transaction; the first unmet expectation
/// stops it with a conflict (the caller rolls the batch back).
pub(super) fn apply_batch(tx: &Transaction<'_>, writes: &[Write]) -> Result<(), StoreError> {
    for write in writes {
        if !apply(tx, write)? {
            return Err(write.conflict());
        }
    }
    Ok(())
}

/// Applies one write; `false` when its expectation does not hold.
fn apply(tx: &Transaction<'_>, write: &Write) -> Result<bool, StoreError> {
    let changed = |sql: &str, p: &[&dyn rusqlite::ToSql]| -> Result<bool, StoreError> {
        let mut stmt = tx.prepare_cached(sql).map_err(err("write"))?;
        Ok(stmt.execute(p).map_err(err("write"))? > 0)
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
                Expect::Absent => changed(INSERT, params![table, k, value]),
                Expect::Any => changed(UPSERT, params![table, k, value]),
                Expect::Version(v) => match to_i64(v) {
                    Some(v) => changed(UPDATE, params![table, k, value, v]),
                    None => Ok(false),
                },
            }
        }
        Write::Delete { table, key, expect } => {
            let k = key.as_bytes();
            match *expect {
                Expect::Any => changed(DELETE_ANY, params![table, k]).map(|_| true),
                Expect::Version(v) => match to_i64(v) {
                    Some(v) => changed(DELETE_VERSION, params![table, k, v]),
                    None => Ok(false),
                },
                Expect::Absent => {
                    let mut stmt = tx.prepare_cached(EXISTS).map_err(err("write"))?;
                    Ok(!stmt.exists(params![table, k]).map_err(err("write"))?)
                }
            }
        }
        Write::Append { log, entry } => changed(APPEND, params![log, entry]).map(|_| true),
        Write::Enqueue {
            queue,
            payload,
            visible_at_ms,
            dedup_key,
        } => {
            let dedup = dedup_key.as_deref().map(str::as_bytes);
            changed(ENQUEUE, params![queue, payload, visible_at_ms, dedup]).map(|_| true)
        }
        Write::Fence { lease, token } => {
            let Some(token) = to_i64(*token) else {
                return Ok(false);
            };
            let mut stmt = tx.prepare_cached(FENCE).map_err(err("fence"))?;
            stmt.exists(params![lease, token]).map_err(err("fence"))
        }
    }
}

pub(super) fn scan(
    conn: &Connection,
    table: &str,
    bounds: &ScanBounds,
) -> Result<Vec<Record>, StoreError> {
    let sql = format!(
        "SELECT key, version, value FROM records WHERE tbl = ?1 AND {} ORDER BY key LIMIT ?4",
        bounds.key_clause(2, |n| format!("?{n}"))
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(err("scan"))?;
    let upper = bounds.upper.as_deref().unwrap_or_default();
    let rows = stmt
        .query_map(params![table, bounds.lower, upper, bounds.limit], |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Vec<u8>>(2)?,
            ))
        })
        .map_err(err("scan"))?;
    let mut out = Vec::new();
    for row in rows {
        let (key, version, value) = row.map_err(err("scan"))?;
        out.push(Record {
            key: key_from_bytes(key)?,
            version: to_u64(version, "version")?,
            value,
        });
    }
    Ok(out)
}

/// Keys only: the same range query as [`scan`] without the values.
pub(super) fn scan_keys(
    conn: &Connection,
    table: &str,
    bounds: &ScanBounds,
) -> Result<Vec<String>, StoreError> {
    let sql = format!(
        "SELECT key FROM records WHERE tbl = ?1 AND {} ORDER BY key LIMIT ?4",
        bounds.key_clause(2, |n| format!("?{n}"))
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(err("scan"))?;
    let upper = bounds.upper.as_deref().unwrap_or_default();
    let rows = stmt
        .query_map(params![table, bounds.lower, upper, bounds.limit], |r| {
            r.get::<_, Vec<u8>>(0)
        })
        .map_err(err("scan"))?;
    rows.map(|key| key_from_bytes(key.map_err(err("scan"))?))
        .collect()
}

/// Reads each key with the prepared `GET` inside one read transaction (one snapshot).
pub(super) fn get_many(
    conn: &Connection,
    table: &str,
    keys: &[String],
) -> Result<Vec<Option<Record>>, StoreError> {
    let tx = conn.unchecked_transaction().map_err(err("begin"))?;
    let records = keys
        .iter()
        .map(|key| get(&tx, table, key))
        .collect::<Result<Vec<_>, _>>()?;
    tx.finish().map_err(err("end read"))?;
    Ok(records)
}

/// Appends all entries in one transaction with one prepared statement.
pub(super) fn append(
    conn: &mut Connection,
    log: &str,
    entries: &[Vec<u8>],
) -> Result<Vec<u64>, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(err("begin"))?;
    let mut seqs = Vec::with_capacity(entries.len());
    {
        let mut stmt = tx.prepare_cached(APPEND).map_err(err("append"))?;
        for entry in entries {
            let seq = stmt.insert(params![log, entry]).map_err(err("append"))?;
            seqs.push(to_u64(seq, "sequence number")?);
        }
    }
    tx.commit().map_err(err("commit"))?;
    Ok(seqs)
}

pub(super) fn read_log(
    conn: &Connection,
    log: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
    log_rows(conn, READ_LOG, log, after, limit)
}

/// Entries with sequence number < `before`, newest first.
pub(super) fn read_log_before(
    conn: &Connection,
    log: &str,
    before: i64,
    limit: i64,
) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
    log_rows(conn, READ_LOG_BEFORE, log, before, limit)
}

/// Runs one of the log queries (`?1` log, `?2` sequence bound, `?3` limit).
fn log_rows(
    conn: &Connection,
    sql: &str,
    log: &str,
    bound: i64,
    limit: i64,
) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(err("read_log"))?;
    let rows = stmt
        .query_map(params![log, bound, limit], |r| {
            Ok((r.get::<_, i64>(0)?, r.get(1)?))
        })
        .map_err(err("read_log"))?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, entry) = row.map_err(err("read_log"))?;
        out.push((to_u64(seq, "sequence number")?, entry));
    }
    Ok(out)
}

/// Deletes all rows, log entries, queue items and leases; `AUTOINCREMENT` keeps sequence numbers and
/// queue item ids increasing.
pub(super) fn wipe(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(err("begin"))?;
    tx.execute_batch(
        "DELETE FROM records; DELETE FROM log_entries; DELETE FROM queue_items;
         DELETE FROM leases;",
    )
    .map_err(err("wipe"))?;
    tx.commit().map_err(err("commit"))
}
