//! Stage throttling: a token bucket per stage and method-settings key (`*/*` or
//! `<path>/<METHOD>`), refilled at the setting's rate up to its burst, as API Gateway applies
//! a stage's `throttling/rateLimit` and `throttling/burstLimit`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// One bucket.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
    rate: f64,
    burst: f64,
}

/// Every bucket by key.
#[derive(Debug, Default)]
pub struct Throttle {
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl Throttle {
    /// Takes a token from bucket `key` (limits `rate` per second, `burst`); false when empty.
    /// A bucket whose limits changed starts full under the new ones.
    pub fn admit(&self, key: &str, rate: f64, burst: i32) -> bool {
        self.admit_at(key, rate, burst, Instant::now())
    }

    fn admit_at(&self, key: &str, rate: f64, burst: i32, now: Instant) -> bool {
        let burst = f64::from(burst.max(0));
        let Ok(mut buckets) = self.buckets.lock() else {
            return true;
        };
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: burst,
            last: now,
            rate,
            burst,
        });
        if bucket.rate != rate || bucket.burst != burst {
            *bucket = Bucket {
                tokens: burst,
                last: now,
                rate,
                burst,
            };
        }
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(burst);
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_burst_is_admitted_then_the_rate() {
        let t = Throttle::default();
        let start = Instant::now();
        assert!(t.admit_at("k", 1.0, 2, start));
        assert!(t.admit_at("k", 1.0, 2, start));
        assert!(!t.admit_at("k", 1.0, 2, start));
        assert!(t.admit_at("k", 1.0, 2, start + Duration::from_secs(1)));
        assert!(!t.admit_at("k", 0.0, 0, start));
        assert!(t.admit_at("other", 1.0, 1, start));
    }
}
