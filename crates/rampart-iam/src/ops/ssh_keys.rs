//! SSH public keys of IAM users (as CodeCommit uses them): UploadSSHPublicKey (OpenSSH
//! `ssh-rsa`/`ssh-ed25519` or PEM, parsed by `crate::ssh_keys`; five per user; the same key
//! twice for a user is refused), GetSSHPublicKey in SSH or PEM encoding, ListSSHPublicKeys,
//! UpdateSSHPublicKey and DeleteSSHPublicKey. Authorized on the user.

use super::common::{ATTEMPTS, page, required, store_failure, timestamp, too_busy};
use super::entity::{Keys, scan_all};
use super::signing_certs::{caller_user, status_in, status_out};
use crate::account_records::SshPublicKeyRecord;
use crate::account_tables::{AccountTables, user_prefix};
use crate::generated::enums::EncodingType;
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{
    DeleteSSHPublicKey, GetSSHPublicKey, ListSSHPublicKeys, UpdateSSHPublicKey, UploadSSHPublicKey,
};
use crate::records::{KeyStatus, UserRecord};
use crate::ssh_keys::{KeyError, PublicKey};
use crate::{IamService, ids};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_store::{Expect, Versioned};

/// SSH public keys per user (AWS's quota).
const MAX_PER_USER: usize = 5;

impl UploadSSHPublicKey for IamService {
    async fn upload_ssh_public_key(
        &self,
        ctx: &RequestContext,
        input: UploadSSHPublicKeyRequest,
    ) -> Result<UploadSSHPublicKeyResponse, ServiceError> {
        let name = required(input.user_name, "userName")?;
        let body = required(input.ssh_public_key_body, "sshPublicKeyBody")?;
        let user = self.ssh_user(ctx, "iam:UploadSSHPublicKey", &name).await?;
        let key = PublicKey::parse(&body).map_err(key_error)?;
        let tables = AccountTables::new(&self.dir.tables.store);
        for _ in 0..ATTEMPTS {
            let existing = self.ssh_keys_of(&user).await?;
            check_new_key(&existing, &key.fingerprint())?;
            let record = SshPublicKeyRecord {
                account: user.account.clone(),
                user_id: user.user_id.clone(),
                key_id: ids::ssh_public_key_id(),
                ssh_body: key.openssh(),
                pem_body: key.pem(),
                fingerprint: key.fingerprint(),
                status: KeyStatus::Active,
                uploaded_ms: self.now_ms(),
            };
            let row = key_row(&user, &record.key_id);
            let put = tables.ssh_public_keys.put(&row, &record, Expect::Absent);
            if self
                .commit(&user.account, vec![put.map_err(store_failure)?])
                .await?
            {
                return Ok(UploadSSHPublicKeyResponse {
                    ssh_public_key: Some(key_out(&user, &record, false)),
                });
            }
        }
        Err(too_busy())
    }
}

impl GetSSHPublicKey for IamService {
    async fn get_ssh_public_key(
        &self,
        ctx: &RequestContext,
        input: GetSSHPublicKeyRequest,
    ) -> Result<GetSSHPublicKeyResponse, ServiceError> {
        let name = required(input.user_name, "userName")?;
        let id = required(input.ssh_public_key_id, "sshPublicKeyId")?;
        let encoding = required(input.encoding, "encoding")?;
        let user = self.ssh_user(ctx, "iam:GetSSHPublicKey", &name).await?;
        let found = self.ssh_key(&user, &id).await?;
        let pem = encoding == EncodingType::Pem;
        Ok(GetSSHPublicKeyResponse {
            ssh_public_key: Some(key_out(&user, &found.value, pem)),
        })
    }
}

impl ListSSHPublicKeys for IamService {
    async fn list_ssh_public_keys(
        &self,
        ctx: &RequestContext,
        input: ListSSHPublicKeysRequest,
    ) -> Result<ListSSHPublicKeysResponse, ServiceError> {
        let name = caller_user(ctx, input.user_name)?;
        let user = self.ssh_user(ctx, "iam:ListSSHPublicKeys", &name).await?;
        let mut keys = self.ssh_keys_of(&user).await?;
        keys.sort_by_key(|k| (k.uploaded_ms, k.key_id.clone()));
        let out = page(keys, input.marker.as_deref(), input.max_items, |k| {
            format!("{:020}{}", k.uploaded_ms, k.key_id)
        })?;
        let listed = out
            .items
            .iter()
            .map(|k| SSHPublicKeyMetadata {
                ssh_public_key_id: Some(k.key_id.clone()),
                status: Some(status_out(k.status)),
                upload_date: Some(timestamp(k.uploaded_ms)),
                user_name: Some(user.name.clone()),
            })
            .collect();
        Ok(ListSSHPublicKeysResponse {
            ssh_public_keys: Some(listed),
            is_truncated: Some(out.is_truncated),
            marker: out.marker,
        })
    }
}

