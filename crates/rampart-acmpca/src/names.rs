//! Distinguished names: a CA's `ASN1Subject` as an X.509 name, and a name parsed from a CSR or
//! certificate (x509-parser) carried over into one rcgen writes, attribute by attribute with
//! its string type kept.

use crate::generated::ASN1Subject;
use rcgen::{DistinguishedName, DnType, DnValue};
use x509_parser::der_parser::asn1_rs::Tag;
use x509_parser::x509::X509Name;

/// The attribute type OIDs of `ASN1Subject`'s members.
const COUNTRY: &[u64] = &[2, 5, 4, 6];
const ORGANIZATION: &[u64] = &[2, 5, 4, 10];
const ORGANIZATIONAL_UNIT: &[u64] = &[2, 5, 4, 11];
const DN_QUALIFIER: &[u64] = &[2, 5, 4, 46];
const STATE: &[u64] = &[2, 5, 4, 8];
const COMMON_NAME: &[u64] = &[2, 5, 4, 3];
const SERIAL_NUMBER: &[u64] = &[2, 5, 4, 5];
const LOCALITY: &[u64] = &[2, 5, 4, 7];
const TITLE: &[u64] = &[2, 5, 4, 12];
const SURNAME: &[u64] = &[2, 5, 4, 4];
const GIVEN_NAME: &[u64] = &[2, 5, 4, 42];
const INITIALS: &[u64] = &[2, 5, 4, 43];
const PSEUDONYM: &[u64] = &[2, 5, 4, 65];
const GENERATION_QUALIFIER: &[u64] = &[2, 5, 4, 44];

/// A name that cannot be carried over (multi-valued or empty RDNs, unknown string types).
#[derive(Debug)]
pub struct BadName;

/// `subject` as an X.509 name: the members in the model's order, then custom attributes.
/// Country, serial number and DN qualifier are PrintableStrings (RFC 5280), the rest UTF-8.
pub fn from_subject(subject: &ASN1Subject) -> Result<DistinguishedName, BadName> {
    let printable: [(&[u64], &Option<String>); 3] = [
        (COUNTRY, &subject.country),
        (SERIAL_NUMBER, &subject.serial_number),
        (DN_QUALIFIER, &subject.distinguished_name_qualifier),
    ];
    let members: [(&[u64], &Option<String>); 14] = [
        (COUNTRY, &subject.country),
        (ORGANIZATION, &subject.organization),
        (ORGANIZATIONAL_UNIT, &subject.organizational_unit),
        (DN_QUALIFIER, &subject.distinguished_name_qualifier),
        (STATE, &subject.state),
        (COMMON_NAME, &subject.common_name),
        (SERIAL_NUMBER, &subject.serial_number),
        (LOCALITY, &subject.locality),
        (TITLE, &subject.title),
        (SURNAME, &subject.surname),
        (GIVEN_NAME, &subject.given_name),
        (INITIALS, &subject.initials),
        (PSEUDONYM, &subject.pseudonym),
        (GENERATION_QUALIFIER, &subject.generation_qualifier),
    ];
    let mut dn = DistinguishedName::new();
    for (oid, value) in members {
        let Some(value) = value else { continue };
        let value = if printable.iter().any(|(p, _)| *p == oid) {
            DnValue::PrintableString(value.as_str().try_into().map_err(|_| BadName)?)
        } else {
            DnValue::Utf8String(value.clone())
        };
        dn.push(DnType::from_oid(oid), value);
    }
    for custom in subject.custom_attributes.iter().flatten() {
        let oid = parse_oid(custom.object_identifier.as_deref().unwrap_or_default())?;
        let value = custom.value.clone().unwrap_or_default();
        dn.push(DnType::from_oid(&oid), DnValue::Utf8String(value));
    }
    Ok(dn)
}

/// A dotted OID (`1.3.6.1.4.1.…`) as its components.
pub fn parse_oid(dotted: &str) -> Result<Vec<u64>, BadName> {
    let parts: Result<Vec<u64>, _> = dotted.split('.').map(str::parse).collect();
    match parts {
        Ok(parts) if parts.len() >= 2 => Ok(parts),
        _ => Err(BadName),
    }
}

/// `name` (from a CSR or certificate) as rcgen writes it again.
pub fn from_x509(name: &X509Name<'_>) -> Result<DistinguishedName, BadName> {
    let mut dn = DistinguishedName::new();
    for rdn in name.iter() {
        let mut attrs = rdn.iter();
        let (Some(attr), None) = (attrs.next(), attrs.next()) else {
            return Err(BadName);
        };
        let oid: Vec<u64> = attr.attr_type().iter().ok_or(BadName)?.collect();
        let value = dn_value(attr.attr_value().header.tag(), attr.attr_value().data)?;
        dn.push(DnType::from_oid(&oid), value);
    }
    Ok(dn)
}

/// One attribute value with its string type.
fn dn_value(tag: Tag, data: &[u8]) -> Result<DnValue, BadName> {
    let text = || std::str::from_utf8(data).map_err(|_| BadName);
    Ok(match tag {
        Tag::PrintableString => DnValue::PrintableString(text()?.try_into().map_err(|_| BadName)?),
        Tag::Ia5String => DnValue::Ia5String(text()?.try_into().map_err(|_| BadName)?),
        Tag::T61String => DnValue::TeletexString(text()?.try_into().map_err(|_| BadName)?),
        Tag::Utf8String => DnValue::Utf8String(text()?.to_owned()),
        Tag::BmpString => DnValue::BmpString(
            rcgen::string::BmpString::from_utf16be(data.to_vec()).map_err(|_| BadName)?,
        ),
        Tag::UniversalString => DnValue::UniversalString(
            rcgen::string::UniversalString::from_utf32be(data.to_vec()).map_err(|_| BadName)?,
        ),
        _ => return Err(BadName),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn subjects_keep_the_model_order() {
        let subject = ASN1Subject {
            common_name: Some("Root".into()),
            country: Some("US".into()),
            organization: Some("Example".into()),
            ..Default::default()
        };
        let dn = from_subject(&subject).unwrap();
        let types: Vec<DnType> = dn.iter().map(|(t, _)| t.clone()).collect();
        assert_eq!(
            types,
            [
                DnType::CountryName,
                DnType::OrganizationName,
                DnType::CommonName
            ]
        );
        assert!(parse_oid("1.2.3").is_ok());
        assert!(parse_oid("x").is_err());
    }
}
