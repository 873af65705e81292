//! ImportCertificate: a new IMPORTED certificate, or a re-import over an imported one that
//! keeps its ARN, tags and creation (no tags may come with a re-import). The key is sealed
//! under the ACM domain key before anything is stored.

use crate::generated::errors::{resource_not_found_exception, validation_exception};
use crate::generated::*;
use crate::import_check::{self, Checked};
use crate::keys;
use crate::ops::tags::{merge_tags, tag_pairs};
use crate::record::CertRecord;
use crate::service::{AcmService, CertRef, authorize_cert, cert_ref, internal_error, new_cert};
use rampart_core::RequestContext;
use rampart_store::Expect;

impl ImportCertificate for AcmService {
    async fn import_certificate(
        &self,
        ctx: &RequestContext,
        input: ImportCertificateRequest,
    ) -> Result<ImportCertificateResponse, ServiceError> {
        let cert = match input.certificate_arn.as_deref() {
            Some(arn) => cert_ref(arn)?,
            None => new_cert(ctx),
        };
        authorize_cert(ctx, "ImportCertificate", &cert)?;
        let reimport = input.certificate_arn.is_some();
        if reimport && input.tags.is_some() {
            // AWS's wording.
            return Err(validation_exception(
                "Tagging is not permitted on re-import.",
            ));
        }
        let tags = tag_pairs(input.tags.as_deref().unwrap_or_default())?;
        let checked = import_check::check(
            blob(&input.certificate),
            blob(&input.private_key),
            input.certificate_chain.as_ref().map(|b| b.0.as_slice()),
            self.now_ms(),
        )?;
        let sealed = keys::seal(&self.domain, &cert.arn, &checked.key.pkcs8).map_err(|_| {
            tracing::error!("sealing an imported certificate key failed");
            internal_error()
        })?;
        if reimport {
            self.reimport(&cert, checked, sealed).await?;
        } else {
            let mut record = self.imported(&cert, checked, sealed);
            merge_tags(&mut record.tags, &tags)?;
            let put = self
                .tables
                .certificates
                .put(&cert.row(), &record, Expect::Absent);
            self.commit(vec![put]).await?;
        }
        Ok(ImportCertificateResponse {
            certificate_arn: Some(cert.arn),
        })
    }
}

/// The bytes of an optional blob.
fn blob(value: &Option<Blob>) -> &[u8] {
    value.as_ref().map(|b| b.0.as_slice()).unwrap_or_default()
}

impl AcmService {
    /// A new imported certificate's record.
    fn imported(&self, cert: &CertRef, checked: Checked, sealed: String) -> CertRecord {
        let now = self.now_ms();
        let facts = checked.facts;
        CertRecord {
            arn: cert.arn.clone(),
            cert_type: "IMPORTED".into(),
            status: "ISSUED".into(),
            failure_reason: None,
            domain_name: facts.domain_name.clone(),
            sans: facts.sans.clone(),
            key_algorithm: facts.key_algorithm.clone(),
            certificate_pem: Some(checked.certificate_pem),
            chain_pem: checked.chain_pem,
            facts: Some(facts),
            sealed_key: Some(sealed),
            created_ms: now,
            imported_ms: Some(now),
            issued_ms: None,
            ca_arn: None,
            export_option: "DISABLED".into(),
            transparency: "ENABLED".into(),
            exported: false,
            validations: Vec::new(),
            validation_started_ms: None,
            revoked: None,
            expiry_event_day: None,
            expired_event_sent: false,
            acme: None,
            renewal: None,
            tags: Vec::new(),
        }
    }

    /// Replaces the certificate, chain and key of the imported certificate `cert`.
    async fn reimport(
        &self,
        cert: &CertRef,
        checked: Checked,
        sealed: String,
    ) -> Result<(), ServiceError> {
        let now = self.now_ms();
        let missing = |e: ServiceError| match e.code.as_ref() {
            // AWS's wording for a re-import over a certificate that does not exist.
            "ResourceNotFoundException" => {
                resource_not_found_exception(format!("Could not find certificate {}.", cert.arn))
            }
            _ => e,
        };
        self.mutate(cert, |record| {
            if record.cert_type != "IMPORTED" {
                // Doubt: AWS's wording is not documented; only imported certificates
                // can be replaced by an import.
                return Err(validation_exception(format!(
                    "Certificate {} was not imported and cannot be reimported.",
                    cert.arn
                )));
            }
            if let Some(old) = &record.facts {
                import_check::check_reimport(old, &checked.facts)?;
            }
            let facts = checked.facts.clone();
            record.domain_name = facts.domain_name.clone();
            record.sans = facts.sans.clone();
            record.key_algorithm = facts.key_algorithm.clone();
            record.certificate_pem = Some(checked.certificate_pem.clone());
            record.chain_pem = checked.chain_pem.clone();
            record.facts = Some(facts);
            record.sealed_key = Some(sealed.clone());
            record.status = "ISSUED".into();
            record.imported_ms = Some(now);
            Ok(())
        })
        .await
        .map_err(missing)?;
        Ok(())
    }
}
