//! What ACM asks of ACM PCA: an end-entity certificate for a CSR ACM made (RequestCertificate
//! and RenewCertificate with a `CertificateAuthorityArn`), issued from an ACTIVE CA under
//! EndEntityCertificate/V1 with the CA's own signing algorithm, and returned with its chain.
//! The CA must belong to the requesting account (cross-account CA permissions for
//! `acm.amazonaws.com` come with ACM PCA's permissions). Failures are named as ACM names them
//! in a certificate's `FailureReason`. ACM's RevokeCertificate of a private certificate is
//! ACM PCA's RevokeCertificate of its serial (`revoke_for_acm`), so the CRL and OCSP show it.

use crate::AcmPcaService;
use crate::generated::{
    GetCertificate, GetCertificateRequest, IssueCertificate, IssueCertificateRequest,
    RevocationReason, RevokeCertificate, RevokeCertificateRequest, ServiceError, SigningAlgorithm,
    Validity, ValidityPeriodType,
};
use crate::service::{ca_ref, ms_of};
use rampart_codec::Blob;
use rampart_core::RequestContext;

/// One certificate ACM wants.
#[derive(Debug, Clone)]
pub struct AcmIssue<'a> {
    /// The CA's ARN.
    pub ca_arn: &'a str,
    /// The account asking (the ACM certificate's owner).
    pub account: &'a str,
    /// The DER (or PEM) CSR ACM built for the certificate's key, subject and names.
    pub csr: &'a [u8],
    /// Validity in days from now.
    pub days: i64,
}

/// What the CA issued.
#[derive(Debug, Clone)]
pub struct AcmIssued {
    /// The certificate, PEM.
    pub certificate_pem: String,
    /// The CA's certificate and its chain, PEM.
    pub chain_pem: String,
}

/// Why the CA did not issue, as ACM reports it (`FailureReason` `PCA_*`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AcmIssueFailure {
    /// The CA ARN is not a valid ACM PCA ARN.
    InvalidArn,
    /// No such CA.
    NotFound,
    /// The CA is not ACTIVE.
    InvalidState,
    /// The CA belongs to another account.
    AccessDenied,
    /// The requested validity ends after the CA's certificate.
    InvalidDuration,
    /// ACM PCA refused the request's arguments.
    InvalidArgs,
    /// Anything else (logged).
    RequestFailed,
}

impl AcmIssueFailure {
    /// ACM's `FailureReason` value.
    pub fn failure_reason(&self) -> &'static str {
        match self {
            AcmIssueFailure::InvalidArn => "PCA_INVALID_ARN",
            AcmIssueFailure::NotFound => "PCA_RESOURCE_NOT_FOUND",
            AcmIssueFailure::InvalidState => "PCA_INVALID_STATE",
            AcmIssueFailure::AccessDenied => "PCA_ACCESS_DENIED",
            AcmIssueFailure::InvalidDuration => "PCA_INVALID_DURATION",
            AcmIssueFailure::InvalidArgs => "PCA_INVALID_ARGS",
            AcmIssueFailure::RequestFailed => "PCA_REQUEST_FAILED",
        }
    }
}

impl AcmPcaService {
    /// The key algorithm (`RSA_2048`, `EC_prime256v1`, ...) of CA `ca_arn` of `account`.
    pub async fn key_algorithm_for_acm(
        &self,
        ca_arn: &str,
        account: &str,
    ) -> Result<String, AcmIssueFailure> {
        let record = self.ca_for_acm(ca_arn, account).await?;
        let key = record.config.get("KeyAlgorithm").and_then(|v| v.as_str());
        Ok(key.unwrap_or("RSA_2048").to_owned())
    }

