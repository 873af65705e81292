//! AWS Signature Version 4 verification, for the `Authorization` header and presigned URLs.
//!
//! Checks run in the order AWS runs them, so the first error a client sees is AWS's:
//! one `Authorization` header → parameters present (each once) → date format → time window →
//! `SignedHeaders` (`host`, the date and `X-Amz-Target` signed, every named header sent) →
//! algorithm → credential shape → scope → access key known → signature (64 lower-case hex
//! digits over a canonical `SignedHeaders` list, constant-time HMAC comparison).

mod authorization;
mod canonical;
mod params;
mod payload;
mod scope;
mod signed_headers;
mod signing_key;
mod timing;

#[cfg(test)]
mod test_request;
#[cfg(test)]
mod tests_errors;
#[cfg(test)]
mod tests_strict;
#[cfg(test)]
mod tests_suite;

use crate::{AuthError, CredentialLookup};
use aws_lc_rs::hmac;
use params::AuthParams;
use scope::CredentialParts;
use std::borrow::Cow;
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
    /// The SHA-256 of `body` when the reader hashed it as it streamed in; computed from `body`
    /// when `None`.
    pub body_sha256: Option<[u8; 32]>,
}

/// The `<date>/<region>/<service>/aws4_request` scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialScope {
    pub date: String,
    pub region: String,
    pub service: String,
}

/// A request whose signature was verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub access_key_id: String,
    pub scope: CredentialScope,
    pub signed_at: OffsetDateTime,
}

/// How the canonical URI is computed from the received path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Remove `.`/`..` and empty segments before signing (every service but S3).
    pub normalize_path: bool,
    /// URI-encode the received (already encoded) path once more (every service but S3).
    pub encode_path: bool,
    /// Presigned URLs whose `X-Amz-Security-Token` is appended after signing and so is not part
    /// of the canonical query (AWS IoT's MQTT-over-WebSocket URLs).
    pub unsigned_query_session_token: bool,
}

impl VerifyOptions {
    /// What AWS does for `service`: S3 signs the path as sent, the others normalize and re-encode;
    /// only AWS IoT's device gateway leaves the presigned session token unsigned.
    pub fn for_service(service: &str) -> Self {
        let s3 = service == "s3";
        Self {
            normalize_path: !s3,
            encode_path: !s3,
            unsigned_query_session_token: service == "iotdevicegateway",
        }
    }
}

/// Reads the access key id and scope from the Authorization header or presigned query without
/// checking the signature (used by `--dev` mode, and first step of `verify`).
pub fn parse_authorization(
    req: &SignedRequest<'_>,
) -> Result<(String, CredentialScope), AuthError> {
    let params = params::extract(req)?;
    check_algorithm(&params.algorithm)?;
    let parts = scope::split_credential(&params.credential)?;
    Ok((parts.access_key_id.to_owned(), to_scope(&parts)))
}

/// Verifies the request: `expected_service` must match the scope, the time must be within the
/// skew window (15 min) or presigned expiry, and the signature must match.
pub fn verify(
    req: &SignedRequest<'_>,
    now: OffsetDateTime,
    expected_service: &str,
    creds: &dyn CredentialLookup,
) -> Result<Verified, AuthError> {
    verify_with(
        req,
        now,
        expected_service,
        creds,
        &VerifyOptions::for_service(expected_service),
    )
}

/// [`verify`] with explicit canonical-URI options.
pub fn verify_with(
    req: &SignedRequest<'_>,
    now: OffsetDateTime,
    expected_service: &str,
    creds: &dyn CredentialLookup,
    opts: &VerifyOptions,
) -> Result<Verified, AuthError> {
    let pending = precheck(req, now, expected_service)?;
    let credential = creds
        .lookup(pending.access_key_id())
        .ok_or_else(AuthError::unrecognized_client)?;
    pending.verify_secret(&credential.secret_access_key, opts)
}

/// Runs every check that needs no secret (parameters, date, time window, signed headers,
/// algorithm, credential shape, scope), parsing the Authorization header or presigned query
/// once. It never reads the body, which may still be empty. The caller then looks up the access
/// key ([`Precheck::access_key_id`]) however it likes (e.g. asynchronously) and finishes with
/// [`Precheck::verify_secret`].
pub fn precheck<'r>(
    req: &'r SignedRequest<'r>,
    now: OffsetDateTime,
    expected_service: &'r str,
) -> Result<Precheck<'r>, AuthError> {
    Ok(Precheck {
        req,
        checked: check_request(req, now, expected_service)?,
        service: expected_service,
    })
}

/// A request that passed [`precheck`]; only the signature remains to be verified.
pub struct Precheck<'r> {
    req: &'r SignedRequest<'r>,
    checked: Checked<'r>,
    service: &'r str,
}

