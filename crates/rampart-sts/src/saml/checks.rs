//! Turning the `SAMLAssertion` parameter into a verified [`Assertion`]: base64, XML (no DTD),
//! the signature against the provider's certificates, then the assertion's claims — issuer,
//! audience, bearer Recipient, its time window and the AWS attributes AssumeRoleWithSAML
//! needs — each refused with AWS's error code.

use super::assertion::{self, Assertion, Unreadable};
use super::signature::{self, Rejected};
use crate::generated::errors;
use crate::web_identity::invalid_token;
use base64::Engine as _;
use rampart_codec::ServiceError;
use rampart_iam::resources::SamlProviderRecord;

/// How long after its IssueInstant an assertion may be redeemed (AWS: five minutes).
const REDEEM_WITHIN_SECONDS: i64 = 300;
/// Clock skew allowed for IssueInstant and NotBefore in the future.
const SKEW_SECONDS: i64 = 300;
/// The audiences AWS answers to as a SAML service provider.
const SP_ENTITY: &str = "urn:amazon:webservices";
const SIGNATURE_INVALID: &str = "Response signature invalid";
const EXPIRED: &str = "Token must be redeemed within 5 minutes of issuance";
const SESSION_NAME_RULE: &str = "[a-zA-Z_0-9+=,.@-]{2,64}";

/// Decodes, parses and verifies `encoded` against `provider`; `now` in epoch seconds.
pub(crate) fn verified_assertion(
    encoded: &str,
    provider: &SamlProviderRecord,
    now: i64,
) -> Result<Assertion, ServiceError> {
    let engine = base64::engine::general_purpose::STANDARD;
    let compact: String = encoded
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let bytes = engine
        .decode(compact)
        .map_err(|_| invalid_token("Invalid base64 SAMLResponse"))?;
    let xml = String::from_utf8(bytes).map_err(|_| malformed())?;
    let doc = uppsala::Parser::new()
        .with_forbid_dtd(true)
        .parse(&xml)
        .map_err(|_| malformed())?;
    let (response, node) = assertion::locate(&doc).map_err(|why| match why {
        Unreadable::Status => errors::idp_rejected_claim_exception(
            "The identity provider's response status is not Success",
        ),
        Unreadable::Shape(what) => invalid_token(format!("Invalid SAML response: {what}")),
    })?;
    let certificates = provider_certificates(provider);
    signature::check(&doc, &xml, response, node, &certificates).map_err(|why| {
        if let Rejected::Invalid(reason) = &why {
            tracing::info!(provider = %provider.arn(), %reason, "SAML signature refused");
        }
        invalid_token(SIGNATURE_INVALID)
    })?;
    let assertion = assertion::read(&doc, node);
    check_claims(&assertion, provider, now)?;
    Ok(assertion)
}

fn malformed() -> ServiceError {
    invalid_token("Invalid SAML response: the document could not be parsed")
}

/// The provider's signing certificates, DER.
fn provider_certificates(provider: &SamlProviderRecord) -> Vec<Vec<u8>> {
    let engine = base64::engine::general_purpose::STANDARD;
    (provider.signing_certificates.iter())
        .filter_map(|b64| engine.decode(b64).ok())
        .collect()
}

/// Issuer, audiences, Recipient and the time window.
fn check_claims(
    assertion: &Assertion,
    provider: &SamlProviderRecord,
    now: i64,
) -> Result<(), ServiceError> {
    if assertion.issuer != provider.entity_id {
        return Err(invalid_token(
            "Issuer of the SAML assertion does not match the SAML provider's metadata",
        ));
    }
    let audiences_met = (assertion.audiences.iter())
        .all(|restriction| restriction.iter().any(|a| is_aws_audience(a)));
    if !audiences_met {
        return Err(invalid_token("SAML assertion audience is not valid"));
    }
    if !assertion
        .recipient
        .as_deref()
        .is_some_and(is_signin_endpoint)
    {
        return Err(invalid_token(
            "SAML assertion recipient is not a valid AWS sign-in endpoint",
        ));
    }
    check_times(assertion, now)
}

/// Not before NotBefore or IssueInstant (within the skew), not at or after any NotOnOrAfter,
/// and within five minutes of IssueInstant.
fn check_times(assertion: &Assertion, now: i64) -> Result<(), ServiceError> {
    let issued = assertion.issue_instant.unwrap_or(i64::MIN);
    let early = |t: i64| t > now.saturating_add(SKEW_SECONDS);
    if early(issued) || assertion.not_before.is_some_and(early) {
        return Err(invalid_token("SAML assertion is not yet valid"));
    }
    let lapsed = assertion.not_on_or_after.iter().any(|t| now >= *t);
    if lapsed || now > issued.saturating_add(REDEEM_WITHIN_SECONDS) {
        return Err(errors::expired_token_exception(EXPIRED));
    }
    Ok(())
}

/// `urn:amazon:webservices` (or a Region's `urn:amazon:webservices:<region>`), or a sign-in
/// endpoint used as the audience.
fn is_aws_audience(audience: &str) -> bool {
    let regional = audience
        .strip_prefix(SP_ENTITY)
        .and_then(|rest| rest.strip_prefix(':'))
        .is_some_and(is_region);
    audience == SP_ENTITY || regional || is_signin_endpoint(audience)
}

