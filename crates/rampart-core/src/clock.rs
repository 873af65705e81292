//! Time sources: the system clock, a manual clock for tests, and an offset clock a dev-mode
//! server can move forward.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use time::OffsetDateTime;

/// Where Rampart reads the current time from.
pub trait Clock: Send + Sync {
    /// The current time in UTC.
    fn now(&self) -> OffsetDateTime;
}

/// The real wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that only moves when told to (tests).
#[derive(Debug)]
pub struct ManualClock(Mutex<OffsetDateTime>);

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: OffsetDateTime) -> Self {
        Self(Mutex::new(start))
    }

    /// Moves the clock to `to`.
    pub fn set(&self, to: OffsetDateTime) {
        if let Ok(mut now) = self.0.lock() {
            *now = to;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        self.0
            .lock()
            .map(|now| *now)
            .unwrap_or_else(|poisoned| *poisoned.into_inner())
    }
}

/// Milliseconds since the Unix epoch of `clock`'s current time (saturating).
pub fn epoch_ms(clock: &dyn Clock) -> i64 {
    let millis = clock.now().unix_timestamp_nanos() / 1_000_000;
    i64::try_from(millis).unwrap_or(i64::MAX)
}

/// Another clock plus an offset that only grows (`--dev` servers move time forward with it).
/// With the offset never moved it reads exactly as the inner clock.
pub struct OffsetClock {
    inner: Arc<dyn Clock>,
    offset_ms: AtomicI64,
}

impl OffsetClock {
    /// `inner`, not yet moved.
    pub fn new(inner: Arc<dyn Clock>) -> Self {
        Self {
            inner,
            offset_ms: AtomicI64::new(0),
        }
    }

    /// Moves the clock forward by `by`; returns the total offset in milliseconds.
    pub fn advance(&self, by: Duration) -> i64 {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        let before = self
            .offset_ms
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |o| {
                Some(o.saturating_add(by))
            })
            .unwrap_or_else(|current| current);
        before.saturating_add(by)
    }

    /// The current offset in milliseconds.
    pub fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::SeqCst)
    }
}

impl std::fmt::Debug for OffsetClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OffsetClock")
            .field("offset_ms", &self.offset_ms())
            .finish()
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> OffsetDateTime {
        let base = self.inner.now();
        base.checked_add(time::Duration::milliseconds(self.offset_ms()))
            .unwrap_or(base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_clock_reads_its_inner_clock_until_advanced() {
        let start = OffsetDateTime::from_unix_timestamp(1_000).expect("valid time");
        let manual = Arc::new(ManualClock::new(start));
        let clock = OffsetClock::new(manual.clone());
        assert_eq!(clock.now(), start);
        assert_eq!(clock.advance(Duration::from_secs(60)), 60_000);
        assert_eq!(epoch_ms(&clock), 1_060_000);
        manual.set(start + time::Duration::seconds(1));
        assert_eq!(epoch_ms(&clock), 1_061_000);
    }
}
