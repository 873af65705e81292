//! Quota periods, key recognition, per-key throttles and quotas on a manual clock, and the
//! batched usage writes.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::edge::keys::KeyView;
use crate::plans::ThrottleRecord;
use rampart_core::ManualClock;
use rampart_crypto::root::{Domain, RootKey};
use rampart_store::testkit::TestStore;
use std::collections::{BTreeMap, HashSet};
use time::macros::{date, datetime};

fn quota(period: &str, offset: i32, limit: i32) -> QuotaRecord {
    QuotaRecord {
        limit,
        offset,
        period: period.into(),
    }
}

#[test]
fn quota_periods_start_where_their_offset_says() {
    // 2026-12-07 is a Monday.
    let day = date!(2026 - 12 - 07);
    assert_eq!(period_start(&quota("DAY", 0, 1), day), day);
    assert_eq!(
        period_start(&quota("WEEK", 0, 1), day),
        date!(2026 - 12 - 06)
    );
    assert_eq!(period_start(&quota("WEEK", 1, 1), day), day);
    assert_eq!(
        period_start(&quota("WEEK", 2, 1), day),
        date!(2026 - 12 - 01)
    );
    assert_eq!(
        period_start(&quota("MONTH", 0, 1), day),
        date!(2026 - 12 - 01)
    );
    assert_eq!(
        period_start(&quota("MONTH", 6, 1), day),
        date!(2026 - 12 - 07)
    );
    assert_eq!(
        period_start(&quota("MONTH", 7, 1), day),
        date!(2026 - 11 - 08)
    );
    assert_eq!(
        period_start(&quota("MONTH", 10, 1), date!(2026 - 01 - 05)),
        date!(2025 - 12 - 11)
    );
}

struct Fixture {
    metering: Metering,
    clock: Arc<ManualClock>,
    index: KeyIndex,
    _test: TestStore,
}

/// Key `k1` (value `good-value-of-twenty-chars`, enabled) in plan `p` on `api/prod`, and
/// disabled key `k2` in it too.
async fn fixture(throttle: Option<ThrottleRecord>, quota: Option<QuotaRecord>) -> Fixture {
    let test = TestStore::sqlite().await.unwrap();
    let clock = Arc::new(ManualClock::new(datetime!(2026-12-07 10:00 UTC)));
    let seal = RootKey::generate().domain_key(Domain::ApiGateway);
    let metering = Metering::new(test.store.clone(), seal, clock.clone());
    let mut index = KeyIndex::default();
    for (id, value, enabled) in [
        ("k1", "good-value-of-twenty-chars", true),
        ("k2", "disabled-value-twenty-chars", false),
    ] {
        let view = KeyView {
            id: id.into(),
            owner: "111122223333/us-east-1".into(),
            enabled,
        };
        index
            .by_fingerprint
            .insert(metering.fingerprint(value), view);
    }
    let plan = PlanView {
        id: "p".into(),
        owner: "111122223333/us-east-1".into(),
        throttle,
        quota,
        method_throttle: BTreeMap::new(),
        keys: HashSet::from(["k1".to_owned(), "k2".to_owned()]),
    };
    index.by_stage.insert("api/prod".into(), vec![plan]);
    Fixture {
        metering,
        clock,
        index,
        _test: test,
    }
}

fn request(key: Option<&str>) -> Metered<'_> {
    Metered {
        api: "api",
        stage: "prod",
        method_key: "//GET".into(),
        api_key: key,
    }
}

#[tokio::test]
async fn only_enabled_keys_of_a_plan_on_the_stage_pass() {
    let f = fixture(None, None).await;
    let admit = |key| f.metering.admit(&f.index, &request(key));
    assert_eq!(admit(None), Err(Refusal::Forbidden));
    assert_eq!(
        admit(Some("unknown-value-of-twenty")),
        Err(Refusal::Forbidden)
    );
    assert_eq!(
        admit(Some("disabled-value-twenty-chars")),
        Err(Refusal::Forbidden)
    );
    assert_eq!(admit(Some("good-value-of-twenty-chars")), Ok(()));
    let other_stage = Metered {
        stage: "dev",
        ..request(Some("good-value-of-twenty-chars"))
    };
    assert_eq!(
        f.metering.admit(&f.index, &other_stage),
        Err(Refusal::Forbidden)
    );
}

#[tokio::test]
async fn a_key_is_throttled_by_its_plan() {
    let throttle = ThrottleRecord {
        burst_limit: Some(2),
        rate_limit: Some(0.0),
    };
    let f = fixture(Some(throttle), None).await;
    let good = request(Some("good-value-of-twenty-chars"));
    assert_eq!(f.metering.admit(&f.index, &good), Ok(()));
    assert_eq!(f.metering.admit(&f.index, &good), Ok(()));
    assert_eq!(f.metering.admit(&f.index, &good), Err(Refusal::Throttled));
}

#[tokio::test]
async fn a_quota_refuses_until_the_next_period_and_usage_is_written() {
    let f = fixture(None, Some(quota("DAY", 0, 2))).await;
    let good = request(Some("good-value-of-twenty-chars"));
    assert_eq!(f.metering.admit(&f.index, &good), Ok(()));
    assert_eq!(f.metering.admit(&f.index, &good), Ok(()));
    assert_eq!(f.metering.admit(&f.index, &good), Err(Refusal::OverQuota));
    f.clock.set(datetime!(2026-12-08 00:00:01 UTC));
    assert_eq!(f.metering.admit(&f.index, &good), Ok(()));

    f.metering.flush().await;
    f.metering.flush().await;
    let table: Table<UsageRecord> = Table::new(f.metering.store.clone(), USAGE);
    let owner = "111122223333/us-east-1";
    let day1 = table
        .get(&usage_row(owner, "p", "k1", date!(2026 - 12 - 07)))
        .await
        .unwrap();
    let day2 = table
        .get(&usage_row(owner, "p", "k1", date!(2026 - 12 - 08)))
        .await
        .unwrap();
    assert_eq!(day1.unwrap().value.used, 2);
    assert_eq!(day2.unwrap().value.used, 1);
}

#[tokio::test]
async fn sealed_values_open_only_for_their_row() {
    let f = fixture(None, None).await;
    let metering = &f.metering;
    let sealed = metering.seal_value("a-secret-key-value-here", "row/1");
    assert!(!sealed.contains("a-secret"));
    assert_eq!(
        metering.open_value(&sealed, "row/1").as_deref(),
        Some("a-secret-key-value-here")
    );
    assert_eq!(metering.open_value(&sealed, "row/2"), None);
    assert_eq!(
        metering.fingerprint("v-of-twenty-characters"),
        metering.fingerprint("v-of-twenty-characters")
    );
}
