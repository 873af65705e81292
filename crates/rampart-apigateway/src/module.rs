//! API Gateway as a server module (`rampart_module`): its restJson1 endpoint, its tables, and
//! as background work the edge listeners (`edge.listen`, `edge.tls_listen` and the private
//! `edge.private_listen` and `edge.private_tls_listen`, each when set) with the periodic
//! refresh of what they serve; both HTTPS listeners share one certificate resolver.

use crate::ApiGatewayService;
use crate::edge::mtls::EdgeConfigs;
use crate::edge::{self, RequestFilter, tls};
use crate::plans::{KEYS, PLANS, USAGE};
use crate::record::{APIS, DEPLOYMENTS, DOMAINS, STAGES};
use rampart_acm::CertificateAccess;
use rampart_codec::{AwsHttpService, BoxFuture};
use rampart_module::{ModuleEnv, PrivateEdgeSettings, ServiceModule};
use std::sync::{Arc, Mutex};

/// Every table API Gateway owns.
pub const TABLES: &[&str] = &[APIS, DEPLOYMENTS, STAGES, KEYS, PLANS, USAGE, DOMAINS];

/// Builds API Gateway over the store and the service clock; binds the edge listener now, so
/// a taken port stops the start with an error. A module listed earlier may provide an
/// `Arc<dyn RequestFilter>` (the WAF) for the edge.
pub fn module(env: &mut ModuleEnv<'_>) -> Result<Arc<dyn ServiceModule>, String> {
    let key_seal = env
        .root
        .domain_key(rampart_crypto::root::Domain::ApiGateway);
    let certificates = env.clients.get::<Arc<rampart_acm::CertificateAccess>>();
    let service = Arc::new(
        ApiGatewayService::new(env.store.clone(), env.clock.clone(), key_seal)
            .with_certificates(certificates)
            .with_truststore_dir(env.settings.edge_truststore_dir.clone()),
    );
    let listener = env.settings.edge_listen.map(bind).transpose()?;
    let tls_listener = env.settings.edge_tls_listen.map(bind).transpose()?;
    let private = match &env.settings.edge_private {
        Some(settings) => Some(private_edge(settings)?),
        None => None,
    };
    let private_tls = private.as_ref().is_some_and(|p| p.tls_listener.is_some());
    let tls = if tls_listener.is_some() || private_tls {
        Some(edge_tls(tls_listener, &service)?)
    } else {
        None
    };
    let filter = env.clients.get::<Arc<dyn RequestFilter>>();
    env.clients.provide(service.clone());
    Ok(Arc::new(ApiGatewayModule {
        service,
        listener: Mutex::new(listener),
        tls: Mutex::new(tls),
        private: Mutex::new(private),
        filter,
    }))
}

/// The private listeners, bound now, with the VPC endpoint they stand for.
fn private_edge(settings: &PrivateEdgeSettings) -> Result<PrivateEdge, String> {
    Ok(PrivateEdge {
        listener: settings.listen.map(bind).transpose()?,
        tls_listener: settings.tls_listen.map(bind).transpose()?,
        endpoint: Arc::new(edge::VpcEndpoint {
            vpce_id: settings.vpce_id.clone(),
            vpc_id: settings.vpc_id.clone(),
        }),
    })
}

/// The private edge: its plain and HTTPS listeners and the VPC endpoint they stand for.
struct PrivateEdge {
    listener: Option<std::net::TcpListener>,
    tls_listener: Option<std::net::TcpListener>,
    endpoint: Arc<edge::VpcEndpoint>,
}

/// `listener` for tokio, its address logged as the `what` edge listener; none (logged) if
/// it cannot be.
fn start(listener: std::net::TcpListener, what: &str) -> Option<tokio::net::TcpListener> {
    match tokio::net::TcpListener::from_std(listener) {
        Ok(listener) => {
            if let Ok(addr) = listener.local_addr() {
                tracing::info!(%addr, "API Gateway {what} edge listening");
            }
            Some(listener)
        }
        Err(e) => {
            tracing::error!(error = %e, "the API Gateway {what} edge listener cannot start");
            None
        }
    }
}

/// The name of a listener in the logs.
fn what(endpoint: Option<&edge::VpcEndpoint>, scheme: &str) -> String {
    match endpoint {
        Some(e) => format!("private ({scheme}, {} in {})", e.vpce_id, e.vpc_id),
        None => format!("public ({scheme})"),
    }
}

/// Serves plain HTTP on `listener` for `edge`; `endpoint` makes it a private listener.
async fn run_plain(
    listener: std::net::TcpListener,
    edge: Arc<edge::Edge>,
    endpoint: Option<Arc<edge::VpcEndpoint>>,
) {
    if let Some(listener) = start(listener, &what(endpoint.as_deref(), "plain HTTP")) {
        edge::serve(listener, edge, endpoint).await;
    }
}

