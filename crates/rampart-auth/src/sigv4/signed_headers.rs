//! What `SignedHeaders` must name (`host`, the request date, `X-Amz-Target`), that every
//! header it names was sent, and its canonical form (lower-case, sorted, once each).
//!
//! Not required to be signed, as AWS: `X-Amz-Security-Token` (the official suite's
//! `post-sts-header-after` adds it after signing, as some SDKs do for non-S3 services; a forged
//! token fails on its own), `X-Amz-Content-Sha256` (outside S3 it must equal the body's digest
//! or the signature fails, see `payload.rs`), and other headers.

use super::SignedRequest;
use super::params::AuthParams;
use crate::AuthError;

/// Every check of the `SignedHeaders` list that needs no secret, in AWS's order.
pub(crate) fn check(req: &SignedRequest<'_>, params: &AuthParams<'_>) -> Result<(), AuthError> {
    let list: &str = &params.signed_headers;
    require_host(list)?;
    if !params.presigned {
        require_signed_date(list, params.date_is_http)?;
    }
    require_signed_target(req, list)?;
    require_sent(req, list)
}

/// Whether `list` names `name` (ASCII case-insensitive, as AWS's `host` check).
fn names(list: &str, name: &str) -> bool {
    list.split(';').any(|n| n.eq_ignore_ascii_case(name))
}

/// AWS's "`<name>` must be a 'SignedHeader'" refusal.
fn must_be_signed(display: &str) -> AuthError {
    AuthError::InvalidSignature(format!(
        "'{display}' must be a 'SignedHeader' in the AWS Authorization."
    ))
}

/// AWS requires the `host` header (or HTTP/2 `:authority`) to be signed.
fn require_host(list: &str) -> Result<(), AuthError> {
    if names(list, "host") || names(list, ":authority") {
        Ok(())
    } else {
        Err(AuthError::InvalidSignature(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.".to_owned(),
        ))
    }
}

/// The header that dates the request (`X-Amz-Date`, else `Date`) must be signed: AWS's guide
/// ("Create a signed AWS API request") says "If you include a date or x-amz-date header, you
/// must also include that header in the list of signed headers". A `Date` header sent next to
/// `X-Amz-Date` dates nothing and need not be signed. AWS's message for this case is not
/// recorded; this one has the shape of its `host` message.
fn require_signed_date(list: &str, date_is_http: bool) -> Result<(), AuthError> {
    let (name, display) = if date_is_http {
        ("date", "Date")
    } else {
        ("x-amz-date", "X-Amz-Date")
    };
    if names(list, name) {
        Ok(())
    } else {
        Err(must_be_signed(display))
    }
}

/// The operation header of JSON protocols must be signed when sent: otherwise a captured
/// request (e.g. DescribeKey) could be replayed as another operation (DisableKey) on the same
/// body. Every AWS SDK signs it.
fn require_signed_target(req: &SignedRequest<'_>, list: &str) -> Result<(), AuthError> {
    let sent = req
        .headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("x-amz-target"));
    if !sent || names(list, "x-amz-target") {
        Ok(())
    } else {
        Err(must_be_signed("X-Amz-Target"))
    }
}

/// Every header `SignedHeaders` names must have been sent. AWS's answer, as recorded from AWS
/// AppSync: `IncompleteSignatureException` "'accept' is named as a SignedHeader, but it does
/// not exist in the HTTP request.". Empty names are left to the form check (a signature
/// mismatch); `:authority` is an HTTP/2 pseudo-header the request's header list never holds.
fn require_sent(req: &SignedRequest<'_>, list: &str) -> Result<(), AuthError> {
    let absent = list.split(';').find(|name| {
        !name.is_empty()
            && *name != ":authority"
            && !req
                .headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(name))
    });
    match absent {
        None => Ok(()),
        Some(name) => Err(AuthError::IncompleteSignature(format!(
            "'{name}' is named as a SignedHeader, but it does not exist in the HTTP request."
        ))),
    }
}

/// Whether `list` is in SigV4's canonical form: non-empty lower-case names, sorted, each once.
/// AWS builds the canonical request from lower-cased, sorted names, so a client that signed
/// any other list gets a signature mismatch from AWS; [`super::Precheck::verify_secret`]
/// answers the same instead of signing the list as sent.
pub(crate) fn is_canonical(list: &str) -> bool {
    let mut previous: Option<&str> = None;
    for name in list.split(';') {
        let lower = !name.is_empty() && !name.bytes().any(|b| b.is_ascii_uppercase());
        if !lower || previous.is_some_and(|p| p >= name) {
            return false;
        }
        previous = Some(name);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_lists() {
        for good in [
            "host",
            "host;x-amz-date",
            ":authority;content-type;x-amz-date",
            "content-type;host;x-amz-date;x-amz-target",
        ] {
            assert!(is_canonical(good), "{good}");
        }
        for bad in [
            "",
            "Host;x-amz-date",
            "x-amz-date;host",
            "host;host",
            "host;;x-amz-date",
            ";host",
            "host;",
        ] {
            assert!(!is_canonical(bad), "{bad}");
        }
    }

    #[test]
    fn host_message_is_aws_s() {
        assert_eq!(
            require_host("x-amz-date").err(),
            Some(AuthError::InvalidSignature(
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
                    .to_owned()
            ))
        );
        assert_eq!(require_host("Host;x-amz-date"), Ok(()));
        assert_eq!(require_host(":authority"), Ok(()));
    }
}
