//! The payload hash line of the canonical request.

use super::SignedRequest;
use super::canonical::hex_pair;
use super::params::header;
use crate::AuthError;
use aws_lc_rs::digest;

/// The literal S3 (and presigned URLs) sign instead of a body hash.
const UNSIGNED_PAYLOAD: &[u8] = b"UNSIGNED-PAYLOAD";

/// The payload hash: a lowercase hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
pub(crate) struct PayloadHash {
    buf: [u8; 64],
    len: usize,
}

impl PayloadHash {
    /// The hash as it appears in the canonical request.
    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(self.buf.get(..self.len).unwrap_or_default()).unwrap_or_default()
    }

    fn unsigned() -> Self {
        let mut buf = [0u8; 64];
        if let Some(dst) = buf.get_mut(..UNSIGNED_PAYLOAD.len()) {
            dst.copy_from_slice(UNSIGNED_PAYLOAD);
        }
        Self {
            buf,
            len: UNSIGNED_PAYLOAD.len(),
        }
    }

    fn of_body(req: &SignedRequest<'_>) -> Self {
        let computed;
        let hash: &[u8] = match &req.body_sha256 {
            Some(known) => known,
            None => {
                computed = digest::digest(&digest::SHA256, req.body);
                computed.as_ref()
            }
        };
        let mut buf = [0u8; 64];
        for (pair, &b) in buf.chunks_exact_mut(2).zip(hash) {
            pair.copy_from_slice(&hex_pair(b));
        }
        Self { buf, len: 64 }
    }
}

/// Chooses the payload hash as AWS does. `x-amz-content-sha256` is honoured only when it is the
/// hex digest of the body (a different digest is a signature failure), or `UNSIGNED-PAYLOAD` for
/// S3 (only S3 accepts unsigned payloads; elsewhere an unsigned body could be swapped for any
/// other, e.g. a presigned URL's parameters overridden). S3 presigned URLs always sign
/// `UNSIGNED-PAYLOAD`.
pub(crate) fn payload_hash(
    req: &SignedRequest<'_>,
    presigned: bool,
    service: &str,
) -> Result<PayloadHash, AuthError> {
    let declared = header(req, "x-amz-content-sha256").map(<[u8]>::trim_ascii);
    if declared == Some(UNSIGNED_PAYLOAD) && service == "s3" {
        return Ok(PayloadHash::unsigned());
    }
    if declared.is_none() && presigned && service == "s3" {
        return Ok(PayloadHash::unsigned());
    }
    let computed = PayloadHash::of_body(req);
    match declared {
        Some(value) if value.len() == 64 && value.iter().all(u8::is_ascii_hexdigit) => {
            if value.eq_ignore_ascii_case(computed.as_str().as_bytes()) {
                Ok(computed)
            } else {
                Err(AuthError::signature_mismatch())
            }
        }
        _ => Ok(computed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn request<'a>(headers: &'a [(&'a str, &'a [u8])], body: &'a [u8]) -> SignedRequest<'a> {
        SignedRequest {
            method: "POST",
            path: "/",
            query: "",
            headers,
            body,
            body_sha256: None,
        }
    }

    #[test]
    fn hashes_the_body() {
        let hash = payload_hash(&request(&[], b""), false, "kms").ok();
        assert_eq!(hash.as_ref().map(PayloadHash::as_str), Some(EMPTY_SHA256));
    }

    #[test]
    fn declared_hash_must_match_body() {
        let good = [("X-Amz-Content-Sha256", EMPTY_SHA256.as_bytes())];
        assert!(payload_hash(&request(&good, b""), false, "kms").is_ok());
        let wrong = [("x-amz-content-sha256", EMPTY_SHA256.as_bytes())];
        let err = payload_hash(&request(&wrong, b"x"), false, "kms").err();
        assert_eq!(err, Some(AuthError::signature_mismatch()));
    }

    #[test]
    fn unsigned_payload_only_where_aws_allows_it() {
        let headers = [("x-amz-content-sha256", &b"UNSIGNED-PAYLOAD"[..])];
        let kms = payload_hash(&request(&headers, b""), false, "kms").ok();
        assert_eq!(kms.as_ref().map(PayloadHash::as_str), Some(EMPTY_SHA256));
        let s3 = payload_hash(&request(&headers, b""), false, "s3").ok();
        assert_eq!(
            s3.as_ref().map(PayloadHash::as_str),
            Some("UNSIGNED-PAYLOAD")
        );
        let presigned = payload_hash(&request(&[], b""), true, "s3").ok();
        assert_eq!(
            presigned.as_ref().map(PayloadHash::as_str),
            Some("UNSIGNED-PAYLOAD")
        );
        // A presigned request to another service signs its body: declaring it unsigned does
        // not let a different body through.
        let swapped = payload_hash(&request(&headers, b"Action=GetSessionToken"), true, "sts").ok();
        assert_ne!(
            swapped.as_ref().map(PayloadHash::as_str),
            Some("UNSIGNED-PAYLOAD")
        );
        assert_ne!(
            swapped.as_ref().map(PayloadHash::as_str),
            Some(EMPTY_SHA256)
        );
    }
}
