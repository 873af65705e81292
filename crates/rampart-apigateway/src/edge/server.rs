//! The edge listeners: plain HTTP/1.1 and HTTP/2 (h2c) or HTTPS with hyper, each request
//! routed to a deployed stage and method (PRIVATE APIs only on the private listener, public
//! ones only elsewhere), throttled, shown to the request filter, judged by the resource
//! policy, then handed to its integration.

use crate::edge::body::{EdgeBody, full, split_prefix};
use crate::edge::client_cert::ClientCert;
use crate::edge::filter::{FilterRequest, RequestFilter, Verdict};
use crate::edge::invoke::{MethodRequest, forward};
use crate::edge::mtls::{EdgeConfigs, Picked};
use crate::edge::policy::{Invocation, denied, judge};
use crate::edge::private::{API_ID_HEADER, VpcEndpoint, forbidden, private_target, reachable};
use crate::edge::respond::{gateway_error, internal_error, missing_token, mock, stamp, throttled};
use crate::edge::route::{Matched, Target, custom_target, find, target};
use crate::edge::snapshot::{ApiView, Live, Snapshot, StageView};
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
use tokio_rustls::LazyConfigAcceptor;

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

/// Where a request came in.
#[derive(Debug, Clone)]
pub struct Arrival {
    /// The client's address.
    pub peer: SocketAddr,
    /// The listener's port.
    pub local_port: u16,
    /// The VPC endpoint the listener stands for; none on a public listener.
    pub endpoint: Option<Arc<VpcEndpoint>>,
    /// Whether the connection is HTTPS.
    pub tls: bool,
    /// The mutual TLS domain whose truststore the client's certificate chained to at the
    /// handshake; none without mutual TLS. Only its requests reach that domain.
    pub mutual_tls_domain: Option<String>,
    /// That client certificate, as `$context.identity.clientCert`.
    pub client_cert: Option<Arc<ClientCert>>,
}

/// Accepts connections on `listener` until the task is dropped; `endpoint` makes it the
/// private listener, standing for that VPC endpoint.
pub async fn serve(
    listener: tokio::net::TcpListener,
    edge: Arc<Edge>,
    endpoint: Option<Arc<VpcEndpoint>>,
) {
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
        let arrival = Arrival {
            peer,
            local_port,
            endpoint: endpoint.clone(),
            tls: false,
            mutual_tls_domain: None,
            client_cert: None,
        };
        tokio::spawn(serve_stream(edge.clone(), stream, arrival));
    }
}

/// Accepts HTTPS connections on `listener` (each handshake with the configuration `configs`
/// picks by SNI) until dropped; `endpoint` makes it the private listener, standing for that
/// VPC endpoint.
pub async fn serve_tls(
    listener: tokio::net::TcpListener,
    edge: Arc<Edge>,
    configs: Arc<EdgeConfigs>,
    endpoint: Option<Arc<VpcEndpoint>>,
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
        let arrival = Arrival {
            peer,
            local_port,
            endpoint: endpoint.clone(),
            tls: true,
            mutual_tls_domain: None,
            client_cert: None,
        };
        tokio::spawn(handshake(edge.clone(), configs.clone(), stream, arrival));
    }
}

/// Reads the ClientHello of `stream`, handshakes with the configuration its SNI picks, then
/// serves the connection.
async fn handshake(
    edge: Arc<Edge>,
    configs: Arc<EdgeConfigs>,
    stream: tokio::net::TcpStream,
    mut arrival: Arrival,
) {
    let lazy = LazyConfigAcceptor::new(rustls::server::Acceptor::default(), stream);
    let start = match lazy.await {
        Ok(start) => start,
        Err(e) => return tracing::debug!(error = %e, "edge TLS ClientHello unreadable"),
    };
    let config = match configs.pick(start.client_hello().server_name()) {
        Picked::Shared(config) => config,
        Picked::Mutual { domain, config } => {
            arrival.mutual_tls_domain = Some(domain);
            let Some(config) = config else {
                return tracing::debug!("edge TLS handshake refused: no usable truststore");
            };
            config
        }
    };
    match start.into_stream(config).await {
        Ok(tls) => {
            arrival.client_cert = verified_client_cert(tls.get_ref().1);
            serve_stream(edge, tls, arrival).await;
        }
        Err(e) => tracing::debug!(error = %e, "edge TLS handshake failed"),
    }
}

/// The client certificate `connection`'s handshake verified (mutual TLS only), parsed.
fn verified_client_cert(connection: &rustls::ServerConnection) -> Option<Arc<ClientCert>> {
    let leaf = connection.peer_certificates()?.first()?;
    ClientCert::from_der(leaf).map(Arc::new)
}

