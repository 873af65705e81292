//! The STS calls AWS serves without a SigV4 signature (the model's `smithy.api#noAuth`):
//! AssumeRoleWithWebIdentity and AssumeRoleWithSAML, whose token or assertion is the proof of
//! identity. The authenticator lets a request through unsigned only when it carries no
//! authentication at all and every `Action` it names (query string and form body) is one of
//! them; the caller is then [`PrincipalKind::Anonymous`] in the account its `RoleArn` names.

use percent_encoding::percent_decode_str;
use rampart_auth::SignedRequest;
use rampart_codec::query::form_pairs;
use rampart_core::{AccountId, Principal, PrincipalKind};

/// The actions served unsigned.
pub const UNSIGNED_ACTIONS: [&str; 2] = ["AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"];

/// The anonymous caller of an unsigned federation call, or `None` when `req` is signed (or
/// presigned) or names any other action. The account is the one the `RoleArn` names, else
/// `fallback_account`.
pub fn unsigned_caller(req: &SignedRequest<'_>, fallback_account: &AccountId) -> Option<Principal> {
    if is_signed(req) {
        return None;
    }
    let mut params = form_pairs(req.query.as_bytes());
    params.extend(form_pairs(req.body));
    let mut actions = params.iter().filter(|(k, _)| k == "Action").peekable();
    actions.peek()?;
    if !actions.all(|(_, v)| UNSIGNED_ACTIONS.contains(&v.as_str())) {
        return None;
    }
    let account = params
        .iter()
        .find(|(k, _)| k == "RoleArn")
        .and_then(|(_, arn)| arn.split(':').nth(4))
        .and_then(|acct| AccountId::parse(acct).ok())
        .unwrap_or_else(|| fallback_account.clone());
    Some(Principal {
        arn: String::new(),
        principal_id: "anonymous".to_owned(),
        account,
        access_key_id: String::new(),
        kind: PrincipalKind::Anonymous,
        session: None,
    })
}

/// Whether `req` carries any SigV4 authentication: an Authorization header, or presigned
/// query parameters.
fn is_signed(req: &SignedRequest<'_>) -> bool {
    let header = req
        .headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("authorization"));
    let presigned = req.query.split('&').any(|pair| {
        let name = pair.split_once('=').map_or(pair, |(n, _)| n);
        percent_decode_str(name)
            .decode_utf8()
            .is_ok_and(|n| n.eq_ignore_ascii_case("X-Amz-Credential"))
    });
    header || presigned
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request<'a>(
        headers: &'a [(&'a str, &'a [u8])],
        query: &'a str,
        body: &'a [u8],
    ) -> SignedRequest<'a> {
        SignedRequest {
            method: "POST",
            path: "/",
            query,
            headers,
            body,
            body_sha256: None,
        }
    }

    #[test]
    fn only_unsigned_federation_calls_are_anonymous() {
        let fallback = AccountId::parse("000000000000").expect("account");
        let body = b"Action=AssumeRoleWithWebIdentity&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr";
        let caller = unsigned_caller(&request(&[], "", body), &fallback).expect("anonymous");
        assert_eq!(caller.kind, PrincipalKind::Anonymous);
        assert_eq!(caller.account.as_str(), "111122223333");
        let saml = unsigned_caller(&request(&[], "Action=AssumeRoleWithSAML", b""), &fallback);
        assert_eq!(saml.expect("anonymous").account.as_str(), "000000000000");
        let signed: &[(&str, &[u8])] = &[("Authorization", b"AWS4-HMAC-SHA256 x")];
        assert!(unsigned_caller(&request(signed, "", body), &fallback).is_none());
        let presigned = "X-Amz-Credential=AKIA%2F&Action=AssumeRoleWithWebIdentity";
        assert!(unsigned_caller(&request(&[], presigned, b""), &fallback).is_none());
        for other in [
            &b"Action=AssumeRole"[..],
            b"Action=AssumeRoleWithWebIdentity&Action=GetCallerIdentity",
            b"RoleArn=x",
        ] {
            assert!(unsigned_caller(&request(&[], "", other), &fallback).is_none());
        }
        let mixed = request(&[], "Action=GetSessionToken", body);
        assert!(unsigned_caller(&mixed, &fallback).is_none());
    }
}
