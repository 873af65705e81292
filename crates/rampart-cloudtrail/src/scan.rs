//! Walking the audit log newest first for one LookupEvents page.
//!
//! Each log entry is a batch of newline-separated records in the order they were queued. The
//! walk reads entries backwards (`read_log_before`), lines within an entry backwards, and stops
//! at the first record older than StartTime by more than [`SKEW`]: records are appended in time
//! order up to that slack (a record's time is when its request arrived, which may precede
//! records of faster requests logged before it, or come from another node's clock). An old
//! EndTime is found by binary search over the log instead of reading everything newer. So a
//! page reads the events it returns, the events filtered out on the way, and no more.

use crate::generated::Event;
use crate::query::{Needle, Query, Scope};
use crate::record::Record;
use crate::token::Cursor;
use rampart_store::{Store, StoreError};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

/// How far out of time order records may be logged.
pub(crate) const SKEW: Duration = Duration::minutes(15);
/// Log entries per read, at first and at most (entries hold 1 to a few thousand records).
const FIRST_READ: usize = 4;
const MAX_READ: usize = 256;
/// Bytes per read above which the next read asks for fewer entries.
const READ_BYTES: usize = 1 << 20;

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
        stop_before: query.start - SKEW,
    };
    let mut cursor = query.cursor;
    if cursor == Cursor::END {
        cursor.seq = seek_before(store, log, query.end + SKEW).await?;
    }
    let mut page = walk(store, log, &matcher, cursor).await?;
    // Log order is arrival order give or take the slack; a page is returned newest first.
    page.events.sort_by_key(|e| std::cmp::Reverse(e.event_time));
    Ok(page)
}

/// Reads entries below `cursor` until the page is full (plus one match, which the next page
/// starts at) or nothing further back can match.
async fn walk(
    store: &Store,
    log: &'static str,
    matcher: &Matcher<'_>,
    cursor: Cursor,
) -> Result<Page, StoreError> {
    let mut page = Page::default();
    let mut before = cursor.seq.saturating_add(1);
    let mut read = FIRST_READ;
    loop {
        let entries = store.read_log_before(log, before, read).await?;
        let bytes: usize = entries.iter().map(|(_, e)| e.len()).sum();
        read = if bytes > READ_BYTES {
            (read / 2).max(1)
        } else {
            (read * 2).min(MAX_READ)
        };
        let Some((oldest, _)) = entries.last() else {
            return Ok(page);
        };
        before = *oldest;
        for (seq, entry) in &entries {
            let upper = if *seq == cursor.seq {
                cursor.line
            } else {
                usize::MAX
            };
            if let Some(done) = walk_entry(matcher, &mut page, *seq, entry, upper) {
                return Ok(done);
            }
        }
    }
}

/// Tests the lines of one entry below line `upper`, newest first; `Some` when the walk is over.
fn walk_entry(
    matcher: &Matcher<'_>,
    page: &mut Page,
    seq: u64,
    entry: &[u8],
    upper: usize,
) -> Option<Page> {
    let text = String::from_utf8_lossy(entry);
    let lines: Vec<&str> = text.split('\n').collect();
    for line in (0..lines.len().min(upper)).rev() {
        match matcher.verdict(lines[line]) {
            Verdict::Skip => {}
            Verdict::Older => return Some(std::mem::take(page)),
            Verdict::Match(_) if page.events.len() == matcher.query.max => {
                page.next = Some(Cursor {
                    seq,
                    line: line + 1,
                });
                return Some(std::mem::take(page));
            }
            Verdict::Match(event) => page.events.push(*event),
        }
    }
    None
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
        let matches = record.recipient_account_id == self.scope.account
            && record.aws_region == self.scope.region
            && record.is_management()
            && record.time() == Some(time)
            && self
                .query
                .filter
                .as_ref()
                .is_none_or(|f| f.matches(&record));
        if matches {
            Verdict::Match(Box::new(record.to_event(time, line)))
        } else {
            Verdict::Skip
        }
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
    let text = String::from_utf8_lossy(entry);
    text.split('\n').find_map(quick_time)
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
