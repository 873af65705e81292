//! The gateway: operator endpoints ([`crate::operator`]), the services' unsigned public routes
//! ([`crate::public`]) for requests without AWS authentication that they claim, the refusals
//! before any protocol work (sealed, declared body too large; in the client's protocol), then
//! the AWS request [`crate::pipeline`] with the protocol plug-in ([`crate::protocol`]) that
//! claims it.

use crate::body::{BodyBudget, BodyError, BodyRules, ReadBody, read_body};
use crate::host::Host;
use crate::limits::ServerLimits;
use crate::operator::{self, Route};
use crate::pipeline::Connection;
use crate::protocol;
use crate::refuse::{self, Shape};
use crate::respond::Body;
use bytes::Bytes;
use http::{Request, Response};
use std::net::SocketAddr;
use std::sync::Arc;

/// Routes every HTTP request the server receives.
pub struct Gateway {
    host: Arc<dyn Host>,
    limits: ServerLimits,
    budget: BodyBudget,
    secure_transport: bool,
}

impl Gateway {
    /// A gateway over `host` enforcing `limits` (body size, rate and memory budget).
    pub fn new(host: Arc<dyn Host>, limits: ServerLimits) -> Self {
        Self {
            host,
            budget: BodyBudget::new(limits.body_budget_bytes),
            limits,
            secure_transport: false,
        }
    }

    /// Marks requests as arriving over TLS (aws:SecureTransport): set when the listener
    /// terminates TLS.
    pub fn with_secure_transport(mut self, secure: bool) -> Self {
        self.secure_transport = secure;
        self
    }

    /// The limits this gateway and its listener enforce.
    pub fn limits(&self) -> &ServerLimits {
        &self.limits
    }

    /// `--dev` mode (unsigned requests served).
    pub(crate) fn dev_mode(&self) -> bool {
        self.host.dev_mode()
    }

    /// Answers one request; never fails and never panics on client input.
    pub async fn handle<B>(&self, req: Request<B>, remote: SocketAddr) -> Response<Body>
    where
        B: hyper::body::Body<Data = Bytes> + Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let request_id = uuid::Uuid::new_v4().to_string();
        if let Some(response) = self.operator_route(&req, &request_id).await {
            return response;
        }
        let (parts, body) = req.into_parts();
        let route = operator::route(&parts.method, parts.uri.path());
        if let Some(route @ (Route::Unseal | Route::Clock)) = route {
            let shape = Shape::new(protocol::operator(&parts), parts.version);
            return self
                .operator_body(route, body, remote, &request_id, shape)
                .await;
        }
        let ready = self.host.ready();
        if let Some(route) = ready
            .as_ref()
            .and_then(|r| crate::public::claimant(r, &parts))
        {
            return self.public(route, &parts, body, &request_id).await;
        }
        let protocol = protocol::claim(&parts, ready.as_deref());
        let shape = Shape::new(protocol, parts.version);
        let Some(ready) = ready else {
            return refuse::sealed(&request_id, shape);
        };
        let limit = self.limits.max_body_bytes;
        if declared_length(&body).is_some_and(|n| n > limit as u64) {
            return refuse::body(BodyError::TooLarge, limit, &request_id, shape);
        }
        let conn = Connection {
            remote,
            secure_transport: self.secure_transport,
        };
        self.serve(&ready, protocol, &parts, body, conn, request_id)
            .await
    }

    /// Reads a body under `limit`, the rate rules and the shared memory budget.
    pub(crate) async fn read<B>(&self, body: B, limit: usize) -> Result<ReadBody, BodyError>
    where
        B: hyper::body::Body<Data = Bytes>,
    {
        let rules = BodyRules {
            limit,
            declared: declared_length(&body),
            limits: &self.limits,
            budget: &self.budget,
        };
        read_body(body, &rules).await
    }

    /// Health and reset, which need no body (unseal and clock do).
    async fn operator_route<B>(
        &self,
        req: &Request<B>,
        request_id: &str,
    ) -> Option<Response<Body>> {
        match operator::route(req.method(), req.uri().path())? {
            Route::Health => Some(operator::health(self.host.as_ref(), request_id, None)),
            Route::Reset => Some(operator::reset(self.host.as_ref(), request_id).await),
            Route::Unseal | Route::Clock => None,
        }
    }

    /// Unseal and clock, which read a small body (and work while sealed).
    async fn operator_body<B>(
        &self,
        route: Route,
        body: B,
        remote: SocketAddr,
        request_id: &str,
        shape: Shape,
    ) -> Response<Body>
    where
        B: hyper::body::Body<Data = Bytes>,
    {
        let limit = operator::MAX_UNSEAL_BODY;
        let host = self.host.as_ref();
        match self.read(body, limit).await {
            Ok(read) if route == Route::Clock => {
                operator::advance_clock(host, &read.bytes, request_id).await
            }
            Ok(read) => operator::unseal(host, &read.bytes, remote, request_id).await,
            Err(err) => refuse::body(err, limit, request_id, shape),
        }
    }
}

/// The body length the request declares (`Content-Length`), when it does.
fn declared_length<B: hyper::body::Body>(body: &B) -> Option<u64> {
    body.size_hint().exact()
}
