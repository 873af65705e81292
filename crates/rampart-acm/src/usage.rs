//! Certificates in use by other services' resources, and the narrow in-process access those
//! services have to ACM ([`CertificateAccess`], provided through the module clients): what a
//! certificate is (status, names, account and Region), the writes that record or release a
//! resource's use of it (committed by the using module in its own transaction, so the use and
//! the resource change together), and for the API Gateway edge only, the certificate chain and
//! private key it serves. The key never leaves the process and is never logged.
//! DescribeCertificate lists the users as `InUseBy`; DeleteCertificate refuses while any is.

use crate::keys;
use crate::service::AcmService;
use rampart_store::{Expect, StoreError, Table, Write};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use zeroize::Zeroizing;

/// Uses of certificates, keyed by `<certificate row>/<resource ARN>`.
pub const USAGE: &str = "acm_certificate_usage";

/// One resource using a certificate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UsageRecord {
    pub resource_arn: String,
}

/// What a using service needs to know of a certificate.
#[derive(Debug, Clone)]
pub struct CertificateInfo {
    pub arn: String,
    pub account: String,
    pub region: String,
    /// As DescribeCertificate shows it now (EXPIRED derived).
    pub status: String,
    pub domain_name: String,
    pub sans: Vec<String>,
    /// When the certificate was last imported or issued (ms since the epoch).
    pub uploaded_ms: Option<i64>,
}

impl CertificateInfo {
    /// Whether the certificate covers `host` (exactly, or by a `*.` wildcard of one label).
    pub fn covers(&self, host: &str) -> bool {
        std::iter::once(&self.domain_name)
            .chain(self.sans.iter())
            .any(|name| name_covers(name, host))
    }
}

/// Whether certificate name `name` covers `host` (a `*.` wildcard stands for one label).
pub fn name_covers(name: &str, host: &str) -> bool {
    let (name, host) = (name.to_ascii_lowercase(), host.to_ascii_lowercase());
    if name == host {
        return true;
    }
    match (name.strip_prefix("*."), host.split_once('.')) {
        (Some(suffix), Some((label, rest))) => !label.is_empty() && rest == suffix,
        _ => false,
    }
}

/// A certificate's chain (leaf first, PEM) and PKCS #8 private key, for serving it.
pub struct KeyMaterial {
    pub chain_pem: String,
    pub pkcs8: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyMaterial").finish_non_exhaustive()
    }
}

/// Other modules' narrow access to ACM's certificates.
#[derive(Debug, Clone)]
pub struct CertificateAccess {
    service: Arc<AcmService>,
    usage: Table<UsageRecord>,
}

impl CertificateAccess {
    /// Access through `service`.
    pub fn new(service: Arc<AcmService>) -> Self {
        let usage = service.tables.usage.clone();
        CertificateAccess { service, usage }
    }

    /// The certificate `arn`, if it exists (an ARN that is no ACM ARN exists not).
    pub async fn describe(&self, arn: &str) -> Result<Option<CertificateInfo>, StoreError> {
        let Ok(cert) = crate::service::cert_ref(arn) else {
            return Ok(None);
        };
        let Some(found) = self.service.tables.certificates.get(&cert.row()).await? else {
            return Ok(None);
        };
        let record = found.value;
        Ok(Some(CertificateInfo {
            arn: record.arn.clone(),
            account: cert.scope.account.clone(),
            region: cert.scope.region.clone(),
            status: record.status_at(self.service.now_ms()).to_owned(),
            uploaded_ms: record.imported_ms.or(record.issued_ms),
            domain_name: record.domain_name,
            sans: record.sans,
        }))
    }

    /// The write recording that `resource_arn` uses certificate `arn`.
    pub fn use_write(&self, arn: &str, resource_arn: &str) -> Result<Write, StoreError> {
        let record = UsageRecord {
            resource_arn: resource_arn.to_owned(),
        };
        self.usage
            .put(&usage_row(arn, resource_arn)?, &record, Expect::Any)
    }

    /// The write recording that `resource_arn` no longer uses certificate `arn`.
    pub fn release_write(&self, arn: &str, resource_arn: &str) -> Result<Write, StoreError> {
        Ok(self
            .usage
            .delete(&usage_row(arn, resource_arn)?, Expect::Any))
    }

    /// The chain and private key of ISSUED certificate `arn` (None when it has none).
    pub async fn key_material(&self, arn: &str) -> Result<Option<KeyMaterial>, StoreError> {
        let Ok(cert) = crate::service::cert_ref(arn) else {
            return Ok(None);
        };
        let Some(found) = self.service.tables.certificates.get(&cert.row()).await? else {
            return Ok(None);
        };
        let record = found.value;
        let (Some(leaf), Some(sealed)) = (record.certificate_pem, record.sealed_key) else {
            return Ok(None);
        };
        let Ok(pkcs8) = keys::open(&self.service.domain, &record.arn, &sealed) else {
            tracing::error!(arn = %record.arn, "a certificate key does not open");
            return Ok(None);
        };
        let mut chain_pem = leaf;
        if let Some(chain) = record.chain_pem {
            chain_pem.push('\n');
            chain_pem.push_str(&chain);
        }
        Ok(Some(KeyMaterial { chain_pem, pkcs8 }))
    }
}

/// The usage row of `resource_arn` using certificate `arn`.
fn usage_row(arn: &str, resource_arn: &str) -> Result<String, StoreError> {
    let cert = crate::service::cert_ref(arn)
        .map_err(|_| StoreError::Backend(format!("not a certificate ARN: {arn}")))?;
    Ok(format!("{}/{resource_arn}", cert.row()))
}

/// The resources using the certificate at row `cert_row`, at most `limit`.
pub(crate) async fn users(
    usage: &Table<UsageRecord>,
    cert_row: &str,
    limit: usize,
) -> Result<Vec<String>, StoreError> {
    let rows = usage.scan(&format!("{cert_row}/"), None, limit).await?;
    Ok(rows
        .into_iter()
        .map(|(_, r)| r.value.resource_arn)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::name_covers;

    #[test]
    fn names_cover_exactly_or_by_one_label_wildcards() {
        assert!(name_covers("api.example.test", "API.example.test"));
        assert!(name_covers("*.example.test", "api.example.test"));
        assert!(!name_covers("*.example.test", "a.b.example.test"));
        assert!(!name_covers("*.example.test", "example.test"));
        assert!(!name_covers("api.example.test", "web.example.test"));
    }
}
