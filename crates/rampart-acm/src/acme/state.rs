//! What the ACME servers keep beside the control plane's rows: nonces (one row each, deleted
//! when used), orders and authorizations (under `<account>/<region>/<endpoint id>/<id>`, like
//! the endpoint's other children), each authorization with its challenges.

use rampart_store::{Store, Table};
use serde::{Deserialize, Serialize};

/// Nonce rows, keyed by the nonce.
pub const NONCES: &str = "acm_acme_nonces";
/// Order rows.
pub const ORDERS: &str = "acm_acme_orders";
/// Authorization rows.
pub const AUTHZS: &str = "acm_acme_authzs";

/// How long a nonce stays usable.
pub const NONCE_TTL_MS: i64 = 60 * 60 * 1000;
/// How long orders and authorizations live (ACM: 7 days, as Let's Encrypt).
pub const ORDER_TTL_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// A nonce the server gave out.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NonceRecord {
    pub created_ms: i64,
}

/// One challenge of an authorization.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChallengeRecord {
    /// `http-01` or `dns-01`.
    pub kind: String,
    pub token: String,
    /// `pending`, `processing`, `valid` or `invalid`.
    pub status: String,
    pub validated_ms: Option<i64>,
    /// The problem type and detail of a failed validation.
    pub error: Option<(String, String)>,
}

/// One authorization (a DNS identifier of an order).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthzRecord {
    pub id: String,
    pub account_id: String,
    /// The identifier without a wildcard label.
    pub domain: String,
    pub wildcard: bool,
    /// `pending`, `valid`, `invalid`, `deactivated`, `expired` or `revoked`.
    pub status: String,
    pub expires_ms: i64,
    pub challenges: Vec<ChallengeRecord>,
}

/// One order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderRecord {
    pub id: String,
    pub account_id: String,
    /// `pending`, `ready`, `processing`, `valid` or `invalid`.
    pub status: String,
    /// The DNS identifiers as requested (wildcards with their `*.`).
    pub identifiers: Vec<String>,
    pub authz_ids: Vec<String>,
    pub expires_ms: i64,
    /// The ACM certificate issued for the order.
    pub certificate_arn: Option<String>,
    pub error: Option<(String, String)>,
}

/// The ACME servers' tables.
#[derive(Debug, Clone)]
pub struct ServerTables {
    pub nonces: Table<NonceRecord>,
    pub orders: Table<OrderRecord>,
    pub authzs: Table<AuthzRecord>,
}

impl ServerTables {
    pub fn new(store: &Store) -> ServerTables {
        ServerTables {
            nonces: Table::new(store.clone(), NONCES),
            orders: Table::new(store.clone(), ORDERS),
            authzs: Table::new(store.clone(), AUTHZS),
        }
    }
}
