//! `GetCallerIdentity` and `GetAccessKeyInfo`: who signed, and whose an access key is.

use crate::generated::{GetAccessKeyInfo, GetCallerIdentity};
use crate::generated::{
    GetAccessKeyInfoRequest, GetAccessKeyInfoResponse, GetCallerIdentityRequest,
    GetCallerIdentityResponse,
};
use crate::keys;
use crate::service::{StsService, internal, invalid_parameter, required};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;

impl GetCallerIdentity for StsService {
    /// `GetCallerIdentity`: the account, ARN and unique id of the principal that signed the
    /// request (for a role session the assumed-role ARN and `AROA...:<session>`; for the root
    /// user the account id as `UserId`). Like AWS, this needs no permissions and can never be
    /// denied: even an explicit `Deny` on `sts:GetCallerIdentity` does not apply.
    async fn get_caller_identity(
        &self,
        ctx: &RequestContext,
        _input: GetCallerIdentityRequest,
    ) -> Result<GetCallerIdentityResponse, ServiceError> {
        Ok(GetCallerIdentityResponse {
            account: Some(ctx.account().to_string()),
            arn: Some(ctx.principal.arn.clone()),
            user_id: Some(ctx.principal.principal_id.clone()),
        })
    }
}

impl GetAccessKeyInfo for StsService {
    /// `GetAccessKeyInfo`: the account an access key belongs to, whatever its state. A
    /// long-term key known here answers its stored account; any other id answers the account
    /// encoded in it, as AWS does (temporary keys minted here encode their account).
    async fn get_access_key_info(
        &self,
        ctx: &RequestContext,
        input: GetAccessKeyInfoRequest,
    ) -> Result<GetAccessKeyInfoResponse, ServiceError> {
        // GetSessionToken credentials without MFA may call only AssumeRole and
        // GetCallerIdentity.
        if ctx.principal.is_session_without_mfa() {
            return Err(crate::service::access_denied(
                "Cannot call GetAccessKeyInfo with session credentials",
            ));
        }
        ctx.authorize_own("sts:GetAccessKeyInfo", "*", &ctx.policy_context())
            .map_err(|denied| crate::service::access_denied(denied.message))?;
        let id = required(input.access_key_id, "accessKeyId")?;
        let stored = self
            .dir
            .tables
            .access_keys
            .get(&id)
            .await
            .map_err(internal)?;
        let account = match stored {
            Some(row) => Some(row.value.account),
            None => keys::account_of_key_id(&id),
        };
        let account = account
            .ok_or_else(|| invalid_parameter(format!("The access key ID {id} is not valid.")))?;
        Ok(GetAccessKeyInfoResponse {
            account: Some(account),
        })
    }
}
