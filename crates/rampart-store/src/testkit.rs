//! Conformance suite every backend must pass: one async function per property, each taking a
//! fresh, empty [`Store`] and returning `Err` (never panicking) with what went wrong.
//!
//! The crate's `tests/conformance.rs` runs it against SQLite always and against PostgreSQL when
//! `RAMPART_TEST_POSTGRES_URL` is set. A service crate with its own repository trait can reuse it.

use crate::{Expect, Record, Store, StoreError, Table, Write};
use std::future::Future;

/// Why a conformance check failed.
#[derive(Debug)]
pub struct TestFailure(pub String);

impl std::fmt::Display for TestFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TestFailure {}

impl From<StoreError> for TestFailure {
    fn from(e: StoreError) -> Self {
        TestFailure(format!("unexpected store error: {e}"))
    }
}

/// Result of one conformance check.
pub type TestResult = Result<(), TestFailure>;

macro_rules! check {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(TestFailure(format!($($msg)+)));
        }
    };
}

macro_rules! check_eq {
    ($left:expr, $right:expr) => {{
        let (l, r) = (&$left, &$right);
        if l != r {
            return Err(TestFailure(format!(
                "{} != {}: {:?} vs {:?} (line {})",
                stringify!($left),
                stringify!($right),
                l,
                r,
                line!()
            )));
        }
    }};
}

mod append;
mod backends;
mod indexed;
mod lease;
mod order;
mod queue;
pub use append::{append_in_transaction, append_in_transaction_races};
pub use backends::{POSTGRES_URL_VAR, TestStore};
pub use indexed::{indexed_table, scan_keys_and_get_many};
pub use lease::{fence_at_commit, lease_acquire_renew_release, lease_racing_acquirers};
pub use order::{conflicts_retried, multi_row_opposite_orders};
pub use queue::{
    queue_ack_many, queue_claim_lease_ack, queue_concurrent_consumers, queue_dedup,
    queue_retry_dead_letter,
};

const T: &str = "kit";

fn put(key: &str, value: &str, expect: Expect) -> Write {
    Write::Put {
        table: T,
        key: key.into(),
        value: value.as_bytes().to_vec(),
        expect,
    }
}

fn del(key: &str, expect: Expect) -> Write {
    Write::Delete {
        table: T,
        key: key.into(),
        expect,
    }
}

/// `Some((version, value))` of a row in the kit table.
async fn row(store: &Store, key: &str) -> Result<Option<(u64, String)>, TestFailure> {
    let record = store.get(T, key).await?;
    Ok(record.map(|r| (r.version, String::from_utf8_lossy(&r.value).into_owned())))
}

/// Checks that `result` is a conflict naming `key` in the kit table.
fn expect_conflict(result: Result<(), StoreError>, key: &str) -> TestResult {
    match result {
        Err(StoreError::Conflict { table, key: k }) if table == T && k == key => Ok(()),
        other => Err(TestFailure(format!(
            "expected conflict on {T}/{key}, got {other:?}"
        ))),
    }
}

fn some(version: u64, value: &str) -> Option<(u64, String)> {
    Some((version, value.to_owned()))
}

/// Create at version 1, update by version, conflicts on stale or missing expectations.
pub async fn cas_create_update_conflict(store: &Store) -> TestResult {
    check_eq!(row(store, "k").await?, None);
    store.transact(vec![put("k", "v1", Expect::Absent)]).await?;
    check_eq!(row(store, "k").await?, some(1, "v1"));
    expect_conflict(
        store.transact(vec![put("k", "x", Expect::Absent)]).await,
        "k",
    )?;
    store
        .transact(vec![put("k", "v2", Expect::Version(1))])
        .await?;
    check_eq!(row(store, "k").await?, some(2, "v2"));
    expect_conflict(
        store
            .transact(vec![put("k", "x", Expect::Version(1))])
            .await,
        "k",
    )?;
    expect_conflict(
        store
            .transact(vec![put("m", "x", Expect::Version(1))])
            .await,
        "m",
    )?;
    store.transact(vec![put("k", "v3", Expect::Any)]).await?;
    check_eq!(row(store, "k").await?, some(3, "v3"));
    store.transact(vec![put("n", "n1", Expect::Any)]).await?;
    check_eq!(row(store, "n").await?, some(1, "n1"));
    check_eq!(row(store, "m").await?, None);
    // The same key in another table is a different row.
    check_eq!(store.get("kit_other", "k").await?, None);
    let other = Write::Put {
        table: "kit_other",
        key: "k".into(),
        value: vec![],
        expect: Expect::Absent,
    };
    store.transact(vec![other]).await?;
    check_eq!(
        store.get("kit_other", "k").await?.map(|r| r.version),
        Some(1)
    );
    check_eq!(row(store, "k").await?, some(3, "v3"));
    Ok(())
}

