//! Long-term access keys: secrets sealed under the credentials domain key (AAD = access key
//! id), unwrapped once and cached. A cached key is re-read after [`RECHECK`] so a key
//! deactivated or deleted on another node stops working within about a second; local changes
//! call [`Credentials::forget`].

use crate::ids;
use crate::records::{AccessKeyRecord, KeyStatus};
use crate::tables::IamTables;
use base64::Engine;
use rampart_core::{AccountId, Principal, PrincipalKind};
use rampart_crypto::root::DomainKey;
use rampart_store::{Expect, Write};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// How long a cached key is trusted before its row is read again.
const RECHECK: Duration = Duration::from_secs(1);
/// How long an unknown access key id is remembered as unknown.
const UNKNOWN_TTL: Duration = Duration::from_secs(1);
/// Most unknown ids remembered at once (the map is cleared when full).
const UNKNOWN_MAX: usize = 10_000;

/// An active access key, unwrapped, held in memory.
pub struct ActiveCredential {
    pub principal: Principal,
    pub secret: Zeroizing<String>,
}

struct CacheEntry {
    active: Arc<ActiveCredential>,
    version: u64,
    checked: Instant,
}

/// The access-key table plus the cache of unwrapped secrets.
pub struct Credentials {
    tables: IamTables,
    key: DomainKey,
    cache: RwLock<HashMap<String, CacheEntry>>,
    /// Ids recently looked up and not found: a flood of requests signed with unknown keys
    /// does not become a flood of database reads.
    unknown: Mutex<HashMap<String, Instant>>,
}

impl Credentials {
    /// Access keys in `tables`, secrets wrapped under `key` (the credentials domain key).
    pub fn new(tables: IamTables, key: DomainKey) -> Self {
        Self {
            tables,
            key,
            cache: RwLock::new(HashMap::new()),
            unknown: Mutex::new(HashMap::new()),
        }
    }

    /// The credentials domain key, which also seals virtual MFA seeds (`ops/mfa.rs`).
    pub(crate) fn sealing_key(&self) -> &DomainKey {
        &self.key
    }

    /// The active credential for `access_key_id`; `None` if unknown or inactive.
    pub async fn find(&self, access_key_id: &str) -> Result<Option<Arc<ActiveCredential>>, String> {
        let cached = self.cached(access_key_id);
        if let Some((active, _, true)) = &cached {
            return Ok(Some(active.clone()));
        }
        if cached.is_none() && self.recently_unknown(access_key_id) {
            return Ok(None);
        }
        let row = self
            .tables
            .access_keys
            .get(access_key_id)
            .await
            .map_err(|e| e.to_string())?;
        let Some(row) = row.filter(|r| r.value.status == KeyStatus::Active) else {
            self.forget(access_key_id);
            self.remember_unknown(access_key_id);
            return Ok(None);
        };
        if let Some((active, version, _)) = cached
            && version == row.version
        {
            self.store_entry(access_key_id, active.clone(), version);
            return Ok(Some(active));
        }
        let active = Arc::new(self.unwrap(access_key_id, &row.value)?);
        self.store_entry(access_key_id, active.clone(), row.version);
        Ok(Some(active))
    }

    /// The cached credential, its row version, and whether it is still fresh.
    fn cached(&self, access_key_id: &str) -> Option<(Arc<ActiveCredential>, u64, bool)> {
        let cache = self.cache.read().ok()?;
        let entry = cache.get(access_key_id)?;
        let fresh = entry.checked.elapsed() < RECHECK;
        Some((entry.active.clone(), entry.version, fresh))
    }

    fn store_entry(&self, access_key_id: &str, active: Arc<ActiveCredential>, version: u64) {
        if let Ok(mut cache) = self.cache.write() {
            let entry = CacheEntry {
                active,
                version,
                checked: Instant::now(),
            };
            cache.insert(access_key_id.to_owned(), entry);
        }
    }

    fn recently_unknown(&self, access_key_id: &str) -> bool {
        let unknown = self.unknown.lock().unwrap_or_else(|p| p.into_inner());
        unknown
            .get(access_key_id)
            .is_some_and(|at| at.elapsed() < UNKNOWN_TTL)
    }

    fn remember_unknown(&self, access_key_id: &str) {
        let mut unknown = self.unknown.lock().unwrap_or_else(|p| p.into_inner());
        if unknown.len() >= UNKNOWN_MAX {
            unknown.clear();
        }
        unknown.insert(access_key_id.to_owned(), Instant::now());
    }

    fn unwrap(
        &self,
        access_key_id: &str,
        stored: &AccessKeyRecord,
    ) -> Result<ActiveCredential, String> {
        let account = AccountId::parse(&stored.account).map_err(|e| e.to_string())?;
        let blob = base64::engine::general_purpose::STANDARD
            .decode(&stored.wrapped_secret)
            .map_err(|e| e.to_string())?;
        let secret = self
            .key
            .unwrap(&blob, access_key_id.as_bytes())
            .map_err(|e| e.to_string())?;
        let secret = String::from_utf8(secret.to_vec()).map_err(|_| "corrupt secret".to_owned())?;
        let principal = match (&stored.user_name, &stored.user_id) {
            (Some(_), Some(user_id)) => Principal {
                account,
                arn: stored.principal_arn.clone(),
                principal_id: user_id.clone(),
                access_key_id: access_key_id.to_owned(),
                kind: PrincipalKind::IamUser,
                session: None,
            },
            _ => Principal::root(account, access_key_id),
        };
        Ok(ActiveCredential {
            principal,
            secret: Zeroizing::new(secret),
        })
    }

