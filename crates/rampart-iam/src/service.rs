//! `IamService`: IAM authorization of IAM actions and `IamHandler` (the operations' error);
//! each operation's trait is implemented where its body lives, in `ops`.

use crate::directory::Directory;
use crate::generated::IamHandler;
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_core::rampart_policy::Context;
use std::sync::Arc;

/// The IAM service.
pub struct IamService {
    pub(crate) dir: Arc<Directory>,
    /// The audit log access advisor reads.
    pub(crate) audit_log: &'static str,
    /// The URL clients reach the server at: the base of outbound federation issuers.
    pub(crate) public_url: Option<String>,
}

impl IamService {
    /// IAM over the identity directory `dir`.
    pub fn new(dir: Arc<Directory>) -> Self {
        Self {
            dir,
            audit_log: rampart_audit::AUDIT_LOG,
            public_url: None,
        }
    }

    /// Mints outbound federation issuers under `url` (the server's public URL).
    pub fn with_public_url(mut self, url: Option<String>) -> Self {
        self.public_url = url;
        self
    }

    /// Reads the audit trail from the log `log` (the server's, by default) for access
    /// advisor.
    pub fn with_audit_log(mut self, log: &'static str) -> Self {
        self.audit_log = log;
        self
    }

    /// Authorizes `iam:<action>` on `resource` (an IAM ARN, or `*`) against the caller's
    /// identity-based policies; AWS's `AccessDenied` (403) otherwise.
    pub(crate) fn authorize(
        &self,
        ctx: &RequestContext,
        action: &str,
        resource: &str,
    ) -> Result<(), ServiceError> {
        self.authorize_with(ctx, action, resource, &ctx.policy_context())
    }

    /// [`IamService::authorize`] with the condition keys in `context` (the global keys plus
    /// the operation's own).
    pub(crate) fn authorize_with(
        &self,
        ctx: &RequestContext,
        action: &str,
        resource: &str,
        context: &Context,
    ) -> Result<(), ServiceError> {
        refuse_session_without_mfa(ctx)?;
        ctx.authorize_own(action, resource, context)
            .map_err(|denied| ServiceError::new("AccessDenied", 403, denied.message))
    }
}

/// IAM refuses GetSessionToken credentials obtained without MFA (AWS answers that the token
/// is invalid for IAM).
pub(crate) fn refuse_session_without_mfa(ctx: &RequestContext) -> Result<(), ServiceError> {
    if ctx.principal.is_session_without_mfa() {
        return Err(ServiceError::new(
            "InvalidClientTokenId",
            403,
            "The security token included in the request is invalid",
        ));
    }
    Ok(())
}

impl std::fmt::Debug for IamService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IamService").finish_non_exhaustive()
    }
}

/// IAM's operations answer AWS errors directly; each operation's trait is implemented where
/// its body lives, in `ops`.
impl IamHandler for IamService {
    type Error = ServiceError;
}
