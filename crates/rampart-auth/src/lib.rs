//! SigV4 request verification (header and presigned-query forms) and credential lookup.
//!
//! [`verify`] checks a request exactly as AWS does and answers AWS's error codes and messages
//! ([`AuthError::code`], [`AuthError::status`]). Derived signing keys are cached (bounded).

mod error;
pub mod sigv4;

pub use error::AuthError;
pub use sigv4::{
    CredentialScope, Precheck, SignedRequest, Verified, VerifyOptions, parse_authorization,
    precheck, verify, verify_with,
};

/// A stored credential: the access key's secret (kept sealed at rest by the caller).
pub struct Credential {
    pub secret_access_key: zeroize::Zeroizing<String>,
}

/// Finds the secret for an access key id.
pub trait CredentialLookup {
    fn lookup(&self, access_key_id: &str) -> Option<Credential>;
}
