//! AWS Security Token Service (STS) over the AWS query protocol. The wire layer is
//! generated from botocore's model; `GetCallerIdentity` is implemented, every other action
//! answers `UnsupportedOperation` naming it.

pub mod generated;

use rampart_core::RequestContext;
use rampart_wire::codec::{Invocation, QueryNode, ServiceError};
use rampart_wire::{AwsQueryService, BoxFuture};

/// The STS service.
#[derive(Debug, Clone, Default)]
pub struct StsService;

impl StsService {
    /// A new STS service.
    pub fn new() -> Self {
        Self
    }
}

impl generated::StsApi for StsService {
    /// `GetCallerIdentity`: the account, ARN and unique id of the principal that signed the
    /// request (for the account root AWS answers the account id as `UserId`, which is what the
    /// root principal carries). Like AWS, this needs no permissions and can never be denied:
    /// even an explicit `Deny` on `sts:GetCallerIdentity` does not apply, so no policy is
    /// consulted.
    async fn get_caller_identity(
        &self,
        ctx: &RequestContext,
        _input: generated::GetCallerIdentityRequest,
    ) -> Result<generated::GetCallerIdentityResponse, ServiceError> {
        Ok(generated::GetCallerIdentityResponse {
            account: Some(ctx.account().to_string()),
            arn: Some(ctx.principal.arn.clone()),
            user_id: Some(ctx.principal.principal_id.clone()),
        })
    }
}

impl AwsQueryService for StsService {
    fn signing_name(&self) -> &'static str {
        generated::SIGNING_NAME
    }
    fn event_source(&self) -> &'static str {
        generated::EVENT_SOURCE
    }
    fn xml_namespace(&self) -> &'static str {
        generated::XML_NAMESPACE
    }
    fn api_version(&self) -> &'static str {
        generated::API_VERSION
    }
    fn global_region(&self) -> Option<&'static str> {
        generated::GLOBAL_REGION
    }
    fn has_action(&self, action: &str) -> bool {
        generated::OPERATIONS.contains(&action)
    }
    fn invoke<'a>(
        &'a self,
        ctx: &'a RequestContext,
        action: &'a str,
        params: &'a QueryNode,
    ) -> BoxFuture<'a, Invocation> {
        Box::pin(generated::dispatch(self, ctx, action, params))
    }
}
