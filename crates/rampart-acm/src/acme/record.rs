//! What ACM keeps for its ACME endpoints: one row per endpoint under `<account>/<region>/<id>`,
//! and under `<account>/<region>/<endpoint id>/<id>` its external account bindings (the MAC
//! key only sealed), its prevalidated domains and the ACME accounts registered with it, so
//! deleting an endpoint removes its children by prefix.

use rampart_store::{Store, Table};
use serde::{Deserialize, Serialize};

/// Endpoint rows.
pub const ENDPOINTS: &str = "acm_acme_endpoints";
/// Endpoint id → endpoint ARN, for the ACME server, whose URLs name only the id.
pub const ENDPOINT_IDS: &str = "acm_acme_endpoint_ids";
/// External account binding rows.
pub const BINDINGS: &str = "acm_acme_bindings";
/// Domain validation (prevalidation) rows.
pub const DOMAINS: &str = "acm_acme_domains";
/// ACME account rows (registered through the ACME server).
pub const ACCOUNTS: &str = "acm_acme_accounts";

/// One ACME endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EndpointRecord {
    pub arn: String,
    pub id: String,
    /// `PRE_APPROVED`.
    pub authorization: String,
    /// `REQUIRED` or `NOT_REQUIRED`.
    pub contact: String,
    /// The public CA's allowed key algorithms (empty: every one ACM issues).
    pub allowed_key_algorithms: Vec<String>,
    /// `ACTIVE`, ...
    pub status: String,
    pub certificate_tags: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
    pub created_ms: i64,
    pub updated_ms: i64,
}

/// Where an endpoint id's endpoint lives.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EndpointIdRecord {
    pub arn: String,
}

/// One external account binding.
#[derive(Clone, Serialize, Deserialize)]
pub struct BindingRecord {
    pub arn: String,
    pub endpoint_arn: String,
    /// The key id ACME clients send (`kid` of the binding's JWS).
    pub key_id: String,
    pub role_arn: String,
    /// The HMAC key sealed under the ACM domain key (AAD: the binding ARN), base64.
    pub sealed_mac_key: String,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub expires_ms: Option<i64>,
    pub last_used_ms: Option<i64>,
    pub revoked_ms: Option<i64>,
    pub tags: Vec<(String, String)>,
}

impl std::fmt::Debug for BindingRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BindingRecord")
            .field("arn", &self.arn)
            .finish_non_exhaustive()
    }
}

/// A domain scope option of a prevalidation (`ENABLED` / `DISABLED`, absent when not sent).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ScopeRecord {
    pub exact_domain: Option<String>,
    pub subdomains: Option<String>,
    pub wildcards: Option<String>,
}

/// One prevalidated domain of an endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DomainRecord {
    pub arn: String,
    pub endpoint_arn: String,
    pub domain_name: String,
    pub hosted_zone_id: Option<String>,
    pub scope: ScopeRecord,
    /// The CNAME (name, value) that proves control of the domain.
    pub record: (String, String),
    /// `VALIDATING`, `VALID` or `INVALID`.
    pub status: String,
    /// The failure reason and message of an INVALID validation.
    pub failure: Option<(String, String)>,
    pub tags: Vec<(String, String)>,
    pub created_ms: i64,
    pub updated_ms: i64,
}

/// One ACME account registered with an endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountRecord {
    pub id: String,
    pub endpoint_arn: String,
    /// The account URL ACME clients use as `kid`.
    pub url: String,
    /// The account key as a JWK (JSON text).
    pub jwk: String,
    /// RFC 7638 thumbprint of the key, base64url.
    pub thumbprint: String,
    pub contacts: Vec<String>,
    /// `VALID`, `DEACTIVATED` or `REVOKED`.
    pub status: String,
    pub binding_arn: Option<String>,
    /// The binding's IAM role when the account registered (kept: the account outlives its
    /// binding); absent on accounts registered before roles were kept.
    #[serde(default)]
    pub role_arn: Option<String>,
    pub created_ms: i64,
}

/// The typed tables.
#[derive(Debug, Clone)]
pub struct AcmeTables {
    pub endpoints: Table<EndpointRecord>,
    pub endpoint_ids: Table<EndpointIdRecord>,
    pub bindings: Table<BindingRecord>,
    pub domains: Table<DomainRecord>,
    pub accounts: Table<AccountRecord>,
}

impl AcmeTables {
    pub fn new(store: &Store) -> AcmeTables {
        AcmeTables {
            endpoints: Table::new(store.clone(), ENDPOINTS),
            endpoint_ids: Table::new(store.clone(), ENDPOINT_IDS),
            bindings: Table::new(store.clone(), BINDINGS),
            domains: Table::new(store.clone(), DOMAINS),
            accounts: Table::new(store.clone(), ACCOUNTS),
        }
    }
}
