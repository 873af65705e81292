//! `GetFederationToken`: temporary credentials for a federated user
//! (`arn:aws:sts::<account>:federated-user/<Name>`) on behalf of the calling IAM user (or the
//! root user). The session's permissions are the caller's identity-based policies narrowed
//! by the session policies passed (`Policy`, `PolicyArns`); passed none, it may do nothing
//! (the directory gives such a session an allow-nothing session policy). Callers signing
//! with session credentials are refused; the caller needs `sts:GetFederationToken` (and
//! `sts:TagSession` with `Tags`) on the federated user's ARN; its AccessDenied carries an
//! encoded authorization failure message (see [`crate::authz_message`]).

use crate::authz_message::{self, Denial};
use crate::generated::{
    AssumeRoleRequest, FederatedUser, GetFederationToken, GetFederationTokenRequest,
    GetFederationTokenResponse,
};
use crate::request::RoleRequest;
use crate::service::{StsService, access_denied, not_authorized, required};
use crate::session::federated_user_arn;
use crate::token::Issuer;
use rampart_codec::ServiceError;
use rampart_core::{PrincipalKind, RequestContext};

/// DurationSeconds when none is given: 12 hours.
const DEFAULT_SECONDS: i32 = 43_200;
/// The longest session the root user gets (longer requests are shortened).
const ROOT_MAX_SECONDS: i32 = 3_600;

impl GetFederationToken for StsService {
    async fn get_federation_token(
        &self,
        ctx: &RequestContext,
        input: GetFederationTokenRequest,
    ) -> Result<GetFederationTokenResponse, ServiceError> {
        let principal = &ctx.principal;
        let issuer = federating_issuer(ctx)?;
        let name = required(input.name, "name")?;
        let account = principal.account.as_str();
        let arn = federated_user_arn(account, &name);
        let request = RoleRequest::parse(
            ctx,
            AssumeRoleRequest {
                role_arn: Some(arn.clone()),
                role_session_name: Some(name.clone()),
                policy: input.policy,
                policy_arns: input.policy_arns,
                tags: input.tags,
                ..Default::default()
            },
        )?;
        let context = request.context(ctx);
        let mut actions = vec!["sts:GetFederationToken"];
        if !request.packed.tags.is_empty() {
            actions.push("sts:TagSession");
        }
        for action in actions {
            ctx.authorize_own(action, &arn, &context)
                .map_err(|denied| self.denied(ctx, action, &arn, denied.explicit))?;
        }
        self.check_policy_arns(account, &request.packed.managed_arns)
            .await?;
        let mut seconds = input.duration_seconds.unwrap_or(DEFAULT_SECONDS);
        if matches!(issuer, Issuer::Federated { ref name, .. } if name.is_empty()) {
            seconds = seconds.min(ROOT_MAX_SECONDS);
        }
        let mut claims = self.new_claims(account, issuer, i64::from(seconds));
        claims.session_name = Some(name.clone());
        claims.policies = request.packed;
        Ok(GetFederationTokenResponse {
            credentials: Some(self.issue(&claims)?),
            federated_user: Some(FederatedUser {
                arn: Some(arn),
                federated_user_id: Some(format!("{account}:{name}")),
            }),
            packed_policy_size: request.packed_size,
            session_token_size: None,
            session_token_utilization: None,
        })
    }
}

impl StsService {
    /// STS's AccessDenied for `action` on `resource`, with an encoded authorization failure
    /// message ([`crate::authz_message`]) that DecodeAuthorizationMessage opens.
    fn denied(
        &self,
        ctx: &RequestContext,
        action: &str,
        resource: &str,
        explicit: bool,
    ) -> ServiceError {
        let denial = Denial {
            action,
            resource,
            explicit,
            conditions: vec![
                ("aws:RequestedRegion".to_owned(), ctx.region.to_string()),
                ("aws:SourceIp".to_owned(), ctx.source_ip.clone()),
            ],
        };
        let encoded = authz_message::encode(self.tokens.key(), ctx, &denial);
        let mut err = not_authorized(ctx, action, resource);
        err.message = format!(
            "{} Encoded authorization failure message: {encoded}",
            err.message
        );
        err
    }
}

/// Who federates: the calling IAM user, or the root user (an empty name); sessions may not.
fn federating_issuer(ctx: &RequestContext) -> Result<Issuer, ServiceError> {
    let principal = &ctx.principal;
    let from_session = || access_denied("Cannot call GetFederationToken with session credentials");
    if principal.session.is_some() {
        return Err(from_session());
    }
    match principal.kind {
        PrincipalKind::IamUser => Ok(Issuer::Federated {
            name: rampart_iam::directory::last_segment(&principal.arn).to_owned(),
            id: principal.principal_id.clone(),
            arn: principal.arn.clone(),
        }),
        PrincipalKind::Root | PrincipalKind::DevAnonymous => Ok(Issuer::Federated {
            name: String::new(),
            id: principal.account.to_string(),
            arn: format!("arn:aws:iam::{}:root", principal.account),
        }),
        _ => Err(from_session()),
    }
}
