//! `rampart audit tail`: the latest audit events of a store, then new ones as they arrive.

use crate::cli::TailArgs;
use rampart_audit::AUDIT_LOG;
use rampart_store::Store;

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
