//! HTTP server, TLS, AWS protocol codecs, error rendering and the router of services.

pub mod audit;
pub mod codec;
mod gateway;
mod host;
pub mod local;
pub mod operator;
mod query_route;
mod respond;
pub mod server;
mod service;

pub use audit::{AuditEvent, AuditSink};
pub use gateway::Gateway;
pub use host::{
    AuthFailure, Authenticated, Authenticator, BoxFuture, Host, Ready, UnsealError, UnsealProgress,
    UnsealReply, UnsealSource,
};
pub use service::{AwsJsonService, AwsQueryService};
