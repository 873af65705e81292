//! HTTP server, TLS, the request pipeline with its protocol plug-ins (awsJson, query,
//! restJson1, RPC v2 CBOR) and error rendering (the codec runtime and the service traits are
//! `rampart-codec`).

mod body;
mod conn;
mod framing;
mod gateway;
mod host;
pub mod limits;
pub mod local;
pub mod operator;
mod pipeline;
mod protocol;
mod public;
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
pub use rampart_codec::{
    AwsHttpService, AwsJsonService, AwsQueryService, HttpProtocol, PublicHead, PublicRoute,
};
