//! What happens to a delivery whose attempt failed: tried again after an exponential backoff
//! with jitter while the target's RetryPolicy allows (attempts and event age), else
//! dead-lettered.

use crate::outbox::Delivery;
use crate::route::DeliveryError;
use std::time::Duration;

/// The first retry's delay (before jitter).
pub(crate) const BASE_DELAY: Duration = Duration::from_secs(1);
/// The longest retry delay (before jitter): 185 attempts then span about AWS's 24 hours.
pub(crate) const MAX_DELAY: Duration = Duration::from_secs(300);

/// The next step for a failed attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Next {
    /// Claimable again at this time (epoch ms).
    RetryAt(i64),
    /// Dead-lettered with this reason.
    DeadLetter(String),
}

/// The delay before the retry that follows the `attempts`-th attempt (1 for the first):
/// `BASE_DELAY * 2^(attempts-1)`, capped at `MAX_DELAY`, then "equal jitter": a uniformly
/// random point in its upper half, so retries of many events spread out.
pub(crate) fn retry_delay(attempts: u32, random: f64) -> Duration {
    let doublings = attempts.saturating_sub(1).min(20);
    let full = BASE_DELAY.saturating_mul(1_u32 << doublings).min(MAX_DELAY);
    let half = full / 2;
    half + half.mul_f64(random.clamp(0.0, 1.0))
}

/// Decides what follows the `attempts`-th failed attempt of `delivery` at `now_ms`.
pub(crate) fn after_failure(
    delivery: &Delivery,
    attempts: u32,
    error: &DeliveryError,
    now_ms: i64,
    random: f64,
) -> Next {
    if !error.retryable {
        return Next::DeadLetter(error.reason.clone());
    }
    let retries_done = attempts.saturating_sub(1);
    if retries_done >= delivery.max_retry_attempts {
        return Next::DeadLetter(format!(
            "{} (MaximumRetryAttempts {} reached)",
            error.reason, delivery.max_retry_attempts
        ));
    }
    let delay = i64::try_from(retry_delay(attempts, random).as_millis()).unwrap_or(i64::MAX);
    let at = now_ms.saturating_add(delay);
    let max_age_ms = i64::from(delivery.max_event_age_s).saturating_mul(1000);
    if at.saturating_sub(delivery.event_time_ms) > max_age_ms {
        return Next::DeadLetter(format!(
            "{} (MaximumEventAgeInSeconds {} reached)",
            error.reason, delivery.max_event_age_s
        ));
    }
    Next::RetryAt(at)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn delivery(max_attempts: u32, max_age_s: u32) -> Delivery {
        Delivery {
            account: "123456789012".into(),
            region: "us-east-1".into(),
            rule_arn: "arn:aws:events:us-east-1:123456789012:rule/r".into(),
            target_id: "t".into(),
            target_arn: "arn:aws:events:us-east-1:123456789012:api-destination/d/x".into(),
            role_arn: None,
            input: "{}".into(),
            event_id: "e".into(),
            event_time_ms: 0,
            max_retry_attempts: max_attempts,
            max_event_age_s: max_age_s,
            dead_letter_arn: None,
            http_parameters: serde_json::Value::Null,
            failed_sends: 0,
        }
    }

    fn failed(retryable: bool) -> DeliveryError {
        DeliveryError {
            reason: "boom".into(),
            retryable,
        }
    }

    #[test]
    fn delays_double_within_jitter_bounds_up_to_the_cap() {
        for attempts in 1..30 {
            let full = BASE_DELAY
                .saturating_mul(1 << attempts.min(21) >> 1)
                .min(MAX_DELAY);
            for random in [0.0, 0.3, 0.999, 1.0] {
                let d = retry_delay(attempts, random);
                assert!(d >= full / 2 && d <= full, "{attempts} {random} {d:?}");
            }
        }
        assert_eq!(retry_delay(1, 0.0), Duration::from_millis(500));
        assert_eq!(retry_delay(3, 1.0), Duration::from_secs(4));
        assert_eq!(retry_delay(40, 1.0), MAX_DELAY);
        assert_ne!(retry_delay(5, 0.1), retry_delay(5, 0.9));
    }

    #[test]
    fn non_retryable_failures_dead_letter_at_once() {
        let next = after_failure(&delivery(185, 86_400), 1, &failed(false), 0, 0.5);
        assert_eq!(next, Next::DeadLetter("boom".into()));
    }

    #[test]
    fn attempts_beyond_maximum_retry_attempts_dead_letter() {
        let d = delivery(2, 86_400);
        assert!(matches!(
            after_failure(&d, 1, &failed(true), 0, 0.5),
            Next::RetryAt(_)
        ));
        assert!(matches!(
            after_failure(&d, 2, &failed(true), 0, 0.5),
            Next::RetryAt(_)
        ));
        let next = after_failure(&d, 3, &failed(true), 0, 0.5);
        assert!(matches!(next, Next::DeadLetter(r) if r.contains("MaximumRetryAttempts 2")));
        let none = delivery(0, 86_400);
        assert!(matches!(
            after_failure(&none, 1, &failed(true), 0, 0.5),
            Next::DeadLetter(_)
        ));
    }

    #[test]
    fn events_older_than_maximum_event_age_dead_letter() {
        let d = delivery(185, 60);
        assert_eq!(
            after_failure(&d, 1, &failed(true), 1_000, 0.0),
            Next::RetryAt(1_500)
        );
        let next = after_failure(&d, 1, &failed(true), 59_800, 0.0);
        assert!(matches!(next, Next::DeadLetter(r) if r.contains("MaximumEventAgeInSeconds 60")));
    }
}
