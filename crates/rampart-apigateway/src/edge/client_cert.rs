//! The client certificate a mutual TLS handshake verified, as API Gateway's
//! `$context.identity.clientCert.*` variables: `clientCertPem` (PEM, 64-column base64),
//! `subjectDN` and `issuerDN` (the name's attributes in certificate order, `C=US,O=x,CN=y`,
//! RFC 4514 escaping), `serialNumber` (lower-case hex bytes joined by `:`, as AWS's
//! `a1:a1:…` and OpenSSL print it) and `validity.notBefore` / `validity.notAfter`
//! (`May 28 12:30:02 2019 GMT`, OpenSSL's form). Parsed once per connection.

use base64::Engine;
use time::OffsetDateTime;
use time::macros::format_description;
use x509_parser::objects::{oid_registry, oid2abbrev};
use x509_parser::prelude::{FromDer, X509Certificate, X509Name};
use x509_parser::x509::AttributeTypeAndValue;

/// The `$context.identity.clientCert` values of one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCert {
    pub pem: String,
    pub subject_dn: String,
    pub issuer_dn: String,
    pub serial_number: String,
    pub not_before: String,
    pub not_after: String,
}

impl ClientCert {
    /// The values of DER certificate `der`; none if it does not parse.
    pub fn from_der(der: &[u8]) -> Option<ClientCert> {
        let (_, cert) = X509Certificate::from_der(der).ok()?;
        let validity = cert.validity();
        Some(ClientCert {
            pem: pem(der),
            subject_dn: distinguished_name(cert.subject()),
            issuer_dn: distinguished_name(cert.issuer()),
            serial_number: serial(cert.raw_serial()),
            not_before: openssl_time(validity.not_before.to_datetime())?,
            not_after: openssl_time(validity.not_after.to_datetime())?,
        })
    }

    /// The value of `$context.identity.clientCert.<field>`.
    pub fn field(&self, field: &str) -> Option<&str> {
        let value = match field {
            "clientCertPem" => &self.pem,
            "subjectDN" => &self.subject_dn,
            "issuerDN" => &self.issuer_dn,
            "serialNumber" => &self.serial_number,
            "validity.notBefore" => &self.not_before,
            "validity.notAfter" => &self.not_after,
            _ => return None,
        };
        Some(value)
    }
}

/// `der` as a PEM `CERTIFICATE` block, base64 in 64-column lines.
fn pem(der: &[u8]) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in encoded.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// The name's RDNs in certificate order joined by `,` (several attributes of one RDN by
/// `+`), each `ABBREV=value`.
fn distinguished_name(name: &X509Name<'_>) -> String {
    name.iter()
        .map(|rdn| rdn.iter().map(attribute).collect::<Vec<_>>().join("+"))
        .collect::<Vec<_>>()
        .join(",")
}

/// `CN=value` (an unknown type by its dotted OID; a value that is not a string as `#` and
/// its content octets in hex).
fn attribute(attr: &AttributeTypeAndValue<'_>) -> String {
    let oid = attr.attr_type();
    let kind = oid2abbrev(oid, oid_registry()).map_or_else(|_| oid.to_id_string(), str::to_owned);
    let value = match attr.as_str() {
        Ok(text) => escape(text),
        Err(_) => format!("#{}", hex(attr.as_slice(), "")),
    };
    format!("{kind}={value}")
}

/// `value` with RFC 4514's escapes.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';');
        let leading_hash = c == '#' && i == 0;
        let edge_space = c == ' ' && (i == 0 || i == last);
        if special || leading_hash || edge_space {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The serial's magnitude (DER's sign byte dropped) as `0a:1b:…`.
fn serial(raw: &[u8]) -> String {
    let magnitude = match raw {
        [0, rest @ ..] if !rest.is_empty() => rest,
        _ => raw,
    };
    hex(magnitude, ":")
}

/// `bytes` in lower-case hex, each byte's two digits joined by `separator`.
fn hex(bytes: &[u8], separator: &str) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(separator)
}

/// `May 28 12:30:02 2019 GMT` (the day padded with a space).
fn openssl_time(at: OffsetDateTime) -> Option<String> {
    let form = format_description!(
        "[month repr:short] [day padding:space] [hour]:[minute]:[second] [year] GMT"
    );
    at.to_offset(time::UtcOffset::UTC).format(&form).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, SerialNumber};
    use rustls::pki_types::pem::PemObject;

    fn made(serial: &[u8]) -> (Vec<u8>, ClientCert) {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        let mut name = DistinguishedName::new();
        name.push(DnType::CountryName, "US");
        name.push(DnType::OrganizationName, "Example, Inc.");
        name.push(DnType::CommonName, "client one");
        params.distinguished_name = name;
        params.serial_number = Some(SerialNumber::from_slice(serial));
        params.not_before = time::macros::datetime!(2019-05-08 12:30:02 UTC);
        params.not_after = time::macros::datetime!(2031-08-15 09:36:04 UTC);
        let key = KeyPair::generate().unwrap();
        let der = params.self_signed(&key).unwrap().der().to_vec();
        let parsed = ClientCert::from_der(&der).unwrap();
        (der, parsed)
    }

    #[test]
    fn the_variables_have_aws_forms() {
        let (der, cert) = made(&[0x00, 0xa1, 0x02, 0xff]);
        let dn = "C=US,O=Example\\, Inc.,CN=client one";
        assert_eq!(cert.field("subjectDN"), Some(dn));
        assert_eq!(cert.field("issuerDN"), Some(dn));
        assert_eq!(cert.field("serialNumber"), Some("a1:02:ff"));
        assert_eq!(
            cert.field("validity.notBefore"),
            Some("May  8 12:30:02 2019 GMT")
        );
        assert_eq!(
            cert.field("validity.notAfter"),
            Some("Aug 15 09:36:04 2031 GMT")
        );
        assert_eq!(cert.field("validity"), None);
        let pem = cert.field("clientCertPem").unwrap();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert!(pem.ends_with("\n-----END CERTIFICATE-----\n"));
        assert!(pem.lines().all(|l| l.len() <= 64));
        let back = rustls::pki_types::CertificateDer::from_pem_slice(pem.as_bytes()).unwrap();
        assert_eq!(back.as_ref(), der.as_slice());
    }

    #[test]
    fn a_short_serial_and_odd_values() {
        let (_, cert) = made(&[0x01]);
        assert_eq!(cert.serial_number, "01");
        assert_eq!(escape(" #a+b "), "\\ #a\\+b\\ ");
        assert_eq!(escape("#x"), "\\#x");
        assert!(ClientCert::from_der(b"not a certificate").is_none());
    }
}
