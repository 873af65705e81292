//! Long-term access keys of IAM users and of the account root: CreateAccessKey (the only
//! answer that carries the secret), ListAccessKeys, UpdateAccessKey, DeleteAccessKey and
//! GetAccessKeyLastUsed. A user's keys are listed in its record and stored in the
//! `credentials` table; root keys are the rows of that table with no user.

use super::support::{Holder, holder, page_in_order, root_arn, scan_all};
use crate::IamService;
use crate::credentials::KeyOwner;
use crate::generated::StatusType;
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{
    CreateAccessKey, DeleteAccessKey, GetAccessKeyLastUsed, ListAccessKeys, UpdateAccessKey,
};
use crate::ops::common::{ATTEMPTS, required, store_failure, timestamp, too_busy};
use crate::records::{AccessKeyRecord, AccountRecord, KeyStatus};
use crate::tables::{entity_row, replace};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_store::{Expect, Versioned, Write};

/// Most access keys one user (or the root) may have.
const KEYS_PER_USER: usize = 2;

/// What GetAccessKeyLastUsed reports for a key never used.
const NEVER_USED: &str = "N/A";

fn too_many_keys() -> ServiceError {
    errors::limit_exceeded_exception(format!(
        "Cannot exceed quota for AccessKeysPerUser: {KEYS_PER_USER}"
    ))
}

fn no_such_key(id: &str) -> ServiceError {
    errors::no_such_entity_exception(format!("The Access Key with id {id} cannot be found."))
}

fn status_of(record: &AccessKeyRecord) -> StatusType {
    StatusType::from(record.status.as_str())
}

fn metadata(id: &str, record: &AccessKeyRecord) -> AccessKeyMetadata {
    AccessKeyMetadata {
        access_key_id: Some(id.to_owned()),
        create_date: Some(timestamp(record.created_ms)),
        status: Some(status_of(record)),
        user_name: record.user_name.clone(),
    }
}

impl CreateAccessKey for IamService {
    async fn create_access_key(
        &self,
        ctx: &RequestContext,
        input: CreateAccessKeyRequest,
    ) -> Result<CreateAccessKeyResponse, ServiceError> {
        let (id, secret, record) = match holder(ctx, input.user_name)? {
            Holder::Root => self.create_root_key(ctx).await?,
            Holder::User(name) => self.create_user_key(ctx, &name).await?,
        };
        let access_key = AccessKey {
            access_key_id: Some(id),
            create_date: Some(timestamp(record.created_ms)),
            secret_access_key: Some(secret.to_string()),
            status: Some(status_of(&record)),
            user_name: record.user_name,
        };
        Ok(CreateAccessKeyResponse {
            access_key: Some(access_key),
        })
    }
}

impl IamService {
    async fn create_user_key(
        &self,
        ctx: &RequestContext,
        name: &str,
    ) -> Result<(String, zeroize::Zeroizing<String>, AccessKeyRecord), ServiceError> {
        let account = ctx.account().as_str();
        for _ in 0..ATTEMPTS {
            let user = self
                .authorized_user(ctx, "iam:CreateAccessKey", name)
                .await?;
            if user.value.access_keys.len() >= KEYS_PER_USER {
                return Err(too_many_keys());
            }
            let arn = user.value.arn();
            let owner = KeyOwner {
                account,
                principal_arn: &arn,
                user: Some((&user.value.name, &user.value.user_id)),
            };
            let made = self
                .dir
                .credentials
                .new_key(&owner, self.now_ms())
                .map_err(store_failure)?;
            let mut updated = user.value.clone();
            updated.access_keys.push(made.access_key_id.clone());
            let row = entity_row(account, &updated.name);
            let put = replace(&self.dir.tables.users, &row, &updated, &user);
            let mut writes = put.map_err(store_failure)?;
            writes.push(made.write);
            if self.commit(account, writes).await? {
                return Ok((made.access_key_id, made.secret, made.record));
            }
        }
        Err(too_busy())
    }

