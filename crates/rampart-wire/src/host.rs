//! What the wire layer needs from the process hosting it: authentication, the service registry,
//! the audit sink, and the operator endpoints (unseal, reset).

use crate::AuditSink;
pub use rampart_codec::BoxFuture;
use rampart_codec::{AwsHttpService, AwsJsonService, AwsQueryService, HttpProtocol, PublicRoute};
use rampart_core::{CallerPolicies, Principal, Region};
use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

/// The request's signing parts, as received.
pub use rampart_auth::SignedRequest;

/// A caller whose request was authenticated.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// Who signed.
    pub principal: Principal,
    /// Region from the credential scope.
    pub region: Region,
    /// The caller's compiled policies (cached by the identity directory).
    pub caller: Arc<CallerPolicies>,
}

/// An authentication failure rendered as an AWS error.
#[derive(Debug, Clone)]
pub struct AuthFailure {
    /// AWS error code (`__type`).
    pub code: &'static str,
    /// HTTP status.
    pub status: u16,
    /// Message shown to the client.
    pub message: String,
}

impl From<rampart_auth::AuthError> for AuthFailure {
    fn from(err: rampart_auth::AuthError) -> Self {
        Self {
            code: err.code(),
            status: err.status(),
            message: err.to_string(),
        }
    }
}

/// Verifies who signed a request for a given signing name.
pub trait Authenticator: Send + Sync + 'static {
    /// Authenticates `req` for service `signing_name`.
    fn authenticate<'a>(
        &'a self,
        req: &'a SignedRequest<'a>,
        signing_name: &'a str,
    ) -> BoxFuture<'a, Result<Authenticated, AuthFailure>>;

    /// The checks that need no body, run before the body is read so that nothing large is
    /// read for an unauthenticated caller: the signature parameters, date, scope and that the
    /// access key exists. `req.body` is empty here. Default: nothing to check (`--dev`).
    fn precheck<'a>(
        &'a self,
        req: &'a SignedRequest<'a>,
        signing_name: &'a str,
    ) -> BoxFuture<'a, Result<(), AuthFailure>> {
        let _ = (req, signing_name);
        Box::pin(async { Ok(()) })
    }
}

/// Everything needed to serve AWS requests once the root key is unsealed.
pub struct Ready {
    /// The services, looked up by target prefix.
    pub services: Vec<Arc<dyn AwsJsonService>>,
    /// The query-protocol services, looked up by signing name or `Action`.
    pub query_services: Vec<Arc<dyn AwsQueryService>>,
    /// The restJson1, restXml and RPC v2 CBOR services, looked up by signing name, CBOR
    /// service name or route.
    pub http_services: Vec<Arc<dyn AwsHttpService>>,
    /// Unsigned endpoints of the services (published CRLs, OCSP), offered only requests
    /// without AWS authentication that they claim.
    pub public_routes: Vec<Arc<dyn PublicRoute>>,
    /// The authenticator (SigV4, or dev mode).
    pub auth: Arc<dyn Authenticator>,
    /// Where audit events go.
    pub audit: Arc<dyn AuditSink>,
}

impl Ready {
    /// The service answering `target_prefix`, if any.
    pub fn service(&self, target_prefix: &str) -> Option<&Arc<dyn AwsJsonService>> {
        self.services
            .iter()
            .find(|s| s.target_prefix() == target_prefix)
    }

    /// The query service signing as `signing_name`, if any.
    pub fn query_service(&self, signing_name: &str) -> Option<&Arc<dyn AwsQueryService>> {
        self.query_services
            .iter()
            .find(|s| s.signing_name() == signing_name)
    }

    /// The RPC v2 CBOR service named `name` in `/service/<name>/operation/<Operation>`.
    pub fn cbor_service(&self, name: &str) -> Option<&Arc<dyn AwsHttpService>> {
        self.http_services
            .iter()
            .find(|s| s.protocol() == HttpProtocol::RpcV2Cbor && s.target_prefix() == name)
    }

    /// The restJson1 service signing as `signing_name`, if any.
    pub fn rest_service(&self, signing_name: &str) -> Option<&Arc<dyn AwsHttpService>> {
        self.rest_services()
            .find(|s| s.signing_name() == signing_name)
    }

