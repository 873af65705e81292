//! SAML providers: CreateSAMLProvider, GetSAMLProvider, ListSAMLProviders,
//! DeleteSAMLProvider and the provider tags (TagSAMLProvider, UntagSAMLProvider,
//! ListSAMLProviderTags). The metadata document is parsed and checked by `saml_metadata`;
//! UpdateSAMLProvider and the decryption keys are in `saml_updates`. A provider is found by
//! its ARN, `arn:aws:iam::<account>:saml-provider/<name>`.

use super::common::{ATTEMPTS, required, store_failure, tags_in, tags_out, timestamp, too_busy};
use super::entity::{Keys, with_keys};
use super::oidc::refuse_identity_center;
use super::resource::{Located, account_rows};
use crate::IamService;
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{
    CreateSAMLProvider, DeleteSAMLProvider, GetSAMLProvider, ListSAMLProviderTags,
    ListSAMLProviders, TagSAMLProvider, UntagSAMLProvider,
};
use crate::resources::{SamlProviderRecord, resource_row};
use crate::saml_metadata::{self, SamlMetadata};
use base64::Engine as _;
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_store::Expect;

/// Schema version of provider records written here.
const SCHEMA: u32 = 1;
/// Most SAML providers in an account (SAMLProvidersPerAccount).
const MAX_PROVIDERS: usize = 100;
/// How long a provider whose metadata has no `validUntil` stays valid (100 years, in ms).
const DEFAULT_VALIDITY_MS: i64 = 100 * 365 * 24 * 3600 * 1000;
/// The provider ARN member's name in validation messages.
pub(super) const ARN_MEMBER: &str = "sAMLProviderArn";

impl IamService {
    /// Where the provider named by `arn` lives. An ARN of another account or of another kind
    /// names no provider of the caller's.
    pub(super) fn saml_at(&self, ctx: &RequestContext, arn: &str) -> Located<SamlProviderRecord> {
        let account = ctx.account().as_str();
        let prefix = format!("arn:aws:iam::{account}:saml-provider/");
        let name = arn.strip_prefix(&prefix).filter(|n| !n.contains('/'));
        Located {
            table: self.resources().saml_providers,
            // An impossible row (names never hold `/`) when the ARN is not the caller's.
            row: resource_row(account, &name.map_or("/".into(), str::to_ascii_lowercase)),
            arn: arn.to_owned(),
            missing: errors::no_such_entity_exception(format!("Manifest not found for arn {arn}")),
        }
    }
}

impl CreateSAMLProvider for IamService {
    async fn create_saml_provider(
        &self,
        ctx: &RequestContext,
        input: CreateSAMLProviderRequest,
    ) -> Result<CreateSAMLProviderResponse, ServiceError> {
        let name = required(input.name, "name")?;
        let document = required(input.saml_metadata_document, "sAMLMetadataDocument")?;
        refuse_identity_center(
            input.identity_center_instance_arn.is_some() || input.context_provider.is_some(),
        )?;
        let tags = tags_in(input.tags, &[])?;
        let account = ctx.account().to_string();
        let arn = format!("arn:aws:iam::{account}:saml-provider/{name}");
        let context = with_keys(ctx.policy_context(), None, Keys::RequestTags(&tags));
        self.authorize_with(ctx, "iam:CreateSAMLProvider", &arn, &context)?;
        if !tags.is_empty() {
            self.authorize_with(ctx, "iam:TagSAMLProvider", &arn, &context)?;
        }
        let metadata = checked_metadata(&document)?;
        let now = self.now_ms();
        let mut provider = SamlProviderRecord {
            schema: SCHEMA,
            account,
            name,
            uuid: random_id(),
            metadata: String::new(),
            entity_id: String::new(),
            signing_certificates: Vec::new(),
            valid_until_ms: 0,
            assertion_encryption_mode: input.assertion_encryption_mode.map(|m| m.to_string()),
            private_keys: Vec::new(),
            created_ms: now,
            tags,
        };
        set_metadata(&mut provider, document, metadata);
        if let Some(pem) = input.add_private_key {
            self.add_private_key(&mut provider, &pem, now)?;
        }
        self.insert_saml(ctx, &provider).await?;
        Ok(CreateSAMLProviderResponse {
            saml_provider_arn: Some(arn),
            tags: tags_out(&provider.tags),
        })
    }
}

