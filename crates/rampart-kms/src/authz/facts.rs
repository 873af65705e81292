//! What authorization needs to know about a key besides its record: the compiled key policy,
//! its tags and its aliases. Read from the store, compiled once, and cached in the
//! [`crate::crypto::KeyVault`]: re-read after `CACHE_TTL` (the policy is compiled again only
//! when its stored version changed) and dropped on local writes to the key, its policy, its tags
//! or an alias of its scope.

use crate::KmsService;
use crate::crypto::CACHE_TTL;
use crate::domain::{KeyRecord, KmsError, default_key_policy};
use crate::store::key_row;
use rampart_core::rampart_policy::{Policy, PolicyKind};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

/// A key's compiled policy, tags and aliases.
#[derive(Debug)]
pub struct KeyFacts {
    /// The compiled key policy.
    pub(crate) policy: Arc<Policy>,
    /// Stored version of the policy row (None: no row, AWS's default policy).
    policy_version: Option<u64>,
    /// aws:ResourceTag/* pairs.
    pub(crate) tags: Vec<(String, String)>,
    /// kms:ResourceAliases (alias names, `alias/...`).
    pub(crate) aliases: Vec<String>,
    checked: Instant,
}

impl KeyFacts {
    /// True while the facts may be used without re-reading the store.
    pub(crate) fn fresh(&self) -> bool {
        self.checked.elapsed() < CACHE_TTL
    }
}

impl KmsService {
    /// The authorization facts of `key`, from the cache while fresh.
    pub(crate) async fn key_facts(&self, key: &KeyRecord) -> Result<Arc<KeyFacts>, KmsError> {
        let scope = key.scope();
        let row = key_row(&scope, &key.key_id);
        let cached = self.vault.facts(&row);
        if let Some(facts) = cached.as_ref().filter(|f| f.fresh()) {
            return Ok(Arc::clone(facts));
        }
        let stored = self.tables.policies.get(&row).await?;
        let tags = self.tables.tags.get(&row).await?;
        let aliases = self.tables.aliases_of(&scope, &key.key_id).await?;
        let policy_version = stored.as_ref().map(|s| s.version);
        let policy = match cached.filter(|c| c.policy_version == policy_version) {
            Some(previous) => Arc::clone(&previous.policy),
            None => {
                let document = stored.map(|s| s.value.document);
                let document = document.unwrap_or_else(|| default_key_policy(&scope));
                Arc::new(compile_stored(&document, key))
            }
        };
        let facts = Arc::new(KeyFacts {
            policy,
            policy_version,
            tags: tags
                .map(|t| t.value.tags.into_iter().collect())
                .unwrap_or_default(),
            aliases: aliases
                .into_iter()
                .map(|(_, a)| a.value.alias_name)
                .collect(),
            checked: Instant::now(),
        });
        self.vault.remember_facts(row, Arc::clone(&facts));
        Ok(facts)
    }
}

/// Compiles a stored key policy. Every policy stored since key policies were validated
/// compiles; one that does not (stored by an older version) allows nothing, so the key stays
/// locked rather than open until a valid policy is put.
fn compile_stored(document: &str, key: &KeyRecord) -> Policy {
    match Policy::parse(document, PolicyKind::Resource) {
        Ok(policy) => policy,
        Err(e) => {
            tracing::warn!(key_arn = %key.arn(), error = %e, "stored key policy does not compile; it allows nothing");
            allow_nothing().clone()
        }
    }
}

/// A key policy none of whose statements ever applies (aws:CurrentTime is always present).
fn allow_nothing() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"Null":{"aws:CurrentTime":"true"}}}]}"#;
        match Policy::parse(text, PolicyKind::Resource) {
            Ok(policy) => policy,
            Err(err) => unreachable!("the allow-nothing policy is valid: {err}"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Scope;

    #[test]
    fn unparsable_stored_policies_allow_nothing() {
        let scope = Scope::new("111122223333", "us-east-1");
        let key = KeyRecord::new_symmetric(&scope, "k".into(), String::new(), 0);
        let policy = compile_stored("{\"Statement\":[]}", &key);
        assert_eq!(policy.statement_count(), 1);
        let default = compile_stored(&default_key_policy(&scope), &key);
        assert_eq!(default.sid(0), Some("Enable IAM User Permissions"));
    }
}
