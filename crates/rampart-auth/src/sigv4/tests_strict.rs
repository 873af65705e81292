//! Strict parsing: the forms real SDKs send verify; loose forms (a second `Authorization`
//! header, repeated or unknown parameters, repeated presigned parameters) are refused with
//! AWS's code and message.

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
