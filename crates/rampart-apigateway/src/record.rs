//! What API Gateway keeps: one row per REST API holding its resource tree (resources, methods,
//! integrations and their responses, changed together under one compare-and-swap), one row per
//! deployment holding the snapshot of the tree it deployed, and one row per stage.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// REST API rows, keyed `<account>/<region>/<api id>`.
pub const APIS: &str = "apigateway_apis";
/// Deployment rows, keyed `<account>/<region>/<api id>/<deployment id>`.
pub const DEPLOYMENTS: &str = "apigateway_deployments";
/// Stage rows, keyed `<account>/<region>/<api id>/<stage name>`.
pub const STAGES: &str = "apigateway_stages";

/// A string map, ordered.
pub type Map = BTreeMap<String, String>;

/// One REST API.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ApiRecord {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub version: Option<String>,
    pub created_ms: i64,
    /// EDGE, REGIONAL or PRIVATE (one).
    pub endpoint_types: Vec<String>,
    #[serde(default)]
    pub vpc_endpoint_ids: Vec<String>,
    /// The resource policy (JSON text).
    pub policy: Option<String>,
    pub api_key_source: String,
    #[serde(default)]
    pub binary_media_types: Vec<String>,
    pub minimum_compression_size: Option<i32>,
    #[serde(default)]
    pub disable_execute_api_endpoint: bool,
    #[serde(default)]
    pub tags: Map,
    pub root_id: String,
    /// Every resource by id, the root among them.
    pub resources: BTreeMap<String, ResourceRecord>,
}

/// One resource of the tree.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ResourceRecord {
    pub id: String,
    /// `None` for the root.
    pub parent_id: Option<String>,
    /// `None` for the root.
    pub path_part: Option<String>,
    /// The full path (`/`, `/pets/{id}`), kept up to date when an ancestor moves.
    pub path: String,
    /// Methods by HTTP method (`GET`, `ANY`).
    #[serde(default)]
    pub methods: BTreeMap<String, MethodRecord>,
}

/// One method of a resource.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MethodRecord {
    pub http_method: String,
    pub authorization_type: String,
    pub authorizer_id: Option<String>,
    #[serde(default)]
    pub api_key_required: bool,
    pub operation_name: Option<String>,
    pub request_validator_id: Option<String>,
    /// `method.request.{header|querystring|path}.<name>` → required.
    #[serde(default)]
    pub request_parameters: BTreeMap<String, bool>,
    #[serde(default)]
    pub request_models: Map,
    #[serde(default)]
    pub responses: BTreeMap<String, MethodResponseRecord>,
    pub integration: Option<IntegrationRecord>,
}

/// One method response.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MethodResponseRecord {
    pub status_code: String,
    #[serde(default)]
    pub response_parameters: BTreeMap<String, bool>,
    #[serde(default)]
    pub response_models: Map,
}

/// A method's integration.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IntegrationRecord {
    /// HTTP, HTTP_PROXY or MOCK.
    pub kind: String,
    /// The upstream method (HTTP and HTTP_PROXY).
    pub http_method: Option<String>,
    pub uri: Option<String>,
    pub connection_type: String,
    /// `integration.request.<where>.<name>` → its source.
    #[serde(default)]
    pub request_parameters: Map,
    #[serde(default)]
    pub request_templates: Map,
    pub passthrough_behavior: Option<String>,
    pub timeout_ms: i32,
    pub cache_namespace: String,
    #[serde(default)]
    pub cache_key_parameters: Vec<String>,
    #[serde(default)]
    pub responses: BTreeMap<String, IntegrationResponseRecord>,
}

/// One integration response.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IntegrationResponseRecord {
    pub status_code: String,
    pub selection_pattern: Option<String>,
    #[serde(default)]
    pub response_parameters: Map,
    #[serde(default)]
    pub response_templates: Map,
}

/// One deployment: the resource tree as it was.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DeploymentRecord {
    pub id: String,
    pub description: Option<String>,
    pub created_ms: i64,
    pub resources: Vec<ResourceRecord>,
}

/// One stage.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StageRecord {
    pub name: String,
    pub deployment_id: String,
    pub description: Option<String>,
    pub created_ms: i64,
    pub updated_ms: i64,
    #[serde(default)]
    pub variables: Map,
    /// `<resource path>/<method>` (`*/*` for every method) → its settings.
    #[serde(default)]
    pub method_settings: BTreeMap<String, MethodSettingRecord>,
    #[serde(default)]
    pub tracing_enabled: bool,
    #[serde(default)]
    pub cache_cluster_enabled: bool,
    pub cache_cluster_size: Option<String>,
    pub documentation_version: Option<String>,
    #[serde(default)]
    pub tags: Map,
}

/// Settings of the methods a stage key names.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MethodSettingRecord {
    pub metrics_enabled: bool,
    pub logging_level: String,
    pub data_trace_enabled: bool,
    pub throttling_burst_limit: i32,
    pub throttling_rate_limit: f64,
    pub caching_enabled: bool,
    pub cache_ttl_in_seconds: i32,
    pub cache_data_encrypted: bool,
    pub require_authorization_for_cache_control: bool,
    pub unauthorized_cache_control_header_strategy: String,
}

