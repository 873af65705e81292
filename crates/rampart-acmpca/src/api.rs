//! IssueCertificate's `ApiPassthrough` for the APIPassthrough template variants: a subject
//! and subject alternative names that replace the CSR's, custom extensions, and extended key
//! usages where the template defines none. Per AWS's
//! template order of operations the template's own extensions (basic constraints, key usage,
//! extended key usage, key identifiers) win over API values, which win over the CSR's.
//! Not applied yet (refused, never dropped): certificate policies and SAN forms other than
//! DNS names, IP addresses, RFC 822 names and URIs.

use crate::generated::{
    ApiPassthrough, ExtendedKeyUsage, ExtendedKeyUsageType, GeneralName, KeyUsage,
};
use crate::names;
use crate::parse::RawExtension;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rcgen::{DistinguishedName, ExtendedKeyUsagePurpose as Eku, KeyUsagePurpose as Ku, SanType};

/// What an `ApiPassthrough` contributes.
#[derive(Debug, Default)]
pub struct ApiValues {
    pub subject: Option<DistinguishedName>,
    /// Replaces the CSR's subject alternative names when present.
    pub sans: Option<Vec<SanType>>,
    pub custom: Vec<RawExtension>,
    /// Extended key usages, for templates that define none (CA and blank templates).
    pub extended_key_usages: Vec<Eku>,
    /// Key usages, for templates that define none (blank templates).
    pub key_usages: Vec<Ku>,
}

/// Reads `api`; the error is the InvalidArgsException message.
pub fn read(api: &ApiPassthrough) -> Result<ApiValues, String> {
    let subject = match &api.subject {
        Some(s) => {
            Some(names::from_subject(s).map_err(|_| "The subject contains an invalid value.")?)
        }
        None => None,
    };
    let Some(ext) = &api.extensions else {
        return Ok(ApiValues {
            subject,
            ..Default::default()
        });
    };
    if ext.certificate_policies.is_some() {
        return Err("Rampart does not apply ApiPassthrough CertificatePolicies yet.".into());
    }
    let sans = match &ext.subject_alternative_names {
        Some(names) => Some(names.iter().map(san).collect::<Result<Vec<_>, _>>()?),
        None => None,
    };
    let mut custom = Vec::new();
    for c in ext.custom_extensions.iter().flatten() {
        let oid = c.object_identifier.as_deref().unwrap_or_default();
        let bad = || format!("The custom extension {oid} is not valid.");
        custom.push(RawExtension {
            oid: names::parse_oid(oid).map_err(|_| bad())?,
            critical: c.critical.unwrap_or(false),
            value: STANDARD
                .decode(c.value.as_deref().unwrap_or_default())
                .map_err(|_| bad())?,
        });
    }
    let extended_key_usages = ext
        .extended_key_usage
        .iter()
        .flatten()
        .map(eku)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ApiValues {
        subject,
        sans,
        custom,
        extended_key_usages,
        key_usages: ext.key_usage.as_ref().map(key_usages).unwrap_or_default(),
    })
}

/// The key usages set in `usage`.
fn key_usages(usage: &KeyUsage) -> Vec<Ku> {
    let flags = [
        (usage.digital_signature, Ku::DigitalSignature),
        (usage.non_repudiation, Ku::ContentCommitment),
        (usage.key_encipherment, Ku::KeyEncipherment),
        (usage.data_encipherment, Ku::DataEncipherment),
        (usage.key_agreement, Ku::KeyAgreement),
        (usage.key_cert_sign, Ku::KeyCertSign),
        (usage.crl_sign, Ku::CrlSign),
        (usage.encipher_only, Ku::EncipherOnly),
        (usage.decipher_only, Ku::DecipherOnly),
    ];
    flags
        .into_iter()
        .filter(|(set, _)| *set == Some(true))
        .map(|(_, ku)| ku)
        .collect()
}

/// One extended key usage (a named type or an OID).
fn eku(usage: &ExtendedKeyUsage) -> Result<Eku, String> {
    if let Some(oid) = &usage.extended_key_usage_object_identifier {
        let oid = names::parse_oid(oid).map_err(|_| format!("The OID {oid} is not valid."))?;
        return Ok(Eku::Other(oid));
    }
    Ok(match usage.extended_key_usage_type.as_ref() {
        Some(ExtendedKeyUsageType::ServerAuth) => Eku::ServerAuth,
        Some(ExtendedKeyUsageType::ClientAuth) => Eku::ClientAuth,
        Some(ExtendedKeyUsageType::CodeSigning) => Eku::CodeSigning,
        Some(ExtendedKeyUsageType::EmailProtection) => Eku::EmailProtection,
        Some(ExtendedKeyUsageType::TimeStamping) => Eku::TimeStamping,
        Some(ExtendedKeyUsageType::OcspSigning) => Eku::OcspSigning,
        Some(ExtendedKeyUsageType::SmartCardLogin) => Eku::Other(SMART_CARD_LOGIN.to_vec()),
        Some(ExtendedKeyUsageType::DocumentSigning) => Eku::Other(DOCUMENT_SIGNING.to_vec()),
        Some(ExtendedKeyUsageType::CertificateTransparency) => Eku::Other(CT.to_vec()),
        _ => return Err("The extended key usage is not valid.".into()),
    })
}

/// Microsoft smart card logon, document signing; certificate transparency precertificates.
const SMART_CARD_LOGIN: &[u64] = &[1, 3, 6, 1, 4, 1, 311, 20, 2, 2];
const DOCUMENT_SIGNING: &[u64] = &[1, 3, 6, 1, 4, 1, 311, 10, 3, 12];
const CT: &[u64] = &[1, 3, 6, 1, 4, 1, 11129, 2, 4, 4];

/// One general name as an rcgen SAN.
fn san(name: &GeneralName) -> Result<SanType, String> {
    let ia5 = |s: &str| {
        s.try_into()
            .map_err(|_| format!("The subject alternative name {s} is not valid."))
    };
    if let Some(dns) = &name.dns_name {
        return Ok(SanType::DnsName(ia5(dns)?));
    }
    if let Some(ip) = &name.ip_address {
        let addr = ip
            .parse()
            .map_err(|_| format!("The IP address {ip} is not valid."))?;
        return Ok(SanType::IpAddress(addr));
    }
    if let Some(email) = &name.rfc822_name {
        return Ok(SanType::Rfc822Name(ia5(email)?));
    }
    if let Some(uri) = &name.uniform_resource_identifier {
        return Ok(SanType::URI(ia5(uri)?));
    }
    Err("Rampart applies DnsName, IpAddress, Rfc822Name and UniformResourceIdentifier subject alternative names only, for now.".into())
}
