//! Every error path of `verify`, checked against AWS's codes and messages.

use super::test_request::*;
use super::*;
use time::macros::datetime;

#[test]
fn a_correct_kms_request_verifies() {
    let verified = signed_kms().verify(NOW, "kms");
    let scope = CredentialScope {
        date: "20260101".into(),
        region: "us-east-1".into(),
        service: "kms".into(),
    };
    let want = Verified {
        access_key_id: AKID.into(),
        scope,
        signed_at: datetime!(2026-01-01 00:20:00 UTC),
    };
    assert_eq!(verified, Ok(want));
}

#[test]
fn parse_authorization_reads_key_and_scope() {
    let parsed = signed_kms().with(parse_authorization);
    let scope = CredentialScope {
        date: "20260101".into(),
        region: "us-east-1".into(),
        service: "kms".into(),
    };
    assert_eq!(parsed, Ok((AKID.to_owned(), scope)));
}

#[test]
fn missing_authentication_token() {
    let err = err_of(Req::kms(DATE).verify(NOW, "kms"));
    assert_eq!(
        err,
        AuthError::MissingAuthenticationToken("Missing Authentication Token".into())
    );
    assert_eq!(
        (err.code(), err.status()),
        ("MissingAuthenticationTokenException", 400)
    );
}

#[test]
fn empty_authorization_header_is_missing_token() {
    let mut req = Req::kms(DATE);
    req.set_header("Authorization", " ");
    let err = err_of(req.verify(NOW, "kms"));
    assert_eq!(err.code(), "MissingAuthenticationTokenException");
}

#[test]
fn missing_signature_and_signed_headers() {
    let mut req = Req::kms(DATE);
    let auth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/kms/aws4_request";
    req.set_header("Authorization", auth);
    let err = err_of(req.verify(NOW, "kms"));
    let msg = format!(
        "Authorization header requires 'Signature' parameter. \
         Authorization header requires 'SignedHeaders' parameter. Authorization={auth}"
    );
    assert_eq!(err, AuthError::IncompleteSignature(msg));
    assert_eq!(
        (err.code(), err.status()),
        ("IncompleteSignatureException", 400)
    );
}

#[test]
fn sigv2_style_header_lacks_every_parameter() {
    let mut req = Req::kms(DATE);
    req.set_header("Authorization", "AWS xxxxx:yyyyyyy");
    let err = err_of(req.verify(NOW, "kms"));
    let msg = "Authorization header requires 'Credential' parameter. Authorization header requires \
               'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. \
               Authorization=AWS xxxxx:yyyyyyy";
    assert_eq!(err, AuthError::IncompleteSignature(msg.into()));
}

#[test]
fn missing_date_is_incomplete() {
    let mut req = signed_kms();
    req.headers
        .retain(|(n, _)| !n.eq_ignore_ascii_case("x-amz-date"));
    let err = err_of(req.verify(NOW, "kms"));
    let AuthError::IncompleteSignature(msg) = &err else {
        panic!("{err:?}")
    };
    assert!(
        msg.starts_with(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Credential="
        ),
        "{msg}"
    );
}

#[test]
fn key_value_pair_without_equal_sign() {
    let mut req = Req::kms(DATE);
    let auth = "AWS4-HMAC-SHA256 Credential= AKIDEXAMPLE/20260101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=ab";
    req.set_header("Authorization", auth);
    let err = err_of(req.verify(NOW, "kms"));
    let msg = format!(
        "'AKIDEXAMPLE/20260101/us-east-1/kms/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: '{auth}'."
    );
    assert_eq!(err, AuthError::IncompleteSignature(msg));
}

#[test]
fn malformed_date() {
    let mut req = signed_kms();
    req.set_header("X-Amz-Date", "2026-01-01");
    let err = err_of(req.verify(NOW, "kms"));
    let msg = "Date must be in ISO-8601 'basic format'. Got '2026-01-01'. See http://en.wikipedia.org/wiki/ISO_8601";
    assert_eq!(err, AuthError::IncompleteSignature(msg.into()));
}

