//! RenewCertificate: a private certificate that was exported is issued again by its CA under
//! the same ARN and key (a new serial and validity); its renewal summary records the outcome,
//! and a success publishes "ACM Certificate Available" (Action RENEWAL) with it.

use crate::convert::renewal_eligible;
use crate::events;
use crate::generated::errors::validation_exception;
use crate::generated::*;
use crate::keys;
use crate::record::CertRecord;
use crate::service::{AcmService, authorize_cert, cert_ref, internal_error};
use rampart_core::RequestContext;

impl RenewCertificate for AcmService {
    async fn renew_certificate(
        &self,
        ctx: &RequestContext,
        input: RenewCertificateRequest,
    ) -> Result<(), ServiceError> {
        let cert = cert_ref(&input.certificate_arn.unwrap_or_default())?;
        authorize_cert(ctx, "RenewCertificate", &cert)?;
        let mut record = self.load(&cert).await?.value;
        let (Some(ca_arn), Some(sealed), true) = (
            record.ca_arn.clone(),
            record.sealed_key.clone(),
            renewal_eligible(&record),
        ) else {
            // Doubt: AWS's wording is not documented; only exported private certificates
            // are renewed.
            return Err(validation_exception(format!(
                "Certificate {} is not eligible for renewal.",
                cert.arn
            )));
        };
        let pkcs8 = keys::open(&self.domain, &cert.arn, &sealed).map_err(|_| internal_error())?;
        let key = keys::from_pkcs8(&pkcs8).map_err(|_| internal_error())?;
        let outcome = self.issue_with(&mut record, &ca_arn, &key).await?;
        let now = self.now_ms();
        let status = if outcome.is_ok() { "SUCCESS" } else { "FAILED" };
        let renewed = |stored: &mut CertRecord| {
            if outcome.is_ok() {
                stored.certificate_pem = record.certificate_pem.clone();
                stored.chain_pem = record.chain_pem.clone();
                stored.facts = record.facts.clone();
                stored.issued_ms = record.issued_ms;
                stored.expiry_event_day = None;
                stored.expired_event_sent = false;
            }
            stored.renewal = Some((status.to_owned(), now));
            Ok(())
        };
        let publish = |stored: &CertRecord| match outcome {
            Ok(()) => vec![events::available(stored, "RENEWAL", now)],
            Err(_) => Vec::new(),
        };
        self.mutate_publishing(&cert, renewed, publish).await?;
        Ok(())
    }
}
