//! Certificates in use by other services' resources, and the narrow in-process access those
//! services have to ACM ([`CertificateAccess`], provided through the module clients): what a
//! certificate is (status, names, account and Region), the writes that record or release a
//! resource's use of it (committed by the using module in its own transaction, so the use and
//! the resource change together), and for the API Gateway edge only, the certificate chain and
//! private key it serves. The key never leaves the process and is never logged.
//! DescribeCertificate lists the users as `InUseBy`; DeleteCertificate refuses while any is.
//!
//! Recording a use and deleting the certificate are serialized by the certificate row: the
//! use is written together with the certificate row rewritten unchanged at the version the
//! using module checked ([`CertificateInfo::version`]), and DeleteCertificate reads the row,
//! then the uses, and deletes at the version it read. A delete that read no use conflicts
//! with any use committed since (the version moved), and a use conflicts with a delete
//! committed first (the row is gone); on PostgreSQL each is one conditional statement
//! (`UPDATE`/`DELETE ... WHERE version = $v`) under the row's lock.

use crate::keys;
use crate::record::CERTIFICATES;
use crate::service::AcmService;
use rampart_core::Scope;
use rampart_store::{Expect, StoreError, Table, Write};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
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
    /// The certificate row's version when described (what [`CertificateAccess::use_writes`]
    /// pins).
    pub version: u64,
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
        let (record, version) = (found.value, found.version);
        Ok(Some(CertificateInfo {
            version,
            arn: record.arn.clone(),
            account: cert.scope.account.clone(),
            region: cert.scope.region.clone(),
            status: record.status_at(self.service.now_ms()).to_owned(),
            uploaded_ms: record.imported_ms.or(record.issued_ms),
            domain_name: record.domain_name,
            sans: record.sans,
        }))
    }

    /// The writes recording that `resource_arn` uses the certificate `info` describes: the
    /// use, and the certificate row rewritten unchanged at `info.version`, so the transaction
    /// commits only while the certificate is as described (a conflict on the certificates
    /// table, [`is_certificate_conflict`], when it changed or was deleted since).
    pub async fn use_writes(
        &self,
        info: &CertificateInfo,
        resource_arn: &str,
    ) -> Result<Vec<Write>, StoreError> {
        let row = usage_row(&info.arn, resource_arn)?;
        let cert_row = row_of(&info.arn)?;
        let certificates = &self.service.tables.certificates;
        let moved = || StoreError::Conflict {
            table: CERTIFICATES.to_owned(),
            key: cert_row.clone(),
        };
        let found = certificates.get(&cert_row).await?.ok_or_else(moved)?;
        if found.version != info.version {
            return Err(moved());
        }
        let record = UsageRecord {
            resource_arn: resource_arn.to_owned(),
        };
        Ok(vec![
            certificates.put(&cert_row, &found.value, Expect::Version(info.version))?,
            self.usage.put(&row, &record, Expect::Any)?,
        ])
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

/// Whether `error` is a conflict on a certificate row: the certificate a use was recorded
/// for changed or was deleted after it was checked (check it again).
pub fn is_certificate_conflict(error: &StoreError) -> bool {
    matches!(error, StoreError::Conflict { table, .. } if table == CERTIFICATES)
}

/// The certificate row of `arn`.
fn row_of(arn: &str) -> Result<String, StoreError> {
    let cert = crate::service::cert_ref(arn)
        .map_err(|_| StoreError::Backend(format!("not a certificate ARN: {arn}")))?;
    Ok(cert.row())
}

/// The usage row of `resource_arn` using certificate `arn`.
fn usage_row(arn: &str, resource_arn: &str) -> Result<String, StoreError> {
    Ok(format!("{}/{resource_arn}", row_of(arn)?))
}

/// The most usage keys one scan reads.
const KEY_BATCH: usize = 1000;

/// The certificates of one scope that some resource uses (their ids).
#[derive(Debug, Default)]
pub(crate) struct InUse(HashSet<String>);

impl InUse {
    /// Whether the certificate `arn` is in use.
    pub(crate) fn contains(&self, arn: &str) -> bool {
        arn.rsplit_once(":certificate/")
            .is_some_and(|(_, id)| self.0.contains(id))
    }
}

/// The certificates of `scope` in use: keys-only scans of the usage rows under the scope's
/// prefix (one query per thousand uses, none per certificate), for a whole page at once.
pub(crate) async fn in_use(usage: &Table<UsageRecord>, scope: &Scope) -> Result<InUse, StoreError> {
    let prefix = scope.prefix();
    let mut ids = HashSet::new();
    let mut after: Option<String> = None;
    loop {
        let keys = usage
            .store()
            .scan_keys(USAGE, &prefix, after.as_deref(), KEY_BATCH)
            .await?;
        let full = keys.len() == KEY_BATCH;
        for key in &keys {
            let rest = key.strip_prefix(&prefix).unwrap_or_default();
            if let Some((id, _)) = rest.split_once('/') {
                ids.insert(id.to_owned());
            }
        }
        after = keys.last().cloned();
        if !full {
            return Ok(InUse(ids));
        }
    }
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
