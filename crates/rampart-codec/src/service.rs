//! The seams between the wire layer and a service crate speaking AWS JSON 1.0/1.1 or the AWS
//! query protocol.

use crate::BoxFuture;
use crate::{Invocation, QueryNode};
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
