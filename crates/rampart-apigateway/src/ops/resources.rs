//! GetResources, GetResource, CreateResource, UpdateResource, DeleteResource: the resource
//! tree, with literal, `{param}` and greedy `{param+}` path parts.

use crate::convert::resource;
use crate::generated::errors::{bad_request_exception, conflict_exception, not_found_exception};
use crate::generated::{
    CreateResource, CreateResourceRequest, DeleteResource, DeleteResourceRequest, GetResource,
    GetResourceRequest, GetResources, GetResourcesRequest, Resource, Resources, ServiceError,
    UpdateResource, UpdateResourceRequest,
};
use crate::ids::api_id;
use crate::ops::apis::page_limit;
use crate::patch::patches;
use crate::record::{ApiRecord, ResourceRecord};
use crate::service::{ApiGatewayService, authorize};
use rampart_core::RequestContext;
use std::collections::BTreeMap;

/// NotFoundException for a resource id the API does not have.
pub(crate) fn resource_not_found() -> ServiceError {
    not_found_exception("Invalid Resource identifier specified")
}

/// Whether `embed` asks for methods.
fn embeds_methods(embed: Option<&Vec<String>>) -> bool {
    embed.is_some_and(|e| e.iter().any(|v| v == "methods"))
}

impl GetResources for ApiGatewayService {
    async fn get_resources(
        &self,
        ctx: &RequestContext,
        input: GetResourcesRequest,
    ) -> Result<Resources, ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        authorize(ctx, "GET", &format!("/restapis/{id}/resources"))?;
        let limit = page_limit(input.limit)?;
        let api = self.load_api(ctx, &id).await?.value;
        let embed = embeds_methods(input.embed.as_ref());
        let mut all: Vec<&ResourceRecord> = api.resources.values().collect();
        all.sort_by(|a, b| a.path.cmp(&b.path).then(a.id.cmp(&b.id)));
        let start = match &input.position {
            Some(p) => all
                .iter()
                .position(|r| &r.id == p)
                .map_or(all.len(), |i| i + 1),
            None => 0,
        };
        let page: Vec<&ResourceRecord> = all.iter().skip(start).take(limit).copied().collect();
        let more = start + page.len() < all.len();
        Ok(Resources {
            position: more.then(|| page.last().map(|r| r.id.clone())).flatten(),
            items: Some(page.iter().map(|r| resource(r, embed)).collect()),
        })
    }
}

impl GetResource for ApiGatewayService {
    async fn get_resource(
        &self,
        ctx: &RequestContext,
        input: GetResourceRequest,
    ) -> Result<Resource, ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        let rid = input.resource_id.unwrap_or_default();
        authorize(ctx, "GET", &format!("/restapis/{id}/resources/{rid}"))?;
        let api = self.load_api(ctx, &id).await?.value;
        let found = api.resources.get(&rid).ok_or_else(resource_not_found)?;
        Ok(resource(found, embeds_methods(input.embed.as_ref())))
    }
}

impl CreateResource for ApiGatewayService {
    async fn create_resource(
        &self,
        ctx: &RequestContext,
        input: CreateResourceRequest,
    ) -> Result<Resource, ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        authorize(ctx, "POST", &format!("/restapis/{id}/resources"))?;
        let parent = input.parent_id.unwrap_or_default();
        let part = input.path_part.unwrap_or_default();
        check_path_part(&part)?;
        let new_id = api_id();
        let (api, ()) = self
            .mutate_api(ctx, &id, |api| {
                place(api, &new_id, &parent, &part)?;
                api.resources.insert(
                    new_id.clone(),
                    ResourceRecord {
                        id: new_id.clone(),
                        parent_id: Some(parent.clone()),
                        path_part: Some(part.clone()),
                        path: String::new(),
                        methods: BTreeMap::new(),
                    },
                );
                api.repath();
                Ok(())
            })
            .await?;
        let created = api.resources.get(&new_id).ok_or_else(resource_not_found)?;
        Ok(resource(created, false))
    }
}

/// Checks that resource `id` may sit under `parent` with path part `part`: the parent exists
/// and is not greedy, no sibling has the name, at most one sibling is a variable.
pub(crate) fn place(
    api: &ApiRecord,
    id: &str,
    parent: &str,
    part: &str,
) -> Result<(), ServiceError> {
    let parent_record = api.resources.get(parent).ok_or_else(resource_not_found)?;
    if parent_record.path_part.as_deref().is_some_and(is_greedy) {
        return Err(bad_request_exception(format!(
            "Cannot create a child of a resource with a greedy path variable: {}",
            parent_record.path_part.as_deref().unwrap_or_default()
        )));
    }
    let siblings = api
        .resources
        .values()
        .filter(|r| r.parent_id.as_deref() == Some(parent) && r.id != id);
    for sibling in siblings {
        let name = sibling.path_part.as_deref().unwrap_or_default();
        if name == part {
            return Err(conflict_exception(format!(
                "Another resource with the same parent already has this name: {part}"
            )));
        }
        if is_variable(name) && is_variable(part) {
            return Err(bad_request_exception(format!(
                "A sibling ({name}) of this resource already has a variable path part -- only one is allowed"
            )));
        }
    }
    Ok(())
}

