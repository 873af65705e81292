//! Service-specific credentials of IAM users: CreateServiceSpecificCredential,
//! ListServiceSpecificCredentials (one user's, or with AllUsers the account's),
//! ResetServiceSpecificCredential, UpdateServiceSpecificCredential and
//! DeleteServiceSpecificCredential, for CodeCommit and Amazon Keyspaces (a user name
//! `<user>-at-<account>` and a generated password) and Bedrock (an API key, optionally
//! expiring after CredentialAgeDays). Secrets come from the system CSPRNG, are answered once
//! (by Create and Reset) and are kept only as a SHA-256 digest. Two per user per service, as
//! AWS's quota. The wording of ServiceNotSupported, the CredentialAgeDays refusal and the
//! Bedrock key's format are Rampart's own (AWS does not document them).

use super::common::{ATTEMPTS, page, required, store_failure, timestamp, too_busy};
use super::entity::{Keys, entity_arn, scan_all};
use super::signing_certs::{caller_user, status_in, status_out};
use crate::account_records::ServiceCredentialRecord;
use crate::account_tables::{AccountTables, user_prefix};
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{
    CreateServiceSpecificCredential, DeleteServiceSpecificCredential,
    ListServiceSpecificCredentials, ResetServiceSpecificCredential,
    UpdateServiceSpecificCredential,
};
use crate::records::{KeyStatus, UserRecord};
use crate::{IamService, ids};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_store::{Expect, Versioned};
use std::collections::HashMap;
use zeroize::Zeroizing;

/// Credentials per user per service (AWS's quota).
const MAX_PER_SERVICE: usize = 2;
/// The services that take service-specific credentials.
const SERVICES: &[&str] = &[
    "bedrock.amazonaws.com",
    "cassandra.amazonaws.com",
    "codecommit.amazonaws.com",
];
const BEDROCK: &str = "bedrock.amazonaws.com";
const DAY_MS: i64 = 86_400_000;

impl CreateServiceSpecificCredential for IamService {
    async fn create_service_specific_credential(
        &self,
        ctx: &RequestContext,
        input: CreateServiceSpecificCredentialRequest,
    ) -> Result<CreateServiceSpecificCredentialResponse, ServiceError> {
        let name = required(input.user_name, "userName")?;
        let service = required(input.service_name, "serviceName")?;
        let action = "iam:CreateServiceSpecificCredential";
        let user = self.credential_user(ctx, action, &name).await?;
        check_service(&service)?;
        let age = input.credential_age_days;
        if age.is_some() && service != BEDROCK {
            return Err(errors::invalid_input_exception(
                "CredentialAgeDays is only valid for Bedrock API keys.",
            ));
        }
        let tables = AccountTables::new(&self.dir.tables.store);
        for _ in 0..ATTEMPTS {
            let existing = self.service_credentials_of(&user).await?;
            if existing
                .iter()
                .filter(|c| c.service_name == service)
                .count()
                >= MAX_PER_SERVICE
            {
                return Err(errors::limit_exceeded_exception(format!(
                    "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: \
                     {MAX_PER_SERVICE}"
                )));
            }
            let now = self.now_ms();
            let secret = new_secret(&service);
            let record = ServiceCredentialRecord {
                account: user.account.clone(),
                user_id: user.user_id.clone(),
                credential_id: ids::unique_id("ACCA"),
                service_name: service.clone(),
                login: format!("{}-at-{}", user.name, user.account),
                secret_sha256: digest(&secret),
                status: KeyStatus::Active,
                created_ms: now,
                expires_ms: age.map(|days| now + i64::from(days) * DAY_MS),
            };
            let row = credential_row(&user, &record.credential_id);
            let put = tables
                .service_credentials
                .put(&row, &record, Expect::Absent);
            if self
                .commit(&user.account, vec![put.map_err(store_failure)?])
                .await?
            {
                return Ok(CreateServiceSpecificCredentialResponse {
                    service_specific_credential: Some(credential_out(&user, &record, &secret)),
                });
            }
        }
        Err(too_busy())
    }
}

impl ListServiceSpecificCredentials for IamService {
    async fn list_service_specific_credentials(
        &self,
        ctx: &RequestContext,
        input: ListServiceSpecificCredentialsRequest,
    ) -> Result<ListServiceSpecificCredentialsResponse, ServiceError> {
        if let Some(service) = &input.service_name {
            check_service(service)?;
        }
        let action = "iam:ListServiceSpecificCredentials";
        let mut listed = if input.all_users == Some(true) {
            self.all_service_credentials(ctx, action).await?
        } else {
            let name = caller_user(ctx, input.user_name)?;
            let user = self.credential_user(ctx, action, &name).await?;
            let found = self.service_credentials_of(&user).await?;
            found.into_iter().map(|c| (user.name.clone(), c)).collect()
        };
        if let Some(service) = &input.service_name {
            listed.retain(|(_, c)| &c.service_name == service);
        }
        listed.sort_by_key(|(_, c)| (c.created_ms, c.credential_id.clone()));
        let out = page(
            listed,
            input.marker.as_deref(),
            input.max_items,
            |(_, c)| format!("{:020}{}", c.created_ms, c.credential_id),
        )?;
        let items = out.items.iter().map(|(n, c)| metadata_out(n, c)).collect();
        Ok(ListServiceSpecificCredentialsResponse {
            service_specific_credentials: Some(items),
            is_truncated: Some(out.is_truncated),
            marker: out.marker,
        })
    }
}

