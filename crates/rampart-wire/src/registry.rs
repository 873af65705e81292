//! The open connections: caps overall and per source address, shedding the longest-idle
//! connection to make room for a new one, and a wait for all of them to end at shutdown.

use crate::conn::ConnState;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::Notify;
use tokio::time::Instant;

/// Every open connection, with the caps that apply to new ones.
pub(crate) struct Registry {
    max_total: usize,
    max_per_ip: usize,
    epoch: Instant,
    next_id: AtomicU64,
    inner: Mutex<Inner>,
    /// Woken when the last connection ends.
    drained: Notify,
}

#[derive(Default)]
struct Inner {
    conns: HashMap<u64, Arc<ConnState>>,
    per_ip: HashMap<IpAddr, usize>,
}

impl Inner {
    fn count(&self, ip: IpAddr) -> usize {
        self.per_ip.get(&ip).copied().unwrap_or(0)
    }

    /// Forgets `id`; false when it was already forgotten (shed earlier).
    fn remove(&mut self, id: u64) -> bool {
        let Some(state) = self.conns.remove(&id) else {
            return false;
        };
        if let Some(n) = self.per_ip.get_mut(&state.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.per_ip.remove(&state.ip);
            }
        }
        true
    }

    /// Sheds the longest-idle connection (from `ip` when given): it no longer counts and is
    /// told to close. False when every candidate has a request in flight.
    fn shed_idlest(&mut self, ip: Option<IpAddr>) -> bool {
        let victim = self
            .conns
            .values()
            .filter(|c| ip.is_none_or(|ip| c.ip == ip) && c.is_idle())
            .min_by_key(|c| c.idle_since())
            .cloned();
        let Some(victim) = victim else {
            return false;
        };
        self.remove(victim.id);
        victim.shed.notify_one();
        true
    }
}

/// A registered connection; dropping it removes the connection from the registry.
pub(crate) struct Ticket {
    registry: Arc<Registry>,
    pub(crate) state: Arc<ConnState>,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut inner = self.registry.lock();
        inner.remove(self.state.id);
        if inner.conns.is_empty() {
            self.registry.drained.notify_waiters();
        }
    }
}

impl Registry {
    pub(crate) fn new(max_total: usize, max_per_ip: usize) -> Arc<Self> {
        Arc::new(Self {
            max_total: max_total.max(1),
            max_per_ip: max_per_ip.max(1),
            epoch: Instant::now(),
            next_id: AtomicU64::new(1),
            inner: Mutex::new(Inner::default()),
            drained: Notify::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Registers a connection from `ip`, shedding an idle one when a cap is reached; `None`
    /// when the cap is reached and every connection in it is busy.
    pub(crate) fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<Ticket> {
        let mut inner = self.lock();
        if inner.count(ip) >= self.max_per_ip && !inner.shed_idlest(Some(ip)) {
            return None;
        }
        if inner.conns.len() >= self.max_total && !inner.shed_idlest(None) {
            return None;
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let state = Arc::new(ConnState::new(id, ip, self.epoch));
        inner.conns.insert(id, state.clone());
        *inner.per_ip.entry(ip).or_insert(0) += 1;
        Some(Ticket {
            registry: self.clone(),
            state,
        })
    }

    /// Sheds the longest-idle connection of all (when descriptors run out).
    pub(crate) fn shed_one(&self) -> bool {
        self.lock().shed_idlest(None)
    }

    /// Open connections (shed ones excluded).
    pub(crate) fn len(&self) -> usize {
        self.lock().conns.len()
    }

    /// Waits until every registered connection has ended.
    pub(crate) async fn wait_drained(&self) {
        loop {
            let notified = self.drained.notified();
            if self.len() == 0 {
                return;
            }
            notified.await;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1));
    const B: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2));

    #[tokio::test(start_paused = true)]
    async fn per_ip_cap_sheds_the_idlest_of_that_address() {
        let registry = Registry::new(100, 2);
        let oldest = registry.admit(A).unwrap();
        tokio::time::advance(std::time::Duration::from_millis(10)).await;
        let newer = registry.admit(A).unwrap();
        let other = registry.admit(B).unwrap();
        let third = registry.admit(A).unwrap();
        assert_eq!(registry.len(), 3);
        // The oldest idle connection of A was told to close and no longer counts.
        assert!(
            tokio::time::timeout(std::time::Duration::ZERO, oldest.state.shed.notified())
                .await
                .is_ok()
        );
        drop((newer, other, third));
        drop(oldest);
        assert_eq!(registry.len(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn busy_connections_are_never_shed() {
        let registry = Registry::new(2, 10);
        let first = registry.admit(A).unwrap();
        let second = registry.admit(B).unwrap();
        let _busy = (first.state.begin_request(), second.state.begin_request());
        assert!(registry.admit(A).is_none());
        assert!(!registry.shed_one());
    }

    #[tokio::test]
    async fn drained_once_the_last_ticket_drops() {
        let registry = Registry::new(10, 10);
        let ticket = registry.admit(A).unwrap();
        let waiter = tokio::spawn({
            let registry = registry.clone();
            async move { registry.wait_drained().await }
        });
        tokio::task::yield_now().await;
        drop(ticket);
        tokio::time::timeout(std::time::Duration::from_secs(5), waiter)
            .await
            .unwrap()
            .unwrap();
    }
}
