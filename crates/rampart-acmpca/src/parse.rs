//! Reading what clients send: CSRs (PEM or DER, signature checked) and certificates (PEM
//! bundles), with x509-parser. Nothing here trusts its input: every failure is a value.

use crate::names::{self, BadName};
use rcgen::{DistinguishedName, PublicKeyData, SignatureAlgorithm, SubjectPublicKeyInfo};
use x509_parser::certificate::X509Certificate;
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::cri_attributes::ParsedCriAttribute;
use x509_parser::prelude::FromDer;

/// A CSR or certificate that cannot be used.
#[derive(Debug)]
pub struct Malformed;

impl From<BadName> for Malformed {
    fn from(_: BadName) -> Self {
        Malformed
    }
}

/// One extension as it was encoded.
#[derive(Debug, Clone)]
pub struct RawExtension {
    pub oid: Vec<u64>,
    pub critical: bool,
    pub value: Vec<u8>,
}

/// What issuance takes from a CSR.
#[derive(Debug)]
pub struct Csr {
    pub subject: DistinguishedName,
    pub public_key: CsrKey,
    /// The DER SubjectPublicKeyInfo (to compare keys).
    pub spki_der: Vec<u8>,
    pub extensions: Vec<RawExtension>,
}

/// A CSR's public key as rcgen writes it into a certificate: the algorithms rcgen parses, and
/// ML-DSA (the key's algorithm identifier is id-ml-dsa-*, parameters absent: RFC 9881).
#[derive(Debug)]
pub enum CsrKey {
    Known(SubjectPublicKeyInfo),
    MlDsa {
        alg: &'static SignatureAlgorithm,
        key: Vec<u8>,
    },
}

impl CsrKey {
    /// The key of a DER SubjectPublicKeyInfo.
    fn from_der(spki_der: &[u8]) -> Result<CsrKey, Malformed> {
        if let Ok(known) = SubjectPublicKeyInfo::from_der(spki_der) {
            return Ok(CsrKey::Known(known));
        }
        let (rest, spki) =
            x509_parser::x509::SubjectPublicKeyInfo::from_der(spki_der).map_err(|_| Malformed)?;
        let alg = match spki.algorithm.algorithm.to_id_string().as_str() {
            "2.16.840.1.101.3.4.3.17" => &rcgen::PKCS_ML_DSA_44,
            "2.16.840.1.101.3.4.3.18" => &rcgen::PKCS_ML_DSA_65,
            "2.16.840.1.101.3.4.3.19" => &rcgen::PKCS_ML_DSA_87,
            _ => return Err(Malformed),
        };
        if !rest.is_empty() || spki.algorithm.parameters.is_some() {
            return Err(Malformed);
        }
        let key = spki.subject_public_key.data.to_vec();
        Ok(CsrKey::MlDsa { alg, key })
    }
}

impl PublicKeyData for CsrKey {
    fn der_bytes(&self) -> &[u8] {
        match self {
            CsrKey::Known(spki) => spki.der_bytes(),
            CsrKey::MlDsa { key, .. } => key,
        }
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        match self {
            CsrKey::Known(spki) => spki.algorithm(),
            CsrKey::MlDsa { alg, .. } => alg,
        }
    }
}

/// The DER of the first PEM block of `bytes`, or `bytes` itself when it is not PEM.
pub fn der_of(bytes: &[u8]) -> Result<Vec<u8>, Malformed> {
    let trimmed = bytes.trim_ascii_start();
    if trimmed.starts_with(b"-----BEGIN") {
        let (_, pem) = x509_parser::pem::parse_x509_pem(trimmed).map_err(|_| Malformed)?;
        Ok(pem.contents)
    } else {
        Ok(bytes.to_vec())
    }
}

/// Parses `bytes` (PEM or DER) as a CSR and checks its signature.
pub fn csr(bytes: &[u8]) -> Result<Csr, Malformed> {
    let der = der_of(bytes)?;
    let (rest, request) = X509CertificationRequest::from_der(&der).map_err(|_| Malformed)?;
    if !rest.is_empty() {
        return Err(Malformed);
    }
    let info = &request.certification_request_info;
    let signed = crate::verify::Signed {
        message: info.raw,
        algorithm: &request.signature_algorithm,
        signature: &request.signature_value.data,
    };
    signed.verify(&info.subject_pki).map_err(|_| Malformed)?;
    let spki_der = info.subject_pki.raw.to_vec();
    let public_key = CsrKey::from_der(&spki_der)?;
    Ok(Csr {
        subject: names::from_x509(&info.subject)?,
        public_key,
        spki_der,
        extensions: requested_extensions(&request),
    })
}

/// The extensions a CSR requests, as encoded.
fn requested_extensions(request: &X509CertificationRequest<'_>) -> Vec<RawExtension> {
    let mut out = Vec::new();
    for attr in request.certification_request_info.iter_attributes() {
        if let ParsedCriAttribute::ExtensionRequest(req) = attr.parsed_attribute() {
            for ext in &req.extensions {
                let Some(oid) = ext.oid.iter() else { continue };
                out.push(RawExtension {
                    oid: oid.collect(),
                    critical: ext.critical,
                    value: ext.value.to_vec(),
                });
            }
        }
    }
    out
}

/// The DER of every certificate in a PEM bundle (or one DER certificate).
pub fn certificate_ders(bytes: &[u8]) -> Result<Vec<Vec<u8>>, Malformed> {
    let trimmed = bytes.trim_ascii_start();
    if !trimmed.starts_with(b"-----BEGIN") {
        return Ok(vec![bytes.to_vec()]);
    }
    let mut out = Vec::new();
    for pem in x509_parser::pem::Pem::iter_from_buffer(trimmed) {
        let pem = pem.map_err(|_| Malformed)?;
        if pem.label != "CERTIFICATE" {
            return Err(Malformed);
        }
        out.push(pem.contents);
    }
    if out.is_empty() {
        return Err(Malformed);
    }
    Ok(out)
}

/// Parses one DER certificate (no trailing bytes).
pub fn certificate(der: &[u8]) -> Result<X509Certificate<'_>, Malformed> {
    let (rest, cert) = X509Certificate::from_der(der).map_err(|_| Malformed)?;
    if !rest.is_empty() {
        return Err(Malformed);
    }
    Ok(cert)
}

/// `der` as a PEM certificate block.
pub fn to_pem(der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----");
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn csrs_round_trip_and_tampering_is_caught() {
        let key = rcgen::KeyPair::generate().unwrap();
        let params = rcgen::CertificateParams::new(vec!["a.example".into()]).unwrap();
        let pem = params.serialize_request(&key).unwrap().pem().unwrap();
        let parsed = csr(pem.as_bytes()).unwrap();
        assert!(parsed.extensions.iter().any(|e| e.oid == [2, 5, 29, 17]));
        let mut der = der_of(pem.as_bytes()).unwrap();
        let last = der.len() - 1;
        der[last] ^= 1;
        assert!(csr(&der).is_err());
        assert!(csr(b"not a csr").is_err());
    }

    #[test]
    fn pem_bundles_split() {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["a".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let bundle = format!("{}\n{}\n", to_pem(cert.der()), to_pem(cert.der()));
        assert_eq!(certificate_ders(bundle.as_bytes()).unwrap().len(), 2);
        assert!(certificate(&certificate_ders(bundle.as_bytes()).unwrap()[0]).is_ok());
    }
}
