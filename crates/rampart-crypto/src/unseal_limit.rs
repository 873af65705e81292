//! Limits on guessing unseal secrets, as pure logic over instants the caller supplies (so tests
//! drive a manual clock): [`AttemptLimiter`] makes each source wait longer and longer after
//! failed attempts, and [`DerivationBudget`] caps expensive key derivations (Argon2id) per
//! second for the whole process, whoever asks.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// How [`AttemptLimiter`] punishes failures.
#[derive(Debug, Clone)]
pub struct BackoffPolicy {
    /// Failures a source may make before any delay (typos happen).
    pub free_failures: u32,
    /// The delay after the first failure beyond the free ones; it doubles with each further one.
    pub base_delay: Duration,
    /// The longest delay.
    pub max_delay: Duration,
    /// A source's failures are forgotten this long after its last one (once its delay ended).
    pub forget_after: Duration,
    /// Sources remembered at most; when full, the one whose last failure is oldest is dropped.
    pub max_sources: usize,
}

impl Default for BackoffPolicy {
    /// 3 free failures, then 1 s, 2 s, 4 s, ... up to 5 minutes; forgotten after an hour.
    fn default() -> Self {
        BackoffPolicy {
            free_failures: 3,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(300),
            forget_after: Duration::from_secs(3600),
            max_sources: 4096,
        }
    }
}

/// One source's record of failures.
#[derive(Debug, Clone, Copy)]
struct Penalty {
    failures: u32,
    last_failure: Instant,
    next_allowed: Instant,
}

/// Per-source exponential backoff after failed unseal attempts.
///
/// Sources are IP addresses; IPv6 addresses count per /64 (one host usually owns a whole /64)
/// and IPv4-mapped IPv6 addresses as their IPv4 address.
#[derive(Debug)]
pub struct AttemptLimiter {
    policy: BackoffPolicy,
    sources: HashMap<IpAddr, Penalty>,
}

impl AttemptLimiter {
    pub fn new(policy: BackoffPolicy) -> Self {
        AttemptLimiter {
            policy,
            sources: HashMap::new(),
        }
    }

    /// `Err(wait)` while `source` must still wait before its next attempt.
    pub fn check(&self, source: IpAddr, now: Instant) -> Result<(), Duration> {
        match self.sources.get(&source_key(source)) {
            Some(p) if p.next_allowed > now => Err(p.next_allowed - now),
            _ => Ok(()),
        }
    }

    /// Records a failed attempt; returns the delay `source` must now wait (zero while free).
    pub fn failed(&mut self, source: IpAddr, now: Instant) -> Duration {
        let key = source_key(source);
        if !self.sources.contains_key(&key) {
            self.make_room(now);
        }
        let failures = self.sources.get(&key).map_or(0, |p| p.failures) + 1;
        let delay = self.delay_after(failures);
        let penalty = Penalty {
            failures,
            last_failure: now,
            next_allowed: now + delay,
        };
        self.sources.insert(key, penalty);
        delay
    }

    /// Records a successful attempt (a verified share, the right passphrase): the source's
    /// failures are forgotten.
    pub fn succeeded(&mut self, source: IpAddr) {
        self.sources.remove(&source_key(source));
    }

    /// How many sources are remembered.
    pub fn len(&self) -> usize {
        self.sources.len()
    }

    /// Whether no source is remembered.
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    fn delay_after(&self, failures: u32) -> Duration {
        let Some(beyond) = failures.checked_sub(self.policy.free_failures + 1) else {
            return Duration::ZERO;
        };
        let factor = 1u32.checked_shl(beyond.min(31)).unwrap_or(u32::MAX);
        self.policy
            .base_delay
            .checked_mul(factor)
            .map_or(self.policy.max_delay, |d| d.min(self.policy.max_delay))
    }

    /// Forgets expired sources; if still full, the source whose last failure is oldest.
    fn make_room(&mut self, now: Instant) {
        if self.sources.len() < self.policy.max_sources {
            return;
        }
        let forget_after = self.policy.forget_after;
        self.sources.retain(|_, p| {
            p.next_allowed > now || now.saturating_duration_since(p.last_failure) < forget_after
        });
        while self.sources.len() >= self.policy.max_sources.max(1) {
            let oldest = self
                .sources
                .iter()
                .min_by_key(|(_, p)| p.last_failure)
                .map(|(k, _)| *k);
            match oldest {
                Some(key) => self.sources.remove(&key),
                None => break,
            };
        }
    }
}

/// The key a source is counted under: IPv4 as is (also when mapped into IPv6), IPv6 per /64.
pub fn source_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & (u128::MAX << 64);
                IpAddr::V6(prefix.into())
            }
        },
    }
}

/// A process-wide budget of expensive derivations: `per_second` on average, up to `burst` at
/// once after a quiet spell (the generic cell rate algorithm, a token bucket without a timer).
#[derive(Debug)]
pub struct DerivationBudget {
    interval: Duration,
    tolerance: Duration,
    /// When the bucket would be empty again: each derivation moves it one interval on.
    theoretical_arrival: Option<Instant>,
}

impl DerivationBudget {
    /// `per_second >= 1` derivations per second, `burst >= 1` at once.
    pub fn new(per_second: u32, burst: u32) -> Self {
        let interval = Duration::from_secs(1) / per_second.max(1);
        DerivationBudget {
            interval,
            tolerance: interval * (burst.max(1) - 1),
            theoretical_arrival: None,
        }
    }

    /// Takes one derivation from the budget, or `Err(wait)` until one is available.
    pub fn try_take(&mut self, now: Instant) -> Result<(), Duration> {
        let tat = self.theoretical_arrival.map_or(now, |t| t.max(now));
        let earliest = tat.checked_sub(self.tolerance).unwrap_or(now);
        if earliest > now {
            return Err(earliest - now);
        }
        self.theoretical_arrival = Some(tat + self.interval);
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "unseal_limit_tests.rs"]
mod tests;
