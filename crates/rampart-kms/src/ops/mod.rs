//! Operation bodies, one module per area, plus the helpers they share: scope, key resolution
//! (noting every key touched for the audit record) and compare-and-swap key updates.

mod aliases;
mod asymmetric;
mod cipher;
pub(crate) mod grant_store;
mod grants;
mod import;
mod key_pair;
mod keys;
mod mac;
mod managed;
mod multi_region;
mod rotation;
mod tagging;

use crate::KmsService;
use crate::convert::KEY_RESOURCE;
use crate::domain::{Accept, KeyRecord, KeyRef, KmsError, Scope, parse_key_ref};
use crate::store::{KmsTables, key_row};
use rampart_core::RequestContext;
use rampart_store::{Expect, StoreError, Versioned, Write};

/// Attempts of a compare-and-swap update before giving up.
const CAS_ATTEMPTS: usize = 5;

/// The caller's account and region.
pub(crate) fn scope_of(ctx: &RequestContext) -> Scope {
    Scope::new(ctx.account().as_str(), ctx.region.as_str())
}

/// A required member (the codec already enforces presence; this keeps handlers total).
pub(crate) fn required<T>(value: Option<T>, member: &str) -> Result<T, KmsError> {
    value.ok_or_else(|| {
        KmsError::Validation(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: \
             Member must not be null"
        ))
    })
}

impl KmsService {
    /// Reads the key `text` names from the store (any state) and notes it for the audit record.
    pub(crate) async fn stored_key(
        &self,
        ctx: &RequestContext,
        text: &str,
        accept: Accept,
    ) -> Result<Versioned<KeyRecord>, KmsError> {
        let scope = scope_of(ctx);
        let key = self
            .tables
            .resolve(&scope, &parse_key_ref(&scope, text, accept)?)
            .await?;
        ctx.note_resource(key.value.arn(), KEY_RESOURCE);
        Ok(key)
    }

    /// The key `text` names (id, ARN, alias or alias ARN) through the hot-path cache, any state.
    pub(crate) async fn cached_key(
        &self,
        ctx: &RequestContext,
        text: &str,
    ) -> Result<KeyRecord, KmsError> {
        let scope = scope_of(ctx);
        let key_id = match parse_key_ref(&scope, text, Accept::KeyOrAlias)? {
            KeyRef::Key(id) => id,
            KeyRef::Alias(name) => self.vault.alias_target(&self.tables, &scope, &name).await?,
        };
        let key = self.vault.key(&self.tables, &scope, &key_id).await?.value;
        ctx.note_resource(key.arn(), KEY_RESOURCE);
        Ok(key)
    }

    /// The key `text` names for a cryptographic operation: through the cache, Enabled only.
    pub(crate) async fn usable_key(
        &self,
        ctx: &RequestContext,
        text: &str,
    ) -> Result<KeyRecord, KmsError> {
        let key = self.cached_key(ctx, text).await?;
        key.require_usable()?;
        Ok(key)
    }

    /// Applies `change` to the key `text` names (key id or ARN) and stores it with compare-and-swap,
    /// together with the extra writes `change` returns; retried on concurrent modification.
    pub(crate) async fn update_key<F>(
        &self,
        ctx: &RequestContext,
        text: &str,
        change: F,
    ) -> Result<KeyRecord, KmsError>
    where
        F: Fn(&mut KeyRecord, &KmsTables) -> Result<Vec<Write>, KmsError>,
    {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let current = self.stored_key(ctx, text, Accept::KeyOnly).await?;
            let mut next = current.value.clone();
            let mut writes = change(&mut next, &self.tables)?;
            let row = key_row(&next.scope(), &next.key_id);
            writes.push(
                self.tables
                    .keys
                    .put(&row, &next, Expect::Version(current.version))?,
            );
            let outcome = self.tables.store.transact(writes).await;
            self.vault.invalidate_key(&next.scope(), &next.key_id);
            match outcome {
                Ok(()) => return Ok(next),
                Err(StoreError::Conflict { .. }) if attempt < CAS_ATTEMPTS => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }
}
