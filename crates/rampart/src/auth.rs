//! Authenticators: real SigV4 against stored credentials and STS session tokens, and `--dev`
//! mode's accept-any (which still honours a valid session token, so role flows can be tried).

use rampart_auth::{AuthError, SignedRequest, VerifyOptions};
use rampart_core::{AccountId, CallerPolicies, Principal, PrincipalKind, Region};
use rampart_iam::{Directory, DirectoryError, SessionPolicies};
use rampart_sts::{SessionClaims, SessionTokens, TokenError};
use rampart_wire::{AuthFailure, Authenticated, Authenticator, BoxFuture};
use std::sync::Arc;

/// The region used when a dev-mode request carries no credential scope.
const DEV_FALLBACK_REGION: &str = "us-east-1";
/// Access key ids of temporary (STS) credentials start with this.
const TEMPORARY_PREFIX: &str = "ASIA";

/// Verifies SigV4 signatures against the credential store (long-term keys) or the sealed
/// session token (temporary keys).
pub struct SigV4Authenticator {
    pub directory: Arc<Directory>,
    pub tokens: Arc<SessionTokens>,
}

/// The 500 answered when the identity store cannot be read.
fn internal_failure(err: impl std::fmt::Display) -> AuthFailure {
    tracing::error!(error = %err, "credential lookup failed");
    AuthFailure {
        code: "InternalFailure",
        status: 500,
        message: String::new(),
    }
}

impl Authenticator for SigV4Authenticator {
    fn precheck<'a>(
        &'a self,
        req: &'a SignedRequest<'a>,
        signing_name: &'a str,
    ) -> BoxFuture<'a, Result<(), AuthFailure>> {
        Box::pin(async move {
            let now = time::OffsetDateTime::now_utc();
            let pending = rampart_auth::precheck(req, now, signing_name)?;
            let key_id = pending.access_key_id();
            if key_id.starts_with(TEMPORARY_PREFIX) {
                open_session(&self.directory, &self.tokens, req, key_id)?;
                return Ok(());
            }
            if rampart_sts::session_token(req).is_some() {
                return Err(AuthError::unrecognized_client().into());
            }
            let found = self.directory.credentials.find(key_id).await;
            found
                .map_err(internal_failure)?
                .ok_or_else(AuthError::unrecognized_client)?;
            Ok(())
        })
    }

    fn authenticate<'a>(
        &'a self,
        req: &'a SignedRequest<'a>,
        signing_name: &'a str,
    ) -> BoxFuture<'a, Result<Authenticated, AuthFailure>> {
        Box::pin(async move {
            if let Some(anonymous) = unsigned_federation(req, signing_name) {
                return Ok(anonymous);
            }
            let now = time::OffsetDateTime::now_utc();
            let pending = rampart_auth::precheck(req, now, signing_name)?;
            let key_id = pending.access_key_id().to_owned();
            let opts = VerifyOptions::for_service(signing_name);
            let (principal, session, verified) = if key_id.starts_with(TEMPORARY_PREFIX) {
                let claims = open_session(&self.directory, &self.tokens, req, &key_id)?;
                let verified = pending.verify_secret(&claims.secret_access_key, &opts)?;
                let principal = claims
                    .principal()
                    .ok_or_else(AuthError::unrecognized_client)?;
                (
                    principal,
                    Some(claims.policies.session_policies()),
                    verified,
                )
            } else {
                // A long-term key never carries a session token: one that does is forged.
                if rampart_sts::session_token(req).is_some() {
                    return Err(AuthError::unrecognized_client().into());
                }
                let found = self.directory.credentials.find(&key_id).await;
                let active = found
                    .map_err(internal_failure)?
                    .ok_or_else(AuthError::unrecognized_client)?;
                let verified = pending.verify_secret(&active.secret, &opts)?;
                (active.principal.clone(), None, verified)
            };
            let caller = caller_policies(&self.directory, &principal, session.as_ref()).await?;
            Ok(Authenticated {
                caller,
                principal,
                region: Region::new(verified.scope.region),
            })
        })
    }
}