#[test]
fn clock_skew_past_and_future() {
    let err = err_of(signed_kms().verify(datetime!(2026-01-01 00:35:01 UTC), "kms"));
    let msg = "Signature expired: 20260101T002000Z is now earlier than 20260101T002001Z (20260101T003501Z - 15 min.)";
    assert_eq!(err, AuthError::SignatureExpired(msg.into()));
    assert_eq!(
        (err.code(), err.status()),
        ("InvalidSignatureException", 400)
    );

    let err = err_of(signed_kms().verify(datetime!(2026-01-01 00:04:59 UTC), "kms"));
    let msg = "Signature not yet current: 20260101T002000Z is still later than 20260101T001959Z (20260101T000459Z + 15 min.)";
    assert_eq!(err, AuthError::SignatureExpired(msg.into()));
}

#[test]
fn host_must_be_signed() {
    let req = Req::kms(DATE).sign(SCOPE, "content-type;x-amz-date;x-amz-target");
    let err = err_of(req.verify(NOW, "kms"));
    let msg = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.";
    assert_eq!(err, AuthError::InvalidSignature(msg.into()));
}

#[test]
fn unsupported_algorithm() {
    let mut req = signed_kms();
    let auth = req
        .headers
        .iter()
        .find(|(n, _)| n == "Authorization")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let auth = String::from_utf8_lossy(&auth).replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512");
    req.set_header("Authorization", &auth);
    let err = err_of(req.verify(NOW, "kms"));
    let msg = "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). ";
    assert_eq!(err, AuthError::IncompleteSignature(msg.into()));
}

#[test]
fn credential_with_four_parts() {
    let req = Req::kms(DATE).sign("20260101/us-east-1/kms", SIGNED);
    let err = err_of(req.verify(NOW, "kms"));
    let msg = "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, \
               got 'AKIDEXAMPLE/20260101/us-east-1/kms'";
    assert_eq!(err, AuthError::IncompleteSignature(msg.into()));
}

#[test]
fn scope_service_mismatch() {
    let req = Req::kms(DATE).sign("20260101/us-east-1/s3/aws4_request", SIGNED);
    let err = err_of(req.verify(NOW, "kms"));
    assert_eq!(
        err,
        AuthError::InvalidSignature(
            "Credential should be scoped to correct service: 'kms'. ".into()
        )
    );
    assert_eq!(
        (err.code(), err.status()),
        ("InvalidSignatureException", 400)
    );
}

#[test]
fn scope_date_must_equal_request_date() {
    let req = Req::kms(DATE).sign("20251231/us-east-1/kms/aws4_request", SIGNED);
    let err = err_of(req.verify(NOW, "kms"));
    let msg = "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: \
               '20251231' != '20260101', from '20260101T002000Z'.";
    assert_eq!(err, AuthError::InvalidSignature(msg.into()));
}

#[test]
fn unknown_access_key() {
    let mut req = signed_kms();
    let auth = req
        .headers
        .iter()
        .find(|(n, _)| n == "Authorization")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    req.set_header(
        "Authorization",
        &String::from_utf8_lossy(&auth).replace(AKID, "AKIDUNKNOWN"),
    );
    let err = err_of(req.verify(NOW, "kms"));
    assert_eq!(
        err,
        AuthError::UnrecognizedClient(
            "The security token included in the request is invalid.".into()
        )
    );
    assert_eq!(
        (err.code(), err.status()),
        ("UnrecognizedClientException", 400)
    );
}

#[test]
fn wrong_signature_and_tampered_request() {
    let mut req = signed_kms();
    req.body = b"{\"Limit\":1}".to_vec();
    assert_eq!(
        err_of(req.verify(NOW, "kms")),
        AuthError::InvalidSignature(MISMATCH.into())
    );
    let mut req = signed_kms();
    req.set_header("X-Amz-Target", "TrentService.Decrypt");
    assert_eq!(
        err_of(req.verify(NOW, "kms")),
        AuthError::InvalidSignature(MISMATCH.into())
    );
    let mut req = signed_kms();
    let auth = req
        .headers
        .iter()
        .find(|(n, _)| n == "Authorization")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let auth = String::from_utf8_lossy(&auth).into_owned();
    let (head, _) = auth.split_once("Signature=").unwrap_or_default();
    req.set_header("Authorization", &format!("{head}Signature=not-hex"));
    assert_eq!(
        err_of(req.verify(NOW, "kms")),
        AuthError::InvalidSignature(MISMATCH.into())
    );
}

#[test]
fn content_sha256_header_must_match_body() {
    let mut req = Req::kms(DATE);
    let wrong = "0000000000000000000000000000000000000000000000000000000000000000";
    req.set_header("X-Amz-Content-Sha256", wrong);
    req.set_header("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=00");
    assert_eq!(
        err_of(req.verify(NOW, "kms")),
        AuthError::InvalidSignature(MISMATCH.into())
    );
}

