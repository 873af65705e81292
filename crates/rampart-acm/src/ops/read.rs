//! DescribeCertificate and GetCertificate (the certificate and its chain, PEM; a certificate
//! not issued yet answers RequestInProgressException).

use crate::convert;
use crate::generated::errors::request_in_progress_exception;
use crate::generated::*;
use crate::service::{AcmService, authorize_cert, cert_ref, internal};
use rampart_core::RequestContext;

impl DescribeCertificate for AcmService {
    async fn describe_certificate(
        &self,
        ctx: &RequestContext,
        input: DescribeCertificateRequest,
    ) -> Result<DescribeCertificateResponse, ServiceError> {
        let cert = cert_ref(&input.certificate_arn.unwrap_or_default())?;
        authorize_cert(ctx, "DescribeCertificate", &cert)?;
        let record = self.load(&cert).await?.value;
        let mut detail = convert::detail(&record, self.now_ms());
        let users = crate::usage::users(&self.tables.usage, &cert.row(), 1000).await;
        detail.in_use_by = Some(users.map_err(internal)?);
        Ok(DescribeCertificateResponse {
            certificate: Some(detail),
        })
    }
}

impl GetCertificate for AcmService {
    async fn get_certificate(
        &self,
        ctx: &RequestContext,
        input: GetCertificateRequest,
    ) -> Result<GetCertificateResponse, ServiceError> {
        let cert = cert_ref(&input.certificate_arn.unwrap_or_default())?;
        authorize_cert(ctx, "GetCertificate", &cert)?;
        let record = self.load(&cert).await?.value;
        let Some(certificate) = record.certificate_pem else {
            // Doubt: AWS's wording is not documented.
            return Err(request_in_progress_exception(format!(
                "Certificate {} is still in the process of being issued.",
                cert.arn
            )));
        };
        Ok(GetCertificateResponse {
            certificate: Some(certificate),
            certificate_chain: record.chain_pem,
        })
    }
}
