//! Reading certificates with x509-parser: PEM bundles split into DER certificates, and what
//! DescribeCertificate shows of one (serial, subject, issuer, key and signature algorithms,
//! validity, names, key usages) as ACM spells it. Nothing here trusts its input.

use crate::record::CertFacts;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;
use x509_parser::oid_registry::{self, Oid};
use x509_parser::pem::Pem;
use x509_parser::prelude::FromDer;
use x509_parser::x509::X509Name;

/// Input that is not a usable PEM certificate.
#[derive(Debug)]
pub struct NotACertificate;

/// The DER certificates of a PEM bundle, in order; anything but `CERTIFICATE` blocks (or no
/// block at all) is refused.
pub fn pem_certificates(bytes: &[u8]) -> Result<Vec<Vec<u8>>, NotACertificate> {
    let mut out = Vec::new();
    for block in Pem::iter_from_buffer(bytes) {
        let block = block.map_err(|_| NotACertificate)?;
        if block.label != "CERTIFICATE" {
            return Err(NotACertificate);
        }
        out.push(block.contents);
    }
    if out.is_empty() {
        return Err(NotACertificate);
    }
    Ok(out)
}

/// Parses one DER certificate (nothing may follow it).
pub fn parse(der: &[u8]) -> Result<X509Certificate<'_>, NotACertificate> {
    match X509Certificate::from_der(der) {
        Ok(([], cert)) => Ok(cert),
        _ => Err(NotACertificate),
    }
}

/// A DER certificate as PEM.
pub fn to_pem(der: &[u8]) -> String {
    use base64::Engine;
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in body.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}

/// What ACM shows of `cert`; `None` when its key is of a kind ACM does not hold.
pub fn facts_of(cert: &X509Certificate<'_>) -> Option<CertFacts> {
    let sans = dns_names(cert);
    let subject = name_text(cert.subject());
    let common_name = common_name(cert.subject());
    let domain_name = common_name.or_else(|| sans.first().cloned())?;
    Some(CertFacts {
        serial: colon_hex(cert.raw_serial()),
        subject,
        issuer: issuer_text(cert.issuer()),
        key_algorithm: key_algorithm(cert)?,
        signature_algorithm: signature_algorithm(&cert.signature_algorithm.algorithm),
        not_before_ms: cert.validity().not_before.timestamp() * 1000,
        not_after_ms: cert.validity().not_after.timestamp() * 1000,
        domain_name,
        sans,
        key_usages: key_usages(cert),
        extended_key_usages: extended_key_usages(cert),
        spki_der: cert.public_key().raw.to_vec(),
    })
}

/// `0a:1b:...`, as ACM shows serial numbers.
fn colon_hex(bytes: &[u8]) -> String {
    let parts: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    parts.join(":")
}

/// The certificate's key as ACM names it (`RSA_2048`, `EC_prime256v1`, ...).
pub fn key_algorithm(cert: &X509Certificate<'_>) -> Option<String> {
    use x509_parser::public_key::PublicKey;
    let spki = cert.public_key();
    match spki.parsed().ok()? {
        PublicKey::RSA(rsa) => match rsa.key_size() {
            bits @ (1024 | 2048 | 3072 | 4096) => Some(format!("RSA_{bits}")),
            _ => None,
        },
        PublicKey::EC(_) => {
            let curve = spki.algorithm.parameters.as_ref()?.as_oid().ok()?;
            let name = if curve == oid_registry::OID_EC_P256 {
                "EC_prime256v1"
            } else if curve == oid_registry::OID_NIST_EC_P384 {
                "EC_secp384r1"
            } else if curve == oid_registry::OID_NIST_EC_P521 {
                "EC_secp521r1"
            } else {
                return None;
            };
            Some(name.to_owned())
        }
        _ => None,
    }
}

/// The signature algorithm as ACM names it (`SHA256WITHRSA`, `SHA384WITHECDSA`, ...).
fn signature_algorithm(oid: &Oid<'_>) -> String {
    let name = match oid.to_id_string().as_str() {
        "1.2.840.113549.1.1.4" => "MD5WITHRSA",
        "1.2.840.113549.1.1.5" => "SHA1WITHRSA",
        "1.2.840.113549.1.1.11" => "SHA256WITHRSA",
        "1.2.840.113549.1.1.12" => "SHA384WITHRSA",
        "1.2.840.113549.1.1.13" => "SHA512WITHRSA",
        "1.2.840.113549.1.1.10" => "SHA256WITHRSAANDMGF1",
        "1.2.840.10045.4.1" => "SHA1WITHECDSA",
        "1.2.840.10045.4.3.2" => "SHA256WITHECDSA",
        "1.2.840.10045.4.3.3" => "SHA384WITHECDSA",
        "1.2.840.10045.4.3.4" => "SHA512WITHECDSA",
        other => return other.to_owned(),
    };
    name.to_owned()
}

