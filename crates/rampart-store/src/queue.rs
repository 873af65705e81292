//! Transactional work queues: items enqueued with `Write::Enqueue` inside [`Store::transact`],
//! claimed under a time-limited lease, acked, retried later or dead-lettered.
//!
//! # Semantics
//!
//! * An item is *claimable* when it is not dead-lettered and its `visible_at` is at or before
//!   the caller's `now_ms`. Claiming sets `visible_at` to the end of the lease, so a claimed
//!   item comes back by itself when its consumer dies without acking (at-least-once delivery).
//! * Every claim bumps the item's claim token. [`Store::ack`] and [`Store::retry`] act only
//!   when the token still matches: a consumer whose lease expired and whose item was claimed
//!   again cannot ack or reschedule the new claim.
//! * An item that was claimed `max_attempts` times and comes due again is dead-lettered by the
//!   next [`Store::claim`] instead of being returned; [`Store::dead_letters`] lists those.
//! * Time is always the caller's `now_ms` (milliseconds on the caller's clock), never the
//!   database's, so tests can move time and nodes agree as far as their clocks do.
//!
//! On PostgreSQL a claim selects its items `FOR UPDATE SKIP LOCKED`, so consumers on several
//! nodes never receive the same item and never wait for each other; on SQLite claims run on the
//! single writer connection.

use crate::keys::{sql_limit, to_i64, to_u64};
use crate::{Store, StoreError};
use std::time::Duration;

/// An item handed to one consumer by [`Store::claim`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    /// The item's id, unique in the database and never reused.
    pub id: u64,
    pub payload: Vec<u8>,
    /// How many times the item has been claimed, this claim included (1 on the first).
    pub attempts: u32,
    /// The claim token: `ack` and `retry` succeed only while the item still carries it.
    pub token: u64,
    /// When the lease ends (the caller's clock); the item is claimable again from then on.
    pub lease_until_ms: i64,
}

/// An item that exhausted its attempts, as [`Store::dead_letters`] lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    pub id: u64,
    pub payload: Vec<u8>,
    pub attempts: u32,
}

/// One claim's parameters as SQL values (owned: SQLite runs it on a blocking thread).
#[derive(Debug, Clone)]
pub(crate) struct ClaimSpec {
    pub queue: String,
    pub consumer: String,
    pub now: i64,
    pub lease_until: i64,
    pub limit: i64,
    pub max_attempts: i64,
}

/// A claimed row `(id, payload, attempts, token)` as a [`Claimed`].
pub(crate) fn claimed(
    row: (i64, Vec<u8>, i64, i64),
    lease_until_ms: i64,
) -> Result<Claimed, StoreError> {
    let (id, payload, attempts, token) = row;
    Ok(Claimed {
        id: to_u64(id, "queue item id")?,
        payload,
        attempts: to_u32(attempts)?,
        token: to_u64(token, "claim token")?,
        lease_until_ms,
    })
}

/// A dead-lettered row `(id, payload, attempts)` as a [`DeadLetter`].
pub(crate) fn dead_letter(row: (i64, Vec<u8>, i64)) -> Result<DeadLetter, StoreError> {
    let (id, payload, attempts) = row;
    Ok(DeadLetter {
        id: to_u64(id, "queue item id")?,
        payload,
        attempts: to_u32(attempts)?,
    })
}

fn to_u32(attempts: i64) -> Result<u32, StoreError> {
    u32::try_from(attempts).map_err(|_| StoreError::Decode(format!("attempts {attempts}")))
}

/// A duration in whole milliseconds, saturating.
pub(crate) fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Store {
    /// Claims up to `limit` claimable items of `queue` for `consumer` (a name kept for
    /// diagnostics), leased until `now_ms + lease`, oldest `visible_at` first.
    ///
    /// Items already claimed `max_attempts` times (at least 1) that come due are moved to the
    /// dead letters instead. Items come back ordered by id.
    pub async fn claim(
        &self,
        queue: &str,
        consumer: &str,
        lease: Duration,
        limit: usize,
        max_attempts: u32,
        now_ms: i64,
    ) -> Result<Vec<Claimed>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let spec = ClaimSpec {
            queue: queue.to_owned(),
            consumer: consumer.to_owned(),
            now: now_ms,
            lease_until: now_ms.saturating_add(millis(lease)),
            limit: sql_limit(limit),
            max_attempts: i64::from(max_attempts.max(1)),
        };
        let mut items = self.backend.claim(spec).await?;
        items.sort_by_key(|c| c.id);
        Ok(items)
    }

    /// Deletes a claimed item, if the claim is still the item's latest (returns whether it did).
    pub async fn ack(&self, queue: &str, claimed: &Claimed) -> Result<bool, StoreError> {
        let (Some(id), Some(token)) = (to_i64(claimed.id), to_i64(claimed.token)) else {
            return Ok(false);
        };
        self.backend.ack(queue, id, token).await
    }

    /// Acks several claims of `queue` in one transaction (one commit, one fsync): deletes each
    /// item whose latest claim it still is; returns how many it deleted.
    pub async fn ack_many(&self, queue: &str, claims: &[Claimed]) -> Result<usize, StoreError> {
        let pairs: Vec<(i64, i64)> = claims
            .iter()
            .filter_map(|c| Some((to_i64(c.id)?, to_i64(c.token)?)))
            .collect();
        if pairs.is_empty() {
            return Ok(0);
        }
        self.backend.ack_many(queue, pairs).await
    }

    /// Gives a claimed item back, claimable again from `visible_at_ms`, if the claim is still
    /// the item's latest (returns whether it was). The attempt still counts.
    pub async fn retry(
        &self,
        queue: &str,
        claimed: &Claimed,
        visible_at_ms: i64,
    ) -> Result<bool, StoreError> {
        let (Some(id), Some(token)) = (to_i64(claimed.id), to_i64(claimed.token)) else {
            return Ok(false);
        };
        self.backend.retry(queue, id, token, visible_at_ms).await
    }

    /// Dead-lettered items of `queue`, oldest id first, at most `limit`.
    pub async fn dead_letters(
        &self,
        queue: &str,
        limit: usize,
    ) -> Result<Vec<DeadLetter>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        self.backend.dead_letters(queue, sql_limit(limit)).await
    }
}