    /// Issues the certificate `request` describes.
    pub async fn issue_for_acm(
        &self,
        request: &AcmIssue<'_>,
    ) -> Result<AcmIssued, AcmIssueFailure> {
        let record = self.ca_for_acm(request.ca_arn, request.account).await?;
        if record.status != "ACTIVE" {
            return Err(AcmIssueFailure::InvalidState);
        }
        let ends = ms_of(self.now()) + request.days * 86_400_000;
        if record.not_after_ms.is_some_and(|ca_end| ends > ca_end) {
            return Err(AcmIssueFailure::InvalidDuration);
        }
        let signing = record
            .config
            .get("SigningAlgorithm")
            .and_then(|v| v.as_str())
            .map(SigningAlgorithm::from);
        let ctx = RequestContext::for_account_root(request.account, region_of(request.ca_arn))
            .ok_or(AcmIssueFailure::InvalidArn)?;
        let issued = self
            .issue_certificate(&ctx, issue_request(request, signing))
            .await
            .map_err(|e| failure_of(&e))?;
        let fetch = GetCertificateRequest {
            certificate_arn: issued.certificate_arn,
            certificate_authority_arn: Some(request.ca_arn.to_owned()),
        };
        let got = self
            .get_certificate(&ctx, fetch)
            .await
            .map_err(|e| failure_of(&e))?;
        match (got.certificate, got.certificate_chain) {
            (Some(certificate_pem), Some(chain_pem)) => Ok(AcmIssued {
                certificate_pem,
                chain_pem,
            }),
            _ => Err(AcmIssueFailure::RequestFailed),
        }
    }

    /// Revokes the certificate with colon-hex or hex `serial` issued by `ca_arn` (of `account`)
    /// for `reason` (an ACM PCA RevocationReason). A certificate already revoked is `Ok`; other
    /// refusals are ACM PCA's errors.
    pub async fn revoke_for_acm(
        &self,
        ca_arn: &str,
        account: &str,
        serial: &str,
        reason: &str,
    ) -> Result<(), ServiceError> {
        let ctx = RequestContext::for_account_root(account, region_of(ca_arn))
            .ok_or_else(|| crate::generated::errors::invalid_arn_exception(ca_arn.to_owned()))?;
        let request = RevokeCertificateRequest {
            certificate_authority_arn: Some(ca_arn.to_owned()),
            certificate_serial: Some(serial.replace(':', "")),
            revocation_reason: Some(RevocationReason::from(reason)),
        };
        match self.revoke_certificate(&ctx, request).await {
            Err(e) if e.code.as_ref() == "RequestAlreadyProcessedException" => Ok(()),
            other => other,
        }
    }

    /// The CA `ca_arn`, which must belong to `account`.
    async fn ca_for_acm(
        &self,
        ca_arn: &str,
        account: &str,
    ) -> Result<crate::record::CaRecord, AcmIssueFailure> {
        let ca = ca_ref(ca_arn).map_err(|_| AcmIssueFailure::InvalidArn)?;
        if ca.account != account {
            return Err(AcmIssueFailure::AccessDenied);
        }
        match self.load(&ca).await {
            Ok(found) if found.value.status != "DELETED" => Ok(found.value),
            Ok(_) => Err(AcmIssueFailure::NotFound),
            Err(e) => Err(failure_of(&e)),
        }
    }
}

/// The IssueCertificate request for `request` (EndEntityCertificate/V1, the default).
fn issue_request(
    request: &AcmIssue<'_>,
    signing: Option<SigningAlgorithm>,
) -> IssueCertificateRequest {
    IssueCertificateRequest {
        certificate_authority_arn: Some(request.ca_arn.to_owned()),
        csr: Some(Blob(request.csr.to_vec())),
        signing_algorithm: signing,
        validity: Some(Validity {
            type_: Some(ValidityPeriodType::Days),
            value: Some(request.days),
        }),
        ..IssueCertificateRequest::default()
    }
}

/// The Region part of a CA ARN.
fn region_of(ca_arn: &str) -> &str {
    ca_arn.split(':').nth(3).unwrap_or_default()
}

/// ACM's failure reason for an ACM PCA error.
fn failure_of(err: &ServiceError) -> AcmIssueFailure {
    match err.code.as_ref() {
        "InvalidArnException" => AcmIssueFailure::InvalidArn,
        "ResourceNotFoundException" => AcmIssueFailure::NotFound,
        "InvalidStateException" => AcmIssueFailure::InvalidState,
        "AccessDeniedException" => AcmIssueFailure::AccessDenied,
        "InvalidArgsException" | "MalformedCSRException" => AcmIssueFailure::InvalidArgs,
        _ => {
            tracing::error!(code = %err.code, "ACM PCA refused a certificate for ACM");
            AcmIssueFailure::RequestFailed
        }
    }
}
