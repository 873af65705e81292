//! Key material versions (generated or imported, wrapped under the KMS domain key with AAD = key
//! ARN + version) and the in-memory cache of key metadata, alias targets and parsed material for
//! the cryptographic hot path. Local writes invalidate entries; every entry is re-validated against the store after
//! `CACHE_TTL`, so several nodes sharing one database converge within about a second.

use crate::authz::facts::KeyFacts;
use crate::domain::KmsArns;
use crate::domain::{KeyRecord, KmsError, Scope};
use crate::store::{BackingKeyRecord, KmsTables, alias_row, backing_row, key_row, scope_prefix};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rampart_crypto::material::{Material, Spec};
use rampart_crypto::root::DomainKey;
use rampart_store::{Expect, Versioned, Write};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// One unwrapped material version and its `KeyMaterialId` (dereferences to the material).
pub struct Backing {
    /// The parsed key material.
    pub material: Material,
    /// The version's `KeyMaterialId` (None for versions stored before ids were kept).
    pub material_id: Option<String>,
}

impl std::ops::Deref for Backing {
    type Target = Material;

    fn deref(&self) -> &Material {
        &self.material
    }
}

/// How long a cached entry is trusted before it is re-read from the store.
pub const CACHE_TTL: Duration = Duration::from_secs(1);

/// The default bound of the cache: entries of each kind (keys, aliases, policies) above which
/// stale entries are evicted (`[kms] key_cache_entries`).
pub const DEFAULT_CACHE_ENTRIES: usize = 20_000;

struct KeyEntry {
    key: Versioned<KeyRecord>,
    backing: HashMap<u32, Arc<Backing>>,
    checked: Instant,
}

struct AliasEntry {
    target_key_id: String,
    checked: Instant,
}

struct Cache {
    /// The bound of each map below.
    max_entries: usize,
    keys: HashMap<String, KeyEntry>,
    aliases: HashMap<String, AliasEntry>,
    /// Compiled key policy, tags and aliases of each key (by key row).
    facts: HashMap<String, Arc<KeyFacts>>,
}

impl Cache {
    fn new(max_entries: usize) -> Self {
        Cache {
            max_entries,
            keys: HashMap::new(),
            aliases: HashMap::new(),
            facts: HashMap::new(),
        }
    }

    /// Keeps memory bounded: a map that holds `max_entries` drops its stale entries, then
    /// everything if that is not enough, before one more is added.
    fn trim(&mut self) {
        let max = self.max_entries;
        trim_map(&mut self.keys, max, |e| e.checked.elapsed() < CACHE_TTL);
        trim_map(&mut self.aliases, max, |e| e.checked.elapsed() < CACHE_TTL);
        trim_map(&mut self.facts, max, |f| f.fresh());
    }
}

/// Makes room for one more entry in `map` (at most `max`): stale entries go first.
fn trim_map<V>(map: &mut HashMap<String, V>, max: usize, fresh: impl Fn(&V) -> bool) {
    if map.len() >= max {
        map.retain(|_, v| fresh(v));
        if map.len() >= max {
            map.clear();
        }
    }
}

/// Owns the KMS domain key and the hot-path cache. Never exposes key bytes in Debug or errors.
pub struct KeyVault {
    domain_key: DomainKey,
    cache: Mutex<Cache>,
}

/// Associated data binding a wrapped backing key to its key and version.
fn wrap_aad(key_arn: &str, version: u32) -> Vec<u8> {
    format!("rampart/kms/backing-key/v1\0{key_arn}\0{version}").into_bytes()
}

impl KeyVault {
    /// A vault wrapping backing keys under `domain_key`, its cache bounded to
    /// [`DEFAULT_CACHE_ENTRIES`].
    pub fn new(domain_key: DomainKey) -> Self {
        Self::with_capacity(domain_key, DEFAULT_CACHE_ENTRIES)
    }

    /// A vault whose cache holds at most `max_entries` keys, aliases and key policies each
    /// (at least one).
    pub fn with_capacity(domain_key: DomainKey, max_entries: usize) -> Self {
        Self {
            domain_key,
            cache: Mutex::new(Cache::new(max_entries.max(1))),
        }
    }

    /// This vault with an empty cache bounded to `max_entries` (at least one).
    pub fn with_max_entries(self, max_entries: usize) -> Self {
        Self::with_capacity(self.domain_key, max_entries)
    }

    fn cache(&self) -> MutexGuard<'_, Cache> {
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Generates fresh material of the key's spec for backing version `record.backing_version`
    /// and returns the write storing it wrapped.
    pub async fn new_backing_key_write(
        &self,
        tables: &KmsTables,
        record: &KeyRecord,
        now_ms: i64,
    ) -> Result<Write, KmsError> {
        let material = generate_material(spec_of(record)?)
            .await?
            .map_err(material_fault)?;
        let info = VersionInfo {
            created_ms: now_ms,
            rotation_type: None,
            material_id: Some(&new_material_id()),
        };
        self.material_write(tables, record, record.backing_version, &material, &info)
    }

