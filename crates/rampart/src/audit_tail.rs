//! `rampart audit tail`: the latest audit events of a store, then new ones as they arrive.
//!
//! Records are printed as CloudTrail JSON, one call per line, in log order. A call whose
//! intent record committed with its first write is printed once, in the intent's place, with
//! the contents of its final record; an intent whose final record never came (the node
//! stopped) is printed as it is: at once when reading what is stored, and after
//! [`INTENT_POLLS`] polls when following.

use crate::cli::TailArgs;
use rampart_audit::{AUDIT_LOG, RecordKind, StoredEvent, StoredRecord, decode_entry};
use rampart_store::Store;
use std::collections::VecDeque;

/// Polls (500 ms apart) a followed intent waits for its final record before it is printed.
const INTENT_POLLS: u32 = 10;
/// Lines held behind a waiting intent before it is printed anyway (bounds memory when an
/// intent without a final record lies far back in a long log).
const MAX_PENDING: usize = 10_000;

/// Prints the latest `n` events, then (with `--follow`) new ones as they arrive.
pub async fn tail(args: TailArgs) -> Result<(), String> {
    let store = crate::cli::open_store(&args.store).await?;
    let mut after = 0u64;
    let mut merge = Merge::default();
    let mut latest = VecDeque::new();
    while let Some(records) = next_records(&store, &mut after).await? {
        records.into_iter().for_each(|r| merge.push(r));
        latest.extend(merge.ready(false));
        while latest.len() > args.lines {
            latest.pop_front();
        }
    }
    latest.extend(merge.ready(true));
    while latest.len() > args.lines {
        latest.pop_front();
    }
    latest.iter().for_each(|line| println!("{line}"));
    if !args.follow {
        return Ok(());
    }
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        while let Some(records) = next_records(&store, &mut after).await? {
            records.into_iter().for_each(|r| merge.push(r));
        }
        merge.age();
        merge
            .ready(false)
            .iter()
            .for_each(|line| println!("{line}"));
    }
}

/// The records in the next page of log entries after `after`, advancing it; `None` at the end.
async fn next_records(store: &Store, after: &mut u64) -> Result<Option<Vec<StoredRecord>>, String> {
    let page = store
        .read_log(AUDIT_LOG, *after, 100)
        .await
        .map_err(|e| e.to_string())?;
    let Some((last, _)) = page.last() else {
        return Ok(None);
    };
    *after = *last;
    Ok(Some(
        page.iter().flat_map(|(_, e)| decode_entry(e)).collect(),
    ))
}

/// Lines in log order, where an intent waits for its final record.
#[derive(Default)]
struct Merge {
    pending: VecDeque<Pending>,
}

enum Pending {
    Line(String),
    /// An intent and the polls it has waited.
    Intent(Box<StoredEvent>, u32),
}

impl Merge {
    fn push(&mut self, record: StoredRecord) {
        let event = match record {
            StoredRecord::Json(line) => return self.pending.push_back(Pending::Line(line)),
            StoredRecord::Compact(event) => event,
        };
        match event.kind {
            RecordKind::Intent => self.pending.push_back(Pending::Intent(event, 0)),
            RecordKind::FinalAfterIntent => {
                let line = event.to_cloudtrail_json();
                let intent = self
                    .pending
                    .iter_mut()
                    .find(|p| matches!(p, Pending::Intent(i, _) if i.event_id == event.event_id));
                match intent {
                    Some(slot) => *slot = Pending::Line(line),
                    // Its intent was printed already (or precedes what was read).
                    None => self.pending.push_back(Pending::Line(line)),
                }
            }
            RecordKind::Final => self
                .pending
                .push_back(Pending::Line(event.to_cloudtrail_json())),
        }
    }

    /// One more poll without the final records of the waiting intents.
    fn age(&mut self) {
        for pending in &mut self.pending {
            if let Pending::Intent(_, polls) = pending {
                *polls += 1;
            }
        }
    }

    /// The lines that can be printed now, in order; with `all`, intents that wait too.
    fn ready(&mut self, all: bool) -> Vec<String> {
        let mut lines = Vec::new();
        while let Some(front) = self.pending.front() {
            match front {
                Pending::Intent(_, polls)
                    if !all && *polls < INTENT_POLLS && self.pending.len() <= MAX_PENDING =>
                {
                    break;
                }
                _ => {}
            }
            match self.pending.pop_front() {
                Some(Pending::Line(line)) => lines.push(line),
                Some(Pending::Intent(intent, _)) => lines.push(intent.to_cloudtrail_json()),
                None => break,
            }
        }
        lines
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn record(id: &str, kind: RecordKind, name: &str) -> StoredRecord {
        StoredRecord::Compact(Box::new(StoredEvent {
            kind,
            time: 1_767_323_045,
            event_source: "kms.amazonaws.com".into(),
            event_name: name.into(),
            aws_region: "us-east-1".into(),
            user_identity: r#"{"type":"Root"}"#.into(),
            source_ip_address: "127.0.0.1".into(),
            user_agent: String::new(),
            error_code: None,
            error_message: None,
            request_parameters: None,
            response_elements: None,
            request_id: id.into(),
            event_id: id.into(),
            read_only: false,
            resources: Vec::new(),
            recipient_account_id: "111122223333".into(),
            shared_event_id: None,
            event_type: None,
            additional_event_data: None,
        }))
    }

    fn names(lines: &[String]) -> Vec<String> {
        let name = |l: &String| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["eventName"].as_str().unwrap().to_owned()
        };
        lines.iter().map(name).collect()
    }

    #[test]
    fn a_call_is_printed_once_in_its_intents_place() {
        let mut merge = Merge::default();
        merge.push(record("a", RecordKind::Intent, "CreateKey"));
        merge.push(record("b", RecordKind::Final, "ListKeys"));
        assert!(merge.ready(false).is_empty(), "the intent waits");
        merge.push(record("a", RecordKind::FinalAfterIntent, "CreateKeyDone"));
        assert_eq!(names(&merge.ready(false)), ["CreateKeyDone", "ListKeys"]);
    }

    #[test]
    fn an_intent_without_final_record_is_printed_as_it_is() {
        let mut merge = Merge::default();
        merge.push(record("a", RecordKind::Intent, "CreateKey"));
        merge.push(record("b", RecordKind::Final, "ListKeys"));
        assert_eq!(names(&merge.ready(true)), ["CreateKey", "ListKeys"]);
        merge.push(record("c", RecordKind::Intent, "DeleteAlias"));
        for _ in 0..INTENT_POLLS {
            assert!(merge.ready(false).is_empty());
            merge.age();
        }
        assert_eq!(names(&merge.ready(false)), ["DeleteAlias"]);
    }
}
