//! Pruning, in the `acm.lifecycle` pass: nonces older than their hour, and orders and
//! authorizations a day past their expiry (a finished order's certificate stays in ACM).

use crate::acme::state::NONCE_TTL_MS;
use crate::service::AcmService;
use rampart_store::{Expect, Table, Write};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Rows read per scan.
const SCAN_BATCH: usize = 500;
/// How long past its expiry an order or authorization is kept.
const GRACE_MS: i64 = 24 * 60 * 60 * 1000;

impl AcmService {
    /// One pruning pass at `now_ms`; how many rows went.
    pub(crate) async fn acme_prune(&self, now_ms: i64) -> Result<usize, String> {
        let server = &self.acme_server;
        let nonces = prune(&server.nonces, |n| n.created_ms + NONCE_TTL_MS < now_ms).await?;
        let orders = prune(&server.orders, |o| o.expires_ms + GRACE_MS < now_ms).await?;
        let authzs = prune(&server.authzs, |a| a.expires_ms + GRACE_MS < now_ms).await?;
        Ok(nonces + orders + authzs)
    }
}

/// Deletes the rows of `table` that `stale` picks (unchanged since read); how many.
async fn prune<T, F>(table: &Table<T>, stale: F) -> Result<usize, String>
where
    T: Serialize + DeserializeOwned,
    F: Fn(&T) -> bool,
{
    let mut removed = 0;
    let mut after: Option<String> = None;
    loop {
        let rows = table.scan("", after.as_deref(), SCAN_BATCH).await;
        let rows = rows.map_err(|e| e.to_string())?;
        let done = rows.len() < SCAN_BATCH;
        after = rows.last().map(|(key, _)| key.clone());
        let deletes: Vec<Write> = rows
            .iter()
            .filter(|(_, found)| stale(&found.value))
            .map(|(key, found)| table.delete(key, Expect::Version(found.version)))
            .collect();
        let count = deletes.len();
        if count > 0 {
            match table.store().transact(deletes).await {
                Ok(()) => removed += count,
                Err(e) if e.is_conflict() => {}
                Err(e) => return Err(e.to_string()),
            }
        }
        if done || after.is_none() {
            return Ok(removed);
        }
    }
}