/// A failing write anywhere in a transaction leaves every write in it unapplied.
pub async fn transaction_atomicity(store: &Store) -> TestResult {
    store.transact(vec![put("a", "a1", Expect::Absent)]).await?;
    let failing = vec![
        put("b", "b1", Expect::Absent),
        put("a", "a2", Expect::Absent),
    ];
    expect_conflict(store.transact(failing).await, "a")?;
    check_eq!(row(store, "b").await?, None);
    check_eq!(row(store, "a").await?, some(1, "a1"));
    let failing = vec![
        put("b", "b1", Expect::Absent),
        put("a", "a2", Expect::Version(1)),
        del("c", Expect::Version(3)),
    ];
    expect_conflict(store.transact(failing).await, "c")?;
    check_eq!(row(store, "b").await?, None);
    check_eq!(row(store, "a").await?, some(1, "a1"));
    // Writes apply in key order: the first unmet expectation in that order is reported.
    let failing = vec![
        put("x", "x", Expect::Version(9)),
        put("a", "a", Expect::Absent),
    ];
    expect_conflict(store.transact(failing).await, "a")?;
    let failing = vec![
        put("x", "x", Expect::Version(9)),
        put("y", "y", Expect::Version(9)),
    ];
    expect_conflict(store.transact(failing).await, "x")?;
    let ok = vec![
        put("b", "b1", Expect::Absent),
        put("a", "a2", Expect::Version(1)),
    ];
    store.transact(ok).await?;
    check_eq!(row(store, "a").await?, some(2, "a2"));
    check_eq!(row(store, "b").await?, some(1, "b1"));
    store.transact(Vec::new()).await?;
    Ok(())
}

/// Conditional deletes; a deleted key can be created again at version 1.
pub async fn delete_semantics(store: &Store) -> TestResult {
    store.transact(vec![del("d", Expect::Any)]).await?;
    store.transact(vec![del("d", Expect::Absent)]).await?;
    expect_conflict(
        store.transact(vec![del("d", Expect::Version(1))]).await,
        "d",
    )?;
    store.transact(vec![put("d", "d1", Expect::Absent)]).await?;
    expect_conflict(store.transact(vec![del("d", Expect::Absent)]).await, "d")?;
    expect_conflict(
        store.transact(vec![del("d", Expect::Version(2))]).await,
        "d",
    )?;
    check_eq!(row(store, "d").await?, some(1, "d1"));
    store.transact(vec![del("d", Expect::Version(1))]).await?;
    check_eq!(row(store, "d").await?, None);
    store
        .transact(vec![put("d", "again", Expect::Absent)])
        .await?;
    check_eq!(row(store, "d").await?, some(1, "again"));
    store.transact(vec![del("d", Expect::Any)]).await?;
    check_eq!(row(store, "d").await?, None);
    Ok(())
}

const SCAN_KEYS: &[&str] = &[
    "a%b/2", "a%b/1", "aXb/1", "a_b/1", "a_c/1", "ab", "a", "b", "a%b", "a%b/3/x", "a%b/é",
    "a%b/Z", "a%bc",
];