    /// A new root key. The account record is written with each one (created if absent) so
    /// two concurrent creations conflict and the quota holds.
    async fn create_root_key(
        &self,
        ctx: &RequestContext,
    ) -> Result<(String, zeroize::Zeroizing<String>, AccessKeyRecord), ServiceError> {
        let account = ctx.account().as_str();
        self.authorize(ctx, "iam:CreateAccessKey", &root_arn(account))?;
        let accounts = &self.dir.tables.accounts;
        for _ in 0..ATTEMPTS {
            let current = accounts.get(account).await.map_err(store_failure)?;
            let keys = self.root_keys(account).await?;
            if keys.len() >= KEYS_PER_USER {
                return Err(too_many_keys());
            }
            let now = self.now_ms();
            let (record, expect) = match current {
                Some(found) => (found.value, Expect::Version(found.version)),
                None => (new_account(account, &keys, now), Expect::Absent),
            };
            let made = self
                .dir
                .credentials
                .new_root_key(ctx.account(), now)
                .map_err(store_failure)?;
            let put = accounts
                .put(account, &record, expect)
                .map_err(store_failure)?;
            if self.commit(account, vec![put, made.write]).await? {
                return Ok((made.access_key_id, made.secret, made.record));
            }
        }
        Err(too_busy())
    }

    /// The root's access keys, oldest first.
    async fn root_keys(
        &self,
        account: &str,
    ) -> Result<Vec<(String, AccessKeyRecord)>, ServiceError> {
        let mut keys: Vec<_> = scan_all(&self.dir.tables.access_keys, "")
            .await?
            .into_iter()
            .filter(|(_, k)| k.account == account && k.user_name.is_none())
            .collect();
        keys.sort_by_key(|(id, k)| (k.created_ms, id.clone()));
        Ok(keys)
    }
}

impl ListAccessKeys for IamService {
    async fn list_access_keys(
        &self,
        ctx: &RequestContext,
        input: ListAccessKeysRequest,
    ) -> Result<ListAccessKeysResponse, ServiceError> {
        let keys = match holder(ctx, input.user_name)? {
            Holder::Root => {
                let account = ctx.account().as_str();
                self.authorize(ctx, "iam:ListAccessKeys", &root_arn(account))?;
                self.root_keys(account).await?
            }
            Holder::User(name) => {
                let user = self
                    .authorized_user(ctx, "iam:ListAccessKeys", &name)
                    .await?;
                self.user_keys(&user.value.access_keys).await?
            }
        };
        let listed: Vec<AccessKeyMetadata> = keys.iter().map(|(id, k)| metadata(id, k)).collect();
        let found = page_in_order(listed, input.marker.as_deref(), input.max_items)?;
        Ok(ListAccessKeysResponse {
            access_key_metadata: Some(found.items),
            is_truncated: Some(found.is_truncated),
            marker: found.marker,
        })
    }
}

impl IamService {
    /// The key records of `ids` (ids whose row is gone are skipped).
    async fn user_keys(
        &self,
        ids: &[String],
    ) -> Result<Vec<(String, AccessKeyRecord)>, ServiceError> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let found = self
                .dir
                .tables
                .access_keys
                .get(id)
                .await
                .map_err(store_failure)?;
            out.extend(found.map(|k| (id.clone(), k.value)));
        }
        Ok(out)
    }
}

