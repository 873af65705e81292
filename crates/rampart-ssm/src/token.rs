//! NextToken: an opaque, base64-encoded position (the last row key or index returned).

use crate::generated::ServiceError;
use crate::generated::errors::invalid_next_token;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The token that resumes after `position`.
pub fn encode(position: &str) -> String {
    URL_SAFE_NO_PAD.encode(position.as_bytes())
}

/// The position a token resumes after; InvalidNextToken when it is not one Rampart issued
/// (for `scope`, the row prefix it must stay within).
pub fn decode(token: &str, scope: &str) -> Result<String, ServiceError> {
    let invalid = || invalid_next_token("The nextToken is not valid.");
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    let position = String::from_utf8(bytes).map_err(|_| invalid())?;
    if position.starts_with(scope) {
        Ok(position)
    } else {
        Err(invalid())
    }
}
