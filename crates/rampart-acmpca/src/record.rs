//! What ACM PCA keeps: one row per CA (configuration, status, its sealed private key, CSR,
//! certificate and chain, tags) under `<account>/<region>/<ca id>`, and one row per issued
//! certificate under `<ca id>/<certificate id>` (PEM, chain, revocation).

use rampart_store::{Store, Table};
use serde::{Deserialize, Serialize};

/// CA rows, keyed by [`ca_row`].
pub const AUTHORITIES: &str = "acmpca_authorities";
/// Issued certificate rows, keyed by [`cert_row`].
pub const CERTIFICATES: &str = "acmpca_certificates";
/// IssueCertificate idempotency tokens, keyed by [`token_row`].
pub const ISSUE_TOKENS: &str = "acmpca_issue_tokens";

/// One certificate authority.
#[derive(Clone, Serialize, Deserialize)]
pub struct CaRecord {
    pub arn: String,
    /// `ROOT` or `SUBORDINATE`.
    pub ca_type: String,
    /// `CertificateAuthorityConfiguration` in its AWS JSON form.
    pub config: serde_json::Value,
    /// `RevocationConfiguration` in its AWS JSON form.
    pub revocation: Option<serde_json::Value>,
    pub usage_mode: String,
    pub key_storage: String,
    /// `PENDING_CERTIFICATE`, `ACTIVE`, `DISABLED`, `EXPIRED`, `DELETED`...
    pub status: String,
    pub created_ms: i64,
    pub last_state_change_ms: i64,
    /// The PKCS#8 private key sealed under the ACM domain key (AAD: the CA ARN), base64.
    pub sealed_key: String,
    /// The DER SubjectPublicKeyInfo of the CA key.
    pub spki_der: Vec<u8>,
    pub csr_pem: String,
    pub certificate_pem: Option<String>,
    pub chain_pem: Option<String>,
    /// The CA certificate's serial number, decimal.
    pub serial: Option<String>,
    pub not_before_ms: Option<i64>,
    pub not_after_ms: Option<i64>,
    /// While DELETED: when the CA goes for good.
    pub restorable_until_ms: Option<i64>,
    /// While DELETED: the status RestoreCertificateAuthority returns to.
    pub status_before_delete: Option<String>,
    /// Tags in the order they were added.
    pub tags: Vec<(String, String)>,
    /// CreateCertificateAuthority's idempotency token and when it was used.
    pub idempotency: Option<(String, i64)>,
    /// Its resource policy, permissions and audit-report pacing.
    #[serde(default)]
    pub governance: Governance,
    /// The ServiceAffiliationCode of a SERVICE_AFFILIATED CA (`IAM_WORKLOAD_IDENTITY`).
    #[serde(default)]
    pub affiliation: Option<String>,
    /// A multi-Region CA's role: the primary (with its replicas) or a replica of one.
    #[serde(default)]
    pub multi_region: Option<crate::multi_region::MultiRegion>,
}

/// Who else may use a CA, and when it was last audited.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Governance {
    /// The resource-based policy (PutPolicy), as given.
    pub policy: Option<String>,
    /// The permissions granted to AWS service principals (CreatePermission), oldest first.
    pub permissions: Vec<PermissionRecord>,
    /// When the CA's latest audit report was requested (one per 30 minutes).
    pub last_audit_report_ms: Option<i64>,
}

/// One CreatePermission grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionRecord {
    /// The service principal (`acm.amazonaws.com`).
    pub principal: String,
    /// The account the permission is limited to, if any.
    pub source_account: Option<String>,
    /// `IssueCertificate`, `GetCertificate` and/or `ListPermissions`.
    pub actions: Vec<String>,
    pub created_ms: i64,
}

impl std::fmt::Debug for CaRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaRecord")
            .field("arn", &self.arn)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl CaRecord {
    /// Marks an ACTIVE CA whose certificate ended by `now_ms` EXPIRED (AWS moves it there
    /// when its certificate expires; the status is stored with the CA's next write).
    pub fn expire_at(&mut self, now_ms: i64) {
        if let Some(end) = self.not_after_ms
            && self.status == "ACTIVE"
            && end <= now_ms
        {
            self.status = "EXPIRED".into();
            self.last_state_change_ms = end;
        }
    }
}

/// One issued certificate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CertRecord {
    pub certificate_pem: String,
    /// The issuing CA's certificate and chain at issuance (absent for a root's own).
    pub chain_pem: Option<String>,
    pub not_after_ms: i64,
    pub issued_ms: i64,
    /// The revocation reason and time, once revoked.
    pub revoked: Option<(String, i64)>,
    /// The template it was issued with (for audit reports).
    #[serde(default)]
    pub template_arn: Option<String>,
}

/// An IssueCertificate idempotency token: the certificate it issued and when.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenRecord {
    pub cert_id: String,
    pub issued_ms: i64,
}

/// The row of idempotency token `token` of CA `ca_id` (the token's SHA-256, hex).
pub fn token_row(ca_id: &str, token: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
    format!("{ca_id}/{}", hex::encode(digest.as_ref()))
}

/// The row of CA `id` in `account`/`region`.
pub fn ca_row(account: &str, region: &str, id: &str) -> String {
    format!("{account}/{region}/{id}")
}

/// The row prefix of every CA of `account`/`region`.
pub fn scope_prefix(account: &str, region: &str) -> String {
    format!("{account}/{region}/")
}

/// The row of certificate `cert_id` of CA `ca_id`.
pub fn cert_row(ca_id: &str, cert_id: &str) -> String {
    format!("{ca_id}/{cert_id}")
}

/// The typed tables.
#[derive(Debug, Clone)]
pub struct Tables {
    pub authorities: Table<CaRecord>,
    pub certificates: Table<CertRecord>,
    pub tokens: Table<TokenRecord>,
}

impl Tables {
    pub fn new(store: &Store) -> Tables {
        Tables {
            authorities: Table::new(store.clone(), AUTHORITIES),
            certificates: Table::new(store.clone(), CERTIFICATES),
            tokens: Table::new(store.clone(), ISSUE_TOKENS),
        }
    }
}
