//! The seam between the wire layer and a service crate speaking AWS JSON 1.0/1.1.

use crate::codec::Invocation;
use crate::host::BoxFuture;
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
