//! ACME errors (RFC 8555 section 6.7): problem documents (`application/problem+json`) with
//! the `urn:ietf:params:acme:error:*` types and their HTTP status.

use serde_json::json;

/// One ACME error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The type after `urn:ietf:params:acme:error:`.
    pub kind: &'static str,
    pub detail: String,
    pub status: u16,
}

impl Problem {
    fn new(kind: &'static str, status: u16, detail: impl Into<String>) -> Problem {
        Problem {
            kind,
            detail: detail.into(),
            status,
        }
    }

    pub fn malformed(detail: impl Into<String>) -> Problem {
        Problem::new("malformed", 400, detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Problem {
        Problem::new("unauthorized", 403, detail)
    }

    pub fn bad_nonce() -> Problem {
        Problem::new(
            "badNonce",
            400,
            "The JWS nonce is not one this server issued, or was used.",
        )
    }

    pub fn bad_signature(detail: impl Into<String>) -> Problem {
        Problem::new("malformed", 400, detail)
    }

    pub fn bad_signature_algorithm() -> Problem {
        Problem::new(
            "badSignatureAlgorithm",
            400,
            "Supported algorithms: ES256, ES384, RS256.",
        )
    }

    pub fn bad_public_key(detail: impl Into<String>) -> Problem {
        Problem::new("badPublicKey", 400, detail)
    }

    pub fn account_does_not_exist() -> Problem {
        Problem::new(
            "accountDoesNotExist",
            400,
            "No account exists with this key.",
        )
    }

    pub fn eab_required() -> Problem {
        Problem::new(
            "externalAccountRequired",
            400,
            "This endpoint requires an external account binding.",
        )
    }

    pub fn invalid_contact(detail: impl Into<String>) -> Problem {
        Problem::new("invalidContact", 400, detail)
    }

    pub fn not_found() -> Problem {
        Problem::new("malformed", 404, "No such resource.")
    }

    pub fn rejected_identifier(detail: impl Into<String>) -> Problem {
        Problem::new("rejectedIdentifier", 400, detail)
    }

    pub fn order_not_ready() -> Problem {
        Problem::new(
            "orderNotReady",
            403,
            "The order is not ready to be finalized.",
        )
    }

    pub fn bad_csr(detail: impl Into<String>) -> Problem {
        Problem::new("badCSR", 400, detail)
    }

    pub fn already_revoked() -> Problem {
        Problem::new("alreadyRevoked", 400, "The certificate is already revoked.")
    }

    pub fn connection(detail: impl Into<String>) -> Problem {
        Problem::new("connection", 400, detail)
    }

    pub fn incorrect_response(detail: impl Into<String>) -> Problem {
        Problem::new("incorrectResponse", 400, detail)
    }

    pub fn server_internal() -> Problem {
        Problem::new("serverInternal", 500, "An internal error occurred.")
    }

    /// The problem document.
    pub fn body(&self) -> Vec<u8> {
        json!({
            "type": format!("urn:ietf:params:acme:error:{}", self.kind),
            "detail": self.detail,
            "status": self.status,
        })
        .to_string()
        .into_bytes()
    }
}
