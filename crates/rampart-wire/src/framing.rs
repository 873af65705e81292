//! AWS-shaped answers to requests whose HTTP/1 framing hyper's parser refuses before the
//! gateway sees them (a NUL or other control byte in a header, an over-long head or URI, an
//! unknown version). hyper answers those with a bare status and an empty body; the connection's
//! IO wrapper recognises that response and sends this one instead.

/// hyper's own error responses: a status line, `content-length: 0`, and none of the headers
/// every gateway response carries.
fn is_bare_error(head: &[u8]) -> Option<u16> {
    let rest = head
        .strip_prefix(b"HTTP/1.1 ")
        .or_else(|| head.strip_prefix(b"HTTP/1.0 "))?;
    let status: u16 = std::str::from_utf8(rest.get(..3)?).ok()?.parse().ok()?;
    if !(400..600).contains(&status) {
        return None;
    }
    let lower = head.to_ascii_lowercase();
    let has = |needle: &[u8]| lower.windows(needle.len()).any(|w| w == needle);
    (has(b"\r\ncontent-length: 0\r\n") && !has(b"\r\nx-amzn-requestid:")).then_some(status)
}

/// The AWS code and message for a status hyper answers on its own.
fn error_of(status: u16) -> (&'static str, &'static str) {
    match status {
        431 => (
            "RequestHeaderSectionTooLarge",
            "The request's headers are larger than this server accepts.",
        ),
        414 => (
            "RequestURITooLong",
            "The request URI is longer than this server accepts.",
        ),
        505 => (
            "HttpVersionNotSupported",
            "The request's HTTP version is not supported.",
        ),
        _ => (
            "BadRequest",
            "The request is not valid HTTP: its request line or a header is malformed.",
        ),
    }
}

/// The replacement for `written` when it is exactly one of hyper's bare error responses (the
/// whole head, nothing after it): the same status with an AWS JSON error body.
pub(crate) fn replace_bare_error(written: &[u8]) -> Option<Vec<u8>> {
    if !written.ends_with(b"\r\n\r\n") {
        return None;
    }
    let status = is_bare_error(written)?;
    let reason = http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    let (code, message) = error_of(status);
    let request_id = uuid::Uuid::new_v4();
    let body = serde_json::json!({ "__type": code, "message": message }).to_string();
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/x-amz-json-1.1\r\n\
         x-amzn-requestid: {request_id}\r\nx-amzn-errortype: {code}\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    Some(response.into_bytes())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn hypers_bare_400_gets_an_aws_body() {
        let bare = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let replaced = String::from_utf8(replace_bare_error(bare).unwrap()).unwrap();
        assert!(replaced.starts_with("HTTP/1.1 400 Bad Request\r\n"));
        let (head, body) = replaced.split_once("\r\n\r\n").unwrap();
        assert!(head.contains("x-amzn-errortype: BadRequest"));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["__type"], "BadRequest");
        let big = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n";
        assert!(
            String::from_utf8(replace_bare_error(big).unwrap())
                .unwrap()
                .contains("RequestHeaderSectionTooLarge")
        );
    }

    #[test]
    fn gateway_responses_and_partial_writes_are_left_alone() {
        let ours = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nx-amzn-requestid: 1\r\n\r\n";
        assert_eq!(replace_bare_error(ours), None);
        let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(replace_bare_error(ok), None);
        let with_body = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n{}";
        assert_eq!(replace_bare_error(with_body), None);
        assert_eq!(replace_bare_error(b"HTTP/1.1 4"), None);
        assert_eq!(replace_bare_error(b"body bytes\r\n\r\n"), None);
    }
}
