//! ExportCertificate: private certificates (and public ones requested with `Export:
//! ENABLED`) with their chain and the private key as PEM PKCS #8 encrypted under the
//! passphrase (`crate::pbes2`); the certificate is marked exported (renewal eligibility).

use crate::generated::errors::{request_in_progress_exception, validation_exception};
use crate::generated::*;
use crate::keys;
use crate::pbes2;
use crate::service::{AcmService, authorize_cert, cert_ref, internal_error};
use rampart_core::RequestContext;
use zeroize::Zeroizing;

impl ExportCertificate for AcmService {
    async fn export_certificate(
        &self,
        ctx: &RequestContext,
        input: ExportCertificateRequest,
    ) -> Result<ExportCertificateResponse, ServiceError> {
        let cert = cert_ref(&input.certificate_arn.unwrap_or_default())?;
        authorize_cert(ctx, "ExportCertificate", &cert)?;
        let passphrase = Zeroizing::new(input.passphrase.map(|b| b.0).unwrap_or_default());
        check_passphrase(&passphrase)?;
        let record = self.load(&cert).await?.value;
        let exportable = record.cert_type == "PRIVATE"
            || (record.cert_type == "AMAZON_ISSUED" && record.export_option == "ENABLED");
        if !exportable {
            // AWS's wording for a certificate it does not export.
            return Err(validation_exception(format!(
                "Certificate ARN: {} is not a private certificate",
                cert.arn
            )));
        }
        let (Some(certificate), Some(sealed)) = (record.certificate_pem, record.sealed_key) else {
            // Doubt: AWS's wording is not documented.
            return Err(request_in_progress_exception(format!(
                "Certificate {} is still in the process of being issued.",
                cert.arn
            )));
        };
        let fault = |_| {
            tracing::error!("an exported certificate key could not be opened or encrypted");
            internal_error()
        };
        let pkcs8 = keys::open(&self.domain, &cert.arn, &sealed).map_err(|_| internal_error())?;
        let private_key = pbes2::encrypt_pem(&pkcs8, &passphrase).map_err(fault)?;
        self.mutate(&cert, |record| {
            record.exported = true;
            Ok(())
        })
        .await?;
        Ok(ExportCertificateResponse {
            certificate: Some(certificate),
            certificate_chain: record.chain_pem,
            private_key: Some(private_key),
        })
    }
}

/// ACM's passphrase rule: ASCII, without `#`, `$` or `%`.
fn check_passphrase(passphrase: &[u8]) -> Result<(), ServiceError> {
    let allowed = passphrase
        .iter()
        .all(|b| b.is_ascii() && !matches!(b, b'#' | b'$' | b'%'));
    if allowed {
        return Ok(());
    }
    // Doubt: wording inferred from ACM's documented passphrase rule.
    Err(validation_exception(
        "The passphrase can contain any ASCII character except #, $, or %.",
    ))
}
