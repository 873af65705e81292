//! Signing certificates of IAM users: UploadSigningCertificate (an X.509 certificate in PEM,
//! parsed; two per user; the same certificate twice in an account is refused),
//! ListSigningCertificates, UpdateSigningCertificate (Active/Inactive) and
//! DeleteSigningCertificate. Rows are keyed by the user's unique id; authorized on the user.

use super::common::{ATTEMPTS, page, required, store_failure, timestamp, too_busy};
use super::entity::{Keys, scan_all};
use crate::account_records::SigningCertificateRecord;
use crate::account_tables::{AccountTables, user_prefix};
use crate::directory::last_segment;
use crate::generated::enums::StatusType;
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{
    DeleteSigningCertificate, ListSigningCertificates, UpdateSigningCertificate,
    UploadSigningCertificate,
};
use crate::records::{KeyStatus, UserRecord};
use crate::{IamService, ids};
use rampart_codec::ServiceError;
use rampart_core::{PrincipalKind, RequestContext};
use rampart_store::Expect;

/// Signing certificates per user (AWS's quota).
const MAX_PER_USER: usize = 2;

impl UploadSigningCertificate for IamService {
    async fn upload_signing_certificate(
        &self,
        ctx: &RequestContext,
        input: UploadSigningCertificateRequest,
    ) -> Result<UploadSigningCertificateResponse, ServiceError> {
        let body = required(input.certificate_body, "certificateBody")?;
        let name = caller_user(ctx, input.user_name)?;
        let user = self
            .cert_user(ctx, "iam:UploadSigningCertificate", &name)
            .await?;
        let digest = der_digest(&body)?;
        let tables = AccountTables::new(&self.dir.tables.store);
        for _ in 0..ATTEMPTS {
            self.check_new_certificate(&user, &digest).await?;
            let record = SigningCertificateRecord {
                account: user.account.clone(),
                user_id: user.user_id.clone(),
                certificate_id: ids::certificate_id(),
                body: body.clone(),
                der_sha256: digest.clone(),
                status: KeyStatus::Active,
                uploaded_ms: self.now_ms(),
            };
            let row = cert_row(&record);
            let put = tables
                .signing_certificates
                .put(&row, &record, Expect::Absent);
            if self
                .commit(&user.account, vec![put.map_err(store_failure)?])
                .await?
            {
                return Ok(UploadSigningCertificateResponse {
                    certificate: Some(cert_out(&user, &record)),
                });
            }
        }
        Err(too_busy())
    }
}

impl ListSigningCertificates for IamService {
    async fn list_signing_certificates(
        &self,
        ctx: &RequestContext,
        input: ListSigningCertificatesRequest,
    ) -> Result<ListSigningCertificatesResponse, ServiceError> {
        let name = caller_user(ctx, input.user_name)?;
        let user = self
            .cert_user(ctx, "iam:ListSigningCertificates", &name)
            .await?;
        let mut certs = self.certificates_of(&user).await?;
        certs.sort_by_key(|c| (c.uploaded_ms, c.certificate_id.clone()));
        let out = page(certs, input.marker.as_deref(), input.max_items, |c| {
            format!("{:020}{}", c.uploaded_ms, c.certificate_id)
        })?;
        Ok(ListSigningCertificatesResponse {
            certificates: Some(out.items.iter().map(|c| cert_out(&user, c)).collect()),
            is_truncated: Some(out.is_truncated),
            marker: out.marker,
        })
    }
}

impl UpdateSigningCertificate for IamService {
    async fn update_signing_certificate(
        &self,
        ctx: &RequestContext,
        input: UpdateSigningCertificateRequest,
    ) -> Result<(), ServiceError> {
        let id = required(input.certificate_id, "certificateId")?;
        let status = status_in(required(input.status, "status")?)?;
        let name = caller_user(ctx, input.user_name)?;
        let user = self
            .cert_user(ctx, "iam:UpdateSigningCertificate", &name)
            .await?;
        self.write_certificate(&user, &id, Some(status)).await
    }
}

impl DeleteSigningCertificate for IamService {
    async fn delete_signing_certificate(
        &self,
        ctx: &RequestContext,
        input: DeleteSigningCertificateRequest,
    ) -> Result<(), ServiceError> {
        let id = required(input.certificate_id, "certificateId")?;
        let name = caller_user(ctx, input.user_name)?;
        let user = self
            .cert_user(ctx, "iam:DeleteSigningCertificate", &name)
            .await?;
        self.write_certificate(&user, &id, None).await
    }
}

impl IamService {
    async fn cert_user(
        &self,
        ctx: &RequestContext,
        action: &str,
        name: &str,
    ) -> Result<UserRecord, ServiceError> {
        let found = self.existing::<UserRecord>(ctx, action, name, Keys::Plain);
        Ok(found.await?.value)
    }

