//! ImportRestApi (a new API from an OpenAPI 3 / Swagger 2 definition) and PutRestApi (a
//! definition merged into, or overwriting, an existing API). The whole definition is read and
//! checked before anything is written; any error leaves every API as it was, and with
//! `failonwarnings` so does any warning. Warnings otherwise come back in `warnings`.

use crate::convert::rest_api;
use crate::generated::errors::bad_request_exception;
use crate::generated::{
    ImportRestApi, ImportRestApiRequest, PutMode, PutRestApi, PutRestApiRequest, RestApi,
    ServiceError,
};
use crate::ids::api_id;
use crate::openapi::{Definition, import_errors, import_warnings, read};
use crate::ops::apis::check_vpc_endpoints;
use crate::ops::resources::{check_path_part, place};
use crate::record::{ApiRecord, MethodRecord, ResourceRecord};
use crate::service::{ApiGatewayService, authorize, internal};
use rampart_core::RequestContext;
use rampart_store::Expect;
use std::collections::BTreeMap;

impl ImportRestApi for ApiGatewayService {
    async fn import_rest_api(
        &self,
        ctx: &RequestContext,
        input: ImportRestApiRequest,
    ) -> Result<RestApi, ServiceError> {
        authorize(ctx, "POST", "/restapis")?;
        let body = input.body.map(|b| b.0).unwrap_or_default();
        let def = read(&body, &input.parameters.unwrap_or_default())?;
        check_warnings(&def, input.fail_on_warnings)?;
        let mut record = new_api(&def, self.now_ms())?;
        apply_paths(&mut record, &def.paths)?;
        let key = Self::api_key(ctx, &record.id);
        let put = self.apis.put(&key, &record, Expect::Absent);
        self.commit(vec![put.map_err(internal)?], || {
            bad_request_exception("The REST API could not be created; retry the request.")
        })
        .await?;
        Ok(with_warnings(&record, def.warnings))
    }
}

impl PutRestApi for ApiGatewayService {
    async fn put_rest_api(
        &self,
        ctx: &RequestContext,
        input: PutRestApiRequest,
    ) -> Result<RestApi, ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        authorize(ctx, "PUT", &format!("/restapis/{id}"))?;
        let overwrite = match input.mode {
            None | Some(PutMode::Merge) => false,
            Some(PutMode::Overwrite) => true,
            Some(PutMode::Unknown(m)) => {
                return Err(bad_request_exception(format!(
                    "Invalid mode specified: {m}. Valid values are merge and overwrite."
                )));
            }
        };
        let body = input.body.map(|b| b.0).unwrap_or_default();
        let def = read(&body, &input.parameters.unwrap_or_default())?;
        check_warnings(&def, input.fail_on_warnings)?;
        let (record, ()) = self
            .mutate_api(ctx, &id, |api| {
                if overwrite {
                    overwrite_api(api, &def);
                } else {
                    merge_api(api, &def);
                }
                check_vpc_endpoints(api)?;
                apply_paths(api, &def.paths)
            })
            .await?;
        self.refresh_edge().await;
        Ok(with_warnings(&record, def.warnings))
    }
}

/// With `failonwarnings`, any warning fails the call.
fn check_warnings(def: &Definition, fail: Option<bool>) -> Result<(), ServiceError> {
    if fail == Some(true) && !def.warnings.is_empty() {
        return Err(import_warnings(&def.warnings));
    }
    Ok(())
}

/// The API's wire form with the import's warnings.
fn with_warnings(record: &ApiRecord, warnings: Vec<String>) -> RestApi {
    let mut out = rest_api(record);
    out.warnings = (!warnings.is_empty()).then_some(warnings);
    out
}

/// The new API a definition describes, with only its root resource.
fn new_api(def: &Definition, now_ms: i64) -> Result<ApiRecord, ServiceError> {
    let Some(name) = def.name.clone() else {
        return Err(import_errors(&[
            "Unable to create an API without a name: the definition has no info.title.".into(),
        ]));
    };
    let root_id = api_id();
    let root = ResourceRecord {
        id: root_id.clone(),
        parent_id: None,
        path_part: None,
        path: "/".into(),
        methods: BTreeMap::new(),
    };
    let mut record = ApiRecord {
        id: api_id(),
        name,
        description: None,
        version: None,
        created_ms: now_ms,
        endpoint_types: vec!["EDGE".into()],
        vpc_endpoint_ids: Vec::new(),
        policy: None,
        api_key_source: "HEADER".into(),
        binary_media_types: Vec::new(),
        minimum_compression_size: None,
        disable_execute_api_endpoint: false,
        tags: BTreeMap::new(),
        root_id,
        resources: BTreeMap::from([(root.id.clone(), root)]),
    };
    overwrite_api(&mut record, def);
    check_vpc_endpoints(&record)?;
    Ok(record)
}

