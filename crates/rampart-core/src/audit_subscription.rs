//! A module's subscription to the audit trail: a queue that receives each stored batch of
//! records in the transaction that stores it, with the read-only calls' records or without
//! them (most calls are read-only; a subscriber that rarely wants them saves their copy).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A queue subscribed to audit records.
#[derive(Debug, Clone)]
pub struct AuditSubscription {
    /// The queue (named after its module's tables, `<name>_…`).
    pub queue: &'static str,
    /// Read-only calls' records go to the queue only while this is set; `None`: always.
    read_only: Option<Arc<AtomicBool>>,
}

impl AuditSubscription {
    /// Every record.
    pub fn all(queue: &'static str) -> Self {
        Self {
            queue,
            read_only: None,
        }
    }

    /// The records of calls that change state, and read-only calls' records while `wanted`
    /// is set (the subscriber sets it before it needs them).
    pub fn read_only_while(queue: &'static str, wanted: Arc<AtomicBool>) -> Self {
        Self {
            queue,
            read_only: Some(wanted),
        }
    }

    /// Whether read-only calls' records go to the queue now.
    pub fn takes_read_only(&self) -> bool {
        self.read_only
            .as_ref()
            .is_none_or(|wanted| wanted.load(Ordering::Acquire))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_records_follow_the_flag() {
        assert!(AuditSubscription::all("q").takes_read_only());
        let wanted = Arc::new(AtomicBool::new(false));
        let sub = AuditSubscription::read_only_while("q", Arc::clone(&wanted));
        assert!(!sub.takes_read_only());
        wanted.store(true, Ordering::Release);
        assert!(sub.takes_read_only());
    }
}