    /// The write storing `material` wrapped as backing version `version` of `record` (in
    /// `record`'s own scope: a multi-Region replica stores its own wrapped copy).
    pub fn material_write(
        &self,
        tables: &KmsTables,
        record: &KeyRecord,
        version: u32,
        material: &Material,
        info: &VersionInfo<'_>,
    ) -> Result<Write, KmsError> {
        let wrapped = self
            .domain_key
            .wrap(&material.to_bytes(), &wrap_aad(&record.arn(), version));
        let stored = BackingKeyRecord {
            schema: 1,
            version,
            wrapped: STANDARD.encode(wrapped),
            created_ms: info.created_ms,
            rotation_type: info.rotation_type.map(str::to_owned),
            material_id: info.material_id.map(str::to_owned),
        };
        let row = backing_row(&record.scope(), &record.key_id, version);
        Ok(tables.backing.put(&row, &stored, Expect::Absent)?)
    }

    /// An HMAC-SHA256 fingerprint of key material under the KMS domain key (hex): lets Rampart
    /// recognise the same imported material again without storing it.
    pub fn fingerprint(&self, material: &[u8]) -> String {
        hex_of(
            &self
                .domain_key
                .mac(b"rampart/kms/import-fingerprint/v1", material),
        )
    }

    /// Wraps a secret that is not key material (e.g. an import's RSA wrapping key) under the KMS
    /// domain key, bound to `aad` (which must name its purpose and owner).
    pub fn seal_secret(&self, aad: &[u8], secret: &[u8]) -> Vec<u8> {
        self.domain_key.wrap(secret, aad)
    }

