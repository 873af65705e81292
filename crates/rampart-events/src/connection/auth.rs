//! What a connection adds to an invocation: its authorization header (API key, Basic, or an
//! OAuth bearer token fetched with the client credentials and cached until it expires), and
//! its InvocationHttpParameters (headers and query string parameters).

use super::{ConnectionRecord, SecretParts};
use crate::delivery::http::{Failure, HttpClient, Outgoing};
use crate::generated::ConnectionHttpParameters;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Token lifetime assumed when the token endpoint does not say (`expires_in`).
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
/// The longest a token is cached, whatever `expires_in` says.
const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(86_400);
/// A cached token is refreshed this long before it expires.
const TOKEN_MARGIN: Duration = Duration::from_secs(30);

/// Why the connection could not authorize a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuthError {
    pub reason: String,
    pub retryable: bool,
}

/// OAuth access tokens per connection (ARN and modification time), this node only.
#[derive(Default)]
pub(crate) struct TokenCache {
    tokens: Mutex<HashMap<String, (String, Instant)>>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCache(<redacted>)")
    }
}

impl TokenCache {
    fn cache_key(connection: &ConnectionRecord) -> String {
        format!("{}#{}", connection.arn, connection.modified_ms)
    }

    /// Forgets every token.
    pub(crate) fn clear(&self) {
        if let Ok(mut tokens) = self.tokens.lock() {
            tokens.clear();
        }
    }

    /// Forgets the connection's token (its endpoint answered 401).
    pub(crate) fn forget(&self, connection: &ConnectionRecord) {
        if let Ok(mut tokens) = self.tokens.lock() {
            tokens.remove(&Self::cache_key(connection));
        }
    }

    /// The cached token, or a fresh one from the token endpoint.
    pub(crate) async fn token(
        &self,
        http: &HttpClient,
        connection: &ConnectionRecord,
        secrets: &SecretParts,
    ) -> Result<String, AuthError> {
        let key = Self::cache_key(connection);
        if let Ok(tokens) = self.tokens.lock()
            && let Some((token, until)) = tokens.get(&key)
            && *until > Instant::now()
        {
            return Ok(token.clone());
        }
        let (token, lifetime) = fetch_token(http, connection, secrets).await?;
        let until = Instant::now() + lifetime.saturating_sub(TOKEN_MARGIN);
        if let Ok(mut tokens) = self.tokens.lock() {
            tokens.insert(key, (token.clone(), until));
        }
        Ok(token)
    }
}

/// Adds the connection's authorization and invocation parameters to `request`.
pub(crate) async fn authorize(
    request: &mut Outgoing,
    query: &mut Vec<(String, String)>,
    http: &HttpClient,
    cache: &TokenCache,
    connection: &ConnectionRecord,
    secrets: &SecretParts,
) -> Result<(), AuthError> {
    let oauth = connection.authorization_type == "OAUTH_CLIENT_CREDENTIALS";
    let usable = connection.state == "AUTHORIZED" || (oauth && connection.state == "AUTHORIZING");
    if !usable {
        return Err(AuthError {
            reason: format!("connection {} is {}", connection.name, connection.state),
            retryable: false,
        });
    }
    let header = match connection.authorization_type.as_str() {
        "API_KEY" => api_key_header(connection, secrets),
        "BASIC" => basic_header(connection.username.as_deref(), secrets.password.as_deref()),
        _ => {
            let token = cache.token(http, connection, secrets).await?;
            Some(("Authorization".to_owned(), format!("Bearer {token}")))
        }
    };
    request.headers.extend(header);
    if let Some(parameters) = &secrets.invocation {
        add_parameters(parameters, &mut request.headers, query);
    }
    Ok(())
}

fn api_key_header(
    connection: &ConnectionRecord,
    secrets: &SecretParts,
) -> Option<(String, String)> {
    Some((
        connection.api_key_name.clone()?,
        secrets.api_key_value.clone()?,
    ))
}

fn basic_header(username: Option<&str>, password: Option<&str>) -> Option<(String, String)> {
    let credentials = STANDARD.encode(format!("{}:{}", username?, password?));
    Some(("Authorization".to_owned(), format!("Basic {credentials}")))
}

