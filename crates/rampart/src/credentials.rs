//! Access keys: secrets sealed under the credentials domain key, cached in memory once
//! unwrapped, and the bootstrap admin key written to an AWS-format credentials file.

use base64::Engine;
use rampart_core::{AccountId, Principal, PrincipalKind};
use rampart_crypto::root::DomainKey;
use rampart_store::{Expect, Store, Table};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

const TABLE: &str = "credentials";
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A stored access key; the secret is AES-GCM-wrapped with the access key id as AAD.
#[derive(Serialize, Deserialize)]
struct StoredCredential {
    account: String,
    principal_arn: String,
    wrapped_secret: String,
}

/// An unwrapped credential held in memory.
pub struct ActiveCredential {
    pub principal: Principal,
    pub secret: Zeroizing<String>,
}

/// The credential table plus an in-memory cache of unwrapped secrets.
pub struct Credentials {
    store: Store,
    table: Table<StoredCredential>,
    key: DomainKey,
    cache: RwLock<HashMap<String, Arc<ActiveCredential>>>,
    /// Access key ids recently looked up and not found, so a flood of requests signed with
    /// unknown keys does not turn into a flood of database reads.
    unknown: Mutex<HashMap<String, Instant>>,
}

/// How long an unknown access key id is remembered as unknown.
const UNKNOWN_TTL: Duration = Duration::from_secs(1);
/// Most unknown ids remembered at once (the map is cleared when full).
const UNKNOWN_MAX: usize = 10_000;

impl Credentials {
    pub fn new(store: Store, key: DomainKey) -> Self {
        let table = Table::new(store.clone(), TABLE);
        Self {
            store,
            table,
            key,
            cache: RwLock::new(HashMap::new()),
            unknown: Mutex::new(HashMap::new()),
        }
    }

    /// The credential for `access_key_id`, from cache or store.
    pub async fn find(&self, access_key_id: &str) -> Result<Option<Arc<ActiveCredential>>, String> {
        if let Some(found) = self
            .cache
            .read()
            .ok()
            .and_then(|c| c.get(access_key_id).cloned())
        {
            return Ok(Some(found));
        }
        if self.recently_unknown(access_key_id) {
            return Ok(None);
        }
        let Some(stored) = self
            .table
            .get(access_key_id)
            .await
            .map_err(|e| e.to_string())?
        else {
            self.remember_unknown(access_key_id);
            return Ok(None);
        };
        let active = Arc::new(self.unwrap(access_key_id, &stored.value)?);
        if let Ok(mut cache) = self.cache.write() {
            cache.insert(access_key_id.to_owned(), active.clone());
        }
        Ok(Some(active))
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
        stored: &StoredCredential,
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
        Ok(ActiveCredential {
            principal: root_principal(account, stored.principal_arn.clone(), access_key_id),
            secret: Zeroizing::new(secret),
        })
    }

    /// Creates a new access key for the root user of `account`.
    pub async fn create_root_key(
        &self,
        account: &AccountId,
    ) -> Result<(String, Zeroizing<String>), String> {
        let access_key_id = format!("AKIA{}", random_text(16, ALPHABET));
        let secret = Zeroizing::new(random_text(40, SECRET_ALPHABET));
        let wrapped = self.key.wrap(secret.as_bytes(), access_key_id.as_bytes());
        let stored = StoredCredential {
            account: account.to_string(),
            principal_arn: format!("arn:aws:iam::{account}:root"),
            wrapped_secret: base64::engine::general_purpose::STANDARD.encode(wrapped),
        };
        let write = self
            .table
            .put(&access_key_id, &stored, Expect::Absent)
            .map_err(|e| e.to_string())?;
        self.store
            .transact(vec![write])
            .await
            .map_err(|e| e.to_string())?;
        Ok((access_key_id, secret))
    }

