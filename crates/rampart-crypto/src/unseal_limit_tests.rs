//! Tests of the unseal guess limits, on a manual clock (instants chosen by the test).

use super::*;
use std::net::{Ipv4Addr, Ipv6Addr};

const A: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
const B: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2));

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

#[test]
fn free_failures_then_doubling_delays_up_to_the_cap() {
    let mut limiter = AttemptLimiter::new(BackoffPolicy::default());
    let t0 = Instant::now();
    for _ in 0..3 {
        assert_eq!(limiter.failed(A, t0), Duration::ZERO);
        assert!(limiter.check(A, t0).is_ok());
    }
    assert_eq!(limiter.failed(A, t0), secs(1));
    assert_eq!(limiter.check(A, t0), Err(secs(1)));
    assert_eq!(
        limiter.check(A, t0 + Duration::from_millis(400)),
        Err(Duration::from_millis(600))
    );
    assert!(limiter.check(A, t0 + secs(1)).is_ok());
    let t1 = t0 + secs(1);
    assert_eq!(limiter.failed(A, t1), secs(2));
    assert_eq!(limiter.failed(A, t1 + secs(2)), secs(4));
    let mut now = t1 + secs(6);
    let mut last = Duration::ZERO;
    for _ in 0..40 {
        last = limiter.failed(A, now);
        now += last;
    }
    assert_eq!(last, secs(300), "capped at five minutes");
    assert!(
        limiter.check(B, now).is_ok(),
        "other sources are not affected"
    );
}

#[test]
fn success_forgets_the_source() {
    let mut limiter = AttemptLimiter::new(BackoffPolicy::default());
    let t0 = Instant::now();
    for _ in 0..5 {
        limiter.failed(A, t0);
    }
    assert!(limiter.check(A, t0).is_err());
    limiter.succeeded(A);
    assert!(limiter.check(A, t0).is_ok());
    assert_eq!(limiter.failed(A, t0), Duration::ZERO, "free failures again");
}

#[test]
fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
    let mut limiter = AttemptLimiter::new(BackoffPolicy {
        free_failures: 0,
        ..BackoffPolicy::default()
    });
    let t0 = Instant::now();
    let one: Ipv6Addr = "2001:db8:1:2::1".parse().unwrap();
    let same_64: Ipv6Addr = "2001:db8:1:2:ffff::9".parse().unwrap();
    let other_64: Ipv6Addr = "2001:db8:1:3::1".parse().unwrap();
    limiter.failed(IpAddr::V6(one), t0);
    assert!(limiter.check(IpAddr::V6(same_64), t0).is_err());
    assert!(limiter.check(IpAddr::V6(other_64), t0).is_ok());
    limiter.failed(A, t0);
    let mapped = IpAddr::V6(Ipv4Addr::new(192, 0, 2, 1).to_ipv6_mapped());
    assert!(limiter.check(mapped, t0).is_err());
}

#[test]
fn memory_is_bounded_and_old_sources_are_forgotten() {
    let policy = BackoffPolicy {
        free_failures: 0,
        max_sources: 3,
        ..BackoffPolicy::default()
    };
    let mut limiter = AttemptLimiter::new(policy);
    let t0 = Instant::now();
    let ip = |n: u8| IpAddr::V4(Ipv4Addr::new(198, 51, 100, n));
    for n in 0..3 {
        limiter.failed(ip(n), t0 + secs(u64::from(n)));
    }
    assert_eq!(limiter.len(), 3);
    limiter.failed(ip(9), t0 + secs(10));
    assert_eq!(limiter.len(), 3);
    assert!(
        limiter.check(ip(0), t0 + secs(10)).is_ok(),
        "oldest dropped"
    );
    assert!(limiter.check(ip(9), t0 + secs(10)).is_err());
    let later = t0 + secs(2 * 3600);
    limiter.failed(ip(20), later);
    assert_eq!(limiter.len(), 1, "sources idle for an hour are forgotten");
}

#[test]
fn derivation_budget_allows_a_burst_then_the_rate() {
    let mut budget = DerivationBudget::new(2, 2);
    let t0 = Instant::now();
    assert!(budget.try_take(t0).is_ok());
    assert!(budget.try_take(t0).is_ok());
    assert_eq!(budget.try_take(t0), Err(Duration::from_millis(500)));
    assert_eq!(
        budget.try_take(t0 + Duration::from_millis(200)),
        Err(Duration::from_millis(300))
    );
    assert!(budget.try_take(t0 + Duration::from_millis(500)).is_ok());
    assert!(budget.try_take(t0 + Duration::from_millis(600)).is_err());
    // Over ten seconds of constant demand, about 2 per second get through.
    let mut granted = 0;
    let mut now = t0 + secs(1);
    while now < t0 + secs(11) {
        if budget.try_take(now).is_ok() {
            granted += 1;
        }
        now += Duration::from_millis(10);
    }
    assert!((20..=22).contains(&granted), "{granted}");
    // A quiet spell refills only up to the burst.
    let quiet = t0 + secs(60);
    assert!(budget.try_take(quiet).is_ok() && budget.try_take(quiet).is_ok());
    assert!(budget.try_take(quiet).is_err());
}
