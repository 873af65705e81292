//! Session tokens: stateless and sealed. Everything a temporary credential needs (its secret,
//! who it was issued to, when it expires, its session policies and tags) travels inside the
//! token, AES-256-GCM-sealed under the credentials domain key with the access key id in the
//! associated data, so nothing is stored and the secret exists only inside the token.
//!
//! Token = base64(version byte || `DomainKey::wrap(claims JSON, "rampart/sts/session/v1\0" ||
//! access key id)`). A token opened for another access key id, altered, or sealed under
//! another key is [`TokenError::Invalid`]; one past its expiry is [`TokenError::Expired`].

use base64::Engine;
use rampart_crypto::root::DomainKey;
use rampart_iam::SessionPolicies;
use serde::{Deserialize, Serialize};
use std::fmt;
use zeroize::{Zeroize, Zeroizing};

/// Format version, the token's first byte.
const TOKEN_VERSION: u8 = 1;
/// Associated data prefix; the access key id follows.
const AAD_PREFIX: &[u8] = b"rampart/sts/session/v1\0";
/// Longest token accepted (larger ones are not decoded at all).
const MAX_TOKEN_CHARS: usize = 16 * 1024;

/// Why a session token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a token this server sealed for this access key id (or altered since).
    #[error("the security token included in the request is invalid")]
    Invalid,
    /// A genuine token whose expiry has passed.
    #[error("the security token included in the request is expired")]
    Expired,
}

/// Who the session was issued to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t")]
pub enum Issuer {
    /// AssumeRole: the role.
    #[serde(rename = "r")]
    Role {
        /// Role name.
        #[serde(rename = "n")]
        name: String,
        /// Role unique id (`AROA...`).
        #[serde(rename = "i")]
        id: String,
        /// Role ARN.
        #[serde(rename = "a")]
        arn: String,
    },
    /// GetSessionToken by an IAM user.
    #[serde(rename = "u")]
    User {
        /// User name.
        #[serde(rename = "n")]
        name: String,
        /// User unique id (`AIDA...`).
        #[serde(rename = "i")]
        id: String,
        /// User ARN.
        #[serde(rename = "a")]
        arn: String,
    },
    /// GetSessionToken by the account root user.
    #[serde(rename = "o")]
    Root,
    /// AssumeRoot: a privileged session of the account's root user, scoped by the root-task
    /// policy packed as the session's managed policy.
    #[serde(rename = "ar")]
    AssumedRoot,
    /// GetFederationToken: the IAM user (or, with an empty name, the root user) who
    /// federated; the federated user's name is the claims' session name.
    #[serde(rename = "f")]
    Federated {
        /// The federating user's name (empty for the root user).
        #[serde(rename = "n")]
        name: String,
        /// Its unique id (`AIDA...`, or the account id for the root user).
        #[serde(rename = "i")]
        id: String,
        /// Its ARN.
        #[serde(rename = "a")]
        arn: String,
    },
}

/// What the session adds to its role's (or user's) policies, as packed into the token: the
/// session policies and the session tags.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackedPolicies {
    /// The inline session policy (`Policy`), as given.
    #[serde(rename = "p", default, skip_serializing_if = "Option::is_none")]
    pub inline: Option<String>,
    /// Managed session policies (`PolicyArns`).
    #[serde(rename = "m", default, skip_serializing_if = "Vec::is_empty")]
    pub managed_arns: Vec<String>,
    /// Session tags (passed and inherited transitive ones).
    #[serde(rename = "t", default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<(String, String)>,
}

impl PackedPolicies {
    /// No session policies and no tags.
    pub fn is_empty(&self) -> bool {
        self.inline.is_none() && self.managed_arns.is_empty() && self.tags.is_empty()
    }

    /// The form the identity directory compiles.
    pub fn session_policies(&self) -> SessionPolicies {
        SessionPolicies {
            inline: self.inline.clone(),
            managed_arns: self.managed_arns.clone(),
            tags: self.tags.clone(),
        }
    }
}

