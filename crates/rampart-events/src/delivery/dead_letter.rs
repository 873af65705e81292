//! Dead letters: deliveries that failed for good, one record each in `events_dead_letters`,
//! keyed `<account>/<region>/<queue item id>` (so recording one twice, after a crash between
//! recording and acking, writes the same row), listed by `rampart events dead-letters`.

use crate::outbox::Delivery;
use rampart_store::{Expect, Store, StoreError, Write, decode_record, encode_record};
use serde::{Deserialize, Serialize};

/// The dead-letter table.
pub const DEAD_LETTERS: &str = "events_dead_letters";

/// One dead-lettered delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadLetterRecord {
    pub account: String,
    pub region: String,
    pub rule_arn: String,
    pub target_id: String,
    pub target_arn: String,
    pub event_id: String,
    /// Why the delivery failed for good.
    pub reason: String,
    /// Attempts made.
    pub attempts: u32,
    /// When it was dead-lettered (epoch ms, service clock).
    pub time_ms: i64,
    /// The target's DeadLetterConfig.Arn, if it had one (Rampart keeps the record here).
    pub dead_letter_arn: Option<String>,
    /// The delivery itself, for a redrive.
    #[serde(default)]
    pub delivery: Option<Delivery>,
}

/// The write recording `delivery` (queue item `item`) as dead.
pub(crate) fn record(
    item: u64,
    delivery: &Delivery,
    reason: String,
    attempts: u32,
    now_ms: i64,
) -> Result<Write, StoreError> {
    let record = DeadLetterRecord {
        account: delivery.account.clone(),
        region: delivery.region.clone(),
        rule_arn: delivery.rule_arn.clone(),
        target_id: delivery.target_id.clone(),
        target_arn: delivery.target_arn.clone(),
        event_id: delivery.event_id.clone(),
        reason,
        attempts,
        time_ms: now_ms,
        dead_letter_arn: delivery.dead_letter_arn.clone(),
        delivery: Some(delivery.clone()),
    };
    Ok(Write::Put {
        table: DEAD_LETTERS,
        key: format!("{}/{}/{item:020}", delivery.account, delivery.region),
        value: encode_record(&record)?,
        expect: Expect::Any,
    })
}

/// Puts the dead letters of `account` (and `region`) back in the outbox, due at `now_ms`, with
/// their event time reset to `now_ms` (so MaximumEventAgeInSeconds counts from the redrive), and
/// deletes their records in the same transaction; how many.
pub async fn redrive(
    store: &Store,
    account: Option<&str>,
    region: Option<&str>,
    now_ms: i64,
) -> Result<usize, StoreError> {
    let prefix = scope_prefix(account, region);
    let mut done = 0;
    let mut after: Option<String> = None;
    loop {
        let page = store
            .scan(DEAD_LETTERS, &prefix, after.as_deref(), 500)
            .await?;
        let Some(last) = page.last() else {
            return Ok(done);
        };
        after = Some(last.key.clone());
        let mut writes = Vec::new();
        for row in &page {
            let record: DeadLetterRecord = decode_record(&row.value)?;
            if region.is_some_and(|r| r != record.region) {
                continue;
            }
            if let Some(mut delivery) = record.delivery {
                delivery.event_time_ms = now_ms;
                writes.push(Write::Enqueue {
                    queue: crate::outbox::DELIVERY_QUEUE,
                    payload: delivery.encode(),
                    visible_at_ms: now_ms,
                    dedup_key: None,
                });
            }
            writes.push(Write::Delete {
                table: DEAD_LETTERS,
                key: row.key.clone(),
                expect: Expect::Version(row.version),
            });
        }
        done += writes
            .iter()
            .filter(|w| matches!(w, Write::Enqueue { .. }))
            .count();
        store.transact(writes).await?;
    }
}

fn scope_prefix(account: Option<&str>, region: Option<&str>) -> String {
    match (account, region) {
        (Some(a), Some(r)) => format!("{a}/{r}/"),
        (Some(a), None) => format!("{a}/"),
        _ => String::new(),
    }
}

/// Dead letters, oldest first, of `account` (and `region`) when given, else of every account.
pub async fn list(
    store: &Store,
    account: Option<&str>,
    region: Option<&str>,
) -> Result<Vec<DeadLetterRecord>, StoreError> {
    let prefix = scope_prefix(account, region);
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .scan(DEAD_LETTERS, &prefix, after.as_deref(), 500)
            .await?;
        let Some(last) = page.last() else {
            break;
        };
        after = Some(last.key.clone());
        for row in &page {
            let record: DeadLetterRecord = decode_record(&row.value)?;
            if region.is_none_or(|r| r == record.region) {
                out.push(record);
            }
        }
    }
    out.sort_by_key(|r| r.time_ms);
    Ok(out)
}
