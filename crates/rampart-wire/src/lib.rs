//! HTTP server, TLS, error rendering and the router of services (the codec runtime and the
//! service traits are `rampart-codec`).

mod body;
mod conn;
mod framing;
mod gateway;
mod host;
mod http_route;
pub mod limits;
pub mod local;
pub mod operator;
mod query_route;
mod refuse;
mod registry;
mod respond;
pub mod server;

pub use gateway::Gateway;
pub use host::{
    AuthFailure, Authenticated, Authenticator, BoxFuture, Host, Ready, UnsealError, UnsealProgress,
    UnsealReply, UnsealSource,
};
pub use limits::ServerLimits;
pub use rampart_audit::{AuditEvent, AuditSink};
pub use rampart_codec::{AwsHttpService, AwsJsonService, AwsQueryService, HttpProtocol};