/// Serves HTTPS on `listener` for `edge` with `configs`; `endpoint` makes it a private
/// listener.
async fn run_https(
    listener: std::net::TcpListener,
    edge: Arc<edge::Edge>,
    configs: Arc<EdgeConfigs>,
    endpoint: Option<Arc<edge::VpcEndpoint>>,
) {
    if let Some(listener) = start(listener, &what(endpoint.as_deref(), "HTTPS")) {
        edge::serve_tls(listener, edge, configs, endpoint).await;
    }
}

/// A non-blocking listener on `addr`.
fn bind(addr: std::net::SocketAddr) -> Result<std::net::TcpListener, String> {
    let listener = std::net::TcpListener::bind(addr)
        .map_err(|e| format!("cannot listen on {addr} (edge): {e}"))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("edge listener: {e}"))?;
    Ok(listener)
}

/// The edge's TLS: the public HTTPS listener (if set), and the SNI resolver, server
/// configurations and ACM access that it and the private HTTPS listener share.
struct EdgeTls {
    listener: Option<std::net::TcpListener>,
    resolver: Arc<tls::SniResolver>,
    configs: Arc<EdgeConfigs>,
    certificates: Option<Arc<CertificateAccess>>,
}

/// The edge's TLS for `service` with the public HTTPS `listener`, if any, its default
/// certificate made now.
fn edge_tls(
    listener: Option<std::net::TcpListener>,
    service: &ApiGatewayService,
) -> Result<EdgeTls, String> {
    let default = tls::default_certificate("us-east-1")?;
    let resolver = Arc::new(tls::SniResolver::new(Arc::new(default)));
    let shared = Arc::new(tls::server_config(resolver.clone())?);
    let dir = service.truststore_dir.clone();
    Ok(EdgeTls {
        listener,
        configs: Arc::new(EdgeConfigs::new(shared, resolver.clone(), dir)),
        resolver,
        certificates: service.certificates.clone(),
    })
}

/// Refreshes `tls`'s certificates and serves its public HTTPS listener, if any, for `edge`.
async fn run_tls(tls: EdgeTls, live: Arc<edge::Live>, edge: Arc<edge::Edge>) {
    if let Some(access) = tls.certificates {
        let configs = tls.configs.clone();
        tokio::spawn(tls::refresh_certificates(
            live,
            tls.resolver,
            configs,
            access,
        ));
    }
    match tls.listener {
        Some(listener) => run_https(listener, edge, tls.configs, None).await,
        None => std::future::pending().await,
    }
}

/// Starts the private listeners of `private` for `edge`, the HTTPS one with `configs`.
fn run_private(private: PrivateEdge, edge: Arc<edge::Edge>, configs: Option<Arc<EdgeConfigs>>) {
    let endpoint = Some(private.endpoint);
    if let Some(listener) = private.listener {
        tokio::spawn(run_plain(listener, edge.clone(), endpoint.clone()));
    }
    if let (Some(listener), Some(configs)) = (private.tls_listener, configs) {
        tokio::spawn(run_https(listener, edge, configs, endpoint));
    }
}

/// The module around the service.
struct ApiGatewayModule {
    service: Arc<ApiGatewayService>,
    /// The bound edge listener, taken when the background work starts.
    listener: Mutex<Option<std::net::TcpListener>>,
    /// The HTTPS edge, taken when the background work starts.
    tls: Mutex<Option<EdgeTls>>,
    /// The private edge, taken when the background work starts.
    private: Mutex<Option<PrivateEdge>>,
    filter: Option<Arc<dyn RequestFilter>>,
}

impl ServiceModule for ApiGatewayModule {
    fn name(&self) -> &'static str {
        "apigateway"
    }

    fn tables(&self) -> &'static [&'static str] {
        TABLES
    }

    fn http_services(&self) -> Vec<Arc<dyn AwsHttpService>> {
        vec![Arc::new(crate::generated::Endpoint(self.service.clone()))]
    }

    fn prepare(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            self.service
                .live()
                .refresh()
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn background(&self) -> Option<BoxFuture<'static, ()>> {
        let std_listener = self.listener.lock().ok()?.take();
        let tls = self.tls.lock().ok()?.take();
        let private = self.private.lock().ok()?.take();
        if std_listener.is_none() && tls.is_none() && private.is_none() {
            return None;
        }
        let live = self.service.live();
        let metering = self.service.metering();
        let edge = edge::edge(live.clone(), self.filter.clone(), metering.clone());
        Some(Box::pin(async move {
            tokio::spawn(edge::refresh_periodically(live.clone()));
            tokio::spawn(edge::flush_usage_periodically(metering));
            let configs = tls.as_ref().map(|tls| tls.configs.clone());
            if let Some(tls) = tls {
                tokio::spawn(run_tls(tls, live, edge.clone()));
            }
            if let Some(private) = private {
                run_private(private, edge.clone(), configs);
            }
            match std_listener {
                Some(listener) => run_plain(listener, edge, None).await,
                None => std::future::pending().await,
            }
        }))
    }

    fn reset(&self) {
        let live = self.service.live();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = live.refresh().await;
            });
        }
    }
}
