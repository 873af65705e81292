//! Public routes: plain HTTP endpoints a service serves beside the AWS protocols, without
//! SigV4 (ACM PCA's published CRLs and its OCSP responder). The gateway offers a route only
//! requests that carry no AWS authentication, and only those the route claims by method, host
//! and path, so the AWS protocols never see a difference.

use crate::{BoxFuture, HttpRequest, HttpResponse};

/// What a public route sees of a request before its body is read.
#[derive(Debug, Clone, Copy)]
pub struct PublicHead<'a> {
    /// `GET`, `POST`, ...
    pub method: &'a str,
    /// The host the request names (`Host` header or the URI's authority), lower-case, without
    /// the port; empty when it names none.
    pub host: &'a str,
    /// The path as sent, still percent-encoded.
    pub path: &'a str,
    /// The `Content-Type` header, if any.
    pub content_type: Option<&'a str>,
}

/// An unsigned HTTP endpoint of a service.
pub trait PublicRoute: Send + Sync + 'static {
    /// Whether the request is this route's: cheap, without I/O (the gateway asks for every
    /// unsigned request).
    fn claims(&self, head: &PublicHead<'_>) -> bool;

    /// The largest request body the route reads (the server's own limit applies as well).
    fn max_body(&self) -> usize {
        16 * 1024
    }

    /// Answers a claimed request; never fails (errors are answers too).
    fn serve<'a>(&'a self, request: &'a HttpRequest<'a>) -> BoxFuture<'a, HttpResponse>;
}
