//! CreateStage, GetStage, GetStages, UpdateStage (description, deployment, variables,
//! tracing, cache settings, and method settings such as throttling under
//! `/<resource path>/<method>/<area>/<setting>` or `/*/*/…`), DeleteStage.

use crate::convert::{map_of, stage};
use crate::generated::errors::{bad_request_exception, conflict_exception, not_found_exception};
use crate::generated::{
    CreateStage, CreateStageRequest, DeleteStage, DeleteStageRequest, GetStage, GetStageRequest,
    GetStages, GetStagesRequest, ServiceError, Stage, Stages, UpdateStage, UpdateStageRequest,
};
use crate::ops::deployments::deployment_not_found;
use crate::patch::{Patch, patches};
use crate::record::{Map, MethodSettingRecord, StageRecord, child_row};
use crate::service::{ApiGatewayService, authorize, internal};
use rampart_core::RequestContext;
use rampart_store::Expect;
use std::collections::BTreeMap;

/// NotFoundException for a stage the API does not have.
pub(crate) fn stage_not_found() -> ServiceError {
    not_found_exception("Invalid Stage identifier specified")
}

/// A new stage `name` on deployment `deployment`.
pub(crate) fn new_stage(name: &str, deployment: &str, now: i64) -> StageRecord {
    StageRecord {
        name: name.to_owned(),
        deployment_id: deployment.to_owned(),
        description: None,
        created_ms: now,
        updated_ms: now,
        variables: Map::new(),
        method_settings: BTreeMap::new(),
        tracing_enabled: false,
        cache_cluster_enabled: false,
        cache_cluster_size: None,
        documentation_version: None,
        tags: Map::new(),
    }
}

/// Stage names are `[a-zA-Z0-9_-]{1,128}`.
pub(crate) fn check_stage_name(name: &str) -> Result<(), ServiceError> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        return Ok(());
    }
    Err(bad_request_exception(
        "Stage name only allows a-zA-Z0-9_ and must be between 1 and 128 characters in length",
    ))
}

/// Stage variable names are `[A-Za-z0-9_]+`, values `[A-Za-z0-9-._~:/?#&=,]+` (512 at most).
pub(crate) fn check_variables(vars: &Map) -> Result<(), ServiceError> {
    for (name, value) in vars {
        let name_ok =
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        let value_ok = !value.is_empty()
            && value.len() <= 512
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~:/?#&=,".contains(&b));
        if !name_ok || !value_ok {
            return Err(bad_request_exception(format!(
                "Stage variable value {value} for variable {name} is not valid. Stage variable names must contain only alphanumeric and underscore characters, values only alphanumeric characters and -._~:/?#&=,"
            )));
        }
    }
    Ok(())
}

impl CreateStage for ApiGatewayService {
    async fn create_stage(
        &self,
        ctx: &RequestContext,
        input: CreateStageRequest,
    ) -> Result<Stage, ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        let name = input.stage_name.unwrap_or_default();
        let did = input.deployment_id.unwrap_or_default();
        authorize(ctx, "POST", &format!("/restapis/{id}/stages"))?;
        check_stage_name(&name)?;
        let mut record = new_stage(&name, &did, self.now_ms());
        record.variables = map_of(input.variables);
        check_variables(&record.variables)?;
        record.description = input.description;
        record.tracing_enabled = input.tracing_enabled.unwrap_or(false);
        record.cache_cluster_enabled = input.cache_cluster_enabled.unwrap_or(false);
        record.cache_cluster_size = input.cache_cluster_size.map(|s| s.as_str().to_owned());
        record.documentation_version = input.documentation_version;
        record.tags = map_of(input.tags);
        self.load_api(ctx, &id).await?;
        let api_key = Self::api_key(ctx, &id);
        let deployment = self.deployments.get(&child_row(&api_key, &did)).await;
        if deployment.map_err(internal)?.is_none() {
            return Err(deployment_not_found());
        }
        let put = self
            .stages
            .put(&child_row(&api_key, &name), &record, Expect::Absent);
        self.commit(vec![put.map_err(internal)?], || {
            conflict_exception("Stage already exists")
        })
        .await?;
        self.refresh_edge().await;
        Ok(stage(&record))
    }
}

