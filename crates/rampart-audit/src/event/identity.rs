//! CloudTrail's `userIdentity` element: built from the authenticated principal (root, IAM
//! user, assumed role, with the `sessionContext` of temporary credentials), and the
//! `AWSAccount` identity a resource owner sees when another account's principal used its
//! resource.

use rampart_core::{Principal, PrincipalKind, SessionContext};
use serde::Serialize;

/// CloudTrail `userIdentity`, fields in CloudTrail's order; absent fields are omitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserIdentity {
    /// `Root`, `IAMUser`, `AssumedRole` or `AWSAccount`.
    #[serde(rename = "type")]
    pub identity_type: &'static str,
    /// The account id (root), `AIDA...` (IAM user), `AROA...:<session>` (assumed role).
    pub principal_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// The account the principal belongs to.
    pub account_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    /// The IAM user's name (IAM users only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// Present when the request was signed with temporary credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_context: Option<SessionView>,
    /// The AWS service that made the request on the principal's behalf
    /// (`ssm.amazonaws.com`), for a call a service made for its caller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoked_by: Option<String>,
}

/// CloudTrail `userIdentity.sessionContext`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    /// Who issued the session: the role of an assumed-role session; `{}` for the temporary
    /// credentials of an IAM user or the root user (GetSessionToken).
    pub session_issuer: SessionIssuer,
    /// Web identity federation details: always `{}` (no web identity federation here).
    pub web_id_federation_data: Empty,
    pub attributes: SessionAttributes,
    /// The SourceIdentity the role session was created with, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_identity: Option<String>,
    /// `"true"` for a privileged root session from STS AssumeRoot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assumed_root: Option<&'static str>,
}

/// CloudTrail `sessionContext.sessionIssuer`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionIssuer {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub issuer_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
}

/// An element CloudTrail writes as `{}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Empty {}

/// CloudTrail `sessionContext.attributes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionAttributes {
    /// When the credentials were issued (`2026-01-01T12:00:00Z`).
    pub creation_date: String,
    /// `"true"` or `"false"`, a string as in CloudTrail.
    pub mfa_authenticated: &'static str,
}

impl UserIdentity {
    /// The identity block of an authenticated principal, as its own account's trail shows it.
    pub fn of(principal: &Principal) -> Self {
        let (identity_type, user_name) = match principal.kind {
            PrincipalKind::Root | PrincipalKind::DevAnonymous => ("Root", None),
            PrincipalKind::IamUser => ("IAMUser", Some(last_segment(&principal.arn).to_owned())),
            PrincipalKind::AssumedRole => ("AssumedRole", None),
            PrincipalKind::FederatedUser => ("FederatedUser", None),
            PrincipalKind::Anonymous => ("Unknown", None),
        };
        let session_context = principal
            .session
            .as_deref()
            .map(|session| SessionView::of(principal, session));
        // An unsigned call (STS federation) has no ARN or access key to show.
        let signed = principal.kind != PrincipalKind::Anonymous;
        Self {
            identity_type,
            principal_id: principal_id(principal),
            arn: signed.then(|| principal.arn.clone()),
            account_id: principal.account.to_string(),
            access_key_id: signed.then(|| principal.access_key_id.clone()),
            user_name,
            session_context,
            invoked_by: None,
        }
    }

    /// The identity another account's trail shows for `principal` when it used a resource of
    /// that account: `{"type": "AWSAccount", "principalId": ..., "accountId": <caller's>}`.
    pub fn other_account(principal: &Principal) -> Self {
        Self {
            identity_type: "AWSAccount",
            principal_id: principal_id(principal),
            arn: None,
            account_id: principal.account.to_string(),
            access_key_id: None,
            user_name: None,
            session_context: None,
            invoked_by: None,
        }
    }
}

impl SessionView {
    fn of(principal: &Principal, session: &SessionContext) -> Self {
        let session_issuer = match principal.kind {
            PrincipalKind::AssumedRole | PrincipalKind::FederatedUser => SessionIssuer {
                issuer_type: Some(session.issuer_type),
                principal_id: Some(session.issuer_principal_id.clone()),
                arn: Some(session.issuer_arn.clone()),
                account_id: Some(
                    super::arn_account(&session.issuer_arn)
                        .unwrap_or(principal.account.as_str())
                        .to_owned(),
                ),
                user_name: Some(session.issuer_name.clone()),
            },
            // GetSessionToken credentials of an IAM user or the root user.
            _ => SessionIssuer::default(),
        };
        SessionView {
            session_issuer,
            web_id_federation_data: Empty {},
            attributes: SessionAttributes {
                creation_date: super::cloudtrail_timestamp(session.created_at),
                mfa_authenticated: if session.mfa_authenticated {
                    "true"
                } else {
                    "false"
                },
            },
            source_identity: session.source_identity.clone(),
            assumed_root: session.assumed_root.then_some("true"),
        }
    }
}

/// CloudTrail's `principalId`: an assumed role's is `<role id>:<session name>`.
fn principal_id(principal: &Principal) -> String {
    match (&principal.kind, principal.session.as_deref()) {
        (PrincipalKind::AssumedRole, Some(session)) if !principal.principal_id.contains(':') => {
            format!(
                "{}:{}",
                session.issuer_principal_id,
                last_segment(&principal.arn)
            )
        }
        _ => principal.principal_id.clone(),
    }
}

/// The name at the end of an IAM path (`user/ops/Alice` → `Alice`).
fn last_segment(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or_default()
}
