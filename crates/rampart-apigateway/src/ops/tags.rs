//! TagResource, UntagResource, GetTags on REST APIs
//! (`arn:aws:apigateway:<region>::/restapis/<id>`) and stages (`…/restapis/<id>/stages/<name>`).
//! At most 50 tags; `aws:` keys are reserved.

use crate::generated::errors::bad_request_exception;
use crate::generated::{
    GetTags, GetTagsRequest, ServiceError, TagResource, TagResourceRequest, Tags, UntagResource,
    UntagResourceRequest,
};
use crate::ops::stages::stage_not_found;
use crate::record::{Map, child_row};
use crate::service::{ApiGatewayService, authorize, internal};
use rampart_core::RequestContext;

/// The most tags a resource has.
const MAX_TAGS: usize = 50;

/// What a tagging ARN names.
enum Tagged {
    Api(String),
    Stage(String, String),
}

/// The API or stage `arn` names in the caller's Region.
fn parse_arn(ctx: &RequestContext, arn: &str) -> Result<Tagged, ServiceError> {
    let prefix = format!("arn:aws:apigateway:{}::/restapis/", ctx.region.as_str());
    let invalid = || bad_request_exception(format!("Invalid ARN specified: {arn}"));
    let rest = arn.strip_prefix(&prefix).ok_or_else(invalid)?;
    let parts: Vec<&str> = rest.split('/').collect();
    match parts.as_slice() {
        [api] if !api.is_empty() => Ok(Tagged::Api((*api).to_owned())),
        [api, "stages", stage] if !api.is_empty() && !stage.is_empty() => {
            Ok(Tagged::Stage((*api).to_owned(), (*stage).to_owned()))
        }
        _ => Err(invalid()),
    }
}

/// Checks tags after a change: at most 50, no `aws:` keys.
fn check_tags(tags: &Map) -> Result<(), ServiceError> {
    if tags
        .keys()
        .any(|k| k.to_ascii_lowercase().starts_with("aws:"))
    {
        return Err(bad_request_exception(
            "Tag keys cannot start with the reserved prefix 'aws:'",
        ));
    }
    if tags.len() > MAX_TAGS {
        return Err(bad_request_exception(
            "Too many tags: a resource can have at most 50 tags",
        ));
    }
    Ok(())
}

impl ApiGatewayService {
    /// Applies `change` to the tags of what `arn` names.
    async fn change_tags<F>(
        &self,
        ctx: &RequestContext,
        arn: &str,
        change: F,
    ) -> Result<Map, ServiceError>
    where
        F: Fn(&mut Map) -> Result<(), ServiceError>,
    {
        match parse_arn(ctx, arn)? {
            Tagged::Api(id) => {
                let (api, ()) = self
                    .mutate_api(ctx, &id, |api| change(&mut api.tags))
                    .await?;
                Ok(api.tags)
            }
            Tagged::Stage(id, name) => {
                self.load_api(ctx, &id).await?;
                let key = child_row(&Self::api_key(ctx, &id), &name);
                let stage = self
                    .mutate_child(&self.stages, &key, stage_not_found, |s| change(&mut s.tags))
                    .await?;
                Ok(stage.tags)
            }
        }
    }
}

impl TagResource for ApiGatewayService {
    async fn tag_resource(
        &self,
        ctx: &RequestContext,
        input: TagResourceRequest,
    ) -> Result<(), ServiceError> {
        let arn = input.resource_arn.unwrap_or_default();
        authorize(ctx, "PUT", "/tags")?;
        let new = input.tags.unwrap_or_default();
        self.change_tags(ctx, &arn, |tags| {
            tags.extend(new.clone());
            check_tags(tags)
        })
        .await?;
        Ok(())
    }
}

impl UntagResource for ApiGatewayService {
    async fn untag_resource(
        &self,
        ctx: &RequestContext,
        input: UntagResourceRequest,
    ) -> Result<(), ServiceError> {
        let arn = input.resource_arn.unwrap_or_default();
        authorize(ctx, "DELETE", "/tags")?;
        let keys = input.tag_keys.unwrap_or_default();
        self.change_tags(ctx, &arn, |tags| {
            keys.iter().for_each(|k| {
                tags.remove(k);
            });
            Ok(())
        })
        .await?;
        Ok(())
    }
}

impl GetTags for ApiGatewayService {
    async fn get_tags(
        &self,
        ctx: &RequestContext,
        input: GetTagsRequest,
    ) -> Result<Tags, ServiceError> {
        let arn = input.resource_arn.unwrap_or_default();
        authorize(ctx, "GET", "/tags")?;
        let tags = match parse_arn(ctx, &arn)? {
            Tagged::Api(id) => self.load_api(ctx, &id).await?.value.tags,
            Tagged::Stage(id, name) => {
                self.load_api(ctx, &id).await?;
                let key = child_row(&Self::api_key(ctx, &id), &name);
                let found = self.stages.get(&key).await.map_err(internal)?;
                found.ok_or_else(stage_not_found)?.value.tags
            }
        };
        Ok(Tags { tags: Some(tags) })
    }
}
