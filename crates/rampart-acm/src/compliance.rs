//! AWS Config's `acm-certificate-expiration-check` rule over the store, for
//! `rampart acm check-expiry --days N`: an ACM certificate is NON_COMPLIANT when its NotAfter
//! is within `days` days of now (or already past); certificates without a certificate yet
//! (pending validation, failed) are not applicable, as the rule evaluates issued ones.

use crate::record::{CERTIFICATES, CertRecord};
use rampart_store::{Store, Table};

/// Certificate rows read per scan.
const SCAN_BATCH: usize = 500;
/// Milliseconds in a day.
const DAY_MS: i64 = 86_400_000;

/// A certificate the rule finds NON_COMPLIANT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expiring {
    pub arn: String,
    pub domain_name: String,
    /// The certificate's status as of the check (EXPIRED once past NotAfter).
    pub status: String,
    pub not_after_ms: i64,
    /// Whole days left (negative once expired).
    pub days_left: i64,
}

/// The certificate of `record` if it expires within `days` days of `now_ms`.
pub fn evaluate(record: &CertRecord, now_ms: i64, days: i64) -> Option<Expiring> {
    let facts = record.facts.as_ref()?;
    if record.certificate_pem.is_none() || facts.not_after_ms - now_ms > days * DAY_MS {
        return None;
    }
    Some(Expiring {
        arn: record.arn.clone(),
        domain_name: facts.domain_name.clone(),
        status: record.status_at(now_ms).to_owned(),
        not_after_ms: facts.not_after_ms,
        days_left: (facts.not_after_ms - now_ms).div_euclid(DAY_MS),
    })
}

/// Every NON_COMPLIANT certificate in `store` at `now_ms`, in row order.
pub async fn expiring(store: &Store, now_ms: i64, days: i64) -> Result<Vec<Expiring>, String> {
    let table: Table<CertRecord> = Table::new(store.clone(), CERTIFICATES);
    let mut found = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let rows = table
            .scan("", after.as_deref(), SCAN_BATCH)
            .await
            .map_err(|e| e.to_string())?;
        let done = rows.len() < SCAN_BATCH;
        after = rows.last().map(|(key, _)| key.clone());
        found.extend(
            rows.iter()
                .filter_map(|(_, r)| evaluate(&r.value, now_ms, days)),
        );
        if done || after.is_none() {
            return Ok(found);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::CertFacts;

    fn record(not_after_ms: i64, issued: bool) -> CertRecord {
        let json = serde_json::json!({
            "arn": "arn:aws:acm:us-east-1:111122223333:certificate/x", "cert_type": "IMPORTED",
            "status": "ISSUED", "failure_reason": null, "domain_name": "a.example", "sans": [],
            "key_algorithm": "RSA_2048", "certificate_pem": if issued { Some("pem") } else { None },
            "chain_pem": null, "facts": null, "sealed_key": null, "created_ms": 0,
            "imported_ms": null, "issued_ms": null, "ca_arn": null, "export_option": "DISABLED",
            "transparency": "ENABLED", "exported": false, "validations": [], "revoked": null,
            "renewal": null, "tags": []
        });
        let mut record: CertRecord = serde_json::from_value(json).unwrap_or_else(|e| panic!("{e}"));
        record.facts = Some(CertFacts {
            not_after_ms,
            domain_name: "a.example".into(),
            ..CertFacts::default()
        });
        record
    }

    #[test]
    fn certificates_within_the_window_are_non_compliant() {
        let now = 1_000 * DAY_MS;
        assert_eq!(
            evaluate(&record(now + 10 * DAY_MS, true), now, 14).map(|e| e.days_left),
            Some(10)
        );
        assert!(evaluate(&record(now + 20 * DAY_MS, true), now, 14).is_none());
        let expired = evaluate(&record(now - DAY_MS, true), now, 14);
        assert_eq!(
            expired.map(|e| (e.status, e.days_left)),
            Some(("EXPIRED".into(), -1))
        );
        assert!(evaluate(&record(now, false), now, 14).is_none());
    }
}