/// Overwrite: the API's settings are the definition's (defaults where it is silent) and its
/// resources only the root, without methods, before the definition's paths are applied.
fn overwrite_api(api: &mut ApiRecord, def: &Definition) {
    if let Some(name) = &def.name {
        api.name = name.clone();
    }
    api.description = def.description.clone();
    api.version = def.version.clone();
    api.api_key_source = def
        .api_key_source
        .clone()
        .unwrap_or_else(|| "HEADER".into());
    api.binary_media_types = def.binary_media_types.clone().unwrap_or_default();
    api.policy = def.policy.clone();
    api.minimum_compression_size = def.minimum_compression_size;
    set_endpoint(api, def);
    let root = api.root_id.clone();
    api.resources.retain(|id, _| *id == root);
    if let Some(r) = api.resources.get_mut(&root) {
        r.methods.clear();
    }
}

/// Merge: what the definition states replaces the API's; the rest stays.
fn merge_api(api: &mut ApiRecord, def: &Definition) {
    if def.description.is_some() {
        api.description = def.description.clone();
    }
    if def.version.is_some() {
        api.version = def.version.clone();
    }
    if let Some(source) = &def.api_key_source {
        api.api_key_source = source.clone();
    }
    for media in def.binary_media_types.iter().flatten() {
        if !api.binary_media_types.contains(media) {
            api.binary_media_types.push(media.clone());
        }
    }
    if def.policy.is_some() {
        api.policy = def.policy.clone();
    }
    if def.minimum_compression_size.is_some() {
        api.minimum_compression_size = def.minimum_compression_size;
    }
    set_endpoint(api, def);
}

/// The endpoint settings the definition states.
fn set_endpoint(api: &mut ApiRecord, def: &Definition) {
    if let Some(types) = &def.endpoint_types {
        api.endpoint_types = types.clone();
    }
    if let Some(ids) = &def.vpc_endpoint_ids {
        api.vpc_endpoint_ids = ids.clone();
    }
    if let Some(disable) = def.disable_execute_api_endpoint {
        api.disable_execute_api_endpoint = disable;
    }
}

/// Creates each path's resources as needed and puts its methods (replacing ones of the same
/// HTTP method).
fn apply_paths(
    api: &mut ApiRecord,
    paths: &[(String, BTreeMap<String, MethodRecord>)],
) -> Result<(), ServiceError> {
    for (path, methods) in paths {
        let rid = ensure_resource(api, path)?;
        let Some(resource) = api.resources.get_mut(&rid) else {
            continue;
        };
        for (verb, m) in methods {
            let mut m = m.clone();
            if let Some(i) = m
                .integration
                .as_mut()
                .filter(|i| i.cache_namespace.is_empty())
            {
                i.cache_namespace = rid.clone();
            }
            resource.methods.insert(verb.clone(), m);
        }
    }
    api.repath();
    Ok(())
}

/// The id of the resource at `path`, created with its missing ancestors.
fn ensure_resource(api: &mut ApiRecord, path: &str) -> Result<String, ServiceError> {
    let mut at = api.root_id.clone();
    let failed = |e: ServiceError| {
        import_errors(&[format!(
            "Unable to create resource at path '{path}': {}",
            e.message
        )])
    };
    for part in path.split('/').filter(|p| !p.is_empty()) {
        let existing = api.resources.values().find(|r| {
            r.parent_id.as_deref() == Some(at.as_str()) && r.path_part.as_deref() == Some(part)
        });
        if let Some(r) = existing {
            at = r.id.clone();
            continue;
        }
        check_path_part(part).map_err(failed)?;
        let id = api_id();
        place(api, &id, &at, part).map_err(failed)?;
        api.resources.insert(
            id.clone(),
            ResourceRecord {
                id: id.clone(),
                parent_id: Some(at.clone()),
                path_part: Some(part.to_owned()),
                path: String::new(),
                methods: BTreeMap::new(),
            },
        );
        at = id;
    }
    Ok(at)
}
