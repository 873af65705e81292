//! `AssumeRoleWithWebIdentity`: role credentials for the bearer of an OpenID Connect ID token,
//! served unsigned as AWS does ([`crate::unsigned`]). The token is verified for real before the
//! role is read: its `iss` must be an OIDC provider registered in the role's account, its
//! `aud` one of that provider's client ids, `exp` in the future (and `nbf`/`iat` not), and its
//! signature that of a key of the provider's key set — the set pinned with `rampart iam
//! oidc-keys set` ([`pinned`]) or else the issuer's own ([`fetch`]). Then the role's trust
//! policy must allow `sts:AssumeRoleWithWebIdentity` for the `Federated` provider ARN, with
//! the condition keys `<provider>:sub`, `<provider>:aud`, `<provider>:amr`,
//! `aws:FederatedProvider` and `sts:RoleSessionName`.
//!
//! AWS's messages are used where known ("No OpenIDConnect provider found in your account for
//! …", "Incorrect token audience", "Token expired: …", "Couldn't retrieve verification key
//! …", "Not authorized to perform sts:AssumeRoleWithWebIdentity"); for a signature that does
//! not verify and for a token not yet valid AWS's exact wording is unknown, and the
//! InvalidIdentityToken text of the model's documentation is used.
//!
//! Session tags and a source identity carried in the token ([`claims`]) are taken as
//! AssumeRole takes them from its parameters: the trust policy must then also allow
//! `sts:TagSession` and `sts:SetSourceIdentity` for the provider, with `aws:RequestTag/*`,
//! `aws:TagKeys`, `sts:TransitiveTagKeys` and `sts:SourceIdentity` as condition keys, and the
//! session carries them. Not done: the issuer's TLS thumbprints are not compared (the chain
//! is checked against the trusted roots instead).

mod claims;
mod fetch;
pub mod jwks;
pub(crate) mod jwt;
pub mod pinned;

use crate::assume_role::{session_seconds, split_role_arn};
use crate::generated::{
    AssumeRoleRequest, AssumeRoleWithWebIdentity, AssumeRoleWithWebIdentityRequest,
    AssumeRoleWithWebIdentityResponse, errors,
};
use crate::request::RoleRequest;
use crate::service::{StsService, access_denied, internal, required};
use claims::TokenSession;
use fetch::FetchError;
pub(crate) use fetch::KeyCache;
use jwks::{Jwks, Refusal};
use jwt::Jwt;
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_core::rampart_policy::{Context, Principal, PrincipalKind};
use rampart_iam::records::RoleRecord;
use rampart_iam::resources::{OidcProviderRecord, ResourceTables, resource_row};

const ACTION: &str = "sts:AssumeRoleWithWebIdentity";
/// How far `nbf` and `iat` may lie ahead of the service clock (clock skew).
const SKEW_SECONDS: i64 = 300;
const NO_KEY: &str = "Couldn't retrieve verification key from your identity provider,  please \
                      reference AssumeRoleWithWebIdentity documentation for requirements";
const NOT_VALIDATED: &str = "The web identity token that was passed could not be validated by \
                             AWS. Get a new identity token from the identity provider and \
                             then retry the request.";

/// `InvalidIdentityToken` (400) with `message`.
pub(crate) fn invalid_token(message: impl Into<String>) -> ServiceError {
    errors::invalid_identity_token_exception(message)
}

fn denied() -> ServiceError {
    access_denied(format!("Not authorized to perform {ACTION}"))
}

/// A token that checked out, and the provider that vouches for it.
struct Verified {
    jwt: Jwt,
    provider: OidcProviderRecord,
    audience: String,
}

