//! The external account bindings of an ACME endpoint: Create (a 256-bit HMAC key from the
//! system CSPRNG, stored only sealed under the ACM domain key with the binding ARN as
//! associated data; an optional expiration), Describe, List, Revoke (the key no longer binds
//! new ACME accounts), Delete, and GetAcmeExternalAccountBindingCredentials, the one
//! operation that returns the key (base64url, as ACME clients take it) with its key id.

use crate::acme::authorize;
use crate::acme::names::{BINDING, ChildRef, EndpointRef, not_found};
use crate::acme::record::BindingRecord;
use crate::acme::rows::{mutate, page, scan_all, tag_pairs};
use crate::generated::errors::{conflict_exception, validation_exception};
use crate::generated::*;
use crate::keys;
use crate::service::{AcmService, internal, internal_error, timestamp};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rampart_core::RequestContext;
use rampart_store::Expect;
use zeroize::Zeroizing;

/// Bytes of a binding's HMAC key.
const MAC_KEY_BYTES: usize = 32;
/// The longest expiration accepted, in days (a year).
const MAX_EXPIRATION_DAYS: i64 = 365;

impl CreateAcmeExternalAccountBinding for AcmService {
    async fn create_acme_external_account_binding(
        &self,
        ctx: &RequestContext,
        input: CreateAcmeExternalAccountBindingRequest,
    ) -> Result<CreateAcmeExternalAccountBindingResponse, ServiceError> {
        let endpoint = EndpointRef::parse(&input.acme_endpoint_arn.clone().unwrap_or_default())?;
        let op = "CreateAcmeExternalAccountBinding";
        authorize(ctx, op, &endpoint.arn, &endpoint.scope.account)?;
        let lifetime = input.expiration.as_ref().map(lifetime_ms).transpose()?;
        let tags = tag_pairs(input.tags.as_deref())?;
        self.load_endpoint(&endpoint).await?;
        let token = input.idempotency_token.as_deref();
        let (prior, token) = self.acme_token(&endpoint.scope, op, token).await?;
        if let Some(arn) = prior {
            let binding = ChildRef::parse(&arn, BINDING)?;
            let record = self.load_binding(&binding).await?;
            return Ok(CreateAcmeExternalAccountBindingResponse {
                external_account_binding: Some(wire(&record)),
            });
        }
        let binding = endpoint.new_child(BINDING);
        let now = self.now_ms();
        let record = BindingRecord {
            arn: binding.arn.clone(),
            endpoint_arn: endpoint.arn.clone(),
            key_id: binding.id.clone(),
            role_arn: input.role_arn.unwrap_or_default(),
            sealed_mac_key: self.new_mac_key(&binding.arn)?,
            created_ms: now,
            updated_ms: now,
            expires_ms: lifetime.map(|ms| now + ms),
            last_used_ms: None,
            revoked_ms: None,
            tags,
        };
        let mut writes = vec![
            self.acme
                .bindings
                .put(&binding.row(), &record, Expect::Absent),
        ];
        writes.extend(self.token_write(token, &binding.arn));
        self.commit(writes).await?;
        Ok(CreateAcmeExternalAccountBindingResponse {
            external_account_binding: Some(wire(&record)),
        })
    }
}

/// The milliseconds an Expiration stands for.
fn lifetime_ms(expiration: &Expiration) -> Result<i64, ServiceError> {
    let value = expiration.value.unwrap_or_default();
    let unit_ms: i64 = match expiration.type_.as_ref().map(|t| t.as_str()) {
        Some("MINUTES") => 60_000,
        Some("HOURS") => 3_600_000,
        _ => 86_400_000,
    };
    let ms = value.checked_mul(unit_ms);
    match ms {
        Some(ms) if ms <= MAX_EXPIRATION_DAYS * 86_400_000 => Ok(ms),
        // Doubt: AWS's limit and wording for the expiration are not documented.
        _ => Err(validation_exception(
            "The expiration of an external account binding must not exceed 365 days.",
        )),
    }
}

/// The binding as the API shows it (never its key).
fn wire(record: &BindingRecord) -> AcmeExternalAccountBinding {
    AcmeExternalAccountBinding {
        acme_endpoint_arn: Some(record.endpoint_arn.clone()),
        acme_external_account_binding_arn: Some(record.arn.clone()),
        created_at: Some(timestamp(record.created_ms)),
        expires_at: record.expires_ms.map(timestamp),
        last_used_at: record.last_used_ms.map(timestamp),
        revoked_at: record.revoked_ms.map(timestamp),
        role_arn: Some(record.role_arn.clone()),
        updated_at: Some(timestamp(record.updated_ms)),
    }
}

/// The binding as ListAcmeExternalAccountBindings shows it.
fn summary(record: &BindingRecord) -> AcmeExternalAccountBindingSummary {
    let w = wire(record);
    AcmeExternalAccountBindingSummary {
        acme_endpoint_arn: w.acme_endpoint_arn,
        acme_external_account_binding_arn: w.acme_external_account_binding_arn,
        created_at: w.created_at,
        expires_at: w.expires_at,
        last_used_at: w.last_used_at,
        revoked_at: w.revoked_at,
        role_arn: w.role_arn,
        updated_at: w.updated_at,
    }
}

impl AcmService {
    /// A fresh HMAC key, sealed for binding `arn`.
    fn new_mac_key(&self, arn: &str) -> Result<String, ServiceError> {
        let mut key = Zeroizing::new([0u8; MAC_KEY_BYTES]);
        SystemRandom::new()
            .fill(key.as_mut())
            .map_err(|_| internal_error())?;
        keys::seal(&self.domain, arn, key.as_ref()).map_err(|_| internal_error())
    }

