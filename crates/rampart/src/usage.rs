//! `rampart usage`: the KMS month-to-date usage (requests, key-months) and the estimated charge
//! at AWS's list prices, per account (and per key with `--by-key`), read straight from the store.
//! Works against the data of a running server (SQLite readers do not block it; a running server
//! flushes its counters every ~5 s) or a stopped one.

use crate::cli::UsageArgs;
use rampart_kms::usage::{AccountUsage, KeyUsage, UsageReport, charge_usd, usage_report};
use std::fmt::Write as _;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Runs `rampart usage`.
pub async fn run(args: UsageArgs) -> Result<(), String> {
    let store = crate::cli::open_store(&args.store).await?;
    let now_ms = i64::try_from(OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
        .unwrap_or(i64::MAX);
    let report = usage_report(
        &store,
        args.month.as_deref(),
        args.account.as_deref(),
        now_ms,
    )
    .await
    .map_err(|e| e.to_string())?;
    if args.json {
        let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        println!("{text}");
    } else {
        print!("{}", render(&report, args.by_key));
    }
    Ok(())
}

/// The report as text tables.
fn render(report: &UsageReport, by_key: bool) -> String {
    let as_of = OffsetDateTime::from_unix_timestamp_nanos(i128::from(report.as_of_ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "KMS usage for {} (UTC), month to date as of {as_of}",
        report.month
    );
    let _ = writeln!(
        out,
        "Prices: $1.00 per customer managed key-month (prorated by the hour), $0.03 per 10,000 \
         requests\n"
    );
    let _ = writeln!(
        out,
        "{:<14} {:>12} {:>12} {:>18}",
        "ACCOUNT", "REQUESTS", "KEY-MONTHS", "EST. CHARGE (USD)"
    );
    for a in &report.accounts {
        account_line(&mut out, a);
    }
    let requests: u64 = report.accounts.iter().map(|a| a.requests).sum();
    let months: f64 = report.accounts.iter().map(|a| a.key_months).sum();
    account_line(
        &mut out,
        &AccountUsage {
            account: "TOTAL".into(),
            requests,
            key_months: months,
            charge_usd: charge_usd(months, requests),
        },
    );
    if by_key {
        let _ = writeln!(
            out,
            "\n{:<14} {:<16} {:<40} {:>12} {:>12} {:>18}",
            "ACCOUNT", "REGION", "KEY", "REQUESTS", "KEY-MONTHS", "EST. CHARGE (USD)"
        );
        for k in &report.keys {
            key_line(&mut out, k);
        }
    }
    out
}

fn account_line(out: &mut String, a: &AccountUsage) {
    let _ = writeln!(
        out,
        "{:<14} {:>12} {:>12.6} {:>18.6}",
        a.account, a.requests, a.key_months, a.charge_usd
    );
}

fn key_line(out: &mut String, k: &KeyUsage) {
    let _ = writeln!(
        out,
        "{:<14} {:<16} {:<40} {:>12} {:>12.6} {:>18.6}",
        k.account, k.region, k.key_id, k.requests, k.key_months, k.charge_usd
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_accounts_total_and_keys() {
        let report = UsageReport {
            month: "2024-05".into(),
            as_of_ms: 1_715_000_000_000,
            keys: vec![KeyUsage {
                account: "111122223333".into(),
                region: "us-east-1".into(),
                key_id: "k1".into(),
                requests: 10_000,
                key_months: 0.5,
                charge_usd: 0.53,
            }],
            accounts: vec![AccountUsage {
                account: "111122223333".into(),
                requests: 10_000,
                key_months: 0.5,
                charge_usd: 0.53,
            }],
        };
        let text = render(&report, true);
        let rows: Vec<Vec<&str>> = text
            .lines()
            .map(|l| l.split_whitespace().collect())
            .collect();
        assert!(text.starts_with("KMS usage for 2024-05 (UTC)"));
        assert!(rows.contains(&vec!["111122223333", "10000", "0.500000", "0.530000"]));
        assert!(rows.contains(&vec!["TOTAL", "10000", "0.500000", "0.530000"]));
        assert!(rows.contains(&vec![
            "111122223333",
            "us-east-1",
            "k1",
            "10000",
            "0.500000",
            "0.530000"
        ]));
        assert!(!render(&report, false).contains("REGION"));
    }
}
