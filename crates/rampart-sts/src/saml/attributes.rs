//! The assertion's AWS attributes (`https://aws.amazon.com/SAML/Attributes/...`: Role,
//! RoleSessionName, SessionDuration, PrincipalTag:*, TransitiveTagKeys, SourceIdentity) and
//! the `saml:*` condition keys AWS derives from an assertion for the role's trust policy.

use super::assertion::Assertion;
use crate::generated::Tag;
use aws_lc_rs::digest;
use base64::Engine as _;
use rampart_core::rampart_policy::Context;

const AWS: &str = "https://aws.amazon.com/SAML/Attributes/";
const NAME_ID_FORMAT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:";

/// Attributes named by an X.500 / eduPerson / eduOrg OID that AWS offers as condition keys.
const OID_KEYS: &[(&str, &str)] = &[
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.1",
        "saml:edupersonaffiliation",
    ),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.2", "saml:edupersonnickname"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.3", "saml:edupersonorgdn"),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.4",
        "saml:edupersonorgunitdn",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.5",
        "saml:edupersonprimaryaffiliation",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.6",
        "saml:edupersonprincipalname",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.7",
        "saml:edupersonentitlement",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.8",
        "saml:edupersonprimaryorgunitdn",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.9",
        "saml:edupersonscopedaffiliation",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.10",
        "saml:edupersontargetedid",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.11",
        "saml:edupersonassurance",
    ),
    ("urn:oid:1.3.6.1.4.1.5923.1.2.1.2", "saml:eduorghomepageuri"),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.2.1.3",
        "saml:eduorgidentityauthnpolicyuri",
    ),
    ("urn:oid:1.3.6.1.4.1.5923.1.2.1.4", "saml:eduorglegalname"),
    ("urn:oid:1.3.6.1.4.1.5923.1.2.1.5", "saml:eduorgsuperioruri"),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.2.1.6",
        "saml:eduorgwhitepagesuri",
    ),
    ("urn:oid:2.5.4.3", "saml:cn"),
    ("urn:oid:2.5.4.3", "saml:commonName"),
    ("urn:oid:2.5.4.4", "saml:surname"),
    ("urn:oid:2.5.4.41", "saml:name"),
    ("urn:oid:2.5.4.42", "saml:givenName"),
    ("urn:oid:2.5.4.45", "saml:x500UniqueIdentifier"),
    ("urn:oid:0.9.2342.19200300.100.1.1", "saml:uid"),
    ("urn:oid:0.9.2342.19200300.100.1.3", "saml:mail"),
];

impl Assertion {
    /// The values of the AWS attribute `name` (`Role`, `RoleSessionName`, ...).
    pub fn aws(&self, name: &str) -> &[String] {
        (self.attributes.iter())
            .find(|(n, _)| n.strip_prefix(AWS) == Some(name))
            .map_or(&[], |(_, values)| values.as_slice())
    }

    /// The single value of the AWS attribute `name`, if present.
    pub fn aws_one(&self, name: &str) -> Option<&str> {
        self.aws(name).first().map(String::as_str)
    }

    /// Whether a `Role` value pairs `role_arn` with `provider_arn` (in either order).
    pub fn grants(&self, role_arn: &str, provider_arn: &str) -> bool {
        self.aws("Role").iter().any(|value| {
            let mut parts = value.split(',').map(str::trim);
            match (parts.next(), parts.next(), parts.next()) {
                (Some(a), Some(b), None) => {
                    (a == role_arn && b == provider_arn) || (a == provider_arn && b == role_arn)
                }
                _ => false,
            }
        })
    }

    /// The `PrincipalTag:<key>` attributes as session tags; a tag with several values is
    /// refused (`Err` names its key).
    pub fn session_tags(&self) -> Result<Vec<Tag>, String> {
        let mut tags = Vec::new();
        for (name, values) in &self.attributes {
            let Some(key) = name
                .strip_prefix(AWS)
                .and_then(|n| n.strip_prefix("PrincipalTag:"))
            else {
                continue;
            };
            let [value] = values.as_slice() else {
                return Err(key.to_owned());
            };
            tags.push(Tag {
                key: Some(key.to_owned()),
                value: Some(value.clone()),
            });
        }
        Ok(tags)
    }

    /// SubjectType: the NameID Format, SAML 2.0's `nameid-format:` prefix removed.
    pub fn subject_type(&self) -> Option<String> {
        let format = self.subject_format.as_deref()?;
        Some(
            format
                .strip_prefix(NAME_ID_FORMAT)
                .unwrap_or(format)
                .to_owned(),
        )
    }
}

/// NameQualifier: `BASE64(SHA1(issuer + account + "/" + provider name))`.
pub(crate) fn name_qualifier(issuer: &str, account: &str, provider_name: &str) -> String {
    let input = format!("{issuer}{account}/{provider_name}");
    let hash = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, input.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(hash.as_ref())
}

/// What the trust policy sees of the assertion (beyond the request's own keys).
pub(crate) struct SamlKeys<'a> {
    pub assertion: &'a Assertion,
    pub provider_arn: &'a str,
    /// `<account>/<provider name>` (`saml:doc`).
    pub doc: String,
    pub name_qualifier: &'a str,
}

/// Adds `saml:aud`, `saml:iss`, `saml:sub`, `saml:sub_type`, `saml:namequalifier`,
/// `saml:doc`, `aws:FederatedProvider` and the OID-named attributes to `context`.
pub(crate) fn add_condition_keys(context: &mut Context, keys: &SamlKeys<'_>) {
    let assertion = keys.assertion;
    context.set("aws:FederatedProvider", keys.provider_arn);
    context.set("saml:iss", assertion.issuer.as_str());
    context.set("saml:namequalifier", keys.name_qualifier);
    context.set("saml:doc", keys.doc.as_str());
    if let Some(recipient) = &assertion.recipient {
        context.set("saml:aud", recipient.as_str());
    }
    if let Some(subject) = &assertion.subject {
        context.set("saml:sub", subject.as_str());
    }
    if let Some(kind) = assertion.subject_type() {
        context.set("saml:sub_type", kind);
    }
    for (oid, key) in OID_KEYS {
        let values = (assertion.attributes.iter()).find(|(name, _)| name == oid);
        if let Some((_, values)) = values.filter(|(_, v)| !v.is_empty()) {
            context.set_values(key, values.iter());
        }
    }
}
