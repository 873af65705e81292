//! TagResource and UntagResource, and the tag checks CreateSecret shares: at most 50 tags;
//! tagging a key again replaces its value.

use crate::SecretsManagerService;
use crate::generated::errors::{invalid_parameter_exception, limit_exceeded_exception};
use crate::generated::{ServiceError, Tag, TagResource, TagResourceRequest};
use crate::generated::{UntagResource, UntagResourceRequest};
use crate::ids::secret_id;
use crate::policy::authorize_secret;
use rampart_core::RequestContext;

/// The most tags a secret has.
const MAX_TAGS: usize = 50;

/// Wire tags as (key, value) pairs.
pub fn tag_pairs(tags: Vec<Tag>) -> Vec<(String, String)> {
    tags.into_iter()
        .map(|t| (t.key.unwrap_or_default(), t.value.unwrap_or_default()))
        .collect()
}

/// Checks a secret's tags: non-empty keys, at most 50.
pub fn check_tags(tags: &[(String, String)]) -> Result<(), ServiceError> {
    if tags.iter().any(|(k, _)| k.is_empty()) {
        return Err(invalid_parameter_exception("A tag key must not be empty."));
    }
    if tags.len() > MAX_TAGS {
        return Err(limit_exceeded_exception(
            "The request failed because it would exceed one of the Secrets Manager quotas.",
        ));
    }
    Ok(())
}

/// `tags` with `new` merged in (a key tagged again takes the new value).
fn merged(tags: &[(String, String)], new: &[(String, String)]) -> Vec<(String, String)> {
    let mut out = tags.to_vec();
    for (k, v) in new {
        match out.iter_mut().find(|(key, _)| key == k) {
            Some(slot) => slot.1 = v.clone(),
            None => out.push((k.clone(), v.clone())),
        }
    }
    out
}

impl TagResource for SecretsManagerService {
    async fn tag_resource(
        &self,
        ctx: &RequestContext,
        input: TagResourceRequest,
    ) -> Result<(), ServiceError> {
        let found = self
            .resolve(ctx, secret_id(input.secret_id.as_deref())?)
            .await?;
        authorize_secret(ctx, "secretsmanager:TagResource", &found.value)?;
        let new = tag_pairs(input.tags.unwrap_or_default());
        check_tags(&new)?;
        self.mutate(ctx, &found.value.name, |r| {
            let tags = merged(&r.tags, &new);
            check_tags(&tags)?;
            r.tags = tags;
            Ok(vec![])
        })
        .await?;
        Ok(())
    }
}

impl UntagResource for SecretsManagerService {
    async fn untag_resource(
        &self,
        ctx: &RequestContext,
        input: UntagResourceRequest,
    ) -> Result<(), ServiceError> {
        let found = self
            .resolve(ctx, secret_id(input.secret_id.as_deref())?)
            .await?;
        authorize_secret(ctx, "secretsmanager:UntagResource", &found.value)?;
        let keys = input.tag_keys.unwrap_or_default();
        self.mutate(ctx, &found.value.name, |r| {
            r.tags.retain(|(k, _)| !keys.contains(k));
            Ok(vec![])
        })
        .await?;
        Ok(())
    }
}
