//! SigV4 request verification (header and presigned-query forms) and credential lookup.
//!
//! INTERFACE CONTRACT (being implemented): the public signatures are fixed.

mod error;
pub mod sigv4;

pub use error::AuthError;
pub use sigv4::{CredentialScope, SignedRequest, Verified, parse_authorization, verify};

/// A stored credential: the access key's secret (kept sealed at rest by the caller).
pub struct Credential {
    pub secret_access_key: zeroize::Zeroizing<String>,
}

/// Finds the secret for an access key id.
pub trait CredentialLookup {
    fn lookup(&self, access_key_id: &str) -> Option<Credential>;
}