impl AssumeRoleWithWebIdentity for StsService {
    async fn assume_role_with_web_identity(
        &self,
        ctx: &RequestContext,
        input: AssumeRoleWithWebIdentityRequest,
    ) -> Result<AssumeRoleWithWebIdentityResponse, ServiceError> {
        let token = required(input.web_identity_token.clone(), "webIdentityToken")?;
        let request = RoleRequest::parse(ctx, as_role_request(input.clone(), None))?;
        let account = split_role_arn(&request.role_arn).map(|(account, ..)| account.to_owned());
        let verified = self.verify_token(account.as_deref(), &token).await?;
        let session = claims::token_session(&verified.jwt)?;
        let request = if session.is_empty() {
            request
        } else {
            RoleRequest::parse(ctx, as_role_request(input, Some(session)))?
        };
        let role = self
            .target_role(&request.role_arn)
            .await?
            .ok_or_else(denied)?;
        ctx.note_resource(role.arn(), "AWS::IAM::Role");
        authorize(ctx, &role, &request, &verified)?;
        let seconds = session_seconds(ctx, &role, request.duration)?;
        self.check_policy_arns(&role.account, &request.packed.managed_arns)
            .await?;
        let assumed = self.role_session(&role, request, seconds)?;
        self.note_role_used(ctx, &role).await;
        Ok(AssumeRoleWithWebIdentityResponse {
            source_identity: assumed.source_identity,
            assumed_role_user: assumed.assumed_role_user,
            audience: Some(verified.audience),
            credentials: assumed.credentials,
            packed_policy_size: assumed.packed_policy_size,
            provider: Some(verified.provider.arn()),
            subject_from_web_identity_token: verified.jwt.text("sub").map(str::to_owned),
            ..Default::default()
        })
    }
}

/// The request's AssumeRole members, with the token's session tags and source identity,
/// checked as AssumeRole checks them.
fn as_role_request(
    input: AssumeRoleWithWebIdentityRequest,
    session: Option<TokenSession>,
) -> AssumeRoleRequest {
    let session = session.unwrap_or_default();
    AssumeRoleRequest {
        role_arn: input.role_arn,
        role_session_name: input.role_session_name,
        duration_seconds: input.duration_seconds,
        policy: input.policy,
        policy_arns: input.policy_arns,
        tags: non_empty(session.tags),
        transitive_tag_keys: non_empty(session.transitive_keys),
        source_identity: session.source_identity,
        ..Default::default()
    }
}

fn non_empty<T>(list: Vec<T>) -> Option<Vec<T>> {
    (!list.is_empty()).then_some(list)
}

impl StsService {
    /// Parses and verifies `token` against the OIDC providers of `account` (the role's).
    async fn verify_token(
        &self,
        account: Option<&str>,
        token: &str,
    ) -> Result<Verified, ServiceError> {
        let jwt = Jwt::parse(token)?;
        let issuer = jwt
            .text("iss")
            .ok_or_else(|| invalid_token("Missing a required claim: iss"))?;
        let provider = match account {
            Some(account) => self.oidc_provider(account, issuer).await?,
            None => None,
        }
        .ok_or_else(|| {
            invalid_token(format!(
                "No OpenIDConnect provider found in your account for {issuer}"
            ))
        })?;
        let audience = audience(&jwt, &provider)?;
        check_times(&jwt, self.now_ms() / 1000)?;
        let keys = self.provider_keys(&provider, jwt.kid.as_deref()).await?;
        keys.verify(&jwt).map_err(|refusal| match refusal {
            Refusal::NoKey => invalid_token(NO_KEY),
            Refusal::BadSignature => invalid_token(NOT_VALIDATED),
        })?;
        Ok(Verified {
            jwt,
            provider,
            audience,
        })
    }

    /// The provider of `account` whose issuer is `iss` (`https://host[/path]`).
    async fn oidc_provider(
        &self,
        account: &str,
        iss: &str,
    ) -> Result<Option<OidcProviderRecord>, ServiceError> {
        let Some(rest) = iss.strip_prefix("https://") else {
            return Ok(None);
        };
        let trimmed = rest.trim_end_matches('/');
        let resource = match trimmed.split_once('/') {
            Some((host, path)) => format!("{}/{path}", host.to_ascii_lowercase()),
            None => trimmed.to_ascii_lowercase(),
        };
        let providers = ResourceTables::new(&self.dir.tables.store).oidc_providers;
        let row = providers.get(&resource_row(account, &resource)).await;
        Ok(row.map_err(internal)?.map(|r| r.value))
    }

