//! Conformance checks on work queues: transactional enqueue, leases that expire, claim
//! tokens, retries, dead letters, dedup keys and several consumers at once.

use super::{TestFailure, TestResult, expect_conflict, put, row};
use crate::{Claimed, Expect, Store, StoreError, Write};
use std::collections::BTreeSet;
use std::time::Duration;

const Q: &str = "kit_queue";
const LEASE: Duration = Duration::from_secs(30);
const MAX: u32 = 3;

fn enqueue(payload: &str, visible_at_ms: i64, dedup_key: Option<&str>) -> Write {
    Write::Enqueue {
        queue: Q,
        payload: payload.as_bytes().to_vec(),
        visible_at_ms,
        dedup_key: dedup_key.map(str::to_owned),
    }
}

async fn claim(store: &Store, limit: usize, now_ms: i64) -> Result<Vec<Claimed>, StoreError> {
    store.claim(Q, "kit", LEASE, limit, MAX, now_ms).await
}

fn payloads(items: &[Claimed]) -> Vec<String> {
    items
        .iter()
        .map(|c| String::from_utf8_lossy(&c.payload).into_owned())
        .collect()
}

/// Enqueues commit with row writes (or vanish with a conflict); items become claimable at
/// `visible_at`, are leased until `now + lease`, come back after the lease with a new token,
/// and only the latest claim's token acks.
pub async fn queue_claim_lease_ack(store: &Store) -> TestResult {
    let writes = vec![
        enqueue("b", 1_000, None),
        put("job", "1", Expect::Absent),
        enqueue("a", 1_000, None),
        enqueue("later", 31_000, None),
    ];
    store.transact(writes).await?;
    let failing = vec![enqueue("lost", 0, None), put("job", "x", Expect::Absent)];
    expect_conflict(store.transact(failing).await, "job")?;
    check_eq!(row(store, "job").await?.map(|r| r.0), Some(1));
    check_eq!(claim(store, 10, 999).await?.len(), 0);
    let first = claim(store, 10, 1_000).await?;
    check_eq!(payloads(&first), ["b", "a"]);
    check!(
        first
            .iter()
            .all(|c| c.attempts == 1 && c.lease_until_ms == 31_000),
        "bad claim: {first:?}"
    );
    check_eq!(claim(store, 10, 30_999).await?.len(), 0);
    let [b, a] = [first[0].clone(), first[1].clone()];
    check!(store.ack(Q, &b).await?, "ack of a live claim failed");
    check!(!store.ack(Q, &b).await?, "second ack succeeded");
    // a's lease ends; it and the now visible "later" item are claimed again.
    let second = claim(store, 10, 31_000).await?;
    check_eq!(payloads(&second), ["a", "later"]);
    let a2 = second[0].clone();
    check!(
        a2.id == a.id && a2.attempts == 2 && a2.token != a.token,
        "re-claim: {a2:?} after {a:?}"
    );
    check!(!store.ack(Q, &a).await?, "expired claim acked the new one");
    check!(
        !store.retry(Q, &a, 0).await?,
        "expired claim retried the new one"
    );
    check!(store.ack(Q, &a2).await?, "ack of the re-claim failed");
    check!(store.ack(Q, &second[1]).await?, "ack of later failed");
    check_eq!(claim(store, 10, i64::MAX).await?.len(), 0);
    check_eq!(claim(store, 0, 0).await?.len(), 0);
    check_eq!(
        store
            .claim("kit_empty", "kit", LEASE, 5, MAX, 0)
            .await?
            .len(),
        0
    );
    Ok(())
}

/// `ack_many` deletes, in one transaction, the items whose latest claim it is given, and
/// counts only those: a stale claim (its lease ended, the item claimed again) is not acked.
pub async fn queue_ack_many(store: &Store) -> TestResult {
    let writes = (0..4).map(|i| enqueue(&format!("m{i}"), 0, None)).collect();
    store.transact(writes).await?;
    let first = claim(store, 10, 0).await?;
    check_eq!(first.len(), 4);
    let again = claim(store, 1, 30_000).await?;
    check_eq!(payloads(&again), ["m0"]);
    check_eq!(store.ack_many(Q, &first).await?, 3);
    check_eq!(store.ack_many(Q, &first).await?, 0);
    check_eq!(store.ack_many(Q, &[]).await?, 0);
    check_eq!(store.ack_many(Q, &again).await?, 1);
    check_eq!(claim(store, 10, i64::MAX).await?.len(), 0);
    Ok(())
}

