//! OpenAPI 3 and Swagger 2 definitions with API Gateway's `x-amazon-apigateway-*` extensions,
//! read (JSON or YAML) into what ImportRestApi and PutRestApi apply to an API (`read`,
//! `paths.rs`), and written back from an API by GetExport (`export.rs`).

mod export;
mod paths;

pub(crate) use export::{ExportKind, ExportSource, export};

use crate::generated::ServiceError;
use crate::generated::errors::bad_request_exception;
use crate::record::MethodRecord;
use serde_json::Value;
use std::collections::BTreeMap;

/// What a definition declares, ready to apply.
#[derive(Debug, Default)]
pub(crate) struct Definition {
    /// `info.title`.
    pub name: Option<String>,
    pub description: Option<String>,
    pub version: Option<String>,
    pub api_key_source: Option<String>,
    pub endpoint_types: Option<Vec<String>>,
    pub vpc_endpoint_ids: Option<Vec<String>>,
    pub disable_execute_api_endpoint: Option<bool>,
    pub binary_media_types: Option<Vec<String>>,
    /// The resource policy as JSON text.
    pub policy: Option<String>,
    pub minimum_compression_size: Option<i32>,
    /// Full resource paths (the base path applied) with their methods, in document order;
    /// the base path's own resources (prepend, split) come first without methods.
    pub paths: Vec<(String, BTreeMap<String, MethodRecord>)>,
    pub warnings: Vec<String>,
}

/// How the base path of a definition becomes resources (`basepath` parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BasePath {
    Ignore,
    Prepend,
    Split,
}

/// BadRequestException listing what made the import fail, as API Gateway words it.
pub(crate) fn import_errors(errors: &[String]) -> ServiceError {
    bad_request_exception(format!(
        "Errors found during import:\n\t{}",
        errors.join("\n\t")
    ))
}

/// BadRequestException for warnings when `failonwarnings` is set.
pub(crate) fn import_warnings(warnings: &[String]) -> ServiceError {
    bad_request_exception(format!(
        "Warnings found during import:\n\t{}",
        warnings.join("\n\t")
    ))
}

/// The body as a JSON value: JSON, else YAML.
fn parse_body(body: &[u8]) -> Result<Value, ServiceError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(import_errors(&["The API definition is empty.".into()]));
    }
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        return Ok(v);
    }
    serde_norway::from_slice::<Value>(body).map_err(|_| {
        import_errors(&["Unable to parse the API definition: it is neither JSON nor YAML.".into()])
    })
}

/// Reads `body` under the ImportRestApi / PutRestApi `parameters`.
pub(crate) fn read(
    body: &[u8],
    parameters: &BTreeMap<String, String>,
) -> Result<Definition, ServiceError> {
    let doc = parse_body(body)?;
    let base_mode = base_path_mode(parameters)?;
    let swagger = match (doc.get("openapi"), doc.get("swagger")) {
        (Some(Value::String(v)), _) if v.starts_with("3.") => false,
        (_, Some(Value::String(v))) if v == "2.0" => true,
        _ => {
            return Err(import_errors(&[
                "The API definition is neither OpenAPI 3.0 (openapi: 3.x.x) nor Swagger 2.0 (swagger: \"2.0\")."
                    .into(),
            ]));
        }
    };
    let mut def = Definition::default();
    read_info(&doc, &mut def);
    read_extensions(&doc, &mut def)?;
    def.endpoint_types = endpoint_types(parameters)?.or(def.endpoint_types.take());
    let base = if swagger {
        doc.get("basePath")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    } else {
        oas3_base_path(&doc)
    };
    let prefix = base_prefix(&base, base_mode);
    paths::read_paths(&doc, swagger, &prefix, &mut def)?;
    note_unserved(&doc, swagger, &mut def.warnings);
    Ok(def)
}

/// `info`'s title, description and version.
fn read_info(doc: &Value, def: &mut Definition) {
    let info = doc.get("info");
    let text = |k: &str| info.and_then(|i| i.get(k)).and_then(value_text);
    def.name = text("title").filter(|t| !t.is_empty());
    def.description = text("description");
    def.version = text("version");
}

