//! Conformance checks on write order: key-ordered application (no deadlocks between
//! multi-row transactions) and conflict retries.

use super::{TestFailure, TestResult, put, row, some};
use crate::{Expect, Store, StoreError, Write, retry_conflicts};

/// Rows every racer of [`multi_row_opposite_orders`] updates.
const ROWS: usize = 16;

/// Transactions updating the same rows in opposite given orders all commit (no deadlock,
/// SQLSTATE 40P01 on PostgreSQL when rows were locked in the given order), and several writes
/// to one row keep their given order.
pub async fn multi_row_opposite_orders(store: &Store) -> TestResult {
    let keys: Vec<String> = (0..ROWS).map(|i| format!("m{i:02}")).collect();
    let create = keys.iter().map(|k| put(k, "0", Expect::Absent)).collect();
    store.transact(create).await?;
    let tasks: Vec<_> = (0..8)
        .map(|racer| {
            let (store, mut keys) = (store.clone(), keys.clone());
            if racer % 2 == 1 {
                keys.reverse();
            }
            tokio::spawn(async move {
                for _ in 0..10 {
                    let writes = keys.iter().map(|k| put(k, "x", Expect::Any)).collect();
                    store.transact(writes).await?;
                }
                Ok::<(), StoreError>(())
            })
        })
        .collect();
    for task in tasks {
        task.await
            .map_err(|e| TestFailure(format!("task failed: {e}")))??;
    }
    check_eq!(row(store, "m00").await?.map(|r| r.0), Some(81));
    let same_row = vec![
        Write::Delete {
            table: super::T,
            key: "m00".into(),
            expect: Expect::Any,
        },
        put("m00", "again", Expect::Absent),
    ];
    store.transact(same_row).await?;
    check_eq!(row(store, "m00").await?, some(1, "again"));
    Ok(())
}

/// Read-modify-write increments from racing tasks, each retried on conflict, all land.
pub async fn conflicts_retried(store: &Store) -> TestResult {
    store.transact(vec![put("n", "0", Expect::Absent)]).await?;
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                retry_conflicts(StoreError::is_conflict, || increment(&store)).await
            })
        })
        .collect();
    for task in tasks {
        task.await
            .map_err(|e| TestFailure(format!("task failed: {e}")))??;
    }
    check_eq!(row(store, "n").await?, some(9, "8"));
    Ok(())
}

/// Adds one to the number in row `n` with compare-and-swap.
async fn increment(store: &Store) -> Result<(), StoreError> {
    let (version, value) = row(store, "n")
        .await
        .map_err(|e| StoreError::Backend(e.0))?
        .ok_or_else(|| StoreError::Backend("row n missing".into()))?;
    let next = value.parse::<u64>().unwrap_or(0) + 1;
    store
        .transact(vec![put("n", &next.to_string(), Expect::Version(version))])
        .await
}