    /// The signing certificates of `user`.
    pub(crate) async fn certificates_of(
        &self,
        user: &UserRecord,
    ) -> Result<Vec<SigningCertificateRecord>, ServiceError> {
        let tables = AccountTables::new(&self.dir.tables.store);
        let prefix = user_prefix(&user.account, &user.user_id);
        let rows = scan_all(&tables.signing_certificates, &prefix).await?;
        Ok(rows.into_iter().map(|(_, c)| c).collect())
    }

    /// `LimitExceeded` at the user's quota; `DuplicateCertificate` when the account holds
    /// the certificate already.
    async fn check_new_certificate(
        &self,
        user: &UserRecord,
        digest: &str,
    ) -> Result<(), ServiceError> {
        if self.certificates_of(user).await?.len() >= MAX_PER_USER {
            return Err(errors::limit_exceeded_exception(format!(
                "Cannot exceed quota for SigningCertificatesPerUser: {MAX_PER_USER}"
            )));
        }
        let tables = AccountTables::new(&self.dir.tables.store);
        let prefix = format!("{}/", user.account);
        let all = scan_all(&tables.signing_certificates, &prefix).await?;
        if all.iter().any(|(_, c)| c.der_sha256 == digest) {
            return Err(errors::duplicate_certificate_exception(
                "The same certificate is already associated with an IAM user in the account.",
            ));
        }
        Ok(())
    }

    /// Sets the status of (or, with `None`, deletes) the certificate `id` of `user`.
    async fn write_certificate(
        &self,
        user: &UserRecord,
        id: &str,
        status: Option<KeyStatus>,
    ) -> Result<(), ServiceError> {
        let tables = AccountTables::new(&self.dir.tables.store);
        let row = format!("{}{id}", user_prefix(&user.account, &user.user_id));
        for _ in 0..ATTEMPTS {
            let found = tables.signing_certificates.get(&row).await;
            let found = found.map_err(store_failure)?.ok_or_else(|| {
                errors::no_such_entity_exception(format!(
                    "The Certificate with id {id} cannot be found."
                ))
            })?;
            let expect = Expect::Version(found.version);
            let write = match status {
                Some(status) => {
                    let mut record = found.value.clone();
                    record.status = status;
                    let put = tables.signing_certificates.put(&row, &record, expect);
                    put.map_err(store_failure)?
                }
                None => tables.signing_certificates.delete(&row, expect),
            };
            if self.commit(&user.account, vec![write]).await? {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

/// A status a request sets: Active or Inactive (`InvalidInput` otherwise).
pub(crate) fn status_in(status: StatusType) -> Result<KeyStatus, ServiceError> {
    match status {
        StatusType::Active => Ok(KeyStatus::Active),
        StatusType::Inactive => Ok(KeyStatus::Inactive),
        other => Err(errors::invalid_input_exception(format!(
            "Invalid status {other}: the status is Active or Inactive."
        ))),
    }
}

/// A stored status on the wire.
pub(crate) fn status_out(status: KeyStatus) -> StatusType {
    StatusType::from(status.as_str())
}

/// The user a call names, or the calling IAM user.
pub(crate) fn caller_user(
    ctx: &RequestContext,
    given: Option<String>,
) -> Result<String, ServiceError> {
    match given {
        Some(name) => Ok(name),
        None if ctx.principal.kind == PrincipalKind::IamUser => {
            Ok(last_segment(&ctx.principal.arn).to_owned())
        }
        None => Err(ServiceError::new(
            "ValidationError",
            400,
            "Must specify userName when calling with non-User credentials",
        )),
    }
}

/// Hex SHA-256 of the certificate in `pem`; `MalformedCertificate` unless it is one X.509
/// certificate in PEM.
fn der_digest(pem: &str) -> Result<String, ServiceError> {
    let malformed = || {
        errors::malformed_certificate_exception(
            "Unable to parse certificate. Please ensure the certificate is in PEM format.",
        )
    };
    let (_, block) =
        x509_parser::pem::parse_x509_pem(pem.trim().as_bytes()).map_err(|_| malformed())?;
    if block.label != "CERTIFICATE" {
        return Err(malformed());
    }
    block.parse_x509().map_err(|_| malformed())?;
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &block.contents);
    Ok(hex::encode(digest.as_ref()))
}

fn cert_row(record: &SigningCertificateRecord) -> String {
    format!(
        "{}{}",
        user_prefix(&record.account, &record.user_id),
        record.certificate_id
    )
}

fn cert_out(user: &UserRecord, record: &SigningCertificateRecord) -> SigningCertificate {
    SigningCertificate {
        certificate_body: Some(record.body.clone()),
        certificate_id: Some(record.certificate_id.clone()),
        status: Some(status_out(record.status)),
        upload_date: Some(timestamp(record.uploaded_ms)),
        user_name: Some(user.name.clone()),
    }
}
