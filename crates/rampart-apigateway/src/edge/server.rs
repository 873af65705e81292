//! The edge listener: plain HTTP/1.1 and HTTP/2 (h2c) with hyper, each request routed to a
//! deployed stage and method, throttled, shown to the request filter, then handed to its
//! integration. (TLS with SNI from ACM certificates is the next slice.)

use crate::edge::body::{EdgeBody, full, split_prefix};
use crate::edge::filter::{FilterRequest, RequestFilter, Verdict};
use crate::edge::invoke::{MethodRequest, forward};
use crate::edge::policy::{Invocation, denied, judge};
use crate::edge::respond::{gateway_error, internal_error, missing_token, mock, stamp, throttled};
use crate::edge::route::{Matched, custom_target, find, target};
use crate::edge::snapshot::{ApiView, Live, StageView};
use crate::edge::throttle::Throttle;
use crate::edge::upstream::Upstream;
use crate::edge::usage::{Metering, check_api_key};
use crate::record::MethodSettingRecord;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use rampart_policy::Decision;
use std::net::SocketAddr;
use std::sync::Arc;

/// Everything a request needs.
pub struct Edge {
    pub live: Arc<Live>,
    pub upstream: Arc<Upstream>,
    pub throttle: Throttle,
    /// The per-request filter (the WAF); none by default.
    pub filter: Option<Arc<dyn RequestFilter>>,
    /// API keys, usage plans' throttles and quotas.
    pub metering: Arc<Metering>,
}

impl std::fmt::Debug for Edge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Edge").finish_non_exhaustive()
    }
}

/// Accepts connections on `listener` until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, edge: Arc<Edge>) {
    let local_port = listener.local_addr().map_or(0, |a| a.port());
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::warn!(error = %e, "edge accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(serve_stream(edge.clone(), stream, peer, local_port));
    }
}

/// Accepts HTTPS connections on `listener` (handshakes with `acceptor`) until dropped.
pub async fn serve_tls(
    listener: tokio::net::TcpListener,
    edge: Arc<Edge>,
    acceptor: tokio_rustls::TlsAcceptor,
) {
    let local_port = listener.local_addr().map_or(0, |a| a.port());
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::warn!(error = %e, "edge TLS accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let (edge, acceptor) = (edge.clone(), acceptor.clone());
        tokio::spawn(async move {
            match acceptor.accept(stream).await {
                Ok(tls) => serve_stream(edge, tls, peer, local_port).await,
                Err(e) => tracing::debug!(error = %e, "edge TLS handshake failed"),
            }
        });
    }
}

/// Serves the requests of one connection.
async fn serve_stream<S>(edge: Arc<Edge>, stream: S, peer: SocketAddr, local_port: u16)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req| {
        let edge = edge.clone();
        async move { Ok::<_, std::convert::Infallible>(handle(&edge, peer, local_port, req).await) }
    });
    let builder = Builder::new(TokioExecutor::new());
    if let Err(e) = builder
        .serve_connection(TokioIo::new(stream), service)
        .await
    {
        tracing::debug!(error = %e, "edge connection ended");
    }
}

/// Answers one request.
pub async fn handle(
    edge: &Edge,
    peer: SocketAddr,
    local_port: u16,
    req: http::Request<Incoming>,
) -> http::Response<EdgeBody> {
    let request_id = uuid::Uuid::new_v4().to_string();
    let host = req
        .headers()
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| req.uri().authority().map(|a| a.to_string()));
    let snapshot = edge.live.snapshot();
    let custom = host.as_deref().and_then(|h| snapshot.domain_for(h));
    let to = match custom {
        Some(domain) => custom_target(domain, req.uri().path()),
        None => target(host.as_deref(), req.uri().path()),
    };
    let Some(to) = to else {
        let wanted = req.method() == http::Method::GET && req.uri().path() == "/metrics";
        if let Some(text) = edge
            .filter
            .as_ref()
            .filter(|_| wanted)
            .and_then(|f| f.metrics())
        {
            return metrics(text);
        }
        return missing_token(&request_id);
    };
    let Some(api) = snapshot
        .apis
        .get(&to.api_id)
        .filter(|a| to.custom || !a.execute_api_disabled)
    else {
        return missing_token(&request_id);
    };
    let Some(stage) = api.stages.get(&to.stage) else {
        return missing_token(&request_id);
    };
    let Some(matched) = find(&stage.resources, req.method().as_str(), &to.path) else {
        return missing_token(&request_id);
    };
    if !admit(edge, api, stage, &matched, req.method().as_str()) {
        return throttled(&request_id);
    }
    let call = Call {
        edge,
        api,
        stage,
        matched: &matched,
        path: &to.path,
        request_id: &request_id,
        peer,
        local_port,
    };
    call.run(req).await
}

/// Takes a token from the most specific throttling setting that applies.
fn admit(
    edge: &Edge,
    api: &ApiView,
    stage: &StageView,
    matched: &Matched<'_>,
    method: &str,
) -> bool {
    let path = matched.resource.path.trim_start_matches('/');
    let own = format!("{path}/{}", matched.method.http_method);
    let (key, setting) = [own.clone(), format!("{path}/{method}"), "*/*".to_owned()]
        .into_iter()
        .find_map(|k| stage.settings.get(&k).map(|s| (k, s.clone())))
        .unwrap_or_else(|| ("*/*".to_owned(), MethodSettingRecord::default()));
    let bucket = format!("{}/{}/{key}", api.id, stage.name);
    edge.throttle.admit(
        &bucket,
        setting.throttling_rate_limit,
        setting.throttling_burst_limit,
    )
}

