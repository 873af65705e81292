//! A session as the rest of Rampart sees it: the principal a session token stands for (an
//! assumed role, or the IAM user or root user behind GetSessionToken), with its
//! [`SessionContext`], and where a request carries its token.

use crate::token::{Issuer, SessionClaims};
use percent_encoding::percent_decode_str;
use rampart_auth::SignedRequest;
use rampart_core::{AccountId, Principal, PrincipalKind, SessionContext};
use std::borrow::Cow;
use std::sync::Arc;
use time::OffsetDateTime;

/// Header (and presigned query parameter) carrying the session token.
const TOKEN_NAME: &str = "X-Amz-Security-Token";

/// The session token of `req`: the `X-Amz-Security-Token` header, else (presigned URLs) the
/// query parameter of that name, percent-decoded.
pub fn session_token<'a>(req: &SignedRequest<'a>) -> Option<Cow<'a, str>> {
    let header = req
        .headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(TOKEN_NAME));
    if let Some((_, value)) = header {
        return std::str::from_utf8(value)
            .ok()
            .map(|v| Cow::Borrowed(v.trim()));
    }
    req.query.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        (name == TOKEN_NAME)
            .then(|| percent_decode_str(value).decode_utf8().ok())
            .flatten()
    })
}

/// `arn:aws:sts::<account>:assumed-role/<role name>/<session name>`.
pub fn assumed_role_arn(account: &str, role_name: &str, session_name: &str) -> String {
    format!("arn:aws:sts::{account}:assumed-role/{role_name}/{session_name}")
}

/// `arn:aws:sts::<account>:federated-user/<name>`.
pub fn federated_user_arn(account: &str, name: &str) -> String {
    format!("arn:aws:sts::{account}:federated-user/{name}")
}

impl SessionClaims {
    /// The principal these credentials stand for, with its session context. `None` when the
    /// claims name no valid account (never for tokens this server sealed).
    pub fn principal(&self) -> Option<Principal> {
        let account = AccountId::parse(&self.account).ok()?;
        let key = self.access_key_id.as_str();
        let session = self.session_context(&account);
        let principal = match &self.issuer {
            Issuer::Role { name, id, .. } => {
                let session_name = self.session_name.as_deref().unwrap_or_default();
                Principal {
                    arn: assumed_role_arn(account.as_str(), name, session_name),
                    principal_id: format!("{id}:{session_name}"),
                    account,
                    access_key_id: key.to_owned(),
                    kind: PrincipalKind::AssumedRole,
                    session: Some(session),
                }
            }
            Issuer::User { id, arn, .. } => Principal {
                arn: arn.clone(),
                principal_id: id.clone(),
                account,
                access_key_id: key.to_owned(),
                kind: PrincipalKind::IamUser,
                session: Some(session),
            },
            Issuer::Root | Issuer::AssumedRoot => Principal {
                session: Some(session),
                ..Principal::root(account, key)
            },
            Issuer::Federated { .. } => {
                let name = self.session_name.as_deref().unwrap_or_default();
                Principal {
                    arn: federated_user_arn(account.as_str(), name),
                    principal_id: format!("{account}:{name}"),
                    account,
                    access_key_id: key.to_owned(),
                    kind: PrincipalKind::FederatedUser,
                    session: Some(session),
                }
            }
        };
        Some(principal)
    }

    /// CloudTrail's `sessionContext` of these credentials.
    fn session_context(&self, account: &AccountId) -> Arc<SessionContext> {
        let (issuer_type, issuer_arn, issuer_principal_id, issuer_name) = match &self.issuer {
            Issuer::Role { name, id, arn } => ("Role", arn.clone(), id.clone(), name.clone()),
            Issuer::User { name, id, arn } => ("IAMUser", arn.clone(), id.clone(), name.clone()),
            Issuer::Federated { name, id, arn } if !name.is_empty() => {
                ("IAMUser", arn.clone(), id.clone(), name.clone())
            }
            Issuer::Root | Issuer::AssumedRoot | Issuer::Federated { .. } => (
                "Root",
                format!("arn:aws:iam::{account}:root"),
                account.to_string(),
                String::new(),
            ),
        };
        Arc::new(SessionContext {
            issuer_type,
            issuer_arn,
            issuer_principal_id,
            issuer_name,
            created_at: at(self.issued_ms),
            expires_at: at(self.expires_ms),
            mfa_authenticated: self.mfa,
            source_identity: self.source_identity.clone(),
            transitive_tags: self.transitive_tags(),
            assumed_root: self.issuer == Issuer::AssumedRoot,
        })
    }

    /// The session tags whose keys were passed as transitive.
    pub fn transitive_tags(&self) -> Vec<(String, String)> {
        self.policies
            .tags
            .iter()
            .filter(|(k, _)| {
                self.transitive_tag_keys
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case(k))
            })
            .cloned()
            .collect()
    }
}

