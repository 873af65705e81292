//! API Gateway as a server module (`rampart_module`): its restJson1 endpoint, its tables, and
//! as background work the edge listeners (`edge.listen`, `edge.tls_listen` and the private
//! `edge.private_listen`, each when set) with the periodic refresh of what they serve.

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
    let tls = match tls_listener {
        Some(listener) => Some(edge_tls(listener, &service)?),
        None => None,
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

/// The private listener, bound now, with the VPC endpoint it stands for.
fn private_edge(settings: &PrivateEdgeSettings) -> Result<PrivateEdge, String> {
    Ok(PrivateEdge {
        listener: bind(settings.listen)?,
        endpoint: Arc::new(edge::VpcEndpoint {
            vpce_id: settings.vpce_id.clone(),
            vpc_id: settings.vpc_id.clone(),
        }),
    })
}

/// The private edge: its listener and the VPC endpoint it stands for.
struct PrivateEdge {
    listener: std::net::TcpListener,
    endpoint: Arc<edge::VpcEndpoint>,
}

/// Serves plain HTTP on `listener` for `edge`; `endpoint` makes it the private listener.
async fn run_plain(
    listener: std::net::TcpListener,
    edge: Arc<edge::Edge>,
    endpoint: Option<Arc<edge::VpcEndpoint>>,
) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(e) => {
            tracing::error!(error = %e, "an edge listener cannot start");
            return;
        }
    };
    if let Ok(addr) = listener.local_addr() {
        match &endpoint {
            Some(e) => tracing::info!(%addr, vpce = %e.vpce_id, vpc = %e.vpc_id,
                "API Gateway private edge listening (plain HTTP)"),
            None => tracing::info!(%addr, "API Gateway edge listening (plain HTTP)"),
        }
    }
    edge::serve(listener, edge, endpoint).await;
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

/// The HTTPS edge: its listener, SNI resolver, server configurations and ACM access.
struct EdgeTls {
    listener: std::net::TcpListener,
    resolver: Arc<tls::SniResolver>,
    configs: Arc<EdgeConfigs>,
    certificates: Option<Arc<CertificateAccess>>,
}

/// The HTTPS edge on `listener` for `service`, its default certificate made now.
fn edge_tls(
    listener: std::net::TcpListener,
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

/// Serves HTTPS on `tls` for `edge`, refreshing its certificates.
async fn run_tls(tls: EdgeTls, live: Arc<edge::Live>, edge: Arc<edge::Edge>) {
    let listener = match tokio::net::TcpListener::from_std(tls.listener) {
        Ok(listener) => listener,
        Err(e) => {
            tracing::error!(error = %e, "the edge TLS listener cannot start");
            return;
        }
    };
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "API Gateway edge listening (HTTPS)");
    }
    if let Some(access) = tls.certificates {
        let configs = tls.configs.clone();
        tokio::spawn(tls::refresh_certificates(
            live,
            tls.resolver,
            configs,
            access,
        ));
    }
    edge::serve_tls(listener, edge, tls.configs).await;
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
            if let Some(tls) = tls {
                tokio::spawn(run_tls(tls, live, edge.clone()));
            }
            if let Some(private) = private {
                let endpoint = Some(private.endpoint);
                tokio::spawn(run_plain(private.listener, edge.clone(), endpoint));
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