/// A scalar as text (versions are often written as YAML numbers).
pub(crate) fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The API-level `x-amazon-apigateway-*` extensions.
fn read_extensions(doc: &Value, def: &mut Definition) -> Result<(), ServiceError> {
    if let Some(source) = doc.get("x-amazon-apigateway-api-key-source") {
        let source = value_text(source).unwrap_or_default().to_ascii_uppercase();
        if source != "HEADER" && source != "AUTHORIZER" {
            return Err(import_errors(&[format!(
                "Invalid API Key source specified: {source}. Valid values are HEADER and AUTHORIZER."
            )]));
        }
        def.api_key_source = Some(source);
    }
    if let Some(types) = doc.get("x-amazon-apigateway-binary-media-types") {
        def.binary_media_types = Some(string_list(types));
    }
    if let Some(policy) = doc.get("x-amazon-apigateway-policy") {
        def.policy = Some(match policy {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
    }
    if let Some(size) = doc.get("x-amazon-apigateway-minimum-compression-size") {
        def.minimum_compression_size = size.as_i64().and_then(|n| i32::try_from(n).ok());
    }
    if let Some(config) = doc.get("x-amazon-apigateway-endpoint-configuration") {
        def.vpc_endpoint_ids = config.get("vpcEndpointIds").map(string_list);
        def.disable_execute_api_endpoint = config
            .get("disableExecuteApiEndpoint")
            .and_then(Value::as_bool);
        if let Some(types) = config.get("types") {
            let types = string_list(types);
            check_types(&types)?;
            def.endpoint_types = Some(types);
        }
    }
    Ok(())
}

/// The strings of a list (a lone string is a list of one).
pub(crate) fn string_list(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items.iter().filter_map(value_text).collect(),
        other => value_text(other).into_iter().collect(),
    }
}

/// One endpoint type of EDGE, REGIONAL, PRIVATE.
fn check_types(types: &[String]) -> Result<(), ServiceError> {
    if types.len() > 1 {
        return Err(bad_request_exception(
            "Cannot create an api with multiple Endpoint Types.",
        ));
    }
    match types
        .iter()
        .find(|t| !["EDGE", "REGIONAL", "PRIVATE"].contains(&t.as_str()))
    {
        Some(bad) => Err(bad_request_exception(format!(
            "Invalid endpoint configuration type specified: {bad}"
        ))),
        None => Ok(()),
    }
}

/// The `endpointConfigurationTypes` parameter.
fn endpoint_types(
    parameters: &BTreeMap<String, String>,
) -> Result<Option<Vec<String>>, ServiceError> {
    let Some(text) = parameters.get("endpointConfigurationTypes") else {
        return Ok(None);
    };
    let types: Vec<String> = text
        .split(',')
        .map(|t| t.trim().to_ascii_uppercase())
        .filter(|t| !t.is_empty())
        .collect();
    check_types(&types)?;
    Ok(Some(types))
}

/// The `basepath` parameter (ignore by default).
fn base_path_mode(parameters: &BTreeMap<String, String>) -> Result<BasePath, ServiceError> {
    for key in parameters.keys() {
        if !["basepath", "endpointConfigurationTypes", "ignore"].contains(&key.as_str()) {
            return Err(bad_request_exception(format!(
                "Invalid import parameter specified: {key}"
            )));
        }
    }
    match parameters.get("basepath").map(String::as_str) {
        None | Some("ignore") => Ok(BasePath::Ignore),
        Some("prepend") => Ok(BasePath::Prepend),
        Some("split") => Ok(BasePath::Split),
        Some(other) => Err(bad_request_exception(format!(
            "Invalid basepath parameter specified: {other}. Valid values are ignore, prepend and split."
        ))),
    }
}

/// OpenAPI 3's base path: the first `basePath` server variable's default, else the path
/// of the first server's URL.
fn oas3_base_path(doc: &Value) -> String {
    let servers = doc.get("servers").and_then(Value::as_array);
    let servers = servers.map(Vec::as_slice).unwrap_or_default();
    let variable = servers.iter().find_map(|s| {
        s.pointer("/variables/basePath/default")
            .and_then(Value::as_str)
    });
    if let Some(v) = variable {
        return v.to_owned();
    }
    let url = servers
        .first()
        .and_then(|s| s.get("url"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let after_host = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |i| &rest[i..]),
        None => url,
    };
    after_host.to_owned()
}

/// The path parts the base path puts before every path under `mode`.
fn base_prefix(base: &str, mode: BasePath) -> Vec<String> {
    let parts: Vec<String> = base
        .split('/')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    match mode {
        BasePath::Ignore => Vec::new(),
        BasePath::Prepend => parts,
        BasePath::Split => parts.into_iter().skip(1).collect(),
    }
}

/// Warnings for what the definition holds that Rampart does not import.
fn note_unserved(doc: &Value, swagger: bool, warnings: &mut Vec<String>) {
    let models = if swagger {
        doc.get("definitions")
    } else {
        doc.pointer("/components/schemas")
    };
    if let Some(Value::Object(models)) = models {
        for name in models.keys() {
            warnings.push(format!(
                "Unable to create model '{name}': models are not served by Rampart; the schema was ignored."
            ));
        }
    }
    if let Value::Object(top) = doc {
        for key in top.keys() {
            let handled = [
                "x-amazon-apigateway-api-key-source",
                "x-amazon-apigateway-binary-media-types",
                "x-amazon-apigateway-policy",
                "x-amazon-apigateway-minimum-compression-size",
                "x-amazon-apigateway-endpoint-configuration",
            ];
            if key.starts_with("x-amazon-apigateway-") && !handled.contains(&key.as_str()) {
                warnings.push(format!("Ignoring unsupported extension {key}."));
            }
        }
    }
}

#[cfg(test)]
mod tests;
