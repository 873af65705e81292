//! Replay nonces (RFC 8555 section 6.5): 128 random bits from the system CSPRNG, one store
//! row each so every node accepts them, deleted when used; older than an hour they are
//! refused (badNonce).

use crate::AcmService;
use crate::acme::problem::Problem;
use crate::acme::state::{NONCE_TTL_MS, NonceRecord};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rampart_store::Expect;

impl AcmService {
    /// A new nonce, stored.
    pub(crate) async fn new_nonce(&self) -> Result<String, Problem> {
        let mut bytes = [0u8; 16];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| Problem::server_internal())?;
        let nonce = URL_SAFE_NO_PAD.encode(bytes);
        let record = NonceRecord {
            created_ms: self.now_ms(),
        };
        let put = self
            .acme_server
            .nonces
            .put(&nonce, &record, Expect::Absent)
            .map_err(|_| Problem::server_internal())?;
        self.store
            .transact(vec![put])
            .await
            .map_err(|_| Problem::server_internal())?;
        Ok(nonce)
    }

    /// Uses `nonce`: it must be one given out within the hour and not used before.
    pub(crate) async fn use_nonce(&self, nonce: &str) -> Result<(), Problem> {
        let table = &self.acme_server.nonces;
        let found = table
            .get(nonce)
            .await
            .map_err(|_| Problem::server_internal())?;
        let found = found.ok_or_else(Problem::bad_nonce)?;
        let delete = table.delete(nonce, Expect::Version(found.version));
        match self.store.transact(vec![delete]).await {
            Ok(()) if self.now_ms() - found.value.created_ms <= NONCE_TTL_MS => Ok(()),
            Ok(()) => Err(Problem::bad_nonce()),
            Err(e) if e.is_conflict() => Err(Problem::bad_nonce()),
            Err(_) => Err(Problem::server_internal()),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::AcmService;
    use rampart_acmpca::AcmPcaService;
    use rampart_core::ManualClock;
    use rampart_crypto::root::{Domain, RootKey};
    use rampart_store::testkit::TestStore;
    use std::sync::Arc;

    #[tokio::test]
    async fn nonces_are_used_once_and_expire_after_an_hour() {
        for test in TestStore::all("acmenonce").await.unwrap() {
            let store = test.store.clone();
            let start = time::OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
            let clock = Arc::new(ManualClock::new(start));
            let root = RootKey::generate();
            let pca_domain = root.domain_key(Domain::Acm);
            let pca = Arc::new(AcmPcaService::new(store.clone(), pca_domain, clock.clone()));
            let acm = AcmService::new(store, root.domain_key(Domain::Acm), clock.clone(), pca);
            let nonce = acm.new_nonce().await.unwrap();
            acm.use_nonce(&nonce).await.unwrap();
            assert_eq!(acm.use_nonce(&nonce).await.unwrap_err().kind, "badNonce");
            assert_eq!(
                acm.use_nonce("never-issued").await.unwrap_err().kind,
                "badNonce"
            );
            let old = acm.new_nonce().await.unwrap();
            clock.set(start + time::Duration::minutes(61));
            assert_eq!(acm.use_nonce(&old).await.unwrap_err().kind, "badNonce");
            let stale = acm.new_nonce().await.unwrap();
            let fresh_at = start + time::Duration::minutes(122);
            clock.set(fresh_at);
            let fresh = acm.new_nonce().await.unwrap();
            let now_ms = fresh_at.unix_timestamp() * 1000;
            assert_eq!(acm.acme_prune(now_ms).await.unwrap(), 1);
            assert!(acm.acme_server.nonces.get(&stale).await.unwrap().is_none());
            acm.use_nonce(&fresh).await.unwrap();
            test.cleanup().await.unwrap();
        }
    }
}
