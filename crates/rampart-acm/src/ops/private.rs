//! Private certificates from ACM PCA: a key of the requested algorithm, a CSR naming the
//! domain (common name) and every requested name (SANs), issued by the CA for 13 months
//! (395 days) through `rampart_acmpca::for_acm`. A CA that refuses leaves the certificate
//! FAILED with ACM's `PCA_*` reason, as ACM does.

use crate::facts;
use crate::generated::ServiceError;
use crate::keys::{self, HeldKey};
use crate::record::CertRecord;
use crate::service::{AcmService, internal_error};
use rampart_acmpca::for_acm::{AcmIssue, AcmIssueFailure};

/// The validity of ACM's private certificates, in days.
const PRIVATE_DAYS: i64 = 395;

/// A key could not be made, sealed or used (logged; never the client's fault).
fn key_fault(_: keys::KeyFault) -> ServiceError {
    tracing::error!("an ACM certificate key could not be made or sealed");
    internal_error()
}

impl AcmService {
    /// Has `ca_arn` issue `record` with a new key; ISSUED, or FAILED with the CA's reason.
    pub(crate) async fn issue_private(
        &self,
        record: &mut CertRecord,
        ca_arn: &str,
    ) -> Result<(), ServiceError> {
        let key = keys::generate(&record.key_algorithm).map_err(key_fault)?;
        match self.issue_with(record, ca_arn, &key).await? {
            Ok(()) => {
                let sealed =
                    keys::seal(&self.domain, &record.arn, &key.pkcs8).map_err(key_fault)?;
                record.sealed_key = Some(sealed);
            }
            Err(failure) => {
                record.status = "FAILED".into();
                record.failure_reason = Some(failure.failure_reason().to_owned());
            }
        }
        Ok(())
    }

    /// Has `ca_arn` issue a certificate for `record`'s names and `key`, and stores it in
    /// `record` (ISSUED); the CA's refusal as the inner error.
    pub(crate) async fn issue_with(
        &self,
        record: &mut CertRecord,
        ca_arn: &str,
        key: &HeldKey,
    ) -> Result<Result<(), AcmIssueFailure>, ServiceError> {
        let account = record.arn.split(':').nth(4).unwrap_or_default().to_owned();
        let ca_key = match self.pca.key_algorithm_for_acm(ca_arn, &account).await {
            Ok(ca_key) => ca_key,
            Err(failure) => return Ok(Err(failure)),
        };
        // Doubt: ACM documents that the key family must match the CA's; a mismatch is
        // reported here as PCA_INVALID_ARGS.
        if ca_key.starts_with("EC_") != key.algorithm.starts_with("EC_") {
            return Ok(Err(AcmIssueFailure::InvalidArgs));
        }
        let csr = csr_for(record, key)?;
        let request = AcmIssue {
            ca_arn,
            account: &account,
            csr: &csr,
            days: PRIVATE_DAYS,
        };
        let issued = match self.pca.issue_for_acm(&request).await {
            Ok(issued) => issued,
            Err(failure) => return Ok(Err(failure)),
        };
        let ders = facts::pem_certificates(issued.certificate_pem.as_bytes())
            .map_err(|_| internal_error())?;
        let der = ders.first().ok_or_else(internal_error)?;
        let cert = facts::parse(der).map_err(|_| internal_error())?;
        let found = facts::facts_of(&cert).ok_or_else(internal_error)?;
        record.status = "ISSUED".into();
        record.failure_reason = None;
        record.issued_ms = Some(self.now_ms());
        record.certificate_pem = Some(facts::to_pem(der));
        record.chain_pem = Some(issued.chain_pem);
        record.facts = Some(found);
        Ok(Ok(()))
    }
}

/// The DER CSR for `record`'s names, signed with `key`.
fn csr_for(record: &CertRecord, key: &HeldKey) -> Result<Vec<u8>, ServiceError> {
    let pair = keys::signing_pair(key).map_err(key_fault)?;
    let mut params = rcgen::CertificateParams::new(record.sans.clone()).map_err(|_| {
        tracing::error!("a requested name did not fit a CSR");
        internal_error()
    })?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, record.domain_name.clone());
    let csr = params.serialize_request(&pair).map_err(|_| {
        tracing::error!("an ACM CSR could not be signed");
        internal_error()
    })?;
    Ok(csr.der().to_vec())
}
