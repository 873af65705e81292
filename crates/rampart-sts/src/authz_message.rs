//! Encoded authorization failure messages and `DecodeAuthorizationMessage`. Some AWS services
//! (EC2 above all) append "Encoded authorization failure message: <blob>" to an AccessDenied;
//! the blob holds why the request was denied, and only STS can read it, for a caller allowed
//! `sts:DecodeAuthorizationMessage`. Rampart seals the same JSON document AWS decodes to
//! (`allowed`, `explicitDeny`, `matchedStatements`, `failures`, `context` with the principal,
//! action, resource and conditions) with AES-256-GCM under the credentials domain key, with
//! associated data of its own (so no session token opens as a message, nor the reverse).
//!
//! In Rampart, GetFederationToken's AccessDenied carries one (AWS's STS does not; it is the
//! path that makes the round trip usable until a service that encodes them, like EC2, is
//! served). For a message that does not open, AWS's exact wording is unknown: "The
//! authorization message is not valid." is answered.

use crate::generated::{
    DecodeAuthorizationMessage, DecodeAuthorizationMessageRequest,
    DecodeAuthorizationMessageResponse, errors,
};
use crate::service::{StsService, not_authorized, required};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_crypto::root::DomainKey;
use serde_json::{Value, json};

/// Associated data of every sealed message.
const AAD: &[u8] = b"rampart/sts/authorization-message/v1";
const VERSION: u8 = 1;

/// What was denied.
#[derive(Debug, Clone)]
pub struct Denial<'a> {
    pub action: &'a str,
    pub resource: &'a str,
    pub explicit: bool,
    /// Condition keys of the request and their values.
    pub conditions: Vec<(String, String)>,
}

/// The encoded message of `denial` of `ctx`'s caller, sealed under `key` (the credentials
/// domain key).
pub fn encode(key: &DomainKey, ctx: &RequestContext, denial: &Denial<'_>) -> String {
    let doc = document(ctx, denial).to_string();
    let mut bytes = vec![VERSION];
    bytes.extend(key.wrap(doc.as_bytes(), AAD));
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The JSON document of `encoded`, if it was sealed under `key`.
fn decode(key: &DomainKey, encoded: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(encoded.trim()).ok()?;
    let (&VERSION, sealed) = bytes.split_first()? else {
        return None;
    };
    let plain = key.unwrap(sealed, AAD).ok()?;
    String::from_utf8(plain.to_vec()).ok()
}

/// AWS's decoded form.
fn document(ctx: &RequestContext, denial: &Denial<'_>) -> Value {
    let conditions: Vec<Value> = (denial.conditions.iter())
        .map(|(key, value)| json!({"key": key, "values": {"items": [{"value": value}]}}))
        .collect();
    json!({
        "allowed": false,
        "explicitDeny": denial.explicit,
        "matchedStatements": {"items": []},
        "failures": {"items": []},
        "context": {
            "principal": {"id": ctx.principal.principal_id, "arn": ctx.principal.arn},
            "action": denial.action,
            "resource": denial.resource,
            "conditions": {"items": conditions},
        },
    })
}

impl DecodeAuthorizationMessage for StsService {
    async fn decode_authorization_message(
        &self,
        ctx: &RequestContext,
        input: DecodeAuthorizationMessageRequest,
    ) -> Result<DecodeAuthorizationMessageResponse, ServiceError> {
        let encoded = required(input.encoded_message, "encodedMessage")?;
        let action = "sts:DecodeAuthorizationMessage";
        ctx.authorize_own(action, "*", &ctx.policy_context())
            .map_err(|_| not_authorized(ctx, action, "*"))?;
        let decoded = decode(self.tokens.key(), &encoded).ok_or_else(|| {
            errors::invalid_authorization_message_exception(
                "The authorization message is not valid.",
            )
        })?;
        Ok(DecodeAuthorizationMessageResponse {
            decoded_message: Some(decoded),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_crypto::root::{Domain, RootKey};

    #[test]
    fn messages_open_only_under_their_key() {
        let key = RootKey::generate().domain_key(Domain::Credentials);
        let mut bytes = vec![VERSION];
        bytes.extend(key.wrap(b"{\"allowed\":false}", AAD));
        let encoded = URL_SAFE_NO_PAD.encode(&bytes);
        assert_eq!(
            decode(&key, &encoded).as_deref(),
            Some("{\"allowed\":false}")
        );
        let other = RootKey::generate().domain_key(Domain::Credentials);
        assert_eq!(decode(&other, &encoded), None);
        bytes[0] = 2;
        assert_eq!(decode(&key, &URL_SAFE_NO_PAD.encode(&bytes)), None);
        let mut foreign = vec![VERSION];
        foreign.extend(key.wrap(b"{}", b"another purpose"));
        assert_eq!(decode(&key, &URL_SAFE_NO_PAD.encode(foreign)), None);
        assert_eq!(decode(&key, "not base64!"), None);
    }
}
