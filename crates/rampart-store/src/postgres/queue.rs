//! The PostgreSQL work queue (see `crate::queue`).
//!
//! A claim picks its items with `SELECT ... FOR UPDATE SKIP LOCKED` inside an `ARRAY(...)`
//! sub-select (evaluated once, so the `LIMIT` holds), then updates exactly those rows: claimers
//! on any node skip each other's rows instead of waiting, and a row is never handed out twice
//! because its token and `visible_at` change in the same transaction that locked it.

use super::{PgBackend, err};
use crate::StoreError;
use crate::queue::{ClaimSpec, Claimed, DeadLetter, claimed, dead_letter};

pub(super) const ENQUEUE: &str = "INSERT INTO queue_items (queue, payload, visible_at, dedup_key)
     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
const DEAD_LETTER: &str = "UPDATE queue_items SET dead = true, token = token + 1, consumer = NULL
     WHERE id = ANY(ARRAY(SELECT id FROM queue_items
                          WHERE queue = $1 AND NOT dead AND visible_at <= $2 AND attempts >= $3
                          FOR UPDATE SKIP LOCKED))";
const CLAIM: &str = "UPDATE queue_items
     SET attempts = attempts + 1, token = token + 1, visible_at = $4, consumer = $5
     WHERE id = ANY(ARRAY(SELECT id FROM queue_items
                          WHERE queue = $1 AND NOT dead AND visible_at <= $2 AND attempts < $3
                          ORDER BY visible_at, id LIMIT $6
                          FOR UPDATE SKIP LOCKED))
     RETURNING id, payload, attempts, token";
const ACK: &str =
    "DELETE FROM queue_items WHERE queue = $1 AND id = $2 AND token = $3 AND NOT dead";
const ACK_MANY: &str = "DELETE FROM queue_items WHERE queue = $1 AND NOT dead
     AND (id, token) IN (SELECT * FROM unnest($2::bigint[], $3::bigint[]))";
const RETRY: &str = "UPDATE queue_items SET visible_at = $4, token = token + 1, consumer = NULL
     WHERE queue = $1 AND id = $2 AND token = $3 AND NOT dead";
const DEAD_LETTERS: &str = "SELECT id, payload, attempts FROM queue_items
     WHERE queue = $1 AND dead ORDER BY id LIMIT $2";

impl PgBackend {
    /// Dead-letters exhausted items that came due, then claims up to `limit` others.
    pub(crate) async fn claim(&self, spec: ClaimSpec) -> Result<Vec<Claimed>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(err("begin"))?;
        let stmt = tx
            .prepare_cached(DEAD_LETTER)
            .await
            .map_err(err("dead-letter"))?;
        tx.execute(&stmt, &[&spec.queue, &spec.now, &spec.max_attempts])
            .await
            .map_err(err("dead-letter"))?;
        let stmt = tx.prepare_cached(CLAIM).await.map_err(err("claim"))?;
        let rows = tx
            .query(
                &stmt,
                &[
                    &spec.queue,
                    &spec.now,
                    &spec.max_attempts,
                    &spec.lease_until,
                    &spec.consumer,
                    &spec.limit,
                ],
            )
            .await
            .map_err(err("claim"))?;
        tx.commit().await.map_err(err("commit"))?;
        rows.iter()
            .map(|r| {
                let row = (
                    r.try_get(0).map_err(err("claim"))?,
                    r.try_get(1).map_err(err("claim"))?,
                    r.try_get(2).map_err(err("claim"))?,
                    r.try_get(3).map_err(err("claim"))?,
                );
                claimed(row, spec.lease_until)
            })
            .collect()
    }

    pub(crate) async fn ack(&self, queue: &str, id: i64, token: i64) -> Result<bool, StoreError> {
        self.changes_a_row("ack", ACK, &[&queue, &id, &token]).await
    }

    /// Acks `(id, token)` pairs in one statement; how many items it deleted.
    pub(crate) async fn ack_many(
        &self,
        queue: &str,
        pairs: Vec<(i64, i64)>,
    ) -> Result<usize, StoreError> {
        let (ids, tokens): (Vec<i64>, Vec<i64>) = pairs.into_iter().unzip();
        let client = self.client().await?;
        let stmt = client.prepare_cached(ACK_MANY).await.map_err(err("ack"))?;
        let n = client
            .execute(&stmt, &[&queue, &ids, &tokens])
            .await
            .map_err(err("ack"))?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    pub(crate) async fn retry(
        &self,
        queue: &str,
        id: i64,
        token: i64,
        visible_at: i64,
    ) -> Result<bool, StoreError> {
        self.changes_a_row("retry", RETRY, &[&queue, &id, &token, &visible_at])
            .await
    }

    pub(crate) async fn dead_letters(
        &self,
        queue: &str,
        limit: i64,
    ) -> Result<Vec<DeadLetter>, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(DEAD_LETTERS)
            .await
            .map_err(err("dead_letters"))?;
        let rows = client
            .query(&stmt, &[&queue, &limit])
            .await
            .map_err(err("dead_letters"))?;
        rows.iter()
            .map(|r| {
                dead_letter((
                    r.try_get(0).map_err(err("dead_letters"))?,
                    r.try_get(1).map_err(err("dead_letters"))?,
                    r.try_get(2).map_err(err("dead_letters"))?,
                ))
            })
            .collect()
    }
}
