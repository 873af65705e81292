//! One validation pass over a pending AMAZON_ISSUED certificate: each DNS domain still
//! pending whose CNAME answers the expected value becomes SUCCESS (wildcards are looked up
//! on their base domain, whose record they share); once every domain is, the certificate is
//! issued by Rampart's public issuer and "ACM Certificate Available" is published with it,
//! unless a CAA record set authorizes other issuers only (FAILED, CAA_ERROR).
//! 72 hours after the request a certificate not yet validated becomes VALIDATION_TIMED_OUT,
//! its pending domains FAILED (the window restarts with ResendValidationEmail). EMAIL domains
//! become SUCCESS when their approval link is accepted (`crate::approval`).

use crate::events;
use crate::record::CertRecord;
use crate::service::AcmService;
use crate::validation::dns::Lookup;
use rampart_store::Write;

/// How long ACM keeps trying to validate a request.
pub const VALIDATION_WINDOW_MS: i64 = 72 * 60 * 60 * 1000;

/// A changed record and the events to publish with it.
pub type Change = (CertRecord, Vec<Write>);

/// Whether `record` waits for domain validation.
pub fn is_pending(record: &CertRecord) -> bool {
    record.cert_type == "AMAZON_ISSUED" && record.status == "PENDING_VALIDATION"
}

impl AcmService {
    /// The change one validation pass makes to the pending `record` at `now_ms`, if any.
    pub(crate) async fn validation_step(
        &self,
        lookup: &Lookup,
        record: &CertRecord,
        now_ms: i64,
    ) -> Result<Option<Change>, String> {
        let mut next = record.clone();
        let started = record.validation_started_ms.unwrap_or(record.created_ms);
        if now_ms - started >= VALIDATION_WINDOW_MS {
            next.status = "VALIDATION_TIMED_OUT".into();
            for check in &mut next.validations {
                if check.status == "PENDING_VALIDATION" {
                    check.status = "FAILED".into();
                }
            }
            return Ok(Some((next, Vec::new())));
        }
        let answered = lookup.answered(&record.validations).await;
        let mut changed = false;
        for (check, answered) in next.validations.iter_mut().zip(answered) {
            if answered && check.status == "PENDING_VALIDATION" {
                check.status = "SUCCESS".into();
                changed = true;
            }
        }
        if !next.validations.iter().all(|c| c.status == "SUCCESS") {
            return Ok(changed.then_some((next, Vec::new())));
        }
        if !lookup.caa_permits(&next.sans).await {
            next.status = "FAILED".into();
            next.failure_reason = Some("CAA_ERROR".into());
            return Ok(Some((next, Vec::new())));
        }
        self.issue_public(&mut next, now_ms).await?;
        let available = events::available(&next, "ISSUANCE", now_ms);
        Ok(Some((next, vec![available])))
    }
}
