//! Stored records → the generated wire shapes API Gateway answers with.

use crate::generated::{ApiKeySourceType, ConnectionType};
use crate::generated::{
    Deployment, EndpointConfiguration, EndpointType, Integration, IntegrationResponse,
    IntegrationType, Method, MethodResponse, MethodSetting, Resource, RestApi, Stage, Timestamp,
};
use crate::record::StageRecord;
use crate::record::{ApiRecord, DeploymentRecord, IntegrationRecord, IntegrationResponseRecord};
use crate::record::{MethodRecord, MethodResponseRecord, MethodSettingRecord, ResourceRecord};
use std::collections::BTreeMap;

/// `map` as an optional wire map (absent when empty, as AWS omits them).
fn opt_map<V: Clone>(map: &BTreeMap<String, V>) -> Option<BTreeMap<String, V>> {
    (!map.is_empty()).then(|| map.clone())
}

/// A REST API.
pub fn rest_api(r: &ApiRecord) -> RestApi {
    RestApi {
        id: Some(r.id.clone()),
        name: Some(r.name.clone()),
        description: r.description.clone(),
        version: r.version.clone(),
        created_date: Some(Timestamp::from_epoch_millis(r.created_ms)),
        api_key_source: Some(ApiKeySourceType::from(r.api_key_source.as_str())),
        binary_media_types: (!r.binary_media_types.is_empty())
            .then(|| r.binary_media_types.clone()),
        minimum_compression_size: r.minimum_compression_size,
        disable_execute_api_endpoint: Some(r.disable_execute_api_endpoint),
        endpoint_configuration: Some(EndpointConfiguration {
            types: Some(
                r.endpoint_types
                    .iter()
                    .map(|t| EndpointType::from(t.as_str()))
                    .collect(),
            ),
            vpc_endpoint_ids: (!r.vpc_endpoint_ids.is_empty()).then(|| r.vpc_endpoint_ids.clone()),
            ..Default::default()
        }),
        policy: r.policy.clone(),
        root_resource_id: Some(r.root_id.clone()),
        tags: opt_map(&r.tags),
        ..Default::default()
    }
}

/// A resource; its methods only when `embed` asks for them.
pub fn resource(r: &ResourceRecord, embed_methods: bool) -> Resource {
    let methods = if embed_methods {
        r.methods
            .iter()
            .map(|(k, m)| (k.clone(), method(m)))
            .collect()
    } else {
        r.methods
            .keys()
            .map(|k| (k.clone(), Method::default()))
            .collect()
    };
    Resource {
        id: Some(r.id.clone()),
        parent_id: r.parent_id.clone(),
        path_part: r.path_part.clone(),
        path: Some(r.path.clone()),
        resource_methods: opt_map(&methods),
    }
}

/// A method with its responses and integration.
pub fn method(m: &MethodRecord) -> Method {
    let responses: BTreeMap<String, MethodResponse> = m
        .responses
        .iter()
        .map(|(k, r)| (k.clone(), method_response(r)))
        .collect();
    Method {
        http_method: Some(m.http_method.clone()),
        authorization_type: Some(m.authorization_type.clone()),
        authorizer_id: m.authorizer_id.clone(),
        api_key_required: Some(m.api_key_required),
        operation_name: m.operation_name.clone(),
        request_validator_id: m.request_validator_id.clone(),
        request_parameters: opt_map(&m.request_parameters),
        request_models: opt_map(&m.request_models),
        method_responses: opt_map(&responses),
        method_integration: m.integration.as_ref().map(integration),
        ..Default::default()
    }
}

/// A method response.
pub fn method_response(r: &MethodResponseRecord) -> MethodResponse {
    MethodResponse {
        status_code: Some(r.status_code.clone()),
        response_parameters: opt_map(&r.response_parameters),
        response_models: opt_map(&r.response_models),
    }
}

/// An integration with its responses.
pub fn integration(i: &IntegrationRecord) -> Integration {
    let responses: BTreeMap<String, IntegrationResponse> = i
        .responses
        .iter()
        .map(|(k, r)| (k.clone(), integration_response(r)))
        .collect();
    Integration {
        type_: Some(IntegrationType::from(i.kind.as_str())),
        http_method: i.http_method.clone(),
        uri: i.uri.clone(),
        connection_type: Some(ConnectionType::from(i.connection_type.as_str())),
        request_parameters: opt_map(&i.request_parameters),
        request_templates: opt_map(&i.request_templates),
        passthrough_behavior: i.passthrough_behavior.clone(),
        timeout_in_millis: Some(i.timeout_ms),
        cache_namespace: Some(i.cache_namespace.clone()),
        cache_key_parameters: Some(i.cache_key_parameters.clone()),
        integration_responses: opt_map(&responses),
        ..Default::default()
    }
}

/// An integration response.
pub fn integration_response(r: &IntegrationResponseRecord) -> IntegrationResponse {
    IntegrationResponse {
        status_code: Some(r.status_code.clone()),
        selection_pattern: r.selection_pattern.clone(),
        response_parameters: opt_map(&r.response_parameters),
        response_templates: opt_map(&r.response_templates),
        ..Default::default()
    }
}

/// A deployment (without its API summary).
pub fn deployment(d: &DeploymentRecord) -> Deployment {
    Deployment {
        id: Some(d.id.clone()),
        description: d.description.clone(),
        created_date: Some(Timestamp::from_epoch_millis(d.created_ms)),
        ..Default::default()
    }
}

/// A stage.
pub fn stage(s: &StageRecord) -> Stage {
    let settings: BTreeMap<String, MethodSetting> = s
        .method_settings
        .iter()
        .map(|(k, m)| (k.clone(), method_setting(m)))
        .collect();
    Stage {
        stage_name: Some(s.name.clone()),
        deployment_id: Some(s.deployment_id.clone()),
        description: s.description.clone(),
        created_date: Some(Timestamp::from_epoch_millis(s.created_ms)),
        last_updated_date: Some(Timestamp::from_epoch_millis(s.updated_ms)),
        variables: opt_map(&s.variables),
        method_settings: Some(settings),
        tracing_enabled: Some(s.tracing_enabled),
        cache_cluster_enabled: Some(s.cache_cluster_enabled),
        cache_cluster_size: s.cache_cluster_size.as_deref().map(Into::into),
        cache_cluster_status: Some("NOT_AVAILABLE".into()),
        documentation_version: s.documentation_version.clone(),
        tags: opt_map(&s.tags),
        ..Default::default()
    }
}

fn method_setting(m: &MethodSettingRecord) -> MethodSetting {
    MethodSetting {
        metrics_enabled: Some(m.metrics_enabled),
        logging_level: Some(m.logging_level.clone()),
        data_trace_enabled: Some(m.data_trace_enabled),
        throttling_burst_limit: Some(m.throttling_burst_limit),
        throttling_rate_limit: Some(m.throttling_rate_limit),
        caching_enabled: Some(m.caching_enabled),
        cache_ttl_in_seconds: Some(m.cache_ttl_in_seconds),
        cache_data_encrypted: Some(m.cache_data_encrypted),
        require_authorization_for_cache_control: Some(m.require_authorization_for_cache_control),
        unauthorized_cache_control_header_strategy: Some(
            m.unauthorized_cache_control_header_strategy.as_str().into(),
        ),
    }
}

/// An optional wire map as a stored one.
pub fn map_of<V>(map: Option<BTreeMap<String, V>>) -> BTreeMap<String, V> {
    map.unwrap_or_default()
}
