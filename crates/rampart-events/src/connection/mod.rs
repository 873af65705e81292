//! EventBridge connections as stored: the public parts Describe shows, and every secret part
//! (API key value, password, OAuth client secret, and the connection's HTTP parameters, whose
//! values may be secret) sealed with the events domain key, bound to the connection's ARN.
//! Nothing secret is ever stored, logged or described in plaintext.

pub(crate) mod auth;
pub(crate) mod build;
pub(crate) mod destination;
pub(crate) mod state;

use crate::generated::ConnectionHttpParameters;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rampart_crypto::root::DomainKey;
use serde::{Deserialize, Serialize};

/// The table of connections: `<account>/<region>/<name>` → [`ConnectionRecord`].
pub(crate) const CONNECTIONS: &str = "events_connections";

/// A connection as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ConnectionRecord {
    pub name: String,
    pub arn: String,
    /// The ARN AWS would give the Secrets Manager secret holding the secret parts (Rampart
    /// keeps them sealed in this record instead).
    pub secret_arn: String,
    pub description: Option<String>,
    /// `API_KEY`, `BASIC` or `OAUTH_CLIENT_CREDENTIALS`.
    pub authorization_type: String,
    /// `AUTHORIZING` (OAuth, before its first token request), `AUTHORIZED` or `DEAUTHORIZED`.
    pub state: String,
    pub state_reason: Option<String>,
    pub created_ms: i64,
    pub modified_ms: i64,
    pub authorized_ms: Option<i64>,
    /// API_KEY: the header name.
    pub api_key_name: Option<String>,
    /// BASIC: the user name.
    pub username: Option<String>,
    /// OAUTH_CLIENT_CREDENTIALS: the token endpoint, its method and the client id.
    pub oauth: Option<OAuthPublic>,
    /// KmsKeyIdentifier as given (Rampart seals with its own events key).
    pub kms_key_identifier: Option<String>,
    /// [`SecretParts`] as JSON, sealed (`DomainKey::wrap`, AAD the ARN), base64.
    pub sealed: String,
}

/// The non-secret OAuth settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct OAuthPublic {
    pub endpoint: String,
    pub http_method: String,
    pub client_id: String,
}

/// The secret parts of a connection; only ever held in memory, sealed at rest.
#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct SecretParts {
    pub api_key_value: Option<String>,
    pub password: Option<String>,
    pub client_secret: Option<String>,
    /// InvocationHttpParameters: sent with every invocation of the connection's destinations.
    pub invocation: Option<ConnectionHttpParameters>,
    /// OAuthHttpParameters: sent with every token request.
    pub oauth_http: Option<ConnectionHttpParameters>,
}

impl std::fmt::Debug for SecretParts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretParts(<redacted>)")
    }
}

/// The store key of a connection.
pub(crate) fn key(account: &str, region: &str, name: &str) -> String {
    format!("{account}/{region}/{name}")
}

/// The `(account, region, name)` of a connection ARN
/// (`arn:aws:events:<region>:<account>:connection/<name>/<uuid>`).
pub(crate) fn parse_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let mut parts = arn.splitn(6, ':');
    let (_, _, service, region, account) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let rest = parts.next()?.strip_prefix("connection/")?;
    let (name, _) = rest.split_once('/')?;
    (service == "events").then_some((account, region, name))
}

/// Seals `parts` for the connection `arn`.
pub(crate) fn seal(key: &DomainKey, arn: &str, parts: &SecretParts) -> String {
    let json = secret_json(parts);
    STANDARD.encode(key.wrap(&json, arn.as_bytes()))
}

/// Opens what [`seal`] made; `None` if it does not open with this key and ARN.
pub(crate) fn unseal(key: &DomainKey, arn: &str, sealed: &str) -> Option<SecretParts> {
    let blob = STANDARD.decode(sealed).ok()?;
    let plain = key.unwrap(&blob, arn.as_bytes()).ok()?;
    serde_json::from_slice(&plain).ok()
}

/// The JSON of `parts` (the caller wraps it at once).
fn secret_json(parts: &SecretParts) -> Vec<u8> {
    serde_json::to_vec(parts).unwrap_or_default()
}

/// `parameters` with the values marked secret left out, as Describe shows them.
pub(crate) fn redacted(parameters: &ConnectionHttpParameters) -> ConnectionHttpParameters {
    let mut shown = parameters.clone();
    for p in shown.header_parameters.iter_mut().flatten() {
        if p.is_value_secret == Some(true) {
            p.value = None;
        }
    }
    for p in shown.query_string_parameters.iter_mut().flatten() {
        if p.is_value_secret == Some(true) {
            p.value = None;
        }
    }
    for p in shown.body_parameters.iter_mut().flatten() {
        if p.is_value_secret == Some(true) {
            p.value = None;
        }
    }
    shown
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rampart_crypto::root::{Domain, RootKey};

    #[test]
    fn sealed_parts_open_only_with_their_arn() {
        let key = RootKey::generate().domain_key(Domain::Events);
        let parts = SecretParts {
            api_key_value: Some("s3cr3t-value".into()),
            ..SecretParts::default()
        };
        let sealed = seal(&key, "arn:a", &parts);
        assert!(!sealed.contains("s3cr3t"));
        let opened = unseal(&key, "arn:a", &sealed).unwrap();
        assert_eq!(opened.api_key_value.as_deref(), Some("s3cr3t-value"));
        assert!(unseal(&key, "arn:b", &sealed).is_none());
        assert_eq!(format!("{parts:?}"), "SecretParts(<redacted>)");
    }

    #[test]
    fn parses_connection_arns() {
        let arn = "arn:aws:events:us-east-1:123456789012:connection/c1/0f0e";
        assert_eq!(parse_arn(arn), Some(("123456789012", "us-east-1", "c1")));
        assert_eq!(parse_arn("arn:aws:events:r:a:rule/x"), None);
    }
}
