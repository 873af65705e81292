//! The issuance AWS STS performs for AWS IAM for agents and workloads: an end-entity
//! certificate from an ACTIVE `IAM_WORKLOAD_IDENTITY` CA (the primary, or its replica in the
//! workload's Region) for a resource associated with the multi-Region CA, valid at most one
//! day (the affiliation's limit; STS asks for 1 to 12 hours). IssueCertificate refuses these
//! certificates, as AWS does; this is the entry point Rampart's STS is to call. Revocation is
//! off for the affiliation, so the certificates are not kept.

use crate::generated::ServiceError;
use crate::generated::errors::{invalid_args_exception, malformed_csr_exception};
use crate::issuer;
use crate::multi_region::WORKLOAD_IDENTITY;
use crate::ops::issue::{chain_of, new_serial, signer_of, whole_seconds};
use crate::ops::lifecycle::wrong_state;
use crate::parse;
use crate::record::CaRecord;
use crate::service::{AcmPcaService, CaRef, ca_ref, internal_error, ms_of};
use crate::template::{DEFAULT_TEMPLATE, Template};
use time::Duration;

/// The longest validity the IAM_WORKLOAD_IDENTITY affiliation allows.
const MAX_LIFETIME: Duration = Duration::days(1);

/// A workload certificate to issue.
#[derive(Debug, Clone, Copy)]
pub struct WorkloadRequest<'a> {
    /// The issuing CA: the primary, or a replica (in the workload's Region).
    pub ca_arn: &'a str,
    /// The resource asking (a workload identity provider), associated with the CA.
    pub resource_arn: &'a str,
    /// The workload's CSR (PEM or DER): its key, subject and subject alternative names.
    pub csr: &'a [u8],
    pub lifetime: Duration,
}

/// An issued workload certificate and the CA's certificate chain.
#[derive(Debug, Clone)]
pub struct WorkloadCertificate {
    pub certificate_pem: String,
    pub chain_pem: String,
}

impl AcmPcaService {
    /// Issues the workload certificate `request` describes (see the module documentation).
    pub async fn issue_workload_certificate(
        &self,
        request: &WorkloadRequest<'_>,
    ) -> Result<WorkloadCertificate, ServiceError> {
        let ca = ca_ref(request.ca_arn)?;
        let record = self.load(&ca).await?.value;
        self.check_workload(&ca, &record, request).await?;
        let now = self.now();
        let not_after = whole_seconds(now + request.lifetime);
        let ca_end = record.not_after_ms.unwrap_or(i64::MIN);
        if request.lifetime <= Duration::ZERO
            || request.lifetime > MAX_LIFETIME
            || ms_of(not_after) > ca_end
        {
            return Err(invalid_args_exception(
                "The certificate's validity period is not valid for this certificate authority.",
            ));
        }
        let csr = parse::csr(request.csr)
            .map_err(|_| malformed_csr_exception("The certificate signing request is invalid."))?;
        let template = Template::from_arn(DEFAULT_TEMPLATE).ok_or_else(internal_error)?;
        let (key, _) = issuer::open_key(&self.domain, &record).map_err(|e| {
            tracing::error!(fault = e.0, "ACM PCA key failure");
            internal_error()
        })?;
        let signer = signer_of(&record, &csr, &key)?;
        let serial = new_serial();
        let sign_request = crate::sign::Request {
            template,
            csr: &csr,
            serial: &serial,
            not_before: whole_seconds(now),
            not_after,
            api: None,
            revocation: &Default::default(),
        };
        let der = crate::sign::issue(&sign_request, &signer).map_err(|_| internal_error())?;
        Ok(WorkloadCertificate {
            certificate_pem: parse::to_pem(&der),
            chain_pem: chain_of(&record).ok_or_else(internal_error)?,
        })
    }

    /// The CA issues workload certificates (affiliated, ACTIVE) for the requesting resource.
    async fn check_workload(
        &self,
        ca: &CaRef,
        record: &CaRecord,
        request: &WorkloadRequest<'_>,
    ) -> Result<(), ServiceError> {
        // Doubt: AWS's wording for these refusals is not documented (STS answers them).
        if record.affiliation.as_deref() != Some(WORKLOAD_IDENTITY) {
            return Err(invalid_args_exception(
                "The certificate authority is not affiliated with IAM for agents and workloads.",
            ));
        }
        if record.status != "ACTIVE" {
            return Err(wrong_state(&ca.arn, &record.status));
        }
        let primary_arn = record
            .multi_region
            .as_ref()
            .and_then(|m| m.primary_arn.clone())
            .unwrap_or_else(|| ca.arn.clone());
        if !self
            .is_associated(&ca_ref(&primary_arn)?, request.resource_arn)
            .await?
        {
            return Err(invalid_args_exception(format!(
                "The resource {} is not associated with the certificate authority.",
                request.resource_arn
            )));
        }
        Ok(())
    }
}