/// One request on its way to an integration.
struct Call<'a> {
    edge: &'a Edge,
    api: &'a ApiView,
    stage: &'a StageView,
    matched: &'a Matched<'a>,
    /// The requested resource path.
    path: &'a str,
    request_id: &'a str,
    peer: SocketAddr,
    local_port: u16,
}

impl Call<'_> {
    async fn run(&self, req: http::Request<Incoming>) -> http::Response<EdgeBody> {
        let (mut parts, body) = req.into_parts();
        let mut body: EdgeBody = body.boxed();
        if let Some(filter) = &self.edge.filter {
            match self.filtered(filter.as_ref(), &mut parts, body).await {
                Ok(rest) => body = rest,
                Err(answer) => return answer,
            }
        }
        if let Some(refusal) = self.resource_policy(&parts.method) {
            return refusal;
        }
        let (api, stage, matched, id) = (self.api, self.stage, self.matched, self.request_id);
        if let Some(refusal) = check_api_key(self.edge, api, stage, matched, &parts.headers, id) {
            return refusal;
        }
        let Some(integration) = self.matched.method.integration.as_ref() else {
            return internal_error(self.request_id);
        };
        if integration.kind == "MOCK" {
            let ct = parts
                .headers
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok());
            return mock(integration, ct, self.request_id);
        }
        let method_request = MethodRequest {
            method: &parts.method,
            headers: &parts.headers,
            query: parts.uri.query().unwrap_or(""),
            path_params: &self.matched.path_params,
            stage_variables: &self.stage.variables,
            request_id: self.request_id,
            client_ip: self.peer.ip(),
            scheme: "http",
            local_port: self.local_port,
            endpoint_type: &self.api.endpoint_type,
        };
        forward(&self.edge.upstream, integration, &method_request, body).await
    }

    /// The API's resource policy's refusal of this call, if it refuses.
    fn resource_policy(&self, method: &http::Method) -> Option<http::Response<EdgeBody>> {
        let policy = self.api.policy.as_ref()?;
        let call = Invocation {
            region: &self.api.region,
            account: &self.api.account,
            api: &self.api.id,
            stage: &self.stage.name,
            method: method.as_str(),
            path: self.path,
            client_ip: self.peer.ip(),
        };
        match judge(policy, &call, time::OffsetDateTime::now_utc()) {
            Decision::Allow => None,
            decision => Some(denied(&call, decision, self.request_id)),
        }
    }

    /// Shows the request and the start of its body to `filter`: the body (prefix put back)
    /// to go on with, or the answer the filter gave.
    async fn filtered(
        &self,
        filter: &dyn RequestFilter,
        parts: &mut http::request::Parts,
        body: EdgeBody,
    ) -> Result<EdgeBody, http::Response<EdgeBody>> {
        let (prefix, rest) = split_prefix(body, filter.body_prefix_len())
            .await
            .map_err(|_| {
                gateway_error(self.request_id, 400, "BadRequestException", "Bad Request")
            })?;
        let stage_arn = format!(
            "arn:aws:apigateway:{}::/restapis/{}/stages/{}",
            self.api.region, self.api.id, self.stage.name
        );
        let seen = FilterRequest {
            client_ip: self.peer.ip(),
            method: &parts.method,
            path: parts.uri.path(),
            query: parts.uri.query().unwrap_or(""),
            headers: &parts.headers,
            http_version: version_name(parts.version),
            body_prefix: &prefix,
            body_len: content_length(&parts.headers),
            stage_arn: &stage_arn,
            request_id: self.request_id,
        };
        match filter.check(&seen) {
            Verdict::Allow(insert) => {
                for (name, value) in insert {
                    let name = http::HeaderName::from_bytes(name.as_bytes());
                    let value = http::HeaderValue::from_str(&value);
                    if let (Ok(name), Ok(value)) = (name, value) {
                        parts.headers.insert(name, value);
                    }
                }
                Ok(rest)
            }
            Verdict::Respond(answer) => {
                let (head, bytes) = answer.into_parts();
                let mut response = http::Response::from_parts(head, full(bytes));
                stamp(&mut response, self.request_id);
                Err(response)
            }
        }
    }
}

/// The wire name of an HTTP version, as WAF logs write it.
fn version_name(version: http::Version) -> &'static str {
    match version {
        http::Version::HTTP_10 => "HTTP/1.0",
        http::Version::HTTP_2 => "HTTP/2.0",
        http::Version::HTTP_3 => "HTTP/3.0",
        _ => "HTTP/1.1",
    }
}

/// The declared `Content-Length`, when valid.
fn content_length(headers: &http::HeaderMap) -> Option<usize> {
    headers
        .get(http::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The filter's counters, as Prometheus text exposition.
fn metrics(text: String) -> http::Response<EdgeBody> {
    let mut response = http::Response::new(full(bytes::Bytes::from(text)));
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    response
}
