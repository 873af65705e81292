//! The caching materials manager: reuses a data key for several messages, bounded by age,
//! messages and bytes, as the SDKs' caching CMM (entry ids are the SHA-384 of the spec's
//! formulas; suites without key derivation are never cached).

use crate::cmm::{EncryptionRequest, MaterialsManager};
use crate::context::{self, EncryptionContext};
use crate::error::Result;
use crate::materials::{
    CommitmentPolicy, DecryptionMaterials, EncryptedDataKey, EncryptionMaterials,
};
use crate::suite::{AlgorithmSuite, Kdf};
use aws_lc_rs::digest;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long and how much one cached data key may be used.
#[derive(Debug, Clone, Copy)]
pub struct CacheLimits {
    /// Entries older than this are not used (the TTL; required).
    pub max_age: Duration,
    /// Most messages one data key encrypts (default 2^32).
    pub max_messages: u64,
    /// Most plaintext bytes one data key encrypts (default 2^63 - 1).
    pub max_bytes: u64,
    /// Most entries kept; the oldest is evicted beyond it.
    pub capacity: usize,
}

impl CacheLimits {
    /// Limits with `max_age` and the spec's defaults for the rest.
    pub fn with_max_age(max_age: Duration) -> Self {
        Self {
            max_age,
            max_messages: 1 << 32,
            max_bytes: i64::MAX as u64,
            capacity: 1000,
        }
    }
}

struct EncryptEntry {
    materials: EncryptionMaterials,
    created: Instant,
    messages: u64,
    bytes: u64,
}

struct DecryptEntry {
    materials: DecryptionMaterials,
    created: Instant,
}

#[derive(Default)]
struct Cache {
    encrypt: HashMap<Vec<u8>, EncryptEntry>,
    decrypt: HashMap<Vec<u8>, DecryptEntry>,
}

/// A caching materials manager over another one.
pub struct CachingCmm<M> {
    inner: M,
    limits: CacheLimits,
    partition: String,
    cache: Mutex<Cache>,
}

impl<M: MaterialsManager> CachingCmm<M> {
    /// A caching manager over `inner` in cache partition `partition` (managers with different
    /// partitions never share entries).
    pub fn new(inner: M, limits: CacheLimits, partition: &str) -> Self {
        Self {
            inner,
            limits,
            partition: partition.to_owned(),
            cache: Mutex::new(Cache::default()),
        }
    }

    fn identifier(&self, scope: u8, suffix: &[&[u8]]) -> Vec<u8> {
        let mut hash = digest::Context::new(&digest::SHA384);
        for part in [&[0x01u8][..], &[scope], self.partition.as_bytes()]
            .into_iter()
            .chain(suffix.iter().copied())
        {
            hash.update(part);
            hash.update(&[0]);
        }
        hash.finish().as_ref().to_vec()
    }

    fn encrypt_id(&self, request: &EncryptionRequest<'_>) -> Result<Vec<u8>> {
        let context = context::serialize(request.context)?;
        let suite = request.suite.map(|s| s.id().to_be_bytes());
        let suffix: Vec<u8> = match suite {
            None => [&[0x00u8][..], &context].concat(),
            Some(id) => [&[0x01u8][..], &id, &context].concat(),
        };
        Ok(self.identifier(0x01, &[&suffix]))
    }

    /// A cached entry's materials if it may encrypt `bytes` more, counting the use.
    fn take_cached(&self, id: &[u8], bytes: u64) -> Option<EncryptionMaterials> {
        let mut cache = self.cache.lock().ok()?;
        let entry = cache.encrypt.get_mut(id)?;
        let fresh = entry.created.elapsed() < self.limits.max_age;
        let within = entry.messages < self.limits.max_messages
            && entry
                .bytes
                .checked_add(bytes)
                .is_some_and(|b| b <= self.limits.max_bytes);
        if !fresh || !within {
            cache.encrypt.remove(id);
            return None;
        }
        entry.messages += 1;
        entry.bytes += bytes;
        Some(entry.materials.clone())
    }

