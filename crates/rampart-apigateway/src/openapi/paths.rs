//! A definition's `paths`: each operation becomes a method (request parameters, `security`
//! with an API key scheme → `apiKeyRequired`, AWS SigV4 → AWS_IAM, response headers) with
//! its `x-amazon-apigateway-integration` (HTTP, HTTP_PROXY, MOCK).

use super::{Definition, import_errors, string_list, value_text};
use crate::generated::{IntegrationType, PutIntegrationRequest, PutMethodRequest, ServiceError};
use crate::ops::integrations::new_integration;
use crate::ops::methods::{check_status, new_method};
use crate::record::MethodResponseRecord;
use crate::record::{IntegrationRecord, IntegrationResponseRecord, Map, MethodRecord};
use serde_json::{Map as JsonMap, Value};
use std::collections::BTreeMap;

/// Operation keys of a path item and the method each makes.
const VERBS: &[(&str, &str)] = &[
    ("get", "GET"),
    ("put", "PUT"),
    ("post", "POST"),
    ("delete", "DELETE"),
    ("patch", "PATCH"),
    ("options", "OPTIONS"),
    ("head", "HEAD"),
    ("x-amazon-apigateway-any-method", "ANY"),
];

/// What the whole document says that each operation reads.
struct Context<'a> {
    schemes: Option<&'a JsonMap<String, Value>>,
    security: Option<&'a Value>,
}

/// Reads `paths` into `def.paths`, each under the base path parts `prefix`.
pub(super) fn read_paths(
    doc: &Value,
    swagger: bool,
    prefix: &[String],
    def: &mut Definition,
) -> Result<(), ServiceError> {
    for i in 1..=prefix.len() {
        def.paths
            .push((format!("/{}", prefix[..i].join("/")), BTreeMap::new()));
    }
    let schemes = if swagger {
        doc.get("securityDefinitions")
    } else {
        doc.pointer("/components/securitySchemes")
    };
    let cx = Context {
        schemes: schemes.and_then(Value::as_object),
        security: doc.get("security"),
    };
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Ok(());
    };
    for (path, item) in paths {
        let full = full_path(prefix, path);
        let mut methods = BTreeMap::new();
        for (key, verb) in VERBS {
            if let Some(op) = item.get(*key) {
                let m = method(&cx, item, op, verb, &full)?;
                methods.insert((*verb).to_owned(), m);
            }
        }
        def.paths.push((full, methods));
    }
    Ok(())
}

/// `path` under the parts `prefix`, without a trailing slash (the root stays `/`).
fn full_path(prefix: &[String], path: &str) -> String {
    let parts: Vec<&str> = prefix
        .iter()
        .map(String::as_str)
        .chain(path.split('/').filter(|p| !p.is_empty()))
        .collect();
    format!("/{}", parts.join("/"))
}

/// The method operation `op` of `item` describes at `path`.
fn method(
    cx: &Context<'_>,
    item: &Value,
    op: &Value,
    verb: &str,
    path: &str,
) -> Result<MethodRecord, ServiceError> {
    let (api_key, auth) = security(cx, op, verb, path)?;
    let request = PutMethodRequest {
        http_method: Some(verb.to_owned()),
        authorization_type: Some(auth),
        api_key_required: Some(api_key),
        operation_name: op.get("operationId").and_then(value_text),
        request_parameters: Some(parameters(item, op)),
        ..Default::default()
    };
    let failed = |e: ServiceError| {
        import_errors(&[format!(
            "Unable to put method '{verb}' on resource at path '{path}': {}",
            e.message
        )])
    };
    let mut m = new_method(request).map_err(failed)?;
    m.responses = responses(op)?;
    if let Some(ext) = op.get("x-amazon-apigateway-integration") {
        m.integration = Some(integration(ext, &m, verb, path)?);
    }
    Ok(m)
}

/// The method request parameters of the path item and the operation
/// (`method.request.{path|querystring|header}.<name>` → required).
fn parameters(item: &Value, op: &Value) -> BTreeMap<String, bool> {
    let mut out = BTreeMap::new();
    let lists = [item.get("parameters"), op.get("parameters")];
    for p in lists
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
    {
        let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
        let place = match p.get("in").and_then(Value::as_str) {
            Some("path") => "path",
            Some("query") => "querystring",
            Some("header") => "header",
            _ => continue,
        };
        if name.is_empty() {
            continue;
        }
        let required = place == "path" || p.get("required").and_then(Value::as_bool) == Some(true);
        out.insert(format!("method.request.{place}.{name}"), required);
    }
    out
}

