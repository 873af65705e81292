//! The durable audit trail: a batching writer behind the `AuditSink` that holds the responses
//! of state-changing calls until their records are durable, and puts each record in the
//! queues that subscribe to audit records in the same transaction.

use crate::stored::{RecordKind, StoredEvent, encode_entry};
use crate::{AuditEvent, AuditSink};
use rampart_codec::BoxFuture;
use rampart_core::AuditSubscription;
use rampart_store::{Store, Write};
use std::sync::{Arc, PoisonError, RwLock};
use tokio::sync::{mpsc, oneshot};

/// The append-only log holding audit records (compact form, see [`crate::decode_entry`]).
pub const AUDIT_LOG: &str = "audit";
/// Events that make a batch worth writing without waiting.
const BATCH: usize = 512;
/// Most events written in one transaction.
const MAX_BATCH: usize = 4096;
/// Attempts to store one batch before its events are reported lost.
const APPEND_ATTEMPTS: u64 = 5;
/// How long the writer waits for more events before a write (bounds the audit delay).
const GATHER_WINDOW: std::time::Duration = std::time::Duration::from_millis(10);

/// One queued event, with whom to tell once it is durable.
struct Queued {
    event: AuditEvent,
    durable: Option<oneshot::Sender<()>>,
}

/// Queues events for the writer task; `record` never blocks the request.
pub struct QueuedAuditSink {
    sender: mpsc::UnboundedSender<Queued>,
    /// Hold read-only calls too (`--audit-sync`).
    sync_all: bool,
    /// The queues each batch is enqueued in.
    subscribers: Subscribers,
}

/// The queues subscribed to audit records, shared by the sink and the writer.
type Subscribers = Arc<RwLock<Vec<AuditSubscription>>>;

impl QueuedAuditSink {
    fn queue(&self, event: AuditEvent, durable: Option<oneshot::Sender<()>>) {
        if self.sender.send(Queued { event, durable }).is_err() {
            tracing::error!("audit writer has stopped; event lost");
        }
    }
}

impl AuditSink for QueuedAuditSink {
    fn record(&self, event: AuditEvent) {
        self.queue(event, None);
    }

    fn subscribe(&self, subscriptions: Vec<AuditSubscription>) {
        let mut subscribers = self
            .subscribers
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        *subscribers = subscriptions;
    }

    /// A call that changes state (or any call with `--audit-sync`) is answered only once its
    /// records are durable: the waiter rides on the last of them, and batches are written in
    /// queue order, so the earlier ones are stored by then too.
    fn record_call(&self, mut events: Vec<AuditEvent>, read_only: bool) -> BoxFuture<'static, ()> {
        let last = events.pop();
        events.into_iter().for_each(|event| self.queue(event, None));
        let Some(last) = last else {
            return Box::pin(std::future::ready(()));
        };
        if read_only && !self.sync_all {
            self.queue(last, None);
            return Box::pin(std::future::ready(()));
        }
        let (done, durable) = oneshot::channel();
        self.queue(last, Some(done));
        // A write that failed for good drops the sender: the response goes out regardless (the
        // change it reports has happened) and the loss is logged by the writer.
        Box::pin(async move {
            let _ = durable.await;
        })
    }
}

