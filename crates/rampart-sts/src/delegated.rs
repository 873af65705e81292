//! `GetDelegatedAccessToken`: the partner of an IAM temporary delegation request trades the
//! token SendDelegationToken minted (`rampart_iam::trade_in`) for credentials in the
//! customer's (owner) account, until the delegation period ends.
//!
//! The token must be the one minted for a FINALIZED request and be presented by the request's
//! partner (requestor) account; anything else is `InvalidParameterValue`, and a token past the
//! period is `ExpiredTradeInTokenException`. The assumed principal is the identity that
//! accepted the request (AssumedPrincipal: the IAM user, the role of a role session, or the
//! root user): a user or the root is federated (`federated-user/<request id>`), a role gets a
//! role session named after the request. The delegated permissions narrow its own as a session
//! policy: the request's PolicyTemplateArn when it names a managed policy Rampart knows (AWS
//! managed, or customer managed in the partner's account); partner policy templates are not
//! rendered, so any other template allows nothing. The credentials expire with the period.

use crate::generated::{
    GetDelegatedAccessToken, GetDelegatedAccessTokenRequest, GetDelegatedAccessTokenResponse,
    errors,
};
use crate::service::{StsService, internal, invalid_parameter, required};
use crate::token::{Issuer, PackedPolicies};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_iam::delegation::{DelegationRecord, REQUESTS, State};
use rampart_iam::directory::{customer_policy_name, last_segment};
use rampart_store::Table;

/// A policy that allows nothing: the session policy when the template is not one Rampart has.
const ALLOW_NOTHING: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"*","Resource":"*"}]}"#;
/// Longest federated user name.
const MAX_NAME: usize = 32;

impl GetDelegatedAccessToken for StsService {
    async fn get_delegated_access_token(
        &self,
        ctx: &RequestContext,
        input: GetDelegatedAccessTokenRequest,
    ) -> Result<GetDelegatedAccessTokenResponse, ServiceError> {
        let token = required(input.trade_in_token, "tradeInToken")?;
        let record = self.traded_request(ctx, &token).await?;
        let expires_ms = record.expires_ms.unwrap_or_default();
        if self.now_ms() >= expires_ms {
            return Err(errors::expired_trade_in_token_exception(
                "The trade-in token has expired: the delegation period has ended.",
            ));
        }
        let owner = record.owner_account.clone().unwrap_or_default();
        let (issuer, assumed) = self.delegate(&record, &owner).await?;
        let name: String = record.id.chars().take(MAX_NAME).collect();
        let mut claims = self.new_claims(&owner, issuer, 0);
        claims.expires_ms = expires_ms;
        claims.session_name = Some(name);
        claims.policies = self.delegated_policies(&record).await?;
        Ok(GetDelegatedAccessTokenResponse {
            assumed_principal: Some(assumed),
            credentials: Some(self.issue(&claims)?),
            packed_policy_size: None,
        })
    }
}

impl StsService {
    /// The finalized request `token` was minted for, when the caller's account filed it.
    async fn traded_request(
        &self,
        ctx: &RequestContext,
        token: &str,
    ) -> Result<DelegationRecord, ServiceError> {
        let invalid = || invalid_parameter("The trade-in token is not valid.");
        let id = rampart_iam::trade_in::request_id(token).ok_or_else(invalid)?;
        let table = Table::<DelegationRecord>::new(self.dir.tables.store.clone(), REQUESTS);
        let found = table.get(id).await.map_err(internal)?.map(|row| row.value);
        let record = found
            .filter(|r| r.state == State::Finalized && r.owner_account.is_some())
            .filter(|r| r.requestor_account == ctx.account().as_str())
            .filter(|r| rampart_iam::trade_in::matches(self.tokens.key(), r, token));
        record.ok_or_else(invalid)
    }

    /// The session issuer standing for the request's approver, and the approver's ARN.
    async fn delegate(
        &self,
        record: &DelegationRecord,
        owner: &str,
    ) -> Result<(Issuer, String), ServiceError> {
        let gone = || {
            invalid_parameter("The identity that accepted the delegation request no longer exists.")
        };
        let approver = record.approver_id.as_deref().ok_or_else(gone)?;
        let root = format!("arn:aws:iam::{owner}:root");
        if approver == root {
            let id = owner.to_owned();
            let issuer = Issuer::Federated {
                name: String::new(),
                id,
                arn: root.clone(),
            };
            return Ok((issuer, root));
        }
        if approver.starts_with(&format!("arn:aws:iam::{owner}:user/")) {
            let user = self.dir.user(owner, last_segment(approver)).await;
            let user = user.map_err(internal)?.filter(|u| u.arn() == approver);
            let user = user.ok_or_else(gone)?;
            let (name, id, arn) = (user.name.clone(), user.user_id.clone(), user.arn());
            return Ok((
                Issuer::Federated {
                    name,
                    id,
                    arn: arn.clone(),
                },
                arn,
            ));
        }
        let role_name = approver
            .strip_prefix(&format!("arn:aws:sts::{owner}:assumed-role/"))
            .and_then(|rest| rest.split('/').next())
            .ok_or_else(gone)?;
        let role = self.dir.role(owner, role_name).await.map_err(internal)?;
        let role = role.ok_or_else(gone)?;
        let issuer = Issuer::Role {
            name: role.name.clone(),
            id: role.role_id.clone(),
            arn: role.arn(),
        };
        Ok((issuer, role.arn()))
    }

    /// The session policy of the delegated permissions (see the module documentation).
    async fn delegated_policies(
        &self,
        record: &DelegationRecord,
    ) -> Result<PackedPolicies, ServiceError> {
        let template = record.policy_template_arn.as_deref().filter(|arn| {
            customer_policy_name(arn)
                .is_some_and(|(acct, _)| acct == "aws" || acct == record.requestor_account)
        });
        let known = match template {
            Some(arn) => self
                .dir
                .managed_document(arn)
                .await
                .map_err(internal)?
                .is_some(),
            None => false,
        };
        Ok(match template {
            Some(arn) if known => PackedPolicies {
                managed_arns: vec![arn.to_owned()],
                ..PackedPolicies::default()
            },
            _ => PackedPolicies {
                inline: Some(ALLOW_NOTHING.to_owned()),
                ..PackedPolicies::default()
            },
        })
    }
}