impl ResetServiceSpecificCredential for IamService {
    async fn reset_service_specific_credential(
        &self,
        ctx: &RequestContext,
        input: ResetServiceSpecificCredentialRequest,
    ) -> Result<ResetServiceSpecificCredentialResponse, ServiceError> {
        let id = required(
            input.service_specific_credential_id,
            "serviceSpecificCredentialId",
        )?;
        let name = caller_user(ctx, input.user_name)?;
        let action = "iam:ResetServiceSpecificCredential";
        let user = self.credential_user(ctx, action, &name).await?;
        let tables = AccountTables::new(&self.dir.tables.store);
        for _ in 0..ATTEMPTS {
            let found = self.service_credential(&user, &id).await?;
            let secret = new_secret(&found.value.service_name);
            let mut record = found.value.clone();
            record.secret_sha256 = digest(&secret);
            let row = credential_row(&user, &id);
            let expect = Expect::Version(found.version);
            let put = tables.service_credentials.put(&row, &record, expect);
            if self
                .commit(&user.account, vec![put.map_err(store_failure)?])
                .await?
            {
                return Ok(ResetServiceSpecificCredentialResponse {
                    service_specific_credential: Some(credential_out(&user, &record, &secret)),
                });
            }
        }
        Err(too_busy())
    }
}

impl UpdateServiceSpecificCredential for IamService {
    async fn update_service_specific_credential(
        &self,
        ctx: &RequestContext,
        input: UpdateServiceSpecificCredentialRequest,
    ) -> Result<(), ServiceError> {
        let id = required(
            input.service_specific_credential_id,
            "serviceSpecificCredentialId",
        )?;
        let status = status_in(required(input.status, "status")?)?;
        let name = caller_user(ctx, input.user_name)?;
        let action = "iam:UpdateServiceSpecificCredential";
        let user = self.credential_user(ctx, action, &name).await?;
        self.write_service_credential(&user, &id, Some(status))
            .await
    }
}

impl DeleteServiceSpecificCredential for IamService {
    async fn delete_service_specific_credential(
        &self,
        ctx: &RequestContext,
        input: DeleteServiceSpecificCredentialRequest,
    ) -> Result<(), ServiceError> {
        let id = required(
            input.service_specific_credential_id,
            "serviceSpecificCredentialId",
        )?;
        let name = caller_user(ctx, input.user_name)?;
        let action = "iam:DeleteServiceSpecificCredential";
        let user = self.credential_user(ctx, action, &name).await?;
        self.write_service_credential(&user, &id, None).await
    }
}

impl IamService {
    async fn credential_user(
        &self,
        ctx: &RequestContext,
        action: &str,
        name: &str,
    ) -> Result<UserRecord, ServiceError> {
        let found = self.existing::<UserRecord>(ctx, action, name, Keys::Plain);
        Ok(found.await?.value)
    }

    /// The service-specific credentials of `user`.
    pub(crate) async fn service_credentials_of(
        &self,
        user: &UserRecord,
    ) -> Result<Vec<ServiceCredentialRecord>, ServiceError> {
        let tables = AccountTables::new(&self.dir.tables.store);
        let prefix = user_prefix(&user.account, &user.user_id);
        let rows = scan_all(&tables.service_credentials, &prefix).await?;
        Ok(rows.into_iter().map(|(_, c)| c).collect())
    }

    /// Every credential of the caller's account with its user's name (AllUsers), after
    /// authorizing `action` on every user of the account.
    async fn all_service_credentials(
        &self,
        ctx: &RequestContext,
        action: &str,
    ) -> Result<Vec<(String, ServiceCredentialRecord)>, ServiceError> {
        let account = ctx.account().as_str();
        let resource = entity_arn(account, "user", "/", "*");
        self.authorize_with(ctx, action, &resource, &ctx.policy_context())?;
        let prefix = format!("{account}/");
        let users = scan_all(self.dir.tables.users.table(), &prefix).await?;
        let names: HashMap<String, String> = users
            .into_iter()
            .map(|(_, u)| (u.user_id, u.name))
            .collect();
        let tables = AccountTables::new(&self.dir.tables.store);
        let rows = scan_all(&tables.service_credentials, &prefix).await?;
        Ok(rows
            .into_iter()
            .filter_map(|(_, c)| names.get(&c.user_id).map(|n| (n.clone(), c)))
            .collect())
    }

