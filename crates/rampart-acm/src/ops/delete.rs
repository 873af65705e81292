//! DeleteCertificate: the certificate and its sealed key go at once (a private certificate's
//! CA is untouched), with any EMAIL approval tokens still pointing at it; a certificate that
//! another service's resource uses (`usage`) answers ResourceInUseException.

use crate::generated::errors::resource_in_use_exception;
use crate::generated::*;
use crate::service::{AcmService, authorize_cert, cert_ref, internal};
use rampart_core::RequestContext;
use rampart_store::Expect;

impl DeleteCertificate for AcmService {
    async fn delete_certificate(
        &self,
        ctx: &RequestContext,
        input: DeleteCertificateRequest,
    ) -> Result<(), ServiceError> {
        let cert = cert_ref(&input.certificate_arn.unwrap_or_default())?;
        authorize_cert(ctx, "DeleteCertificate", &cert)?;
        let found = self.load(&cert).await?;
        let users = crate::usage::users(&self.tables.usage, &cert.row(), 1).await;
        if !users.map_err(internal)?.is_empty() {
            return Err(resource_in_use_exception(format!(
                "Certificate {} is in use.",
                cert.arn
            )));
        }
        let delete = self
            .tables
            .certificates
            .delete(&cert.row(), Expect::Version(found.version));
        let approvals = found.value.validations.iter().filter_map(|check| {
            let hash = check.approval.as_deref()?;
            Some(Ok(self.tables.approvals.delete(hash, Expect::Any)))
        });
        let mut writes = vec![Ok(delete)];
        writes.extend(approvals);
        self.commit(writes).await
    }
}
