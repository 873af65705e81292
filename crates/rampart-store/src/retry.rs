//! Retrying compare-and-swap conflicts for last-writer-wins operations.
//!
//! An operation that reads a row, changes it and writes it back with `Expect::Version` loses
//! when another writer got there first. For operations whose outcome does not depend on who
//! wins (UpdateAlias, tagging, counters), the right answer is to read again and retry, not to
//! fail the request. [`retry_conflicts`] does that with exponential backoff and full jitter,
//! so racing writers spread out instead of colliding in lock step, for up to
//! [`CONFLICT_BUDGET`]: under any contention a real deployment sees, every writer gets through.

use std::future::Future;
use std::time::{Duration, Instant};

/// How long conflicting attempts are retried before the last conflict is returned.
pub const CONFLICT_BUDGET: Duration = Duration::from_secs(10);

/// First backoff ceiling; doubled per attempt up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(1);
const MAX_BACKOFF: Duration = Duration::from_millis(50);

/// Runs `attempt` until it returns anything but a conflict (as `is_conflict` tells), waiting a
/// random time below a doubling ceiling between tries; after [`CONFLICT_BUDGET`] the last
/// conflict is returned.
pub async fn retry_conflicts<T, E, F, Fut>(
    is_conflict: impl Fn(&E) -> bool,
    mut attempt: F,
) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let started = Instant::now();
    let mut ceiling = FIRST_BACKOFF;
    loop {
        match attempt().await {
            Err(e) if is_conflict(&e) && started.elapsed() < CONFLICT_BUDGET => {
                tokio::time::sleep(jittered(ceiling)).await;
                ceiling = (ceiling * 2).min(MAX_BACKOFF);
            }
            outcome => return outcome,
        }
    }
}

/// Waits a random time of up to 10 ms: for callers with their own bounded retry loop, so
/// writers that just collided do not collide again in lock step.
pub async fn conflict_pause() {
    tokio::time::sleep(jittered(Duration::from_millis(10))).await;
}

/// A uniformly random duration in `[0, ceiling]` ("full jitter").
fn jittered(ceiling: Duration) -> Duration {
    let micros = u64::try_from(ceiling.as_micros()).unwrap_or(u64::MAX);
    Duration::from_micros(fastrand::u64(0..=micros))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn retries_conflicts_until_success() {
        let calls = AtomicU32::new(0);
        let outcome: Result<u32, &str> = retry_conflicts(
            |e| *e == "conflict",
            || async {
                let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
                if n < 5 { Err("conflict") } else { Ok(n) }
            },
        )
        .await;
        assert_eq!(outcome, Ok(5));
    }

    #[tokio::test]
    async fn other_errors_end_at_once() {
        let calls = AtomicU32::new(0);
        let outcome: Result<(), &str> = retry_conflicts(
            |e| *e == "conflict",
            || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err("broken")
            },
        )
        .await;
        assert_eq!(outcome, Err("broken"));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn jitter_stays_under_the_ceiling() {
        for _ in 0..1000 {
            assert!(jittered(MAX_BACKOFF) <= MAX_BACKOFF);
        }
    }
}