    async fn service_credential(
        &self,
        user: &UserRecord,
        id: &str,
    ) -> Result<Versioned<ServiceCredentialRecord>, ServiceError> {
        let tables = AccountTables::new(&self.dir.tables.store);
        let found = tables
            .service_credentials
            .get(&credential_row(user, id))
            .await;
        found.map_err(store_failure)?.ok_or_else(|| {
            errors::no_such_entity_exception(format!(
                "No such credential {id} exists for user {}.",
                user.name
            ))
        })
    }

    /// Sets the status of (or, with `None`, deletes) the credential `id` of `user`.
    async fn write_service_credential(
        &self,
        user: &UserRecord,
        id: &str,
        status: Option<KeyStatus>,
    ) -> Result<(), ServiceError> {
        let tables = AccountTables::new(&self.dir.tables.store);
        let row = credential_row(user, id);
        for _ in 0..ATTEMPTS {
            let found = self.service_credential(user, id).await?;
            let expect = Expect::Version(found.version);
            let write = match status {
                Some(status) => {
                    let mut record = found.value.clone();
                    record.status = status;
                    let put = tables.service_credentials.put(&row, &record, expect);
                    put.map_err(store_failure)?
                }
                None => tables.service_credentials.delete(&row, expect),
            };
            if self.commit(&user.account, vec![write]).await? {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

/// `ServiceNotSupported` for a service without service-specific credentials.
fn check_service(service: &str) -> Result<(), ServiceError> {
    if SERVICES.contains(&service) {
        return Ok(());
    }
    Err(errors::service_not_supported_exception(format!(
        "The service {service} is not supported for service-specific credentials."
    )))
}

/// A new secret: for CodeCommit and Keyspaces a 44-character password (32 random bytes in
/// Base64), for Bedrock an API key (`ABSK` and 64 random bytes in Base64).
fn new_secret(service: &str) -> Zeroizing<String> {
    if service == BEDROCK {
        let bytes = Zeroizing::new(rampart_crypto::random::bytes(64));
        Zeroizing::new(format!("ABSK{}", STANDARD.encode(bytes.as_slice())))
    } else {
        let bytes = Zeroizing::new(rampart_crypto::random::bytes(32));
        Zeroizing::new(STANDARD.encode(bytes.as_slice()))
    }
}

/// Hex SHA-256 of `secret`.
fn digest(secret: &str) -> String {
    hex::encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, secret.as_bytes()).as_ref())
}

fn credential_row(user: &UserRecord, id: &str) -> String {
    format!("{}{id}", user_prefix(&user.account, &user.user_id))
}

/// The credential with its new `secret`, as Create and Reset answer it.
fn credential_out(
    user: &UserRecord,
    record: &ServiceCredentialRecord,
    secret: &str,
) -> ServiceSpecificCredential {
    let bedrock = record.service_name == BEDROCK;
    let (login, secret) = (Some(record.login.clone()), Some(secret.to_owned()));
    ServiceSpecificCredential {
        create_date: Some(timestamp(record.created_ms)),
        expiration_date: record.expires_ms.map(timestamp),
        service_credential_alias: login.clone().filter(|_| bedrock),
        service_credential_secret: secret.clone().filter(|_| bedrock),
        service_name: Some(record.service_name.clone()),
        service_password: secret.filter(|_| !bedrock),
        service_specific_credential_id: Some(record.credential_id.clone()),
        service_user_name: login.filter(|_| !bedrock),
        status: Some(status_out(record.status)),
        user_name: Some(user.name.clone()),
    }
}

/// The credential without its secret, as List answers it.
fn metadata_out(user: &str, record: &ServiceCredentialRecord) -> ServiceSpecificCredentialMetadata {
    let bedrock = record.service_name == BEDROCK;
    let login = Some(record.login.clone());
    ServiceSpecificCredentialMetadata {
        create_date: Some(timestamp(record.created_ms)),
        expiration_date: record.expires_ms.map(timestamp),
        service_credential_alias: login.clone().filter(|_| bedrock),
        service_name: Some(record.service_name.clone()),
        service_specific_credential_id: Some(record.credential_id.clone()),
        service_user_name: login.filter(|_| !bedrock),
        status: Some(status_out(record.status)),
        user_name: Some(user.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_shaped_per_service() {
        let password = new_secret("codecommit.amazonaws.com");
        assert_eq!(password.len(), 44);
        assert_ne!(*password, *new_secret("codecommit.amazonaws.com"));
        assert!(new_secret(BEDROCK).starts_with("ABSK"));
        assert_eq!(digest("abc").len(), 64);
        assert!(check_service("s3.amazonaws.com").is_err());
        assert!(check_service("cassandra.amazonaws.com").is_ok());
    }
}
