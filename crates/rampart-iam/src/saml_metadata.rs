//! SAML 2.0 metadata documents (CreateSAMLProvider, UpdateSAMLProvider): read with the
//! codec's safe XML reader (no document type declarations, bounded nesting), checked to be an
//! `EntityDescriptor` with an `IDPSSODescriptor` holding at least one signing certificate
//! (a `KeyDescriptor` whose `use` is `signing` or absent) that parses as X.509. What
//! AssumeRoleWithSAML needs is kept: the entity id, the signing certificates (DER) and the
//! document's `validUntil`.

use rampart_codec::xml_read::{Element, parse_document};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// What IAM keeps of a metadata document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamlMetadata {
    /// The IdP's `entityID`.
    pub entity_id: String,
    /// The IdP's signing certificates (DER), in document order.
    pub signing_certificates: Vec<Vec<u8>>,
    /// `validUntil` of the `EntityDescriptor`, epoch milliseconds.
    pub valid_until_ms: Option<i64>,
}

/// Why a document was refused (the caller answers AWS's one message for all of them).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MetadataError(String);

fn refuse(why: &str) -> MetadataError {
    MetadataError(why.to_owned())
}

/// Parses and checks `document`.
pub fn parse(document: &str) -> Result<SamlMetadata, MetadataError> {
    let root = parse_document(document.as_bytes()).map_err(|e| MetadataError(e.to_string()))?;
    if root.name != "EntityDescriptor" {
        return Err(refuse("the root element is not an EntityDescriptor"));
    }
    let entity_id = attribute(&root, "entityID")
        .filter(|id| !id.trim().is_empty())
        .ok_or_else(|| refuse("the EntityDescriptor has no entityID"))?;
    let valid_until_ms = match attribute(&root, "validUntil") {
        Some(text) => Some(epoch_ms(text)?),
        None => None,
    };
    let idp = children(&root, "IDPSSODescriptor")
        .next()
        .ok_or_else(|| refuse("the EntityDescriptor has no IDPSSODescriptor"))?;
    let signing_certificates = signing_certificates(idp)?;
    if signing_certificates.is_empty() {
        return Err(refuse("the IDPSSODescriptor has no signing certificate"));
    }
    Ok(SamlMetadata {
        entity_id: entity_id.to_owned(),
        signing_certificates,
        valid_until_ms,
    })
}

/// The DER certificates of the signing `KeyDescriptor`s of `idp`, each checked to parse.
fn signing_certificates(idp: &Element) -> Result<Vec<Vec<u8>>, MetadataError> {
    let mut out = Vec::new();
    for key in children(idp, "KeyDescriptor") {
        if attribute(key, "use").is_some_and(|u| u != "signing") {
            continue;
        }
        for info in children(key, "KeyInfo") {
            for data in children(info, "X509Data") {
                for cert in children(data, "X509Certificate") {
                    out.push(certificate_der(&cert.text)?);
                }
            }
        }
    }
    Ok(out)
}

/// A base64 certificate (whitespace allowed) decoded and checked to be X.509.
fn certificate_der(text: &str) -> Result<Vec<u8>, MetadataError> {
    use base64::Engine as _;
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|_| refuse("a signing certificate is not base64"))?;
    match x509_parser::parse_x509_certificate(&der) {
        Ok(([], _)) => Ok(der),
        _ => Err(refuse("a signing certificate is not an X.509 certificate")),
    }
}

/// An `xs:dateTime` as epoch milliseconds.
fn epoch_ms(text: &str) -> Result<i64, MetadataError> {
    let at = OffsetDateTime::parse(text.trim(), &Rfc3339)
        .map_err(|_| refuse("validUntil is not a dateTime"))?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000)
        .map_err(|_| refuse("validUntil is out of range"))
}

/// The value of the attribute `name` (local part) of `element`.
fn attribute<'e>(element: &'e Element, name: &str) -> Option<&'e str> {
    element
        .attributes
        .iter()
        .find(|(key, _)| key.rsplit(':').next() == Some(name))
        .map(|(_, value)| value.as_str())
}

/// The children of `element` named `name`.
fn children<'e>(element: &'e Element, name: &'e str) -> impl Iterator<Item = &'e Element> {
    element.children.iter().filter(move |c| c.name == name)
}