impl UpdateAccessKey for IamService {
    async fn update_access_key(
        &self,
        ctx: &RequestContext,
        input: UpdateAccessKeyRequest,
    ) -> Result<(), ServiceError> {
        let id = required(input.access_key_id, "accessKeyId")?;
        let status = match required(input.status, "status")? {
            StatusType::Active => KeyStatus::Active,
            StatusType::Inactive => KeyStatus::Inactive,
            other => {
                return Err(errors::invalid_input_exception(format!(
                    "Invalid status {other}: an access key is Active or Inactive."
                )));
            }
        };
        let holder = holder(ctx, input.user_name)?;
        let account = ctx.account().as_str();
        for _ in 0..ATTEMPTS {
            let mut key = self
                .held_key(ctx, &holder, "iam:UpdateAccessKey", &id)
                .await?;
            key.value.status = status;
            let table = &self.dir.tables.access_keys;
            let put = table.put(&id, &key.value, Expect::Version(key.version));
            let committed = self
                .commit(account, vec![put.map_err(store_failure)?])
                .await?;
            self.dir.credentials.forget(&id);
            if committed {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

impl DeleteAccessKey for IamService {
    async fn delete_access_key(
        &self,
        ctx: &RequestContext,
        input: DeleteAccessKeyRequest,
    ) -> Result<(), ServiceError> {
        let id = required(input.access_key_id, "accessKeyId")?;
        let holder = holder(ctx, input.user_name)?;
        let account = ctx.account().as_str();
        for _ in 0..ATTEMPTS {
            let key = self
                .held_key(ctx, &holder, "iam:DeleteAccessKey", &id)
                .await?;
            let table = &self.dir.tables.access_keys;
            let mut writes = vec![table.delete(&id, Expect::Version(key.version))];
            writes.extend(self.unlist_key(account, &holder, &id).await?);
            let committed = self.commit(account, writes).await?;
            self.dir.credentials.forget(&id);
            if committed {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

impl IamService {
    /// The writes removing `id` from its user's list of keys (none for the root).
    async fn unlist_key(
        &self,
        account: &str,
        holder: &Holder,
        id: &str,
    ) -> Result<Vec<Write>, ServiceError> {
        let Holder::User(name) = holder else {
            return Ok(Vec::new());
        };
        let Some(user) = self.find_user(account, name).await? else {
            return Ok(Vec::new());
        };
        let mut updated = user.value.clone();
        updated.access_keys.retain(|k| k != id);
        let row = entity_row(account, &updated.name);
        let put = replace(&self.dir.tables.users, &row, &updated, &user);
        put.map_err(store_failure)
    }

    /// Authorizes `action` on the holder and reads its key `id`; `NoSuchEntity` when the
    /// holder has no such key.
    async fn held_key(
        &self,
        ctx: &RequestContext,
        holder: &Holder,
        action: &str,
        id: &str,
    ) -> Result<Versioned<AccessKeyRecord>, ServiceError> {
        let account = ctx.account().as_str();
        let owned = match holder {
            Holder::Root => {
                self.authorize(ctx, action, &root_arn(account))?;
                None
            }
            Holder::User(name) => {
                let user = self.authorized_user(ctx, action, name).await?;
                Some(user.value.access_keys.iter().any(|k| k == id))
            }
        };
        let table = &self.dir.tables.access_keys;
        let found = table.get(id).await.map_err(store_failure)?;
        found
            .filter(|k| k.value.account == account)
            .filter(|k| owned.unwrap_or(k.value.user_name.is_none()))
            .ok_or_else(|| no_such_key(id))
    }
}

impl GetAccessKeyLastUsed for IamService {
    async fn get_access_key_last_used(
        &self,
        ctx: &RequestContext,
        input: GetAccessKeyLastUsedRequest,
    ) -> Result<GetAccessKeyLastUsedResponse, ServiceError> {
        let id = required(input.access_key_id, "accessKeyId")?;
        let account = ctx.account().as_str();
        let table = &self.dir.tables.access_keys;
        let found = table.get(&id).await.map_err(store_failure)?;
        let Some(key) = found.filter(|k| k.value.account == account) else {
            return Err(ServiceError::new(
                "AccessDenied",
                403,
                format!(
                    "User: {} is not authorized to perform: iam:GetAccessKeyLastUsed on \
                     resource: access key {id}",
                    ctx.principal.arn
                ),
            ));
        };
        let key = key.value;
        self.authorize(ctx, "iam:GetAccessKeyLastUsed", &key.principal_arn)?;
        let last_used = AccessKeyLastUsed {
            last_used_date: key.last_used_ms.map(timestamp),
            region: Some(
                key.last_used_region
                    .unwrap_or_else(|| NEVER_USED.to_owned()),
            ),
            service_name: Some(
                key.last_used_service
                    .unwrap_or_else(|| NEVER_USED.to_owned()),
            ),
        };
        Ok(GetAccessKeyLastUsedResponse {
            access_key_last_used: Some(last_used),
            user_name: key.user_name,
        })
    }
}

/// The account record first written with a root key: created when its oldest root key was
/// (or now).
fn new_account(account: &str, keys: &[(String, AccessKeyRecord)], now_ms: i64) -> AccountRecord {
    let oldest = keys
        .iter()
        .map(|(_, k)| k.created_ms)
        .filter(|ms| *ms > 0)
        .min();
    AccountRecord {
        account: account.to_owned(),
        created_ms: oldest.unwrap_or(now_ms),
        alias: None,
        management_account: None,
    }
}
