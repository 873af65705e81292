//! Due-time schedule tables (deletions, rotations, material expiry): row keys start with the due
//! time in epoch milliseconds, zero-padded to 20 digits, so a job scans from the start and stops at
//! the first entry not yet due — it never reads what is not due.

use crate::domain::{KmsError, Scope};
use crate::store::key_row;
use rampart_store::{Table, Versioned};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Entries read per scan.
const BATCH: usize = 200;

/// Row key of the entry for key `key_id` of `scope` due at `due_ms` (sorts by due time).
pub fn schedule_row(due_ms: i64, scope: &Scope, key_id: &str) -> String {
    format!("{:020}/{}", due_ms.max(0), key_row(scope, key_id))
}

/// The due time at the start of a schedule row key.
pub fn due_of(row: &str) -> Option<i64> {
    row.split('/').next().and_then(|ms| ms.parse().ok())
}

/// Calls `handle(row, due, entry)` for every entry of `table` due at `now`, in due order; returns
/// how many calls answered true (did something). Stops at the first entry not yet due.
/// (`handle` takes owned values and returns a plain future so the job stays `Send` for
/// `tokio::spawn`; an `AsyncFnMut` bound over borrowed arguments is not.)
pub async fn for_each_due<T, F, Fut>(
    table: &Table<T>,
    now: i64,
    mut handle: F,
) -> Result<usize, KmsError>
where
    T: Serialize + DeserializeOwned,
    F: FnMut(String, i64, Versioned<T>) -> Fut,
    Fut: Future<Output = Result<bool, KmsError>>,
{
    let mut done = 0;
    let mut after: Option<String> = None;
    loop {
        let batch = table.scan("", after.as_deref(), BATCH).await?;
        let full = batch.len() == BATCH;
        for (row, entry) in batch {
            let Some(due) = due_of(&row).filter(|due| *due <= now) else {
                return Ok(done);
            };
            after = Some(row.clone());
            done += usize::from(handle(row, due, entry).await?);
        }
        if !full {
            return Ok(done);
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
    }
}