impl UpdateSSHPublicKey for IamService {
    async fn update_ssh_public_key(
        &self,
        ctx: &RequestContext,
        input: UpdateSSHPublicKeyRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.user_name, "userName")?;
        let id = required(input.ssh_public_key_id, "sshPublicKeyId")?;
        let status = status_in(required(input.status, "status")?)?;
        let user = self.ssh_user(ctx, "iam:UpdateSSHPublicKey", &name).await?;
        self.write_ssh_key(&user, &id, Some(status)).await
    }
}

impl DeleteSSHPublicKey for IamService {
    async fn delete_ssh_public_key(
        &self,
        ctx: &RequestContext,
        input: DeleteSSHPublicKeyRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.user_name, "userName")?;
        let id = required(input.ssh_public_key_id, "sshPublicKeyId")?;
        let user = self.ssh_user(ctx, "iam:DeleteSSHPublicKey", &name).await?;
        self.write_ssh_key(&user, &id, None).await
    }
}

impl IamService {
    async fn ssh_user(
        &self,
        ctx: &RequestContext,
        action: &str,
        name: &str,
    ) -> Result<UserRecord, ServiceError> {
        let found = self.existing::<UserRecord>(ctx, action, name, Keys::Plain);
        Ok(found.await?.value)
    }

    /// The SSH public keys of `user`.
    pub(crate) async fn ssh_keys_of(
        &self,
        user: &UserRecord,
    ) -> Result<Vec<SshPublicKeyRecord>, ServiceError> {
        let tables = AccountTables::new(&self.dir.tables.store);
        let prefix = user_prefix(&user.account, &user.user_id);
        let rows = scan_all(&tables.ssh_public_keys, &prefix).await?;
        Ok(rows.into_iter().map(|(_, k)| k).collect())
    }

    async fn ssh_key(
        &self,
        user: &UserRecord,
        id: &str,
    ) -> Result<Versioned<SshPublicKeyRecord>, ServiceError> {
        let tables = AccountTables::new(&self.dir.tables.store);
        let found = tables.ssh_public_keys.get(&key_row(user, id)).await;
        found.map_err(store_failure)?.ok_or_else(|| {
            errors::no_such_entity_exception(format!(
                "The Public Key with id {id} cannot be found."
            ))
        })
    }

    /// Sets the status of (or, with `None`, deletes) the key `id` of `user`.
    async fn write_ssh_key(
        &self,
        user: &UserRecord,
        id: &str,
        status: Option<KeyStatus>,
    ) -> Result<(), ServiceError> {
        let tables = AccountTables::new(&self.dir.tables.store);
        let row = key_row(user, id);
        for _ in 0..ATTEMPTS {
            let found = self.ssh_key(user, id).await?;
            let expect = Expect::Version(found.version);
            let write = match status {
                Some(status) => {
                    let mut record = found.value.clone();
                    record.status = status;
                    let put = tables.ssh_public_keys.put(&row, &record, expect);
                    put.map_err(store_failure)?
                }
                None => tables.ssh_public_keys.delete(&row, expect),
            };
            if self.commit(&user.account, vec![write]).await? {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

/// `LimitExceeded` at the user's quota; `DuplicateSSHPublicKey` for a key the user has.
fn check_new_key(existing: &[SshPublicKeyRecord], fingerprint: &str) -> Result<(), ServiceError> {
    if existing.len() >= MAX_PER_USER {
        return Err(errors::limit_exceeded_exception(format!(
            "Cannot exceed quota for PublicKeysPerUser: {MAX_PER_USER}"
        )));
    }
    if existing.iter().any(|k| k.fingerprint == fingerprint) {
        return Err(errors::duplicate_ssh_public_key_exception(
            "The SSH public key is already associated with the specified IAM user.",
        ));
    }
    Ok(())
}

fn key_error(err: KeyError) -> ServiceError {
    match err {
        KeyError::Unrecognized => errors::unrecognized_public_key_encoding_exception(
            "The public key encoding format is unsupported or unrecognized.",
        ),
        KeyError::Invalid => errors::invalid_public_key_exception(
            "The public key is malformed or otherwise invalid.",
        ),
    }
}

fn key_row(user: &UserRecord, id: &str) -> String {
    format!("{}{id}", user_prefix(&user.account, &user.user_id))
}

fn key_out(user: &UserRecord, record: &SshPublicKeyRecord, pem: bool) -> SSHPublicKey {
    let body = if pem {
        &record.pem_body
    } else {
        &record.ssh_body
    };
    SSHPublicKey {
        fingerprint: Some(record.fingerprint.clone()),
        ssh_public_key_body: Some(body.clone()),
        ssh_public_key_id: Some(record.key_id.clone()),
        status: Some(status_out(record.status)),
        upload_date: Some(timestamp(record.uploaded_ms)),
        user_name: Some(user.name.clone()),
    }
}
