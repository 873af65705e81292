//! Prevalidation, in the `acm.lifecycle` pass: each VALIDATING domain validation of every
//! ACME endpoint is VALID once its CNAME answers through the configured resolver, and
//! INVALID (TIMED_OUT) 72 hours after it was created or updated, as ACM's DNS validation.

use crate::service::AcmService;
use crate::validation::dns::Lookup;
use rampart_store::Expect;

/// How long a domain validation may wait for its CNAME.
const TIMEOUT_MS: i64 = 72 * 60 * 60 * 1000;
/// Rows read per scan.
const SCAN_BATCH: usize = 200;

impl AcmService {
    /// One prevalidation pass at `now_ms`; how many validations changed.
    pub(crate) async fn prevalidation_pass(
        &self,
        lookup: &Lookup,
        now_ms: i64,
    ) -> Result<usize, String> {
        let table = &self.acme.domains;
        let mut changed = 0;
        let mut after: Option<String> = None;
        loop {
            let rows = table.scan("", after.as_deref(), SCAN_BATCH).await;
            let rows = rows.map_err(|e| e.to_string())?;
            let done = rows.len() < SCAN_BATCH;
            after = rows.last().map(|(key, _)| key.clone());
            for (key, found) in rows {
                let mut record = found.value;
                if record.status != "VALIDATING" {
                    continue;
                }
                let (name, value) = record.record.clone();
                if lookup.cname_is(&name, &value).await {
                    record.status = "VALID".to_owned();
                } else if now_ms - record.updated_ms >= TIMEOUT_MS {
                    record.status = "INVALID".to_owned();
                    let why = "The validation CNAME was not found within 72 hours.";
                    record.failure = Some(("TIMED_OUT".to_owned(), why.to_owned()));
                } else {
                    continue;
                }
                record.updated_ms = now_ms;
                let put = table.put(&key, &record, Expect::Version(found.version));
                let put = put.map_err(|e| e.to_string())?;
                match self.store.transact(vec![put]).await {
                    Ok(()) => changed += 1,
                    Err(e) if e.is_conflict() => {}
                    Err(e) => return Err(e.to_string()),
                }
            }
            if done || after.is_none() {
                return Ok(changed);
            }
        }
    }
}
