//! What certificates a CA issues carry of its revocation configuration: with CRLs enabled and
//! the extension not omitted, a CRL Distribution Points extension naming the CRL's URL; with
//! OCSP enabled, an Authority Information Access extension naming the OCSP responder. An
//! extension of the same type passed through from the API or the CSR takes their place.

use super::config::Revocation;
use super::publish::file_name;
use crate::record::CaRecord;
use der::Encode;
use der::asn1::{Ia5String, ObjectIdentifier};
use rcgen::{CrlDistributionPoint, CustomExtension};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{AccessDescription, AuthorityInfoAccessSyntax};

/// id-pe-authorityInfoAccess.
const AIA: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 1, 1];
/// cRLDistributionPoints.
pub const CDP: &[u64] = &[2, 5, 29, 31];
/// id-ad-ocsp.
const ID_AD_OCSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");

/// The revocation URLs certificates of a CA name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RevocationUrls {
    /// The CRL's URL (CRL Distribution Points).
    pub crl: Option<String>,
    /// The OCSP responder's URL (Authority Information Access).
    pub ocsp: Option<String>,
}

impl RevocationUrls {
    /// The URLs of the CA `record` (id `ca_id`, in `region`).
    pub fn of(record: &CaRecord, region: &str, ca_id: &str) -> RevocationUrls {
        let revocation = Revocation::of_record(record.revocation.as_ref());
        RevocationUrls {
            crl: revocation
                .crl
                .filter(|crl| !crl.omit_extension)
                .map(|crl| crl.url(region, &file_name(&crl, ca_id))),
            ocsp: revocation.ocsp.map(|ocsp| ocsp.url(region)),
        }
    }

    /// The CRL Distribution Points to write, unless `present` (OIDs already written) has one.
    pub fn distribution_points(&self, present: &[Vec<u64>]) -> Vec<CrlDistributionPoint> {
        match &self.crl {
            Some(url) if !present.iter().any(|oid| oid == CDP) => vec![CrlDistributionPoint {
                uris: vec![url.clone()],
            }],
            _ => Vec::new(),
        }
    }

    /// The Authority Information Access extension to write, unless `present` has one.
    pub fn authority_info_access(&self, present: &[Vec<u64>]) -> Option<CustomExtension> {
        let url = self.ocsp.as_ref()?;
        if present.iter().any(|oid| oid == AIA) {
            return None;
        }
        let location = GeneralName::UniformResourceIdentifier(Ia5String::new(url).ok()?);
        let aia = AuthorityInfoAccessSyntax(vec![AccessDescription {
            access_method: ID_AD_OCSP,
            access_location: location,
        }]);
        Some(CustomExtension::from_oid_content(AIA, aia.to_der().ok()?))
    }
}
