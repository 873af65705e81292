//! Walking the audit log newest first for one LookupEvents page.
//!
//! Each log entry is a batch of records in the order they were queued (compact records, or
//! newline-separated JSON in a log written before the compact form). The walk reads entries
//! backwards (`rampart_audit::NewestFirst`), records within an entry backwards, and stops
//! at the first record older than StartTime by more than [`SKEW`]: records are appended in time
//! order up to that slack (a record's time is when its request arrived, which may precede
//! records of faster requests logged before it, or come from another node's clock). An old
//! EndTime is found by binary search over the log instead of reading everything newer. So a
//! page reads the events it returns, the events filtered out on the way, and no more.

use crate::generated::Event;
use crate::query::{Needle, Query, Scope};
use crate::record::Record;
use crate::token::Cursor;
use rampart_audit::{
    FORMAT_V1, NewestFirst, RecordKind, StoredEvent, StoredRecord, decode_entry, first_record,
};
use rampart_store::{Store, StoreError};
use std::collections::HashMap;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

/// How far out of time order records may be logged.
pub(crate) const SKEW: Duration = Duration::minutes(15);
/// Log entries per forward read (the few entries after a walk's start).
const FORWARD_READ: usize = 4;

/// One page of results and where the next one starts.
#[derive(Debug, Default)]
pub(crate) struct Page {
    pub events: Vec<Event>,
    pub next: Option<Cursor>,
}

/// What one record means for the walk.
enum Verdict {
    /// Older than StartTime beyond the slack: nothing further back can match.
    Older,
    Skip,
    Match(Box<Event>),
}

/// Everything a record is tested against.
struct Matcher<'q> {
    query: &'q Query,
    scope: Scope<'q>,
    account_text: String,
    needle: Needle,
    /// What a compact entry must contain to hold a match (see `Filter::raw_needle`).
    raw_needle: Option<Vec<u8>>,
    stop_before: OffsetDateTime,
}

/// Runs `query` for `scope` over `log`.
pub(crate) async fn lookup(
    store: &Store,
    log: &'static str,
    scope: Scope<'_>,
    query: &Query,
) -> Result<Page, StoreError> {
    let needle = query.filter.as_ref().map_or(Needle::Any, |f| f.needle());
    // Rampart produces no Insights events; and some attribute values can match nothing.
    if query.insight || needle == Needle::Nothing {
        return Ok(Page::default());
    }
    let matcher = Matcher {
        query,
        scope,
        account_text: format!("\"recipientAccountId\":{}", json_string(scope.account)),
        needle,
        raw_needle: query.filter.as_ref().and_then(|f| f.raw_needle()),
        stop_before: query.start - SKEW,
    };
    let mut cursor = query.cursor;
    if cursor == Cursor::END {
        cursor.seq = seek_before(store, log, query.end + SKEW).await?;
    }
    let mut walk = Walk::new(store, log, &matcher, cursor);
    walk.run().await?;
    let mut page = walk.page;
    // Log order is arrival order give or take the slack; a page is returned newest first.
    page.events.sort_by_key(|e| std::cmp::Reverse(e.event_time));
    Ok(page)
}

/// One walk back through the log. A call whose intent committed with its first write is shown
/// once, in the intent's place: its final record (newer in the log) is set aside until the
/// walk reaches the intent; an intent whose final record never came is shown as it is.
struct Walk<'w> {
    store: &'w Store,
    log: &'static str,
    matcher: &'w Matcher<'w>,
    cursor: Cursor,
    page: Page,
    /// Final records seen whose intent is further back, by event id.
    finals: Finals,
    /// Final records newer than where the walk started, once read (see `final_of`).
    newer: Option<Finals>,
}

type Finals = HashMap<String, StoredEvent>;

impl<'w> Walk<'w> {
    fn new(store: &'w Store, log: &'static str, matcher: &'w Matcher<'w>, cursor: Cursor) -> Self {
        Self {
            store,
            log,
            matcher,
            cursor,
            page: Page::default(),
            finals: Finals::new(),
            newer: None,
        }
    }