/// `{name}` or `{name+}`.
pub(crate) fn is_variable(part: &str) -> bool {
    part.starts_with('{') && part.ends_with('}')
}

/// `{name+}`.
pub(crate) fn is_greedy(part: &str) -> bool {
    part.starts_with('{') && part.ends_with("+}")
}

/// A path part is `[a-zA-Z0-9._:-]+`, or that within braces with an optional `+` last.
pub(crate) fn check_path_part(part: &str) -> Result<(), ServiceError> {
    let plain = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._:-".contains(&b))
    };
    let inner = part
        .strip_prefix('{')
        .and_then(|p| p.strip_suffix('}'))
        .map(|p| p.strip_suffix('+').unwrap_or(p));
    let ok = match inner {
        Some(name) => plain(name),
        None => plain(part),
    };
    if ok {
        return Ok(());
    }
    Err(bad_request_exception(
        "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.",
    ))
}

impl UpdateResource for ApiGatewayService {
    async fn update_resource(
        &self,
        ctx: &RequestContext,
        input: UpdateResourceRequest,
    ) -> Result<Resource, ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        let rid = input.resource_id.unwrap_or_default();
        authorize(ctx, "PATCH", &format!("/restapis/{id}/resources/{rid}"))?;
        let ops = patches(input.patch_operations)?;
        let (api, ()) = self
            .mutate_api(ctx, &id, |api| {
                let current = api.resources.get(&rid).ok_or_else(resource_not_found)?;
                let (mut parent, mut part) = (current.parent_id.clone(), current.path_part.clone());
                for p in &ops {
                    match (p.op.as_str(), p.path.as_str()) {
                        ("replace", "/pathPart") => part = Some(p.value()?.to_owned()),
                        ("replace", "/parentId") => parent = Some(p.value()?.to_owned()),
                        _ => return Err(p.unsupported()),
                    }
                }
                move_resource(api, &rid, parent, part)
            })
            .await?;
        let updated = api.resources.get(&rid).ok_or_else(resource_not_found)?;
        Ok(resource(updated, false))
    }
}

/// Gives resource `rid` a new parent and path part (not the root, not under itself).
fn move_resource(
    api: &mut ApiRecord,
    rid: &str,
    parent: Option<String>,
    part: Option<String>,
) -> Result<(), ServiceError> {
    let (Some(parent), Some(part)) = (parent, part) else {
        return Err(bad_request_exception(
            "The root resource cannot be modified.",
        ));
    };
    check_path_part(&part)?;
    if api.subtree(rid).contains(&parent) {
        return Err(bad_request_exception(
            "The resource cannot be moved under itself or one of its descendants.",
        ));
    }
    place(api, rid, &parent, &part)?;
    if let Some(r) = api.resources.get_mut(rid) {
        r.parent_id = Some(parent);
        r.path_part = Some(part);
    }
    api.repath();
    Ok(())
}

impl DeleteResource for ApiGatewayService {
    async fn delete_resource(
        &self,
        ctx: &RequestContext,
        input: DeleteResourceRequest,
    ) -> Result<(), ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        let rid = input.resource_id.unwrap_or_default();
        authorize(ctx, "DELETE", &format!("/restapis/{id}/resources/{rid}"))?;
        self.mutate_api(ctx, &id, |api| {
            if !api.resources.contains_key(&rid) {
                return Err(resource_not_found());
            }
            if api.root_id == rid {
                return Err(bad_request_exception("Cannot delete root resource"));
            }
            for gone in api.subtree(&rid) {
                api.resources.remove(&gone);
            }
            Ok(())
        })
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parts_are_literals_or_variables() {
        for ok in ["pets", "a.b_c-d:e", "{id}", "{proxy+}"] {
            assert!(check_path_part(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a/b", "{}", "{a", "a}", "{a+b}", "a b"] {
            assert!(check_path_part(bad).is_err(), "{bad}");
        }
        assert!(is_greedy("{proxy+}") && !is_greedy("{id}"));
        assert!(is_variable("{id}") && !is_variable("id"));
    }
}