/// The anonymous caller of an unsigned STS federation call (AssumeRoleWithWebIdentity,
/// AssumeRoleWithSAML), which AWS serves without a signature: the token or assertion in the
/// request is what STS verifies. `None` for every other request.
fn unsigned_federation(req: &SignedRequest<'_>, signing_name: &str) -> Option<Authenticated> {
    if signing_name != "sts" {
        return None;
    }
    let fallback = AccountId::parse(crate::config::DEFAULT_ACCOUNT).ok()?;
    let principal = rampart_sts::unsigned_caller(req, &fallback)?;
    Some(Authenticated {
        caller: Arc::new(CallerPolicies::for_principal(&principal)),
        principal,
        region: Region::new(DEV_FALLBACK_REGION),
    })
}

/// The claims of the session token `req` carries for `key_id`: `ExpiredTokenException` past
/// its expiry, `UnrecognizedClientException` when missing, forged or altered.
fn open_session(
    directory: &Directory,
    tokens: &SessionTokens,
    req: &SignedRequest<'_>,
    key_id: &str,
) -> Result<SessionClaims, AuthError> {
    let token = rampart_sts::session_token(req).ok_or_else(AuthError::unrecognized_client)?;
    tokens
        .open(&token, key_id, directory.now_ms())
        .map_err(|err| match err {
            TokenError::Expired => AuthError::expired_token(),
            TokenError::Invalid => AuthError::unrecognized_client(),
        })
}

/// The caller's compiled policies. An identity deleted since (or deleted and created again
/// under the same name) is an unrecognized client.
async fn caller_policies(
    directory: &Directory,
    principal: &Principal,
    session: Option<&SessionPolicies>,
) -> Result<Arc<CallerPolicies>, AuthFailure> {
    let caller = match directory.caller_policies(principal, session).await {
        Ok(caller) => caller,
        Err(DirectoryError::Gone) => return Err(AuthError::unrecognized_client().into()),
        Err(err) => return Err(internal_failure(err)),
    };
    if caller.principal.user_id != principal.principal_id {
        return Err(AuthError::unrecognized_client().into());
    }
    Ok(caller)
}

/// `--dev` mode: any access key is accepted; a 12-digit key id selects that account. A
/// temporary key with a valid session token acts as that session (with its policies).
pub struct DevAuthenticator {
    pub default_account: AccountId,
    pub directory: Arc<Directory>,
    pub tokens: Arc<SessionTokens>,
}

impl DevAuthenticator {
    /// The session `req` is signed with, if it carries a temporary key with a valid token
    /// whose identity still exists.
    async fn session(
        &self,
        req: &SignedRequest<'_>,
        key_id: &str,
        region: &str,
    ) -> Option<Authenticated> {
        if !key_id.starts_with(TEMPORARY_PREFIX) {
            return None;
        }
        let claims = open_session(&self.directory, &self.tokens, req, key_id).ok()?;
        let principal = claims.principal()?;
        let session = claims.policies.session_policies();
        let caller = caller_policies(&self.directory, &principal, Some(&session))
            .await
            .ok()?;
        Some(Authenticated {
            caller,
            principal,
            region: Region::new(region),
        })
    }
}

impl Authenticator for DevAuthenticator {
    fn authenticate<'a>(
        &'a self,
        req: &'a SignedRequest<'a>,
        _signing_name: &'a str,
    ) -> BoxFuture<'a, Result<Authenticated, AuthFailure>> {
        Box::pin(async move {
            let (access_key_id, region) = match rampart_auth::parse_authorization(req) {
                Ok((key, scope)) => (key, scope.region),
                Err(_) => ("anonymous".to_owned(), DEV_FALLBACK_REGION.to_owned()),
            };
            if let Some(session) = self.session(req, &access_key_id, &region).await {
                return Ok(session);
            }
            let account =
                AccountId::parse(&access_key_id).unwrap_or_else(|_| self.default_account.clone());
            let mut principal = Principal::root(account, &access_key_id);
            principal.kind = PrincipalKind::DevAnonymous;
            Ok(Authenticated {
                caller: Arc::new(CallerPolicies::for_principal(&principal)),
                principal,
                region: Region::new(region),
            })
        })
    }
}

#[cfg(test)]
#[path = "auth_tests.rs"]
mod tests;
