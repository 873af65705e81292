//! Tags on parameters: AddTagsToResource, RemoveTagsFromResource, ListTagsForResource, and the
//! tags PutParameter gives a new parameter. Only ResourceType `Parameter` is served; an id of
//! any other type names nothing Rampart holds, so it is InvalidResourceId as AWS answers for
//! an unknown resource.

use super::CAS_ATTEMPTS;
use crate::SsmService;
use crate::generated::errors::{invalid_resource_id, too_many_tags_error};
use crate::generated::{AddTagsToResource, AddTagsToResourceRequest, AddTagsToResourceResult};
use crate::generated::{ListTagsForResource, ListTagsForResourceRequest};
use crate::generated::{ListTagsForResourceResult, RemoveTagsFromResource};
use crate::generated::{RemoveTagsFromResourceRequest, RemoveTagsFromResourceResult};
use crate::generated::{ResourceTypeForTagging, ServiceError, Tag};
use crate::names::{Selector, parameter_arn, parse_reference};
use crate::record::{ParameterRecord, parameter_row};
use crate::rows;
use crate::service::{authorize, internal};
use rampart_core::RequestContext;
use rampart_store::StoreError;

/// The most tags one parameter carries.
const MAX_TAGS: usize = 50;

/// `existing` with `tags` added (a key given again takes the new value), or TooManyTagsError.
pub fn check_new(
    tags: &[Tag],
    existing: &[(String, String)],
) -> Result<Vec<(String, String)>, ServiceError> {
    let mut merged = existing.to_vec();
    for tag in tags {
        let key = tag.key.clone().unwrap_or_default();
        let value = tag.value.clone().unwrap_or_default();
        match merged.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => merged.push((key, value)),
        }
    }
    if merged.len() > MAX_TAGS {
        return Err(too_many_tags_error(""));
    }
    Ok(merged)
}

/// The parameter a tagging call names (its name, for ResourceType `Parameter`).
fn target(
    ctx: &RequestContext,
    kind: Option<&ResourceTypeForTagging>,
    id: Option<&str>,
) -> Result<String, ServiceError> {
    if kind != Some(&ResourceTypeForTagging::Parameter) {
        return Err(invalid_resource_id(""));
    }
    match parse_reference(ctx, id.unwrap_or_default()) {
        Some((name, Selector::Latest)) => Ok(name),
        _ => Err(invalid_resource_id("")),
    }
}

impl SsmService {
    /// Applies `change` to the tags of parameter `name` (retrying conflicts).
    async fn retag(
        &self,
        ctx: &RequestContext,
        name: &str,
        change: impl Fn(&[(String, String)]) -> Result<Vec<(String, String)>, ServiceError>,
    ) -> Result<(), ServiceError> {
        let row = parameter_row(ctx.account().as_str(), ctx.region.as_str(), name);
        for _ in 0..CAS_ATTEMPTS {
            let Some(found) = self.load(ctx, name).await? else {
                return Err(invalid_resource_id(""));
            };
            let mut next = found.value.clone();
            next.tags = change(&next.tags)?;
            let writes = rows::save(&self.tables, &row, Some(&found), &next).map_err(internal)?;
            match self.store.transact(writes).await {
                Ok(()) => return Ok(()),
                Err(e) if e.is_conflict() => continue,
                Err(e) => return Err(internal(e)),
            }
        }
        Err(internal(StoreError::Backend(
            "tagging kept conflicting".into(),
        )))
    }
}

impl AddTagsToResource for SsmService {
    async fn add_tags_to_resource(
        &self,
        ctx: &RequestContext,
        input: AddTagsToResourceRequest,
    ) -> Result<AddTagsToResourceResult, ServiceError> {
        let name = target(
            ctx,
            input.resource_type.as_ref(),
            input.resource_id.as_deref(),
        )?;
        authorize(ctx, "ssm:AddTagsToResource", &parameter_arn(ctx, &name))?;
        let tags = input.tags.unwrap_or_default();
        self.retag(ctx, &name, |old| check_new(&tags, old)).await?;
        Ok(AddTagsToResourceResult {})
    }
}

impl RemoveTagsFromResource for SsmService {
    async fn remove_tags_from_resource(
        &self,
        ctx: &RequestContext,
        input: RemoveTagsFromResourceRequest,
    ) -> Result<RemoveTagsFromResourceResult, ServiceError> {
        let name = target(
            ctx,
            input.resource_type.as_ref(),
            input.resource_id.as_deref(),
        )?;
        authorize(
            ctx,
            "ssm:RemoveTagsFromResource",
            &parameter_arn(ctx, &name),
        )?;
        let keys = input.tag_keys.unwrap_or_default();
        self.retag(ctx, &name, |old| {
            Ok(old
                .iter()
                .filter(|(k, _)| !keys.contains(k))
                .cloned()
                .collect())
        })
        .await?;
        Ok(RemoveTagsFromResourceResult {})
    }
}

impl ListTagsForResource for SsmService {
    async fn list_tags_for_resource(
        &self,
        ctx: &RequestContext,
        input: ListTagsForResourceRequest,
    ) -> Result<ListTagsForResourceResult, ServiceError> {
        let name = target(
            ctx,
            input.resource_type.as_ref(),
            input.resource_id.as_deref(),
        )?;
        authorize(ctx, "ssm:ListTagsForResource", &parameter_arn(ctx, &name))?;
        let record: ParameterRecord = self
            .load(ctx, &name)
            .await?
            .ok_or_else(|| invalid_resource_id(""))?
            .value;
        Ok(ListTagsForResourceResult {
            tag_list: Some(record.tags.into_iter().map(tag).collect()),
        })
    }
}

fn tag((key, value): (String, String)) -> Tag {
    Tag {
        key: Some(key),
        value: Some(value),
    }
}
