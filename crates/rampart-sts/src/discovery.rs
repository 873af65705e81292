//! The OpenID Connect discovery documents of outbound identity federation issuers (a
//! `rampart_codec::PublicRoute`, no SigV4): `GET <issuer>/.well-known/openid-configuration`
//! and `GET <issuer>/.well-known/jwks.json` under `/_rampart/sts/outbound/<issuer id>` on any
//! host. The JWKS lists the account's signing keys (their `kid` is the tokens' header
//! `kid`). An unknown issuer, or one whose account turned the feature off, answers 404.

use crate::StsService;
use crate::outbound_keys::OutboundKeys;
use crate::outbound_token::NAMESPACE;
use rampart_codec::{BoxFuture, HttpRequest, HttpResponse, PublicHead, PublicRoute};
use rampart_iam::outbound::ISSUER_PATH;
use serde_json::{Value, json};
use std::sync::Arc;

/// The route, over the service.
pub struct OutboundDiscovery(pub Arc<StsService>);

/// Which document a path asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Document {
    Configuration,
    Jwks,
}

/// The issuer id and document of a discovery path.
fn document_of(path: &str) -> Option<(&str, Document)> {
    let rest = path.strip_prefix(ISSUER_PATH)?;
    let (id, document) = rest.split_once('/')?;
    let document = match document {
        ".well-known/openid-configuration" => Document::Configuration,
        ".well-known/jwks.json" => Document::Jwks,
        _ => return None,
    };
    let valid = !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit());
    valid.then_some((id, document))
}

impl PublicRoute for OutboundDiscovery {
    fn claims(&self, head: &PublicHead<'_>) -> bool {
        head.method == "GET" && head.path.starts_with(ISSUER_PATH)
    }

    fn max_body(&self) -> usize {
        0
    }

    fn serve<'a>(&'a self, request: &'a HttpRequest<'a>) -> BoxFuture<'a, HttpResponse> {
        Box::pin(async move {
            let Some((id, document)) = document_of(request.path) else {
                return json_response(404, &json!({"message": "Not Found"}));
            };
            match self.document(id, document).await {
                Ok(Some(body)) => json_response(200, &body),
                Ok(None) => json_response(404, &json!({"message": "Not Found"})),
                Err(err) => {
                    tracing::error!(error = %err, "an outbound federation document failed");
                    json_response(500, &json!({"message": "Internal Failure"}))
                }
            }
        })
    }
}

impl OutboundDiscovery {
    /// The document of issuer `id`, while its account has the feature on.
    async fn document(&self, id: &str, document: Document) -> Result<Option<Value>, String> {
        let found = self.0.dir.outbound_issuer(id).await;
        let Some((account, federation)) = found.map_err(|e| e.to_string())? else {
            return Ok(None);
        };
        Ok(Some(match document {
            Document::Configuration => configuration(&federation.issuer),
            Document::Jwks => {
                let keys = OutboundKeys {
                    store: &self.0.dir.tables.store,
                    key: self.0.tokens.key(),
                };
                json!({ "keys": keys.public_jwks(&account).await? })
            }
        }))
    }
}

/// The OpenID Provider metadata of `issuer`.
fn configuration(issuer: &str) -> Value {
    json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "ES384"],
        "claims_supported": ["iss", "sub", "aud", "iat", "exp", "jti", NAMESPACE],
    })
}

/// A JSON answer.
fn json_response(status: u16, body: &Value) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_string().into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_two_documents_of_hex_issuers_are_served() {
        let id = "0123456789abcdef0123456789abcdef";
        let path = |rest: &str| format!("{ISSUER_PATH}{id}/{rest}");
        assert_eq!(
            document_of(&path(".well-known/openid-configuration")),
            Some((id, Document::Configuration))
        );
        assert_eq!(
            document_of(&path(".well-known/jwks.json")),
            Some((id, Document::Jwks))
        );
        assert_eq!(document_of(&path(".well-known/other")), None);
        assert_eq!(document_of(&path(".well-known/jwks.json/x")), None);
        let odd = format!("{ISSUER_PATH}../x/.well-known/jwks.json");
        assert_eq!(document_of(&odd), None);
        assert_eq!(document_of("/.well-known/jwks.json"), None);
    }
}
