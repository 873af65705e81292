//! The edge data plane: a listener of its own (`[edge] listen`, `RAMPART_EDGE_LISTEN`) that
//! invokes deployed REST APIs by host (`<api-id>.execute-api.<region>.<domain>`) or by path
//! (`/restapis/<api-id>/<stage>/_user_request_/<path>`). It reads a [`Live`] snapshot of the
//! deployed stages, refreshed by the control plane's writes on this node and re-read
//! periodically for other nodes, so changes need no restart. A [`RequestFilter`] (the WAF)
//! may look at each routed request first. PRIVATE APIs answer only on the private listener
//! (`[edge] private_listen`), which stands for an interface VPC endpoint (see `private`).

mod body;
mod client_cert;
mod filter;
mod invoke;
mod keys;
pub mod mtls;
mod policy;
mod private;
mod respond;
mod route;
mod server;
mod snapshot;
mod throttle;
pub mod tls;
mod upstream;
mod usage;

pub use filter::{FilterRequest, RequestFilter, Verdict};
pub use private::VpcEndpoint;
pub use usage::{Metering, flush_usage_periodically};
/// The quota periods and usage rows the edge and GetUsage share.
pub mod usage_math {
    pub use super::usage::{period_start, usage_row};
}
pub use server::{Edge, serve, serve_tls};
pub use snapshot::{ApiView, DomainView, Live, Snapshot, StageView};

use std::sync::Arc;
use std::time::Duration;

/// How often the edge re-reads the store for changes made on other nodes.
pub const REFRESH_PERIOD: Duration = Duration::from_secs(5);

/// The edge over `live`, with `filter` if one is installed, metering API keys with `metering`.
pub fn edge(
    live: Arc<Live>,
    filter: Option<Arc<dyn RequestFilter>>,
    metering: Arc<Metering>,
) -> Arc<Edge> {
    Arc::new(Edge {
        metering,
        live,
        upstream: Arc::new(upstream::Upstream::default()),
        throttle: throttle::Throttle::default(),
        filter,
    })
}

/// Refreshes `live` every [`REFRESH_PERIOD`], forever.
pub async fn refresh_periodically(live: Arc<Live>) {
    loop {
        if let Err(e) = live.refresh().await {
            tracing::warn!(error = %e, "API Gateway edge refresh failed");
        }
        tokio::time::sleep(REFRESH_PERIOD).await;
    }
}

#[cfg(test)]
mod tests;
