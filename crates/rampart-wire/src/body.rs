//! Reading a request body after the pre-authentication checks: under the size limit, within
//! the memory budget shared by all connections, at a minimum rate, hashed (SHA-256, for SigV4)
//! as it streams in.

use crate::limits::ServerLimits;
use aws_lc_rs::digest;
use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// The bytes of request bodies that may be held in memory at once, across all connections.
pub(crate) struct BodyBudget {
    bytes: Arc<Semaphore>,
}

impl BodyBudget {
    pub(crate) fn new(total: usize) -> Self {
        Self {
            bytes: Arc::new(Semaphore::new(total.min(Semaphore::MAX_PERMITS))),
        }
    }

    /// Reserves `n` more bytes, or `None` when the budget is exhausted.
    fn reserve(&self, n: usize) -> Option<Reservation> {
        let n = u32::try_from(n).ok()?;
        let permit = self.bytes.clone().try_acquire_many_owned(n).ok()?;
        Some(Reservation(Some(permit)))
    }
}

/// Budget held by one body until it is dropped.
#[derive(Default)]
pub(crate) struct Reservation(Option<OwnedSemaphorePermit>);

impl Reservation {
    fn merge(&mut self, other: Reservation) {
        match (&mut self.0, other.0) {
            (Some(mine), Some(theirs)) => mine.merge(theirs),
            (mine @ None, theirs) => *mine = theirs,
            (_, None) => {}
        }
    }
}

/// Why a body was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyError {
    /// Longer than the limit (declared or actual).
    TooLarge,
    /// It stalled, or arrived slower than the minimum rate.
    Timeout,
    /// The framing was broken (bad chunk encoding, connection closed mid-body).
    Malformed,
    /// The memory budget for bodies is exhausted.
    Busy,
}

/// A body read in full, with its SHA-256 and the budget it holds.
pub(crate) struct ReadBody {
    pub(crate) bytes: Bytes,
    pub(crate) sha256: [u8; 32],
    _reservation: Reservation,
}

/// How a body must arrive.
pub(crate) struct BodyRules<'a> {
    pub(crate) limit: usize,
    pub(crate) declared: Option<u64>,
    pub(crate) limits: &'a ServerLimits,
    pub(crate) budget: &'a BodyBudget,
}

/// Reads `body` under `rules`.
pub(crate) async fn read_body<B>(body: B, rules: &BodyRules<'_>) -> Result<ReadBody, BodyError>
where
    B: hyper::body::Body<Data = Bytes>,
{
    let declared = match rules.declared {
        Some(n) => Some(usize::try_from(n).map_err(|_| BodyError::TooLarge)?),
        None => None,
    };
    if declared.is_some_and(|n| n > rules.limit) {
        return Err(BodyError::TooLarge);
    }
    let mut reservation = match declared {
        Some(n) => rules.budget.reserve(n).ok_or(BodyError::Busy)?,
        None => Reservation::default(),
    };
    let mut reader = Reader::new(rules, declared);
    tokio::pin!(body);
    while let Some(chunk) = reader.next_chunk(body.as_mut()).await? {
        if declared.is_none() {
            reservation.merge(rules.budget.reserve(chunk.len()).ok_or(BodyError::Busy)?);
        }
        reader.push(chunk)?;
    }
    Ok(reader.finish(reservation))
}

/// The state of one body being read.
struct Reader<'a> {
    rules: &'a BodyRules<'a>,
    declared: Option<usize>,
    started: Instant,
    hash: digest::Context,
    chunks: Vec<Bytes>,
    received: usize,
}

impl<'a> Reader<'a> {
    fn new(rules: &'a BodyRules<'a>, declared: Option<usize>) -> Self {
        Self {
            rules,
            declared,
            started: Instant::now(),
            hash: digest::Context::new(&digest::SHA256),
            chunks: Vec::new(),
            received: 0,
        }
    }

    /// The next data chunk, or `None` at the end; trailers and empty frames are skipped.
    async fn next_chunk<B>(
        &mut self,
        mut body: std::pin::Pin<&mut B>,
    ) -> Result<Option<Bytes>, BodyError>
    where
        B: hyper::body::Body<Data = Bytes>,
    {
        loop {
            let wait = self.wait_limit()?;
            let frame = match tokio::time::timeout(wait, body.frame()).await {
                Err(_) => return Err(BodyError::Timeout),
                Ok(None) => return Ok(None),
                Ok(Some(Err(_))) => return Err(BodyError::Malformed),
                Ok(Some(Ok(frame))) => frame,
            };
            if let Ok(data) = frame.into_data()
                && !data.is_empty()
            {
                return Ok(Some(data));
            }
        }
    }

    /// How long to wait for the next chunk: never more than the stall timeout, and never past
    /// the point where the body falls below the minimum rate.
    fn wait_limit(&self) -> Result<Duration, BodyError> {
        let limits = self.rules.limits;
        let grace = limits.body_read_timeout();
        let elapsed = self.started.elapsed();
        let rate = limits.body_min_bytes_per_sec.max(1);
        // Bytes received so far buy time at the minimum rate, after the grace period.
        let earned = Duration::from_secs_f64(self.received as f64 / rate as f64);
        let allowed = grace + earned;
        if elapsed >= allowed {
            return Err(BodyError::Timeout);
        }
        Ok((allowed - elapsed).min(grace))
    }

    fn push(&mut self, chunk: Bytes) -> Result<(), BodyError> {
        self.received = self.received.saturating_add(chunk.len());
        let over_declared = self.declared.is_some_and(|n| self.received > n);
        if self.received > self.rules.limit || over_declared {
            return Err(BodyError::TooLarge);
        }
        self.hash.update(&chunk);
        self.chunks.push(chunk);
        Ok(())
    }

    fn finish(self, reservation: Reservation) -> ReadBody {
        let bytes = match self.chunks.len() {
            0 => Bytes::new(),
            1 => self.chunks.into_iter().next().unwrap_or_default(),
            _ => {
                let mut all = BytesMut::with_capacity(self.received);
                self.chunks.iter().for_each(|c| all.extend_from_slice(c));
                all.freeze()
            }
        };
        let mut sha256 = [0u8; 32];
        sha256.copy_from_slice(self.hash.finish().as_ref());
        ReadBody {
            bytes,
            sha256,
            _reservation: reservation,
        }
    }
}

#[cfg(test)]
#[path = "body_tests.rs"]
mod tests;