/// The header and query string parameters of `parameters`.
pub(crate) fn add_parameters(
    parameters: &ConnectionHttpParameters,
    headers: &mut Vec<(String, String)>,
    query: &mut Vec<(String, String)>,
) {
    for p in parameters.header_parameters.iter().flatten() {
        if let (Some(k), Some(v)) = (&p.key, &p.value) {
            headers.push((k.clone(), v.clone()));
        }
    }
    for p in parameters.query_string_parameters.iter().flatten() {
        if let (Some(k), Some(v)) = (&p.key, &p.value) {
            query.push((k.clone(), v.clone()));
        }
    }
}

/// Calls the token endpoint: the client credentials as a Basic authorization header, the
/// OAuthHttpParameters as headers, query string and form body (`grant_type=client_credentials`
/// unless the body parameters name one). AWS does not document the exact encoding; this is
/// RFC 6749 section 4.4's.
async fn fetch_token(
    http: &HttpClient,
    connection: &ConnectionRecord,
    secrets: &SecretParts,
) -> Result<(String, Duration), AuthError> {
    let oauth = connection.oauth.as_ref().ok_or_else(|| AuthError {
        reason: "the connection has no OAuth parameters".into(),
        retryable: false,
    })?;
    let request = token_request(oauth, secrets);
    let answer = http.send(&request).await.map_err(|f| match f {
        Failure::BadUrl(reason) => AuthError {
            reason,
            retryable: false,
        },
        Failure::Transport(reason) => AuthError {
            reason: format!("the OAuth token endpoint failed: {reason}"),
            retryable: true,
        },
    })?;
    if !(200..300).contains(&answer.status) {
        return Err(AuthError {
            reason: format!("the OAuth token endpoint answered {}", answer.status),
            retryable: answer.status == 429 || answer.status >= 500,
        });
    }
    parse_token(&answer.body).ok_or_else(|| AuthError {
        reason: "the OAuth token endpoint's answer has no access_token".into(),
        retryable: false,
    })
}

fn token_request(oauth: &super::OAuthPublic, secrets: &SecretParts) -> Outgoing {
    let mut headers = Vec::new();
    let mut query = Vec::new();
    let mut form = Vec::new();
    if let Some(parameters) = &secrets.oauth_http {
        add_parameters(parameters, &mut headers, &mut query);
        for p in parameters.body_parameters.iter().flatten() {
            if let (Some(k), Some(v)) = (&p.key, &p.value) {
                form.push((k.clone(), v.clone()));
            }
        }
    }
    if !form.iter().any(|(k, _)| k == "grant_type") {
        form.push(("grant_type".into(), "client_credentials".into()));
    }
    headers.extend(basic_header(
        Some(&oauth.client_id),
        secrets.client_secret.as_deref(),
    ));
    headers.push((
        "Content-Type".into(),
        "application/x-www-form-urlencoded".into(),
    ));
    let method =
        http::Method::from_bytes(oauth.http_method.as_bytes()).unwrap_or(http::Method::POST);
    Outgoing {
        method,
        url: crate::delivery::api_destination::with_query(&oauth.endpoint, &query),
        headers,
        body: crate::delivery::api_destination::encode_pairs(&form).into(),
    }
}

/// `access_token` and `expires_in` of a token response.
fn parse_token(body: &[u8]) -> Option<(String, Duration)> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let token = value.get("access_token")?.as_str()?.to_owned();
    let lifetime = value
        .get("expires_in")
        .and_then(serde_json::Value::as_u64)
        .map_or(DEFAULT_TOKEN_LIFETIME, Duration::from_secs)
        .min(MAX_TOKEN_LIFETIME);
    Some((token, lifetime))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn token_answers_give_the_token_and_its_lifetime() {
        let (token, lifetime) = parse_token(br#"{"access_token":"t","expires_in":60}"#).unwrap();
        assert_eq!((token.as_str(), lifetime), ("t", Duration::from_secs(60)));
        let (_, lifetime) = parse_token(br#"{"access_token":"t"}"#).unwrap();
        assert_eq!(lifetime, DEFAULT_TOKEN_LIFETIME);
        let huge = format!(r#"{{"access_token":"t","expires_in":{}}}"#, u64::MAX);
        assert_eq!(parse_token(huge.as_bytes()).unwrap().1, MAX_TOKEN_LIFETIME);
        assert!(parse_token(b"{}").is_none());
    }

    #[test]
    fn basic_credentials_are_base64_user_colon_password() {
        let (name, value) = basic_header(Some("u"), Some("p")).unwrap();
        assert_eq!(name, "Authorization");
        assert_eq!(value, "Basic dTpw");
    }
}
