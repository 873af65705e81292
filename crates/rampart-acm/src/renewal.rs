//! Managed renewal, 60 days before NotAfter: an AMAZON_ISSUED certificate whose DNS
//! validation CNAMEs still answer is issued again by Rampart's public issuer under the same ARN
//! and key (RenewalSummary SUCCESS, "ACM Certificate Available" with Action RENEWAL); when a
//! record no longer answers, the summary turns PENDING_VALIDATION and "ACM Certificate Renewal
//! Action Required" is published once (later passes try again). An eligible PRIVATE
//! certificate (exported) is issued again by its CA, as RenewCertificate does.

use crate::convert::renewal_eligible;
use crate::events::{self, DAY_MS};
use crate::keys;
use crate::record::CertRecord;
use crate::service::AcmService;
use crate::validation::dns::Lookup;
use crate::validation::progress::Change;

/// How long before NotAfter managed renewal starts.
pub const RENEWAL_WINDOW_MS: i64 = 60 * DAY_MS;

/// Whether `record` is an issued certificate due for managed renewal at `now_ms`.
fn is_due(record: &CertRecord, now_ms: i64) -> bool {
    let Some(not_after) = record.facts.as_ref().map(|f| f.not_after_ms) else {
        return false;
    };
    let managed = (record.cert_type == "AMAZON_ISSUED" && record.acme.is_none())
        || (record.cert_type == "PRIVATE" && renewal_eligible(record));
    managed
        && record.status == "ISSUED"
        && now_ms < not_after
        && not_after - now_ms <= RENEWAL_WINDOW_MS
}

impl AcmService {
    /// The change managed renewal makes to `record` at `now_ms`, if any.
    pub(crate) async fn renewal_step(
        &self,
        lookup: &Lookup,
        record: &CertRecord,
        now_ms: i64,
    ) -> Result<Option<Change>, String> {
        if !is_due(record, now_ms) {
            return Ok(None);
        }
        let mut next = record.clone();
        if record.cert_type == "PRIVATE" {
            return self.renew_private(next, now_ms).await;
        }
        let answered = lookup.answered(&record.validations).await;
        if answered.contains(&false) {
            return Ok(self.renewal_blocked(next, now_ms));
        }
        self.issue_public(&mut next, now_ms).await?;
        next.renewal = Some(("SUCCESS".into(), now_ms));
        let available = events::available(&next, "RENEWAL", now_ms);
        Ok(Some((next, vec![available])))
    }

    /// The renewal summary of a certificate whose domains no longer validate (once).
    fn renewal_blocked(&self, mut next: CertRecord, now_ms: i64) -> Option<Change> {
        let waiting = next
            .renewal
            .as_ref()
            .is_some_and(|(status, _)| status == "PENDING_VALIDATION");
        if waiting {
            return None;
        }
        next.renewal = Some(("PENDING_VALIDATION".into(), now_ms));
        let event = events::renewal_action_required(&next, "PENDING_VALIDATION", None, now_ms);
        Some((next, vec![event]))
    }

    /// A PRIVATE certificate issued again by its CA under the same key.
    async fn renew_private(
        &self,
        mut next: CertRecord,
        now_ms: i64,
    ) -> Result<Option<Change>, String> {
        let (Some(ca_arn), Some(sealed)) = (next.ca_arn.clone(), next.sealed_key.clone()) else {
            return Ok(None);
        };
        let pkcs8 = keys::open(&self.domain, &next.arn, &sealed).map_err(|_| "key not opened")?;
        let key = keys::from_pkcs8(&pkcs8).map_err(|_| "key not read")?;
        let issued = self.issue_with(&mut next, &ca_arn, &key).await;
        let issued = issued.map_err(|_| "the CA could not be asked")?;
        if let Err(failure) = issued {
            if next.renewal.as_ref().is_some_and(|(s, _)| s == "FAILED") {
                return Ok(None);
            }
            next.renewal = Some(("FAILED".into(), now_ms));
            let reason = Some(failure.failure_reason());
            let event = events::renewal_action_required(&next, "FAILED", reason, now_ms);
            return Ok(Some((next, vec![event])));
        }
        next.renewal = Some(("SUCCESS".into(), now_ms));
        next.expiry_event_day = None;
        let available = events::available(&next, "RENEWAL", now_ms);
        Ok(Some((next, vec![available])))
    }
}