#[test]
fn http_date_header_instead_of_x_amz_date() {
    let mut req = Req::kms(DATE);
    req.headers
        .retain(|(n, _)| !n.eq_ignore_ascii_case("x-amz-date"));
    req.set_header("Date", "Thu, 01 Jan 2026 00:20:00 GMT");
    let sig = req.signature(SCOPE, "date;host;x-amz-target", false, DATE);
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential={AKID}/{SCOPE}, SignedHeaders=date;host;x-amz-target, Signature={sig}"
    );
    req.set_header("Authorization", &auth);
    assert!(req.verify(NOW, "kms").is_ok());
}

#[test]
fn both_header_and_query_signature() {
    let mut req = signed_kms();
    req.query = "X-Amz-Algorithm=AWS4-HMAC-SHA256".into();
    let msg =
        "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.";
    assert_eq!(
        err_of(req.verify(NOW, "kms")),
        AuthError::InvalidSignature(msg.into())
    );
}

#[test]
fn presigned_url_verifies_until_it_expires() {
    let req = Req::kms(DATE).presign(SCOPE, DATE, "900");
    assert!(req.verify(NOW, "kms").is_ok());
    assert!(
        req.verify(datetime!(2026-01-01 00:35:00 UTC), "kms")
            .is_ok()
    );
    let err = err_of(req.verify(datetime!(2026-01-01 00:35:01 UTC), "kms"));
    assert_eq!(err, AuthError::RequestExpired("Request has expired".into()));
    assert_eq!((err.code(), err.status()), ("AccessDeniedException", 403));
}

#[test]
fn presigned_url_rejects_tampering() {
    let mut req = Req::kms(DATE).presign(SCOPE, DATE, "900");
    req.query = req.query.replace("Action=ListKeys", "Action=ListAliases");
    assert_eq!(
        err_of(req.verify(NOW, "kms")),
        AuthError::InvalidSignature(MISMATCH.into())
    );
}

#[test]
fn presigned_url_missing_parameters() {
    let mut req = Req::kms(DATE).presign(SCOPE, DATE, "900");
    let kept: Vec<&str> = req
        .query
        .split('&')
        .filter(|p| !p.starts_with("X-Amz-Date=") && !p.starts_with("X-Amz-SignedHeaders="))
        .collect();
    req.query = kept.join("&");
    let msg = "AWS query-string parameters must include 'X-Amz-SignedHeaders'. \
               AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters.";
    assert_eq!(
        err_of(req.verify(NOW, "kms")),
        AuthError::IncompleteSignature(msg.into())
    );
}

#[test]
fn presigned_url_bad_expires() {
    let req = Req::kms(DATE).presign(SCOPE, DATE, "604801");
    let msg = "X-Amz-Expires must be less than a week (in seconds) that is 604800";
    assert_eq!(
        err_of(req.verify(NOW, "kms")),
        AuthError::IncompleteSignature(msg.into())
    );
}

#[test]
fn s3_signs_the_raw_path_and_unsigned_payload() {
    let scope = "20260101/us-east-1/s3/aws4_request";
    let mut req = Req::kms(DATE);
    req.path = "/bucket//a%20b/./c".into();
    req.set_header("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD");
    let req = req.sign(scope, "host;x-amz-content-sha256;x-amz-date;x-amz-target");
    assert!(req.verify(NOW, "s3").is_ok());
}

#[test]
fn the_operation_header_must_be_signed_when_sent() {
    let req = Req::kms(DATE).sign(SCOPE, "host;x-amz-date");
    assert_eq!(
        err_of(req.verify(NOW, "kms")),
        AuthError::InvalidSignature(
            "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.".into()
        )
    );
    let req = Req::kms(DATE).sign(SCOPE, "host;x-amz-date;x-amz-target");
    assert!(req.verify(NOW, "kms").is_ok());
}

/// Rough cost of one verification (run with `cargo test --release -- --ignored --nocapture`).
#[test]
#[ignore = "timing only"]
fn timing_of_a_kms_verify() {
    let req = signed_kms();
    let rounds = 50_000u32;
    let start = std::time::Instant::now();
    for _ in 0..rounds {
        assert!(req.verify(NOW, "kms").is_ok());
    }
    println!("verify: {:?} per call", start.elapsed() / rounds);
}
