//! Group commit: concurrent `transact` calls share one SQLite transaction and so one WAL fsync.
//!
//! Every caller queues its batch, then waits for the writer connection. Whoever gets it (the
//! leader) takes every batch queued so far and applies them in one `BEGIN IMMEDIATE`
//! transaction, each inside a savepoint of its own: a batch whose expectation fails (or whose SQL
//! fails) is rolled back to its savepoint and answered alone, the others commit together. Each
//! caller is answered only after that `COMMIT` (and its fsync) returned, so an acknowledged write
//! is as durable as before; a batch sees the batches applied before it in the group exactly as
//! it would have seen them committed one after the other. A caller that gives up (its future is
//! dropped) before a leader took its batch withdraws it, so it is never applied later.

use super::ops::apply_batch;
use super::sqlite_error;
use crate::{StoreError, Write};
use rusqlite::{Connection, TransactionBehavior};
use std::sync::Mutex;
use tokio::sync::oneshot;

/// Batches waiting for a leader, in arrival order.
#[derive(Default)]
pub(super) struct CommitQueue {
    waiting: Mutex<Waiting>,
}

#[derive(Default)]
struct Waiting {
    next_id: u64,
    batches: Vec<Queued>,
}

/// One caller's batch and where its outcome goes.
pub(super) struct Queued {
    id: u64,
    writes: Vec<Write>,
    reply: oneshot::Sender<Result<(), StoreError>>,
}

/// A caller's place in the queue: withdraws the batch when dropped before a leader took it.
pub(super) struct Ticket<'a> {
    queue: &'a CommitQueue,
    id: u64,
    pub(super) outcome: oneshot::Receiver<Result<(), StoreError>>,
}

impl CommitQueue {
    /// Queues `writes`; the ticket's `outcome` answers once a group holding them committed.
    pub(super) fn enqueue(&self, writes: Vec<Write>) -> Ticket<'_> {
        let (reply, outcome) = oneshot::channel();
        let mut waiting = self.lock();
        waiting.next_id += 1;
        let id = waiting.next_id;
        waiting.batches.push(Queued { id, writes, reply });
        Ticket {
            queue: self,
            id,
            outcome,
        }
    }

    /// Every batch queued so far, for the leader to commit.
    pub(super) fn take_all(&self) -> Vec<Queued> {
        std::mem::take(&mut self.lock().batches)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Waiting> {
        self.waiting.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        self.queue.lock().batches.retain(|b| b.id != self.id);
    }
}

/// Applies `group` in one transaction (a savepoint per batch) and answers every batch: its own
/// failure, the commit's failure, or success once the commit is durable.
pub(super) fn commit_group(conn: &mut Connection, group: Vec<Queued>) {
    let mut outcomes = Vec::with_capacity(group.len());
    let committed = (|| {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sqlite_error("begin", e))?;
        for batch in &group {
            outcomes.push(apply_in_savepoint(&tx, &batch.writes)?);
        }
        tx.commit().map_err(|e| sqlite_error("commit", e))
    })();
    let mut outcomes = outcomes.into_iter();
    for batch in group {
        let outcome = match &committed {
            Ok(()) => outcomes.next().unwrap_or(Ok(())),
            Err(e) => Err(StoreError::Backend(e.to_string())),
        };
        // A caller that stopped waiting after its batch was taken drops the answer.
        let _ = batch.reply.send(outcome);
    }
}

/// Applies one batch inside a savepoint: `Ok(outcome)` with the batch's own outcome (rolled back
/// to the savepoint when it failed), `Err` only when the transaction itself is unusable.
fn apply_in_savepoint(
    tx: &rusqlite::Transaction<'_>,
    writes: &[Write],
) -> Result<Result<(), StoreError>, StoreError> {
    tx.execute_batch("SAVEPOINT batch")
        .map_err(|e| sqlite_error("savepoint", e))?;
    let outcome = apply_batch(tx, writes);
    let end = if outcome.is_ok() {
        "RELEASE batch"
    } else {
        "ROLLBACK TO batch; RELEASE batch"
    };
    tx.execute_batch(end)
        .map_err(|e| sqlite_error("savepoint", e))?;
    Ok(outcome)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::Expect;

    fn put(key: &str, value: &[u8], expect: Expect) -> Write {
        Write::Put {
            table: "t",
            key: key.into(),
            value: value.to_vec(),
            expect,
        }
    }

    fn database() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = super::super::open_writer(&dir.path().join("g.db")).unwrap();
        crate::migrations::migrate_sqlite(&mut conn).unwrap();
        (dir, conn)
    }

    fn value(conn: &Connection, key: &str) -> Option<Vec<u8>> {
        super::super::ops::get(conn, "t", key)
            .unwrap()
            .map(|r| r.value)
    }

    /// A failing batch is rolled back alone: the batches before and after it in the group
    /// commit, and a later batch sees an earlier one's writes.
    #[test]
    fn a_failing_batch_is_answered_alone() {
        let (_dir, mut conn) = database();
        let queue = CommitQueue::default();
        let mut first = queue.enqueue(vec![put("a", b"1", Expect::Absent)]);
        let mut failing = queue.enqueue(vec![
            put("b", b"x", Expect::Any),
            put("a", b"again", Expect::Absent),
        ]);
        let mut after = queue.enqueue(vec![put("a", b"2", Expect::Version(1))]);
        commit_group(&mut conn, queue.take_all());
        assert!(first.outcome.try_recv().unwrap().is_ok());
        let conflict = failing.outcome.try_recv().unwrap().unwrap_err();
        assert!(conflict.is_conflict(), "{conflict}");
        assert!(after.outcome.try_recv().unwrap().is_ok());
        assert_eq!(value(&conn, "a"), Some(b"2".to_vec()));
        assert_eq!(value(&conn, "b"), None, "the failed batch left nothing");
    }

    /// A caller that stops waiting before a leader took its batch withdraws it.
    #[test]
    fn a_dropped_ticket_withdraws_its_batch() {
        let (_dir, mut conn) = database();
        let queue = CommitQueue::default();
        let kept = queue.enqueue(vec![put("kept", b"1", Expect::Any)]);
        drop(queue.enqueue(vec![put("gone", b"1", Expect::Any)]));
        let group = queue.take_all();
        assert_eq!(group.len(), 1);
        commit_group(&mut conn, group);
        drop(kept);
        assert_eq!(value(&conn, "kept"), Some(b"1".to_vec()));
        assert_eq!(value(&conn, "gone"), None);
    }
}