impl Default for MethodSettingRecord {
    /// AWS's defaults: account-level throttling (10,000 requests per second, burst 5,000).
    fn default() -> Self {
        MethodSettingRecord {
            metrics_enabled: false,
            logging_level: "OFF".into(),
            data_trace_enabled: false,
            throttling_burst_limit: 5000,
            throttling_rate_limit: 10000.0,
            caching_enabled: false,
            cache_ttl_in_seconds: 300,
            cache_data_encrypted: false,
            require_authorization_for_cache_control: true,
            unauthorized_cache_control_header_strategy: "SUCCEED_WITH_RESPONSE_HEADER".into(),
        }
    }
}

/// Custom domain names, keyed by `<account>/<region>/<domain name>`.
pub const DOMAINS: &str = "apigateway_domain_names";

/// A base path mapping: the API and stage a base path invokes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MappingRecord {
    pub rest_api_id: String,
    /// Empty: the API's requests name the stage as their first path segment.
    pub stage: String,
}

/// One custom domain name with its base path mappings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DomainRecord {
    pub name: String,
    /// EDGE or REGIONAL.
    pub endpoint_type: String,
    pub certificate_arn: Option<String>,
    pub certificate_name: Option<String>,
    pub regional_certificate_arn: Option<String>,
    pub regional_certificate_name: Option<String>,
    /// When the certificate was last set (ms since the epoch).
    pub certificate_upload_ms: i64,
    /// The distribution (EDGE, `<id>.cloudfront.net`) or regional (`d-<id>`) host id.
    pub host_id: String,
    pub security_policy: String,
    #[serde(default)]
    pub tags: Map,
    /// Mappings by base path (`""` for `(none)`).
    #[serde(default)]
    pub mappings: BTreeMap<String, MappingRecord>,
    /// Mutual TLS: the truststore clients' certificates must chain to (REGIONAL names only).
    #[serde(default)]
    pub mutual_tls: Option<MutualTlsRecord>,
}

/// A custom domain name's mutual TLS truststore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MutualTlsRecord {
    /// `s3://bucket/key`.
    pub truststore_uri: String,
    /// The S3 object version given, recorded as is.
    pub truststore_version: Option<String>,
    /// The warnings of the truststore's certificates when it was last read.
    #[serde(default)]
    pub truststore_warnings: Vec<String>,
}

impl DomainRecord {
    /// The certificate the domain serves.
    pub fn serving_certificate(&self) -> Option<&str> {
        self.regional_certificate_arn
            .as_deref()
            .or(self.certificate_arn.as_deref())
    }
}

/// The row key of domain name `name` of `account` in `region`.
pub fn domain_row(account: &str, region: &str, name: &str) -> String {
    format!("{account}/{region}/{}", name.to_ascii_lowercase())
}

/// The row key of API `api` of `account` in `region`.
pub fn api_row(account: &str, region: &str, api: &str) -> String {
    format!("{account}/{region}/{api}")
}

/// The row key of child `name` (a deployment id or stage name) of an API row.
pub fn child_row(api_row: &str, name: &str) -> String {
    format!("{api_row}/{name}")
}

impl ApiRecord {
    /// Recomputes every resource's path from its parent chain.
    pub fn repath(&mut self) {
        let ids: Vec<String> = self.resources.keys().cloned().collect();
        for id in ids {
            let path = self.path_of(&id);
            if let Some(r) = self.resources.get_mut(&id) {
                r.path = path;
            }
        }
    }

    /// The path of resource `id` from its ancestors' path parts.
    fn path_of(&self, id: &str) -> String {
        let mut parts = Vec::new();
        let mut at = self.resources.get(id);
        while let Some(r) = at {
            if let Some(part) = &r.path_part {
                parts.push(part.as_str());
            }
            at = r.parent_id.as_ref().and_then(|p| self.resources.get(p));
            if parts.len() > self.resources.len() {
                break;
            }
        }
        parts.reverse();
        format!("/{}", parts.join("/"))
    }

    /// The ids of `id` and every resource below it.
    pub fn subtree(&self, id: &str) -> Vec<String> {
        let mut out = vec![id.to_owned()];
        let mut i = 0;
        while let Some(at) = out.get(i).cloned() {
            for r in self.resources.values() {
                if r.parent_id.as_deref() == Some(at.as_str()) {
                    out.push(r.id.clone());
                }
            }
            i += 1;
        }
        out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn resource(id: &str, parent: Option<&str>, part: Option<&str>) -> ResourceRecord {
        ResourceRecord {
            id: id.into(),
            parent_id: parent.map(Into::into),
            path_part: part.map(Into::into),
            path: String::new(),
            methods: BTreeMap::new(),
        }
    }

    #[test]
    fn paths_follow_the_parent_chain() {
        let mut api = ApiRecord {
            id: "a".into(),
            name: "n".into(),
            description: None,
            version: None,
            created_ms: 0,
            endpoint_types: vec!["EDGE".into()],
            vpc_endpoint_ids: vec![],
            policy: None,
            api_key_source: "HEADER".into(),
            binary_media_types: vec![],
            minimum_compression_size: None,
            disable_execute_api_endpoint: false,
            tags: Map::new(),
            root_id: "r".into(),
            resources: BTreeMap::new(),
        };
        for r in [
            resource("r", None, None),
            resource("p", Some("r"), Some("pets")),
            resource("i", Some("p"), Some("{id}")),
        ] {
            api.resources.insert(r.id.clone(), r);
        }
        api.repath();
        assert_eq!(api.resources["r"].path, "/");
        assert_eq!(api.resources["i"].path, "/pets/{id}");
        let mut below = api.subtree("p");
        below.sort();
        assert_eq!(below, vec!["i", "p"]);
    }
}
