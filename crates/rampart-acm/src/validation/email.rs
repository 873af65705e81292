//! EMAIL validation without mail: for each pending EMAIL domain a random approval token is
//! made, only its SHA-256 kept (on the domain's validation and as an `acm_email_approvals`
//! row naming the certificate), and the approval link goes out as an EventBridge event
//! ("ACM Certificate Validation Approval Requested", source `aws.acm`, Rampart's own detail
//! type: AWS mails the link instead) with the addresses ACM would mail, the link being the
//! path of Rampart's approval page (`/_rampart/acm/approve/<token>`, see `crate::approval`)
//! on any of its endpoints. ResendValidationEmail replaces the token and restarts the
//! 72-hour window, as a resent AWS mail does.

use crate::record::{ApprovalRecord, CertRecord, DomainCheck};
use crate::service::AcmService;
use rampart_module::{ServiceEvent, publish};
use rampart_store::{Expect, StoreError, Write};
use serde_json::json;

/// The path prefix of approval links.
pub const APPROVE_PATH: &str = "/_rampart/acm/approve/";
/// The event carrying an approval link.
pub const APPROVAL_EVENT: &str = "ACM Certificate Validation Approval Requested";

/// The stored form of `token`: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
    hex::encode(digest.as_ref())
}

/// A fresh approval token (256 random bits, hex), or `None` if the system has no randomness.
fn new_token() -> Option<String> {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).ok()?;
    Some(hex::encode(bytes))
}

/// The event publishing `check`'s approval link for `token`.
fn approval_event(record: &CertRecord, check: &DomainCheck, token: &str, now_ms: i64) -> Write {
    let mut parts = record.arn.split(':');
    let region = parts.nth(3).unwrap_or_default().to_owned();
    let account = parts.next().unwrap_or_default().to_owned();
    publish(&ServiceEvent {
        account,
        region,
        source: "aws.acm".into(),
        detail_type: APPROVAL_EVENT.into(),
        resources: vec![record.arn.clone()],
        detail: json!({
            "CertificateArn": record.arn,
            "DomainName": check.domain_name,
            "ValidationDomain": check.validation_domain,
            "ValidationEmails": check.emails,
            "ApprovalPath": format!("{APPROVE_PATH}{token}"),
        }),
        time_ms: now_ms,
    })
}

impl AcmService {
    /// Gives every pending EMAIL validation of `record` (row `row`) that `pick` selects a new
    /// approval token; the writes storing the tokens' hashes and publishing their links
    /// (previous tokens of those validations are removed).
    pub(crate) fn send_approvals(
        &self,
        record: &mut CertRecord,
        row: &str,
        pick: impl Fn(&DomainCheck) -> bool,
    ) -> Result<Vec<Result<Write, StoreError>>, StoreError> {
        let now = self.now_ms();
        let mut writes = Vec::new();
        let snapshot = record.clone();
        for check in record.validations.iter_mut() {
            if check.method != "EMAIL" || check.status != "PENDING_VALIDATION" || !pick(check) {
                continue;
            }
            let token = new_token().ok_or_else(|| StoreError::Backend("no randomness".into()))?;
            let hash = token_hash(&token);
            if let Some(old) = check.approval.replace(hash.clone()) {
                writes.push(Ok(self.tables.approvals.delete(&old, Expect::Any)));
            }
            let approval = ApprovalRecord {
                certificate_row: row.to_owned(),
            };
            writes.push(self.tables.approvals.put(&hash, &approval, Expect::Any));
            writes.push(Ok(approval_event(&snapshot, check, &token, now)));
        }
        record.validation_started_ms = Some(now);
        Ok(writes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_kept_only_hashed() {
        let (a, b) = (new_token(), new_token());
        assert!(a.is_some() && a != b);
        let a = a.unwrap_or_default();
        assert_eq!(a.len(), 64);
        let hash = token_hash(&a);
        assert_eq!(hash.len(), 64);
        assert_ne!(hash, a);
    }
}
