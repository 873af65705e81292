//! The STS service: `StsHandler` (the operations' error; each operation's trait is implemented
//! where its body lives) and what the operations share (issuing credentials, AWS's STS error
//! shapes).

use crate::generated::{Credentials, StsHandler};
use crate::keys;
use crate::session::at;
use crate::token::{Issuer, PackedPolicies, SessionClaims, SessionTokens};
use rampart_codec::{ServiceError, Timestamp};
use rampart_core::{Clock, RequestContext};
use rampart_iam::Directory;
use std::sync::Arc;

/// The STS service: sessions are sealed tokens (nothing is stored per session); roles,
/// users and policies come from the IAM directory.
pub struct StsService {
    pub(crate) dir: Arc<Directory>,
    pub(crate) tokens: Arc<SessionTokens>,
    pub(crate) clock: Arc<dyn Clock>,
    /// OIDC providers' key sets read from their issuers (AssumeRoleWithWebIdentity).
    pub(crate) keys: crate::web_identity::KeyCache,
}

impl std::fmt::Debug for StsService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StsService").finish_non_exhaustive()
    }
}

impl StsService {
    /// STS over `dir`, sealing session tokens with `tokens` (shared with the authenticator
    /// that opens them).
    pub fn new(dir: Arc<Directory>, tokens: Arc<SessionTokens>, clock: Arc<dyn Clock>) -> Self {
        Self {
            dir,
            tokens,
            clock,
            keys: Default::default(),
        }
    }

    /// Now, in epoch milliseconds.
    pub(crate) fn now_ms(&self) -> i64 {
        let millis = self.clock.now().unix_timestamp_nanos() / 1_000_000;
        i64::try_from(millis).unwrap_or(i64::MAX)
    }

    /// Fresh claims for a session of `issuer` in `account` lasting `seconds` from now.
    pub(crate) fn new_claims(&self, account: &str, issuer: Issuer, seconds: i64) -> SessionClaims {
        let now = self.now_ms();
        SessionClaims {
            access_key_id: keys::temporary_access_key_id(account),
            secret_access_key: rampart_iam::ids::secret_access_key().to_string(),
            account: account.to_owned(),
            issuer,
            session_name: None,
            issued_ms: now,
            expires_ms: now.saturating_add(seconds.saturating_mul(1000)),
            policies: PackedPolicies::default(),
            transitive_tag_keys: Vec::new(),
            mfa: false,
            source_identity: None,
        }
    }

    /// Seals `claims` into a token: the `Credentials` answered to the client.
    pub(crate) fn issue(&self, claims: &SessionClaims) -> Result<Credentials, ServiceError> {
        let token = self.tokens.seal(claims).map_err(internal)?;
        Ok(Credentials {
            access_key_id: Some(claims.access_key_id.clone()),
            secret_access_key: Some(claims.secret_access_key.clone()),
            session_token: Some(token),
            expiration: Some(Timestamp(at(claims.expires_ms))),
        })
    }
}

/// `AccessDenied` (403) with `message`.
pub(crate) fn access_denied(message: impl Into<String>) -> ServiceError {
    ServiceError::new("AccessDenied", 403, message)
}

/// STS's AccessDenied: "User: <caller> is not authorized to perform: <action> on resource:
/// <resource>" (STS names no policy type, and says the same whether or not the role exists).
pub(crate) fn not_authorized(ctx: &RequestContext, action: &str, resource: &str) -> ServiceError {
    access_denied(format!(
        "User: {} is not authorized to perform: {action} on resource: {resource}",
        ctx.principal.arn
    ))
}

/// `ValidationError` (400).
pub(crate) fn validation(message: impl Into<String>) -> ServiceError {
    ServiceError::new("ValidationError", 400, message)
}

/// `InvalidParameterValue` (400).
pub(crate) fn invalid_parameter(message: impl Into<String>) -> ServiceError {
    ServiceError::new("InvalidParameterValue", 400, message)
}

/// A failure that is not the client's: logged, answered as `InternalFailure` (500).
pub(crate) fn internal(err: impl std::fmt::Display) -> ServiceError {
    tracing::error!(error = %err, "STS internal failure");
    ServiceError::internal()
}

/// A required member (the codec enforces presence; this keeps the bodies total).
pub(crate) fn required<T>(value: Option<T>, member: &str) -> Result<T, ServiceError> {
    rampart_codec::required(value, member, validation)
}

/// `Ok` without SerialNumber and TokenCode; AccessDenied otherwise, AWS's answer for a code
/// or device that does not check out (GetSessionToken checks IAM users' codes first;
/// AssumeRole does not check MFA).
pub(crate) fn refuse_mfa(serial: Option<&str>, code: Option<&str>) -> Result<(), ServiceError> {
    if serial.is_none() && code.is_none() {
        return Ok(());
    }
    Err(access_denied(
        "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA \
         serial number is valid and associated with this user.",
    ))
}

/// STS's operations answer AWS errors directly; each operation's trait is implemented where
/// its body lives (`assume_role`, `session_token`, `identity`).
impl StsHandler for StsService {
    type Error = ServiceError;
}
