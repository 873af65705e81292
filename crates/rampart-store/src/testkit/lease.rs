//! Conformance checks on leases: exclusive grants, expiry and takeover, renewal by the holder
//! only, release, fencing tokens, racing contenders.

use super::{TestFailure, TestResult};
use crate::{Lease, Store, StoreError};
use std::time::Duration;

const TTL: Duration = Duration::from_secs(10);

async fn acquire(store: &Store, holder: &str, now_ms: i64) -> Result<Option<Lease>, StoreError> {
    store.acquire_lease("kit_job", holder, TTL, now_ms).await
}

fn granted(lease: Option<Lease>, who: &str) -> Result<Lease, TestFailure> {
    lease.ok_or_else(|| TestFailure(format!("lease not granted to {who}")))
}

/// A running lease is not granted to another holder; the holder renews it; once expired it is
/// taken over with a larger token, and the former holder can neither renew nor release it.
pub async fn lease_acquire_renew_release(store: &Store) -> TestResult {
    let mut a = granted(acquire(store, "a", 0).await?, "a")?;
    check_eq!((a.holder.as_str(), a.expires_at_ms), ("a", 10_000));
    check!(
        acquire(store, "b", 5_000).await?.is_none(),
        "b got a's lease"
    );
    check!(store.renew_lease(&mut a, TTL, 9_000).await?, "renew failed");
    check_eq!(a.expires_at_ms, 19_000);
    check!(
        acquire(store, "b", 18_999).await?.is_none(),
        "b got a's lease"
    );
    let b = granted(acquire(store, "b", 19_000).await?, "b")?;
    check!(b.token > a.token, "token did not grow: {a:?} {b:?}");
    let stale = a.clone();
    check!(
        !store.renew_lease(&mut a, TTL, 19_500).await?,
        "lost lease renewed"
    );
    check_eq!(a, stale);
    check!(!store.release_lease(&a).await?, "lost lease released");
    check!(
        acquire(store, "a", 19_500).await?.is_none(),
        "a got b's lease"
    );
    // Other names are independent.
    let other = store.acquire_lease("kit_other", "a", TTL, 19_500).await?;
    check!(other.is_some(), "independent lease refused");
    // Released: free at once, and the token keeps growing.
    check!(store.release_lease(&b).await?, "release failed");
    check!(!store.release_lease(&b).await?, "second release succeeded");
    let mut c = granted(acquire(store, "c", 19_600).await?, "c")?;
    check!(c.token > b.token, "token did not grow after release");
    // Expired but not taken over: renew fails, re-acquiring works.
    check!(
        !store.renew_lease(&mut c, TTL, 29_600).await?,
        "expired lease renewed"
    );
    let c2 = granted(acquire(store, "c", 29_600).await?, "c")?;
    check!(c2.token > c.token, "re-grant kept the token");
    // The holder may re-acquire a running lease (a restart); the older grant is then void.
    let mut c3 = granted(acquire(store, "c", 30_000).await?, "c")?;
    check!(
        !store.release_lease(&c2).await?,
        "superseded grant released"
    );
    check!(
        store.renew_lease(&mut c3, TTL, 30_001).await?,
        "renew failed"
    );
    Ok(())
}

/// Contenders racing for a free (then expired) lease: exactly one wins each round.
pub async fn lease_racing_acquirers(store: &Store) -> TestResult {
    const RACERS: usize = 8;
    for round in 0..3_i64 {
        let now = round * 20_000;
        let tasks: Vec<_> = (0..RACERS)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move { acquire(&store, &format!("r{round}-{i}"), now).await })
            })
            .collect();
        let mut winners = 0;
        for task in tasks {
            let lease = task
                .await
                .map_err(|e| TestFailure(format!("task failed: {e}")))??;
            winners += usize::from(lease.is_some());
        }
        check_eq!(winners, 1);
    }
    Ok(())
}

/// `Write::Fence` commits only while the named lease's latest grant carries the token: a holder
/// whose lease passed to a later grant cannot commit, and nothing of its transaction applies.
/// The [`crate::fenced`] scope adds the fence to every transaction made inside it.
pub async fn fence_at_commit(store: &Store) -> TestResult {
    let put = |key: &str| crate::Write::Put {
        table: "kit",
        key: key.to_owned(),
        value: b"v".to_vec(),
        expect: crate::Expect::Any,
    };
    let a = granted(acquire(store, "a", 0).await?, "a")?;
    let fence = crate::Fence::of(&a);
    store
        .transact(vec![fence.clone().write(), put("held")])
        .await?;
    check!(
        store.get("kit", "held").await?.is_some(),
        "fenced write lost"
    );
    // The lease expires and b takes it: a's fenced commits are refused, atomically.
    let b = granted(acquire(store, "b", 10_000).await?, "b")?;
    let stale = store
        .transact(vec![put("stale"), fence.clone().write()])
        .await;
    let refused = |t: &str, k: &str| t == "lease" && k == "kit_job";
    check!(
        matches!(&stale, Err(StoreError::Conflict { table, key }) if refused(table, key)),
        "stale fence committed: {stale:?}"
    );
    check!(
        store.get("kit", "stale").await?.is_none(),
        "part of a refused commit applied"
    );
    let scoped = crate::fenced(fence, store.transact(vec![put("scoped")])).await;
    check!(
        scoped.is_err(),
        "the fenced scope did not fence: {scoped:?}"
    );
    check!(
        store.get("kit", "scoped").await?.is_none(),
        "scoped write applied"
    );
    // b's fence holds; a fence on an unknown lease never does.
    let current = crate::fenced(crate::Fence::of(&b), store.transact(vec![put("b")])).await;
    check!(current.is_ok(), "current fence refused: {current:?}");
    let unknown = crate::Fence {
        lease: "kit_none".to_owned(),
        token: 1,
    };
    check!(
        store
            .transact(vec![unknown.write(), put("u")])
            .await
            .is_err(),
        "unknown lease fenced nothing"
    );
    Ok(())
}
