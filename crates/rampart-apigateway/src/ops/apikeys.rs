//! CreateApiKey (a given value of 20 to 128 characters, or a generated one of 40), GetApiKey
//! (`includeValue`), GetApiKeys (`name` prefix, `customerId`, `includeValues`, paged by id),
//! UpdateApiKey (`/name`, `/description`, `/enabled`, `/customerId`), DeleteApiKey (which
//! also takes the key out of its usage plans). Values are stored sealed under the API Gateway
//! domain key, bound to the key's row, beside their keyed fingerprint.

use crate::convert::map_of;
use crate::generated::errors::{bad_request_exception, conflict_exception, not_found_exception};
use crate::generated::{
    ApiKey, ApiKeys, CreateApiKey, CreateApiKeyRequest, DeleteApiKey, DeleteApiKeyRequest,
    GetApiKey, GetApiKeyRequest, GetApiKeys, GetApiKeysRequest, ServiceError, Timestamp,
    UpdateApiKey, UpdateApiKeyRequest,
};
use crate::ids;
use crate::ops::apis::page_limit;
use crate::patch::{Patch, patches};
use crate::plans::ApiKeyRecord;
use crate::record::api_row;
use crate::service::{ApiGatewayService, authorize, internal};
use rampart_core::RequestContext;
use rampart_store::{Expect, Versioned};

/// NotFoundException for a key the caller does not have.
pub(crate) fn key_not_found() -> ServiceError {
    not_found_exception("Invalid API Key identifier specified")
}

/// The row key of the caller's API key `id`.
pub(crate) fn key_row(ctx: &RequestContext, id: &str) -> String {
    api_row(ctx.account().as_str(), ctx.region.as_str(), id)
}

/// A key's value must be 20 to 128 characters.
fn check_value(value: &str) -> Result<(), ServiceError> {
    if value.chars().count() < 20 {
        return Err(bad_request_exception(
            "API Key value should be at least 20 characters",
        ));
    }
    if value.chars().count() > 128 {
        return Err(bad_request_exception(
            "API Key value exceeds maximum size of 128 characters",
        ));
    }
    Ok(())
}

impl ApiGatewayService {
    /// The caller's key `id`, or NotFoundException.
    pub(crate) async fn load_key(
        &self,
        ctx: &RequestContext,
        id: &str,
    ) -> Result<Versioned<ApiKeyRecord>, ServiceError> {
        let found = self.keys.get(&key_row(ctx, id)).await.map_err(internal)?;
        found.ok_or_else(key_not_found)
    }

    /// The wire form of `key`, with its value when `with_value`.
    fn api_key_out(&self, ctx: &RequestContext, key: &ApiKeyRecord, with_value: bool) -> ApiKey {
        let value = with_value
            .then(|| {
                let opened = self
                    .metering
                    .open_value(&key.sealed_value, &key_row(ctx, &key.id));
                if opened.is_none() {
                    tracing::error!(key = %key.id, "an API key value does not open");
                }
                opened
            })
            .flatten();
        ApiKey {
            id: Some(key.id.clone()),
            value,
            name: key.name.clone(),
            customer_id: key.customer_id.clone(),
            description: key.description.clone(),
            enabled: Some(key.enabled),
            created_date: Some(Timestamp::from_epoch_millis(key.created_ms)),
            last_updated_date: Some(Timestamp::from_epoch_millis(key.updated_ms)),
            stage_keys: Some(key.stage_keys.clone()),
            tags: (!key.tags.is_empty()).then(|| key.tags.clone()),
        }
    }
}

impl CreateApiKey for ApiGatewayService {
    async fn create_api_key(
        &self,
        ctx: &RequestContext,
        input: CreateApiKeyRequest,
    ) -> Result<ApiKey, ServiceError> {
        authorize(ctx, "POST", "/apikeys")?;
        let value = match input.value {
            Some(v) => {
                check_value(&v)?;
                v
            }
            None => ids::api_key_value(),
        };
        let fingerprint = self.metering.fingerprint(&value);
        if self.key_with_fingerprint(ctx, &fingerprint).await? {
            return Err(conflict_exception("API Key already exists"));
        }
        let id = ids::api_id();
        let row = key_row(ctx, &id);
        let now = self.now_ms();
        let stage_keys = input.stage_keys.unwrap_or_default();
        let record = ApiKeyRecord {
            id: id.clone(),
            name: input.name,
            description: input.description,
            customer_id: input.customer_id,
            enabled: input.enabled.unwrap_or(false),
            created_ms: now,
            updated_ms: now,
            stage_keys: stage_keys
                .iter()
                .map(|s| {
                    format!(
                        "{}/{}",
                        s.rest_api_id.clone().unwrap_or_default(),
                        s.stage_name.clone().unwrap_or_default()
                    )
                })
                .collect(),
            tags: map_of(input.tags),
            sealed_value: self.metering.seal_value(&value, &row),
            fingerprint,
        };
        let put = self
            .keys
            .put(&row, &record, Expect::Absent)
            .map_err(internal)?;
        self.commit(vec![put], || conflict_exception("API Key already exists"))
            .await?;
        self.refresh_edge().await;
        let mut out = self.api_key_out(ctx, &record, false);
        out.value = Some(value);
        Ok(out)
    }
}

