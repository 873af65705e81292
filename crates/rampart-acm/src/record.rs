//! What ACM keeps: one row per certificate under `<account>/<region>/<id>` (its type and
//! status, the certificate and chain, what was read from the certificate, the private key
//! sealed under the ACM domain key, validation, options, tags), RequestCertificate
//! idempotency tokens, and each account's configuration.

use rampart_store::{Store, Table};
use serde::{Deserialize, Serialize};

/// Certificate rows, keyed by `Scope::row(id)`.
pub const CERTIFICATES: &str = "acm_certificates";
/// RequestCertificate idempotency tokens, keyed by [`token_row`].
pub const REQUEST_TOKENS: &str = "acm_request_tokens";
/// Account configuration (expiry events), keyed by `<account>/<region>`.
pub const ACCOUNT_CONFIG: &str = "acm_account_config";
/// Pending EMAIL validation approvals, keyed by the SHA-256 (hex) of the approval token.
pub const EMAIL_APPROVALS: &str = "acm_email_approvals";

/// What was read from a certificate (ACM's DescribeCertificate fields).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CertFacts {
    /// Colon-separated lowercase hex, as ACM shows it.
    pub serial: String,
    pub subject: String,
    pub issuer: String,
    /// `RSA_2048`, `EC_prime256v1`, ...
    pub key_algorithm: String,
    /// `SHA256WITHRSA`, `SHA256WITHECDSA`, ...
    pub signature_algorithm: String,
    pub not_before_ms: i64,
    pub not_after_ms: i64,
    /// The subject CN, else the first DNS name.
    pub domain_name: String,
    pub sans: Vec<String>,
    /// ACM's KeyUsage names.
    pub key_usages: Vec<String>,
    /// ACM's ExtendedKeyUsage names with their OIDs.
    pub extended_key_usages: Vec<(String, String)>,
    /// The DER SubjectPublicKeyInfo.
    pub spki_der: Vec<u8>,
}

/// One domain's validation (public certificates).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DomainCheck {
    pub domain_name: String,
    pub validation_domain: String,
    /// `DNS` or `EMAIL`.
    pub method: String,
    /// `PENDING_VALIDATION`, `SUCCESS` or `FAILED`.
    pub status: String,
    /// The CNAME to create (DNS): name and value.
    pub record: Option<(String, String)>,
    /// The addresses approval mail goes to (EMAIL).
    pub emails: Vec<String>,
    /// The SHA-256 (hex) of the current approval token (EMAIL); the token itself is not kept.
    #[serde(default)]
    pub approval: Option<String>,
}

/// One certificate.
#[derive(Clone, Serialize, Deserialize)]
pub struct CertRecord {
    pub arn: String,
    /// `IMPORTED`, `AMAZON_ISSUED` or `PRIVATE`.
    pub cert_type: String,
    /// `PENDING_VALIDATION`, `ISSUED`, `FAILED`, `REVOKED`, ... (EXPIRED is derived on read).
    pub status: String,
    pub failure_reason: Option<String>,
    /// The requested names (requested certificates) or those of the certificate.
    pub domain_name: String,
    pub sans: Vec<String>,
    /// The requested key algorithm, or the certificate's.
    pub key_algorithm: String,
    pub certificate_pem: Option<String>,
    pub chain_pem: Option<String>,
    pub facts: Option<CertFacts>,
    /// The PKCS #8 private key sealed under the ACM domain key (AAD: the ARN), base64.
    pub sealed_key: Option<String>,
    pub created_ms: i64,
    pub imported_ms: Option<i64>,
    pub issued_ms: Option<i64>,
    pub ca_arn: Option<String>,
    /// `ENABLED` or `DISABLED`.
    pub export_option: String,
    pub transparency: String,
    pub exported: bool,
    pub validations: Vec<DomainCheck>,
    /// When the validation window began, if not at creation (ResendValidationEmail).
    #[serde(default)]
    pub validation_started_ms: Option<i64>,
    /// The revocation reason and time, once revoked.
    pub revoked: Option<(String, i64)>,
    /// The last renewal: status and when.
    pub renewal: Option<(String, i64)>,
    /// Tags in the order they were added.
    pub tags: Vec<(String, String)>,
    /// The last day (days since the epoch) an expiry event was published for.
    #[serde(default)]
    pub expiry_event_day: Option<i64>,
    /// Whether the "ACM Certificate Expired" event went out for the current NotAfter.
    #[serde(default)]
    pub expired_event_sent: bool,
    /// For a certificate an ACME endpoint issued: the endpoint ARN and the ACME account id.
    #[serde(default)]
    pub acme: Option<(String, String)>,
}

impl std::fmt::Debug for CertRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertRecord")
            .field("arn", &self.arn)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl CertRecord {
    /// The status as of `now_ms`: an ISSUED certificate past its NotAfter is EXPIRED.
    pub fn status_at(&self, now_ms: i64) -> &str {
        let ended = self
            .facts
            .as_ref()
            .is_some_and(|f| f.not_after_ms <= now_ms);
        if self.status == "ISSUED" && ended {
            "EXPIRED"
        } else {
            &self.status
        }
    }
}

/// A RequestCertificate idempotency token: the certificate it made and when.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenRecord {
    pub arn: String,
    pub used_ms: i64,
}

/// An EMAIL approval token's certificate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApprovalRecord {
    /// The certificate's row.
    pub certificate_row: String,
}

/// An account's configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountConfig {
    pub days_before_expiry: i32,
    /// The last PutAccountConfiguration token and when it was used.
    pub token: Option<(String, i64)>,
}

/// The row of idempotency token `token` in a scope (`prefix` is `<account>/<region>/`): the
/// token's SHA-256, hex.
pub fn token_row(prefix: &str, token: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
    format!("{prefix}{}", hex::encode(digest.as_ref()))
}

/// The typed tables.
#[derive(Debug, Clone)]
pub struct Tables {
    pub certificates: Table<CertRecord>,
    pub tokens: Table<TokenRecord>,
    pub accounts: Table<AccountConfig>,
    pub approvals: Table<ApprovalRecord>,
    /// Other services' resources using certificates.
    pub usage: Table<crate::usage::UsageRecord>,
}

impl Tables {
    pub fn new(store: &Store) -> Tables {
        Tables {
            certificates: Table::new(store.clone(), CERTIFICATES),
            tokens: Table::new(store.clone(), REQUEST_TOKENS),
            accounts: Table::new(store.clone(), ACCOUNT_CONFIG),
            approvals: Table::new(store.clone(), EMAIL_APPROVALS),
            usage: Table::new(store.clone(), crate::usage::USAGE),
        }
    }
}
