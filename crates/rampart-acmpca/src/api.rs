//! IssueCertificate's `ApiPassthrough` for the APIPassthrough template variants: a subject
//! and subject alternative names that replace the CSR's, and custom extensions. Per AWS's
//! template order of operations the template's own extensions (basic constraints, key usage,
//! extended key usage, key identifiers) win over API values, which win over the CSR's.
//! Not applied yet (refused, never dropped): certificate policies and SAN forms other than
//! DNS names, IP addresses, RFC 822 names and URIs.

use crate::generated::{ApiPassthrough, GeneralName};
use crate::names;
use crate::parse::RawExtension;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rcgen::{DistinguishedName, SanType};

/// What an `ApiPassthrough` contributes.
#[derive(Debug, Default)]
pub struct ApiValues {
    pub subject: Option<DistinguishedName>,
    /// Replaces the CSR's subject alternative names when present.
    pub sans: Option<Vec<SanType>>,
    pub custom: Vec<RawExtension>,
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
    Ok(ApiValues {
        subject,
        sans,
        custom,
    })
}

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