    /// Reads entries below the cursor until the page is full (plus one match, which the next
    /// page starts at) or nothing further back can match.
    async fn run(&mut self) -> Result<(), StoreError> {
        let before = self.cursor.seq.saturating_add(1);
        let mut walk = NewestFirst::new(self.store, self.log, before);
        loop {
            let entries = walk.next_batch().await?;
            if entries.is_empty() {
                return Ok(());
            }
            for (seq, entry) in &entries {
                let upper = if *seq == self.cursor.seq {
                    self.cursor.line
                } else {
                    usize::MAX
                };
                if self.entry(*seq, entry, upper).await? {
                    return Ok(());
                }
            }
        }
    }

    /// Tests the records of one entry below index `upper`, newest first; true when the walk
    /// is over.
    async fn entry(&mut self, seq: u64, entry: &[u8], upper: usize) -> Result<bool, StoreError> {
        if self.matcher.cannot_match(entry) {
            return Ok(false);
        }
        let records = decode_entry(entry);
        for index in (0..records.len().min(upper)).rev() {
            let verdict = match &records[index] {
                StoredRecord::Json(line) => self.matcher.verdict(line),
                StoredRecord::Compact(event) => match self.shown(event).await? {
                    Some(shown) => self.matcher.verdict_stored(&shown),
                    None => Verdict::Skip,
                },
            };
            match verdict {
                Verdict::Skip => {}
                Verdict::Older => return Ok(true),
                Verdict::Match(_) if self.page.events.len() == self.matcher.query.max => {
                    let line = index + 1;
                    self.page.next = Some(Cursor { seq, line });
                    return Ok(true);
                }
                Verdict::Match(event) => self.page.events.push(*event),
            }
        }
        Ok(false)
    }

    /// What a compact record shows in its place: itself, its final record (an intent), or
    /// nothing (a final record shown at its intent).
    async fn shown(&mut self, event: &StoredEvent) -> Result<Option<StoredEvent>, StoreError> {
        match event.kind {
            RecordKind::Final => Ok(Some(event.clone())),
            RecordKind::FinalAfterIntent => {
                self.finals.insert(event.event_id.clone(), event.clone());
                Ok(None)
            }
            RecordKind::Intent => {
                let found = match self.finals.remove(&event.event_id) {
                    Some(done) => Some(done),
                    None => self.newer_final(event).await?,
                };
                Ok(Some(found.unwrap_or_else(|| event.clone())))
            }
        }
    }

    /// The final record of `intent` among the records newer than the walk's start (a page
    /// that starts at a NextToken or below EndTime did not see them). Read once per walk, up
    /// to records [`SKEW`] after this intent (the walk's newest): a final record is written
    /// as soon as its call ends.
    async fn newer_final(
        &mut self,
        intent: &StoredEvent,
    ) -> Result<Option<StoredEvent>, StoreError> {
        if self.cursor.seq == u64::MAX {
            return Ok(None);
        }
        if self.newer.is_none() {
            let limit = intent.time.saturating_add(SKEW.whole_seconds());
            let after = self.cursor.seq.saturating_sub(1);
            self.newer = Some(finals_after(self.store, self.log, after, limit).await?);
        }
        Ok(self.newer.as_mut().and_then(|n| n.remove(&intent.event_id)))
    }
}

/// The final records (of calls with an intent) in entries after `after`, up to the first
/// entry whose records start after `limit` (Unix seconds).
async fn finals_after(
    store: &Store,
    log: &'static str,
    mut after: u64,
    limit: i64,
) -> Result<Finals, StoreError> {
    let mut finals = Finals::new();
    loop {
        let entries = store.read_log(log, after, FORWARD_READ).await?;
        let Some((last, _)) = entries.last() else {
            return Ok(finals);
        };
        after = *last;
        for (_, entry) in &entries {
            let records = decode_entry(entry);
            for record in records {
                let StoredRecord::Compact(event) = record else {
                    continue;
                };
                if event.time > limit {
                    return Ok(finals);
                }
                if event.kind == RecordKind::FinalAfterIntent {
                    finals.insert(event.event_id.clone(), *event);
                }
            }
        }
    }
}

