//! AWS Security Token Service (STS) over the AWS query protocol: `AssumeRole`,
//! `GetSessionToken`, `GetCallerIdentity` and `GetAccessKeyInfo`. Temporary credentials are
//! stateless: their claims are sealed into the session token itself ([`token`]), which the
//! authenticator opens again on every request signed with them ([`SessionClaims::principal`]).
//! The wire layer is generated from botocore's model; other actions answer
//! `UnsupportedOperation` naming them.

mod assume_role;
pub mod generated;
mod identity;
pub mod keys;
mod module;
mod request;
mod service;
pub mod session;
mod session_token;
pub mod token;

pub use module::module;
pub use service::StsService;
pub use session::session_token;
pub use token::{Issuer, PackedPolicies, SessionClaims, SessionTokens, TokenError};

use rampart_codec::{AwsQueryService, BoxFuture};
use rampart_codec::{Invocation, QueryNode};
use rampart_core::RequestContext;

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
        Box::pin(async move {
            let mut invocation = generated::dispatch(self, ctx, action, params).await;
            scrub_credentials(&mut invocation.response_elements);
            invocation
        })
    }
}

/// Keeps credentials out of the audit trail: the generated audit JSON leaves out the secret
/// access key (sensitive in the model) but not the session token, which holds the sealed
/// secret; only the access key id and expiration stay.
fn scrub_credentials(response: &mut Option<serde_json::Value>) {
    let Some(serde_json::Value::Object(elements)) = response else {
        return;
    };
    if let Some(serde_json::Value::Object(credentials)) = elements.get_mut("credentials") {
        credentials.remove("sessionToken");
        credentials.remove("secretAccessKey");
    }
}
