//! Conformance checks on `Write::Append`: log entries committed in the same transaction as
//! row writes, in order, never without their rows and never deadlocking.

use super::{TestFailure, TestResult, expect_conflict, put, row, some};
use crate::{Expect, Store, StoreError, Write};

fn append(log: &'static str, entry: &str) -> Write {
    Write::Append {
        log,
        entry: entry.as_bytes().to_vec(),
    }
}

/// The entries of `log` as strings, in sequence order.
async fn entries(store: &Store, log: &'static str) -> Result<Vec<String>, TestFailure> {
    let read = store.read_log(log, 0, 10_000).await?;
    Ok(read
        .into_iter()
        .map(|(_, e)| String::from_utf8_lossy(&e).into_owned())
        .collect())
}

/// Appends inside `transact` commit with the row writes, keep their given order within a log,
/// interleave with plain `append` calls by sequence number, and vanish with a conflict.
pub async fn append_in_transaction(store: &Store) -> TestResult {
    let before = store.append("audit", vec![b"plain-1".to_vec()]).await?;
    let writes = vec![
        append("audit", "tx-1"),
        put("a", "a1", Expect::Absent),
        append("other", "o-1"),
        append("audit", "tx-2"),
        put("b", "b1", Expect::Absent),
        append("audit", "tx-3"),
    ];
    store.transact(writes).await?;
    check_eq!(row(store, "a").await?, some(1, "a1"));
    check_eq!(row(store, "b").await?, some(1, "b1"));
    let after = store.append("audit", vec![b"plain-2".to_vec()]).await?;
    check_eq!(
        entries(store, "audit").await?,
        ["plain-1", "tx-1", "tx-2", "tx-3", "plain-2"]
    );
    check_eq!(entries(store, "other").await?, ["o-1"]);
    let seqs: Vec<u64> = store
        .read_log("audit", 0, 100)
        .await?
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    check!(
        seqs.first() == before.first() && seqs.last() == after.first(),
        "plain appends not at the ends: {seqs:?}"
    );
    // A conflicting row write anywhere drops the appends too.
    let failing = vec![
        append("audit", "lost"),
        put("c", "c1", Expect::Absent),
        put("a", "a2", Expect::Absent),
    ];
    expect_conflict(store.transact(failing).await, "a")?;
    check_eq!(row(store, "c").await?, None);
    check_eq!(entries(store, "audit").await?.len(), 5);
    // Appends alone are a valid transaction.
    store.transact(vec![append("solo", "s")]).await?;
    check_eq!(entries(store, "solo").await?, ["s"]);
    Ok(())
}

/// Transactions appending to two logs in opposite given orders beside row writes, racing plain
/// appends, all commit; every log reads back in strictly increasing sequence order and each
/// transaction's entries for one log stay in their given order.
pub async fn append_in_transaction_races(store: &Store) -> TestResult {
    const RACERS: usize = 6;
    const ROUNDS: usize = 10;
    let tasks: Vec<_> = (0..RACERS)
        .map(|racer| {
            let store = store.clone();
            tokio::spawn(async move {
                for round in 0..ROUNDS {
                    let tag = format!("{racer}-{round}");
                    let mut writes = vec![
                        append("log_a", &format!("{tag}-1")),
                        append("log_b", &tag),
                        append("log_a", &format!("{tag}-2")),
                        put("shared", &tag, Expect::Any),
                        put(&format!("own{racer}"), &tag, Expect::Any),
                    ];
                    if racer % 2 == 1 {
                        writes.swap(0, 1);
                    }
                    store.transact(writes).await?;
                    store.append("log_b", vec![b"plain".to_vec()]).await?;
                }
                Ok::<(), StoreError>(())
            })
        })
        .collect();
    for task in tasks {
        task.await
            .map_err(|e| TestFailure(format!("task failed: {e}")))??;
    }
    for log in ["log_a", "log_b"] {
        let read = store.read_log(log, 0, 10_000).await?;
        check!(
            read.windows(2).all(|w| w[0].0 < w[1].0),
            "{log} out of order"
        );
    }
    check_eq!(entries(store, "log_a").await?.len(), RACERS * ROUNDS * 2);
    check_eq!(entries(store, "log_b").await?.len(), RACERS * ROUNDS * 2);
    let log_a = entries(store, "log_a").await?;
    for pair in log_a.chunks(2) {
        let firsts: Vec<&str> = pair.iter().map(|e| e.as_str()).collect();
        check!(
            firsts.len() == 2
                && firsts[0].strip_suffix("-1") == firsts[1].strip_suffix("-2")
                && firsts[0].ends_with("-1"),
            "one transaction's entries split or reordered: {firsts:?}"
        );
    }
    check_eq!(row(store, "shared").await?.map(|r| r.0), Some(60));
    Ok(())
}