    /// Every restJson1 service with a route matching the request line, in registration order.
    pub fn rest_services_for_route<'s>(
        &'s self,
        method: &'s str,
        path: &'s str,
        query: &'s str,
    ) -> impl Iterator<Item = &'s Arc<dyn AwsHttpService>> + 's {
        self.rest_services()
            .filter(move |s| s.has_route(method, path, query))
    }

    fn rest_services(&self) -> impl Iterator<Item = &Arc<dyn AwsHttpService>> {
        self.http_services_of(HttpProtocol::RestJson1)
    }

    /// The restXml service signing as `signing_name`, if any.
    pub fn rest_xml_service(&self, signing_name: &str) -> Option<&Arc<dyn AwsHttpService>> {
        self.http_services_of(HttpProtocol::RestXml)
            .find(|s| s.signing_name() == signing_name)
    }

    /// Every restXml service with a route matching the request line, in registration order.
    pub fn rest_xml_services_for_route<'s>(
        &'s self,
        method: &'s str,
        path: &'s str,
        query: &'s str,
    ) -> impl Iterator<Item = &'s Arc<dyn AwsHttpService>> + 's {
        self.http_services_of(HttpProtocol::RestXml)
            .filter(move |s| s.has_route(method, path, query))
    }

    fn http_services_of(
        &self,
        protocol: HttpProtocol,
    ) -> impl Iterator<Item = &Arc<dyn AwsHttpService>> {
        self.http_services
            .iter()
            .filter(move |s| s.protocol() == protocol)
    }

    /// The signing names of every service served, sorted, once each.
    pub fn signing_names(&self) -> Vec<&'static str> {
        let json = self.services.iter().map(|s| s.signing_name());
        let query = self.query_services.iter().map(|s| s.signing_name());
        let http = self.http_services.iter().map(|s| s.signing_name());
        let mut names: Vec<&'static str> = json.chain(query).chain(http).collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// The first query service that has operation `action`, if any.
    pub fn query_service_for_action(&self, action: &str) -> Option<&Arc<dyn AwsQueryService>> {
        self.query_services.iter().find(|s| s.has_action(action))
    }
}

/// Where an unseal attempt came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsealSource {
    /// A client over TCP, at this address.
    Remote(IpAddr),
    /// The local unseal socket (reachable only by the data dir's owner).
    LocalSocket,
}

impl fmt::Display for UnsealSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnsealSource::Remote(ip) => write!(f, "{ip}"),
            UnsealSource::LocalSocket => f.write_str("local socket"),
        }
    }
}

/// Shamir shares counted so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnsealProgress {
    /// Verified shares given.
    pub given: usize,
    /// Shares needed.
    pub threshold: usize,
}

/// The answer to one accepted unseal request.
#[derive(Debug, Clone)]
pub struct UnsealReply {
    /// Whether the server is still sealed.
    pub sealed: bool,
    /// Progress, shown only to a caller whose share was just verified (and on the local
    /// socket); `None` otherwise.
    pub progress: Option<UnsealProgress>,
}

/// Why an unseal request was not accepted.
#[non_exhaustive]
#[derive(Debug, Clone)]
pub enum UnsealError {
    /// The secret was refused: wrong passphrase, not a share of this seal, malformed.
    Refused(String),
    /// Too many attempts: the caller may retry after `retry_after`.
    Throttled {
        /// How long to wait.
        retry_after: Duration,
        /// Why (shown to the caller).
        reason: String,
    },
    /// Unsealing over the network is turned off; `socket` is the local path to use.
    NetworkUnsealOff {
        /// The local unseal socket.
        socket: String,
    },
    /// An internal fault (logged; not shown to the caller).
    Internal(String),
}

/// The process that hosts the gateway.
pub trait Host: Send + Sync + 'static {
    /// `--dev` mode: reset endpoints on, any access key accepted.
    fn dev_mode(&self) -> bool;
    /// The services, or `None` while sealed.
    fn ready(&self) -> Option<Arc<Ready>>;
    /// Offers an unseal secret (a Shamir share or the passphrase) from `source`.
    fn unseal(
        &self,
        secret: String,
        source: UnsealSource,
    ) -> BoxFuture<'_, Result<UnsealReply, UnsealError>>;
    /// Shamir shares counted so far (for the local socket's health; never sent over TCP).
    fn unseal_progress(&self) -> BoxFuture<'_, Option<UnsealProgress>> {
        Box::pin(async { None })
    }
    /// Wipes all state (dev mode only).
    fn reset(&self) -> BoxFuture<'_, Result<(), String>>;
    /// Moves the server's clock forward by `seconds` and runs every background job at once
    /// (dev mode only); returns the clock's total offset in seconds.
    fn advance_clock(&self, seconds: u64) -> BoxFuture<'_, Result<i64, String>> {
        let _ = seconds;
        Box::pin(async { Err("this host has no movable clock".to_owned()) })
    }
}
