//! DeleteCertificate: the certificate and its sealed key go at once (no service uses
//! certificates yet, so none is ever in use; a private certificate's CA is untouched).

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
        self.commit(vec![Ok(delete)]).await
    }
}
