//! Leases for singleton work: at most one holder of a named lease at a time, until it expires.
//!
//! A lease is a row `(name, holder, token, expires_at)`. [`Store::acquire_lease`] grants it
//! when nobody holds it, when the holder's lease expired (`expires_at <= now`) or when the
//! caller is the current holder; every grant takes a new, larger token, so the token is a
//! fencing token: work stamped with it can be refused once a later holder exists. A holder
//! keeps the lease by renewing before it expires; [`Store::renew_lease`] fails once the lease
//! expired or passed to another grant, and the former holder must stop. Holder names must be
//! unique per contender (say node id plus task), since the same holder may re-acquire.
//!
//! Time is the caller's `now_ms`: nodes sharing a lease must have reasonably synchronised
//! clocks, and the TTL should exceed the clock skew between them by a wide margin. Acquire is
//! one upsert statement, so racing contenders (on any node) never both win.

use crate::keys::{to_i64, to_u64};
use crate::queue::millis;
use crate::{Store, StoreError};
use std::time::Duration;

/// A granted lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub name: String,
    pub holder: String,
    /// Fencing token: larger for every grant of this name (until `Store::wipe`).
    pub token: u64,
    /// When the lease ends unless renewed (the caller's clock).
    pub expires_at_ms: i64,
}

impl Store {
    /// Grants `name` to `holder` until `now_ms + ttl` if it is free, expired or already
    /// `holder`'s; `None` while another holder's lease runs.
    pub async fn acquire_lease(
        &self,
        name: &str,
        holder: &str,
        ttl: Duration,
        now_ms: i64,
    ) -> Result<Option<Lease>, StoreError> {
        let expires_at_ms = now_ms.saturating_add(millis(ttl));
        let token = self
            .backend
            .acquire_lease(name, holder, expires_at_ms, now_ms)
            .await?;
        token
            .map(|t| {
                Ok(Lease {
                    name: name.to_owned(),
                    holder: holder.to_owned(),
                    token: to_u64(t, "lease token")?,
                    expires_at_ms,
                })
            })
            .transpose()
    }

    /// Extends a lease still held (same grant, not expired at `now_ms`) to `now_ms + ttl` and
    /// updates `lease`; `false` when the lease was lost.
    pub async fn renew_lease(
        &self,
        lease: &mut Lease,
        ttl: Duration,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let Some(token) = to_i64(lease.token) else {
            return Ok(false);
        };
        let expires_at_ms = now_ms.saturating_add(millis(ttl));
        let renewed = self
            .backend
            .renew_lease((&lease.name, &lease.holder, token), expires_at_ms, now_ms)
            .await?;
        if renewed {
            lease.expires_at_ms = expires_at_ms;
        }
        Ok(renewed)
    }

    /// Gives a lease up so another holder can take it at once; `false` when it was already
    /// lost. The name's token keeps counting up.
    pub async fn release_lease(&self, lease: &Lease) -> Result<bool, StoreError> {
        let Some(token) = to_i64(lease.token) else {
            return Ok(false);
        };
        self.backend
            .release_lease((&lease.name, &lease.holder, token))
            .await
    }
}
