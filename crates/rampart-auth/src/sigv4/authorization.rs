//! The `Authorization` header form: `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
//! Signature=...`, with AWS's answers for missing or malformed parameters.
//!
//! Parameters are separated by commas and/or whitespace, in any order (AWS accepts
//! `..., SignedHeaders=...`, `...,SignedHeaders=...` and `... SignedHeaders=...` alike). AWS
//! ignores unknown parameters and lets the last of a repeated one win; Rampart refuses both
//! (each of the three exactly once, nothing else), after AWS's own checks, so a request AWS
//! refuses gets AWS's answer and only forms AWS would let through get Rampart's message.

use super::SignedRequest;
use super::params::{AuthParams, header_date};
use crate::AuthError;
use std::borrow::Cow;

const CREDENTIAL: &str = "Credential";
const SIGNED_HEADERS: &str = "SignedHeaders";
const SIGNATURE: &str = "Signature";

/// One parameter of the header: how many times it was sent, and its last value.
#[derive(Debug, Default, Clone, Copy)]
struct Param<'a> {
    count: usize,
    last: Option<&'a str>,
}

impl<'a> Param<'a> {
    fn add(&mut self, value: &'a str) {
        self.count += 1;
        self.last = Some(value);
    }

    /// The value when it was sent and is not empty.
    fn non_empty(&self) -> Option<&'a str> {
        self.last.filter(|v| !v.is_empty())
    }
}

/// The parameters of an `Authorization` header.
#[derive(Debug, Default)]
struct HeaderParts<'a> {
    credential: Param<'a>,
    signed_headers: Param<'a>,
    signature: Param<'a>,
    /// The key of the first `key=value` pair that is none of the three.
    unknown: Option<&'a str>,
}

impl<'a> HeaderParts<'a> {
    fn add(&mut self, key: &'a str, value: &'a str) {
        match key {
            CREDENTIAL => self.credential.add(value),
            SIGNED_HEADERS => self.signed_headers.add(value),
            SIGNATURE => self.signature.add(value),
            _ => {
                self.unknown.get_or_insert(key);
            }
        }
    }
}

/// Splits `ALGORITHM k=v, k=v, ...` into the algorithm and its parameters.
fn split_authorization(full: &str) -> Result<(&str, HeaderParts<'_>), AuthError> {
    let trimmed = full.trim();
    let (algorithm, rest) = trimmed
        .split_once(|c: char| c.is_ascii_whitespace())
        .unwrap_or((trimmed, ""));
    // Only SigV4-style headers are held to the key=value syntax; others just lack parameters.
    let strict = algorithm.starts_with("AWS4");
    let mut parts = HeaderParts::default();
    for token in rest
        .split(|c: char| c == ',' || c.is_ascii_whitespace())
        .filter(|t| !t.is_empty())
    {
        match token.split_once('=') {
            Some((key, value)) => parts.add(key, value),
            None if strict => {
                return Err(AuthError::IncompleteSignature(format!(
                    "'{token}' not a valid key=value pair (missing equal-sign) in Authorization header: '{full}'."
                )));
            }
            None => {}
        }
    }
    Ok((algorithm, parts))
}

/// AWS's list of what an `Authorization` header lacks ("" when complete).
fn missing_header_parts(parts: &HeaderParts<'_>, has_date: bool) -> String {
    let mut msg = String::new();
    if parts.credential.non_empty().is_none() {
        msg.push_str("Authorization header requires 'Credential' parameter. ");
    }
    if parts.signature.non_empty().is_none() {
        msg.push_str("Authorization header requires 'Signature' parameter. ");
    }
    // An empty SignedHeaders is syntactically allowed; the `host` check rejects it later.
    if parts.signed_headers.last.is_none() {
        msg.push_str("Authorization header requires 'SignedHeaders' parameter. ");
    }
    if !has_date {
        msg.push_str(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ",
        );
    }
    msg
}

