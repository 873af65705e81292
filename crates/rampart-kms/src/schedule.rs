//! Due-time schedules (deletions, rotations, material expiry) and their queue items.
//!
//! A schedule row records that work on a key is due at a time: its row key starts with the due
//! time in epoch milliseconds, zero-padded to 20 digits, then the key's row. Every schedule put
//! goes with a queue item ([`scheduled`]) in the same transaction, visible at the due time,
//! whose payload is the row key. The KMS jobs claim due items ([`drain_schedule`]): an item
//! whose row is gone (the work was cancelled or rescheduled) does nothing; otherwise the job
//! handles the row, and the item is acked only once the row is gone (handled, dropped or moved
//! to a later time). An item whose row is still there afterwards (the handler lost a
//! compare-and-swap race, or its fenced commit was refused) is retried with backoff.

use crate::domain::{KmsError, Scope};
use crate::store::key_row;
use rampart_core::JobContext;
use rampart_jobs::{DueQueue, drain_due};
use rampart_store::{StoreError, Table, Versioned, Write};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The queue of due key deletions.
pub const DELETION_QUEUE: DueQueue = DueQueue::named("kms.deletion");
/// The queue of due expiries of imported key material.
pub const EXPIRY_QUEUE: DueQueue = DueQueue::named("kms.import-expiry");
/// The queue of due automatic rotations.
pub const ROTATION_QUEUE: DueQueue = DueQueue::named("kms.rotation");

/// Row key of the entry for key `key_id` of `scope` due at `due_ms` (sorts by due time).
pub fn schedule_row(due_ms: i64, scope: &Scope, key_id: &str) -> String {
    format!("{:020}/{}", due_ms.max(0), key_row(scope, key_id))
}

/// The due time at the start of a schedule row key.
pub fn due_of(row: &str) -> Option<i64> {
    row.split('/').next().and_then(|ms| ms.parse().ok())
}

/// The queue item for schedule row `row`: visible at its due time, one live item per row.
pub fn due_item(queue: &DueQueue, row: &str) -> Write {
    Write::Enqueue {
        queue: queue.name,
        payload: row.as_bytes().to_vec(),
        visible_at_ms: due_of(row).unwrap_or_default(),
        dedup_key: Some(row.to_owned()),
    }
}

/// The writes scheduling `entry` at `row` of `table`: the row and its queue item.
pub fn scheduled<T: Serialize + DeserializeOwned>(
    table: &Table<T>,
    queue: &DueQueue,
    row: &str,
    entry: &T,
) -> Result<[Write; 2], StoreError> {
    Ok([
        table.put(row, entry, rampart_store::Expect::Any)?,
        due_item(queue, row),
    ])
}

/// Claims the items of `queue` due at `ctx.now_ms` and calls `handle(row, due, entry)` for each
/// whose row of `table` still exists; returns how many calls answered true (did something).
pub async fn drain_schedule<T, F, Fut>(
    table: &Table<T>,
    queue: &DueQueue,
    ctx: &JobContext,
    handle: F,
) -> Result<usize, KmsError>
where
    T: Serialize + DeserializeOwned,
    F: Fn(String, i64, Versioned<T>) -> Fut,
    Fut: Future<Output = Result<bool, KmsError>>,
{
    let handle = &handle;
    drain_due(table.store(), queue, ctx, move |payload| async move {
        let row = String::from_utf8(payload)
            .map_err(|_| KmsError::Internal("a schedule item is not a row key".into()))?;
        let (Some(due), Some(entry)) = (due_of(&row), table.get(&row).await?) else {
            return Ok(false);
        };
        let did = handle(row.clone(), due, entry).await?;
        if table.get(&row).await?.is_some() {
            return Err(KmsError::Internal(format!("{row} is still scheduled")));
        }
        Ok::<bool, KmsError>(did)
    })
    .await
    .map_err(KmsError::Internal)
}

/// Enqueues the item of every row of `table` (dedup keeps one live item per row); returns how
/// many rows there are. For schedules written before their items existed.
pub async fn enqueue_all<T>(table: &Table<T>, queue: &DueQueue) -> Result<usize, KmsError>
where
    T: Serialize + DeserializeOwned,
{
    const PAGE: usize = 500;
    let mut rows = 0;
    let mut after: Option<String> = None;
    loop {
        let keys = table
            .store()
            .scan_keys(table.name(), "", after.as_deref(), PAGE)
            .await?;
        rows += keys.len();
        after = keys.last().cloned();
        let items = keys.iter().map(|row| due_item(queue, row)).collect();
        table.store().transact(items).await?;
        if keys.len() < PAGE {
            return Ok(rows);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_time_is_read_back_from_the_row_key() {
        let scope = Scope::new("111122223333", "us-east-1");
        let row = schedule_row(1234, &scope, "k");
        assert_eq!(row, "00000000000000001234/111122223333/us-east-1/k");
        assert_eq!(due_of(&row), Some(1234));
        assert_eq!(due_of("garbage"), None);
        assert!(schedule_row(10, &scope, "a") > schedule_row(9, &scope, "z"));
        let item = due_item(&DELETION_QUEUE, &row);
        assert!(matches!(
            item,
            Write::Enqueue {
                visible_at_ms: 1234,
                ..
            }
        ));
    }
}