    fn evict_oldest<V>(
        map: &mut HashMap<Vec<u8>, V>,
        capacity: usize,
        created: impl Fn(&V) -> Instant,
    ) {
        while map.len() >= capacity.max(1) {
            let oldest = map
                .iter()
                .min_by_key(|(_, v)| created(v))
                .map(|(k, _)| k.clone());
            match oldest {
                Some(key) => map.remove(&key),
                None => return,
            };
        }
    }
}

fn cacheable(suite: Option<AlgorithmSuite>, policy: CommitmentPolicy) -> bool {
    suite.unwrap_or(policy.default_suite()).kdf() != Kdf::Identity
}

impl<M: MaterialsManager> MaterialsManager for CachingCmm<M> {
    /// Uses the cache only when the plaintext's maximum length is known (so the byte limit
    /// can be honoured) and the suite derives its keys.
    fn encryption_materials(&self, request: &EncryptionRequest<'_>) -> Result<EncryptionMaterials> {
        let Some(bytes) = request
            .max_plaintext_length
            .filter(|_| cacheable(request.suite, request.policy))
        else {
            return self.inner.encryption_materials(request);
        };
        let id = self.encrypt_id(request)?;
        if let Some(materials) = self.take_cached(&id, bytes) {
            return Ok(materials);
        }
        let materials = self.inner.encryption_materials(request)?;
        let storable = bytes <= self.limits.max_bytes && self.limits.max_messages > 0;
        if let (true, Ok(mut cache)) = (storable, self.cache.lock()) {
            Self::evict_oldest(&mut cache.encrypt, self.limits.capacity, |e| e.created);
            let entry = EncryptEntry {
                materials: materials.clone(),
                created: Instant::now(),
                messages: 1,
                bytes,
            };
            cache.encrypt.insert(id, entry);
        }
        Ok(materials)
    }

    fn decryption_materials(
        &self,
        suite: AlgorithmSuite,
        context: &EncryptionContext,
        encrypted: &[EncryptedDataKey],
        policy: CommitmentPolicy,
    ) -> Result<DecryptionMaterials> {
        if suite.kdf() == Kdf::Identity {
            return self
                .inner
                .decryption_materials(suite, context, encrypted, policy);
        }
        policy.check_decrypt(suite)?;
        let id = self.decrypt_id(suite, context, encrypted)?;
        if let Ok(mut cache) = self.cache.lock() {
            match cache.decrypt.get(&id) {
                Some(entry) if entry.created.elapsed() < self.limits.max_age => {
                    return Ok(entry.materials.clone());
                }
                Some(_) => {
                    cache.decrypt.remove(&id);
                }
                None => {}
            }
        }
        let materials = self
            .inner
            .decryption_materials(suite, context, encrypted, policy)?;
        if let Ok(mut cache) = self.cache.lock() {
            Self::evict_oldest(&mut cache.decrypt, self.limits.capacity, |e| e.created);
            cache.decrypt.insert(
                id,
                DecryptEntry {
                    materials: materials.clone(),
                    created: Instant::now(),
                },
            );
        }
        Ok(materials)
    }
}

impl<M: MaterialsManager> CachingCmm<M> {
    fn decrypt_id(
        &self,
        suite: AlgorithmSuite,
        context: &EncryptionContext,
        encrypted: &[EncryptedDataKey],
    ) -> Result<Vec<u8>> {
        let mut keys: Vec<Vec<u8>> = encrypted.iter().map(serialize_edk).collect::<Result<_>>()?;
        keys.sort();
        let context = context::serialize(context)?;
        Ok(self.identifier(0x02, &[&suite.id().to_be_bytes(), &keys.concat(), &context]))
    }
}

fn serialize_edk(edk: &EncryptedDataKey) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    crate::wire::put_short_bytes(&mut out, edk.provider_id.as_bytes(), "provider id too long")?;
    crate::wire::put_short_bytes(&mut out, &edk.provider_info, "provider info too long")?;
    crate::wire::put_short_bytes(&mut out, &edk.ciphertext, "encrypted data key too long")?;
    Ok(out)
}
