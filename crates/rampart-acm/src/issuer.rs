//! Rampart's public issuer: where AWS signs validated certificates with Amazon's public CAs,
//! each Rampart installation signs them with its own hierarchy, made on first use and kept in
//! `acm_public_issuers`: per key family a self-signed root ("Rampart Public Root CA 1", RSA
//! 2048; "Rampart Public Root CA 3", EC P-256) and an intermediate under it ("Rampart RSA 2048
//! M01", "Rampart ECDSA 256 M01"), both private keys sealed under the ACM domain key. Leaf
//! certificates follow ACM's public profile: the first name as subject CN, every name a DNS
//! SAN, CA:FALSE, digitalSignature (and keyEncipherment for RSA), the serverAuth EKU only (ACM
//! stopped issuing clientAuth in June 2025), SKI/AKI, a random 128-bit serial, valid 198 days
//! (ACM's current validity). No Certificate Transparency log exists here: the logging
//! preference is recorded on the certificate, no SCTs are embedded.

use crate::facts;
use crate::keys::{self, HeldKey, KeyFault};
use rampart_crypto::root::DomainKey;
use rampart_store::{Expect, Store, Table};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
    KeyUsagePurpose, SerialNumber,
};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// The issuer hierarchies, keyed by family (`rsa`, `ec`).
pub const ISSUERS: &str = "acm_public_issuers";
/// How long a public certificate is valid (ACM: 198 days).
pub const PUBLIC_DAYS: i64 = 198;
/// How long the root and intermediate are valid.
const ROOT_YEARS: i64 = 25;
const INTERMEDIATE_YEARS: i64 = 10;

/// One family's hierarchy: certificates in PEM, keys sealed.
#[derive(Clone, Serialize, Deserialize)]
pub struct Hierarchy {
    pub root_pem: String,
    pub sealed_root_key: String,
    pub intermediate_pem: String,
    pub sealed_intermediate_key: String,
}

impl std::fmt::Debug for Hierarchy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hierarchy").finish_non_exhaustive()
    }
}

/// A key family: the names and key algorithm of its hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Rsa,
    Ec,
}

impl Family {
    /// The family that signs a certificate with a key of `key_algorithm`.
    pub fn for_key(key_algorithm: &str) -> Family {
        if key_algorithm.starts_with("EC_") {
            Family::Ec
        } else {
            Family::Rsa
        }
    }

    fn row(self) -> &'static str {
        match self {
            Family::Rsa => "rsa",
            Family::Ec => "ec",
        }
    }

    fn key_algorithm(self) -> &'static str {
        match self {
            Family::Rsa => "RSA_2048",
            Family::Ec => "EC_prime256v1",
        }
    }

    fn names(self) -> (&'static str, &'static str) {
        match self {
            Family::Rsa => ("Rampart Public Root CA 1", "Rampart RSA 2048 M01"),
            Family::Ec => ("Rampart Public Root CA 3", "Rampart ECDSA 256 M01"),
        }
    }
}

