//! Reading an OCSP request (RFC 6960, DER, with x509-ocsp): the first CertID only (AWS
//! answers only the first certificate of a batch), the hash its issuer is named with, and a
//! nonce to echo. A signed request is read like an unsigned one (the signature is not checked,
//! nor required).

use super::index::KeyHash;
use der::Decode;
use der::asn1::ObjectIdentifier;
use x509_cert::ext::Extension;
use x509_ocsp::{CertId, OcspRequest};

/// id-sha1.
const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
/// id-sha256.
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
/// id-pkix-ocsp-nonce.
pub const NONCE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2");

/// The request is not an OCSP request (answered `malformedRequest`).
#[derive(Debug)]
pub struct Malformed;

/// What an OCSP request asks.
#[derive(Debug, Clone)]
pub struct Query {
    /// The first certificate asked about.
    pub cert_id: CertId,
    /// The hash the issuer is named with, when Rampart indexes it.
    pub hash: Option<KeyHash>,
    /// The nonce extension, echoed in the response.
    pub nonce: Option<Extension>,
}

/// The query of a DER OCSP request.
pub fn decode(der: &[u8]) -> Result<Query, Malformed> {
    let request = OcspRequest::from_der(der).map_err(|_| Malformed)?;
    let tbs = request.tbs_request;
    let first = tbs.request_list.into_iter().next().ok_or(Malformed)?;
    let cert_id = first.req_cert;
    let hash = match cert_id.hash_algorithm.oid {
        oid if oid == SHA1 => Some(KeyHash::Sha1),
        oid if oid == SHA256 => Some(KeyHash::Sha256),
        _ => None,
    };
    let nonce = tbs
        .request_extensions
        .unwrap_or_default()
        .into_iter()
        .find(|ext| ext.extn_id == NONCE);
    Ok(Query {
        cert_id,
        hash,
        nonce,
    })
}

/// The serial number asked about as a certificate id (32 lower-case hex digits), if it can
/// be one of Rampart's 128-bit serials.
pub fn certificate_id(query: &Query) -> Option<String> {
    let bytes = query.cert_id.serial_number.as_bytes();
    let start = bytes.iter().position(|b| *b != 0)?;
    let significant = &bytes[start..];
    (significant.len() <= 16).then(|| format!("{:0>32}", hex::encode(significant)))
}
