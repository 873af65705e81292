//! AWS Identity and Access Management (IAM) over the AWS query protocol. The wire layer is
//! generated from botocore's model; no operation is implemented yet, so every action answers
//! `UnsupportedOperation` naming it.

pub mod generated;

use rampart_core::RequestContext;
use rampart_wire::codec::{Invocation, QueryNode};
use rampart_wire::{AwsQueryService, BoxFuture};

/// The IAM service.
#[derive(Debug, Clone, Default)]
pub struct IamService;

impl IamService {
    /// A new IAM service.
    pub fn new() -> Self {
        Self
    }
}

impl generated::IamApi for IamService {}

impl AwsQueryService for IamService {
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
