//! AWS Signature Version 4 verification.

use crate::{AuthError, CredentialLookup};
use time::OffsetDateTime;

/// The parts of an HTTP request that SigV4 signs, as received on the wire.
pub struct SignedRequest<'a> {
    pub method: &'a str,
    /// Raw path as received (still percent-encoded).
    pub path: &'a str,
    /// Raw query string without `?` (still percent-encoded), "" if none.
    pub query: &'a str,
    /// Header names (any case) and values, in received order; repeated names allowed.
    pub headers: &'a [(&'a str, &'a [u8])],
    pub body: &'a [u8],
}

/// The `<date>/<region>/<service>/aws4_request` scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialScope { pub date: String, pub region: String, pub service: String }

/// A request whose signature was verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified { pub access_key_id: String, pub scope: CredentialScope, pub signed_at: OffsetDateTime }

/// Reads the access key id and scope from the Authorization header or presigned query without
/// checking the signature (used by `--dev` mode, and first step of `verify`).
pub fn parse_authorization(_req: &SignedRequest<'_>) -> Result<(String, CredentialScope), AuthError> { unimplemented!() }

/// Verifies the request: `expected_service` must match the scope, the time must be within the
/// skew window (15 min) or presigned expiry, and the signature must match.
pub fn verify(_req: &SignedRequest<'_>, _now: OffsetDateTime, _expected_service: &str, _creds: &dyn CredentialLookup) -> Result<Verified, AuthError> { unimplemented!() }
