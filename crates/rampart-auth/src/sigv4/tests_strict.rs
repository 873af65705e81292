//! Strict parsing: the forms real SDKs send verify; loose forms (a second `Authorization`
//! header, repeated or unknown parameters, upper-case or malformed signatures, unsigned dates,
//! named-but-absent or non-canonical signed headers, repeated presigned parameters) are refused
//! with AWS's code and message.

use super::test_request::*;
use super::*;

/// `signed_kms()` with its Authorization header rewritten by `edit`.
fn with_authorization(edit: impl FnOnce(&str) -> String) -> Req {
    let mut req = signed_kms();
    let auth = edit(&req.authorization());
    req.set_header("Authorization", &auth);
    req
}

fn incomplete(msg: &str) -> AuthError {
    AuthError::IncompleteSignature(msg.to_owned())
}

fn invalid(msg: &str) -> AuthError {
    AuthError::InvalidSignature(msg.to_owned())
}

#[test]
fn the_header_forms_sdks_send_verify() {
    // botocore / AWS CLI, the Rust, JS and Go SDKs: "Credential=..., SignedHeaders=..., Signature=...".
    let req = signed_kms();
    let auth = req.authorization();
    assert!(auth.starts_with(&format!(
        "AWS4-HMAC-SHA256 Credential={AKID}/{SCOPE}, SignedHeaders={SIGNED}, Signature="
    )));
    assert!(req.verify(NOW, "kms").is_ok());
    // AWS also accepts no space, several spaces, or spaces only between the parameters.
    for edit in [
        |a: &str| a.replace(", ", ","),
        |a: &str| a.replace(", ", ",   "),
        |a: &str| a.replace(", ", " "),
    ] {
        let req = with_authorization(edit);
        assert!(req.verify(NOW, "kms").is_ok(), "{}", req.authorization());
    }
}

#[test]
fn the_minimal_sdk_signed_headers_verify() {
    // `host;x-amz-date` (curl, awscurl) and the official suite's header-after token.
    let mut req = Req::kms(DATE);
    req.headers
        .retain(|(n, _)| !n.eq_ignore_ascii_case("x-amz-target"));
    let mut req = req.sign(SCOPE, "host;x-amz-date");
    req.set_header("X-Amz-Security-Token", "token-added-after-signing");
    assert!(req.verify(NOW, "kms").is_ok());
}

#[test]
fn upper_case_signature_is_a_mismatch() {
    let req = with_authorization(|a| {
        let (head, sig) = a.split_once("Signature=").unwrap_or_default();
        format!("{head}Signature={}", sig.to_ascii_uppercase())
    });
    let err = err_of(req.verify(NOW, "kms"));
    assert_eq!(err, invalid(MISMATCH));
    assert_eq!(
        (err.code(), err.status()),
        ("InvalidSignatureException", 400)
    );
}

#[test]
fn signature_of_the_wrong_length_is_a_mismatch() {
    for edit in [
        |a: &str| format!("{a}0"),
        |a: &str| a[..a.len() - 2].to_owned(),
        |a: &str| format!("{}{}", &a[..a.len() - 64], "0x".repeat(32)),
    ] {
        let req = with_authorization(edit);
        assert_eq!(err_of(req.verify(NOW, "kms")), invalid(MISMATCH));
    }
}

#[test]
fn the_key_is_looked_up_before_the_signature_is_read() {
    let req = with_authorization(|a| {
        let (head, sig) = a.split_once("Signature=").unwrap_or_default();
        let head = head.replace(AKID, "AKIDUNKNOWN");
        format!("{head}Signature={}", sig.to_ascii_uppercase())
    });
    let err = err_of(req.verify(NOW, "kms"));
    assert_eq!(err.code(), "UnrecognizedClientException");
}

#[test]
fn repeated_parameter_is_refused() {
    let cred = format!("Credential={AKID}/{SCOPE}");
    let req = with_authorization(|a| a.replace(&cred, &format!("{cred}, {cred}")));
    let auth = req.authorization();
    let err = err_of(req.verify(NOW, "kms"));
    let msg = format!(
        "Authorization header requires exactly one 'Credential' parameter. Authorization={auth}"
    );
    assert_eq!(err, incomplete(&msg));
    assert_eq!(
        (err.code(), err.status()),
        ("IncompleteSignatureException", 400)
    );
    // A second Signature (last wins at AWS) is refused too, however it is spelled.
    let req = with_authorization(|a| format!("{a},Signature=00"));
    let auth = req.authorization();
    let msg = format!(
        "Authorization header requires exactly one 'Signature' parameter. Authorization={auth}"
    );
    assert_eq!(err_of(req.verify(NOW, "kms")), incomplete(&msg));
}

#[test]
fn unknown_parameter_is_refused() {
    let req = with_authorization(|a| format!("{a}, Region=us-east-1"));
    let auth = req.authorization();
    let msg = format!(
        "Authorization header requires only the 'Credential', 'SignedHeaders' and 'Signature' \
         parameters, not 'Region'. Authorization={auth}"
    );
    assert_eq!(err_of(req.verify(NOW, "kms")), incomplete(&msg));
}

