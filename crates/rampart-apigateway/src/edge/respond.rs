//! Responses the edge makes itself: API Gateway's gateway errors as clients see them
//! (`{"message": ...}` with `x-amzn-RequestId` and `x-amzn-ErrorType`), MOCK integrations, and
//! the choice of integration response for non-proxy integrations.

use crate::edge::body::{EdgeBody, full};
use crate::record::{IntegrationRecord, IntegrationResponseRecord, Map};
use http::{HeaderValue, Response, StatusCode};

/// A gateway error: `status`, `{"message": message}`, its error type header.
pub fn gateway_error(
    request_id: &str,
    status: u16,
    error_type: &str,
    message: &str,
) -> Response<EdgeBody> {
    let body = serde_json::json!({ "message": message }).to_string();
    let mut response = Response::new(full(body));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(error_type) {
        headers.insert("x-amzn-ErrorType", v);
    }
    stamp(&mut response, request_id);
    response
}

/// 403 for a request no deployed method matches.
pub fn missing_token(request_id: &str) -> Response<EdgeBody> {
    gateway_error(
        request_id,
        403,
        "MissingAuthenticationTokenException",
        "Missing Authentication Token",
    )
}

/// 500 for an integration that failed.
pub fn internal_error(request_id: &str) -> Response<EdgeBody> {
    gateway_error(
        request_id,
        500,
        "InternalServerErrorException",
        "Internal server error",
    )
}

/// 504 for an integration that did not answer within its timeout.
pub fn timed_out(request_id: &str) -> Response<EdgeBody> {
    gateway_error(
        request_id,
        504,
        "InternalServerErrorException",
        "Endpoint request timed out",
    )
}

/// 429 for a request over the stage's throttling limits.
pub fn throttled(request_id: &str) -> Response<EdgeBody> {
    gateway_error(
        request_id,
        429,
        "TooManyRequestsException",
        "Too Many Requests",
    )
}

/// Adds the request id headers every API Gateway answer carries.
pub fn stamp<B>(response: &mut Response<B>, request_id: &str) {
    if let Ok(v) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert("x-amzn-RequestId", v.clone());
        response.headers_mut().insert("x-amz-apigw-id", v);
    }
}

/// The integration response for integration status `status`: the one whose selection
/// pattern matches it whole, else the default (no pattern).
pub fn select_response<'a>(
    integration: &'a IntegrationRecord,
    status: &str,
) -> Option<&'a IntegrationResponseRecord> {
    let patterned = integration.responses.values().find(|r| {
        r.selection_pattern
            .as_deref()
            .filter(|p| !p.is_empty())
            .and_then(|p| regex::Regex::new(&format!("^(?:{p})$")).ok())
            .is_some_and(|re| re.is_match(status))
    });
    patterned.or_else(|| {
        integration
            .responses
            .values()
            .find(|r| r.selection_pattern.as_deref().is_none_or(str::is_empty))
    })
}

/// The template for `content_type` (or `application/json`, or the only one).
pub fn template<'a>(templates: &'a Map, content_type: Option<&str>) -> Option<&'a String> {
    content_type
        .and_then(|ct| templates.get(ct.split(';').next().unwrap_or(ct).trim()))
        .or_else(|| templates.get("application/json"))
        .or_else(|| {
            (templates.len() == 1)
                .then(|| templates.values().next())
                .flatten()
        })
}

/// A MOCK integration's answer: the status its request template names (`{"statusCode": N}`,
/// 200 without one), mapped through the integration response to the method response, with
/// that response's static template as the body and its literal header mappings.
pub fn mock(
    integration: &IntegrationRecord,
    content_type: Option<&str>,
    request_id: &str,
) -> Response<EdgeBody> {
    let status = template(&integration.request_templates, content_type)
        .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
        .and_then(|v| v.get("statusCode").and_then(serde_json::Value::as_u64))
        .unwrap_or(200);
    let Some(chosen) = select_response(integration, &status.to_string()) else {
        return internal_error(request_id);
    };
    let body = template(&chosen.response_templates, None)
        .cloned()
        .unwrap_or_default();
    let mut response = Response::new(full(body));
    if !apply_method_response(&mut response, chosen, &http::HeaderMap::new()) {
        return internal_error(request_id);
    }
    stamp(&mut response, request_id);
    response
}

/// Sets the status and the mapped headers of integration response `chosen` on `response`
/// (`method.response.header.X` ← `'literal'` or `integration.response.header.Y` of
/// `upstream`); false when its status is not a valid one.
pub fn apply_method_response<B>(
    response: &mut Response<B>,
    chosen: &IntegrationResponseRecord,
    upstream: &http::HeaderMap,
) -> bool {
    let Ok(status) = chosen.status_code.parse::<u16>().map(StatusCode::from_u16) else {
        return false;
    };
    let Ok(status) = status else { return false };
    *response.status_mut() = status;
    for (target, source) in &chosen.response_parameters {
        let Some(name) = target.strip_prefix("method.response.header.") else {
            continue;
        };
        let value = match source.strip_prefix("integration.response.header.") {
            Some(header) => upstream
                .get(header)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            None => literal(source),
        };
        let header = http::HeaderName::from_bytes(name.as_bytes());
        if let (Ok(header), Some(Ok(value))) = (header, value.map(|v| HeaderValue::from_str(&v))) {
            response.headers_mut().insert(header, value);
        }
    }
    true
}

/// `'text'` → `text`.
pub fn literal(source: &str) -> Option<String> {
    source
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .map(str::to_owned)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn integration(responses: &[(&str, Option<&str>)]) -> IntegrationRecord {
        IntegrationRecord {
            kind: "MOCK".into(),
            http_method: None,
            uri: None,
            connection_type: "INTERNET".into(),
            request_parameters: Map::new(),
            request_templates: [(
                "application/json".to_owned(),
                r#"{"statusCode": 404}"#.to_owned(),
            )]
            .into_iter()
            .collect(),
            passthrough_behavior: None,
            timeout_ms: 29_000,
            cache_namespace: "r".into(),
            cache_key_parameters: vec![],
            responses: responses
                .iter()
                .map(|(s, p)| {
                    let r = IntegrationResponseRecord {
                        status_code: (*s).into(),
                        selection_pattern: p.map(Into::into),
                        response_parameters: [(
                            "method.response.header.X-Mock".to_owned(),
                            "'yes'".to_owned(),
                        )]
                        .into_iter()
                        .collect(),
                        response_templates: BTreeMap::new(),
                    };
                    ((*s).to_owned(), r)
                })
                .collect(),
        }
    }

    #[test]
    fn mock_status_selects_the_integration_response() {
        let i = integration(&[("200", None), ("404", Some("4\\d{2}"))]);
        let response = mock(&i, None, "rid");
        assert_eq!(response.status(), 404);
        assert_eq!(response.headers()["X-Mock"], "yes");
        assert_eq!(response.headers()["x-amzn-RequestId"], "rid");
        let only_default = integration(&[("201", None)]);
        assert_eq!(mock(&only_default, None, "rid").status(), 201);
        let none = integration(&[]);
        assert_eq!(mock(&none, None, "rid").status(), 500);
    }
}
