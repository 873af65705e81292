//! HTTP and HTTP_PROXY integrations: the upstream request built from the method request
//! (HTTP_PROXY: method, headers, query and body passed through; HTTP: only what the plain
//! parameter mappings name), the URI's `{param}` and `${stageVariables.x}` filled in, the
//! forwarding headers API Gateway adds, and the answer (HTTP_PROXY: as it came; HTTP: through
//! the selected integration response).

use crate::edge::body::EdgeBody;
use crate::edge::client_cert::ClientCert;
use crate::edge::respond::{
    apply_method_response, internal_error, literal, select_response, stamp, timed_out,
};
use crate::edge::upstream::{Upstream, UpstreamError, split_url};
use crate::record::{IntegrationRecord, Map};
use http::{HeaderMap, HeaderName, HeaderValue, Request, Response};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

/// Headers that belong to one connection and are never forwarded.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
];

/// What the mappings read: the method request and its context.
#[derive(Debug)]
pub struct MethodRequest<'a> {
    pub method: &'a http::Method,
    pub headers: &'a HeaderMap,
    /// The raw query string (no `?`).
    pub query: &'a str,
    pub path_params: &'a [(String, String)],
    pub stage_variables: &'a Map,
    pub request_id: &'a str,
    pub client_ip: IpAddr,
    /// `http` or `https`, as the client connected.
    pub scheme: &'a str,
    pub local_port: u16,
    /// EDGE, REGIONAL or PRIVATE.
    pub endpoint_type: &'a str,
    /// The client certificate mutual TLS verified, if any.
    pub client_cert: Option<&'a ClientCert>,
}

impl MethodRequest<'_> {
    /// The value a mapping source names.
    fn source(&self, source: &str) -> Option<String> {
        if let Some(v) = literal(source) {
            return Some(v);
        }
        if let Some(name) = source.strip_prefix("method.request.path.") {
            return self
                .path_params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone());
        }
        if let Some(name) = source.strip_prefix("method.request.querystring.") {
            return query_pairs(self.query)
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_owned());
        }
        if let Some(name) = source.strip_prefix("method.request.header.") {
            return self
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
        }
        if let Some(name) = source.strip_prefix("stageVariables.") {
            return self.stage_variables.get(name).cloned();
        }
        if let Some(field) = source.strip_prefix("context.identity.clientCert.") {
            return self.client_cert?.field(field).map(str::to_owned);
        }
        match source {
            "context.requestId" => Some(self.request_id.to_owned()),
            "context.identity.sourceIp" => Some(self.client_ip.to_string()),
            "context.httpMethod" => Some(self.method.as_str().to_owned()),
            _ => None,
        }
    }
}

/// `a=1&b=2` as pairs (raw, still percent-encoded).
fn query_pairs(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
}

/// The mapped values of `integration.request.<kind>.<name>`.
fn mapped(
    integration: &IntegrationRecord,
    kind: &str,
    req: &MethodRequest<'_>,
) -> Vec<(String, String)> {
    let prefix = format!("integration.request.{kind}.");
    integration
        .request_parameters
        .iter()
        .filter_map(|(target, source)| {
            let name = target.strip_prefix(&prefix)?;
            Some((name.to_owned(), req.source(source)?))
        })
        .collect()
}

/// The upstream URL: the integration URI with stage variables and path parameters filled in
/// and the query added.
pub fn upstream_url(
    integration: &IntegrationRecord,
    req: &MethodRequest<'_>,
    proxy: bool,
) -> String {
    let mut url = integration.uri.clone().unwrap_or_default();
    for (name, value) in req.stage_variables {
        url = url.replace(&format!("${{stageVariables.{name}}}"), value);
    }
    let mut params = mapped(integration, "path", req);
    if proxy {
        // HTTP_PROXY: a placeholder no mapping fills takes the path parameter of its name.
        params.extend(req.path_params.iter().cloned());
    }
    for (name, value) in &params {
        url = url.replace(&format!("{{{name}}}"), value);
    }
    let mut query: Vec<String> = Vec::new();
    if proxy && !req.query.is_empty() {
        query.push(req.query.to_owned());
    }
    for (name, value) in mapped(integration, "querystring", req) {
        let encode = |s: &str| {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
        };
        query.push(format!("{}={}", encode(&name), encode(&value)));
    }
    if !query.is_empty() {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&query.join("&"));
    }
    url
}

