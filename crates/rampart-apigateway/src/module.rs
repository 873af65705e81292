//! API Gateway as a server module (`rampart_module`): its restJson1 endpoint, its tables, and
//! as background work the edge listener (when `edge.listen` is set) with the periodic
//! refresh of what it serves.

use crate::ApiGatewayService;
use crate::edge::{self, RequestFilter};
use crate::record::{APIS, DEPLOYMENTS, DOMAINS, STAGES};
use rampart_codec::{AwsHttpService, BoxFuture};
use rampart_module::{ModuleEnv, ServiceModule};
use std::sync::{Arc, Mutex};

/// Every table API Gateway owns.
pub const TABLES: &[&str] = &[APIS, DEPLOYMENTS, STAGES, DOMAINS];

/// Builds API Gateway over the store and the service clock; binds the edge listener now, so
/// a taken port stops the start with an error. A module listed earlier may provide an
/// `Arc<dyn RequestFilter>` (the WAF) for the edge.
pub fn module(env: &mut ModuleEnv<'_>) -> Result<Arc<dyn ServiceModule>, String> {
    let certificates = env.clients.get::<Arc<rampart_acm::CertificateAccess>>();
    let service = Arc::new(
        ApiGatewayService::new(env.store.clone(), env.clock.clone())
            .with_certificates(certificates),
    );
    let listener = match env.settings.edge_listen {
        Some(addr) => {
            let listener = std::net::TcpListener::bind(addr)
                .map_err(|e| format!("cannot listen on {addr} (edge): {e}"))?;
            listener
                .set_nonblocking(true)
                .map_err(|e| format!("edge listener: {e}"))?;
            Some(listener)
        }
        None => None,
    };
    let filter = env.clients.get::<Arc<dyn RequestFilter>>();
    env.clients.provide(service.clone());
    Ok(Arc::new(ApiGatewayModule {
        service,
        listener: Mutex::new(listener),
        filter,
    }))
}

/// The module around the service.
struct ApiGatewayModule {
    service: Arc<ApiGatewayService>,
    /// The bound edge listener, taken when the background work starts.
    listener: Mutex<Option<std::net::TcpListener>>,
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
        let std_listener = self.listener.lock().ok()?.take()?;
        let live = self.service.live();
        let edge = edge::edge(live.clone(), self.filter.clone());
        Some(Box::pin(async move {
            let listener = match tokio::net::TcpListener::from_std(std_listener) {
                Ok(listener) => listener,
                Err(e) => {
                    tracing::error!(error = %e, "the edge listener cannot start");
                    return;
                }
            };
            if let Ok(addr) = listener.local_addr() {
                tracing::info!(%addr, "API Gateway edge listening (plain HTTP)");
            }
            tokio::spawn(edge::refresh_periodically(live));
            edge::serve(listener, edge).await;
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