async fn scan_keys(
    store: &Store,
    prefix: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<String>, TestFailure> {
    let rows: Vec<Record> = store.scan(T, prefix, after, limit).await?;
    Ok(rows.into_iter().map(|r| r.key).collect())
}

/// Exact prefix matching (`%` and `_` are plain bytes), byte order, `start_after` pagination.
pub async fn scan_prefix_and_pagination(store: &Store) -> TestResult {
    let writes = SCAN_KEYS
        .iter()
        .map(|k| put(k, k, Expect::Absent))
        .collect();
    store.transact(writes).await?;
    let other = Write::Put {
        table: "kit_other",
        key: "a%b/0".into(),
        value: vec![],
        expect: Expect::Any,
    };
    store.transact(vec![other]).await?;
    let want = ["a%b/1", "a%b/2", "a%b/3/x", "a%b/Z", "a%b/é"];
    check_eq!(scan_keys(store, "a%b/", None, 100).await?, want);
    check_eq!(scan_keys(store, "a_", None, 100).await?, ["a_b/1", "a_c/1"]);
    check_eq!(scan_keys(store, "a%", None, 100).await?.len(), 7);
    let mut all: Vec<&str> = SCAN_KEYS.to_vec();
    all.sort_unstable();
    check_eq!(scan_keys(store, "", None, 100).await?, all);
    // Page through with limit 2.
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = scan_keys(store, "a%b/", after.as_deref(), 2).await?;
        check!(page.len() <= 2, "page larger than limit: {page:?}");
        let Some(last) = page.last().cloned() else {
            break;
        };
        seen.extend(page);
        after = Some(last);
    }
    check_eq!(seen, want);
    check_eq!(scan_keys(store, "a%b/", Some("a"), 1).await?, ["a%b/1"]);
    check_eq!(
        scan_keys(store, "a%b/", Some("a%b/2"), 100).await?,
        want[2..]
    );
    check_eq!(
        scan_keys(store, "a%b/", Some("zz"), 100).await?,
        Vec::<String>::new()
    );
    check_eq!(
        scan_keys(store, "a%b/", None, 0).await?,
        Vec::<String>::new()
    );
    check_eq!(
        scan_keys(store, "nothing", None, 10).await?,
        Vec::<String>::new()
    );
    let rows = store.scan(T, "a%b/1", None, 10).await?;
    check_eq!(
        rows.first().map(|r| (r.version, r.value.clone())),
        Some((1, b"a%b/1".to_vec()))
    );
    Ok(())
}

/// Sequence numbers increase per log, a 500-entry batch is one call, reads page in order.
pub async fn log_append_and_read(store: &Store) -> TestResult {
    let entries = |n: usize, tag: &str| (0..n).map(|i| format!("{tag}-{i}").into_bytes()).collect();
    check_eq!(store.append("audit", Vec::new()).await?, Vec::<u64>::new());
    let first = store.append("audit", entries(3, "first")).await?;
    let other = store.append("other", entries(2, "other")).await?;
    let started = std::time::Instant::now();
    let batch = store.append("audit", entries(500, "batch")).await?;
    let elapsed = started.elapsed();
    check!(
        elapsed.as_secs() < 10,
        "appending 500 entries took {elapsed:?}"
    );
    let seqs: Vec<u64> = first.iter().chain(&batch).copied().collect();
    check_eq!(seqs.len(), 503);
    check!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "sequence numbers not increasing"
    );
    check!(
        other.iter().all(|s| !seqs.contains(s)),
        "sequence numbers reused across logs"
    );
    let read = store.read_log("audit", 0, 10_000).await?;
    check_eq!(read.iter().map(|(s, _)| *s).collect::<Vec<_>>(), seqs);
    check_eq!(
        read.first().map(|(_, e)| e.clone()),
        Some(b"first-0".to_vec())
    );
    check_eq!(
        read.last().map(|(_, e)| e.clone()),
        Some(b"batch-499".to_vec())
    );
    let mut paged = Vec::new();
    let mut after = 0;
    while let Some(last) = store
        .read_log("audit", after, 100)
        .await?
        .last()
        .map(|(s, _)| *s)
    {
        paged.extend(store.read_log("audit", after, 100).await?);
        after = last;
    }
    check_eq!(paged, read);
    let other_read = store.read_log("other", 0, 10).await?;
    check_eq!(
        other_read.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        other
    );
    check_eq!(store.read_log("audit", u64::MAX, 10).await?.len(), 0);
    check_eq!(store.read_log("audit", 0, 0).await?.len(), 0);
    Ok(())
}

