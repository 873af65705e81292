//! Extracts the SigV4 parameters from the `Authorization` header or the presigned query string.

use super::SignedRequest;
use super::authorization;
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

/// The presigned-query parameters that must all be present, in the order AWS lists them.
const REQUIRED_QUERY: [&str; 5] = [
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Signature",
    "X-Amz-SignedHeaders",
    "X-Amz-Date",
];

/// The presigned-query parameters that may be sent at most once.
const SINGLE_QUERY: [&str; 7] = [
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Signature",
    "X-Amz-SignedHeaders",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-Security-Token",
];

/// Finds the first header named `name` (ASCII case-insensitive).
pub(crate) fn header<'a>(req: &SignedRequest<'a>, name: &str) -> Option<&'a [u8]> {
    req.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
}

/// Reads the signature parameters, answering AWS's errors for missing or malformed parts.
pub(crate) fn extract<'a>(req: &SignedRequest<'a>) -> Result<AuthParams<'a>, AuthError> {
    let authorization = single_authorization(req)?;
    // An empty Authorization header counts as none.
    let authorization = authorization.filter(|v| !v.trim_ascii().is_empty());
    let algorithm_in_query = query_param(req.query, "X-Amz-Algorithm").is_some();
    match authorization {
        Some(_) if algorithm_in_query => Err(AuthError::InvalidSignature(
            "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."
                .to_owned(),
        )),
        Some(value) => authorization::from_header(req, value),
        None if algorithm_in_query || has_presign_params(req.query) => from_query(req),
        None => Err(AuthError::missing_token()),
    }
}

/// The `Authorization` header, refusing a request that carries more than one: which of them
/// was checked would otherwise depend on the reader. AWS's answer to two `Authorization`
/// headers is not documented; this one follows the shape of its "Found both ..." message for
/// two signatures in one request.
fn single_authorization<'a>(req: &SignedRequest<'a>) -> Result<Option<&'a [u8]>, AuthError> {
    let mut values = req
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        .map(|(_, v)| *v);
    let first = values.next();
    if values.next().is_some() {
        return Err(AuthError::InvalidSignature(
            "Found more than one 'Authorization' HTTP header.".to_owned(),
        ));
    }
    Ok(first)
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

/// How many query parameters are named `name` once percent-decoded (as the canonical query
/// sees them, so an encoded spelling of the name counts too).
fn count_param(query: &str, name: &str) -> usize {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').map_or(pair, |(key, _)| key))
        .filter(|key| *key == name || (key.contains('%') && decode(key) == name))
        .count()
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

/// The request date from `X-Amz-Date`, else from `Date`; true when it is the `Date` header.
pub(crate) fn header_date<'a>(req: &SignedRequest<'a>) -> Option<(Cow<'a, str>, bool)> {
    if let Some(value) = header(req, "x-amz-date") {
        return Some((String::from_utf8_lossy(value), false));
    }
    header(req, "date").map(|value| (String::from_utf8_lossy(value), true))
}

/// Parameters from the presigned-query form.
fn from_query<'a>(req: &SignedRequest<'a>) -> Result<AuthParams<'a>, AuthError> {
    let values = REQUIRED_QUERY.map(|name| query_param(req.query, name).filter(|v| !v.is_empty()));
    let mut msg = String::new();
    for (name, value) in REQUIRED_QUERY.iter().zip(values.iter()) {
        if value.is_none() {
            msg.push_str(&format!(
                "AWS query-string parameters must include '{name}'. "
            ));
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
    refuse_repeated_query_params(req.query)?;
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

/// A presigned URL must carry each `X-Amz-*` signature parameter once. AWS reads the first of
/// repeated ones; Rampart refuses them so that no reader can pick another. The message is
/// Rampart's, in the shape of AWS's "must include" message (AWS sends none for this case).
fn refuse_repeated_query_params(query: &str) -> Result<(), AuthError> {
    let mut msg = String::new();
    for name in SINGLE_QUERY {
        if count_param(query, name) > 1 {
            msg.push_str(&format!(
                "AWS query-string parameters must include '{name}' only once. "
            ));
        }
    }
    if msg.is_empty() {
        return Ok(());
    }
    msg.push_str("Re-examine the query-string parameters.");
    Err(AuthError::IncompleteSignature(msg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_parameters_by_decoded_name() {
        let query = "X-Amz-Date=1&a=b&X-Amz-Dat%65=2&X-Amz-Date&x-amz-date=4";
        assert_eq!(count_param(query, "X-Amz-Date"), 3);
        assert_eq!(count_param(query, "a"), 1);
        assert_eq!(count_param("", "a"), 0);
    }

    #[test]
    fn repeated_parameters_are_listed_together() {
        let query = "X-Amz-Expires=1&X-Amz-Expires=2&X-Amz-Security-Token=a&X-Amz-Security-Token=b";
        let err = refuse_repeated_query_params(query).err();
        let msg = "AWS query-string parameters must include 'X-Amz-Expires' only once. \
                   AWS query-string parameters must include 'X-Amz-Security-Token' only once. \
                   Re-examine the query-string parameters.";
        assert_eq!(err, Some(AuthError::IncompleteSignature(msg.to_owned())));
        assert_eq!(refuse_repeated_query_params("X-Amz-Expires=1&b=2"), Ok(()));
    }
}