/// Everything a session token says. The secret is zeroed on drop and never printed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionClaims {
    /// The temporary access key id (`ASIA...`).
    #[serde(rename = "k")]
    pub access_key_id: String,
    /// The secret access key.
    #[serde(rename = "s")]
    pub secret_access_key: String,
    /// Account of the session's principal (the role's account for AssumeRole).
    #[serde(rename = "a")]
    pub account: String,
    /// Who the session was issued to.
    #[serde(rename = "i")]
    pub issuer: Issuer,
    /// RoleSessionName (role sessions only).
    #[serde(rename = "n", default, skip_serializing_if = "Option::is_none")]
    pub session_name: Option<String>,
    /// Issued at, epoch milliseconds.
    #[serde(rename = "c")]
    pub issued_ms: i64,
    /// Expires at, epoch milliseconds.
    #[serde(rename = "e")]
    pub expires_ms: i64,
    /// Session policies and session tags.
    #[serde(
        rename = "p",
        default,
        skip_serializing_if = "PackedPolicies::is_empty"
    )]
    pub policies: PackedPolicies,
    /// Keys of the session tags that pass on to chained role sessions.
    #[serde(rename = "x", default, skip_serializing_if = "Vec::is_empty")]
    pub transitive_tag_keys: Vec<String>,
    /// Whether MFA was used to obtain the session (GetSessionToken with a valid TokenCode).
    #[serde(rename = "f", default)]
    pub mfa: bool,
    /// SourceIdentity, if set.
    #[serde(rename = "o", default, skip_serializing_if = "Option::is_none")]
    pub source_identity: Option<String>,
}

impl Drop for SessionClaims {
    fn drop(&mut self) {
        self.secret_access_key.zeroize();
    }
}

impl fmt::Debug for SessionClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionClaims")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("account", &self.account)
            .field("issuer", &self.issuer)
            .field("session_name", &self.session_name)
            .field("issued_ms", &self.issued_ms)
            .field("expires_ms", &self.expires_ms)
            .field("policies", &self.policies)
            .field("transitive_tag_keys", &self.transitive_tag_keys)
            .field("source_identity", &self.source_identity)
            .finish()
    }
}

/// Seals and opens session tokens under the credentials domain key.
pub struct SessionTokens {
    key: DomainKey,
}

impl fmt::Debug for SessionTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionTokens(<redacted>)")
    }
}

impl SessionTokens {
    /// Tokens sealed under `key` (the credentials domain key).
    pub fn new(key: DomainKey) -> Self {
        Self { key }
    }

    /// The credentials domain key (also sealing authorization failure messages, under
    /// associated data of their own).
    pub(crate) fn key(&self) -> &DomainKey {
        &self.key
    }

    /// The token carrying `claims`.
    pub fn seal(&self, claims: &SessionClaims) -> Result<String, serde_json::Error> {
        let json = Zeroizing::new(serde_json::to_vec(claims)?);
        let sealed = self.key.wrap(&json, &aad(&claims.access_key_id));
        let mut bytes = Vec::with_capacity(sealed.len() + 1);
        bytes.push(TOKEN_VERSION);
        bytes.extend_from_slice(&sealed);
        Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    /// The claims of `token` presented with `access_key_id` at `now_ms`.
    pub fn open(
        &self,
        token: &str,
        access_key_id: &str,
        now_ms: i64,
    ) -> Result<SessionClaims, TokenError> {
        if token.len() > MAX_TOKEN_CHARS {
            return Err(TokenError::Invalid);
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(token)
            .map_err(|_| TokenError::Invalid)?;
        let Some((&TOKEN_VERSION, sealed)) = bytes.split_first() else {
            return Err(TokenError::Invalid);
        };
        let json = self
            .key
            .unwrap(sealed, &aad(access_key_id))
            .map_err(|_| TokenError::Invalid)?;
        let claims: SessionClaims =
            serde_json::from_slice(&json).map_err(|_| TokenError::Invalid)?;
        if claims.access_key_id != access_key_id {
            return Err(TokenError::Invalid);
        }
        if now_ms >= claims.expires_ms {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

/// `"rampart/sts/session/v1\0" || access key id`.
fn aad(access_key_id: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(AAD_PREFIX.len() + access_key_id.len());
    aad.extend_from_slice(AAD_PREFIX);
    aad.extend_from_slice(access_key_id.as_bytes());
    aad
}

#[cfg(test)]
#[path = "token_tests.rs"]
mod tests;
