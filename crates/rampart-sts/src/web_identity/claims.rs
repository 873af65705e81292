//! The AWS claims of a web identity token: session tags (`https://aws.amazon.com/tags`, an
//! object of `principal_tags`, each key with a one-value list, and `transitive_tag_keys`) and
//! a source identity (`https://aws.amazon.com/source_identity`). They become the request's
//! session tags, transitive keys and source identity, checked as AssumeRole checks its own
//! (`RoleRequest::parse`); a claim of the wrong shape, or tags and an identity outside
//! AssumeRole's limits, is `InvalidIdentityToken`.

use super::invalid_token;
use super::jwt::Jwt;
use crate::generated::Tag;
use rampart_codec::ServiceError;
use serde_json::Value;

/// The session tag claim.
pub(crate) const TAGS_CLAIM: &str = "https://aws.amazon.com/tags";
/// The source identity claim.
pub(crate) const SOURCE_IDENTITY_CLAIM: &str = "https://aws.amazon.com/source_identity";
/// Most session tags (AssumeRole's `tagListType`).
const MAX_TAGS: usize = 50;

/// What the token asks for its session.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct TokenSession {
    pub tags: Vec<Tag>,
    pub transitive_keys: Vec<String>,
    pub source_identity: Option<String>,
}

impl TokenSession {
    /// Whether the token carries none of the claims.
    pub(crate) fn is_empty(&self) -> bool {
        self.tags.is_empty() && self.transitive_keys.is_empty() && self.source_identity.is_none()
    }
}

/// The session claims of `jwt`.
pub(crate) fn token_session(jwt: &Jwt) -> Result<TokenSession, ServiceError> {
    let mut out = TokenSession::default();
    if let Some(claim) = jwt.claims.get(TAGS_CLAIM) {
        let claim = claim.as_object().ok_or_else(|| malformed(TAGS_CLAIM))?;
        if let Some(tags) = claim.get("principal_tags") {
            out.tags = principal_tags(tags)?;
        }
        if let Some(keys) = claim.get("transitive_tag_keys") {
            out.transitive_keys = string_list(keys).ok_or_else(|| malformed(TAGS_CLAIM))?;
        }
    }
    if let Some(identity) = jwt.claims.get(SOURCE_IDENTITY_CLAIM) {
        let identity = identity
            .as_str()
            .ok_or_else(|| malformed(SOURCE_IDENTITY_CLAIM))?;
        if !source_identity_ok(identity) {
            return Err(malformed(SOURCE_IDENTITY_CLAIM));
        }
        out.source_identity = Some(identity.to_owned());
    }
    Ok(out)
}

/// `principal_tags`: each key with one value (a one-element list, as AWS documents it, or a
/// plain string).
fn principal_tags(value: &Value) -> Result<Vec<Tag>, ServiceError> {
    let object = value.as_object().ok_or_else(|| malformed(TAGS_CLAIM))?;
    if object.len() > MAX_TAGS {
        return Err(malformed(TAGS_CLAIM));
    }
    object
        .iter()
        .map(|(key, value)| {
            let value = match value {
                Value::String(one) => Some(one.as_str()),
                Value::Array(list) if list.len() == 1 => list.first().and_then(Value::as_str),
                _ => None,
            };
            match value {
                Some(v) if tag_ok(key, v) => Ok(Tag {
                    key: Some(key.clone()),
                    value: Some(v.to_owned()),
                }),
                _ => Err(malformed(TAGS_CLAIM)),
            }
        })
        .collect()
}

fn string_list(value: &Value) -> Option<Vec<String>> {
    value
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// AssumeRole's tag limits: key 1 to 128 characters, value at most 256, both of
/// `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`.
fn tag_ok(key: &str, value: &str) -> bool {
    let allowed = |s: &str| {
        s.chars()
            .all(|c| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c))
    };
    (1..=128).contains(&key.chars().count())
        && value.chars().count() <= 256
        && allowed(key)
        && allowed(value)
}

/// AssumeRole's `sourceIdentityType`: 2 to 64 characters of `[\w+=,.@-]`.
fn source_identity_ok(identity: &str) -> bool {
    (2..=64).contains(&identity.len())
        && identity
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
}

fn malformed(claim: &str) -> ServiceError {
    invalid_token(format!(
        "The {claim} claim of the web identity token is not valid."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::json;

    fn jwt(claims: Value) -> Jwt {
        let enc = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
        let text = format!("{}.{}.c2ln", enc(json!({"alg": "RS256"})), enc(claims));
        Jwt::parse(&text).expect("jwt")
    }

    #[test]
    fn tags_transitive_keys_and_source_identity_are_read() {
        let token = jwt(json!({
            TAGS_CLAIM: {"principal_tags": {"Project": ["Automation"], "Team": "ops"},
                         "transitive_tag_keys": ["Project"]},
            SOURCE_IDENTITY_CLAIM: "alice@example.com"}));
        let session = token_session(&token).expect("session");
        let tags: Vec<(Option<&str>, Option<&str>)> = session
            .tags
            .iter()
            .map(|t| (t.key.as_deref(), t.value.as_deref()))
            .collect();
        assert_eq!(
            tags,
            [
                (Some("Project"), Some("Automation")),
                (Some("Team"), Some("ops"))
            ]
        );
        assert_eq!(session.transitive_keys, ["Project"]);
        assert_eq!(
            session.source_identity.as_deref(),
            Some("alice@example.com")
        );
        assert!(
            token_session(&jwt(json!({"sub": "x"})))
                .expect("none")
                .is_empty()
        );
    }

    #[test]
    fn malformed_claims_are_invalid_tokens() {
        for claims in [
            json!({TAGS_CLAIM: "Project=x"}),
            json!({TAGS_CLAIM: {"principal_tags": {"Project": ["a", "b"]}}}),
            json!({TAGS_CLAIM: {"principal_tags": {"": ["a"]}}}),
            json!({TAGS_CLAIM: {"principal_tags": {"k": ["a"]}, "transitive_tag_keys": "k"}}),
            json!({SOURCE_IDENTITY_CLAIM: "x"}),
            json!({SOURCE_IDENTITY_CLAIM: "has space"}),
            json!({SOURCE_IDENTITY_CLAIM: 42}),
        ] {
            let err = token_session(&jwt(claims.clone())).expect_err("malformed");
            assert_eq!(err.code, "InvalidIdentityToken", "{claims}");
        }
    }
}
