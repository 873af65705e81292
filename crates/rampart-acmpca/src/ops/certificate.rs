//! GetCertificate and RevokeCertificate on issued certificates. A revocation is recorded
//! (reason and time) on the certificate's row, where the OCSP responder reads it at once; with
//! CRLs enabled, a CRL listing it is due 30 minutes later (`crl::job`).

use crate::crl;
use crate::generated::errors::{
    invalid_arn_exception, invalid_state_exception, request_already_processed_exception,
    resource_not_found_exception,
};
use crate::generated::*;
use crate::ops::lifecycle::wrong_state;
use crate::record::{CertRecord, cert_row};
use crate::service::{AcmPcaService, CaRef, ca_ref, internal};
use rampart_core::RequestContext;
use rampart_store::{Expect, Versioned};

/// Hex digits of a certificate id (a 128-bit serial number).
const CERT_ID_LEN: usize = 32;

impl GetCertificate for AcmPcaService {
    async fn get_certificate(
        &self,
        ctx: &RequestContext,
        input: GetCertificateRequest,
    ) -> Result<GetCertificateResponse, ServiceError> {
        let ca = ca_ref(
            input
                .certificate_authority_arn
                .as_deref()
                .unwrap_or_default(),
        )?;
        self.authorize_ca(ctx, "GetCertificate", &ca, &[]).await?;
        let cert_arn = input.certificate_arn.unwrap_or_default();
        let cert_id = cert_arn
            .strip_prefix(&format!("{}/certificate/", ca.arn))
            .filter(|id| id.len() == CERT_ID_LEN && id.bytes().all(|b| b.is_ascii_hexdigit()))
            // Doubt: AWS's wording for a certificate ARN of another CA is not documented.
            .ok_or_else(|| invalid_arn_exception(format!("The ARN {cert_arn} is not valid.")))?;
        let record = self.load(&ca).await?.value;
        if matches!(record.status.as_str(), "DELETED" | "FAILED") {
            // AWS's message, as reported for a DELETED CA (terraform-provider-aws#26968).
            return Err(invalid_state_exception(format!(
                "The certificate authority {} is not in the correct state to have issued certificates.",
                ca.arn
            )));
        }
        let row = cert_row(&ca.id, &cert_id.to_ascii_lowercase());
        let found = self.tables.certificates.get(&row).await.map_err(internal)?;
        // Doubt: AWS's wording for an unknown certificate is not documented.
        let found = found.ok_or_else(|| {
            resource_not_found_exception(format!("Could not find certificate {cert_arn}."))
        })?;
        Ok(GetCertificateResponse {
            certificate: Some(found.value.certificate_pem),
            certificate_chain: found.value.chain_pem,
        })
    }
}

impl RevokeCertificate for AcmPcaService {
    async fn revoke_certificate(
        &self,
        ctx: &RequestContext,
        input: RevokeCertificateRequest,
    ) -> Result<(), ServiceError> {
        let ca = ca_ref(
            input
                .certificate_authority_arn
                .as_deref()
                .unwrap_or_default(),
        )?;
        self.authorize_ca(ctx, "RevokeCertificate", &ca, &[])
            .await?;
        let serial = input.certificate_serial.unwrap_or_default();
        let reason = input
            .revocation_reason
            .map(|r| r.as_str().to_owned())
            .unwrap_or_default();
        let record = self.load(&ca).await?.value;
        if !matches!(record.status.as_str(), "ACTIVE" | "DISABLED" | "EXPIRED") {
            return Err(wrong_state(&ca.arn, &record.status));
        }
        let (row, found) = self.issued(&ca, &serial).await?;
        if found.value.revoked.is_some() {
            // Doubt: AWS's wording for a second revocation is not documented.
            return Err(request_already_processed_exception(
                "The certificate has already been revoked.",
            ));
        }
        let mut revoked = found.value;
        let now = self.now_ms();
        revoked.revoked = Some((reason, now));
        let put = self
            .tables
            .certificates
            .put(&row, &revoked, Expect::Version(found.version));
        let mut writes = vec![put.map_err(internal)?];
        // With CRLs enabled, the CRL listing it is written about 30 minutes later.
        if crl::Revocation::of_record(record.revocation.as_ref())
            .crl
            .is_some()
        {
            let due = now + crl::job::AFTER_REVOCATION_MS;
            writes.push(crl::schedule(&ca, due, crl::Reason::Revoked));
        }
        match self.store.transact(writes).await {
            Ok(()) => Ok(()),
            Err(e) if e.is_conflict() => Err(request_already_processed_exception(
                "The certificate has already been revoked.",
            )),
            Err(e) => Err(internal(e)),
        }
    }
}

impl AcmPcaService {
    /// The row and record of the certificate of `ca` with serial `serial` (hex).
    async fn issued(
        &self,
        ca: &CaRef,
        serial: &str,
    ) -> Result<(String, Versioned<CertRecord>), ServiceError> {
        // Doubt: AWS's wording for an unknown serial is not documented.
        let missing = || {
            resource_not_found_exception(format!(
                "Could not find certificate with serial {serial} issued by {}.",
                ca.arn
            ))
        };
        let row = cert_row(&ca.id, &normalize_serial(serial).ok_or_else(missing)?);
        let found = self.tables.certificates.get(&row).await.map_err(internal)?;
        Ok((row, found.ok_or_else(missing)?))
    }
}

/// A serial as given (hex, optionally colon-separated, any case) as a certificate id: 32
/// lower-case hex digits, left-padded with zeros.
fn normalize_serial(serial: &str) -> Option<String> {
    let digits: String = serial.chars().filter(|c| *c != ':').collect();
    let digits = digits.trim_start_matches('0');
    if digits.is_empty()
        || digits.len() > CERT_ID_LEN
        || !digits.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return None;
    }
    Some(format!("{digits:0>32}").to_ascii_lowercase())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn serials_normalize() {
        let id = "4a".repeat(16);
        assert_eq!(normalize_serial(&id).unwrap(), id);
        let colons: Vec<String> = (0..16).map(|_| "4A".to_owned()).collect();
        assert_eq!(normalize_serial(&colons.join(":")).unwrap(), id);
        assert_eq!(normalize_serial("1f").unwrap(), format!("{:0>32}", "1f"));
        assert!(normalize_serial("xyz").is_none());
        assert!(normalize_serial(&"1".repeat(33)).is_none());
    }
}