/// `CN=example.com,O=Example,C=US`-style text of a name, in its encoded order.
fn name_text(name: &X509Name<'_>) -> String {
    let mut parts = Vec::new();
    for rdn in name.iter_rdn() {
        for attr in rdn.iter() {
            let key = short_name(attr.attr_type());
            let value = attr.as_str().map(str::to_owned).unwrap_or_default();
            parts.push(format!("{key}={value}"));
        }
    }
    parts.join(",")
}

/// The usual short name of a name attribute, else its dotted OID.
fn short_name(oid: &Oid<'_>) -> String {
    let id = oid.to_id_string();
    let short = match id.as_str() {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.5" => "SERIALNUMBER",
        "1.2.840.113549.1.9.1" => "EMAILADDRESS",
        _ => return id,
    };
    short.to_owned()
}

/// The issuer as ACM shows it: its organization (`Amazon`, `Let's Encrypt`), else its common
/// name, else the whole name.
fn issuer_text(name: &X509Name<'_>) -> String {
    let organization = name.iter_organization().next();
    let first = organization.or_else(|| name.iter_common_name().next());
    match first.and_then(|attr| attr.as_str().ok()) {
        Some(text) => text.to_owned(),
        None => name_text(name),
    }
}

/// The first common name.
fn common_name(name: &X509Name<'_>) -> Option<String> {
    let cn = name.iter_common_name().next()?;
    cn.as_str().ok().map(str::to_owned)
}

/// The DNS names of the subject alternative name extension.
pub fn dns_names(cert: &X509Certificate<'_>) -> Vec<String> {
    let Ok(Some(san)) = cert.subject_alternative_name() else {
        return Vec::new();
    };
    let names = san.value.general_names.iter();
    names
        .filter_map(|name| match name {
            GeneralName::DNSName(dns) => Some((*dns).to_owned()),
            _ => None,
        })
        .collect()
}

/// ACM's names of the key usages set.
fn key_usages(cert: &X509Certificate<'_>) -> Vec<String> {
    let Ok(Some(ku)) = cert.key_usage() else {
        return Vec::new();
    };
    let ku = ku.value;
    let all = [
        (ku.digital_signature(), "DIGITAL_SIGNATURE"),
        (ku.non_repudiation(), "NON_REPUDIATION"),
        (ku.key_encipherment(), "KEY_ENCIPHERMENT"),
        (ku.data_encipherment(), "DATA_ENCIPHERMENT"),
        (ku.key_agreement(), "KEY_AGREEMENT"),
        (ku.key_cert_sign(), "CERTIFICATE_SIGNING"),
        (ku.crl_sign(), "CRL_SIGNING"),
        (ku.encipher_only(), "ENCIPHER_ONLY"),
        (ku.decipher_only(), "DECIPHER_ONLY"),
    ];
    all.iter()
        .filter(|(set, _)| *set)
        .map(|(_, name)| (*name).to_owned())
        .collect()
}

/// ACM's names of the extended key usages, with their OIDs.
fn extended_key_usages(cert: &X509Certificate<'_>) -> Vec<(String, String)> {
    let Ok(Some(eku)) = cert.extended_key_usage() else {
        return Vec::new();
    };
    let eku = eku.value;
    let known = [
        (
            eku.server_auth,
            "TLS_WEB_SERVER_AUTHENTICATION",
            "1.3.6.1.5.5.7.3.1",
        ),
        (
            eku.client_auth,
            "TLS_WEB_CLIENT_AUTHENTICATION",
            "1.3.6.1.5.5.7.3.2",
        ),
        (eku.code_signing, "CODE_SIGNING", "1.3.6.1.5.5.7.3.3"),
        (
            eku.email_protection,
            "EMAIL_PROTECTION",
            "1.3.6.1.5.5.7.3.4",
        ),
        (eku.time_stamping, "TIME_STAMPING", "1.3.6.1.5.5.7.3.8"),
        (eku.ocsp_signing, "OCSP_SIGNING", "1.3.6.1.5.5.7.3.9"),
        (eku.any, "ANY", "2.5.29.37.0"),
    ];
    let mut out: Vec<(String, String)> = known
        .iter()
        .filter(|(set, _, _)| *set)
        .map(|(_, name, oid)| ((*name).to_owned(), (*oid).to_owned()))
        .collect();
    for oid in &eku.other {
        let id = oid.to_id_string();
        let name = match id.as_str() {
            "1.3.6.1.5.5.7.3.5" => "IPSEC_END_SYSTEM",
            "1.3.6.1.5.5.7.3.6" => "IPSEC_TUNNEL",
            "1.3.6.1.5.5.7.3.7" => "IPSEC_USER",
            _ => "CUSTOM",
        };
        out.push((name.to_owned(), id));
    }
    out
}
