//! What CRL publication keeps: each published CRL as the S3 object AWS would write
//! (`acmpca_crls`, keyed `<bucket>/<object key>`: the DER, its CA, its update times and ACL),
//! the custom CNAME names that reach it (`acmpca_crl_aliases`, `<cname>/<object key>` → the
//! object's row), and each CA's publication state (`acmpca_crl_state`, keyed like its CA row:
//! the last CRL number and thisUpdate, and when the next refresh is due).

use serde::{Deserialize, Serialize};

/// Published CRL objects.
pub const CRLS: &str = "acmpca_crls";
/// CustomCname names of published CRL objects.
pub const CRL_ALIASES: &str = "acmpca_crl_aliases";
/// Each CA's CRL publication state.
pub const CRL_STATE: &str = "acmpca_crl_state";

/// One published CRL, as its S3 object.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CrlObject {
    pub ca_arn: String,
    /// The CRL, DER, base64.
    pub der: String,
    pub this_update_ms: i64,
    pub next_update_ms: i64,
    /// The S3ObjectAcl it was written with.
    pub acl: String,
}

/// A CustomCname name of a published CRL: the row of its object.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CrlAlias {
    pub object_row: String,
}

/// A CA's CRL publication state.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CrlState {
    /// The last CRL number used.
    pub number: u64,
    /// The thisUpdate of the last CRL.
    pub last_this_update_ms: Option<i64>,
    /// When the pending refresh is due: a refresh item for another time is stale.
    pub refresh_due_ms: Option<i64>,
}

/// The row of the object `key` in `bucket`.
pub fn object_row(bucket: &str, key: &str) -> String {
    format!("{bucket}/{key}")
}

/// The row of `key` reached through the custom CNAME `cname`.
pub fn alias_row(cname: &str, key: &str) -> String {
    format!("{}/{key}", cname.to_ascii_lowercase())
}