/// `read_log_before` walks one log newest first: pages of descending sequence numbers strictly
/// below `before`, other logs never mixed in, nothing below the first entry.
pub async fn log_read_backwards(store: &Store) -> TestResult {
    let entries = |n: usize, tag: &str| (0..n).map(|i| format!("{tag}-{i}").into_bytes()).collect();
    check_eq!(store.read_log_before("audit", u64::MAX, 10).await?.len(), 0);
    let mut seqs = store.append("audit", entries(130, "a")).await?;
    store.append("other", entries(5, "o")).await?;
    seqs.extend(store.append("audit", entries(70, "b")).await?);
    store.append("other", entries(5, "o")).await?;
    let newest = store.read_log_before("audit", u64::MAX, 3).await?;
    check_eq!(
        newest.iter().map(|(_, e)| e.clone()).collect::<Vec<_>>(),
        vec![b"b-69".to_vec(), b"b-68".to_vec(), b"b-67".to_vec()]
    );
    let mut paged = Vec::new();
    let mut before = u64::MAX;
    loop {
        let page = store.read_log_before("audit", before, 32).await?;
        check!(page.len() <= 32, "page of {} entries", page.len());
        let Some((last, _)) = page.last() else { break };
        before = *last;
        paged.extend(page);
    }
    let mut expected = seqs.clone();
    expected.reverse();
    check_eq!(paged.iter().map(|(s, _)| *s).collect::<Vec<_>>(), expected);
    check_eq!(paged.last().map(|(_, e)| e.clone()), Some(b"a-0".to_vec()));
    let forward = store.read_log("audit", 0, 1000).await?;
    let mut reversed = paged.clone();
    reversed.reverse();
    check_eq!(reversed, forward);
    let middle = seqs[100];
    let below = store.read_log_before("audit", middle, 2).await?;
    check_eq!(
        below.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        vec![seqs[99], seqs[98]]
    );
    check_eq!(store.read_log_before("audit", seqs[0], 10).await?.len(), 0);
    check_eq!(store.read_log_before("audit", 0, 10).await?.len(), 0);
    check_eq!(store.read_log_before("audit", u64::MAX, 0).await?.len(), 0);
    check_eq!(
        store.read_log_before("missing", u64::MAX, 10).await?.len(),
        0
    );
    Ok(())
}

/// `wipe` empties rows, logs, queues and leases, keeps the schema, and never reuses sequence numbers.
pub async fn wipe_clears_everything(store: &Store) -> TestResult {
    store
        .transact(vec![
            put("w", "w1", Expect::Absent),
            put("w2", "x", Expect::Any),
        ])
        .await?;
    let before = store.append("audit", vec![b"e".to_vec()]).await?;
    let item = Write::Enqueue {
        queue: "kit_queue",
        payload: vec![1],
        visible_at_ms: 0,
        dedup_key: None,
    };
    store.transact(vec![item]).await?;
    let held = std::time::Duration::from_secs(60);
    check!(
        store
            .acquire_lease("kit_lease", "other", held, 0)
            .await?
            .is_some(),
        "lease refused"
    );
    store.wipe().await?;
    let claimed = store
        .claim(
            "kit_queue",
            "kit",
            std::time::Duration::from_secs(1),
            10,
            3,
            0,
        )
        .await?;
    check_eq!(claimed.len(), 0);
    let lease = store
        .acquire_lease("kit_lease", "kit", std::time::Duration::from_secs(1), 0)
        .await?;
    check!(lease.is_some(), "lease refused after wipe");
    check_eq!(row(store, "w").await?, None);
    check_eq!(store.scan(T, "", None, 10).await?.len(), 0);
    check_eq!(store.read_log("audit", 0, 10).await?.len(), 0);
    store
        .transact(vec![put("w", "new", Expect::Absent)])
        .await?;
    check_eq!(row(store, "w").await?, some(1, "new"));
    let after = store.append("audit", vec![b"f".to_vec()]).await?;
    check!(
        after.first() > before.first(),
        "sequence reused after wipe: {before:?} {after:?}"
    );
    Ok(())
}

