//! CreateBasePathMapping, GetBasePathMapping, GetBasePathMappings, UpdateBasePathMapping,
//! DeleteBasePathMapping: which REST API and stage a custom domain name's base path
//! invokes. The empty base path is `(none)`; mappings live in the domain's row.

use crate::generated::errors::{bad_request_exception, conflict_exception, not_found_exception};
use crate::generated::*;
use crate::ops::apis::page_limit;
use crate::ops::domains::domain_not_found;
use crate::record::{DomainRecord, MappingRecord, child_row, domain_row};
use crate::service::{ApiGatewayService, authorize, internal};
use rampart_core::RequestContext;

/// NotFoundException for a base path the domain does not map.
fn mapping_not_found() -> ServiceError {
    not_found_exception("Invalid base path mapping identifier specified")
}

/// The stored form of base path `path`: `(none)` and absent are the empty path.
fn base_path(path: Option<&str>) -> Result<String, ServiceError> {
    let path = match path.unwrap_or("") {
        "(none)" => "",
        other => other,
    };
    let ok = !path.starts_with('/')
        && !path.ends_with('/')
        && !path.contains("//")
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._/".contains(&b));
    if ok {
        return Ok(path.to_owned());
    }
    Err(bad_request_exception(format!(
        "Invalid base path: {path}. Base paths may contain only alphanumerics and -._/"
    )))
}

/// The response view of mapping `path` to `m`.
fn view(path: &str, m: &MappingRecord) -> BasePathMapping {
    BasePathMapping {
        base_path: Some(if path.is_empty() { "(none)" } else { path }.to_owned()),
        rest_api_id: Some(m.rest_api_id.clone()),
        stage: (!m.stage.is_empty()).then(|| m.stage.clone()),
    }
}

impl ApiGatewayService {
    /// Checks that the caller has API `api` with stage `stage` (when named).
    async fn check_target(
        &self,
        ctx: &RequestContext,
        api: &str,
        stage: &str,
    ) -> Result<(), ServiceError> {
        let key = Self::api_key(ctx, api);
        if self.apis.get(&key).await.map_err(internal)?.is_none() {
            return Err(bad_request_exception(
                "Invalid REST API identifier specified",
            ));
        }
        if stage.is_empty() {
            return Ok(());
        }
        let found = self.stages.get(&child_row(&key, stage)).await;
        if found.map_err(internal)?.is_none() {
            return Err(bad_request_exception("Invalid stage identifier specified"));
        }
        Ok(())
    }

    /// Applies `change` to the caller's domain `name` and refreshes the edge.
    async fn change_domain<R, F>(
        &self,
        ctx: &RequestContext,
        name: &str,
        change: F,
    ) -> Result<R, ServiceError>
    where
        F: FnMut(&mut DomainRecord) -> Result<R, ServiceError>,
    {
        let mut change = change;
        let key = domain_row(ctx.account().as_str(), ctx.region.as_str(), name);
        let mut out = None;
        self.mutate_child(&self.domains, &key, domain_not_found, |d| {
            out = Some(change(d)?);
            Ok(())
        })
        .await?;
        out.ok_or_else(mapping_not_found)
    }
}

impl CreateBasePathMapping for ApiGatewayService {
    async fn create_base_path_mapping(
        &self,
        ctx: &RequestContext,
        input: CreateBasePathMappingRequest,
    ) -> Result<BasePathMapping, ServiceError> {
        let name = input.domain_name.unwrap_or_default();
        authorize(
            ctx,
            "POST",
            &format!("/domainnames/{name}/basepathmappings"),
        )?;
        let path = base_path(input.base_path.as_deref())?;
        let mapping = MappingRecord {
            rest_api_id: input.rest_api_id.unwrap_or_default(),
            stage: input.stage.unwrap_or_default(),
        };
        self.load_domain(ctx, &name).await?;
        self.check_target(ctx, &mapping.rest_api_id, &mapping.stage)
            .await?;
        self.change_domain(ctx, &name, |d| {
            if d.mappings.contains_key(&path) {
                return Err(conflict_exception(
                    "Base path already exists for this domain name",
                ));
            }
            d.mappings.insert(path.clone(), mapping.clone());
            Ok(view(&path, &mapping))
        })
        .await
    }
}

