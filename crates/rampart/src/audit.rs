//! The durable audit trail: a batching writer behind the `AuditSink`, and `rampart audit tail`.

use crate::cli::TailArgs;
use rampart_store::Store;
use rampart_wire::{AuditEvent, AuditSink};
use std::sync::Arc;
use tokio::sync::mpsc;

/// The append-only log holding audit events (CloudTrail-shaped JSON).
pub const AUDIT_LOG: &str = "audit";
/// Events that make a batch worth writing without waiting.
const BATCH: usize = 512;
/// Most events written in one transaction.
const MAX_BATCH: usize = 4096;
/// Attempts to store one batch before its events are reported lost.
const APPEND_ATTEMPTS: u64 = 5;
/// How long the writer waits for more events before a write (bounds the audit delay).
const GATHER_WINDOW: std::time::Duration = std::time::Duration::from_millis(10);

/// Queues events for the writer task; `record` never blocks the request.
pub struct QueuedAuditSink {
    sender: mpsc::UnboundedSender<AuditEvent>,
}

impl AuditSink for QueuedAuditSink {
    fn record(&self, event: AuditEvent) {
        if self.sender.send(event).is_err() {
            tracing::error!("audit writer has stopped; event lost");
        }
    }
}

/// The running writer task.
pub struct AuditWriter {
    stop: tokio::sync::oneshot::Sender<()>,
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
pub fn start_writer(store: Store) -> (QueuedAuditSink, AuditWriter) {
    let (sender, receiver) = mpsc::unbounded_channel();
    let (stop, stopped) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(write_batches(store, receiver, stopped));
    (QueuedAuditSink { sender }, AuditWriter { stop, task })
}

async fn write_batches(
    store: Store,
    mut receiver: mpsc::UnboundedReceiver<AuditEvent>,
    mut stopped: tokio::sync::oneshot::Receiver<()>,
) {
    let mut events = Vec::with_capacity(BATCH);
    loop {
        tokio::select! {
            received = receiver.recv_many(&mut events, BATCH) => {
                if received == 0 { return; }
                gather(&mut receiver, &mut events).await;
                write_batch(&store, &mut events).await;
            }
            _ = &mut stopped => break,
        }
    }
    receiver.close();
    while receiver.recv_many(&mut events, BATCH).await > 0 {
        write_batch(&store, &mut events).await;
    }
}

/// Group commit: once an event arrives, wait briefly for more so that one durable write (one
/// fsync) covers every event of that window instead of one per handful of requests.
async fn gather(receiver: &mut mpsc::UnboundedReceiver<AuditEvent>, events: &mut Vec<AuditEvent>) {
    if events.len() < BATCH {
        tokio::time::sleep(GATHER_WINDOW).await;
    }
    while events.len() < MAX_BATCH {
        match receiver.try_recv() {
            Ok(event) => events.push(event),
            Err(_) => break,
        }
    }
}

/// Writes one batch as a single log entry of newline-separated JSON events: one row per batch
/// keeps the per-event storage cost down to the serialisation itself, which runs on the blocking
/// pool so that request threads never stall behind a large batch. A failed append is retried
/// with a fresh encoding (failures are rare; copying every batch up front in case one happens
/// cost a large allocation and page faults per write).
async fn write_batch(store: &Store, events: &mut Vec<AuditEvent>) {
    let batch = Arc::new(std::mem::take(events));
    let count = batch.len();
    let mut last = String::new();
    for attempt in 0..APPEND_ATTEMPTS {
        let source = Arc::clone(&batch);
        let Ok(encoded) = tokio::task::spawn_blocking(move || encode_batch(&source)).await else {
            tracing::error!(count, "audit batch encoding failed");
            return;
        };
        match store.append(AUDIT_LOG, vec![encoded]).await {
            Ok(_) => return,
            Err(err) => last = err.to_string(),
        }
        tokio::time::sleep(std::time::Duration::from_millis(50 * (attempt + 1))).await;
    }
    tracing::error!(error = %last, count, "could not store audit events");
}

fn encode_batch(events: &[AuditEvent]) -> Vec<u8> {
    let mut out = Vec::with_capacity(events.len() * 1024);
    for event in events {
        match serde_json::to_writer(&mut out, event) {
            Ok(()) => out.push(b'\n'),
            Err(err) => tracing::error!(error = %err, "audit event not serialisable"),
        }
    }
    out
}

/// Prints the latest `n` events, then (with `--follow`) new ones as they arrive.
pub async fn tail(args: TailArgs) -> Result<(), String> {
    let store = crate::cli::open_store(&args.store).await?;
    let mut after = 0u64;
    let mut latest = std::collections::VecDeque::new();
    while let Some(events) = next_events(&store, &mut after).await? {
        latest.extend(events);
        while latest.len() > args.lines {
            latest.pop_front();
        }
    }
    latest.iter().for_each(|line| println!("{line}"));
    if !args.follow {
        return Ok(());
    }
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        while let Some(events) = next_events(&store, &mut after).await? {
            events.iter().for_each(|line| println!("{line}"));
        }
    }
}

/// The events in the next page of log entries after `after`, advancing it; `None` at the end.
async fn next_events(store: &Store, after: &mut u64) -> Result<Option<Vec<String>>, String> {
    let page = store
        .read_log(AUDIT_LOG, *after, 100)
        .await
        .map_err(|e| e.to_string())?;
    let Some((last, _)) = page.last() else {
        return Ok(None);
    };
    *after = *last;
    let mut lines = Vec::new();
    for (_, batch) in &page {
        lines.extend(String::from_utf8_lossy(batch).lines().map(str::to_owned));
    }
    Ok(Some(lines))
}
