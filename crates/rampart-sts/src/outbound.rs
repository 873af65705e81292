//! `GetWebIdentityToken` (outbound identity federation: JWTs that AWS principals present to
//! external services). AWS issues them only in an account where IAM's
//! EnableOutboundWebIdentityFederation turned the feature on; Rampart has no such switch yet,
//! so every account is in AWS's default state and the call answers what AWS answers there,
//! `OutboundWebIdentityFederationDisabledException`, once the caller is allowed
//! `sts:GetWebIdentityToken`.

use crate::generated::{
    GetWebIdentityToken, GetWebIdentityTokenRequest, GetWebIdentityTokenResponse, errors,
};
use crate::service::{StsService, not_authorized};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;

/// AWS's text for an account without outbound identity federation.
const DISABLED: &str = "The outbound web identity federation feature is not enabled for this \
                        account. To use this feature, you must first enable it through the \
                        Amazon Web Services Management Console or API.";

impl GetWebIdentityToken for StsService {
    async fn get_web_identity_token(
        &self,
        ctx: &RequestContext,
        _input: GetWebIdentityTokenRequest,
    ) -> Result<GetWebIdentityTokenResponse, ServiceError> {
        let action = "sts:GetWebIdentityToken";
        ctx.authorize_own(action, "*", &ctx.policy_context())
            .map_err(|_| not_authorized(ctx, action, "*"))?;
        Err(errors::outbound_web_identity_federation_disabled_exception(
            DISABLED,
        ))
    }
}
