use super::assertion::{Unreadable, locate, parse_instant, read};
use super::attributes::name_qualifier;
use super::*;
use base64::Engine as _;
use rampart_core::rampart_policy::Context;

const NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
const ROLE: &str = "arn:aws:iam::111122223333:role/saml";
const PROVIDER: &str = "arn:aws:iam::111122223333:saml-provider/idp";

fn response(assertions: &str) -> String {
    format!(
        r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
    xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="r1" Version="2.0">
  <saml:Issuer>https://idp.example.com</saml:Issuer>
  <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
  {assertions}
</samlp:Response>"#
    )
}

const ASSERTION: &str = r#"<saml:Assertion ID="a1" IssueInstant="2026-01-01T00:00:00Z" Version="2.0">
    <saml:Issuer>https://idp.example.com</saml:Issuer>
    <saml:Subject>
      <saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">ali<!-- x -->ce</saml:NameID>
      <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
        <saml:SubjectConfirmationData NotOnOrAfter="2026-01-01T00:05:00Z"
            Recipient="https://signin.aws.amazon.com/saml"/>
      </saml:SubjectConfirmation>
    </saml:Subject>
    <saml:Conditions NotBefore="2025-12-31T23:59:00Z" NotOnOrAfter="2026-01-01T01:00:00.500Z">
      <saml:AudienceRestriction><saml:Audience>urn:amazon:webservices</saml:Audience></saml:AudienceRestriction>
    </saml:Conditions>
    <saml:AuthnStatement SessionNotOnOrAfter="2026-01-01T02:00:00Z"/>
    <saml:AttributeStatement>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role">
        <saml:AttributeValue>arn:aws:iam::111122223333:saml-provider/idp,arn:aws:iam::111122223333:role/saml</saml:AttributeValue>
      </saml:Attribute>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName">
        <saml:AttributeValue>alice</saml:AttributeValue>
      </saml:Attribute>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/PrincipalTag:team">
        <saml:AttributeValue>blue</saml:AttributeValue>
      </saml:Attribute>
      <saml:Attribute Name="urn:oid:1.3.6.1.4.1.5923.1.1.1.3">
        <saml:AttributeValue>o=Example</saml:AttributeValue>
      </saml:Attribute>
    </saml:AttributeStatement>
  </saml:Assertion>"#;

fn parsed(xml: &str) -> Result<Assertion, Unreadable> {
    let doc = uppsala::parse(xml).expect("xml");
    let (_, node) = locate(&doc)?;
    Ok(read(&doc, node))
}

#[test]
fn reads_the_assertion() {
    let a = parsed(&response(ASSERTION)).expect("assertion");
    assert_eq!(a.issuer, "https://idp.example.com");
    // A comment inside the NameID (dropped by exclusive C14N) does not cut the value.
    assert_eq!(a.subject.as_deref(), Some("alice"));
    assert_eq!(a.subject_type().as_deref(), Some("persistent"));
    assert_eq!(
        a.recipient.as_deref(),
        Some("https://signin.aws.amazon.com/saml")
    );
    let t = |s| parse_instant(s).expect("instant");
    assert_eq!(a.issue_instant, Some(t("2026-01-01T00:00:00Z")));
    assert_eq!(a.not_before, Some(t("2025-12-31T23:59:00Z")));
    assert_eq!(
        a.not_on_or_after,
        vec![t("2026-01-01T00:05:00Z"), t("2026-01-01T01:00:00Z")]
    );
    assert_eq!(a.audiences, vec![vec!["urn:amazon:webservices".to_owned()]]);
    assert_eq!(a.session_not_on_or_after, Some(t("2026-01-01T02:00:00Z")));
    assert!(a.grants(ROLE, PROVIDER));
    assert!(!a.grants("arn:aws:iam::111122223333:role/other", PROVIDER));
    assert_eq!(a.aws_one("RoleSessionName"), Some("alice"));
    let tags = a.session_tags().expect("tags");
    assert_eq!(tags[0].key.as_deref(), Some("team"));
    assert_eq!(tags[0].value.as_deref(), Some("blue"));
}

#[test]
fn refuses_responses_that_are_not_one_plain_assertion() {
    let two = format!("{ASSERTION}{}", ASSERTION.replace("\"a1\"", "\"a2\""));
    assert!(matches!(parsed(&response(&two)), Err(Unreadable::Shape(_))));
    assert!(matches!(parsed(&response("")), Err(Unreadable::Shape(_))));
    let nested = response(&format!("<saml:Advice>{ASSERTION}</saml:Advice>"));
    assert!(matches!(parsed(&nested), Err(Unreadable::Shape(_))));
    let failed = response(ASSERTION).replace("status:Success", "status:Requester");
    assert_eq!(parsed(&failed), Err(Unreadable::Status));
    let bare = ASSERTION.replacen(
        "<saml:Assertion ",
        &format!("<saml:Assertion xmlns:saml=\"{NS}\" "),
        1,
    );
    assert!(matches!(parsed(&bare), Err(Unreadable::Shape(_))));
}

