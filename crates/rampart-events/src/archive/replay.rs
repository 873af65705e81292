//! Replays: a cluster job walks each running replay's archive window in time order, a page at a
//! time, putting each event back on the destination bus with `replay-name` added (as AWS does)
//! through `route` (only the FilterArns rules, when given), and committing the routed writes
//! with the replay's progress (cursor, last replayed time) in one transaction. States:
//! STARTING → RUNNING → COMPLETED, or CANCELLING → CANCELLED after CancelReplay.

use super::{ARCHIVE_EVENTS, event_time_ms};
use crate::EventsService;
use rampart_store::{Expect, StoreError, Write, decode_record, encode_record};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Replays: `<account>/<region>/<name>` → [`ReplayRecord`].
pub(crate) const REPLAYS: &str = "events_replays";

/// Events replayed per transaction.
const PAGE: usize = 100;

/// A replay as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ReplayRecord {
    pub name: String,
    pub arn: String,
    pub description: Option<String>,
    pub archive_arn: String,
    pub archive_id: String,
    pub destination_arn: String,
    pub filter_arns: Option<Vec<String>>,
    pub event_start_ms: i64,
    pub event_end_ms: i64,
    pub state: String,
    pub state_reason: Option<String>,
    pub replay_start_ms: i64,
    pub replay_end_ms: Option<i64>,
    pub last_replayed_ms: Option<i64>,
    /// The key of the last archived event replayed.
    pub cursor: Option<String>,
}

impl ReplayRecord {
    /// Whether the job still has work for it.
    pub(crate) fn is_active(&self) -> bool {
        matches!(self.state.as_str(), "STARTING" | "RUNNING" | "CANCELLING")
    }
}

/// The store key of a replay.
pub(crate) fn key(account: &str, region: &str, name: &str) -> String {
    format!("{account}/{region}/{name}")
}

impl EventsService {
    /// Advances every active replay by at most one page at `now_ms`; how many events it replayed.
    pub async fn run_replays(&self, now_ms: i64) -> Result<usize, String> {
        let rows = self
            .store
            .scan(REPLAYS, "", None, 10_000)
            .await
            .map_err(|e| e.to_string())?;
        let mut done = 0;
        for row in rows {
            let replay: ReplayRecord = decode_record(&row.value).map_err(|e| e.to_string())?;
            if replay.is_active() {
                done += self
                    .advance(&row.key, row.version, replay, now_ms)
                    .await
                    .map_err(|e| e.to_string())?;
            }
        }
        Ok(done)
    }

    async fn advance(
        &self,
        key: &str,
        version: u64,
        mut replay: ReplayRecord,
        now_ms: i64,
    ) -> Result<usize, StoreError> {
        if replay.state == "CANCELLING" {
            replay.state = "CANCELLED".into();
            replay.replay_end_ms = Some(now_ms);
            return self
                .save_replay(key, version, &replay, Vec::new())
                .await
                .map(|()| 0);
        }
        replay.state = "RUNNING".into();
        let prefix = format!("{}/", replay.archive_id);
        let start = replay
            .cursor
            .clone()
            .unwrap_or_else(|| format!("{prefix}{:016}", replay.event_start_ms.max(0)));
        let rows = self
            .store
            .scan(ARCHIVE_EVENTS, &prefix, Some(&start), PAGE)
            .await?;
        let mut writes = Vec::new();
        let (replayed, reached_end) = self.replay_rows(&mut replay, &rows, &mut writes).await?;
        if reached_end || rows.len() < PAGE {
            replay.state = "COMPLETED".into();
            replay.replay_end_ms = Some(now_ms);
        }
        self.save_replay(key, version, &replay, writes).await?;
        Ok(replayed)
    }

    /// Routes `rows` (archived events, in time order) with `replay-name` added, collecting the
    /// writes and moving the cursor; how many it replayed, and whether it reached EventEndTime.
    async fn replay_rows(
        &self,
        replay: &mut ReplayRecord,
        rows: &[rampart_store::Record],
        writes: &mut Vec<Write>,
    ) -> Result<(usize, bool), StoreError> {
        let mut replayed = 0;
        for row in rows {
            let Ok(mut event) = serde_json::from_slice::<Value>(&row.value) else {
                replay.cursor = Some(row.key.clone());
                continue;
            };
            let time = event_time_ms(&event).unwrap_or_default();
            if time >= replay.event_end_ms {
                return Ok((replayed, true));
            }
            if let Some(object) = event.as_object_mut() {
                object.insert("replay-name".into(), Value::String(replay.name.clone()));
            }
            let rules = replay.filter_arns.as_deref();
            let routed = self
                .route(&replay.destination_arn, &event, rules)
                .await
                .map_err(|e| StoreError::Backend(e.message))?;
            writes.extend(routed);
            replay.cursor = Some(row.key.clone());
            replay.last_replayed_ms = Some(time);
            replayed += 1;
        }
        Ok((replayed, false))
    }

    /// Commits `replay` (if still at `version`: a CancelReplay in between wins) with `writes`.
    async fn save_replay(
        &self,
        key: &str,
        version: u64,
        replay: &ReplayRecord,
        mut writes: Vec<Write>,
    ) -> Result<(), StoreError> {
        writes.push(Write::Put {
            table: REPLAYS,
            key: key.to_owned(),
            value: encode_record(replay)?,
            expect: Expect::Version(version),
        });
        match self.store.transact(writes).await {
            Err(e) if e.is_conflict() => Ok(()),
            other => other,
        }
    }
}
