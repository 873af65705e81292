//! UpdateCertificateOptions: the transparency logging preference, and a public request's
//! validation method (its pending validations are made anew for the new method). Export is
//! fixed when the certificate is requested.

use crate::generated::errors::{invalid_state_exception, validation_exception};
use crate::generated::*;
use crate::service::{AcmService, authorize_cert, cert_ref};
use crate::validation;
use rampart_core::RequestContext;

impl UpdateCertificateOptions for AcmService {
    async fn update_certificate_options(
        &self,
        ctx: &RequestContext,
        input: UpdateCertificateOptionsRequest,
    ) -> Result<(), ServiceError> {
        let cert = cert_ref(&input.certificate_arn.unwrap_or_default())?;
        authorize_cert(ctx, "UpdateCertificateOptions", &cert)?;
        let options = input.options.unwrap_or_default();
        let account = cert.scope.account.clone();
        self.mutate(&cert, |record| {
            if record.cert_type == "IMPORTED" {
                // Doubt: AWS's wording is not documented; imported certificates have no
                // options ACM manages.
                return Err(invalid_state_exception(format!(
                    "Certificate {} is imported; its options cannot be updated.",
                    cert.arn
                )));
            }
            if let Some(export) = &options.export
                && export.as_str() != record.export_option
            {
                // Doubt: wording inferred; AWS documents that Export cannot change.
                return Err(validation_exception(
                    "You cannot update the value of Export after the certificate is created.",
                ));
            }
            if let Some(preference) = &options.certificate_transparency_logging_preference {
                record.transparency = preference.as_str().to_owned();
            }
            if let Some(method) = &options.validation_method
                && record.cert_type == "AMAZON_ISSUED"
                && record.status == "PENDING_VALIDATION"
            {
                record.validations =
                    validation::checks(&account, &record.sans, &[], method.as_str())?;
            }
            Ok(())
        })
        .await?;
        Ok(())
    }
}
