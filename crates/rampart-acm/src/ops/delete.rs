//! DeleteCertificate: the certificate and its sealed key go at once (no service uses
//! certificates yet, so none is ever in use; a private certificate's CA is untouched), with
//! any EMAIL approval tokens still pointing at it.

use crate::generated::*;
use crate::service::{AcmService, authorize_cert, cert_ref};
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