/// Serves the requests of one connection.
async fn serve_stream<S>(edge: Arc<Edge>, stream: S, arrival: Arrival)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let arrival = Arc::new(arrival);
    let service = hyper::service::service_fn(move |req| {
        let (edge, arrival) = (edge.clone(), arrival.clone());
        async move { Ok::<_, std::convert::Infallible>(handle(&edge, &arrival, req).await) }
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
    arrival: &Arrival,
    req: http::Request<Incoming>,
) -> http::Response<EdgeBody> {
    let request_id = uuid::Uuid::new_v4().to_string();
    let snapshot = edge.live.snapshot();
    if mutual_tls_missing(&snapshot, arrival, &req) {
        return forbidden(&request_id);
    }
    let Some((to, named_endpoint)) = destination(&snapshot, arrival, &req) else {
        return unrouted(edge, arrival, &req, &request_id);
    };
    let Some(api) = snapshot
        .apis
        .get(&to.api_id)
        .filter(|a| to.custom || !a.execute_api_disabled)
    else {
        return unrouted(edge, arrival, &req, &request_id);
    };
    let endpoint = arrival.endpoint.as_deref();
    if !reachable(api, endpoint, named_endpoint.as_deref()) {
        return forbidden(&request_id);
    }
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
        arrival,
    };
    call.run(req).await
}

/// Where a request goes, with the VPC endpoint its host named: on the private listener by
/// path, `x-apigw-api-id` or host; elsewhere by custom domain name, host or path.
fn destination(
    snapshot: &Snapshot,
    arrival: &Arrival,
    req: &http::Request<Incoming>,
) -> Option<(Target, Option<String>)> {
    let host = request_host(req);
    let path = req.uri().path();
    if arrival.endpoint.is_some() {
        let named = req
            .headers()
            .get(API_ID_HEADER)
            .and_then(|v| v.to_str().ok());
        return private_target(host.as_deref(), named, path);
    }
    let to = match host.as_deref().and_then(|h| snapshot.domain_for(h)) {
        Some(domain) => custom_target(domain, path),
        None => target(host.as_deref(), path),
    };
    to.map(|to| (to, None))
}

/// The host a request names: its `Host` header, else its URI's authority.
fn request_host(req: &http::Request<Incoming>) -> Option<String> {
    req.headers()
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| req.uri().authority().map(|a| a.to_string()))
}

/// Whether `req` names a mutual TLS custom domain name over a connection whose handshake
/// did not check the client's certificate against that domain's truststore (plain HTTP, or
/// TLS with another server name): such requests are refused.
fn mutual_tls_missing(
    snapshot: &Snapshot,
    arrival: &Arrival,
    req: &http::Request<Incoming>,
) -> bool {
    let host = request_host(req);
    let Some(domain) = host.as_deref().and_then(|h| snapshot.domain_for(h)) else {
        return false;
    };
    domain.truststore.is_some() && arrival.mutual_tls_domain.as_deref() != Some(&domain.name)
}

/// The answer to a request naming no API this listener knows: the VPC endpoint's 403
/// Forbidden on the private listener; elsewhere the filter's metrics when asked, else 403
/// Missing Authentication Token.
fn unrouted(
    edge: &Edge,
    arrival: &Arrival,
    req: &http::Request<Incoming>,
    request_id: &str,
) -> http::Response<EdgeBody> {
    if arrival.endpoint.is_some() {
        return forbidden(request_id);
    }
    let wanted = req.method() == http::Method::GET && req.uri().path() == "/metrics";
    let text = edge
        .filter
        .as_ref()
        .filter(|_| wanted)
        .and_then(|f| f.metrics());
    match text {
        Some(text) => metrics(text),
        None => missing_token(request_id),
    }
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
    arrival: &'a Arrival,
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
            client_ip: self.arrival.peer.ip(),
            scheme: if self.arrival.tls { "https" } else { "http" },
            local_port: self.arrival.local_port,
            endpoint_type: &self.api.endpoint_type,
            client_cert: self.arrival.client_cert.as_deref(),
        };
        forward(&self.edge.upstream, integration, &method_request, body).await
    }

    /// The API's resource policy's refusal of this call, if it refuses; a PRIVATE API
    /// without one refuses every call.
    fn resource_policy(&self, method: &http::Method) -> Option<http::Response<EdgeBody>> {
        let call = Invocation {
            region: &self.api.region,
            account: &self.api.account,
            api: &self.api.id,
            stage: &self.stage.name,
            method: method.as_str(),
            path: self.path,
            client_ip: self.arrival.peer.ip(),
            endpoint: self.arrival.endpoint.as_deref(),
        };
        let decision = match &self.api.policy {
            Some(policy) => judge(policy, &call, time::OffsetDateTime::now_utc()),
            None if self.api.endpoint_type == "PRIVATE" => Decision::ImplicitDeny,
            None => return None,
        };
        (decision != Decision::Allow).then(|| denied(&call, decision, self.request_id))
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
            client_ip: self.arrival.peer.ip(),
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
