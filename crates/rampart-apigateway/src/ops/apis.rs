//! CreateRestApi, GetRestApi, GetRestApis, UpdateRestApi, DeleteRestApi. A new API has its
//! root resource `/`; `cloneFrom` copies another API's resource tree under fresh ids.

use crate::convert::rest_api;
use crate::generated::errors::bad_request_exception;
use crate::generated::{
    CreateRestApi, CreateRestApiRequest, DeleteRestApi, DeleteRestApiRequest, GetRestApi,
    GetRestApiRequest, GetRestApis, GetRestApisRequest, RestApi, RestApis, ServiceError,
    UpdateRestApi, UpdateRestApiRequest,
};
use crate::ids::api_id;
use crate::patch::{Patch, patches};
use crate::record::{ApiRecord, ResourceRecord, api_row};
use crate::service::{ApiGatewayService, authorize, internal};
use rampart_core::RequestContext;
use rampart_store::Expect;
use std::collections::BTreeMap;

/// The page size GetRestApis uses without a limit, and the most it returns.
const DEFAULT_LIMIT: usize = 25;
const MAX_LIMIT: usize = 500;

impl CreateRestApi for ApiGatewayService {
    async fn create_rest_api(
        &self,
        ctx: &RequestContext,
        input: CreateRestApiRequest,
    ) -> Result<RestApi, ServiceError> {
        authorize(ctx, "POST", "/restapis")?;
        let clone_from = input.clone_from.clone();
        let mut record = new_api(input, self.now_ms())?;
        match clone_from {
            Some(source) => {
                let source = self.load_api(ctx, &source).await?.value;
                clone_tree(&mut record, &source);
            }
            None => {
                let root = root_resource(&record.root_id);
                record.resources.insert(root.id.clone(), root);
            }
        }
        let key = Self::api_key(ctx, &record.id);
        let put = self.apis.put(&key, &record, Expect::Absent);
        self.commit(vec![put.map_err(internal)?], || {
            bad_request_exception("The REST API could not be created; retry the request.")
        })
        .await?;
        Ok(rest_api(&record))
    }
}

/// The API CreateRestApi describes, without resources.
fn new_api(input: CreateRestApiRequest, now_ms: i64) -> Result<ApiRecord, ServiceError> {
    let types = endpoint_types(input.endpoint_configuration.as_ref())?;
    let record = ApiRecord {
        id: api_id(),
        name: input.name.unwrap_or_default(),
        description: input.description,
        version: input.version,
        created_ms: now_ms,
        endpoint_types: types,
        vpc_endpoint_ids: input
            .endpoint_configuration
            .and_then(|c| c.vpc_endpoint_ids)
            .unwrap_or_default(),
        policy: input.policy,
        api_key_source: input
            .api_key_source
            .map_or_else(|| "HEADER".to_owned(), |s| s.as_str().to_owned()),
        binary_media_types: input.binary_media_types.unwrap_or_default(),
        minimum_compression_size: input.minimum_compression_size,
        disable_execute_api_endpoint: input.disable_execute_api_endpoint.unwrap_or(false),
        tags: input.tags.unwrap_or_default(),
        root_id: api_id(),
        resources: BTreeMap::new(),
    };
    check_vpc_endpoints(&record)?;
    Ok(record)
}

/// Refuses VPC endpoint ids (the Route 53 aliases `<api>-<vpce>.execute-api…`) on an API
/// that is not PRIVATE, as API Gateway does.
pub(crate) fn check_vpc_endpoints(api: &ApiRecord) -> Result<(), ServiceError> {
    let private = api.endpoint_types.iter().all(|t| t == "PRIVATE");
    if api.vpc_endpoint_ids.is_empty() || private {
        return Ok(());
    }
    Err(bad_request_exception(
        "VPCEndpoints can only be specified with PRIVATE apis.",
    ))
}

/// The root resource `/` with id `id`.
fn root_resource(id: &str) -> ResourceRecord {
    ResourceRecord {
        id: id.to_owned(),
        parent_id: None,
        path_part: None,
        path: "/".into(),
        methods: BTreeMap::new(),
    }
}

/// `source`'s resources copied into `record` under fresh ids (the root keeps `record`'s).
fn clone_tree(record: &mut ApiRecord, source: &ApiRecord) {
    let ids: BTreeMap<&str, String> = source
        .resources
        .keys()
        .map(|id| {
            let new = if *id == source.root_id {
                record.root_id.clone()
            } else {
                api_id()
            };
            (id.as_str(), new)
        })
        .collect();
    for r in source.resources.values() {
        let mut copy = r.clone();
        copy.id = ids.get(r.id.as_str()).cloned().unwrap_or_default();
        copy.parent_id = r.parent_id.as_deref().and_then(|p| ids.get(p).cloned());
        record.resources.insert(copy.id.clone(), copy);
    }
}

/// The endpoint types asked for (EDGE by default); AWS takes exactly one.
fn endpoint_types(
    config: Option<&crate::generated::EndpointConfiguration>,
) -> Result<Vec<String>, ServiceError> {
    let types: Vec<String> = config
        .and_then(|c| c.types.as_ref())
        .map(|t| t.iter().map(|t| t.as_str().to_owned()).collect())
        .unwrap_or_default();
    match types.len() {
        0 => Ok(vec!["EDGE".into()]),
        1 => Ok(types),
        _ => Err(bad_request_exception(
            "Cannot create an api with multiple Endpoint Types.",
        )),
    }
}

impl GetRestApi for ApiGatewayService {
    async fn get_rest_api(
        &self,
        ctx: &RequestContext,
        input: GetRestApiRequest,
    ) -> Result<RestApi, ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        authorize(ctx, "GET", &format!("/restapis/{id}"))?;
        Ok(rest_api(&self.load_api(ctx, &id).await?.value))
    }
}

