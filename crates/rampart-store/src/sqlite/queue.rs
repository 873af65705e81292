//! The SQL behind the SQLite work queue (see `crate::queue`), run on a blocking thread.
//!
//! Claims, acks and retries run on the one writer connection, so they are serialised and two
//! consumers can never claim the same item.

use super::sqlite_error;
use crate::StoreError;
use crate::queue::{ClaimSpec, Claimed, DeadLetter, claimed, dead_letter};
use rusqlite::{Connection, TransactionBehavior, params};

pub(super) const ENQUEUE: &str = "INSERT INTO queue_items (queue, payload, visible_at, dedup_key)
     VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING";
const DEAD_LETTER: &str = "UPDATE queue_items SET dead = 1, token = token + 1, consumer = NULL
     WHERE queue = ?1 AND dead = 0 AND visible_at <= ?2 AND attempts >= ?3";
const CLAIM: &str = "UPDATE queue_items
     SET attempts = attempts + 1, token = token + 1, visible_at = ?4, consumer = ?5
     WHERE id IN (SELECT id FROM queue_items
                  WHERE queue = ?1 AND dead = 0 AND visible_at <= ?2 AND attempts < ?3
                  ORDER BY visible_at, id LIMIT ?6)
     RETURNING id, payload, attempts, token";
const ACK: &str =
    "DELETE FROM queue_items WHERE queue = ?1 AND id = ?2 AND token = ?3 AND dead = 0";
const RETRY: &str = "UPDATE queue_items SET visible_at = ?4, token = token + 1, consumer = NULL
     WHERE queue = ?1 AND id = ?2 AND token = ?3 AND dead = 0";
const DEAD_LETTERS: &str = "SELECT id, payload, attempts FROM queue_items
     WHERE queue = ?1 AND dead = 1 ORDER BY id LIMIT ?2";

fn err(context: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
    move |e| sqlite_error(context, e)
}

/// Dead-letters exhausted items that came due, then claims up to `limit` others.
pub(super) fn claim(conn: &mut Connection, spec: &ClaimSpec) -> Result<Vec<Claimed>, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(err("begin"))?;
    tx.prepare_cached(DEAD_LETTER)
        .and_then(|mut s| s.execute(params![spec.queue, spec.now, spec.max_attempts]))
        .map_err(err("dead-letter"))?;
    let rows = {
        let mut stmt = tx.prepare_cached(CLAIM).map_err(err("claim"))?;
        let p = params![
            spec.queue,
            spec.now,
            spec.max_attempts,
            spec.lease_until,
            spec.consumer,
            spec.limit
        ];
        let rows = stmt
            .query_map(p, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .map_err(err("claim"))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(err("claim"))?
    };
    tx.commit().map_err(err("commit"))?;
    rows.into_iter()
        .map(|row| claimed(row, spec.lease_until))
        .collect()
}

pub(super) fn ack(
    conn: &mut Connection,
    queue: &str,
    id: i64,
    token: i64,
) -> Result<bool, StoreError> {
    let mut stmt = conn.prepare_cached(ACK).map_err(err("ack"))?;
    Ok(stmt
        .execute(params![queue, id, token])
        .map_err(err("ack"))?
        > 0)
}

/// Acks `(id, token)` pairs in one transaction; how many items it deleted.
pub(super) fn ack_many(
    conn: &mut Connection,
    queue: &str,
    pairs: &[(i64, i64)],
) -> Result<usize, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(err("begin"))?;
    let mut deleted = 0;
    {
        let mut stmt = tx.prepare_cached(ACK).map_err(err("ack"))?;
        for (id, token) in pairs {
            deleted += stmt
                .execute(params![queue, id, token])
                .map_err(err("ack"))?;
        }
    }
    tx.commit().map_err(err("commit"))?;
    Ok(deleted)
}

pub(super) fn retry(
    conn: &mut Connection,
    queue: &str,
    (id, token): (i64, i64),
    visible_at: i64,
) -> Result<bool, StoreError> {
    let mut stmt = conn.prepare_cached(RETRY).map_err(err("retry"))?;
    let n = stmt
        .execute(params![queue, id, token, visible_at])
        .map_err(err("retry"))?;
    Ok(n > 0)
}

pub(super) fn dead_letters(
    conn: &Connection,
    queue: &str,
    limit: i64,
) -> Result<Vec<DeadLetter>, StoreError> {
    let mut stmt = conn
        .prepare_cached(DEAD_LETTERS)
        .map_err(err("dead_letters"))?;
    let rows = stmt
        .query_map(params![queue, limit], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .map_err(err("dead_letters"))?;
    rows.map(|row| dead_letter(row.map_err(err("dead_letters"))?))
        .collect()
}
