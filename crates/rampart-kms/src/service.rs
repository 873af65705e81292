//! `KmsService`: construction, shared helpers, and `KmsHandler` (the operations' error and
//! metering); each operation's trait is implemented where its body lives, in `ops`.

use crate::crypto::KeyVault;
use crate::domain::KmsError;
use crate::generated::KmsHandler;
use crate::store::KmsTables;
use crate::usage::Meter;
use rampart_core::{Clock, RequestContext};
use rampart_crypto::root::DomainKey;
use rampart_store::Store;
use std::sync::Arc;

/// The KMS service: symmetric keys, aliases, tags and key policies.
pub struct KmsService {
    pub(crate) tables: KmsTables,
    pub(crate) vault: KeyVault,
    pub(crate) meter: Meter,
    pub(crate) grant_cache: crate::ops::grant_cache::GrantCache,
    /// Trusted roots of Nitro Enclaves attestation documents (`Recipient`).
    pub(crate) attestation_roots: crate::recipient::Roots,
    clock: Arc<dyn Clock>,
}

impl KmsService {
    /// A KMS service storing its tables in `store` and wrapping key material under `kms_domain_key`.
    pub fn new(store: Store, kms_domain_key: DomainKey, clock: Arc<dyn Clock>) -> KmsService {
        KmsService {
            tables: KmsTables::new(store),
            vault: KeyVault::new(kms_domain_key),
            meter: Meter::default(),
            grant_cache: Default::default(),
            attestation_roots: Default::default(),
            clock,
        }
    }

    /// Bounds the hot-path cache to `max_entries` keys, aliases and key policies each
    /// (`[kms] key_cache_entries`); the cache starts empty.
    pub fn with_key_cache_entries(mut self, max_entries: usize) -> Self {
        self.vault = self.vault.with_max_entries(max_entries);
        self
    }

    /// Trusts `roots` for the attestation documents of `Recipient` parameters.
    pub fn with_attestation_roots(mut self, roots: crate::recipient::Roots) -> Self {
        self.attestation_roots = roots;
        self
    }

    /// A request's `Recipient`, verified now (`None` when the request has none).
    pub(crate) fn recipient(
        &self,
        recipient: Option<&crate::generated::shapes::RecipientInfo>,
    ) -> Result<Option<crate::recipient::Attested>, KmsError> {
        crate::recipient::verify(&self.attestation_roots, recipient, self.now_ms())
    }

    /// Drops every cached key, alias and unwrapped backing key (dev-mode reset).
    pub fn wipe_cache(&self) {
        self.vault.clear();
        self.grant_cache.clear();
    }

    /// Now, in epoch milliseconds.
    pub(crate) fn now_ms(&self) -> i64 {
        let millis = self.clock.now().unix_timestamp_nanos() / 1_000_000;
        i64::try_from(millis).unwrap_or(i64::MAX)
    }

    /// Test hook: the raw bytes of a key's backing key `version`, to prove they are never stored
    /// in plaintext. Not part of the service API.
    #[doc(hidden)]
    pub async fn backing_key_bytes_for_tests(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
        version: u32,
    ) -> Option<Vec<u8>> {
        let scope = crate::domain::Scope::new(account, region);
        let key = self.tables.require_key(&scope, key_id).await.ok()?;
        let backing = self
            .vault
            .backing_key(&self.tables, &key.value, version)
            .await
            .ok()??;
        Some(backing.to_bytes().to_vec())
    }
}

impl std::fmt::Debug for KmsService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KmsService").finish_non_exhaustive()
    }
}

/// The operations' domain errors become AWS errors in the generated `dispatch` (`From<KmsError>
/// for ServiceError`, in `convert`). Every call that reached an operation is metered (per account,
/// Region and the keys it touched); the meter is told the operation and whether it succeeded
/// (GetKeyLastUsage tracks the last successful cryptographic operation per key).
impl KmsHandler for KmsService {
    type Error = KmsError;

    fn after_call(&self, ctx: &RequestContext, operation: &'static str, ok: bool) {
        self.meter.record(ctx, operation, ok);
    }
}