impl Precheck<'_> {
    /// The access key id the request claims.
    pub fn access_key_id(&self) -> &str {
        scope::split_credential(&self.checked.params.credential)
            .map_or("", |parts| parts.access_key_id)
    }

    /// The Region of the credential scope.
    pub fn region(&self) -> &str {
        scope::split_credential(&self.checked.params.credential).map_or("", |parts| parts.region)
    }

    /// Verifies the signature with the access key's secret (constant-time comparison).
    pub fn verify_secret(self, secret: &str, opts: &VerifyOptions) -> Result<Verified, AuthError> {
        let checked = &self.checked;
        let parts = scope::split_credential(&checked.params.credential)?;
        let (_, sts) = canonical_parts(self.req, checked, &parts, self.service, opts)?;
        let provided = provided_signature(&checked.params)?;
        let key = signing_key::signing_key(
            parts.access_key_id,
            secret,
            parts.date,
            parts.region,
            parts.service,
        );
        hmac::verify(&key, &sts, &provided).map_err(|_| AuthError::signature_mismatch())?;
        Ok(Verified {
            access_key_id: parts.access_key_id.to_owned(),
            scope: to_scope(&parts),
            signed_at: checked.signed_at,
        })
    }
}

/// A request whose signature parameters, time and scope passed every check before the key lookup.
struct Checked<'a> {
    params: AuthParams<'a>,
    signed_at: OffsetDateTime,
    /// The request date in `yyyymmddThhmmssZ`, as it enters the string to sign.
    amz_date: Cow<'a, str>,
}

/// Every check that needs no secret, in AWS's order.
fn check_request<'a>(
    req: &SignedRequest<'a>,
    now: OffsetDateTime,
    expected_service: &str,
) -> Result<Checked<'a>, AuthError> {
    let params = params::extract(req)?;
    let signed_at = timing::parse_request_date(&params.date, params.date_is_http)?;
    if params.presigned {
        timing::check_presigned(signed_at, params.expires.as_deref(), now)?;
    } else {
        timing::check_skew(signed_at, now)?;
    }
    signed_headers::check(req, &params)?;
    check_algorithm(&params.algorithm)?;
    let amz_date = if params.date_is_http {
        Cow::Owned(timing::format_amz(signed_at))
    } else {
        params.date.clone()
    };
    let parts = scope::split_credential(&params.credential)?;
    scope::check_scope(&parts, expected_service, &amz_date)?;
    Ok(Checked {
        params,
        signed_at,
        amz_date,
    })
}

/// The canonical request and the string to sign for a checked request.
fn canonical_parts(
    req: &SignedRequest<'_>,
    checked: &Checked<'_>,
    parts: &CredentialParts<'_>,
    service: &str,
    opts: &VerifyOptions,
) -> Result<(Vec<u8>, Vec<u8>), AuthError> {
    let params = &checked.params;
    let payload = payload::payload_hash(req, params.presigned, service)?;
    let creq = canonical::canonical_request(
        req,
        &params.signed_headers,
        params.presigned,
        payload.as_str(),
        opts,
    );
    let sts = canonical::string_to_sign(&checked.amz_date, parts.scope, &creq);
    Ok((creq, sts))
}

/// The provided signature as bytes. AWS compares it as text with the lower-case hex digest it
/// computed over a canonical `SignedHeaders` list, so anything but 64 lower-case hex digits, or
/// a list that is not lower-case, sorted and free of repeats, is a signature mismatch.
fn provided_signature(params: &AuthParams<'_>) -> Result<[u8; 32], AuthError> {
    let text = params.signature.as_bytes();
    let lower_hex = text.len() == 64 && text.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if !lower_hex || !signed_headers::is_canonical(&params.signed_headers) {
        return Err(AuthError::signature_mismatch());
    }
    let mut provided = [0u8; 32];
    hex::decode_to_slice(text, &mut provided).map_err(|_| AuthError::signature_mismatch())?;
    Ok(provided)
}

/// Only `AWS4-HMAC-SHA256` is supported.
fn check_algorithm(algorithm: &str) -> Result<(), AuthError> {
    if algorithm == canonical::ALGORITHM {
        Ok(())
    } else {
        Err(AuthError::IncompleteSignature(format!(
            "Unsupported AWS 'algorithm': '{algorithm}' (only AWS4-HMAC-SHA256 for now). "
        )))
    }
}

fn to_scope(parts: &CredentialParts<'_>) -> CredentialScope {
    CredentialScope {
        date: parts.date.to_owned(),
        region: parts.region.to_owned(),
        service: parts.service.to_owned(),
    }
}