/// A failure to make, read or use the hierarchy (details never shown to clients).
#[derive(Debug)]
pub struct IssuerFault(pub &'static str);

impl From<KeyFault> for IssuerFault {
    fn from(_: KeyFault) -> Self {
        IssuerFault("an issuer key could not be made, sealed or opened")
    }
}

impl From<rcgen::Error> for IssuerFault {
    fn from(_: rcgen::Error) -> Self {
        IssuerFault("a certificate could not be built or signed")
    }
}

/// The hierarchy of `family`, made and stored on first use (a concurrent maker wins).
pub async fn hierarchy(
    store: &Store,
    domain: &DomainKey,
    family: Family,
    now: OffsetDateTime,
) -> Result<Hierarchy, IssuerFault> {
    let table: Table<Hierarchy> = Table::new(store.clone(), ISSUERS);
    let stored = |_| IssuerFault("the issuer table could not be read or written");
    if let Some(found) = table.get(family.row()).await.map_err(stored)? {
        return Ok(found.value);
    }
    let made = make(domain, family, now)?;
    let put = table
        .put(family.row(), &made, Expect::Absent)
        .map_err(stored)?;
    match store.transact(vec![put]).await {
        Ok(()) => Ok(made),
        Err(e) if e.is_conflict() => {
            let found = table.get(family.row()).await.map_err(stored)?;
            found
                .map(|f| f.value)
                .ok_or(IssuerFault("the issuer vanished"))
        }
        Err(e) => Err(stored(e)),
    }
}

/// The root certificates made so far (PEM), RSA first.
pub async fn roots(store: &Store) -> Result<Vec<String>, String> {
    let table: Table<Hierarchy> = Table::new(store.clone(), ISSUERS);
    let mut out = Vec::new();
    for family in [Family::Rsa, Family::Ec] {
        let found = table.get(family.row()).await.map_err(|e| e.to_string())?;
        out.extend(found.map(|f| f.value.root_pem));
    }
    Ok(out)
}

/// A new root and intermediate for `family`.
fn make(domain: &DomainKey, family: Family, now: OffsetDateTime) -> Result<Hierarchy, IssuerFault> {
    let (root_name, intermediate_name) = family.names();
    let root_key = keys::generate(family.key_algorithm())?;
    let root_pair = keys::signing_pair(&root_key)?;
    let root_params = ca_params(root_name, None, now, ROOT_YEARS);
    let root = root_params.self_signed(&root_pair)?;
    let intermediate_key = keys::generate(family.key_algorithm())?;
    let intermediate_pair = keys::signing_pair(&intermediate_key)?;
    let params = ca_params(intermediate_name, Some(0), now, INTERMEDIATE_YEARS);
    let signer = Issuer::new(ca_params(root_name, None, now, ROOT_YEARS), &root_pair);
    let intermediate = params.signed_by(&intermediate_pair, &signer)?;
    Ok(Hierarchy {
        root_pem: facts::to_pem(root.der()),
        sealed_root_key: keys::seal(domain, &aad(family, "root"), &root_key.pkcs8)?,
        intermediate_pem: facts::to_pem(intermediate.der()),
        sealed_intermediate_key: keys::seal(
            domain,
            &aad(family, "intermediate"),
            &intermediate_key.pkcs8,
        )?,
    })
}

/// What a sealed issuer key is bound to.
fn aad(family: Family, role: &str) -> String {
    format!("rampart:acm:public-issuer:{}:{role}", family.row())
}

/// A CA certificate's parameters: `C=US, O=Rampart, CN=<name>`, path length `path_len`.
fn ca_params(
    name: &str,
    path_len: Option<u8>,
    now: OffsetDateTime,
    years: i64,
) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CountryName, "US");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "Rampart");
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(path_len.map_or(BasicConstraints::Unconstrained, |n| {
        BasicConstraints::Constrained(n)
    }));
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
    ];
    params.not_before = now - Duration::hours(1);
    params.not_after = now + Duration::days(365 * years);
    params.serial_number = Some(random_serial());
    params.use_authority_key_identifier_extension = path_len.is_some();
    params
}

/// A positive random 128-bit serial number.
fn random_serial() -> SerialNumber {
    let mut bytes = *uuid::Uuid::new_v4().as_bytes();
    bytes[0] &= 0x7f;
    bytes[0] |= 0x01;
    SerialNumber::from_slice(&bytes)
}

/// A public certificate for `names` (the first is the CN) and `key`, signed by the
/// intermediate of `hierarchy`: the leaf and its chain (intermediate, then root), PEM.
pub fn issue(
    domain: &DomainKey,
    hierarchy: &Hierarchy,
    names: &[String],
    key: &HeldKey,
    now: OffsetDateTime,
) -> Result<(String, String), IssuerFault> {
    let leaf_pair = keys::signing_pair(key)?;
    issue_for_key(
        domain,
        hierarchy,
        names,
        Family::for_key(key.algorithm),
        &leaf_pair,
        now,
    )
}

/// As [`issue`], for a public key only (an ACME CSR's) of `family`.
pub fn issue_for_key(
    domain: &DomainKey,
    hierarchy: &Hierarchy,
    names: &[String],
    family: Family,
    public_key: &impl rcgen::PublicKeyData,
    now: OffsetDateTime,
) -> Result<(String, String), IssuerFault> {
    let sealed = &hierarchy.sealed_intermediate_key;
    let pkcs8 = keys::open(domain, &aad(family, "intermediate"), sealed)?;
    let intermediate_pair = keys::signing_pair(&keys::from_pkcs8(&pkcs8)?)?;
    let signer = Issuer::from_ca_cert_pem(&hierarchy.intermediate_pem, &intermediate_pair)?;
    let mut params = CertificateParams::new(names.to_vec())?;
    let common_name = names.first().cloned().unwrap_or_default();
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    if family == Family::Rsa {
        params.key_usages.push(KeyUsagePurpose::KeyEncipherment);
    }
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.not_before = now - Duration::hours(1);
    params.not_after = now + Duration::days(PUBLIC_DAYS);
    params.serial_number = Some(random_serial());
    params.use_authority_key_identifier_extension = true;
    let leaf = params.signed_by(public_key, &signer)?;
    let chain = format!("{}{}", hierarchy.intermediate_pem, hierarchy.root_pem);
    Ok((facts::to_pem(leaf.der()), chain))
}
