//! The durable audit trail: a batching writer behind the `AuditSink` that holds the responses
//! of state-changing calls until their records are durable.

use crate::{AuditEvent, AuditSink};
use rampart_codec::BoxFuture;
use rampart_store::Store;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

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
}

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
    let task = tokio::spawn(write_batches(store, receiver, stopped));
    (
        QueuedAuditSink { sender, sync_all },
        AuditWriter { stop, task },
    )
}

async fn write_batches(
    store: Store,
    mut receiver: mpsc::UnboundedReceiver<Queued>,
    mut stopped: oneshot::Receiver<()>,
) {
    let mut queued = Vec::with_capacity(BATCH);
    loop {
        tokio::select! {
            received = receiver.recv_many(&mut queued, BATCH) => {
                if received == 0 { return; }
                gather(&mut receiver, &mut queued).await;
                write_batch(&store, &mut queued).await;
            }
            _ = &mut stopped => break,
        }
    }
    receiver.close();
    while receiver.recv_many(&mut queued, BATCH).await > 0 {
        write_batch(&store, &mut queued).await;
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

/// Writes one batch as a single log entry of newline-separated JSON events: one row per batch
/// keeps the per-event storage cost down to the serialisation itself, which runs on the blocking
/// pool so that request threads never stall behind a large batch. A failed append is retried
/// with a fresh encoding (failures are rare; copying every batch up front in case one happens
/// cost a large allocation and page faults per write). Waiting responses are released once
/// the batch is durable.
async fn write_batch(store: &Store, queued: &mut Vec<Queued>) {
    let (events, waiters): (Vec<_>, Vec<_>) = std::mem::take(queued)
        .into_iter()
        .map(|q| (q.event, q.durable))
        .unzip();
    let batch = Arc::new(events);
    let count = batch.len();
    let mut last = String::new();
    for attempt in 0..APPEND_ATTEMPTS {
        let source = Arc::clone(&batch);
        let Ok(encoded) = tokio::task::spawn_blocking(move || encode_batch(&source)).await else {
            tracing::error!(count, "audit batch encoding failed");
            return;
        };
        match store.append(AUDIT_LOG, vec![encoded]).await {
            Ok(_) => {
                waiters.into_iter().flatten().for_each(|w| {
                    let _ = w.send(());
                });
                return;
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UserIdentity;
    use rampart_core::{AccountId, Principal};

    fn event(name: &str) -> AuditEvent {
        let account = AccountId::parse("111122223333").expect("account");
        let principal = Principal::root(account, "AKIAEXAMPLE");
        AuditEvent {
            event_version: "1.08",
            user_identity: UserIdentity::of(&principal),
            event_time: time::OffsetDateTime::now_utc(),
            event_source: "kms.amazonaws.com",
            event_name: name.to_owned(),
            aws_region: "us-east-1".into(),
            source_ip_address: "127.0.0.1".into(),
            user_agent: String::new(),
            error_code: None,
            error_message: None,
            request_parameters: None,
            response_elements: None,
            request_id: name.to_owned(),
            event_id: name.to_owned(),
            read_only: false,
            resources: Vec::new(),
            event_type: "AwsApiCall",
            management_event: true,
            recipient_account_id: "111122223333".into(),
            shared_event_id: None,
            event_category: "Management",
        }
    }

    async fn stored_names(store: &Store) -> Vec<String> {
        let entries = store.read_log(AUDIT_LOG, 0, 100).await.expect("read");
        entries
            .iter()
            .flat_map(|(_, batch)| {
                String::from_utf8_lossy(batch)
                    .into_owned()
                    .lines()
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .map(|line| {
                serde_json::from_str::<serde_json::Value>(&line).expect("json")["eventName"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
    }

    #[tokio::test]
    async fn a_state_change_is_answered_only_once_its_record_is_stored() {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open_sqlite(&dir.path().join("db"))
            .await
            .expect("store");
        let (sink, writer) = start_writer(store.clone(), false);
        sink.record_call(vec![event("ListKeys")], true).await;
        sink.record_call(vec![event("CreateKey"), event("CreateKeyCopy")], false)
            .await;
        let names = stored_names(&store).await;
        assert!(names.contains(&"CreateKey".to_owned()), "{names:?}");
        assert!(names.contains(&"CreateKeyCopy".to_owned()), "{names:?}");
        writer.finish().await;
    }

    #[tokio::test]
    async fn audit_sync_holds_read_only_calls_too() {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open_sqlite(&dir.path().join("db"))
            .await
            .expect("store");
        let (sink, writer) = start_writer(store.clone(), true);
        sink.record_call(vec![event("ListKeys")], true).await;
        assert_eq!(stored_names(&store).await, vec!["ListKeys".to_owned()]);
        writer.finish().await;
    }
}
