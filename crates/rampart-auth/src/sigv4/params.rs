//! Extracts the SigV4 parameters from the `Authorization` header or the presigned query string.

use super::SignedRequest;
use crate::AuthError;
use percent_encoding::percent_decode_str;
use std::borrow::Cow;

/// The signature parameters of one request, whichever form carried them.
#[derive(Debug)]
pub(crate) struct AuthParams<'a> {
    /// Whether the parameters came from the query string (presigned URL).
    pub presigned: bool,
    pub algorithm: Cow<'a, str>,
    pub credential: Cow<'a, str>,
    pub signed_headers: Cow<'a, str>,
    pub signature: Cow<'a, str>,
    /// The raw request date: `X-Amz-Date` (header or query) or the HTTP `Date` header.
    pub date: Cow<'a, str>,
    /// True when `date` came from the HTTP `Date` header (RFC 1123 format).
    pub date_is_http: bool,
    /// `X-Amz-Expires` (presigned form only).
    pub expires: Option<Cow<'a, str>>,
}

/// Finds the first header named `name` (ASCII case-insensitive).
pub(crate) fn header<'a>(req: &SignedRequest<'a>, name: &str) -> Option<&'a [u8]> {
    req.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
}

/// Reads the signature parameters, answering AWS's errors for missing or malformed parts.
pub(crate) fn extract<'a>(req: &SignedRequest<'a>) -> Result<AuthParams<'a>, AuthError> {
    // An empty Authorization header counts as none.
    let authorization = header(req, "authorization").filter(|v| !v.trim_ascii().is_empty());
    let algorithm_in_query = query_param(req.query, "X-Amz-Algorithm").is_some();
    match authorization {
        Some(_) if algorithm_in_query => Err(AuthError::InvalidSignature(
            "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."
                .to_owned(),
        )),
        Some(value) => from_header(req, value),
        None if algorithm_in_query || has_presign_params(req.query) => from_query(req),
        None => Err(AuthError::missing_token()),
    }
}

/// Whether the query carries any presigned-URL signature parameter.
fn has_presign_params(query: &str) -> bool {
    ["X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders"]
        .iter()
        .any(|name| query_param(query, name).is_some())
}

/// The raw (still percent-encoded) value of the first query parameter named exactly `name`.
pub(crate) fn query_param<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    if query.is_empty() {
        return None;
    }
    query
        .split('&')
        .find_map(|pair| match pair.split_once('=') {
            Some((key, value)) if key == name => Some(value),
            None if pair == name => Some(""),
            _ => None,
        })
}

/// Percent-decodes a query value (lossy for invalid UTF-8, which no valid request carries).
fn decode(raw: &str) -> Cow<'_, str> {
    match percent_decode_str(raw).decode_utf8() {
        Ok(value) => value,
        Err(_) => Cow::Owned(
            String::from_utf8_lossy(&percent_decode_str(raw).collect::<Vec<u8>>()).into_owned(),
        ),
    }
}

/// The request date from `X-Amz-Date`, else from `Date`.
fn header_date<'a>(req: &SignedRequest<'a>) -> Option<(Cow<'a, str>, bool)> {
    if let Some(value) = header(req, "x-amz-date") {
        return Some((String::from_utf8_lossy(value), false));
    }
    header(req, "date").map(|value| (String::from_utf8_lossy(value), true))
}

/// The `Credential`, `SignedHeaders` and `Signature` values of an `Authorization` header.
#[derive(Default)]
struct HeaderParts<'a> {
    credential: Option<&'a str>,
    signed_headers: Option<&'a str>,
    signature: Option<&'a str>,
}

/// Splits `ALGORITHM k=v, k=v, ...` into the algorithm and its known parameters.
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
            Some(("Credential", value)) => parts.credential = Some(value),
            Some(("SignedHeaders", value)) => parts.signed_headers = Some(value),
            Some(("Signature", value)) => parts.signature = Some(value),
            Some(_) => {}
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
    if parts.credential.is_none_or(str::is_empty) {
        msg.push_str("Authorization header requires 'Credential' parameter. ");
    }
    if parts.signature.is_none_or(str::is_empty) {
        msg.push_str("Authorization header requires 'Signature' parameter. ");
    }
    // An empty SignedHeaders is syntactically allowed; the `host` check rejects it later.
    if parts.signed_headers.is_none() {
        msg.push_str("Authorization header requires 'SignedHeaders' parameter. ");
    }
    if !has_date {
        msg.push_str(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ",
        );
    }
    msg
}

/// Parameters from the `Authorization` header form.
fn from_header<'a>(req: &SignedRequest<'a>, raw: &'a [u8]) -> Result<AuthParams<'a>, AuthError> {
    let Ok(full) = std::str::from_utf8(raw) else {
        let msg = "Authorization header is not valid UTF-8.";
        return Err(AuthError::IncompleteSignature(msg.to_owned()));
    };
    let (algorithm, parts) = split_authorization(full)?;
    let date = header_date(req);
    let msg = missing_header_parts(&parts, date.is_some());
    let (Some(credential), Some(signed_headers), Some(signature), Some((date, is_http))) = (
        parts.credential,
        parts.signed_headers,
        parts.signature,
        date,
    ) else {
        return Err(AuthError::IncompleteSignature(format!(
            "{msg}Authorization={full}"
        )));
    };
    if !msg.is_empty() {
        return Err(AuthError::IncompleteSignature(format!(
            "{msg}Authorization={full}"
        )));
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

/// Parameters from the presigned-query form.
fn from_query<'a>(req: &SignedRequest<'a>) -> Result<AuthParams<'a>, AuthError> {
    const REQUIRED: [&str; 5] = [
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Signature",
        "X-Amz-SignedHeaders",
        "X-Amz-Date",
    ];
    let values = REQUIRED.map(|name| query_param(req.query, name).filter(|v| !v.is_empty()));
    let mut msg = String::new();
    for (name, value) in REQUIRED.iter().zip(values.iter()) {
        if value.is_none() {
            msg.push_str("AWS query-string parameters must include '");
            msg.push_str(name);
            msg.push_str("'. ");
        }
    }
    let [
        Some(algorithm),
        Some(credential),
        Some(signature),
        Some(signed_headers),
        Some(date),
    ] = values
    else {
        msg.push_str("Re-examine the query-string parameters.");
        return Err(AuthError::IncompleteSignature(msg));
    };
    Ok(AuthParams {
        presigned: true,
        algorithm: decode(algorithm),
        credential: decode(credential),
        signed_headers: decode(signed_headers),
        signature: decode(signature),
        date: decode(date),
        date_is_http: false,
        expires: query_param(req.query, "X-Amz-Expires").map(decode),
    })
}