impl GetStage for ApiGatewayService {
    async fn get_stage(
        &self,
        ctx: &RequestContext,
        input: GetStageRequest,
    ) -> Result<Stage, ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        let name = input.stage_name.unwrap_or_default();
        authorize(ctx, "GET", &format!("/restapis/{id}/stages/{name}"))?;
        self.load_api(ctx, &id).await?;
        let key = child_row(&Self::api_key(ctx, &id), &name);
        let found = self.stages.get(&key).await.map_err(internal)?;
        Ok(stage(&found.ok_or_else(stage_not_found)?.value))
    }
}

impl GetStages for ApiGatewayService {
    async fn get_stages(
        &self,
        ctx: &RequestContext,
        input: GetStagesRequest,
    ) -> Result<Stages, ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        authorize(ctx, "GET", &format!("/restapis/{id}/stages"))?;
        self.load_api(ctx, &id).await?;
        let rows = self.children(&self.stages, ctx, &id).await?;
        let wanted = input.deployment_id;
        Ok(Stages {
            item: Some(
                rows.iter()
                    .map(|(_, s)| &s.value)
                    .filter(|s| wanted.as_ref().is_none_or(|d| &s.deployment_id == d))
                    .map(stage)
                    .collect(),
            ),
        })
    }
}

impl UpdateStage for ApiGatewayService {
    async fn update_stage(
        &self,
        ctx: &RequestContext,
        input: UpdateStageRequest,
    ) -> Result<Stage, ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        let name = input.stage_name.unwrap_or_default();
        authorize(ctx, "PATCH", &format!("/restapis/{id}/stages/{name}"))?;
        let ops = patches(input.patch_operations)?;
        self.load_api(ctx, &id).await?;
        let api_key = Self::api_key(ctx, &id);
        // A new deployment id must name a deployment of this API.
        for p in ops.iter().filter(|p| p.path == "/deploymentId") {
            let key = child_row(&api_key, p.value()?);
            if self
                .deployments
                .get(&key)
                .await
                .map_err(internal)?
                .is_none()
            {
                return Err(deployment_not_found());
            }
        }
        let now = self.now_ms();
        let key = child_row(&api_key, &name);
        let record = self
            .mutate_child(&self.stages, &key, stage_not_found, |s| {
                ops.iter().try_for_each(|p| patch_stage(s, p))?;
                check_variables(&s.variables)?;
                s.updated_ms = now;
                Ok(())
            })
            .await?;
        Ok(stage(&record))
    }
}

/// Applies one patch operation to a stage.
fn patch_stage(s: &mut StageRecord, p: &Patch) -> Result<(), ServiceError> {
    let segments = p.segments();
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    match (p.op.as_str(), segs.as_slice()) {
        ("replace", ["description"]) => s.description = p.value.clone(),
        ("replace", ["deploymentId"]) => s.deployment_id = p.value()?.to_owned(),
        ("replace", ["tracingEnabled"]) => s.tracing_enabled = p.bool_value()?,
        ("replace", ["cacheClusterEnabled"]) => s.cache_cluster_enabled = p.bool_value()?,
        ("replace", ["cacheClusterSize"]) => s.cache_cluster_size = p.value.clone(),
        ("replace", ["documentationVersion"]) => s.documentation_version = p.value.clone(),
        ("add" | "replace", ["variables", name]) => {
            s.variables
                .insert((*name).to_owned(), p.value()?.to_owned());
        }
        ("remove", ["variables", name]) => {
            s.variables.remove(*name);
        }
        ("replace", [resource, method, area, setting]) => {
            let key = format!("{}/{method}", resource.trim_start_matches('/'));
            let entry = s.method_settings.entry(key).or_default();
            method_setting(entry, area, setting, p)?;
        }
        ("remove", [resource, method]) => {
            s.method_settings
                .remove(&format!("{}/{method}", resource.trim_start_matches('/')));
        }
        _ => return Err(p.unsupported()),
    }
    Ok(())
}