/// `https://signin.aws.amazon.com/saml`, a Region's `https://<region>.signin.aws.amazon.com/
/// saml`, or the China and GovCloud partitions' endpoints; a `#fragment` is allowed.
fn is_signin_endpoint(url: &str) -> bool {
    let url = url.split_once('#').map_or(url, |(base, _)| base);
    let Some(host) = url
        .strip_prefix("https://")
        .and_then(|u| u.strip_suffix("/saml"))
    else {
        return false;
    };
    for domain in [
        "signin.aws.amazon.com",
        "signin.amazonaws.cn",
        "signin.amazonaws-us-gov.com",
    ] {
        if host == domain {
            return true;
        }
        let region = host.strip_suffix(domain).and_then(|r| r.strip_suffix('.'));
        if region.is_some_and(is_region) {
            return true;
        }
    }
    false
}

/// `us-east-1`-like: lower-case letters, digits and dashes.
fn is_region(name: &str) -> bool {
    !name.is_empty()
        && name.contains('-')
        && (name.bytes()).all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The RoleSessionName attribute, which must be there and match AWS's rule.
pub(crate) fn session_name(assertion: &Assertion) -> Result<String, ServiceError> {
    let name = assertion
        .aws_one("RoleSessionName")
        .ok_or_else(|| invalid_token("RoleSessionName is required in AuthnResponse"))?;
    if !matches_rule(name) {
        return Err(invalid_token(format!(
            "RoleSessionName in AuthnResponse must match {SESSION_NAME_RULE}"
        )));
    }
    Ok(name.to_owned())
}

/// The SourceIdentity attribute, if any (AWS's rule: as a session name).
pub(crate) fn source_identity(assertion: &Assertion) -> Result<Option<String>, ServiceError> {
    match assertion.aws_one("SourceIdentity") {
        None => Ok(None),
        Some(id) if matches_rule(id) && !id.starts_with("aws:") => Ok(Some(id.to_owned())),
        Some(_) => Err(invalid_token(format!(
            "SourceIdentity in AuthnResponse must match {SESSION_NAME_RULE}"
        ))),
    }
}

/// The SessionDuration attribute (900 to 43200 seconds), if any.
pub(crate) fn session_duration(assertion: &Assertion) -> Result<Option<i32>, ServiceError> {
    let Some(value) = assertion.aws_one("SessionDuration") else {
        return Ok(None);
    };
    match value.parse::<i32>() {
        Ok(seconds) if (900..=43_200).contains(&seconds) => Ok(Some(seconds)),
        _ => Err(invalid_token(
            "SessionDuration in AuthnResponse must be an integer from 900 to 43200",
        )),
    }
}

fn matches_rule(value: &str) -> bool {
    (2..=64).contains(&value.len())
        && (value.bytes()).all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_endpoints_and_audiences() {
        for good in [
            "https://signin.aws.amazon.com/saml",
            "https://us-west-2.signin.aws.amazon.com/saml",
            "https://signin.aws.amazon.com/saml#1",
            "https://signin.amazonaws.cn/saml",
        ] {
            assert!(is_signin_endpoint(good), "{good}");
            assert!(is_aws_audience(good), "{good}");
        }
        for bad in [
            "https://signin.aws.amazon.com/saml/",
            "http://signin.aws.amazon.com/saml",
            "https://evil.example/saml",
            "https://evil.signin.aws.amazon.com.example/saml",
            "https://x.y.signin.aws.amazon.com/saml",
        ] {
            assert!(!is_signin_endpoint(bad), "{bad}");
        }
        assert!(is_aws_audience("urn:amazon:webservices"));
        assert!(is_aws_audience("urn:amazon:webservices:cn-north-1"));
        assert!(!is_aws_audience("urn:amazon:webservices:"));
        assert!(!is_aws_audience("urn:example:other"));
    }

    fn timed(issued: i64, not_on_or_after: Vec<i64>, not_before: Option<i64>) -> Assertion {
        Assertion {
            issue_instant: Some(issued),
            not_on_or_after,
            not_before,
            ..Default::default()
        }
    }

    #[test]
    fn time_window() {
        let now = 1_000_000;
        assert!(check_times(&timed(now - 10, vec![now + 60], Some(now - 10)), now).is_ok());
        let code = |a: &Assertion| check_times(a, now).map_err(|e| e.code.to_string());
        assert_eq!(
            code(&timed(now - 10, vec![now], None)),
            Err("ExpiredTokenException".into())
        );
        assert_eq!(
            code(&timed(now - 301, vec![], None)),
            Err("ExpiredTokenException".into())
        );
        assert_eq!(
            code(&timed(now + 301, vec![], None)),
            Err("InvalidIdentityToken".into())
        );
        let future = timed(now, vec![], Some(now + 301));
        assert_eq!(code(&future), Err("InvalidIdentityToken".into()));
        let unknown = Assertion::default();
        assert_eq!(code(&unknown), Err("ExpiredTokenException".into()));
    }

    #[test]
    fn session_name_rule() {
        assert!(matches_rule("alice@example.com"));
        assert!(!matches_rule("a"));
        assert!(!matches_rule("alice smith"));
        assert!(!matches_rule(&"a".repeat(65)));
    }
}
