//! Authenticators: real SigV4 against stored credentials, and `--dev` mode's accept-any.

use rampart_auth::{AuthError, SignedRequest, VerifyOptions};
use rampart_core::{AccountId, CallerPolicies, Principal, PrincipalKind, Region};
use rampart_iam::Directory;
use rampart_wire::{AuthFailure, Authenticated, Authenticator, BoxFuture};
use std::sync::Arc;

/// The region used when a dev-mode request carries no credential scope.
const DEV_FALLBACK_REGION: &str = "us-east-1";

/// Verifies SigV4 signatures against the credential store.
pub struct SigV4Authenticator {
    pub directory: Arc<Directory>,
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
    fn authenticate<'a>(
        &'a self,
        req: &'a SignedRequest<'a>,
        signing_name: &'a str,
    ) -> BoxFuture<'a, Result<Authenticated, AuthFailure>> {
        Box::pin(async move {
            let now = time::OffsetDateTime::now_utc();
            let pending = rampart_auth::precheck(req, now, signing_name)?;
            let found = self
                .directory
                .credentials
                .find(pending.access_key_id())
                .await
                .map_err(internal_failure)?;
            let Some(active) = found else {
                return Err(AuthError::unrecognized_client().into());
            };
            let verified =
                pending.verify_secret(&active.secret, &VerifyOptions::for_service(signing_name))?;
            let caller = match self
                .directory
                .caller_policies(&active.principal, None)
                .await
            {
                Ok(caller) => caller,
                Err(rampart_iam::DirectoryError::Gone) => {
                    return Err(AuthError::unrecognized_client().into());
                }
                Err(err) => return Err(internal_failure(err)),
            };
            Ok(Authenticated {
                caller,
                principal: active.principal.clone(),
                region: Region::new(verified.scope.region),
            })
        })
    }
}

/// `--dev` mode: any access key is accepted; a 12-digit key id selects that account.
pub struct DevAuthenticator {
    pub default_account: AccountId,
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
