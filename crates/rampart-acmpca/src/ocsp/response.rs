//! Writing an OCSP response (RFC 6960, DER, with x509-ocsp): a BasicOCSPResponse for one
//! certificate (good, revoked with time and reason, or unknown), thisUpdate now and nextUpdate
//! a day later, the request's nonce echoed, the responder named by its key hash, signed with
//! the CA's own key under its SigningAlgorithm; or an unsuccessful status alone.

use super::request::Query;
use crate::ca_key::CaKey;
use crate::generated::SigningAlgorithm;
use der::asn1::{BitString, GeneralizedTime, ObjectIdentifier, OctetString};
use der::{Any, Encode};
use rcgen::SigningKey;
use spki::AlgorithmIdentifierOwned;
use std::time::Duration;
use x509_cert::ext::pkix::CrlReason;
use x509_ocsp::{
    BasicOcspResponse, CertStatus, OcspGeneralizedTime, OcspResponse, ResponderId, ResponseData,
    RevokedInfo, SingleResponse, Version,
};

/// How long a response may be relied on.
// Doubt: AWS does not document its responses' nextUpdate; a day is a common responder choice.
const VALIDITY_MS: i64 = 86_400_000;

/// A certificate's status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Good,
    /// Revoked at this time (epoch ms) for this ACM PCA RevocationReason.
    Revoked {
        at_ms: i64,
        reason: String,
    },
    Unknown,
}

/// The response could not be encoded or signed (logged by the caller).
#[derive(Debug)]
pub struct ResponseFault;

/// The signed, successful response to `query`.
pub fn signed(
    query: &Query,
    status: &Status,
    now_ms: i64,
    key_bits: &[u8],
    key: &CaKey,
    signing: &SigningAlgorithm,
) -> Result<Vec<u8>, ResponseFault> {
    let now = time_of(now_ms)?;
    let single = SingleResponse {
        cert_id: query.cert_id.clone(),
        cert_status: cert_status(status)?,
        this_update: now,
        next_update: Some(time_of(now_ms + VALIDITY_MS)?),
        single_extensions: None,
    };
    let key_hash = OctetString::new(crate::issuer::sha1(key_bits)).map_err(|_| ResponseFault)?;
    let data = ResponseData {
        version: Version::V1,
        responder_id: ResponderId::ByKey(key_hash),
        produced_at: now,
        responses: vec![single],
        response_extensions: query.nonce.clone().map(|nonce| vec![nonce]),
    };
    let tbs = data.to_der().map_err(|_| ResponseFault)?;
    let signature = key.sign(&tbs).map_err(|_| ResponseFault)?;
    let basic = BasicOcspResponse {
        tbs_response_data: data,
        signature_algorithm: algorithm_id(signing).ok_or(ResponseFault)?,
        signature: BitString::from_bytes(&signature).map_err(|_| ResponseFault)?,
        certs: None,
    };
    let response = OcspResponse::successful(basic).map_err(|_| ResponseFault)?;
    response.to_der().map_err(|_| ResponseFault)
}

/// `malformedRequest`.
pub fn malformed() -> Vec<u8> {
    OcspResponse::malformed_request()
        .to_der()
        .unwrap_or_default()
}

/// `unauthorized`: the responder does not answer for that issuer.
pub fn unauthorized() -> Vec<u8> {
    OcspResponse::unauthorized().to_der().unwrap_or_default()
}

/// `internalError`.
pub fn internal_error() -> Vec<u8> {
    OcspResponse::internal_error().to_der().unwrap_or_default()
}

fn cert_status(status: &Status) -> Result<CertStatus, ResponseFault> {
    Ok(match status {
        Status::Good => CertStatus::good(),
        Status::Unknown => CertStatus::unknown(),
        Status::Revoked { at_ms, reason } => CertStatus::revoked(RevokedInfo {
            revocation_time: time_of(*at_ms)?,
            revocation_reason: Some(crl_reason(reason)),
        }),
    })
}

/// The X.509 reason of an ACM PCA RevocationReason.
fn crl_reason(reason: &str) -> CrlReason {
    match reason {
        "KEY_COMPROMISE" => CrlReason::KeyCompromise,
        "CERTIFICATE_AUTHORITY_COMPROMISE" => CrlReason::CaCompromise,
        "AFFILIATION_CHANGED" => CrlReason::AffiliationChanged,
        "SUPERSEDED" => CrlReason::Superseded,
        "CESSATION_OF_OPERATION" => CrlReason::CessationOfOperation,
        "PRIVILEGE_WITHDRAWN" => CrlReason::PrivilegeWithdrawn,
        "A_A_COMPROMISE" => CrlReason::AaCompromise,
        _ => CrlReason::Unspecified,
    }
}

/// The signature AlgorithmIdentifier of `signing` (RSA with a NULL parameter, ECDSA and
/// ML-DSA without).
fn algorithm_id(signing: &SigningAlgorithm) -> Option<AlgorithmIdentifierOwned> {
    let (oid, null) = match signing {
        SigningAlgorithm::Sha256withrsa => ("1.2.840.113549.1.1.11", true),
        SigningAlgorithm::Sha384withrsa => ("1.2.840.113549.1.1.12", true),
        SigningAlgorithm::Sha512withrsa => ("1.2.840.113549.1.1.13", true),
        SigningAlgorithm::Sha256withecdsa => ("1.2.840.10045.4.3.2", false),
        SigningAlgorithm::Sha384withecdsa => ("1.2.840.10045.4.3.3", false),
        SigningAlgorithm::Sha512withecdsa => ("1.2.840.10045.4.3.4", false),
        // id-ml-dsa-44/65/87, parameters absent (RFC 9881).
        SigningAlgorithm::MlDsa44 => ("2.16.840.1.101.3.4.3.17", false),
        SigningAlgorithm::MlDsa65 => ("2.16.840.1.101.3.4.3.18", false),
        SigningAlgorithm::MlDsa87 => ("2.16.840.1.101.3.4.3.19", false),
        _ => return None,
    };
    Some(AlgorithmIdentifierOwned {
        oid: ObjectIdentifier::new(oid).ok()?,
        parameters: null.then(Any::null),
    })
}

/// A GeneralizedTime of epoch milliseconds, in whole seconds.
fn time_of(ms: i64) -> Result<OcspGeneralizedTime, ResponseFault> {
    let seconds = u64::try_from(ms.div_euclid(1000)).map_err(|_| ResponseFault)?;
    let at = GeneralizedTime::from_unix_duration(Duration::from_secs(seconds));
    Ok(OcspGeneralizedTime(at.map_err(|_| ResponseFault)?))
}