impl Matcher<'_> {
    fn verdict(&self, line: &str) -> Verdict {
        let Some(time) = quick_time(line) else {
            return Verdict::Skip;
        };
        if time < self.stop_before {
            return Verdict::Older;
        }
        if time < self.query.start || time > self.query.end || !self.might_match(line) {
            return Verdict::Skip;
        }
        let Some(record) = Record::parse(line) else {
            return Verdict::Skip;
        };
        if record.time() == Some(time) && self.matches(&record) {
            Verdict::Match(Box::new(record.to_event(time, line)))
        } else {
            Verdict::Skip
        }
    }

    /// The verdict on a compact record (rendered as CloudTrail JSON only when it matches).
    fn verdict_stored(&self, event: &StoredEvent) -> Verdict {
        let Some(time) = event.event_time() else {
            return Verdict::Skip;
        };
        if time < self.stop_before {
            return Verdict::Older;
        }
        if time < self.query.start
            || time > self.query.end
            || event.recipient_account_id != self.scope.account
        {
            return Verdict::Skip;
        }
        let text = rampart_audit::cloudtrail_timestamp(time);
        let Some(record) = Record::of_stored(event, &text) else {
            return Verdict::Skip;
        };
        if self.matches(&record) {
            Verdict::Match(Box::new(record.to_event(time, &event.to_cloudtrail_json())))
        } else {
            Verdict::Skip
        }
    }

    /// Whether a compact entry can be passed over undecoded: it lacks the filter's value, is
    /// not an intent, and starts after the walk's stop (so the walk does not end in it). A
    /// final record it holds is not needed at its intent: without the value it cannot match.
    fn cannot_match(&self, entry: &[u8]) -> bool {
        let Some(needle) = self.raw_needle.as_deref() else {
            return false;
        };
        if entry.first() != Some(&FORMAT_V1) || entry.windows(needle.len()).any(|w| w == needle) {
            return false;
        }
        // An intent (alone in its entry, committed with its call's first write) lacks what
        // only the final record knows (resources, response): it is never passed over.
        match first_record(entry) {
            Some(StoredRecord::Compact(first)) if first.kind != RecordKind::Intent => {
                first.event_time().is_some_and(|t| t >= self.stop_before)
            }
            _ => false,
        }
    }

    /// Scope, management events and the attribute filter.
    fn matches(&self, record: &Record<'_>) -> bool {
        record.recipient_account_id == self.scope.account
            && record.aws_region == self.scope.region
            && record.is_management()
            && self.query.filter.as_ref().is_none_or(|f| f.matches(record))
    }

    /// Cheap necessary conditions on the raw line.
    fn might_match(&self, line: &str) -> bool {
        line.contains(&self.account_text)
            && match &self.needle {
                Needle::Text(text) => line.contains(text.as_str()),
                Needle::Any => true,
                Needle::Nothing => false,
            }
    }
}

/// `eventTime` of a record line without parsing the whole record (the first `eventTime` key of
/// a serialized event is the top-level one: it precedes the request parameters).
fn quick_time(line: &str) -> Option<OffsetDateTime> {
    const KEY: &str = "\"eventTime\":\"";
    let start = line.find(KEY)? + KEY.len();
    let rest = line.get(start..)?;
    let end = rest.find('"')?;
    OffsetDateTime::parse(&rest[..end], &Rfc3339).ok()
}

/// The time of the first record of an entry (its oldest, give or take [`SKEW`]).
fn entry_time(entry: &[u8]) -> Option<OffsetDateTime> {
    match first_record(entry)? {
        StoredRecord::Json(_) => {
            let text = String::from_utf8_lossy(entry);
            text.split('\n').find_map(quick_time)
        }
        StoredRecord::Compact(event) => event.event_time(),
    }
}

/// A `before` bound below which the log may hold records at or before `limit`: entries from
/// there on all start after it. Binary search over sequence numbers, one entry per probe.
async fn seek_before(
    store: &Store,
    log: &'static str,
    limit: OffsetDateTime,
) -> Result<u64, StoreError> {
    let too_new = |entry: &[u8]| entry_time(entry).is_some_and(|t| t > limit);
    let newest = store.read_log_before(log, u64::MAX, 1).await?;
    let Some((newest, entry)) = newest.first() else {
        return Ok(u64::MAX);
    };
    if !too_new(entry) {
        return Ok(u64::MAX);
    }
    // Entry `hi` and everything after it are too new; entries up to `lo` may not be.
    let (mut lo, mut hi) = (0u64, *newest);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        let probe = store.read_log_before(log, mid + 1, 1).await?;
        match probe.first() {
            Some((seq, entry)) if *seq > lo && too_new(entry) => hi = *seq,
            _ => lo = mid,
        }
    }
    Ok(hi.saturating_sub(1))
}

/// `text` as a JSON string literal, as the audit writer serializes it.
fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}
