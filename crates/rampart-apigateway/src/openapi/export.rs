//! GetExport's documents: a stage's deployed resources as OpenAPI 3.0.1 or Swagger 2.0, in
//! JSON or YAML, with the API Gateway extensions when asked (`extensions=integrations` or
//! `apigateway`), so that an export imports back into the same API.

use crate::record::{ApiRecord, IntegrationRecord, MethodRecord, ResourceRecord};
use serde_json::{Map, Value, json};

/// oas30 or swagger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExportKind {
    Oas30,
    Swagger,
}

/// What is exported: an API, the stage, its deployed resources and the host it serves on.
pub(crate) struct ExportSource<'a> {
    pub api: &'a ApiRecord,
    pub stage: &'a str,
    pub resources: &'a [ResourceRecord],
    pub host: String,
}

/// The export document of `src` as a JSON value.
pub(crate) fn export(src: &ExportSource<'_>, kind: ExportKind, extensions: bool) -> Value {
    let mut doc = Map::new();
    let mut info = Map::new();
    info.insert("title".into(), json!(src.api.name));
    if let Some(d) = &src.api.description {
        info.insert("description".into(), json!(d));
    }
    let version = src.api.version.clone().unwrap_or_else(|| {
        let t = time::OffsetDateTime::from_unix_timestamp(src.api.created_ms / 1000);
        t.map(|t| t.date().to_string()).unwrap_or_default()
    });
    info.insert("version".into(), json!(version));
    match kind {
        ExportKind::Oas30 => {
            doc.insert("openapi".into(), json!("3.0.1"));
            doc.insert("info".into(), Value::Object(info));
            doc.insert(
                "servers".into(),
                json!([{"url": format!("https://{}/{{basePath}}", src.host),
                        "variables": {"basePath": {"default": src.stage}}}]),
            );
        }
        ExportKind::Swagger => {
            doc.insert("swagger".into(), json!("2.0"));
            doc.insert("info".into(), Value::Object(info));
            doc.insert("host".into(), json!(src.host));
            doc.insert("basePath".into(), json!(format!("/{}", src.stage)));
            doc.insert("schemes".into(), json!(["https"]));
        }
    }
    let (paths, needs_key) = paths(src.resources, kind, extensions);
    doc.insert("paths".into(), Value::Object(paths));
    if needs_key {
        let scheme = json!({"api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"}});
        match kind {
            ExportKind::Oas30 => {
                doc.insert("components".into(), json!({"securitySchemes": scheme}))
            }
            ExportKind::Swagger => doc.insert("securityDefinitions".into(), scheme),
        };
    }
    if extensions {
        api_extensions(src.api, &mut doc);
    }
    Value::Object(doc)
}

/// The API-level extensions.
fn api_extensions(api: &ApiRecord, doc: &mut Map<String, Value>) {
    if api.api_key_source != "HEADER" {
        doc.insert(
            "x-amazon-apigateway-api-key-source".into(),
            json!(api.api_key_source),
        );
    }
    if !api.binary_media_types.is_empty() {
        doc.insert(
            "x-amazon-apigateway-binary-media-types".into(),
            json!(api.binary_media_types),
        );
    }
    if let Some(policy) = &api.policy {
        let parsed = serde_json::from_str::<Value>(policy).unwrap_or_else(|_| json!(policy));
        doc.insert("x-amazon-apigateway-policy".into(), parsed);
    }
}

/// `paths` (resources with methods, by path) and whether any method requires an API key.
fn paths(resources: &[ResourceRecord], kind: ExportKind, ext: bool) -> (Map<String, Value>, bool) {
    let mut sorted: Vec<&ResourceRecord> =
        resources.iter().filter(|r| !r.methods.is_empty()).collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let mut out = Map::new();
    let mut needs_key = false;
    for r in sorted {
        let mut item = Map::new();
        for (verb, m) in &r.methods {
            needs_key |= m.api_key_required;
            let key = match verb.as_str() {
                "ANY" => "x-amazon-apigateway-any-method".to_owned(),
                v => v.to_ascii_lowercase(),
            };
            item.insert(key, operation(m, kind, ext));
        }
        out.insert(r.path.clone(), Value::Object(item));
    }
    (out, needs_key)
}

