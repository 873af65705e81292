//! Fencing at commit: work done under a lease carries the lease's grant token, and the store
//! refuses to commit it once a later grant of that lease exists.
//!
//! A [`Fence`] becomes `Write::Fence` in a transaction, checked atomically with the other writes
//! (on PostgreSQL the lease row is read `FOR SHARE`, so a new grant waits for the commit; on
//! SQLite the writer connection serialises both). [`fenced`] runs a future with a fence that
//! [`crate::Store::transact`] adds to every transaction the future makes, so code deep inside a
//! job need not pass the fence along. Tasks the future spawns do not inherit it.

use crate::{Lease, Write};
use std::future::Future;

/// A lease grant that writes must still be the latest of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fence {
    /// The lease name.
    pub lease: String,
    /// The grant's fencing token.
    pub token: u64,
}

impl Fence {
    /// The fence of a granted lease.
    pub fn of(lease: &Lease) -> Self {
        Self {
            lease: lease.name.clone(),
            token: lease.token,
        }
    }

    /// The write that checks this fence.
    pub fn write(self) -> Write {
        Write::Fence {
            lease: self.lease,
            token: self.token,
        }
    }
}

tokio::task_local! {
    static FENCE: Fence;
}

/// Runs `fut` with `fence` added to every [`crate::Store::transact`] it makes.
pub async fn fenced<F: Future>(fence: Fence, fut: F) -> F::Output {
    FENCE.scope(fence, fut).await
}

/// The fence of the enclosing [`fenced`] scope, if any.
pub(crate) fn current() -> Option<Fence> {
    FENCE.try_with(Fence::clone).ok()
}
