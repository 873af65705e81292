//! Changes to OpenID Connect providers: AddClientIDToOpenIDConnectProvider and
//! RemoveClientIDFromOpenIDConnectProvider (both idempotent, as AWS's),
//! UpdateOpenIDConnectProviderThumbprint, UpdateOpenIDConnectProvider (Identity Center
//! settings refused), and the provider tags (TagOpenIDConnectProvider,
//! UntagOpenIDConnectProvider, ListOpenIDConnectProviderTags).

use super::common::required;
use super::entity::Keys;
use super::oidc::{MAX_CLIENT_IDS, checked_thumbprints, client_id_quota, refuse_identity_center};
use crate::IamService;
use crate::generated::shapes::*;
use crate::generated::{
    AddClientIDToOpenIDConnectProvider, ListOpenIDConnectProviderTags,
    RemoveClientIDFromOpenIDConnectProvider, TagOpenIDConnectProvider, UntagOpenIDConnectProvider,
    UpdateOpenIDConnectProvider, UpdateOpenIDConnectProviderThumbprint,
};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;

/// The provider ARN member's name in validation messages.
const ARN_MEMBER: &str = "openIDConnectProviderArn";

impl AddClientIDToOpenIDConnectProvider for IamService {
    async fn add_client_id_to_open_id_connect_provider(
        &self,
        ctx: &RequestContext,
        input: AddClientIDToOpenIDConnectProviderRequest,
    ) -> Result<(), ServiceError> {
        let arn = required(input.open_id_connect_provider_arn, ARN_MEMBER)?;
        let client_id = required(input.client_id, "clientID")?;
        let at = self.oidc_at(ctx, &arn);
        let action = "iam:AddClientIDToOpenIDConnectProvider";
        self.modify_resource(ctx, action, &at, Keys::Plain, |provider| {
            if provider.client_ids.contains(&client_id) {
                return Ok(());
            }
            if provider.client_ids.len() >= MAX_CLIENT_IDS {
                return Err(client_id_quota());
            }
            provider.client_ids.push(client_id.clone());
            Ok(())
        })
        .await
        .map(drop)
    }
}

impl RemoveClientIDFromOpenIDConnectProvider for IamService {
    async fn remove_client_id_from_open_id_connect_provider(
        &self,
        ctx: &RequestContext,
        input: RemoveClientIDFromOpenIDConnectProviderRequest,
    ) -> Result<(), ServiceError> {
        let arn = required(input.open_id_connect_provider_arn, ARN_MEMBER)?;
        let client_id = required(input.client_id, "clientID")?;
        let at = self.oidc_at(ctx, &arn);
        let action = "iam:RemoveClientIDFromOpenIDConnectProvider";
        self.modify_resource(ctx, action, &at, Keys::Plain, |provider| {
            provider.client_ids.retain(|id| id != &client_id);
            Ok(())
        })
        .await
        .map(drop)
    }
}

impl UpdateOpenIDConnectProviderThumbprint for IamService {
    async fn update_open_id_connect_provider_thumbprint(
        &self,
        ctx: &RequestContext,
        input: UpdateOpenIDConnectProviderThumbprintRequest,
    ) -> Result<(), ServiceError> {
        let arn = required(input.open_id_connect_provider_arn, ARN_MEMBER)?;
        let thumbprints = checked_thumbprints(required(input.thumbprint_list, "thumbprintList")?)?;
        let at = self.oidc_at(ctx, &arn);
        let action = "iam:UpdateOpenIDConnectProviderThumbprint";
        self.modify_resource(ctx, action, &at, Keys::Plain, |provider| {
            provider.thumbprints = thumbprints.clone();
            Ok(())
        })
        .await
        .map(drop)
    }
}

impl TagOpenIDConnectProvider for IamService {
    async fn tag_open_id_connect_provider(
        &self,
        ctx: &RequestContext,
        input: TagOpenIDConnectProviderRequest,
    ) -> Result<(), ServiceError> {
        let arn = required(input.open_id_connect_provider_arn, ARN_MEMBER)?;
        let given = required(input.tags, "tags")?;
        let at = self.oidc_at(ctx, &arn);
        self.tag_resource(ctx, "iam:TagOpenIDConnectProvider", &at, given)
            .await
    }
}

impl UntagOpenIDConnectProvider for IamService {
    async fn untag_open_id_connect_provider(
        &self,
        ctx: &RequestContext,
        input: UntagOpenIDConnectProviderRequest,
    ) -> Result<(), ServiceError> {
        let arn = required(input.open_id_connect_provider_arn, ARN_MEMBER)?;
        let removed = required(input.tag_keys, "tagKeys")?;
        let at = self.oidc_at(ctx, &arn);
        self.untag_resource(ctx, "iam:UntagOpenIDConnectProvider", &at, removed)
            .await
    }
}

impl ListOpenIDConnectProviderTags for IamService {
    async fn list_open_id_connect_provider_tags(
        &self,
        ctx: &RequestContext,
        input: ListOpenIDConnectProviderTagsRequest,
    ) -> Result<ListOpenIDConnectProviderTagsResponse, ServiceError> {
        let arn = required(input.open_id_connect_provider_arn, ARN_MEMBER)?;
        let at = self.oidc_at(ctx, &arn);
        let action = "iam:ListOpenIDConnectProviderTags";
        let marker = input.marker.as_deref();
        let out = self
            .list_resource_tags(ctx, action, &at, marker, input.max_items)
            .await?;
        Ok(ListOpenIDConnectProviderTagsResponse {
            tags: Some(out.tags),
            is_truncated: Some(out.is_truncated),
            marker: out.marker,
        })
    }
}

impl UpdateOpenIDConnectProvider for IamService {
    /// IAM Identity Center trusted identity propagation is not supported (as at creation):
    /// setting it is refused, and removing it changes nothing since none is ever set. The
    /// provider must exist and the caller be allowed the action.
    async fn update_open_id_connect_provider(
        &self,
        ctx: &RequestContext,
        input: UpdateOpenIDConnectProviderRequest,
    ) -> Result<(), ServiceError> {
        let arn = required(input.open_id_connect_provider_arn, ARN_MEMBER)?;
        refuse_identity_center(
            input.identity_center_instance_arn.is_some() || input.context_provider.is_some(),
        )?;
        let at = self.oidc_at(ctx, &arn);
        let action = "iam:UpdateOpenIDConnectProvider";
        self.read_resource(ctx, action, &at, Keys::Plain)
            .await
            .map(drop)
    }
}