    /// Unwraps a secret sealed by `seal_secret` with the same `aad`.
    pub fn open_secret(&self, aad: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, KmsError> {
        self.domain_key
            .unwrap(sealed, aad)
            .map_err(|_| KmsError::Internal("a sealed secret failed to unwrap".into()))
    }

    /// The key's metadata for the hot path: cached, re-read after `CACHE_TTL`.
    pub async fn key(
        &self,
        tables: &KmsTables,
        scope: &Scope,
        key_id: &str,
    ) -> Result<Versioned<KeyRecord>, KmsError> {
        let row = key_row(scope, key_id);
        if let Some(entry) = self
            .cache()
            .keys
            .get(&row)
            .filter(|e| e.checked.elapsed() < CACHE_TTL)
        {
            return Ok(entry.key.clone());
        }
        match tables.keys.get(&row).await? {
            Some(fresh) => {
                self.remember_key(row, fresh.clone());
                Ok(fresh)
            }
            None => {
                self.cache().keys.remove(&row);
                Err(KmsError::key_not_found(&scope.key_arn(key_id)))
            }
        }
    }

    fn remember_key(&self, row: String, fresh: Versioned<KeyRecord>) {
        let mut cache = self.cache();
        cache.trim();
        let entry = cache.keys.entry(row).or_insert_with(|| KeyEntry {
            key: fresh.clone(),
            backing: HashMap::new(),
            checked: Instant::now(),
        });
        // Backing keys never change for a version, so they survive a metadata refresh.
        entry.key = fresh;
        entry.checked = Instant::now();
    }

    /// The key id an alias points at, for the hot path (cached like keys).
    pub async fn alias_target(
        &self,
        tables: &KmsTables,
        scope: &Scope,
        name: &str,
    ) -> Result<String, KmsError> {
        let row = alias_row(scope, name);
        if let Some(entry) = self
            .cache()
            .aliases
            .get(&row)
            .filter(|e| e.checked.elapsed() < CACHE_TTL)
        {
            return Ok(entry.target_key_id.clone());
        }
        let alias = tables.require_alias(scope, name).await;
        let mut cache = self.cache();
        match alias {
            Ok(alias) => {
                cache.trim();
                let target_key_id = alias.value.target_key_id;
                let entry = AliasEntry {
                    target_key_id: target_key_id.clone(),
                    checked: Instant::now(),
                };
                cache.aliases.insert(row, entry);
                Ok(target_key_id)
            }
            Err(e) => {
                cache.aliases.remove(&row);
                Err(e)
            }
        }
    }

    /// Material version `version` of `record`, unwrapped and parsed (cached while the key's entry
    /// lives). `None` when the version does not exist.
    pub async fn backing_key(
        &self,
        tables: &KmsTables,
        record: &KeyRecord,
        version: u32,
    ) -> Result<Option<Arc<Backing>>, KmsError> {
        let scope = record.scope();
        let row = key_row(&scope, &record.key_id);
        if let Some(key) = self
            .cache()
            .keys
            .get(&row)
            .and_then(|e| e.backing.get(&version))
        {
            return Ok(Some(Arc::clone(key)));
        }
        let Some(stored) = tables
            .backing
            .get(&backing_row(&scope, &record.key_id, version))
            .await?
        else {
            return Ok(None);
        };
        let key = Arc::new(Backing {
            material: self.unwrap_backing(record, &stored.value)?,
            material_id: stored.value.material_id,
        });
        if let Some(entry) = self.cache().keys.get_mut(&row) {
            entry.backing.insert(version, Arc::clone(&key));
        }
        Ok(Some(key))
    }

    fn unwrap_backing(
        &self,
        record: &KeyRecord,
        stored: &BackingKeyRecord,
    ) -> Result<Material, KmsError> {
        let fault = |what: &str| {
            KmsError::Internal(format!(
                "backing key {} v{}: {what}",
                record.key_id, stored.version
            ))
        };
        let wrapped = STANDARD
            .decode(&stored.wrapped)
            .map_err(|_| fault("not base64"))?;
        let raw = self
            .domain_key
            .unwrap(&wrapped, &wrap_aad(&record.arn(), stored.version))
            .map_err(|_| fault("failed to unwrap"))?;
        Material::from_bytes(spec_of(record)?, &raw).map_err(|_| fault("not valid material"))
    }

    /// Drops the cached metadata, backing keys, policy and tags of one key (after a local write).
    pub fn invalidate_key(&self, scope: &Scope, key_id: &str) {
        let row = key_row(scope, key_id);
        let mut cache = self.cache();
        cache.keys.remove(&row);
        cache.facts.remove(&row);
    }

    /// Drops the cached target of one alias, and the alias lists of its scope's keys (after a
    /// local write).
    pub fn invalidate_alias(&self, scope: &Scope, name: &str) {
        let prefix = scope_prefix(scope);
        let mut cache = self.cache();
        cache.aliases.remove(&alias_row(scope, name));
        cache.facts.retain(|row, _| !row.starts_with(&prefix));
    }

    /// The cached authorization facts of the key at `row` (possibly stale: check `fresh()`).
    pub(crate) fn facts(&self, row: &str) -> Option<Arc<KeyFacts>> {
        self.cache().facts.get(row).cloned()
    }

    /// Caches the authorization facts of the key at `row`.
    pub(crate) fn remember_facts(&self, row: String, facts: Arc<KeyFacts>) {
        let mut cache = self.cache();
        cache.trim();
        cache.facts.insert(row, facts);
    }

    /// Drops everything cached.
    pub fn clear(&self) {
        let mut cache = self.cache();
        cache.keys.clear();
        cache.aliases.clear();
        cache.facts.clear();
    }
}

/// Fresh material of `spec`, generated on the blocking pool (RSA-4096 takes up to seconds and
/// must not stall an async worker). The outer error is a failed task; the inner one the material's.
pub async fn generate_material(
    spec: Spec,
) -> Result<Result<Material, rampart_crypto::material::MaterialError>, KmsError> {
    tokio::task::spawn_blocking(move || Material::generate(spec))
        .await
        .map_err(|e| KmsError::Internal(format!("key generation task: {e}")))
}

/// The material spec of a key record.
pub fn spec_of(record: &KeyRecord) -> Result<Spec, KmsError> {
    Spec::from_aws(&record.key_spec)
        .ok_or_else(|| KmsError::Internal(format!("unknown key spec {}", record.key_spec)))
}

/// A material error that should not happen for material Rampart made itself.
pub fn material_fault(e: rampart_crypto::material::MaterialError) -> KmsError {
    KmsError::Internal(format!("key material: {e}"))
}

/// What is stored beside one material version (every copy of a multi-Region key's version
/// carries the same values).
#[derive(Debug, Clone, Copy)]
pub struct VersionInfo<'a> {
    /// Creation time, epoch milliseconds.
    pub created_ms: i64,
    /// `AUTOMATIC` / `ON_DEMAND` for versions made by rotation.
    pub rotation_type: Option<&'a str>,
    /// The version's `KeyMaterialId`.
    pub material_id: Option<&'a str>,
}

/// A new `KeyMaterialId`: 64 lowercase hex digits.
pub fn new_material_id() -> String {
    hex_of(&rampart_crypto::random::array::<32>())
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl std::fmt::Debug for KeyVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyVault").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aad_binds_arn_and_version() {
        assert_ne!(wrap_aad("arn:a", 1), wrap_aad("arn:a", 2));
        assert_ne!(wrap_aad("arn:a", 1), wrap_aad("arn:b", 1));
    }

    #[test]
    fn a_full_map_drops_stale_entries_first_and_never_passes_its_bound() {
        let mut map: HashMap<String, bool> = HashMap::new();
        for i in 0..4 {
            map.insert(format!("k{i}"), i % 2 == 0);
        }
        trim_map(&mut map, 4, |fresh| *fresh);
        assert_eq!(
            map.len(),
            2,
            "the two stale entries went, the fresh ones stayed"
        );
        assert!(map.contains_key("k0") && map.contains_key("k2"));
        map.insert("k4".into(), true);
        map.insert("k5".into(), true);
        trim_map(&mut map, 4, |fresh| *fresh);
        assert!(map.is_empty(), "all fresh at the bound: everything goes");
        trim_map(&mut map, 4, |fresh| *fresh);
        assert!(map.is_empty());
    }
}