#[test]
fn condition_keys_and_name_qualifier() {
    let a = parsed(&response(ASSERTION)).expect("assertion");
    let qualifier = name_qualifier("https://example.com/saml", "123456789012", "MySAMLIdP");
    // BASE64(SHA1("https://example.com/saml123456789012/MySAMLIdP")), as AWS documents it.
    assert_eq!(qualifier, "1uAJanUnBc2XeUkHURMht+xam2c=");
    let mut context = Context::default();
    let keys = SamlKeys {
        assertion: &a,
        provider_arn: PROVIDER,
        doc: "111122223333/idp".to_owned(),
        name_qualifier: &qualifier,
    };
    add_condition_keys(&mut context, &keys);
    let one = |k| context.get_one(k).map(str::to_owned);
    assert_eq!(
        one("saml:aud").as_deref(),
        Some("https://signin.aws.amazon.com/saml")
    );
    assert_eq!(one("SAML:sub").as_deref(), Some("alice"));
    assert_eq!(one("saml:sub_type").as_deref(), Some("persistent"));
    assert_eq!(one("saml:iss").as_deref(), Some("https://idp.example.com"));
    assert_eq!(one("saml:doc").as_deref(), Some("111122223333/idp"));
    assert_eq!(one("saml:edupersonorgdn").as_deref(), Some("o=Example"));
    assert_eq!(one("aws:FederatedProvider").as_deref(), Some(PROVIDER));
}

#[test]
fn dtds_are_refused() {
    let xml = format!("<!DOCTYPE r [<!ENTITY e \"x\">]>{}", response(ASSERTION));
    let parsed = uppsala::Parser::new().with_forbid_dtd(true).parse(&xml);
    assert!(parsed.is_err());
}

// ------------------------------------------------------------------- signatures (signxml's)

/// A response whose assertion signxml signed (RSA-SHA256, exclusive C14N) at 2026-01-01.
const SIGNED: &str = include_str!("testdata/signed.xml");
const SIGNED_AT: &str = "2026-01-01T00:01:00Z";

fn provider(cert_file: &str) -> SamlProviderRecord {
    SamlProviderRecord {
        schema: 1,
        account: "111122223333".to_owned(),
        name: "idp".to_owned(),
        uuid: "U".to_owned(),
        metadata: String::new(),
        entity_id: "https://idp.example.com/saml".to_owned(),
        signing_certificates: vec![cert_file.trim().to_owned()],
        valid_until_ms: i64::MAX,
        assertion_encryption_mode: None,
        private_keys: Vec::new(),
        created_ms: 0,
        tags: Vec::new(),
    }
}

fn verify_at(xml: &str, cert_file: &str) -> Result<Assertion, String> {
    let encoded = base64::engine::general_purpose::STANDARD.encode(xml);
    let now = parse_instant(SIGNED_AT).expect("instant");
    checks::verified_assertion(&encoded, &provider(cert_file), now)
        .map_err(|e| format!("{}: {}", e.code, e.message))
}

const IDP_CERT: &str = include_str!("testdata/idp-cert.b64");
const OTHER_CERT: &str = include_str!("testdata/other-cert.b64");
const BAD_SIGNATURE: &str = "InvalidIdentityToken: Response signature invalid";

#[test]
fn signxml_signature_verifies_with_the_provider_certificate() {
    let a = verify_at(SIGNED, IDP_CERT).expect("verified");
    assert_eq!(a.subject.as_deref(), Some("alice-id"));
    assert!(a.grants(ROLE, PROVIDER));
}

#[test]
fn altered_foreign_and_unsigned_responses_are_refused() {
    let altered = SIGNED.replace(">alice<", ">mallory<");
    assert_ne!(altered, SIGNED);
    assert_eq!(
        verify_at(&altered, IDP_CERT).expect_err("refused"),
        BAD_SIGNATURE
    );
    assert_eq!(
        verify_at(SIGNED, OTHER_CERT).expect_err("refused"),
        BAD_SIGNATURE
    );
    let start = SIGNED.find("<ds:Signature").expect("signature");
    let end = SIGNED.find("</ds:Signature>").expect("end") + "</ds:Signature>".len();
    let unsigned = format!("{}{}", &SIGNED[..start], &SIGNED[end..]);
    assert_eq!(
        verify_at(&unsigned, IDP_CERT).expect_err("refused"),
        BAD_SIGNATURE
    );
    // The signed assertion re-labelled: its reference no longer resolves to it.
    let relabelled = SIGNED.replacen("ID=\"a1\"", "ID=\"a9\"", 1);
    assert_eq!(
        verify_at(&relabelled, IDP_CERT).expect_err("refused"),
        BAD_SIGNATURE
    );
}

#[test]
fn verified_responses_are_still_checked_for_time_and_issuer() {
    let encoded = base64::engine::general_purpose::STANDARD.encode(SIGNED);
    let late = parse_instant("2026-01-01T00:06:00Z").expect("instant");
    let err = checks::verified_assertion(&encoded, &provider(IDP_CERT), late).expect_err("refused");
    assert_eq!(err.code, "ExpiredTokenException");
    let mut other_issuer = provider(IDP_CERT);
    other_issuer.entity_id = "https://other.example.com".to_owned();
    let now = parse_instant(SIGNED_AT).expect("instant");
    let err = checks::verified_assertion(&encoded, &other_issuer, now).expect_err("refused");
    assert_eq!(err.code, "InvalidIdentityToken");
}
