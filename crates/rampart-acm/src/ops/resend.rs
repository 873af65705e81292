//! ResendValidationEmail: for a public certificate still PENDING_VALIDATION, the EMAIL
//! validation of `Domain` under `ValidationDomain` gets a new approval link (the old one stops
//! working), published again as an event, and the 72-hour window starts anew.

use crate::generated::errors::{
    invalid_domain_validation_options_exception, invalid_state_exception,
};
use crate::generated::*;
use crate::record::{CertRecord, DomainCheck};
use crate::service::{AcmService, CertRef, authorize_cert, cert_ref, internal};
use rampart_core::RequestContext;
use rampart_store::{Expect, StoreError};

/// Attempts at the compare-and-swap write.
const ATTEMPTS: usize = 8;

impl ResendValidationEmail for AcmService {
    async fn resend_validation_email(
        &self,
        ctx: &RequestContext,
        input: ResendValidationEmailRequest,
    ) -> Result<(), ServiceError> {
        let cert = cert_ref(&input.certificate_arn.unwrap_or_default())?;
        authorize_cert(ctx, "ResendValidationEmail", &cert)?;
        let domain = input.domain.unwrap_or_default().to_ascii_lowercase();
        let validation = input
            .validation_domain
            .unwrap_or_default()
            .to_ascii_lowercase();
        let fits = |c: &DomainCheck| {
            c.method == "EMAIL" && c.domain_name == domain && c.validation_domain == validation
        };
        let row = cert.row();
        for _ in 0..ATTEMPTS {
            let found = self.load(&cert).await?;
            let mut record = found.value;
            self.check_resendable(&record, &cert, &fits)?;
            let mut writes = self
                .send_approvals(&mut record, &row, fits)
                .map_err(internal)?;
            let put = self
                .tables
                .certificates
                .put(&row, &record, Expect::Version(found.version));
            writes.insert(0, put);
            let writes = writes.into_iter().collect::<Result<Vec<_>, _>>();
            match self.store.transact(writes.map_err(internal)?).await {
                Ok(()) => return Ok(()),
                Err(e) if e.is_conflict() => continue,
                Err(e) => return Err(internal(e)),
            }
        }
        Err(internal(StoreError::Backend(
            "certificate writes kept conflicting".into(),
        )))
    }
}

impl AcmService {
    /// Whether `record` waits for the e-mail validation `fits` selects.
    fn check_resendable(
        &self,
        record: &CertRecord,
        cert: &CertRef,
        fits: &impl Fn(&DomainCheck) -> bool,
    ) -> Result<(), ServiceError> {
        let status = record.status_at(self.now_ms());
        if record.cert_type != "AMAZON_ISSUED" || status != "PENDING_VALIDATION" {
            // Doubt: AWS's wording is not documented.
            return Err(invalid_state_exception(format!(
                "Certificate {} is in status {status}; validation e-mail can only be resent \
                 for a certificate pending validation.",
                cert.arn
            )));
        }
        let pending = |c: &DomainCheck| fits(c) && c.status == "PENDING_VALIDATION";
        if !record.validations.iter().any(pending) {
            // Doubt: AWS's wording is not documented.
            return Err(invalid_domain_validation_options_exception(format!(
                "No e-mail validation is pending for the domain and validation domain given \
                 for certificate {}.",
                cert.arn
            )));
        }
        Ok(())
    }
}