/// `(apiKeyRequired, authorizationType)` from the operation's `security` (else the
/// document's): an `apiKey` scheme named `x-api-key` in the header requires an API key; one
/// whose `x-amazon-apigateway-authtype` is `awsSigv4` means AWS_IAM. Authorizers are not
/// served, so a scheme that names one fails the import.
fn security(
    cx: &Context<'_>,
    op: &Value,
    verb: &str,
    path: &str,
) -> Result<(bool, String), ServiceError> {
    let requirements = op.get("security").or(cx.security);
    let names = requirements
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|r| r.keys());
    let (mut api_key, mut auth) = (false, "NONE".to_owned());
    for name in names {
        let Some(scheme) = cx.schemes.and_then(|s| s.get(name)) else {
            return Err(import_errors(&[format!(
                "Unable to put method '{verb}' on resource at path '{path}': the security scheme '{name}' is not defined."
            )]));
        };
        let authtype = scheme
            .get("x-amazon-apigateway-authtype")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if authtype.eq_ignore_ascii_case("awsSigv4") {
            auth = "AWS_IAM".into();
        } else if scheme.get("x-amazon-apigateway-authorizer").is_some() {
            return Err(import_errors(&[format!(
                "Unable to put method '{verb}' on resource at path '{path}': authorizers ('{name}') are not served by Rampart yet."
            )]));
        } else if is_api_key_scheme(scheme) {
            api_key = true;
        }
    }
    Ok((api_key, auth))
}

/// `type: apiKey`, `name: x-api-key`, `in: header`.
fn is_api_key_scheme(scheme: &Value) -> bool {
    let field = |k: &str| scheme.get(k).and_then(Value::as_str).unwrap_or_default();
    field("type") == "apiKey"
        && field("name").eq_ignore_ascii_case("x-api-key")
        && field("in") == "header"
}

/// The method responses: one per status code, its headers as response parameters.
fn responses(op: &Value) -> Result<BTreeMap<String, MethodResponseRecord>, ServiceError> {
    let mut out = BTreeMap::new();
    let Some(all) = op.get("responses").and_then(Value::as_object) else {
        return Ok(out);
    };
    for (status, response) in all.iter().filter(|(s, _)| *s != "default") {
        check_status(status).map_err(|e| import_errors(&[e.message]))?;
        let headers = response.get("headers").and_then(Value::as_object);
        let response_parameters = headers
            .into_iter()
            .flatten()
            .map(|(h, _)| (format!("method.response.header.{h}"), false))
            .collect();
        out.insert(
            status.clone(),
            MethodResponseRecord {
                status_code: status.clone(),
                response_parameters,
                response_models: Map::new(),
            },
        );
    }
    Ok(out)
}

/// A string map (`requestParameters`, `requestTemplates`, ...).
fn string_map(v: Option<&Value>) -> Option<Map> {
    let obj = v?.as_object()?;
    Some(
        obj.iter()
            .filter_map(|(k, v)| value_text(v).map(|t| (k.clone(), t)))
            .collect(),
    )
}

/// The integration an `x-amazon-apigateway-integration` describes for method `m`; its cache
/// namespace is left empty for the resource id once the resource exists.
fn integration(
    ext: &Value,
    m: &MethodRecord,
    verb: &str,
    path: &str,
) -> Result<IntegrationRecord, ServiceError> {
    let failed = |message: String| {
        import_errors(&[format!(
            "Unable to put integration on '{verb}' for resource at path '{path}': {message}"
        )])
    };
    let text = |k: &str| ext.get(k).and_then(value_text);
    let kind = text("type").unwrap_or_default().to_ascii_uppercase();
    if text("connectionType").is_some_and(|c| !c.eq_ignore_ascii_case("INTERNET")) {
        return Err(failed(
            "VPC_LINK connections are not served by Rampart yet.".into(),
        ));
    }
    let request = PutIntegrationRequest {
        type_: Some(IntegrationType::from(kind.as_str())),
        integration_http_method: text("httpMethod").map(|h| h.to_ascii_uppercase()),
        uri: text("uri"),
        request_parameters: string_map(ext.get("requestParameters")),
        request_templates: string_map(ext.get("requestTemplates")),
        passthrough_behavior: text("passthroughBehavior").map(|p| p.to_ascii_uppercase()),
        timeout_in_millis: ext
            .get("timeoutInMillis")
            .and_then(Value::as_i64)
            .and_then(|t| i32::try_from(t).ok()),
        cache_namespace: text("cacheNamespace"),
        cache_key_parameters: ext.get("cacheKeyParameters").map(string_list),
        ..Default::default()
    };
    let mut record = new_integration(&request, m, "").map_err(|e| failed(e.message))?;
    record.responses = integration_responses(ext.get("responses")).map_err(failed)?;
    Ok(record)
}

/// `responses`: selection pattern (`default` for none) → status code, parameters, templates.
fn integration_responses(
    v: Option<&Value>,
) -> Result<BTreeMap<String, IntegrationResponseRecord>, String> {
    let mut out = BTreeMap::new();
    for (pattern, r) in v.and_then(Value::as_object).into_iter().flatten() {
        let status = r.get("statusCode").and_then(value_text).unwrap_or_default();
        check_status(&status).map_err(|e| e.message)?;
        out.insert(
            status.clone(),
            IntegrationResponseRecord {
                status_code: status,
                selection_pattern: (pattern != "default").then(|| pattern.clone()),
                response_parameters: string_map(r.get("responseParameters")).unwrap_or_default(),
                response_templates: string_map(r.get("responseTemplates")).unwrap_or_default(),
            },
        );
    }
    Ok(out)
}