/// The headers sent upstream.
fn upstream_headers(
    integration: &IntegrationRecord,
    req: &MethodRequest<'_>,
    proxy: bool,
) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if proxy {
        for (name, value) in req.headers {
            if !HOP_BY_HOP.contains(&name.as_str()) {
                headers.append(name.clone(), value.clone());
            }
        }
        forwarding_headers(&mut headers, req);
    } else if let Some(ct) = req.headers.get(http::header::CONTENT_TYPE) {
        headers.insert(http::header::CONTENT_TYPE, ct.clone());
    }
    for (name, value) in mapped(integration, "header", req) {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            headers.insert(n, v);
        }
    }
    headers
}

/// X-Forwarded-For (the client appended), X-Forwarded-Proto, X-Forwarded-Port, and for EDGE
/// endpoints the CloudFront `Via` hop, as API Gateway sends them to proxy integrations.
fn forwarding_headers(headers: &mut HeaderMap, req: &MethodRequest<'_>) {
    let client = req.client_ip.to_string();
    let forwarded = match req
        .headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
    {
        Some(earlier) if !earlier.trim().is_empty() => format!("{earlier}, {client}"),
        _ => client,
    };
    let pairs = [
        ("x-forwarded-for", forwarded),
        ("x-forwarded-proto", req.scheme.to_owned()),
        ("x-forwarded-port", req.local_port.to_string()),
        (
            "x-amzn-trace-id",
            format!("Root=1-{}", req.request_id.replace('-', "")),
        ),
    ];
    for (name, value) in pairs {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    }
    if req.endpoint_type == "EDGE" {
        let node: String = req
            .request_id
            .chars()
            .filter(|c| *c != '-')
            .take(16)
            .collect();
        let hop = format!("HTTP/1.1 {node}.cloudfront.net (CloudFront)");
        if let Ok(v) = HeaderValue::from_str(&hop) {
            headers.append(http::header::VIA, v);
        }
    }
}

/// Calls the upstream of an HTTP or HTTP_PROXY integration and answers the client.
pub async fn forward(
    upstream: &Arc<Upstream>,
    integration: &IntegrationRecord,
    req: &MethodRequest<'_>,
    body: EdgeBody,
) -> Response<EdgeBody> {
    let proxy = integration.kind == "HTTP_PROXY";
    let url = upstream_url(integration, req, proxy);
    let (origin, path) = match split_url(&url) {
        Ok(split) => split,
        Err(e) => {
            tracing::warn!(error = %e, "API Gateway integration cannot be called");
            return internal_error(req.request_id);
        }
    };
    let method = match (proxy, integration.http_method.as_deref()) {
        (false, Some(m)) if m != "ANY" => {
            http::Method::from_bytes(m.as_bytes()).unwrap_or(http::Method::GET)
        }
        _ => req.method.clone(),
    };
    let mut request = Request::new(body);
    *request.method_mut() = method;
    *request.headers_mut() = upstream_headers(integration, req, proxy);
    let host = if origin.port == (if origin.https { 443 } else { 80 }) {
        origin.host.clone()
    } else {
        format!("{}:{}", origin.host, origin.port)
    };
    if let Ok(v) = HeaderValue::from_str(&host) {
        request.headers_mut().insert(http::header::HOST, v);
    }
    match path.parse() {
        Ok(uri) => *request.uri_mut() = uri,
        Err(_) => return internal_error(req.request_id),
    }
    let timeout = Duration::from_millis(u64::try_from(integration.timeout_ms).unwrap_or(29_000));
    match tokio::time::timeout(timeout, upstream.send(origin, request)).await {
        Err(_) => timed_out(req.request_id),
        Ok(Err(e)) => {
            log_failure(&e);
            internal_error(req.request_id)
        }
        Ok(Ok(answer)) => answer_client(integration, answer, proxy, req.request_id),
    }
}

