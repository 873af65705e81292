//! `rampart events dead-letters`: the EventBridge deliveries that failed for good, as JSON
//! lines (oldest first), read from the store like the other admin commands; with `--redrive`,
//! put back in the delivery outbox.

use crate::cli::DeadLettersArgs;
use rampart_events::delivery::dead_letter::{self, DeadLetterRecord};
use rampart_events::outbox::{DELIVERY_QUEUE, Delivery};
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Store-level dead letters read at most.
const STORE_DEAD_LETTERS: usize = 10_000;

/// Prints the dead letters of `--account` / `--region` (all by default).
pub async fn dead_letters(args: DeadLettersArgs) -> Result<(), String> {
    let store = crate::cli::open_store(&args.store).await?;
    let (account, region) = (args.account.as_deref(), args.region.as_deref());
    if args.redrive {
        let now = rampart_core::Clock::now(&rampart_core::SystemClock);
        let now_ms = i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
        let n = dead_letter::redrive(&store, account, region, now_ms)
            .await
            .map_err(|e| format!("redriving dead letters: {e}"))?;
        println!("{}", json!({ "redriven": n }));
        return Ok(());
    }
    let records = dead_letter::list(&store, account, region)
        .await
        .map_err(|e| format!("reading dead letters: {e}"))?;
    records.iter().for_each(|r| println!("{}", line(r)));
    let stuck = store
        .dead_letters(DELIVERY_QUEUE, STORE_DEAD_LETTERS)
        .await
        .map_err(|e| format!("reading dead letters: {e}"))?;
    for item in stuck {
        let Some(d) = Delivery::decode(&item.payload) else {
            continue;
        };
        let wanted = account.is_none_or(|a| a == d.account) && region.is_none_or(|r| r == d.region);
        if wanted {
            println!("{}", stuck_line(&d, item.attempts));
        }
    }
    Ok(())
}

fn line(r: &DeadLetterRecord) -> serde_json::Value {
    let time = OffsetDateTime::from_unix_timestamp_nanos(i128::from(r.time_ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok());
    json!({
        "time": time, "account": r.account, "region": r.region, "rule": r.rule_arn,
        "targetId": r.target_id, "targetArn": r.target_arn, "eventId": r.event_id,
        "reason": r.reason, "attempts": r.attempts, "deadLetterArn": r.dead_letter_arn,
    })
}

/// A delivery the store dead-lettered: claimed too often without ever being settled.
fn stuck_line(d: &Delivery, attempts: u32) -> serde_json::Value {
    json!({
        "time": null, "account": d.account, "region": d.region, "rule": d.rule_arn,
        "targetId": d.target_id, "targetArn": d.target_arn, "eventId": d.event_id,
        "reason": "claimed by delivery workers that never settled it (each stopped or failed)",
        "attempts": attempts, "deadLetterArn": d.dead_letter_arn,
    })
}