    /// The provider's key set: the pinned one, else the issuer's.
    async fn provider_keys(
        &self,
        provider: &OidcProviderRecord,
        kid: Option<&str>,
    ) -> Result<std::sync::Arc<Jwks>, ServiceError> {
        let store = &self.dir.tables.store;
        let pinned = pinned::pinned(store, &provider.arn()).await;
        if let Some(keys) = pinned.map_err(internal)? {
            return Ok(std::sync::Arc::new(keys));
        }
        match self.keys.keys(&provider.issuer_url, kid).await {
            Ok(keys) => Ok(keys),
            Err(FetchError::Unreachable(why)) => {
                tracing::info!(issuer = %provider.issuer_url, %why, "OIDC issuer unreachable");
                Err(errors::idp_communication_error_exception(
                    "The request could not be fulfilled because the identity provider (IDP) \
                     that was asked to verify the incoming identity token could not be \
                     reached. This is often a transient error caused by network conditions. \
                     Retry the request a limited number of times and wait between attempts \
                     to determine if the request can be completed.",
                ))
            }
            Err(FetchError::Invalid(why)) => {
                tracing::info!(issuer = %provider.issuer_url, %why, "OIDC keys unreadable");
                Err(invalid_token(NO_KEY))
            }
        }
    }
}

/// The token's audience that is a client id of the provider.
fn audience(jwt: &Jwt, provider: &OidcProviderRecord) -> Result<String, ServiceError> {
    let given = jwt.texts("aud");
    if given.is_empty() {
        return Err(invalid_token("Missing a required claim: aud"));
    }
    given
        .iter()
        .find(|aud| provider.client_ids.iter().any(|id| id == *aud))
        .map(|aud| (*aud).to_owned())
        .ok_or_else(|| invalid_token("Incorrect token audience"))
}

/// `exp` must lie ahead of `now` (seconds); `nbf` and `iat` must not, beyond the skew.
fn check_times(jwt: &Jwt, now: i64) -> Result<(), ServiceError> {
    let exp = jwt
        .seconds("exp")
        .ok_or_else(|| invalid_token("Missing a required claim: exp"))?;
    if now >= exp {
        return Err(errors::expired_token_exception(format!(
            "Token expired: current date/time {now} must be before the expiration date/time{exp}"
        )));
    }
    let early = |claim| jwt.seconds(claim).is_some_and(|t| t > now + SKEW_SECONDS);
    if early("nbf") || early("iat") {
        return Err(invalid_token(NOT_VALIDATED));
    }
    Ok(())
}

/// The role's trust policy must allow the provider's federated principal.
fn authorize(
    ctx: &RequestContext,
    role: &RoleRecord,
    request: &RoleRequest,
    verified: &Verified,
) -> Result<(), ServiceError> {
    let provider_arn = verified.provider.arn();
    let context = web_identity_context(ctx, request, verified);
    let principal = Principal {
        arn: provider_arn.clone(),
        account: String::new(),
        kind: PrincipalKind::WebIdentity(provider_arn),
        user_id: verified.jwt.text("sub").unwrap_or_default().to_owned(),
        username: None,
        tags: Default::default(),
    };
    // AssumeRole's actions, the web identity one in place of sts:AssumeRole.
    let actions = request.actions().into_iter().skip(1);
    role.trust_allows(&principal, std::iter::once(ACTION).chain(actions), &context)
        .map_err(|_| denied())
}

/// The condition keys of a web identity request.
fn web_identity_context(
    ctx: &RequestContext,
    request: &RoleRequest,
    verified: &Verified,
) -> Context {
    let prefix = &verified.provider.resource;
    let mut context = request.context(ctx);
    context.set("aws:FederatedProvider", verified.provider.arn());
    context.set(&format!("{prefix}:aud"), verified.audience.as_str());
    if let Some(sub) = verified.jwt.text("sub") {
        context.set(&format!("{prefix}:sub"), sub);
    }
    let amr = verified.jwt.texts("amr");
    if !amr.is_empty() {
        context.set_values(&format!("{prefix}:amr"), amr);
    }
    context
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