fn log_failure(e: &UpstreamError) {
    tracing::warn!(error = %e, "API Gateway integration failed");
}

/// The upstream's answer as the client gets it.
fn answer_client(
    integration: &IntegrationRecord,
    answer: Response<EdgeBody>,
    proxy: bool,
    request_id: &str,
) -> Response<EdgeBody> {
    let (mut parts, body) = answer.into_parts();
    for name in HOP_BY_HOP {
        parts.headers.remove(*name);
    }
    if proxy {
        let mut response = Response::from_parts(parts, body);
        stamp(&mut response, request_id);
        return response;
    }
    let status = parts.status.as_u16().to_string();
    let Some(chosen) = select_response(integration, &status) else {
        return internal_error(request_id);
    };
    let mut response = Response::new(body);
    if let Some(ct) = parts.headers.get(http::header::CONTENT_TYPE) {
        response
            .headers_mut()
            .insert(http::header::CONTENT_TYPE, ct.clone());
    }
    if !apply_method_response(&mut response, chosen, &parts.headers) {
        return internal_error(request_id);
    }
    stamp(&mut response, request_id);
    response
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn integration(kind: &str, uri: &str, params: &[(&str, &str)]) -> IntegrationRecord {
        IntegrationRecord {
            kind: kind.into(),
            http_method: Some("GET".into()),
            uri: Some(uri.into()),
            connection_type: "INTERNET".into(),
            request_parameters: params
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            request_templates: BTreeMap::new(),
            passthrough_behavior: None,
            timeout_ms: 1000,
            cache_namespace: "r".into(),
            cache_key_parameters: vec![],
            responses: BTreeMap::new(),
        }
    }

    #[test]
    fn the_url_and_headers_come_from_the_mappings() {
        let mut headers = HeaderMap::new();
        headers.insert("x-user", HeaderValue::from_static("ann"));
        headers.insert("x-forwarded-for", HeaderValue::from_static("10.0.0.1"));
        let params = vec![("proxy".to_owned(), "a/b".to_owned())];
        let vars: Map = [("host".to_owned(), "up:81".to_owned())]
            .into_iter()
            .collect();
        let req = MethodRequest {
            method: &http::Method::GET,
            headers: &headers,
            query: "q=1",
            path_params: &params,
            stage_variables: &vars,
            request_id: "0123456789abcdef0123",
            client_ip: "127.0.0.9".parse().unwrap(),
            scheme: "http",
            local_port: 4510,
            endpoint_type: "EDGE",
            client_cert: None,
        };
        let proxy = integration("HTTP_PROXY", "http://${stageVariables.host}/p/{proxy}", &[]);
        assert_eq!(upstream_url(&proxy, &req, true), "http://up:81/p/a/b?q=1");
        let sent = upstream_headers(&proxy, &req, true);
        assert_eq!(sent["x-forwarded-for"], "10.0.0.1, 127.0.0.9");
        assert_eq!(sent["x-user"], "ann");
        assert!(
            sent["via"]
                .to_str()
                .unwrap()
                .ends_with(".cloudfront.net (CloudFront)")
        );
        let plain = integration(
            "HTTP",
            "http://up/{id}",
            &[
                ("integration.request.path.id", "method.request.path.proxy"),
                (
                    "integration.request.header.X-Who",
                    "method.request.header.x-user",
                ),
                ("integration.request.querystring.k", "'v w'"),
            ],
        );
        assert_eq!(upstream_url(&plain, &req, false), "http://up/a/b?k=v%20w");
        let sent = upstream_headers(&plain, &req, false);
        assert_eq!(sent["x-who"], "ann");
        assert!(sent.get("x-forwarded-for").is_none());
    }
}