    /// Seals another IAM secret (a SAML provider's private key) under the credentials domain
    /// key, bound to `aad`: base64 of the sealed blob.
    pub(crate) fn seal(&self, plaintext: &[u8], aad: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.key.wrap(plaintext, aad))
    }

    /// A new access key for the root user of `account` (id, secret) and the write storing it.
    pub fn new_root_key(&self, account: &AccountId, now_ms: i64) -> Result<NewKey, String> {
        let owner = KeyOwner {
            account: account.as_str(),
            principal_arn: &format!("arn:aws:iam::{account}:root"),
            user: None,
        };
        self.new_key(&owner, now_ms)
    }

    /// A new access key for `owner`: its id, secret, the stored record and the write that
    /// stores it (`Expect::Absent`; the caller commits it with its other writes).
    pub fn new_key(&self, owner: &KeyOwner<'_>, now_ms: i64) -> Result<NewKey, String> {
        let access_key_id = ids::access_key_id();
        let secret = ids::secret_access_key();
        let wrapped = self.key.wrap(secret.as_bytes(), access_key_id.as_bytes());
        let record = AccessKeyRecord {
            account: owner.account.to_owned(),
            principal_arn: owner.principal_arn.to_owned(),
            wrapped_secret: base64::engine::general_purpose::STANDARD.encode(wrapped),
            user_name: owner.user.map(|(name, _)| name.to_owned()),
            user_id: owner.user.map(|(_, id)| id.to_owned()),
            status: KeyStatus::Active,
            created_ms: now_ms,
            last_used_ms: None,
            last_used_service: None,
            last_used_region: None,
        };
        let write = self
            .tables
            .access_keys
            .put(&access_key_id, &record, Expect::Absent)
            .map_err(|e| e.to_string())?;
        Ok(NewKey {
            access_key_id,
            secret,
            record,
            write,
        })
    }

    /// Drops `access_key_id` from the cache and from the recently-unknown ids (after a local
    /// update or delete), so its next lookup reads the row: a key made active again works at
    /// once.
    pub fn forget(&self, access_key_id: &str) {
        if let Ok(mut cache) = self.cache.write() {
            cache.remove(access_key_id);
        }
        self.unknown
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(access_key_id);
    }

    /// Forgets every cached secret (after a reset).
    pub fn clear_cache(&self) {
        if let Ok(mut cache) = self.cache.write() {
            cache.clear();
        }
        self.unknown
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

/// Who a new access key belongs to.
pub struct KeyOwner<'a> {
    pub account: &'a str,
    pub principal_arn: &'a str,
    /// `(user name, user id)` for an IAM user; `None` for the account root.
    pub user: Option<(&'a str, &'a str)>,
}

/// A freshly made access key, not yet stored.
pub struct NewKey {
    pub access_key_id: String,
    pub secret: Zeroizing<String>,
    pub record: AccessKeyRecord,
    pub write: Write,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rampart_store::Store;

    #[tokio::test]
    async fn secrets_are_stored_wrapped_found_again_and_deactivation_is_honoured() {
        let dir = std::env::temp_dir().join(format!("rampart-iamcreds-{}", std::process::id()));
        let store = Store::open_sqlite(&dir.join("db")).await.unwrap();
        let root = rampart_crypto::root::RootKey::generate();
        let key = || root.domain_key(rampart_crypto::root::Domain::Credentials);
        let tables = IamTables::new(store.clone());
        let creds = Credentials::new(tables.clone(), key());
        let account = AccountId::parse("123456789012").unwrap();
        let made = creds.new_root_key(&account, 0).unwrap();
        store.transact(vec![made.write]).await.unwrap();
        let raw = store
            .get(crate::tables::ACCESS_KEYS, &made.access_key_id)
            .await
            .unwrap()
            .unwrap();
        assert!(!String::from_utf8_lossy(&raw.value).contains(made.secret.as_str()));
        let fresh = Credentials::new(tables.clone(), key());
        let found = fresh.find(&made.access_key_id).await.unwrap().unwrap();
        assert_eq!(found.secret.as_str(), made.secret.as_str());
        assert_eq!(found.principal.arn, "arn:aws:iam::123456789012:root");
        assert!(fresh.find("AKIANOPE").await.unwrap().is_none());
        let mut record = made.record.clone();
        record.status = KeyStatus::Inactive;
        let write = tables
            .access_keys
            .put(&made.access_key_id, &record, Expect::Any)
            .unwrap();
        store.transact(vec![write]).await.unwrap();
        fresh.forget(&made.access_key_id);
        assert!(fresh.find(&made.access_key_id).await.unwrap().is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