/// `retry` reschedules (the attempt counts); an item claimed `max_attempts` times that comes
/// due again is dead-lettered, listed by `dead_letters` and never claimed again.
pub async fn queue_retry_dead_letter(store: &Store) -> TestResult {
    store
        .transact(vec![enqueue("x", 100, None), enqueue("y", 10_000, None)])
        .await?;
    let mut now = 0;
    for attempt in 1..=MAX {
        check_eq!(claim(store, 1, now + 99).await?.len(), 0);
        now += 100;
        let items = claim(store, 1, now).await?;
        let Some(item) = items.first() else {
            return Err(TestFailure(format!(
                "nothing to claim at attempt {attempt}"
            )));
        };
        check_eq!(
            (payloads(&items), item.attempts),
            (vec!["x".to_owned()], attempt)
        );
        check!(store.retry(Q, item, now + 100).await?, "retry failed");
        check!(!store.retry(Q, item, now).await?, "retry twice succeeded");
        check!(!store.ack(Q, item).await?, "ack after retry succeeded");
    }
    check_eq!(store.dead_letters(Q, 10).await?.len(), 0);
    // x is exhausted: this claim dead-letters it and hands out y.
    let items = claim(store, 10, 10_000).await?;
    check_eq!(payloads(&items), ["y"]);
    let dead = store.dead_letters(Q, 10).await?;
    check_eq!(
        dead.iter()
            .map(|d| (d.payload.clone(), d.attempts))
            .collect::<Vec<_>>(),
        vec![(b"x".to_vec(), MAX)]
    );
    check_eq!(store.dead_letters(Q, 0).await?.len(), 0);
    check_eq!(store.dead_letters("kit_other", 10).await?.len(), 0);
    // A lease that runs out counts as an attempt too.
    let y = items[0].clone();
    let mut now = y.lease_until_ms;
    for attempt in 2..=MAX {
        let again = claim(store, 1, now).await?;
        check_eq!(
            again.iter().map(|c| c.attempts).collect::<Vec<_>>(),
            [attempt]
        );
        now = again[0].lease_until_ms;
    }
    check_eq!(claim(store, 1, i64::MAX).await?.len(), 0);
    check!(!store.ack(Q, &y).await?, "ack of a dead-lettered item");
    check_eq!(store.dead_letters(Q, 10).await?.len(), 2);
    Ok(())
}

/// A dedup key admits one live item: enqueues while it waits or is claimed do nothing; after
/// its ack (or dead-lettering) the key is free again. Keys are per queue.
pub async fn queue_dedup(store: &Store) -> TestResult {
    store.transact(vec![enqueue("k1", 0, Some("k"))]).await?;
    store
        .transact(vec![enqueue("k2", 0, Some("k")), enqueue("plain", 0, None)])
        .await?;
    let other = Write::Enqueue {
        queue: "kit_queue_2",
        payload: b"other".to_vec(),
        visible_at_ms: 0,
        dedup_key: Some("k".into()),
    };
    store.transact(vec![other]).await?;
    let items = claim(store, 10, 0).await?;
    check_eq!(payloads(&items), ["k1", "plain"]);
    store.transact(vec![enqueue("k3", 0, Some("k"))]).await?;
    check_eq!(claim(store, 10, 0).await?.len(), 0);
    for item in &items {
        check!(store.ack(Q, item).await?, "ack failed");
    }
    store.transact(vec![enqueue("k4", 0, Some("k"))]).await?;
    let items = claim(store, 10, 0).await?;
    check_eq!(payloads(&items), ["k4"]);
    let others = store.claim("kit_queue_2", "kit", LEASE, 10, MAX, 0).await?;
    check_eq!(payloads(&others), ["other"]);
    // Dead-lettering frees the key.
    let mut now = 0;
    for _ in 1..MAX {
        now += 60_000;
        check_eq!(claim(store, 10, now).await?.len(), 1);
    }
    now += 60_000;
    check_eq!(claim(store, 10, now).await?.len(), 0);
    check_eq!(store.dead_letters(Q, 10).await?.len(), 1);
    store.transact(vec![enqueue("k5", 0, Some("k"))]).await?;
    check_eq!(payloads(&claim(store, 10, now).await?), ["k5"]);
    Ok(())
}

/// Several consumers draining one queue get disjoint items, and every item is acked exactly
/// once.
pub async fn queue_concurrent_consumers(store: &Store) -> TestResult {
    const ITEMS: usize = 200;
    const CONSUMERS: usize = 6;
    let writes = (0..ITEMS)
        .map(|i| enqueue(&i.to_string(), 0, None))
        .collect();
    store.transact(writes).await?;
    let tasks: Vec<_> = (0..CONSUMERS)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut got = Vec::new();
                loop {
                    let items = store.claim(Q, &format!("c{n}"), LEASE, 7, MAX, 0).await?;
                    if items.is_empty() {
                        return Ok::<_, StoreError>(got);
                    }
                    for item in items {
                        if !store.ack(Q, &item).await? {
                            return Err(StoreError::Backend(format!("ack lost: {item:?}")));
                        }
                        got.push(item.id);
                    }
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        let got = task
            .await
            .map_err(|e| TestFailure(format!("task failed: {e}")))??;
        all.extend(got);
    }
    let distinct: BTreeSet<u64> = all.iter().copied().collect();
    check_eq!(all.len(), ITEMS);
    check_eq!(distinct.len(), ITEMS);
    check_eq!(claim(store, 10, i64::MAX).await?.len(), 0);
    check_eq!(store.dead_letters(Q, 10).await?.len(), 0);
    Ok(())
}
