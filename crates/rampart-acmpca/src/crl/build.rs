//! A CRL as AWS Private CA writes it: X.509 v2, signed with the CA's key under its
//! SigningAlgorithm (rcgen), issuer and authority key identifier from the CA certificate, a
//! CRL number, thisUpdate / nextUpdate, each revoked serial with its revocation time and reason
//! code, and for PARTITIONED CRLs the critical issuing distribution point naming the CRL's URL.

use crate::issuer::Issuer;
use rcgen::{
    CertificateParams, CertificateRevocationListParams, CrlDistributionPoint,
    CrlIssuingDistributionPoint, KeyIdMethod, RevocationReason, RevokedCertParams, SerialNumber,
};
use time::OffsetDateTime;

/// One revoked certificate as the CRL lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revoked {
    /// The serial number's bytes (big-endian, positive).
    pub serial: Vec<u8>,
    pub at: OffsetDateTime,
    /// ACM PCA's RevocationReason (`KEY_COMPROMISE`...).
    pub reason: String,
}

/// What one CRL says.
pub struct CrlContent<'a> {
    pub number: u64,
    pub this_update: OffsetDateTime,
    pub next_update: OffsetDateTime,
    pub revoked: &'a [Revoked],
    /// The issuing distribution point's URL (PARTITIONED CRLs).
    pub partition_url: Option<String>,
}

/// rcgen refused to build or sign the CRL (logged by the caller).
#[derive(Debug)]
pub struct CrlFault;

/// The DER CRL `content` describes, signed by `key` as `issuer`.
pub fn build(
    content: &CrlContent<'_>,
    issuer: &Issuer,
    key: &crate::ca_key::CaKey,
) -> Result<Vec<u8>, CrlFault> {
    let params = CertificateRevocationListParams {
        this_update: content.this_update,
        next_update: content.next_update,
        crl_number: SerialNumber::from_slice(&content.number.to_be_bytes()),
        issuing_distribution_point: content.partition_url.as_ref().map(|url| {
            CrlIssuingDistributionPoint {
                distribution_point: CrlDistributionPoint {
                    uris: vec![url.clone()],
                },
                scope: None,
            }
        }),
        revoked_certs: content.revoked.iter().map(entry).collect(),
        key_identifier_method: KeyIdMethod::PreSpecified(issuer.key_id.clone()),
    };
    let mut issuer_params = CertificateParams::default();
    issuer_params.distinguished_name = issuer.name.clone();
    issuer_params.key_identifier_method = KeyIdMethod::PreSpecified(issuer.key_id.clone());
    let signer = rcgen::Issuer::new(issuer_params, key);
    let crl = params.signed_by(&signer).map_err(|_| CrlFault)?;
    Ok(crl.der().to_vec())
}

/// A revoked certificate's CRL entry.
fn entry(revoked: &Revoked) -> RevokedCertParams {
    RevokedCertParams {
        serial_number: SerialNumber::from_slice(&revoked.serial),
        revocation_time: revoked.at,
        reason_code: Some(reason_code(&revoked.reason)),
        invalidity_date: None,
    }
}

/// The X.509 reason code of an ACM PCA RevocationReason.
pub fn reason_code(reason: &str) -> RevocationReason {
    match reason {
        "KEY_COMPROMISE" => RevocationReason::KeyCompromise,
        "CERTIFICATE_AUTHORITY_COMPROMISE" => RevocationReason::CaCompromise,
        "AFFILIATION_CHANGED" => RevocationReason::AffiliationChanged,
        "SUPERSEDED" => RevocationReason::Superseded,
        "CESSATION_OF_OPERATION" => RevocationReason::CessationOfOperation,
        "PRIVILEGE_WITHDRAWN" => RevocationReason::PrivilegeWithdrawn,
        "A_A_COMPROMISE" => RevocationReason::AaCompromise,
        _ => RevocationReason::Unspecified,
    }
}
