//! `GetWebIdentityToken` (outbound identity federation: JWTs that AWS principals present to
//! external services). The caller needs `sts:GetWebIdentityToken` (condition keys
//! `sts:IdentityTokenAudience`, `sts:DurationSeconds`, `sts:SigningAlgorithm` and the request
//! tags); the account must have turned the feature on with IAM's
//! EnableOutboundWebIdentityFederation, else AWS's
//! `OutboundWebIdentityFederationDisabledException`. The token ([`crate::outbound_token`]) is
//! signed with the account's key for the algorithm ([`crate::outbound_keys`]), which the
//! issuer's JWKS publishes ([`crate::discovery`]); it lasts DurationSeconds (60 to 3,600,
//! 300 by default), never past the calling session.

use crate::generated::{
    GetWebIdentityToken, GetWebIdentityTokenRequest, GetWebIdentityTokenResponse,
    WebIdentityTokenSubjectModeType, WebIdentityTokenTypeType, errors,
};
use crate::outbound_keys::{Algorithm, OutboundKeys};
use crate::outbound_token::{TokenClaims, signed_jwt};
use crate::request::request_tags;
use crate::service::{StsService, internal, not_authorized, required, validation};
use crate::session::at;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rampart_codec::{ServiceError, Timestamp};
use rampart_core::RequestContext;
use rampart_core::rampart_policy::Context;

/// AWS's text for an account without outbound identity federation.
const DISABLED: &str = "The outbound web identity federation feature is not enabled for this \
                        account. To use this feature, you must first enable it through the \
                        Amazon Web Services Management Console or API.";
/// AWS's text for a token that would outlive the calling session.
const ESCALATION: &str = "The requested token duration would extend the session beyond its \
                          original expiration time.";
/// DurationSeconds when the request gives none.
const DEFAULT_SECONDS: i32 = 300;

/// A checked GetWebIdentityToken request.
#[derive(Debug)]
struct TokenRequest {
    audience: Vec<String>,
    seconds: i32,
    alg: Algorithm,
    tags: Vec<(String, String)>,
}

impl TokenRequest {
    /// Checks what the generated validation does not (the model bounds the lengths, counts
    /// and the duration's range).
    fn parse(input: GetWebIdentityTokenRequest) -> Result<Self, ServiceError> {
        let audience = required(input.audience, "audience")?;
        let alg_name = required(input.signing_algorithm, "signingAlgorithm")?;
        let alg = Algorithm::parse(&alg_name).ok_or_else(|| {
            validation(format!(
                "1 validation error detected: Value '{alg_name}' at 'signingAlgorithm' failed \
                 to satisfy constraint: Member must satisfy enum value set: [RS256, ES384]"
            ))
        })?;
        refuse_unsupported(&input.scope, &input.subject_mode, &input.token_type)?;
        Ok(Self {
            audience,
            seconds: input.duration_seconds.unwrap_or(DEFAULT_SECONDS),
            alg,
            tags: request_tags(input.tags)?,
        })
    }

    /// The request's condition keys over the global ones.
    fn context(&self, ctx: &RequestContext) -> Context {
        let mut context = ctx
            .policy_context()
            .with("sts:DurationSeconds", self.seconds.to_string())
            .with("sts:SigningAlgorithm", self.alg.name());
        context.set_values("sts:IdentityTokenAudience", self.audience.iter());
        if self.tags.is_empty() {
            return context;
        }
        let tags = self.tags.iter();
        context.with_request_tags(tags.map(|(k, v)| (k.as_str(), v.as_str())))
    }
}

/// Rampart issues AWS identity tokens only: a Scope, an OriginIdentity subject or a JWT-SVID
/// token type is refused.
fn refuse_unsupported(
    scope: &Option<String>,
    subject_mode: &Option<WebIdentityTokenSubjectModeType>,
    token_type: &Option<WebIdentityTokenTypeType>,
) -> Result<(), ServiceError> {
    let unsupported = if scope.is_some() {
        Some("Scope")
    } else if subject_mode
        .as_ref()
        .is_some_and(|m| *m != WebIdentityTokenSubjectModeType::AWSIdentity)
    {
        Some("SubjectMode")
    } else if token_type
        .as_ref()
        .is_some_and(|t| *t != WebIdentityTokenTypeType::AWSIdentity)
    {
        Some("TokenType")
    } else {
        None
    };
    match unsupported {
        Some(member) => Err(validation(format!(
            "The requested {member} is not supported."
        ))),
        None => Ok(()),
    }
}

impl GetWebIdentityToken for StsService {
    async fn get_web_identity_token(
        &self,
        ctx: &RequestContext,
        input: GetWebIdentityTokenRequest,
    ) -> Result<GetWebIdentityTokenResponse, ServiceError> {
        let request = TokenRequest::parse(input)?;
        let action = "sts:GetWebIdentityToken";
        ctx.authorize_own(action, "*", &request.context(ctx))
            .map_err(|_| not_authorized(ctx, action, "*"))?;
        let account = ctx.account().as_str();
        let federation = self.dir.outbound_federation(account).await;
        let Some(federation) = federation.map_err(internal)? else {
            return Err(errors::outbound_web_identity_federation_disabled_exception(
                DISABLED,
            ));
        };
        let now_ms = self.now_ms();
        let expires_ms = now_ms.saturating_add(i64::from(request.seconds) * 1000);
        refuse_escalation(ctx, expires_ms)?;
        let keys = OutboundKeys {
            store: &self.dir.tables.store,
            key: self.tokens.key(),
        };
        let signing = keys.signing_key(account, request.alg, now_ms).await;
        let (key, kid) = signing.map_err(internal)?;
        let token_id = URL_SAFE_NO_PAD.encode(rampart_crypto::random::array::<16>());
        let claims = TokenClaims {
            issuer: &federation.issuer,
            subject: subject(ctx),
            audience: &request.audience,
            issued_at: now_ms / 1000,
            expires_at: expires_ms / 1000,
            token_id: &token_id,
            account,
            region: ctx.region.as_str(),
            principal_tags: &ctx.caller.principal.tags,
            request_tags: &request.tags,
        };
        let token = signed_jwt(&key, request.alg, &kid, &claims.payload()).map_err(internal)?;
        Ok(GetWebIdentityTokenResponse {
            web_identity_token: Some(token),
            expiration: Some(Timestamp(at(expires_ms - expires_ms % 1000))),
        })
    }
}

/// SessionDurationEscalationException when a token expiring at `expires_ms` would outlive
/// the calling session.
fn refuse_escalation(ctx: &RequestContext, expires_ms: i64) -> Result<(), ServiceError> {
    let Some(session) = ctx.principal.session.as_deref() else {
        return Ok(());
    };
    let session_ends = session.expires_at.unix_timestamp().saturating_mul(1000);
    if expires_ms > session_ends {
        return Err(errors::session_duration_escalation_exception(ESCALATION));
    }
    Ok(())
}

/// The token's subject: a role session's role, otherwise the caller's ARN.
fn subject(ctx: &RequestContext) -> &str {
    match ctx.principal.session.as_deref() {
        Some(session) if session.issuer_type == "Role" => &session.issuer_arn,
        _ => &ctx.principal.arn,
    }
}