/// One operation.
fn operation(m: &MethodRecord, kind: ExportKind, ext: bool) -> Value {
    let mut op = Map::new();
    if let Some(name) = &m.operation_name {
        op.insert("operationId".into(), json!(name));
    }
    let params: Vec<Value> = m
        .request_parameters
        .iter()
        .filter_map(|(name, required)| parameter(name, *required, kind))
        .collect();
    if !params.is_empty() {
        op.insert("parameters".into(), Value::Array(params));
    }
    let mut responses = Map::new();
    for (code, r) in &m.responses {
        let mut resp = Map::new();
        resp.insert("description".into(), json!(format!("{code} response")));
        let headers: Map<String, Value> = r
            .response_parameters
            .keys()
            .filter_map(|k| k.strip_prefix("method.response.header."))
            .map(|h| (h.to_owned(), header_schema(kind)))
            .collect();
        if !headers.is_empty() {
            resp.insert("headers".into(), Value::Object(headers));
        }
        responses.insert(code.clone(), Value::Object(resp));
    }
    op.insert("responses".into(), Value::Object(responses));
    if m.api_key_required {
        op.insert("security".into(), json!([{"api_key": []}]));
    }
    if let Some(i) = m.integration.as_ref().filter(|_| ext) {
        op.insert("x-amazon-apigateway-integration".into(), integration(i));
    }
    Value::Object(op)
}

/// A header's schema in each format.
fn header_schema(kind: ExportKind) -> Value {
    match kind {
        ExportKind::Oas30 => json!({"schema": {"type": "string"}}),
        ExportKind::Swagger => json!({"type": "string"}),
    }
}

/// A method request parameter as an OpenAPI parameter.
fn parameter(name: &str, required: bool, kind: ExportKind) -> Option<Value> {
    let rest = name.strip_prefix("method.request.")?;
    let (place, pname) = rest.split_once('.')?;
    let place = match place {
        "path" => "path",
        "querystring" => "query",
        "header" => "header",
        _ => return None,
    };
    let mut p = json!({"name": pname, "in": place, "required": required});
    match kind {
        ExportKind::Oas30 => p["schema"] = json!({"type": "string"}),
        ExportKind::Swagger => p["type"] = json!("string"),
    }
    Some(p)
}

/// An integration as `x-amazon-apigateway-integration`.
fn integration(i: &IntegrationRecord) -> Value {
    let mut out = Map::new();
    out.insert("type".into(), json!(i.kind.to_ascii_lowercase()));
    if let Some(h) = &i.http_method {
        out.insert("httpMethod".into(), json!(h));
    }
    if let Some(u) = &i.uri {
        out.insert("uri".into(), json!(u));
    }
    let mut responses = Map::new();
    for r in i.responses.values() {
        let mut resp = Map::new();
        resp.insert("statusCode".into(), json!(r.status_code));
        if !r.response_parameters.is_empty() {
            resp.insert("responseParameters".into(), json!(r.response_parameters));
        }
        if !r.response_templates.is_empty() {
            resp.insert("responseTemplates".into(), json!(r.response_templates));
        }
        let pattern = r
            .selection_pattern
            .clone()
            .unwrap_or_else(|| "default".into());
        responses.insert(pattern, Value::Object(resp));
    }
    if !responses.is_empty() {
        out.insert("responses".into(), Value::Object(responses));
    }
    if !i.request_parameters.is_empty() {
        out.insert("requestParameters".into(), json!(i.request_parameters));
    }
    if !i.request_templates.is_empty() {
        out.insert("requestTemplates".into(), json!(i.request_templates));
    }
    if let Some(p) = &i.passthrough_behavior {
        out.insert("passthroughBehavior".into(), json!(p.to_ascii_lowercase()));
    }
    out.insert("connectionType".into(), json!(i.connection_type));
    out.insert("timeoutInMillis".into(), json!(i.timeout_ms));
    Value::Object(out)
}
