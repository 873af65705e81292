//! TagResource, UntagResource, ListTagsForResource on buses and rules (tags live in the bus's
//! or rule's row).

use crate::EventsService;
use crate::access::{authorize, bus_not_found, rule_not_found, validation};
use crate::generated::*;
use crate::store::{BusRef, DEFAULT_BUS, is_conflict, store_err};
use rampart_core::RequestContext;
use rampart_store::{Expect, retry_conflicts};

/// AWS's limit of tags per resource.
const MAX_TAGS: usize = 50;

/// Checks a tag set: at most 50, no `aws:` keys, no key twice.
pub fn check_tags(tags: &[Tag]) -> Result<(), ServiceError> {
    if tags.len() > MAX_TAGS {
        return Err(validation(format!(
            "A resource can have at most {MAX_TAGS} tags."
        )));
    }
    for (i, tag) in tags.iter().enumerate() {
        let key = tag.key.as_deref().unwrap_or_default();
        if key.starts_with("aws:") {
            return Err(validation("Tag keys starting with aws: are reserved."));
        }
        if tags[..i].iter().any(|t| t.key == tag.key) {
            return Err(validation(format!("Duplicate tag key {key}.")));
        }
    }
    Ok(())
}

/// What an events ARN names.
enum Resource {
    Bus(BusRef),
    Rule(BusRef, String),
}

fn parse_arn(arn: &str) -> Option<Resource> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, _, "events", region, account, path] = parts.as_slice() else {
        return None;
    };
    let bus = |name: &str| BusRef {
        account: (*account).to_owned(),
        region: (*region).to_owned(),
        name: name.to_owned(),
    };
    if let Some(name) = path.strip_prefix("event-bus/") {
        return Some(Resource::Bus(bus(name)));
    }
    let rule = path.strip_prefix("rule/")?;
    Some(match rule.rsplit_once('/') {
        Some((b, r)) => Resource::Rule(bus(b), r.to_owned()),
        None => Resource::Rule(bus(DEFAULT_BUS), rule.to_owned()),
    })
}

impl EventsService {
    /// Applies `change` to the tags of the resource `arn`, authorized as `operation`.
    async fn change_tags(
        &self,
        ctx: &RequestContext,
        operation: &str,
        arn: &str,
        change: impl Fn(&mut Vec<Tag>) -> Result<(), ServiceError>,
    ) -> Result<Vec<Tag>, ServiceError> {
        let resource = parse_arn(arn)
            .ok_or_else(|| validation(format!("Parameter ResourceARN is not valid: {arn}")))?;
        let owner = match &resource {
            Resource::Bus(b) | Resource::Rule(b, _) => b.account.clone(),
        };
        authorize(ctx, operation, arn, &owner, None)?;
        retry_conflicts(is_conflict, || async {
            match &resource {
                Resource::Bus(bus) => self.change_bus_tags(bus, &change).await,
                Resource::Rule(bus, name) => self.change_rule_tags(bus, name, &change).await,
            }
        })
        .await
    }

    async fn change_bus_tags(
        &self,
        bus: &BusRef,
        change: &impl Fn(&mut Vec<Tag>) -> Result<(), ServiceError>,
    ) -> Result<Vec<Tag>, ServiceError> {
        let Ok((mut record, version)) = self.load_bus(bus).await else {
            return Err(bus_not_found(&bus.name));
        };
        let before = record.tags.clone();
        change(&mut record.tags)?;
        if record.tags != before {
            self.save_bus(bus, &record, version).await?;
        }
        Ok(record.tags)
    }

    async fn change_rule_tags(
        &self,
        bus: &BusRef,
        name: &str,
        change: &impl Fn(&mut Vec<Tag>) -> Result<(), ServiceError>,
    ) -> Result<Vec<Tag>, ServiceError> {
        let row = self.tables.rule(bus, name).await?;
        let row = row.ok_or_else(|| rule_not_found(name, &bus.name))?;
        let mut record = row.value;
        super::rules::refuse_managed(&record)?;
        let before = record.tags.clone();
        change(&mut record.tags)?;
        if record.tags != before {
            let key = bus.rule_row(name);
            let w = self
                .tables
                .rules
                .put(&key, &record, Expect::Version(row.version));
            self.tables.commit(vec![w.map_err(store_err)?]).await?;
        }
        Ok(record.tags)
    }
}

impl TagResource for EventsService {
    async fn tag_resource(
        &self,
        ctx: &RequestContext,
        input: TagResourceRequest,
    ) -> Result<TagResourceResponse, ServiceError> {
        let arn = input.resource_arn.unwrap_or_default();
        let new = input.tags.unwrap_or_default();
        self.change_tags(ctx, "TagResource", &arn, |tags| {
            for tag in &new {
                match tags.iter_mut().find(|t| t.key == tag.key) {
                    Some(existing) => existing.value = tag.value.clone(),
                    None => tags.push(tag.clone()),
                }
            }
            check_tags(tags)
        })
        .await?;
        Ok(TagResourceResponse {})
    }
}

impl UntagResource for EventsService {
    async fn untag_resource(
        &self,
        ctx: &RequestContext,
        input: UntagResourceRequest,
    ) -> Result<UntagResourceResponse, ServiceError> {
        let arn = input.resource_arn.unwrap_or_default();
        let keys = input.tag_keys.unwrap_or_default();
        self.change_tags(ctx, "UntagResource", &arn, |tags| {
            tags.retain(|t| !keys.iter().any(|k| t.key.as_deref() == Some(k)));
            Ok(())
        })
        .await?;
        Ok(UntagResourceResponse {})
    }
}

impl ListTagsForResource for EventsService {
    async fn list_tags_for_resource(
        &self,
        ctx: &RequestContext,
        input: ListTagsForResourceRequest,
    ) -> Result<ListTagsForResourceResponse, ServiceError> {
        let arn = input.resource_arn.unwrap_or_default();
        let tags = self
            .change_tags(ctx, "ListTagsForResource", &arn, |_| Ok(()))
            .await?;
        Ok(ListTagsForResourceResponse { tags: Some(tags) })
    }
}