/// The running writer task.
pub struct AuditWriter {
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl AuditWriter {
    /// Stops accepting events, writes everything queued, and waits for the writer to finish.
    pub async fn finish(self) {
        let _ = self.stop.send(());
        if let Err(err) = self.task.await {
            tracing::error!(error = %err, "audit writer failed");
        }
    }
}

/// Starts the writer; it drains the queue in batches of up to `BATCH` per transaction.
/// With `sync_all`, every response waits for its record (`--audit-sync`).
pub fn start_writer(store: Store, sync_all: bool) -> (QueuedAuditSink, AuditWriter) {
    let (sender, receiver) = mpsc::unbounded_channel();
    let (stop, stopped) = oneshot::channel();
    let subscribers = Subscribers::default();
    let target = Target {
        store,
        subscribers: Arc::clone(&subscribers),
    };
    let task = tokio::spawn(write_batches(target, receiver, stopped));
    (
        QueuedAuditSink {
            sender,
            sync_all,
            subscribers,
        },
        AuditWriter { stop, task },
    )
}

/// Where batches go: the store's audit log, and the subscribed queues.
struct Target {
    store: Store,
    subscribers: Subscribers,
}

/// Which queues a batch goes to: `(queue, whether it takes read-only calls' records)`, decided
/// once per batch so that its encoding and its writes agree.
type Routing = Vec<(&'static str, bool)>;

impl Target {
    /// Stores one encoded batch in one transaction: the log entry, and for each subscribed
    /// queue one item holding the batch's records it takes (a consumer acks a batch at a time,
    /// not a record at a time); no item when it takes none of them.
    async fn store(&self, encoded: Encoded, routing: &Routing) -> Result<(), String> {
        let mut writes: Vec<Write> = Vec::new();
        for &(queue, read_only) in routing {
            let payload = if read_only {
                &encoded.entry
            } else {
                match &encoded.changes {
                    Changes::All => &encoded.entry,
                    Changes::None => continue,
                    Changes::Some(entry) => entry,
                }
            };
            writes.push(Write::Enqueue {
                queue,
                payload: payload.clone(),
                visible_at_ms: 0,
                dedup_key: None,
            });
        }
        let outcome = if writes.is_empty() {
            self.store
                .append(AUDIT_LOG, vec![encoded.entry])
                .await
                .map(drop)
        } else {
            writes.push(Write::Append {
                log: AUDIT_LOG,
                entry: encoded.entry,
            });
            self.store.transact(writes).await
        };
        outcome.map_err(|e| e.to_string())
    }

    fn routing(&self) -> Routing {
        let subscribers = self
            .subscribers
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        subscribers
            .iter()
            .map(|s| (s.queue, s.takes_read_only()))
            .collect()
    }
}

/// One batch encoded: the log entry, and what a subscriber without read-only records gets.
struct Encoded {
    entry: Vec<u8>,
    changes: Changes,
}

/// The records of calls that change state (and records of no call) in a batch.
enum Changes {
    /// Every record of the batch (the log entry serves).
    All,
    /// None: every record is a read-only call's.
    None,
    /// Some: their own entry.
    Some(Vec<u8>),
}

async fn write_batches(
    target: Target,
    mut receiver: mpsc::UnboundedReceiver<Queued>,
    mut stopped: oneshot::Receiver<()>,
) {
    let mut queued = Vec::with_capacity(BATCH);
    loop {
        tokio::select! {
            received = receiver.recv_many(&mut queued, BATCH) => {
                if received == 0 { return; }
                gather(&mut receiver, &mut queued).await;
                write_batch(&target, &mut queued).await;
            }
            _ = &mut stopped => break,
        }
    }
    receiver.close();
    while receiver.recv_many(&mut queued, BATCH).await > 0 {
        write_batch(&target, &mut queued).await;
    }
}

/// Group commit: once an event arrives, wait briefly for more so that one durable write (one
/// fsync) covers every event of that window instead of one per handful of requests. When a
/// response is waiting for its record the batch is written at once: the events that arrive
/// during that write form the next batch, so waiting calls still share fsyncs.
async fn gather(receiver: &mut mpsc::UnboundedReceiver<Queued>, queued: &mut Vec<Queued>) {
    let someone_waits = queued.iter().any(|q| q.durable.is_some());
    if queued.len() < BATCH && !someone_waits {
        tokio::time::sleep(GATHER_WINDOW).await;
    }
    while queued.len() < MAX_BATCH {
        match receiver.try_recv() {
            Ok(item) => queued.push(item),
            Err(_) => break,
        }
    }
}

/// Writes one batch as a single log entry of compact records (and the subscribed queues'
/// items): one row per batch keeps the per-event storage cost down to the encoding itself,
/// which runs on the blocking pool so that request threads never stall behind a large batch.
/// A failed write is retried with a fresh encoding (failures are rare; copying every batch up
/// front in case one happens cost a large allocation and page faults per write). Waiting
/// responses are released once the batch is durable.
async fn write_batch(target: &Target, queued: &mut Vec<Queued>) {
    let (events, waiters): (Vec<_>, Vec<_>) = std::mem::take(queued)
        .into_iter()
        .map(|q| (q.event, q.durable))
        .unzip();
    let batch = Arc::new(events);
    let count = batch.len();
    let mut last = String::new();
    for attempt in 0..APPEND_ATTEMPTS {
        let source = Arc::clone(&batch);
        let routing = target.routing();
        let split = routing.iter().any(|&(_, read_only)| !read_only);
        let encoding = tokio::task::spawn_blocking(move || encode_batch(&source, split));
        let Ok(encoded) = encoding.await else {
            tracing::error!(count, "audit batch encoding failed");
            return;
        };
        match target.store(encoded, &routing).await {
            Ok(()) => {
                waiters.into_iter().flatten().for_each(|w| {
                    let _ = w.send(());
                });
                return;
            }
            Err(err) => last = err,
        }
        tokio::time::sleep(std::time::Duration::from_millis(50 * (attempt + 1))).await;
    }
    tracing::error!(error = %last, count, "could not store audit events");
}

/// The compact form of a batch: one log entry holding every record; with `split`, also the
/// entry of the records that are not read-only calls'.
fn encode_batch(events: &[AuditEvent], split: bool) -> Encoded {
    let stored: Vec<StoredEvent> = events
        .iter()
        .map(|event| {
            let kind = if event.after_intent {
                RecordKind::FinalAfterIntent
            } else {
                RecordKind::Final
            };
            StoredEvent::of(event, kind)
        })
        .collect();
    let changing = stored.iter().filter(|e| !e.read_only).count();
    let changes = if !split || changing == stored.len() {
        Changes::All
    } else if changing == 0 {
        Changes::None
    } else {
        Changes::Some(encode_entry(stored.iter().filter(|e| !e.read_only)))
    };
    Encoded {
        entry: encode_entry(&stored),
        changes,
    }
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