impl GetRestApis for ApiGatewayService {
    async fn get_rest_apis(
        &self,
        ctx: &RequestContext,
        input: GetRestApisRequest,
    ) -> Result<RestApis, ServiceError> {
        authorize(ctx, "GET", "/restapis")?;
        let limit = page_limit(input.limit)?;
        let prefix = api_row(ctx.account().as_str(), ctx.region.as_str(), "");
        let after = input.position.map(|p| format!("{prefix}{p}"));
        let rows = self.apis.scan(&prefix, after.as_deref(), limit + 1).await;
        let mut rows = rows.map_err(internal)?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let position = more
            .then(|| rows.last().map(|(_, r)| r.value.id.clone()))
            .flatten();
        Ok(RestApis {
            items: Some(rows.iter().map(|(_, r)| rest_api(&r.value)).collect()),
            position,
        })
    }
}

/// A page size: `limit` (1 to 500) or 25.
pub(crate) fn page_limit(limit: Option<i32>) -> Result<usize, ServiceError> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT as i32).contains(&n) => Ok(n as usize),
        Some(_) => Err(bad_request_exception(
            "Invalid limit value specified: must be between 1 and 500",
        )),
    }
}

impl UpdateRestApi for ApiGatewayService {
    async fn update_rest_api(
        &self,
        ctx: &RequestContext,
        input: UpdateRestApiRequest,
    ) -> Result<RestApi, ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        authorize(ctx, "PATCH", &format!("/restapis/{id}"))?;
        let ops = patches(input.patch_operations)?;
        let (record, ()) = self
            .mutate_api(ctx, &id, |api| {
                ops.iter().try_for_each(|p| patch_api(api, p))?;
                check_vpc_endpoints(api)
            })
            .await?;
        Ok(rest_api(&record))
    }
}

/// Applies one patch operation to an API.
fn patch_api(api: &mut ApiRecord, p: &Patch) -> Result<(), ServiceError> {
    let segments = p.segments();
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    match (p.op.as_str(), segs.as_slice()) {
        ("replace", ["name"]) => api.name = p.value()?.to_owned(),
        ("replace", ["description"]) => api.description = p.value.clone(),
        ("replace", ["version"]) => api.version = p.value.clone(),
        ("replace", ["policy"]) => api.policy = p.value.clone().filter(|v| !v.is_empty()),
        ("replace", ["apiKeySource"]) => api.api_key_source = key_source(p.value()?)?,
        ("replace", ["minimumCompressionSize"]) => {
            api.minimum_compression_size = match p.value.as_deref() {
                None | Some("") => None,
                Some(_) => Some(p.int_value()?),
            }
        }
        ("replace", ["disableExecuteApiEndpoint"]) => {
            api.disable_execute_api_endpoint = p.bool_value()?
        }
        ("replace", ["endpointConfiguration", "types", old]) => replace_type(api, old, p.value()?)?,
        ("add", ["endpointConfiguration", "vpcEndpointIds"]) => {
            api.vpc_endpoint_ids.push(p.value()?.to_owned())
        }
        ("remove", ["endpointConfiguration", "vpcEndpointIds"]) => {
            let v = p.value()?;
            api.vpc_endpoint_ids.retain(|e| e != v);
        }
        ("add", ["binaryMediaTypes", media]) => {
            if !api.binary_media_types.iter().any(|m| m == media) {
                api.binary_media_types.push((*media).to_owned());
            }
        }
        ("remove", ["binaryMediaTypes", media]) => api.binary_media_types.retain(|m| m != media),
        _ => return Err(p.unsupported()),
    }
    Ok(())
}

/// HEADER or AUTHORIZER.
fn key_source(value: &str) -> Result<String, ServiceError> {
    match value {
        "HEADER" | "AUTHORIZER" => Ok(value.to_owned()),
        _ => Err(bad_request_exception(format!(
            "Invalid API Key source specified: {value}. Valid values are HEADER and AUTHORIZER."
        ))),
    }
}

/// Changes endpoint type `old` to `new` (EDGE, REGIONAL or PRIVATE).
fn replace_type(api: &mut ApiRecord, old: &str, new: &str) -> Result<(), ServiceError> {
    if !["EDGE", "REGIONAL", "PRIVATE"].contains(&new) {
        return Err(bad_request_exception(format!(
            "Invalid endpoint configuration type specified: {new}"
        )));
    }
    match api.endpoint_types.iter_mut().find(|t| *t == old) {
        Some(slot) => {
            *slot = new.to_owned();
            Ok(())
        }
        None => Err(bad_request_exception(format!(
            "Invalid endpoint configuration type specified: {old}"
        ))),
    }
}

impl DeleteRestApi for ApiGatewayService {
    async fn delete_rest_api(
        &self,
        ctx: &RequestContext,
        input: DeleteRestApiRequest,
    ) -> Result<(), ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        authorize(ctx, "DELETE", &format!("/restapis/{id}"))?;
        let found = self.load_api(ctx, &id).await?;
        let mut writes = vec![
            self.apis
                .delete(&Self::api_key(ctx, &id), Expect::Version(found.version)),
        ];
        for (key, _) in self.children(&self.stages, ctx, &id).await? {
            writes.push(self.stages.delete(&key, Expect::Any));
        }
        for (key, _) in self.children(&self.deployments, ctx, &id).await? {
            writes.push(self.deployments.delete(&key, Expect::Any));
        }
        self.commit(writes, || {
            bad_request_exception("The REST API changed while it was being deleted; retry.")
        })
        .await?;
        self.refresh_edge().await;
        Ok(())
    }
}
