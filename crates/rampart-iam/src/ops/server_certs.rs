//! Server certificates (the pre-ACM way to hold TLS certificates): UploadServerCertificate
//! (body, chain and private key checked by `crate::server_certs`; the key sealed under the
//! credentials domain key; 20 per account), GetServerCertificate (never the key),
//! ListServerCertificates by PathPrefix, UpdateServerCertificate (rename or move),
//! DeleteServerCertificate and the certificate tags. Authorized on the certificate's ARN.

use super::common::{ATTEMPTS, page, required, store_failure, tags_in, tags_out};
use super::common::{timestamp, too_busy};
use super::entity::scan_all;
use crate::account_records::ServerCertificateRecord;
use crate::account_tables::AccountTables;
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{
    DeleteServerCertificate, GetServerCertificate, ListServerCertificateTags,
    ListServerCertificates, TagServerCertificate, UntagServerCertificate, UpdateServerCertificate,
    UploadServerCertificate,
};
use crate::records::TagRecord;
use crate::server_certs::{CertError, check};
use crate::tables::{account_prefix, entity_row};
use crate::{IamService, ids};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_store::{Expect, Versioned};

/// Server certificates per account (AWS's default quota).
const MAX_PER_ACCOUNT: usize = 20;

impl UploadServerCertificate for IamService {
    async fn upload_server_certificate(
        &self,
        ctx: &RequestContext,
        input: UploadServerCertificateRequest,
    ) -> Result<UploadServerCertificateResponse, ServiceError> {
        let name = required(input.server_certificate_name, "serverCertificateName")?;
        let body = required(input.certificate_body, "certificateBody")?;
        let key = zeroize::Zeroizing::new(required(input.private_key, "privateKey")?);
        let account = ctx.account().as_str();
        let path = input.path.unwrap_or_else(|| "/".to_owned());
        let arn = format!("arn:aws:iam::{account}:server-certificate{path}{name}");
        let tags = tags_in(input.tags, &[])?;
        self.authorize(ctx, "iam:UploadServerCertificate", &arn)?;
        if !tags.is_empty() {
            self.authorize(ctx, "iam:TagServerCertificate", &arn)?;
        }
        let checked = check(&body, &key, input.certificate_chain.as_deref()).map_err(cert_error)?;
        let id = ids::unique_id("ASCA");
        let sealed = self.seal_private_key(&id, &key)?;
        let record = ServerCertificateRecord {
            account: account.to_owned(),
            name,
            path,
            id,
            body,
            chain: input.certificate_chain,
            sealed_key: sealed,
            expires_ms: checked.expires.saturating_mul(1000),
            uploaded_ms: self.now_ms(),
            tags,
        };
        self.insert_server_certificate(&record).await?;
        Ok(UploadServerCertificateResponse {
            server_certificate_metadata: Some(metadata(&record)),
            tags: tags_out(&record.tags),
        })
    }
}

impl GetServerCertificate for IamService {
    async fn get_server_certificate(
        &self,
        ctx: &RequestContext,
        input: GetServerCertificateRequest,
    ) -> Result<GetServerCertificateResponse, ServiceError> {
        let name = required(input.server_certificate_name, "serverCertificateName")?;
        let found = self
            .server_certificate(ctx, "iam:GetServerCertificate", &name)
            .await?
            .value;
        Ok(GetServerCertificateResponse {
            server_certificate: Some(ServerCertificate {
                certificate_body: Some(found.body.clone()),
                certificate_chain: found.chain.clone(),
                server_certificate_metadata: Some(metadata(&found)),
                tags: tags_out(&found.tags),
            }),
        })
    }
}

impl ListServerCertificates for IamService {
    async fn list_server_certificates(
        &self,
        ctx: &RequestContext,
        input: ListServerCertificatesRequest,
    ) -> Result<ListServerCertificatesResponse, ServiceError> {
        self.authorize(ctx, "iam:ListServerCertificates", "*")?;
        let prefix = input.path_prefix.unwrap_or_else(|| "/".to_owned());
        let all = self.server_certificates(ctx.account().as_str()).await?;
        let matching: Vec<(String, ServerCertificateRecord)> = all
            .into_iter()
            .filter(|(_, c)| c.path.starts_with(&prefix))
            .collect();
        let out = page(
            matching,
            input.marker.as_deref(),
            input.max_items,
            |(k, _)| k.clone(),
        )?;
        Ok(ListServerCertificatesResponse {
            server_certificate_metadata_list: Some(
                out.items.iter().map(|(_, c)| metadata(c)).collect(),
            ),
            is_truncated: Some(out.is_truncated),
            marker: out.marker,
        })
    }
}

