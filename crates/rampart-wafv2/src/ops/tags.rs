//! TagResource, UntagResource and ListTagsForResource on IP sets, regex pattern sets, rule
//! groups and web ACLs: at most 50 tags; tagging a key again replaces its value; tags do
//! not change the lock token.

use crate::Wafv2Service;
use crate::errors::{bad_format, limits_exceeded};
use crate::ops::json::{limit_of, list, tag_pairs, text};
use crate::ops::json_op;
use crate::record::Resource;
use crate::service::{CAS_ATTEMPTS, kept_conflicting};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_store::Expect;
use serde_json::{Value, json};

/// The most tags a resource has.
const MAX_TAGS: usize = 50;

/// Checks a resource's tags: at most 50, keys not under the reserved `aws:` prefix.
pub fn check_tags(tags: &[(String, String)]) -> Result<(), ServiceError> {
    if let Some((key, _)) = tags
        .iter()
        .find(|(k, _)| k.to_ascii_lowercase().starts_with("aws:"))
    {
        return Err(bad_format("TAGS", key));
    }
    if tags.len() > MAX_TAGS {
        return Err(limits_exceeded());
    }
    Ok(())
}

impl Wafv2Service {
    /// Applies `change` to the tags of the caller's resource `arn`.
    async fn retag<F>(
        &self,
        ctx: &RequestContext,
        arn: &str,
        change: F,
    ) -> Result<Value, ServiceError>
    where
        F: Fn(&mut Vec<(String, String)>),
    {
        for _ in 0..CAS_ATTEMPTS {
            let found = self.find_arn(ctx, arn, None, "RESOURCE_ARN").await?;
            let mut record: Resource = found.value;
            change(&mut record.tags);
            check_tags(&record.tags)?;
            if self
                .commit(&record, Expect::Version(found.version), Vec::new())
                .await?
            {
                return Ok(json!({}));
            }
        }
        Err(kept_conflicting())
    }
}

json_op!(
    TagResource,
    tag_resource,
    TagResourceRequest,
    TagResourceResponse,
    |s, ctx, m| {
        let new = tag_pairs(list(&m, "Tags"));
        s.retag(ctx, text(&m, "ResourceARN"), move |tags| {
            for (k, v) in &new {
                match tags.iter_mut().find(|(key, _)| key == k) {
                    Some(slot) => slot.1 = v.clone(),
                    None => tags.push((k.clone(), v.clone())),
                }
            }
        })
    }
);

json_op!(
    UntagResource,
    untag_resource,
    UntagResourceRequest,
    UntagResourceResponse,
    |s, ctx, m| {
        let keys: Vec<String> = list(&m, "TagKeys")
            .iter()
            .filter_map(|k| k.as_str().map(str::to_owned))
            .collect();
        s.retag(ctx, text(&m, "ResourceARN"), move |tags| {
            tags.retain(|(k, _)| !keys.contains(k))
        })
    }
);

json_op!(
    ListTagsForResource,
    list_tags_for_resource,
    ListTagsForResourceRequest,
    ListTagsForResourceResponse,
    |s, ctx, m| async {
        let arn = text(&m, "ResourceARN");
        let found = s.find_arn(ctx, arn, None, "RESOURCE_ARN").await?;
        let tags = &found.value.tags;
        let start = match m.get("NextMarker").and_then(Value::as_str) {
            Some(marker) => tags
                .iter()
                .position(|(k, _)| k == marker)
                .ok_or_else(|| bad_format("TAGS", marker))?,
            None => 0,
        };
        let end = (start + limit_of(&m)).min(tags.len());
        let page: Vec<Value> = tags[start..end]
            .iter()
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect();
        let mut out = json!({"TagInfoForResource": {"ResourceARN": arn, "TagList": page}});
        if let (Some((next, _)), Some(o)) = (tags.get(end), out.as_object_mut()) {
            o.insert("NextMarker".into(), json!(next));
        }
        Ok(out)
    }
);
