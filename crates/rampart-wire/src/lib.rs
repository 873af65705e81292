//! HTTP server, TLS, AWS protocol codecs, error rendering and the router of services.

pub mod audit;
mod body;
pub mod codec;
mod conn;
mod framing;
mod gateway;
mod host;
pub mod limits;
pub mod local;
pub mod operator;
mod query_route;
mod refuse;
mod registry;
mod respond;
pub mod server;
mod service;

pub use audit::{AuditEvent, AuditSink};
pub use gateway::Gateway;
pub use host::{
    AuthFailure, Authenticated, Authenticator, BoxFuture, Host, Ready, UnsealError, UnsealProgress,
    UnsealReply, UnsealSource,
};
pub use limits::ServerLimits;
pub use service::{AwsJsonService, AwsQueryService};