/// What an otherwise complete header has too much of ("" when nothing): a repeated or an
/// unknown parameter. AWS accepts both, so these messages are Rampart's, written in the shape
/// of AWS's missing-parameter messages above.
fn extra_header_parts(parts: &HeaderParts<'_>) -> String {
    let mut msg = String::new();
    for (name, param) in [
        (CREDENTIAL, parts.credential),
        (SIGNATURE, parts.signature),
        (SIGNED_HEADERS, parts.signed_headers),
    ] {
        if param.count > 1 {
            msg.push_str(&format!(
                "Authorization header requires exactly one '{name}' parameter. "
            ));
        }
    }
    if let Some(key) = parts.unknown {
        msg.push_str(&format!(
            "Authorization header requires only the 'Credential', 'SignedHeaders' and 'Signature' \
             parameters, not '{key}'. "
        ));
    }
    msg
}

/// Parameters from the `Authorization` header form.
pub(crate) fn from_header<'a>(
    req: &SignedRequest<'a>,
    raw: &'a [u8],
) -> Result<AuthParams<'a>, AuthError> {
    let Ok(full) = std::str::from_utf8(raw) else {
        let msg = "Authorization header is not valid UTF-8.";
        return Err(AuthError::IncompleteSignature(msg.to_owned()));
    };
    let incomplete =
        |msg: &str| AuthError::IncompleteSignature(format!("{msg}Authorization={full}"));
    let (algorithm, parts) = split_authorization(full)?;
    let date = header_date(req);
    let missing = missing_header_parts(&parts, date.is_some());
    // `missing` lists exactly the parts that are `None` here.
    let (Some(credential), Some(signed_headers), Some(signature), Some((date, is_http))) = (
        parts.credential.non_empty(),
        parts.signed_headers.last,
        parts.signature.non_empty(),
        date,
    ) else {
        return Err(incomplete(&missing));
    };
    let extra = extra_header_parts(&parts);
    if !extra.is_empty() {
        return Err(incomplete(&extra));
    }
    Ok(AuthParams {
        presigned: false,
        algorithm: Cow::Borrowed(algorithm),
        credential: Cow::Borrowed(credential),
        signed_headers: Cow::Borrowed(signed_headers),
        signature: Cow::Borrowed(signature),
        date,
        date_is_http: is_http,
        expires: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_and_order_are_free() {
        for header in [
            "AWS4-HMAC-SHA256 Credential=a, SignedHeaders=b, Signature=c",
            "AWS4-HMAC-SHA256 Credential=a,SignedHeaders=b,Signature=c",
            "AWS4-HMAC-SHA256  Credential=a,   SignedHeaders=b ,\tSignature=c ",
            "AWS4-HMAC-SHA256 Signature=c Credential=a SignedHeaders=b",
        ] {
            let (algorithm, parts) = split_authorization(header).unwrap_or_default();
            assert_eq!(algorithm, "AWS4-HMAC-SHA256", "{header}");
            let values = (
                parts.credential.last,
                parts.signed_headers.last,
                parts.signature.last,
            );
            assert_eq!(values, (Some("a"), Some("b"), Some("c")), "{header}");
            assert_eq!(extra_header_parts(&parts), "", "{header}");
        }
    }

    #[test]
    fn repeats_and_unknown_keys_are_listed_together() {
        let header = "AWS4-HMAC-SHA256 Credential=a, Credential=a, SignedHeaders=b, \
                      SignedHeaders=b, Signature=c, Region=x, Foo=y";
        let (_, parts) = split_authorization(header).unwrap_or_default();
        assert_eq!(missing_header_parts(&parts, true), "");
        assert_eq!(
            extra_header_parts(&parts),
            "Authorization header requires exactly one 'Credential' parameter. \
             Authorization header requires exactly one 'SignedHeaders' parameter. \
             Authorization header requires only the 'Credential', 'SignedHeaders' and \
             'Signature' parameters, not 'Region'. "
        );
    }
}
