//! Reading an audit log newest first, in batches sized by bytes: log entries hold from one
//! record to a few thousand, so a read asks for fewer entries after a large batch and for
//! more after a small one. LookupEvents and IAM's access advisor walk the trail this way.

use rampart_store::{Store, StoreError};

/// Log entries per read, at first and at most.
const FIRST_READ: usize = 4;
const MAX_READ: usize = 256;
/// Bytes per read above which the next read asks for fewer entries.
const READ_BYTES: usize = 1 << 20;

/// A walk back through one log from a sequence number down.
pub struct NewestFirst<'s> {
    store: &'s Store,
    log: &'static str,
    /// The next read takes entries below this sequence number.
    before: u64,
    read: usize,
}

impl<'s> NewestFirst<'s> {
    /// A walk over `log`'s entries with sequence numbers below `before` (`u64::MAX`: all).
    pub fn new(store: &'s Store, log: &'static str, before: u64) -> Self {
        Self {
            store,
            log,
            before,
            read: FIRST_READ,
        }
    }

    /// The next entries, newest first, as (sequence number, entry); empty once the start
    /// of the log is passed.
    pub async fn next_batch(&mut self) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        if self.before == 0 {
            return Ok(Vec::new());
        }
        let entries = self
            .store
            .read_log_before(self.log, self.before, self.read)
            .await?;
        let bytes: usize = entries.iter().map(|(_, e)| e.len()).sum();
        self.read = next_read(self.read, bytes);
        self.before = entries.last().map_or(0, |(oldest, _)| *oldest);
        Ok(entries)
    }
}

/// How many entries to ask for after a read of `read` entries that came to `bytes`.
fn next_read(read: usize, bytes: usize) -> usize {
    if bytes > READ_BYTES {
        (read / 2).max(1)
    } else {
        (read * 2).min(MAX_READ)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_entry_comes_once_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_sqlite(&dir.path().join("db")).await.unwrap();
        let entries = (0..300u32).map(|i| i.to_be_bytes().to_vec()).collect();
        let seqs = store.append("audit-test", entries).await.unwrap();
        let mut walk = NewestFirst::new(&store, "audit-test", u64::MAX);
        let mut seen = Vec::new();
        loop {
            let batch = walk.next_batch().await.unwrap();
            if batch.is_empty() {
                break;
            }
            seen.extend(batch.into_iter().map(|(seq, _)| seq));
        }
        let mut newest_first = seqs.clone();
        newest_first.reverse();
        assert_eq!(seen, newest_first);
        let mut below = NewestFirst::new(&store, "audit-test", seqs[2]);
        let batch = below.next_batch().await.unwrap();
        assert_eq!(
            batch.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
            vec![seqs[1], seqs[0]]
        );
    }

    #[test]
    fn reads_shrink_after_large_batches_and_grow_after_small_ones() {
        assert_eq!(next_read(4, 10), 8);
        assert_eq!(next_read(MAX_READ, 10), MAX_READ);
        assert_eq!(next_read(8, READ_BYTES + 1), 4);
        assert_eq!(next_read(1, READ_BYTES + 1), 1);
    }
}