/// Epoch milliseconds as a UTC time (the epoch when out of range).
pub(crate) fn at(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::token::PackedPolicies;

    fn claims(issuer: Issuer) -> SessionClaims {
        SessionClaims {
            access_key_id: "ASIAEXAMPLEEXAMPLE01".into(),
            secret_access_key: "secret".into(),
            account: "111122223333".into(),
            issuer,
            session_name: Some("run-1".into()),
            issued_ms: 1_700_000_000_000,
            expires_ms: 1_700_000_900_000,
            policies: PackedPolicies {
                tags: vec![("Team".into(), "blue".into()), ("env".into(), "dev".into())],
                ..Default::default()
            },
            transitive_tag_keys: vec!["team".into()],
            mfa: false,
            source_identity: Some("alice".into()),
        }
    }

    #[test]
    fn a_role_session_is_an_assumed_role_principal() {
        let role = Issuer::Role {
            name: "deploy".into(),
            id: "AROAEXAMPLEEXAMPLE123".into(),
            arn: "arn:aws:iam::111122223333:role/ci/deploy".into(),
        };
        let p = claims(role).principal().unwrap();
        assert_eq!(p.kind, PrincipalKind::AssumedRole);
        assert_eq!(p.arn, "arn:aws:sts::111122223333:assumed-role/deploy/run-1");
        assert_eq!(p.principal_id, "AROAEXAMPLEEXAMPLE123:run-1");
        assert_eq!(p.access_key_id, "ASIAEXAMPLEEXAMPLE01");
        let s = p.session.unwrap();
        assert_eq!(s.issuer_type, "Role");
        assert_eq!(s.issuer_arn, "arn:aws:iam::111122223333:role/ci/deploy");
        assert_eq!(s.issuer_name, "deploy");
        assert_eq!(s.source_identity.as_deref(), Some("alice"));
        assert_eq!(s.transitive_tags, vec![("Team".into(), "blue".into())]);
        assert_eq!(s.expires_at.unix_timestamp(), 1_700_000_900);
    }

    #[test]
    fn user_and_root_sessions_keep_their_identity() {
        let user = Issuer::User {
            name: "alice".into(),
            id: "AIDAEXAMPLEEXAMPLE123".into(),
            arn: "arn:aws:iam::111122223333:user/alice".into(),
        };
        let p = claims(user).principal().unwrap();
        assert_eq!(p.kind, PrincipalKind::IamUser);
        assert_eq!(p.arn, "arn:aws:iam::111122223333:user/alice");
        assert_eq!(p.principal_id, "AIDAEXAMPLEEXAMPLE123");
        assert_eq!(p.session.unwrap().issuer_type, "IAMUser");
        let p = claims(Issuer::Root).principal().unwrap();
        assert_eq!(p.kind, PrincipalKind::Root);
        assert_eq!(p.arn, "arn:aws:iam::111122223333:root");
        let s = p.session.unwrap();
        assert_eq!((s.issuer_type, s.issuer_name.as_str()), ("Root", ""));
    }

    #[test]
    fn a_federation_session_is_a_federated_user_of_its_user_or_root() {
        let by_user = Issuer::Federated {
            name: "alice".into(),
            id: "AIDAEXAMPLEEXAMPLE123".into(),
            arn: "arn:aws:iam::111122223333:user/alice".into(),
        };
        let p = claims(by_user).principal().unwrap();
        assert_eq!(p.kind, PrincipalKind::FederatedUser);
        assert_eq!(p.arn, "arn:aws:sts::111122223333:federated-user/run-1");
        assert_eq!(p.principal_id, "111122223333:run-1");
        let s = p.session.unwrap();
        assert_eq!(
            (s.issuer_type, s.issuer_name.as_str()),
            ("IAMUser", "alice")
        );
        assert_eq!(s.issuer_principal_id, "AIDAEXAMPLEEXAMPLE123");
        let by_root = Issuer::Federated {
            name: String::new(),
            id: "111122223333".into(),
            arn: "arn:aws:iam::111122223333:root".into(),
        };
        let s = claims(by_root).principal().unwrap().session.unwrap();
        assert_eq!((s.issuer_type, s.issuer_name.as_str()), ("Root", ""));
    }

    #[test]
    fn the_token_comes_from_the_header_or_the_presigned_query() {
        let headers: [(&str, &[u8]); 2] = [
            ("host", b"sts.amazonaws.com"),
            ("x-amz-security-token", b"abc+/="),
        ];
        let req = SignedRequest {
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            body: b"",
            body_sha256: None,
        };
        assert_eq!(session_token(&req).as_deref(), Some("abc+/="));
        let req = SignedRequest {
            method: "GET",
            path: "/",
            query: "Action=GetCallerIdentity&X-Amz-Security-Token=abc%2B%2F%3D&X-Amz-Date=1",
            headers: &headers[..1],
            body: b"",
            body_sha256: None,
        };
        assert_eq!(session_token(&req).as_deref(), Some("abc+/="));
        let req = SignedRequest {
            query: "Action=GetCallerIdentity",
            ..req
        };
        assert_eq!(session_token(&req), None);
    }
}
