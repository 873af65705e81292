//! Building and signing with rcgen: a CA's CSR, and a certificate from a CSR under a template
//! (subject, and for end-entity templates the subject alternative names, from the CSR; the
//! template's basic constraints, key usage and extended key usage, then ApiPassthrough values,
//! then for `CSRPassthrough` variants the CSR's other extensions, in AWS's order of priority;
//! SKI and AKI; the CA's CRL Distribution Points and OCSP URL unless passed through).

use crate::api::ApiValues;
use crate::ca_key::CaKey;
use crate::crl::RevocationUrls;
use crate::parse::{Csr, RawExtension};
use crate::template::Template;
use rcgen::{
    CertificateParams, CustomExtension, DistinguishedName, Issuer, KeyIdMethod, SerialNumber,
};
use time::OffsetDateTime;

/// Extensions Rampart always writes itself (never copied): SKI, SAN, BC, AKI.
const ALWAYS_OWNED: &[&[u64]] = &[
    &[2, 5, 29, 14],
    &[2, 5, 29, 17],
    &[2, 5, 29, 19],
    &[2, 5, 29, 35],
];
/// keyUsage and extendedKeyUsage: owned when the template (or the API) sets them.
const KEY_USAGE: &[u64] = &[2, 5, 29, 15];
const EXTENDED_KEY_USAGE: &[u64] = &[2, 5, 29, 37];
/// subjectAltName.
const SAN: &[u64] = &[2, 5, 29, 17];

/// rcgen refused to build or sign (logged by the caller; never a client error).
#[derive(Debug)]
pub struct SignFault;

/// The issuing side: the CA's key, its name and (from its certificate) its key identifier.
pub struct Signer<'a> {
    pub key: &'a CaKey,
    pub name: DistinguishedName,
    /// The CA certificate's SKI; `None` derives it from the key (a root signing itself).
    pub key_id: Option<Vec<u8>>,
}

/// One certificate to issue.
pub struct Request<'a> {
    pub template: Template,
    pub csr: &'a Csr,
    pub serial: &'a [u8],
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    /// ApiPassthrough values (APIPassthrough variants only).
    pub api: Option<&'a ApiValues>,
    /// The CA's CRL and OCSP URLs (passed-through extensions of those types win).
    pub revocation: &'a RevocationUrls,
}

/// The PEM CSR of a CA with `subject`, signed by its `key`.
pub fn ca_csr(subject: DistinguishedName, key: &CaKey) -> Result<String, SignFault> {
    let mut params = CertificateParams::default();
    params.distinguished_name = subject;
    let csr = params.serialize_request(key).map_err(|_| SignFault)?;
    csr.pem().map_err(|_| SignFault)
}

/// The DER certificate `request` describes, signed by `signer`.
pub fn issue(request: &Request<'_>, signer: &Signer<'_>) -> Result<Vec<u8>, SignFault> {
    let template = request.template;
    let mut params = CertificateParams::default();
    let api = request.api;
    let api_subject = api.and_then(|a| a.subject.clone());
    params.distinguished_name = api_subject.unwrap_or_else(|| request.csr.subject.clone());
    params.serial_number = Some(SerialNumber::from_slice(request.serial));
    params.not_before = request.not_before;
    params.not_after = request.not_after;
    params.is_ca = template.basic_constraints();
    params.key_usages = template.key_usages();
    params.extended_key_usages = template.extended_key_usages();
    params.use_authority_key_identifier_extension = signer.key_id.is_some();
    if params.key_usages.is_empty() {
        params.key_usages = api.map(|a| a.key_usages.clone()).unwrap_or_default();
    }
    if params.extended_key_usages.is_empty() {
        params.extended_key_usages = api
            .map(|a| a.extended_key_usages.clone())
            .unwrap_or_default();
    }
    if let Some(sans) = api.and_then(|a| a.sans.clone()) {
        params.subject_alt_names = sans;
    }
    let mut owned = ALWAYS_OWNED.to_vec();
    if !params.key_usages.is_empty() {
        owned.push(KEY_USAGE);
    }
    if !params.extended_key_usages.is_empty() {
        owned.push(EXTENDED_KEY_USAGE);
    }
    params.custom_extensions = copied_extensions(template, &request.csr.extensions, api, &owned);
    let present: Vec<Vec<u64>> = params
        .custom_extensions
        .iter()
        .map(|ext| ext.oid_components().collect())
        .collect();
    params.crl_distribution_points = request.revocation.distribution_points(&present);
    let aia = request.revocation.authority_info_access(&present);
    params.custom_extensions.extend(aia);
    let mut issuer_params = CertificateParams::default();
    issuer_params.distinguished_name = signer.name.clone();
    if let Some(id) = &signer.key_id {
        issuer_params.key_identifier_method = KeyIdMethod::PreSpecified(id.clone());
    }
    let issuer = Issuer::new(issuer_params, signer.key);
    let cert = params
        .signed_by(&request.csr.public_key, &issuer)
        .map_err(|_| SignFault)?;
    Ok(cert.der().to_vec())
}

/// The API's custom extensions the template leaves room for, then the CSR extensions the
/// template copies (SANs only when the API gives none, no OID the API already set), encoded
/// as they came.
fn copied_extensions(
    template: Template,
    requested: &[RawExtension],
    api: Option<&ApiValues>,
    owned: &[&[u64]],
) -> Vec<CustomExtension> {
    let from_api = api.map(|a| a.custom.as_slice()).unwrap_or_default();
    let api_sans = api.is_some_and(|a| a.sans.is_some());
    let from_api = from_api
        .iter()
        .filter(|ext| !owned.contains(&ext.oid.as_slice()));
    let from_csr = requested.iter().filter(|ext| {
        let oid = ext.oid.as_slice();
        let api_set = from_api.clone().any(|a| a.oid == oid);
        let copied = (template.copies_sans() && oid == SAN && !api_sans)
            || (template.csr_passthrough && !owned.contains(&oid));
        copied && !api_set
    });
    from_api
        .clone()
        .chain(from_csr)
        .map(|ext| {
            let mut out = CustomExtension::from_oid_content(&ext.oid, ext.value.clone());
            out.set_criticality(ext.critical);
            out
        })
        .collect()
}