impl IamService {
    /// Writes `provider` unless the account has one of its name or is at its quota.
    async fn insert_saml(
        &self,
        ctx: &RequestContext,
        provider: &SamlProviderRecord,
    ) -> Result<(), ServiceError> {
        let at = self.saml_at(ctx, &provider.arn());
        for _ in 0..ATTEMPTS {
            if at
                .table
                .get(&at.row)
                .await
                .map_err(store_failure)?
                .is_some()
            {
                return Err(errors::entity_already_exists_exception(format!(
                    "SAMLProvider {} already exists.",
                    provider.name
                )));
            }
            if account_rows(&at.table, &provider.account).await?.len() >= MAX_PROVIDERS {
                return Err(errors::limit_exceeded_exception(format!(
                    "Cannot exceed quota for SAMLProvidersPerAccount: {MAX_PROVIDERS}"
                )));
            }
            let put = at.table.put(&at.row, provider, Expect::Absent);
            if self
                .commit(&provider.account, vec![put.map_err(store_failure)?])
                .await?
            {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

impl GetSAMLProvider for IamService {
    async fn get_saml_provider(
        &self,
        ctx: &RequestContext,
        input: GetSAMLProviderRequest,
    ) -> Result<GetSAMLProviderResponse, ServiceError> {
        let arn = required(input.saml_provider_arn, ARN_MEMBER)?;
        let at = self.saml_at(ctx, &arn);
        let action = "iam:GetSAMLProvider";
        let provider = self
            .read_resource(ctx, action, &at, Keys::Plain)
            .await?
            .value;
        let keys = provider.private_keys.iter().map(|k| SAMLPrivateKey {
            key_id: Some(k.key_id.clone()),
            timestamp: Some(timestamp(k.added_ms)),
        });
        Ok(GetSAMLProviderResponse {
            saml_provider_uuid: Some(provider.uuid.clone()),
            saml_metadata_document: Some(provider.metadata.clone()),
            create_date: Some(timestamp(provider.created_ms)),
            valid_until: Some(timestamp(provider.valid_until_ms)),
            tags: tags_out(&provider.tags),
            assertion_encryption_mode: provider
                .assertion_encryption_mode
                .as_deref()
                .map(From::from),
            private_key_list: Some(keys.collect()).filter(|k: &Vec<_>| !k.is_empty()),
            ..GetSAMLProviderResponse::default()
        })
    }
}

impl ListSAMLProviders for IamService {
    async fn list_saml_providers(
        &self,
        ctx: &RequestContext,
        _input: ListSAMLProvidersRequest,
    ) -> Result<ListSAMLProvidersResponse, ServiceError> {
        self.authorize(ctx, "iam:ListSAMLProviders", "*")?;
        let table = self.resources().saml_providers;
        let entries = account_rows(&table, ctx.account().as_str())
            .await?
            .iter()
            .map(|p| SAMLProviderListEntry {
                arn: Some(p.arn()),
                create_date: Some(timestamp(p.created_ms)),
                valid_until: Some(timestamp(p.valid_until_ms)),
                ..SAMLProviderListEntry::default()
            })
            .collect();
        Ok(ListSAMLProvidersResponse {
            saml_provider_list: Some(entries),
        })
    }
}

impl DeleteSAMLProvider for IamService {
    async fn delete_saml_provider(
        &self,
        ctx: &RequestContext,
        input: DeleteSAMLProviderRequest,
    ) -> Result<(), ServiceError> {
        let arn = required(input.saml_provider_arn, ARN_MEMBER)?;
        let at = self.saml_at(ctx, &arn);
        let action = "iam:DeleteSAMLProvider";
        for _ in 0..ATTEMPTS {
            let found = self.read_resource(ctx, action, &at, Keys::Plain).await?;
            let delete = at.table.delete(&at.row, Expect::Version(found.version));
            if self.commit(ctx.account().as_str(), vec![delete]).await? {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

impl TagSAMLProvider for IamService {
    async fn tag_saml_provider(
        &self,
        ctx: &RequestContext,
        input: TagSAMLProviderRequest,
    ) -> Result<(), ServiceError> {
        let arn = required(input.saml_provider_arn, ARN_MEMBER)?;
        let given = required(input.tags, "tags")?;
        let at = self.saml_at(ctx, &arn);
        self.tag_resource(ctx, "iam:TagSAMLProvider", &at, given)
            .await
    }
}

impl UntagSAMLProvider for IamService {
    async fn untag_saml_provider(
        &self,
        ctx: &RequestContext,
        input: UntagSAMLProviderRequest,
    ) -> Result<(), ServiceError> {
        let arn = required(input.saml_provider_arn, ARN_MEMBER)?;
        let removed = required(input.tag_keys, "tagKeys")?;
        let at = self.saml_at(ctx, &arn);
        self.untag_resource(ctx, "iam:UntagSAMLProvider", &at, removed)
            .await
    }
}

impl ListSAMLProviderTags for IamService {
    async fn list_saml_provider_tags(
        &self,
        ctx: &RequestContext,
        input: ListSAMLProviderTagsRequest,
    ) -> Result<ListSAMLProviderTagsResponse, ServiceError> {
        let arn = required(input.saml_provider_arn, ARN_MEMBER)?;
        let at = self.saml_at(ctx, &arn);
        let marker = input.marker.as_deref();
        let out = self
            .list_resource_tags(
                ctx,
                "iam:ListSAMLProviderTags",
                &at,
                marker,
                input.max_items,
            )
            .await?;
        Ok(ListSAMLProviderTagsResponse {
            tags: Some(out.tags),
            is_truncated: Some(out.is_truncated),
            marker: out.marker,
        })
    }
}

/// The metadata document parsed and checked; AWS's `InvalidInput` otherwise.
pub(super) fn checked_metadata(document: &str) -> Result<SamlMetadata, ServiceError> {
    saml_metadata::parse(document).map_err(|err| {
        tracing::debug!(error = %err, "SAML metadata refused");
        errors::invalid_input_exception("Could not parse metadata")
    })
}

/// Puts the document and what was parsed of it into `provider`.
pub(super) fn set_metadata(
    provider: &mut SamlProviderRecord,
    document: String,
    metadata: SamlMetadata,
) {
    let engine = base64::engine::general_purpose::STANDARD;
    provider.entity_id = metadata.entity_id;
    provider.signing_certificates = metadata
        .signing_certificates
        .iter()
        .map(|der| engine.encode(der))
        .collect();
    provider.valid_until_ms = metadata
        .valid_until_ms
        .unwrap_or(provider.created_ms.saturating_add(DEFAULT_VALIDITY_MS));
    provider.metadata = document;
}

/// A `[A-Z0-9]` identifier of 32 characters (SAMLProviderUUID, private key ids).
pub(super) fn random_id() -> String {
    rampart_crypto::random::text(b"0123456789ABCDEF", 32)
}