impl ApiGatewayService {
    /// Whether the caller already has a key with this value.
    async fn key_with_fingerprint(
        &self,
        ctx: &RequestContext,
        fingerprint: &str,
    ) -> Result<bool, ServiceError> {
        let keys = self.all_keys(ctx).await?;
        Ok(keys.iter().any(|k| k.fingerprint == fingerprint))
    }

    /// Every key of the caller, by id.
    pub(crate) async fn all_keys(
        &self,
        ctx: &RequestContext,
    ) -> Result<Vec<ApiKeyRecord>, ServiceError> {
        let prefix = key_row(ctx, "");
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let rows = self.keys.scan(&prefix, after.as_deref(), 500).await;
            let rows = rows.map_err(internal)?;
            let done = rows.len() < 500;
            after = rows.last().map(|(k, _)| k.clone());
            out.extend(rows.into_iter().map(|(_, v)| v.value));
            if done {
                return Ok(out);
            }
        }
    }
}

impl GetApiKey for ApiGatewayService {
    async fn get_api_key(
        &self,
        ctx: &RequestContext,
        input: GetApiKeyRequest,
    ) -> Result<ApiKey, ServiceError> {
        let id = input.api_key.unwrap_or_default();
        authorize(ctx, "GET", &format!("/apikeys/{id}"))?;
        let key = self.load_key(ctx, &id).await?;
        Ok(self.api_key_out(ctx, &key.value, input.include_value.unwrap_or(false)))
    }
}

impl GetApiKeys for ApiGatewayService {
    async fn get_api_keys(
        &self,
        ctx: &RequestContext,
        input: GetApiKeysRequest,
    ) -> Result<ApiKeys, ServiceError> {
        authorize(ctx, "GET", "/apikeys")?;
        let limit = page_limit(input.limit)?;
        let with_values = input.include_values.unwrap_or(false);
        let mut keys: Vec<ApiKeyRecord> = self.all_keys(ctx).await?;
        keys.retain(|k| {
            let name_ok = input
                .name_query
                .as_deref()
                .is_none_or(|q| k.name.as_deref().is_some_and(|n| n.starts_with(q)));
            let customer_ok = input.customer_id.is_none() || k.customer_id == input.customer_id;
            let after_ok = input.position.as_deref().is_none_or(|p| k.id.as_str() > p);
            name_ok && customer_ok && after_ok
        });
        let more = keys.len() > limit;
        keys.truncate(limit);
        let position = more.then(|| keys.last().map(|k| k.id.clone())).flatten();
        let items = keys.iter().map(|k| self.api_key_out(ctx, k, with_values));
        Ok(ApiKeys {
            items: Some(items.collect()),
            position,
            warnings: None,
        })
    }
}

/// Applies one UpdateApiKey patch.
fn patch_key(key: &mut ApiKeyRecord, patch: &Patch) -> Result<(), ServiceError> {
    if patch.op != "replace" {
        return Err(patch.unsupported());
    }
    match patch.path.as_str() {
        "/name" => key.name = Some(patch.value()?.to_owned()),
        "/description" => key.description = patch.value.clone(),
        "/customerId" => key.customer_id = patch.value.clone(),
        "/enabled" => key.enabled = patch.bool_value()?,
        _ => return Err(patch.unsupported()),
    }
    Ok(())
}

impl UpdateApiKey for ApiGatewayService {
    async fn update_api_key(
        &self,
        ctx: &RequestContext,
        input: UpdateApiKeyRequest,
    ) -> Result<ApiKey, ServiceError> {
        let id = input.api_key.unwrap_or_default();
        authorize(ctx, "PATCH", &format!("/apikeys/{id}"))?;
        let ops = patches(input.patch_operations)?;
        let now = self.now_ms();
        let key = self
            .mutate_child(&self.keys, &key_row(ctx, &id), key_not_found, |key| {
                for patch in &ops {
                    patch_key(key, patch)?;
                }
                key.updated_ms = now;
                Ok(())
            })
            .await?;
        Ok(self.api_key_out(ctx, &key, false))
    }
}

impl DeleteApiKey for ApiGatewayService {
    async fn delete_api_key(
        &self,
        ctx: &RequestContext,
        input: DeleteApiKeyRequest,
    ) -> Result<(), ServiceError> {
        let id = input.api_key.unwrap_or_default();
        authorize(ctx, "DELETE", &format!("/apikeys/{id}"))?;
        let key = self.load_key(ctx, &id).await?;
        self.remove_key_from_plans(ctx, &id).await?;
        let delete = self
            .keys
            .delete(&key_row(ctx, &id), Expect::Version(key.version));
        self.commit(vec![delete], key_not_found).await?;
        self.refresh_edge().await;
        Ok(())
    }
}