/// Writers racing on one key: exactly one create and exactly one update win.
pub async fn concurrent_writers_race(store: &Store) -> TestResult {
    const RACERS: usize = 8;
    let race = async |expect: Expect| -> Result<usize, TestFailure> {
        let tasks: Vec<_> = (0..RACERS)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .transact(vec![put("race", &format!("w{i}"), expect)])
                        .await
                })
            })
            .collect();
        let mut wins = 0;
        for task in tasks {
            match task
                .await
                .map_err(|e| TestFailure(format!("task failed: {e}")))?
            {
                Ok(()) => wins += 1,
                Err(StoreError::Conflict { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(wins)
    };
    check_eq!(race(Expect::Absent).await?, 1);
    check_eq!(row(store, "race").await?.map(|r| r.0), Some(1));
    check_eq!(race(Expect::Version(1)).await?, 1);
    check_eq!(row(store, "race").await?.map(|r| r.0), Some(2));
    let appends: Vec<_> = (0..RACERS)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.append("race", vec![vec![1]; 10]).await })
        })
        .collect();
    let mut seqs = Vec::new();
    for task in appends {
        seqs.extend(
            task.await
                .map_err(|e| TestFailure(format!("task failed: {e}")))??,
        );
    }
    seqs.sort_unstable();
    seqs.dedup();
    check_eq!(seqs.len(), RACERS * 10);
    check_eq!(store.read_log("race", 0, 1000).await?.len(), RACERS * 10);
    Ok(())
}

/// Rows and log entries committed through `store` are there after `reopen` (a new handle on
/// the same database; drop `store` first to prove nothing lingers in memory).
pub async fn reopen_persistence<F, Fut>(store: Store, reopen: F) -> TestResult
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Store, StoreError>>,
{
    store
        .transact(vec![
            put("p", "p1", Expect::Absent),
            put("q", "q1", Expect::Absent),
        ])
        .await?;
    store
        .transact(vec![
            put("p", "p2", Expect::Version(1)),
            del("q", Expect::Version(1)),
        ])
        .await?;
    let seqs = store
        .append("audit", vec![b"e1".to_vec(), b"e2".to_vec()])
        .await?;
    drop(store);
    let store = reopen().await?;
    check_eq!(row(&store, "p").await?, some(2, "p2"));
    check_eq!(row(&store, "q").await?, None);
    let log = store.read_log("audit", 0, 10).await?;
    check_eq!(log.iter().map(|(s, _)| *s).collect::<Vec<_>>(), seqs);
    store
        .transact(vec![put("p", "p3", Expect::Version(2))])
        .await?;
    Ok(())
}

#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Sample {
    name: String,
    count: u32,
}

/// `Table<T>` round-trips values through the envelope and exposes versions.
pub async fn typed_table(store: &Store) -> TestResult {
    let table: Table<Sample> = Table::new(store.clone(), "kit_typed");
    let sample = |count| Sample {
        name: "s%_".into(),
        count,
    };
    store
        .transact(vec![table.put("x/1", &sample(1), Expect::Absent)?])
        .await?;
    store
        .transact(vec![table.put("x/2", &sample(2), Expect::Absent)?])
        .await?;
    let got = table.get("x/1").await?.map(|v| (v.version, v.value));
    check_eq!(got, Some((1, sample(1))));
    store
        .transact(vec![table.put("x/1", &sample(5), Expect::Version(1))?])
        .await?;
    let page = table.scan("x/", None, 10).await?;
    let page: Vec<_> = page
        .into_iter()
        .map(|(k, v)| (k, v.version, v.value.count))
        .collect();
    check_eq!(page, [("x/1".to_owned(), 2, 5), ("x/2".to_owned(), 1, 2)]);
    store
        .transact(vec![table.delete("x/2", Expect::Version(1))])
        .await?;
    check!(
        table.get("x/2").await?.is_none(),
        "deleted typed row still present"
    );
    let raw = store.get("kit_typed", "x/1").await?.map(|r| r.value);
    check_eq!(
        raw.as_ref().and_then(|v| v.first().copied()),
        Some(crate::RECORD_FORMAT_V1)
    );
    Ok(())
}
