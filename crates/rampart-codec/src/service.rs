//! The seams between the wire layer and a service crate speaking AWS JSON 1.0/1.1, the AWS
//! query protocol, restJson1, restXml or Smithy RPC v2 CBOR.

use crate::BoxFuture;
use crate::{HttpInvocation, HttpRequest, Invocation, QueryNode};
use rampart_core::RequestContext;

/// A service reached by `X-Amz-Target: <target_prefix>.<Operation>`.
pub trait AwsJsonService: Send + Sync + 'static {
    /// The `X-Amz-Target` prefix, e.g. `TrentService`.
    fn target_prefix(&self) -> &'static str;
    /// The SigV4 signing name, e.g. `kms`.
    fn signing_name(&self) -> &'static str;
    /// The CloudTrail event source, e.g. `kms.amazonaws.com`.
    fn event_source(&self) -> &'static str;
    /// `"1.0"` or `"1.1"`: selects the response content type.
    fn json_version(&self) -> &'static str;
    /// Decodes, runs and encodes one operation.
    fn invoke<'a>(
        &'a self,
        ctx: &'a RequestContext,
        operation: &'a str,
        body: &'a [u8],
    ) -> BoxFuture<'a, Invocation>;
}

/// A service speaking the AWS query protocol (IAM, STS): form parameters with an `Action`,
/// XML responses. Requests are routed by the SigV4 scope's service name, else by `Action`.
pub trait AwsQueryService: Send + Sync + 'static {
    /// The SigV4 signing name, e.g. `iam`.
    fn signing_name(&self) -> &'static str;
    /// The CloudTrail event source, e.g. `iam.amazonaws.com`.
    fn event_source(&self) -> &'static str;
    /// The `xmlns` of responses, e.g. `https://iam.amazonaws.com/doc/2010-05-08/`.
    fn xml_namespace(&self) -> &'static str;
    /// The API version clients send as `Version`, e.g. `2010-05-08`.
    fn api_version(&self) -> &'static str;
    /// For a global service, the Region every request is served and audited in.
    fn global_region(&self) -> Option<&'static str>;
    /// True when `action` is an operation of the service.
    fn has_action(&self, action: &str) -> bool;
    /// Decodes, runs and encodes one operation.
    fn invoke<'a>(
        &'a self,
        ctx: &'a RequestContext,
        action: &'a str,
        params: &'a QueryNode,
    ) -> BoxFuture<'a, Invocation>;
}

/// The HTTP-bound protocol an [`AwsHttpService`] speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpProtocol {
    /// restJson1: routed by method, path and query; errors carry `X-Amzn-ErrorType`.
    RestJson1,
    /// Smithy RPC v2 CBOR: `POST /service/<target prefix>/operation/<Operation>` with
    /// `smithy-protocol: rpc-v2-cbor`.
    RpcV2Cbor,
    /// restXml (Route 53, CloudFront, S3): routed as restJson1, XML bodies, errors as
    /// `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
    RestXml,
}

/// A service speaking restJson1, restXml or Smithy RPC v2 CBOR. restJson1 (and restXml)
/// requests are routed by the SigV4 scope's service name (unsigned: by whose route table
/// matches, and refused as unauthenticated when several services' tables match); RPC v2 CBOR
/// requests by the service name of their path.
pub trait AwsHttpService: Send + Sync + 'static {
    /// The SigV4 signing name, e.g. `apigateway`.
    fn signing_name(&self) -> &'static str;
    /// The CloudTrail event source, e.g. `apigateway.amazonaws.com`.
    fn event_source(&self) -> &'static str;
    /// The protocol: selects routing and error rendering.
    fn protocol(&self) -> HttpProtocol;
    /// RPC v2 CBOR: the service name of `/service/<name>/operation/<Operation>` (the model's
    /// target prefix); empty for restJson1.
    fn target_prefix(&self) -> &'static str;
    /// True when the request line names an operation of the service (restJson1: a route of
    /// its table matches; RPC v2 CBOR: the path names this service).
    fn has_route(&self, method: &str, path: &str, query: &str) -> bool;
    /// Routes, decodes, runs and encodes one operation.
    fn invoke<'a>(
        &'a self,
        ctx: &'a RequestContext,
        req: &'a HttpRequest<'a>,
    ) -> BoxFuture<'a, HttpInvocation>;
}