    /// Forgets cached secrets (after a reset).
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

const SECRET_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn random_text(len: usize, alphabet: &[u8]) -> String {
    // 256 is a multiple of both alphabet sizes (32 and 64), so `byte % len` is unbiased.
    rampart_crypto::random::bytes(len)
        .into_iter()
        .map(|b| char::from(alphabet[usize::from(b) % alphabet.len()]))
        .collect()
}

/// The root principal of `account`, signing with `access_key_id`.
pub fn root_principal(account: AccountId, arn: String, access_key_id: &str) -> Principal {
    Principal {
        principal_id: account.to_string(),
        account,
        arn,
        access_key_id: access_key_id.to_owned(),
        kind: PrincipalKind::Root,
        session: None,
    }
}

/// Writes an AWS-format credentials file with mode 0600 (replacing any previous one).
pub fn write_credentials_file(
    path: &Path,
    access_key_id: &str,
    secret: &str,
) -> Result<(), String> {
    let text = format!(
        "[default]\naws_access_key_id = {access_key_id}\naws_secret_access_key = {secret}\n"
    );
    let tmp = path.with_extension("tmp");
    crate::bootstrap::write_private_file(&tmp, &text)?;
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Marker of the bootstrap admin key, kept in the meta table.
#[derive(Serialize, Deserialize)]
struct BootstrapRecord {
    access_key_id: String,
}

const BOOTSTRAP_KEY: &str = "bootstrap-admin";

/// Creates the default account's admin key on first start and (re)writes the credentials file.
pub async fn bootstrap_admin(
    creds: &Credentials,
    account: &AccountId,
    file: &Path,
) -> Result<(), String> {
    let meta: Table<BootstrapRecord> =
        Table::new(creds.store.clone(), crate::bootstrap::META_TABLE);
    let existing = meta.get(BOOTSTRAP_KEY).await.map_err(|e| e.to_string())?;
    let access_key_id = match existing {
        Some(_) if file.exists() => {
            tracing::info!(credentials = %file.display(), "admin credentials file present");
            return Ok(());
        }
        Some(record) => record.value.access_key_id,
        None => {
            let (access_key_id, _) = creds.create_root_key(account).await?;
            let record = BootstrapRecord {
                access_key_id: access_key_id.clone(),
            };
            let write = meta
                .put(BOOTSTRAP_KEY, &record, Expect::Absent)
                .map_err(|e| e.to_string())?;
            creds
                .store
                .transact(vec![write])
                .await
                .map_err(|e| e.to_string())?;
            access_key_id
        }
    };
    let active = creds
        .find(&access_key_id)
        .await?
        .ok_or("bootstrap key vanished")?;
    write_credentials_file(file, &access_key_id, &active.secret)?;
    tracing::info!(credentials = %file.display(), access_key_id, "wrote the admin credentials file");
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn generated_keys_have_aws_shapes() {
        let id = format!("AKIA{}", random_text(16, ALPHABET));
        assert_eq!(id.len(), 20);
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        );
        let secret = random_text(40, SECRET_ALPHABET);
        assert_eq!(secret.len(), 40);
        assert_ne!(secret, random_text(40, SECRET_ALPHABET));
    }

    #[test]
    fn credentials_file_is_private_and_aws_formatted() {
        let dir = std::env::temp_dir().join(format!("rampart-creds-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("credentials");
        write_credentials_file(&path, "AKIAEXAMPLE", "secret").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("[default]\naws_access_key_id = AKIAEXAMPLE\n"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn secrets_are_stored_wrapped_and_found_again() {
        let dir = std::env::temp_dir().join(format!("rampart-credstore-{}", std::process::id()));
        let store = Store::open_sqlite(&dir.join("db")).await.unwrap();
        let root = rampart_crypto::root::RootKey::generate();
        let creds = Credentials::new(
            store.clone(),
            root.domain_key(rampart_crypto::root::Domain::Credentials),
        );
        let account = AccountId::parse("123456789012").unwrap();
        let (id, secret) = creds.create_root_key(&account).await.unwrap();
        let raw = store.get(TABLE, &id).await.unwrap().unwrap();
        assert!(!String::from_utf8_lossy(&raw.value).contains(secret.as_str()));
        let fresh = Credentials::new(
            store,
            root.domain_key(rampart_crypto::root::Domain::Credentials),
        );
        let found = fresh.find(&id).await.unwrap().unwrap();
        assert_eq!(found.secret.as_str(), secret.as_str());
        assert_eq!(found.principal.arn, "arn:aws:iam::123456789012:root");
        assert!(fresh.find("AKIANOPE").await.unwrap().is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
