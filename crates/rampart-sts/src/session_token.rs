//! `GetSessionToken`: temporary credentials acting with the caller's own permissions (an IAM
//! user's policies, or the root user's).

use crate::generated::GetSessionToken;
use crate::generated::{GetSessionTokenRequest, GetSessionTokenResponse};
use crate::service::{StsService, access_denied, refuse_mfa};
use crate::token::Issuer;
use rampart_codec::ServiceError;
use rampart_core::{PrincipalKind, RequestContext};

/// DurationSeconds when none is given: 12 hours.
const DEFAULT_SECONDS: i32 = 43_200;
/// The longest session the account root user gets (longer requests are shortened).
const ROOT_MAX_SECONDS: i32 = 3_600;

impl GetSessionToken for StsService {
    /// `GetSessionToken`. DurationSeconds 900..=129600 (the model checks the range), default
    /// 43200; root sessions last at most an hour. Callers signing with session credentials
    /// are refused, as AWS does. No permission is needed.
    async fn get_session_token(
        &self,
        ctx: &RequestContext,
        input: GetSessionTokenRequest,
    ) -> Result<GetSessionTokenResponse, ServiceError> {
        let principal = &ctx.principal;
        if principal.session.is_some() || principal.kind == PrincipalKind::AssumedRole {
            return Err(access_denied(
                "Cannot call GetSessionToken with session credentials",
            ));
        }
        refuse_mfa(input.serial_number.as_deref(), input.token_code.as_deref())?;
        let mut seconds = input.duration_seconds.unwrap_or(DEFAULT_SECONDS);
        let issuer = match principal.kind {
            PrincipalKind::IamUser => Issuer::User {
                name: rampart_iam::directory::last_segment(&principal.arn).to_owned(),
                id: principal.principal_id.clone(),
                arn: principal.arn.clone(),
            },
            _ => {
                seconds = seconds.min(ROOT_MAX_SECONDS);
                Issuer::Root
            }
        };
        let claims = self.new_claims(principal.account.as_str(), issuer, i64::from(seconds));
        Ok(GetSessionTokenResponse {
            credentials: Some(self.issue(&claims)?),
            session_token_size: None,
            session_token_utilization: None,
        })
    }
}
