//! RevokeCertificate: only a certificate ACM issued and that was exported can be revoked (AWS:
//! "You can only revoke certificates that were previously exported"; imported certificates
//! and non-exportable public ones cannot), once, permanently. A public certificate takes the
//! reasons ACM lists for public certificates (UNSPECIFIED, AFFILIATION_CHANGED, SUPERSEDED,
//! CESSATION_OF_OPERATION); a private one is revoked through its issuing ACM PCA CA with the
//! matching ACM PCA reason, so the CA's CRL and OCSP responder show it. The certificate is
//! then REVOKED with its reason and time.

use crate::generated::errors::{resource_not_found_exception, validation_exception};
use crate::generated::*;
use crate::record::CertRecord;
use crate::service::{AcmService, CertRef, authorize_cert, cert_ref};
use rampart_core::RequestContext;

/// The reasons ACM accepts for a public certificate.
const PUBLIC_REASONS: &[&str] = &[
    "UNSPECIFIED",
    "AFFILIATION_CHANGED",
    "SUPERCEDED",
    "SUPERSEDED",
    "CESSATION_OF_OPERATION",
];

impl RevokeCertificate for AcmService {
    async fn revoke_certificate(
        &self,
        ctx: &RequestContext,
        input: RevokeCertificateRequest,
    ) -> Result<RevokeCertificateResponse, ServiceError> {
        let cert = cert_ref(&input.certificate_arn.unwrap_or_default())?;
        authorize_cert(ctx, "RevokeCertificate", &cert)?;
        let reason = input
            .revocation_reason
            .map(|r| r.as_str().to_owned())
            .unwrap_or_default();
        let record = self.load(&cert).await?.value;
        check_revocable(&record, &cert, self.now_ms())?;
        if record.cert_type == "PRIVATE" {
            self.revoke_at_ca(&record, &reason).await?;
        } else if !PUBLIC_REASONS.contains(&reason.as_str()) {
            // Doubt: AWS's wording for a reason public certificates do not take is not documented.
            return Err(validation_exception(format!(
                "Revocation reason {reason} is not supported for public certificates."
            )));
        }
        let now = self.now_ms();
        self.mutate(&cert, |record| {
            if record.revoked.is_none() {
                record.status = "REVOKED".into();
                record.revoked = Some((reason.clone(), now));
            }
            Ok(())
        })
        .await?;
        Ok(RevokeCertificateResponse {
            certificate_arn: Some(cert.arn),
        })
    }
}

/// Whether AWS would revoke `record` at `now_ms`.
fn check_revocable(record: &CertRecord, cert: &CertRef, now_ms: i64) -> Result<(), ServiceError> {
    // Doubt: AWS documents the rules but not the wording of these refusals.
    if record.cert_type == "IMPORTED" {
        return Err(validation_exception(format!(
            "Certificate {} is imported and cannot be revoked.",
            cert.arn
        )));
    }
    if record.revoked.is_some() {
        return Err(validation_exception(format!(
            "Certificate {} has already been revoked.",
            cert.arn
        )));
    }
    if record.status_at(now_ms) != "ISSUED" {
        return Err(validation_exception(format!(
            "Certificate {} is in status {} and cannot be revoked.",
            cert.arn,
            record.status_at(now_ms)
        )));
    }
    if !record.exported {
        return Err(validation_exception(format!(
            "Certificate {} cannot be revoked: only certificates that were previously exported \
             can be revoked.",
            cert.arn
        )));
    }
    Ok(())
}

/// The ACM PCA RevocationReason of ACM's `reason`, if ACM PCA has one.
pub(crate) fn pca_reason(reason: &str) -> Option<&'static str> {
    Some(match reason {
        "UNSPECIFIED" => "UNSPECIFIED",
        "KEY_COMPROMISE" => "KEY_COMPROMISE",
        "CA_COMPROMISE" => "CERTIFICATE_AUTHORITY_COMPROMISE",
        "AFFILIATION_CHANGED" => "AFFILIATION_CHANGED",
        "SUPERCEDED" | "SUPERSEDED" => "SUPERSEDED",
        "CESSATION_OF_OPERATION" => "CESSATION_OF_OPERATION",
        "PRIVILEGE_WITHDRAWN" => "PRIVILEGE_WITHDRAWN",
        "A_A_COMPROMISE" => "A_A_COMPROMISE",
        _ => return None,
    })
}

impl AcmService {
    /// Revokes private certificate `record` at its issuing CA for ACM's `reason`.
    async fn revoke_at_ca(&self, record: &CertRecord, reason: &str) -> Result<(), ServiceError> {
        let Some(pca_reason) = pca_reason(reason) else {
            // Doubt: AWS's wording is not documented (ACM PCA has no certificate hold).
            return Err(validation_exception(format!(
                "Revocation reason {reason} is not supported for private certificates."
            )));
        };
        let ca_arn = record.ca_arn.as_deref().unwrap_or_default();
        let serial = record.facts.as_ref().map(|f| f.serial.as_str());
        let account = record.arn.split(':').nth(4).unwrap_or_default();
        let result = self
            .pca
            .revoke_for_acm(ca_arn, account, serial.unwrap_or_default(), pca_reason)
            .await;
        result.map_err(|e| match e.code.as_ref() {
            "ResourceNotFoundException" => resource_not_found_exception(format!(
                "Could not find the certificate authority {ca_arn} that issued {}.",
                record.arn
            )),
            "InvalidStateException" => validation_exception(format!(
                "The certificate authority {ca_arn} cannot revoke certificates in its current \
                 state."
            )),
            _ => {
                tracing::error!(code = %e.code, "ACM PCA refused an ACM revocation");
                crate::service::internal_error()
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_acm_reason_but_hold_and_removal_has_a_pca_reason() {
        assert_eq!(
            pca_reason("CA_COMPROMISE"),
            Some("CERTIFICATE_AUTHORITY_COMPROMISE")
        );
        assert_eq!(pca_reason("SUPERCEDED"), Some("SUPERSEDED"));
        assert_eq!(pca_reason("CERTIFICATE_HOLD"), None);
        assert_eq!(pca_reason("REMOVE_FROM_CRL"), None);
    }
}