impl GetBasePathMapping for ApiGatewayService {
    async fn get_base_path_mapping(
        &self,
        ctx: &RequestContext,
        input: GetBasePathMappingRequest,
    ) -> Result<BasePathMapping, ServiceError> {
        let name = input.domain_name.unwrap_or_default();
        let path = base_path(input.base_path.as_deref())?;
        authorize(ctx, "GET", &format!("/domainnames/{name}/basepathmappings"))?;
        let found = self.load_domain(ctx, &name).await?;
        let mapping = found
            .value
            .mappings
            .get(&path)
            .ok_or_else(mapping_not_found)?;
        Ok(view(&path, mapping))
    }
}

impl GetBasePathMappings for ApiGatewayService {
    async fn get_base_path_mappings(
        &self,
        ctx: &RequestContext,
        input: GetBasePathMappingsRequest,
    ) -> Result<BasePathMappings, ServiceError> {
        let name = input.domain_name.unwrap_or_default();
        authorize(ctx, "GET", &format!("/domainnames/{name}/basepathmappings"))?;
        let limit = page_limit(input.limit)?;
        let found = self.load_domain(ctx, &name).await?;
        let after = input
            .position
            .map(|p| if p == "(none)" { String::new() } else { p });
        let mut page: Vec<_> = found
            .value
            .mappings
            .iter()
            .filter(|(p, _)| after.as_ref().is_none_or(|a| *p > a))
            .take(limit + 1)
            .collect();
        let more = page.len() > limit;
        page.truncate(limit);
        let position = more
            .then(|| {
                page.last()
                    .map(|(p, m)| view(p, m).base_path.unwrap_or_default())
            })
            .flatten();
        Ok(BasePathMappings {
            items: Some(page.into_iter().map(|(p, m)| view(p, m)).collect()),
            position,
        })
    }
}

impl DeleteBasePathMapping for ApiGatewayService {
    async fn delete_base_path_mapping(
        &self,
        ctx: &RequestContext,
        input: DeleteBasePathMappingRequest,
    ) -> Result<(), ServiceError> {
        let name = input.domain_name.unwrap_or_default();
        authorize(
            ctx,
            "DELETE",
            &format!("/domainnames/{name}/basepathmappings"),
        )?;
        let path = base_path(input.base_path.as_deref())?;
        self.change_domain(ctx, &name, |d| {
            d.mappings
                .remove(&path)
                .map(|_| ())
                .ok_or_else(mapping_not_found)
        })
        .await
    }
}

impl UpdateBasePathMapping for ApiGatewayService {
    async fn update_base_path_mapping(
        &self,
        ctx: &RequestContext,
        input: UpdateBasePathMappingRequest,
    ) -> Result<BasePathMapping, ServiceError> {
        let name = input.domain_name.unwrap_or_default();
        authorize(
            ctx,
            "PATCH",
            &format!("/domainnames/{name}/basepathmappings"),
        )?;
        let path = base_path(input.base_path.as_deref())?;
        let found = self.load_domain(ctx, &name).await?;
        let mut mapping = found.value.mappings.get(&path).cloned();
        let current = mapping.as_mut().ok_or_else(mapping_not_found)?;
        let mut new_path = path.clone();
        for patch in crate::patch::patches(input.patch_operations)? {
            match (patch.op.as_str(), patch.path.as_str()) {
                ("replace", "/basePath") => new_path = base_path(Some(patch.value()?))?,
                ("replace", "/restapiId") => current.rest_api_id = patch.value()?.to_owned(),
                ("replace", "/stage") => current.stage = patch.value()?.to_owned(),
                (op, p) => {
                    return Err(bad_request_exception(format!(
                        "Invalid patch path '{p}' specified for op '{op}'. Must be one of: [/basePath, /restapiId, /stage]"
                    )));
                }
            }
        }
        let updated = current.clone();
        self.check_target(ctx, &updated.rest_api_id, &updated.stage)
            .await?;
        self.change_domain(ctx, &name, |d| {
            d.mappings.remove(&path).ok_or_else(mapping_not_found)?;
            if d.mappings.contains_key(&new_path) {
                return Err(conflict_exception(
                    "Base path already exists for this domain name",
                ));
            }
            d.mappings.insert(new_path.clone(), updated.clone());
            Ok(view(&new_path, &updated))
        })
        .await
    }
}