#[test]
fn aws_messages_come_first_for_incomplete_headers() {
    // AWS ignores unknown keys and lists the missing ones (scratchstack's recorded ordering).
    let mut req = Req::kms(DATE);
    let auth = "AWS4-HMAC-SHA256 Foo=Bar, Baz=Burp, Credential=a, Credential=b";
    req.set_header("Authorization", auth);
    let msg = format!(
        "Authorization header requires 'Signature' parameter. \
         Authorization header requires 'SignedHeaders' parameter. Authorization={auth}"
    );
    assert_eq!(err_of(req.verify(NOW, "kms")), incomplete(&msg));
    // A token without '=' is AWS's key=value error, before anything else.
    let req = with_authorization(|a| format!("{a}, Signature"));
    let auth = req.authorization();
    let msg = format!(
        "'Signature' not a valid key=value pair (missing equal-sign) in Authorization header: '{auth}'."
    );
    assert_eq!(err_of(req.verify(NOW, "kms")), incomplete(&msg));
}

#[test]
fn two_authorization_headers_are_refused() {
    let msg = "Found more than one 'Authorization' HTTP header.";
    for second in ["same", "", "Bearer abc"] {
        let mut req = signed_kms();
        let value = if second == "same" {
            req.authorization()
        } else {
            second.to_owned()
        };
        req.push_header("authorization", &value);
        let err = err_of(req.verify(NOW, "kms"));
        assert_eq!(err, invalid(msg), "second header {second:?}");
        assert_eq!(err.code(), "InvalidSignatureException");
        assert!(req.with(parse_authorization).is_err());
    }
}

#[test]
fn x_amz_date_must_be_signed_when_sent() {
    let req = Req::kms(DATE).sign(SCOPE, "content-type;host;x-amz-target");
    let msg = "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.";
    let err = err_of(req.verify(NOW, "kms"));
    assert_eq!(err, invalid(msg));
    assert_eq!(
        (err.code(), err.status()),
        ("InvalidSignatureException", 400)
    );
}

#[test]
fn the_date_header_must_be_signed_when_it_dates_the_request() {
    let mut req = Req::kms(DATE);
    req.headers
        .retain(|(n, _)| !n.eq_ignore_ascii_case("x-amz-date"));
    req.set_header("Date", "Thu, 01 Jan 2026 00:20:00 GMT");
    let sig = req.signature(SCOPE, "host;x-amz-target", false, DATE);
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential={AKID}/{SCOPE}, SignedHeaders=host;x-amz-target, Signature={sig}"
    );
    req.set_header("Authorization", &auth);
    let msg = "'Date' must be a 'SignedHeader' in the AWS Authorization.";
    assert_eq!(err_of(req.verify(NOW, "kms")), invalid(msg));
    // Next to a signed X-Amz-Date, a Date header dates nothing and may stay unsigned.
    let mut req = signed_kms();
    req.set_header("Date", "Thu, 01 Jan 2026 00:20:00 GMT");
    assert!(req.verify(NOW, "kms").is_ok());
}

#[test]
fn a_signed_header_must_be_sent() {
    let req = Req::kms(DATE).sign(
        SCOPE,
        "content-type;host;x-amz-date;x-amz-security-token;x-amz-target",
    );
    let msg = "'x-amz-security-token' is named as a SignedHeader, but it does not exist in the HTTP request.";
    let err = err_of(req.verify(NOW, "kms"));
    assert_eq!(err, incomplete(msg));
    assert_eq!(
        (err.code(), err.status()),
        ("IncompleteSignatureException", 400)
    );
}

#[test]
fn signed_headers_must_be_canonical() {
    // Each list is signed exactly as sent, so only the form check refuses it.
    for list in [
        "Content-Type;Host;X-Amz-Date;X-Amz-Target",
        "host;content-type;x-amz-date;x-amz-target",
        "content-type;host;host;x-amz-date;x-amz-target",
        "content-type;host;;x-amz-date;x-amz-target",
    ] {
        let req = Req::kms(DATE).sign(SCOPE, list);
        assert_eq!(err_of(req.verify(NOW, "kms")), invalid(MISMATCH), "{list}");
    }
}

#[test]
fn precheck_never_reads_the_body() {
    let mut req = signed_kms();
    req.body.clear();
    let checked = req.with(|r| precheck(r, NOW, "kms").map(|p| p.access_key_id().to_owned()));
    assert_eq!(checked, Ok(AKID.to_owned()));
}

fn presigned() -> Req {
    Req::kms(DATE).presign(SCOPE, DATE, "900")
}

#[test]
fn presigned_parameters_may_not_repeat() {
    for name in [
        "X-Amz-Credential",
        "X-Amz-Signature",
        "X-Amz-Security-Token",
        "X-Amz-Expires",
    ] {
        let mut req = presigned();
        req.query.push_str(&format!("&{name}=x&{name}=y"));
        let msg = format!(
            "AWS query-string parameters must include '{name}' only once. \
             Re-examine the query-string parameters."
        );
        assert_eq!(err_of(req.verify(NOW, "kms")), incomplete(&msg), "{name}");
    }
    // An encoded spelling of the name is the same parameter.
    let mut req = presigned();
    req.query.push_str("&X-Amz-Dat%65=20260101T002000Z");
    let msg = "AWS query-string parameters must include 'X-Amz-Date' only once. \
               Re-examine the query-string parameters.";
    assert_eq!(err_of(req.verify(NOW, "kms")), incomplete(msg));
}

#[test]
fn presigned_upper_case_signature_is_a_mismatch() {
    let req = presigned();
    assert!(req.verify(NOW, "kms").is_ok());
    let mut req = presigned();
    let (head, sig) = req.query.split_once("X-Amz-Signature=").unwrap_or_default();
    req.query = format!("{head}X-Amz-Signature={}", sig.to_ascii_uppercase());
    assert_eq!(err_of(req.verify(NOW, "kms")), invalid(MISMATCH));
}
