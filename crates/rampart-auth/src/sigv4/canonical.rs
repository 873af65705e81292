//! The SigV4 canonical request and string to sign, built from the request as received.

use super::{SignedRequest, VerifyOptions};
use aws_lc_rs::digest;
use percent_encoding::percent_decode_str;
use std::borrow::Cow;
use std::ops::Range;

/// The only algorithm SigV4 defines.
pub(crate) const ALGORITHM: &str = "AWS4-HMAC-SHA256";

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// Builds the canonical request. `presigned` drops `X-Amz-Signature` from the query.
pub(crate) fn canonical_request(
    req: &SignedRequest<'_>,
    signed_headers: &str,
    presigned: bool,
    payload_hash: &str,
    opts: &VerifyOptions,
) -> Vec<u8> {
    let mut out =
        Vec::with_capacity(256 + req.path.len() + req.query.len() + 64 * signed_headers.len() / 8);
    out.extend_from_slice(req.method.as_bytes());
    out.push(b'\n');
    push_path(&mut out, req.path, opts);
    out.push(b'\n');
    push_query(
        &mut out,
        req.query,
        presigned,
        presigned && opts.unsigned_query_session_token,
    );
    out.push(b'\n');
    push_headers(&mut out, req, signed_headers);
    out.push(b'\n');
    out.extend_from_slice(signed_headers.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(payload_hash.as_bytes());
    out
}

/// `AWS4-HMAC-SHA256 \n <date> \n <scope> \n hex(sha256(canonical request))`.
pub(crate) fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &[u8]) -> Vec<u8> {
    let hash = digest::digest(&digest::SHA256, canonical_request);
    let mut out = Vec::with_capacity(ALGORITHM.len() + amz_date.len() + scope.len() + 67);
    out.extend_from_slice(ALGORITHM.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(amz_date.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(scope.as_bytes());
    out.push(b'\n');
    push_hex_lower(&mut out, hash.as_ref());
    out
}

/// One byte as two lowercase hex digits.
pub(crate) fn hex_pair(b: u8) -> [u8; 2] {
    [
        HEX_LOWER[usize::from(b >> 4)],
        HEX_LOWER[usize::from(b & 0x0f)],
    ]
}

/// Appends `bytes` as lowercase hex.
fn push_hex_lower(out: &mut Vec<u8>, bytes: &[u8]) {
    for &b in bytes {
        out.extend_from_slice(&hex_pair(b));
    }
}

/// RFC 3986 unreserved characters, which SigV4 never encodes.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// SigV4 URI encoding: everything but unreserved characters (and `/` in paths) as `%XX`.
fn push_encoded(out: &mut Vec<u8>, bytes: impl IntoIterator<Item = u8>, keep_slash: bool) {
    for b in bytes {
        if is_unreserved(b) || (keep_slash && b == b'/') {
            out.push(b);
        } else {
            out.extend_from_slice(&[
                b'%',
                HEX_UPPER[usize::from(b >> 4)],
                HEX_UPPER[usize::from(b & 0x0f)],
            ]);
        }
    }
}

/// The canonical URI: optionally normalized (RFC 3986 dot segments, empty segments dropped) and
/// optionally URI-encoded once more (every service but S3 signs the encoded path again).
fn push_path(out: &mut Vec<u8>, path: &str, opts: &VerifyOptions) {
    let path = if path.is_empty() { "/" } else { path };
    let path = if opts.normalize_path {
        normalize_path(path)
    } else {
        Cow::Borrowed(path)
    };
    if opts.encode_path {
        push_encoded(out, path.bytes(), true);
    } else {
        out.extend_from_slice(path.as_bytes());
    }
}

/// Removes `.`/`..` and empty segments, keeping a trailing slash (botocore's semantics).
pub(crate) fn normalize_path(path: &str) -> Cow<'_, str> {
    let clean = path.starts_with('/')
        && !path.contains("//")
        && !path
            .split('/')
            .any(|segment| segment == "." || segment == "..");
    if clean {
        return Cow::Borrowed(path);
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let mut out = String::with_capacity(path.len() + 1);
    out.push('/');
    out.push_str(&segments.join("/"));
    if path.ends_with('/') && !segments.is_empty() {
        out.push('/');
    }
    Cow::Owned(out)
}

/// The canonical query: each name and value decoded then re-encoded, sorted by name then value.
/// Presigned requests leave out `X-Amz-Signature` (and `X-Amz-Security-Token` if `skip_token`).
fn push_query(out: &mut Vec<u8>, query: &str, presigned: bool, skip_token: bool) {
    if query.is_empty() {
        return;
    }
    let mut buf = Vec::with_capacity(query.len() + 32);
    let mut pairs: Vec<(Range<usize>, Range<usize>)> = Vec::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if (presigned && key == "X-Amz-Signature") || (skip_token && key == "X-Amz-Security-Token")
        {
            continue;
        }
        let key_start = buf.len();
        push_encoded(&mut buf, percent_decode_str(key), false);
        let key_end = buf.len();
        push_encoded(&mut buf, percent_decode_str(value), false);
        pairs.push((key_start..key_end, key_end..buf.len()));
    }
    let slice = |range: &Range<usize>| buf.get(range.clone()).unwrap_or_default();
    pairs.sort_unstable_by(|a, b| {
        slice(&a.0)
            .cmp(slice(&b.0))
            .then_with(|| slice(&a.1).cmp(slice(&b.1)))
    });
    for (index, (key, value)) in pairs.iter().enumerate() {
        if index > 0 {
            out.push(b'&');
        }
        out.extend_from_slice(slice(key));
        out.push(b'=');
        out.extend_from_slice(slice(value));
    }
}

/// `name:value\n` for each signed header; repeated headers are joined with `,` in received order.
fn push_headers(out: &mut Vec<u8>, req: &SignedRequest<'_>, signed_headers: &str) {
    for name in signed_headers.split(';') {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        let mut first = true;
        for (_, value) in req
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            if !first {
                out.push(b',');
            }
            first = false;
            push_trimmed(out, value);
        }
        out.push(b'\n');
    }
}

/// Appends a header value trimmed, with each inner run of whitespace collapsed to one space.
fn push_trimmed(out: &mut Vec<u8>, value: &[u8]) {
    let mut started = false;
    let mut pending_space = false;
    for &b in value {
        if matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
            pending_space = started;
        } else {
            if pending_space {
                out.push(b' ');
                pending_space = false;
            }
            out.push(b);
            started = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_botocore() {
        for (raw, want) in [
            ("/", "/"),
            ("//", "/"),
            ("/./", "/"),
            ("/example/..", "/"),
            ("//example//", "/example/"),
            ("/a/b/../c/./d", "/a/c/d"),
            ("/a/b/..", "/a"),
            ("/kms", "/kms"),
        ] {
            assert_eq!(normalize_path(raw), want, "{raw}");
        }
    }

    #[test]
    fn trims_and_collapses_header_values() {
        let mut out = Vec::new();
        push_trimmed(&mut out, b"  \"a   b \t c\"  \n ");
        assert_eq!(out, b"\"a b c\"");
    }

    #[test]
    fn encodes_query_strictly_and_sorts() {
        let mut out = Vec::new();
        push_query(
            &mut out,
            "b=2&a=x%2By+z&a=%41&c&X-Amz-Signature=ff&X-Amz-Security-Token=t",
            true,
            true,
        );
        assert_eq!(String::from_utf8_lossy(&out), "a=A&a=x%2By%2Bz&b=2&c=");
    }
}
