//! `GetSessionToken`: temporary credentials acting with the caller's own permissions (an IAM
//! user's policies, or the root user's).

use crate::generated::GetSessionToken;
use crate::generated::{GetSessionTokenRequest, GetSessionTokenResponse};
use crate::service::{StsService, access_denied, internal, refuse_mfa};
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
    /// are refused, as AWS does. No permission is needed. With SerialNumber and TokenCode, an
    /// IAM user's code is checked against their enabled virtual MFA device and the session is
    /// MFA-authenticated (`aws:MultiFactorAuthPresent`).
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
        let serial = input.serial_number.as_deref();
        let mfa = self
            .mfa_used(ctx, serial, input.token_code.as_deref())
            .await?;
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
        let mut claims = self.new_claims(principal.account.as_str(), issuer, i64::from(seconds));
        claims.mfa = mfa;
        Ok(GetSessionTokenResponse {
            credentials: Some(self.issue(&claims)?),
            session_token_size: None,
            session_token_utilization: None,
        })
    }
}

impl StsService {
    /// Whether the request proves MFA: no SerialNumber and TokenCode is `false`; a code that
    /// is not the current one of the IAM user's enabled device (or from the root, which has
    /// no device here) is refused as AWS refuses an unknown device.
    async fn mfa_used(
        &self,
        ctx: &RequestContext,
        serial: Option<&str>,
        code: Option<&str>,
    ) -> Result<bool, ServiceError> {
        let (Some(serial_number), Some(token)) = (serial, code) else {
            return refuse_mfa(serial, code).map(|()| false);
        };
        let principal = &ctx.principal;
        if principal.kind != PrincipalKind::IamUser {
            return refuse_mfa(serial, code).map(|()| false);
        }
        let account = principal.account.as_str();
        let user_id = principal.principal_id.as_str();
        match self
            .dir
            .verify_mfa_code(account, user_id, serial_number, token)
            .await
        {
            Ok(true) => Ok(true),
            Ok(false) => refuse_mfa(serial, code).map(|()| false),
            Err(err) => Err(internal(err)),
        }
    }
}