impl UpdateServerCertificate for IamService {
    async fn update_server_certificate(
        &self,
        ctx: &RequestContext,
        input: UpdateServerCertificateRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.server_certificate_name, "serverCertificateName")?;
        let tables = AccountTables::new(&self.dir.tables.store);
        for _ in 0..ATTEMPTS {
            let found = self
                .server_certificate(ctx, "iam:UpdateServerCertificate", &name)
                .await?;
            let mut moved = found.value.clone();
            moved.name = input
                .new_server_certificate_name
                .clone()
                .unwrap_or(moved.name);
            moved.path = input.new_path.clone().unwrap_or(moved.path);
            if moved.arn() != found.value.arn() {
                self.authorize(ctx, "iam:UpdateServerCertificate", &moved.arn())?;
            }
            let old_row = entity_row(&moved.account, &found.value.name);
            let new_row = entity_row(&moved.account, &moved.name);
            let writes = if old_row == new_row {
                let expect = Expect::Version(found.version);
                vec![
                    tables
                        .server_certificates
                        .put(&new_row, &moved, expect)
                        .map_err(store_failure)?,
                ]
            } else {
                if tables
                    .server_certificates
                    .get(&new_row)
                    .await
                    .map_err(store_failure)?
                    .is_some()
                {
                    return Err(exists(&moved.name));
                }
                let put = tables
                    .server_certificates
                    .put(&new_row, &moved, Expect::Absent);
                let delete = tables
                    .server_certificates
                    .delete(&old_row, Expect::Version(found.version));
                vec![put.map_err(store_failure)?, delete]
            };
            if self.commit(&moved.account, writes).await? {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

impl DeleteServerCertificate for IamService {
    async fn delete_server_certificate(
        &self,
        ctx: &RequestContext,
        input: DeleteServerCertificateRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.server_certificate_name, "serverCertificateName")?;
        let tables = AccountTables::new(&self.dir.tables.store);
        for _ in 0..ATTEMPTS {
            let found = self
                .server_certificate(ctx, "iam:DeleteServerCertificate", &name)
                .await?;
            let row = entity_row(&found.value.account, &found.value.name);
            let delete = tables
                .server_certificates
                .delete(&row, Expect::Version(found.version));
            if self.commit(&found.value.account, vec![delete]).await? {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

impl TagServerCertificate for IamService {
    async fn tag_server_certificate(
        &self,
        ctx: &RequestContext,
        input: TagServerCertificateRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.server_certificate_name, "serverCertificateName")?;
        let given = required(input.tags, "tags")?;
        tags_in(Some(given.clone()), &[])?;
        self.edit_server_certificate(ctx, "iam:TagServerCertificate", &name, |cert| {
            cert.tags = tags_in(Some(given.clone()), &cert.tags)?;
            Ok(())
        })
        .await
    }
}

impl UntagServerCertificate for IamService {
    async fn untag_server_certificate(
        &self,
        ctx: &RequestContext,
        input: UntagServerCertificateRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.server_certificate_name, "serverCertificateName")?;
        let removed = required(input.tag_keys, "tagKeys")?;
        self.edit_server_certificate(ctx, "iam:UntagServerCertificate", &name, |cert| {
            cert.tags
                .retain(|t| !removed.iter().any(|k| k.eq_ignore_ascii_case(&t.key)));
            Ok(())
        })
        .await
    }
}

impl ListServerCertificateTags for IamService {
    async fn list_server_certificate_tags(
        &self,
        ctx: &RequestContext,
        input: ListServerCertificateTagsRequest,
    ) -> Result<ListServerCertificateTagsResponse, ServiceError> {
        let name = required(input.server_certificate_name, "serverCertificateName")?;
        let found = self
            .server_certificate(ctx, "iam:ListServerCertificateTags", &name)
            .await?
            .value;
        let numbered: Vec<(String, TagRecord)> = found
            .tags
            .into_iter()
            .enumerate()
            .map(|(i, t)| (format!("{i:04}"), t))
            .collect();
        let out = page(
            numbered,
            input.marker.as_deref(),
            input.max_items,
            |(i, _)| i.clone(),
        )?;
        let tags: Vec<TagRecord> = out.items.into_iter().map(|(_, t)| t).collect();
        Ok(ListServerCertificateTagsResponse {
            tags: Some(tags_out(&tags).unwrap_or_default()),
            is_truncated: Some(out.is_truncated),
            marker: out.marker,
        })
    }
}

impl IamService {
    /// A private key sealed under the credentials domain key, bound to the certificate id.
    fn seal_private_key(&self, id: &str, key: &str) -> Result<String, ServiceError> {
        let sealing = self.dir.credentials.sealing_key();
        let sealed = sealing
            .try_wrap(key.as_bytes(), &key_aad(id))
            .map_err(store_failure)?;
        Ok(STANDARD.encode(sealed))
    }

    /// Every server certificate of `account` with its row key.
    pub(crate) async fn server_certificates(
        &self,
        account: &str,
    ) -> Result<Vec<(String, ServerCertificateRecord)>, ServiceError> {
        let tables = AccountTables::new(&self.dir.tables.store);
        scan_all(&tables.server_certificates, &account_prefix(account)).await
    }

    /// Reads the certificate `name` and authorizes `action` on it (on its `/` ARN when it
    /// does not exist); `NoSuchEntity` otherwise.
    async fn server_certificate(
        &self,
        ctx: &RequestContext,
        action: &str,
        name: &str,
    ) -> Result<Versioned<ServerCertificateRecord>, ServiceError> {
        let account = ctx.account().as_str();
        let tables = AccountTables::new(&self.dir.tables.store);
        let row = entity_row(account, name);
        let found = tables
            .server_certificates
            .get(&row)
            .await
            .map_err(store_failure)?;
        let arn = match &found {
            Some(f) => f.value.arn(),
            None => format!("arn:aws:iam::{account}:server-certificate/{name}"),
        };
        self.authorize(ctx, action, &arn)?;
        found.ok_or_else(|| {
            errors::no_such_entity_exception(format!(
                "The Server Certificate with name {name} cannot be found."
            ))
        })
    }

    async fn edit_server_certificate(
        &self,
        ctx: &RequestContext,
        action: &str,
        name: &str,
        mut edit: impl FnMut(&mut ServerCertificateRecord) -> Result<(), ServiceError>,
    ) -> Result<(), ServiceError> {
        let tables = AccountTables::new(&self.dir.tables.store);
        for _ in 0..ATTEMPTS {
            let found = self.server_certificate(ctx, action, name).await?;
            let mut cert = found.value.clone();
            edit(&mut cert)?;
            let row = entity_row(&cert.account, &cert.name);
            let put = tables
                .server_certificates
                .put(&row, &cert, Expect::Version(found.version));
            if self
                .commit(&cert.account, vec![put.map_err(store_failure)?])
                .await?
            {
                return Ok(());
            }
        }
        Err(too_busy())
    }

    /// Writes a new certificate unless its name is taken or the account is at its quota.
    async fn insert_server_certificate(
        &self,
        record: &ServerCertificateRecord,
    ) -> Result<(), ServiceError> {
        let tables = AccountTables::new(&self.dir.tables.store);
        let row = entity_row(&record.account, &record.name);
        for _ in 0..ATTEMPTS {
            let all = self.server_certificates(&record.account).await?;
            if all.iter().any(|(key, _)| *key == row) {
                return Err(exists(&record.name));
            }
            if all.len() >= MAX_PER_ACCOUNT {
                return Err(errors::limit_exceeded_exception(format!(
                    "Cannot exceed quota for ServerCertificatesPerAccount: {MAX_PER_ACCOUNT}"
                )));
            }
            let put = tables.server_certificates.put(&row, record, Expect::Absent);
            if self
                .commit(&record.account, vec![put.map_err(store_failure)?])
                .await?
            {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

/// The associated data sealing a server certificate's private key.
fn key_aad(id: &str) -> Vec<u8> {
    format!("iam-server-certificate-key:{id}").into_bytes()
}

fn exists(name: &str) -> ServiceError {
    errors::entity_already_exists_exception(format!(
        "The Server Certificate with name {name} already exists."
    ))
}

fn cert_error(err: CertError) -> ServiceError {
    match err {
        CertError::Malformed(message) => errors::malformed_certificate_exception(message),
        CertError::Mismatch => errors::key_pair_mismatch_exception(
            "The private key did not match the public key in the certificate.",
        ),
    }
}

fn metadata(cert: &ServerCertificateRecord) -> ServerCertificateMetadata {
    ServerCertificateMetadata {
        arn: Some(cert.arn()),
        expiration: Some(timestamp(cert.expires_ms)),
        path: Some(cert.path.clone()),
        server_certificate_id: Some(cert.id.clone()),
        server_certificate_name: Some(cert.name.clone()),
        upload_date: Some(timestamp(cert.uploaded_ms)),
    }
}
