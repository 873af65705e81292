//! DeleteCertificate: the certificate and its sealed key go at once (a private certificate's
//! CA is untouched), with any EMAIL approval tokens still pointing at it; a certificate that
//! another service's resource uses (`usage`) answers ResourceInUseException. The row is read
//! before its uses and deleted at the version read, so a use recorded meanwhile (which
//! rewrites the row) makes the delete conflict; it is then tried again and sees the use.

use crate::generated::errors::resource_in_use_exception;
use crate::generated::*;
use crate::service::{AcmService, CertRef, authorize_cert, cert_ref, internal};
use rampart_core::RequestContext;
use rampart_store::{Expect, StoreError, conflict_pause};

/// How often a delete that lost a race with a change of the certificate is tried again.
const ATTEMPTS: usize = 5;

impl DeleteCertificate for AcmService {
    async fn delete_certificate(
        &self,
        ctx: &RequestContext,
        input: DeleteCertificateRequest,
    ) -> Result<(), ServiceError> {
        let cert = cert_ref(&input.certificate_arn.unwrap_or_default())?;
        authorize_cert(ctx, "DeleteCertificate", &cert)?;
        let mut attempt = 1;
        loop {
            match self.try_delete(&cert).await? {
                Ok(()) => return Ok(()),
                Err(conflict) if attempt >= ATTEMPTS => return Err(internal(conflict)),
                Err(_) => {
                    attempt += 1;
                    conflict_pause().await;
                }
            }
        }
    }
}

impl AcmService {
    /// One attempt: `Ok(Err(conflict))` when the certificate changed since it was read.
    async fn try_delete(&self, cert: &CertRef) -> Result<Result<(), StoreError>, ServiceError> {
        let found = self.load(cert).await?;
        let users = crate::usage::users(&self.tables.usage, &cert.row(), 1).await;
        if !users.map_err(internal)?.is_empty() {
            return Err(resource_in_use_exception(format!(
                "Certificate {} is in use.",
                cert.arn
            )));
        }
        let mut writes = vec![
            self.tables
                .certificates
                .delete(&cert.row(), Expect::Version(found.version)),
        ];
        for check in &found.value.validations {
            if let Some(hash) = check.approval.as_deref() {
                writes.push(self.tables.approvals.delete(hash, Expect::Any));
            }
        }
        match self.store.transact(writes).await {
            Ok(()) => Ok(Ok(())),
            Err(e) if e.is_conflict() => Ok(Err(e)),
            Err(e) => Err(internal(e)),
        }
    }
}