    /// The HMAC key of a binding, opened.
    pub(crate) fn open_mac_key(
        &self,
        record: &BindingRecord,
    ) -> Result<Zeroizing<Vec<u8>>, ServiceError> {
        keys::open(&self.domain, &record.arn, &record.sealed_mac_key).map_err(|_| {
            tracing::error!(binding = %record.arn, "an ACME binding key did not open");
            internal_error()
        })
    }

    /// The stored binding `binding`.
    pub(crate) async fn load_binding(
        &self,
        binding: &ChildRef,
    ) -> Result<BindingRecord, ServiceError> {
        let found = self.acme.bindings.get(&binding.row()).await;
        found.map_err(internal)?.map(|f| f.value).ok_or_else(|| {
            not_found(
                "external account binding",
                &binding.arn,
                &binding.endpoint.scope.account,
            )
        })
    }
}

/// The binding an input ARN names, authorized for `operation`.
fn binding_of(
    ctx: &RequestContext,
    operation: &str,
    arn: Option<String>,
) -> Result<ChildRef, ServiceError> {
    let binding = ChildRef::parse(&arn.unwrap_or_default(), BINDING)?;
    authorize(
        ctx,
        operation,
        &binding.arn,
        &binding.endpoint.scope.account,
    )?;
    Ok(binding)
}

impl DescribeAcmeExternalAccountBinding for AcmService {
    async fn describe_acme_external_account_binding(
        &self,
        ctx: &RequestContext,
        input: DescribeAcmeExternalAccountBindingRequest,
    ) -> Result<DescribeAcmeExternalAccountBindingResponse, ServiceError> {
        let arn = input.acme_external_account_binding_arn;
        let binding = binding_of(ctx, "DescribeAcmeExternalAccountBinding", arn)?;
        let record = self.load_binding(&binding).await?;
        Ok(DescribeAcmeExternalAccountBindingResponse {
            external_account_binding: Some(wire(&record)),
        })
    }
}

impl GetAcmeExternalAccountBindingCredentials for AcmService {
    async fn get_acme_external_account_binding_credentials(
        &self,
        ctx: &RequestContext,
        input: GetAcmeExternalAccountBindingCredentialsRequest,
    ) -> Result<GetAcmeExternalAccountBindingCredentialsResponse, ServiceError> {
        let arn = input.acme_external_account_binding_arn;
        let binding = binding_of(ctx, "GetAcmeExternalAccountBindingCredentials", arn)?;
        let record = self.load_binding(&binding).await?;
        let key = self.open_mac_key(&record)?;
        Ok(GetAcmeExternalAccountBindingCredentialsResponse {
            key_id: Some(record.key_id),
            mac_key: Some(URL_SAFE_NO_PAD.encode(key.as_slice())),
        })
    }
}

impl ListAcmeExternalAccountBindings for AcmService {
    async fn list_acme_external_account_bindings(
        &self,
        ctx: &RequestContext,
        input: ListAcmeExternalAccountBindingsRequest,
    ) -> Result<ListAcmeExternalAccountBindingsResponse, ServiceError> {
        let endpoint = EndpointRef::parse(&input.acme_endpoint_arn.unwrap_or_default())?;
        let op = "ListAcmeExternalAccountBindings";
        authorize(ctx, op, &endpoint.arn, &endpoint.scope.account)?;
        self.load_endpoint(&endpoint).await?;
        let rows = scan_all(&self.acme.bindings, &endpoint.child_prefix()).await?;
        let mut records: Vec<BindingRecord> = rows.into_iter().map(|(_, r)| r).collect();
        records.sort_by_key(|r| (r.created_ms, r.arn.clone()));
        let (records, next) = page(records, input.max_results, input.next_token.as_deref())?;
        Ok(ListAcmeExternalAccountBindingsResponse {
            external_account_bindings: Some(records.iter().map(summary).collect()),
            next_token: next,
        })
    }
}

impl RevokeAcmeExternalAccountBinding for AcmService {
    async fn revoke_acme_external_account_binding(
        &self,
        ctx: &RequestContext,
        input: RevokeAcmeExternalAccountBindingRequest,
    ) -> Result<(), ServiceError> {
        let arn = input.acme_external_account_binding_arn;
        let binding = binding_of(ctx, "RevokeAcmeExternalAccountBinding", arn)?;
        let now = self.now_ms();
        let account = binding.endpoint.scope.account.clone();
        let missing = || not_found("external account binding", &binding.arn, &account);
        let table = &self.acme.bindings;
        mutate(&self.store, table, &binding.row(), missing, |record| {
            if record.revoked_ms.is_some() {
                // Doubt: AWS's wording is not documented.
                return Err(conflict_exception(format!(
                    "The external account binding {} is already revoked.",
                    record.arn
                )));
            }
            record.revoked_ms = Some(now);
            record.updated_ms = now;
            Ok(())
        })
        .await?;
        Ok(())
    }
}

impl DeleteAcmeExternalAccountBinding for AcmService {
    async fn delete_acme_external_account_binding(
        &self,
        ctx: &RequestContext,
        input: DeleteAcmeExternalAccountBindingRequest,
    ) -> Result<(), ServiceError> {
        let arn = input.acme_external_account_binding_arn;
        let binding = binding_of(ctx, "DeleteAcmeExternalAccountBinding", arn)?;
        let delete = self.acme.bindings.delete(&binding.row(), Expect::Any);
        self.store.transact(vec![delete]).await.map_err(internal)
    }
}