/// Sets `<area>/<setting>` of a method setting.
fn method_setting(
    m: &mut MethodSettingRecord,
    area: &str,
    setting: &str,
    p: &Patch,
) -> Result<(), ServiceError> {
    match (area, setting) {
        ("throttling", "rateLimit") => m.throttling_rate_limit = p.float_value()?,
        ("throttling", "burstLimit") => m.throttling_burst_limit = p.int_value()?,
        ("metrics", "enabled") => m.metrics_enabled = p.bool_value()?,
        ("logging", "loglevel") => m.logging_level = log_level(p.value()?)?,
        ("logging", "dataTrace") => m.data_trace_enabled = p.bool_value()?,
        ("caching", "enabled") => m.caching_enabled = p.bool_value()?,
        ("caching", "ttlInSeconds") => m.cache_ttl_in_seconds = p.int_value()?,
        ("caching", "dataEncrypted") => m.cache_data_encrypted = p.bool_value()?,
        ("caching", "requireAuthorizationForCacheControl") => {
            m.require_authorization_for_cache_control = p.bool_value()?
        }
        ("caching", "unauthorizedCacheControlHeaderStrategy") => {
            m.unauthorized_cache_control_header_strategy = p.value()?.to_owned()
        }
        _ => return Err(p.unsupported()),
    }
    if m.throttling_rate_limit < 0.0 || m.throttling_burst_limit < 0 {
        return Err(bad_request_exception(
            "Throttling limits must not be negative",
        ));
    }
    Ok(())
}

/// OFF, ERROR or INFO.
fn log_level(value: &str) -> Result<String, ServiceError> {
    match value {
        "OFF" | "ERROR" | "INFO" => Ok(value.to_owned()),
        _ => Err(bad_request_exception(format!(
            "Invalid log level: {value}. Valid values are OFF, ERROR and INFO"
        ))),
    }
}

impl DeleteStage for ApiGatewayService {
    async fn delete_stage(
        &self,
        ctx: &RequestContext,
        input: DeleteStageRequest,
    ) -> Result<(), ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        let name = input.stage_name.unwrap_or_default();
        authorize(ctx, "DELETE", &format!("/restapis/{id}/stages/{name}"))?;
        self.load_api(ctx, &id).await?;
        let key = child_row(&Self::api_key(ctx, &id), &name);
        let found = self.stages.get(&key).await.map_err(internal)?;
        let found = found.ok_or_else(stage_not_found)?;
        let delete = self.stages.delete(&key, Expect::Version(found.version));
        self.commit(vec![delete], stage_not_found).await?;
        self.refresh_edge().await;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn patch(op: &str, path: &str, value: &str) -> Patch {
        Patch {
            op: op.into(),
            path: path.into(),
            value: Some(value.into()),
        }
    }

    #[test]
    fn throttling_and_variables_are_patched() {
        let mut s = new_stage("prod", "d1", 0);
        patch_stage(&mut s, &patch("replace", "/*/*/throttling/rateLimit", "5")).unwrap();
        patch_stage(
            &mut s,
            &patch("replace", "/~1pets/GET/throttling/burstLimit", "2"),
        )
        .unwrap();
        patch_stage(&mut s, &patch("add", "/variables/host", "example.com")).unwrap();
        assert_eq!(s.method_settings["*/*"].throttling_rate_limit, 5.0);
        assert_eq!(s.method_settings["pets/GET"].throttling_burst_limit, 2);
        assert_eq!(s.variables["host"], "example.com");
        assert!(patch_stage(&mut s, &patch("replace", "/nope", "x")).is_err());
        assert!(patch_stage(&mut s, &patch("replace", "/*/*/throttling/rateLimit", "x")).is_err());
    }

    #[test]
    fn names_and_variables_are_checked() {
        assert!(check_stage_name("prod_1-a").is_ok());
        assert!(check_stage_name("").is_err() && check_stage_name("a b").is_err());
        let mut vars = Map::new();
        vars.insert("url".into(), "http://h:1/p?q=1".into());
        assert!(check_variables(&vars).is_ok());
        vars.insert("bad name".into(), "v".into());
        assert!(check_variables(&vars).is_err());
    }
}
